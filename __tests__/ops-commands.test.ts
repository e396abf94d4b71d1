import { spawn } from "child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import { join } from "path";
import { placeholderWarnings } from "../src/config";
import { REMOTE_STATE_OVERRIDE_FILE } from "../src/ops/backend-config";
import { INTERRUPT_MESSAGE } from "../src/ops/cli";
import { Synthesizer } from "../src/ops/stacks";
import { FakeCall, fakeVariables, markDeployed } from "./support/fake-terraform";
import { ENVIRONMENT_CREDENTIALS, neverSynthesizes, removeWorlds, sharedSynthesizer, WORK_DIR, world } from "./support/ops-world";
import { TEST_OPERATOR_VARIABLES } from "./support/synth";
import { LocalSts, localSts } from "./support/local-sts";

const STACKS = ["foundation", "data", "compute", "services", "cicd"].map((phase) => `sentry-${phase}-dev`);
const [FOUNDATION, DATA, COMPUTE, SERVICES, CICD] = STACKS;

afterAll(removeWorlds);

const subcommand = (call: FakeCall) => call.args[0];
const callsOf = (calls: FakeCall[], command: string) => calls.filter((call) => subcommand(call) === command);
const applied = (calls: FakeCall[]) => callsOf(calls, "apply").map((call) => call.stack);
const overlap = (a: FakeCall, b: FakeCall) => a.start < b.end && b.start < a.end;
const FIXTURES = join(__dirname, "fixtures", "plans");

