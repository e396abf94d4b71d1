import { seeTroubleshooting, TroubleshootingSection } from "../troubleshooting";
import { ReportAccount } from "../report-account";

/**
 * `scaling` as data: a pure function from what AWS answered about the deployed services and clusters to the
 * report the renderers print and the exit code reads. It answers the guide's "Monitoramento do Auto Scaling"
 * (tasks, CPU, reservation, activities) and turns its "Troubleshooting Auto Scaling" lists into findings, each
 * with the next step.
 */

/** One scaling activity (Application Auto Scaling for tasks, EC2 Auto Scaling for instances). */
export interface ScalingActivity {
  /** ISO time it started. */
  readonly start: string;
  /** ISO time it ended; undefined while it runs. */
  readonly end?: string;
  /** `Successful`, `Failed`, `InProgress`, `Unfulfilled`, `Cancelled`, ... */
  readonly status: string;
  /** What it did (`Setting desired count to 3.`, `Launching a new EC2 instance: i-0abc`). */
  readonly description: string;
  /** Why (the alarm that fired, the capacity change). */
  readonly cause: string;
  /** The status message (why it failed). */
  readonly message?: string;
}

/** One CloudWatch datapoint. */
export interface Datapoint {
  /** ISO time of the period's start. */
  readonly time: string;
  readonly value: number;
}

/** A metric over the window, per period: the periods' averages and their maxima. */
export interface MetricSeries {
  readonly average: readonly Datapoint[];
  readonly maximum: readonly Datapoint[];
}

/** The service's scalable target and its target-tracking policy (Application Auto Scaling). */
export interface ServiceAutoScalingFacts {
  readonly min: number;
  readonly max: number;
  /** Target CPU percent of the `ECSServiceAverageCPUUtilization` target-tracking policy; undefined without one. */
  readonly targetCpu?: number;
  readonly scaleOutCooldownSeconds?: number;
  readonly scaleInCooldownSeconds?: number;
}

/** What AWS says about one deployed service. */
export interface ServiceFacts {
  /** The service's key in the services phase's outputs (`oms`). */
  readonly key: string;
  /** ECS service name (`sentry-oms-dev`). */
  readonly name: string;
  readonly cluster: string;
  /** ECS knows the service (DescribeServices did not list it as a failure). */
  readonly found: boolean;
  readonly running: number;
  readonly desired: number;
  readonly pending: number;
  /** Undefined: no scalable target (auto scaling off). */
  readonly autoScaling?: ServiceAutoScalingFacts;
  /** Newest first. */
  readonly activities: readonly ScalingActivity[];
  readonly cpu: MetricSeries;
  readonly memory: MetricSeries;
}

export interface GroupFacts {
  readonly name: string;
  /** The group exists (DescribeAutoScalingGroups returned it). */
  readonly found: boolean;
  readonly min: number;
  readonly max: number;
  readonly desired: number;
  /** Instances `InService`. */
  readonly inService: number;
}

/** What AWS says about one deployed cluster, its capacity provider and its Auto Scaling group. */
export interface ClusterFacts {
  /** The cluster's key in the compute phase's outputs (`oms`). */
  readonly key: string;
  readonly name: string;
  readonly capacityProvider: string;
  /** Managed scaling's target capacity when it is on; undefined when off or the provider is unknown. */
  readonly managedScalingTarget?: number;
  /** `ENABLED`, `DISABLED`, or `MISSING` when ECS does not know the capacity provider. */
  readonly managedScalingStatus: string;
  readonly reservation: MetricSeries;
  readonly group: GroupFacts;
  /** Newest first. */
  readonly activities: readonly ScalingActivity[];
}

/** The window the command looks at. */
export interface ScalingWindow {
  /** ISO start and end (end: when the command ran). */
  readonly start: string;
  readonly end: string;
  readonly seconds: number;
  /** CloudWatch period of the datapoints. */
  readonly periodSeconds: number;
}

export interface ScalingInputs {
  readonly environment: string;
  /** The account the environment lives in and the role AWS was asked as. @default - no account configured */
  readonly account?: ReportAccount;
  readonly window: ScalingWindow;
  readonly services: readonly ServiceFacts[];
  readonly clusters: readonly ClusterFacts[];
}

