import type { ClusterDefinition, ServiceAutoScalingDefinition, ServiceDefinition } from "./profiles";
import {
  AlarmsConfig,
  ClusterName,
  DeploymentConfig,
  EnvironmentConfig,
  EnvironmentName,
  IngressConfig,
  KmsConfig,
  OperatorSettings,
  PipelineConfig,
  QueueConfig,
  ServiceAccessConfig,
  ServiceIngressConfig,
  ServiceName,
  SERVICE_NAMES,
  TableConfig,
  SecretConfig,
  WafConfig,
} from "./types";

/**
 * Every environment's values, from the deployment guide's parameter tables.
 * Where the guide is silent the choice is ours and says so in a comment.
 */

/**
 * The queues of the order-management system (docs/architecture.md "Queues"), the same set in every environment.
 * A new queue is one entry here (then `npm run docs`): the foundation creates it with its dead-letter queue,
 * policies, alarm and outputs. Why each type: orders are idempotent by client order id; fills, status changes and
 * positions must apply in order per order or account; a cancel must never overtake its order (deduplication stops
 * double cancels); risk checks are independent; for market data the newest snapshot wins; audit events carry their
 * own timestamp.
 */
export const QUEUES: readonly QueueConfig[] = [
  { name: "orders-bitget", type: "standard", purpose: "New order requests for the Bitget adapter", visibilityTimeoutSeconds: 60, consumerServices: "one" },
  { name: "executions", type: "fifo", purpose: "Fills reported by exchanges, in order per order id", visibilityTimeoutSeconds: 60, consumerServices: "one" },
  { name: "order-status", type: "fifo", purpose: "Order state transitions, in order per order id", visibilityTimeoutSeconds: 60, consumerServices: "one" },
  { name: "order-cancellations", type: "fifo", purpose: "Cancel requests, deduplicated and ordered after their order", visibilityTimeoutSeconds: 60, consumerServices: "one" },
  { name: "positions", type: "fifo", purpose: "Position and balance updates, in order per account", visibilityTimeoutSeconds: 60, consumerServices: "one" },
  { name: "risk-checks", type: "standard", purpose: "Pre-trade risk evaluations", visibilityTimeoutSeconds: 30, consumerServices: "one" },
  { name: "market-data", type: "standard", purpose: "Ticker and order-book snapshots for strategies", visibilityTimeoutSeconds: 30, consumerServices: "one" },
  { name: "notifications", type: "standard", purpose: "Alerts to operators and admins", visibilityTimeoutSeconds: 60, consumerServices: "one" },
  { name: "audit-events", type: "standard", purpose: "Audit trail of admin and trading actions", visibilityTimeoutSeconds: 120, consumerServices: "one" },
];

/** The two tables of the guide, their keys and indexes. The same in every environment. */
export const TABLES = {
  // Config: pk = "<scope>" (e.g. "EXCHANGE#bitget"), sk = "<key>". Small, read-mostly items.
  config: { key: { partitionKey: "pk", sortKey: "sk" }, indexes: {} },
  // Trading: pk = "ORDER#<id>", sk = "META" | "EXEC#<timestamp>#<execution id>";
  // gsi1 lists an account's orders by time: gsi1pk = "ACCOUNT#<id>#<symbol>", gsi1sk = "<ISO timestamp>".
  // expires_at (epoch seconds) ages out transient items such as idempotency keys.
  trading: {
    key: { partitionKey: "pk", sortKey: "sk" },
    indexes: { gsi1: { partitionKey: "gsi1pk", sortKey: "gsi1sk" } },
    ttlAttribute: "expires_at",
  },
} satisfies Readonly<Record<string, TableConfig>>;

/** The guide's secrets (section 1.6) and the keys each must hold. The same in every environment. */
export const SECRETS = {
  "exchange-credentials": { description: "Exchange API credentials for trading (OMS)", keys: ["api_key", "api_secret", "passphrase"], filledBy: "person" },
  database: { description: "Database credentials", keys: ["connection_string", "host", "port", "database", "username", "password"], filledBy: "person" },
  redis: { description: "Redis endpoint and AUTH token (written by the data phase)", keys: ["url", "host", "port", "password"], filledBy: "data phase" },
} as const satisfies Readonly<Record<string, SecretConfig>>;

/**
 * The guide's non-prod recommendation: task auto scaling off, 1..4 tasks when turned on. Target CPU and
 * cooldowns are left to `profiles.ts` (the guide's 70 %, 60 s, 300 s unless a `profile` or a number is set here).
 */
const TASK_SCALING_OFF: ServiceAutoScalingDefinition = { enabled: false, minTaskCount: 1, maxTaskCount: 4 };

