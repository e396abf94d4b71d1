import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { App } from "cdktf";
import { ENVIRONMENT_NAMES } from "../src/config";
import { BOOTSTRAP_STACK } from "../src/ops/stacks";
import { BootstrapStack } from "../src/stacks/bootstrap-stack";
import { PHASES, stackName } from "../src/stacks/names";
import { terraformAvailable } from "../src/lib/terraform-cli";
import { ValidationReport, validateStacks } from "../src/tooling/validate-stacks";
import { PER_ENVIRONMENT_ACCOUNT_VARIABLES, synthesizedEnvironment, testConfig, TEST_OPERATOR_VARIABLES } from "./support/synth";

/**
 * Every stack of every environment must be valid Terraform for hashicorp/aws 5.100.0. All stacks are validated
 * in one `terraform validate` (see src/tooling/validate-stacks.ts); three deliberately broken copies of a stack ride
 * along to prove a stack that is invalid on its own still fails, and is blamed by name. The stacks are the app's
 * own synth (as `cdktf synth` and `sentry-ops` produce them), shared with the other test files of the run.
 */

const REQUIRE_TERRAFORM = process.env.SENTRY_REQUIRE_TERRAFORM === "1";
const TERRAFORM = terraformAvailable();
if (!TERRAFORM) {
  const message = "terraform is not on PATH: the terraform validate tests are SKIPPED (install terraform >= 1.10 to run them)";
  if (REQUIRE_TERRAFORM) throw new Error(`${message.split(":")[0]} and SENTRY_REQUIRE_TERRAFORM=1`);
  console.warn(message);
}

const workDir = mkdtempSync(join(tmpdir(), "sentry-validate-"));
/**
 * The account's CI access (SENTRY_GITHUB_REPOSITORY, SENTRY_TERRAFORM_ROLE_ARNS) adds resource types to the bootstrap
 * only (OIDC provider, CI roles, boundary policies); in the phases it changes values (boundary ARNs, principals). So
 * the bootstrap is validated a second time with it, as `sentry-bootstrap-with-ci` (the bootstrap alone: the phases with CI cost ~7 s more, for no new resource type).
 */
const CI_VARIABLES = {
  ...TEST_OPERATOR_VARIABLES,
  SENTRY_GITHUB_REPOSITORY: "acme/sentry-infrastructure",
  SENTRY_TERRAFORM_ROLE_ARNS: "arn:aws:iam::123456789012:role/sentry-operator",
};
const WITH_CI = "-with-ci";
/** The bootstrap stack (the same in every environment) and every phase of every environment, then the bootstrap with CI. */
const stackNames = [BOOTSTRAP_STACK, ...ENVIRONMENT_NAMES.flatMap((env) => PHASES.map((phase) => stackName(phase, env))), `${BOOTSTRAP_STACK}${WITH_CI}`];
/** Stack name to folder: the synthesized ones (the first environment's bootstrap stack), then the broken copies. */
const stackFolders: Record<string, string> = {};

/** A copy of a synthesized stack, changed by `breakIt`. */
function brokenCopy(name: string, source: string, breakIt: (tf: Record<string, any>) => void): void {
  const folder = join(workDir, "broken", name);
  mkdirSync(folder, { recursive: true });
  const tf = JSON.parse(readFileSync(join(source, "cdk.tf.json"), "utf8"));
  breakIt(tf);
  writeFileSync(join(folder, "cdk.tf.json"), JSON.stringify(tf));
  stackFolders[name] = folder;
}

const suite = TERRAFORM ? describe : describe.skip;