async function waitFor(condition: () => boolean, what: string, timeoutMs = 45000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const only = (calls: FakeCall[], stack: string, command: string): FakeCall => {
  const found = calls.filter((call) => call.stack === stack && subcommand(call) === command);
  expect(found).toHaveLength(1);
  return found[0];
};

describe("sentry-ops plan", () => {
  test("first plan of an environment: init without TF_WORKSPACE, then workspace select -or-create; later phases wait for foundation", async () => {
    const w = world();
    expect(await w.run("plan dev", { process: true })).toBe(0);
    const calls = w.calls();
    for (const stack of STACKS) {
      const own = calls.filter((call) => call.stack === stack);
      expect(own.slice(0, 2).map((call) => [call.args.join(" "), call.workspace])).toEqual([
        ["init -reconfigure -input=false -no-color", null],
        ["workspace select -or-create=true dev", null],
      ]);
      expect(own.slice(2).every((call) => call.workspace === "dev" && call.sentryEnv === "dev")).toBe(true);
      expect(own.every((call) => call.cliConfig?.endsWith("terraform.rc"))).toBe(true);
    }
    expect(callsOf(calls, "plan").map((call) => call.stack)).toEqual([FOUNDATION]);
    expect(w.stderr).toContain(`[${DATA}] plan: waits for ${FOUNDATION} (not deployed yet)`);
    expect(w.stderr.some((line) => /^\[sentry-foundation-dev\] init \(\d+\.\d s\)$/.test(line))).toBe(true);
    expect(readdirSync(join(w.root, WORK_DIR, "dev", "plans")).sort()).toEqual(
      [`${FOUNDATION}.fingerprint.json`, `${FOUNDATION}.json`, `${FOUNDATION}.tfplan`, ...[DATA, COMPUTE, SERVICES, CICD].map((s) => `${s}.note`)].sort(),
    );
    expect(await w.run("review dev")).toBe(0);
    expect(w.stdout.join("")).toContain(`${DATA}: not planned: ${FOUNDATION} not deployed yet`);
  });

  test("deployed environment: every phase planned, data and compute at the same time, after foundation, before services", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    expect(await w.run("plan dev", { variables: { FAKE_TF_DELAY_MS: "400" } })).toBe(0);
    const calls = w.calls();
    const plans = Object.fromEntries(STACKS.map((stack) => [stack, only(calls, stack, "plan")]));
    expect(overlap(plans[DATA], plans[COMPUTE])).toBe(true);
    expect(plans[FOUNDATION].end).toBeLessThanOrEqual(Math.min(plans[DATA].start, plans[COMPUTE].start));
    expect(Math.max(plans[DATA].end, plans[COMPUTE].end)).toBeLessThanOrEqual(plans[SERVICES].start);
    expect(plans[SERVICES].end).toBeLessThanOrEqual(plans[CICD].start);
    expect(plans[FOUNDATION].args.find((arg) => arg.startsWith("-out="))).toBe(`-out=${join(w.root, WORK_DIR, "dev", "plans", `${FOUNDATION}.tfplan`)}`);
  });

  test("inits run one at a time (the plugin cache is shared); plans of data and compute still overlap", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    expect(await w.run("plan dev", { variables: { FAKE_TF_INIT_DELAY_MS: "100", FAKE_TF_DELAY_MS: "400" } })).toBe(0);
    const calls = w.calls();
    const inits = callsOf(calls, "init");
    expect(inits).toHaveLength(STACKS.length);
    for (const [index, init] of inits.entries()) for (const other of inits.slice(index + 1)) expect(overlap(init, other)).toBe(false);
    expect(overlap(only(calls, DATA, "plan"), only(calls, COMPUTE, "plan"))).toBe(true);
  });

  test("--backend-config reaches every init -reconfigure (no earlier backend setting lingers); --override files lie in every stack folder before init, and leave with the option", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    writeFileSync(join(w.root, "account.s3.tfbackend"), 'profile = "ops"\n');
    mkdirSync(join(w.root, "emulator"));
    writeFileSync(join(w.root, "emulator", "endpoints_override.tf.json"), "{}");
    writeFileSync(join(w.root, "emulator", "notes.txt"), "not an override");
    expect(await w.run("plan dev --backend-config account.s3.tfbackend --override emulator")).toBe(0);
    const inits = callsOf(w.calls(), "init");
    expect(inits.map((call) => call.stack).sort()).toEqual([...STACKS].sort());
    for (const init of inits) {
      expect(init.args).toEqual(["init", "-reconfigure", "-input=false", "-no-color", `-backend-config=${join(w.root, "account.s3.tfbackend")}`]);
      expect(init.overrides).toEqual(init.stack === FOUNDATION ? ["endpoints_override.tf.json"] : ["endpoints_override.tf.json", REMOTE_STATE_OVERRIDE_FILE]);
    }
    expect(await w.run("plan dev")).toBe(0);
    const second = callsOf(w.calls(), "init").slice(inits.length);
    expect(second.every((call) => call.overrides.length === 0 && !call.args.some((arg) => arg.startsWith("-backend-config")))).toBe(true);
  });

  test("--backend-config settings reach every remote-state read of compute, services and cicd (a generated override per stack)", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    const file = join(w.root, "tooling-account.s3.tfbackend");
    writeFileSync(
      file,
      ['bucket = "acme-tooling-tf-state"', "assume_role = {", '  role_arn = "arn:aws:iam::111111111111:role/sentry-state"', "}", 'endpoints = { s3 = "http://localhost:5000" }', "use_path_style = true", ""].join("\n"),
    );
    expect(await w.run(`plan dev --backend-config ${file}`)).toBe(0);
    const carried = { bucket: "acme-tooling-tf-state", assume_role: { role_arn: "arn:aws:iam::111111111111:role/sentry-state" }, endpoints: { s3: "http://localhost:5000" }, use_path_style: true };
    const reads: Record<string, string[]> = { [DATA]: ["foundation"], [COMPUTE]: ["foundation"], [SERVICES]: ["compute", "data", "foundation"], [CICD]: ["foundation", "services"] };
    for (const [stack, phases] of Object.entries(reads)) {
      const folder = join(w.root, WORK_DIR, "dev", "synth", "stacks", stack);
      const override = JSON.parse(readFileSync(join(folder, REMOTE_STATE_OVERRIDE_FILE), "utf8"));
      const synthesized = JSON.parse(readFileSync(join(folder, "cdk.tf.json"), "utf8")).data.terraform_remote_state;
      expect(Object.keys(override.data.terraform_remote_state).sort()).toEqual(phases.map((phase) => `${phase}_outputs`));
      for (const phase of phases) {
        expect(override.data.terraform_remote_state[`${phase}_outputs`].config).toEqual({ key: `sentry/${phase}.tfstate`, region: "us-east-1", workspace_key_prefix: "env:", ...carried });
        expect(synthesized[`${phase}_outputs`].config.bucket).toBe("sentry-test-state");
      }
      for (const call of w.calls().filter((c) => c.stack === stack)) expect(call.overrides).toEqual([REMOTE_STATE_OVERRIDE_FILE]);
      expect(only(w.calls(), stack, "init").args).toContain(`-backend-config=${file}`);
    }
    expect(existsSync(join(w.root, WORK_DIR, "dev", "synth", "stacks", FOUNDATION, REMOTE_STATE_OVERRIDE_FILE))).toBe(false);
  });

  test("a --backend-config key no remote-state read can take fails with one line before anything runs", async () => {
    const w = world();
    writeFileSync(join(w.root, "bad.s3.tfbackend"), 'profile = "ops"\nsecret_key = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"\n');
    expect(await w.run("plan dev --backend-config bad.s3.tfbackend")).toBe(1);
    expect(w.stderr).toEqual([
      "sentry-ops: --backend-config bad.s3.tfbackend line 2: secret_key is a credential: a remote-state read keeps its settings in the state it writes; use profile, shared_credentials_files or the AWS_* variables instead",
    ]);
    expect(w.calls()).toEqual([]);
    expect(existsSync(join(w.root, WORK_DIR))).toBe(false);
  });

  test("--phase plans only that phase; one whose dependencies are not deployed fails with one line", async () => {
    const w = world();
    expect(await w.run("plan dev --phase services")).toBe(1);
    expect(w.stderr).toContainEqual(expect.stringMatching(new RegExp(`^sentry-ops: \\[${SERVICES}\\] needs ${DATA}, ${COMPUTE} deployed first \\(no outputs in workspace dev\\): run \`sentry-ops deploy dev --phase data --phase compute\`$`)));
    markDeployed(w.fake, [FOUNDATION, DATA, COMPUTE]);
    expect(await w.run("plan dev --phase services")).toBe(0);
    expect(callsOf(w.calls(), "plan").map((call) => call.stack)).toEqual([SERVICES]);
  });

  test("a Terraform error names the stack and its first error line; what waits for it is skipped", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    const code = await w.run("plan dev", { variables: { FAKE_TF_FAIL: `${COMPUTE}:plan:Error: Unsupported argument\\n\\n  on cdk.tf.json line 9` } });
    expect(code).toBe(1);
    expect(w.stderr.at(-1)).toMatch(new RegExp(`^sentry-ops: \\[${COMPUTE}\\] plan failed: Error: Unsupported argument \\(full output: .*logs/${COMPUTE}\\.plan\\.log\\)$`));
    expect(w.stderr).toContain(`[${SERVICES}] skipped: ${COMPUTE} did not complete`);
    expect(w.stderr.filter((line) => line.startsWith("sentry-ops:"))).toHaveLength(1);
    expect(callsOf(w.calls(), "plan").map((call) => call.stack)).not.toContain(SERVICES);
  });

  test("several phases failing: each one's line, then one line prefixed sentry-ops: naming them", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    const code = await w.run("plan dev", { variables: { FAKE_TF_FAIL: `${DATA}:plan:Error: Invalid count\n${COMPUTE}:plan:Error: Unsupported argument` } });
    expect(code).toBe(1);
    expect(w.stderr).toContainEqual(expect.stringMatching(new RegExp(`^\\[${DATA}\\] plan failed: Error: Invalid count `)));
    expect(w.stderr).toContainEqual(expect.stringMatching(new RegExp(`^\\[${COMPUTE}\\] plan failed: Error: Unsupported argument `)));
    expect(w.stderr.filter((line) => line.startsWith("sentry-ops:"))).toEqual([`sentry-ops: 2 phases failed: ${DATA}, ${COMPUTE} (each one's line above says why)`]);
    expect(w.stderr.at(-1)).toBe(`sentry-ops: 2 phases failed: ${DATA}, ${COMPUTE} (each one's line above says why)`);
  });
});