/** A metric over the window; `average` and `maximum` undefined without datapoints. */
export interface WindowStatistic {
  readonly average?: number;
  readonly maximum?: number;
  readonly latest?: number;
  readonly datapoints: number;
}

export type ScalingDirection = "out" | "in";

export interface ActivityView extends ScalingActivity {
  /** Scale-out or scale-in, when the cause says (target tracking's `AlarmHigh` / `AlarmLow`). */
  readonly direction?: ScalingDirection;
}

/** The service as the report shows it: AWS's facts, with the window's statistics in place of its series. */
export interface ServiceView extends Omit<ServiceFacts, "cpu" | "memory" | "activities"> {
  /** Desired tasks neither running nor pending on an instance (PROVISIONING or not placed). */
  readonly waiting: number;
  /** A cooldown running now: which, and until when (ISO). */
  readonly cooldown?: { readonly direction: ScalingDirection; readonly until: string };
  readonly cpu: WindowStatistic;
  readonly memory: WindowStatistic;
  /** The last activities, newest first. */
  readonly activities: readonly ActivityView[];
}

export interface ClusterView {
  readonly key: string;
  readonly name: string;
  readonly capacityProvider: string;
  readonly managedScalingStatus: string;
  readonly managedScalingTarget?: number;
  readonly reservation: WindowStatistic;
  readonly group: GroupFacts;
  /** Tasks of its services that wait for an instance. */
  readonly waiting: number;
  readonly activities: readonly ActivityView[];
}

export type FindingKind = "at-maximum" | "cpu-above-target" | "tasks-waiting" | "group-at-max" | "failed-activity" | "scaling-outside-prod";

/** Something to look at: one line, ending with the next step (and the troubleshooting section, when one matches). */
export interface Finding {
  readonly kind: FindingKind;
  /** The service or cluster (`service oms`, `cluster frontend`). */
  readonly subject: string;
  readonly text: string;
}

/** The report: the inputs' environment, account and window, with views in place of AWS's facts. */
export interface ScalingReport extends Omit<ScalingInputs, "services" | "clusters"> {
  readonly services: readonly ServiceView[];
  readonly clusters: readonly ClusterView[];
  readonly findings: readonly Finding[];
}

/** Activities each view keeps. */
const SHOWN_ACTIVITIES = 5;
/** The environments the guide keeps auto scaling off in, for cost ("Custos altos inesperados"). */
const COST_CHECKED_ENVIRONMENTS: readonly string[] = ["dev", "staging"];
/**
 * Target tracking scales out after 3 consecutive one-minute datapoints above the target (the alarm AWS creates
 * for a target-tracking policy: https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html,
 * read 2026-12-07): CPU above the target for that long without a scale-out is a finding.
 */
const SUSTAINED_SECONDS = 180;
/**
 * Application Auto Scaling activities that did not do what they set out to: `Failed` and `Unfulfilled` (of Pending,
 * InProgress, Successful, Overridden, Unfulfilled, Failed; Overridden is a newer activity taking over)
 * (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_ScalingActivity.html, read 2026-12-07).
 */
const UNSUCCESSFUL_SERVICE_STATUSES: readonly string[] = ["Failed", "Unfulfilled"];
/**
 * EC2 Auto Scaling: "If an attempt to launch instances failed, the StatusCode value is Failed or Cancelled"
 * (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeScalingActivities.html, read 2026-12-07).
 */
const UNSUCCESSFUL_GROUP_STATUSES: readonly string[] = ["Failed", "Cancelled"];
/** Where the per-environment values live. */
const CONFIG_FILE = "src/config/environments.ts";

const round = (value: number): number => Math.round(value * 10) / 10;

function statistic(series: MetricSeries): WindowStatistic {
  const averages = series.average.map((point) => point.value);
  const maxima = series.maximum.map((point) => point.value);
  if (!averages.length && !maxima.length) return { datapoints: 0 };
  const latest = [...series.average].sort((a, b) => a.time.localeCompare(b.time)).pop();
  return {
    average: averages.length ? round(averages.reduce((sum, value) => sum + value, 0) / averages.length) : undefined,
    maximum: maxima.length ? round(Math.max(...maxima)) : undefined,
    latest: latest ? round(latest.value) : undefined,
    datapoints: Math.max(averages.length, maxima.length),
  };
}

