import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { runCli } from "../src/ops/cli";
import { OpsDependencies } from "../src/ops/commands";
import { buildDriftReport, DriftOtherPhase, DriftReport, driftExitCode, DriftStackPlan } from "../src/ops/drift/model";
import { renderDrift } from "../src/ops/drift/render";
import { parsePlanJson, PlanJson } from "../src/ops/review/plan-json";
import { processRunner } from "../src/ops/runner";
import { Synthesizer } from "../src/ops/stacks";
import { lockMessage, parseLockError } from "../src/ops/state-lock";
import { fakeCalls, fakeVariables, installFakeTerraform, markDeployed } from "./support/fake-terraform";
import { TEST_OPERATOR_VARIABLES } from "./support/synth";
import { credentialsFound } from "./support/ops-world";

/**
 * Drift from real plans: terraform 1.11.4 + aws 5.100.0 against moto_server (`fixtures/drift/generate.sh`),
 * right after a first apply, so the state still lacks what sibling resources wrote (the false alarms of a
 * refresh-only check). No test needs moto.
 */

const FIXTURES = join(__dirname, "fixtures", "drift");
const fixture = (name: string): PlanJson => parsePlanJson(readFileSync(join(FIXTURES, `${name}.json`), "utf8"), name);
const FOUNDATION = "sentry-foundation-dev";
const entry = (name: string): DriftStackPlan => ({ phase: "foundation", stack: FOUNDATION, plan: fixture(name) });
const report = (stacks: DriftStackPlan[], otherPhases?: DriftOtherPhase[]): DriftReport => buildDriftReport(stacks, { environment: "dev", otherPhases });
const summaries = (r: DriftReport) => r.items.map((item) => `${item.kind} ${item.address} ${item.attributes.map((a) => a.name).join(",")}`);

