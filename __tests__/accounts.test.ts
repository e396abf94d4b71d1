import { Testing } from "cdktf";
import { accountWarnings, ConfigError, ENVIRONMENT_NAMES, EnvironmentName, loadEnvironmentConfig } from "../src/config";
import { readAccountSettings } from "../src/config/accounts";
import { buildSentryApp } from "../src/app";
import { PHASES } from "../src/stacks/names";
import { EnvironmentBootstrapStack } from "../src/stacks/environment-bootstrap-stack";
import { StateBootstrapStack } from "../src/stacks/state-bootstrap-stack";
import { PER_ENVIRONMENT_ACCOUNT_VARIABLES, policyStatements, statementBySid, synthPhase, testConfig, TerraformJson, TEST_OPERATOR_VARIABLES } from "./support/synth";

const DEV = "111111111111";
const STAGING = "222222222222";
const PROD = "333333333333";
const STATE = "444444444444";
const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;

const PER_ENVIRONMENT = PER_ENVIRONMENT_ACCOUNT_VARIABLES;
const SINGLE = { ...TEST_OPERATOR_VARIABLES, SENTRY_ACCOUNT_ID: "123456789012" };

const providerOf = (tf: TerraformJson) => tf.provider.aws[0];

describe("accounts: the provider of every stack", () => {
  test.each(ENVIRONMENT_NAMES)("without any account variable, %s's stacks have no account guard and no assume_role", (env) => {
    for (const phase of PHASES) {
      const provider = providerOf(synthPhase(testConfig(env), phase).tf);
      expect(provider.allowed_account_ids).toBeUndefined();
      expect(provider.assume_role).toBeUndefined();
    }
  });

  test.each(ENVIRONMENT_NAMES)("SENTRY_ACCOUNT_ID pins every stack of %s to that account, assuming nothing", (env) => {
    for (const phase of PHASES) {
      const provider = providerOf(synthPhase(testConfig(env, SINGLE), phase).tf);
      expect(provider.allowed_account_ids).toEqual(["123456789012"]);
      expect(provider.assume_role).toBeUndefined();
    }
  });

  test.each([
    ["dev", DEV],
    ["staging", STAGING],
    ["prod", PROD],
  ] as const)("one account per environment: %s's stacks accept only %s and assume its role, the session naming the environment", (env, account) => {
    for (const phase of PHASES) {
      const provider = providerOf(synthPhase(testConfig(env, PER_ENVIRONMENT), phase).tf);
      expect(provider.allowed_account_ids).toEqual([account]);
      expect(provider.assume_role).toEqual([
        { role_arn: role(account, "sentry-terraform"), session_name: `sentry-terraform-${env}`, ...(env === "prod" && { external_id: "sentry-prod-7f3a" }) },
      ]);
    }
  });

  test.each(ENVIRONMENT_NAMES)("SENTRY_ACCOUNT_ID changes nothing in %s's stacks but allowed_account_ids", (env) => {
    for (const phase of PHASES) {
      const pinned = JSON.parse(synthPhase(testConfig(env, SINGLE), phase).json);
      delete pinned.provider.aws[0].allowed_account_ids;
      expect(pinned).toEqual(synthPhase(testConfig(env), phase).tf);
    }
  });

  test.each(ENVIRONMENT_NAMES)("CI (SENTRY_USE_CALLER_CREDENTIALS=1, its CI role's credentials): %s's stacks assume nothing and differ from an operator's only there", (env) => {
    const ci = { ...PER_ENVIRONMENT, SENTRY_PROD_EXTERNAL_ID: undefined, SENTRY_USE_CALLER_CREDENTIALS: "1" };
    for (const phase of PHASES) {
      const operator = JSON.parse(synthPhase(testConfig(env, PER_ENVIRONMENT), phase).json);
      const job = JSON.parse(synthPhase(testConfig(env, ci), phase).json);
      expect(job.provider.aws[0].allowed_account_ids).toEqual(operator.provider.aws[0].allowed_account_ids);
      expect(job.provider.aws[0].assume_role).toBeUndefined();
      // Same principals in every policy: a CI apply after an operator's rewrites no secret or key policy.
      delete operator.provider.aws[0].assume_role;
      expect([phase, job]).toEqual([phase, operator]);
    }
  });

  test("a shared list's role of one environment's account is named only by that environment: dev's operator role never administers prod's key", () => {
    const devOperator = role(DEV, "operator");
    const identity = "arn:aws:iam::555555555555:role/operator";
    const variables = { ...PER_ENVIRONMENT, SENTRY_ADMIN_ROLE_ARNS: `${devOperator},${identity}`, SENTRY_TERRAFORM_ROLE_ARNS: role(DEV, "terraform-ci") };
    const keyAdministrators = (env: EnvironmentName) =>
      statementBySid(synthPhase(testConfig(env, variables), "foundation").tf, "environment_key_policy", "AdministerKey")?.principals[0].identifiers;
    expect(keyAdministrators("dev")).toEqual(expect.arrayContaining([devOperator, identity, role(DEV, "terraform-ci")]));
    for (const env of ["staging", "prod"] as const) {
      expect(keyAdministrators(env)).toContain(identity);
      expect([env, JSON.stringify(synthPhase(testConfig(env, variables), "foundation").tf.data)]).not.toEqual([env, expect.stringContaining(DEV)]);
      expect([env, JSON.stringify(synthPhase(testConfig(env, variables), "data").tf.data)]).not.toEqual([env, expect.stringContaining(DEV)]);
    }
    const stateKey = statementBySid(JSON.parse(Testing.synth(new StateBootstrapStack(Testing.app(), testConfig("dev", variables).operator))), "state_key_policy", "AdministerKey");
    expect(stateKey?.principals[0].identifiers).toEqual(["arn:${data.aws_partition.partition.partition}:iam::${data.aws_caller_identity.account.account_id}:root", identity]);
    expect(accountWarnings(variables)).toEqual([
      `Warning: SENTRY_ADMIN_ROLE_ARNS names ${devOperator}, a role of dev's account: only dev's secret and key policies name it, no other environment's.`,
      `Warning: SENTRY_TERRAFORM_ROLE_ARNS names ${role(DEV, "terraform-ci")}, a role of dev's account: only dev's secret and key policies name it, no other environment's.`,
    ]);
  });

  test("the role the provider assumes is a Terraform principal of its environment only (secret readers, key administrators)", () => {
    const policies = (env: EnvironmentName) => JSON.stringify(synthPhase(testConfig(env, PER_ENVIRONMENT), "foundation").tf.data.aws_iam_policy_document);
    expect(policies("dev")).toContain(role(DEV, "sentry-terraform"));
    expect(policies("prod")).toContain(role(PROD, "sentry-terraform"));
    expect(policies("prod")).not.toContain(role(DEV, "sentry-terraform"));
  });

  test("the single-account bootstrap is pinned with SENTRY_ACCOUNT_ID, and unpinned without", () => {
    const bootstrapProvider = (variables: NodeJS.ProcessEnv) => {
      const app = Testing.app();
      buildSentryApp(app, testConfig("dev", variables));
      return providerOf(JSON.parse(Testing.synth(app.node.findChild("sentry-bootstrap") as StateBootstrapStack)));
    };
    expect(bootstrapProvider(SINGLE).allowed_account_ids).toEqual(["123456789012"]);
    expect(bootstrapProvider(TEST_OPERATOR_VARIABLES).allowed_account_ids).toBeUndefined();
  });
});