describe("saved plans are only ever this run's", () => {
  test("a failed plan leaves no earlier plan behind: review lists what was not planned and why, and exits 1", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    expect(await w.run("plan dev")).toBe(0);
    expect(await w.run("plan dev", { variables: { FAKE_TF_FAIL: `${COMPUTE}:plan:Error: Unsupported argument` } })).toBe(1);
    const files = readdirSync(join(w.root, WORK_DIR, "dev", "plans"));
    expect(files.filter((file) => [COMPUTE, SERVICES, CICD].some((stack) => file.startsWith(`${stack}.`))).sort()).toEqual([`${CICD}.note`, `${COMPUTE}.note`, `${SERVICES}.note`]);
    expect(await w.run("review dev")).toBe(1);
    expect(w.stderr.at(-1)).toBe(`sentry-ops: review incomplete: no plan for ${COMPUTE}, ${SERVICES}, ${CICD} (its plan failed or was skipped): fix the error and run \`sentry-ops plan dev\` again`);
    const text = w.stdout.join("");
    expect(text).toMatch(new RegExp(`\\n  ${COMPUTE}: not planned: plan failed: Error: Unsupported argument \\(full output: .*\\)\\n`));
    expect(text).toContain(`\n  ${SERVICES}: not planned: ${COMPUTE} did not complete\n`);
    expect(text).toMatch(new RegExp(`\\ncompute +${COMPUTE}(?: +-){7}\\n`));
    expect(text).toContain(`Incomplete: no plan for ${COMPUTE}, ${SERVICES}, ${CICD} (failed or skipped); fix the error and plan again.`);
    expect(await w.run("review dev --phase foundation --phase data")).toBe(0);
  });

  test("phases this run did not select are listed as not planned; the review still passes", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    expect(await w.run("plan dev --phase data")).toBe(0);
    expect(await w.run("review dev")).toBe(0);
    expect(w.stdout.join("")).toContain(`\n  ${FOUNDATION}: not planned\n`);
  });
});

