import { OpsFailure, TerraformOutputValue } from "../session";
import { errorParts } from "../credentials";
import { awsFailure, RunCredentials } from "../status/live";
import { ClusterFacts, Datapoint, GroupFacts, MetricSeries, ScalingActivity, ScalingInputs, ScalingWindow, ServiceFacts } from "./model";

/**
 * The I/O half of `scaling`: the names come from the compute and services phases' outputs (never a synth), the
 * facts from AWS through `ScalingAws`, a seam: the command takes a factory, tests pass stubs, the real one
 * (`sdk.ts`) loads the AWS SDK v3 clients only when `scaling` runs. Every call only reads.
 */

export interface EcsServiceCounts {
  readonly name: string;
  /** False when DescribeServices lists it as a failure (`MISSING`). */
  readonly found: boolean;
  readonly running: number;
  readonly desired: number;
  readonly pending: number;
}

export interface CapacityProviderFacts {
  readonly name: string;
  /** Managed scaling's `ENABLED` / `DISABLED`. */
  readonly managedScaling: string;
  readonly targetCapacity?: number;
}

export interface ScalableTargetFacts {
  /** `service/<cluster>/<service>`. */
  readonly resourceId: string;
  readonly min: number;
  readonly max: number;
}

export interface ScalingPolicyFacts {
  /** Predefined metric of a target-tracking policy (`ECSServiceAverageCPUUtilization`). */
  readonly metric?: string;
  readonly targetValue?: number;
  readonly scaleOutCooldownSeconds?: number;
  readonly scaleInCooldownSeconds?: number;
}

export interface MetricQuery {
  /** GetMetricData's query id: a lower-case letter, then letters, digits, underscores. */
  readonly id: string;
  readonly namespace: string;
  readonly metric: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: "Average" | "Maximum";
}

/** What `scaling` asks AWS; each method is one read action (`SCALING_ACTIONS`). */
export interface ScalingAws {
  services(cluster: string, names: readonly string[]): Promise<EcsServiceCounts[]>;
  capacityProviders(names: readonly string[]): Promise<CapacityProviderFacts[]>;
  groups(names: readonly string[]): Promise<GroupFacts[]>;
  /** Newest first. */
  groupActivities(group: string): Promise<ScalingActivity[]>;
  scalableTargets(resourceIds: readonly string[]): Promise<ScalableTargetFacts[]>;
  scalingPolicies(resourceId: string): Promise<ScalingPolicyFacts[]>;
  /** Newest first. */
  serviceActivities(resourceId: string): Promise<ScalingActivity[]>;
  /** Datapoints per query id over the window, oldest first. */
  metrics(queries: readonly MetricQuery[], window: ScalingWindow): Promise<Map<string, Datapoint[]>>;
  /** Closes the clients (their kept-alive sockets would hold the process open). */
  close(): void;
}

/** Clients for the region; `credentials`: the environment's role (`environmentCredentials`). @default - the SDK's chain */
export type ScalingAwsFactory = (region: string, credentials?: RunCredentials) => ScalingAws;

/** The IAM action behind each call, named when AWS refuses it (and listed in docs/operations.md). */
export const SCALING_ACTIONS = {
  services: "ecs:DescribeServices",
  capacityProviders: "ecs:DescribeCapacityProviders",
  groups: "autoscaling:DescribeAutoScalingGroups",
  groupActivities: "autoscaling:DescribeScalingActivities",
  scalableTargets: "application-autoscaling:DescribeScalableTargets",
  scalingPolicies: "application-autoscaling:DescribeScalingPolicies",
  serviceActivities: "application-autoscaling:DescribeScalingActivities",
  metrics: "cloudwatch:GetMetricData",
} as const;
type ScalingCall = keyof typeof SCALING_ACTIONS;

const ACCESS_DENIED = /^(AccessDenied|AccessDeniedException|UnauthorizedOperation|UnauthorizedException)$/;

