import { EnvironmentVariable } from "../lib/environment-variables";
import { AccountSettings, AssumedRoleSettings, ENVIRONMENT_NAMES, EnvironmentAccount, EnvironmentName, STATE_ACCESS, StateAccess } from "./types";
import { ConfigError } from "./validate";

/**
 * Which AWS account each environment lives in, the role Terraform assumes there, and the role that reaches the
 * state bucket (docs/accounts.md). Read from environment variables like the other operator settings; nothing set:
 * no account guard, the layout of one account for everything (a warning says so).
 */

const ACCOUNT_ID = /^\d{12}$/;
/** An IAM role ARN; groups: account. */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@\/-]+$/;
/** What STS accepts as an external id (2 to 1224 characters of this set). */
const EXTERNAL_ID = /^[\w+=,.@:\/-]{2,1224}$/;

type EnvironmentSetting = "ACCOUNT_ID" | "ROLE_ARN" | "EXTERNAL_ID" | "STATE_ROLE_ARN" | "STATE_PLAN_ROLE_ARN";

/** The per-environment variables, spelled out so a search for a name finds where it is read. */
const ENVIRONMENT_VARIABLES: Readonly<Record<EnvironmentName, Readonly<Record<EnvironmentSetting, string>>>> = {
  dev: {
    ACCOUNT_ID: "SENTRY_DEV_ACCOUNT_ID",
    ROLE_ARN: "SENTRY_DEV_ROLE_ARN",
    EXTERNAL_ID: "SENTRY_DEV_EXTERNAL_ID",
    STATE_ROLE_ARN: "SENTRY_DEV_STATE_ROLE_ARN",
    STATE_PLAN_ROLE_ARN: "SENTRY_DEV_STATE_PLAN_ROLE_ARN",
  },
  staging: {
    ACCOUNT_ID: "SENTRY_STAGING_ACCOUNT_ID",
    ROLE_ARN: "SENTRY_STAGING_ROLE_ARN",
    EXTERNAL_ID: "SENTRY_STAGING_EXTERNAL_ID",
    STATE_ROLE_ARN: "SENTRY_STAGING_STATE_ROLE_ARN",
    STATE_PLAN_ROLE_ARN: "SENTRY_STAGING_STATE_PLAN_ROLE_ARN",
  },
  prod: {
    ACCOUNT_ID: "SENTRY_PROD_ACCOUNT_ID",
    ROLE_ARN: "SENTRY_PROD_ROLE_ARN",
    EXTERNAL_ID: "SENTRY_PROD_EXTERNAL_ID",
    STATE_ROLE_ARN: "SENTRY_PROD_STATE_ROLE_ARN",
    STATE_PLAN_ROLE_ARN: "SENTRY_PROD_STATE_PLAN_ROLE_ARN",
  },
};

/** `SENTRY_<ENV>_<SETTING>`: one of an environment's account variables. */
export function environmentVariable(environment: EnvironmentName, setting: EnvironmentSetting): string {
  return ENVIRONMENT_VARIABLES[environment][setting];
}

const ACCOUNT_VARIABLES = {
  account: "SENTRY_ACCOUNT_ID",
  stateAccount: "SENTRY_STATE_ACCOUNT_ID",
  stateRole: "SENTRY_STATE_ROLE_ARN",
  stateExternalId: "SENTRY_STATE_EXTERNAL_ID",
  allowSharedProd: "SENTRY_ALLOW_SHARED_PROD_ACCOUNT",
  callerCredentials: "SENTRY_USE_CALLER_CREDENTIALS",
  stateAccess: "SENTRY_STATE_ACCESS",
} as const;