describe("workspace and SENTRY_ENV agree with the environment", () => {
  test.each([
    ["TF_WORKSPACE", "prod"],
    ["SENTRY_ENV", "staging"],
  ])("%s=%s refuses dev before running terraform", async (name, value) => {
    const w = world();
    expect(await w.run("plan dev", { variables: { [name]: value } })).toBe(1);
    expect(w.stderr).toEqual([`sentry-ops: ${name}=${value} but the environment is dev: unset ${name} or make it dev`]);
    expect(w.calls()).toEqual([]);
  });

  test("TF_WORKSPACE equal to the environment is fine, and still unset for init", async () => {
    const w = world();
    expect(await w.run("plan dev --phase foundation", { variables: { TF_WORKSPACE: "dev" } })).toBe(0);
    expect(only(w.calls(), FOUNDATION, "init").workspace).toBeNull();
  });
});

describe("sentry-ops deploy", () => {
  test("first deployment: plan, review, deploy applies in order, planning each waiting phase once its dependencies are applied", async () => {
    const w = world();
    expect(await w.run("plan dev")).toBe(0);
    expect(await w.run("review dev")).toBe(0);
    expect(await w.run("deploy dev", { variables: { FAKE_TF_DELAY_MS: "400" } })).toBe(0);
    const calls = w.calls();
    expect(applied(calls)[0]).toBe(FOUNDATION);
    expect(applied(calls).slice(1, 3).sort()).toEqual([COMPUTE, DATA]);
    expect(applied(calls).slice(3)).toEqual([SERVICES, CICD]);
    expect(overlap(only(calls, DATA, "apply"), only(calls, COMPUTE, "apply"))).toBe(true);
    expect(only(calls, FOUNDATION, "apply").args).toEqual(["apply", "-input=false", "-no-color", join(w.root, WORK_DIR, "dev", "plans", `${FOUNDATION}.tfplan`)]);
    expect(callsOf(calls, "plan").filter((call) => call.stack === FOUNDATION)).toHaveLength(1);
    expect(readdirSync(join(w.root, WORK_DIR, "dev", "plans"))).toEqual([]);
  });

  test("first deployment of a real plan whose prior state lists only data sources: plan, review and deploy succeed", async () => {
    const w = world();
    copyFileSync(join(FIXTURES, "first-deployment-data-sources.json"), join(w.fake.plansDir, `${FOUNDATION}.json`));
    expect(await w.run("plan dev")).toBe(0);
    expect(await w.run("review dev")).toBe(0);
    expect(w.stdout.join("")).toContain("aws_iam_role.redis_task_role: create, broadening\n");
    expect(await w.run("deploy dev")).toBe(0);
    expect(applied(w.calls())[0]).toBe(FOUNDATION);
  });

  test("refuses a plan whose synthesized configuration changed since it was planned", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    expect(await w.run("plan dev")).toBe(0);
    const changed: Synthesizer = (config, outdir) => {
      sharedSynthesizer(config, outdir);
      const file = join(outdir, "stacks", FOUNDATION, "cdk.tf.json");
      writeFileSync(file, `${readFileSync(file, "utf8")} `);
    };
    expect(await w.run("deploy dev", { synthesize: changed })).toBe(1);
    expect(w.stderr).toContain(`sentry-ops: [${FOUNDATION}] saved plan is stale: the synthesized configuration changed since it was planned; run \`sentry-ops plan dev\` and review again`);
    expect(applied(w.calls())).toEqual([]);
  });

  test("refuses a plan whose dependencies' outputs changed, and maps Terraform's own stale-plan error", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    expect(await w.run("plan dev --phase data")).toBe(0);
    writeFileSync(join(w.fake.stateDir, `${FOUNDATION}.json`), JSON.stringify({ vpc_id: { value: "vpc-2", sensitive: false } }));
    expect(await w.run("deploy dev --phase data")).toBe(1);
    expect(w.stderr).toContainEqual(expect.stringContaining(`[${DATA}] saved plan is stale: the outputs of the phases it reads changed since it was planned`));

    expect(await w.run("plan dev --phase data")).toBe(0);
    expect(await w.run("deploy dev --phase data", { variables: { FAKE_TF_FAIL: `${DATA}:apply:Error: Saved plan is stale` } })).toBe(1);
    expect(w.stderr).toContainEqual(expect.stringContaining(`[${DATA}] apply failed: the saved plan is stale: the state changed since it was planned; run \`sentry-ops plan dev\` and review again`));
  });

  test("refuses with exit 2 while a reviewed change needs approval; applies once approved", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    copyFileSync(join(__dirname, "fixtures", "plans", "changes.json"), join(w.fake.plansDir, `${FOUNDATION}.json`));
    expect(await w.run("plan dev --phase foundation")).toBe(0);
    expect(await w.run("review dev --phase foundation")).toBe(2);
    expect(await w.run("deploy dev --phase foundation --approve aws_dynamodb_table.config_table")).toBe(2);
    expect(w.stderr[w.stderr.length - 1]).toMatch(/^sentry-ops: deploy refused: needs approval for sentry-foundation-dev:aws_sqs_queue\.audit_events_dlq \(data loss\), .*\(broadening\); pass --approve ADDRESS/);
    expect(applied(w.calls())).toEqual([]);
    const approve = "--approve aws_dynamodb_table.config_table --approve aws_sqs_queue.audit_events_dlq --approve-broadening";
    expect(await w.run(`review dev --phase foundation ${approve}`)).toBe(0);
    expect(await w.run(`deploy dev --phase foundation ${approve}`)).toBe(0);
    expect(applied(w.calls())).toEqual([FOUNDATION]);
  });
});

