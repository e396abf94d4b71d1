import { AUDIT_LOG_RETENTION_FLOOR_DAYS, EnvironmentName } from "../config/types";
import { Ipv4Cidr, parseIpv4Cidr } from "../lib/ipv4-cidr";
import { blocks, Json, referencedAddress, ResourceView, StackView } from "./model";

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
 * Actions AWS gives no resource-level permission, so IAM accepts only `*` for them. With
 * `CONDITION_SCOPED_ACTIONS`, the only actions an identity-policy statement may grant on `*`.
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
];

/**
 * Actions IAM authorizes on a resource the call does not name, allowed on `*` only with a condition on the given
 * key. `ecs:ListTasks` is authorized on container instances, but a call that lists a cluster's tasks names none:
 * AWS's own policy example puts it on `*` and scopes it to the cluster with `ecs:cluster`.
 */
export const CONDITION_SCOPED_ACTIONS: Readonly<Record<string, string>> = {
  "ecs:ListTasks": "ecs:cluster",
};

/** How one resource, or one part of it (an EBS volume), is encrypted at rest. */
export type Encryption = { readonly key: string } | { readonly awsManaged: string } | { readonly unencrypted: string };

/** A named KMS key, or the AWS-managed key the service uses when none is named. */
const keyOr = (key: unknown, awsManaged: string): Encryption => (typeof key === "string" && key !== "" ? { key } : { awsManaged });

/** S3 server-side encryption rules (a configuration resource's or a bucket's legacy inline block). */
const s3Encryption = (rules: Json): Encryption[] =>
  blocks(rules).flatMap((rule) =>
    blocks(rule.apply_server_side_encryption_by_default).map((sse) =>
      sse.sse_algorithm === "AES256" ? { awsManaged: "S3-managed keys (SSE-S3)" } : keyOr(sse.kms_master_key_id, "the AWS-managed aws/s3 key"),
    ),
  );

/**
 * How each resource type is encrypted, from its attributes (and, for a bucket, its stack's encryption
 * configurations). An empty list: not encrypted at all.
 */
const ENCRYPTION: Readonly<Record<string, (attributes: Json, resource: ResourceView, stack: StackView) => Encryption[]>> = {
  aws_sqs_queue: (a) => [keyOr(a.kms_master_key_id, "an AWS-managed key or none (SSE-SQS)")],
  aws_sns_topic: (a) => [keyOr(a.kms_master_key_id, "nothing (SNS topics are unencrypted without a key)")],
  aws_secretsmanager_secret: (a) => [keyOr(a.kms_key_id, "the AWS-managed aws/secretsmanager key")],
  aws_cloudwatch_log_group: (a) => [keyOr(a.kms_key_id, "CloudWatch Logs' own keys")],
  aws_dynamodb_table: (a) => blocks(a.server_side_encryption).filter((sse) => sse.enabled === true).map((sse) => keyOr(sse.kms_key_arn, "the AWS-managed aws/dynamodb key")),
  aws_elasticache_replication_group: (a) =>
    String(a.at_rest_encryption_enabled) === "true" && a.transit_encryption_enabled === true ? [keyOr(a.kms_key_id, "ElastiCache's own key")] : [],
  aws_ecr_repository: (a) => blocks(a.encryption_configuration).filter((c) => c.encryption_type === "KMS").map((c) => keyOr(c.kms_key, "the AWS-managed aws/ecr key")),
  aws_codebuild_project: (a) => [keyOr(a.encryption_key, "the AWS-managed aws/s3 key")],
  aws_codepipeline: (a) => blocks(a.artifact_store).map((store) => keyOr(blocks(store.encryption_key)[0]?.id, "the AWS-managed aws/s3 key")),
  aws_s3_bucket: (a, bucket, stack) => {
    const configurations = stack.referring("aws_s3_bucket_server_side_encryption_configuration", "bucket", bucket);
    const encryption = [...s3Encryption(blocks(a.server_side_encryption_configuration).flatMap((c) => blocks(c.rule))), ...configurations.flatMap((c) => s3Encryption(c.attributes.rule))];
    return encryption.length > 0 ? encryption : [{ awsManaged: "S3's default SSE-S3 (no server-side encryption configuration)" }];
  },
  aws_launch_template: (a) =>
    blocks(a.block_device_mappings).flatMap((mapping) =>
      blocks(mapping.ebs).map((ebs) =>
        String(ebs.encrypted) === "true"
          ? keyOr(ebs.kms_key_id, `the AWS-managed aws/ebs key (EBS volume ${mapping.device_name})`)
          : { unencrypted: `EBS volume ${mapping.device_name}` },
      ),
    ),
};

