import { EnvironmentName } from "./types";

/**
 * The values the deployment guide (`shared/seed/DEPLOYMENT.md`) gives, by configuration path (the path
 * docs/configuration.md shows, e.g. `network.vpcCidr`, `services.oms.autoScaling.maxTaskCount`). Every other
 * value of `environments.ts` is this project's choice. `npm run docs` marks each value with its source and
 * shows the guide's value where ours differs; a test fails when a path here names no configuration value.
 */

export type GuideScalar = string | number | boolean | readonly string[];

export interface GuideValue {
  /** The guide's parameter name (its console tables and recommended configuration). */
  readonly parameter: string;
  /** The guide's value per environment it gives one for. */
  readonly values: Readonly<Partial<Record<EnvironmentName, GuideScalar>>>;
}

function every(value: GuideScalar): Partial<Record<EnvironmentName, GuideScalar>> {
  return { dev: value, staging: value, prod: value };
}

/** One entry per name: `<prefix>.<name>.<suffix>`. */
function forEach(prefix: string, names: readonly string[], suffix: string, value: GuideValue): Record<string, GuideValue> {
  return Object.fromEntries(names.map((name) => [`${prefix}.${name}.${suffix}`, value]));
}

/** Guide 3.1 and 3.2 (dev and prod columns) and "Configuração Recomendada: DEV/STAGING" (sizes for staging too). */
function cluster(name: string, instanceType: { dev: string; prod: string }, prodMaxSize: number): Record<string, GuideValue> {
  return {
    [`clusters.${name}.instanceType`]: { parameter: "InstanceType", values: instanceType },
    [`clusters.${name}.minSize`]: { parameter: "MinSize", values: { dev: 1, staging: 1, prod: 2 } },
    [`clusters.${name}.maxSize`]: { parameter: "MaxSize", values: { dev: 2, staging: 2, prod: prodMaxSize } },
    [`clusters.${name}.desiredCapacity`]: { parameter: "DesiredCapacity", values: { dev: 1, staging: 1, prod: 2 } },
    // "Comportamento por Ambiente": instance auto scaling off in dev/staging, on in prod; the template's numbers.
    [`clusters.${name}.managedScaling.enabled`]: { parameter: "Instance Auto Scaling", values: { dev: false, staging: false, prod: true } },
    [`clusters.${name}.managedScaling.targetCapacity`]: { parameter: "TargetCapacity", values: every(70) },
    [`clusters.${name}.managedScaling.minimumScalingStepSize`]: { parameter: "MinimumScalingStepSize", values: every(1) },
    [`clusters.${name}.managedScaling.maximumScalingStepSize`]: { parameter: "MaximumScalingStepSize", values: every(2) },
  };
}

/** "Parâmetros de Auto Scaling", task definitions of OMS and WebSocket: defaults, and the prod recommendation. */
const SCALED_SERVICES = ["oms", "websocket"];
const ALL_SERVICES = ["oms", "frontend", "websocket"];

export const GUIDE_VALUES: Readonly<Record<string, GuideValue>> = {
  "network.vpcCidr": { parameter: "VpcCIDR", values: { dev: "172.22.0.0/16", staging: "172.22.0.0/16", prod: "172.23.0.0/16" } },
  "network.availabilityZones": { parameter: "AvailabilityZone1..3", values: { prod: ["us-east-1a", "us-east-1b", "us-east-1c"] } },
  "network.flowLogs.enabled": { parameter: "EnableFlowLogs", values: { dev: false, staging: true } },
  "queues.orders-bitget.type": { parameter: "QueueType", values: every("standard") },
  "queues.executions.type": { parameter: "QueueType", values: every("fifo") },
  "redis.nodeType": { parameter: "NodeType", values: { dev: "cache.t4g.micro", prod: "cache.r7g.large" } },
  "redis.numCacheNodes": { parameter: "NumCacheNodes", values: { dev: 1, prod: 2 } },
  ...cluster("oms", { dev: "t4g.small", prod: "c7g.large" }, 8),
  ...cluster("frontend", { dev: "t4g.small", prod: "t4g.medium" }, 4),
  ...forEach("services", ALL_SERVICES, "imageTag", { parameter: "ImageTag", values: every("latest") }),
  ...forEach("services", ALL_SERVICES, "desiredCount", { parameter: "DesiredCount", values: { dev: 1, staging: 1 } }),
  ...forEach("services", SCALED_SERVICES, "autoScaling.enabled", { parameter: "EnableServiceAutoScaling", values: { dev: false, staging: false, prod: true } }),
  ...forEach("services", SCALED_SERVICES, "autoScaling.minTaskCount", { parameter: "MinTaskCount", values: { dev: 1, staging: 1, prod: 2 } }),
  ...forEach("services", SCALED_SERVICES, "autoScaling.maxTaskCount", { parameter: "MaxTaskCount", values: { dev: 4, staging: 4, prod: 8 } }),
  ...forEach("services", SCALED_SERVICES, "autoScaling.targetCpuUtilization", { parameter: "TargetCPUUtilization", values: every(70) }),
  ...forEach("services", SCALED_SERVICES, "autoScaling.scaleOutCooldownSeconds", { parameter: "ScaleOutCooldown", values: every(60) }),
  ...forEach("services", SCALED_SERVICES, "autoScaling.scaleInCooldownSeconds", { parameter: "ScaleInCooldown", values: every(300) }),
  ...forEach("cicd.pipelines", ALL_SERVICES, "buildspecPath", { parameter: "BuildspecPath", values: every("buildspec.yml") }),
};

/** A count the guide's "Checklist por Ambiente" gives for a list of the configuration. */
export interface GuideCount {
  /** The guide's checklist item. */
  readonly item: string;
  readonly count: number;
}

/** By configuration list (`queues`): the config's length is what deploys; the guide's count is shown beside it where they differ. */
export const GUIDE_COUNTS: Readonly<Record<string, GuideCount>> = {
  queues: { item: "SQS Queues (9x)", count: 9 },
};
