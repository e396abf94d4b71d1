import { parseIpv4Cidr } from "../lib/ipv4-cidr";
import { CONTAINER_USER, EMAIL, GITHUB_REPOSITORY, S3_OBJECT_ARN } from "../lib/patterns";
import { AWSVPC_TASKS_PER_INSTANCE } from "./environments";
import {
  AlarmsConfig,
  AUDIT_LOG_RETENTION_FLOOR_DAYS,
  CLUSTER_NAMES,
  ClusterConfig,
  EnvironmentConfig,
  IngressConfig,
  NETWORK_MODES,
  PUBLIC_HOSTS,
  QUEUE_TYPES,
  QueueConfig,
  SERVICE_NAMES,
  ServiceConfig,
} from "./types";

/** A configuration value that cannot be deployed. The message is one line: field, value, what is allowed. */
export class ConfigError extends Error {
  constructor(field: string, value: unknown, allowed: string) {
    super(`Invalid configuration: ${field} = ${JSON.stringify(value)}; ${allowed}`);
    this.name = "ConfigError";
  }
}

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Graviton EC2 families: a letter family, a generation, `g`, optional suffixes (t4g, c7g, m7gd, c6gn, r8g, …). */
const GRAVITON_INSTANCE = /^[a-z]+\d+g[a-z]*\.[a-z0-9]+$/;
/** Graviton ElastiCache node types (cache.t4g.micro, cache.r7g.large, cache.m6g.xlarge, …). */
const GRAVITON_CACHE_NODE = /^cache\.[a-z]+\d+g[a-z]*\.[a-z0-9]+$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const BUCKET = /^(?!xn--)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const CODESTAR_CONNECTION = /^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[A-Za-z0-9-]+$/;
/** An IAM role ARN (with optional path). */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/;
/** An assumed-role session ARN (what `aws sts get-caller-identity` prints); groups: partition, account, role name. */
const SESSION_ARN = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/.+$/;
/** The access-log bucket is `<state bucket>-logs`, and bucket names stop at 63 characters. */
const STATE_BUCKET_MAX_LENGTH = 63 - "-logs".length;
const QUEUE_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** A DNS name of at least two labels, lower case (`sentry.example.com`). */
const DOMAIN = /^(?=.{4,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const HEALTH_CHECK_PATH = /^\/[A-Za-z0-9\/._~%!$&'()*+,;=:@-]{0,1023}$/;
/** HTTP codes a target group accepts: `200`, `200-299`, `200,204`. */
const HTTP_MATCHER = /^[1-5]\d\d(-[1-5]\d\d)?(,[1-5]\d\d(-[1-5]\d\d)?)*$/;
/** An ALB listener rule holds at most 5 condition values; the host header takes one. */
const MAX_ADMIN_SOURCE_CIDRS = 4;
const IMAGE_REPOSITORY = /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._\/-]+$/;
/** A full secret ARN, with the six-character suffix Secrets Manager appends (needed for `<arn>:<json-key>::`). */
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9\/_+=.@-]+-[A-Za-z0-9]{6}$/;
/** Fargate-compatible CPU units and memory (MiB) ranges; also sane for EC2 tasks. */
const TASK_CPU_MEMORY: Readonly<Record<number, readonly [number, number]>> = {
  256: [512, 2048],
  512: [1024, 4096],
  1024: [2048, 8192],
  2048: [4096, 16384],
  4096: [8192, 30720],
};

function requireRange(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(field, value, `expected a whole number from ${min} to ${max}`);
  }
}

function requireMatch(field: string, value: string, pattern: RegExp, allowed: string): void {
  if (!pattern.test(value)) throw new ConfigError(field, value, `expected ${allowed}`);
}

/** An IAM role ARN; a session ARN is refused with the role ARN it belongs to (a session expires, its role stays). */
function requireRoleArn(field: string, value: string): void {
  const session = SESSION_ARN.exec(value);
  if (session) {
    throw new ConfigError(field, value, `expected an IAM role ARN, not a session: the session's role is arn:${session[1]}:iam::${session[2]}:role/${session[3]} (with its path, if it has one)`);
  }
  requireMatch(field, value, ROLE_ARN, "an IAM role ARN arn:<partition>:iam::<12 digits>:role/<path/name>");
}

