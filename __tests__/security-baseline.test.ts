import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatementCondition } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Wafv2WebAcl, Wafv2WebAclRule } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import { App, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { BaselineViolation, evaluateStack, Exemption } from "../src/security/baseline";
import { ENVIRONMENT_NAMES } from "../src/config";
import { SecureBucket } from "../src/constructs/encryption/secure-bucket";
import { anonymousSourcesBlockedOnAdminOnly, EXCEPTIONS, ingressToInternetFacingLoadBalancer, SecurityException } from "../src/security/exceptions";
import { stackView } from "../src/security/model";
import { renderSecurityMarkdown } from "../src/security/register-markdown";
import { isInternetSource, RULES } from "../src/security/rules";
import { ReadableStack } from "../src/stacks/readable-stack";
import { BootstrapStack } from "../src/stacks/bootstrap-stack";
import { buildTestApp, testConfig, TEST_OPERATOR_VARIABLES } from "./support/synth";

/** A stack with an environment key, in `environment` (its audit floor applies). */
class ProbeStack extends ReadableStack {
  readonly key: KmsKey;
  constructor(scope: Construct, private readonly environment: string | undefined, add: (stack: ProbeStack) => void) {
    super(scope, "probe");
    new AwsProvider(this, "aws", { region: "us-east-1" });
    this.key = new KmsKey(this, "key", {});
    this.useEnvironmentKey(this.key.arn);
    add(this);
  }

  get auditedEnvironment(): string | undefined {
    return this.environment;
  }
}

const synth = (add: (stack: ProbeStack) => void, environment?: string) => () => Testing.synth(new ProbeStack(Testing.app(), environment, add));
/** What `rule` says about the resources `add` creates, without the register. */
const messagesOf = (rule: string, add: (stack: ProbeStack) => void, environment?: string) =>
  evaluateStack(new ProbeStack(Testing.app(), environment, add), RULES, [])
    .violations.filter((violation) => violation.rule === rule)
    .map((violation) => `${violation.address} ${violation.message}`);

const visibility = { cloudwatchMetricsEnabled: true, metricName: "m", sampledRequestsEnabled: true };
const hostIs = (host: string, positionalConstraint = "STARTS_WITH", transformation = "LOWERCASE") => ({
  byte_match_statement: {
    search_string: host,
    positional_constraint: positionalConstraint,
    field_to_match: { single_header: { name: "host" } },
    text_transformation: [{ priority: 0, type: transformation }],
  },
});
/** A web ACL whose rules are `rules`. */
const webAcl = (stack: ProbeStack, rules: Wafv2WebAclRule[] = []) =>
  new Wafv2WebAcl(stack, "acl", { name: "acl", scope: "REGIONAL", defaultAction: { allow: {} }, visibilityConfig: visibility, rule: rules });
const anonymousRule = (scopeDown?: object, overrideAction: object = { none: {} }, ruleActionOverride?: object[]): Wafv2WebAclRule => ({
  name: "anonymous",
  priority: 1,
  overrideAction,
  statement: {
    managed_rule_group_statement: {
      name: "AWSManagedRulesAnonymousIpList",
      vendor_name: "AWS",
      ...(scopeDown ? { scope_down_statement: scopeDown } : {}),
      ...(ruleActionOverride ? { rule_action_override: ruleActionOverride } : {}),
    },
  },
  visibilityConfig: visibility,
});
const ruleMessage = (rule: string, path: string) => new RegExp(`Security baseline \\[${rule}\\]: probe/${path} \\(`);

describe("security baseline rules", () => {
  test("pass compliant resources", () => {
    expect(
      synth((stack) => {
        new SqsQueue(stack, "queue", { kmsMasterKeyId: stack.key.arn });
        new CloudwatchLogGroup(stack, "logs", { retentionInDays: 30, kmsKeyId: stack.key.arn });
        new VpcSecurityGroupIngressRule(stack, "rule", { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "10.0.0.0/8" });
        new DataAwsIamPolicyDocument(stack, "login", { statement: [{ actions: ["ecr:GetAuthorizationToken"], resources: ["*"] }] });
      }),
    ).not.toThrow();
  });

  test("every way a stack is written runs the check: the app's synth (cdktf synth, sentry-ops), Testing.synth, HCL output", () => {
    const violating = (app: App) => new ProbeStack(app, undefined, (stack) => new SqsQueue(stack, "plain-queue", { sqsManagedSseEnabled: true }));
    const outdir = mkdtempSync(join(tmpdir(), "sentry-baseline-"));
    try {
      const app = new App({ outdir, skipValidation: true });
      violating(app);
      expect(() => app.synth()).toThrow(ruleMessage("environment-key", "plain-queue"));
      expect(() => Testing.synthHcl(violating(Testing.app()))).toThrow(ruleMessage("environment-key", "plain-queue"));
      expect(() => Testing.synth(violating(Testing.app()))).toThrow(ruleMessage("environment-key", "plain-queue"));
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  test("environment-key: an SQS-managed, unencrypted or foreign-key resource fails", () => {
    expect(synth((stack) => new SqsQueue(stack, "plain-queue", { sqsManagedSseEnabled: true }))).toThrow(ruleMessage("environment-key", "plain-queue"));
    expect(synth((stack) => new SecretsmanagerSecret(stack, "secret", { name: "s" }))).toThrow(/\[environment-key\]: probe\/secret \(aws_secretsmanager_secret.secret\) is encrypted with the AWS-managed aws\/secretsmanager key, not the environment key/);
    expect(synth((stack) => new DynamodbTable(stack, "table", { name: "t", hashKey: "pk", attribute: [{ name: "pk", type: "S" }] }))).toThrow(
      /\[environment-key\]: probe\/table \(aws_dynamodb_table.table\) is not encrypted/,
    );
    expect(
      synth((stack) => new EcrRepository(stack, "repo", { name: "r", encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: "arn:aws:kms:us-east-1:1:key/other" }] })),
    ).toThrow(/is encrypted with "arn:aws:kms:us-east-1:1:key\/other", not the environment key \$\{aws_kms_key.key.arn\}/);
  });

  test("environment-key: a bucket without an encryption configuration, with SSE-S3 or with aws/s3 fails; with the key it passes", () => {
    expect(synth((stack) => new S3Bucket(stack, "bare", { bucket: "b" }))).toThrow(
      /\[environment-key\]: probe\/bare \(aws_s3_bucket.bare\) is encrypted with S3's default SSE-S3 \(no server-side encryption configuration\)/,
    );
    const configured = (sse: object) => (stack: ProbeStack) => {
      const bucket = new S3Bucket(stack, "configured", { bucket: "b" });
      new S3BucketServerSideEncryptionConfigurationA(stack, "sse", { bucket: bucket.id, rule: [{ applyServerSideEncryptionByDefault: sse as { sseAlgorithm: string } }] });
    };
    expect(synth(configured({ sseAlgorithm: "AES256" }))).toThrow(/\[environment-key\]: probe\/configured .* is encrypted with S3-managed keys \(SSE-S3\)/);
    expect(synth(configured({ sseAlgorithm: "aws:kms" }))).toThrow(/\[environment-key\]: probe\/configured .* is encrypted with the AWS-managed aws\/s3 key/);
    const report = evaluateStack(new ProbeStack(Testing.app(), undefined, (stack) => configured({ sseAlgorithm: "aws:kms", kmsMasterKeyId: stack.key.arn })(stack)));
    expect(report.violations.filter((v) => v.rule === "environment-key")).toEqual([]);
  });

  test("environment-key: a launch template's EBS volume unencrypted or with aws/ebs fails; with the key it passes", () => {
    const template = (ebs: (stack: ProbeStack) => object) => (stack: ProbeStack) =>
      new LaunchTemplate(stack, "template", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: ebs(stack) }] });
    expect(synth(template(() => ({ volumeSize: 30 })))).toThrow(/\[environment-key\]: probe\/template \(aws_launch_template.template\) has EBS volume \/dev\/xvda not encrypted/);
    expect(synth(template(() => ({ encrypted: "true" })))).toThrow(/\[environment-key\]: probe\/template .* is encrypted with the AWS-managed aws\/ebs key \(EBS volume \/dev\/xvda\)/);
    expect(synth(template((stack) => ({ encrypted: "true", kmsKeyId: stack.key.arn })))).not.toThrow();
  });

  test("environment-key: Redis without transit encryption fails", () => {
    expect(
      synth((stack) => new ElasticacheReplicationGroup(stack, "cache", { replicationGroupId: "c", description: "c", atRestEncryptionEnabled: "true", kmsKeyId: stack.key.arn })),
    ).toThrow(/\[environment-key\]: probe\/cache \(aws_elasticache_replication_group.cache\) is not encrypted/);
  });

  test("log-retention: forever fails everywhere, under 365 days fails in prod", () => {
    expect(synth((stack) => new CloudwatchLogGroup(stack, "forever", { kmsKeyId: stack.key.arn }))).toThrow(/\[log-retention\]: probe\/forever .* keeps logs forever/);
    const ninetyDays = (stack: ProbeStack) => new CloudwatchLogGroup(stack, "short", { retentionInDays: 90, kmsKeyId: stack.key.arn });
    expect(synth(ninetyDays, "staging")).not.toThrow();
    expect(synth(ninetyDays, "prod")).toThrow(/\[log-retention\]: probe\/short .* keeps logs 90 days, under the prod audit floor of 365/);
  });

  test('iam-resource-wildcard: "*" fails for actions with resource-level permissions, not in resource policies', () => {
    const document = (statement: object) => (stack: ProbeStack) => new DataAwsIamPolicyDocument(stack, "doc", { statement: [statement] });
    expect(synth(document({ sid: "ReadAll", actions: ["s3:GetObject", "ecr:GetAuthorizationToken"], resources: ["*"] }))).toThrow(
      /\[iam-resource-wildcard\]: probe\/doc \(data.aws_iam_policy_document.doc\) statement ReadAll grants s3:GetObject on "\*"/,
    );
    expect(synth(document({ actions: ["kms:*"], resources: ["*"], principals: [{ type: "AWS", identifiers: ["arn:aws:iam::1:root"] }] }))).not.toThrow();
  });

  test('iam-resource-wildcard: ecs:ListTasks may take "*" only with its ecs:cluster condition', () => {
    const listTasks = (condition: DataAwsIamPolicyDocumentStatementCondition[]) => (stack: ProbeStack) =>
      new DataAwsIamPolicyDocument(stack, "doc", { statement: [{ sid: "List", actions: ["ecs:ListTasks"], resources: ["*"], condition }] });
    expect(synth(listTasks([]))).toThrow(/\[iam-resource-wildcard\]: probe\/doc .* statement List grants ecs:ListTasks on "\*"/);
    expect(synth(listTasks([{ test: "ArnEquals", variable: "ecs:cluster", values: ["arn:aws:ecs:us-east-1:1:cluster/c"] }]))).not.toThrow();
  });

  test("iam-resource-wildcard: an Allow with not_actions or not_resources fails, wherever it is; a Deny may use them", () => {
    const document = (statement: object) => (stack: ProbeStack) => new DataAwsIamPolicyDocument(stack, "doc", { statement: [statement] });
    expect(synth(document({ sid: "AllButIam", notActions: ["iam:*"], resources: ["arn:aws:s3:::b/*"] }))).toThrow(
      /\[iam-resource-wildcard\]: probe\/doc \(data.aws_iam_policy_document.doc\) statement AllButIam allows with not_actions \(everything but a list\)/,
    );
    expect(
      synth(document({ sid: "AllButOne", actions: ["s3:GetObject"], notResources: ["arn:aws:s3:::b/*"], principals: [{ type: "AWS", identifiers: ["arn:aws:iam::1:root"] }] })),
    ).toThrow(/statement AllButOne allows with not_resources/);
    expect(synth(document({ effect: "Deny", notActions: ["s3:GetObject"], resources: ["*"], principals: [{ type: "*", identifiers: ["*"] }] }))).not.toThrow();
  });

  test("iam-policy-document: hand-written JSON in a role, role policy, managed or resource policy fails", () => {
    const json = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] });
    expect(synth((stack) => new IamRolePolicy(stack, "inline", { role: "r", policy: json }))).toThrow(
      /\[iam-policy-document\]: probe\/inline \(aws_iam_role_policy.inline\) takes a policy that is not a data.aws_iam_policy_document of its stack/,
    );
    expect(synth((stack) => new IamPolicy(stack, "managed", { policy: json }))).toThrow(/\[iam-policy-document\]: probe\/managed /);
    expect(synth((stack) => new IamRole(stack, "role", { assumeRolePolicy: json }))).toThrow(/\[iam-policy-document\]: probe\/role /);
    expect(synth((stack) => new S3BucketPolicy(stack, "bucket-policy", { bucket: "b", policy: json }))).toThrow(/\[iam-policy-document\]: probe\/bucket-policy /);
    expect(
      synth((stack) => {
        const trust = new DataAwsIamPolicyDocument(stack, "trust", { statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: ["arn:aws:iam::1:root"] }] }] });
        const permissions = new DataAwsIamPolicyDocument(stack, "permissions", { statement: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }] });
        const role = new IamRole(stack, "role", { assumeRolePolicy: trust.json });
        new IamRolePolicy(stack, "inline", { role: role.id, policy: permissions.json });
      }),
    ).not.toThrow();
  });

  test("no-aws-managed-policies: attaching a policy AWS writes fails; the register covers only the instance roles' two", () => {
    const attach = (id: string, policy: string) => (stack: ProbeStack) => new IamRolePolicyAttachment(stack, id, { role: "r", policyArn: `arn:aws:iam::aws:policy/${policy}` });
    expect(synth(attach("admin", "AdministratorAccess"))).toThrow(
      /\[no-aws-managed-policies\]: probe\/admin \(aws_iam_role_policy_attachment.admin\) attaches the AWS-managed policy AdministratorAccess/,
    );
    expect(synth((stack) => new IamRolePolicyAttachment(stack, "own", { role: "r", policyArn: "arn:aws:iam::123456789012:policy/sentry-own" }))).not.toThrow();
    expect(synth(attach("oms-instance-role-ecs", "service-role/AmazonEC2ContainerServiceforEC2Role"))).not.toThrow();
    expect(synth(attach("oms-instance-role-ssm", "AmazonSSMManagedInstanceCore"))).not.toThrow();
    expect(synth(attach("oms-instance-role-ecs", "AdministratorAccess"))).toThrow(/\[no-aws-managed-policies\]: probe\/oms-instance-role-ecs /);
    expect(synth(attach("oms-build-role-ssm", "AmazonSSMManagedInstanceCore"))).toThrow(/\[no-aws-managed-policies\]: probe\/oms-build-role-ssm /);
  });

  test("trust-confused-deputy: a service trust without aws:SourceArn fails", () => {
    const trust = {
      actions: ["sts:AssumeRole"],
      principals: [{ type: "Service", identifiers: ["codebuild.amazonaws.com"] }],
      condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: ["1"] }],
    };
    expect(synth((stack) => new DataAwsIamPolicyDocument(stack, "trust", { statement: [trust] }))).toThrow(
      /\[trust-confused-deputy\]: probe\/trust .* trusts codebuild.amazonaws.com without aws:SourceArn/,
    );
  });

  describe("trust-confused-deputy: the conditions must hold, for every sts: action", () => {
    const ACCOUNT = { test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] };
    const SOURCE_ARN = { test: "ArnLike", variable: "aws:SourceArn", values: ["arn:aws:codebuild:us-east-1:123456789012:project/p"] };
    const trust = (actions: string[], condition: DataAwsIamPolicyDocumentStatementCondition[]) => (stack: ProbeStack) =>
      new DataAwsIamPolicyDocument(stack, "trust", { statement: [{ sid: "Trust", actions, principals: [{ type: "Service", identifiers: ["codebuild.amazonaws.com"] }], condition }] });

    test("StringEquals aws:SourceAccount and ArnLike aws:SourceArn pass", () => {
      expect(synth(trust(["sts:AssumeRole"], [ACCOUNT, SOURCE_ARN]))).not.toThrow();
      expect(synth(trust(["sts:AssumeRole"], [ACCOUNT, { ...SOURCE_ARN, test: "ArnEquals" }]))).not.toThrow();
    });

    test.each([
      ["...IfExists on aws:SourceAccount", [{ ...ACCOUNT, test: "StringEqualsIfExists" }, SOURCE_ARN], "aws:SourceAccount"],
      ["StringLike on aws:SourceAccount", [{ ...ACCOUNT, test: "StringLike" }, SOURCE_ARN], "aws:SourceAccount"],
      ["a wildcard account", [{ ...ACCOUNT, values: ["*"] }, SOURCE_ARN], "aws:SourceAccount"],
      ['a bare "*" source ARN', [ACCOUNT, { ...SOURCE_ARN, values: ["*"] }], "aws:SourceArn"],
      ["StringLike on aws:SourceArn", [ACCOUNT, { ...SOURCE_ARN, test: "StringLike" }], "aws:SourceArn"],
      ["ArnLikeIfExists on aws:SourceArn", [ACCOUNT, { ...SOURCE_ARN, test: "ArnLikeIfExists" }], "aws:SourceArn"],
    ])("%s fails", (_, condition, missing) => {
      expect(synth(trust(["sts:AssumeRole"], condition))).toThrow(new RegExp(`\\[trust-confused-deputy\\]: probe/trust .* statement Trust trusts codebuild.amazonaws.com without ${missing} `));
    });

    test.each([["sts:*"], ["sts:AssumeRole*"], ["sts:TagSession"], ["STS:AssumeRole"]])("%s is a trust too", (action) => {
      expect(synth(trust([action], []))).toThrow(/\[trust-confused-deputy\]: probe\/trust .* without aws:SourceAccount .* and aws:SourceArn/);
    });

    test("the EC2 instance-trust exception covers only statements whose sole principal is ec2.amazonaws.com", () => {
      const ec2 = { actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] };
      const instanceTrust = (statements: object[]) => (stack: ProbeStack) => new DataAwsIamPolicyDocument(stack, "oms-instance-trust", { statement: statements });
      expect(synth(instanceTrust([ec2]))).not.toThrow();
      expect(synth(instanceTrust([ec2, { actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["codebuild.amazonaws.com"] }] }]))).toThrow(
        /\[trust-confused-deputy\]: probe\/oms-instance-trust .* trusts codebuild.amazonaws.com/,
      );
      expect(synth(instanceTrust([{ ...ec2, principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com", "lambda.amazonaws.com"] }] }]))).toThrow(/trust-confused-deputy/);
    });
  });

  test("no-ingress-from-internet: any public range, not only 0.0.0.0/0; private ranges and references pass", () => {
    const rule = (cidrIpv4: string) => (stack: ProbeStack) =>
      new VpcSecurityGroupIngressRule(stack, "rule", { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4 });
    expect(synth(rule("203.0.113.0/24"))).toThrow(/\[no-ingress-from-internet\]: probe\/rule .* admits ingress from the internet \(203.0.113.0\/24\)/);
    expect(synth(rule("172.32.0.0/16"))).toThrow(/no-ingress-from-internet/);
    expect(synth(rule("172.16.5.0/24"))).not.toThrow();
    expect(synth(rule("10.0.0.0/8"))).not.toThrow();
    expect(isInternetSource("${data.terraform_remote_state.foundation_outputs.outputs.vpc_cidr_block}")).toBe(false);
    expect(isInternetSource("fd00:1::/64")).toBe(false);
    expect(isInternetSource("2001:db8::/32")).toBe(true);
  });

  test("no-ingress-from-internet: as a rule or inline", () => {
    expect(synth((stack) => new VpcSecurityGroupIngressRule(stack, "open", { securityGroupId: "sg-1", ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" }))).toThrow(
      /\[no-ingress-from-internet\]: probe\/open .* admits ingress from the internet/,
    );
    expect(synth((stack) => new SecurityGroup(stack, "open-group", { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["::/0"] }] }))).toThrow(
      /\[no-ingress-from-internet\]: probe\/open-group .* admits ingress from the internet/,
    );
    expect(synth((stack) => new DefaultSecurityGroup(stack, "default-group", { vpcId: "vpc-1", ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] }))).toThrow(
      /\[no-ingress-from-internet\]: probe\/default-group \(aws_default_security_group.default_group\) admits ingress from the internet \(0.0.0.0\/0\)/,
    );
  });

  test("s3-private, s3-versioned, s3-tls-only: a bare bucket fails all three; a SecureBucket passes them", () => {
    const bare = synth((stack) => new S3Bucket(stack, "bare", { bucket: "b" }));
    expect(bare).toThrow(/\[s3-private\]: probe\/bare .* has no public access block/);
    expect(bare).toThrow(/\[s3-versioned\]: probe\/bare .* is not versioned/);
    expect(bare).toThrow(/\[s3-tls-only\]: probe\/bare .* has no bucket policy denying requests without TLS/);
    const report = evaluateStack(new ProbeStack(Testing.app(), undefined, (stack) => new SecureBucket(stack, "secure", { bucketName: "s", encryption: { kmsKeyArn: stack.key.arn } })));
    expect(report.violations.filter((v) => ["s3-private", "s3-versioned", "s3-tls-only"].includes(v.rule))).toEqual([]);
  });

  test.each([
    ["codebuild-unprivileged", "runs builds in privileged mode", (stack: ProbeStack) => new CodebuildProject(stack, "r", {
      name: "b", serviceRole: "r", encryptionKey: stack.key.arn, artifacts: { type: "NO_ARTIFACTS" }, source: { type: "NO_SOURCE" },
      environment: { type: "ARM_CONTAINER", image: "i", computeType: "BUILD_GENERAL1_SMALL", privilegedMode: true },
    })],
    ["ecr-immutable-tags", "lets tags move", (stack: ProbeStack) => new EcrRepository(stack, "r", { name: "r", imageTagMutability: "MUTABLE", encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: stack.key.arn }] })],
    ["secret-rotation", "has no automatic rotation", (stack: ProbeStack) => new SecretsmanagerSecret(stack, "r", { name: "s", kmsKeyId: stack.key.arn })],
    ["cross-region-replication", "is not replicated", (stack: ProbeStack) => new DynamodbTable(stack, "r", { name: "t", hashKey: "pk", attribute: [{ name: "pk", type: "S" }], serverSideEncryption: { enabled: true, kmsKeyArn: stack.key.arn } })],
    ["s3-event-notifications", "sends no event notifications", (stack: ProbeStack) => new S3Bucket(stack, "r", { bucket: "b" })],
    ["vpc-flow-logs", "has no flow logs", (stack: ProbeStack) => new Vpc(stack, "r", { cidrBlock: "10.0.0.0/16" })],
    ["redis-failover", "has no automatic failover", (stack: ProbeStack) => new ElasticacheReplicationGroup(stack, "r", { replicationGroupId: "c", description: "c", atRestEncryptionEnabled: "true", transitEncryptionEnabled: true, kmsKeyId: stack.key.arn })],
    ["container-insights", "has Container Insights off", (stack: ProbeStack) => new EcsCluster(stack, "r", { name: "c", setting: [{ name: "containerInsights", value: "disabled" }] })],
  ] as const)("%s: a violating resource fails (without the register)", (rule, message, add) => {
    const report = evaluateStack(new ProbeStack(Testing.app(), undefined, add), RULES, []);
    expect(new BaselineViolation(report.violations).message).toMatch(new RegExp(`\\[${rule}\\]: probe/r \\(.*\\) ${message}`));
  });
  describe("s3-access-logging", () => {
    const LOGS = "aws_s3_bucket.logs";
    /** A data bucket logging under `prefix` to an access-log bucket whose policy admits `admitted` for `source`. */
    const logged =
      (options: { prefix?: string; admitted?: string; source?: string; encryption?: "SSE-S3" | "KMS"; logToItself?: boolean } = {}) =>
      (stack: ProbeStack) => {
        const { prefix = "data/", admitted = "data/", source = "d", encryption = "SSE-S3" } = options;
        const logs = new SecureBucket(stack, "logs", {
          bucketName: "l",
          encryption: encryption === "SSE-S3" ? "SSE-S3" : { kmsKeyArn: stack.key.arn },
          policyStatements: (arn) => [
            {
              actions: ["s3:PutObject"],
              resources: [`${arn}/${admitted}*`],
              principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
              condition: [{ test: "ArnLike", variable: "aws:SourceArn", values: [`arn:aws:s3:::${source}`] }],
            },
          ],
        });
        const data = new S3Bucket(stack, "data", { bucket: "d" });
        new S3BucketLoggingA(stack, "logging", { bucket: data.id, targetBucket: options.logToItself ? data.id : logs.bucket.id, targetPrefix: prefix });
      };

    test("a bucket that logs no requests fails; a bucket logging to an access-log bucket that admits it, and that bucket, pass", () => {
      expect(messagesOf("s3-access-logging", (stack) => new S3Bucket(stack, "data", { bucket: "d" }))).toEqual([
        "aws_s3_bucket.data logs no requests: send its S3 server access logs to an access-log bucket",
      ]);
      expect(messagesOf("s3-access-logging", logged())).toEqual([]);
      expect(messagesOf("s3-access-logging", logged({ prefix: "data/2026/", admitted: "" }))).toEqual([]);
    });

    test("a target S3 cannot deliver to fails: SSE-KMS, a policy for another prefix or bucket, none, outside the stack, itself", () => {
      expect(messagesOf("s3-access-logging", logged({ encryption: "KMS" }))).toEqual([
        `aws_s3_bucket.data logs to ${LOGS}, whose default encryption is aws:kms: S3 delivers server access logs only to SSE-S3 buckets`,
      ]);
      const refused = `aws_s3_bucket.data logs to ${LOGS}, whose bucket policy does not let logging.s3.amazonaws.com put objects under "data/" for this bucket (aws:SourceArn): S3 drops the logs`;
      expect(messagesOf("s3-access-logging", logged({ admitted: "other/" }))).toEqual([refused]);
      expect(messagesOf("s3-access-logging", logged({ source: "other" }))).toEqual([refused]);
      const unpolicied = (stack: ProbeStack) => {
        const logs = new S3Bucket(stack, "logs", { bucket: "l" });
        new S3BucketServerSideEncryptionConfigurationA(stack, "logs-encryption", { bucket: logs.id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
        new S3BucketLoggingA(stack, "logging", { bucket: new S3Bucket(stack, "data", { bucket: "d" }).id, targetBucket: logs.id, targetPrefix: "data/" });
      };
      expect(messagesOf("s3-access-logging", unpolicied)).toEqual([refused]);
      const elsewhere = (stack: ProbeStack) => new S3BucketLoggingA(stack, "logging", { bucket: new S3Bucket(stack, "data", { bucket: "d" }).id, targetBucket: "central-logs", targetPrefix: "d/" });
      expect(messagesOf("s3-access-logging", elsewhere)).toEqual(["aws_s3_bucket.data logs to central-logs, not an access-log bucket of its stack"]);
      expect(messagesOf("s3-access-logging", logged({ logToItself: true }))).toEqual([
        `${LOGS} logs no requests: send its S3 server access logs to an access-log bucket`,
        "aws_s3_bucket.data logs to itself: every delivery of its logs would be logged again",
      ]);
    });
  });

  describe("waf-request-logging", () => {
    const logged = (group: { name: string; retentionInDays?: number; encrypted: boolean }, redacted: string[]) => (stack: ProbeStack) => {
      const acl = webAcl(stack);
      const logs = new CloudwatchLogGroup(stack, "waf-logs", { name: group.name, retentionInDays: group.retentionInDays, kmsKeyId: group.encrypted ? stack.key.arn : undefined });
      new Wafv2WebAclLoggingConfiguration(stack, "logging", { resourceArn: acl.arn, logDestinationConfigs: [logs.arn], redactedFields: redacted.map((name) => ({ singleHeader: { name } })) });
    };

    test("a web ACL without a logging configuration fails", () => {
      expect(messagesOf("waf-request-logging", (stack) => webAcl(stack), "prod")).toEqual(["aws_wafv2_web_acl.acl logs no requests: add an aws_wafv2_web_acl_logging_configuration"]);
    });

    test("the log group's name, key and retention, and both redacted headers, are checked", () => {
      expect(messagesOf("waf-request-logging", logged({ name: "aws-waf-logs-other", retentionInDays: 30, encrypted: false }, ["authorization"]), "prod")).toEqual([
        "aws_wafv2_web_acl.acl logs to aws-waf-logs-other, not aws-waf-logs-sentry-prod",
        "aws_wafv2_web_acl.acl logs to aws-waf-logs-other, which is not encrypted with the environment key",
        "aws_wafv2_web_acl.acl logs to aws-waf-logs-other, which keeps logs 30 days, under the prod audit floor of 365",
        "aws_wafv2_web_acl.acl logs the cookie header: redact it",
      ]);
      expect(messagesOf("waf-request-logging", logged({ name: "aws-waf-logs-sentry-prod", retentionInDays: 365, encrypted: true }, ["Authorization", "cookie"]), "prod")).toEqual([]);
    });
  });

  test("waf-on-public-load-balancers and load-balancer-deletion-protection: an internet-facing load balancer without a web ACL or deletion protection fails", () => {
    const loadBalancer = (internal: boolean, protect: boolean, withAcl: boolean) => (stack: ProbeStack) => {
      const lb = new Lb(stack, "alb", { name: "alb", internal, loadBalancerType: "application", subnets: ["s-1"], enableDeletionProtection: protect });
      if (withAcl) new Wafv2WebAclAssociation(stack, "association", { resourceArn: lb.arn, webAclArn: webAcl(stack).arn });
    };
    expect(messagesOf("waf-on-public-load-balancers", loadBalancer(false, true, false))).toEqual(["aws_lb.alb faces the internet without a web ACL (aws_wafv2_web_acl_association)"]);
    expect(messagesOf("waf-on-public-load-balancers", loadBalancer(false, true, true))).toEqual([]);
    expect(messagesOf("waf-on-public-load-balancers", loadBalancer(true, true, false))).toEqual([]);
    expect(messagesOf("load-balancer-deletion-protection", loadBalancer(true, false, false))).toEqual(["aws_lb.alb can be deleted: enable_deletion_protection is off"]);
    expect(messagesOf("load-balancer-deletion-protection", loadBalancer(false, true, true))).toEqual([]);
  });

  test("tls-to-targets: a target group forwarding HTTP fails; HTTPS passes", () => {
    const group = (protocol: string) => (stack: ProbeStack) => new LbTargetGroup(stack, "group", { name: "g", port: 8080, protocol, targetType: "ip", vpcId: "vpc-1" });
    expect(messagesOf("tls-to-targets", group("HTTP"))).toEqual(["aws_lb_target_group.group forwards HTTP to its targets: the hop after the load balancer is not encrypted"]);
    expect(messagesOf("tls-to-targets", group("HTTPS"))).toEqual([]);
  });

  test("waf-anonymous-sources: without the anonymous-IP group, counting it or one of its rules, or scoped down to some hosts fails", () => {
    const acl = (rules: Wafv2WebAclRule[]) => (stack: ProbeStack) => webAcl(stack, rules);
    const absent = ["aws_wafv2_web_acl.acl does not block anonymous sources: add the AWSManagedRulesAnonymousIpList rule group, without counting any of its rules"];
    expect(messagesOf("waf-anonymous-sources", acl([]))).toEqual(absent);
    expect(messagesOf("waf-anonymous-sources", acl([anonymousRule(undefined, { count: {} })]))).toEqual(absent);
    expect(messagesOf("waf-anonymous-sources", acl([anonymousRule(undefined, { none: {} }, [{ name: "HostingProviderIPList", action_to_use: { count: {} } }])]))).toEqual(absent);
    expect(messagesOf("waf-anonymous-sources", acl([anonymousRule(undefined, { none: {} }, [{ name: "AnonymousIPList", action_to_use: { block: {} } }])]))).toEqual([]);
    expect(messagesOf("waf-anonymous-sources", acl([anonymousRule(hostIs("admin.sentry.test"))]))).toEqual([
      "aws_wafv2_web_acl.acl blocks anonymous sources only on the hosts admin.sentry.test: the rest accept VPN, Tor and hosting-provider sources",
    ]);
    expect(messagesOf("waf-anonymous-sources", acl([anonymousRule()]))).toEqual([]);
  });

  test.each([
    ["an exact match (misses admin.sentry.test:443 and a trailing dot)", hostIs("admin.sentry.test", "EXACTLY")],
    ["no lowercasing (misses ADMIN.sentry.test)", hostIs("admin.sentry.test", "STARTS_WITH", "NONE")],
    ["an uppercase search string (never matches once lowercased)", hostIs("Admin.sentry.test")],
  ])("waf-anonymous-sources: a host scope-down with %s covers only part of the host's requests", (_, scopeDown) => {
    expect(messagesOf("waf-anonymous-sources", (stack) => webAcl(stack, [anonymousRule(scopeDown)]))).toEqual([
      "aws_wafv2_web_acl.acl blocks anonymous sources only on the requests its scope-down statement matches: the rest accept VPN, Tor and hosting-provider sources",
    ]);
  });
});