describe("drift model on real plans", () => {
  const edited = report([entry("hand-edits")]);

  test("clean deploy: sibling-written attributes moved (queue policy, route, user pool domain and users, group rules), nothing is drift", () => {
    const plan = fixture("clean");
    const moved = Object.fromEntries((plan.resource_drift ?? []).map((r) => [r.address, r]));
    // GIVEN the refresh sees what siblings and AWS wrote since the first apply
    expect(Object.keys(moved)).toEqual(expect.arrayContaining(["aws_sqs_queue.orders", "aws_route_table.public", "aws_cognito_user_pool.admin", "aws_security_group.app"]));
    // WHEN the drift model reads the plan THEN none of it is drift
    const clean = report([entry("clean")]);
    expect(clean.items).toEqual([]);
    expect(clean.phases[0]).toMatchObject({ checked: true, drifted: 0, pending: [] });
    expect(driftExitCode(clean)).toBe(0);
    expect(renderDrift(clean, "text")).toBe(`Drift of dev\n${FOUNDATION}: no drift\n\nNo drift.\n`);
  });

  test("the header names the account the plans asked AWS in, and the role, in every format", () => {
    const account = { id: "111111111111", role: "arn:aws:iam::111111111111:role/sentry-terraform-dev" };
    const guarded = buildDriftReport([entry("clean")], { environment: "dev", account });
    expect(renderDrift(guarded, "text").split("\n")[0]).toBe(`Drift of dev (account 111111111111, as ${account.role})`);
    expect(renderDrift(guarded, "markdown").split("\n")[0]).toBe(`### Drift: dev (account \`111111111111\`, as \`${account.role}\`)`);
    expect(JSON.parse(renderDrift(guarded, "json")).account).toEqual(account);
  });

  test("the refresh-only plan of the hand-edited environment lists every moved resource (what drift used to report)", () => {
    expect((fixture("refresh-only").resource_drift ?? []).length).toBe(11);
  });

  test("a configuration change not deployed yet is no drift: counted as pending, exit 0", () => {
    const pending = report([entry("config-change")]);
    expect(pending.items).toEqual([]);
    expect(pending.phases[0].pending).toEqual(["aws_sqs_queue.positions"]);
    expect(driftExitCode(pending)).toBe(0);
    expect(renderDrift(pending, "text")).toContain(`${FOUNDATION}: no drift; 1 configuration change not deployed yet (not drift)\n`);
  });

  describe("hand edits: a queue deleted, a visibility timeout changed, a queue policy widened, a rule added to each group", () => {
    test("each is reported once, and nothing else", () => {
      expect(summaries(edited).sort()).toEqual([
        "changed aws_security_group.legacy ingress",
        "changed aws_sqs_queue.positions visibility_timeout_seconds",
        "changed aws_sqs_queue_policy.orders policy",
        "deleted aws_sqs_queue.audit ",
        "unmanaged aws_security_group.app ",
      ]);
      expect(edited.phases[0]).toMatchObject({ drifted: 5, pending: [] });
      expect(driftExitCode(edited)).toBe(2);
    });

    test("security facts: the widened policy and the added rules, with their values, as broadening", () => {
      const security = Object.fromEntries(edited.items.map((item) => [item.address, [item.broadening, ...item.security.map((line) => `${line.sign} ${line.text}`)]]));
      expect(security["aws_sqs_queue_policy.orders"]).toEqual(["yes", "+ policy: Allow sqs:* on arn:aws:sqs:us-east-1:123456789012:drift-orders for *"]);
      expect(security["aws_security_group.legacy"]).toEqual(["yes", "+ ingress tcp 22 from 0.0.0.0/0"]);
      expect(security["aws_security_group.app"]).toEqual(["yes", "+ ingress tcp 22 from 0.0.0.0/0"]);
      expect(security["aws_sqs_queue.positions"]).toEqual([undefined]);
    });

    test("each says how to revert (plan, review, deploy of its phase) and how to accept", () => {
      const positions = edited.items.find((item) => item.address === "aws_sqs_queue.positions");
      expect(positions?.revert).toBe("sentry-ops plan dev --phase foundation && sentry-ops review dev && sentry-ops deploy dev --phase foundation");
      expect(positions?.accept).toBe("set visibility_timeout_seconds of aws_sqs_queue.positions in the configuration to the value now in AWS");
      expect(edited.items.find((item) => item.kind === "deleted")?.accept).toBe("remove aws_sqs_queue.audit from the configuration");
      expect(edited.items.find((item) => item.kind === "unmanaged")?.revert).toMatch(/^remove the rule in AWS/);
    });

    test("text: one line per resource, security lines, revert and accept; no value outside the security lines", () => {
      const text = renderDrift(edited, "text");
      expect(text).toContain(`${FOUNDATION}: 5 drifted\n`);
      expect(text).toContain("  aws_sqs_queue.positions: changed outside Terraform (visibility_timeout_seconds)\n      revert: sentry-ops plan dev --phase foundation");
      expect(text).toContain("  aws_sqs_queue.audit: deleted outside Terraform\n");
      expect(text).toContain("  aws_sqs_queue_policy.orders: changed outside Terraform (policy), broadening\n      + policy: Allow sqs:* on");
      expect(text).toContain("  aws_security_group.app: rules added outside Terraform that no resource manages, broadening\n      + ingress tcp 22 from 0.0.0.0/0\n");
      expect(text.endsWith("\nDrift: 5 resources in 1 phase.\n")).toBe(true);
      expect(text).not.toMatch(/\b120\b|127\.0\.0\.1/);
    });

    test("markdown and json render the same model", () => {
      expect(renderDrift(edited, "markdown")).toContain("| `sentry-foundation-dev` | `aws_sqs_queue.audit` | deleted outside Terraform | – |");
      expect(JSON.parse(renderDrift(edited, "json"))).toEqual(JSON.parse(JSON.stringify(edited)));
    });
  });

  test("a rule resource of another phase manages a group's rule: not reported", () => {
    const plan = fixture("hand-edits");
    const app = plan.prior_state?.values?.root_module?.resources?.find((r) => r.address === "aws_security_group.app");
    const groupId = (app?.values as { id: string }).id;
    const services: DriftStackPlan = {
      phase: "services",
      stack: "sentry-services-dev",
      plan: {
        format_version: "1.2",
        prior_state: {
          values: {
            root_module: {
              resources: [
                { mode: "managed", address: "aws_vpc_security_group_ingress_rule.ssh", type: "aws_vpc_security_group_ingress_rule", values: { security_group_id: groupId, ip_protocol: "tcp", from_port: 22, to_port: 22, cidr_ipv4: "0.0.0.0/0" }, sensitive_values: {} },
              ],
            },
          },
        },
      },
    };
    expect(report([entry("hand-edits"), services]).items.map((item) => item.kind)).not.toContain("unmanaged");
  });

  test("with --phase: the groups of the phases checked are searched, the rule resources of the other phases (from their state) count as managing", () => {
    const plan = fixture("hand-edits");
    const app = plan.prior_state?.values?.root_module?.resources?.find((r) => r.address === "aws_security_group.app");
    const groupId = (app?.values as { id: string }).id;
    const ssh = { mode: "managed" as const, type: "aws_vpc_security_group_ingress_rule", values: { security_group_id: groupId, ip_protocol: "tcp", from_port: 22, to_port: 22, cidr_ipv4: "0.0.0.0/0" }, sensitive_values: {} };
    // GIVEN only foundation planned WHEN services' state holds no rule for the group THEN the hand-added rule is unmanaged
    const alone = report([entry("hand-edits")], [{ stack: "sentry-services-dev", resources: [] }]);
    expect(alone.unmanagedRulesChecked).toBe(true);
    expect(summaries(alone)).toContain("unmanaged aws_security_group.app ");
    // WHEN services' state holds a rule resource for it THEN it is managed
    expect(report([entry("hand-edits")], [{ stack: "sentry-services-dev", resources: [ssh] }]).items.map((item) => item.kind)).not.toContain("unmanaged");
    // WHEN a state could not be read THEN nothing is looked for, and the report says so
    const partial = report([entry("hand-edits")], [{ stack: "sentry-services-dev", failed: true }]);
    expect(partial.unmanagedRulesChecked).toBe(false);
    expect(partial.items).toHaveLength(4);
    expect(renderDrift(partial, "text")).toContain("(security group rules that no resource manages were not looked for: a phase's plan failed or its state could not be read)");
  });

  test("a group made with count or for_each: its inline rules are the configuration's (the configuration block names it without the index)", () => {
    const plan = fixture("hand-edits");
    const indexed = (key: string): PlanJson => {
      const address = `aws_security_group.legacy${key}`;
      const rename = <T extends { address?: string }>(r: T): T => (r.address === "aws_security_group.legacy" ? { ...r, address } : r);
      const resources = plan.prior_state?.values?.root_module?.resources ?? [];
      return {
        ...plan,
        resource_drift: (plan.resource_drift ?? []).map(rename),
        resource_changes: (plan.resource_changes ?? []).map(rename),
        prior_state: { values: { root_module: { resources: resources.map(rename) } } },
      };
    };
    for (const key of ["[0]", '["blue"]']) {
      const found = report([{ phase: "foundation", stack: FOUNDATION, plan: indexed(key) }]);
      expect(summaries(found).sort()).toEqual(summaries(edited).map((line) => line.replace("aws_security_group.legacy ", `aws_security_group.legacy${key} `)).sort());
      expect(found.items.filter((item) => item.kind === "unmanaged").map((item) => item.address)).toEqual(["aws_security_group.app"]);
    }
  });

  test("a sensitive argument changed outside Terraform: named as (sensitive), its value in no format", () => {
    const secret = "SuperSecretToken-123";
    const change = (before: unknown, after: unknown) => ({ actions: ["update" as const], before, after, before_sensitive: { auth_token: true }, after_sensitive: { auth_token: true }, after_unknown: {} });
    const base = { address: "aws_elasticache_replication_group.redis", mode: "managed" as const, type: "aws_elasticache_replication_group", name: "redis" };
    const plan: PlanJson = {
      format_version: "1.2",
      resource_drift: [{ ...base, change: change({ auth_token: "old", port: 6379 }, { auth_token: secret, port: 6379 }) }],
      resource_changes: [{ ...base, change: change({ auth_token: secret, port: 6379 }, { auth_token: "old", port: 6379 }) }],
    };
    const found = report([{ phase: "data", stack: "sentry-data-dev", plan }]);
    expect(found.items.map((item) => item.attributes)).toEqual([[{ name: "auth_token", hidden: "(sensitive)" }]]);
    expect(renderDrift(found, "text")).toContain("aws_elasticache_replication_group.redis: changed outside Terraform (auth_token (sensitive))");
    for (const format of ["text", "markdown", "json"] as const) expect(renderDrift(found, format)).not.toContain(secret);
  });

  test("a configuration change that replaces a resource whose sibling wrote an attribute: the recomputed attribute is no revert, a pending change", () => {
    const plan = fixture("clean");
    const replaced = (plan.resource_changes ?? []).map((r) => {
      if (r.address !== "aws_sqs_queue.orders") return r;
      const { policy, arn, id, url, ...kept } = r.change.after as Record<string, unknown>;
      expect([policy, arn, id, url].every((value) => value !== undefined)).toBe(true);
      const after = { ...kept, name: "sentry-orders-v2-dev" };
      return { ...r, action_reason: "replace_because_cannot_update", change: { ...r.change, actions: ["delete" as const, "create" as const], after, after_unknown: { policy: true, arn: true, id: true, url: true }, replace_paths: [["name"]] } };
    });
    const found = report([{ phase: "foundation", stack: FOUNDATION, plan: { ...plan, resource_changes: replaced } }]);
    expect(found.items).toEqual([]);
    expect(found.phases[0].pending).toEqual(["aws_sqs_queue.orders"]);
    expect(driftExitCode(found)).toBe(0);
  });

  test("a resource the plan deletes (gone from the configuration) is a pending change, not drift", () => {
    const plan = fixture("hand-edits");
    const changes = (plan.resource_changes ?? []).map((r) => (r.address === "aws_sqs_queue.positions" ? { ...r, change: { ...r.change, actions: ["delete" as const], after: null } } : r));
    const found = report([{ phase: "foundation", stack: FOUNDATION, plan: { ...plan, resource_changes: changes } }]);
    expect(found.items.map((item) => item.address)).not.toContain("aws_sqs_queue.positions");
    expect(found.phases[0].pending).toEqual(["aws_sqs_queue.positions"]);
  });

  test("a phase whose plan failed: not checked, exit 1, unmanaged rules not looked for", () => {
    const failed = report([entry("clean"), { phase: "data", stack: "sentry-data-dev", note: "not checked: its plan failed", failed: true }]);
    expect(failed.unmanagedRulesChecked).toBe(false);
    expect(driftExitCode(failed)).toBe(1);
    expect(renderDrift(failed, "text")).toContain("sentry-data-dev: not checked: its plan failed\n");
  });
});

