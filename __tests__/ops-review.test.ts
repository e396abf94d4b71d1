import { readFileSync } from "fs";
import { join } from "path";
import { buildReview, NO_APPROVALS, Review, reviewExitCode, StackPlan } from "../src/ops/review/model";
import { isFirstDeployment, parsePlanJson, PlanJson } from "../src/ops/review/plan-json";
import { diffPolicies, parsePolicy } from "../src/ops/review/policy-diff";
import { REVIEW_FORMATS, renderReview } from "../src/ops/review/render";

const FIXTURES = join(__dirname, "fixtures", "plans");
const fixture = (name: string): PlanJson => parsePlanJson(readFileSync(join(FIXTURES, `${name}.json`), "utf8"), name);

// GIVEN a foundation plan with every kind of change, and a first deployment of another stack
const CHANGES: StackPlan = { phase: "foundation", stack: "sentry-foundation-dev", plan: fixture("changes") };
const FIRST: StackPlan = { phase: "data", stack: "sentry-data-dev", plan: fixture("first-deployment") };
const review = buildReview([CHANGES, FIRST]);

const securityItem = (r: Review, address: string) => {
  const found = r.security.find((item) => item.address === address);
  if (!found) throw new Error(`no security item ${address}`);
  return found;
};
const lines = (r: Review, address: string) => securityItem(r, address).lines.map((line) => `${line.sign} ${line.text}`);

