import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { App, TerraformStack } from "cdktf";
import { buildSentryApp } from "../src/app";
import { ENVIRONMENT_NAMES } from "../src/config";
import { terraformAvailable } from "../src/tooling/terraform-cli";
import { ValidationReport, validateStacks } from "../src/tooling/validate-stacks";
import { testConfig } from "./support/synth";

/**
 * Every stack of every environment must be valid Terraform for hashicorp/aws 5.100.0. All stacks are validated
 * in one `terraform validate` (see src/tooling/validate-stacks.ts); two deliberately broken copies of a stack ride
 * along to prove a stack that is invalid on its own still fails, and is blamed by name.
 */

const REQUIRE_TERRAFORM = process.env.SENTRY_REQUIRE_TERRAFORM === "1";
const TERRAFORM = terraformAvailable();
if (!TERRAFORM) {
  const message = "terraform is not on PATH: the terraform validate tests are SKIPPED (install terraform >= 1.10 to run them)";
  if (REQUIRE_TERRAFORM) throw new Error(`${message.split(":")[0]} and SENTRY_REQUIRE_TERRAFORM=1`);
  console.warn(message);
}

const workDir = mkdtempSync(join(tmpdir(), "sentry-validate-"));
const stackFolders: Record<string, string> = {};
const apps = ENVIRONMENT_NAMES.map((env) => {
  const outdir = join(workDir, "synth", env);
  mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir });
  buildSentryApp(app, testConfig(env));
  for (const child of app.node.children) {
    if (child instanceof TerraformStack && stackFolders[child.node.id] === undefined) {
      stackFolders[child.node.id] = join(workDir, "synth", env, "stacks", child.node.id);
    }
  }
  return app;
});
const stackNames = Object.keys(stackFolders);

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

  beforeAll(() => {
    apps.forEach((app) => app.synth());
    const foundation = stackFolders["sentry-foundation-dev"];
    brokenCopy("broken-unknown-argument", foundation, (tf) => {
      tf.resource.aws_vpc.vpc.not_an_argument = true;
    });
    brokenCopy("broken-missing-argument", foundation, (tf) => {
      delete tf.resource.aws_sqs_queue_policy.orders_bitget_policy.queue_url;
    });
    report = validateStacks(stackFolders, join(workDir, "validate"));
  });

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  test("covers the bootstrap stack and every phase of every environment", () => {
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
});