/** A plan in which `type.name` moved outside Terraform from the configuration's values to `real`, and the plan puts them back. */
function handEdited(type: string, configured: Record<string, unknown>, real: Record<string, unknown>): DriftStackPlan {
  const base = { address: `${type}.this`, mode: "managed" as const, type, name: "this" };
  const change = (before: unknown, after: unknown) => ({ actions: ["update" as const], before, after, before_sensitive: {}, after_sensitive: {}, after_unknown: {} });
  return {
    phase: "foundation",
    stack: FOUNDATION,
    plan: { format_version: "1.2", resource_drift: [{ ...base, change: change(configured, real) }], resource_changes: [{ ...base, change: change(real, configured) }] },
  };
}

/** A plan in which `type.this` was deleted outside Terraform (the plan creates it again). */
function deletedOutside(type: string, values: Record<string, unknown>): DriftStackPlan {
  const base = { address: `${type}.this`, mode: "managed" as const, type, name: "this" };
  const change = (actions: ("delete" | "create")[], before: unknown, after: unknown) => ({ actions, before, after, before_sensitive: {}, after_sensitive: {}, after_unknown: {} });
  return {
    phase: "foundation",
    stack: FOUNDATION,
    plan: { format_version: "1.2", resource_drift: [{ ...base, change: change(["delete"], values, null) }], resource_changes: [{ ...base, change: change(["create"], null, values) }] },
  };
}

