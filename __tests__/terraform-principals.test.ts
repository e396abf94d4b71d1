import { TerraformStack, Testing } from "cdktf";
import { placeholderWarnings } from "../src/config";
import { SESSION_PRINCIPAL_WARNING } from "../src/config/operator";
import { Phase, stackName } from "../src/stacks/names";
import { buildTestApp, policyStatements, TerraformJson, testConfig, TEST_OPERATOR_VARIABLES } from "./support/synth";

/**
 * Issue 12 part 5: the secret and key policies name the same principals whoever applies. Terraform resolves the
 * caller data sources per run, so the test resolves them for two different callers and compares the policies.
 */

const ACCOUNT = "123456789012";
/** The first is an operator too (SENTRY_ADMIN_ROLE_ARNS): policies name it once. */
const TERRAFORM_ROLES = "arn:aws:iam::123456789012:role/sentry-deployer,arn:aws:iam::123456789012:role/platform/terraform";
const OPERATOR = `arn:aws:sts::${ACCOUNT}:assumed-role/sentry-deployer/alice`;
const CI = `arn:aws:sts::${ACCOUNT}:assumed-role/sentry-deploy-dev/GitHubActions`;
const POLICIES: Record<"foundation" | "data", string[]> = {
  foundation: ["exchange_credentials_secret_readers", "database_secret_readers", "redis_secret_readers", "environment_key_policy"],
  data: ["redis_auth_token_readers"],
};

function synthesize(variables: NodeJS.ProcessEnv): Record<"foundation" | "data" | "compute", TerraformJson> {
  const config = testConfig("dev", variables);
  const app = buildTestApp(config);
  const synth = (phase: Phase) => JSON.parse(Testing.synth(app.node.findChild(stackName(phase, config.name)) as TerraformStack));
  return { foundation: synth("foundation"), data: synth("data"), compute: synth("compute") };
}

/** What Terraform's data sources would answer when `callerArn` (an assumed-role session) runs the plan. */
function resolveFor(callerArn: string, value: unknown): unknown {
  const issuer = callerArn.replace(/^arn:aws:sts::(\d+):assumed-role\/([^/]+)\/.*$/, "arn:aws:iam::$1:role/$2");
  return JSON.parse(
    JSON.stringify(value)
      .replace(/\$\{data\.aws_caller_identity\.[a-z_]+\.account_id\}/g, ACCOUNT)
      .replace(/\$\{data\.aws_caller_identity\.[a-z_]+\.arn\}/g, callerArn)
      .replace(/\$\{data\.aws_partition\.[a-z_]+\.partition\}/g, "aws")
      .replace(/\$\{data\.aws_iam_session_context\.[a-z_]+\.issuer_arn\}/g, issuer),
  );
}

function policiesAs(callerArn: string, stacks: Record<keyof typeof POLICIES, TerraformJson>): unknown {
  return Object.fromEntries(
    (Object.keys(POLICIES) as (keyof typeof POLICIES)[]).flatMap((phase) => POLICIES[phase].map((name) => [name, resolveFor(callerArn, policyStatements(stacks[phase], name))])),
  );
}

const configured = synthesize({ ...TEST_OPERATOR_VARIABLES, SENTRY_TERRAFORM_ROLE_ARNS: TERRAFORM_ROLES, SENTRY_GITHUB_REPOSITORY: "acme/sentry-infra" });
const fallback = synthesize(TEST_OPERATOR_VARIABLES);

