import {
  ClusterConfig,
  DeploymentConfig,
  EnvironmentConfig,
  EnvironmentName,
  KmsConfig,
  OperatorSettings,
  PipelineConfig,
  QueueConfig,
  ServiceAutoScalingConfig,
  SERVICE_NAMES,
  ServiceConfig,
} from "./types";

/**
 * Every environment's values, from the deployment guide's parameter tables.
 * Where the guide is silent the choice is ours and says so in a comment.
 */

/** The nine queues of the order-management system (README: "Queues"). The same set in every environment. */
export const QUEUES: readonly QueueConfig[] = [
  { name: "orders-bitget", type: "standard", purpose: "New order requests for the Bitget adapter", visibilityTimeoutSeconds: 60 },
  { name: "executions", type: "fifo", purpose: "Fills reported by exchanges, in order per order id", visibilityTimeoutSeconds: 60 },
  { name: "order-status", type: "fifo", purpose: "Order state transitions, in order per order id", visibilityTimeoutSeconds: 60 },
  { name: "order-cancellations", type: "fifo", purpose: "Cancel requests, deduplicated and ordered after their order", visibilityTimeoutSeconds: 60 },
  { name: "positions", type: "fifo", purpose: "Position and balance updates, in order per account", visibilityTimeoutSeconds: 60 },
  { name: "risk-checks", type: "standard", purpose: "Pre-trade risk evaluations", visibilityTimeoutSeconds: 30 },
  { name: "market-data", type: "standard", purpose: "Ticker and order-book snapshots for strategies", visibilityTimeoutSeconds: 30 },
  { name: "notifications", type: "standard", purpose: "Alerts to operators and admins", visibilityTimeoutSeconds: 60 },
  { name: "audit-events", type: "standard", purpose: "Audit trail of admin and trading actions", visibilityTimeoutSeconds: 120 },
];

/** The guide's non-prod recommendation: task auto scaling off, 1..4 tasks when turned on. */
const TASK_SCALING_OFF: ServiceAutoScalingConfig = {
  enabled: false,
  minTaskCount: 1,
  maxTaskCount: 4,
  targetCpuUtilization: 70,
  scaleOutCooldownSeconds: 60,
  scaleInCooldownSeconds: 300,
};

/** The guide's prod recommendation: 2..8 tasks, target 70 % CPU. */
const TASK_SCALING_PROD: ServiceAutoScalingConfig = { ...TASK_SCALING_OFF, enabled: true, minTaskCount: 2, maxTaskCount: 8 };
/**
 * Websocket shares the prod frontend cluster (at most 4 t4g.medium, 2 awsvpc tasks each = 8 tasks) with the
 * admin frontend's 2 tasks: the guide's 8 would not fit, so it scales to 6.
 */
const WEBSOCKET_SCALING_PROD: ServiceAutoScalingConfig = { ...TASK_SCALING_PROD, maxTaskCount: 6 };

/** Managed scaling numbers from the guide; enabled only in prod. */
const MANAGED_SCALING = { targetCapacity: 70, minimumScalingStepSize: 1, maximumScalingStepSize: 2 };

/** Guide 3.1/3.2, dev column; staging follows dev ("Configuração Recomendada: DEV/STAGING"). */
const NONPROD_CLUSTER: ClusterConfig = {
  instanceType: "t4g.small",
  minSize: 1,
  maxSize: 2,
  desiredCapacity: 1,
  managedScaling: { ...MANAGED_SCALING, enabled: false },
  containerInsights: false,
  // Every task is awsvpc: no container needs the instance's metadata.
  metadataHopLimit: 1,
};

/**
 * Non-prod clusters are one instance without managed scaling: an awsvpc task takes one of the instance's
 * network interfaces (a t4g.small has two for tasks), so there is no room to start new tasks next to the old
 * ones. Stop, then start (a short gap in dev/staging).
 */
const STOP_THEN_START: DeploymentConfig = { minimumHealthyPercent: 0, maximumPercent: 100 };
/** Prod: no task stops before its replacement is healthy; managed scaling adds instances for the second set. */
const START_THEN_STOP: DeploymentConfig = { minimumHealthyPercent: 100, maximumPercent: 200 };

/** Containers, ports and sizes are ours: the guide gives none. */
function services(
  desiredCount: number,
  scaling: { readonly oms: ServiceAutoScalingConfig; readonly websocket: ServiceAutoScalingConfig },
  deployment: DeploymentConfig,
): ServiceConfig[] {
  const common = { imageTag: "latest", enableExecuteCommand: false, containerUser: "1000:1000", desiredCount, deployment, networkMode: "awsvpc" as const };
  return [
    { ...common, name: "oms", cluster: "oms", cpu: 512, memoryMiB: 1024, containerPort: 8080, exchangeCredentials: true, redisAccess: true, autoScaling: scaling.oms },
    // The admin frontend is low-traffic: the guide scales only OMS and WebSocket tasks.
    { ...common, name: "frontend", cluster: "frontend", cpu: 256, memoryMiB: 512, containerPort: 3000, exchangeCredentials: false, redisAccess: false, autoScaling: TASK_SCALING_OFF },
    { ...common, name: "websocket", cluster: "frontend", cpu: 256, memoryMiB: 512, containerPort: 8081, exchangeCredentials: false, redisAccess: true, autoScaling: scaling.websocket },
  ];
}