function requireOneOf<T>(field: string, value: T, allowed: readonly T[]): void {
  if (!allowed.includes(value)) throw new ConfigError(field, value, `expected one of ${allowed.join(", ")}`);
}

function requireUnique(field: string, values: readonly string[]): void {
  const seen = new Set<string>();
  values.forEach((value, index) => {
    if (seen.has(value)) throw new ConfigError(`${field}[${index}]`, value, "expected a name not used before in the list");
    seen.add(value);
  });
}

/** min ≤ desired ≤ max, with the names the caller uses for each. */
function requireBounded(prefix: string, names: [string, string, string], values: [number, number, number]): void {
  const [minName, desiredName, maxName] = names;
  const [min, desired, max] = values;
  if (min > max) throw new ConfigError(`${prefix}.${minName}`, min, `expected ${minName} <= ${maxName} (${max})`);
  if (desired < min || desired > max) {
    throw new ConfigError(`${prefix}.${desiredName}`, desired, `expected desired between min and max (${min}..${max})`);
  }
}

function validateCluster(prefix: string, cluster: ClusterConfig): void {
  requireMatch(`${prefix}.instanceType`, cluster.instanceType, GRAVITON_INSTANCE, "an ARM64 (Graviton) instance type such as t4g.small or c7g.large");
  requireRange(`${prefix}.minSize`, cluster.minSize, 0, 100);
  requireRange(`${prefix}.maxSize`, cluster.maxSize, 1, 100);
  requireBounded(prefix, ["minSize", "desiredCapacity", "maxSize"], [cluster.minSize, cluster.desiredCapacity, cluster.maxSize]);
  const scaling = cluster.managedScaling;
  requireRange(`${prefix}.managedScaling.targetCapacity`, scaling.targetCapacity, 1, 100);
  requireRange(`${prefix}.managedScaling.minimumScalingStepSize`, scaling.minimumScalingStepSize, 1, 10000);
  requireRange(`${prefix}.managedScaling.maximumScalingStepSize`, scaling.maximumScalingStepSize, scaling.minimumScalingStepSize, 10000);
  requireOneOf(`${prefix}.metadataHopLimit`, cluster.metadataHopLimit, [1, 2] as const);
}

/** Bridge-mode containers reach the instance metadata (and role) only with a hop limit of 2. */
function requireAwsvpcOnIsolatedCluster(env: string, config: EnvironmentConfig): void {
  config.services.forEach((service, index) => {
    const cluster = config.clusters[service.cluster];
    if (service.networkMode === "bridge" && cluster.metadataHopLimit === 1) {
      throw new ConfigError(
        `${env}.services[${index}].networkMode`,
        service.networkMode,
        `expected awsvpc: cluster ${service.cluster} has metadataHopLimit 1, which bridge containers cannot cross (set it to 2 to run bridge tasks there)`,
      );
    }
    if (service.networkMode === "bridge" && service.redisAccess) {
      throw new ConfigError(`${env}.services[${index}].networkMode`, service.networkMode, "expected awsvpc: Redis admits a service's own security group, which only awsvpc tasks carry");
    }
  });
}

/** The most tasks the cluster's services can ask for must fit on its largest fleet, one network interface each. */
function requireRoomForTasks(prefix: string, cluster: ClusterConfig, allServices: readonly ServiceConfig[]): void {
  const services = allServices.filter((service) => service.networkMode === "awsvpc");
  const perInstance = AWSVPC_TASKS_PER_INSTANCE[cluster.instanceType];
  if (perInstance === undefined) {
    throw new ConfigError(`${prefix}.instanceType`, cluster.instanceType, `expected a type listed in AWSVPC_TASKS_PER_INSTANCE (src/config/environments.ts): ${Object.keys(AWSVPC_TASKS_PER_INSTANCE).join(", ")}`);
  }
  const demand = services.map((service) => ({ name: service.name, tasks: service.autoScaling.enabled ? service.autoScaling.maxTaskCount : service.desiredCount }));
  const tasks = demand.reduce((sum, service) => sum + service.tasks, 0);
  if (tasks > cluster.maxSize * perInstance) {
    const breakdown = demand.map((service) => `${service.name} ${service.tasks}`).join(" + ");
    throw new ConfigError(
      `${prefix}.maxSize`,
      cluster.maxSize,
      `expected room for ${tasks} awsvpc tasks (${breakdown}) at ${perInstance} per ${cluster.instanceType}: maxSize >= ${Math.ceil(tasks / perInstance)}`,
    );
  }
}

