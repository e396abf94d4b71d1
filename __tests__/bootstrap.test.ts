import { Testing } from "cdktf";
import { join } from "path";
import { BootstrapStack } from "../src/stacks/bootstrap-stack";
import { dataOf, policyStatements, resource, testConfig } from "./support/synth";

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

describe("bootstrap stack (state key)", () => {
  const ACCOUNT = "${data.aws_caller_identity.account.account_id}";
  const ROOT = `arn:\${data.aws_partition.partition.partition}:iam::${ACCOUNT}:root`;
  const OPERATORS = ["arn:aws:iam::123456789012:role/sentry-operator", "arn:aws:iam::123456789012:role/sentry-deployer"];

  test("rotates, keeps 30 days to recover a deletion, and is alias/sentry-terraform-state", () => {
    expect(resource(tf, "aws_kms_key", "state_key")).toMatchObject({
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      policy: "${data.aws_iam_policy_document.state_key_policy.json}",
    });
    expect(resource(tf, "aws_kms_alias", "state_key_alias")).toEqual(expect.objectContaining({ name: "alias/sentry-terraform-state", target_key_id: "${aws_kms_key.state_key.key_id}" }));
    expect(tf.output.state_kms_key_arn.value).toBe("${aws_kms_key.state_key.arn}");
  });

  test("the account and the operators administer it and use it only through S3; nothing creates grants on it", () => {
    const statements = policyStatements(tf, "state_key_policy");
    expect(statements.map((statement) => statement.sid)).toEqual(["AdministerKey", "UseThroughAwsServices"]);
    expect(statements[0].principals).toEqual([{ type: "AWS", identifiers: [ROOT, ...OPERATORS] }]);
    expect(statements[0].actions).not.toContain("kms:CreateGrant");
    expect(statements[1]).toMatchObject({
      actions: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
      condition: [
        { test: "StringEquals", variable: "kms:CallerAccount", values: [ACCOUNT] },
        { test: "StringEquals", variable: "kms:ViaService", values: ["s3.us-east-1.amazonaws.com"] },
      ],
    });
  });
});

describe("bootstrap stack (access-log bucket)", () => {
  test("is <state bucket>-logs, SSE-S3 (the only encryption S3 server access logging delivers to), private and versioned", () => {
    expect(resource(tf, "aws_s3_bucket", "access_log_bucket")).toMatchObject({ bucket: "sentry-test-state-logs", lifecycle: { prevent_destroy: true } });
    expect(resource(tf, "aws_s3_bucket_server_side_encryption_configuration", "access_log_bucket_encryption").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
    expect(resource(tf, "aws_s3_bucket_public_access_block", "access_log_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(resource(tf, "aws_s3_bucket_versioning", "access_log_bucket_versioning").versioning_configuration).toEqual({ status: "Enabled" });
  });

  test("admits only S3 logging of the state bucket, for this account, under state/, besides the TLS-only deny", () => {
    const [tlsOnly, logging] = dataOf(tf, "aws_iam_policy_document").access_log_bucket_tls_only.statement;
    expect(tlsOnly).toMatchObject({ sid: "DenyInsecureTransport", effect: "Deny" });
    expect(logging).toEqual({
      sid: "S3ServerAccessLogsOfTheStateBucket",
      actions: ["s3:PutObject"],
      resources: ["${aws_s3_bucket.access_log_bucket.arn}/state/*"],
      principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
      condition: [
        { test: "StringEquals", variable: "aws:SourceAccount", values: ["${data.aws_caller_identity.account.account_id}"] },
        { test: "ArnLike", variable: "aws:SourceArn", values: ["arn:${data.aws_partition.partition.partition}:s3:::sentry-test-state"] },
      ],
    });
  });

  test("keeps logs a year and deleted or overwritten logs 30 days (an audit trail survives a careless cleanup)", () => {
    const [rule] = resource(tf, "aws_s3_bucket_lifecycle_configuration", "access_log_bucket_lifecycle").rule;
    expect(rule).toMatchObject({ status: "Enabled", expiration: [{ days: 365 }], noncurrent_version_expiration: [{ noncurrent_days: 30 }] });
  });

  test("the state bucket logs there under state/, once the log bucket's policy admits S3 logging", () => {
    expect(resource(tf, "aws_s3_bucket_logging", "state_bucket_logging")).toMatchObject({
      bucket: "${aws_s3_bucket.state_bucket.id}",
      target_bucket: "${aws_s3_bucket.access_log_bucket.id}",
      target_prefix: "state/",
      depends_on: ["aws_s3_bucket_policy.access_log_bucket_policy"],
    });
    expect(resource(tf, "aws_s3_bucket_policy", "access_log_bucket_policy").policy).toBe("${data.aws_iam_policy_document.access_log_bucket_tls_only.json}");
    expect(tf.output.access_log_bucket_name.value).toBe("${aws_s3_bucket.access_log_bucket.bucket}");
  });
});
