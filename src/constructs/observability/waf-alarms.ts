import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { FIVE_MINUTES, requireWholeNumber, topicAlarm } from "./alarm-support";

export interface WafAlarmsProps {
  /** The alarm is named `<namePrefix>-blocked-requests`. */
  readonly namePrefix: string;
  /** Name of the (regional) web ACL: dimension `WebACL`. */
  readonly webAclName: string;
  /** Region of the web ACL: dimension `Region`. */
  readonly region: string;
  /** SNS topic notified when the alarm fires and when it recovers. */
  readonly topicArn: string;
  /** Requests the web ACL blocks in 5 minutes (all its rules together) above which the alarm fires. */
  readonly blockedRequests: number;
}

/** The dimensions of a regional web ACL's metrics over all its rules. */
export function webAclDimensions(webAclName: string, region: string): Record<string, string> {
  return { WebACL: webAclName, Region: region, Rule: "ALL" };
}

/**
 * A spike of requests the web ACL blocks (rate limit, managed rules, anonymous sources): an attack, a scraper, or
 * a rule that started blocking real clients. The request logs (`aws-waf-logs-*`) say which rule and which source.
 */
export class WafAlarms extends Construct {
  readonly blockedRequests: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: WafAlarmsProps) {
    super(scope, id);
    requireWholeNumber(`WafAlarms ${props.namePrefix}`, "blockedRequests", props.blockedRequests, 1, 1000000);
    this.blockedRequests = topicAlarm(this, "blocked-requests", props.topicArn, {
      alarmName: `${props.namePrefix}-blocked-requests`,
      alarmDescription: `The web ACL ${props.webAclName} blocked more than ${props.blockedRequests} requests in 5 minutes: an attack, a scraper, or a rule blocking real clients (see its request logs).`,
      namespace: "AWS/WAFV2",
      metricName: "BlockedRequests",
      dimensions: webAclDimensions(props.webAclName, props.region),
      statistic: "Sum",
      period: FIVE_MINUTES,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanThreshold",
      threshold: props.blockedRequests,
      // WAF publishes BlockedRequests only in periods that blocked something: no data is nothing blocked.
      treatMissingData: "notBreaching",
    });
  }
}