const only = (found: DriftReport) => {
  expect(found.items).toHaveLength(1);
  return found.items[0];
};

describe("drift names a weakened control: the configuration has it, AWS no longer does", () => {
  const sse = (algorithm: string) => ({ bucket: "b", rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: algorithm, kms_master_key_id: "" }], bucket_key_enabled: true }] });
  test.each([
    ["aws_kms_key", { enable_key_rotation: true, is_enabled: true }, { enable_key_rotation: false, is_enabled: true }, ["key rotation"]],
    ["aws_kms_key", { enable_key_rotation: true, is_enabled: true }, { enable_key_rotation: true, is_enabled: false }, ["key enabled"]],
    ["aws_sqs_queue", { kms_master_key_id: "arn:aws:kms:us-east-1:123456789012:key/k", sqs_managed_sse_enabled: false }, { kms_master_key_id: "", sqs_managed_sse_enabled: false }, ["queue encryption"]],
    ["aws_sqs_queue", { kms_master_key_id: "", sqs_managed_sse_enabled: true }, { kms_master_key_id: "", sqs_managed_sse_enabled: false }, ["queue encryption"]],
    ["aws_dynamodb_table", { server_side_encryption: [{ enabled: true, kms_key_arn: "k" }] }, { server_side_encryption: [{ enabled: false, kms_key_arn: "" }] }, ["table encryption with the KMS key"]],
    ["aws_dynamodb_table", { deletion_protection_enabled: true }, { deletion_protection_enabled: false }, ["deletion protection"]],
    ["aws_dynamodb_table", { point_in_time_recovery: [{ enabled: true }] }, { point_in_time_recovery: [{ enabled: false }] }, ["point-in-time recovery"]],
    ["aws_elasticache_replication_group", { at_rest_encryption_enabled: "true", transit_encryption_enabled: true }, { at_rest_encryption_enabled: "false", transit_encryption_enabled: false }, ["encryption at rest", "encryption in transit"]],
    ["aws_ebs_volume", { encrypted: true }, { encrypted: false }, ["volume encryption"]],
    ["aws_ebs_encryption_by_default", { enabled: true }, { enabled: false }, ["EBS encryption by default"]],
    ["aws_launch_template", { block_device_mappings: [{ device_name: "/dev/xvda", ebs: [{ encrypted: "true" }] }] }, { block_device_mappings: [{ device_name: "/dev/xvda", ebs: [{ encrypted: "false" }] }] }, ["volume encryption"]],
    ["aws_s3_bucket_server_side_encryption_configuration", sse("aws:kms"), sse("AES256"), ["bucket encryption with the KMS key"]],
    ["aws_lb", { access_logs: [{ bucket: "logs", enabled: true }] }, { access_logs: [{ bucket: "logs", enabled: false }] }, ["access logs"]],
    ["aws_lb", { enable_deletion_protection: true }, { enable_deletion_protection: false }, ["deletion protection"]],
    ["aws_lb_listener", { ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }, { ssl_policy: "ELBSecurityPolicy-2016-08" }, ["TLS policy"]],
    ["aws_lb_listener", { ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }, { ssl_policy: "ELBSecurityPolicy-TLS-1-1-2017-01" }, ["TLS policy"]],
    ["aws_s3_bucket_public_access_block", { block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true }, { block_public_acls: true, block_public_policy: false, ignore_public_acls: true, restrict_public_buckets: false }, ["public access block (block_public_policy)", "public access block (restrict_public_buckets)"]],
    ["aws_cloudwatch_metric_alarm", { actions_enabled: true, alarm_actions: ["arn:aws:sns:us-east-1:123456789012:alarms"] }, { actions_enabled: false, alarm_actions: ["arn:aws:sns:us-east-1:123456789012:alarms"] }, ["alarm actions"]],
  ])("%s %j -> %j: weakens %j", (type, configured, real, controls) => {
    const item = only(report([handEdited(type, configured, real)]));
    expect(item.weakens).toEqual(controls);
    const text = renderDrift(report([handEdited(type, configured, real)]), "text");
    expect(text).toContain(`  ${type}.this: changed outside Terraform (`);
    expect(text).toContain(controls.map((control) => `, weakens ${control}`).join(""));
  });

  test.each([
    ["aws_s3_bucket_server_side_encryption_configuration", "bucket encryption"],
    ["aws_s3_bucket_logging", "bucket access logging"],
    ["aws_flow_log", "flow logs"],
    ["aws_wafv2_web_acl_logging_configuration", "WAF logging"],
    ["aws_wafv2_web_acl_association", "WAF association"],
    ["aws_s3_bucket_public_access_block", "public access block"],
  ])("%s deleted outside Terraform: weakens %s", (type, control) => {
    const found = report([deletedOutside(type, { id: "x" })]);
    expect(only(found)).toMatchObject({ kind: "deleted", weakens: [control] });
    expect(renderDrift(found, "text")).toContain(`  ${type}.this: deleted outside Terraform`);
    expect(renderDrift(found, "text")).toContain(`, weakens ${control}\n`);
  });

  test("the environment key's rotation turned off: 'not broadening, weakens key rotation' in text and markdown, in json as data; the exit code stays 2", () => {
    const found = report([handEdited("aws_kms_key", { enable_key_rotation: true, description: "env" }, { enable_key_rotation: false, description: "env" })]);
    expect(renderDrift(found, "text")).toContain("  aws_kms_key.this: changed outside Terraform (enable_key_rotation), not broadening, weakens key rotation\n");
    expect(renderDrift(found, "markdown")).toContain("| changed outside Terraform (enable_key_rotation), not broadening, weakens key rotation |");
    expect(JSON.parse(renderDrift(found, "json")).items[0].weakens).toEqual(["key rotation"]);
    expect(driftExitCode(found)).toBe(2);
  });

  test.each([
    ["a control turned on outside Terraform (stronger than configured)", "aws_kms_key", { enable_key_rotation: false }, { enable_key_rotation: true }],
    ["a TLS policy upgraded", "aws_lb_listener", { ssl_policy: "ELBSecurityPolicy-TLS-1-2-2017-01" }, { ssl_policy: "ELBSecurityPolicy-TLS13-1-3-2021-06" }],
    ["a TLS policy of the same minimum version", "aws_lb_listener", { ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }, { ssl_policy: "ELBSecurityPolicy-TLS-1-2-2017-01" }],
    ["a queue moved from its KMS key to SQS-managed encryption", "aws_sqs_queue", { kms_master_key_id: "k", sqs_managed_sse_enabled: false }, { kms_master_key_id: "", sqs_managed_sse_enabled: true }],
    ["an alarm's threshold", "aws_cloudwatch_metric_alarm", { actions_enabled: true, threshold: 5 }, { actions_enabled: true, threshold: 50 }],
    ["a queue's visibility timeout", "aws_sqs_queue", { visibility_timeout_seconds: 30, sqs_managed_sse_enabled: true }, { visibility_timeout_seconds: 120, sqs_managed_sse_enabled: true }],
  ])("%s: not labelled", (_, type, configured, real) => {
    const found = report([handEdited(type, configured, real)]);
    expect(only(found).weakens).toEqual([]);
    expect(renderDrift(found, "text")).not.toContain("weakens");
  });

  test("the hand edits of the real plans weaken nothing", () => {
    expect(report([entry("hand-edits")]).items.flatMap((item) => item.weakens)).toEqual([]);
  });
});

