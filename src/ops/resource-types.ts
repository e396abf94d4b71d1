/**
 * What the plan review knows about resource TYPES (never addresses): which hold state or identity, so that
 * deleting or replacing one loses data or breaks whoever points at it, and which decide who may do what.
 * A new stateful or security-relevant type joins the list it belongs to; `__tests__/ops-resource-types.test.ts`
 * fails when an address pinned in `addresses.test.ts` has a type missing from the stateful list.
 */

/** Types whose delete or replace loses data, an endpoint, a name others hold or a console handshake. */
export const STATEFUL_TYPES = [
  // network identity: addresses, ids in other phases' state
  "aws_vpc",
  "aws_subnet",
  "aws_eip",
  "aws_security_group",
  // identity and users
  "aws_cognito_user_pool",
  "aws_cognito_user",
  "aws_cognito_user_pool_client",
  "aws_cognito_user_pool_domain",
  "aws_acm_certificate",
  "aws_codestarconnections_connection",
  // data
  "aws_dynamodb_table",
  "aws_sqs_queue",
  "aws_sns_topic",
  "aws_secretsmanager_secret",
  "aws_secretsmanager_secret_version",
  "aws_kms_key",
  "aws_s3_bucket",
  "aws_ecr_repository",
  "aws_cloudwatch_log_group",
  "aws_elasticache_replication_group",
  "aws_elasticache_subnet_group",
  // running capacity and endpoints
  "aws_ecs_cluster",
  "aws_ecs_service",
  "aws_ecs_capacity_provider",
  "aws_autoscaling_group",
  "aws_lb",
  // the phase-4 host rules hang on it: replacing it drops them until they are recreated
  "aws_lb_listener",
  "aws_wafv2_web_acl",
  "aws_codepipeline",
] as const;
export type StatefulType = (typeof STATEFUL_TYPES)[number];

/** Types that grant access or expose something: the review's security section lists every change to them. */
export const SECURITY_SENSITIVE_TYPES = [
  "aws_iam_role",
  "aws_iam_role_policy",
  "aws_iam_policy",
  "aws_iam_role_policy_attachment",
  "aws_iam_instance_profile",
  "aws_security_group",
  "aws_default_security_group",
  "aws_security_group_rule",
  "aws_vpc_security_group_ingress_rule",
  "aws_vpc_security_group_egress_rule",
  "aws_s3_bucket_policy",
  "aws_s3_bucket_public_access_block",
  "aws_s3_bucket_ownership_controls",
  "aws_s3_bucket_logging",
  "aws_sqs_queue_policy",
  "aws_sns_topic_policy",
  "aws_kms_key",
  "aws_secretsmanager_secret_policy",
  "aws_ecr_repository_policy",
  "aws_vpc_endpoint",
  "aws_cognito_user_pool",
  "aws_cognito_user_pool_client",
  "aws_cognito_user_group",
  "aws_cognito_user_in_group",
  // the role a task, build or instance runs as, and how much of the host it gets
  "aws_ecs_task_definition",
  "aws_launch_template",
  "aws_codebuild_project",
  "aws_wafv2_web_acl",
  "aws_wafv2_web_acl_association",
  "aws_lb_listener",
  "aws_lb_listener_rule",
] as const;
export type SecuritySensitiveType = (typeof SECURITY_SENSITIVE_TYPES)[number];

export function holdsState(type: string): type is StatefulType {
  return (STATEFUL_TYPES as readonly string[]).includes(type);
}

export function isSecuritySensitive(type: string): type is SecuritySensitiveType {
  return (SECURITY_SENSITIVE_TYPES as readonly string[]).includes(type);
}

/**
 * Attributes that hold an IAM policy document as a JSON string. Read on any type: a type outside the
 * security-sensitive list (a queue's or a key's own `policy`) joins the security section when it has one.
 */
export const POLICY_ATTRIBUTES = ["policy", "assume_role_policy"] as const;

/** Attributes naming the role or profile something runs as: a changed one may grant more. */
export const IDENTITY_ATTRIBUTES = ["task_role_arn", "execution_role_arn", "service_role", "iam_instance_profile"] as const;

/** Attributes listing managed policy ARNs attached to an identity. */
export const POLICY_ARN_ATTRIBUTES = ["policy_arn", "managed_policy_arns"] as const;

/** Public access block switches: turning one off (or deleting the block) exposes the bucket. */
export const PUBLIC_ACCESS_SWITCHES = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"] as const;

/** Types whose deletion removes a protection (a block, a firewall association): a delete is broadening. */
export const PROTECTION_TYPES: readonly string[] = ["aws_s3_bucket_public_access_block", "aws_wafv2_web_acl_association", "aws_wafv2_web_acl"];