describe("accounts: state reached through the environment's state role", () => {
  test.each(ENVIRONMENT_NAMES)("%s's backend and every remote-state read assume its own state role", (env) => {
    const expected = { role_arn: role(STATE, `sentry-state-${env}`), session_name: `sentry-state-${env}` };
    for (const phase of PHASES) {
      const { tf } = synthPhase(testConfig(env, PER_ENVIRONMENT), phase);
      expect(tf.terraform.backend.s3.assume_role).toEqual(expected);
      for (const read of Object.values<TerraformJson>(tf.data?.terraform_remote_state ?? {})) expect(read.config.assume_role).toEqual(expected);
    }
  });

  test("SENTRY_STATE_ROLE_ARN alone serves every environment, with a session per environment", () => {
    const variables = { ...TEST_OPERATOR_VARIABLES, SENTRY_STATE_ROLE_ARN: role(STATE, "sentry-state"), SENTRY_STATE_EXTERNAL_ID: "state-ext-01" };
    const { tf } = synthPhase(testConfig("staging", variables), "services");
    expect(tf.terraform.backend.s3.assume_role).toEqual({ role_arn: role(STATE, "sentry-state"), session_name: "sentry-state-staging", external_id: "state-ext-01" });
    expect(tf.data.terraform_remote_state.foundation_outputs.config.assume_role.role_arn).toBe(role(STATE, "sentry-state"));
  });

  test.each(ENVIRONMENT_NAMES)("a plan job (SENTRY_STATE_ACCESS=plan): %s's backend and remote-state reads assume its plan state role, and nothing else differs", (env) => {
    const expected = { role_arn: role(STATE, `sentry-state-plan-${env}`), session_name: `sentry-state-plan-${env}` };
    const ci = { ...PER_ENVIRONMENT, SENTRY_USE_CALLER_CREDENTIALS: "1" };
    for (const phase of PHASES) {
      const plan = JSON.parse(synthPhase(testConfig(env, { ...ci, SENTRY_STATE_ACCESS: "plan" }), phase).json);
      const apply = synthPhase(testConfig(env, { ...ci, SENTRY_STATE_ACCESS: "apply" }), phase).tf;
      expect(plan.terraform.backend.s3.assume_role).toEqual(expected);
      const reads = Object.values<TerraformJson>(plan.data?.terraform_remote_state ?? {});
      for (const read of reads) expect(read.config.assume_role).toEqual(expected);
      plan.terraform.backend.s3.assume_role = apply.terraform.backend.s3.assume_role;
      for (const [name, read] of Object.entries<TerraformJson>(plan.data?.terraform_remote_state ?? {})) read.config.assume_role = apply.data.terraform_remote_state[name].config.assume_role;
      expect(plan).toEqual(apply);
    }
  });

  test("SENTRY_STATE_ACCESS defaults to apply: unset, the backend assumes the state role", () => {
    const unset = synthPhase(testConfig("dev", PER_ENVIRONMENT), "data").json;
    expect(synthPhase(testConfig("dev", { ...PER_ENVIRONMENT, SENTRY_STATE_ACCESS: "apply" }), "data").json).toBe(unset);
  });

  test.each(ENVIRONMENT_NAMES)("without state roles a plan job's synth of %s is byte-identical to a deploy job's (the single account)", (env) => {
    for (const phase of PHASES) {
      expect(synthPhase(testConfig(env, { ...SINGLE, SENTRY_STATE_ACCESS: "plan" }), phase).json).toBe(synthPhase(testConfig(env, SINGLE), phase).json);
    }
  });

  test("without a state role, neither the backend nor a remote-state read assumes one", () => {
    const { tf } = synthPhase(testConfig("dev", SINGLE), "services");
    expect(tf.terraform.backend.s3.assume_role).toBeUndefined();
    expect(tf.data.terraform_remote_state.foundation_outputs.config.assume_role).toBeUndefined();
  });
});

