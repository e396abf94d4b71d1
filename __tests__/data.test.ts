import { TerraformStack, Testing } from "cdktf";
import { ENVIRONMENT_NAMES, EnvironmentName } from "../src/config";
import { validateEnvironmentConfig } from "../src/config/validate";
import { RedisReplicationGroup } from "../src/constructs/cache/redis-replication-group";
import { dataOf, policyStatements, resource, resourcesOf, synthPhase, testConfig, TerraformJson } from "./support/synth";

const ENVS = ENVIRONMENT_NAMES;
const data: Record<EnvironmentName, TerraformJson> = {
  dev: synthPhase(testConfig("dev"), "data").tf,
  staging: synthPhase(testConfig("staging"), "data").tf,
  prod: synthPhase(testConfig("prod"), "data").tf,
};
const redis = (env: EnvironmentName) => resource(data[env], "aws_elasticache_replication_group", "redis");

describe("phase wiring", () => {
  test.each(ENVS)("%s reads the foundation outputs from its own workspace", (env) => {
    expect(dataOf(data[env], "terraform_remote_state").foundation_outputs).toEqual({
      backend: "s3",
      config: { bucket: "sentry-test-state", key: "sentry/foundation.tfstate", region: "us-east-1", workspace_key_prefix: "env:" },
      workspace: env,
    });
  });

  test.each(ENVS)("%s keeps its own state key and refuses other workspaces", (env) => {
    expect(data[env].terraform.backend.s3.key).toBe("sentry/data.tfstate");
    expect(resource(data[env], "terraform_data", "workspace_guard").input).toEqual({ workspace: env });
  });

  test("places Redis in the foundation's private subnets and VPC", () => {
    expect(resource(data.prod, "aws_elasticache_subnet_group", "redis_subnet_group")).toMatchObject({
      name: "sentry-redis-prod",
      subnet_ids: "${data.terraform_remote_state.foundation_outputs.outputs.private_subnet_ids}",
    });
    expect(redis("prod").subnet_group_name).toBe("${aws_elasticache_subnet_group.redis_subnet_group.name}");
    expect(resource(data.prod, "aws_security_group", "redis_security_group").vpc_id).toBe(
      "${data.terraform_remote_state.foundation_outputs.outputs.vpc_id}",
    );
  });
});

describe("replication group", () => {
  test.each([
    ["dev", "cache.t4g.micro", 1, false, 0],
    ["staging", "cache.t4g.small", 2, true, 1],
    ["prod", "cache.r7g.large", 2, true, 7],
  ] as const)("%s: %s x%i, failover and Multi-AZ %s, %i days of snapshots", (env, nodeType, nodes, highlyAvailable, snapshots) => {
    expect(redis(env)).toMatchObject({
      replication_group_id: `sentry-redis-${env}`,
      node_type: nodeType,
      num_cache_clusters: nodes,
      automatic_failover_enabled: highlyAvailable,
      multi_az_enabled: highlyAvailable,
      snapshot_retention_limit: snapshots,
    });
  });

  test.each(ENVS)("%s encrypts at rest and requires TLS, on a pinned Redis 7 engine, cluster mode off", (env) => {
    expect(redis(env)).toMatchObject({
      at_rest_encryption_enabled: "true",
      transit_encryption_enabled: true,
      transit_encryption_mode: "required",
      engine: "redis",
      engine_version: "7.1",
      parameter_group_name: "default.redis7",
      cluster_mode: "disabled",
      port: 6379,
    });
  });

  test.each(ENVS)("%s holds changes for the maintenance window, which never overlaps the snapshot window", (env) => {
    expect(redis(env)).toMatchObject({
      apply_immediately: false,
      snapshot_window: "03:00-04:00",
      maintenance_window: "sun:05:00-sun:06:00",
    });
  });

  test.each([
    ["dev", 14],
    ["staging", 30],
    ["prod", 365],
  ] as const)("%s delivers the slow log to a log group kept %i days", (env, days) => {
    expect(resource(data[env], "aws_cloudwatch_log_group", "redis_slow_log")).toMatchObject({
      name: `/sentry/elasticache/sentry-redis-${env}/slow-log`,
      retention_in_days: days,
    });
    expect(redis(env).log_delivery_configuration).toEqual([
      { destination: "${aws_cloudwatch_log_group.redis_slow_log.name}", destination_type: "cloudwatch-logs", log_format: "json", log_type: "slow-log" },
    ]);
  });
});

