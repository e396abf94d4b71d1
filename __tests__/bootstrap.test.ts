import { Testing } from "cdktf";
import { join } from "path";
import { BootstrapStack } from "../src/stacks/bootstrap-stack";
import { dataOf, resource, testConfig } from "./support/synth";

const tf = JSON.parse(Testing.synth(new BootstrapStack(Testing.app(), testConfig("dev").operator)));

describe("bootstrap stack (state bucket)", () => {
  test("keeps its own state locally, at the project root: it creates the bucket every other stack stores state in", () => {
    expect(tf.terraform.backend).toEqual({ local: { path: join(__dirname, "..", "terraform.sentry-bootstrap.tfstate") } });
  });

  test("creates the configured bucket and refuses to destroy it", () => {
    expect(resource(tf, "aws_s3_bucket", "state_bucket")).toMatchObject({
      bucket: "sentry-test-state",
      lifecycle: { prevent_destroy: true },
    });
  });

  test("versions, encrypts and blocks public access", () => {
    expect(resource(tf, "aws_s3_bucket_versioning", "state_bucket_versioning").versioning_configuration).toEqual({ status: "Enabled" });
    expect(resource(tf, "aws_s3_bucket_server_side_encryption_configuration", "state_bucket_encryption").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: "${aws_kms_key.state_key.arn}" }, bucket_key_enabled: true },
    ]);
    expect(resource(tf, "aws_s3_bucket_public_access_block", "state_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  test("denies every request not made over TLS", () => {
    expect(dataOf(tf, "aws_iam_policy_document").state_bucket_tls_only.statement).toEqual([
      {
        sid: "DenyInsecureTransport",
        effect: "Deny",
        actions: ["s3:*"],
        resources: ["${aws_s3_bucket.state_bucket.arn}", "${aws_s3_bucket.state_bucket.arn}/*"],
        principals: [{ type: "*", identifiers: ["*"] }],
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      },
    ]);
  });

  test("expires old state versions after 90 days and aborts stale uploads", () => {
    const [rule] = resource(tf, "aws_s3_bucket_lifecycle_configuration", "state_bucket_lifecycle").rule;
    expect(rule).toMatchObject({
      status: "Enabled",
      noncurrent_version_expiration: [{ noncurrent_days: 90 }],
      abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
    });
    expect(rule.expiration).toBeUndefined();
  });

  test("is tagged as shared, not as one environment", () => {
    expect(tf.provider.aws[0].default_tags[0].tags).toEqual({ Project: "sentry", Environment: "shared", Phase: "0-bootstrap", ManagedBy: "cdktf" });
  });
});
