import { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KEY_DECRYPT_ACTIONS, KEY_USE_ACTIONS } from "../encryption/policy-statements";

/**
 * What an application may do with queues and tables, as IAM statements for its task role: exactly the actions of
 * each use, on exactly the resources named. An empty use gives no statement.
 */
export interface ApplicationGrants {
  /** Queues the application receives from and deletes. */
  readonly consumeQueueArns: readonly string[];
  /** Queues it sends to. */
  readonly produceQueueArns: readonly string[];
  /** Tables (and their index ARNs, `<table arn>/index/<name>`) it reads. */
  readonly readTableArns: readonly string[];
  /** Tables it writes. */
  readonly writeTableArns: readonly string[];
  /**
   * KMS key the queues and tables are encrypted with: readers get `kms:Decrypt`, writers `kms:GenerateDataKey` too
   * (SQS and DynamoDB call KMS with the caller's permissions).
   * @default - AWS-managed encryption: no key permissions
   */
  readonly kmsKeyArn?: string;
}

/** The actions each use allows: the grants table of docs/traffic.md is this list. */
export const GRANT_ACTIONS = {
  consume: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
  produce: ["sqs:SendMessage", "sqs:GetQueueAttributes"],
  read: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"],
  write: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"],
  decryptWithKey: KEY_DECRYPT_ACTIONS,
  encryptWithKey: KEY_USE_ACTIONS,
} as const;

export function applicationGrantStatements(grants: ApplicationGrants): DataAwsIamPolicyDocumentStatement[] {
  const uses: [string, readonly string[], readonly string[]][] = [
    ["ConsumeQueues", GRANT_ACTIONS.consume, grants.consumeQueueArns],
    ["ProduceToQueues", GRANT_ACTIONS.produce, grants.produceQueueArns],
    ["ReadTables", GRANT_ACTIONS.read, grants.readTableArns],
    ["WriteTables", GRANT_ACTIONS.write, grants.writeTableArns],
  ];
  const writes = grants.produceQueueArns.length + grants.writeTableArns.length > 0;
  const reads = grants.consumeQueueArns.length + grants.readTableArns.length > 0;
  if (grants.kmsKeyArn !== undefined && (reads || writes)) {
    uses.push(["UseEnvironmentKey", writes ? GRANT_ACTIONS.encryptWithKey : GRANT_ACTIONS.decryptWithKey, [grants.kmsKeyArn]]);
  }
  return uses
    .filter(([, , resources]) => resources.length > 0)
    .map(([sid, actions, resources]) => ({ sid, actions: [...actions], resources: [...resources] }));
}