/** The variables `readAccountSettings` reads, for docs/configuration.md. */
export const ACCOUNT_ENVIRONMENT_VARIABLES: readonly EnvironmentVariable[] = [
  {
    name: ACCOUNT_VARIABLES.account,
    meaning: "12-digit AWS account of every environment (the single-account layout): each stack's provider gets `allowed_account_ids`; unset (and no per-environment account): no account guard, a synth warns (see [Accounts](accounts.md))",
  },
  ...ENVIRONMENT_NAMES.flatMap((env): EnvironmentVariable[] => [
    {
      name: environmentVariable(env, "ACCOUNT_ID"),
      default: ACCOUNT_VARIABLES.account,
      meaning: `12-digit AWS account of ${env} (one account per environment): its stacks refuse any other account, its bootstrap is \`sentry-bootstrap-${env}\``,
    },
    {
      name: environmentVariable(env, "ROLE_ARN"),
      meaning: `IAM role (in ${env}'s account) the aws provider of ${env}'s stacks assumes, session \`sentry-terraform-${env}\`; unset: the run's own credentials`,
    },
    { name: environmentVariable(env, "EXTERNAL_ID"), meaning: `external id of the assume_role of \`${environmentVariable(env, "ROLE_ARN")}\`, when its trust policy asks for one` },
    {
      name: environmentVariable(env, "STATE_ROLE_ARN"),
      default: ACCOUNT_VARIABLES.stateRole,
      meaning: `role in the state account the backend and every remote-state read of ${env} assume: one per environment keeps each environment to its own state`,
    },
    {
      name: environmentVariable(env, "STATE_PLAN_ROLE_ARN"),
      meaning: `role in the state account that ${env}'s plan jobs (\`${ACCOUNT_VARIABLES.stateAccess}=plan\`) assume instead, session \`sentry-state-plan-${env}\`: it reads ${env}'s state and writes only its \`*.tflock\` lock files; required for plan jobs where ${env} has a state role`,
    },
  ]),
  {
    name: ACCOUNT_VARIABLES.stateAccount,
    meaning: "12-digit account of the state bucket when environments have their own accounts: its bootstrap is `sentry-bootstrap-state`; default: the account of the state role",
  },
  {
    name: ACCOUNT_VARIABLES.stateRole,
    meaning: "role (in the state account) the S3 backend and every `terraform_remote_state` read assume, session `sentry-state-<env>`; needs `SENTRY_STATE_BUCKET`; unset: the run's credentials reach the bucket",
  },
  { name: ACCOUNT_VARIABLES.stateExternalId, meaning: "external id of the state role's assume_role, when its trust policy asks for one" },
  {
    name: ACCOUNT_VARIABLES.callerCredentials,
    meaning:
      "`1`: the aws provider uses the run's own credentials instead of assuming `SENTRY_<ENV>_ROLE_ARN`, which stays a Terraform principal of its environment (the workflows set it: a job runs as its environment's CI role, and its synth names the same principals as an operator's)",
  },
  {
    name: ACCOUNT_VARIABLES.stateAccess,
    default: "apply",
    meaning:
      "`plan`: the backend and every remote-state read assume the environment's plan state role (`SENTRY_<ENV>_STATE_PLAN_ROLE_ARN`), refused without one where a state role is set (the pull-request plan jobs set it); `apply`: its state role",
  },
  {
    name: ACCOUNT_VARIABLES.allowSharedProd,
    meaning: "`1`: accept prod in the same account as dev or staging while environments have their own accounts (refused otherwise; a synth warns)",
  },
];

/**
 * The account variables CI passes to every job from repository variables: the accounts, the state roles and the
 * environments' Terraform roles, which a job names as Terraform principals but does not assume (the workflows set
 * `SENTRY_USE_CALLER_CREDENTIALS=1`: a job runs as its environment's CI role; the backend assumes the state role from
 * it, or the plan state role in a plan job: `SENTRY_STATE_ACCESS=plan`, which the workflow sets, not a repository
 * variable). Not their external ids: nothing in CI assumes those roles.
 */
export const CI_ACCOUNT_VARIABLES: readonly string[] = ACCOUNT_ENVIRONMENT_VARIABLES.map((variable) => variable.name).filter(
  (name) =>
    name !== ACCOUNT_VARIABLES.callerCredentials && name !== ACCOUNT_VARIABLES.stateAccess && !ENVIRONMENT_NAMES.some((env) => name === environmentVariable(env, "EXTERNAL_ID")),
);

/** The Terraform session name an environment's role is assumed with (CloudTrail shows it). */
function terraformSessionName(environment: EnvironmentName): string {
  return `sentry-terraform-${environment}`;
}

/** The session name of the state role, per environment (the bucket's access logs and CloudTrail show it). */
function stateSessionName(environment: EnvironmentName, access: StateAccess): string {
  return access === "plan" ? `sentry-state-plan-${environment}` : `sentry-state-${environment}`;
}

type Variables = NodeJS.ProcessEnv;

function read(variables: Variables, name: string): string | undefined {
  const value = variables[name]?.trim();
  return value ? value : undefined;
}