/** Target tracking names its alarms `TargetTracking-<resource>-AlarmHigh-<id>` (scale out) and `...-AlarmLow-...` (scale in). */
function directionOf(activity: ScalingActivity): ScalingDirection | undefined {
  if (/AlarmHigh/.test(activity.cause)) return "out";
  if (/AlarmLow/.test(activity.cause)) return "in";
  return undefined;
}

const inWindow = (window: ScalingWindow) => (activity: ScalingActivity): boolean => activity.start >= window.start;
const newestFirst = (activities: readonly ScalingActivity[]): ActivityView[] =>
  [...activities].sort((a, b) => b.start.localeCompare(a.start)).map((activity) => ({ ...activity, direction: directionOf(activity) }));

/** The cooldown running at the window's end: the last successful activity's direction, from its end. */
function cooldownOf(activities: readonly ActivityView[], autoScaling: ServiceAutoScalingFacts | undefined, now: string): ServiceView["cooldown"] {
  const last = activities.find((activity) => activity.status === "Successful" && activity.direction);
  if (!last?.direction || !autoScaling) return undefined;
  const seconds = last.direction === "out" ? autoScaling.scaleOutCooldownSeconds : autoScaling.scaleInCooldownSeconds;
  if (seconds === undefined) return undefined;
  const until = new Date(Date.parse(last.end ?? last.start) + seconds * 1000).toISOString();
  return until > now ? { direction: last.direction, until } : undefined;
}

/** The longest run of consecutive datapoints above `threshold`, in datapoints, and where it starts. */
function longestRunAbove(points: readonly Datapoint[], threshold: number): { length: number; from?: string } {
  let best = { length: 0, from: undefined as string | undefined };
  let current = { length: 0, from: undefined as string | undefined };
  for (const point of [...points].sort((a, b) => a.time.localeCompare(b.time))) {
    current = point.value > threshold ? { length: current.length + 1, from: current.from ?? point.time } : { length: 0, from: undefined };
    if (current.length > best.length) best = current;
  }
  return best;
}

function serviceView(facts: ServiceFacts, window: ScalingWindow): ServiceView {
  const activities = newestFirst(facts.activities);
  return {
    key: facts.key,
    name: facts.name,
    cluster: facts.cluster,
    found: facts.found,
    running: facts.running,
    desired: facts.desired,
    pending: facts.pending,
    waiting: Math.max(0, facts.desired - facts.running - facts.pending),
    autoScaling: facts.autoScaling,
    cooldown: cooldownOf(activities, facts.autoScaling, window.end),
    cpu: statistic(facts.cpu),
    memory: statistic(facts.memory),
    activities: activities.slice(0, SHOWN_ACTIVITIES),
  };
}

function clusterView(facts: ClusterFacts, services: readonly ServiceView[]): ClusterView {
  return {
    key: facts.key,
    name: facts.name,
    capacityProvider: facts.capacityProvider,
    managedScalingStatus: facts.managedScalingStatus,
    managedScalingTarget: facts.managedScalingTarget,
    reservation: statistic(facts.reservation),
    group: facts.group,
    waiting: services.filter((service) => service.cluster === facts.name).reduce((sum, service) => sum + service.waiting, 0),
    activities: newestFirst(facts.activities).slice(0, SHOWN_ACTIVITIES),
  };
}

const finding = (kind: FindingKind, subject: string, text: string, section?: TroubleshootingSection): Finding => ({
  kind,
  subject,
  text: `${text}${section ? seeTroubleshooting(section) : ""}`,
});

const failedText = (activity: ScalingActivity): string => `${activity.start} "${activity.description}"${activity.message ? `: ${activity.message}` : ""}`;

