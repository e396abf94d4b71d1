import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { AlarmsConfig, EnvironmentConfig, RedisConfig } from "../config";
import { RedisAlarms } from "../constructs/observability/redis-alarms";
import { RedisReplicationGroup } from "../constructs/cache/redis-replication-group";
import { SentryStack, SentryStackProps } from "./sentry-stack";

export interface DataStackProps extends SentryStackProps {
  readonly redis: RedisConfig;
  /** Days CloudWatch Logs keeps the Redis slow log. */
  readonly logRetentionDays: number;
  readonly secretRecoveryWindowDays: number;
  /** Thresholds of the Redis alarms. */
  readonly alarms: AlarmsConfig;
}

export function dataStackProps(config: EnvironmentConfig): DataStackProps {
  return {
    environment: config.name,
    operator: config.operator,
    redis: config.redis,
    logRetentionDays: config.logRetentionDays,
    secretRecoveryWindowDays: config.secretRecoveryWindowDays,
    alarms: config.alarms,
  };
}

/**
 * Phase 2: ElastiCache Redis in the private subnets, its endpoint and AUTH token written to the phase-1
 * secret `sentry/<env>/redis`. Its security group admits nobody: phase 4 adds ingress from the security
 * group of each service that uses Redis. Output contract: see docs/architecture.md "Outputs".
 */
export class DataStack extends SentryStack {
  constructor(scope: Construct, props: DataStackProps) {
    super(scope, "data", props);
    const foundation = this.readPhase("foundation");
    const kmsKeyArn = this.readEnvironmentKey(foundation);

    const redis = new RedisReplicationGroup(this, "redis", {
      name: `sentry-redis-${props.environment}`,
      vpcId: foundation.getString("vpc_id"),
      subnetIds: foundation.getList("private_subnet_ids"),
      nodeType: props.redis.nodeType,
      numCacheNodes: props.redis.numCacheNodes,
      snapshotRetentionDays: props.redis.snapshotRetentionDays,
      logRetentionDays: props.logRetentionDays,
      slowLogGroupName: `/sentry/elasticache/sentry-redis-${props.environment}/slow-log`,
      authTokenSecretName: `sentry/${props.environment}/redis-auth-token`,
      authTokenSecretRecoveryDays: props.secretRecoveryWindowDays,
      // Only Terraform's principals and the operators read the token: the services read the `redis` secret.
      authTokenReaderArns: [...new Set([...this.sharedRoles(props.operator.adminRoleArns), ...this.terraformPrincipals(new DataAwsCallerIdentity(this, "caller")).secretReaders])],
      kmsKeyArn,
      credentialsSecretId: this.lookupOutput(foundation, "secret_arns", "redis"),
    });

    // Member cluster ids are <group id>-001, -002, ...; which one goes on a scale-in is up to ElastiCache, so the
    // group's own member_clusters (sorted: stable across failovers) is the source, not a derived name.
    const memberClusterIds = Fn.sort(redis.replicationGroup.memberClusters);
    new RedisAlarms(this, "redis-alarms", {
      namePrefix: `sentry-${props.environment}-redis`,
      memberClusterIds: Array.from({ length: props.redis.numCacheNodes }, (_, index) => Fn.element(memberClusterIds, index)),
      topicArn: foundation.getString("alarm_topic_arn"),
      cpuPercent: props.alarms.redisCpuPercent,
      memoryPercent: props.alarms.redisMemoryPercent,
      evictions: props.alarms.redisEvictions,
      replicationLagSeconds: props.alarms.redisReplicationLagSeconds,
      evaluationMinutes: props.alarms.sustainedMinutes,
    });

    this.publish("redis_replication_group_id", redis.replicationGroup.id, "ElastiCache replication group id");
    this.publish("redis_primary_endpoint", redis.replicationGroup.primaryEndpointAddress, "Primary (read-write) endpoint address");
    this.publish("redis_reader_endpoint", redis.replicationGroup.readerEndpointAddress, "Reader endpoint address (spreads reads over replicas)");
    this.publish("redis_port", redis.port, "Redis TLS port");
    this.publish("redis_security_group_id", redis.securityGroup.id, "Security group of the Redis nodes; clients add ingress rules to it");
    this.publish("redis_member_cluster_ids", memberClusterIds, "Cache cluster ids of the group's members, sorted (the CloudWatch CacheClusterId of each node)");
  }
}
