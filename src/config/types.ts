/**
 * The shape of one environment's configuration. Pure data: nothing here knows about Terraform.
 * Values come from the deployment guide (`shared/seed/DEPLOYMENT.md`); see `environments.ts`.
 */

export const ENVIRONMENT_NAMES = ["dev", "staging", "prod"] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export const QUEUE_TYPES = ["standard", "fifo"] as const;
export type QueueType = (typeof QUEUE_TYPES)[number];

export const SERVICE_NAMES = ["oms", "frontend", "websocket"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const CLUSTER_NAMES = ["oms", "frontend"] as const;
export type ClusterName = (typeof CLUSTER_NAMES)[number];

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
  /**
   * IAM roles of the operators (and of the principal that runs Terraform): they may read the secrets (console
   * edits, Terraform's refresh of secret versions) and administer the environment keys.
   */
  readonly adminRoleArns: readonly string[];
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
}

export interface RedisConfig {
  /** ElastiCache node type; Graviton (`cache.*g.*`) only. */
  readonly nodeType: string;
  /** Number of cache nodes (primary + replicas). ≥ 2 turns on automatic failover and Multi-AZ. */
  readonly numCacheNodes: number;
  /** Days of automatic snapshots to keep (0 = none). */
  readonly snapshotRetentionDays: number;
}

export interface ManagedScalingConfig {
  /** Capacity provider managed scaling (instances follow task demand). */
  readonly enabled: boolean;
  /** Percent of cluster capacity to keep reserved. */
  readonly targetCapacity: number;
  readonly minimumScalingStepSize: number;
  readonly maximumScalingStepSize: number;
}

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
}

/** Rolling deployment bounds, in percent of the desired count. */
export interface DeploymentConfig {
  /** Tasks that must keep running during a deployment (0 to 100). */
  readonly minimumHealthyPercent: number;
  /** Tasks that may run during a deployment, old and new together (100 to 200). */
  readonly maximumPercent: number;
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
  /** Days Secrets Manager waits before deleting a secret (7 to 30). */
  readonly secretRecoveryWindowDays: number;
  readonly redis: RedisConfig;
  readonly clusters: Readonly<Record<ClusterName, ClusterConfig>>;
  readonly services: readonly ServiceConfig[];
  readonly cicd: CicdConfig;
  /** The environment's customer-managed KMS key (`alias/sentry-<env>`). */
  readonly kms: KmsConfig;
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
