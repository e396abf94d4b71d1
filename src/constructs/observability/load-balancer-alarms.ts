import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { errorRateAlarm, requireWholeNumber } from "./alarm-support";

export interface LoadBalancerAlarmsProps {
  /** The alarm is named `<namePrefix>-5xx-rate`. */
  readonly namePrefix: string;
  /** The load balancer's `arn_suffix` (dimension `LoadBalancer`, `app/<name>/<id>`). */
  readonly loadBalancerArnSuffix: string;
  /** SNS topic notified when the alarm fires and when it recovers. */
  readonly topicArn: string;
  /** Percent of requests the load balancer itself answers 5xx (`HTTPCode_ELB_5XX_Count`) that fires the alarm. */
  readonly http5xxRatePercent: number;
  /** Requests per minute below which a minute counts as 0 %. @default 10 */
  readonly minimumRequests?: number;
  /** Minutes the rate must stay above the threshold. @default 5 */
  readonly evaluationMinutes?: number;
}

const DEFAULT_MINIMUM_REQUESTS = 10;
const DEFAULT_EVALUATION_MINUTES = 5;

/**
 * The 5xx responses an Application Load Balancer generates itself (no healthy target, 502 from a target that
 * closed the connection, 504 timeouts) as a percent of its requests. Targets' own 5xx are per target group:
 * see `TargetGroupAlarms`.
 */
export class LoadBalancerAlarms extends Construct {
  readonly http5xxRate: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: LoadBalancerAlarmsProps) {
    super(scope, id);
    const minimumRequests = props.minimumRequests ?? DEFAULT_MINIMUM_REQUESTS;
    const evaluationMinutes = props.evaluationMinutes ?? DEFAULT_EVALUATION_MINUTES;
    const owner = `LoadBalancerAlarms ${props.namePrefix}`;
    requireWholeNumber(owner, "http5xxRatePercent", props.http5xxRatePercent, 1, 100);
    requireWholeNumber(owner, "minimumRequests", minimumRequests, 0, 1000000);
    requireWholeNumber(owner, "evaluationMinutes", evaluationMinutes, 1, 60);

    this.http5xxRate = errorRateAlarm(this, "http-5xx-rate", props.topicArn, {
      alarmName: `${props.namePrefix}-5xx-rate`,
      alarmDescription: `The load balancer answered more than ${props.http5xxRatePercent} % of requests with its own 5xx for ${evaluationMinutes} minutes: targets unhealthy, unreachable or too slow.`,
      errors: "HTTPCode_ELB_5XX_Count",
      dimensions: { LoadBalancer: props.loadBalancerArnSuffix },
      minimumRequests,
      percent: props.http5xxRatePercent,
      evaluationMinutes,
    });
  }
}