/** An SDK error as one line: a refused permission names its action, credentials errors are the credentials line (`awsFailure`). */
export function scalingFailure(error: unknown, call: ScalingCall): OpsFailure {
  const { name, message } = errorParts(error);
  if (ACCESS_DENIED.test(name) || /not authorized to perform/i.test(message)) {
    const action = SCALING_ACTIONS[call];
    return new OpsFailure(`scaling: AWS refused ${action} (${name}: ${message}); allow ${action} to the run's identity (docs/operations.md lists what scaling reads)`);
  }
  return awsFailure(error, SCALING_ACTIONS[call], "scaling");
}

async function ask<T>(call: ScalingCall, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw scalingFailure(error, call);
  }
}

export interface ServiceTarget {
  readonly key: string;
  readonly name: string;
  readonly cluster: string;
}

export interface ClusterTarget {
  readonly key: string;
  readonly name: string;
  readonly capacityProvider: string;
  readonly group: string;
}

/** What `scaling` looks at, named by the deployed outputs. */
export interface ScalingTargets {
  readonly services: readonly ServiceTarget[];
  readonly clusters: readonly ClusterTarget[];
}

type Outputs = Readonly<Record<string, TerraformOutputValue>>;

/** A map output (`cluster_names`), or a failure naming the stack that should publish it. */
function mapOutput(outputs: Outputs, name: string, stack: string, redeploy: string): Record<string, string> {
  const value = outputs[name]?.value;
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new OpsFailure(`scaling: ${stack} publishes no output ${name} (deployed before it existed): deploy it again with \`${redeploy}\``);
  }
  return value as Record<string, string>;
}

/**
 * The services (all, or those of `--service`, by key or ECS name) and the clusters they run in, from the compute
 * outputs `cluster_names`, `capacity_provider_names`, `autoscaling_group_names` and the services outputs
 * `service_names`, `service_cluster_names`.
 */
export function scalingTargets(
  phases: { readonly environment: string; readonly compute: Outputs; readonly services: Outputs; readonly computeStack: string; readonly servicesStack: string },
  selected: readonly string[],
): ScalingTargets {
  const redeploy = (phase: string) => `sentry-ops deploy ${phases.environment} --phase ${phase}`;
  const clusterNames = mapOutput(phases.compute, "cluster_names", phases.computeStack, redeploy("compute"));
  const providers = mapOutput(phases.compute, "capacity_provider_names", phases.computeStack, redeploy("compute"));
  const groups = mapOutput(phases.compute, "autoscaling_group_names", phases.computeStack, redeploy("compute"));
  const serviceNames = mapOutput(phases.services, "service_names", phases.servicesStack, redeploy("services"));
  const serviceClusters = mapOutput(phases.services, "service_cluster_names", phases.servicesStack, redeploy("services"));
  const all = Object.entries(serviceNames).map(([key, name]) => ({ key, name, cluster: serviceClusters[key] }));
  for (const wanted of selected) {
    if (!all.some((service) => service.key === wanted || service.name === wanted)) {
      throw new OpsFailure(`scaling: --service ${wanted}: ${phases.servicesStack} has no such service; it has ${all.map((s) => `${s.key} (${s.name})`).join(", ")}`);
    }
  }
  const services = selected.length ? all.filter((service) => selected.includes(service.key) || selected.includes(service.name)) : all;
  const clusters = Object.entries(clusterNames)
    .filter(([, name]) => services.some((service) => service.cluster === name))
    .map(([key, name]) => ({ key, name, capacityProvider: providers[key], group: groups[key] }));
  return { services, clusters };
}

const resourceIdOf = (service: ServiceTarget): string => `service/${service.cluster}/${service.name}`;

const NO_SERIES: MetricSeries = { average: [], maximum: [] };

/** The GetMetricData queries: CPU and memory per service (AWS/ECS), the capacity reservation per cluster. */
function metricQueries(targets: ScalingTargets): MetricQuery[] {
  const both = (prefix: string, namespace: string, metric: string, dimensions: Record<string, string>): MetricQuery[] => [
    { id: `${prefix}_avg`, namespace, metric, dimensions, stat: "Average" },
    { id: `${prefix}_max`, namespace, metric, dimensions, stat: "Maximum" },
  ];
  return [
    ...targets.services.flatMap((service, index) => {
      const dimensions = { ClusterName: service.cluster, ServiceName: service.name };
      return [...both(`s${index}_cpu`, "AWS/ECS", "CPUUtilization", dimensions), ...both(`s${index}_mem`, "AWS/ECS", "MemoryUtilization", dimensions)];
    }),
    ...targets.clusters.flatMap((cluster, index) =>
      both(`c${index}_reservation`, "AWS/ECS/ManagedScaling", "CapacityProviderReservation", { ClusterName: cluster.name, CapacityProviderName: cluster.capacityProvider }),
    ),
  ];
}

