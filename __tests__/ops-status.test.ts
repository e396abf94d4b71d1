import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { createServer, IncomingHttpHeaders } from "http";
import { AddressInfo } from "net";
import { tmpdir } from "os";
import { join } from "path";
import { runCli } from "../src/ops/cli";
import { OpsDependencies } from "../src/ops/commands";
import { PlanStore } from "../src/ops/plan-store";
import { TerraformCall, TerraformResult, TerraformRunner } from "../src/ops/runner";
import { fetchLive } from "../src/ops/status/collect";
import { awsFailure, CertificateFacts, sdkStatusAws, ServiceFacts, StateObject, StatusAws, SubscriptionFacts } from "../src/ops/status/live";
import { buildStatus, LiveFacts, liveQueries, PhaseInput, stateObjectOf, StatusModel, statusExitCode } from "../src/ops/status/model";
import { renderStatus } from "../src/ops/status/render";
import { parseState, TerraformState } from "../src/ops/status/state";
import { parseBackendConfig } from "../src/ops/backend-config";
import { credentialsFound, neverSynthesizes, noCredentials } from "./support/ops-world";
import { durationSeconds } from "../src/ops/backend-config";
import { CredentialsMissing, CredentialsResolver } from "../src/ops/credentials";
import { testConfig, TEST_OPERATOR_VARIABLES } from "./support/synth";

/**
 * `sentry-ops status`. The states are real: `terraform state pull` after applying small configurations with the
 * project's names (VPC, Cognito, tables, the queues of the config with DLQs, secrets with placeholder versions, the alarm topic's
 * e-mail subscription, a DNS-validated certificate, clusters, task definitions, services, a CodeStar
 * connection) to moto_server (`fixtures/states/README.md`). AWS's answers are stubs.
 */

const PHASES = ["foundation", "data", "compute", "services", "cicd"] as const;
const STATES_DIR = join(__dirname, "fixtures", "states");
const DEV = testConfig("dev");

/** Names the foundation gives what the config lists (`sentry-<queue>-dev[.fifo]`, `sentry-<table>-dev`, `sentry/dev/<secret>`). */
const CONFIGURED_NAMES: Readonly<Record<string, readonly string[]>> = {
  aws_sqs_queue: DEV.queues.map((queue) => `sentry-${queue.name}-dev${queue.type === "fifo" ? ".fifo" : ""}`),
  aws_dynamodb_table: Object.keys(DEV.tables).map((table) => `sentry-${table}-dev`),
  aws_secretsmanager_secret: Object.keys(DEV.secrets).map((secret) => `sentry/dev/${secret}`),
};

/**
 * The recorded state of `phase` (`fixtures/states/README.md`), plus, for each queue, table or secret src/config
 * lists and the recording lacks, a copy of a recorded instance of its type under the name the foundation gives
 * it: a resource added in one place (docs/configuration.md "Adding a queue, table, secret or alarm") needs no
 * new recording.
 */
function rawState(phase: string): string {
  const recorded = readFileSync(join(STATES_DIR, `moto-${phase}-dev.tfstate`), "utf8");
  if (phase !== "foundation") return recorded;
  const state = JSON.parse(recorded) as { resources: { mode: string; type: string; instances: { index_key?: string; attributes: Record<string, unknown> }[] }[] };
  for (const [type, names] of Object.entries(CONFIGURED_NAMES)) {
    const blocks = state.resources.filter((resource) => resource.mode === "managed" && resource.type === type);
    const recordedNames = blocks.flatMap((block) => block.instances.map((instance) => instance.attributes.name));
    const [template] = blocks[0].instances;
    for (const name of names.filter((candidate) => !recordedNames.includes(candidate))) {
      const arn = String(template.attributes.arn).replace(String(template.attributes.name), name);
      blocks[0].instances.push({ ...template, index_key: name, attributes: { ...template.attributes, name, arn, id: arn } });
    }
  }
  return JSON.stringify(state);
}
const STATES = new Map(PHASES.map((phase) => [phase, parseState(rawState(phase), phase) as TerraformState]));
/** The placeholder value Terraform wrote into every secret of the fixture: it must never be printed. */
const PLACEHOLDER_VALUE = "replace me";

const attributesOf = (phase: string, type: string): Record<string, any>[] =>
  (STATES.get(phase as (typeof PHASES)[number])?.resources ?? []).filter((r) => r.type === type).flatMap((r) => (r.instances ?? []).map((i) => i.attributes as Record<string, any>));
const CERTIFICATE_ARN: string = attributesOf("foundation", "aws_acm_certificate")[0].arn;
const CONNECTION_ARN: string = attributesOf("cicd", "aws_codestarconnections_connection")[0].arn;
const TOPIC_ARN: string = attributesOf("foundation", "aws_sns_topic")[0].arn;
const secretArn = (name: string): string => attributesOf("foundation", "aws_secretsmanager_secret").find((s) => s.name === `sentry/dev/${name}`)?.arn;
const placeholderVersion = (name: string): string => attributesOf("foundation", "aws_secretsmanager_secret_version").find((v) => v.secret_id === secretArn(name))?.version_id;
const SERVICES = attributesOf("services", "aws_ecs_service").map((s) => ({ name: s.name as string, cluster: s.cluster as string }));

