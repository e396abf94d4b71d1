import { AUDIT_LOG_RETENTION_FLOOR_DAYS, EnvironmentName } from "../config/types";
import { Ipv4Cidr, parseIpv4Cidr } from "../lib/ipv4-cidr";
import { blocks, Json, ResourceView, StackView } from "./model";

/**
 * The security baseline: every rule every stack of every environment passes at synth. A rule looks at one
 * resource (and, where it must, at the resources of its stack) and returns what is wrong, one line each.
 * The only way past a rule is an entry in the register of deliberate exceptions (`exceptions.ts`).
 */
export interface SecurityRule {
  readonly id: string;
  /** What the rule requires, for messages and SECURITY.md. */
  readonly title: string;
  /** Resource types (data sources as `data.<type>`) the rule looks at. */
  readonly types: readonly string[];
  check(resource: ResourceView, stack: StackView): string[];
}

/**
 * Actions AWS gives no resource-level permission, so IAM accepts only `*` for them. The only actions an
 * identity-policy statement may grant on `*`.
 */
export const NO_RESOURCE_LEVEL_ACTIONS: readonly string[] = [
  // `docker login`: the token reads nothing by itself; repository-scoped statements decide what it pulls or pushes.
  "ecr:GetAuthorizationToken",
  // ECS Exec's Session Manager channels.
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
  // CodePipeline's ECS deploy registers a revision of a task definition family it cannot name in advance.
  "ecs:DescribeTaskDefinition",
  "ecs:RegisterTaskDefinition",
  // Authorized on container instances; the statement limits it to one cluster with the ecs:cluster condition.
  "ecs:ListTasks",
];


/** Where each resource type names its KMS key, and whether it encrypts at all. */
const KEY_ATTRIBUTES: Readonly<Record<string, (attributes: Json) => unknown[]>> = {
  aws_sqs_queue: (a) => [a.kms_master_key_id],
  aws_sns_topic: (a) => [a.kms_master_key_id],
  aws_secretsmanager_secret: (a) => [a.kms_key_id],
  aws_cloudwatch_log_group: (a) => [a.kms_key_id],
  aws_dynamodb_table: (a) => blocks(a.server_side_encryption).filter((sse) => sse.enabled === true).map((sse) => sse.kms_key_arn),
  aws_elasticache_replication_group: (a) => (String(a.at_rest_encryption_enabled) === "true" && a.transit_encryption_enabled === true ? [a.kms_key_id] : []),
  aws_ecr_repository: (a) => blocks(a.encryption_configuration).filter((c) => c.encryption_type === "KMS").map((c) => c.kms_key),
  aws_codebuild_project: (a) => [a.encryption_key],
  aws_codepipeline: (a) => blocks(a.artifact_store).flatMap((store) => blocks(store.encryption_key).map((key) => key.id)),
  aws_s3_bucket_server_side_encryption_configuration: (a) =>
    blocks(a.rule).flatMap((rule) => blocks(rule.apply_server_side_encryption_by_default).map((sse) => sse.kms_master_key_id)),
};

const environmentKey: SecurityRule = {
  id: "environment-key",
  title: "Encrypted with the environment's KMS key wherever the service takes one (Redis also in transit)",
  types: Object.keys(KEY_ATTRIBUTES),
  check(resource, stack) {
    const keys = KEY_ATTRIBUTES[resource.type](resource.attributes);
    if (stack.environmentKeyArn === undefined) return ["is in a stack that declares no environment key (useEnvironmentKey)"];
    if (keys.length === 0) return ["is not encrypted"];
    const wrong = keys.filter((key) => key !== stack.environmentKeyArn);
    return wrong.length > 0 ? [`is encrypted with ${JSON.stringify(wrong[0] ?? "an AWS-managed key")}, not the environment key ${stack.environmentKeyArn}`] : [];
  },
};

const logRetention: SecurityRule = {
  id: "log-retention",
  title: "Every log group has a retention, at least the audit floor of its environment (prod: 365 days)",
  types: ["aws_cloudwatch_log_group"],
  check(resource, stack) {
    const days = resource.attributes.retention_in_days;
    if (!days) return ["keeps logs forever: set retentionInDays"];
    const floor = AUDIT_LOG_RETENTION_FLOOR_DAYS[stack.environment as EnvironmentName];
    return floor !== undefined && days < floor ? [`keeps logs ${days} days, under the ${stack.environment} audit floor of ${floor}`] : [];
  },
};