/** The guide's prod recommendation: 2..8 tasks, target 70 % CPU. */
const TASK_SCALING_PROD: ServiceAutoScalingDefinition = { ...TASK_SCALING_OFF, enabled: true, minTaskCount: 2, maxTaskCount: 8 };
/**
 * Websocket shares the prod frontend cluster (at most 4 t4g.medium, 2 awsvpc tasks each = 8 tasks) with the
 * admin frontend's 2 tasks: the guide's 8 would not fit, so it scales to 6.
 */
const WEBSOCKET_SCALING_PROD: ServiceAutoScalingDefinition = { ...TASK_SCALING_PROD, maxTaskCount: 6 };

/** Managed scaling step sizes from the guide; enabled only in prod. Target capacity: `profiles.ts` (the guide's 70). */
const MANAGED_SCALING = { minimumScalingStepSize: 1, maximumScalingStepSize: 2 };

/** Guide 3.1/3.2, dev column; staging follows dev ("Configuração Recomendada: DEV/STAGING"). */
const NONPROD_CLUSTER: ClusterDefinition = {
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

/**
 * What each application does with the foundation's queues and tables (docs/traffic.md "Application grants"): the OMS
 * takes new orders and cancels, reports fills, status, positions, audit events and notifications, and keeps both
 * tables; the websocket gateway pushes order status and market data to clients; the admin frontend reads the
 * config table. Queues nobody here consumes (executions, positions, ...) are read by workers outside this stack.
 */
const ACCESS: Readonly<Record<ServiceName, ServiceAccessConfig>> = {
  oms: {
    consumes: ["orders-bitget", "order-cancellations"],
    produces: ["executions", "order-status", "positions", "audit-events", "notifications"],
    reads: ["config", "trading"],
    writes: ["config", "trading"],
  },
  frontend: { consumes: [], produces: [], reads: ["config"], writes: [] },
  websocket: { consumes: ["order-status", "market-data"], produces: [], reads: [], writes: [] },
};

/** Health checks and drain times are ours: the guide gives none. */
const ADMIN_INGRESS: ServiceIngressConfig = {
  host: "admin",
  authentication: "cognito",
  healthCheckPath: "/healthz",
  healthCheckMatcher: "200",
  deregistrationDelaySeconds: 30,
  healthCheckGracePeriodSeconds: 60,
};
/** Clients authenticate inside the websocket protocol; connections get time to close on a deploy. */
const WEBSOCKET_INGRESS: ServiceIngressConfig = {
  host: "ws",
  authentication: "none",
  healthCheckPath: "/health",
  healthCheckMatcher: "200",
  deregistrationDelaySeconds: 120,
  healthCheckGracePeriodSeconds: 60,
};

/** Containers, ports and sizes are ours: the guide gives none. */
function services(
  desiredCount: number,
  scaling: { readonly oms: ServiceAutoScalingDefinition; readonly websocket: ServiceAutoScalingDefinition },
  deployment: DeploymentConfig,
): ServiceDefinition[] {
  const common = { imageTag: "latest", enableExecuteCommand: false, containerUser: "1000:1000", desiredCount, deployment, networkMode: "awsvpc" as const };
  return [
    { ...common, name: "oms", cluster: "oms", cpu: 512, memoryMiB: 1024, containerPort: 8080, exchangeCredentials: true, redisAccess: true, autoScaling: scaling.oms, access: ACCESS.oms },
    // The admin frontend is low-traffic: the guide scales only OMS and WebSocket tasks.
    { ...common, name: "frontend", cluster: "frontend", cpu: 256, memoryMiB: 512, containerPort: 3000, exchangeCredentials: false, redisAccess: false, autoScaling: TASK_SCALING_OFF, access: ACCESS.frontend, ingress: ADMIN_INGRESS },
    { ...common, name: "websocket", cluster: "frontend", cpu: 256, memoryMiB: 512, containerPort: 8081, exchangeCredentials: false, redisAccess: true, autoScaling: scaling.websocket, access: ACCESS.websocket, ingress: WEBSOCKET_INGRESS },
  ];
}

/**
 * AWS WAF: off in dev (cost: 5 USD/month per web ACL plus 1 USD per rule, register entry `dev-without-waf`), on
 * in staging and prod. The admin frontend has no reason to accept VPN, Tor or hosting-provider sources; websocket
 * clients (algorithmic traders) often run in clouds.
 */
const WAF_OFF: WafConfig = { enabled: false, requestsPerIpPer5Minutes: 2000, anonymousSourcesBlockedOn: ["admin"] };
const WAF_ON: WafConfig = { ...WAF_OFF, enabled: true };

/**
 * One internet-facing load balancer per environment. Everyone may connect (websocket clients are anywhere);
 * set `adminAllowedCidrs` to answer the admin host only from the office or VPN. Websockets idle between
 * messages: an hour before the load balancer closes a silent connection (clients ping well within it).
 */
function ingress(waf: WafConfig, accessLogRetentionDays: number): IngressConfig {
  return { allowedCidrs: ["0.0.0.0/0"], idleTimeoutSeconds: 3600, adminSessionTimeoutSeconds: 8 * 3600, accessLogRetentionDays, waf };
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
 * Alarm thresholds are ours (the guide has none). Dev and staging tolerate more before paging: single
 * instances, stop-then-start deployments (a gap of a few minutes), no auto scaling, little traffic.
 */
const NONPROD_ALARMS: AlarmsConfig = {
  deadLetterQueueMessages: 1,
  natPortAllocationErrors: 0,
  sustainedMinutes: 15,
  redisCpuPercent: 90,
  redisMemoryPercent: 90,
  redisEvictions: 10,
  redisReplicationLagSeconds: 30,
  serviceCpuPercent: 90,
  serviceMemoryPercent: 90,
  runningTasksMinutes: 10,
  loadBalancer5xxRatePercent: 10,
  loadBalancerMinimumRequests: 10,
  unhealthyTargets: 0,
  wafBlockedRequests: 200,
};
/**
 * Prod: service CPU above 80 % for 5 minutes means auto scaling (target 70 %) is not keeping up; Redis holds
 * trading state, so any eviction pages.
 */
const PROD_ALARMS: AlarmsConfig = {
  ...NONPROD_ALARMS,
  sustainedMinutes: 5,
  redisCpuPercent: 75,
  redisMemoryPercent: 80,
  redisEvictions: 0,
  redisReplicationLagSeconds: 10,
  serviceCpuPercent: 80,
  serviceMemoryPercent: 85,
  runningTasksMinutes: 5,
  loadBalancer5xxRatePercent: 5,
  loadBalancerMinimumRequests: 20,
  wafBlockedRequests: 1000,
};

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

/**
 * One environment as written here: the configuration without the operator's settings, whose scaling may name a
 * profile instead of numbers (`profiles.ts` resolves them before validation).
 */
export type EnvironmentDefinition = Omit<EnvironmentConfig, "operator" | "clusters" | "services"> & {
  readonly clusters: Readonly<Record<ClusterName, ClusterDefinition>>;
  readonly services: readonly ServiceDefinition[];
};

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
    tables: TABLES,
    secrets: SECRETS,
    secretRecoveryWindowDays: 7,
    redis: { nodeType: "cache.t4g.micro", numCacheNodes: 1, snapshotRetentionDays: 0 },
    clusters: { oms: NONPROD_CLUSTER, frontend: NONPROD_CLUSTER },
    services: services(1, { oms: TASK_SCALING_OFF, websocket: TASK_SCALING_OFF }, STOP_THEN_START),
    cicd: { pipelines: pipelines("develop", true), ...CICD_RETENTION },
    ingress: ingress(WAF_OFF, 30),
    alarms: NONPROD_ALARMS,
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
    tables: TABLES,
    secrets: SECRETS,
    secretRecoveryWindowDays: 7,
    // The guide gives dev and prod only. Two small nodes rehearse prod's failover at a fraction of its cost.
    redis: { nodeType: "cache.t4g.small", numCacheNodes: 2, snapshotRetentionDays: 1 },
    clusters: { oms: NONPROD_CLUSTER, frontend: NONPROD_CLUSTER },
    services: services(1, { oms: TASK_SCALING_OFF, websocket: TASK_SCALING_OFF }, STOP_THEN_START),
    cicd: { pipelines: pipelines("main", true), ...CICD_RETENTION },
    ingress: ingress(WAF_ON, 30),
    alarms: NONPROD_ALARMS,
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
    tables: TABLES,
    secrets: SECRETS,
    secretRecoveryWindowDays: 30,
    redis: { nodeType: "cache.r7g.large", numCacheNodes: 2, snapshotRetentionDays: 7 },
    clusters: {
      oms: { instanceType: "c7g.large", minSize: 2, maxSize: 8, desiredCapacity: 2, managedScaling: { ...MANAGED_SCALING, enabled: true }, containerInsights: true, metadataHopLimit: 1 },
      frontend: { instanceType: "t4g.medium", minSize: 2, maxSize: 4, desiredCapacity: 2, managedScaling: { ...MANAGED_SCALING, enabled: true }, containerInsights: true, metadataHopLimit: 1 },
    },
    services: services(2, { oms: TASK_SCALING_PROD, websocket: WEBSOCKET_SCALING_PROD }, START_THEN_STOP),
    cicd: { pipelines: pipelines("main", true), ...CICD_RETENTION },
    ingress: ingress(WAF_ON, 90),
    alarms: PROD_ALARMS,
    kms: KMS_PROD,
  },
};

/** Operator defaults; each can be overridden by an environment variable (see `operator.ts`). */
export const OPERATOR_DEFAULTS: OperatorSettings = {
  region: "us-east-1",
  stateBucket: "sentry-terraform-state",
  adminEmail: "admin@example.com",
  domain: "sentry.example.com",
  adminRoleArns: [],
  terraformRoleArns: [],
};