describe("plan review model", () => {
  test("counts per phase and in total; no-ops are not counted", () => {
    expect(review.phases[0].counts).toEqual({ create: 4, update: 12, replace: 1, delete: 2, read: 1, import: 0, forget: 0 });
    expect(review.phases[1].counts).toEqual({ create: 3, update: 0, replace: 0, delete: 0, read: 1, import: 0, forget: 0 });
    expect(review.totals).toEqual({ create: 7, update: 12, replace: 1, delete: 2, read: 2, import: 0, forget: 0 });
  });

  test("a phase that was not planned is listed with its note", () => {
    const withNote = buildReview([CHANGES, { phase: "services", stack: "sentry-services-dev", note: "not planned: waits" }]);
    expect(withNote.phases[1]).toMatchObject({ planned: false, note: "not planned: waits" });
  });

  test("blocking: deletes and replacements of stateful types, with the attribute forcing the replacement", () => {
    expect(review.dataLoss.map(({ address, action, forcedBy }) => ({ address, action, forcedBy }))).toEqual([
      { address: "aws_dynamodb_table.config_table", action: "replace", forcedBy: ["hash_key"] },
      { address: "aws_sqs_queue.audit_events_dlq", action: "delete", forcedBy: [] },
    ]);
  });

  test("an added IAM action broadens; the statements added and removed are listed", () => {
    expect(securityItem(review, "aws_iam_role_policy.oms_execution_policy").broadening).toBe("yes");
    expect(lines(review, "aws_iam_role_policy.oms_execution_policy")).toEqual([
      "- policy: Allow s3:GetObject on arn:aws:s3:::sentry-env-dev/app.env",
      "+ policy: Allow s3:GetObject, s3:PutObject on arn:aws:s3:::sentry-env-dev/app.env",
    ]);
  });

  test("a removed action narrows and needs no approval", () => {
    const item = securityItem(review, "aws_iam_role_policy.websocket_execution_policy");
    expect(item).toMatchObject({ broadening: "no", needsApproval: false });
  });

  test("removing a trust condition or a Deny statement broadens", () => {
    expect(securityItem(review, "aws_iam_role.oms_task_role").broadening).toBe("yes");
    expect(securityItem(review, "aws_sqs_queue_policy.orders_bitget_policy").broadening).toBe("yes");
    expect(lines(review, "aws_sqs_queue_policy.orders_bitget_policy")).toEqual([
      '- policy: Deny sqs:* on arn:aws:sqs:us-east-1:111122223333:sentry-orders-dev for * when {"Bool":{"aws:SecureTransport":"false"}}',
    ]);
  });

  test("a policy known only after apply, or sensitive, is possibly broadening and not shown", () => {
    expect(securityItem(review, "aws_iam_role_policy.frontend_execution_policy")).toMatchObject({ broadening: "unknown", needsApproval: true });
    expect(lines(review, "aws_iam_role_policy.frontend_execution_policy")).toEqual(["~ policy (known after apply)"]);
    expect(lines(review, "aws_sns_topic_policy.alarms_policy")).toEqual(["~ policy (sensitive)"]);
  });

  test("security group rules: protocol, ports and source, added or removed", () => {
    expect(lines(review, "aws_vpc_security_group_ingress_rule.redis_from_oms")).toEqual(["+ ingress tcp 6379 from (known after apply)"]);
    expect(securityItem(review, "aws_vpc_security_group_ingress_rule.redis_from_oms").broadening).toBe("yes");
    expect(lines(review, "aws_vpc_security_group_ingress_rule.redis_from_admin")).toEqual(["- ingress tcp 6379 from 172.22.0.0/16"]);
    expect(securityItem(review, "aws_vpc_security_group_ingress_rule.redis_from_admin").broadening).toBe("no");
    expect(lines(review, "aws_security_group_rule.frontend_https")).toEqual(["+ ingress tcp 443 from 10.0.0.0/8"]);
  });

  test("attachments, public access blocks and pool settings", () => {
    expect(lines(review, "aws_iam_role_policy_attachment.instance_ssm")).toEqual(["+ managed policy arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]);
    expect(securityItem(review, "aws_s3_bucket_public_access_block.oms_artifacts").broadening).toBe("yes");
    expect(lines(review, "aws_cognito_user_pool.admin_user_pool")).toEqual(["~ mfa_configuration"]);
  });

  test("a security type whose only change is tags goes with everything else", () => {
    expect(review.security.map((item) => item.address)).not.toContain("aws_iam_role.frontend_task_role");
    expect(review.other.find((item) => item.address === "aws_iam_role.frontend_task_role")?.attributes).toEqual([{ name: "tags" }]);
  });

  test("everything else: changed attribute names, sensitive and unknown ones marked", () => {
    expect(review.other.find((item) => item.address === "aws_secretsmanager_secret_version.database_secret_version")?.attributes).toEqual([
      { name: "secret_string", hidden: "(sensitive)" },
      { name: "version_id", hidden: "(known after apply)" },
    ]);
    expect(review.other.find((item) => item.address === "aws_sqs_queue.orders_bitget")?.attributes).toEqual([{ name: "tags" }, { name: "visibility_timeout_seconds" }]);
    expect(review.other.map((item) => item.address)).not.toContain("data.aws_iam_policy_document.oms_execution_policy");
  });

  test("a stack's first deployment lists its grants but needs no approval", () => {
    const first = buildReview([FIRST]);
    expect(securityItem(first, "aws_iam_role.flow_logs_role")).toMatchObject({ broadening: "yes", needsApproval: false });
    expect(reviewExitCode(first)).toBe(0);
  });

  test("a real first deployment whose prior state lists the data sources read during the plan needs no approval", () => {
    const plan = fixture("first-deployment-data-sources");
    expect(plan.prior_state?.values?.root_module?.resources?.map((resource) => resource.mode)).toEqual(["data", "data"]);
    const first = buildReview([{ phase: "data", stack: "sentry-data-dev", plan }]);
    expect(first.phases[0].firstDeployment).toBe(true);
    expect(securityItem(first, "aws_iam_role.redis_task_role")).toMatchObject({ broadening: "yes", needsApproval: false });
    expect(securityItem(first, "aws_vpc_security_group_ingress_rule.redis_from_vpc")).toMatchObject({ broadening: "yes", needsApproval: false });
    expect(reviewExitCode(first)).toBe(0);
  });

  test("a managed resource in a child module is an existing deployment", () => {
    const inModule = { format_version: "1.2", prior_state: { values: { root_module: { resources: [{ mode: "data" as const }], child_modules: [{ resources: [{ mode: "managed" as const }] }] } } } };
    expect(isFirstDeployment(inModule)).toBe(false);
  });

  test("approvals: --approve ADDRESS (or STACK:ADDRESS) and --approve-broadening; exit 2 until all are given", () => {
    expect(reviewExitCode(review)).toBe(2);
    expect(review.pendingApprovals.filter((p) => p.reason === "data loss").map((p) => p.address)).toEqual(["aws_dynamodb_table.config_table", "aws_sqs_queue.audit_events_dlq"]);
    const broadeningOnly = buildReview([CHANGES], { addresses: [], broadening: true });
    expect(broadeningOnly.pendingApprovals.map((p) => p.reason)).toEqual(["data loss", "data loss"]);
    const all = buildReview([CHANGES], { addresses: ["aws_dynamodb_table.config_table", "sentry-foundation-dev:aws_sqs_queue.audit_events_dlq"], broadening: true });
    expect(all.pendingApprovals).toEqual([]);
    expect(reviewExitCode(all)).toBe(0);
    expect(buildReview([CHANGES], { addresses: ["sentry-data-dev:aws_sqs_queue.audit_events_dlq"], broadening: true }).pendingApprovals).toHaveLength(2);
  });
});

describe("a real plan: terraform 1.11.4 + aws 5.100.0 against moto_server, first deployment of dev foundation", () => {
  const real = buildReview([{ phase: "foundation", stack: "sentry-foundation-dev", plan: fixture("moto-foundation-dev") }]);

  test("creates and reads counted; nothing blocks a first deployment", () => {
    expect(real.totals).toEqual({ create: 82, update: 0, replace: 0, delete: 0, read: 18, import: 0, forget: 0 });
    expect(real.dataLoss).toEqual([]);
    expect(reviewExitCode(real)).toBe(0);
  });

  test("queue policies known only after apply are possibly broadening; created pools list no attribute noise", () => {
    const policies = real.security.filter((item) => item.type === "aws_sqs_queue_policy");
    expect(policies).toHaveLength(18);
    expect(policies.every((item) => item.broadening === "unknown" && !item.needsApproval)).toBe(true);
    expect(real.security.find((item) => item.address === "aws_cognito_user_pool.admin_user_pool")?.lines).toEqual([]);
  });

  test.each(REVIEW_FORMATS)("%s: the secret placeholders' values do not appear", (format) => {
    expect(readFileSync(join(FIXTURES, "moto-foundation-dev.json"), "utf8")).toContain("api_secret");
    const text = renderReview(real, format);
    for (const keyInsideASecretValue of ["api_secret", "passphrase", "connection_string"]) expect(text).not.toContain(keyInsideASecretValue);
  });
});

describe("policy diff", () => {
  const doc = (...statements: object[]) => parsePolicy(JSON.stringify({ Statement: statements }));
  const allow = { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: "arn:aws:sqs:us-east-1:1:q" };

  test("a new resource or principal broadens; the same grant reordered does not", () => {
    expect(diffPolicies(doc(allow), doc({ ...allow, Resource: ["arn:aws:sqs:us-east-1:1:q", "arn:aws:sqs:us-east-1:1:r"] })).broadening).toBe("yes");
    expect(diffPolicies(doc({ ...allow, Principal: { AWS: "a" } }), doc({ ...allow, Principal: { AWS: ["a", "b"] } })).broadening).toBe("yes");
    expect(diffPolicies(doc(allow, { ...allow, Action: "sqs:ReceiveMessage" }), doc({ ...allow, Action: "sqs:ReceiveMessage" }, allow))).toEqual({ added: [], removed: [], broadening: "no" });
  });

  test("an added Deny narrows; a removed condition on an Allow broadens", () => {
    expect(diffPolicies(doc(allow), doc(allow, { ...allow, Effect: "Deny" })).broadening).toBe("no");
    expect(diffPolicies(doc({ ...allow, Condition: { Bool: { "aws:SecureTransport": "true" } } }), doc(allow)).broadening).toBe("yes");
  });

  const broadening = (before: object, after: object) => diffPolicies(doc(before), doc(after)).broadening;
  const everything = { Effect: "Allow", Resource: "*" };
  const denyAll = { Effect: "Deny", Action: "*", Resource: "*" };

  test("NotAction / NotResource of an Allow are one set: removing an item grants it, adding one narrows", () => {
    expect(broadening({ ...everything, NotAction: ["iam:*", "s3:DeleteBucket"] }, { ...everything, NotAction: "iam:*" })).toBe("yes");
    expect(broadening({ ...everything, NotAction: "iam:*" }, { ...everything, NotAction: ["iam:*", "s3:DeleteBucket"] })).toBe("no");
    expect(broadening({ ...everything, NotAction: ["iam:*", "s3:DeleteBucket"] }, { ...everything, NotAction: ["s3:DeleteBucket", "iam:*"] })).toBe("no");
    const notResource = { Effect: "Allow", Action: "s3:GetObject" };
    expect(broadening({ ...notResource, NotResource: ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"] }, { ...notResource, NotResource: "arn:aws:s3:::a/*" })).toBe("yes");
    expect(broadening({ ...notResource, NotResource: "arn:aws:s3:::a/*" }, { ...notResource, NotResource: ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"] })).toBe("no");
  });

  test("an Allow's NotAction never counts as covered by a narrower Action list", () => {
    expect(broadening({ ...everything, Action: "s3:GetObject" }, { ...everything, NotAction: "iam:*" })).toBe("yes");
    expect(broadening({ ...everything, NotAction: "iam:*" }, { ...everything, Action: "s3:GetObject" })).toBe("no");
    expect(broadening({ ...everything, NotAction: "s3:*" }, { ...everything, Action: "s3:GetObject" })).toBe("yes");
  });

  test("a Deny's Not* list: adding an item exempts it (broadens), removing one denies more (narrows)", () => {
    expect(broadening({ ...denyAll, Action: undefined, NotAction: "sts:AssumeRole" }, { ...denyAll, Action: undefined, NotAction: ["sts:AssumeRole", "s3:*"] })).toBe("yes");
    expect(broadening({ ...denyAll, Action: undefined, NotAction: ["sts:AssumeRole", "s3:*"] }, { ...denyAll, Action: undefined, NotAction: "sts:AssumeRole" })).toBe("no");
    const exceptAdmins = (arns: string[]) => ({ ...denyAll, NotPrincipal: { AWS: arns } });
    expect(broadening(exceptAdmins(["arn:aws:iam::1:role/admin"]), exceptAdmins(["arn:aws:iam::1:role/admin", "arn:aws:iam::1:role/dev"]))).toBe("yes");
    expect(broadening(exceptAdmins(["arn:aws:iam::1:role/admin", "arn:aws:iam::1:role/dev"]), exceptAdmins(["arn:aws:iam::1:role/admin"]))).toBe("no");
  });

  test("NotPrincipal of an Allow: removing a principal from it grants that principal", () => {
    const allowAllBut = (arns: string[]) => ({ ...allow, NotPrincipal: { AWS: arns } });
    expect(broadening(allowAllBut(["arn:aws:iam::1:root", "arn:aws:iam::2:root"]), allowAllBut(["arn:aws:iam::1:root"]))).toBe("yes");
    expect(broadening(allowAllBut(["arn:aws:iam::1:root"]), allowAllBut(["arn:aws:iam::1:root", "arn:aws:iam::2:root"]))).toBe("no");
  });

  test("an action or resource already held by a wildcard is narrowing, not broadening", () => {
    expect(broadening({ ...allow, Action: "s3:*" }, { ...allow, Action: "s3:GetObject" })).toBe("no");
    expect(broadening({ ...allow, Action: "s3:*" }, { ...allow, Action: ["s3:*", "s3:GetObject"] })).toBe("no");
    expect(broadening({ ...allow, Action: "s3:Get*" }, { ...allow, Action: "s3:GetObjectVersion" })).toBe("no");
    expect(broadening({ ...allow, Action: "s3:Get*" }, { ...allow, Action: "s3:*" })).toBe("yes");
    expect(broadening({ ...allow, Resource: "*" }, { ...allow, Resource: "arn:aws:sqs:us-east-1:1:q" })).toBe("no");
    expect(broadening({ ...allow, Resource: "arn:aws:s3:::b/*" }, { ...allow, Resource: "arn:aws:s3:::b/app.env" })).toBe("no");
    expect(broadening({ ...allow, Resource: "arn:aws:s3:::b/app.env" }, { ...allow, Resource: "arn:aws:s3:::b/*" })).toBe("yes");
  });

  test("action names compare case-insensitively; ARNs do not", () => {
    expect(broadening({ ...allow, Action: "SQS:SendMessage" }, { ...allow, Action: "sqs:sendmessage" })).toBe("no");
    expect(broadening({ ...allow, Resource: "arn:aws:s3:::Bucket" }, { ...allow, Resource: "arn:aws:s3:::bucket" })).toBe("yes");
  });

  test("an added condition on an Allow narrows; a changed one counts as broadening", () => {
    const secure = { Bool: { "aws:SecureTransport": "true" } };
    expect(broadening(allow, { ...allow, Condition: secure })).toBe("no");
    expect(broadening({ ...allow, Condition: secure }, { ...allow, Condition: { ...secure, StringEquals: { "aws:SourceAccount": "1" } } })).toBe("no");
    expect(broadening({ ...allow, Condition: secure }, { ...allow, Condition: { Bool: { "aws:SecureTransport": "false" } } })).toBe("yes");
  });

  test("a Deny gaining a condition denies less (broadens); one losing it denies more (narrows)", () => {
    const secure = { Bool: { "aws:SecureTransport": "false" } };
    expect(broadening(denyAll, { ...denyAll, Condition: secure })).toBe("yes");
    expect(broadening({ ...denyAll, Condition: secure }, denyAll)).toBe("no");
  });
});

describe("a real plan: tainted, -replace, import, forget (removed block), output changes (terraform 1.11.4, terraform_data)", () => {
  const plan = fixture("lifecycle-actions");
  const lifecycle = buildReview([{ phase: "services", stack: "sentry-services-dev", plan }]);
  const item = (address: string) => lifecycle.other.find((other) => other.address === address);

  test("imports and forgets are counted; an imported resource also counts its own action", () => {
    expect(lifecycle.totals).toEqual({ create: 0, update: 2, replace: 2, delete: 0, read: 0, import: 1, forget: 1 });
  });

  test("replacements say why (action_reason); imports and forgets are listed", () => {
    expect(item("terraform_data.b")).toMatchObject({ action: "replace", reason: "tainted" });
    expect(item("terraform_data.c")).toMatchObject({ action: "replace", reason: "requested with -replace" });
    expect(item("terraform_data.d")).toMatchObject({ action: "forget", reason: "removed from the configuration" });
    expect(item("terraform_data.e")).toMatchObject({ action: "update", importing: true });
    const text = renderReview(lifecycle, "text");
    expect(text).toContain("  sentry-services-dev terraform_data.b: replace (tainted)");
    expect(text).toContain("  sentry-services-dev terraform_data.c: replace (requested with -replace)");
    expect(text).toContain("  sentry-services-dev terraform_data.e: import and update");
  });

  test("output changes are listed by name, never by value", () => {
    expect(lifecycle.phases[0].outputChanges).toEqual(["+added", "~endpoint", "~token"]);
    expect(readFileSync(join(FIXTURES, "lifecycle-actions.json"), "utf8")).toContain("SuperSecretOutput-2");
    for (const format of REVIEW_FORMATS) {
      const text = renderReview(lifecycle, format);
      expect(text).toContain("~token");
      expect(text).not.toMatch(/SuperSecretOutput|one-changed/);
    }
  });

  test("a partial plan (deferred changes) says to plan again after deploy", () => {
    const partial = buildReview([{ phase: "services", stack: "sentry-services-dev", plan: { ...plan, complete: false } }]);
    expect(partial.phases[0].partial).toBe(true);
    expect(lifecycle.phases[0].partial).toBe(false);
    expect(renderReview(partial, "text")).toContain("  sentry-services-dev: plan is partial (changes deferred until values are known); run plan again after deploy\n");
  });
});

/** One resource change of `type` (address `<type>.it`), in the plan of a stack `s` that already exists. */
const change = (type: string, actions: string[], before: object | null, after: object | null) => ({
  address: `${type}.it`,
  mode: "managed" as const,
  type,
  name: "it",
  change: { actions: actions as ("create" | "update" | "delete")[], before, after, after_unknown: {}, before_sensitive: {}, after_sensitive: {} },
});
const existing = { prior_state: { values: { root_module: { resources: [{ mode: "managed" as const }] } } } };
const reviewOf = (...resources: ReturnType<typeof change>[]) => buildReview([{ phase: "cicd", stack: "s", plan: { format_version: "1.2", ...existing, resource_changes: resources } }]);

describe("security-sensitive types and attributes", () => {
  const policy = (action: string) => JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: action, Resource: "*" }] });

  test("a policy document is read on any type, e.g. a queue's own policy; other changes of that type stay in everything else", () => {
    const r = reviewOf(change("aws_sqs_queue", ["update"], { name: "q", policy: policy("sqs:SendMessage") }, { name: "q", policy: policy("sqs:*") }));
    expect(lines(r, "aws_sqs_queue.it")).toEqual(["- policy: Allow sqs:SendMessage on * for *", "+ policy: Allow sqs:* on * for *"]);
    expect(securityItem(r, "aws_sqs_queue.it")).toMatchObject({ broadening: "yes", needsApproval: true });
    const unrelated = reviewOf(change("aws_sqs_queue", ["update"], { policy: policy("sqs:*"), delay_seconds: 0 }, { policy: policy("sqs:*"), delay_seconds: 5 }));
    expect(unrelated.security).toEqual([]);
    expect(unrelated.other[0].attributes).toEqual([{ name: "delay_seconds" }]);
    expect(reviewOf(change("aws_ecr_lifecycle_policy", ["update"], { policy: '{"rules":[]}' }, { policy: '{"rules":[{}]}' })).security).toEqual([]);
  });

  test("a task definition's roles, a build's privileged mode, instance metadata tokens", () => {
    const task = reviewOf(change("aws_ecs_task_definition", ["delete", "create"], { task_role_arn: "arn:aws:iam::1:role/a", cpu: "256" }, { task_role_arn: "arn:aws:iam::1:role/b", cpu: "256" }));
    expect(lines(task, "aws_ecs_task_definition.it")).toEqual(["~ task_role_arn: arn:aws:iam::1:role/a -> arn:aws:iam::1:role/b"]);
    expect(securityItem(task, "aws_ecs_task_definition.it").broadening).toBe("unknown");
    const build = reviewOf(change("aws_codebuild_project", ["update"], { environment: [{ privileged_mode: false }] }, { environment: [{ privileged_mode: true }] }));
    expect(lines(build, "aws_codebuild_project.it")).toEqual(["+ privileged_mode on (the build runs Docker with host privileges)"]);
    expect(securityItem(build, "aws_codebuild_project.it").broadening).toBe("yes");
    const template = reviewOf(change("aws_launch_template", ["update"], { metadata_options: [{ http_tokens: "required" }] }, { metadata_options: [{ http_tokens: "optional" }] }));
    expect(securityItem(template, "aws_launch_template.it").broadening).toBe("yes");
  });

  test("the default security group's rules are read like a security group's", () => {
    const rule = { protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["0.0.0.0/0"] };
    const r = reviewOf(change("aws_default_security_group", ["update"], { ingress: [] }, { ingress: [rule] }));
    expect(lines(r, "aws_default_security_group.it")).toEqual(["+ ingress tcp 22 from 0.0.0.0/0"]);
  });
});

describe("a planned change that weakens a control: named in the security section and the summary, no approval", () => {

  test.each([
    ["aws_kms_key", ["update"], { enable_key_rotation: true, description: "k" }, { enable_key_rotation: false, description: "k" }, ["key rotation"]],
    ["aws_dynamodb_table", ["update"], { point_in_time_recovery: [{ enabled: true }] }, { point_in_time_recovery: [{ enabled: false }] }, ["point-in-time recovery"]],
    ["aws_cloudwatch_metric_alarm", ["update"], { actions_enabled: true }, { actions_enabled: false }, ["alarm actions"]],
    ["aws_lb_listener", ["update"], { ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }, { ssl_policy: "ELBSecurityPolicy-2016-08" }, ["TLS policy"]],
    ["aws_flow_log", ["delete"], { traffic_type: "ALL" }, null, ["flow logs"]],
    ["aws_wafv2_web_acl_association", ["delete"], { resource_arn: "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/a/b" }, null, ["WAF association"]],
  ])("%s %j: weakens %j", (type, actions, before, after, controls) => {
    const r = reviewOf(change(type, actions, before, after));
    expect(securityItem(r, `${type}.it`).weakens).toEqual(controls);
    expect(r.other).toEqual([]);
    const text = renderReview(r, "text");
    expect(text).toContain(`  s ${type}.it: ${actions[0]}, `);
    expect(text).toContain(controls.map((control) => `, weakens ${control}`).join(""));
    expect(text).toContain("1 change weakens a control (section 2): check that it is intended. ");
    expect(renderReview(r, "markdown")).toContain(`weakens ${controls[0]}`);
    expect(JSON.parse(renderReview(r, "json")).security[0].weakens).toEqual(controls);
  });

  test("a table's point-in-time recovery turned off: in the security section with the attribute that changes; exit 0, nothing to approve", () => {
    const r = reviewOf(change("aws_dynamodb_table", ["update"], { point_in_time_recovery: [{ enabled: true }], tags: {} }, { point_in_time_recovery: [{ enabled: false }], tags: {} }));
    expect(lines(r, "aws_dynamodb_table.it")).toEqual(["~ point_in_time_recovery"]);
    expect(r.pendingApprovals).toEqual([]);
    expect(reviewExitCode(r)).toBe(0);
    expect(renderReview(r, "text")).toContain("  s aws_dynamodb_table.it: update, not broadening, weakens point-in-time recovery\n      ~ point_in_time_recovery\n");
    expect(renderReview(r, "text")).toContain("\n1 change weakens a control (section 2): check that it is intended. Nothing needs approval.\n");
  });

  test("turning a control on, or a change beside it, weakens nothing; a destroy review names no weakening", () => {
    const on = reviewOf(change("aws_kms_key", ["update"], { enable_key_rotation: false }, { enable_key_rotation: true }));
    expect(securityItem(on, "aws_kms_key.it").weakens).toEqual([]);
    expect(renderReview(on, "text")).not.toContain("weaken");
    const beside = reviewOf(change("aws_dynamodb_table", ["update"], { point_in_time_recovery: [{ enabled: true }], read_capacity: 1 }, { point_in_time_recovery: [{ enabled: true }], read_capacity: 2 }));
    expect(beside.security).toEqual([]);
    const plan: PlanJson = { format_version: "1.2", resource_changes: [change("aws_flow_log", ["delete"], { traffic_type: "ALL" }, null)] };
    expect(renderReview(buildReview([{ phase: "foundation", stack: "s", plan }], NO_APPROVALS, "destroy"), "text")).not.toContain("weaken");
  });
});

describe("destroy review", () => {
  const destroyPlan: PlanJson = {
    format_version: "1.2",
    resource_changes: [
      { address: "aws_dynamodb_table.config_table", mode: "managed", type: "aws_dynamodb_table", name: "config_table", change: { actions: ["delete"], before: { name: "sentry-config-dev" }, after: null } },
      { address: "aws_iam_role_policy.oms_execution_policy", mode: "managed", type: "aws_iam_role_policy", name: "oms_execution_policy", change: { actions: ["delete"], before: { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k" }] }) }, after: null } },
      { address: "aws_cloudwatch_metric_alarm.queue_depth", mode: "managed", type: "aws_cloudwatch_metric_alarm", name: "queue_depth", change: { actions: ["delete"], before: {}, after: null } },
    ],
  };
  const destroy = buildReview([{ phase: "foundation", stack: "sentry-foundation-dev", plan: destroyPlan }], NO_APPROVALS, "destroy");

  test("lists what is deleted and flags what holds data, with no approval to give", () => {
    expect(destroy.dataLoss).toMatchObject([{ address: "aws_dynamodb_table.config_table", needsApproval: false }]);
    expect(destroy.pendingApprovals).toEqual([]);
    expect(reviewExitCode(destroy)).toBe(0);
    const text = renderReview(destroy, "text");
    expect(text).toContain("1. Data lost: resources holding data or identity\n  sentry-foundation-dev aws_dynamodb_table.config_table: delete, data is lost\n");
    expect(text).toContain("sentry-foundation-dev aws_cloudwatch_metric_alarm.queue_depth: delete");
    expect(text).toContain("Destroys 3 resources; 1 of them hold data or identity, which is lost.");
    for (const format of REVIEW_FORMATS.filter((f) => f !== "json")) expect(renderReview(destroy, format)).not.toMatch(/approv/i);
  });
});

describe("review output", () => {
  const SECRETS = ["SuperSecretValue-123", "SuperSecretValue-456", "SuperSecretValue-789", "SuperSecretValue-790", "SuperSecretValue-policy"];

  test("the fixture really carries the secrets the outputs must not show", () => {
    const raw = readFileSync(join(FIXTURES, "changes.json"), "utf8");
    for (const secret of SECRETS) expect(raw).toContain(secret);
  });

  test.each(REVIEW_FORMATS)("%s: no sensitive value appears", (format) => {
    const text = renderReview(review, format);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).toContain("(sensitive)");
  });

  test("text has the three sections and the approvals to give", () => {
    const text = renderReview(review, "text");
    expect(text).toMatch(/1\. Blocking: data loss\n {2}sentry-foundation-dev aws_dynamodb_table\.config_table: replace \(forced by hash_key\) \[needs --approve\]/);
    expect(text).toContain("2. Security-sensitive changes");
    expect(text).toContain("3. Everything else");
    expect(text).toContain("  sentry-foundation-dev:aws_dynamodb_table.config_table (data loss)");
    expect(renderReview(buildReview([FIRST]), "text")).toContain("Nothing needs approval.");
  });

  test("markdown fits a pull-request comment: tables, no unescaped pipes in cells", () => {
    const markdown = renderReview(review, "markdown");
    expect(markdown).toContain("| `sentry-foundation-dev` | `aws_dynamodb_table.config_table` | replace | hash_key | **needs `--approve`** |");
    for (const row of markdown.split("\n").filter((line) => line.startsWith("| `sentry-foundation-dev`"))) expect(row.split(/(?<!\\)\|/).length).toBe(7);
  });

  test("json is the model", () => {
    expect(JSON.parse(renderReview(review, "json"))).toEqual(JSON.parse(JSON.stringify(review)));
  });

  test("an empty plan reviews to nothing", () => {
    const empty = buildReview([{ phase: "cicd", stack: "sentry-cicd-dev", plan: { format_version: "1.2" } }], NO_APPROVALS);
    expect(renderReview(empty, "text")).toContain("1. Blocking: data loss\n  none");
  });
});