suite("terraform validate with the real aws provider", () => {
  let report: ValidationReport;
  let synthesized: string[];

  beforeAll(() => {
    for (const env of ENVIRONMENT_NAMES) {
      const stacks = join(synthesizedEnvironment(testConfig(env)), "stacks");
      for (const name of readdirSync(stacks)) stackFolders[name] ??= join(stacks, name);
    }
    const withCi = new App({ outdir: join(workDir, "with-ci"), skipValidation: true });
    new BootstrapStack(withCi, testConfig("dev", CI_VARIABLES).operator);
    withCi.synth();
    stackFolders[`${BOOTSTRAP_STACK}${WITH_CI}`] = join(workDir, "with-ci", "stacks", BOOTSTRAP_STACK);
    synthesized = Object.keys(stackFolders);
    const foundation = stackFolders["sentry-foundation-dev"];
    brokenCopy("broken-unknown-argument", foundation, (tf) => {
      tf.resource.aws_vpc.vpc.not_an_argument = true;
    });
    brokenCopy("broken-missing-argument", foundation, (tf) => {
      delete tf.resource.aws_sqs_queue_policy.orders_bitget_policy.queue_url;
    });
    brokenCopy("broken-provider-block", foundation, (tf) => {
      tf.provider.aws[0].not_an_argument = true;
    });
    report = validateStacks(stackFolders, join(workDir, "validate"));
  });

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  test("covers the bootstrap stack and every phase of every environment", () => {
    expect(synthesized.sort()).toEqual([...stackNames].sort());
    expect(stackNames).toContain("sentry-bootstrap");
    for (const env of ENVIRONMENT_NAMES) expect(stackNames).toContain(`sentry-foundation-${env}`);
  });

  test.each(stackNames)("%s is valid", (name) => {
    expect(report.byStack[name]).toEqual([]);
  });

  test("nothing fails outside the stacks", () => {
    expect(report.general).toEqual([]);
  });

  test("a stack invalid on its own still fails, under its own name", () => {
    expect(report.byStack["broken-unknown-argument"]).toEqual([
      expect.objectContaining({ severity: "error", summary: "Extraneous JSON object property" }),
    ]);
    expect(report.byStack["broken-missing-argument"]).toEqual([
      expect.objectContaining({ severity: "error", summary: "Missing required argument" }),
    ]);
  });

  test("a stack whose provider block has other arguments than the one validated at the root fails, under its own name", () => {
    expect(report.byStack["broken-provider-block"]).toEqual([
      expect.objectContaining({ severity: "error", summary: expect.stringMatching(/^Provider block differs in shape/) }),
    ]);
  });
});

/**
 * The per-environment layout: the state account's bootstrap, each environment account's bootstrap and a phase that
 * assumes its environment's role and reads state through its state role. Their provider blocks differ in shape from
 * the single-account stacks' (allowed_account_ids, assume_role), so they are validated apart, one root per shape.
 */
suite("terraform validate of the per-environment layout", () => {
  const folders = (env: (typeof ENVIRONMENT_NAMES)[number]) => join(synthesizedEnvironment(testConfig(env, PER_ENVIRONMENT_ACCOUNT_VARIABLES)), "stacks");
  let assumed: ValidationReport;
  let state: ValidationReport;
  const layoutDir = mkdtempSync(join(tmpdir(), "sentry-validate-accounts-"));

  beforeAll(() => {
    const assuming: Record<string, string> = { "sentry-data-dev": join(folders("dev"), "sentry-data-dev") };
    for (const env of ENVIRONMENT_NAMES) assuming[`sentry-bootstrap-${env}`] = join(folders(env), `sentry-bootstrap-${env}`);
    assumed = validateStacks(assuming, join(layoutDir, "assumed"));
    state = validateStacks({ "sentry-bootstrap-state": join(folders("dev"), "sentry-bootstrap-state") }, join(layoutDir, "state"));
  });

  afterAll(() => rmSync(layoutDir, { recursive: true, force: true }));

  test.each(ENVIRONMENT_NAMES)("sentry-bootstrap-%s is valid", (env) => {
    expect(assumed.byStack[`sentry-bootstrap-${env}`]).toEqual([]);
  });

  test("sentry-bootstrap-state is valid", () => {
    expect(state.byStack["sentry-bootstrap-state"]).toEqual([]);
  });

  test("a phase with assume_role in its provider, backend and remote-state reads is valid", () => {
    expect(assumed.byStack["sentry-data-dev"]).toEqual([]);
    expect([...assumed.general, ...state.general]).toEqual([]);
  });
});
