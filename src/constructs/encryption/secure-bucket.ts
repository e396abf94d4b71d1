import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { denyInsecureTransportStatement } from "./policy-statements";

/**
 * `{ kmsKeyArn }`: SSE-KMS with that key and a bucket key (fewer KMS requests). `"SSE-S3"`: S3-managed keys, for
 * what AWS delivers only there (server access logs, load balancer access logs).
 */
export type SecureBucketEncryption = { readonly kmsKeyArn: string } | "SSE-S3";

export interface SecureBucketProps {
  readonly bucketName: string;
  /** How objects are encrypted at rest. */
  readonly encryption: SecureBucketEncryption;
  /** Days a version stays after it is overwritten or deleted. @default 90 */
  readonly noncurrentVersionExpirationDays?: number;
  /** Days after which current objects expire. @default - never */
  readonly objectExpirationDays?: number;
  /** Add `prevent_destroy`, so Terraform refuses to destroy the bucket. @default true */
  readonly preventDestroy?: boolean;
  /** Let Terraform delete the bucket with its objects and versions in it. @default false */
  readonly forceDestroy?: boolean;
  /**
   * Server access logs of this bucket, to the `target` bucket under `prefix`, once the target's policy (which
   * must let `logging.s3.amazonaws.com` write there) is in place. @default - no access logging
   */
  readonly accessLogs?: { readonly target: SecureBucket; readonly prefix: string };
  /**
   * Statements the bucket policy holds besides the TLS-only deny (e.g. a log delivery grant), given the bucket ARN.
   * @default - none
   */
  readonly policyStatements?: (bucketArn: string) => DataAwsIamPolicyDocumentStatement[];
}

const DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS = 90;
const DEFAULT_PREVENT_DESTROY = true;
const DEFAULT_FORCE_DESTROY = false;
const ABORT_INCOMPLETE_UPLOAD_DAYS = 7;

/**
 * A private S3 bucket: versioned, encrypted (the given KMS key with a bucket key, or S3-managed keys where AWS
 * requires them), public access blocked, ACLs disabled, TLS required by policy, lifecycle rules for old versions
 * and incomplete uploads, and optionally server access logs.
 */
export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  /** The bucket policy: writers that need it in place (a log delivery) depend on it. */
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const noncurrentDays = props.noncurrentVersionExpirationDays ?? DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS;
    const preventDestroy = props.preventDestroy ?? DEFAULT_PREVENT_DESTROY;
    const forceDestroy = props.forceDestroy ?? DEFAULT_FORCE_DESTROY;
    if (noncurrentDays < 1) {
      throw new Error(`SecureBucket ${props.bucketName}: noncurrentVersionExpirationDays ${noncurrentDays} must be at least 1`);
    }

    this.bucket = new S3Bucket(this, "Resource", {
      bucket: props.bucketName,
      forceDestroy,
      lifecycle: { preventDestroy },
    });
    new S3BucketVersioningA(this, "versioning", {
      bucket: this.bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [
        props.encryption === "SSE-S3"
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.encryption.kmsKeyArn }, bucketKeyEnabled: true },
      ],
    });
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", {
      bucket: this.bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    const tlsOnly = new DataAwsIamPolicyDocument(this, "tls-only", {
      statement: [denyInsecureTransportStatement("s3:*", [this.bucket.arn, `${this.bucket.arn}/*`]), ...(props.policyStatements?.(this.bucket.arn) ?? [])],
    });
    this.policy = new S3BucketPolicy(this, "policy", {
      bucket: this.bucket.id,
      policy: tlsOnly.json,
      dependsOn: [publicAccessBlock],
    });
    if (props.accessLogs) {
      new S3BucketLoggingA(this, "logging", {
        bucket: this.bucket.id,
        targetBucket: props.accessLogs.target.bucket.id,
        targetPrefix: props.accessLogs.prefix,
        dependsOn: [props.accessLogs.target.policy],
      });
    }
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: props.objectExpirationDays ? "expire-objects-and-old-versions" : "expire-old-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS }],
          ...(props.objectExpirationDays ? { expiration: [{ days: props.objectExpirationDays }] } : {}),
        },
      ],
    });
  }
}