function serviceFindings(facts: ServiceFacts, view: ServiceView, window: ScalingWindow, environment: string): Finding[] {
  const subject = `service ${view.key}`;
  const scaling = view.autoScaling;
  const recent = facts.activities.filter(inWindow(window));
  const found: Finding[] = [];
  const target = scaling?.targetCpu;
  const run = target === undefined ? { length: 0 } : longestRunAbove(facts.cpu.average, target);
  const sustained = run.length >= Math.max(1, Math.ceil(SUSTAINED_SECONDS / window.periodSeconds));
  const atMaximum = scaling !== undefined && view.desired >= scaling.max && !recent.some((activity) => activity.status === "Successful");
  // A fixed task count (min = max) is at its maximum by design: only a finding when the CPU wants more.
  const fixed = scaling !== undefined && scaling.min >= scaling.max;
  if (scaling && atMaximum && (!fixed || sustained)) {
    found.push(
      finding(
        "at-maximum",
        subject,
        `${view.name} stayed at its maximum of ${scaling.max} tasks for the whole window (CPU maximum ${view.cpu.maximum ?? "unknown"} %): raise autoScaling.maxTaskCount of ${view.key} in ${CONFIG_FILE} (and the cluster's maxSize if the tasks would not fit), then plan, review, deploy`,
        "tasks-not-scaling",
      ),
    );
  }
  if (scaling && target !== undefined && sustained && !atMaximum && !recent.some((activity) => directionOf(activity) === "out")) {
    const minutes = Math.round((run.length * window.periodSeconds) / 60);
    found.push(
      finding(
        "cpu-above-target",
        subject,
        `${view.name} CPU stayed above its ${target} % target for ${minutes} min from ${run.from} with no scale-out in the window: check the cooldown and the failed activities above, and that the policy is not suspended (aws application-autoscaling describe-scalable-targets --service-namespace ecs)`,
        "tasks-not-scaling",
      ),
    );
  }
  for (const activity of recent.filter((a) => UNSUCCESSFUL_SERVICE_STATUSES.includes(a.status))) {
    const outcome = activity.status === "Failed" ? "failed" : "was unfulfilled";
    found.push(finding("failed-activity", subject, `${view.name} scaling activity ${outcome} at ${failedText(activity)}: fix what the message names, the next alarm retries it`, "tasks-not-scaling"));
  }
  if (scaling && COST_CHECKED_ENVIRONMENTS.includes(environment)) {
    found.push(
      finding(
        "scaling-outside-prod",
        subject,
        `${view.name} has task auto scaling on in ${environment} (${scaling.min}..${scaling.max} tasks): the guide keeps it off outside prod for cost; if not meant, set autoScaling.enabled false for ${view.key} in ${CONFIG_FILE}, then plan, review, deploy`,
        "unexpected-costs",
      ),
    );
  }
  return found;
}