/** Statements with principals belong to resource policies (trust, key, bucket, queue, endpoint policies). */
const isIdentityStatement = (statement: Json) => !statement.principals && !statement.not_principals;

const isAllow = (statement: Json) => statement.effect !== "Deny";
const sidOf = (statement: Json) => statement.sid ?? "(no sid)";

const iamResourceWildcard: SecurityRule = {
  id: "iam-resource-wildcard",
  title: `No "*" resource in an identity-policy statement except for actions without resource-level permissions (NO_RESOURCE_LEVEL_ACTIONS); in a resource policy (key, bucket, secret, endpoint) "*" means the resource itself. No Allow statement uses not_actions or not_resources (everything but a list)`,
  types: ["data.aws_iam_policy_document"],
  check(resource) {
    const statements = blocks(resource.attributes.statement).filter(isAllow);
    const negated = statements.flatMap((statement) =>
      ["not_actions", "not_resources"]
        .filter((attribute) => blocks(statement[attribute]).length > 0)
        .map((attribute) => `statement ${sidOf(statement)} allows with ${attribute} (everything but a list): name what it allows`),
    );
    const wildcards = statements
      .filter((statement) => isIdentityStatement(statement) && blocks(statement.resources).includes("*"))
      .flatMap((statement) => {
        const scopable = blocks(statement.actions).filter((action: string) => !NO_RESOURCE_LEVEL_ACTIONS.includes(action));
        return scopable.length > 0 ? [`statement ${sidOf(statement)} grants ${scopable.join(", ")} on "*": scope it to the resources it needs`] : [];
      });
    return [...negated, ...wildcards];
  },
};

/** Policy-document attributes of the resources that take one. */
const POLICY_ATTRIBUTES: Readonly<Record<string, (attributes: Json) => unknown[]>> = {
  aws_iam_role: (a) => [a.assume_role_policy, ...blocks(a.inline_policy).map((inline) => inline.policy)],
  aws_iam_role_policy: (a) => [a.policy],
  aws_iam_policy: (a) => [a.policy],
  aws_iam_user_policy: (a) => [a.policy],
  aws_iam_group_policy: (a) => [a.policy],
  aws_kms_key: (a) => [a.policy],
  aws_s3_bucket_policy: (a) => [a.policy],
  aws_secretsmanager_secret_policy: (a) => [a.policy],
  aws_sqs_queue_policy: (a) => [a.policy],
  aws_sns_topic_policy: (a) => [a.policy],
  aws_vpc_endpoint: (a) => [a.policy],
  aws_ecr_repository_policy: (a) => [a.policy],
};

const iamPolicyDocument: SecurityRule = {
  id: "iam-policy-document",
  title: "Every IAM, trust and resource policy is a `data.aws_iam_policy_document` (no hand-written JSON), so the statement rules see every statement",
  types: Object.keys(POLICY_ATTRIBUTES),
  check(resource, stack) {
    return POLICY_ATTRIBUTES[resource.type](resource.attributes)
      .filter((policy) => policy !== undefined && stack.referenced(policy)?.address.startsWith("data.aws_iam_policy_document.") !== true)
      .map((policy) => `takes a policy that is not a data.aws_iam_policy_document of its stack (${String(policy).slice(0, 60)}): build it from statements`);
  },
};

/** `arn:<partition>:iam::aws:policy/<path and name>`: a policy AWS writes and changes. */
const AWS_MANAGED_POLICY = /:iam::aws:policy\//;

const noAwsManagedPolicies: SecurityRule = {
  id: "no-aws-managed-policies",
  title: "No AWS-managed policy is attached: AWS widens them without review, and they are rarely scoped to the project's resources",
  types: ["aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment", "aws_iam_role"],
  check(resource) {
    const a = resource.attributes;
    const arns: unknown[] = resource.type === "aws_iam_role" ? blocks(a.managed_policy_arns) : [a.policy_arn];
    return arns
      .filter((arn): arn is string => typeof arn === "string" && AWS_MANAGED_POLICY.test(arn))
      .map((arn) => `attaches the AWS-managed policy ${arn.split(":policy/")[1]}: write a policy scoped to what the role needs`);
  },
};