function inputs(states: ReadonlyMap<string, TerraformState | undefined> = STATES): PhaseInput[] {
  return PHASES.map((phase) => ({ phase, stack: `sentry-${phase}-dev`, state: states.get(phase), lastWrite: "2026-11-30T08:00:00.000Z", planWaiting: false }));
}

/** What AWS says once a person has done everything. */
function settled(): LiveFacts {
  return {
    certificates: new Map([[CERTIFICATE_ARN, { status: "ISSUED", records: [] }]]),
    connections: new Map([[CONNECTION_ARN, "AVAILABLE"]]),
    subscriptions: new Map([[TOPIC_ARN, [{ protocol: "email", endpoint: "oncall@example.com", arn: `${TOPIC_ARN}:0b8c1a4e` }]]]),
    secretStages: new Map(["exchange-credentials", "database"].map((name) => [secretArn(name), { [placeholderVersion(name)]: ["AWSPREVIOUS"], "edited-by-a-person": ["AWSCURRENT"] }])),
    services: SERVICES.map((s) => ({ ...s, status: "ACTIVE", running: 1, desired: 1, rollout: "COMPLETED" })),
  };
}

const PENDING_RECORD = { name: "_3f1c.admin.trading.example.com.", type: "CNAME", value: "_9ab2.acm-validations.aws." };

/** Everything a person still has to do after a first deployment. */
function fresh(): LiveFacts {
  return {
    certificates: new Map([[CERTIFICATE_ARN, { status: "PENDING_VALIDATION", records: [PENDING_RECORD, PENDING_RECORD] }]]),
    connections: new Map([[CONNECTION_ARN, "PENDING"]]),
    subscriptions: new Map([[TOPIC_ARN, [{ protocol: "email", endpoint: "oncall@example.com", arn: "PendingConfirmation" }]]]),
    secretStages: new Map(["exchange-credentials", "database"].map((name) => [secretArn(name), { [placeholderVersion(name)]: ["AWSCURRENT"] }])),
    services: SERVICES.map((s) => ({ ...s, status: "ACTIVE", running: s.name.includes("oms") ? 0 : 1, desired: 1, rollout: s.name.includes("oms") ? "IN_PROGRESS" : "COMPLETED" })),
  };
}