describe("register of deliberate exceptions", () => {
  // The bootstrap with CI access on (SENTRY_GITHUB_REPOSITORY): its roles and boundary, once.
  const ciBootstrap = new BootstrapStack(Testing.app(), testConfig("dev", { ...TEST_OPERATOR_VARIABLES, SENTRY_GITHUB_REPOSITORY: "acme/sentry-infra" }).operator);
  const exemptions: Exemption[] = ENVIRONMENT_NAMES.flatMap((env) => {
    const app = buildTestApp(testConfig(env));
    return app.node.children.map((stack) => evaluateStack(stack as ReadableStack));
  })
    .concat(evaluateStack(ciBootstrap))
    .flatMap((report) => {
      expect(report.violations).toEqual([]);
      return report.exemptions;
    });

  test.each(EXCEPTIONS.map((exception) => [exception.id, exception] as const))("%s still exempts a violation in some environment (no stale entries)", (id, exception) => {
    const used = exemptions.filter((exemption) => exemption.exception === id);
    expect(used.length).toBeGreaterThan(0);
    expect([...new Set(used.map((exemption) => exemption.rule))].sort()).toEqual([...exception.rules].sort());
  });

  test.each(EXCEPTIONS.filter((exception) => exception.covers.addresses).map((exception) => [exception.id, exception] as const))(
    "%s exempts every address it names in some environment",
    (id, exception) => {
      const exempted = exemptions.filter((exemption) => exemption.exception === id).map((exemption) => exemption.address);
      expect(exception.covers.addresses!.filter((address) => !exempted.includes(address))).toEqual([]);
    },
  );

  test("the SSE-S3 log-bucket entries need an explicit SSE-S3 configuration: a bucket at their address without one is not exempted", () => {
    const report = evaluateStack(new ProbeStack(Testing.app(), undefined, (stack) => new S3Bucket(stack, "access-log-bucket", { bucket: "b" })));
    expect(report.violations.filter((v) => v.rule === "environment-key").map((v) => v.address)).toEqual(["aws_s3_bucket.access_log_bucket"]);
  });

  test("the EBS entry covers a cluster's launch template only while every volume uses aws/ebs", () => {
    const template = (ebs: object[]) =>
      evaluateStack(
        new ProbeStack(Testing.app(), undefined, (stack) =>
          new LaunchTemplate(stack, "oms-launch-template", { blockDeviceMappings: ebs.map((volume, index) => ({ deviceName: `/dev/xvd${"ab"[index]}`, ebs: volume })) }),
        ),
      );
    expect(template([{ encrypted: "true" }]).exemptions.map((e) => e.exception)).toEqual(["ebs-root-volumes-aws-managed-key"]);
    const mixed = template([{ encrypted: "true" }, { volumeSize: 10 }]);
    expect(mixed.exemptions).toEqual([]);
    expect(mixed.violations.map((v) => v.message)).toEqual([
      "is encrypted with the AWS-managed aws/ebs key (EBS volume /dev/xvda), not the environment key ${aws_kms_key.key.arn}",
      "has EBS volume /dev/xvdb not encrypted",
    ]);
  });

  test("the websocket entry covers a web ACL that blocks anonymous sources on the admin host alone", () => {
    const view = (rules: Wafv2WebAclRule[]) => {
      let acl: Wafv2WebAcl | undefined;
      const stack = new ProbeStack(Testing.app(), undefined, (probe) => (acl = webAcl(probe, rules)));
      return stackView(stack).resources.find((resource) => resource.address === `aws_wafv2_web_acl.${acl!.friendlyUniqueId}`)!;
    };
    expect(anonymousSourcesBlockedOnAdminOnly(view([anonymousRule(hostIs("admin.sentry.test"))]))).toBe(true);
    expect(anonymousSourcesBlockedOnAdminOnly(view([anonymousRule({ or_statement: { statement: [hostIs("admin.sentry.test"), hostIs("ws.sentry.test")] } })]))).toBe(false);
    expect(anonymousSourcesBlockedOnAdminOnly(view([anonymousRule(hostIs("ws.sentry.test"))]))).toBe(false);
    expect(anonymousSourcesBlockedOnAdminOnly(view([anonymousRule(hostIs("admin.sentry.test", "EXACTLY"))]))).toBe(false);
    expect(anonymousSourcesBlockedOnAdminOnly(view([]))).toBe(false);
  });

  test("every entry names known rules, and ids are unique", () => {
    const ruleIds = RULES.map((rule) => rule.id);
    expect(EXCEPTIONS.flatMap((exception) => exception.rules).filter((rule) => !ruleIds.includes(rule))).toEqual([]);
    expect(new Set(EXCEPTIONS.map((exception) => exception.id)).size).toBe(EXCEPTIONS.length);
  });

  test("SECURITY.md is the rendered register (regenerate: npm run security-register)", () => {
    expect(readFileSync(join(__dirname, "..", "SECURITY.md"), "utf8")).toBe(renderSecurityMarkdown());
  });
});

