import { EnvironmentConfig, ServiceConfig, ServiceName } from "../src/config";
import { validateEnvironmentConfig } from "../src/config/validate";
import { servicesStackProps } from "../src/stacks/services-stack";
import { TerraformJson, buildTestApp, containerDefinitions, dataOf, policyStatements, resource, resourcesOf, statementBySid, synthPhase, testConfig } from "./support/synth";

const FOUNDATION = "data.terraform_remote_state.foundation_outputs.outputs";
const COMPUTE = "data.terraform_remote_state.compute_outputs.outputs";
const EXCHANGE_ARN = `\${${FOUNDATION}.secret_arns["exchange-credentials"]}`;
const REDIS_ARN = `\${${FOUNDATION}.secret_arns.redis}`;
const ENV_FILE_ARN = "arn:aws:s3:::sentry-config/oms/dev.env";
const OVERRIDE_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shared/exchange-credentials-AbC123";

/** `config` with one service changed. */
function withService(config: EnvironmentConfig, name: ServiceName, patch: Partial<ServiceConfig>): EnvironmentConfig {
  return { ...config, services: config.services.map((service) => (service.name === name ? { ...service, ...patch } : service)) };
}

/** `config` with every pipeline's Deploy stage turned on or off. */
function withPipelineDeploys(config: EnvironmentConfig, deploy: boolean): EnvironmentConfig {
  return { ...config, cicd: { ...config.cicd, pipelines: config.cicd.pipelines.map((pipeline) => ({ ...pipeline, deploy })) } };
}

/** Synthesizes the services phase of a config that passed validation. */
function synthServices(config: EnvironmentConfig): TerraformJson {
  validateEnvironmentConfig(config);
  return synthPhase(config, "services").tf;
}

function container(tf: TerraformJson, service: ServiceName): TerraformJson {
  const definitions = containerDefinitions(tf, service);
  expect(definitions).toHaveLength(1);
  return definitions[0];
}


const dev = () => synthServices(testConfig("dev"));
const prod = () => synthServices(testConfig("prod"));

