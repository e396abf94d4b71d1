import { AssumedRoleSettings, EnvironmentConfig, environmentVariable, runStateRole } from "../config";
import { bootstrapStackName, BootstrapTarget } from "../stacks/names";
import { OpsFailure } from "./session";
import { AssumedRoles, callerIdentity, CallerIdentity } from "./credentials";
import { call, RunCredentials } from "./status/live";

/**
 * Which AWS account `sentry-ops` talks to. Commands that ask AWS themselves use `environmentCredentials` (the
 * environment's role, `SENTRY_<ENV>_ROLE_ARN`, when one is set); `bootstrap` compares the account of its
 * credentials with the one configured before it plans anything.
 */

/**
 * The credentials to ask AWS about an environment with: its role's (session `sentry-terraform-<env>`, the ones the
 * run's credentials check obtained when `assumed` is the run's), or undefined for the SDK's default chain when the
 * environment has no role. A refusal is the one credentials line, whichever command asked.
 */
export function environmentCredentials(config: EnvironmentConfig, assumed = new AssumedRoles()): RunCredentials | undefined {
  const role = config.operator.accounts?.environments[config.name]?.role;
  if (!role) return undefined;
  return () => assumed.credentialsOf(role, { region: config.operator.region });
}

/** The roles Terraform assumes for an environment: its provider's (`SENTRY_<ENV>_ROLE_ARN`) and its state role (the plan state role in a plan run). */
export function configuredRoles(config: EnvironmentConfig): AssumedRoleSettings[] {
  const accounts = config.operator.accounts;
  return [accounts?.environments[config.name]?.role, runStateRole(accounts, config.name)].filter((role): role is AssumedRoleSettings => role !== undefined);
}

/** The account of the credentials (STS GetCallerIdentity), as a seam: tests pass a stub. */
export type CallerAccount = (region: string, credentials?: RunCredentials) => Promise<string>;

/** The real STS call, loaded when a command needs it. */
export const sdkCallerAccount: CallerAccount = async (region, credentials) => (await call("GetCallerIdentity", () => callerIdentity(region, credentials), "bootstrap")).account;

/**
 * The account of the run's credentials without asking STS twice: the credentials check's answer (`caller`) for the
 * run's own credentials, STS for a role's (which the check assumed, but did not ask whose they are).
 */
export function checkedCallerAccount(caller: CallerIdentity): CallerAccount {
  return (region, credentials) => (credentials ? sdkCallerAccount(region, credentials) : Promise.resolve(caller.account));
}

/** The account a bootstrap stack belongs to and the variable that says so; undefined when none is configured. */
function configuredAccount(config: EnvironmentConfig, target: BootstrapTarget): { readonly account: string; readonly variable: string } | undefined {
  const accounts = config.operator.accounts;
  if (target === "state") return accounts?.stateAccountId ? { account: accounts.stateAccountId, variable: "SENTRY_STATE_ACCOUNT_ID" } : undefined;
  const environment = target === "single" ? config.name : target;
  const account = accounts?.environments[environment]?.accountId;
  if (account === undefined) return undefined;
  return { account, variable: accounts?.layout === "single" ? "SENTRY_ACCOUNT_ID" : environmentVariable(environment, "ACCOUNT_ID") };
}

/**
 * Says which account a bootstrap applies to, and refuses (one line, nothing planned) when the credentials belong to
 * another account than the configured one. Without a configured account it cannot know: it says so.
 */
export async function checkBootstrapAccount(
  config: EnvironmentConfig,
  target: BootstrapTarget,
  callerAccount: CallerAccount,
  progress: (line: string) => void,
  assumed?: AssumedRoles,
): Promise<void> {
  const stack = bootstrapStackName(target);
  const configured = configuredAccount(config, target);
  if (!configured) {
    progress(`[sentry-ops] bootstrap ${stack}: no account configured (SENTRY_ACCOUNT_ID); it applies to whichever account the credentials reach`);
    return;
  }
  // As the bootstrap's provider reaches AWS: an environment's assumes the environment's role, sentry-bootstrap and
  // sentry-bootstrap-state use the run's own credentials.
  const credentials = target === "state" || target === "single" ? undefined : environmentCredentials({ ...config, name: target }, assumed);
  const actual = await callerAccount(config.operator.region, credentials);
  if (actual !== configured.account) {
    throw new OpsFailure(
      `bootstrap refused, nothing was planned: the credentials belong to account ${actual}, but ${stack} is for account ${configured.account} (${configured.variable}); use credentials of that account`,
    );
  }
  progress(`[sentry-ops] bootstrap ${stack}: applying to account ${configured.account} (${configured.variable}), which the credentials belong to`);
}
