import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { FIVE_MINUTES, MissingData, ONE_MINUTE, requireWholeNumber, topicAlarm } from "./alarm-support";

export interface RedisAlarmsProps {
  /** Alarm names are `<namePrefix>-node-<n>-<what>`, n counting from 1 in the order of `memberClusterIds`. */
  readonly namePrefix: string;
  /**
   * Cache cluster ids of the replication group's members (one node each, cluster mode off), in a stable order,
   * e.g. the sorted `member_clusters` of the group. Two or more: the lag of the replicas is watched too.
   */
  readonly memberClusterIds: readonly string[];
  /** SNS topic notified when an alarm fires and when it recovers. */
  readonly topicArn: string;
  /** `EngineCPUUtilization` percent (the Redis thread) above which a node's alarm fires. */
  readonly cpuPercent: number;
  /** `DatabaseMemoryUsagePercentage` (of `maxmemory`) above which a node's alarm fires. */
  readonly memoryPercent: number;
  /** Evicted keys in 5 minutes above which a node's alarm fires. */
  readonly evictions: number;
  /** Seconds of `ReplicationLag` above which a replica's alarm fires. */
  readonly replicationLagSeconds: number;
  /** Minutes CPU, memory or lag must stay above the threshold. @default 5 */
  readonly evaluationMinutes?: number;
}

const DEFAULT_EVALUATION_MINUTES = 5;

/**
 * Per member of a Redis replication group (dimension `CacheClusterId`): engine CPU, memory, evictions, and with
 * replicas, replication lag. Lag is watched on every member: the primary publishes none, and after a failover
 * the roles swap, so whichever member is a replica at the time reports it.
 */
export class RedisAlarms extends Construct {
  readonly alarms: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, id: string, props: RedisAlarmsProps) {
    super(scope, id);
    const evaluationMinutes = props.evaluationMinutes ?? DEFAULT_EVALUATION_MINUTES;
    const owner = `RedisAlarms ${props.namePrefix}`;
    if (props.memberClusterIds.length < 1 || props.memberClusterIds.length > 6) {
      throw new Error(`${owner}: memberClusterIds has ${props.memberClusterIds.length} ids; expected 1 to 6`);
    }
    requireWholeNumber(owner, "cpuPercent", props.cpuPercent, 1, 100);
    requireWholeNumber(owner, "memoryPercent", props.memoryPercent, 1, 100);
    requireWholeNumber(owner, "evictions", props.evictions, 0, 1000000);
    requireWholeNumber(owner, "replicationLagSeconds", props.replicationLagSeconds, 1, 3600);
    requireWholeNumber(owner, "evaluationMinutes", evaluationMinutes, 1, 60);
    const withReplicas = props.memberClusterIds.length >= 2;

    props.memberClusterIds.forEach((clusterId, index) => {
      const node = `node-${index + 1}`;
      const alarm = (what: string, description: string, metric: { metricName: string; statistic: string; period: number; evaluationPeriods: number; threshold: number; treatMissingData: MissingData }) =>
        this.alarms.push(
          topicAlarm(this, `${node}-${what}`, props.topicArn, {
            alarmName: `${props.namePrefix}-${node}-${what}`,
            alarmDescription: description,
            namespace: "AWS/ElastiCache",
            dimensions: { CacheClusterId: clusterId },
            comparisonOperator: "GreaterThanThreshold",
            ...metric,
          }),
        );

      alarm("cpu", `Redis ${node}: the engine thread has been busy above ${props.cpuPercent} % for ${evaluationMinutes} minutes; commands queue up.`, {
        metricName: "EngineCPUUtilization",
        statistic: "Average",
        period: ONE_MINUTE,
        evaluationPeriods: evaluationMinutes,
        threshold: props.cpuPercent,
        // ElastiCache reports a running node every minute; a gap means the node is being replaced, which the
        // alarm shows as INSUFFICIENT_DATA rather than as high CPU.
        treatMissingData: "missing",
      });
      alarm("memory", `Redis ${node}: memory above ${props.memoryPercent} % of maxmemory for ${evaluationMinutes} minutes; evictions follow.`, {
        metricName: "DatabaseMemoryUsagePercentage",
        statistic: "Average",
        period: ONE_MINUTE,
        evaluationPeriods: evaluationMinutes,
        threshold: props.memoryPercent,
        // As for CPU: a gap is a node being replaced, not a full one.
        treatMissingData: "missing",
      });
      alarm("evictions", `Redis ${node}: more than ${props.evictions} keys evicted in 5 minutes; state the services rely on is being dropped.`, {
        metricName: "Evictions",
        statistic: "Sum",
        period: FIVE_MINUTES,
        evaluationPeriods: 1,
        threshold: props.evictions,
        // A gap in a counter is no eviction.
        treatMissingData: "notBreaching",
      });
      if (withReplicas) {
        alarm("replication-lag", `Redis ${node}: replica more than ${props.replicationLagSeconds} s behind the primary for ${evaluationMinutes} minutes; reads from it are stale and a failover would lose writes.`, {
          metricName: "ReplicationLag",
          statistic: "Maximum",
          period: ONE_MINUTE,
          evaluationPeriods: evaluationMinutes,
          threshold: props.replicationLagSeconds,
          // The primary publishes no ReplicationLag at all: no data is no lag.
          treatMissingData: "notBreaching",
        });
      }
    });
  }
}