const seriesOf = (data: ReadonlyMap<string, Datapoint[]>, prefix: string): MetricSeries => ({
  average: data.get(`${prefix}_avg`) ?? NO_SERIES.average,
  maximum: data.get(`${prefix}_max`) ?? NO_SERIES.maximum,
});

/** Every call at the same time: ECS, Application Auto Scaling, EC2 Auto Scaling and CloudWatch. */
export async function fetchScaling(aws: ScalingAws, environment: string, targets: ScalingTargets, window: ScalingWindow): Promise<ScalingInputs> {
  const byCluster = [...new Set(targets.services.map((service) => service.cluster))];
  const resourceIds = targets.services.map(resourceIdOf);
  const [counts, providers, groups, groupActivities, scalableTargets, policies, serviceActivities, metrics] = await Promise.all([
    Promise.all(byCluster.map((cluster) => ask("services", () => aws.services(cluster, targets.services.filter((s) => s.cluster === cluster).map((s) => s.name))))).then((lists) => lists.flat()),
    ask("capacityProviders", () => aws.capacityProviders(targets.clusters.map((cluster) => cluster.capacityProvider))),
    ask("groups", () => aws.groups(targets.clusters.map((cluster) => cluster.group))),
    Promise.all(targets.clusters.map((cluster) => ask("groupActivities", () => aws.groupActivities(cluster.group)))),
    ask("scalableTargets", () => aws.scalableTargets(resourceIds)),
    Promise.all(resourceIds.map((id) => ask("scalingPolicies", () => aws.scalingPolicies(id)))),
    Promise.all(resourceIds.map((id) => ask("serviceActivities", () => aws.serviceActivities(id)))),
    ask("metrics", () => aws.metrics(metricQueries(targets), window)),
  ]);
  const services = targets.services.map((service, index): ServiceFacts => {
    const count = counts.find((c) => c.name === service.name);
    const target = scalableTargets.find((t) => t.resourceId === resourceIds[index]);
    const cpuPolicy = policies[index].find((policy) => policy.metric === "ECSServiceAverageCPUUtilization") ?? policies[index][0];
    return {
      ...service,
      found: count?.found ?? false,
      running: count?.running ?? 0,
      desired: count?.desired ?? 0,
      pending: count?.pending ?? 0,
      autoScaling: target && {
        min: target.min,
        max: target.max,
        targetCpu: cpuPolicy?.metric === "ECSServiceAverageCPUUtilization" ? cpuPolicy.targetValue : undefined,
        scaleOutCooldownSeconds: cpuPolicy?.scaleOutCooldownSeconds,
        scaleInCooldownSeconds: cpuPolicy?.scaleInCooldownSeconds,
      },
      activities: serviceActivities[index],
      cpu: seriesOf(metrics, `s${index}_cpu`),
      memory: seriesOf(metrics, `s${index}_mem`),
    };
  });
  const clusters = targets.clusters.map((cluster, index): ClusterFacts => {
    const provider = providers.find((p) => p.name === cluster.capacityProvider);
    const group = groups.find((g) => g.name === cluster.group) ?? { name: cluster.group, found: false, min: 0, max: 0, desired: 0, inService: 0 };
    return {
      key: cluster.key,
      name: cluster.name,
      capacityProvider: cluster.capacityProvider,
      managedScalingStatus: provider?.managedScaling ?? "MISSING",
      managedScalingTarget: provider?.managedScaling === "ENABLED" ? provider.targetCapacity : undefined,
      reservation: seriesOf(metrics, `c${index}_reservation`),
      group,
      activities: groupActivities[index],
    };
  });
  return { environment, window, services, clusters };
}
