import { CognitoUserPool } from "@cdktf/provider-aws/lib/cognito-user-pool";
import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { TerraformStack, Testing } from "cdktf";
import { EnvironmentName } from "../src/config";
import { EnvironmentKey } from "../src/constructs/encryption/environment-key";
import { PlaceholderSecret } from "../src/constructs/storage/placeholder-secret";
import { dataOf, policyStatements, resource, resourcesOf, synthPhase, TEST_OPERATOR_VARIABLES, testConfig, TerraformJson } from "./support/synth";

const foundation: Record<EnvironmentName, TerraformJson> = {
  dev: synthPhase(testConfig("dev"), "foundation").tf,
  staging: synthPhase(testConfig("staging"), "foundation").tf,
  prod: synthPhase(testConfig("prod"), "foundation").tf,
};
const json = (env: EnvironmentName) => JSON.stringify(foundation[env]);

describe("state and guard rails", () => {
  test.each(["dev", "staging", "prod"] as const)("%s keeps its state in its own workspace of the S3 backend, locked, encrypted by the bucket's default (no encrypt: it would force SSE-S3)", (env) => {
    expect(foundation[env].terraform.backend.s3).toEqual({
      bucket: "sentry-test-state",
      key: "sentry/foundation.tfstate",
      region: "us-east-1",
      workspace_key_prefix: "env:",
      use_lockfile: true,
    });
  });

  test("requires the pinned aws provider", () => {
    expect(foundation.dev.terraform.required_providers.aws.version).toBe("5.100.0");
  });

  test.each(["dev", "staging", "prod"] as const)("%s refuses to plan in another workspace", (env) => {
    const guard = resource(foundation[env], "terraform_data", "workspace_guard");
    expect(guard.lifecycle.precondition).toEqual([
      {
        condition: `\${terraform.workspace == "${env}"}`,
        error_message: expect.stringContaining(`TF_WORKSPACE=${env}`),
      },
    ]);
  });

  test("tags every resource through the provider's default tags", () => {
    expect(foundation.prod.provider.aws[0].default_tags).toEqual([
      { tags: { Project: "sentry", Environment: "prod", Phase: "1-foundation", ManagedBy: "cdktf" } },
    ]);
  });
});