function validateService(prefix: string, service: ServiceConfig): void {
  requireOneOf(`${prefix}.name`, service.name, SERVICE_NAMES);
  requireOneOf(`${prefix}.cluster`, service.cluster, CLUSTER_NAMES);
  requireOneOf(`${prefix}.cpu`, service.cpu, Object.keys(TASK_CPU_MEMORY).map(Number));
  const [minMemory, maxMemory] = TASK_CPU_MEMORY[service.cpu];
  requireRange(`${prefix}.memoryMiB`, service.memoryMiB, minMemory, maxMemory);
  requireRange(`${prefix}.containerPort`, service.containerPort, 1, 65535);
  requireRange(`${prefix}.desiredCount`, service.desiredCount, 0, 100);
  requireOneOf(`${prefix}.networkMode`, service.networkMode, NETWORK_MODES);
  if (service.repositoryUri !== undefined) {
    requireMatch(`${prefix}.repositoryUri`, service.repositoryUri, IMAGE_REPOSITORY, "a registry/repository URI without a tag");
  }
  requireMatch(`${prefix}.imageTag`, service.imageTag, /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "a Docker image tag");
  if (service.envFileS3Arn !== undefined) {
    requireMatch(`${prefix}.envFileS3Arn`, service.envFileS3Arn, S3_OBJECT_ARN, "an S3 object ARN such as arn:aws:s3:::bucket/oms/dev.env");
  }
  if (service.exchangeCredentialsSecretArn !== undefined) {
    requireMatch(`${prefix}.exchangeCredentialsSecretArn`, service.exchangeCredentialsSecretArn, SECRET_ARN, "a full secret ARN such as arn:aws:secretsmanager:us-east-1:123456789012:secret:sentry/dev/exchange-credentials-AbCdEf");
    if (!service.exchangeCredentials) {
      throw new ConfigError(`${prefix}.exchangeCredentialsSecretArn`, service.exchangeCredentialsSecretArn, "expected no ARN when exchangeCredentials is false (nothing would read it)");
    }
  }
  requireMatch(`${prefix}.containerUser`, service.containerUser, CONTAINER_USER, "a numeric uid or uid:gid (not root by name)");
  if (service.containerUser.split(":")[0] === "0") {
    throw new ConfigError(`${prefix}.containerUser`, service.containerUser, "expected a non-root uid");
  }
  const scaling = service.autoScaling;
  requireRange(`${prefix}.autoScaling.minTaskCount`, scaling.minTaskCount, 0, 100);
  requireRange(`${prefix}.autoScaling.maxTaskCount`, scaling.maxTaskCount, 1, 100);
  if (scaling.minTaskCount > scaling.maxTaskCount) {
    throw new ConfigError(`${prefix}.autoScaling.minTaskCount`, scaling.minTaskCount, `expected minTaskCount <= maxTaskCount (${scaling.maxTaskCount})`);
  }
  if (scaling.enabled && (service.desiredCount < scaling.minTaskCount || service.desiredCount > scaling.maxTaskCount)) {
    throw new ConfigError(`${prefix}.desiredCount`, service.desiredCount, `expected desired between min and max task count (${scaling.minTaskCount}..${scaling.maxTaskCount}) when auto scaling is enabled`);
  }
  requireRange(`${prefix}.deployment.minimumHealthyPercent`, service.deployment.minimumHealthyPercent, 0, 100);
  requireRange(`${prefix}.deployment.maximumPercent`, service.deployment.maximumPercent, 100, 200);
  requireRange(`${prefix}.autoScaling.targetCpuUtilization`, scaling.targetCpuUtilization, 1, 100);
  requireRange(`${prefix}.autoScaling.scaleOutCooldownSeconds`, scaling.scaleOutCooldownSeconds, 0, 3600);
  requireRange(`${prefix}.autoScaling.scaleInCooldownSeconds`, scaling.scaleInCooldownSeconds, 0, 3600);
  if (service.ingress !== undefined) {
    const ingress = service.ingress;
    requireOneOf(`${prefix}.ingress.host`, ingress.host, PUBLIC_HOSTS);
    requireOneOf(`${prefix}.ingress.authentication`, ingress.authentication, ["cognito", "none"] as const);
    requireMatch(`${prefix}.ingress.healthCheckPath`, ingress.healthCheckPath, HEALTH_CHECK_PATH, "an absolute URL path such as /healthz");
    requireMatch(`${prefix}.ingress.healthCheckMatcher`, ingress.healthCheckMatcher, HTTP_MATCHER, "HTTP codes such as 200, 200-299 or 200,204");
    requireRange(`${prefix}.ingress.deregistrationDelaySeconds`, ingress.deregistrationDelaySeconds, 0, 3600);
    requireRange(`${prefix}.ingress.healthCheckGracePeriodSeconds`, ingress.healthCheckGracePeriodSeconds, 0, 3600);
    if (ingress.healthCheckPort !== undefined) requireRange(`${prefix}.ingress.healthCheckPort`, ingress.healthCheckPort, 1, 65535);
    // The sign-in client calls back to the admin host only, and a browser cannot follow a sign-in redirect on a
    // websocket upgrade: load balancer sign-in belongs to the admin host.
    if (ingress.authentication === "cognito" && ingress.host !== "admin") {
      throw new ConfigError(`${prefix}.ingress.authentication`, ingress.authentication, `expected "none" on host "${ingress.host}": Cognito sign-in is for the admin host (its callback URL), and websocket clients authenticate in the protocol`);
    }
  }
}