describe("sentry-ops destroy", () => {
  test("--yes: destroy plans and applies in reverse order; never the bootstrap stack", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    expect(await w.run("destroy dev --yes", { variables: { FAKE_TF_DELAY_MS: "400" } })).toBe(0);
    const calls = w.calls();
    expect(callsOf(calls, "plan").every((call) => call.args.includes("-destroy"))).toBe(true);
    expect(applied(calls)[0]).toBe(CICD);
    expect(applied(calls)[1]).toBe(SERVICES);
    expect(applied(calls).slice(2, 4).sort()).toEqual([COMPUTE, DATA]);
    expect(applied(calls)[4]).toBe(FOUNDATION);
    expect(overlap(only(calls, DATA, "apply"), only(calls, COMPUTE, "apply"))).toBe(true);
    expect(calls.some((call) => call.stack === "sentry-bootstrap")).toBe(false);
  });

  test("asks for the environment name; any other answer destroys nothing", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    expect(await w.run("destroy dev", { answer: "yes" })).toBe(1);
    expect(w.stderr[w.stderr.length - 1]).toBe("sentry-ops: destroy cancelled: nothing was destroyed");
    expect(applied(w.calls())).toEqual([]);
    expect(w.stdout.join("")).toContain("1. Data lost: resources holding data or identity");
    expect(w.stdout.join("")).not.toContain("--approve");
  });

  test("--phase data refuses while services still reads it", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    expect(await w.run("destroy dev --phase data --yes")).toBe(1);
    expect(w.stderr).toContain(`sentry-ops: [${DATA}] ${SERVICES} still reads it: destroy that first (add --phase services) (see docs/troubleshooting.md#dependency-violation)`);
    expect(applied(w.calls())).toEqual([]);
  });

  test("prevent_destroy, as Terraform prints it wrapped at 78 columns, stops it with the config switch to flip", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    const error = [
      "Error: Instance cannot be destroyed",
      "",
      "  on cdk.tf.json line 412:",
      " 412:       }",
      "",
      "Resource aws_dynamodb_table.config_table has",
      "lifecycle.prevent_destroy set, but the plan calls for this resource to be",
      "destroyed.",
    ].join("\\n");
    expect(await w.run("destroy dev --yes", { variables: { FAKE_TF_FAIL: `${FOUNDATION}:plan:${error}` } })).toBe(1);
    expect(w.stderr).toContainEqual(
      expect.stringContaining(`[${FOUNDATION}] destroy plan failed: aws_dynamodb_table.config_table is protected against deletion; set protectData: false for dev in src/config/environments.ts, deploy, then destroy again`),
    );
    expect(applied(w.calls())).toEqual([]);
  });

  test("deletion protection refused by AWS, wrapped, names the resource of the `with` line", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    const error = [
      "Error: deleting DynamoDB Table (sentry-config-dev): operation error DynamoDB: DeleteTable,",
      "https response error StatusCode: 400, ValidationException: Resource cannot be",
      "deleted as it is currently protected against deletion. Disable deletion",
      "protection first.",
      "",
      "  with aws_dynamodb_table.config_table,",
    ].join("\\n");
    expect(await w.run("destroy dev --yes", { variables: { FAKE_TF_FAIL: `${FOUNDATION}:apply:${error}` } })).toBe(1);
    expect(w.stderr).toContainEqual(expect.stringContaining(`[${FOUNDATION}] destroy failed: aws_dynamodb_table.config_table is protected against deletion; set protectData: false for dev`));
  });

  test("protectData: true refuses before any terraform runs, naming the switch and the protected resources", async () => {
    const w = world();
    markDeployed(w.fake, STACKS.map((stack) => stack.replace("-dev", "-prod")));
    expect(await w.run("destroy prod --yes")).toBe(1);
    expect(w.stderr[w.stderr.length - 1]).toMatch(
      /^sentry-ops: destroy refused, nothing was destroyed: protectData of prod is true in src\/config\/environments\.ts: sentry-cicd-prod:aws_ecr_repository\.frontend_repository \(force_delete = false: refused while it holds images\), .* and \d+ more; set protectData: false for prod in src\/config\/environments\.ts, deploy, then destroy again \(see docs\/troubleshooting\.md#dependency-violation\)$/,
    );
    expect(w.calls()).toEqual([]);
    rmSync(join(w.fake.stateDir, "sentry-cicd-prod.json"));
    expect(await w.run("destroy prod --yes --phase services")).toBe(0);
    expect(applied(w.calls())).toEqual(["sentry-services-prod"]);
  });

  test("protection still on in the deployed state (protectData flipped but not deployed) stops it before anything is destroyed", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    const destroyPlan = {
      format_version: "1.2",
      resource_changes: [
        { address: "aws_dynamodb_table.config_table", mode: "managed", type: "aws_dynamodb_table", name: "config_table", change: { actions: ["delete"], before: { name: "sentry-config-dev", deletion_protection_enabled: true }, after: null } },
        { address: "aws_cognito_user_pool.admin_user_pool", mode: "managed", type: "aws_cognito_user_pool", name: "admin_user_pool", change: { actions: ["delete"], before: { deletion_protection: "ACTIVE" }, after: null } },
        { address: "aws_sqs_queue.orders_bitget", mode: "managed", type: "aws_sqs_queue", name: "orders_bitget", change: { actions: ["delete"], before: { name: "q" }, after: null } },
      ],
    };
    writeFileSync(join(w.fake.plansDir, `${FOUNDATION}.destroy.json`), JSON.stringify(destroyPlan));
    expect(await w.run("destroy dev --yes")).toBe(1);
    expect(w.stderr[w.stderr.length - 1]).toBe(
      `sentry-ops: destroy refused, nothing was destroyed: the deployed state still protects ${FOUNDATION}:aws_dynamodb_table.config_table (deletion_protection_enabled), ${FOUNDATION}:aws_cognito_user_pool.admin_user_pool (deletion_protection); set protectData: false for dev in src/config/environments.ts, deploy, then destroy again (see docs/troubleshooting.md#dependency-violation)`,
    );
    expect(applied(w.calls())).toEqual([]);
  });
});