describe("VPC", () => {
  test.each([
    ["dev", "172.22.0.0/16", 2, 1],
    ["staging", "172.22.0.0/16", 2, 1],
    ["prod", "172.23.0.0/16", 3, 3],
  ] as const)("%s: CIDR %s, public and private subnets in %i AZs, %i NAT gateway(s)", (env, cidr, zones, nats) => {
    const tf = foundation[env];
    expect(resource(tf, "aws_vpc", "vpc")).toMatchObject({ cidr_block: cidr, enable_dns_hostnames: true, tags: { Name: `sentry-vpc-${env}` } });
    const subnets = Object.values(resourcesOf(tf, "aws_subnet"));
    expect(subnets.filter((s) => s.tags.Tier === "public")).toHaveLength(zones);
    expect(subnets.filter((s) => s.tags.Tier === "private")).toHaveLength(zones);
    expect(subnets.every((s) => s.map_public_ip_on_launch !== true)).toBe(true);
    expect(Object.keys(resourcesOf(tf, "aws_nat_gateway"))).toHaveLength(nats);
    expect(Object.keys(resourcesOf(tf, "aws_route_table")).filter((name) => name.includes("private"))).toHaveLength(zones);
  });

  test("prod spreads over us-east-1a/b/c with the guide's subnet layout", () => {
    const subnets = resourcesOf(foundation.prod, "aws_subnet");
    expect(subnets.vpc_public_subnet_us_east_1c).toMatchObject({ availability_zone: "us-east-1c", cidr_block: "172.23.2.0/24" });
    expect(subnets.vpc_private_subnet_us_east_1a).toMatchObject({ availability_zone: "us-east-1a", cidr_block: "172.23.16.0/20" });
    expect(subnets.vpc_private_subnet_us_east_1c.cidr_block).toBe("172.23.48.0/20");
  });

  test("prod routes each private subnet through the NAT gateway of its own AZ; dev shares one", () => {
    const prodRoute = resource(foundation.prod, "aws_route", "vpc_private_nat_route_us_east_1c");
    expect(prodRoute.nat_gateway_id).toBe("${aws_nat_gateway.vpc_nat_gateway_us_east_1c.id}");
    const devRoute = resource(foundation.dev, "aws_route", "vpc_private_nat_route_us_east_1b");
    expect(devRoute.nat_gateway_id).toBe("${aws_nat_gateway.vpc_nat_gateway_us_east_1a.id}");
  });

  test.each(["dev", "prod"] as const)("%s has S3 and DynamoDB gateway endpoints on every private route table", (env) => {
    const endpoints = Object.values(resourcesOf(foundation[env], "aws_vpc_endpoint"));
    expect(endpoints.map((e) => e.service_name).sort()).toEqual(["com.amazonaws.us-east-1.dynamodb", "com.amazonaws.us-east-1.s3"]);
    const privateTables = Object.keys(resourcesOf(foundation[env], "aws_route_table")).filter((name) => name.includes("private"));
    for (const endpoint of endpoints) {
      expect(endpoint.vpc_endpoint_type).toBe("Gateway");
      expect(endpoint.route_table_ids).toEqual(privateTables.map((name) => `\${aws_route_table.${name}.id}`));
    }
  });

  test("adopts the default security group and route table with no rules or routes", () => {
    const defaultGroup = resource(foundation.dev, "aws_default_security_group", "vpc_default_security_group");
    expect(defaultGroup.ingress).toBeUndefined();
    expect(defaultGroup.egress).toBeUndefined();
    expect(resource(foundation.dev, "aws_default_route_table", "vpc_default_route_table").route).toEqual([]);
    expect(resource(foundation.dev, "aws_default_network_acl", "vpc_default_network_acl").lifecycle.ignore_changes).toEqual(["subnet_ids"]);
  });

  test("no security group or ACL in the foundation admits the internet on a port", () => {
    expect(resourcesOf(foundation.prod, "aws_security_group")).toEqual({});
    expect(resourcesOf(foundation.prod, "aws_vpc_security_group_ingress_rule")).toEqual({});
  });

  test("flow logs: off in dev, on in staging and prod with retention and a role scoped to the log group", () => {
    expect(resourcesOf(foundation.dev, "aws_flow_log")).toEqual({});
    for (const [env, days] of [["staging", 30], ["prod", 365]] as const) {
      const tf = foundation[env];
      expect(resource(tf, "aws_flow_log", "vpc_flow_log")).toMatchObject({ traffic_type: "ALL", log_destination_type: "cloud-watch-logs" });
      expect(resource(tf, "aws_cloudwatch_log_group", "vpc_flow_log_group")).toMatchObject({ retention_in_days: days, kms_key_id: "${aws_kms_key.environment_key.arn}" });
      expect(dataOf(tf, "aws_iam_policy_document").vpc_flow_log_trust.statement[0].condition).toEqual([
        { test: "StringEquals", variable: "aws:SourceAccount", values: ["${aws_vpc.vpc.owner_id}"] },
        { test: "ArnLike", variable: "aws:SourceArn", values: ["arn:${data.aws_partition.vpc_partition.partition}:ec2:us-east-1:${aws_vpc.vpc.owner_id}:vpc-flow-log/*"] },
      ]);
      const permissions = dataOf(tf, "aws_iam_policy_document").vpc_flow_log_permissions;
      expect(permissions.statement).toEqual([
        expect.objectContaining({ resources: ["${aws_cloudwatch_log_group.vpc_flow_log_group.arn}:*"] }),
      ]);
    }
  });
});