/** Every service declares its queues and tables; each names a foundation queue or table, once. */
function validateAccess(prefix: string, service: ServiceConfig, queues: readonly QueueConfig[], tables: readonly string[]): void {
  const access = service.access;
  if (access === undefined || [access.consumes, access.produces, access.reads, access.writes].some((list) => !Array.isArray(list))) {
    throw new ConfigError(`${prefix}.access`, access ?? null, "expected the queues and tables the service uses, { consumes, produces, reads, writes } (empty lists for none): its task role is built from them");
  }
  const queueNames = queues.map((queue) => queue.name);
  for (const use of ["consumes", "produces"] as const) {
    access[use].forEach((queue, index) => requireOneOf(`${prefix}.access.${use}[${index}]`, queue, queueNames));
    requireUnique(`${prefix}.access.${use}`, access[use]);
  }
  for (const use of ["reads", "writes"] as const) {
    access[use].forEach((table, index) => requireOneOf(`${prefix}.access.${use}[${index}]`, table, tables));
    requireUnique(`${prefix}.access.${use}`, access[use]);
  }
}

/**
 * Without Container Insights nothing in CloudWatch holds a service's desired count, so its running-tasks alarm
 * can only see "no task at all": that is "fewer than desired" only for a service that runs one task.
 */
function requireInsightsForManyTasks(env: string, config: EnvironmentConfig): void {
  config.services.forEach((service, index) => {
    const manyTasks = service.desiredCount > 1 || service.autoScaling.enabled;
    if (manyTasks && !config.clusters[service.cluster].containerInsights) {
      throw new ConfigError(
        `${env}.clusters.${service.cluster}.containerInsights`,
        false,
        `expected true: services[${index}] (${service.name}) may run more than one task, and without Container Insights its running-tasks alarm only sees "no task at all"`,
      );
    }
  });
}

/** A queue of `consumerServices: "one"` has at most one consuming service. */
function requireSingleConsumers(env: string, services: readonly ServiceConfig[], queues: readonly QueueConfig[]): void {
  for (const queue of queues.filter((candidate) => candidate.consumerServices === "one")) {
    const consumers = services.filter((service) => service.access.consumes.includes(queue.name)).map((service) => service.name);
    if (consumers.length > 1) {
      throw new ConfigError(
        `${env}.queues.${queue.name}.consumerServices`,
        queue.consumerServices,
        `expected one consuming service, but ${consumers.join(" and ")} consume it (each would see only part of its messages); set consumerServices "many" if that is intended`,
      );
    }
  }
}