test.each([
  ["review dev", 1, "no part of the AWS SDK"],
  ["outputs dev", 0, "the SDK's credential chain and STS (the credentials check, at a local STS), no other client"],
])("`sentry-ops %s` (the real entry point) loads neither the app nor cdktf or the provider; of AWS: %s", async (command, exitCode, _aws) => {
  const w = world();
  markDeployed(w.fake, STACKS);
  const report = join(w.root, "modules.json");
  const preload = join(w.root, "report-modules.js");
  writeFileSync(preload, `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(report)}, JSON.stringify(Object.keys(require.cache))));\n`);
  const sts = await localSts();
  try {
    const cli = spawn(process.execPath, ["--require", preload, join(__dirname, "..", "src", "ops", "sentry-ops.js"), ...command.split(" ")], {
      env: { ...process.env, ...TEST_OPERATOR_VARIABLES, ...fakeVariables(w.fake), ...ENVIRONMENT_CREDENTIALS, AWS_ENDPOINT_URL_STS: sts.url, SENTRY_OPS_DIR: join(w.root, WORK_DIR) },
      stdio: "ignore",
    });
    expect(await new Promise<number | null>((exited) => cli.on("close", exited))).toBe(exitCode);
  } finally {
    await sts.close();
  }
  const modules: string[] = JSON.parse(readFileSync(report, "utf8"));
  expect(modules.filter((file) => /node_modules\/(cdktf|@cdktf|constructs|@aws-sdk\/client-(?!sts\/))|\/src\/(app|ops\/synth|stacks\/\w+-stack|constructs\/)/.test(file))).toEqual([]);
  expect(modules.some((file) => file.includes("node_modules/@aws-sdk/"))).toBe(command.startsWith("outputs"));
  expect(modules.some((file) => file.includes("node_modules/@aws-sdk/client-sts/"))).toBe(command.startsWith("outputs"));
  expect(modules.some((file) => file.endsWith(join("src", "ops", "commands.ts")))).toBe(true);
});