function accountId(variables: Variables, name: string): string | undefined {
  const value = read(variables, name);
  if (value !== undefined && !ACCOUNT_ID.test(value)) throw new ConfigError(name, value, "expected a 12-digit AWS account id");
  return value;
}

/** A role ARN and the account it belongs to; refuses a role of another account than `expectedAccount`. */
function roleArn(variables: Variables, name: string, expectedAccount: string | undefined, whose: string): string | undefined {
  const value = read(variables, name);
  if (value === undefined) return undefined;
  const match = ROLE_ARN.exec(value);
  if (!match) throw new ConfigError(name, value, "expected an IAM role ARN arn:<partition>:iam::<12 digits>:role/<path/name>");
  if (expectedAccount !== undefined && match[1] !== expectedAccount) {
    throw new ConfigError(name, value, `expected a role in ${whose} account ${expectedAccount}, not in ${match[1]}`);
  }
  return value;
}

function externalId(variables: Variables, name: string): string | undefined {
  const value = read(variables, name);
  if (value !== undefined && !EXTERNAL_ID.test(value)) throw new ConfigError(name, "(not shown)", "expected 2 to 1224 letters, digits or +=,.@:/-_");
  return value;
}

/** The account of a role ARN (validated before). */
function accountOfRole(arn: string): string {
  return arn.split(":")[4];
}

function environmentAccount(variables: Variables, env: EnvironmentName, single: string | undefined): EnvironmentAccount | undefined {
  const account = accountId(variables, environmentVariable(env, "ACCOUNT_ID")) ?? single;
  const role = roleArn(variables, environmentVariable(env, "ROLE_ARN"), account, `${env}'s`);
  if (account === undefined) {
    if (role !== undefined) {
      throw new ConfigError(environmentVariable(env, "ROLE_ARN"), role, `expected ${environmentVariable(env, "ACCOUNT_ID")} or ${ACCOUNT_VARIABLES.account} too: the account the role must belong to`);
    }
    return undefined;
  }
  const external = externalId(variables, environmentVariable(env, "EXTERNAL_ID"));
  const assumed = role && read(variables, ACCOUNT_VARIABLES.callerCredentials) !== "1";
  return {
    accountId: account,
    ...(assumed && { role: { roleArn: role, sessionName: terraformSessionName(env), ...(external && { externalId: external }) } }),
    ...(role && { terraformRoleArn: role }),
  };
}

/**
 * The account settings of the run, or undefined when no account, role or state role is set (today's layout,
 * unchanged). Throws a `ConfigError` naming the variable on a malformed id, a role in another account than its
 * environment's, prod sharing an account with another environment, or a state role without a state bucket.
 */
export function readAccountSettings(variables: Variables): AccountSettings | undefined {
  const single = accountId(variables, ACCOUNT_VARIABLES.account);
  const perEnvironment = ENVIRONMENT_NAMES.some((env) => read(variables, environmentVariable(env, "ACCOUNT_ID")) !== undefined);
  const environments: Partial<Record<EnvironmentName, EnvironmentAccount>> = {};
  for (const env of ENVIRONMENT_NAMES) {
    const account = environmentAccount(variables, env, single);
    if (account) environments[env] = account;
  }
  const stateAccess = readStateAccessKind(variables);
  const state = readStateAccess(variables, stateAccess);
  if (!Object.keys(environments).length && !state) return undefined;
  if (perEnvironment) {
    refuseSharedProdAccount(variables, environments);
    if (state?.stateAccountId === undefined) {
      throw new ConfigError(ACCOUNT_VARIABLES.stateAccount, null, `expected the state bucket's 12-digit account (or ${ACCOUNT_VARIABLES.stateRole}) when environments have their own accounts`);
    }
  }
  return { layout: perEnvironment ? "per-environment" : "single", environments, ...state, ...(stateAccess === "plan" && { stateAccess }) };
}

function readStateAccessKind(variables: Variables): StateAccess {
  const value = read(variables, ACCOUNT_VARIABLES.stateAccess) ?? "apply";
  if (!(STATE_ACCESS as readonly string[]).includes(value)) throw new ConfigError(ACCOUNT_VARIABLES.stateAccess, value, `expected one of ${STATE_ACCESS.join(", ")}`);
  return value as StateAccess;
}

/**
 * The state role the backend and the remote-state reads of `environment` assume in this run: its plan state role
 * when the run plans (`SENTRY_STATE_ACCESS=plan`), its state role otherwise; undefined: the run's credentials.
 */
