import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { Construct } from "constructs";

export interface DynamoDbKey {
  /** Partition key attribute (string). */
  readonly partitionKey: string;
  /** Sort key attribute (string). @default - no sort key */
  readonly sortKey?: string;
}

export interface DynamoDbGlobalIndex extends DynamoDbKey {
  readonly name: string;
}

export interface DynamoDbTableProps {
  readonly name: string;
  readonly key: DynamoDbKey;
  /** Global secondary indexes (string keys, all attributes projected). @default - none */
  readonly globalIndexes?: readonly DynamoDbGlobalIndex[];
  /** Attribute holding an epoch-seconds expiry. @default - no TTL */
  readonly ttlAttribute?: string;
  /** Refuse `DeleteTable` until turned off. @default true */
  readonly deletionProtection?: boolean;
  /** KMS key the table is encrypted with. */
  readonly kmsKeyArn: string;
  /** Point-in-time recovery (35 days of continuous backups). @default true */
  readonly pointInTimeRecovery?: boolean;
}

const DEFAULT_DELETION_PROTECTION = true;
const DEFAULT_POINT_IN_TIME_RECOVERY = true;

/**
 * An on-demand DynamoDB table encrypted with the given KMS key, point-in-time recovery and deletion
 * protection on unless turned off, string keys only.
 */
export class DynamoDbTable extends Construct {
  readonly table: DynamodbTable;

  constructor(scope: Construct, id: string, props: DynamoDbTableProps) {
    super(scope, id);
    const deletionProtection = props.deletionProtection ?? DEFAULT_DELETION_PROTECTION;
    const pointInTimeRecovery = props.pointInTimeRecovery ?? DEFAULT_POINT_IN_TIME_RECOVERY;
    const indexes = props.globalIndexes ?? [];
    const keyNames = [props.key, ...indexes].flatMap((key) => (key.sortKey ? [key.partitionKey, key.sortKey] : [key.partitionKey]));
    if (props.ttlAttribute && keyNames.includes(props.ttlAttribute)) {
      throw new Error(`DynamoDbTable ${props.name}: ttlAttribute "${props.ttlAttribute}" is a key attribute; TTL needs a number attribute`);
    }

    this.table = new DynamodbTable(this, "Resource", {
      name: props.name,
      billingMode: "PAY_PER_REQUEST",
      hashKey: props.key.partitionKey,
      rangeKey: props.key.sortKey,
      attribute: [...new Set(keyNames)].map((name) => ({ name, type: "S" })),
      globalSecondaryIndex: indexes.map((index) => ({
        name: index.name,
        hashKey: index.partitionKey,
        rangeKey: index.sortKey,
        projectionType: "ALL",
      })),
      ttl: props.ttlAttribute ? { enabled: true, attributeName: props.ttlAttribute } : undefined,
      serverSideEncryption: { enabled: true, kmsKeyArn: props.kmsKeyArn },
      pointInTimeRecovery: { enabled: pointInTimeRecovery },
      deletionProtectionEnabled: deletionProtection,
    });
  }
}