describe("Cognito admin user pool", () => {
  test.each([
    ["dev", "OPTIONAL", "INACTIVE"],
    ["staging", "OPTIONAL", "INACTIVE"],
    ["prod", "ON", "ACTIVE"],
  ] as const)("%s: MFA %s, deletion protection %s", (env, mfa, protection) => {
    expect(json(env)).toHaveResourceWithProperties(CognitoUserPool, {
      name: `sentry-admin-${env}`,
      mfa_configuration: mfa,
      deletion_protection: protection,
      username_attributes: ["email"],
      admin_create_user_config: { allow_admin_create_user_only: true },
      software_token_mfa_configuration: { enabled: true },
    });
  });

  test("has a strong password policy", () => {
    expect(resource(foundation.dev, "aws_cognito_user_pool", "admin_user_pool").password_policy).toMatchObject({
      minimum_length: 14,
      require_lowercase: true,
      require_uppercase: true,
      require_numbers: true,
      require_symbols: true,
    });
  });

  test("the frontend client is public (no secret) and signs in with SRP only", () => {
    expect(json("prod")).toHaveResourceWithProperties(CognitoUserPoolClient, {
      generate_secret: false,
      explicit_auth_flows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      prevent_user_existence_errors: "ENABLED",
    });
  });

  test("creates the admins group with the configured admin e-mail in it", () => {
    expect(resource(foundation.dev, "aws_cognito_user_group", "admin_user_pool_admin_group").name).toBe("admins");
    expect(resource(foundation.dev, "aws_cognito_user", "admin_user_pool_initial_admin")).toMatchObject({
      username: "ops@sentry.test",
      attributes: { email: "ops@sentry.test", email_verified: "true" },
    });
    expect(resource(foundation.dev, "aws_cognito_user", "admin_user_pool_initial_admin").temporary_password).toBeUndefined();
    expect(resource(foundation.dev, "aws_cognito_user_in_group", "admin_user_pool_initial_admin_membership").group_name).toBe(
      "${aws_cognito_user_group.admin_user_pool_admin_group.name}",
    );
  });
});

describe("DynamoDB", () => {
  test.each([
    ["dev", false],
    ["staging", false],
    ["prod", true],
  ] as const)("%s: both tables on demand, encrypted, with PITR; deletion protection %s", (env, protection) => {
    for (const table of ["config", "trading"]) {
      expect(json(env)).toHaveResourceWithProperties(DynamodbTable, {
        name: `sentry-${table}-${env}`,
        billing_mode: "PAY_PER_REQUEST",
        hash_key: "pk",
        range_key: "sk",
        server_side_encryption: { enabled: true, kms_key_arn: "${aws_kms_key.environment_key.arn}" },
        point_in_time_recovery: { enabled: true },
        deletion_protection_enabled: protection,
      });
    }
  });

  test("the trading table lists orders by account through gsi1 and expires transient items", () => {
    const trading = resource(foundation.dev, "aws_dynamodb_table", "trading_table");
    expect(trading.global_secondary_index).toEqual([
      { name: "gsi1", hash_key: "gsi1pk", range_key: "gsi1sk", projection_type: "ALL" },
    ]);
    expect(trading.ttl).toEqual({ enabled: true, attribute_name: "expires_at" });
    expect(resource(foundation.dev, "aws_dynamodb_table", "config_table").ttl).toBeUndefined();
  });
});

describe("SQS", () => {
  const queues = resourcesOf(foundation.dev, "aws_sqs_queue");

  test("every queue of the config, each with a dead-letter queue, named sentry-<queue>-<env>", () => {
    expect(Object.keys(queues)).toHaveLength(2 * testConfig("dev").queues.length);
    expect(queues.orders_bitget.name).toBe("sentry-orders-bitget-dev");
    expect(queues.orders_bitget_dlq.name).toBe("sentry-orders-bitget-dlq-dev");
    expect(resourcesOf(foundation.prod, "aws_sqs_queue").executions.name).toBe("sentry-executions-prod.fifo");
  });

  test("FIFO queues and their DLQs are FIFO with content-based deduplication; standard queues are not", () => {
    expect(queues.executions).toMatchObject({ fifo_queue: true, content_based_deduplication: true, name: "sentry-executions-dev.fifo" });
    expect(queues.executions_dlq).toMatchObject({ fifo_queue: true, name: "sentry-executions-dlq-dev.fifo" });
    expect(queues.orders_bitget.fifo_queue).toBeUndefined();
  });

  test("every queue is encrypted; every main queue redrives to its own DLQ after 5 receives", () => {
    for (const [name, queue] of Object.entries(queues)) {
      expect(queue).toMatchObject({ kms_master_key_id: "${aws_kms_key.environment_key.arn}", kms_data_key_reuse_period_seconds: 300 });
      expect(queue.sqs_managed_sse_enabled).toBeUndefined();
      if (name.endsWith("_dlq")) {
        expect(queue.message_retention_seconds).toBe(1209600);
      } else {
        expect(JSON.parse(queue.redrive_policy)).toEqual({ deadLetterTargetArn: `\${aws_sqs_queue.${name}_dlq.arn}`, maxReceiveCount: 5 });
        expect(queue.receive_wait_time_seconds).toBe(20);
      }
    }
  });

  test("every queue denies requests not made over TLS", () => {
    const policies = resourcesOf(foundation.dev, "aws_sqs_queue_policy");
    expect(Object.keys(policies).sort()).toEqual(Object.keys(queues).map((name) => `${name}_policy`).sort());
    const document = dataOf(foundation.dev, "aws_iam_policy_document").orders_bitget_policy_document;
    expect(document.statement).toEqual([
      expect.objectContaining({
        effect: "Deny",
        resources: ["${aws_sqs_queue.orders_bitget.arn}"],
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      }),
    ]);
  });
});