const trustConfusedDeputy: SecurityRule = {
  id: "trust-confused-deputy",
  title: "Service trust policies carry aws:SourceAccount and aws:SourceArn",
  types: ["data.aws_iam_policy_document"],
  check(resource) {
    return blocks(resource.attributes.statement)
      .filter((statement) => blocks(statement.actions).includes("sts:AssumeRole") && blocks(statement.principals).some((p) => p.type === "Service"))
      .flatMap((statement) => {
        const variables = blocks(statement.condition).map((condition) => condition.variable);
        const missing = ["aws:SourceAccount", "aws:SourceArn"].filter((variable) => !variables.includes(variable));
        const services = blocks(statement.principals).flatMap((p) => blocks(p.identifiers)).join(", ");
        return missing.length > 0 ? [`trusts ${services} without ${missing.join(" and ")} (confused deputy)`] : [];
      });
  },
};

/** Address ranges that are not the internet: RFC 1918, shared address space (RFC 6598), IPv6 unique local. */
const PRIVATE_IPV4 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"].map((cidr) => parseIpv4Cidr(cidr)!);

/**
 * True when a literal CIDR reaches beyond private address space. A Terraform reference (`${...}`) is taken as
 * one of the project's own networks (a VPC CIDR from an output): no rule may name a public range that way.
 */
export function isInternetSource(source: string): boolean {
  if (source.includes("${")) return false;
  if (source.includes(":")) return !/^f[cd][0-9a-f]{2}:/i.test(source) || source.endsWith("/0");
  const cidr = parseIpv4Cidr(source);
  if (!cidr) return true;
  return !PRIVATE_IPV4.some((range) => cidr.prefixLength >= range.prefixLength && containsNetwork(range, cidr));
}

function containsNetwork(range: Ipv4Cidr, cidr: Ipv4Cidr): boolean {
  const size = 2 ** (32 - range.prefixLength);
  return cidr.network >= range.network && cidr.network < range.network + size;
}

const noIngressFromInternet: SecurityRule = {
  id: "no-ingress-from-internet",
  title: "No security group admits ingress from outside private address space (0.0.0.0/0, ::/0 or any public range)",
  types: ["aws_vpc_security_group_ingress_rule", "aws_security_group", "aws_security_group_rule"],
  check(resource) {
    const a = resource.attributes;
    const sources: unknown[] =
      resource.type === "aws_vpc_security_group_ingress_rule"
        ? [a.cidr_ipv4, a.cidr_ipv6]
        : resource.type === "aws_security_group_rule"
          ? a.type === "ingress" ? [...blocks(a.cidr_blocks), ...blocks(a.ipv6_cidr_blocks)] : []
          : blocks(a.ingress).flatMap((rule) => [...blocks(rule.cidr_blocks), ...blocks(rule.ipv6_cidr_blocks)]);
    const publicSources = sources.filter((source): source is string => typeof source === "string" && isInternetSource(source));
    return publicSources.length > 0 ? [`admits ingress from the internet (${publicSources.join(", ")})`] : [];
  },
};

const s3Private: SecurityRule = {
  id: "s3-private",
  title: "S3 buckets block every kind of public access",
  types: ["aws_s3_bucket"],
  check(resource, stack) {
    const flags = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
    const blocked = stack.referring("aws_s3_bucket_public_access_block", "bucket", resource).some((b) => flags.every((flag) => b.attributes[flag] === true));
    return blocked ? [] : ["has no public access block with all four settings on"];
  },
};

const s3Versioned: SecurityRule = {
  id: "s3-versioned",
  title: "S3 buckets are versioned (they hold state, artifacts or logs)",
  types: ["aws_s3_bucket"],
  check(resource, stack) {
    const enabled = stack
      .referring("aws_s3_bucket_versioning", "bucket", resource)
      .some((v) => blocks(v.attributes.versioning_configuration).some((c) => c.status === "Enabled"));
    return enabled ? [] : ["is not versioned"];
  },
};