/**
 * A small evaluator of the synthesized policy statements for one role: its principal (`*`, the role's account root
 * or the role itself) and the `aws:PrincipalArn` condition, the only one these statements carry besides KMS's;
 * an explicit deny wins, then an allow.
 */
function decide(statements: TerraformJson[], principal: string, action: string, resource: string): "allowed" | "denied" | "not granted" {
  const wildcard = (pattern: string, value: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(value);
  const root = principal.replace(/:role\/.*$/, ":root");
  const applies = (statement: TerraformJson) => {
    const identifiers: string[] = statement.principals.flatMap((p: TerraformJson) => p.identifiers);
    if (!identifiers.some((identifier) => identifier === "*" || identifier === root || identifier === principal)) return false;
    const principalCondition = (statement.condition ?? []).find((c: TerraformJson) => c.variable === "aws:PrincipalArn");
    if (!principalCondition || !principalCondition.values.includes(principal)) return false;
    if (!statement.actions.some((pattern: string) => wildcard(pattern, action))) return false;
    if (statement.resources) return statement.resources.some((pattern: string) => wildcard(pattern, resource));
    return !statement.not_resources.some((pattern: string) => wildcard(pattern, resource));
  };
  const matching = statements.filter(applies);
  if (matching.some((statement) => statement.effect === "Deny")) return "denied";
  return matching.length ? "allowed" : "not granted";
}

describe("accounts: the state account's bootstrap", () => {
  const tf = JSON.parse(Testing.synth(new StateBootstrapStack(Testing.app(), testConfig("dev", PER_ENVIRONMENT).operator)));
  const bucket = "arn:aws:s3:::sentry-test-state";
  const resolved = (statements: TerraformJson[]) =>
    JSON.parse(JSON.stringify(statements).replaceAll("${aws_s3_bucket.state_bucket.arn}", bucket).replaceAll("${data.aws_partition.partition.partition}", "aws"));
  const bucketPolicy = resolved(policyStatements(tf, "state_bucket_tls_only"));
  const object = (env: EnvironmentName, name = "sentry/data.tfstate") => `${bucket}/env:/${env}/${name}`;

  test("is pinned to the state account and creates the bucket, its key and its access logs", () => {
    expect(providerOf(tf).allowed_account_ids).toEqual([STATE]);
    expect(providerOf(tf).assume_role).toBeUndefined();
    expect(Object.keys(tf.resource.aws_s3_bucket).sort()).toEqual(["access_log_bucket", "state_bucket"]);
    expect(Object.keys(tf.resource.aws_kms_key)).toEqual(["state_key"]);
    expect(tf.resource.aws_iam_openid_connect_provider).toBeUndefined();
    expect(tf.resource.aws_iam_role).toBeUndefined();
  });

  test.each([
    ["dev's Terraform role", role(DEV, "sentry-terraform"), "dev"],
    ["dev's deploy role", role(DEV, "sentry-deploy-dev"), "dev"],
    ["dev's state role", role(STATE, "sentry-state-dev"), "dev"],
    ["prod's Terraform role", role(PROD, "sentry-terraform"), "prod"],
  ] as const)("%s reads and writes its environment's state and is denied every other environment's", (_, principal, own) => {
    for (const env of ENVIRONMENT_NAMES) {
      for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
        expect([env, action, decide(bucketPolicy, principal, action, object(env))]).toEqual([env, action, env === own ? "allowed" : "denied"]);
      }
    }
    expect(decide(bucketPolicy, principal, "s3:GetObject", `${bucket}/terraform.sentry-bootstrap.tfstate`)).toBe("denied");
    expect(decide(bucketPolicy, principal, "s3:ListBucket", bucket)).toBe("allowed");
  });

  test("no Allow is public for S3 Block Public Access: each names fixed account principals, never `*`", () => {
    // S3 counts an Allow to principal `*` as public unless a fixed aws:SourceIp/SourceArn/SourceVpc(e)/SourceOwner/
    // SourceAccount/userid limits it; aws:PrincipalArn does not, and the bucket blocks public policies.
    const allows = bucketPolicy.filter((statement: TerraformJson) => statement.effect !== "Deny" && statement.principals);
    expect(allows.length).toBeGreaterThan(0);
    for (const statement of allows) {
      const identifiers: string[] = statement.principals.flatMap((p: TerraformJson) => p.identifiers);
      expect([statement.sid, identifiers.every((identifier) => /^arn:aws:iam::\d{12}:root$/.test(identifier))]).toEqual([statement.sid, true]);
    }
    expect(statementBySid(tf, "state_bucket_tls_only", "DevWritesItsState")?.principals).toEqual([
      { type: "AWS", identifiers: [`arn:aws:iam::${DEV}:root`, `arn:aws:iam::${STATE}:root`] },
    ]);
    const keyStatement = statementBySid(tf, "state_key_policy", "DevStateObjects");
    expect(keyStatement?.principals).toEqual([
      { type: "AWS", identifiers: [`arn:aws:iam::${DEV}:root`, `arn:aws:iam::${STATE}:root`] },
    ]);
  });

  test("a dev role's account root alone gets nothing: the roles' ARNs hold every grant", () => {
    expect(decide(bucketPolicy, role(DEV, "someone-else"), "s3:GetObject", object("dev"))).toBe("not granted");
    expect(decide(bucketPolicy, role(DEV, "someone-else"), "s3:ListBucket", bucket)).toBe("not granted");
  });

  test.each([
    ["dev's CI plan role", role(DEV, "sentry-plan-dev")],
    ["dev's plan state role", role(STATE, "sentry-state-plan-dev")],
  ])("%s reads dev's state and writes only its lock files; any other write, and prod's state, is denied", (_, plan) => {
    expect(decide(bucketPolicy, plan, "s3:ListBucket", bucket)).toBe("allowed");
    expect(decide(bucketPolicy, plan, "s3:GetObject", object("dev"))).toBe("allowed");
    for (const action of ["s3:PutObject", "s3:DeleteObject"]) {
      expect(decide(bucketPolicy, plan, action, object("dev", "sentry/data.tfstate.tflock"))).toBe("allowed");
      // Denied, not just ungranted: the plan state role's own IAM policy, in the bucket's account, could grant it.
      expect(decide(bucketPolicy, plan, action, object("dev"))).toBe("denied");
    }
    for (const action of ["s3:DeleteObjectVersion", "s3:PutObjectAcl", "s3:RestoreObject"]) expect(decide(bucketPolicy, plan, action, object("dev"))).toBe("denied");
    expect(decide(bucketPolicy, plan, "s3:PutBucketPolicy", bucket)).toBe("denied");
    for (const action of ["s3:GetObject", "s3:PutObject"]) {
      expect(decide(bucketPolicy, plan, action, object("prod"))).toBe("denied");
      expect(decide(bucketPolicy, plan, action, object("prod", "sentry/data.tfstate.tflock"))).toBe("denied");
    }
  });

  test("dev's plan state role may use the key through S3 for the bucket and dev's objects only (a lock file's PUT needs GenerateDataKey)", () => {
    const dev = statementBySid(tf, "state_key_policy", "DevStateObjects");
    expect(dev?.actions).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
    expect(dev?.condition.find((c: TerraformJson) => c.variable === "aws:PrincipalArn").values).toContain(role(STATE, "sentry-state-plan-dev"));
    const prodUsers = statementBySid(tf, "state_key_policy", "ProdStateObjects")?.condition.find((c: TerraformJson) => c.variable === "aws:PrincipalArn").values;
    expect(prodUsers).not.toContain(role(STATE, "sentry-state-plan-dev"));
  });

  const STATE_BUCKET_ARN = "arn:${data.aws_partition.partition.partition}:s3:::sentry-test-state";
  test("the key lets each environment's roles use it only through S3, for the bucket or their own objects", () => {
    const dev = statementBySid(tf, "state_key_policy", "DevStateObjects");
    expect(dev?.actions).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
    expect(dev?.condition).toEqual(
      expect.arrayContaining([
        {
          test: "ArnEquals",
          variable: "aws:PrincipalArn",
          values: [
            role(DEV, "sentry-terraform"),
            "arn:${data.aws_partition.partition.partition}:iam::111111111111:role/sentry-deploy-dev",
            role(STATE, "sentry-state-dev"),
            "arn:${data.aws_partition.partition.partition}:iam::111111111111:role/sentry-plan-dev",
            role(STATE, "sentry-state-plan-dev"),
          ],
        },
        { test: "StringEquals", variable: "kms:ViaService", values: ["s3.us-east-1.amazonaws.com"] },
        { test: "StringLike", variable: "kms:EncryptionContext:aws:s3:arn", values: [STATE_BUCKET_ARN, `${STATE_BUCKET_ARN}/env:/dev/*`] },
      ]),
    );
    const prodUsers = statementBySid(tf, "state_key_policy", "ProdStateObjects")?.condition.find((c: TerraformJson) => c.variable === "aws:PrincipalArn").values;
    expect(prodUsers.some((arn: string) => arn.includes(DEV))).toBe(false);
  });

  test("a state role every environment shares gets no per-environment grant (it is the operators')", () => {
    const shared = { ...PER_ENVIRONMENT, SENTRY_DEV_STATE_ROLE_ARN: "", SENTRY_STAGING_STATE_ROLE_ARN: "", SENTRY_PROD_STATE_ROLE_ARN: "", SENTRY_STATE_ROLE_ARN: role(STATE, "sentry-state") };
    const sharedTf = JSON.parse(Testing.synth(new StateBootstrapStack(Testing.app(), testConfig("dev", shared).operator)));
    expect(JSON.stringify(policyStatements(sharedTf, "state_bucket_tls_only"))).not.toContain(`"${role(STATE, "sentry-state")}"`);
  });
});