describe("Secrets Manager", () => {
  test.each([
    ["exchange-credentials", ["api_key", "api_secret", "passphrase"]],
    ["database", ["connection_string", "host", "port", "database", "username", "password"]],
    ["redis", ["url", "host", "port", "password"]],
  ])("sentry/<env>/%s starts as a placeholder with exactly the guide's keys", (name, keys) => {
    const id = `${name.replace(/-/g, "_")}_secret`;
    expect(resource(foundation.prod, "aws_secretsmanager_secret", id)).toMatchObject({ name: `sentry/prod/${name}`, recovery_window_in_days: 30 });
    const placeholder = resource(foundation.prod, "aws_secretsmanager_secret_version", `${id}_placeholder`);
    expect(Object.keys(JSON.parse(placeholder.secret_string))).toEqual(keys);
    expect(Object.values(JSON.parse(placeholder.secret_string)).every((value) => value === "")).toBe(true);
  });

  test("a re-apply never reverts values or the current version an operator set", () => {
    for (const version of Object.values(resourcesOf(foundation.dev, "aws_secretsmanager_secret_version"))) {
      expect(version.lifecycle.ignore_changes).toEqual(["secret_string", "version_stages"]);
    }
  });

  test("dev deletes secrets after 7 days, prod keeps them 30", () => {
    expect(resource(foundation.dev, "aws_secretsmanager_secret", "database_secret").recovery_window_in_days).toBe(7);
  });

  test("the construct refuses a secret nobody may read (its policy would lock Terraform out)", () => {
    const build = () =>
      new PlaceholderSecret(new TerraformStack(Testing.app(), "test"), "secret", { name: "s", description: "s", keys: ["k"], kmsKeyArn: "k", readerArns: [] });
    expect(build).toThrow(/PlaceholderSecret s: readerArns is empty; name at least the principal running Terraform/);
  });
});

describe("output contract", () => {
  test("publishes the documented names", () => {
    expect(Object.keys(foundation.dev.output).sort()).toEqual(
      [
        "certificate_arn",
        "certificate_validation_records",
        "config_table_arn",
        "config_table_name",
        "dead_letter_queue_arns",
        "load_balancer_client_id",
        "table_arns",
        "table_names",
        "user_pool_domain",
        "alarm_topic_arn",
        "dead_letter_queue_names",
        "nat_gateway_ids",
        "kms_key_alias",
        "kms_key_arn",
        "private_route_table_ids",
        "private_subnet_ids",
        "public_subnet_ids",
        "queue_arns",
        "queue_urls",
        "secret_arns",
        "trading_table_arn",
        "trading_table_name",
        "user_pool_arn",
        "user_pool_client_id",
        "user_pool_id",
        "vpc_cidr_block",
        "vpc_id",
      ].sort(),
    );
  });

  test("queues and secrets are maps keyed by their short names; secrets by ARN only", () => {
    expect(foundation.dev.output.queue_urls.value["orders-bitget"]).toBe("${aws_sqs_queue.orders_bitget.url}");
    expect(foundation.dev.output.secret_arns.value).toEqual(
      Object.fromEntries(Object.keys(testConfig("dev").secrets).map((name) => [name, `\${aws_secretsmanager_secret.${name.replace(/-/g, "_")}_secret.arn}`])),
    );
    expect(foundation.dev.output.secret_arns.value.redis).toBe("${aws_secretsmanager_secret.redis_secret.arn}");
    expect(JSON.stringify(foundation.dev.output)).not.toMatch(/secret_string|secret_version/);
  });
});

