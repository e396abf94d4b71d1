import { Construct } from "constructs";
import { EnvironmentConfig, RedisConfig } from "../config";
import { RedisReplicationGroup } from "../constructs/redis-replication-group";
import { SentryStack, SentryStackProps } from "./sentry-stack";

export interface DataStackProps extends SentryStackProps {
  readonly redis: RedisConfig;
  /** Days CloudWatch Logs keeps the Redis slow log. */
  readonly logRetentionDays: number;
  readonly secretRecoveryWindowDays: number;
}

export function dataStackProps(config: EnvironmentConfig): DataStackProps {
  return {
    environment: config.name,
    operator: config.operator,
    redis: config.redis,
    logRetentionDays: config.logRetentionDays,
    secretRecoveryWindowDays: config.secretRecoveryWindowDays,
  };
}

/**
 * Phase 2: ElastiCache Redis in the private subnets, its endpoint and AUTH token written to the phase-1
 * secret `sentry/<env>/redis`. Its security group admits nobody: phase 4 adds ingress from the security
 * group of each service that uses Redis. Output contract: see README "Outputs".
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
      // Only Terraform (run by an operator role) reads the token: the services read the `redis` secret.
      authTokenReaderArns: props.operator.adminRoleArns,
      kmsKeyArn,
      credentialsSecretId: this.lookupOutput(foundation, "secret_arns", "redis"),
    });

    this.publish("redis_replication_group_id", redis.replicationGroup.id, "ElastiCache replication group id");
    this.publish("redis_primary_endpoint", redis.replicationGroup.primaryEndpointAddress, "Primary (read-write) endpoint address");
    this.publish("redis_reader_endpoint", redis.replicationGroup.readerEndpointAddress, "Reader endpoint address (spreads reads over replicas)");
    this.publish("redis_port", redis.port, "Redis TLS port");
    this.publish("redis_security_group_id", redis.securityGroup.id, "Security group of the Redis nodes; clients add ingress rules to it");
  }
}
