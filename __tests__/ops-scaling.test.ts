import { spawn } from "child_process";
import { readFileSync, writeFileSync } from "fs";
import { createServer, Server } from "http";
import { AddressInfo } from "net";
import { join } from "path";
import { parseArguments } from "../src/ops/cli";
import { CapacityProviderFacts, EcsServiceCounts, MetricQuery, ScalableTargetFacts, ScalingAws, scalingFailure, ScalingPolicyFacts, SCALING_ACTIONS } from "../src/ops/scaling/collect";
import {
  buildScaling,
  ClusterFacts,
  Datapoint,
  GroupFacts,
  MetricSeries,
  parseSince,
  periodFor,
  ScalingActivity,
  ScalingReport,
  scalingExitCode,
  ScalingWindow,
  ServiceFacts,
  windowEnding,
} from "../src/ops/scaling/model";
import { renderScaling } from "../src/ops/scaling/render";
import { sdkScalingAws } from "../src/ops/scaling/sdk";
import { CredentialsResolver } from "../src/ops/credentials";
import { fakeVariables } from "./support/fake-terraform";
import { credentialsFound, neverSynthesizes, noCredentials, removeWorlds, WORK_DIR, World, world } from "./support/ops-world";
import { TEST_OPERATOR_VARIABLES } from "./support/synth";

/**
 * `sentry-ops scaling`. The model and renderers from facts built here; the command through the CLI with the
 * fake terraform publishing the compute and services outputs and AWS as a stub of the `ScalingAws` seam.
 */

afterAll(removeWorlds);

const WINDOW: ScalingWindow = windowEnding(new Date("2026-12-07T04:00:00.000Z"), 3600);
/** ISO time `n` minutes before the window's end. */
const ago = (minutes: number, end = WINDOW.end): string => new Date(Date.parse(end) - minutes * 60_000).toISOString();
/** One datapoint a minute over the last `count` minutes of the window. */
const points = (value: number | ((index: number) => number), count = 60, end = WINDOW.end): Datapoint[] =>
  Array.from({ length: count }, (_, index) => ({ time: ago(count - index, end), value: typeof value === "number" ? value : value(index) }));
const series = (average: number, maximum = average): MetricSeries => ({ average: points(average), maximum: points(maximum) });
const NO_DATA: MetricSeries = { average: [], maximum: [] };

const SCALE_OUT_CAUSE = "monitor alarm TargetTracking-service/sentry-oms-prod/sentry-oms-prod-AlarmHigh-5f3e in state ALARM triggered policy sentry-oms-prod-cpu";
const SCALE_IN_CAUSE = "monitor alarm TargetTracking-service/sentry-oms-prod/sentry-oms-prod-AlarmLow-77c1 in state ALARM triggered policy sentry-oms-prod-cpu";
const activity = (minutesAgo: number, overrides: Partial<ScalingActivity> = {}): ScalingActivity => ({
  start: ago(minutesAgo),
  end: ago(minutesAgo - 1),
  status: "Successful",
  description: "Setting desired count to 3.",
  cause: SCALE_OUT_CAUSE,
  ...overrides,
});

/** Prod's OMS service, quiet: 2 of 2..8 tasks, CPU well under its 70 % target. */
function oms(overrides: Partial<ServiceFacts> = {}): ServiceFacts {
  return {
    key: "oms",
    name: "sentry-oms-prod",
    cluster: "sentry-oms-prod",
    found: true,
    running: 2,
    desired: 2,
    pending: 0,
    autoScaling: { min: 2, max: 8, targetCpu: 70, scaleOutCooldownSeconds: 60, scaleInCooldownSeconds: 300 },
    activities: [],
    cpu: series(40, 55),
    memory: series(30, 32),
    ...overrides,
  };
}

const GROUP: GroupFacts = { name: "sentry-oms-asg-prod", found: true, min: 2, max: 8, desired: 2, inService: 2 };

/** Prod's OMS cluster, quiet: managed scaling at 70 %, reservation under it, room in the group. */
function omsCluster(overrides: Partial<ClusterFacts> = {}): ClusterFacts {
  return {
    key: "oms",
    name: "sentry-oms-prod",
    capacityProvider: "sentry-oms-ec2-prod",
    managedScalingStatus: "ENABLED",
    managedScalingTarget: 70,
    reservation: series(60, 70),
    group: GROUP,
    activities: [],
    ...overrides,
  };
}

const report = (services: ServiceFacts[], clusters: ClusterFacts[] = [omsCluster()], environment = "prod"): ScalingReport =>
  buildScaling({ environment, window: WINDOW, services, clusters });
const kinds = (model: ScalingReport) => model.findings.map((finding) => finding.kind);

