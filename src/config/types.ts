/**
 * The shape of one environment's configuration. Pure data: nothing here knows about Terraform.
 * Values come from the deployment guide (`shared/seed/DEPLOYMENT.md`); see `environments.ts`.
 */

import type { SECRETS, TABLES } from "./environments";

export const ENVIRONMENT_NAMES = ["dev", "staging", "prod"] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export const QUEUE_TYPES = ["standard", "fifo"] as const;
export type QueueType = (typeof QUEUE_TYPES)[number];

export const SERVICE_NAMES = ["oms", "frontend", "websocket"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const CLUSTER_NAMES = ["oms", "frontend"] as const;
export type ClusterName = (typeof CLUSTER_NAMES)[number];

/** The foundation's DynamoDB tables, `sentry-<table>-<env>`: the keys of `TABLES` (`environments.ts`). */
export type TableName = keyof typeof TABLES;

/** The foundation's Secrets Manager secrets, `sentry/<env>/<secret>`: the keys of `SECRETS` (`environments.ts`). */
export type SecretName = keyof typeof SECRETS;

/** Host names the load balancer routes, `<host>.<domain>`. */
export const PUBLIC_HOSTS = ["admin", "ws"] as const;
export type PublicHost = (typeof PUBLIC_HOSTS)[number];
/** `awsvpc`: the task has its own network interface and security groups; `bridge`: Docker's bridge on the instance. */
export const NETWORK_MODES = ["awsvpc", "bridge"] as const;
export type NetworkMode = (typeof NETWORK_MODES)[number];

/** Values an operator sets per AWS account, without editing code (see `operator.ts`). */
export interface OperatorSettings {
  /** AWS region every stack deploys to. */
  readonly region: string;
  /** S3 bucket holding Terraform state (created by the bootstrap stack). */
  readonly stateBucket: string;
  /** E-mail of the initial Cognito admin user. */
  readonly adminEmail: string;
  /** ARN of an existing CodeStar (CodeConnections) GitHub connection; absent: the cicd stack creates one. */
  readonly codeStarConnectionArn?: string;
  /** DNS domain the services are published under: `admin.<domain>`, `ws.<domain>`. */
  readonly domain: string;
  /** Route 53 public hosted zone of `domain`; absent: the operator adds the DNS records at their DNS provider. */
  readonly hostedZoneId?: string;
  /** ACM certificate covering `admin.<domain>` and `ws.<domain>` in the region; absent: the foundation requests one. */
  readonly certificateArn?: string;
  /** E-mail subscribed to the alarm topic `sentry-alarms-<env>`; absent: the topic has no subscriber. */
  readonly alarmEmail?: string;
  /**
   * IAM roles of the operators (and of the principal that runs Terraform): they may read the secrets (console
   * edits, Terraform's refresh of secret versions) and administer the environment keys.
   */
  readonly adminRoleArns: readonly string[];
  /**
   * IAM roles that run Terraform (operators' and pipelines'): they read the secrets Terraform manages (it reads
   * the versions back on every refresh) and administer the keys, whichever of them applies. Empty (and no
   * `githubRepository`): the principal of the session running Terraform, which rewrites every secret policy when
   * another principal applies (a warning at synth).
   */
  readonly terraformRoleArns: readonly string[];
  /**
   * GitHub repository, `owner/name`, whose workflows may assume the CI roles (`sentry-plan-<env>`,
   * `sentry-deploy-<env>`); absent: the bootstrap creates no OIDC provider and no CI roles.
   */
  readonly githubRepository?: string;
  /** Which account each environment lives in and the roles Terraform assumes (accounts.ts); absent: no account guard. */
  readonly accounts?: AccountSettings;
}

/** The settings `operator.ts` reads from one variable each (the accounts come from several, `accounts.ts`). */
export type OperatorVariableKey = Exclude<keyof OperatorSettings, "accounts">;

/** What a run may do to the state: `plan` reads it and writes only lock files, `apply` writes it too. */
export const STATE_ACCESS = ["plan", "apply"] as const;
export type StateAccess = (typeof STATE_ACCESS)[number];

/** A role Terraform assumes (the provider's or the S3 backend's `assume_role`). */
export interface AssumedRoleSettings {
  readonly roleArn: string;
  /** Names the environment in CloudTrail and the state bucket's access logs. */
  readonly sessionName: string;
  /** @default - none */
  readonly externalId?: string;
}

/** The AWS account of one environment. */
export interface EnvironmentAccount {
  /** 12 digits: the provider of every stack of the environment refuses any other account. */
  readonly accountId: string;
  /** The role the provider assumes in that account. @default - the run's own credentials */
  readonly role?: AssumedRoleSettings;
  /**
   * The environment's Terraform role (`SENTRY_<ENV>_ROLE_ARN`), one of its Terraform principals whoever runs
   * Terraform: also when the run does not assume it (CI, `SENTRY_USE_CALLER_CREDENTIALS=1`). @default - none
   */
  readonly terraformRoleArn?: string;
}

/**
 * Where the environments live: `single`, one account for all (`SENTRY_ACCOUNT_ID`); `per-environment`, at least
 * one environment in an account of its own (`SENTRY_<ENV>_ACCOUNT_ID`), the state in the state account.
 */
export interface AccountSettings {
  readonly layout: "single" | "per-environment";
  /** Environments without an entry have no account guard. */
  readonly environments: Readonly<Partial<Record<EnvironmentName, EnvironmentAccount>>>;
  /** Account of the state bucket. @default - unknown: the run's credentials reach it */
  readonly stateAccountId?: string;
  /** Per environment, the role its backend and remote-state reads assume. @default - the run's credentials */
  readonly stateRoles?: Readonly<Partial<Record<EnvironmentName, AssumedRoleSettings>>>;
  /**
   * Per environment, the role a plan job's backend and remote-state reads assume instead (`SENTRY_<ENV>_STATE_PLAN_ROLE_ARN`):
   * it reads the environment's state and writes only its lock files. @default - none
   */
  readonly planStateRoles?: Readonly<Partial<Record<EnvironmentName, AssumedRoleSettings>>>;
  /**
   * Which of the two the run assumes (`SENTRY_STATE_ACCESS`): `plan`, the plan state roles (a pull request's plan
   * job); `apply`, the state roles (deploy jobs, operators). @default "apply"
   */
  readonly stateAccess?: StateAccess;
}

export interface NetworkConfig {
  /** IPv4 CIDR of the VPC, e.g. `172.22.0.0/16` (a /16 to /20). */
  readonly vpcCidr: string;
  /** Availability zones, one public and one private subnet in each. */
  readonly availabilityZones: readonly string[];
  /** `single`: one NAT gateway for all AZs (cost); `per-az`: one per AZ (availability). */
  readonly natGateways: "single" | "per-az";
  /** VPC flow logs to CloudWatch Logs. */
  readonly flowLogs: { readonly enabled: boolean; readonly retentionDays: number };
}

export interface CognitoConfig {
  /** `OPTIONAL`: users may enrol a TOTP app; `ON`: every sign-in requires it. */
  readonly mfa: "OPTIONAL" | "ON";
}

export interface QueueConfig {
  /** Short name; the queue is `sentry-<name>-<env>` (+ `.fifo`). Lower-case letters, digits and dashes. */
  readonly name: string;
  readonly type: QueueType;
  /** Why the queue exists (documentation; becomes the `Purpose` tag). */
  readonly purpose: string;
  /** Seconds a received message stays invisible to other consumers. */
  readonly visibilityTimeoutSeconds: number;
  /**
   * `one`: a single service consumes the queue (two would split its messages between them, each seeing only
   * part of the stream); `many`: competing consumers in several services are intended.
   */
  readonly consumerServices: "one" | "many";
}

export interface RedisConfig {
  /** ElastiCache node type; Graviton (`cache.*g.*`) only. */
  readonly nodeType: string;
  /** Number of cache nodes (primary + replicas). ≥ 2 turns on automatic failover and Multi-AZ. */
  readonly numCacheNodes: number;
  /** Days of automatic snapshots to keep (0 = none). */
  readonly snapshotRetentionDays: number;
}

/** The guide's "Ajuste Fino do Scaling" for tasks; their values are in `profiles.ts`. */
export const SERVICE_SCALING_PROFILES = ["aggressive", "conservative"] as const;
export type ServiceScalingProfile = (typeof SERVICE_SCALING_PROFILES)[number];

/** The guide's "Ajuste Fino do Scaling" for instances; their values are in `profiles.ts`. */
export const MANAGED_SCALING_PROFILES = ["proactive", "economical"] as const;
export type ManagedScalingProfile = (typeof MANAGED_SCALING_PROFILES)[number];

export interface ManagedScalingConfig {
  /** Capacity provider managed scaling (instances follow task demand). */
  readonly enabled: boolean;
  /** Percent of cluster capacity to keep reserved. */
  readonly targetCapacity: number;
  readonly minimumScalingStepSize: number;
  readonly maximumScalingStepSize: number;
  /** The tuning `targetCapacity` came from, unless set explicitly. @default - none: the guide's 70 */
  readonly profile?: ManagedScalingProfile;
}

/** The managed scaling values a profile sets. */
export type ManagedScalingTuning = Pick<ManagedScalingConfig, "targetCapacity">;

export interface ClusterConfig {
  /** EC2 instance type; ARM64 (Graviton) only. */
  readonly instanceType: string;
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredCapacity: number;
  readonly managedScaling: ManagedScalingConfig;
  /** CloudWatch Container Insights. */
  readonly containerInsights: boolean;
  /**
   * IMDSv2 hop limit of the instances: 1 keeps the instance role out of reach of every container; bridge-mode
   * tasks need 2 (one hop more through the Docker bridge).
   */
  readonly metadataHopLimit: 1 | 2;
}

export interface ServiceAutoScalingConfig {
  /** The guide's `EnableServiceAutoScaling`. */
  readonly enabled: boolean;
  readonly minTaskCount: number;
  readonly maxTaskCount: number;
  /** Average CPU percent the target-tracking policy holds. */
  readonly targetCpuUtilization: number;
  readonly scaleOutCooldownSeconds: number;
  readonly scaleInCooldownSeconds: number;
  /** The tuning of the numbers not set explicitly. @default - none: the guide's 70 %, 60 s, 300 s */
  readonly profile?: ServiceScalingProfile;
}

/** The service scaling values a profile sets. */
export type ServiceScalingTuning = Pick<ServiceAutoScalingConfig, "targetCpuUtilization" | "scaleOutCooldownSeconds" | "scaleInCooldownSeconds">;

/** Rolling deployment bounds, in percent of the desired count. */
export interface DeploymentConfig {
  /** Tasks that must keep running during a deployment (0 to 100). */
  readonly minimumHealthyPercent: number;
  /** Tasks that may run during a deployment, old and new together (100 to 200). */
  readonly maximumPercent: number;
}

/** A DynamoDB table's key schema (string attributes). */
export interface TableKeyConfig {
  readonly partitionKey: string;
  readonly sortKey?: string;
}

/** One of the foundation's tables, `sentry-<name>-<env>`; the same schema in every environment. */
export interface TableConfig {
  readonly key: TableKeyConfig;
  /** Global secondary indexes by name. */
  readonly indexes: Readonly<Record<string, TableKeyConfig>>;
  /** Number attribute holding an item's expiry (epoch seconds). @default - no TTL */
  readonly ttlAttribute?: string;
}

/** One of the foundation's secrets, created with an empty placeholder value for each key. */
export interface SecretConfig {
  readonly description: string;
  /** The JSON keys its value holds (the placeholder has each, empty). */
  readonly keys: readonly string[];
  /** Who writes the real value: a person after phase 1 (`status` lists it until then), or a phase of this project. */
  readonly filledBy: "person" | "data phase";
}

/** What a service does with the foundation's queues and tables; its task role gets exactly this. */
export interface ServiceAccessConfig {
  /** Queues it receives from and deletes (by short name, e.g. `orders-bitget`). */
  readonly consumes: readonly string[];
  /** Queues it sends to. */
  readonly produces: readonly string[];
  /** Tables it reads (get, query, batch get), with their indexes. */
  readonly reads: readonly TableName[];
  /** Tables it writes (put, update, delete, batch write). */
  readonly writes: readonly TableName[];
}

/** How the load balancer publishes a service (services without it are reachable only inside the VPC). */
export interface ServiceIngressConfig {
  /** The service answers `<host>.<domain>`. */
  readonly host: PublicHost;
  /** `cognito`: the load balancer signs users in with the admin user pool first; `none`: the service authenticates. */
  readonly authentication: "cognito" | "none";
  /** Health check path, e.g. `/healthz`. */
  readonly healthCheckPath: string;
  /** HTTP codes a healthy target answers, e.g. `200` or `200-299`. */
  readonly healthCheckMatcher: string;
  /** Port the health check calls, when the application serves it apart from its traffic. @default - the container port */
  readonly healthCheckPort?: number;
  /** Seconds a deregistering target keeps its connections (0 to 3600). */
  readonly deregistrationDelaySeconds: number;
  /** Seconds ECS ignores load balancer health checks after a task starts. */
  readonly healthCheckGracePeriodSeconds: number;
}

export interface ServiceConfig {
  readonly name: ServiceName;
  /** Cluster the service runs on. */
  readonly cluster: ClusterName;
  /** Image repository URI; absent: this account's ECR repository `sentry-<service>-<env>` (phase 5). */
  readonly repositoryUri?: string;
  /** Image tag (the guide's `ImageTag`). */
  readonly imageTag: string;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly containerPort: number;
  readonly desiredCount: number;
  /** The guide's `EnvFileS3Arn`: an `arn:aws:s3:::bucket/key.env` object loaded as environment. */
  readonly envFileS3Arn?: string;
  /** Inject the exchange credentials (OMS only). */
  readonly exchangeCredentials: boolean;
  /**
   * The guide's `ExchangeCredentialsSecretArn`: full ARN of a secret holding api_key, api_secret, passphrase.
   * Absent: the foundation's `sentry/<env>/exchange-credentials` secret.
   */
  readonly exchangeCredentialsSecretArn?: string;
  /** Inject the Redis endpoint and AUTH token from the `redis` secret. */
  readonly redisAccess: boolean;
  readonly enableExecuteCommand: boolean;
  /** `user` of the container (`uid[:gid]`); the image must be able to run as it. */
  readonly containerUser: string;
  readonly autoScaling: ServiceAutoScalingConfig;
  readonly deployment: DeploymentConfig;
  /** Queues and tables the application uses (docs/traffic.md "Application grants"). */
  readonly access: ServiceAccessConfig;
  /** Published through the load balancer. @default - internal only */
  readonly ingress?: ServiceIngressConfig;
  /** How the task is networked; `bridge` only on a cluster with metadataHopLimit 2. */
  readonly networkMode: NetworkMode;
}

export interface PipelineConfig {
  readonly service: ServiceName;
  /** GitHub repository, `owner/name`. */
  readonly repository: string;
  readonly branch: string;
  /** Path of the buildspec inside the repository. */
  readonly buildspecPath: string;
  /** Add a Deploy stage that rolls the service's ECS service (phase 4). */
  readonly deploy: boolean;
}

export interface CicdConfig {
  readonly pipelines: readonly PipelineConfig[];
  /** Tagged images each ECR repository keeps. */
  readonly keepTaggedImages: number;
  /** Days untagged images are kept. */
  readonly untaggedImageExpiryDays: number;
  /** Days pipeline artifacts are kept. */
  readonly artifactExpiryDays: number;
}

/** AWS WAF on the load balancer. */
export interface WafConfig {
  readonly enabled: boolean;
  /** Requests one client IP may send in any 5 minutes before the rate rule blocks it (100 to 2,000,000,000). */
  readonly requestsPerIpPer5Minutes: number;
  /**
   * Hosts whose requests from anonymous sources (VPNs, Tor, hosting providers: AWS's anonymous-IP rule group) are
   * blocked; the others accept them (register entry `websocket-accepts-anonymous-sources`).
   */
  readonly anonymousSourcesBlockedOn: readonly PublicHost[];
}

/** The environment's internet-facing Application Load Balancer. */
export interface IngressConfig {
  /** Sources admitted on 80/443 (IPv4 CIDRs). `0.0.0.0/0`: everyone (the websocket's clients). */
  readonly allowedCidrs: readonly string[];
  /** Sources the admin host answers; others get the default 404. @default - every admitted source */
  readonly adminAllowedCidrs?: readonly string[];
  /** Seconds a connection may be idle; websockets stay open between messages (1 to 4000). */
  readonly idleTimeoutSeconds: number;
  /** Seconds an admin's load balancer sign-in session lasts (1 to 604800). */
  readonly adminSessionTimeoutSeconds: number;
  /** Days access logs are kept. */
  readonly accessLogRetentionDays: number;
  readonly waf: WafConfig;
}

export interface EnvironmentConfig {
  readonly name: EnvironmentName;
  readonly operator: OperatorSettings;
  /** Deletion protection for the DynamoDB tables and the user pool; ECR repositories refuse to delete with images in them. */
  readonly protectData: boolean;
  /** Days CloudWatch Logs keep application and build logs (prod: at least `AUDIT_LOG_RETENTION_FLOOR_DAYS`). */
  readonly logRetentionDays: number;
  readonly network: NetworkConfig;
  readonly cognito: CognitoConfig;
  readonly queues: readonly QueueConfig[];
  readonly tables: Readonly<Record<TableName, TableConfig>>;
  readonly secrets: Readonly<Record<SecretName, SecretConfig>>;
  /** Days Secrets Manager waits before deleting a secret (7 to 30). */
  readonly secretRecoveryWindowDays: number;
  readonly redis: RedisConfig;
  readonly clusters: Readonly<Record<ClusterName, ClusterConfig>>;
  readonly services: readonly ServiceConfig[];
  readonly cicd: CicdConfig;
  /** The environment's customer-managed KMS key (`alias/sentry-<env>`). */
  readonly kms: KmsConfig;
  readonly ingress: IngressConfig;
  readonly alarms: AlarmsConfig;
}

/**
 * CloudWatch alarm thresholds (docs/alarms.md). Every alarm notifies the topic `sentry-alarms-<env>` when it
 * fires and when it recovers.
 */
export interface AlarmsConfig {
  /** Visible messages in a dead-letter queue that fire its alarm (1: any message). */
  readonly deadLetterQueueMessages: number;
  /** NAT gateway port allocation errors in 5 minutes above which its alarm fires (0: any). */
  readonly natPortAllocationErrors: number;
  /** Minutes CPU, memory or replication lag must stay above the threshold before the alarm fires. */
  readonly sustainedMinutes: number;
  /** Redis engine CPU percent (`EngineCPUUtilization`, the Redis thread) per node. */
  readonly redisCpuPercent: number;
  /** Redis memory percent of `maxmemory` (`DatabaseMemoryUsagePercentage`) per node. */
  readonly redisMemoryPercent: number;
  /** Keys Redis evicts in 5 minutes above which its alarm fires (0: any). */
  readonly redisEvictions: number;
  /** Seconds a replica may lag the primary (only with replicas). */
  readonly redisReplicationLagSeconds: number;
  /** Service average CPU percent of its task reservation. */
  readonly serviceCpuPercent: number;
  /** Service average memory percent of its task reservation. */
  readonly serviceMemoryPercent: number;
  /** Minutes a service may run fewer tasks than desired (a deployment, a replaced task) before its alarm fires. */
  readonly runningTasksMinutes: number;
  /** Percent of requests answered 5xx (by the load balancer, or by a target group's targets). */
  readonly loadBalancer5xxRatePercent: number;
  /** Requests per minute below which the 5xx rate is not judged (one failed request out of two is no outage). */
  readonly loadBalancerMinimumRequests: number;
  /** Unhealthy targets per target group above which its alarm fires (0: any). */
  readonly unhealthyTargets: number;
  /** Requests the web ACL blocks in 5 minutes above which its alarm fires (only where WAF is on). */
  readonly wafBlockedRequests: number;
}

export interface KmsConfig {
  /** Days a key scheduled for deletion can still be recovered (7 to 30). */
  readonly deletionWindowDays: number;
}

/**
 * Days of CloudWatch Logs an audited environment must keep at least (flow logs, service logs, build logs).
 * Validation refuses less; the security baseline checks every log group of the environment's stacks against it.
 */
export const AUDIT_LOG_RETENTION_FLOOR_DAYS: Readonly<Partial<Record<EnvironmentName, number>>> = { prod: 365 };