describe("sentry-ops drift, outputs, bootstrap", () => {
  test("outputs: every phase's outputs, sensitive ones hidden", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    writeFileSync(join(w.fake.stateDir, `${DATA}.json`), JSON.stringify({ redis_port: { value: 6379, sensitive: false }, token: { value: "SuperSecretValue-123", sensitive: true } }));
    expect(await w.run("outputs dev", { synthesize: neverSynthesizes })).toBe(0);
    const printed = w.stdout.join("");
    expect(printed).toContain(`${DATA}\n  redis_port = 6379\n  token = (sensitive)\n`);
    expect(printed).not.toContain("SuperSecretValue-123");
  });

  test("placeholders still in use: sentry-ops prints each warning once (its synth runs in-process, where cdktf prints no annotation)", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    const variables = { SENTRY_STATE_BUCKET: "", SENTRY_DOMAIN: "" };
    expect(await w.run("outputs dev", { variables, synthesize: neverSynthesizes })).toBe(0);
    const warnings = placeholderWarnings({ ...TEST_OPERATOR_VARIABLES, ...variables });
    expect(warnings).toHaveLength(3);
    for (const warning of warnings) expect(w.stderr.filter((line) => line === warning)).toHaveLength(1);
  });

  test("drift plans two phases at a time, none waiting for another: a plan reads deployed outputs, never another phase's drift", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    expect(await w.run("drift dev", { variables: { FAKE_TF_DELAY_MS: "300" } })).toBe(0);
    const plans = STACKS.map((stack) => only(w.calls(), stack, "plan"));
    expect(overlap(plans[0], plans[1])).toBe(true);
    const atOnce = (moment: number) => plans.filter((plan) => plan.start <= moment && moment < plan.end).length;
    expect(Math.max(...plans.map((plan) => atOnce(plan.start)))).toBe(2);
  });

  test("outputs reads state with each --override file's backend alone (a provider override has nothing to merge into); a broken file: one line before anything runs", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    const overrides = join(w.root, "accounts-dev");
    mkdirSync(overrides);
    const backend = { backend: { s3: { endpoints: { s3: "http://localhost:5000" }, use_path_style: true } } };
    const emulator = { terraform: { ...backend, required_providers: { aws: { source: "hashicorp/aws" } } }, provider: { aws: { endpoints: [{ s3: "http://localhost:5000" }] } } };
    writeFileSync(join(overrides, "emulator_override.tf.json"), JSON.stringify(emulator));
    writeFileSync(join(overrides, "provider_override.tf.json"), JSON.stringify({ provider: { aws: { assume_role: [{ role_arn: "arn:aws:iam::222222222222:role/sentry-deploy" }] } } }));
    const lock = { backend: { s3: { use_lockfile: false } } };
    writeFileSync(join(overrides, "state_override.tf.json"), JSON.stringify([{ terraform: [lock] }, { output: { x: { value: "y" } } }]));
    expect(await w.run(`outputs dev --override ${overrides}`, { synthesize: neverSynthesizes })).toBe(0);
    const inits = callsOf(w.calls(), "init");
    expect(inits).toHaveLength(STACKS.length);
    for (const init of inits) {
      expect(init.overrides).toEqual(["emulator_override.tf.json", "state_override.tf.json"]);
      expect(JSON.parse(readFileSync(join(init.cwd, "emulator_override.tf.json"), "utf8"))).toEqual({ terraform: [backend] });
      expect(JSON.parse(readFileSync(join(init.cwd, "state_override.tf.json"), "utf8"))).toEqual({ terraform: [lock] });
    }
    const bytes = Buffer.concat([Buffer.from('{"output":{"x":{"value":"'), Buffer.from([0xff]), Buffer.from('"}}}')]);
    writeFileSync(join(overrides, "bytes_override.tf.json"), bytes);
    expect(await w.run(`plan dev --override ${overrides}`)).toBe(0);
    const folder = join(w.root, WORK_DIR, "dev", "synth", "stacks", FOUNDATION);
    expect(readFileSync(join(folder, "bytes_override.tf.json")).equals(bytes)).toBe(true);
    expect(readFileSync(join(folder, "provider_override.tf.json"), "utf8")).toBe(readFileSync(join(overrides, "provider_override.tf.json"), "utf8"));
    writeFileSync(join(overrides, "broken_override.tf.json"), "{ not json");
    const before = { calls: w.calls().length, lines: w.stderr.length };
    expect(await w.run(`outputs dev --override ${overrides}`, { synthesize: neverSynthesizes })).toBe(1);
    expect(w.stderr.slice(before.lines)).toEqual([expect.stringMatching(/^sentry-ops: --override: \S+broken_override\.tf\.json is not JSON \(/)]);
    expect(w.calls()).toHaveLength(before.calls);
  });

  test("outputs, drift and destroy never create a workspace: a phase without one is not deployed", async () => {
    const w = world();
    markDeployed(w.fake, [FOUNDATION]);
    expect(await w.run("outputs dev")).toBe(0);
    expect(w.stdout.join("")).toContain(`${DATA}\n  (no outputs: not deployed)\n`);
    expect(await w.run("drift dev")).toBe(0);
    expect(w.stdout.join("")).toContain(`${CICD}: not deployed\n`);
    expect(w.stderr).toContain(`[${CICD}] not deployed: its state has no workspace dev: nothing to do`);
    expect(await w.run("destroy dev --yes")).toBe(0);
    expect(applied(w.calls())).toEqual([FOUNDATION]);
    const selects = callsOf(w.calls(), "workspace");
    expect(selects.length).toBeGreaterThan(0);
    expect(selects.every((call) => call.args.join(" ") === "workspace select dev")).toBe(true);
    expect(await w.run("destroy dev --yes")).toBe(1);
    expect(w.stderr[w.stderr.length - 1]).toBe("sentry-ops: nothing to destroy: no phase of dev is deployed");
  });

  test("TF_DATA_DIR and TF_CLI_ARGS* never reach terraform; a line says they are ignored", async () => {
    const w = world();
    const variables = { TF_DATA_DIR: "/elsewhere", TF_CLI_ARGS: "-lock=false", TF_CLI_ARGS_plan: "-target=x" };
    expect(await w.run("plan dev --phase foundation", { variables, process: true })).toBe(0);
    expect(w.calls().every((call) => call.scrubbed.length === 0)).toBe(true);
    expect(w.stderr).toContain("[sentry-ops] ignoring TF_CLI_ARGS, TF_CLI_ARGS_plan, TF_DATA_DIR: terraform runs with the tool's own arguments and data folder");
  });

  test("bootstrap: the state bucket stack with local state, no workspace; idempotent", async () => {
    const w = world();
    expect(await w.run("bootstrap", { variables: { TF_WORKSPACE: "dev" } })).toBe(0);
    expect(await w.run("bootstrap")).toBe(0);
    const calls = w.calls();
    expect(calls.every((call) => call.stack === "sentry-bootstrap" && call.workspace === null)).toBe(true);
    expect(callsOf(calls, "workspace")).toEqual([]);
    expect(callsOf(calls, "init").every((call) => call.args.join(" ") === "init -reconfigure -input=false -no-color")).toBe(true);
    expect(applied(calls)).toEqual(["sentry-bootstrap", "sentry-bootstrap"]);
  });
});