describe("services: names and placement", () => {
  test.each(["dev", "prod"] as const)("%s: service, family, container and log group names follow the guide", (env) => {
    const tf = synthServices(testConfig(env));
    for (const name of ["oms", "frontend", "websocket"] as const) {
      expect(resource(tf, "aws_ecs_service", name).name).toBe(`sentry-${name}-service-${env}`);
      expect(resource(tf, "aws_ecs_task_definition", `${name}_task_definition`).family).toBe(`sentry-${name}-${env}`);
      expect(container(tf, name).name).toBe(name);
      expect(resource(tf, "aws_cloudwatch_log_group", `${name}_log_group`).name).toBe(`/sentry/${env}/${name}`);
    }
  });

  test("OMS runs on the OMS cluster, frontend and websocket on the frontend cluster, each on its capacity provider", () => {
    const tf = dev();
    const expected = { oms: "oms", frontend: "frontend", websocket: "frontend" } as const;
    for (const [service, cluster] of Object.entries(expected)) {
      const ecsService = resource(tf, "aws_ecs_service", service);
      expect(ecsService.cluster).toBe(`\${${COMPUTE}.cluster_arns.${cluster}}`);
      expect(ecsService.capacity_provider_strategy).toEqual([{ capacity_provider: `\${${COMPUTE}.capacity_provider_names.${cluster}}`, weight: 1, base: 0 }]);
      expect(ecsService.launch_type).toBeUndefined();
      expect(ecsService.network_configuration).toEqual({
        subnets: `\${${FOUNDATION}.private_subnet_ids}`,
        security_groups: [`\${${COMPUTE}.task_security_group_ids.${cluster}}`, `\${aws_security_group.${service}_security_group.id}`],
        assign_public_ip: false,
      });
    }
  });

  test.each(["dev", "staging", "prod"] as const)("%s: remote state is read from the environment's workspace", (env) => {
    const tf = synthServices(testConfig(env));
    const remotes = dataOf(tf, "terraform_remote_state");
    expect(Object.keys(remotes).sort()).toEqual(["compute_outputs", "data_outputs", "foundation_outputs"]);
    expect(remotes.data_outputs.workspace).toBe(env);
    expect(remotes.foundation_outputs.workspace).toBe(env);
    expect(remotes.foundation_outputs.config.key).toBe("sentry/foundation.tfstate");
    expect(remotes.compute_outputs.workspace).toBe(env);
    expect(remotes.compute_outputs.config.key).toBe("sentry/compute.tfstate");
  });

  test("prod deploys start-then-stop (100/200 %); single-instance dev stops then starts (0/100 %)", () => {
    for (const name of ["oms", "frontend", "websocket"]) {
      expect(resource(prod(), "aws_ecs_service", name)).toMatchObject({ deployment_minimum_healthy_percent: 100, deployment_maximum_percent: 200 });
      expect(resource(dev(), "aws_ecs_service", name)).toMatchObject({ deployment_minimum_healthy_percent: 0, deployment_maximum_percent: 100 });
    }
  });

  test("services deploy safely: circuit breaker with rollback, tags propagated, no waiting", () => {
    const ecsService = resource(dev(), "aws_ecs_service", "oms");
    expect(ecsService.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
    expect(ecsService.propagate_tags).toBe("SERVICE");
    expect(ecsService.enable_execute_command).toBe(false);
    expect(ecsService.wait_for_steady_state).toBe(false);
    expect(ecsService.depends_on).toEqual(["aws_iam_role_policy.oms_iam_execution_policy", "aws_iam_role_policy.oms_iam_application_policy"]);
  });
});

describe("services: task definitions", () => {
  test.each([
    ["oms", "512", "1024"],
    ["frontend", "256", "512"],
    ["websocket", "256", "512"],
  ] as const)("%s: ARM64 Linux, EC2, awsvpc, %s CPU units and %s MiB", (name, cpu, memory) => {
    const taskDefinition = resource(prod(), "aws_ecs_task_definition", `${name}_task_definition`);
    expect(taskDefinition.runtime_platform).toEqual({ cpu_architecture: "ARM64", operating_system_family: "LINUX" });
    expect(taskDefinition.requires_compatibilities).toEqual(["EC2"]);
    expect(taskDefinition.network_mode).toBe("awsvpc");
    expect(taskDefinition.cpu).toBe(cpu);
    expect(taskDefinition.memory).toBe(memory);
    expect(taskDefinition.execution_role_arn).toBe(`\${aws_iam_role.${name}_iam_execution_role.arn}`);
    expect(taskDefinition.task_role_arn).toBe(`\${aws_iam_role.${name}_iam_task_role.arn}`);
  });

  test("containers are hardened: non-root, read-only root with a writable /tmp volume, not privileged, init process", () => {
    const tf = dev();
    for (const name of ["oms", "frontend", "websocket"] as const) {
      const definition = container(tf, name);
      expect(definition).toMatchObject({
        essential: true,
        user: "1000:1000",
        privileged: false,
        readonlyRootFilesystem: true,
        linuxParameters: { initProcessEnabled: true },
        mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }],
      });
      expect(resource(tf, "aws_ecs_task_definition", `${name}_task_definition`).volume).toEqual([{ name: "tmp" }]);
    }
  });

  test("containers are told the region (awsvpc tasks cannot read it from instance metadata)", () => {
    expect(container(prod(), "oms").environment.slice(0, 2)).toEqual([
      { name: "AWS_REGION", value: "us-east-1" },
      { name: "AWS_DEFAULT_REGION", value: "us-east-1" },
    ]);
  });

  test("image defaults to this account's ECR repository sentry-<service>-<env> with the configured tag", () => {
    expect(container(dev(), "oms").image).toBe(
      "${data.aws_caller_identity.account.account_id}.dkr.ecr.us-east-1.${data.aws_partition.partition.dns_suffix}/sentry-oms-dev:latest",
    );
    expect(container(prod(), "websocket").image).toContain("/sentry-websocket-prod:latest");
  });

  test("ports and logs: containerPort mapped, awslogs to the service's log group with the environment's retention", () => {
    const devTf = dev();
    expect(container(devTf, "frontend").portMappings).toEqual([{ containerPort: 3000, protocol: "tcp" }]);
    expect(container(devTf, "oms").logConfiguration).toEqual({
      logDriver: "awslogs",
      options: { "awslogs-group": "/sentry/dev/oms", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "oms" },
    });
    expect(resource(devTf, "aws_cloudwatch_log_group", "oms_log_group").retention_in_days).toBe(14);
    expect(resource(prod(), "aws_cloudwatch_log_group", "oms_log_group")).toMatchObject({
      retention_in_days: 365,
      kms_key_id: "${data.terraform_remote_state.foundation_outputs.outputs.kms_key_arn}",
    });
  });
});