describe("the model, from real state", () => {
  test("asks AWS about the certificate, the connection, the alarm topic, the secrets a person fills and every service", () => {
    const queries = liveQueries(DEV, inputs());
    expect(queries.certificates).toEqual([CERTIFICATE_ARN]);
    expect(queries.connections).toEqual([CONNECTION_ARN]);
    expect(queries.topics).toEqual([TOPIC_ARN]);
    const personFilled = Object.entries(DEV.secrets).filter(([, secret]) => secret.filledBy === "person").map(([name]) => name);
    expect(personFilled).toEqual(expect.arrayContaining(["exchange-credentials", "database"]));
    expect([...queries.secrets].sort()).toEqual(personFilled.map(secretArn).sort());
    expect(queries.secrets).not.toContain(secretArn("redis"));
    expect(queries.services.map((s) => s.name).sort()).toEqual(["sentry-frontend-dev", "sentry-oms-dev", "sentry-websocket-dev"]);
  });

  test("a settled environment is complete: every phase deployed, every checklist item ticked with the names found, exit 0", () => {
    const model = buildStatus(DEV, inputs(), settled());
    expect(model.actions).toEqual([]);
    expect(model.checklist.filter((item) => !item.done)).toEqual([]);
    expect(model.complete).toBe(true);
    expect(statusExitCode(model)).toBe(0);
    const item = (name: RegExp) => model.checklist.find((i) => name.test(i.item));
    // VPC, Cognito, Redis, the secrets: one item each; then one per table, cluster and service.
    expect(model.checklist).toHaveLength(5 + Object.keys(DEV.tables).length + Object.keys(DEV.clusters).length + DEV.services.length);
    expect(item(/^VPC NonProd/)?.found[0]).toMatch(/^vpc-\w+ .* in us-east-1a, us-east-1b, 1 NAT gateway \(us-east-1a\)$/);
    expect(item(new RegExp(`^SQS queues \\(${DEV.queues.length}[;)]`))?.found).toHaveLength(DEV.queues.length);
    expect(item(/^SQS queues/)?.found).toContain("sentry-executions-dev.fifo");
    expect(item(/^Cognito/)?.found).toEqual(["sentry-admin-dev"]);
    expect(item(/^DynamoDB config/)?.found).toEqual(["sentry-config-dev"]);
    expect(item(/^DynamoDB trading/)?.found).toEqual(["sentry-trading-dev"]);
    expect([...(item(/^Secrets Manager \(\d+\)$/)?.found ?? [])].sort()).toEqual(CONFIGURED_NAMES.aws_secretsmanager_secret.slice().sort());
    expect(item(/^ElastiCache Redis/)?.found).toEqual(["sentry-redis-dev"]);
    expect(item(/^ECS cluster oms/)?.found).toEqual(["sentry-oms-dev"]);
    expect(item(/^ECS cluster frontend/)?.found).toEqual(["sentry-frontend-dev"]);
    expect(item(/^Task definition oms \(with the exchange credentials secret\)/)?.found[0]).toMatch(/^sentry-oms-dev:1 \(EXCHANGE_API_KEY, EXCHANGE_API_SECRET from sentry\/dev\/exchange-credentials\)$/);
    expect(item(/^Task definition websocket$/)?.done).toBe(true);
    expect(model.phases.map((p) => [p.phase, p.deployed, p.resources > 0, typeof p.serial])).toEqual(PHASES.map((phase) => [phase, true, true, "number"]));
  });

  test("after a first deployment: certificate records, the handshake, the mail to confirm, both placeholder secrets, the OMS service below desired", () => {
    const model = buildStatus(DEV, inputs(), fresh());
    expect(model.actions.map((a) => a.kind)).toEqual(["certificate", "connection", "subscription", "secret", "secret", "service"]);
    const [certificate, connection, subscription, ...rest] = model.actions;
    expect(certificate.text).toMatch(/PENDING_VALIDATION: add these DNS records/);
    expect(certificate.detail).toEqual(["_3f1c.admin.trading.example.com. CNAME _9ab2.acm-validations.aws."]);
    expect(connection.text).toMatch(/PENDING: complete the GitHub handshake \(console: Developer Tools > Settings > Connections > sentry-github-dev > Update pending connection\)/);
    expect(subscription.text).toMatch(/unconfirmed: follow the link .* to oncall@example.com/);
    expect(rest.slice(0, 2).map((a) => a.subject).sort()).toEqual(["secret sentry/dev/database", "secret sentry/dev/exchange-credentials"]);
    expect(rest[2]).toMatchObject({ subject: "ECS service sentry-oms-dev (sentry-oms-dev)", text: "runs 0 of 1 tasks; last deployment IN_PROGRESS" });
    expect(statusExitCode(model)).toBe(2);
    const see = (section: string) => new RegExp(` \\(see docs/troubleshooting\\.md#${section}\\)$`);
    expect(certificate.text).toMatch(see("certificate-pending"));
    expect(connection.text).toMatch(see("codestar-connection-pending"));
    for (const secret of rest.slice(0, 2)) expect(secret.text).toMatch(see("placeholder-values"));
  });

  test("a phase whose last apply here failed is a finding with its first error and log; a later successful apply is not", () => {
    const failed = { phase: "compute", stack: "sentry-compute-dev", action: "apply", started: "2026-12-07T03:10:00.000Z", finished: "2026-12-07T03:12:00.000Z" };
    const withApply = (outcome: "failed" | "succeeded") =>
      inputs().map((input) => (input.phase === "compute" ? { ...input, lastApply: { ...failed, outcome, ...(outcome === "failed" ? { error: "Error: boom", log: "/w/logs/sentry-compute-dev.apply.log" } : {}) } } : input));
    const model = buildStatus(DEV, withApply("failed"), settled());
    expect(model.phases.find((p) => p.phase === "compute")?.lastApplyFailed).toEqual({ action: "apply", at: "2026-12-07T03:12:00.000Z", error: "Error: boom", log: "/w/logs/sentry-compute-dev.apply.log" });
    expect(model.actions).toEqual([
      {
        kind: "apply-failed",
        subject: "sentry-compute-dev",
        text: "last apply failed 2026-12-07T03:12:00.000Z: Error: boom (log: /w/logs/sentry-compute-dev.apply.log): fix the cause, then sentry-ops plan dev --phase compute, review, deploy (recorded by sentry-ops on this machine only) (see docs/troubleshooting.md#a-phase-half-applied)",
        detail: [],
      },
    ]);
    expect(statusExitCode(model)).toBe(2);
    const cleared = buildStatus(DEV, withApply("succeeded"), settled());
    expect(cleared.phases.every((p) => p.lastApplyFailed === undefined)).toBe(true);
    expect(statusExitCode(cleared)).toBe(0);
  });

  test("a secret is a placeholder only while Terraform's own version is AWSCURRENT; a deleted subscription and a missing service are reported", () => {
    const live = settled();
    const model = buildStatus(DEV, inputs(), {
      ...live,
      secretStages: new Map([[secretArn("database"), { [placeholderVersion("database")]: ["AWSCURRENT"], other: ["AWSPENDING"] }]]),
      subscriptions: new Map([[TOPIC_ARN, []]]),
      services: [{ ...SERVICES[0], status: "MISSING", running: 0, desired: 0, rolloutReason: "MISSING" }],
    });
    expect(model.actions.map((a) => `${a.subject}: ${a.text}`)).toEqual([
      expect.stringMatching(/^alarm e-mail subscription oncall@example.com to sentry-alarms-dev: is gone/),
      expect.stringMatching(/^secret sentry\/dev\/database: still holds the placeholder/),
      expect.stringMatching(/^ECS service sentry-\w+-dev \(sentry-\w+-dev\): is not found in ECS \(MISSING\)/),
    ]);
  });

  test("--phase: only that phase's checklist items count", () => {
    const model = buildStatus(DEV, inputs().filter((p) => p.phase === "data"), settled());
    expect(model.checklist.map((item) => item.item)).toEqual(["ElastiCache Redis"]);
    expect(model.complete).toBe(true);
  });

  test("never deployed: each phase not deployed, each checklist item open, exit 2", () => {
    const model = buildStatus(DEV, inputs(new Map()), { certificates: new Map(), connections: new Map(), subscriptions: new Map(), secretStages: new Map(), services: [] });
    expect(model.phases.every((p) => !p.deployed && p.resources === 0 && p.serial === undefined)).toBe(true);
    expect(model.actions.map((a) => a.text)).toEqual(PHASES.map((phase) => `not deployed: sentry-ops plan dev --phase ${phase}, review, deploy`));
    expect(model.checklist.every((item) => !item.done)).toBe(true);
    expect(statusExitCode(model)).toBe(2);
  });

  test("prod's checklist asks for the multi-AZ VPC: subnets and a NAT gateway in each configured zone, by name", () => {
    const prod = testConfig("prod");
    const zones = prod.network.availabilityZones;
    const vpc = (states: ReadonlyMap<string, TerraformState>) => buildStatus(prod, inputs(states), settled()).checklist[0];
    const single = vpc(STATES);
    expect(single).toMatchObject({ item: `VPC Prod (multi-AZ: ${zones.length} zones, a NAT gateway in each)`, done: false });
    expect(single.missing).toBe("no subnet in us-east-1c; no NAT gateway in us-east-1b, us-east-1c");
    const foundation = STATES.get("foundation") as TerraformState;
    const subnet = foundation.resources?.find((r) => r.type === "aws_subnet") as NonNullable<TerraformState["resources"]>[number];
    const nat = foundation.resources?.find((r) => r.type === "aws_nat_gateway") as NonNullable<TerraformState["resources"]>[number];
    const withNats = (natZones: readonly string[]): TerraformState => ({
      ...foundation,
      resources: [
        ...(foundation.resources ?? []).filter((r) => r.type !== "aws_nat_gateway" && r.type !== "aws_subnet"),
        { ...subnet, instances: zones.map((zone, index) => ({ index_key: index, attributes: { ...subnet.instances?.[0].attributes, id: `subnet-${zone}`, availability_zone: zone } })) },
        { ...nat, instances: natZones.map((zone, index) => ({ index_key: index, attributes: { ...nat.instances?.[0].attributes, id: `nat-${index}`, subnet_id: `subnet-${zone}` } })) },
      ],
    });
    expect(vpc(new Map([...STATES, ["foundation", withNats(zones)]]))).toMatchObject({ done: true, missing: undefined });
    // three gateways, all in the first zone's subnet: as many as zones, yet two zones lose their way out if it fails
    const crowded = vpc(new Map([...STATES, ["foundation", withNats(zones.map(() => zones[0]))]]));
    expect(crowded).toMatchObject({ done: false, missing: `no NAT gateway in ${zones.slice(1).join(", ")}` });
    expect(crowded.found[0]).toMatch(new RegExp(`, 3 NAT gateways \\(${zones[0]}\\)$`));
  });

  test("a non-prod VPC needs its configured zones by name, not a count of them", () => {
    const foundation = STATES.get("foundation") as TerraformState;
    const moved: TerraformState = {
      ...foundation,
      resources: (foundation.resources ?? []).map((r) =>
        r.type === "aws_subnet" ? { ...r, instances: (r.instances ?? []).map((i) => ({ ...i, attributes: { ...i.attributes, availability_zone: String(i.attributes?.availability_zone).replace("1b", "1d") } })) } : r,
      ),
    };
    expect(buildStatus(DEV, inputs(new Map([...STATES, ["foundation", moved]])), settled()).checklist[0]).toMatchObject({ done: false, missing: "no subnet in us-east-1b" });
  });

  test("the state object of a workspace, from the backend settings init recorded", () => {
    const backend = { backend: { type: "s3", config: { bucket: "b", key: "sentry/foundation.tfstate", region: "eu-west-1", workspace_key_prefix: "env:", endpoints: { s3: "http://127.0.0.1:5000" }, use_path_style: true } } };
    expect(stateObjectOf(backend, "dev")).toEqual({ bucket: "b", key: "env:/dev/sentry/foundation.tfstate", region: "eu-west-1", endpoint: "http://127.0.0.1:5000", pathStyle: true });
    expect(stateObjectOf({ backend: { type: "local", config: {} } }, "dev")).toBeUndefined();
  });

  test("the state object keeps how --backend-config reaches the bucket: its profile, the role it assumes (null when unset, as init records it)", () => {
    const config = { bucket: "b", key: "sentry/foundation.tfstate", region: "eu-west-1", profile: null, assume_role: null, assume_role_with_web_identity: null };
    expect(stateObjectOf({ backend: { type: "s3", config } }, "dev")).toEqual({ bucket: "b", key: "env:/dev/sentry/foundation.tfstate", region: "eu-west-1" });
    expect(stateObjectOf({ backend: { type: "s3", config: { ...config, profile: "tooling" } } }, "dev")).toMatchObject({ profile: "tooling" });
    const role = "arn:aws:iam::111111111111:role/state";
    expect(stateObjectOf({ backend: { type: "s3", config: { ...config, assume_role: { role_arn: role, session_name: null } } } }, "dev")).toEqual({
      bucket: "b",
      key: "env:/dev/sentry/foundation.tfstate",
      region: "eu-west-1",
      assumeRole: { roleArn: role },
    });
    const assumed = {
      role_arn: role,
      external_id: "acme",
      session_name: "ops",
      source_identity: "alice",
      tags: { team: "platform" },
      transitive_tag_keys: ["team"],
      policy: '{"Version":"2012-10-17","Statement":[]}',
      policy_arns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      duration: "1h30m",
    };
    const everything = { ...config, assume_role: [assumed], endpoints: { sts: "http://127.0.0.1:5000" }, sts_region: "us-east-1" };
    expect(stateObjectOf({ backend: { type: "s3", config: everything } }, "dev")?.assumeRole).toEqual({
      roleArn: role,
      externalId: "acme",
      sessionName: "ops",
      sourceIdentity: "alice",
      tags: { team: "platform" },
      transitiveTagKeys: ["team"],
      policy: assumed.policy,
      policyArns: assumed.policy_arns,
      durationSeconds: 5400,
      stsEndpoint: "http://127.0.0.1:5000",
      stsRegion: "us-east-1",
    });
    expect(["15m", "900s", "1h", "2.5h", "30m1h", ".5h", "5400000ms", "3600000000us", "1h0m0s", "0.25h1m", "-1h", "soon", "1hour"].map(durationSeconds)).toEqual([
      900, 900, 3600, 9000, 5400, 1800, 5400, 3600, 3600, 960, undefined, undefined, undefined,
    ]);
    expect(stateObjectOf({ backend: { type: "s3", config: { ...config, assume_role_with_web_identity: { role_arn: role } } } }, "dev")).toMatchObject({ webIdentityRole: role });
    const files = { ...config, shared_config_files: ["/etc/aws/config"], shared_credentials_files: ["/etc/aws/credentials"] };
    expect(stateObjectOf({ backend: { type: "s3", config: files } }, "dev")).toMatchObject({ credentialFiles: ["/etc/aws/config", "/etc/aws/credentials"] });
  });
});