function validateIngress(prefix: string, ingress: IngressConfig, services: readonly ServiceConfig[]): void {
  requireRange(`${prefix}.allowedCidrs length`, ingress.allowedCidrs.length, 1, 50);
  ingress.allowedCidrs.forEach((cidr, index) => requireCidr(`${prefix}.allowedCidrs[${index}]`, cidr));
  if (ingress.adminAllowedCidrs !== undefined) {
    requireRange(`${prefix}.adminAllowedCidrs length`, ingress.adminAllowedCidrs.length, 1, MAX_ADMIN_SOURCE_CIDRS);
    ingress.adminAllowedCidrs.forEach((cidr, index) => requireCidr(`${prefix}.adminAllowedCidrs[${index}]`, cidr));
  }
  requireRange(`${prefix}.idleTimeoutSeconds`, ingress.idleTimeoutSeconds, 1, 4000);
  requireRange(`${prefix}.adminSessionTimeoutSeconds`, ingress.adminSessionTimeoutSeconds, 1, 604800);
  requireRange(`${prefix}.accessLogRetentionDays`, ingress.accessLogRetentionDays, 1, 3650);
  requireRange(`${prefix}.waf.requestsPerIpPer5Minutes`, ingress.waf.requestsPerIpPer5Minutes, 100, 2000000000);
  ingress.waf.anonymousSourcesBlockedOn.forEach((host, index) => requireOneOf(`${prefix}.waf.anonymousSourcesBlockedOn[${index}]`, host, PUBLIC_HOSTS));
  requireUnique(`${prefix}.waf.anonymousSourcesBlockedOn`, ingress.waf.anonymousSourcesBlockedOn);
  requireUnique(`${prefix} hosts (services[].ingress.host)`, services.flatMap((service) => (service.ingress ? [service.ingress.host] : [])));
}

function requireCidr(field: string, value: string): void {
  if (!parseIpv4Cidr(value)) throw new ConfigError(field, value, "expected an IPv4 CIDR such as 203.0.113.0/24 with no host bits set");
}

