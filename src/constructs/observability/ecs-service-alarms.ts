import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { ONE_MINUTE, requireWholeNumber, topicAlarm } from "./alarm-support";

export interface EcsServiceAlarmsProps {
  /** Alarm names are `<namePrefix>-running-tasks`, `-cpu`, `-memory`. */
  readonly namePrefix: string;
  /** ECS cluster name (dimension `ClusterName`). */
  readonly clusterName: string;
  /** ECS service name (dimension `ServiceName`). */
  readonly serviceName: string;
  /** SNS topic notified when an alarm fires and when it recovers. */
  readonly topicArn: string;
  /** Average CPU percent of the tasks' reservation above which the CPU alarm fires. */
  readonly cpuPercent: number;
  /** Average memory percent of the tasks' reservation above which the memory alarm fires. */
  readonly memoryPercent: number;
  /** Minutes CPU or memory must stay above the threshold. @default 5 */
  readonly evaluationMinutes?: number;
  /** Minutes the service may run fewer tasks than desired before the running-tasks alarm fires. @default 5 */
  readonly runningTasksMinutes?: number;
  /**
   * The cluster publishes Container Insights: the running-tasks alarm compares `RunningTaskCount` with
   * `DesiredTaskCount` (which follows auto scaling). Without it, ECS publishes nothing that holds the desired
   * count, and the alarm fires when the service has no running task at all.
   * @default false
   */
  readonly containerInsights?: boolean;
}

const DEFAULT_EVALUATION_MINUTES = 5;
const DEFAULT_RUNNING_TASKS_MINUTES = 5;
const INSIGHTS_NAMESPACE = "ECS/ContainerInsights";

/**
 * A service's running-task count, CPU and memory (AWS/ECS `CPUUtilization` and `MemoryUtilization`, Average,
 * dimensions `ClusterName` and `ServiceName`).
 */
export class EcsServiceAlarms extends Construct {
  readonly runningTasks: CloudwatchMetricAlarm;
  readonly cpu: CloudwatchMetricAlarm;
  readonly memory: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: EcsServiceAlarmsProps) {
    super(scope, id);
    const evaluationMinutes = props.evaluationMinutes ?? DEFAULT_EVALUATION_MINUTES;
    const runningTasksMinutes = props.runningTasksMinutes ?? DEFAULT_RUNNING_TASKS_MINUTES;
    const owner = `EcsServiceAlarms ${props.namePrefix}`;
    requireWholeNumber(owner, "cpuPercent", props.cpuPercent, 1, 100);
    requireWholeNumber(owner, "memoryPercent", props.memoryPercent, 1, 100);
    requireWholeNumber(owner, "evaluationMinutes", evaluationMinutes, 1, 60);
    requireWholeNumber(owner, "runningTasksMinutes", runningTasksMinutes, 1, 60);
    const dimensions = { ClusterName: props.clusterName, ServiceName: props.serviceName };

    const runningTasks = {
      alarmName: `${props.namePrefix}-running-tasks`,
      evaluationPeriods: runningTasksMinutes,
      // ECS publishes no metric at all for a service without a RUNNING task: that silence is the failure.
      treatMissingData: "breaching" as const,
    };
    this.runningTasks = props.containerInsights
      ? topicAlarm(this, "running-tasks", props.topicArn, {
          ...runningTasks,
          alarmDescription: `${props.serviceName} has run fewer tasks than desired for ${runningTasksMinutes} minutes: check its events (placement, failing health checks, image pulls).`,
          metricQuery: [
            { id: "running", metric: { namespace: INSIGHTS_NAMESPACE, metricName: "RunningTaskCount", dimensions, period: ONE_MINUTE, stat: "Minimum" }, returnData: false },
            { id: "desired", metric: { namespace: INSIGHTS_NAMESPACE, metricName: "DesiredTaskCount", dimensions, period: ONE_MINUTE, stat: "Maximum" }, returnData: false },
            { id: "missing", expression: "desired - running", label: "Tasks missing (desired - running)", returnData: true },
          ],
          comparisonOperator: "GreaterThanThreshold",
          threshold: 0,
        })
      : topicAlarm(this, "running-tasks", props.topicArn, {
          ...runningTasks,
          alarmDescription: `${props.serviceName} has had no running task for ${runningTasksMinutes} minutes: check its events (placement, failing health checks, image pulls).`,
          // Any running task reports CPU every minute; SampleCount is only ever compared with 1, so the alarm
          // does not depend on how many samples a task contributes.
          namespace: "AWS/ECS",
          metricName: "CPUUtilization",
          dimensions,
          statistic: "SampleCount",
          period: ONE_MINUTE,
          comparisonOperator: "LessThanThreshold",
          threshold: 1,
        });

    const utilization = (what: "cpu" | "memory", metricName: string, percent: number) =>
      topicAlarm(this, what, props.topicArn, {
        alarmName: `${props.namePrefix}-${what}`,
        alarmDescription: `${props.serviceName}: average ${what} above ${percent} % of the tasks' reservation for ${evaluationMinutes} minutes.`,
        namespace: "AWS/ECS",
        metricName,
        dimensions,
        statistic: "Average",
        period: ONE_MINUTE,
        evaluationPeriods: evaluationMinutes,
        comparisonOperator: "GreaterThanThreshold",
        threshold: percent,
        // No data means no running task, which is the running-tasks alarm's to report, not high usage.
        treatMissingData: "notBreaching",
      });
    this.cpu = utilization("cpu", "CPUUtilization", props.cpuPercent);
    this.memory = utilization("memory", "MemoryUtilization", props.memoryPercent);
  }
}