describe("Terraform principals (SENTRY_TERRAFORM_ROLE_ARNS, the CI roles)", () => {
  test("an operator's apply and CI's apply produce identical secret and key policies", () => {
    expect(policiesAs(CI, configured)).toEqual(policiesAs(OPERATOR, configured));
  });

  test("the session fallback does not: that is why it warns (the test tells the two apart)", () => {
    expect(policiesAs(CI, fallback)).not.toEqual(policiesAs(OPERATOR, fallback));
    expect(placeholderWarnings(TEST_OPERATOR_VARIABLES)).toEqual([SESSION_PRINCIPAL_WARNING]);
    expect(placeholderWarnings({ ...TEST_OPERATOR_VARIABLES, SENTRY_TERRAFORM_ROLE_ARNS: TERRAFORM_ROLES })).toEqual([]);
    expect(placeholderWarnings({ ...TEST_OPERATOR_VARIABLES, SENTRY_GITHUB_REPOSITORY: "acme/sentry-infra" })).toEqual([]);
  });

  test("the role each environment's provider assumes names its Terraform principal: no warning when every environment has one, the others named", () => {
    const roles = { SENTRY_DEV_ROLE_ARN: "arn:aws:iam::111111111111:role/tf", SENTRY_STAGING_ROLE_ARN: "arn:aws:iam::222222222222:role/tf", SENTRY_PROD_ROLE_ARN: "arn:aws:iam::333333333333:role/tf" };
    expect(placeholderWarnings({ ...TEST_OPERATOR_VARIABLES, ...roles })).toEqual([]);
    const [warning] = placeholderWarnings({ ...TEST_OPERATOR_VARIABLES, ...roles, SENTRY_STAGING_ROLE_ARN: "", SENTRY_PROD_ROLE_ARN: " " });
    expect(warning).toMatch(/^Warning: neither SENTRY_TERRAFORM_ROLE_ARNS, SENTRY_STAGING_ROLE_ARN, SENTRY_PROD_ROLE_ARN nor SENTRY_GITHUB_REPOSITORY is set; the secret policies of staging, prod name the role of the session running Terraform/);
    expect(SESSION_PRINCIPAL_WARNING).toMatch(/^Warning: neither SENTRY_TERRAFORM_ROLE_ARNS, SENTRY_<ENV>_ROLE_ARN nor SENTRY_GITHUB_REPOSITORY is set; the secret policies name/);
  });

  test("configured: no session context anywhere; secrets readable by the operators, the roles (each once) and this environment's CI roles", () => {
    for (const phase of ["foundation", "data"] as const) {
      expect(configured[phase].data.aws_iam_session_context).toBeUndefined();
    }
    const readers = resolveFor(OPERATOR, policyStatements(configured.foundation, "database_secret_readers")[0].condition[0].values);
    expect(readers).toEqual([
      "arn:aws:iam::123456789012:role/sentry-operator",
      "arn:aws:iam::123456789012:role/sentry-deployer",
      "arn:aws:iam::123456789012:role/platform/terraform",
      "arn:aws:iam::123456789012:role/sentry-deploy-dev",
      "arn:aws:iam::123456789012:role/sentry-plan-dev",
    ]);
    expect(resolveFor(OPERATOR, policyStatements(configured.data, "redis_auth_token_readers")[0].condition[0].values)).toEqual(readers);
  });

  test("configured: the Terraform roles and the deploy role administer the environment key, the plan role does not", () => {
    const [administer] = resolveFor(OPERATOR, policyStatements(configured.foundation, "environment_key_policy")) as TerraformJson[];
    expect(administer.principals[0].identifiers).toEqual([
      "arn:aws:iam::123456789012:root",
      "arn:aws:iam::123456789012:role/sentry-operator",
      "arn:aws:iam::123456789012:role/sentry-deployer",
      "arn:aws:iam::123456789012:role/platform/terraform",
      "arn:aws:iam::123456789012:role/sentry-deploy-dev",
    ]);
  });

  test("with CI on, every role of an environment stack carries its environment's CI boundary and a name inside it (the deploy role may create no other)", () => {
    const roles = Object.values(configured.compute.resource.aws_iam_role) as TerraformJson[];
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) {
      expect(resolveFor(OPERATOR, role.permissions_boundary)).toBe("arn:aws:iam::123456789012:policy/sentry-ci-boundary-dev");
      // The boundary allows IAM only on sentry-*dev* roles.
      expect(role.name).toMatch(/^sentry-.*dev/);
    }
    for (const role of Object.values(fallback.compute.resource.aws_iam_role) as TerraformJson[]) expect(role.permissions_boundary).toBeUndefined();
  });

  test.each([
    [
      "arn:aws:sts::123456789012:assumed-role/terraform/alice",
      'Invalid configuration: SENTRY_TERRAFORM_ROLE_ARNS (operator.terraformRoleArns[0]) = "arn:aws:sts::123456789012:assumed-role/terraform/alice"; expected an IAM role ARN, not a session: the session\'s role is arn:aws:iam::123456789012:role/terraform (with its path, if it has one)',
    ],
    [
      "arn:aws:iam::123456789012:user/alice",
      'Invalid configuration: SENTRY_TERRAFORM_ROLE_ARNS (operator.terraformRoleArns[0]) = "arn:aws:iam::123456789012:user/alice"; expected an IAM role ARN arn:<partition>:iam::<12 digits>:role/<path/name>',
    ],
  ])("refuses %s with one line", (arn, message) => {
    expect(() => testConfig("dev", { ...TEST_OPERATOR_VARIABLES, SENTRY_TERRAFORM_ROLE_ARNS: arn })).toThrow(message);
  });
});