describe("renderers", () => {
  const model = buildStatus(DEV, inputs(), fresh());

  test("text: the phase table, the ticked checklist, what needs a person with the DNS records; never a secret's value", () => {
    const text = renderStatus(model, "text");
    expect(text).toMatch(/^phase\s+stack\s+state\s+resources\s+serial\s+last write\s+plan waiting$/m);
    expect(text).toMatch(/^foundation\s+sentry-foundation-dev\s+deployed\s+\d+\s+\d+\s+2026-11-30T08:00:00.000Z\s+no$/m);
    expect(text).toMatch(new RegExp(`^  \\[x\\] SQS queues \\(${DEV.queues.length}[;)].*: sentry-`, "m"));
    expect(text).toContain("      _3f1c.admin.trading.example.com. CNAME _9ab2.acm-validations.aws.");
    expect(text).toMatch(/dev is not complete: 6 things for a person, 0 checklist items open\.\n$/);
    for (const format of ["text", "markdown", "json"] as const) expect(renderStatus(model, format)).not.toContain(PLACEHOLDER_VALUE);
  });

  test("markdown fits a pull-request comment; json is the model", () => {
    expect(renderStatus(model, "markdown")).toContain("- [x] ECS cluster oms: sentry-oms-dev");
    expect(JSON.parse(renderStatus(model, "json"))).toEqual(JSON.parse(JSON.stringify(model)));
  });
});