function clusterFindings(facts: ClusterFacts, view: ClusterView, window: ScalingWindow, environment: string): Finding[] {
  const subject = `cluster ${view.key}`;
  const group = view.group;
  const managed = view.managedScalingStatus === "ENABLED";
  const atMax = group.found && group.desired >= group.max;
  const demand = view.waiting > 0 || (view.reservation.maximum ?? 0) > 100;
  // A group of fixed size (min = max, or sized by the config alone with managed scaling off) sits at its MaxSize by
  // design: only a finding when tasks want more than it has. One that managed scaling grew to its MaxSize has no headroom left.
  const fixedSize = group.min >= group.max || !managed;
  const found: Finding[] = [];
  if (atMax && (!fixedSize || demand)) {
    found.push(
      finding(
        "group-at-max",
        subject,
        `${group.name} is at its MaxSize of ${group.max} (${group.inService} in service): raise maxSize of cluster ${view.key} in ${CONFIG_FILE} if it needs more instances, then plan, review, deploy`,
        "instances-not-scaling",
      ),
    );
  }
  if (view.waiting > 0) {
    const reservation = facts.reservation.average;
    const stuck = reservation.length > 0 && reservation.every((point) => point.value > 100);
    if (atMax || !managed) {
      const why = atMax ? `${group.name} is at its MaxSize` : "managed scaling is off, so nothing adds instances";
      found.push(
        finding(
          "tasks-waiting",
          subject,
          `${view.waiting} task${view.waiting === 1 ? "" : "s"} of ${view.name} wait for an instance none can give (${why}): raise the cluster's ${atMax ? "maxSize" : "desiredCapacity (or turn managedScaling on)"} in ${CONFIG_FILE}, or lower the services' desired counts`,
          "instances-not-scaling",
        ),
      );
    } else if (stuck) {
      found.push(
        finding(
          "tasks-waiting",
          subject,
          `${view.waiting} task${view.waiting === 1 ? "" : "s"} of ${view.name} wait for an instance and the capacity reservation stayed above 100 % for the whole window: check ${group.name}'s activities above, then lower managedScaling.targetCapacity or raise maximumScalingStepSize`,
          "slow-scaling",
        ),
      );
    }
  }
  for (const activity of facts.activities.filter(inWindow(window)).filter((a) => UNSUCCESSFUL_GROUP_STATUSES.includes(a.status))) {
    const outcome = activity.status === "Failed" ? "failed" : "was cancelled";
    found.push(finding("failed-activity", subject, `${group.name} scaling activity ${outcome} at ${failedText(activity)}: fix what the message names (instance type capacity, launch template, quotas)`, "instances-not-scaling"));
  }
  if (managed && COST_CHECKED_ENVIRONMENTS.includes(environment)) {
    found.push(
      finding(
        "scaling-outside-prod",
        subject,
        `${view.name} has managed scaling on in ${environment} (${group.min}..${group.max} instances): the guide keeps it off outside prod for cost; if not meant, set managedScaling.enabled false for cluster ${view.key} in ${CONFIG_FILE}, then plan, review, deploy`,
        "unexpected-costs",
      ),
    );
  }
  return found;
}

/** The report the renderers print. */
export function buildScaling(inputs: ScalingInputs): ScalingReport {
  const { window, environment, account } = inputs;
  const services = inputs.services.map((facts) => serviceView(facts, window));
  const clusters = inputs.clusters.map((facts) => clusterView(facts, services));
  const findings = [
    ...inputs.services.flatMap((facts, index) => serviceFindings(facts, services[index], window, environment)),
    ...inputs.clusters.flatMap((facts, index) => clusterFindings(facts, clusters[index], window, environment)),
  ];
  return { environment, ...(account && { account }), window, services, clusters, findings };
}

/** 0 nothing to look at, 2 findings. */
export function scalingExitCode(report: ScalingReport): 0 | 2 {
  return report.findings.length ? 2 : 0;
}

/** `--since`'s default. */
export const DEFAULT_SINCE = "1h";
const SINCE_UNITS: Readonly<Record<string, number>> = { m: 60, h: 3600, d: 86400 };
/**
 * CloudWatch keeps 1-minute datapoints 15 days and 5-minute ones 63 days
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html, read 2026-12-07).
 */
const MAX_SINCE_SECONDS = 63 * 86400;

/** `--since`: minutes, hours or days (`30m`, `6h`, `2d`) in seconds; throws a one-line reason. */
export function parseSince(text: string): number {
  const match = /^(\d+)([mhd])$/.exec(text.trim());
  if (!match || Number(match[1]) === 0) throw new Error(`--since ${text}: expected a positive whole number of minutes, hours or days (30m, 6h, 2d)`);
  const seconds = Number(match[1]) * SINCE_UNITS[match[2]];
  if (seconds > MAX_SINCE_SECONDS) throw new Error(`--since ${text}: at most 63d (CloudWatch keeps 5-minute datapoints 63 days)`);
  return seconds;
}

/**
 * The datapoints' period: 1 minute up to a day, 5 minutes up to 5 days, an hour beyond (at most 1,512 datapoints
 * per metric, inside CloudWatch's retention of each).
 */
export function periodFor(seconds: number): number {
  if (seconds <= 86400) return 60;
  if (seconds <= 5 * 86400) return 300;
  return 3600;
}

/** The window ending `now`. */
export function windowEnding(now: Date, seconds: number): ScalingWindow {
  return { start: new Date(now.getTime() - seconds * 1000).toISOString(), end: now.toISOString(), seconds, periodSeconds: periodFor(seconds) };
}
