import {
  CloudwatchMetricAlarm,
  CloudwatchMetricAlarmConfig,
  CloudwatchMetricAlarmMetricQuery,
} from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";

/**
 * What every alarm construct shares: the notification wiring, the periods, and the 5xx-rate metric math.
 * Each alarm chooses its own `treat_missing_data` and says why next to it.
 */

/** CloudWatch's `treat_missing_data` values. */
export type MissingData = "breaching" | "notBreaching" | "ignore" | "missing";

export const ONE_MINUTE = 60;
export const FIVE_MINUTES = 300;

export type TopicAlarmConfig = Omit<CloudwatchMetricAlarmConfig, "alarmActions" | "okActions" | "treatMissingData"> & {
  readonly treatMissingData: MissingData;
};

/** An alarm that notifies `topicArn` when it fires and again when it recovers, so the operator knows it is over. */
export function topicAlarm(scope: Construct, id: string, topicArn: string, config: TopicAlarmConfig): CloudwatchMetricAlarm {
  return new CloudwatchMetricAlarm(scope, id, { ...config, alarmActions: [topicArn], okActions: [topicArn] });
}

/** Checks a threshold a construct was given: a whole number in [min, max], naming the construct and the prop. */
export function requireWholeNumber(owner: string, prop: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${owner}: ${prop} ${value} must be a whole number from ${min} to ${max}`);
  }
}

/** A 5xx-rate alarm: which counter, on which load balancer or target group, above what percent. */
export interface ErrorRateAlarmConfig {
  readonly alarmName: string;
  readonly alarmDescription: string;
  /** The load balancer's `HTTPCode_*_5XX_Count` metric counted as errors. */
  readonly errors: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** Requests per minute below which a minute counts as 0 %. */
  readonly minimumRequests: number;
  /** Percent of requests above which the alarm fires. */
  readonly percent: number;
  /** Minutes the rate must stay above the percent. */
  readonly evaluationMinutes: number;
}

/**
 * Percent of requests answered 5xx per minute, as metric math over two Application Load Balancer counters:
 * `errors` and `RequestCount`, both with `dimensions`. The load balancer publishes a 5XX count only in minutes
 * that had one (FILL makes the others 0) and a request count only in minutes with requests (no requests: no
 * data point). Below `minimumRequests` a minute counts as 0 %.
 */
export function errorRateAlarm(scope: Construct, id: string, topicArn: string, config: ErrorRateAlarmConfig): CloudwatchMetricAlarm {
  const metric = (metricName: string) => ({
    namespace: "AWS/ApplicationELB",
    metricName,
    dimensions: { ...config.dimensions },
    period: ONE_MINUTE,
    stat: "Sum",
  });
  const metricQuery: CloudwatchMetricAlarmMetricQuery[] = [
    { id: "errors", metric: metric(config.errors), returnData: false },
    { id: "requests", metric: metric("RequestCount"), returnData: false },
    {
      id: "rate",
      expression: `IF(requests >= ${config.minimumRequests}, 100 * FILL(errors, 0) / requests, 0)`,
      label: "5xx responses (% of requests)",
      returnData: true,
    },
  ];
  return topicAlarm(scope, id, topicArn, {
    alarmName: config.alarmName,
    alarmDescription: config.alarmDescription,
    metricQuery,
    evaluationPeriods: config.evaluationMinutes,
    comparisonOperator: "GreaterThanThreshold",
    threshold: config.percent,
    // RequestCount is published only in minutes with requests: no traffic is no error rate.
    treatMissingData: "notBreaching",
  });
}