describe("environment key", () => {
  const tf = foundation.prod;
  const ACCOUNT = "${data.aws_caller_identity.account.account_id}";
  const ROOT = `arn:\${data.aws_partition.partition.partition}:iam::${ACCOUNT}:root`;
  const OPERATORS = ["arn:aws:iam::123456789012:role/sentry-operator", "arn:aws:iam::123456789012:role/sentry-deployer"];
  const DEPLOYER = "${data.aws_iam_session_context.deploying_principal.issuer_arn}";

  test("alias/sentry-<env>, rotation on, deletion window from config, published", () => {
    expect(resource(tf, "aws_kms_key", "environment_key")).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(resource(foundation.dev, "aws_kms_key", "environment_key").deletion_window_in_days).toBe(7);
    expect(resource(tf, "aws_kms_alias", "environment_key_alias")).toMatchObject({ name: "alias/sentry-prod" });
    expect(tf.output.kms_key_arn.value).toBe("${aws_kms_key.environment_key.arn}");
  });

  test("the account root and the operators administer it; principals use it only through the listed services", () => {
    const statements = policyStatements(tf, "environment_key_policy");
    expect(statements.map((statement) => statement.sid)).toEqual([
      "AdministerKey",
      "UseThroughAwsServices",
      "GrantsForAwsResources",
      "CloudWatchLogsOfThisAccount",
      "CloudWatchAlarmsToEncryptedTopics",
    ]);
    expect(statements[0].principals).toEqual([{ type: "AWS", identifiers: [ROOT, ...OPERATORS] }]);
    expect(statements[1].condition).toContainEqual({
      test: "StringEquals",
      variable: "kms:ViaService",
      values: ["sqs", "dynamodb", "secretsmanager", "elasticache", "ecr", "codebuild", "s3", "sns"].map((service) => `${service}.us-east-1.amazonaws.com`),
    });
    expect(statements[3]).toMatchObject({
      principals: [{ type: "Service", identifiers: ["logs.us-east-1.amazonaws.com"] }],
      condition: [{ test: "ArnLike", variable: "kms:EncryptionContext:aws:logs:arn", values: [`arn:\${data.aws_partition.partition.partition}:logs:us-east-1:${ACCOUNT}:log-group:*`] }],
    });
    expect(statements[4].condition).toContainEqual({ test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] });
  });

  test("administration is spelled out: no grants and no cryptographic use outside the services", () => {
    const [administer] = policyStatements(tf, "environment_key_policy");
    expect(administer.actions).toEqual([
      "kms:CancelKeyDeletion",
      "kms:CreateAlias",
      "kms:Delete*",
      "kms:Describe*",
      "kms:Disable*",
      "kms:Enable*",
      "kms:Get*",
      "kms:List*",
      "kms:Put*",
      "kms:Revoke*",
      "kms:RotateKeyOnDemand",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:Update*",
    ]);
    const matches = (pattern: string, action: string) => new RegExp(`^${pattern.replace(/\*/g, ".*")}$`).test(action);
    const allowing = (action: string) =>
      policyStatements(tf, "environment_key_policy")
        .filter((statement) => statement.actions.some((pattern: string) => matches(pattern, action)))
        .map((statement) => statement.sid);
    expect(allowing("kms:CreateGrant")).toEqual(["GrantsForAwsResources"]);
    expect(allowing("kms:Decrypt")).toEqual(["UseThroughAwsServices", "CloudWatchLogsOfThisAccount", "CloudWatchAlarmsToEncryptedTopics"]);
  });

  test("only DynamoDB, ElastiCache and ECR create grants, for AWS resources, for this account's principals", () => {
    const grants = policyStatements(tf, "environment_key_policy").find((statement) => statement.sid === "GrantsForAwsResources");
    expect(grants).toEqual({
      sid: "GrantsForAwsResources",
      actions: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
      resources: ["*"],
      principals: [{ type: "AWS", identifiers: [ROOT, ...OPERATORS] }],
      condition: [
        { test: "StringEquals", variable: "kms:CallerAccount", values: [ACCOUNT] },
        { test: "StringEquals", variable: "kms:ViaService", values: ["dynamodb.us-east-1.amazonaws.com", "elasticache.us-east-1.amazonaws.com", "ecr.us-east-1.amazonaws.com"] },
        { test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] },
      ],
    });
  });

  test("the construct refuses a granting service principals may not use the key through", () => {
    const build = () =>
      new EnvironmentKey(new TerraformStack(Testing.app(), "test"), "key", {
        aliasName: "k", description: "k", accountId: "1", partition: "aws", region: "us-east-1", viaServices: ["sqs"], grantingServices: ["ecr"],
      });
    expect(build).toThrow(/EnvironmentKey k: grantingServices ecr must also be in viaServices/);
  });

  test("each secret is encrypted with it and readable only by the execution roles that inject it, the operators and the principal running Terraform", () => {
    const readers = (secret: string) => policyStatements(tf, `${secret}_secret_readers`)[0];
    const role = (name: string) => `arn:\${data.aws_partition.partition.partition}:iam::${ACCOUNT}:role/${name}`;
    expect(readers("exchange_credentials")).toEqual({
      sid: "OnlyNamedReaders",
      effect: "Deny",
      actions: ["secretsmanager:GetSecretValue"],
      resources: ["*"],
      principals: [{ type: "*", identifiers: ["*"] }],
      condition: [{ test: "ArnNotLike", variable: "aws:PrincipalArn", values: [role("sentry-oms-execution-prod"), ...OPERATORS, DEPLOYER] }],
    });
    expect(readers("redis").condition[0].values).toEqual([role("sentry-oms-execution-prod"), role("sentry-websocket-execution-prod"), ...OPERATORS, DEPLOYER]);
    expect(readers("database").condition[0].values).toEqual([...OPERATORS, DEPLOYER]);
    expect(resource(tf, "aws_secretsmanager_secret", "database_secret").kms_key_id).toBe("${aws_kms_key.environment_key.arn}");
    expect(resource(tf, "aws_secretsmanager_secret_policy", "database_secret_policy").policy).toBe("${data.aws_iam_policy_document.database_secret_readers.json}");
  });

  test("the principal running Terraform is the issuer of the caller's session (the role, not the session)", () => {
    expect(dataOf(tf, "aws_iam_session_context").deploying_principal).toEqual({ arn: "${data.aws_caller_identity.account.arn}" });
  });

  test("without SENTRY_ADMIN_ROLE_ARNS, the principal running Terraform still reads every secret (no lock-out)", () => {
    const { SENTRY_ADMIN_ROLE_ARNS: _unset, ...variables } = TEST_OPERATOR_VARIABLES;
    const bare = synthPhase(testConfig("dev", variables), "foundation").tf;
    for (const secret of ["exchange_credentials", "database", "redis"]) {
      const [statement] = policyStatements(bare, `${secret}_secret_readers`);
      expect(statement.condition).toHaveLength(1);
      expect(statement.condition[0].values).toContain(DEPLOYER);
    }
    expect(policyStatements(bare, "database_secret_readers")[0].condition[0].values).toEqual([DEPLOYER]);
  });

  test("gateway endpoints admit this account's tables and buckets, plus the AWS-owned buckets instances need", () => {
    const partition = "${data.aws_partition.vpc_partition.partition}";
    expect(policyStatements(tf, "vpc_dynamodb_gateway_endpoint_policy")[0].resources).toEqual([`arn:${partition}:dynamodb:us-east-1:\${aws_vpc.vpc.owner_id}:table/*`]);
    const [own, awsOwned] = policyStatements(tf, "vpc_s3_gateway_endpoint_policy");
    expect(own.condition).toEqual([{ test: "StringEquals", variable: "aws:ResourceAccount", values: ["${aws_vpc.vpc.owner_id}"] }]);
    expect(awsOwned.actions).toEqual(["s3:GetObject"]);
    expect(awsOwned.resources).toContain(`arn:${partition}:s3:::prod-us-east-1-starport-layer-bucket/*`);
    expect(awsOwned.resources).toContain(`arn:${partition}:s3:::al2023-repos-us-east-1-*/*`);
    expect(resource(tf, "aws_vpc_endpoint", "vpc_s3_gateway_endpoint").policy).toBe("${data.aws_iam_policy_document.vpc_s3_gateway_endpoint_policy.json}");
  });
});