describe("the model: one finding per troubleshooting step, exit 2; nothing to look at, exit 0", () => {
  test("a quiet prod environment: no findings, exit 0, the window's statistics per service and cluster", () => {
    const model = report([oms()]);
    expect(model.findings).toEqual([]);
    expect(scalingExitCode(model)).toBe(0);
    expect(model.services[0].cpu).toEqual({ average: 40, maximum: 55, latest: 40, datapoints: 60 });
    expect(model.clusters[0].reservation).toEqual({ average: 60, maximum: 70, latest: 60, datapoints: 60 });
    expect(model.services[0].cooldown).toBeUndefined();
  });

  test("a service at its maximum for the whole window (no activity since it got there)", () => {
    const model = report([oms({ running: 8, desired: 8, cpu: series(90, 99), activities: [activity(90, { description: "Setting desired count to 8." })] })]);
    expect(kinds(model)).toEqual(["at-maximum"]);
    expect(model.findings[0].text).toMatch(/^sentry-oms-prod stayed at its maximum of 8 tasks for the whole window \(CPU maximum 99 %\): raise autoScaling\.maxTaskCount of oms in src\/config\/environments\.ts .*\(see docs\/troubleshooting\.md#tasks-not-scaling\)$/);
    expect(scalingExitCode(model)).toBe(2);
  });

  test("a fixed task count (min = max) at its maximum by design: a finding only while the CPU stays above target", () => {
    const fixed = { min: 2, max: 2, targetCpu: 70, scaleOutCooldownSeconds: 60, scaleInCooldownSeconds: 300 };
    expect(kinds(report([oms({ autoScaling: fixed })]))).toEqual([]);
    expect(kinds(report([oms({ autoScaling: fixed, cpu: series(90, 99) })]))).toEqual(["at-maximum"]);
  });

  test("reaching the maximum inside the window is not 'the whole window'", () => {
    const model = report([oms({ running: 8, desired: 8, activities: [activity(20, { description: "Setting desired count to 8." })] })]);
    expect(kinds(model)).toEqual([]);
  });

  test("CPU above target for 3 minutes and more with no scale-out in the window; a scale-out clears it", () => {
    const hot = { average: points((index) => (index >= 40 && index < 45 ? 88 : 50)), maximum: points(95) };
    const model = report([oms({ cpu: hot })]);
    expect(kinds(model)).toEqual(["cpu-above-target"]);
    expect(model.findings[0].text).toBe(
      `sentry-oms-prod CPU stayed above its 70 % target for 5 min from ${ago(20)} with no scale-out in the window: check the cooldown and the failed activities above, and that the policy is not suspended (aws application-autoscaling describe-scalable-targets --service-namespace ecs) (see docs/troubleshooting.md#tasks-not-scaling)`,
    );
    expect(kinds(report([oms({ cpu: hot, activities: [activity(18)] })]))).toEqual([]);
    const blip = { average: points((index) => (index === 40 || index === 41 ? 88 : 50)), maximum: points(95) };
    expect(kinds(report([oms({ cpu: blip })]))).toEqual([]);
    expect(kinds(report([oms({ cpu: hot, autoScaling: undefined })]))).toEqual([]);
  });

  test("tasks no instance can take: the group at MaxSize, or managed scaling off", () => {
    const full = report([oms({ running: 6, desired: 8, pending: 0, autoScaling: undefined })], [omsCluster({ group: { ...GROUP, desired: 8, max: 8, inService: 8 } })]);
    expect(kinds(full)).toEqual(["group-at-max", "tasks-waiting"]);
    expect(full.clusters[0].waiting).toBe(2);
    expect(full.findings[0].text).toBe(
      "sentry-oms-asg-prod is at its MaxSize of 8 (8 in service): raise maxSize of cluster oms in src/config/environments.ts if it needs more instances, then plan, review, deploy (see docs/troubleshooting.md#instances-not-scaling)",
    );
    expect(full.findings[1].text).toMatch(/^2 tasks of sentry-oms-prod wait for an instance none can give \(sentry-oms-asg-prod is at its MaxSize\): raise the cluster's maxSize .*\(see docs\/troubleshooting\.md#instances-not-scaling\)$/);
    const unmanaged = report([oms({ running: 1, desired: 2 })], [omsCluster({ managedScalingStatus: "DISABLED", managedScalingTarget: undefined })]);
    expect(kinds(unmanaged)).toEqual(["tasks-waiting"]);
    expect(unmanaged.findings[0].text).toMatch(/managed scaling is off, so nothing adds instances/);
  });

  test("a group of fixed size at its MaxSize by design: a finding only when tasks want more than it has", () => {
    const fixed = { ...GROUP, min: 1, max: 1, desired: 1, inService: 1 };
    expect(kinds(report([oms({ autoScaling: undefined })], [omsCluster({ group: fixed })]))).toEqual([]);
    const unmanaged = { ...GROUP, min: 1, max: 2, desired: 2, inService: 2 };
    expect(kinds(report([oms({ autoScaling: undefined })], [omsCluster({ managedScalingStatus: "DISABLED", managedScalingTarget: undefined, reservation: NO_DATA, group: unmanaged })]))).toEqual([]);
    expect(kinds(report([oms({ running: 1, desired: 2, autoScaling: undefined })], [omsCluster({ group: fixed })]))).toEqual(["group-at-max", "tasks-waiting"]);
    expect(kinds(report([oms({ autoScaling: undefined })], [omsCluster({ group: fixed, reservation: series(100, 120) })]))).toEqual(["group-at-max"]);
    // one that managed scaling grew to its MaxSize has no headroom left, demand or not
    expect(kinds(report([oms()], [omsCluster({ group: { ...GROUP, desired: 8, inService: 8 } })]))).toEqual(["group-at-max"]);
  });

  test("tasks waiting while managed scaling adds instances: a finding only when the reservation stayed above 100 % all window", () => {
    const waiting = oms({ running: 2, desired: 3 });
    expect(kinds(report([waiting], [omsCluster({ reservation: { average: points((index) => (index < 50 ? 70 : 133)), maximum: points(133) } })]))).toEqual([]);
    const stuck = report([waiting], [omsCluster({ reservation: series(133) })]);
    expect(kinds(stuck)).toEqual(["tasks-waiting"]);
    expect(stuck.findings[0].text).toMatch(/capacity reservation stayed above 100 % for the whole window: .* \(see docs\/troubleshooting\.md#slow-scaling\)$/);
    expect(kinds(report([oms({ running: 2, desired: 3, pending: 1 })], [omsCluster({ reservation: series(133) })]))).toEqual([]);
  });

  test("a failed scaling activity in the window, of a service or of the group; one before the window is history", () => {
    const failed = activity(10, { status: "Failed", message: "Failed to set desired count to 9: capacity limit" });
    const groupFailed = activity(5, { status: "Failed", description: "Launching a new EC2 instance. Status Reason: We currently do not have sufficient c7g.large capacity.", cause: "", message: "InsufficientInstanceCapacity" });
    const model = report([oms({ activities: [failed, activity(120, { status: "Failed" })] })], [omsCluster({ activities: [groupFailed] })]);
    expect(kinds(model)).toEqual(["failed-activity", "failed-activity"]);
    expect(model.findings[0]).toEqual({
      kind: "failed-activity",
      subject: "service oms",
      text: `sentry-oms-prod scaling activity failed at ${ago(10)} "Setting desired count to 3.": Failed to set desired count to 9: capacity limit: fix what the message names, the next alarm retries it (see docs/troubleshooting.md#tasks-not-scaling)`,
    });
    expect(model.findings[1].subject).toBe("cluster oms");
    const unfulfilled = activity(10, { status: "Unfulfilled", message: "Unable to set desired count" });
    const cancelled = activity(5, { status: "Cancelled", cause: "", message: "Launching a new EC2 instance failed" });
    const overridden = activity(8, { status: "Overridden" });
    const others = report([oms({ activities: [unfulfilled, overridden] })], [omsCluster({ activities: [cancelled] })]);
    expect(kinds(others)).toEqual(["failed-activity", "failed-activity"]);
    expect(others.findings[0].text).toMatch(/^sentry-oms-prod scaling activity was unfulfilled at .*: Unable to set desired count: /);
    expect(others.findings[1].text).toMatch(/^sentry-oms-asg-prod scaling activity was cancelled at .*: Launching a new EC2 instance failed: /);
    expect(model.findings[1].text).toMatch(/^sentry-oms-asg-prod scaling activity failed at .*InsufficientInstanceCapacity: .*\(see docs\/troubleshooting\.md#instances-not-scaling\)$/);
  });

  test.each(["dev", "staging"])("auto scaling on in %s: the guide's cost check, per service and per cluster", (environment) => {
    const model = report([oms({ name: `sentry-oms-${environment}` })], [omsCluster({ name: `sentry-oms-${environment}` })], environment);
    expect(kinds(model)).toEqual(["scaling-outside-prod", "scaling-outside-prod"]);
    expect(model.findings[0].text).toBe(
      `sentry-oms-${environment} has task auto scaling on in ${environment} (2..8 tasks): the guide keeps it off outside prod for cost; if not meant, set autoScaling.enabled false for oms in src/config/environments.ts, then plan, review, deploy (see docs/troubleshooting.md#unexpected-costs)`,
    );
    expect(model.findings[1].text).toMatch(/has managed scaling on in .*\(see docs\/troubleshooting\.md#unexpected-costs\)$/);
    const off = report([oms({ autoScaling: undefined })], [omsCluster({ managedScalingStatus: "DISABLED" })], environment);
    expect(off.findings).toEqual([]);
  });

  test("a cooldown running now: the last successful activity's direction, until its end plus that cooldown", () => {
    const out = report([oms({ activities: [activity(0.5, { end: ago(0.5) })] })]);
    expect(out.services[0].cooldown).toEqual({ direction: "out", until: new Date(Date.parse(ago(0.5)) + 60_000).toISOString() });
    const scaleIn = report([oms({ activities: [activity(3, { cause: SCALE_IN_CAUSE, end: ago(2) })] })]);
    expect(scaleIn.services[0].cooldown).toEqual({ direction: "in", until: ago(-3) });
    expect(report([oms({ activities: [activity(10)] })]).services[0].cooldown).toBeUndefined();
    expect(scaleIn.services[0].activities[0].direction).toBe("in");
  });

  test("a window with no datapoints: no statistics, no CPU or reservation finding, and the text says so", () => {
    const model = report([oms({ cpu: NO_DATA, memory: NO_DATA })], [omsCluster({ reservation: NO_DATA })]);
    expect(model.services[0].cpu).toEqual({ datapoints: 0 });
    expect(model.findings).toEqual([]);
    const text = renderScaling(model, "text");
    expect(text).toMatch(/^ {4}CPU {13}no datapoints in the window$/m);
    expect(text).toMatch(/^ {4}reservation {5}no datapoints in the window$/m);
  });
});

describe("renderers", () => {
  const busy = report(
    [oms({ running: 3, desired: 3, activities: [activity(2, { end: ago(0.5) })], cpu: series(72.44, 91) })],
    [omsCluster({ group: { ...GROUP, desired: 8, max: 8, inService: 8 }, activities: [activity(30, { description: "Launching a new EC2 instance: i-0abc", cause: "At 2026-12-07T03:30:00Z a user request update of AutoScalingGroup constraints..." })] })],
  );

  test("text: each service and cluster with the guide's numbers, then the findings and a summary", () => {
    const text = renderScaling(busy, "text");
    expect(text).toContain(`Scaling of prod, ${WINDOW.start} to ${WINDOW.end} (1h, 1m datapoints)\n`);
    expect(text).toContain("  oms  sentry-oms-prod (cluster sentry-oms-prod)\n    tasks           3 running, 3 desired, 0 pending\n");
    expect(text).toContain("    auto scaling    on, 2..8 tasks, target CPU 70 %, cooldowns out 60 s / in 300 s\n");
    expect(text).toContain(`    cooldown        scale-out cooldown until ${ago(-0.5)}\n`);
    expect(text).toContain("    CPU             average 72.4 %, maximum 91 % (60 datapoints)\n");
    expect(text).toContain(`      ${ago(2)} Successful scale-out Setting desired count to 3. (cause: ${SCALE_OUT_CAUSE})\n`);
    expect(text).toContain("    managed scaling on, target capacity 70 % (capacity provider sentry-oms-ec2-prod)\n");
    expect(text).toContain("    reservation     average 60 %, maximum 70 %, latest 60 % (60 datapoints)\n");
    expect(text).toContain("    instances       sentry-oms-asg-prod: 8 in service, desired 8, min 2, max 8\n");
    expect(text).toMatch(/^ {2}- cluster oms: sentry-oms-asg-prod is at its MaxSize of 8 .*$/m);
    expect(text.endsWith("\n1 finding in prod.\n")).toBe(true);
    expect(renderScaling(report([oms()]), "text")).toContain("Findings\n  none\n\nNothing to look at in prod.\n");
  });

  test("markdown: a table per service and cluster, findings as a list; json: the model itself", () => {
    const markdown = renderScaling(busy, "markdown");
    expect(markdown).toMatch(/^### Scaling of `prod`$/m);
    expect(markdown).toContain("| tasks | 3 running, 3 desired, 0 pending |");
    expect(markdown).toContain("| instances | sentry-oms-asg-prod: 8 in service, desired 8, min 2, max 8 |");
    expect(markdown).toMatch(/^- \*\*cluster oms\*\* sentry-oms-asg-prod is at its MaxSize/m);
    expect(JSON.parse(renderScaling(busy, "json"))).toEqual(JSON.parse(JSON.stringify(busy)));
  });
});

describe("--since", () => {
  test.each([
    ["30m", 1800, 60],
    ["1h", 3600, 60],
    ["6h", 21600, 60],
    ["2d", 172800, 300],
    ["14d", 1209600, 3600],
    ["63d", 5443200, 3600],
  ])("%s is %d s, with %d s datapoints", (text, seconds, period) => {
    expect(parseSince(text)).toBe(seconds);
    expect(periodFor(seconds)).toBe(period);
  });

  test.each(["0m", "1.5h", "90", "2w", "-1h", "h"])("%s: one line naming what it takes", (text) => {
    expect(() => parseSince(text)).toThrow(`--since ${text}: expected a positive whole number of minutes, hours or days (30m, 6h, 2d)`);
  });

  test("beyond CloudWatch's 63 days of 5-minute datapoints: refused; the CLI reports it as a usage error", () => {
    expect(() => parseSince("64d")).toThrow("--since 64d: at most 63d (CloudWatch keeps 5-minute datapoints 63 days)");
    expect(() => parseArguments(["scaling", "dev", "--since", "64d"], "/", {})).toThrow(/^--since 64d: at most 63d/);
    const parsed = parseArguments(["scaling", "dev", "--since=6h", "--service", "oms", "--service", "websocket"], "/", {});
    expect(parsed.kind === "run" && [parsed.options.since, parsed.options.services]).toEqual([21600, ["oms", "websocket"]]);
    expect(() => parseArguments(["status", "dev", "--since", "6h"], "/", {})).toThrow(/status takes no option --since/);
  });
});

const COMPUTE = "sentry-compute-dev";
const SERVICES = "sentry-services-dev";
const output = (value: unknown) => ({ value, sensitive: false, type: ["map", "string"] });

/** The outputs the compute and services phases publish in dev. */
function deploy(w: World, phases: readonly ("compute" | "services")[] = ["compute", "services"]): void {
  const outputs = {
    compute: {
      cluster_names: output({ oms: "sentry-oms-dev", frontend: "sentry-frontend-dev" }),
      capacity_provider_names: output({ oms: "sentry-oms-ec2-dev", frontend: "sentry-frontend-ec2-dev" }),
      autoscaling_group_names: output({ oms: "sentry-oms-asg-dev", frontend: "sentry-frontend-asg-dev" }),
      load_balancer_dns_name: output("sentry-alb-dev-1.us-east-1.elb.amazonaws.com"),
    },
    services: {
      service_names: output({ oms: "sentry-oms-dev", frontend: "sentry-frontend-dev", websocket: "sentry-websocket-dev" }),
      service_cluster_names: output({ oms: "sentry-oms-dev", frontend: "sentry-frontend-dev", websocket: "sentry-frontend-dev" }),
    },
  };
  for (const phase of phases) writeFileSync(join(w.fake.stateDir, `sentry-${phase}-dev.json`), JSON.stringify(outputs[phase]));
}

interface Call {
  readonly call: string;
  readonly argument: string;
  readonly start: number;
  end?: number;
}

/** Every call waits until `expected` calls have started: they resolve only if they all run at the same time. */
function barrier(expected: number, timeoutMs = 2000): () => Promise<void> {
  let started = 0;
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve, reject) => {
    open = resolve;
    setTimeout(() => reject(new Error(`only ${started} of ${expected} calls started: they ran one after another`)), timeoutMs).unref();
  });
  return () => {
    started += 1;
    if (started === expected) open();
    return opened;
  };
}

/** AWS as dev looks after a quiet hour: every service running its one task, no auto scaling, CPU at 20 %. */
class StubAws implements ScalingAws {
  readonly calls: Call[] = [];
  closed = false;
  window?: ScalingWindow;

  constructor(
    private readonly options: {
      readonly errors?: Partial<Record<keyof ScalingAws, Error>>;
      readonly arrive?: () => Promise<void>;
      readonly counts?: (name: string) => Partial<EcsServiceCounts>;
    } = {},
  ) {}

  private async answer<T>(call: keyof ScalingAws, argument: string, value: T): Promise<T> {
    const entry: Call = { call, argument, start: performance.now() };
    this.calls.push(entry);
    await this.options.arrive?.();
    const error = this.options.errors?.[call];
    if (error) throw error;
    entry.end = performance.now();
    return value;
  }

  services(cluster: string, names: readonly string[]) {
    return this.answer("services", `${cluster}: ${names.join(" ")}`, names.map((name): EcsServiceCounts => ({ name, found: true, running: 1, desired: 1, pending: 0, ...this.options.counts?.(name) })));
  }
  capacityProviders(names: readonly string[]) {
    return this.answer("capacityProviders", names.join(" "), names.map((name): CapacityProviderFacts => ({ name, managedScaling: "DISABLED" })));
  }
  groups(names: readonly string[]) {
    return this.answer("groups", names.join(" "), names.map((name): GroupFacts => ({ name, found: true, min: 1, max: 2, desired: 1, inService: 1 })));
  }
  groupActivities(group: string) {
    return this.answer("groupActivities", group, [] as ScalingActivity[]);
  }
  scalableTargets(resourceIds: readonly string[]) {
    return this.answer("scalableTargets", resourceIds.join(" "), [] as ScalableTargetFacts[]);
  }
  scalingPolicies(resourceId: string) {
    return this.answer("scalingPolicies", resourceId, [] as ScalingPolicyFacts[]);
  }
  serviceActivities(resourceId: string) {
    return this.answer("serviceActivities", resourceId, [] as ScalingActivity[]);
  }
  metrics(queries: readonly MetricQuery[], window: ScalingWindow) {
    this.window = window;
    const answer = new Map(queries.map((query) => [query.id, points(20, 60, window.end)]));
    return this.answer("metrics", queries.map((query) => `${query.id}=${query.namespace}/${query.metric}{${Object.entries(query.dimensions).map(([k, v]) => `${k}=${v}`).join(",")}}:${query.stat}`).join(" "), answer);
  }
  close() {
    this.closed = true;
  }
}

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });

async function scaling(argv: string, aws: StubAws, phases?: readonly ("compute" | "services")[], credentials: CredentialsResolver = credentialsFound) {
  const w = world();
  deploy(w, phases);
  const code = await w.run(argv, { synthesize: neverSynthesizes, scalingAws: () => aws, credentials });
  return { code, w, stdout: w.stdout.join(""), stderr: w.stderr };
}

describe("sentry-ops scaling <env>", () => {
  test("reads the compute and services outputs (no synth, no workspace created), asks AWS about every service and cluster, exit 0", async () => {
    const aws = new StubAws();
    const { code, w, stdout, stderr } = await scaling("scaling dev", aws);
    expect(code).toBe(0);
    const outputs = w.calls().filter((call) => call.args[0] === "output").map((call) => call.cwd.split("/").pop());
    expect(outputs.sort()).toEqual([COMPUTE, SERVICES]);
    expect(w.calls().some((call) => call.args.includes("-or-create=true") || call.args[0] === "state")).toBe(false);
    expect(aws.calls.filter((c) => c.call === "services").map((c) => c.argument).sort()).toEqual(["sentry-frontend-dev: sentry-frontend-dev sentry-websocket-dev", "sentry-oms-dev: sentry-oms-dev"]);
    expect(aws.calls.find((c) => c.call === "scalableTargets")?.argument).toBe("service/sentry-oms-dev/sentry-oms-dev service/sentry-frontend-dev/sentry-frontend-dev service/sentry-frontend-dev/sentry-websocket-dev");
    const metrics = aws.calls.find((c) => c.call === "metrics")?.argument ?? "";
    expect(metrics).toContain("s0_cpu_avg=AWS/ECS/CPUUtilization{ClusterName=sentry-oms-dev,ServiceName=sentry-oms-dev}:Average");
    expect(metrics).toContain("s2_mem_max=AWS/ECS/MemoryUtilization{ClusterName=sentry-frontend-dev,ServiceName=sentry-websocket-dev}:Maximum");
    expect(metrics).toContain("c1_reservation_avg=AWS/ECS/ManagedScaling/CapacityProviderReservation{ClusterName=sentry-frontend-dev,CapacityProviderName=sentry-frontend-ec2-dev}:Average");
    expect(aws.window?.seconds).toBe(3600);
    expect(aws.closed).toBe(true);
    expect(stdout).toContain("  websocket  sentry-websocket-dev (cluster sentry-frontend-dev)\n    tasks           1 running, 1 desired, 0 pending\n    auto scaling    off (no scalable target)\n");
    expect(stdout).toContain("    instances       sentry-frontend-asg-dev: 1 in service, desired 1, min 1, max 2\n");
    expect(stdout.endsWith("Nothing to look at in dev.\n")).toBe(true);
    expect(stderr).toContainEqual(expect.stringMatching(/^\[sentry-ops\] scaling dev: 3 services, 2 clusters read from AWS \(\d+\.\d s\)$/));
  });

  test("every AWS call runs at the same time (each resolves only once all have started)", async () => {
    const expected = 2 + 1 + 1 + 2 + 1 + 3 + 3 + 1;
    const aws = new StubAws({ arrive: barrier(expected) });
    const { code } = await scaling("scaling dev", aws);
    expect(code).toBe(0);
    const calls = aws.calls;
    expect(calls).toHaveLength(expected);
    const lastStart = Math.max(...calls.map((c) => c.start));
    expect(calls.every((c) => (c.end ?? 0) >= lastStart)).toBe(true);
  });

  test("--service by key or ECS name: only those services and the clusters they run in; --since sets the window; --format json", async () => {
    const aws = new StubAws({ counts: () => ({ running: 0, desired: 2 }) });
    const { code, stdout } = await scaling("scaling dev --service websocket --service sentry-frontend-dev --since 6h --format json", aws);
    expect(code).toBe(2);
    const model = JSON.parse(stdout) as ScalingReport;
    expect(model.services.map((s) => s.key)).toEqual(["frontend", "websocket"]);
    expect(model.clusters.map((c) => c.key)).toEqual(["frontend"]);
    expect(model.window).toEqual(expect.objectContaining({ seconds: 21600, periodSeconds: 60 }));
    expect(model.findings.map((f) => [f.kind, f.subject])).toEqual([["tasks-waiting", "cluster frontend"]]);
    expect(aws.calls.filter((c) => c.call === "serviceActivities").map((c) => c.argument)).toEqual(["service/sentry-frontend-dev/sentry-frontend-dev", "service/sentry-frontend-dev/sentry-websocket-dev"]);
  });

  test("--service the state does not know: one line with the services it has, exit 1, AWS asked nothing", async () => {
    const aws = new StubAws();
    const { code, stdout, stderr } = await scaling("scaling dev --service gateway", aws);
    expect(code).toBe(1);
    expect(stderr[stderr.length - 1]).toBe(
      `sentry-ops: scaling: --service gateway: ${SERVICES} has no such service; it has oms (sentry-oms-dev), frontend (sentry-frontend-dev), websocket (sentry-websocket-dev)`,
    );
    expect(stdout).toBe("");
    expect(aws.calls).toEqual([]);
  });

  test.each([
    [["compute"] as const, `sentry-ops: scaling: ${SERVICES} is not deployed (no outputs in workspace dev): deploy with \`sentry-ops deploy dev --phase services\``],
    [[] as const, `sentry-ops: scaling: ${COMPUTE} and ${SERVICES} are not deployed (no outputs in workspace dev): deploy with \`sentry-ops deploy dev --phase compute --phase services\``],
  ])("a phase not deployed: one line naming it and the command that deploys it (deployed: %j)", async (phases, line) => {
    const aws = new StubAws();
    const { code, stdout, stderr } = await scaling("scaling dev", aws, phases);
    expect(code).toBe(1);
    expect(stderr[stderr.length - 1]).toBe(line);
    expect(stdout).toBe("");
    expect(aws.closed).toBe(true);
  });

  test.each([
    ["serviceActivities", "AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/operator/ana is not authorized to perform: application-autoscaling:DescribeScalingActivities"],
    ["groups", "AccessDenied", "User: arn:aws:sts::123456789012:assumed-role/operator/ana is not authorized to perform: autoscaling:DescribeAutoScalingGroups because no identity-based policy allows it"],
    ["metrics", "AccessDenied", "User is not authorized to perform: cloudwatch:GetMetricData"],
  ] as const)("AWS refuses %s: one line naming the IAM action, exit 1, nothing printed", async (call, name, message) => {
    const aws = new StubAws({ errors: { [call]: awsError(name, message) } });
    const { code, stdout, stderr } = await scaling("scaling dev", aws);
    expect(code).toBe(1);
    const action = SCALING_ACTIONS[call];
    expect(stderr[stderr.length - 1]).toBe(`sentry-ops: scaling: AWS refused ${action} (${name}: ${message}); allow ${action} to the run's identity (docs/operations.md lists what scaling reads)`);
    expect(stdout).toBe("");
    expect(aws.closed).toBe(true);
  });

  test("missing credentials: every command's one line, exit 1, nothing printed, no terraform, AWS asked nothing", async () => {
    const aws = new StubAws();
    const { code, stdout, stderr, w } = await scaling("scaling dev", aws, undefined, noCredentials);
    expect(code).toBe(1);
    expect(stderr).toEqual([
      "sentry-ops: no AWS credentials: CredentialsProviderError: Could not load credentials from any providers (see docs/troubleshooting.md#credentials-missing-or-expired)",
    ]);
    expect(stdout).toBe("");
    expect(w.calls()).toEqual([]);
    expect(aws.calls).toEqual([]);
  });

  test("an output the deployed compute phase lacks: one line naming it and the redeploy", async () => {
    const w = world();
    deploy(w);
    writeFileSync(join(w.fake.stateDir, `${COMPUTE}.json`), JSON.stringify({ cluster_names: output({ oms: "sentry-oms-dev" }) }));
    expect(await w.run("scaling dev", { synthesize: neverSynthesizes, scalingAws: () => new StubAws() })).toBe(1);
    expect(w.stderr[w.stderr.length - 1]).toBe(`sentry-ops: scaling: ${COMPUTE} publishes no output capacity_provider_names (deployed before it existed): deploy it again with \`sentry-ops deploy dev --phase compute\``);
  });
});

describe("the SDK clients (sdk.ts) against a local endpoint speaking each API's protocol", () => {
  const JSON_ANSWERS: Record<string, unknown> = {
    "AmazonEC2ContainerServiceV20141113.DescribeServices": {
      services: [{ serviceName: "sentry-oms-dev", status: "ACTIVE", runningCount: 1, desiredCount: 3, pendingCount: 1 }],
      failures: [{ arn: "arn:aws:ecs:us-east-1:123456789012:service/sentry-oms-dev/sentry-gone-dev", reason: "MISSING" }],
    },
    "AmazonEC2ContainerServiceV20141113.DescribeCapacityProviders": {
      capacityProviders: [{ name: "sentry-oms-ec2-dev", autoScalingGroupProvider: { autoScalingGroupArn: "arn:aws:autoscaling:x", managedScaling: { status: "ENABLED", targetCapacity: 70 } } }],
    },
    "AnyScaleFrontendService.DescribeScalableTargets": {
      ScalableTargets: [{ ServiceNamespace: "ecs", ResourceId: "service/sentry-oms-dev/sentry-oms-dev", ScalableDimension: "ecs:service:DesiredCount", MinCapacity: 1, MaxCapacity: 4, RoleARN: "r", CreationTime: 1.7e9 }],
    },
    "AnyScaleFrontendService.DescribeScalingPolicies": {
      ScalingPolicies: [
        {
          PolicyARN: "p",
          PolicyName: "cpu",
          ServiceNamespace: "ecs",
          ResourceId: "service/sentry-oms-dev/sentry-oms-dev",
          ScalableDimension: "ecs:service:DesiredCount",
          PolicyType: "TargetTrackingScaling",
          CreationTime: 1.7e9,
          TargetTrackingScalingPolicyConfiguration: { TargetValue: 70, PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" }, ScaleOutCooldown: 60, ScaleInCooldown: 300 },
        },
      ],
    },
    "AnyScaleFrontendService.DescribeScalingActivities": {
      ScalingActivities: [
        {
          ActivityId: "a",
          ServiceNamespace: "ecs",
          ResourceId: "service/sentry-oms-dev/sentry-oms-dev",
          ScalableDimension: "ecs:service:DesiredCount",
          Description: "Setting desired count to 3.",
          Cause: SCALE_OUT_CAUSE,
          StartTime: 1796611200,
          EndTime: 1796611230,
          StatusCode: "Successful",
          StatusMessage: "Successfully set desired count to 3.\nChange successfully fulfilled by ecs.",
        },
      ],
    },
  };
  const XML_ANSWERS: Record<string, string> = {
    GetCallerIdentity: "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ana</Arn><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>",
    DescribeAutoScalingGroups: `<DescribeAutoScalingGroupsResponse><DescribeAutoScalingGroupsResult><AutoScalingGroups><member><AutoScalingGroupName>sentry-oms-asg-dev</AutoScalingGroupName><MinSize>1</MinSize><MaxSize>2</MaxSize><DesiredCapacity>2</DesiredCapacity><Instances>${["InService", "InService", "Pending"].map((state, index) => `<member><InstanceId>i-${index}</InstanceId><LifecycleState>${state}</LifecycleState></member>`).join("")}</Instances></member></AutoScalingGroups></DescribeAutoScalingGroupsResult></DescribeAutoScalingGroupsResponse>`,
    DescribeScalingActivities: `<DescribeScalingActivitiesResponse><DescribeScalingActivitiesResult><Activities><member><ActivityId>b</ActivityId><AutoScalingGroupName>sentry-oms-asg-dev</AutoScalingGroupName><Description>Launching a new EC2 instance: i-1</Description><Cause>At 2026-12-07T03:00:00Z an instance was started in response to a difference between desired and actual capacity.</Cause><StartTime>2026-12-07T03:00:05Z</StartTime><StatusCode>Failed</StatusCode><StatusMessage>We currently do not have sufficient t4g.small capacity.</StatusMessage><Progress>100</Progress></member></Activities></DescribeScalingActivitiesResult></DescribeScalingActivitiesResponse>`,
  };
  const METRIC_PAGES = [
    { MetricDataResults: [{ Id: "s0_cpu_avg", Label: "cpu", Timestamps: [1796608800], Values: [41.5], StatusCode: "PartialData" }], NextToken: "page-2" },
    { MetricDataResults: [{ Id: "s0_cpu_avg", Label: "cpu", Timestamps: [1796608860], Values: [43], StatusCode: "Complete" }] },
  ];
  const saved = { ...process.env };
  let server: Server;
  const requests: string[] = [];
  /** Targets and actions answered with AccessDenied. */
  const refuse = new Set<string>();

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString();
        const target = String(request.headers["x-amz-target"] ?? "");
        const action = new URLSearchParams(body).get("Action") ?? "";
        requests.push(target || action);
        const denied = `User: ana is not authorized to perform: ${target ? "ecs" : "autoscaling"}:${(target || action).split(".").pop()}`;
        if (refuse.has(target)) {
          response.writeHead(400, { "Content-Type": "application/x-amz-json-1.1" });
          return response.end(JSON.stringify({ __type: "AccessDeniedException", message: denied }));
        }
        if (refuse.has(action)) {
          response.writeHead(403, { "Content-Type": "text/xml" });
          return response.end(`<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${denied}</Message></Error><RequestId>r</RequestId></ErrorResponse>`);
        }
        if (target === "GraniteServiceVersion20100801.GetMetricData") {
          response.writeHead(200, { "Content-Type": "application/x-amz-json-1.0" });
          return response.end(JSON.stringify(METRIC_PAGES[JSON.parse(body).NextToken ? 1 : 0]));
        }
        if (JSON_ANSWERS[target]) {
          response.writeHead(200, { "Content-Type": "application/x-amz-json-1.1" });
          return response.end(JSON.stringify(JSON_ANSWERS[target]));
        }
        response.writeHead(XML_ANSWERS[action] ? 200 : 400, { "Content-Type": "text/xml" });
        return response.end(XML_ANSWERS[action] ?? "<ErrorResponse><Error><Code>Unknown</Code></Error></ErrorResponse>");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    Object.assign(process.env, { AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_MAX_ATTEMPTS: "1" });
  });

  afterAll(async () => {
    for (const name of ["AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_MAX_ATTEMPTS"]) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await new Promise((resolve) => server.close(resolve));
  });

  test("each call's answer, as the collector reads it", async () => {
    const aws = sdkScalingAws("us-east-1");
    try {
      const window = windowEnding(new Date("2026-12-07T04:00:00Z"), 3600);
      const [services, providers, groups, groupActivities, targets, policies, activities, metrics] = await Promise.all([
        aws.services("sentry-oms-dev", ["sentry-oms-dev", "sentry-gone-dev"]),
        aws.capacityProviders(["sentry-oms-ec2-dev"]),
        aws.groups(["sentry-oms-asg-dev"]),
        aws.groupActivities("sentry-oms-asg-dev"),
        aws.scalableTargets(["service/sentry-oms-dev/sentry-oms-dev"]),
        aws.scalingPolicies("service/sentry-oms-dev/sentry-oms-dev"),
        aws.serviceActivities("service/sentry-oms-dev/sentry-oms-dev"),
        aws.metrics([{ id: "s0_cpu_avg", namespace: "AWS/ECS", metric: "CPUUtilization", dimensions: { ClusterName: "c", ServiceName: "s" }, stat: "Average" }], window),
      ]);
      expect(services).toEqual([
        { name: "sentry-oms-dev", found: true, running: 1, desired: 3, pending: 1 },
        { name: "sentry-gone-dev", found: false, running: 0, desired: 0, pending: 0 },
      ]);
      expect(providers).toEqual([{ name: "sentry-oms-ec2-dev", managedScaling: "ENABLED", targetCapacity: 70 }]);
      expect(groups).toEqual([{ name: "sentry-oms-asg-dev", found: true, min: 1, max: 2, desired: 2, inService: 2 }]);
      expect(groupActivities).toEqual([
        {
          start: "2026-12-07T03:00:05.000Z",
          end: undefined,
          status: "Failed",
          description: "Launching a new EC2 instance: i-1",
          cause: "At 2026-12-07T03:00:00Z an instance was started in response to a difference between desired and actual capacity.",
          message: "We currently do not have sufficient t4g.small capacity.",
        },
      ]);
      expect(targets).toEqual([{ resourceId: "service/sentry-oms-dev/sentry-oms-dev", min: 1, max: 4 }]);
      expect(policies).toEqual([{ metric: "ECSServiceAverageCPUUtilization", targetValue: 70, scaleOutCooldownSeconds: 60, scaleInCooldownSeconds: 300 }]);
      expect(activities[0]).toEqual(expect.objectContaining({ status: "Successful", start: new Date(1796611200 * 1000).toISOString(), message: "Successfully set desired count to 3. Change successfully fulfilled by ecs." }));
      expect(metrics.get("s0_cpu_avg")).toEqual([
        { time: new Date(1796608800 * 1000).toISOString(), value: 41.5 },
        { time: new Date(1796608860 * 1000).toISOString(), value: 43 },
      ]);
      expect(requests.filter((request) => request.endsWith("GetMetricData"))).toHaveLength(2);
    } finally {
      aws.close();
    }
  });

  test("`sentry-ops scaling dev` (the real entry point) loads its four SDK clients, never the app, cdktf or the provider", async () => {
    const w = world();
    deploy(w);
    const report = join(w.root, "modules.json");
    const preload = join(w.root, "report-modules.js");
    writeFileSync(preload, `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(report)}, JSON.stringify(Object.keys(require.cache))));\n`);
    const cli = spawn(process.execPath, ["--require", preload, join(__dirname, "..", "src", "ops", "sentry-ops.js"), "scaling", "dev"], {
      env: { ...process.env, ...TEST_OPERATOR_VARIABLES, ...fakeVariables(w.fake), SENTRY_OPS_DIR: join(w.root, WORK_DIR) },
    });
    const stdout: Buffer[] = [];
    cli.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    const code = await new Promise<number | null>((resolve) => cli.on("close", resolve));
    expect(code).toBe(2);
    expect(Buffer.concat(stdout).toString()).toContain("  - cluster oms: sentry-oms-asg-dev is at its MaxSize of 2 (2 in service)");
    const modules: string[] = JSON.parse(readFileSync(report, "utf8"));
    expect(modules.filter((file) => /node_modules\/(cdktf|@cdktf|constructs)\/|\/src\/(app|ops\/synth|stacks\/\w+-stack|constructs\/)/.test(file))).toEqual([]);
    const clients = ["client-ecs", "client-application-auto-scaling", "client-auto-scaling", "client-cloudwatch"];
    expect(clients.filter((client) => modules.some((file) => file.includes(`node_modules/@aws-sdk/${client}/`)))).toEqual(clients);
  });

  test("AccessDenied as each protocol sends it (JSON, query XML): the collector's line names the action", async () => {
    const aws = sdkScalingAws("us-east-1");
    refuse.add("AmazonEC2ContainerServiceV20141113.DescribeCapacityProviders").add("DescribeAutoScalingGroups");
    try {
      const json = await aws.capacityProviders(["x"]).catch((error: unknown) => error);
      expect(scalingFailure(json, "capacityProviders").message).toMatch(/^scaling: AWS refused ecs:DescribeCapacityProviders \(AccessDeniedException: User: ana is not authorized to perform: ecs:DescribeCapacityProviders\); allow /);
      const query = await aws.groups(["x"]).catch((error: unknown) => error);
      expect(scalingFailure(query, "groups").message).toMatch(/^scaling: AWS refused autoscaling:DescribeAutoScalingGroups \(AccessDenied: User: ana is not authorized to perform: autoscaling:DescribeAutoScalingGroups\); allow /);
    } finally {
      refuse.clear();
      aws.close();
    }
  });
});
