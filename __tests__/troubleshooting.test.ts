import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { applyRecordFile, ApplyRecord } from "../src/ops/apply-record";
import { StatusAws, StatusAwsFactory } from "../src/ops/status/live";
import { StatusModel } from "../src/ops/status/model";
import { TroubleshootingSection } from "../src/ops/troubleshooting";
import { markDeployed } from "./support/fake-terraform";
import { removeWorlds, WORK_DIR, World, world } from "./support/ops-world";

/**
 * Where `sentry-ops` fails with an error docs/troubleshooting.md has a section for, its one line ends with the
 * pointer to it; and a phase whose last apply failed shows in `status` with the first error and the log, until
 * an apply of it succeeds. Terraform's outputs are real where the fixture says so (`fixtures/terraform/`).
 */

afterAll(removeWorlds);

const [FOUNDATION, COMPUTE, SERVICES, CICD] = ["foundation", "compute", "services", "cicd"].map((phase) => `sentry-${phase}-dev`);
const fixture = (name: string): string => readFileSync(join(__dirname, "fixtures", "terraform", name), "utf8");
/** FAKE_TF_FAIL's form of a Terraform output: one line, newlines escaped. */
const failing = (stack: string, subcommand: string, output: string): NodeJS.ProcessEnv => ({
  FAKE_TF_FAIL: `${stack}:${subcommand}:${output.trim().replace(/\n/g, "\\n")}`,
});
const pointer = (section: TroubleshootingSection): string => ` (see docs/troubleshooting.md#${section})`;

/** The workspace guard's precondition as Terraform prints it (src/constructs/guards/workspace-guard.ts). */
const WRONG_WORKSPACE = `Error: Resource precondition failed

  on cdk.tf.json line 31, in data.terraform_data.workspace-guard_Resource_5F2B8E3A:
  31:           "condition": "\${terraform.workspace == \\"dev\\"}",

This configuration was synthesized for the "dev" workspace but the selected
workspace is "staging". Select it with TF_WORKSPACE=dev (or: terraform
workspace select dev), or synthesize the matching environment with
SENTRY_ENV=staging.`;

interface Case {
  readonly what: string;
  /** Stacks already deployed. */
  readonly deployed?: readonly string[];
  readonly argv: string;
  /** The failing stack, terraform subcommand and `sentry-ops` step. */
  readonly stack: string;
  readonly subcommand: string;
  readonly step: string;
  readonly output: string;
  readonly line: RegExp;
  readonly section?: TroubleshootingSection;
}