const LOCK_OUTPUT = readFileSync(join(__dirname, "fixtures", "terraform", "state-lock.stderr"), "utf8");
const LOCK_ID = "5b0d3c8e-2f61-9a4e-7c1d-0e8b6a5f4d21";

describe("a held state lock (Terraform 1.11, S3 lockfile)", () => {
  test("the lock info Terraform prints is read, with or without box drawing", () => {
    const info = {
      id: LOCK_ID,
      path: "acme-sentry-tf-state/env:/dev/sentry/foundation.tfstate",
      operation: "OperationTypeApply",
      who: "alice@ops-laptop",
      version: "1.11.4",
      created: "2026-11-30 08:12:03.123456789 +0000 UTC",
    };
    expect(parseLockError(LOCK_OUTPUT)).toEqual(info);
    expect(parseLockError(LOCK_OUTPUT.split("\n").map((line) => `│ ${line}`).join("\n"))).toEqual(info);
    expect(parseLockError("Error: Unsupported argument")).toBeUndefined();
  });

  test("one line: who, the operation, since when, the lock ID, what to do", () => {
    const line = lockMessage(parseLockError(LOCK_OUTPUT) ?? {}, "/x/synth/stacks/sentry-foundation-dev", "dev", new Date("2026-11-30T08:26:03Z"));
    expect(line).toBe(
      `the state is locked by alice@ops-laptop (terraform apply, Terraform 1.11.4) since 2026-11-30T08:12:03Z (14 min ago), state acme-sentry-tf-state/env:/dev/sentry/foundation.tfstate, lock ID ${LOCK_ID}: ` +
        `wait for it to finish and run again; only when that holder is gone (its terraform no longer runs), run \`TF_WORKSPACE=dev terraform force-unlock ${LOCK_ID}\` in /x/synth/stacks/sentry-foundation-dev`,
    );
  });
});