describe("AWS errors", () => {
  test("missing or expired credentials become one line naming the fix", () => {
    for (const name of ["CredentialsProviderError", "ExpiredToken", "UnrecognizedClientException"]) {
      const failure = awsFailure(Object.assign(new Error("The security token included in the request is expired\nmore"), { name }), "DescribeSecret x");
      expect(failure).toBeInstanceOf(CredentialsMissing);
      expect(failure.message).toMatch(/^no AWS credentials: \w+: The security token included in the request is expired \(see docs\/troubleshooting\.md#credentials-missing-or-expired\)$/);
    }
    const other = awsFailure(Object.assign(new Error("User is not authorized"), { name: "AccessDeniedException" }), "DescribeSecret x");
    expect(other).not.toBeInstanceOf(CredentialsMissing);
    expect(other.message).toBe("status: DescribeSecret x failed: AccessDeniedException: User is not authorized");
  });
});

/** A stub AWS recording its calls. */
class StubAws implements StatusAws {
  readonly calls: string[] = [];
  /** Where each `stateLastModified` was asked to look. */
  readonly locations: StateObject[] = [];
  constructor(
    private readonly live: LiveFacts,
    private readonly failures: { secrets?: Error; state?: Error } = {},
  ) {}
  async certificate(arn: string): Promise<CertificateFacts> {
    this.calls.push(`certificate ${arn}`);
    return this.live.certificates.get(arn) as CertificateFacts;
  }
  async connectionStatus(arn: string): Promise<string> {
    this.calls.push(`connection ${arn}`);
    return this.live.connections.get(arn) as string;
  }
  async subscriptions(topicArn: string): Promise<SubscriptionFacts[]> {
    this.calls.push(`subscriptions ${topicArn}`);
    return [...(this.live.subscriptions.get(topicArn) ?? [])];
  }
  async secretVersionStages(secretId: string): Promise<Record<string, string[]>> {
    this.calls.push(`secret ${secretId}`);
    if (this.failures.secrets) throw awsFailure(this.failures.secrets, `DescribeSecret ${secretId}`);
    return Object.fromEntries(Object.entries(this.live.secretStages.get(secretId) ?? {}).map(([id, stages]) => [id, [...stages]]));
  }
  async services(cluster: string, names: readonly string[]): Promise<ServiceFacts[]> {
    this.calls.push(`services ${cluster} ${names.join(",")}`);
    return this.live.services.filter((s) => s.cluster === cluster && names.includes(s.name));
  }
  async stateLastModified(location: StateObject): Promise<Date | undefined> {
    this.calls.push(`head s3://${location.bucket}/${location.key}`);
    this.locations.push(location);
    if (this.failures.state) throw awsFailure(this.failures.state, `HeadObject s3://${location.bucket}/${location.key}`);
    return new Date("2026-11-30T07:59:00.000Z");
  }
}

test("fetchLive asks each cluster once for its services", async () => {
  const aws = new StubAws(settled());
  const live = await fetchLive(aws, liveQueries(DEV, inputs()));
  expect(aws.calls.filter((call) => call.startsWith("services")).sort()).toEqual([
    `services ${SERVICES.find((s) => s.name === "sentry-frontend-dev")?.cluster} sentry-frontend-dev`,
    expect.stringMatching(/^services \S+cluster\/sentry-oms-dev sentry-(oms|websocket)-dev,sentry-(oms|websocket)-dev$/),
  ]);
  expect(live.services).toHaveLength(3);
});

describe("sentry-ops status <env>", () => {
  const scratch = mkdtempSync(join(tmpdir(), "sentry-ops-status-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /**
   * A stub terraform: `init` records the synthesized S3 backend in `.terraform/terraform.tfstate` like
   * Terraform does, `workspace select` fails for a stack not in `deployed`, `state pull` prints the real state.
   */
  function stubTerraform(deployed: ReadonlySet<string>, calls: TerraformCall[], pullFails?: string): TerraformRunner {
    return async (call): Promise<TerraformResult> => {
      calls.push(call);
      const stack = call.cwd.split("/").pop() as string;
      const ok = (stdout = ""): TerraformResult => ({ code: 0, stdout, stderr: "", seconds: 0 });
      if (call.args[0] === "init") {
        const file = call.args.find((arg) => arg.startsWith("-backend-config="))?.slice("-backend-config=".length);
        const backend = { ...JSON.parse(readFileSync(join(call.cwd, "cdk.tf.json"), "utf8")).terraform.backend.s3, ...(file ? parseBackendConfig(readFileSync(file, "utf8"), file) : {}) };
        mkdirSync(join(call.cwd, ".terraform"), { recursive: true });
        writeFileSync(join(call.cwd, ".terraform", "terraform.tfstate"), JSON.stringify({ version: 3, backend: { type: "s3", config: backend } }));
        return ok();
      }
      if (call.args[0] === "workspace" && !deployed.has(stack)) {
        return { code: 1, stdout: "", stderr: '\n│ Error: Workspace "dev" doesn\'t exist.\n', seconds: 0 };
      }
      if (call.args.join(" ") === "state pull" && stack === pullFails) {
        return { code: 1, stdout: rawState("foundation"), stderr: "\n│ Error: Failed to write state to stdout\n", seconds: 0 };
      }
      if (call.args.join(" ") === "state pull") return ok(rawState(stack.replace(/^sentry-(\w+)-dev$/, "$1")));
      return ok();
    };
  }

  async function status(argv: string, deployed: readonly string[], aws: StubAws, before?: (root: string) => void, pullFails?: string, credentials: CredentialsResolver = credentialsFound) {
    const root = mkdtempSync(join(scratch, "world-"));
    before?.(root);
    const calls: TerraformCall[] = [];
    const stdout: string[] = [];
    const stderr: string[] = [];
    const io: OpsDependencies = {
      workDir: join(root, ".sentry-ops"),
      variables: { ...TEST_OPERATOR_VARIABLES, SENTRY_TERRAFORM_ROLE_ARNS: "arn:aws:iam::123456789012:role/sentry-deployer", SENTRY_ACCOUNT_ID: "123456789012", PATH: process.env.PATH },
      runner: stubTerraform(new Set(deployed.map((phase) => `sentry-${phase}-dev`)), calls, pullFails),
      synthesize: neverSynthesizes,
      statusAws: () => aws,
      resolveCredentials: credentials,
      print: (text) => stdout.push(text),
      progress: (line) => stderr.push(line),
      ask: async () => "",
    };
    const code = await runCli(argv.split(" "), io, root);
    return { code, calls, stdout: stdout.join(""), stderr, root };
  }

  test("a deployed environment: state pulled per phase, last write from the state object, every live value asked, exit 2 while a person has work", async () => {
    const aws = new StubAws(fresh());
    const { code, calls, stdout } = await status("status dev", PHASES, aws);
    expect(code).toBe(2);
    expect(calls.filter((c) => c.args[0] === "state").map((c) => [c.cwd.split("/").pop(), c.env.TF_WORKSPACE])).toEqual(PHASES.map((p) => [`sentry-${p}-dev`, "dev"]));
    expect(calls.some((c) => c.args.includes("-or-create=true"))).toBe(false);
    expect(aws.calls).toContain("head s3://sentry-test-state/env:/dev/sentry/foundation.tfstate");
    expect(aws.calls).toContain(`certificate ${CERTIFICATE_ARN}`);
    expect(stdout).toMatch(/^cicd\s+sentry-cicd-dev\s+deployed\s+1\s+\d+\s+2026-11-30T07:59:00.000Z\s+no$/m);
    expect(stdout).toContain("CodeStar connection sentry-github-dev is PENDING");
    expect(stdout).not.toContain(PLACEHOLDER_VALUE);
  });

  test("a saved plan waiting shows per phase; --format json prints the model; a settled environment exits 0", async () => {
    const savePlan = (root: string) => {
      const store = new PlanStore(join(root, ".sentry-ops", "dev", "plans"));
      store.ensureDir();
      writeFileSync(store.planFile("sentry-cicd-dev"), "plan");
      store.save("sentry-cicd-dev", JSON.stringify({ format_version: "1.2" }));
    };
    const { code, stdout } = await status("status dev --format json", PHASES, new StubAws(settled()), savePlan);
    expect(code).toBe(0);
    const model = JSON.parse(stdout) as StatusModel;
    expect(model.complete).toBe(true);
    expect(model.phases.map((p) => [p.phase, p.planWaiting])).toEqual(PHASES.map((phase) => [phase, phase === "cicd"]));
  });

  test("never deployed: each phase not deployed, exit 2, AWS asked nothing", async () => {
    const aws = new StubAws(settled());
    const { code, stdout, calls } = await status("status dev", [], aws);
    expect(code).toBe(2);
    for (const phase of PHASES) expect(stdout).toMatch(new RegExp(`^${phase}\\s+sentry-${phase}-dev\\s+not deployed\\s+-\\s+-\\s+-\\s+no$`, "m"));
    expect(aws.calls).toEqual([]);
    expect(calls.filter((c) => c.args[0] === "state")).toEqual([]);
  });

  test("missing credentials: one line, exit 1, no terraform run, nothing printed", async () => {
    const aws = new StubAws(settled());
    const { code, stdout, stderr, calls } = await status("status dev", PHASES, aws, undefined, undefined, noCredentials);
    expect(code).toBe(1);
    expect(stderr).toEqual([
      "sentry-ops: no AWS credentials: CredentialsProviderError: Could not load credentials from any providers (see docs/troubleshooting.md#credentials-missing-or-expired)",
    ]);
    expect(calls).toEqual([]);
    expect(aws.calls).toEqual([]);
    expect(stdout).toBe("");
  });

  test("credentials expiring half-way: one line, exit 1, nothing printed", async () => {
    const aws = new StubAws(settled(), { secrets: Object.assign(new Error("The security token included in the request is expired"), { name: "ExpiredTokenException" }) });
    const { code, stdout, stderr } = await status("status dev", PHASES, aws);
    expect(code).toBe(1);
    expect(stderr.filter((line) => !line.startsWith("["))).toEqual([expect.stringMatching(/^sentry-ops: no AWS credentials: ExpiredTokenException: .* \(see docs\/troubleshooting\.md#credentials-missing-or-expired\)$/)]);
    expect(stdout).toBe("");
  });

  test("a state pull that fails after printing the state: one line, exit 1, no line of the state in the failure or its log", async () => {
    const { code, stdout, stderr, root } = await status("status dev", PHASES, new StubAws(settled()), undefined, "sentry-data-dev");
    expect(code).toBe(1);
    expect(stdout).toBe("");
    const failure = stderr.filter((line) => line.includes(" failed: "));
    expect(failure).toEqual([expect.stringMatching(/^sentry-ops: \[sentry-data-dev\] state pull failed: Error: Failed to write state to stdout \(full output: (\S+)\)$/)]);
    const log = readFileSync(join(root, ".sentry-ops", "dev", "logs", "sentry-data-dev.state-pull.log"), "utf8");
    expect(log).toContain("Failed to write state to stdout");
    for (const text of [log, failure[0]]) {
      expect(text).not.toContain(PLACEHOLDER_VALUE);
      expect(text).not.toContain('"serial"');
    }
  });

  /** `status dev` with a `--backend-config` file holding `settings`. */
  const withBackend = (settings: string, aws: StubAws) =>
    status("status dev --backend-config tooling.s3.tfbackend", PHASES, aws, (root) => writeFileSync(join(root, "tooling.s3.tfbackend"), settings));
  /** What the foundation row says from its last-write column on. */
  const foundationLastWrite = (stdout: string) => /^foundation\s+sentry-foundation-dev\s+deployed\s+\d+\s+\d+\s+(.*)$/m.exec(stdout)?.[1];
  const role = "arn:aws:iam::111111111111:role/state";

  test("a state bucket behind --backend-config's assume_role: the last write is asked as that role, as the backend reads the state", async () => {
    const aws = new StubAws(settled());
    const { code, stdout } = await withBackend(`assume_role = {\n  role_arn = "${role}"\n  external_id = "acme"\n}\n`, aws);
    expect(code).toBe(0);
    expect(aws.calls.filter((call) => call.startsWith("head "))).toHaveLength(PHASES.length);
    expect(aws.locations.every((location) => location.assumeRole?.roleArn === role && location.assumeRole.externalId === "acme")).toBe(true);
    expect(foundationLastWrite(stdout)).toMatch(/^2026-11-30T07:59:00\.000Z/);
  });

  test("the backend's own profile: its expired credentials or its own config files give a note, not a failed status", async () => {
    const expired = Object.assign(new Error("The security token included in the request is expired"), { name: "ExpiredToken" });
    const profile = await withBackend('profile = "tooling"\n', new StubAws(settled(), { state: expired }));
    expect(profile.code).toBe(0);
    expect(foundationLastWrite(profile.stdout)).toMatch(/^unknown \(the backend's own credentials \(profile tooling\) were refused: ExpiredToken: The security token included in the request is expired\)/);
    const files = await withBackend('profile = "tooling"\nshared_config_files = ["/etc/aws/tooling"]\n', new StubAws(settled()));
    expect(files.code).toBe(0);
    expect(foundationLastWrite(files.stdout)).toMatch(/^unknown \(the backend reads its credentials from \/etc\/aws\/tooling, which status does not read\)/);
    const own = await status("status dev", PHASES, new StubAws(settled(), { state: expired }));
    expect(own.code).toBe(1);
  });

  test("a state bucket behind a web identity role: the last write is not asked, and says why", async () => {
    const aws = new StubAws(settled());
    const { code, stdout } = await withBackend(`assume_role_with_web_identity = {\n  role_arn = "${role}"\n  web_identity_token_file = "/var/run/token"\n}\n`, aws);
    expect(code).toBe(0);
    expect(aws.calls.filter((call) => call.startsWith("head "))).toEqual([]);
    expect(foundationLastWrite(stdout)).toMatch(`unknown (the state bucket is reached through ${role} with a web identity, which status does not assume)`);
  });

  test("status takes no approval options", async () => {
    const { code, stderr } = await status("status dev --yes", PHASES, new StubAws(settled()));
    expect(code).toBe(1);
    expect(stderr).toEqual([expect.stringMatching(/^sentry-ops: status takes no option --yes; it takes --phase, --backend-config, --override, --format/)]);
  });
});

describe("the SDK clients", () => {
  /** A local endpoint for STS and S3: AssumeRole grants fixed credentials, HEAD of the state object answers its last write. */
  async function localAws(): Promise<{ url: string; requests: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[]; close: () => void }> {
    const requests: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString();
        requests.push({ method: request.method, url: request.url, headers: request.headers, body });
        if (request.method === "POST" && body.includes("Action=AssumeRole")) {
          response.writeHead(200, { "Content-Type": "text/xml" });
          response.end(
            '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAASSUMED</AccessKeyId>' +
              "<SecretAccessKey>assumed-secret</SecretAccessKey><SessionToken>assumed-token</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>" +
              "</AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>",
          );
        } else if (request.method === "HEAD") {
          response.writeHead(200, { "Last-Modified": "Mon, 30 Nov 2026 07:59:00 GMT", "Content-Length": "0" });
          response.end();
        } else {
          response.writeHead(400);
          response.end();
        }
      });
    });
    await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => server.close() };
  }

  test("a state bucket behind assume_role: STS is asked with the run's credentials (once for every phase), the state object with the role's", async () => {
    const aws = await localAws();
    const names = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"];
    const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
    names.forEach((name) => delete process.env[name]);
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIARUN", AWS_SECRET_ACCESS_KEY: "run-secret" });
    try {
      const role = "arn:aws:iam::111111111111:role/state";
      const clients = sdkStatusAws("eu-west-1");
      const location = (phase: string): StateObject => ({
        bucket: "tooling-state",
        key: `env:/dev/sentry/${phase}.tfstate`,
        region: "eu-west-1",
        endpoint: aws.url,
        pathStyle: true,
        assumeRole: { roleArn: role, externalId: "acme", tags: { team: "platform" }, policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"], durationSeconds: 900, stsEndpoint: aws.url },
      });
      const modified = await Promise.all(["foundation", "data"].map((phase) => clients.stateLastModified(location(phase))));
      expect(modified).toEqual([new Date("2026-11-30T07:59:00Z"), new Date("2026-11-30T07:59:00Z")]);
      expect(aws.requests.map((request) => request.method)).toEqual(["POST", "HEAD", "HEAD"]);
      const assume = aws.requests[0];
      const head = aws.requests.find((request) => request.url?.includes("foundation")) as (typeof aws.requests)[number];
      const asked = new URLSearchParams(assume.body);
      expect([asked.get("Action"), asked.get("RoleArn"), asked.get("ExternalId"), asked.get("RoleSessionName")]).toEqual(["AssumeRole", role, "acme", "sentry-ops-status"]);
      expect([asked.get("Tags.member.1.Key"), asked.get("Tags.member.1.Value"), asked.get("PolicyArns.member.1.arn"), asked.get("DurationSeconds")]).toEqual([
        "team",
        "platform",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "900",
      ]);
      expect(assume.headers.authorization).toContain("Credential=AKIARUN/");
      expect([head.method, head.url]).toEqual(["HEAD", "/tooling-state/env%3A/dev/sentry/foundation.tfstate"]);
      expect(head.headers.authorization).toContain("Credential=ASIAASSUMED/");
      expect(head.headers["x-amz-security-token"]).toBe("assumed-token");
    } finally {
      names.forEach((name) => (saved[name] === undefined ? delete process.env[name] : (process.env[name] = saved[name])));
      aws.close();
    }
  });
});
