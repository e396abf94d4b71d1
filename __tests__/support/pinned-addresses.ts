import { EnvironmentName } from "../../src/config";
import { Phase } from "../../src/stacks/sentry-stack";

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
  ...zones.flatMap((zone) => [`aws_subnet.vpc_public_subnet_${zone}`, `aws_subnet.vpc_private_subnet_${zone}`]),
  "aws_cognito_user_pool.admin_user_pool",
  "aws_cognito_user.admin_user_pool_initial_admin",
  "aws_dynamodb_table.config_table",
  "aws_dynamodb_table.trading_table",
  ...QUEUES.flatMap((queue) => [`aws_sqs_queue.${queue}`, `aws_sqs_queue.${queue}_dlq`]),
  "aws_secretsmanager_secret.exchange_credentials_secret",
  "aws_secretsmanager_secret.database_secret",
  "aws_secretsmanager_secret.redis_secret",
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
