import { EnvironmentName } from "../../src/config";
import { Phase } from "../../src/stacks/names";

/**
 * Terraform addresses of stateful resources. Renaming one makes Terraform destroy and recreate it (data loss,
 * new endpoints), so these are pinned literally: a refactor that changes one fails `addresses.test.ts` first. If a
 * rename is really wanted, ship it with a `moved` block (or `terraform state mv`) and update this list in the
 * same change. `ops-resource-types.test.ts` checks that the plan review treats every pinned type as stateful.
 */

const QUEUES = [
  "orders_bitget",
  "executions",
  "order_status",
  "order_cancellations",
  "positions",
  "risk_checks",
  "market_data",
  "notifications",
  "audit_events",
];

const FOUNDATION = (zones: string[]) => [
  "aws_vpc.vpc",
  // Every encrypted resource of the environment depends on it: a new key means re-encrypting or losing data.
  "aws_kms_key.environment_key",
  ...zones.flatMap((zone) => [`aws_subnet.vpc_public_subnet_${zone}`, `aws_subnet.vpc_private_subnet_${zone}`]),
  "aws_cognito_user_pool.admin_user_pool",
  "aws_cognito_user.admin_user_pool_initial_admin",
  // A new domain or client logs every admin out and changes the sign-in URL the load balancer uses.
  "aws_cognito_user_pool_domain.admin_user_pool_domain",
  "aws_cognito_user_pool_client.admin_user_pool_load_balancer_client",
  // A new certificate needs its DNS validation again.
  "aws_acm_certificate.certificate",
  "aws_dynamodb_table.config_table",
  "aws_dynamodb_table.trading_table",
  ...QUEUES.flatMap((queue) => [`aws_sqs_queue.${queue}`, `aws_sqs_queue.${queue}_dlq`]),
  "aws_secretsmanager_secret.exchange_credentials_secret",
  "aws_secretsmanager_secret.database_secret",
  "aws_secretsmanager_secret.redis_secret",
  // A new topic drops the e-mail subscription, which must then be confirmed again.
  "aws_sns_topic.alarm_topic",
];

/** Phases 2-5 have the same addresses in every environment. */
const LATER_PHASES: Partial<Record<Phase, string[]>> = {
  data: [
    "aws_elasticache_replication_group.redis",
    "aws_elasticache_subnet_group.redis_subnet_group",
    "aws_security_group.redis_security_group",
    // Replacing it generates a new AUTH token.
    "aws_secretsmanager_secret_version.redis_auth_token",
    "aws_secretsmanager_secret.redis_auth_token_secret",
  ],
  compute: ["oms", "frontend"].flatMap((cluster) => [
    `aws_ecs_cluster.${cluster}`,
    `aws_autoscaling_group.${cluster}_asg`,
    `aws_ecs_capacity_provider.${cluster}_capacity_provider`,
    `aws_security_group.${cluster}_task_security_group`,
    `aws_security_group.${cluster}_instance_security_group`,
  ]).concat([
    // A new load balancer has a new DNS name: every record pointing at it breaks.
    "aws_lb.load_balancer",
    // Every phase-4 host rule lives on it.
    "aws_lb_listener.load_balancer_https_listener",
    "aws_security_group.load_balancer_security_group",
    "aws_s3_bucket.load_balancer_access_logs",
    "aws_s3_bucket.s3_access_logs",
  ]),
  services: ["oms", "frontend", "websocket"].flatMap((service) => [
    `aws_ecs_service.${service}`,
    `aws_cloudwatch_log_group.${service}_log_group`,
    `aws_security_group.${service}_security_group`,
  ]),
  cicd: [
    ...["oms", "frontend", "websocket"].flatMap((service) => [`aws_ecr_repository.${service}_repository`, `aws_codepipeline.${service}`]),
    // A new connection needs the console handshake again.
    "aws_codestarconnections_connection.github_connection",
    "aws_s3_bucket.oms_artifacts",
    "aws_s3_bucket.frontend_artifacts",
    "aws_s3_bucket.websocket_artifacts",
    "aws_s3_bucket.s3_access_logs",
  ],
};

export const PINNED: Record<EnvironmentName, Partial<Record<Phase, string[]>>> = {
  dev: { foundation: [...FOUNDATION(["us_east_1a", "us_east_1b"]), "aws_eip.vpc_nat_eip_us_east_1a"], ...LATER_PHASES },
  staging: { foundation: [...FOUNDATION(["us_east_1a", "us_east_1b"]), "aws_eip.vpc_nat_eip_us_east_1a"], ...LATER_PHASES },
  prod: {
    foundation: [
      ...FOUNDATION(["us_east_1a", "us_east_1b", "us_east_1c"]),
      "aws_eip.vpc_nat_eip_us_east_1a",
      "aws_eip.vpc_nat_eip_us_east_1b",
      "aws_eip.vpc_nat_eip_us_east_1c",
    ],
    ...LATER_PHASES,
  },
};