/** How `resource` is encrypted at rest, for the rules and the register (undefined: a type the rule does not know). */
export function encryptionOf(resource: ResourceView, stack: StackView): Encryption[] | undefined {
  return ENCRYPTION[resource.type]?.(resource.attributes, resource, stack);
}

const environmentKey: SecurityRule = {
  id: "environment-key",
  title: "Encrypted with the environment's KMS key wherever the service takes one (Redis also in transit; S3 buckets and launch templates' EBS volumes included)",
  types: Object.keys(ENCRYPTION),
  check(resource, stack) {
    const encryption = encryptionOf(resource, stack) ?? [];
    const environmentKeyArn = stack.environmentKeyArn;
    if (environmentKeyArn === undefined) return ["is in a stack that declares no environment key (useEnvironmentKey)"];
    if (encryption.length === 0) return ["is not encrypted"];
    return encryption.flatMap((part) => {
      if ("unencrypted" in part) return [`has ${part.unencrypted} not encrypted`];
      if ("awsManaged" in part) return [`is encrypted with ${part.awsManaged}, not the environment key ${environmentKeyArn}`];
      return part.key === environmentKeyArn ? [] : [`is encrypted with ${JSON.stringify(part.key)}, not the environment key ${environmentKeyArn}`];
    });
  },
};

/** What is wrong with a log group's retention in `stack`'s environment: none, or under the audit floor. */
function retentionProblems(logGroup: ResourceView, stack: StackView): string[] {
  const days = logGroup.attributes.retention_in_days;
  if (!days) return ["keeps logs forever: set retentionInDays"];
  const floor = AUDIT_LOG_RETENTION_FLOOR_DAYS[stack.environment as EnvironmentName];
  return floor !== undefined && days < floor ? [`keeps logs ${days} days, under the ${stack.environment} audit floor of ${floor}`] : [];
}

const logRetention: SecurityRule = {
  id: "log-retention",
  title: `Every log group has a retention, at least the audit floor of its environment (${Object.entries(AUDIT_LOG_RETENTION_FLOOR_DAYS).map(([env, days]) => `${env}: ${days} days`).join(", ")})`,
  types: ["aws_cloudwatch_log_group"],
  check: retentionProblems,
};

/** Statements with principals belong to resource policies (trust, key, bucket, queue, endpoint policies). */
const isIdentityStatement = (statement: Json) => !statement.principals && !statement.not_principals;

const isAllow = (statement: Json) => statement.effect !== "Deny";
const sidOf = (statement: Json) => statement.sid ?? "(no sid)";