describe("security group", () => {
  test.each(ENVS)("%s admits nobody by itself: no inline ingress, no egress, no CIDR anywhere", (env) => {
    const group = resource(data[env], "aws_security_group", "redis_security_group");
    expect(group.name).toBe(`sentry-redis-${env}`);
    // An inline ingress list would delete the rules phase 4 adds on every apply.
    expect(group.ingress).toBeUndefined();
    expect(group.egress).toEqual([]);
    expect(resourcesOf(data[env], "aws_vpc_security_group_ingress_rule")).toEqual({});
    expect(JSON.stringify(data[env])).not.toContain("0.0.0.0/0");
    expect(redis(env).security_group_ids).toEqual(["${aws_security_group.redis_security_group.id}"]);
    // EC2 rejects other characters in a group description.
    expect(group.description).toMatch(/^[A-Za-z0-9 ._:/()#,@[\]+=&;{}!$*-]+$/);
  });
});

describe("AUTH token", () => {
  test.each(ENVS)("%s: drawn by Secrets Manager (32 letters and digits), pinned as its own secret's version that ignores later draws", (env) => {
    expect(dataOf(data[env], "aws_secretsmanager_random_password").redis_auth_token_draw).toMatchObject({
      password_length: 32,
      exclude_punctuation: true,
    });
    expect(resource(data[env], "aws_secretsmanager_secret", "redis_auth_token_secret").name).toBe(`sentry/${env}/redis-auth-token`);
    const pinned = resource(data[env], "aws_secretsmanager_secret_version", "redis_auth_token");
    expect(pinned.secret_id).toBe("${aws_secretsmanager_secret.redis_auth_token_secret.id}");
    expect(pinned.secret_string).toBe("${sensitive(data.aws_secretsmanager_random_password.redis_auth_token_draw.random_password)}");
    expect(pinned.lifecycle).toEqual({ ignore_changes: ["secret_string"] });
    expect(redis(env).auth_token).toBe("${aws_secretsmanager_secret_version.redis_auth_token.secret_string}");
    expect(resourcesOf(data[env], "terraform_data")).not.toHaveProperty("redis_auth_token");
    expect(redis(env).auth_token_update_strategy).toBe("ROTATE");
  });

  test.each(ENVS)("%s: no output exposes the token, its draw or the credentials secret", (env) => {
    const outputs = JSON.stringify(data[env].output);
    for (const secret of ["random_password", "auth_token", "secret_string", "secretsmanager"]) {
      expect(outputs).not.toContain(secret);
    }
  });

  test.each(ENVS)("%s: only the operators and the principal running Terraform read the token secret", (env) => {
    expect(dataOf(data[env], "aws_iam_session_context").deploying_principal).toEqual({ arn: "${data.aws_caller_identity.caller.arn}" });
    expect(policyStatements(data[env], "redis_auth_token_readers")).toEqual([
      {
        sid: "OnlyNamedReaders",
        effect: "Deny",
        actions: ["secretsmanager:GetSecretValue"],
        resources: ["*"],
        principals: [{ type: "*", identifiers: ["*"] }],
        condition: [
          {
            test: "ArnNotLike",
            variable: "aws:PrincipalArn",
            values: [
              "arn:aws:iam::123456789012:role/sentry-operator",
              "arn:aws:iam::123456789012:role/sentry-deployer",
              "${data.aws_iam_session_context.deploying_principal.issuer_arn}",
            ],
          },
        ],
      },
    ]);
    expect(resource(data[env], "aws_secretsmanager_secret_policy", "redis_auth_token_policy").policy).toBe("${data.aws_iam_policy_document.redis_auth_token_readers.json}");
  });

  test("writes url, host, port and password into the phase-1 redis secret, and leaves a later console edit current", () => {
    const version = resource(data.prod, "aws_secretsmanager_secret_version", "redis_credentials");
    expect(version.secret_id).toBe("${data.terraform_remote_state.foundation_outputs.outputs.secret_arns.redis}");
    expect(version.lifecycle).toEqual({ ignore_changes: ["version_stages"] });
    const token = "aws_secretsmanager_secret_version.redis_auth_token.secret_string";
    const host = "aws_elasticache_replication_group.redis.primary_endpoint_address";
    expect(version.secret_string).toBe(
      `\${jsonencode({"url" = "rediss://:\${${token}}@\${${host}}:6379", "host" = ${host}, "port" = "6379", "password" = ${token}})}`,
    );
  });
});

describe("outputs", () => {
  test.each(ENVS)("%s publishes exactly the data contract", (env) => {
    const outputs = data[env].output;
    expect(Object.keys(outputs).sort()).toEqual([
      "redis_member_cluster_ids",
      "redis_port",
      "redis_primary_endpoint",
      "redis_reader_endpoint",
      "redis_replication_group_id",
      "redis_security_group_id",
    ]);
    expect(outputs.redis_primary_endpoint.value).toBe("${aws_elasticache_replication_group.redis.primary_endpoint_address}");
    expect(outputs.redis_reader_endpoint.value).toBe("${aws_elasticache_replication_group.redis.reader_endpoint_address}");
    expect(outputs.redis_security_group_id.value).toBe("${aws_security_group.redis_security_group.id}");
    expect(outputs.redis_port.value).toBe(6379);
  });
});

describe("bad configuration", () => {
  const prod = testConfig("prod");

  test("zero cache nodes", () => {
    expect(() => validateEnvironmentConfig({ ...prod, redis: { ...prod.redis, numCacheNodes: 0 } })).toThrow(
      /prod\.redis\.numCacheNodes = 0; expected a whole number from 1 to 6/,
    );
  });

  test("a node type that is not Graviton", () => {
    expect(() => validateEnvironmentConfig({ ...prod, redis: { ...prod.redis, nodeType: "cache.m5.large" } })).toThrow(
      /prod\.redis\.nodeType = "cache\.m5\.large"; expected a Graviton ElastiCache node type/,
    );
  });

  test("snapshots kept longer than ElastiCache allows", () => {
    expect(() => validateEnvironmentConfig({ ...prod, redis: { ...prod.redis, snapshotRetentionDays: 36 } })).toThrow(
      /prod\.redis\.snapshotRetentionDays = 36/,
    );
  });

  const build = (props: Partial<ConstructorParameters<typeof RedisReplicationGroup>[2]>) => () =>
    new RedisReplicationGroup(new TerraformStack(Testing.app(), "test"), "redis", {
      name: "test-redis",
      vpcId: "vpc-1",
      subnetIds: ["subnet-1", "subnet-2"],
      nodeType: "cache.t4g.micro",
      numCacheNodes: 1,
      authTokenSecretName: "test/redis-auth-token",
      authTokenReaderArns: ["arn:aws:iam::123456789012:role/deployer"],
      kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
      ...props,
    });

  test("the construct refuses a token secret nobody may read (Terraform itself reads its version)", () => {
    expect(build({ authTokenReaderArns: [] })).toThrow(/test-redis: authTokenReaderArns is empty; name at least the principal running Terraform/);
  });

  test("the construct refuses more nodes than a replication group holds, and engines other than Redis 7", () => {
    expect(build({ numCacheNodes: 7 })).toThrow(/test-redis: numCacheNodes 7 must be from 1 to 6/);
    expect(build({ engineVersion: "6.2" })).toThrow(/engineVersion "6\.2" must be 7\.<minor>/);
  });

  test("without a credentials secret, the construct keeps the token in its own secret only", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    new RedisReplicationGroup(stack, "redis", {
      name: "test-redis",
      vpcId: "vpc-1",
      subnetIds: ["subnet-1"],
      nodeType: "cache.t4g.micro",
      numCacheNodes: 1,
      authTokenSecretName: "test/redis-auth-token",
      authTokenReaderArns: ["arn:aws:iam::123456789012:role/deployer"],
      kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
    });
    const versions = Object.values(resourcesOf(JSON.parse(Testing.synth(stack)), "aws_secretsmanager_secret_version"));
    expect(versions).toHaveLength(1);
    expect(versions[0].secret_string).toContain("random_password");
  });
});
