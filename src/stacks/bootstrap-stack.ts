import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { resolve } from "path";
import { LocalBackend, TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { OperatorSettings } from "../config";
import { EnvironmentKey } from "../constructs/encryption/environment-key";
import { SecureBucket } from "../constructs/encryption/secure-bucket";
import { ReadableStack } from "./readable-stack";
import { projectTags } from "./sentry-stack";

const BOOTSTRAP_STACK_NAME = "sentry-bootstrap";
/** At the project root (git-ignored), not in cdktf.out/, which synth output may replace. */
const BOOTSTRAP_STATE_PATH = resolve(__dirname, "..", "..", "terraform.sentry-bootstrap.tfstate");

/** Days old state versions are kept: enough to roll back a bad apply found weeks later. */
const STATE_VERSION_RETENTION_DAYS = 90;
/** Days the state bucket's access logs are kept: a year of "who read the state", like the prod audit floor. */
const ACCESS_LOG_RETENTION_DAYS = 365;
/** Days a deleted or overwritten access log stays recoverable: an audit trail must survive a careless cleanup. */
const ACCESS_LOG_NONCURRENT_VERSION_DAYS = 30;
const STATE_KEY_ALIAS = "sentry-terraform-state";
/** Prefix of the state bucket's access logs in the log bucket (the only place S3 logging may write). */
const STATE_ACCESS_LOG_PREFIX = "state/";

/**
 * Applied once per AWS account, with local state: the S3 bucket every phase keeps its state in (SSE-KMS with
 * this stack's key, since the environments' keys come later), and a bucket for its server access logs: the
 * state holds secrets, and who read it matters. Its state file holds no secret; keep it (or re-import the
 * buckets and the key with `terraform import` if it is lost).
 */
export class BootstrapStack extends ReadableStack {
  constructor(scope: Construct, operator: OperatorSettings) {
    super(scope, BOOTSTRAP_STACK_NAME);
    new AwsProvider(this, "aws", {
      region: operator.region,
      defaultTags: [{ tags: projectTags("shared", "0-bootstrap") }],
    });
    new LocalBackend(this, { path: BOOTSTRAP_STATE_PATH });
    const accountId = new DataAwsCallerIdentity(this, "account").accountId;
    const partition = new DataAwsPartition(this, "partition").partition;
    const key = new EnvironmentKey(this, "state-key", {
      aliasName: STATE_KEY_ALIAS,
      description: "Terraform state of every Sentry environment",
      accountId,
      partition,
      region: operator.region,
      administratorRoleArns: [...new Set([...operator.adminRoleArns, ...operator.terraformRoleArns])],
      viaServices: ["s3"],
    });
    const keyArn = this.useEnvironmentKey(key.arn);
    const logBucketName = `${operator.stateBucket}-logs`;
    // S3 delivers server access logs only to a bucket with S3-managed keys (register: s3-access-log-bucket-sse-s3).
    const logs = new SecureBucket(this, "access-log-bucket", {
      bucketName: logBucketName,
      encryption: "SSE-S3",
      objectExpirationDays: ACCESS_LOG_RETENTION_DAYS,
      noncurrentVersionExpirationDays: ACCESS_LOG_NONCURRENT_VERSION_DAYS,
      policyStatements: (bucketArn) => [
        {
          sid: "S3ServerAccessLogsOfTheStateBucket",
          actions: ["s3:PutObject"],
          resources: [`${bucketArn}/${STATE_ACCESS_LOG_PREFIX}*`],
          principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
            { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${partition}:s3:::${operator.stateBucket}`] },
          ],
        },
      ],
    });
    const state = new SecureBucket(this, "state-bucket", {
      bucketName: operator.stateBucket,
      encryption: { kmsKeyArn: keyArn },
      noncurrentVersionExpirationDays: STATE_VERSION_RETENTION_DAYS,
      accessLogs: { target: logs, prefix: STATE_ACCESS_LOG_PREFIX },
    });
    new TerraformOutput(this, "state_bucket_name", { value: state.bucket.bucket, description: "Terraform state bucket" });
    new TerraformOutput(this, "state_bucket_arn", { value: state.bucket.arn, description: "Terraform state bucket ARN" });
    new TerraformOutput(this, "state_kms_key_arn", { value: key.arn, description: "KMS key of the state bucket" });
    new TerraformOutput(this, "access_log_bucket_name", { value: logs.bucket.bucket, description: "Server access logs of the state bucket" });
  }
}