describe("services: secrets", () => {
  test("OMS gets the exchange credentials and Redis variables, each from its JSON key", () => {
    expect(container(dev(), "oms").secrets).toEqual([
      { name: "EXCHANGE_API_KEY", valueFrom: `${EXCHANGE_ARN}:api_key::` },
      { name: "EXCHANGE_API_SECRET", valueFrom: `${EXCHANGE_ARN}:api_secret::` },
      { name: "EXCHANGE_PASSPHRASE", valueFrom: `${EXCHANGE_ARN}:passphrase::` },
      { name: "REDIS_URL", valueFrom: `${REDIS_ARN}:url::` },
      { name: "REDIS_HOST", valueFrom: `${REDIS_ARN}:host::` },
      { name: "REDIS_PORT", valueFrom: `${REDIS_ARN}:port::` },
      { name: "REDIS_PASSWORD", valueFrom: `${REDIS_ARN}:password::` },
    ]);
  });

  test("websocket gets only Redis; the frontend gets no secrets at all", () => {
    const tf = dev();
    expect(container(tf, "websocket").secrets.map((secret: TerraformJson) => secret.name)).toEqual(["REDIS_URL", "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD"]);
    expect(container(tf, "frontend")).not.toHaveProperty("secrets");
    expect(statementBySid(tf, "frontend_iam_execution_permissions", "ReadInjectedSecrets")).toBeUndefined();
    // ECR decrypts the image with its own grant on the key: pulling needs no kms:Decrypt.
    expect(policyStatements(tf, "frontend_iam_execution_permissions").flatMap((entry) => entry.actions)).not.toContain("kms:Decrypt");
  });

  test("each execution role reads exactly the secrets its task injects", () => {
    const tf = dev();
    expect(statementBySid(tf, "oms_iam_execution_permissions", "ReadInjectedSecrets")).toEqual({
      sid: "ReadInjectedSecrets",
      actions: ["secretsmanager:GetSecretValue"],
      resources: [EXCHANGE_ARN, REDIS_ARN],
    });
    expect(statementBySid(tf, "websocket_iam_execution_permissions", "ReadInjectedSecrets")?.resources).toEqual([REDIS_ARN]);
    expect(statementBySid(tf, "oms_iam_execution_permissions", "DecryptInjectedSecrets")).toEqual({
      sid: "DecryptInjectedSecrets",
      actions: ["kms:Decrypt"],
      resources: ["${data.terraform_remote_state.foundation_outputs.outputs.kms_key_arn}"],
    });
  });

  test("an exchangeCredentialsSecretArn override replaces the foundation's secret in the container and the policy", () => {
    const tf = synthServices(withService(testConfig("dev"), "oms", { exchangeCredentialsSecretArn: OVERRIDE_SECRET_ARN }));
    expect(container(tf, "oms").secrets[0]).toEqual({ name: "EXCHANGE_API_KEY", valueFrom: `${OVERRIDE_SECRET_ARN}:api_key::` });
    expect(statementBySid(tf, "oms_iam_execution_permissions", "ReadInjectedSecrets")?.resources).toEqual([OVERRIDE_SECRET_ARN, REDIS_ARN]);
  });

  test("a service with exchangeCredentials false gets no exchange variables", () => {
    const tf = synthServices(withService(testConfig("dev"), "oms", { exchangeCredentials: false }));
    const names = container(tf, "oms").secrets.map((secret: TerraformJson) => secret.name);
    expect(names).toEqual(["REDIS_URL", "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD"]);
    expect(statementBySid(tf, "oms_iam_execution_permissions", "ReadInjectedSecrets")?.resources).toEqual([REDIS_ARN]);
  });
});