describe("accounts: an environment account's bootstrap", () => {
  const synth = (env: EnvironmentName, variables: NodeJS.ProcessEnv = PER_ENVIRONMENT) =>
    JSON.parse(Testing.synth(new EnvironmentBootstrapStack(Testing.app(), testConfig(env, variables).operator, env)));

  test.each(ENVIRONMENT_NAMES)("%s's is pinned to its account, assumes its role and holds only its own CI access", (env) => {
    const tf = synth(env);
    expect(providerOf(tf).allowed_account_ids).toEqual([PER_ENVIRONMENT[`SENTRY_${env.toUpperCase()}_ACCOUNT_ID` as keyof typeof PER_ENVIRONMENT]]);
    expect(providerOf(tf).assume_role[0].session_name).toBe(`sentry-terraform-${env}`);
    expect(Object.keys(tf.resource.aws_iam_openid_connect_provider)).toEqual(["github-oidc".replace("-", "_")]);
    expect(Object.values<TerraformJson>(tf.resource.aws_iam_role).map((r) => r.name).sort()).toEqual([`sentry-deploy-${env}`, `sentry-plan-${env}`]);
    expect(Object.values<TerraformJson>(tf.resource.aws_iam_policy).map((p) => p.name)).toEqual([`sentry-ci-boundary-${env}`]);
    expect(tf.resource.aws_s3_bucket).toBeUndefined();
    expect(tf.resource.aws_kms_key).toBeUndefined();
  });

  test("its CI roles reach the state account's bucket and key, and may assume the environment's state role", () => {
    const tf = synth("staging");
    const sid = (name: string) => statementBySid(tf, "ci-staging_deploy_permissions".replace("-", "_"), name);
    expect(sid("WriteStateOfThisWorkspace")?.resources).toEqual(["arn:${data.aws_partition.partition.partition}:s3:::sentry-test-state/env:/staging/sentry/*"]);
    expect(sid("StateKey")?.resources).toEqual([`arn:\${data.aws_partition.partition.partition}:kms:us-east-1:${STATE}:key/*`]);
    expect(sid("AssumeStateRole")?.resources).toEqual([role(STATE, "sentry-state-staging")]);
  });

  test("its plan role may assume only the environment's plan state role, never the state role that writes state", () => {
    const tf = synth("staging");
    const planSid = (name: string) => statementBySid(tf, "ci-staging_plan_permissions".replace("-", "_"), name);
    expect(planSid("AssumeStateRole")?.resources).toEqual([role(STATE, "sentry-state-plan-staging")]);
    expect(JSON.stringify(policyStatements(tf, "ci-staging_plan_permissions".replace("-", "_")))).not.toContain("role/sentry-state-staging");
  });

  test("two environments in one account: the first creates GitHub's OIDC provider, the second uses it", () => {
    const sharing = { ...PER_ENVIRONMENT, SENTRY_STAGING_ACCOUNT_ID: DEV, SENTRY_STAGING_ROLE_ARN: role(DEV, "sentry-terraform") };
    expect(synth("dev", sharing).resource.aws_iam_openid_connect_provider).toBeDefined();
    const staging = synth("staging", sharing);
    expect(staging.resource.aws_iam_openid_connect_provider).toBeUndefined();
    expect(JSON.stringify(staging.data.aws_iam_policy_document)).toContain(`arn:\${data.aws_partition.partition.partition}:iam::${DEV}:oidc-provider/token.actions.githubusercontent.com`);
  });

  test("the app builds the state account's and the environment's bootstraps instead of sentry-bootstrap", () => {
    const app = Testing.app();
    buildSentryApp(app, testConfig("prod", PER_ENVIRONMENT));
    const names = app.node.children.map((child) => child.node.id);
    expect(names.filter((name) => name.startsWith("sentry-bootstrap")).sort()).toEqual(["sentry-bootstrap-prod", "sentry-bootstrap-state"]);
  });
});