const s3TlsOnly: SecurityRule = {
  id: "s3-tls-only",
  title: "S3 bucket policies deny every request not made over TLS",
  types: ["aws_s3_bucket"],
  check(resource, stack) {
    const denies = stack.referring("aws_s3_bucket_policy", "bucket", resource).some((policy) =>
      blocks(stack.referenced(policy.attributes.policy)?.attributes.statement).some(
        (statement) =>
          statement.effect === "Deny" &&
          blocks(statement.condition).some((c) => c.variable === "aws:SecureTransport" && blocks(c.values).includes("false")),
      ),
    );
    return denies ? [] : ["has no bucket policy denying requests without TLS"];
  },
};

const codebuildUnprivileged: SecurityRule = {
  id: "codebuild-unprivileged",
  title: "CodeBuild projects do not run privileged (checkov CKV_AWS_316)",
  types: ["aws_codebuild_project"],
  check: (resource) => (blocks(resource.attributes.environment).some((e) => e.privileged_mode === true) ? ["runs builds in privileged mode"] : []),
};

const ecrImmutableTags: SecurityRule = {
  id: "ecr-immutable-tags",
  title: "ECR repositories have immutable tags (FSBP ECR.2)",
  types: ["aws_ecr_repository"],
  check: (resource) => (resource.attributes.image_tag_mutability === "IMMUTABLE" ? [] : ["lets tags move (MUTABLE)"]),
};

const secretRotation: SecurityRule = {
  id: "secret-rotation",
  title: "Secrets rotate automatically (FSBP SecretsManager.1)",
  types: ["aws_secretsmanager_secret"],
  check: (resource, stack) => (stack.referring("aws_secretsmanager_secret_rotation", "secret_id", resource).length > 0 ? [] : ["has no automatic rotation"]),
};

const crossRegionReplication: SecurityRule = {
  id: "cross-region-replication",
  title: "Buckets and tables are replicated to another region (FSBP S3.7, checkov CKV_AWS_144)",
  types: ["aws_s3_bucket", "aws_dynamodb_table"],
  check(resource, stack) {
    const replicated =
      resource.type === "aws_dynamodb_table"
        ? blocks(resource.attributes.replica).length > 0
        : stack.referring("aws_s3_bucket_replication_configuration", "bucket", resource).length > 0;
    return replicated ? [] : ["is not replicated to another region"];
  },
};

const s3EventNotifications: SecurityRule = {
  id: "s3-event-notifications",
  title: "Buckets send event notifications (checkov CKV2_AWS_62)",
  types: ["aws_s3_bucket"],
  check: (resource, stack) => (stack.referring("aws_s3_bucket_notification", "bucket", resource).length > 0 ? [] : ["sends no event notifications"]),
};

const vpcFlowLogs: SecurityRule = {
  id: "vpc-flow-logs",
  title: "Every VPC has flow logs (FSBP EC2.6)",
  types: ["aws_vpc"],
  check: (resource, stack) => (stack.referring("aws_flow_log", "vpc_id", resource).length > 0 ? [] : ["has no flow logs"]),
};

const redisFailover: SecurityRule = {
  id: "redis-failover",
  title: "Redis replication groups fail over automatically (FSBP ElastiCache.3)",
  types: ["aws_elasticache_replication_group"],
  check: (resource) => (resource.attributes.automatic_failover_enabled === true ? [] : ["has no automatic failover"]),
};

const containerInsights: SecurityRule = {
  id: "container-insights",
  title: "ECS clusters have Container Insights (FSBP ECS.12)",
  types: ["aws_ecs_cluster"],
  check: (resource) =>
    blocks(resource.attributes.setting).some((s) => s.name === "containerInsights" && ["enabled", "enhanced"].includes(s.value)) ? [] : ["has Container Insights off"],
};

/** Every rule, by id. */
export const RULES: readonly SecurityRule[] = [
  environmentKey,
  logRetention,
  iamResourceWildcard,
  iamPolicyDocument,
  noAwsManagedPolicies,
  trustConfusedDeputy,
  noIngressFromInternet,
  s3Private,
  s3Versioned,
  s3TlsOnly,
  codebuildUnprivileged,
  ecrImmutableTags,
  secretRotation,
  crossRegionReplication,
  s3EventNotifications,
  vpcFlowLogs,
  redisFailover,
  containerInsights,
];

export type RuleId = (typeof RULES)[number]["id"];