describe("Ctrl-C", () => {
  /** Where the spawned CLI's credentials check asks STS. */
  let sts: LocalSts;
  beforeAll(async () => (sts = await localSts()));
  afterAll(() => sts.close());

  test("SIGINT reaches terraform once; the CLI waits for it to stop, starts no other terraform, exits 130", async () => {
    const w = world();
    const cli = spawn(process.execPath, [join(__dirname, "..", "src", "ops", "sentry-ops.js"), "bootstrap"], {
      env: { ...process.env, ...TEST_OPERATOR_VARIABLES, ...fakeVariables(w.fake), ...ENVIRONMENT_CREDENTIALS, AWS_ENDPOINT_URL_STS: sts.url, FAKE_TF_DELAY_MS: "60000", SENTRY_OPS_DIR: join(w.root, WORK_DIR) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    cli.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => cli.on("close", (code) => resolve({ code, at: Date.now() })));
    await waitFor(() => existsSync(`${w.fake.log}.started`), "the slow plan to start");
    cli.kill("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 100));
    cli.kill("SIGINT");
    const { code, at } = await exited;
    expect(code).toBe(130);
    const calls = w.calls();
    const plan = only(calls, "sentry-bootstrap", "plan");
    expect(plan).toMatchObject({ signal: "SIGINT", code: 1 });
    expect(plan.end).toBeLessThanOrEqual(at);
    expect(calls.map(subcommand)).toEqual(["init", "plan"]);
    expect(stderr.split(INTERRUPT_MESSAGE)).toHaveLength(2);
  }, 60000);
});

describe("command line", () => {
  test.each([
    ["plan", /plan needs exactly one environment/],
    ["plan qa", /unknown environment "qa"/],
    ["plan dev --phase network", /--phase network: expected one of foundation, data, compute, services, cicd/],
    ["plan dev --yes", /plan takes no option --yes/],
    ["bootstrap --backend-config x", /bootstrap takes no option --backend-config; it takes --override, --approve, --approve-broadening/],
    ["bootstrap dev", /bootstrap takes no environment/],
    ["bootstrap --account dev dev", /bootstrap takes no environment/],
    ["review dev --format html", /--format html: expected one of text, markdown, json/],
    ["plan dev --override nowhere", /--override nowhere: no such folder/],
    ["launch dev", /unknown command "launch"/],
  ])("%s fails with one line, exit 1", async (argv, message) => {
    const w = world();
    expect(await w.run(argv)).toBe(1);
    expect(w.stderr).toHaveLength(1);
    expect(w.stderr[0]).toMatch(message);
  });

  test("review without saved plans says to plan first", async () => {
    const w = world();
    expect(await w.run("review staging")).toBe(1);
    expect(w.stderr[0]).toMatch(/^sentry-ops: no saved plans for staging in .*: run `sentry-ops plan staging` first$/);
  });

  test("saved plans are private to their owner", async () => {
    const w = world();
    expect(await w.run("plan dev --phase foundation")).toBe(0);
    const plans = join(w.root, WORK_DIR, "dev", "plans");
    expect(existsSync(plans)).toBe(true);
    expect(statSync(plans).mode & 0o777).toBe(0o700);
    for (const file of readdirSync(plans)) expect(statSync(join(plans, file)).mode & 0o077).toBe(0);
  });
});
