import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { resolve } from "path";
import { LocalBackend, TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { OperatorSettings } from "../config";
import { SecureBucket } from "../constructs/secure-bucket";
import { ReadableStack } from "./readable-stack";
import { projectTags } from "./sentry-stack";

const BOOTSTRAP_STACK_NAME = "sentry-bootstrap";
/** At the project root (git-ignored), not in cdktf.out/, which synth output may replace. */
const BOOTSTRAP_STATE_PATH = resolve(__dirname, "..", "..", "terraform.sentry-bootstrap.tfstate");

/** Days old state versions are kept: enough to roll back a bad apply found weeks later. */
const STATE_VERSION_RETENTION_DAYS = 90;

/**
 * Applied once per AWS account, with local state: the S3 bucket every phase keeps its state in.
 * Its state file holds no secret; keep it (or re-import the bucket with `terraform import` if it is lost).
 */
export class BootstrapStack extends ReadableStack {
  constructor(scope: Construct, operator: OperatorSettings) {
    super(scope, BOOTSTRAP_STACK_NAME);
    new AwsProvider(this, "aws", {
      region: operator.region,
      defaultTags: [{ tags: projectTags("shared", "0-bootstrap") }],
    });
    new LocalBackend(this, { path: BOOTSTRAP_STATE_PATH });
    const state = new SecureBucket(this, "state-bucket", {
      bucketName: operator.stateBucket,
      noncurrentVersionExpirationDays: STATE_VERSION_RETENTION_DAYS,
    });
    new TerraformOutput(this, "state_bucket_name", { value: state.bucket.bucket, description: "Terraform state bucket" });
    new TerraformOutput(this, "state_bucket_arn", { value: state.bucket.arn, description: "Terraform state bucket ARN" });
  }
}
