import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { FIVE_MINUTES, requireWholeNumber, topicAlarm } from "./alarm-support";

export interface NatGatewayAlarmsProps {
  /** Alarm names are `<namePrefix>-nat-<key>-port-allocation`. */
  readonly namePrefix: string;
  /** NAT gateway id by a short key (its availability zone). */
  readonly natGateways: Readonly<Record<string, string>>;
  /** SNS topic notified when an alarm fires and when it recovers. */
  readonly topicArn: string;
  /** Port allocation errors in 5 minutes above which an alarm fires. @default 0 */
  readonly errors?: number;
}

const DEFAULT_ERRORS = 0;

/**
 * One alarm per NAT gateway on `ErrorPortAllocation` (Sum over 5 minutes): the gateway ran out of source
 * ports to one destination, so new outbound connections (to the exchange, to AWS APIs) fail.
 */
export class NatGatewayAlarms extends Construct {
  /** The alarm of each gateway, by key. */
  readonly alarms: Readonly<Record<string, CloudwatchMetricAlarm>>;

  constructor(scope: Construct, id: string, props: NatGatewayAlarmsProps) {
    super(scope, id);
    const errors = props.errors ?? DEFAULT_ERRORS;
    requireWholeNumber(`NatGatewayAlarms ${props.namePrefix}`, "errors", errors, 0, 1000000);

    this.alarms = Object.fromEntries(
      Object.entries(props.natGateways).map(([key, natGatewayId]) => [
        key,
        topicAlarm(this, key, props.topicArn, {
          alarmName: `${props.namePrefix}-nat-${key}-port-allocation`,
          alarmDescription: `NAT gateway in ${key} could not allocate a source port: outbound connections from the private subnets are failing.`,
          namespace: "AWS/NATGateway",
          metricName: "ErrorPortAllocation",
          dimensions: { NatGatewayId: natGatewayId },
          statistic: "Sum",
          period: FIVE_MINUTES,
          evaluationPeriods: 1,
          comparisonOperator: "GreaterThanThreshold",
          threshold: errors,
          // A gap in a gateway's counters is no error to count.
          treatMissingData: "notBreaching",
        }),
      ]),
    );
  }
}