describe("accounts: bad input is one line naming the variable", () => {
  test("SENTRY_STATE_ACCESS other than plan or apply", () => {
    expect(() => loadEnvironmentConfig("dev", { ...TEST_OPERATOR_VARIABLES, SENTRY_STATE_ACCESS: "read" })).toThrow(new ConfigError("SENTRY_STATE_ACCESS", "read", "expected one of plan, apply"));
  });

  test("a plan job where an environment has a state role but no plan state role: refused, no fallback to the state role", () => {
    const withoutPlanRole = { ...PER_ENVIRONMENT, SENTRY_PROD_STATE_PLAN_ROLE_ARN: "", SENTRY_STATE_ACCESS: "plan" };
    expect(() => loadEnvironmentConfig("dev", withoutPlanRole)).toThrow(
      /^Invalid configuration: SENTRY_PROD_STATE_PLAN_ROLE_ARN = null; expected prod's plan state role while SENTRY_STATE_ACCESS=plan: prod's state role writes its state/,
    );
    expect(() => loadEnvironmentConfig("dev", { ...withoutPlanRole, SENTRY_STATE_ACCESS: "apply" })).not.toThrow();
  });

  test("a plan state role that is a state role, or another environment's plan state role", () => {
    expect(() => loadEnvironmentConfig("dev", { ...PER_ENVIRONMENT, SENTRY_DEV_STATE_PLAN_ROLE_ARN: role(STATE, "sentry-state-dev") })).toThrow(
      new ConfigError("SENTRY_DEV_STATE_PLAN_ROLE_ARN", role(STATE, "sentry-state-dev"), "expected a role of dev's plan jobs alone: SENTRY_DEV_STATE_ROLE_ARN names it too"),
    );
    expect(() => loadEnvironmentConfig("dev", { ...PER_ENVIRONMENT, SENTRY_PROD_STATE_PLAN_ROLE_ARN: role(STATE, "sentry-state-plan-dev") })).toThrow(
      /^Invalid configuration: SENTRY_DEV_STATE_PLAN_ROLE_ARN = .*SENTRY_PROD_STATE_PLAN_ROLE_ARN names it too/,
    );
    expect(() => loadEnvironmentConfig("dev", { ...PER_ENVIRONMENT, SENTRY_DEV_STATE_PLAN_ROLE_ARN: role(DEV, "sentry-state-plan-dev") })).toThrow(
      /^Invalid configuration: SENTRY_DEV_STATE_PLAN_ROLE_ARN = .*expected a role in the state account 444444444444/,
    );
  });

  const load = (variables: NodeJS.ProcessEnv) => () => loadEnvironmentConfig("dev", { ...TEST_OPERATOR_VARIABLES, ...variables });
  const perEnvironment = { SENTRY_DEV_ACCOUNT_ID: DEV, SENTRY_STAGING_ACCOUNT_ID: STAGING, SENTRY_PROD_ACCOUNT_ID: PROD, SENTRY_STATE_ACCOUNT_ID: STATE };

  test.each([
    ["SENTRY_ACCOUNT_ID", "12345"],
    ["SENTRY_DEV_ACCOUNT_ID", "1111-1111-1111"],
    ["SENTRY_PROD_ACCOUNT_ID", "3333333333333"],
    ["SENTRY_STATE_ACCOUNT_ID", "abc"],
  ])("%s = %s: not 12 digits", (variable, value) => {
    expect(load({ ...perEnvironment, [variable]: value })).toThrow(new ConfigError(variable, value, "expected a 12-digit AWS account id"));
  });

  test("a role in another account than its environment's", () => {
    expect(load({ ...perEnvironment, SENTRY_PROD_ROLE_ARN: role(DEV, "sentry-terraform") })).toThrow(
      new ConfigError("SENTRY_PROD_ROLE_ARN", role(DEV, "sentry-terraform"), `expected a role in prod's account ${PROD}, not in ${DEV}`),
    );
    expect(load({ SENTRY_ACCOUNT_ID: DEV, SENTRY_DEV_ROLE_ARN: role(PROD, "ops") })).toThrow(/^Invalid configuration: SENTRY_DEV_ROLE_ARN = .*expected a role in dev's account/);
    expect(load({ ...perEnvironment, SENTRY_DEV_STATE_ROLE_ARN: role(DEV, "state") })).toThrow(/^Invalid configuration: SENTRY_DEV_STATE_ROLE_ARN = .*expected a role in the state account 444444444444/);
  });

  test("a role without the account it must belong to", () => {
    expect(load({ SENTRY_STAGING_ROLE_ARN: role(STAGING, "sentry-terraform") })).toThrow(/^Invalid configuration: SENTRY_STAGING_ROLE_ARN = .*expected SENTRY_STAGING_ACCOUNT_ID or SENTRY_ACCOUNT_ID too/);
  });

  test("prod in a non-prod environment's account is refused while environments have their own accounts, unless allowed", () => {
    const sharing = { ...perEnvironment, SENTRY_PROD_ACCOUNT_ID: STAGING };
    expect(load(sharing)).toThrow(
      new ConfigError("SENTRY_PROD_ACCOUNT_ID", STAGING, "expected an account of prod's own: staging uses it too (set SENTRY_ALLOW_SHARED_PROD_ACCOUNT=1 to accept that)"),
    );
    expect(load({ ...sharing, SENTRY_ALLOW_SHARED_PROD_ACCOUNT: "1" })).not.toThrow();
    expect(accountWarnings({ ...TEST_OPERATOR_VARIABLES, ...sharing, SENTRY_ALLOW_SHARED_PROD_ACCOUNT: "1" })).toEqual([
      `Warning: prod shares account ${STAGING} with staging (SENTRY_ALLOW_SHARED_PROD_ACCOUNT=1).`,
    ]);
    expect(load({ SENTRY_ACCOUNT_ID: PROD })).not.toThrow();
  });

  test("a state role without a state bucket", () => {
    const { SENTRY_STATE_BUCKET: _, ...withoutBucket } = TEST_OPERATOR_VARIABLES;
    expect(() => loadEnvironmentConfig("dev", { ...withoutBucket, SENTRY_STATE_ROLE_ARN: role(STATE, "sentry-state") })).toThrow(/^Invalid configuration: SENTRY_STATE_ROLE_ARN = .*expected SENTRY_STATE_BUCKET too/);
    expect(() => loadEnvironmentConfig("dev", { ...withoutBucket, SENTRY_PROD_STATE_ROLE_ARN: role(STATE, "sentry-state-prod") })).toThrow(/^Invalid configuration: SENTRY_PROD_STATE_ROLE_ARN = /);
  });

  test("environments in accounts of their own without a state account", () => {
    expect(load({ SENTRY_DEV_ACCOUNT_ID: DEV, SENTRY_PROD_ACCOUNT_ID: PROD })).toThrow(/^Invalid configuration: SENTRY_STATE_ACCOUNT_ID = null; expected the state bucket's 12-digit account/);
  });

  test("every message is one line and never shows an external id", () => {
    try {
      load({ SENTRY_ACCOUNT_ID: DEV, SENTRY_DEV_EXTERNAL_ID: "x" })();
      throw new Error("expected a ConfigError");
    } catch (error) {
      expect((error as Error).message).toBe('Invalid configuration: SENTRY_DEV_EXTERNAL_ID = "(not shown)"; expected 2 to 1224 letters, digits or +=,.@:/-_');
    }
  });
});

describe("accounts: warnings", () => {
  test("no account variable: one warning that no account guard is in place", () => {
    expect(accountWarnings(TEST_OPERATOR_VARIABLES)).toEqual([expect.stringMatching(/^Warning: no account guard: neither SENTRY_ACCOUNT_ID nor SENTRY_<ENV>_ACCOUNT_ID is set/)]);
    expect(readAccountSettings(TEST_OPERATOR_VARIABLES)).toBeUndefined();
  });

  test("every environment guarded: no warning; one left out: named", () => {
    expect(accountWarnings(SINGLE)).toEqual([]);
    expect(accountWarnings(PER_ENVIRONMENT)).toEqual([]);
    expect(accountWarnings({ ...PER_ENVIRONMENT, SENTRY_STAGING_ACCOUNT_ID: "", SENTRY_STAGING_ROLE_ARN: "" })).toEqual(["Warning: no account guard for staging: SENTRY_STAGING_ACCOUNT_ID is not set."]);
  });

  test("one state role for every environment while they have their own accounts: a warning that it reads all of them", () => {
    const shared = { ...PER_ENVIRONMENT, SENTRY_DEV_STATE_ROLE_ARN: "", SENTRY_STAGING_STATE_ROLE_ARN: "", SENTRY_PROD_STATE_ROLE_ARN: "", SENTRY_STATE_ROLE_ARN: role(STATE, "sentry-state") };
    expect(accountWarnings(shared)).toEqual([expect.stringMatching(/^Warning: every environment assumes the same state role \(SENTRY_STATE_ROLE_ARN\)/)]);
  });

  test("two environments sharing a state role: a warning naming them (the bucket policy scopes it to neither)", () => {
    const pair = { ...PER_ENVIRONMENT, SENTRY_STAGING_STATE_ROLE_ARN: role(STATE, "sentry-state-dev") };
    expect(accountWarnings(pair)).toEqual([
      `Warning: dev and staging assume the same state role ${role(STATE, "sentry-state-dev")}; whoever may assume it reads both environments' state. Give each its own SENTRY_<ENV>_STATE_ROLE_ARN.`,
    ]);
    const tf = JSON.parse(Testing.synth(new StateBootstrapStack(Testing.app(), testConfig("dev", pair).operator)));
    expect(JSON.stringify(policyStatements(tf, "state_bucket_tls_only"))).not.toContain("role/sentry-state-dev");
  });
});