/** Guide 5.1: one pipeline per service; dev follows `develop`, staging and prod `main`. */
function pipelines(branch: string, deploy: boolean): PipelineConfig[] {
  return SERVICE_NAMES.map((service) => ({
    service,
    repository: `sentry-trading/sentry-${service}`,
    branch,
    buildspecPath: "buildspec.yml",
    deploy,
  }));
}

const CICD_RETENTION = { keepTaggedImages: 30, untaggedImageExpiryDays: 7, artifactExpiryDays: 30 };

/** Our choice: a week to notice a key scheduled for deletion in dev/staging, AWS's maximum in prod. */
const KMS_NONPROD: KmsConfig = { deletionWindowDays: 7 };
const KMS_PROD: KmsConfig = { deletionWindowDays: 30 };

/**
 * awsvpc tasks an instance type can host: its network interfaces minus the primary one (no ENI trunking).
 * Only these types pass validation; add a type here with its interface count from the EC2 documentation.
 */
export const AWSVPC_TASKS_PER_INSTANCE: Readonly<Record<string, number>> = {
  ...Object.fromEntries(["t4g.nano", "t4g.micro"].map((type) => [type, 1])),
  ...Object.fromEntries(["t4g.small", "t4g.medium", "t4g.large"].map((type) => [type, 2])),
  ...Object.fromEntries(["t4g.xlarge", "t4g.2xlarge"].map((type) => [type, 3])),
  ...Object.fromEntries(
    ["c6g", "c7g", "m6g", "m7g", "r6g", "r7g"].flatMap((family) => [
      [`${family}.medium`, 1],
      [`${family}.large`, 2],
      [`${family}.xlarge`, 3],
      [`${family}.2xlarge`, 3],
      [`${family}.4xlarge`, 7],
    ]),
  ),
};

export type EnvironmentDefinition = Omit<EnvironmentConfig, "operator">;

export const ENVIRONMENTS: Readonly<Record<EnvironmentName, EnvironmentDefinition>> = {
  dev: {
    name: "dev",
    protectData: false,
    logRetentionDays: 14,
    network: {
      vpcCidr: "172.22.0.0/16",
      availabilityZones: ["us-east-1a", "us-east-1b"],
      natGateways: "single",
      flowLogs: { enabled: false, retentionDays: 14 },
    },
    cognito: { mfa: "OPTIONAL" },
    queues: QUEUES,
    secretRecoveryWindowDays: 7,
    redis: { nodeType: "cache.t4g.micro", numCacheNodes: 1, snapshotRetentionDays: 0 },
    clusters: { oms: NONPROD_CLUSTER, frontend: NONPROD_CLUSTER },
    services: services(1, { oms: TASK_SCALING_OFF, websocket: TASK_SCALING_OFF }, STOP_THEN_START),
    cicd: { pipelines: pipelines("develop", true), ...CICD_RETENTION },
    kms: KMS_NONPROD,
  },
  staging: {
    name: "staging",
    protectData: false,
    logRetentionDays: 30,
    network: {
      vpcCidr: "172.22.0.0/16",
      availabilityZones: ["us-east-1a", "us-east-1b"],
      natGateways: "single",
      flowLogs: { enabled: true, retentionDays: 30 },
    },
    cognito: { mfa: "OPTIONAL" },
    queues: QUEUES,
    secretRecoveryWindowDays: 7,
    // The guide gives dev and prod only. Two small nodes rehearse prod's failover at a fraction of its cost.
    redis: { nodeType: "cache.t4g.small", numCacheNodes: 2, snapshotRetentionDays: 1 },
    clusters: { oms: NONPROD_CLUSTER, frontend: NONPROD_CLUSTER },
    services: services(1, { oms: TASK_SCALING_OFF, websocket: TASK_SCALING_OFF }, STOP_THEN_START),
    cicd: { pipelines: pipelines("main", true), ...CICD_RETENTION },
    kms: KMS_NONPROD,
  },
  prod: {
    name: "prod",
    protectData: true,
    // The audit floor (AUDIT_LOG_RETENTION_FLOOR_DAYS): who did what must be answerable for a year.
    logRetentionDays: 365,
    network: {
      vpcCidr: "172.23.0.0/16",
      availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
      natGateways: "per-az",
      flowLogs: { enabled: true, retentionDays: 365 },
    },
    cognito: { mfa: "ON" },
    queues: QUEUES,
    secretRecoveryWindowDays: 30,
    redis: { nodeType: "cache.r7g.large", numCacheNodes: 2, snapshotRetentionDays: 7 },
    clusters: {
      oms: { instanceType: "c7g.large", minSize: 2, maxSize: 8, desiredCapacity: 2, managedScaling: { ...MANAGED_SCALING, enabled: true }, containerInsights: true, metadataHopLimit: 1 },
      frontend: { instanceType: "t4g.medium", minSize: 2, maxSize: 4, desiredCapacity: 2, managedScaling: { ...MANAGED_SCALING, enabled: true }, containerInsights: true, metadataHopLimit: 1 },
    },
    services: services(2, { oms: TASK_SCALING_PROD, websocket: WEBSOCKET_SCALING_PROD }, START_THEN_STOP),
    cicd: { pipelines: pipelines("main", true), ...CICD_RETENTION },
    kms: KMS_PROD,
  },
};

/** Operator defaults; each can be overridden by an environment variable (see `operator.ts`). */
export const OPERATOR_DEFAULTS: OperatorSettings = {
  region: "us-east-1",
  stateBucket: "sentry-terraform-state",
  adminEmail: "admin@example.com",
  adminRoleArns: [],
};
