import { Construct } from "constructs";
import { SecureBucket } from "./secure-bucket";

/** A bucket whose S3 server access logs go to the log bucket, under its own prefix. */
export interface ServerAccessLogSource {
  /** Name of the logged bucket (its ARN is the log delivery's `aws:SourceArn`). */
  readonly bucketName: string;
  /** Prefix of its logs in the log bucket, e.g. `artifacts/oms/`. */
  readonly prefix: string;
}

export interface ServerAccessLogBucketProps {
  readonly bucketName: string;
  /** Account of the logged buckets (the log delivery's `aws:SourceAccount`). */
  readonly accountId: string;
  /** AWS partition, for the logged buckets' ARNs. */
  readonly partition: string;
  /** The buckets that log here. */
  readonly sources: readonly ServerAccessLogSource[];
  /** Days log objects are kept. */
  readonly retentionDays: number;
  /** Days a deleted or overwritten log stays recoverable. @default 30 */
  readonly noncurrentVersionExpirationDays?: number;
  /** Refuse destroying the bucket with its logs (`prevent_destroy`; otherwise Terraform may empty it). @default true */
  readonly protect?: boolean;
}

const DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS = 30;
const DEFAULT_PROTECT = true;
/** A prefix S3 logging writes under: path segments ending in `/`, no leading `/`. */
const LOG_PREFIX = /^[a-z0-9-]+(\/[a-z0-9-]+)*\/$/;

/**
 * The bucket S3 server access logs of other buckets go to: a `SecureBucket` with S3-managed keys (S3 delivers
 * access logs only there), whose policy lets `logging.s3.amazonaws.com` write each source's prefix, for that
 * source bucket and account only. A source's `SecureBucket` names it in `accessLogs`.
 */
export class ServerAccessLogBucket extends Construct {
  readonly logs: SecureBucket;

  constructor(scope: Construct, id: string, props: ServerAccessLogBucketProps) {
    super(scope, id);
    const protect = props.protect ?? DEFAULT_PROTECT;
    if (props.sources.length === 0) throw new Error(`ServerAccessLogBucket ${props.bucketName}: sources is empty; name the buckets that log here`);
    const badPrefix = props.sources.find((source) => !LOG_PREFIX.test(source.prefix));
    if (badPrefix !== undefined) {
      throw new Error(`ServerAccessLogBucket ${props.bucketName}: prefix "${badPrefix.prefix}" of ${badPrefix.bucketName} must be lowercase path segments ending in "/"`);
    }
    this.logs = new SecureBucket(this, "Resource", {
      bucketName: props.bucketName,
      encryption: "SSE-S3",
      objectExpirationDays: props.retentionDays,
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays ?? DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS,
      preventDestroy: protect,
      forceDestroy: !protect,
      policyStatements: (bucketArn) =>
        props.sources.map((source, index) => ({
          sid: `S3ServerAccessLogs${index}`,
          actions: ["s3:PutObject"],
          resources: [`${bucketArn}/${source.prefix}*`],
          principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [props.accountId] },
            { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${props.partition}:s3:::${source.bucketName}`] },
          ],
        })),
    });
  }
}