export function runStateRole(accounts: AccountSettings | undefined, environment: EnvironmentName): AssumedRoleSettings | undefined {
  return (accounts?.stateAccess === "plan" ? accounts.planStateRoles : accounts?.stateRoles)?.[environment];
}

function readStateAccess(variables: Variables, access: StateAccess): Pick<AccountSettings, "stateAccountId" | "stateRoles" | "planStateRoles"> | undefined {
  const declared = accountId(variables, ACCOUNT_VARIABLES.stateAccount);
  const shared = roleArn(variables, ACCOUNT_VARIABLES.stateRole, declared, "the state");
  const stateAccountId = declared ?? (shared && accountOfRole(shared));
  const external = externalId(variables, ACCOUNT_VARIABLES.stateExternalId);
  const roles: Record<StateAccess, Partial<Record<EnvironmentName, AssumedRoleSettings>>> = { apply: {}, plan: {} };
  let account = stateAccountId;
  for (const env of ENVIRONMENT_NAMES) {
    for (const kind of STATE_ACCESS) {
      const name = environmentVariable(env, kind === "plan" ? "STATE_PLAN_ROLE_ARN" : "STATE_ROLE_ARN");
      const arn = roleArn(variables, name, account, "the state") ?? (kind === "apply" ? shared : undefined);
      if (arn === undefined) continue;
      account ??= accountOfRole(arn);
      if (read(variables, "SENTRY_STATE_BUCKET") === undefined) {
        throw new ConfigError(read(variables, name) ? name : ACCOUNT_VARIABLES.stateRole, arn, "expected SENTRY_STATE_BUCKET too: a state role reaches the state bucket, and the placeholder bucket is nobody's");
      }
      roles[kind][env] = { roleArn: arn, sessionName: stateSessionName(env, kind), ...(external && { externalId: external }) };
    }
  }
  refusePlanRolesThatWrite(variables, roles, access);
  if (account === undefined) return undefined;
  const { apply: stateRoles, plan: planStateRoles } = roles;
  return { stateAccountId: account, ...(Object.keys(stateRoles).length && { stateRoles }), ...(Object.keys(planStateRoles).length && { planStateRoles }) };
}

/**
 * A plan state role is one environment's alone and is no state role (those write state): the bucket policy limits
 * it to that environment's reads and lock files. A plan run needs one wherever a state role is set: it would
 * otherwise assume the state role, and a pull request's plan job could write the environment's state.
 */
function refusePlanRolesThatWrite(variables: Variables, roles: Record<StateAccess, Partial<Record<EnvironmentName, AssumedRoleSettings>>>, access: StateAccess): void {
  for (const env of ENVIRONMENT_NAMES) {
    const name = environmentVariable(env, "STATE_PLAN_ROLE_ARN");
    const plan = roles.plan[env]?.roleArn;
    const other = ENVIRONMENT_NAMES.flatMap((owner) => STATE_ACCESS.map((kind) => ({ owner, kind }))).find(
      ({ owner, kind }) => (owner !== env || kind === "apply") && plan !== undefined && roles[kind][owner]?.roleArn === plan,
    );
    if (other) {
      const whose = environmentVariable(other.owner, other.kind === "plan" ? "STATE_PLAN_ROLE_ARN" : "STATE_ROLE_ARN");
      throw new ConfigError(name, plan, `expected a role of ${env}'s plan jobs alone: ${read(variables, whose) ? whose : ACCOUNT_VARIABLES.stateRole} names it too`);
    }
    if (access === "plan" && roles.apply[env] !== undefined && plan === undefined) {
      throw new ConfigError(
        name,
        null,
        `expected ${env}'s plan state role while ${ACCOUNT_VARIABLES.stateAccess}=plan: ${env}'s state role writes its state, a plan job may only read it and write lock files`,
      );
    }
  }
}

/** Separate accounts mean little when prod shares one with a non-prod environment: refused unless allowed. */
function refuseSharedProdAccount(variables: Variables, environments: Partial<Record<EnvironmentName, EnvironmentAccount>>): void {
  if (read(variables, ACCOUNT_VARIABLES.allowSharedProd) === "1") return;
  const prod = environments.prod?.accountId;
  const sharing = ENVIRONMENT_NAMES.find((env) => env !== "prod" && prod !== undefined && environments[env]?.accountId === prod);
  if (sharing) {
    throw new ConfigError(
      environmentVariable("prod", "ACCOUNT_ID"),
      prod,
      `expected an account of prod's own: ${sharing} uses it too (set ${ACCOUNT_VARIABLES.allowSharedProd}=1 to accept that)`,
    );
  }
}