const CASES: readonly Case[] = [
  {
    what: "a held state lock (real)",
    argv: "plan dev --phase foundation",
    stack: FOUNDATION,
    subcommand: "plan",
    step: "plan",
    output: fixture("state-lock.stderr"),
    line: /plan failed: the state is locked by alice@ops-laptop .* lock ID 5b0d3c8e-2f61-9a4e-7c1d-0e8b6a5f4d21: wait for it to finish/,
    section: "held-state-lock",
  },
  {
    what: "no credentials for the provider (real)",
    argv: "plan dev --phase foundation",
    stack: FOUNDATION,
    subcommand: "plan",
    step: "plan",
    output: fixture("no-credentials.stderr"),
    line: /plan failed: AWS credentials missing or expired \(Error: No valid credential sources found\); set AWS_PROFILE or AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY \(and AWS_SESSION_TOKEN\), or renew the session \(aws sso login\) \(full output: /,
    section: "credentials-missing-or-expired",
  },
  {
    what: "no credentials for the S3 backend at init (real)",
    argv: "plan dev --phase foundation",
    stack: FOUNDATION,
    subcommand: "init",
    step: "init",
    output: fixture("backend-no-credentials.stderr"),
    line: /init failed: AWS credentials missing or expired \(Error: No valid credential sources found\); set AWS_PROFILE/,
    section: "credentials-missing-or-expired",
  },
  {
    what: "an expired session token (real)",
    argv: "plan dev --phase foundation",
    stack: FOUNDATION,
    subcommand: "plan",
    step: "plan",
    output: fixture("expired-token.stderr"),
    line: /plan failed: AWS credentials missing or expired \(Error: Retrieving AWS account details: .*api error ExpiredToken: The security token included in the request is expired\); set AWS_PROFILE/,
    section: "credentials-missing-or-expired",
  },
  {
    what: "the workspace guard: the wrong workspace",
    argv: "plan dev --phase foundation",
    stack: FOUNDATION,
    subcommand: "plan",
    step: "plan",
    output: WRONG_WORKSPACE,
    line: /plan failed: Error: Resource precondition failed \(full output: /,
    section: "export-already-exists",
  },
  {
    what: "a name AWS already holds",
    argv: "deploy dev --phase foundation",
    stack: FOUNDATION,
    subcommand: "apply",
    step: "apply",
    output: "Error: creating IAM Role (sentry-flow-logs-dev): operation error IAM: CreateRole, https response error StatusCode: 409, RequestID: 1c2d, EntityAlreadyExists: Role with name sentry-flow-logs-dev already exists.",
    line: /apply failed: Error: creating IAM Role \(sentry-flow-logs-dev\).*EntityAlreadyExists/,
    section: "export-already-exists",
  },
  {
    what: "a certificate never issued",
    deployed: [FOUNDATION],
    argv: "deploy dev --phase compute",
    stack: COMPUTE,
    subcommand: "apply",
    step: "apply",
    output:
      "Error: waiting for ACM Certificate (arn:aws:acm:us-east-1:123456789012:certificate/0b1c) to be issued: timeout while waiting for state to become 'ISSUED' (last state: 'PENDING_VALIDATION', timeout: 1h15m0s)",
    line: /apply failed: Error: waiting for ACM Certificate \(arn:aws:acm:\S+\) to be issued: timeout/,
    section: "certificate-pending",
  },
  {
    what: "AWS's DependencyViolation during a destroy",
    deployed: [FOUNDATION, "sentry-data-dev", COMPUTE, SERVICES, CICD],
    argv: "destroy dev --phase cicd --yes",
    stack: CICD,
    subcommand: "apply",
    step: "destroy",
    output: "Error: deleting EC2 Security Group (sg-0a1b): operation error EC2: DeleteSecurityGroup, https response error StatusCode: 400, api error DependencyViolation: resource sg-0a1b has a dependent object",
    line: /destroy failed: Error: deleting EC2 Security Group \(sg-0a1b\)/,
    section: "dependency-violation",
  },
  {
    what: "any other failed apply: the phase is half-applied",
    argv: "deploy dev --phase foundation",
    stack: FOUNDATION,
    subcommand: "apply",
    step: "apply",
    output: "Error: creating SQS Queue (sentry-orders-bitget-dev): operation error SQS: CreateQueue, https response error StatusCode: 400, api error InvalidParameterValue: Invalid value for the parameter Policy.",
    line: /apply failed: Error: creating SQS Queue \(sentry-orders-bitget-dev\)/,
    section: "a-phase-half-applied",
  },
  {
    what: "a failed plan changed nothing: no section",
    argv: "plan dev --phase foundation",
    stack: FOUNDATION,
    subcommand: "plan",
    step: "plan",
    output: "Error: Unsupported argument\n\n  on cdk.tf.json line 9",
    line: /plan failed: Error: Unsupported argument \(full output: \S+\)$/,
  },
  {
    what: "Terraform's stale saved plan applied nothing: no section",
    argv: "deploy dev --phase foundation",
    stack: FOUNDATION,
    subcommand: "apply",
    step: "apply",
    output: "Error: Saved plan is stale",
    line: /apply failed: the saved plan is stale: .* \(full output: \S+\)$/,
  },
];

describe("failure lines name their section of docs/troubleshooting.md", () => {
  test.each(CASES.map((c) => [c.what, c]))("%s", async (_what, c) => {
    const w = world();
    markDeployed(w.fake, c.deployed ?? []);
    expect(await w.run(c.argv, { variables: failing(c.stack, c.subcommand, c.output) })).toBe(1);
    const lines = w.stderr.filter((line) => line.startsWith(`sentry-ops: [${c.stack}] ${c.step} failed: `));
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("\n");
    expect(lines[0]).toMatch(c.line);
    if (c.section) expect(lines[0].endsWith(pointer(c.section))).toBe(true);
    else expect(lines[0]).not.toContain("docs/troubleshooting.md");
  });
});

/** AWS for `status` when nothing is deployed: nothing is asked. */
const askedNothing: StatusAwsFactory = () => {
  const unexpected = (what: string) => () => Promise.reject(new Error(`status asked AWS for ${what}`));
  const aws: StatusAws = {
    certificate: unexpected("a certificate"),
    connectionStatus: unexpected("a connection"),
    subscriptions: unexpected("subscriptions"),
    secretVersionStages: unexpected("a secret"),
    services: unexpected("services"),
    stateLastModified: unexpected("the state object"),
  };
  return aws;
};

describe("status shows a phase whose last apply failed (the guide's \"Ver eventos de erro\")", () => {
  const APPLY_ERROR = "Error: creating ECS Capacity Provider (sentry-oms-dev): operation error ECS: CreateCapacityProvider, https response error StatusCode: 400, api error ClientException: The specified Auto Scaling group ARN is already being used.";
  const status = async (w: World, format = "text") => {
    w.stdout.length = 0;
    const code = await w.run(`status dev --format ${format}`, { statusAws: askedNothing });
    return { code, out: w.stdout.join("") };
  };
  const record = (w: World): ApplyRecord => JSON.parse(readFileSync(applyRecordFile(join(w.root, WORK_DIR, "dev", "logs"), COMPUTE), "utf8")) as ApplyRecord;

  test("after a deploy whose apply failed: the first error and the log in the phase's detail and as a finding; a later successful apply clears it", async () => {
    const w = world();
    markDeployed(w.fake, [FOUNDATION]);
    expect(await w.run("deploy dev --phase compute", { variables: failing(COMPUTE, "apply", `${APPLY_ERROR}\n\n  with aws_ecs_capacity_provider.oms`) })).toBe(1);
    const failed = record(w);
    expect(failed).toMatchObject({ phase: "compute", stack: COMPUTE, action: "apply", outcome: "failed", error: APPLY_ERROR });
    expect(failed.log).toBe(join(w.root, WORK_DIR, "dev", "logs", `${COMPUTE}.apply.log`));
    expect(readFileSync(failed.log as string, "utf8")).toContain(APPLY_ERROR);
    expect(Date.parse(failed.started)).toBeLessThanOrEqual(Date.parse(failed.finished));

    const text = await status(w);
    expect(text.code).toBe(2);
    const detail = `last apply failed ${failed.finished}: ${APPLY_ERROR} (log: ${failed.log})`;
    expect(text.out).toMatch(new RegExp(`^compute\\s+${COMPUTE}\\s+not deployed.*\\n  ${detail.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
    const finding = `${COMPUTE} ${detail}: fix the cause, then sentry-ops plan dev --phase compute, review, deploy (recorded by sentry-ops on this machine only)${pointer("a-phase-half-applied")}`;
    expect(text.out).toContain(`  - ${finding}\n`);
    expect((await status(w, "markdown")).out).toContain(`- **${COMPUTE}** ${detail.replace(/`/g, "'")}`);
    const json = JSON.parse((await status(w, "json")).out) as StatusModel;
    expect(json.phases.find((p) => p.phase === "compute")?.lastApplyFailed).toEqual({ action: "apply", at: failed.finished, error: APPLY_ERROR, log: failed.log });
    expect(json.actions.filter((a) => a.kind === "apply-failed").map((a) => a.subject)).toEqual([COMPUTE]);
    expect(json.phases.filter((p) => p.lastApplyFailed).map((p) => p.phase)).toEqual(["compute"]);

    expect(await w.run("deploy dev --phase compute")).toBe(0);
    expect(record(w)).toMatchObject({ stack: COMPUTE, outcome: "succeeded" });
    expect(record(w).log).toBeUndefined();
    const after = await status(w);
    expect(after.out).not.toContain("last apply failed");
    expect((JSON.parse((await status(w, "json")).out) as StatusModel).actions.filter((a) => a.kind === "apply-failed")).toEqual([]);
  });

  test("a failed destroy is recorded the same way; a phase never applied here has no record", async () => {
    const w = world();
    markDeployed(w.fake, [FOUNDATION, "sentry-data-dev", COMPUTE, SERVICES, CICD]);
    expect(await w.run("destroy dev --phase cicd --yes", { variables: failing(CICD, "apply", "Error: deleting CodePipeline (sentry-pipeline-oms-dev): timeout") })).toBe(1);
    const { out } = await status(w);
    expect(out).toContain(`${CICD} last destroy failed `);
    expect(out).toContain("fix the cause, then sentry-ops destroy dev --phase cicd (recorded by sentry-ops on this machine only)");
    expect(existsSync(applyRecordFile(join(w.root, WORK_DIR, "dev", "logs"), FOUNDATION))).toBe(false);
  });
});