/** Throws a `ConfigError` for the first value that cannot be deployed. */
export function validateEnvironmentConfig(config: EnvironmentConfig): void {
  const env = config.name;
  const { operator, network } = config;

  requireMatch("SENTRY_AWS_REGION (operator.region)", operator.region, REGION, "an AWS region such as us-east-1");
  requireMatch("SENTRY_STATE_BUCKET (operator.stateBucket)", operator.stateBucket, BUCKET, "an S3 bucket name (3-63 lower-case letters, digits, dots, dashes)");
  if (operator.stateBucket.length > STATE_BUCKET_MAX_LENGTH) {
    throw new ConfigError("SENTRY_STATE_BUCKET (operator.stateBucket)", operator.stateBucket, `expected at most ${STATE_BUCKET_MAX_LENGTH} characters (its access-log bucket is <name>-logs)`);
  }
  requireMatch("SENTRY_ADMIN_EMAIL (operator.adminEmail)", operator.adminEmail, EMAIL, "an e-mail address");
  if (operator.codeStarConnectionArn !== undefined) {
    requireMatch("SENTRY_CODESTAR_CONNECTION_ARN (operator.codeStarConnectionArn)", operator.codeStarConnectionArn, CODESTAR_CONNECTION, "a CodeStar connection ARN (arn:aws:codestar-connections:<region>:<account>:connection/<id>)");
  }
  requireMatch("SENTRY_DOMAIN (operator.domain)", operator.domain, DOMAIN, "a lower-case DNS domain such as trading.acme.io (admin.<domain> and ws.<domain> are published)");
  if (operator.hostedZoneId !== undefined) {
    requireMatch("SENTRY_HOSTED_ZONE_ID (operator.hostedZoneId)", operator.hostedZoneId, HOSTED_ZONE_ID, "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ");
  }
  if (operator.certificateArn !== undefined) {
    const certificate = new RegExp(`^arn:aws[a-z-]*:acm:${operator.region}:\\d{12}:certificate/[0-9a-f-]{36}$`);
    requireMatch("SENTRY_CERTIFICATE_ARN (operator.certificateArn)", operator.certificateArn, certificate, `an ACM certificate ARN in ${operator.region} (a load balancer uses certificates of its own region)`);
  }
  if (operator.alarmEmail !== undefined) {
    requireMatch("SENTRY_ALARM_EMAIL (operator.alarmEmail)", operator.alarmEmail, EMAIL, "an e-mail address");
  }

  operator.adminRoleArns.forEach((arn, index) => {
    requireMatch(`SENTRY_ADMIN_ROLE_ARNS (operator.adminRoleArns[${index}])`, arn, ROLE_ARN, "comma-separated IAM role ARNs such as arn:aws:iam::123456789012:role/sentry-operator");
  });
  requireUnique("SENTRY_ADMIN_ROLE_ARNS (operator.adminRoleArns)", operator.adminRoleArns);
  operator.terraformRoleArns.forEach((arn, index) => requireRoleArn(`SENTRY_TERRAFORM_ROLE_ARNS (operator.terraformRoleArns[${index}])`, arn));
  requireUnique("SENTRY_TERRAFORM_ROLE_ARNS (operator.terraformRoleArns)", operator.terraformRoleArns);
  if (operator.githubRepository !== undefined) {
    requireMatch("SENTRY_GITHUB_REPOSITORY (operator.githubRepository)", operator.githubRepository, GITHUB_REPOSITORY, "a GitHub repository owner/name, no wildcard (the CI roles trust this one repository)");
  }
  requireRange(`${env}.kms.deletionWindowDays`, config.kms.deletionWindowDays, 7, 30);

  const cidr = parseIpv4Cidr(network.vpcCidr);
  if (!cidr) throw new ConfigError(`${env}.network.vpcCidr`, network.vpcCidr, "expected an IPv4 CIDR such as 172.22.0.0/16 with no host bits set");
  requireRange(`${env}.network.vpcCidr prefix length`, cidr.prefixLength, 16, 20);
  requireRange(`${env}.network.availabilityZones length`, network.availabilityZones.length, 2, 6);
  requireUnique(`${env}.network.availabilityZones`, network.availabilityZones);
  network.availabilityZones.forEach((zone, index) => {
    requireMatch(`${env}.network.availabilityZones[${index}]`, zone, new RegExp(`^${operator.region}[a-z]$`), `a zone of region ${operator.region}`);
  });
  requireOneOf(`${env}.network.natGateways`, network.natGateways, ["single", "per-az"] as const);
  requireOneOf(`${env}.network.flowLogs.retentionDays`, network.flowLogs.retentionDays, LOG_RETENTION_DAYS);
  requireOneOf(`${env}.logRetentionDays`, config.logRetentionDays, LOG_RETENTION_DAYS);
  const floor = AUDIT_LOG_RETENTION_FLOOR_DAYS[env];
  if (floor !== undefined) {
    const audited: [string, number][] = [[`${env}.logRetentionDays`, config.logRetentionDays]];
    if (network.flowLogs.enabled) audited.push([`${env}.network.flowLogs.retentionDays`, network.flowLogs.retentionDays]);
    audited.forEach(([field, days]) => {
      if (days < floor) throw new ConfigError(field, days, `expected at least ${floor} days (the audit floor of ${env})`);
    });
  }
  requireOneOf(`${env}.cognito.mfa`, config.cognito.mfa, ["OPTIONAL", "ON"] as const);

  config.queues.forEach((queue, index) => {
    const prefix = `${env}.queues[${index}]`;
    requireMatch(`${prefix}.name`, queue.name, QUEUE_NAME, "lower-case letters, digits and single dashes");
    requireRange(`${prefix}.name length`, queue.name.length, 1, 60);
    requireOneOf(`${prefix}.type`, queue.type, QUEUE_TYPES);
    requireRange(`${prefix}.visibilityTimeoutSeconds`, queue.visibilityTimeoutSeconds, 0, 43200);
    requireOneOf(`${prefix}.consumerServices`, queue.consumerServices, ["one", "many"] as const);
  });
  requireUnique(`${env}.queues`, config.queues.map((queue) => queue.name));
  for (const name of Object.keys(config.tables)) {
    requireMatch(`${env}.tables.${name}`, name, QUEUE_NAME, "a table name of lower-case letters, digits and single dashes");
  }
  for (const [name, secret] of Object.entries(config.secrets)) {
    requireMatch(`${env}.secrets.${name}`, name, QUEUE_NAME, "a secret name of lower-case letters, digits and single dashes");
    requireRange(`${env}.secrets.${name}.keys length`, secret.keys.length, 1, 50);
    requireUnique(`${env}.secrets.${name}.keys`, secret.keys);
    requireOneOf(`${env}.secrets.${name}.filledBy`, secret.filledBy, ["person", "data phase"] as const);
  }
  requireRange(`${env}.secretRecoveryWindowDays`, config.secretRecoveryWindowDays, 7, 30);

  const redis = config.redis;
  requireMatch(`${env}.redis.nodeType`, redis.nodeType, GRAVITON_CACHE_NODE, "a Graviton ElastiCache node type such as cache.t4g.micro or cache.r7g.large");
  requireRange(`${env}.redis.numCacheNodes`, redis.numCacheNodes, 1, 6);
  requireRange(`${env}.redis.snapshotRetentionDays`, redis.snapshotRetentionDays, 0, 35);

  CLUSTER_NAMES.forEach((name) => validateCluster(`${env}.clusters.${name}`, config.clusters[name]));
  config.services.forEach((service, index) => validateService(`${env}.services[${index}]`, service));
  requireUnique(`${env}.services`, config.services.map((service) => service.name));
  config.services.forEach((service, index) => validateAccess(`${env}.services[${index}]`, service, config.queues, Object.keys(config.tables)));
  requireSingleConsumers(env, config.services, config.queues);
  requireInsightsForManyTasks(env, config);
  validateIngress(`${env}.ingress`, config.ingress, config.services);
  requireAwsvpcOnIsolatedCluster(env, config);
  CLUSTER_NAMES.forEach((name) => requireRoomForTasks(`${env}.clusters.${name}`, config.clusters[name], config.services.filter((service) => service.cluster === name)));

  const { cicd } = config;
  requireRange(`${env}.cicd.keepTaggedImages`, cicd.keepTaggedImages, 1, 1000);
  requireRange(`${env}.cicd.untaggedImageExpiryDays`, cicd.untaggedImageExpiryDays, 1, 365);
  requireRange(`${env}.cicd.artifactExpiryDays`, cicd.artifactExpiryDays, 1, 3650);
  const deployedServices = config.services.map((service) => service.name);
  cicd.pipelines.forEach((pipeline, index) => {
    const prefix = `${env}.cicd.pipelines[${index}]`;
    requireOneOf(`${prefix}.service`, pipeline.service, SERVICE_NAMES);
    requireMatch(`${prefix}.repository`, pipeline.repository, GITHUB_REPOSITORY, "a GitHub repository of the form owner/name");
    requireMatch(`${prefix}.branch`, pipeline.branch, /^[^\s~^:?*[\\]+$/, "a git branch name");
    requireMatch(`${prefix}.buildspecPath`, pipeline.buildspecPath, /^[^\s/][^\s]*\.ya?ml$/, "a relative path to a .yml buildspec");
    if (pipeline.deploy && !deployedServices.includes(pipeline.service)) {
      throw new ConfigError(`${prefix}.deploy`, pipeline.deploy, `expected false: phase 4 defines no service "${pipeline.service}" (it defines ${deployedServices.join(", ")})`);
    }
  });
  requireUnique(`${env}.cicd.pipelines`, cicd.pipelines.map((pipeline) => pipeline.service));

  validateAlarms(`${env}.alarms`, config.alarms);
}

function validateAlarms(prefix: string, alarms: AlarmsConfig): void {
  requireRange(`${prefix}.deadLetterQueueMessages`, alarms.deadLetterQueueMessages, 1, 100000);
  requireRange(`${prefix}.natPortAllocationErrors`, alarms.natPortAllocationErrors, 0, 1000000);
  // CloudWatch evaluates at most one day of one-minute periods; an hour is the most a page may wait.
  requireRange(`${prefix}.sustainedMinutes`, alarms.sustainedMinutes, 1, 60);
  requireRange(`${prefix}.runningTasksMinutes`, alarms.runningTasksMinutes, 1, 60);
  for (const field of ["redisCpuPercent", "redisMemoryPercent", "serviceCpuPercent", "serviceMemoryPercent", "loadBalancer5xxRatePercent"] as const) {
    requireRange(`${prefix}.${field}`, alarms[field], 1, 100);
  }
  requireRange(`${prefix}.redisEvictions`, alarms.redisEvictions, 0, 1000000);
  requireRange(`${prefix}.redisReplicationLagSeconds`, alarms.redisReplicationLagSeconds, 1, 3600);
  requireRange(`${prefix}.loadBalancerMinimumRequests`, alarms.loadBalancerMinimumRequests, 0, 1000000);
  requireRange(`${prefix}.unhealthyTargets`, alarms.unhealthyTargets, 0, 1000);
  requireRange(`${prefix}.wafBlockedRequests`, alarms.wafBlockedRequests, 1, 1000000);
}
