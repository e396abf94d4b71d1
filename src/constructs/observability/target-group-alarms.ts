import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { errorRateAlarm, ONE_MINUTE, requireWholeNumber, topicAlarm } from "./alarm-support";

export interface TargetGroupAlarmsProps {
  /** Alarm names are `<namePrefix>-target-5xx-rate` and `<namePrefix>-unhealthy-targets`. */
  readonly namePrefix: string;
  /** The load balancer's `arn_suffix` (dimension `LoadBalancer`). */
  readonly loadBalancerArnSuffix: string;
  /** The target group's `arn_suffix` (dimension `TargetGroup`, `targetgroup/<name>/<id>`). */
  readonly targetGroupArnSuffix: string;
  /** SNS topic notified when an alarm fires and when it recovers. */
  readonly topicArn: string;
  /** Percent of the group's requests its targets answer 5xx (`HTTPCode_Target_5XX_Count`) that fires the alarm. */
  readonly http5xxRatePercent: number;
  /** Requests per minute below which a minute counts as 0 %. @default 10 */
  readonly minimumRequests?: number;
  /** Unhealthy targets above which the unhealthy-targets alarm fires. @default 0 */
  readonly unhealthyTargets?: number;
  /** Minutes a rate or unhealthy count must stay above the threshold. @default 5 */
  readonly evaluationMinutes?: number;
}

const DEFAULT_MINIMUM_REQUESTS = 10;
const DEFAULT_UNHEALTHY_TARGETS = 0;
const DEFAULT_EVALUATION_MINUTES = 5;

/** A target group's 5xx rate (answered by its targets) and its unhealthy targets (`UnHealthyHostCount`, Maximum). */
export class TargetGroupAlarms extends Construct {
  readonly http5xxRate: CloudwatchMetricAlarm;
  readonly unhealthyTargets: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: TargetGroupAlarmsProps) {
    super(scope, id);
    const minimumRequests = props.minimumRequests ?? DEFAULT_MINIMUM_REQUESTS;
    const unhealthyTargets = props.unhealthyTargets ?? DEFAULT_UNHEALTHY_TARGETS;
    const evaluationMinutes = props.evaluationMinutes ?? DEFAULT_EVALUATION_MINUTES;
    const owner = `TargetGroupAlarms ${props.namePrefix}`;
    requireWholeNumber(owner, "http5xxRatePercent", props.http5xxRatePercent, 1, 100);
    requireWholeNumber(owner, "minimumRequests", minimumRequests, 0, 1000000);
    requireWholeNumber(owner, "unhealthyTargets", unhealthyTargets, 0, 1000);
    requireWholeNumber(owner, "evaluationMinutes", evaluationMinutes, 1, 60);
    const dimensions = { LoadBalancer: props.loadBalancerArnSuffix, TargetGroup: props.targetGroupArnSuffix };

    this.http5xxRate = errorRateAlarm(this, "http-5xx-rate", props.topicArn, {
      alarmName: `${props.namePrefix}-target-5xx-rate`,
      alarmDescription: `Targets answered more than ${props.http5xxRatePercent} % of requests with 5xx for ${evaluationMinutes} minutes: check the service's logs.`,
      errors: "HTTPCode_Target_5XX_Count",
      dimensions,
      minimumRequests,
      percent: props.http5xxRatePercent,
      evaluationMinutes,
    });
    this.unhealthyTargets = topicAlarm(this, "unhealthy-targets", props.topicArn, {
      alarmName: `${props.namePrefix}-unhealthy-targets`,
      alarmDescription: `More than ${unhealthyTargets} targets failed their health checks for ${evaluationMinutes} minutes.`,
      namespace: "AWS/ApplicationELB",
      metricName: "UnHealthyHostCount",
      dimensions,
      statistic: "Maximum",
      period: ONE_MINUTE,
      evaluationPeriods: evaluationMinutes,
      comparisonOperator: "GreaterThanThreshold",
      threshold: unhealthyTargets,
      // The load balancer reports a group in use every minute; a gap (group detached) is no unhealthy target,
      // and a service without tasks is the running-tasks alarm's to report.
      treatMissingData: "notBreaching",
    });
  }
}