const iamResourceWildcard: SecurityRule = {
  id: "iam-resource-wildcard",
  title: `No "*" resource in an identity-policy statement except for actions without resource-level permissions (NO_RESOURCE_LEVEL_ACTIONS) and, with their condition, CONDITION_SCOPED_ACTIONS; in a resource policy (key, bucket, secret, endpoint) "*" means the resource itself. No Allow statement uses not_actions or not_resources (everything but a list)`,
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
        const scopedByCondition = (action: string) =>
          action in CONDITION_SCOPED_ACTIONS && blocks(statement.condition).some((c) => c.variable === CONDITION_SCOPED_ACTIONS[action]);
        const scopable = blocks(statement.actions).filter((action: string) => !NO_RESOURCE_LEVEL_ACTIONS.includes(action) && !scopedByCondition(action));
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
  aws_cloudwatch_log_resource_policy: (a) => [a.policy_document],
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

/** An Allow statement letting an AWS service call an `sts:` action (AssumeRole, TagSession, `sts:*`, ...). */
const trustsService = (statement: Json) =>
  isAllow(statement) && blocks(statement.actions).some((action: string) => action.toLowerCase().startsWith("sts:")) && blocks(statement.principals).some((p) => p.type === "Service");

/** A condition on `variable` (case-insensitive, as IAM reads keys) with one of `tests` whose values all pass `valid`. */
const hasCondition = (statement: Json, tests: string[], variable: string, valid: (value: string) => boolean) =>
  blocks(statement.condition).some(
    (c) => tests.includes(c.test) && String(c.variable).toLowerCase() === variable.toLowerCase() && blocks(c.values).length > 0 && blocks(c.values).every((v) => typeof v === "string" && valid(v)),
  );

/**
 * What a service trust statement lacks of the confused-deputy guard: `StringEquals` on aws:SourceAccount with no
 * wildcard, and `ArnLike`/`ArnEquals` on aws:SourceArn with no bare `*` (`...IfExists` passes when the key is absent).
 */
export function missingSourceConditions(statement: Json): string[] {
  return [
    hasCondition(statement, ["StringEquals"], "aws:SourceAccount", (v) => !v.includes("*") && !v.includes("?")) ? [] : ["aws:SourceAccount (StringEquals, no wildcard)"],
    hasCondition(statement, ["ArnLike", "ArnEquals"], "aws:SourceArn", (v) => v !== "*") ? [] : ['aws:SourceArn (ArnLike or ArnEquals, not "*")'],
  ].flat();
}

/** The statements of a policy document that trust a service without the confused-deputy conditions. */
export function unguardedServiceTrusts(document: ResourceView): Json[] {
  return blocks(document.attributes.statement).filter((statement) => trustsService(statement) && missingSourceConditions(statement).length > 0);
}

const trustConfusedDeputy: SecurityRule = {
  id: "trust-confused-deputy",
  title: "Service trust policies (any sts: action) carry StringEquals aws:SourceAccount and ArnLike/ArnEquals aws:SourceArn, without wildcards standing for anything",
  types: ["data.aws_iam_policy_document"],
  check(resource) {
    return unguardedServiceTrusts(resource).map((statement) => {
      const services = blocks(statement.principals).flatMap((p) => blocks(p.identifiers)).join(", ");
      return `statement ${sidOf(statement)} trusts ${services} without ${missingSourceConditions(statement).join(" and ")} (confused deputy)`;
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
  types: ["aws_vpc_security_group_ingress_rule", "aws_security_group", "aws_default_security_group", "aws_security_group_rule"],
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

/** A bucket its stack's S3 server access logging of another bucket writes to: an access-log bucket. */
const isAccessLogTarget = (bucket: ResourceView, stack: StackView) =>
  stack.resources.some(
    (candidate) =>
      candidate.type === "aws_s3_bucket_logging" &&
      referencedAddress(candidate.attributes.target_bucket) === bucket.address &&
      referencedAddress(candidate.attributes.bucket) !== bucket.address,
  );

/** The service principal S3 server access logging writes as. */
const S3_LOGGING_SERVICE = "logging.s3.amazonaws.com";

/** The default encryption algorithms a bucket's encryption configurations (and legacy inline block) name. */
const sseAlgorithms = (bucket: ResourceView, stack: StackView): string[] =>
  [
    ...blocks(bucket.attributes.server_side_encryption_configuration).flatMap((c) => blocks(c.rule)),
    ...stack.referring("aws_s3_bucket_server_side_encryption_configuration", "bucket", bucket).flatMap((c) => blocks(c.attributes.rule)),
  ].flatMap((rule) => blocks(rule.apply_server_side_encryption_by_default).map((sse) => String(sse.sse_algorithm)));

/** True when an Allow statement of `target`'s bucket policy lets S3 logging put `source`'s logs under `prefix`. */
function admitsServerAccessLogs(target: ResourceView, source: ResourceView, prefix: string, stack: StackView): boolean {
  const objects = `\${${target.address}.arn}/`;
  const coversPrefix = (resource: unknown) =>
    typeof resource === "string" && resource.startsWith(objects) && resource.endsWith("*") && prefix.startsWith(resource.slice(objects.length, -1));
  return stack
    .referring("aws_s3_bucket_policy", "bucket", target)
    .flatMap((policy) => blocks(stack.referenced(policy.attributes.policy)?.attributes.statement))
    .some(
      (statement) =>
        isAllow(statement) &&
        blocks(statement.principals).some((p) => p.type === "Service" && blocks(p.identifiers).includes(S3_LOGGING_SERVICE)) &&
        blocks(statement.actions).includes("s3:PutObject") &&
        blocks(statement.resources).some(coversPrefix) &&
        hasCondition(statement, ["ArnLike", "ArnEquals"], "aws:SourceArn", (arn) => arn.endsWith(`:s3:::${source.attributes.bucket}`)),
    );
}

/**
 * What keeps S3 from delivering a bucket's server access logs where its logging configuration sends them: a
 * target outside the stack (unchecked) or the bucket itself (each delivery would log another request), a target
 * with SSE-KMS default encryption (S3 delivers only to SSE-S3 targets), or a target policy that does not let
 * `logging.s3.amazonaws.com` write the prefix for this bucket.
 */
function accessLogDeliveryProblems(logging: ResourceView, source: ResourceView, stack: StackView): string[] {
  const target = stack.referenced(logging.attributes.target_bucket);
  if (target?.type !== "aws_s3_bucket") return [`logs to ${logging.attributes.target_bucket}, not an access-log bucket of its stack`];
  if (target.address === source.address) return ["logs to itself: every delivery of its logs would be logged again"];
  const prefix = String(logging.attributes.target_prefix ?? "");
  const kms = sseAlgorithms(target, stack).filter((algorithm) => algorithm !== "AES256");
  return [
    ...(kms.length > 0 ? [`logs to ${target.address}, whose default encryption is ${kms.join(", ")}: S3 delivers server access logs only to SSE-S3 buckets`] : []),
    ...(admitsServerAccessLogs(target, source, prefix, stack)
      ? []
      : [`logs to ${target.address}, whose bucket policy does not let ${S3_LOGGING_SERVICE} put objects under "${prefix}" for this bucket (aws:SourceArn): S3 drops the logs`]),
  ];
}

const s3AccessLogging: SecurityRule = {
  id: "s3-access-logging",
  title:
    "Every bucket logs its requests (S3 server access logging) to an access-log bucket of its stack that S3 can deliver to (SSE-S3, a bucket policy letting `logging.s3.amazonaws.com` write the prefix for that bucket), except the access-log buckets themselves (the targets of their stack's logging)",
  types: ["aws_s3_bucket"],
  check(resource, stack) {
    if (isAccessLogTarget(resource, stack)) return [];
    const logging = stack.referring("aws_s3_bucket_logging", "bucket", resource);
    if (logging.length === 0) return ["logs no requests: send its S3 server access logs to an access-log bucket"];
    return logging.flatMap((configuration) => accessLogDeliveryProblems(configuration, resource, stack));
  },
};

/** Headers every web ACL's request log must redact: bearer tokens and session cookies. */
export const WAF_REDACTED_HEADERS: readonly string[] = ["authorization", "cookie"];
/** The log group WAF logs of an environment go to (WAF requires the `aws-waf-logs-` prefix). */
export const wafLogGroupName = (environment: string | undefined) => (environment === undefined ? "aws-waf-logs-" : `aws-waf-logs-sentry-${environment}`);

const wafRequestLogging: SecurityRule = {
  id: "waf-request-logging",
  title: `Every web ACL logs its requests to the log group \`aws-waf-logs-sentry-<env>\` of its stack, encrypted with the environment key, kept at least the audit floor, with the ${WAF_REDACTED_HEADERS.map((header) => `\`${header}\``).join(" and ")} headers redacted`,
  types: ["aws_wafv2_web_acl"],
  check(resource, stack) {
    const logging = stack.referring("aws_wafv2_web_acl_logging_configuration", "resource_arn", resource)[0];
    if (logging === undefined) return ["logs no requests: add an aws_wafv2_web_acl_logging_configuration"];
    const redacted = blocks(logging.attributes.redacted_fields).flatMap((field) => blocks(field.single_header).map((header) => String(header.name).toLowerCase()));
    const unredacted = WAF_REDACTED_HEADERS.filter((header) => !redacted.includes(header)).map((header) => `logs the ${header} header: redact it`);
    const logGroup = blocks(logging.attributes.log_destination_configs)
      .map((destination) => stack.referenced(destination))
      .find((destination) => destination?.type === "aws_cloudwatch_log_group");
    if (logGroup === undefined) return ["logs to no CloudWatch log group of its stack", ...unredacted];
    const name = wafLogGroupName(stack.environment);
    const group = logGroup.attributes;
    return [
      ...(stack.environment === undefined ? String(group.name).startsWith(name) : group.name === name) ? [] : [`logs to ${group.name}, not ${name}`],
      ...(group.kms_key_id === stack.environmentKeyArn ? [] : [`logs to ${group.name}, which is not encrypted with the environment key`]),
      ...retentionProblems(logGroup, stack).map((problem) => `logs to ${group.name}, which ${problem}`),
      ...unredacted,
    ];
  },
};

const LOAD_BALANCER_TYPES = ["aws_lb", "aws_alb"];
/** An Application Load Balancer (the type WAF attaches to) that faces the internet. */
const isInternetFacingApplicationLoadBalancer = (resource: ResourceView) =>
  resource.attributes.internal !== true && [undefined, "application"].includes(resource.attributes.load_balancer_type);

const wafOnPublicLoadBalancers: SecurityRule = {
  id: "waf-on-public-load-balancers",
  title: "Every internet-facing Application Load Balancer has a WAF web ACL",
  types: LOAD_BALANCER_TYPES,
  check(resource, stack) {
    if (!isInternetFacingApplicationLoadBalancer(resource)) return [];
    return stack.referring("aws_wafv2_web_acl_association", "resource_arn", resource).length > 0 ? [] : ["faces the internet without a web ACL (aws_wafv2_web_acl_association)"];
  },
};

const loadBalancerDeletionProtection: SecurityRule = {
  id: "load-balancer-deletion-protection",
  title: "Load balancers refuse deletion (enable_deletion_protection)",
  types: LOAD_BALANCER_TYPES,
  check: (resource) => (resource.attributes.enable_deletion_protection === true ? [] : ["can be deleted: enable_deletion_protection is off"]),
};

/** Target group protocols that encrypt the hop from the load balancer to its targets. */
const ENCRYPTED_TARGET_PROTOCOLS = ["HTTPS", "TLS"];

const tlsToTargets: SecurityRule = {
  id: "tls-to-targets",
  title: `Load balancers forward to their targets encrypted (target group protocol ${ENCRYPTED_TARGET_PROTOCOLS.join(" or ")})`,
  types: ["aws_lb_target_group", "aws_alb_target_group"],
  check(resource) {
    const { protocol, target_type: targetType } = resource.attributes;
    if (targetType === "lambda" || ENCRYPTED_TARGET_PROTOCOLS.includes(protocol)) return [];
    return [`forwards ${protocol ?? "HTTP"} to its targets: the hop after the load balancer is not encrypted`];
  },
};

/** AWS's rule group of anonymous sources: VPNs, Tor exit nodes, hosting providers. */
export const ANONYMOUS_IP_RULE_GROUP = "AWSManagedRulesAnonymousIpList";

/** An action other than block for a rule of a managed group (count, allow, a CAPTCHA or challenge). */
const overridesBlock = (rule: Json) =>
  blocks(rule.override_action).some((action) => action.count !== undefined) ||
  blocks(rule.statement.managed_rule_group_statement.rule_action_override).some((override) => blocks(override.action_to_use).some((action) => action.block === undefined));

/**
 * The host a scope-down statement matches every request of: a lowercased `Host` header that starts with a
 * lowercase name. An exact match would miss the same host with a port (`admin.example.com:443`) or a trailing dot.
 */
function hostMatched(statement: Json): string | undefined {
  const match = statement.byte_match_statement;
  const onHost = blocks(match?.field_to_match).some((field) => blocks(field.single_header).some((header) => String(header.name).toLowerCase() === "host"));
  const lowercased = blocks(match?.text_transformation).some((transformation) => transformation.type === "LOWERCASE");
  const search = match?.search_string;
  return onHost && lowercased && match.positional_constraint === "STARTS_WITH" && typeof search === "string" && search === search.toLowerCase() ? search : undefined;
}

/**
 * Where a web ACL blocks anonymous sources: `"every request"`, the hosts its scope-down statement matches
 * (`hostMatched`), `"part of the requests"` for any other scope-down, or none (no rule group, or some of its
 * rules only counted).
 */
export function anonymousSourcesBlockedOn(webAcl: ResourceView): "every request" | "part of the requests" | string[] | undefined {
  const rule = blocks(webAcl.attributes.rule).find((candidate) => candidate.statement?.managed_rule_group_statement?.name === ANONYMOUS_IP_RULE_GROUP);
  if (rule === undefined || overridesBlock(rule)) return undefined;
  const scopeDown = rule.statement.managed_rule_group_statement.scope_down_statement;
  if (scopeDown === undefined) return "every request";
  const hosts = (scopeDown.or_statement ? blocks(scopeDown.or_statement.statement) : [scopeDown]).map(hostMatched);
  return hosts.every((host): host is string => host !== undefined) ? hosts : "part of the requests";
}

const wafAnonymousSources: SecurityRule = {
  id: "waf-anonymous-sources",
  title: `Web ACLs block anonymous sources (VPNs, Tor, hosting providers: \`${ANONYMOUS_IP_RULE_GROUP}\`, every rule of it blocking) on every request`,
  types: ["aws_wafv2_web_acl"],
  check(resource) {
    const blocked = anonymousSourcesBlockedOn(resource);
    if (blocked === "every request") return [];
    if (blocked === undefined) return [`does not block anonymous sources: add the ${ANONYMOUS_IP_RULE_GROUP} rule group, without counting any of its rules`];
    const where = blocked === "part of the requests" ? "the requests its scope-down statement matches" : `the hosts ${blocked.join(", ")}`;
    return [`blocks anonymous sources only on ${where}: the rest accept VPN, Tor and hosting-provider sources`];
  },
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
  s3AccessLogging,
  wafRequestLogging,
  wafOnPublicLoadBalancers,
  loadBalancerDeletionProtection,
  tlsToTargets,
  wafAnonymousSources,
];

export type RuleId = (typeof RULES)[number]["id"];
