import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { denyInsecureTransportStatement } from "./policy-statements";

export interface SecureBucketProps {
  readonly bucketName: string;
  /** Days a version stays after it is overwritten or deleted. @default 90 */
  readonly noncurrentVersionExpirationDays?: number;
  /** Days after which current objects expire. @default - never */
  readonly objectExpirationDays?: number;
  /** Add `prevent_destroy`, so Terraform refuses to destroy the bucket. @default true */
  readonly preventDestroy?: boolean;
  /** Let Terraform delete the bucket with its objects and versions in it. @default false */
  readonly forceDestroy?: boolean;
  /**
   * Default encryption: `kms` (SSE-KMS, AWS-managed key, bucket key on) or `s3-managed` (SSE-S3), for writers
   * that cannot use KMS, such as load balancer access logs.
   * @default "kms"
   */
  readonly encryption?: "kms" | "s3-managed";
  /**
   * Statements added to the bucket policy after the TLS-only deny (e.g. a log delivery grant), given the bucket ARN.
   * @default - none
   */
  readonly policyStatements?: (bucketArn: string) => DataAwsIamPolicyDocumentStatement[];
}

const DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS = 90;
const DEFAULT_PREVENT_DESTROY = true;
const DEFAULT_FORCE_DESTROY = false;
const DEFAULT_ENCRYPTION = "kms";
const ABORT_INCOMPLETE_UPLOAD_DAYS = 7;

/**
 * A private S3 bucket: versioned, encrypted (KMS, AWS-managed key, bucket key on; or SSE-S3), public access blocked,
 * ACLs disabled, TLS required by policy, and lifecycle rules for old versions and incomplete uploads.
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
    const encryption = props.encryption ?? DEFAULT_ENCRYPTION;
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
        encryption === "kms"
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
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
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-noncurrent-versions",
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