describe("ingressToInternetFacingLoadBalancer (for the load balancer's exception)", () => {
  const ALB_EXCEPTION: SecurityException = {
    id: "alb-internet-ingress",
    title: "probe",
    rules: ["no-ingress-from-internet"],
    covers: { types: ["aws_vpc_security_group_ingress_rule"], description: "probe", where: ingressToInternetFacingLoadBalancer },
    reason: "probe",
    liftedWhen: "probe",
  };
  const probe = (internal: boolean, port: number) => {
    let stack: TerraformStack | undefined;
    new ProbeStack(Testing.app(), undefined, (probeStack) => {
      stack = probeStack;
      const group = new SecurityGroup(probeStack, "alb-security-group", { name: "alb" });
      new Lb(probeStack, "alb", { name: "alb", internal, loadBalancerType: "application", securityGroups: [group.id], subnets: ["s-1"] });
      new VpcSecurityGroupIngressRule(probeStack, "https-ipv4", { securityGroupId: group.id, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: "0.0.0.0/0" });
      new VpcSecurityGroupIngressRule(probeStack, "https-ipv6", { securityGroupId: group.id, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv6: "::/0" });
      new VpcSecurityGroupIngressRule(probeStack, "elsewhere", { securityGroupId: "sg-other", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" });
    });
    return evaluateStack(stack as ProbeStack, RULES, [ALB_EXCEPTION]);
  };
  const addresses = (entries: { address: string }[]) => entries.map((entry) => entry.address).sort();

  test.each([80, 443])("covers tcp %i from anywhere to an internet-facing load balancer's group", (port) => {
    const report = probe(false, port);
    expect(addresses(report.exemptions)).toEqual(["aws_vpc_security_group_ingress_rule.https_ipv4", "aws_vpc_security_group_ingress_rule.https_ipv6"]);
    expect(addresses(report.violations.filter((v) => v.rule === "no-ingress-from-internet"))).toEqual(["aws_vpc_security_group_ingress_rule.elsewhere"]);
  });

  test("covers nothing for an internal load balancer or another port", () => {
    expect(probe(true, 443).exemptions).toEqual([]);
    expect(probe(false, 22).exemptions).toEqual([]);
  });

  test("reads the stack view the rules see", () => {
    const stack = new ProbeStack(Testing.app(), undefined, () => undefined);
    expect(stackView(stack).environmentKeyArn).toBe("${aws_kms_key.key.arn}");
  });
});