describe("services: IAM least privilege", () => {
  const execEnabled = () => withService(testConfig("dev"), "websocket", { enableExecuteCommand: true });

  test.each([
    ["dev", () => testConfig("dev")],
    ["prod", () => testConfig("prod")],
    ["ECS Exec on", execEnabled],
  ] as const)("%s: no \"*\" resource except ecr:GetAuthorizationToken and the ssmmessages channels", (_, config) => {
    const tf = synthServices(config());
    const documents = dataOf(tf, "aws_iam_policy_document");
    expect(Object.keys(documents).length).toBeGreaterThan(0);
    for (const document of Object.values(documents)) {
      for (const entry of document.statement as TerraformJson[]) {
        if (!entry.resources?.includes("*")) continue;
        const onlyRegistryToken = entry.actions.length === 1 && entry.actions[0] === "ecr:GetAuthorizationToken";
        const onlySessionChannels = entry.actions.every((action: string) => action.startsWith("ssmmessages:"));
        expect(onlyRegistryToken || onlySessionChannels).toBe(true);
        expect(entry.resources).toEqual(["*"]);
      }
    }
  });

  test("both roles trust only ecs-tasks.amazonaws.com from this account's ECS in this region", () => {
    const tf = dev();
    const account = "${data.aws_caller_identity.account.account_id}";
    expect(policyStatements(tf, "oms_iam_trust")).toEqual([
      {
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: [account] },
          { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:\${data.aws_partition.partition.partition}:ecs:us-east-1:${account}:*`] },
        ],
      },
    ]);
    const roles = resourcesOf(tf, "aws_iam_role");
    expect(roles.oms_iam_execution_role.assume_role_policy).toBe("${data.aws_iam_policy_document.oms_iam_trust.json}");
    expect(roles.oms_iam_task_role.assume_role_policy).toBe("${data.aws_iam_policy_document.oms_iam_trust.json}");
    expect(roles.oms_iam_execution_role.name).toBe("sentry-oms-execution-dev");
    expect(roles.oms_iam_task_role.name).toBe("sentry-oms-task-dev");
  });

  test("the execution role pulls only the service's repository and writes only its log group", () => {
    const tf = dev();
    expect(statementBySid(tf, "oms_iam_execution_permissions", "PullImage")).toEqual({
      sid: "PullImage",
      actions: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      resources: ["arn:${data.aws_partition.partition.partition}:ecr:us-east-1:${data.aws_caller_identity.account.account_id}:repository/sentry-oms-dev"],
    });
    expect(statementBySid(tf, "oms_iam_execution_permissions", "WriteLogs")).toEqual({
      sid: "WriteLogs",
      actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
      resources: ["${aws_cloudwatch_log_group.oms_log_group.arn}:*"],
    });
  });

  test("a repositoryUri override in ECR is pulled from that repository; a non-ECR registry gets no ECR permissions", () => {
    const ecr = synthServices(withService(testConfig("dev"), "oms", { repositoryUri: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shared/oms" }));
    expect(container(ecr, "oms").image).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shared/oms:latest");
    expect(statementBySid(ecr, "oms_iam_execution_permissions", "PullImage")?.resources).toEqual([
      "arn:${data.aws_partition.partition.partition}:ecr:eu-west-1:123456789012:repository/shared/oms",
    ]);
    const external = synthServices(withService(testConfig("dev"), "oms", { repositoryUri: "ghcr.io/sentry-trading/oms" }));
    expect(container(external, "oms").image).toBe("ghcr.io/sentry-trading/oms:latest");
    const actions = policyStatements(external, "oms_iam_execution_permissions").flatMap((entry) => entry.actions);
    expect(actions.filter((action: string) => action.startsWith("ecr:"))).toEqual([]);
  });

  test("the task role holds only the application's grants unless ECS Exec is on; then it gets the Session Manager channels and writable agent paths", () => {
    const devTf = dev();
    expect(Object.keys(resourcesOf(devTf, "aws_iam_role_policy")).sort()).toEqual([
      "frontend_iam_application_policy",
      "frontend_iam_execution_policy",
      "oms_iam_application_policy",
      "oms_iam_execution_policy",
      "websocket_iam_application_policy",
      "websocket_iam_execution_policy",
    ]);

    const tf = synthServices(execEnabled());
    expect(resource(tf, "aws_ecs_service", "websocket").enable_execute_command).toBe(true);
    expect(resource(tf, "aws_iam_role_policy", "websocket_iam_task_policy").role).toBe("${aws_iam_role.websocket_iam_task_role.id}");
    expect(policyStatements(tf, "websocket_iam_task_permissions")).toEqual([
      {
        sid: "SessionManagerChannels",
        actions: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
        resources: ["*"],
      },
    ]);
    expect(container(tf, "websocket").readonlyRootFilesystem).toBe(true);
    expect(container(tf, "websocket").mountPoints.map((mount: TerraformJson) => mount.containerPath)).toEqual([
      "/tmp",
      "/managed-agents",
      "/var/lib/amazon/ssm",
      "/var/log/amazon/ssm",
    ]);
    expect(resourcesOf(tf, "aws_iam_role_policy").oms_iam_task_policy).toBeUndefined();
  });

  test("an env file is loaded from S3 and only that object (and its bucket's location) is readable", () => {
    const tf = synthServices(withService(testConfig("dev"), "oms", { envFileS3Arn: ENV_FILE_ARN }));
    expect(container(tf, "oms").environmentFiles).toEqual([{ type: "s3", value: ENV_FILE_ARN }]);
    expect(statementBySid(tf, "oms_iam_execution_permissions", "ReadEnvironmentFile")).toEqual({
      sid: "ReadEnvironmentFile",
      actions: ["s3:GetObject"],
      resources: [ENV_FILE_ARN],
    });
    expect(statementBySid(tf, "oms_iam_execution_permissions", "LocateEnvironmentFileBucket")).toEqual({
      sid: "LocateEnvironmentFileBucket",
      actions: ["s3:GetBucketLocation"],
      resources: ["arn:aws:s3:::sentry-config"],
    });
    expect(container(tf, "frontend")).not.toHaveProperty("environmentFiles");
    const frontendActions = policyStatements(tf, "frontend_iam_execution_permissions").flatMap((entry) => entry.actions);
    expect(frontendActions.filter((action: string) => action.startsWith("s3:"))).toEqual([]);
  });
});

describe("services: auto scaling", () => {
  test("dev: one task each, no auto scaling", () => {
    const tf = dev();
    for (const name of ["oms", "frontend", "websocket"]) expect(resource(tf, "aws_ecs_service", name).desired_count).toBe(1);
    expect(resourcesOf(tf, "aws_appautoscaling_target")).toEqual({});
    expect(resourcesOf(tf, "aws_appautoscaling_policy")).toEqual({});
  });

  test("prod: OMS scales 2..8 tasks, websocket 2..6 (room on its cluster), on 70 % CPU (out 60 s, in 300 s); the frontend does not scale", () => {
    const tf = prod();
    for (const name of ["oms", "frontend", "websocket"]) expect(resource(tf, "aws_ecs_service", name).desired_count).toBe(2);
    expect(Object.keys(resourcesOf(tf, "aws_appautoscaling_target")).sort()).toEqual(["oms_scaling_target", "websocket_scaling_target"]);
    const clusters = { oms: ["oms", 8], websocket: ["frontend", 6] } as const;
    for (const [name, [cluster, maxTasks]] of Object.entries(clusters)) {
      expect(resource(tf, "aws_appautoscaling_target", `${name}_scaling_target`)).toMatchObject({
        service_namespace: "ecs",
        scalable_dimension: "ecs:service:DesiredCount",
        resource_id: `service/\${${COMPUTE}.cluster_names.${cluster}}/\${aws_ecs_service.${name}.name}`,
        min_capacity: 2,
        max_capacity: maxTasks,
      });
      expect(resource(tf, "aws_appautoscaling_policy", `${name}_cpu_scaling_policy`)).toMatchObject({
        name: `sentry-${name}-service-prod-cpu-target-tracking`,
        policy_type: "TargetTrackingScaling",
        resource_id: `\${aws_appautoscaling_target.${name}_scaling_target.resource_id}`,
        target_tracking_scaling_policy_configuration: {
          predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
          target_value: 70,
          scale_out_cooldown: 60,
          scale_in_cooldown: 300,
        },
      });
    }
  });
});

describe("services: what Terraform leaves to others (ignore_changes)", () => {
  test("servicesStackProps lists the services whose pipeline deploys", () => {
    expect(servicesStackProps(testConfig("dev")).pipelineDeployedServices).toEqual(["oms", "frontend", "websocket"]);
    expect(servicesStackProps(withPipelineDeploys(testConfig("dev"), false)).pipelineDeployedServices).toEqual([]);
  });

  test("pipeline-deployed services: Terraform ignores task_definition (and desired_count where the autoscaler owns it)", () => {
    const devTf = dev();
    for (const name of ["oms", "frontend", "websocket"]) {
      expect(resource(devTf, "aws_ecs_service", name).lifecycle).toEqual({ ignore_changes: ["task_definition"] });
    }
    const prodTf = prod();
    expect(resource(prodTf, "aws_ecs_service", "oms").lifecycle).toEqual({ ignore_changes: ["desired_count", "task_definition"] });
    expect(resource(prodTf, "aws_ecs_service", "frontend").lifecycle).toEqual({ ignore_changes: ["task_definition"] });
  });

  test("without a pipeline Deploy stage Terraform owns the task definition", () => {
    const devTf = synthServices(withPipelineDeploys(testConfig("dev"), false));
    for (const name of ["oms", "frontend", "websocket"]) expect(resource(devTf, "aws_ecs_service", name).lifecycle).toBeUndefined();
    const prodTf = synthServices(withPipelineDeploys(testConfig("prod"), false));
    expect(resource(prodTf, "aws_ecs_service", "oms").lifecycle).toEqual({ ignore_changes: ["desired_count"] });
    expect(resource(prodTf, "aws_ecs_service", "frontend").lifecycle).toBeUndefined();
  });
});

describe("services: outputs", () => {
  test("the output contract: maps keyed by service", () => {
    const outputs = dev().output;
    expect(Object.keys(outputs).sort()).toEqual([
      "admin_url",
      "container_names",
      "execution_role_arns",
      "log_group_names",
      "security_group_ids",
      "service_cluster_names",
      "service_names",
      "task_definition_arns",
      "task_role_arns",
      "websocket_url",
    ]);
    for (const [name, output] of Object.entries(outputs) as [string, TerraformJson][]) {
      if (!name.endsWith("_url")) expect(Object.keys(output.value).sort()).toEqual(["frontend", "oms", "websocket"]);
    }
    expect(outputs.admin_url.value).toBe("https://admin.sentry.test/");
    expect(outputs.websocket_url.value).toBe("wss://ws.sentry.test/");
    expect(outputs.container_names.value).toEqual({ oms: "oms", frontend: "frontend", websocket: "websocket" });
    expect(outputs.service_cluster_names.value.websocket).toBe(`\${${COMPUTE}.cluster_names.frontend}`);
    expect(outputs.task_definition_arns.value.oms).toBe("${aws_ecs_task_definition.oms_task_definition.arn}");
  });
});

describe("services: network identity", () => {
  test("each service has its own security group without inline rules; Redis admits only OMS and websocket, by group, on its port", () => {
    const tf = prod();
    for (const name of ["oms", "frontend", "websocket"]) {
      const group = resource(tf, "aws_security_group", `${name}_security_group`);
      expect(group).toMatchObject({ name: `sentry-${name}-prod`, vpc_id: `\${${FOUNDATION}.vpc_id}` });
      expect(group.ingress).toBeUndefined();
      expect(group.egress).toBeUndefined();
    }
    const rules = resourcesOf(tf, "aws_vpc_security_group_ingress_rule");
    expect(Object.keys(rules).sort()).toEqual(["frontend_from_load_balancer", "oms_to_redis", "websocket_from_load_balancer", "websocket_to_redis"]);
    expect(rules.oms_to_redis).toMatchObject({
      security_group_id: "${data.terraform_remote_state.data_outputs.outputs.redis_security_group_id}",
      referenced_security_group_id: "${aws_security_group.oms_security_group.id}",
      ip_protocol: "tcp",
      from_port: "${data.terraform_remote_state.data_outputs.outputs.redis_port}",
      to_port: "${data.terraform_remote_state.data_outputs.outputs.redis_port}",
    });
    expect(JSON.stringify(rules)).not.toMatch(/cidr/);
  });

  test("without Redis clients nothing reaches Redis (phase 2 is still read, for the dashboard)", () => {
    const config = testConfig("dev");
    const tf = synthServices({ ...config, services: config.services.map((service) => ({ ...service, redisAccess: false })) });
    expect(Object.keys(resourcesOf(tf, "aws_vpc_security_group_ingress_rule")).filter((name) => name.endsWith("_to_redis"))).toEqual([]);
  });
});

describe("services: bad configuration", () => {
  const devConfig = testConfig("dev");
  const prodConfig = testConfig("prod");
  const scaling = prodConfig.services[0].autoScaling;

  test("auto scaling minTaskCount above maxTaskCount", () => {
    const bad = withService(devConfig, "oms", { autoScaling: { ...scaling, minTaskCount: 5, maxTaskCount: 3 } });
    expect(() => validateEnvironmentConfig(bad)).toThrow(/services\[0\]\.autoScaling\.minTaskCount = 5; expected minTaskCount <= maxTaskCount \(3\)/);
    expect(() => buildTestApp(bad)).toThrow(/EcsEc2Service sentry-oms-service-dev: autoScaling.minTaskCount 5 must be <= maxTaskCount 3/);
  });

  test("desired count outside min..max when auto scaling is on", () => {
    const bad = withService(prodConfig, "oms", { desiredCount: 1 });
    expect(() => validateEnvironmentConfig(bad)).toThrow(/services\[0\]\.desiredCount = 1; expected desired between min and max task count \(2\.\.8\)/);
    expect(() => buildTestApp(bad)).toThrow(/desiredCount 1 must be between min and max task count \(2\.\.8\)/);
    const withInsights = { ...devConfig, clusters: { ...devConfig.clusters, oms: { ...devConfig.clusters.oms, containerInsights: true } } };
    expect(() => validateEnvironmentConfig(withService(withInsights, "oms", { desiredCount: 3 }))).not.toThrow();
  });

  test("deployment percents outside what ECS accepts", () => {
    const bad = withService(devConfig, "frontend", { deployment: { minimumHealthyPercent: 0, maximumPercent: 250 } });
    expect(() => validateEnvironmentConfig(bad)).toThrow("dev.services[1].deployment.maximumPercent = 250; expected a whole number from 100 to 200");
    expect(() => buildTestApp(bad)).toThrow(/deployment percents 0\/250 must be 0..100 \(minimum healthy\) and 100..200 \(maximum\)/);
  });

  test("an envFileS3Arn that is not an S3 object ARN", () => {
    for (const arn of ["s3://sentry-config/oms/dev.env", "arn:aws:s3:::sentry-config"]) {
      const bad = withService(devConfig, "oms", { envFileS3Arn: arn });
      expect(() => validateEnvironmentConfig(bad)).toThrow(/services\[0\]\.envFileS3Arn = .*expected an S3 object ARN/);
      expect(() => buildTestApp(bad)).toThrow(/environmentFileArn .* must be an S3 object ARN/);
    }
  });

  test("a root container user", () => {
    for (const user of ["0", "0:0"]) {
      const bad = withService(devConfig, "frontend", { containerUser: user });
      expect(() => validateEnvironmentConfig(bad)).toThrow(/services\[1\]\.containerUser = "0(:0)?"; expected a non-root uid/);
      expect(() => buildTestApp(bad)).toThrow(/EcsEc2Service sentry-frontend-service-dev: user "0(:0)?" must be a numeric non-root uid/);
    }
    expect(() => validateEnvironmentConfig(withService(devConfig, "frontend", { containerUser: "root" }))).toThrow(/containerUser = "root"/);
  });

  test("an exchangeCredentialsSecretArn that is not a full secret ARN, or on a service without exchange credentials", () => {
    const partial = "arn:aws:secretsmanager:us-east-1:123456789012:secret:sentry/dev/exchange-credentials";
    expect(() => validateEnvironmentConfig(withService(devConfig, "oms", { exchangeCredentialsSecretArn: partial }))).toThrow(
      /services\[0\]\.exchangeCredentialsSecretArn = .*expected a full secret ARN/,
    );
    expect(() => validateEnvironmentConfig(withService(devConfig, "frontend", { exchangeCredentialsSecretArn: OVERRIDE_SECRET_ARN }))).toThrow(
      /services\[1\]\.exchangeCredentialsSecretArn = .*expected no ARN when exchangeCredentials is false/,
    );
  });
});