describe("sentry-ops drift against a fake terraform", () => {
  const scratch = mkdtempSync(join(tmpdir(), "sentry-ops-drift-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const PHASE_STACKS = ["foundation", "data", "compute", "services", "cicd"].map((phase) => `sentry-${phase}-dev`);
  const DEPENDENCIES: Record<string, string[]> = {
    "sentry-foundation-dev": [],
    "sentry-data-dev": ["sentry-foundation-dev"],
    "sentry-compute-dev": ["sentry-foundation-dev"],
    "sentry-services-dev": ["sentry-foundation-dev", "sentry-data-dev", "sentry-compute-dev"],
    "sentry-cicd-dev": ["sentry-foundation-dev"],
  };
  /** The synth's layout (manifest + one folder per stack) without synthesizing: the fake never reads the JSON. */
  const layout: Synthesizer = (_config, outdir) => {
    const stacks = Object.fromEntries(PHASE_STACKS.map((name) => [name, { dependencies: DEPENDENCIES[name], workingDirectory: join("stacks", name) }]));
    for (const name of PHASE_STACKS) {
      mkdirSync(join(outdir, "stacks", name), { recursive: true });
      writeFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "{}");
    }
    writeFileSync(join(outdir, "manifest.json"), JSON.stringify({ stacks }));
  };
  let worlds = 0;
  const world = () => {
    const root = join(scratch, `world-${++worlds}`);
    const fake = installFakeTerraform(join(root, "fake"));
    markDeployed(fake, PHASE_STACKS);
    const stdout: string[] = [];
    const stderr: string[] = [];
    const run = (argv: string, variables: NodeJS.ProcessEnv = {}) => {
      const io: OpsDependencies = {
        workDir: join(root, ".sentry-ops"),
        variables: { ...TEST_OPERATOR_VARIABLES, ...fakeVariables(fake), ...variables },
        runner: processRunner(),
        synthesize: layout,
        resolveCredentials: credentialsFound,
        print: (text) => stdout.push(text),
        progress: (line) => stderr.push(line),
        ask: async () => "",
      };
      return runCli(argv.split(" "), io, root);
    };
    return { fake, stdout, stderr, run };
  };

  test("normal plans (no -refresh-only), only the hand edits reported, exit 2; a clean environment exits 0", async () => {
    const w = world();
    writeFileSync(join(w.fake.plansDir, `${FOUNDATION}.plan.json`), readFileSync(join(FIXTURES, "hand-edits.json")));
    expect(await w.run("drift dev")).toBe(2);
    const plans = fakeCalls(w.fake).filter((call) => call.args[0] === "plan");
    expect(plans).toHaveLength(5);
    expect(plans.every((call) => !call.args.includes("-refresh-only") && call.args.some((arg) => arg.startsWith("-out=")))).toBe(true);
    const text = w.stdout.join("");
    expect(text).toContain(`${FOUNDATION}: 5 drifted\n`);
    expect(text).toContain("sentry-cicd-dev: no drift\n");
    expect(text.endsWith("Drift: 5 resources in 1 phase.\n")).toBe(true);
    expect(w.stderr).toContainEqual(expect.stringMatching(/^\[sentry-foundation-dev\] drift plan \(\d+\.\d s\)$/));

    const clean = world();
    writeFileSync(join(clean.fake.plansDir, `${FOUNDATION}.plan.json`), readFileSync(join(FIXTURES, "clean.json")));
    expect(await clean.run("drift dev --phase foundation --format json")).toBe(0);
    expect(JSON.parse(clean.stdout.join(""))).toMatchObject({ environment: "dev", items: [], unmanagedRulesChecked: true, phases: [{ stack: FOUNDATION, drifted: 0 }] });
  });

  test("--phase: only that phase is planned; the others' states are pulled through backend-only folders, and their rule resources manage rules of its groups", async () => {
    const plan = readFileSync(join(FIXTURES, "hand-edits.json"), "utf8");
    const groupId = (fixture("hand-edits").prior_state?.values?.root_module?.resources?.find((r) => r.address === "aws_security_group.app")?.values as { id: string }).id;
    const servicesState = {
      version: 4,
      serial: 3,
      resources: [
        {
          mode: "managed",
          type: "aws_vpc_security_group_ingress_rule",
          name: "ssh",
          instances: [{ attributes: { security_group_id: groupId, ip_protocol: "tcp", from_port: 22, to_port: 22, cidr_ipv4: "0.0.0.0/0" } }],
        },
      ],
    };
    const drift = async (services?: object) => {
      const w = world();
      writeFileSync(join(w.fake.plansDir, `${FOUNDATION}.plan.json`), plan);
      if (services) writeFileSync(join(w.fake.stateDir, "sentry-services-dev.tfstate"), JSON.stringify(services));
      const code = await w.run("drift dev --phase foundation --format json");
      return { w, code, report: JSON.parse(w.stdout.join("")) as DriftReport };
    };
    // GIVEN no other phase manages the hand-added rule WHEN drift checks foundation alone THEN it is reported
    const alone = await drift();
    expect(alone.code).toBe(2);
    expect(alone.report.unmanagedRulesChecked).toBe(true);
    expect(alone.report.items.filter((item) => item.kind === "unmanaged").map((item) => item.address)).toEqual(["aws_security_group.app"]);
    const calls = fakeCalls(alone.w.fake);
    expect(calls.filter((call) => call.args[0] === "plan").map((call) => call.stack)).toEqual([FOUNDATION]);
    const pulls = calls.filter((call) => call.args.join(" ") === "state pull");
    expect(pulls.map((call) => call.stack).sort()).toEqual(PHASE_STACKS.slice(1).sort());
    expect(pulls.every((call) => call.cwd.includes(`${join("dev", "state")}`))).toBe(true);
    // GIVEN services' state holds a rule resource for it THEN it is managed
    const managed = await drift(servicesState);
    expect(managed.report.items.map((item) => item.kind)).not.toContain("unmanaged");
  });

  test("a held state lock: one line naming the holder and the lock, exit 1; every other phase is still checked", async () => {
    const w = world();
    const failure = LOCK_OUTPUT.trim().replace(/\n/g, "\\n");
    expect(await w.run("drift dev", { FAKE_TF_FAIL: `${FOUNDATION}:plan:${failure}` })).toBe(1);
    const line = w.stderr.find((text) => text.startsWith(`sentry-ops: [${FOUNDATION}] drift plan failed:`));
    expect(line).toMatch(
      new RegExp(`^sentry-ops: \\[${FOUNDATION}\\] drift plan failed: the state is locked by alice@ops-laptop \\(terraform apply, Terraform 1\\.11\\.4\\) since 2026-11-30T08:12:03Z \\(.* ago\\), state acme-sentry-tf-state/env:/dev/sentry/foundation\\.tfstate, lock ID ${LOCK_ID}: wait for it to finish and run again; only when that holder is gone \\(its terraform no longer runs\\), run \`TF_WORKSPACE=dev terraform force-unlock ${LOCK_ID}\` in \\S+/stacks/${FOUNDATION} \\(full output: \\S+\\) \\(see docs/troubleshooting\\.md#held-state-lock\\)$`),
    );
    expect(line).not.toContain("\n");
    expect(w.stdout.join("")).toContain(`${FOUNDATION}: not checked: its plan failed\n`);
    for (const stack of PHASE_STACKS.slice(1)) expect(w.stdout.join("")).toContain(`${stack}: no drift\n`);
    expect(fakeCalls(w.fake).filter((call) => call.args[0] === "plan").map((call) => call.stack).sort()).toEqual([...PHASE_STACKS].sort());
  });
});