/**
 * The roles of a list every environment shares (`SENTRY_ADMIN_ROLE_ARNS`, `SENTRY_TERRAFORM_ROLE_ARNS`) that the
 * policies of `target` (an environment, or the state account) may name. With accounts per environment, not a role
 * of another environment's account: a key policy naming dev's operator role as an administrator of prod's key
 * lets dev's account rewrite that key policy. Roles of the target's own account, the state account or any other
 * account stay; with one account, every role stays.
 */
export function rolesFor(accounts: AccountSettings | undefined, target: EnvironmentName | "state", roleArns: readonly string[]): string[] {
  if (accounts?.layout !== "per-environment") return [...roleArns];
  const own = target === "state" ? accounts.stateAccountId : accounts.environments[target]?.accountId;
  const others = ENVIRONMENT_NAMES.map((env) => accounts.environments[env]?.accountId).filter((account) => account !== undefined && account !== own);
  return roleArns.filter((arn) => !others.includes(accountOfRole(arn)));
}

/** Warnings about the account layout: no guard at all, environments without one, a shared prod account, a shared state role. */
export function accountWarnings(variables: Variables): string[] {
  const settings = readAccountSettings(variables);
  const unguarded = ENVIRONMENT_NAMES.filter((env) => !settings?.environments[env]);
  if (unguarded.length === ENVIRONMENT_NAMES.length) {
    return [
      `Warning: no account guard: neither ${ACCOUNT_VARIABLES.account} nor SENTRY_<ENV>_ACCOUNT_ID is set, so Terraform applies to whichever account the credentials reach. Set ${ACCOUNT_VARIABLES.account} (see docs/accounts.md).`,
    ];
  }
  const warnings = unguarded.map((env) => `Warning: no account guard for ${env}: ${environmentVariable(env, "ACCOUNT_ID")} is not set.`);
  if (settings?.layout === "per-environment") {
    const prod = settings.environments.prod?.accountId;
    const sharing = ENVIRONMENT_NAMES.filter((env) => env !== "prod" && prod !== undefined && settings.environments[env]?.accountId === prod);
    if (sharing.length) warnings.push(`Warning: prod shares account ${prod} with ${sharing.join(", ")} (${ACCOUNT_VARIABLES.allowSharedProd}=1).`);
    warnings.push(...environmentScopedRoleWarnings(variables, settings));
    const roles = ENVIRONMENT_NAMES.map((env) => settings.stateRoles?.[env]?.roleArn);
    if (roles[0] !== undefined && roles.every((role) => role === roles[0])) {
      warnings.push(
        `Warning: every environment assumes the same state role (${ACCOUNT_VARIABLES.stateRole}); whoever may assume it reads every environment's state. Set SENTRY_<ENV>_STATE_ROLE_ARN per environment.`,
      );
    } else {
      // Two environments sharing one: the state bucket's policy gives it no per-environment grant or deny either.
      for (const role of new Set(roles)) {
        const sharing = ENVIRONMENT_NAMES.filter((_, index) => role !== undefined && roles[index] === role);
        if (sharing.length > 1) {
          warnings.push(`Warning: ${sharing.join(" and ")} assume the same state role ${role}; whoever may assume it reads both environments' state. Give each its own SENTRY_<ENV>_STATE_ROLE_ARN.`);
        }
      }
    }
  }
  return warnings;
}

/** One warning per role of a shared list that lives in an environment's account: only that environment names it (`rolesFor`). */
function environmentScopedRoleWarnings(variables: Variables, settings: AccountSettings): string[] {
  return ["SENTRY_ADMIN_ROLE_ARNS", "SENTRY_TERRAFORM_ROLE_ARNS"].flatMap((name) =>
    (read(variables, name) ?? "")
      .split(",")
      .map((arn) => arn.trim())
      .filter((arn) => ROLE_ARN.test(arn))
      .flatMap((arn) => {
        const owners = ENVIRONMENT_NAMES.filter((env) => settings.environments[env]?.accountId === accountOfRole(arn));
        return owners.length ? [`Warning: ${name} names ${arn}, a role of ${owners.join(" and ")}'s account: only ${owners.join(" and ")}'s secret and key policies name it, no other environment's.`] : [];
      }),
  );
}
