import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { FIVE_MINUTES, requireWholeNumber, topicAlarm } from "./alarm-support";

export interface DeadLetterQueueAlarmsProps {
  /** Alarm names are `<namePrefix>-dlq-<key>`. */
  readonly namePrefix: string;
  /** Dead-letter queue name (the SQS `QueueName`) by short name, e.g. `{ "orders-bitget": "sentry-orders-bitget-dlq-dev" }`. */
  readonly queues: Readonly<Record<string, string>>;
  /** SNS topic notified when an alarm fires and when it recovers. */
  readonly topicArn: string;
  /** Visible messages that fire an alarm. @default 1 */
  readonly visibleMessages?: number;
}

const DEFAULT_VISIBLE_MESSAGES = 1;

/**
 * One alarm per dead-letter queue: a message there is an order, fill or event no consumer could process.
 * `ApproximateNumberOfMessagesVisible` (Maximum) over 5 minutes, so it holds whether SQS reports a queue every
 * minute or every five.
 */
export class DeadLetterQueueAlarms extends Construct {
  /** The alarm of each queue, by short name. */
  readonly alarms: Readonly<Record<string, CloudwatchMetricAlarm>>;

  constructor(scope: Construct, id: string, props: DeadLetterQueueAlarmsProps) {
    super(scope, id);
    const visibleMessages = props.visibleMessages ?? DEFAULT_VISIBLE_MESSAGES;
    requireWholeNumber(`DeadLetterQueueAlarms ${props.namePrefix}`, "visibleMessages", visibleMessages, 1, 100000);

    this.alarms = Object.fromEntries(
      Object.entries(props.queues).map(([key, queueName]) => [
        key,
        topicAlarm(this, key, props.topicArn, {
          alarmName: `${props.namePrefix}-dlq-${key}`,
          alarmDescription: `${queueName} holds messages no consumer could process: inspect them, fix the consumer, then redrive.`,
          namespace: "AWS/SQS",
          metricName: "ApproximateNumberOfMessagesVisible",
          dimensions: { QueueName: queueName },
          statistic: "Maximum",
          period: FIVE_MINUTES,
          evaluationPeriods: 1,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          threshold: visibleMessages,
          // SQS reports a queue only while it is active: one holding messages always is, so an idle queue's
          // missing data can only mean an empty queue.
          treatMissingData: "notBreaching",
        }),
      ]),
    );
  }
}
