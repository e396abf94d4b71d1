import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { SqsQueueRedriveAllowPolicy } from "@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy";
import { Construct } from "constructs";
import { denyInsecureTransportStatement } from "../encryption/policy-statements";

export interface SqsQueueWithDlqProps {
  /** Queue name without the `.fifo` suffix. */
  readonly name: string;
  /** Dead-letter queue name without the `.fifo` suffix. @default `<name>-dlq` */
  readonly deadLetterQueueName?: string;
  /** FIFO queues (and their DLQ) get the `.fifo` suffix and content-based deduplication. */
  readonly fifo: boolean;
  /** @default 30 */
  readonly visibilityTimeoutSeconds?: number;
  /** @default 345600 (4 days) */
  readonly messageRetentionSeconds?: number;
  /** Receives before a message moves to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
  /** @default 1209600 (14 days, the maximum: time to inspect and redrive) */
  readonly deadLetterRetentionSeconds?: number;
  /** Long-polling wait. @default 20 */
  readonly receiveWaitTimeSeconds?: number;
  /** KMS key both queues are encrypted with. */
  readonly kmsKeyArn: string;
  /** Seconds SQS reuses a data key before asking KMS again (60 to 86400: fewer KMS requests, lower cost). @default 300 */
  readonly kmsDataKeyReusePeriodSeconds?: number;
  /** Extra tags for both queues. @default - none */
  readonly tags?: Record<string, string>;
}

const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;
const DEFAULT_MESSAGE_RETENTION_SECONDS = 4 * 24 * 3600;
const DEFAULT_MAX_RECEIVE_COUNT = 5;
const DEFAULT_DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;
const DEFAULT_RECEIVE_WAIT_TIME_SECONDS = 20;
const DEFAULT_KMS_DATA_KEY_REUSE_PERIOD_SECONDS = 300;

/**
 * An SQS queue with its dead-letter queue: SSE with the given KMS key on both, a redrive policy, a redrive-allow
 * policy so only this queue can use the DLQ, and queue policies that deny any request not made over TLS.
 */
export class SqsQueueWithDlq extends Construct {
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;

  constructor(scope: Construct, id: string, props: SqsQueueWithDlqProps) {
    super(scope, id);
    const visibilityTimeoutSeconds = props.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS;
    const messageRetentionSeconds = props.messageRetentionSeconds ?? DEFAULT_MESSAGE_RETENTION_SECONDS;
    const maxReceiveCount = props.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT;
    const deadLetterRetentionSeconds = props.deadLetterRetentionSeconds ?? DEFAULT_DEAD_LETTER_RETENTION_SECONDS;
    const receiveWaitTimeSeconds = props.receiveWaitTimeSeconds ?? DEFAULT_RECEIVE_WAIT_TIME_SECONDS;
    const deadLetterQueueName = props.deadLetterQueueName ?? `${props.name}-dlq`;
    const kmsDataKeyReusePeriodSeconds = props.kmsDataKeyReusePeriodSeconds ?? DEFAULT_KMS_DATA_KEY_REUSE_PERIOD_SECONDS;
    if (!Number.isInteger(kmsDataKeyReusePeriodSeconds) || kmsDataKeyReusePeriodSeconds < 60 || kmsDataKeyReusePeriodSeconds > 86400) {
      throw new Error(`SqsQueueWithDlq ${props.name}: kmsDataKeyReusePeriodSeconds ${kmsDataKeyReusePeriodSeconds} must be from 60 to 86400`);
    }
    const encryption = { kmsMasterKeyId: props.kmsKeyArn, kmsDataKeyReusePeriodSeconds };
    if (maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new Error(`SqsQueueWithDlq ${props.name}: maxReceiveCount ${maxReceiveCount} must be from 1 to 1000`);
    }
    if (deadLetterRetentionSeconds < messageRetentionSeconds) {
      throw new Error(
        `SqsQueueWithDlq ${props.name}: deadLetterRetentionSeconds (${deadLetterRetentionSeconds}) must be >= messageRetentionSeconds (${messageRetentionSeconds}), or messages expire in the DLQ before they can be redriven`,
      );
    }
    const suffix = props.fifo ? ".fifo" : "";
    const fifoSettings = props.fifo ? { fifoQueue: true, contentBasedDeduplication: true } : {};

    this.deadLetterQueue = new SqsQueue(this, "dlq", {
      name: `${deadLetterQueueName}${suffix}`,
      ...fifoSettings,
      messageRetentionSeconds: deadLetterRetentionSeconds,
      ...encryption,
      tags: props.tags,
    });
    this.queue = new SqsQueue(this, "Resource", {
      name: `${props.name}${suffix}`,
      ...fifoSettings,
      visibilityTimeoutSeconds,
      messageRetentionSeconds,
      receiveWaitTimeSeconds,
      ...encryption,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.deadLetterQueue.arn, maxReceiveCount }),
      tags: props.tags,
    });
    new SqsQueueRedriveAllowPolicy(this, "dlq-redrive-allow", {
      queueUrl: this.deadLetterQueue.url,
      redriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [this.queue.arn] }),
    });

    this.denyInsecureTransport("policy", this.queue);
    this.denyInsecureTransport("dlq-policy", this.deadLetterQueue);
  }

  private denyInsecureTransport(id: string, queue: SqsQueue): void {
    const document = new DataAwsIamPolicyDocument(this, `${id}-document`, {
      statement: [denyInsecureTransportStatement("sqs:*", [queue.arn])],
    });
    new SqsQueuePolicy(this, id, { queueUrl: queue.url, policy: document.json });
  }
}
