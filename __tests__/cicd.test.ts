import { readFileSync } from "fs";
import { join } from "path";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { TerraformStack, Testing } from "cdktf";
import { parse } from "yaml";
import { EnvironmentConfig, EnvironmentName, PipelineConfig } from "../src/config";
import { validateEnvironmentConfig } from "../src/config/validate";
import { ContainerPipeline } from "../src/constructs/delivery/container-pipeline";
import { ImageRepository } from "../src/constructs/delivery/image-repository";
import { CONDITION_SCOPED_ACTIONS, NO_RESOURCE_LEVEL_ACTIONS } from "../src/security/rules";
import { stackName } from "../src/stacks/names";
import { ServerAccessLogBucket } from "../src/constructs/encryption/server-access-log-bucket";
import { TEST_OPERATOR_VARIABLES, TerraformJson, buildTestApp, dataOf, policyStatements, resource, resourcesOf, statementBySid, synthPhase, testConfig } from "./support/synth";

const SERVICES = ["oms", "frontend", "websocket"] as const;
const CONNECTION_ARN = "arn:aws:codestar-connections:us-east-1:123456789012:connection/abc-123";
const BUILDSPEC = join(__dirname, "..", "src", "buildspecs", "arm64-docker", "buildspec.yml");
const ACCOUNT_ID = "${data.aws_caller_identity.caller.account_id}";
const PHASE4 = "data.terraform_remote_state.services_outputs.outputs";
const KEY = "${data.terraform_remote_state.foundation_outputs.outputs.kms_key_arn}";

function cicd(config: EnvironmentConfig): TerraformJson {
  return synthPhase(config, "cicd").tf;
}

function withPipelines(config: EnvironmentConfig, change: (pipeline: PipelineConfig) => PipelineConfig): EnvironmentConfig {
  return { ...config, cicd: { ...config.cicd, pipelines: config.cicd.pipelines.map(change) } };
}

function statement(tf: TerraformJson, document: string, sid: string): TerraformJson {
  const found = statementBySid(tf, document, sid);
  if (!found) throw new Error(`no statement ${sid} in ${document}`);
  return found;
}

function stage(tf: TerraformJson, service: string, name: string): TerraformJson | undefined {
  return resource(tf, "aws_codepipeline", service).stage.find((candidate: TerraformJson) => candidate.name === name);
}

function environmentVariables(tf: TerraformJson, service: string): Record<string, string> {
  const variables: TerraformJson[] = resource(tf, "aws_codebuild_project", `${service}_build`).environment.environment_variable;
  return Object.fromEntries(variables.map((variable) => [variable.name, variable.value]));
}

describe("cicd: pipelines per environment", () => {
  test.each<[EnvironmentName, string]>([
    ["dev", "develop"],
    ["staging", "main"],
    ["prod", "main"],
  ])("%s: one V2 pipeline per service, source %s of the service's repository through the connection", (env, branch) => {
    const tf = cicd(testConfig(env));
    expect(Object.keys(resourcesOf(tf, "aws_codepipeline")).sort()).toEqual([...SERVICES].sort());
    for (const service of SERVICES) {
      const pipeline = resource(tf, "aws_codepipeline", service);
      expect(pipeline.name).toBe(`sentry-pipeline-${service}-${env}`);
      expect(pipeline.pipeline_type).toBe("V2");
      expect(pipeline.role_arn).toBe(`\${aws_iam_role.${service}_pipeline_role.arn}`);
      expect(pipeline.artifact_store).toEqual([{ type: "S3", location: `\${aws_s3_bucket.${service}_artifacts.bucket}`, encryption_key: { id: KEY, type: "KMS" } }]);
      expect(pipeline.stage.map((candidate: TerraformJson) => candidate.name)).toEqual(["Source", "Build", "Deploy"]);
      const [source] = stage(tf, service, "Source")!.action;
      expect(source).toMatchObject({ category: "Source", owner: "AWS", provider: "CodeStarSourceConnection", output_artifacts: ["source"] });
      expect(source.configuration).toEqual({
        ConnectionArn: "${aws_codestarconnections_connection.github_connection.arn}",
        FullRepositoryId: `sentry-trading/sentry-${service}`,
        BranchName: branch,
        OutputArtifactFormat: "CODE_ZIP",
      });
      const [build] = stage(tf, service, "Build")!.action;
      expect(build).toMatchObject({ provider: "CodeBuild", input_artifacts: ["source"], output_artifacts: ["image"] });
      expect(build.configuration).toEqual({ ProjectName: `\${aws_codebuild_project.${service}_build.name}` });
    }
  });

  test("the pipeline waits for both roles' permissions, since a new pipeline runs at once", () => {
    const tf = cicd(testConfig("dev"));
    expect(resource(tf, "aws_codepipeline", "oms").depends_on).toEqual(["aws_iam_role_policy.oms_build_role_policy", "aws_iam_role_policy.oms_pipeline_role_policy"]);
  });
});

describe("cicd: deploy stage", () => {
  test("deploy: true rolls the phase-4 service with imagedefinitions.json, names read from phase 4's maps", () => {
    const tf = cicd(testConfig("prod"));
    for (const service of SERVICES) {
      const [deploy] = stage(tf, service, "Deploy")!.action;
      expect(deploy).toMatchObject({ category: "Deploy", owner: "AWS", provider: "ECS", version: "1", input_artifacts: ["image"] });
      expect(deploy.configuration).toEqual({
        ClusterName: `\${${PHASE4}.service_cluster_names.${service}}`,
        ServiceName: `\${${PHASE4}.service_names.${service}}`,
        FileName: "imagedefinitions.json",
      });
    }
  });

  test("deploy: false leaves out the stage and every ECS and PassRole permission of that pipeline only", () => {
    const tf = cicd(withPipelines(testConfig("dev"), (pipeline) => (pipeline.service === "frontend" ? { ...pipeline, deploy: false } : pipeline)));
    expect(stage(tf, "frontend", "Deploy")).toBeUndefined();
    expect(stage(tf, "oms", "Deploy")).toBeDefined();
    const actions = (document: string) => policyStatements(tf, document).flatMap((candidate) => candidate.actions as string[]);
    expect(actions("frontend_pipeline_permissions").filter((action) => action.startsWith("ecs:") || action.startsWith("iam:"))).toEqual([]);
    expect(actions("oms_pipeline_permissions")).toContain("ecs:UpdateService");
    expect(environmentVariables(tf, "frontend").CONTAINER_NAME).toBe("frontend");
  });

  test("with no deploy stage at all, phase 4's state is not read (only the foundation's, for the key)", () => {
    const tf = cicd(withPipelines(testConfig("dev"), (pipeline) => ({ ...pipeline, deploy: false })));
    expect(Object.keys(dataOf(tf, "terraform_remote_state"))).toEqual(["foundation_outputs"]);
    for (const service of SERVICES) expect(stage(tf, service, "Deploy")).toBeUndefined();
  });

  test.each<EnvironmentName>(["dev", "prod"])("%s: phase 4's outputs come from its state in the same workspace", (env) => {
    const tf = cicd(testConfig(env));
    const remote = dataOf(tf, "terraform_remote_state").services_outputs;
    expect(remote.backend).toBe("s3");
    expect(remote.workspace).toBe(env);
    expect(remote.config).toEqual({ bucket: "sentry-test-state", key: "sentry/services.tfstate", region: "us-east-1", workspace_key_prefix: "env:" });
  });
});

describe("cicd: CodeBuild", () => {
  test.each<[EnvironmentName, number]>([
    ["dev", 14],
    ["staging", 30],
    ["prod", 365],
  ])("%s: native ARM64 Docker builds, logs kept %i days in the project's own group", (env, retention) => {
    const tf = cicd(testConfig(env));
    for (const service of SERVICES) {
      const project = resource(tf, "aws_codebuild_project", `${service}_build`);
      expect(project.name).toBe(`sentry-build-${service}-${env}`);
      expect(project.service_role).toBe(`\${aws_iam_role.${service}_build_role.arn}`);
      expect(project.environment).toMatchObject({
        type: "ARM_CONTAINER",
        compute_type: "BUILD_GENERAL1_SMALL",
        image: "aws/codebuild/amazonlinux2-aarch64-standard:3.0",
        privileged_mode: true,
      });
      expect(environmentVariables(tf, service)).toEqual({
        AWS_ACCOUNT_ID: ACCOUNT_ID,
        AWS_DEFAULT_REGION: "us-east-1",
        ECR_REPOSITORY_NAME: `sentry-${service}-${env}`,
        CONTAINER_NAME: `\${${PHASE4}.container_names.${service}}`,
      });
      expect(project.source).toEqual({ type: "CODEPIPELINE", buildspec: "buildspec.yml" });
      expect(project.artifacts).toEqual({ type: "CODEPIPELINE" });
      expect(project.logs_config.cloudwatch_logs).toEqual({ status: "ENABLED", group_name: `\${aws_cloudwatch_log_group.${service}_build_logs.name}` });
      const logGroup = resource(tf, "aws_cloudwatch_log_group", `${service}_build_logs`);
      expect(logGroup.name).toBe(`/sentry/${env}/codebuild/${service}`);
      expect(logGroup.retention_in_days).toBe(retention);
      expect(logGroup.kms_key_id).toBe(KEY);
      expect(project.encryption_key).toBe(KEY);
    }
  });
});

describe("cicd: ECR repositories", () => {
  test.each<[EnvironmentName, boolean]>([
    ["dev", true],
    ["staging", true],
    ["prod", false],
  ])("%s: scanned, KMS-encrypted, mutable for `latest`; force_delete %s", (env, forceDelete) => {
    const tf = cicd(testConfig(env));
    for (const service of SERVICES) {
      const repository = resource(tf, "aws_ecr_repository", `${service}_repository`);
      expect(repository.name).toBe(`sentry-${service}-${env}`);
      expect(repository.image_scanning_configuration).toEqual({ scan_on_push: true });
      expect(repository.encryption_configuration).toEqual([{ encryption_type: "KMS", kms_key: KEY }]);
      expect(repository.image_tag_mutability).toBe("MUTABLE");
      expect(repository.force_delete).toBe(forceDelete);
    }
  });

  test("lifecycle: untagged images expire after the configured days, the newest tagged ones are kept", () => {
    const base = testConfig("dev");
    const tf = cicd({ ...base, cicd: { ...base.cicd, keepTaggedImages: 12, untaggedImageExpiryDays: 3 } });
    const policy = resource(tf, "aws_ecr_lifecycle_policy", "oms_repository_lifecycle");
    expect(policy.repository).toBe("${aws_ecr_repository.oms_repository.name}");
    const rules = JSON.parse(policy.policy).rules;
    expect(rules).toHaveLength(2);
    expect(rules[0]).toMatchObject({
      rulePriority: 1,
      selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 3 },
      action: { type: "expire" },
    });
    expect(rules[1]).toMatchObject({
      rulePriority: 2,
      selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: 12 },
      action: { type: "expire" },
    });
  });

  test("the default config keeps 30 tagged images and untagged ones 7 days", () => {
    const rules = JSON.parse(resource(cicd(testConfig("prod")), "aws_ecr_lifecycle_policy", "websocket_repository_lifecycle").policy).rules;
    expect(rules.map((rule: TerraformJson) => rule.selection.countNumber)).toEqual([7, 30]);
  });
});

describe("cicd: CodeStar connection", () => {
  test("created, GitHub, PENDING until completed in the console, when the operator gives none", () => {
    const tf = cicd(testConfig("staging"));
    expect(resource(tf, "aws_codestarconnections_connection", "github_connection")).toMatchObject({ name: "sentry-github-staging", provider_type: "GitHub" });
    expect(tf.output.codestar_connection_arn.value).toBe("${aws_codestarconnections_connection.github_connection.arn}");
  });

  test("not created when SENTRY_CODESTAR_CONNECTION_ARN is set; the pipelines and their roles use that ARN", () => {
    const tf = cicd(testConfig("dev", { ...TEST_OPERATOR_VARIABLES, SENTRY_CODESTAR_CONNECTION_ARN: CONNECTION_ARN }));
    expect(resourcesOf(tf, "aws_codestarconnections_connection")).toEqual({});
    expect(tf.output.codestar_connection_arn.value).toBe(CONNECTION_ARN);
    for (const service of SERVICES) {
      expect(stage(tf, service, "Source")!.action[0].configuration.ConnectionArn).toBe(CONNECTION_ARN);
      expect(statement(tf, `${service}_pipeline_permissions`, "UseSourceConnection").resources).toEqual([CONNECTION_ARN]);
    }
  });
});

describe("cicd: IAM", () => {
  const tf = cicd(testConfig("prod"));
  /** Actions that may take "*", each with its reason commented in the baseline's lists. */
  const STAR_ACTIONS = [...NO_RESOURCE_LEVEL_ACTIONS, ...Object.keys(CONDITION_SCOPED_ACTIONS)];

  test("trust: CodeBuild and CodePipeline, on behalf of this account and for their own project and pipeline only", () => {
    const partition = "${data.aws_partition.partition.partition}";
    for (const [document, principal, sourceArn] of [
      ["oms_build_trust", "codebuild.amazonaws.com", `arn:${partition}:codebuild:us-east-1:${ACCOUNT_ID}:project/sentry-build-oms-prod`],
      ["oms_pipeline_trust", "codepipeline.amazonaws.com", `arn:${partition}:codepipeline:us-east-1:${ACCOUNT_ID}:sentry-pipeline-oms-prod`],
    ]) {
      expect(policyStatements(tf, document)).toEqual([
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: [principal] }],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT_ID] },
            { test: "ArnLike", variable: "aws:SourceArn", values: [sourceArn] },
          ],
        },
      ]);
    }
    expect(resource(tf, "aws_iam_role", "oms_build_role")).toMatchObject({ name: "sentry-build-oms-prod-role", assume_role_policy: "${data.aws_iam_policy_document.oms_build_trust.json}" });
    expect(resource(tf, "aws_iam_role", "oms_pipeline_role").name).toBe("sentry-pipeline-oms-prod-role");
  });

  test("build role: push and pull its own repository, its own logs, artifact objects, nothing else", () => {
    for (const service of SERVICES) {
      const document = `${service}_build_permissions`;
      expect(policyStatements(tf, document).map((candidate) => candidate.sid)).toEqual(["PushAndPullOwnRepository", "EcrLogin", "WriteBuildLogs", "ReadSourceWriteImageDefinitions", "EncryptedArtifacts"]);
      expect(statement(tf, document, "EncryptedArtifacts")).toEqual({ sid: "EncryptedArtifacts", actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [KEY] });
      expect(statement(tf, document, "PushAndPullOwnRepository")).toEqual({
        sid: "PushAndPullOwnRepository",
        actions: [
          "ecr:BatchCheckLayerAvailability",
          "ecr:BatchGetImage",
          "ecr:CompleteLayerUpload",
          "ecr:GetDownloadUrlForLayer",
          "ecr:InitiateLayerUpload",
          "ecr:PutImage",
          "ecr:UploadLayerPart",
        ],
        resources: [`\${aws_ecr_repository.${service}_repository.arn}`],
      });
      expect(statement(tf, document, "EcrLogin")).toMatchObject({ actions: ["ecr:GetAuthorizationToken"], resources: ["*"] });
      expect(statement(tf, document, "WriteBuildLogs")).toMatchObject({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [`\${aws_cloudwatch_log_group.${service}_build_logs.arn}:*`],
      });
      expect(statement(tf, document, "ReadSourceWriteImageDefinitions")).toMatchObject({
        actions: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
        resources: [`\${aws_s3_bucket.${service}_artifacts.arn}/*`],
      });
      expect(resource(tf, "aws_iam_role_policy", `${service}_build_role_policy`)).toMatchObject({
        role: `\${aws_iam_role.${service}_build_role.id}`,
        policy: `\${data.aws_iam_policy_document.${document}.json}`,
      });
    }
  });

  test("pipeline role: its connection, its build, the artifact bucket, and its own ECS service", () => {
    const document = "websocket_pipeline_permissions";
    const ecs = "arn:${data.aws_partition.partition.partition}:ecs:us-east-1:" + ACCOUNT_ID;
    expect(statement(tf, document, "UseSourceConnection").resources).toEqual(["${aws_codestarconnections_connection.github_connection.arn}"]);
    expect(statement(tf, document, "RunOwnBuild")).toMatchObject({
      actions: ["codebuild:BatchGetBuilds", "codebuild:StartBuild"],
      resources: ["${aws_codebuild_project.websocket_build.arn}"],
    });
    expect(statement(tf, document, "ArtifactObjects").resources).toEqual(["${aws_s3_bucket.websocket_artifacts.arn}/*"]);
    expect(statement(tf, document, "ArtifactBucket").resources).toEqual(["${aws_s3_bucket.websocket_artifacts.arn}"]);
    const cluster = `\${${PHASE4}.service_cluster_names.websocket}`;
    expect(statement(tf, document, "RollOwnService")).toMatchObject({
      actions: ["ecs:DescribeServices", "ecs:UpdateService"],
      resources: [`${ecs}:service/${cluster}/\${${PHASE4}.service_names.websocket}`],
    });
    expect(statement(tf, document, "TagNewTaskDefinitionRevision")).toMatchObject({
      resources: [`${ecs}:task-definition/*`],
      condition: [{ test: "StringEquals", variable: "ecs:CreateAction", values: ["RegisterTaskDefinition"] }],
    });
    expect(statement(tf, document, "WatchDeploymentTasks").resources).toEqual([`${ecs}:task/${cluster}/*`]);
    expect(statement(tf, document, "ListDeploymentTasks").condition).toEqual([{ test: "ArnEquals", variable: "ecs:cluster", values: [`${ecs}:cluster/${cluster}`] }]);
    expect(statement(tf, document, "PassServiceRolesToEcsTasks")).toEqual({
      sid: "PassServiceRolesToEcsTasks",
      actions: ["iam:PassRole"],
      resources: [`\${${PHASE4}.task_role_arns.websocket}`, `\${${PHASE4}.execution_role_arns.websocket}`],
      condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] }],
    });
  });

  test('"*" only for actions without resource-level permissions, and never with a wildcard action', () => {
    const allows = Object.entries(dataOf(tf, "aws_iam_policy_document"))
      .filter(([name]) => name.endsWith("_permissions"))
      .flatMap(([, document]) => document.statement as TerraformJson[]);
    expect(allows.length).toBeGreaterThan(0);
    for (const allow of allows) {
      expect(allow.effect ?? "Allow").toBe("Allow");
      for (const action of allow.actions as string[]) expect(action).not.toMatch(/\*/);
      if ((allow.resources as string[]).includes("*")) {
        expect(allow.resources).toEqual(["*"]);
        for (const action of allow.actions as string[]) expect(STAR_ACTIONS).toContain(action);
      }
    }
    expect(statement(tf, "oms_pipeline_permissions", "ListDeploymentTasks").condition).toHaveLength(1);
  });
});

describe("cicd: artifact buckets", () => {
  test.each<[EnvironmentName, number]>([
    ["dev", 30],
    ["prod", 30],
  ])("%s: one per pipeline, private, versioned, KMS-encrypted, TLS only, artifacts expire after %i days, destroyable", (env, days) => {
    const tf = cicd(testConfig(env));
    expect(Object.keys(resourcesOf(tf, "aws_s3_bucket")).sort()).toEqual(["frontend_artifacts", "oms_artifacts", "s3_access_logs", "websocket_artifacts"]);
    const bucket = resource(tf, "aws_s3_bucket", "oms_artifacts");
    expect(bucket.bucket).toBe(`sentry-oms-artifacts-${env}-${ACCOUNT_ID}-us-east-1`);
    expect(bucket.force_destroy).toBe(true);
    expect(bucket.lifecycle).toEqual({ prevent_destroy: false });
    expect(resource(tf, "aws_s3_bucket_versioning", "oms_artifacts_versioning").versioning_configuration).toEqual({ status: "Enabled" });
    expect(resource(tf, "aws_s3_bucket_server_side_encryption_configuration", "oms_artifacts_encryption").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: KEY }, bucket_key_enabled: true },
    ]);
    expect(resource(tf, "aws_s3_bucket_public_access_block", "oms_artifacts_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const [rule] = resource(tf, "aws_s3_bucket_lifecycle_configuration", "oms_artifacts_lifecycle").rule;
    expect(rule.expiration).toEqual([{ days }]);
    expect(rule.noncurrent_version_expiration).toEqual([{ noncurrent_days: 1 }]);
    expect(policyStatements(tf, "oms_artifacts_tls_only")[0]).toMatchObject({
      effect: "Deny",
      condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
    });
  });

  test.each<[EnvironmentName, number, boolean]>([
    ["dev", 14, false],
    ["prod", 365, true],
  ])("%s: each artifact bucket logs its requests under its own prefix to the stack's S3 access-log bucket (kept %i days, protected: %s)", (env, days, protect) => {
    const tf = cicd(testConfig(env));
    for (const service of SERVICES) {
      expect(resource(tf, "aws_s3_bucket_logging", `${service}_artifacts_logging`)).toMatchObject({
        bucket: `\${aws_s3_bucket.${service}_artifacts.id}`,
        target_bucket: "${aws_s3_bucket.s3_access_logs.id}",
        target_prefix: `artifacts/${service}/`,
      });
    }
    const logs = resource(tf, "aws_s3_bucket", "s3_access_logs");
    expect(logs.bucket).toBe(`sentry-s3-logs-cicd-${env}-${ACCOUNT_ID}-us-east-1`);
    expect(logs.lifecycle).toEqual({ prevent_destroy: protect });
    expect(resource(tf, "aws_s3_bucket_server_side_encryption_configuration", "s3_access_logs_encryption").rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }]);
    expect(resource(tf, "aws_s3_bucket_lifecycle_configuration", "s3_access_logs_lifecycle").rule[0].expiration).toEqual([{ days }]);
    const deliveries = policyStatements(tf, "s3_access_logs_tls_only").filter((statement: TerraformJson) => statement.sid?.startsWith("S3ServerAccessLogs"));
    expect(deliveries.map((statement: TerraformJson) => statement.resources)).toEqual(SERVICES.map((service) => [`\${aws_s3_bucket.s3_access_logs.arn}/artifacts/${service}/*`]));
    expect(deliveries[0].condition).toContainEqual({
      test: "ArnLike",
      variable: "aws:SourceArn",
      values: [`arn:\${data.aws_partition.partition.partition}:s3:::sentry-${SERVICES[0]}-artifacts-${env}-${ACCOUNT_ID}-us-east-1`],
    });
  });

  test.each([
    [[], "ServerAccessLogBucket logs: sources is empty; name the buckets that log here"],
    [[{ bucketName: "b", prefix: "/b" }], 'ServerAccessLogBucket logs: prefix "/b" of b must be lowercase path segments ending in "/"'],
  ])("the access-log bucket construct refuses %j", (sources, message) => {
    const build = () => new ServerAccessLogBucket(new TerraformStack(Testing.app(), "probe"), "logs", { bucketName: "logs", accountId: "1", partition: "aws", sources, retentionDays: 14 });
    expect(build).toThrow(message);
  });

  test("the artifact expiry follows config", () => {
    const base = testConfig("staging");
    const tf = cicd({ ...base, cicd: { ...base.cicd, artifactExpiryDays: 5 } });
    expect(resource(tf, "aws_s3_bucket_lifecycle_configuration", "websocket_artifacts_lifecycle").rule[0].expiration).toEqual([{ days: 5 }]);
  });
});

describe("cicd: outputs", () => {
  test("the contract: connection and per-service maps", () => {
    const tf = cicd(testConfig("dev"));
    const perService = (pick: (service: string) => string) => Object.fromEntries(SERVICES.map((service) => [service, pick(service)]));
    expect(Object.keys(tf.output).sort()).toEqual(["artifact_bucket_names", "codebuild_project_names", "codestar_connection_arn", "ecr_repository_urls", "pipeline_names"]);
    expect(tf.output.ecr_repository_urls.value).toEqual(perService((service) => `\${aws_ecr_repository.${service}_repository.repository_url}`));
    expect(tf.output.pipeline_names.value).toEqual(perService((service) => `\${aws_codepipeline.${service}.name}`));
    expect(tf.output.codebuild_project_names.value).toEqual(perService((service) => `\${aws_codebuild_project.${service}_build.name}`));
    expect(tf.output.artifact_bucket_names.value).toEqual(perService((service) => `\${aws_s3_bucket.${service}_artifacts.bucket}`));
  });

  test("the cicd stack is applied after the services stack", () => {
    const app = buildTestApp(testConfig("dev"));
    const stack = (phase: "services" | "cicd") => app.node.findChild(stackName(phase, "dev")) as TerraformStack;
    expect(stack("cicd").dependencies).toContain(stack("services"));
  });
});

describe("cicd: buildspec", () => {
  const text = readFileSync(BUILDSPEC, "utf8");
  const buildspec = parse(text);
  /** Variables CodeBuild sets in every build (documented built-ins) that the buildspec may use. */
  const CODEBUILD_BUILT_INS = ["CODEBUILD_RESOLVED_SOURCE_VERSION", "AWS_DEFAULT_REGION", "AWS_REGION", "CODEBUILD_BUILD_ID", "CODEBUILD_SRC_DIR"];

  test("is valid YAML of buildspec version 0.2 with the guide's three phases", () => {
    expect(buildspec.version).toBe(0.2);
    expect(Object.keys(buildspec.phases)).toEqual(["pre_build", "build", "post_build"]);
    expect(buildspec.artifacts.files).toEqual(["imagedefinitions.json"]);
  });

  test("pushes the commit tag and latest, and names the commit tag in imagedefinitions.json", () => {
    const image = "$AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com/$ECR_REPOSITORY_NAME";
    const post: string[] = buildspec.phases.post_build.commands;
    expect(post).toContain(`docker push ${image}:$CODEBUILD_RESOLVED_SOURCE_VERSION`);
    expect(post).toContain(`docker push ${image}:latest`);
    const write = post.find((command) => command.includes("imagedefinitions.json"))!;
    expect(write).toContain(`"$CONTAINER_NAME" "${image}:$CODEBUILD_RESOLVED_SOURCE_VERSION"`);
    expect(write).not.toContain(":latest");
    // The shell's printf format, filled in, is the deploy action's file.
    const format = /printf '([^']+)'/.exec(write)![1];
    const filled = format.replace("%s", "oms").replace("%s", "123.dkr.ecr.us-east-1.amazonaws.com/sentry-oms-dev:abc");
    expect(JSON.parse(filled)).toEqual([{ name: "oms", imageUri: "123.dkr.ecr.us-east-1.amazonaws.com/sentry-oms-dev:abc" }]);
  });

  test("a failed login or build stops the run before anything is pushed", () => {
    expect(buildspec.phases.pre_build["on-failure"]).toBe("ABORT");
    expect(buildspec.phases.build["on-failure"]).toBe("ABORT");
  });

  test("every variable it uses is a CodeBuild built-in or one of the project's environment variables", () => {
    const tf = cicd(testConfig("dev"));
    const provided = new Set([...CODEBUILD_BUILT_INS, ...Object.keys(environmentVariables(tf, "oms"))]);
    const commands = Object.values(buildspec.phases as Record<string, { commands: string[] }>).flatMap((phase) => phase.commands);
    const used = new Set(commands.flatMap((command) => [...command.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1])));
    expect([...used].sort()).toEqual(["AWS_ACCOUNT_ID", "AWS_DEFAULT_REGION", "CODEBUILD_RESOLVED_SOURCE_VERSION", "CONTAINER_NAME", "ECR_REPOSITORY_NAME"]);
    for (const name of used) expect(provided).toContain(name);
  });
});

describe("cicd: bad configuration", () => {
  const base = testConfig("dev");

  test("a repository that is not owner/name", () => {
    expect(() => validateEnvironmentConfig(withPipelines(base, (pipeline) => ({ ...pipeline, repository: "sentry-oms" })))).toThrow(
      /dev\.cicd\.pipelines\[0\]\.repository = "sentry-oms"; expected a GitHub repository of the form owner\/name/,
    );
  });

  test("an unknown service", () => {
    const pipelines = [{ ...base.cicd.pipelines[0], service: "billing" } as unknown as PipelineConfig];
    expect(() => validateEnvironmentConfig({ ...base, cicd: { ...base.cicd, pipelines } })).toThrow(
      /dev\.cicd\.pipelines\[0\]\.service = "billing"; expected one of oms, frontend, websocket/,
    );
  });

  test("a deploy stage for a service phase 4 does not define", () => {
    const config = { ...base, services: base.services.filter((service) => service.name !== "websocket") };
    expect(() => validateEnvironmentConfig(config)).toThrow(/dev\.cicd\.pipelines\[2\]\.deploy = true; expected false: phase 4 defines no service "websocket"/);
    expect(() => validateEnvironmentConfig(withPipelines(config, (pipeline) => ({ ...pipeline, deploy: pipeline.service !== "websocket" })))).not.toThrow();
  });

  test("two pipelines for one service", () => {
    const pipelines = [...base.cicd.pipelines, base.cicd.pipelines[0]];
    expect(() => validateEnvironmentConfig({ ...base, cicd: { ...base.cicd, pipelines } })).toThrow(/dev\.cicd\.pipelines\[3\] = "oms"/);
  });

  test("a malformed connection ARN", () => {
    expect(() => testConfig("dev", { ...TEST_OPERATOR_VARIABLES, SENTRY_CODESTAR_CONNECTION_ARN: "connection/abc" })).toThrow(/SENTRY_CODESTAR_CONNECTION_ARN/);
  });

  test("construct props: an image repository keeping no images", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    expect(() => new ImageRepository(stack, "repository", { name: "r", keepTaggedImages: 0, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k" })).toThrow(/keepTaggedImages 0 must be a whole number of at least 1/);
  });

  test("construct props: a pipeline whose source is not owner/name, or whose deploy passes no roles", () => {
    const build = (change: (props: ConstructorParameters<typeof ContainerPipeline>[2]) => ConstructorParameters<typeof ContainerPipeline>[2]) => {
      const stack = new TerraformStack(Testing.app(), "test");
      const bucket = new S3Bucket(stack, "bucket", { bucket: "b" });
      return () =>
        new ContainerPipeline(
          stack,
          "pipeline",
          change({
            name: "p",
            accountId: "123456789012",
            partition: "aws",
            region: "us-east-1",
            artifactBucket: bucket,
            kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
            imageRepositoryArn: "arn:aws:ecr:us-east-1:123456789012:repository/r",
            source: { connectionArn: CONNECTION_ARN, repository: "owner/name", branch: "main" },
            build: { projectName: "b", environmentVariables: {}, logGroupName: "/b", logRetentionDays: 7 },
          }),
        );
    };
    expect(build((props) => props)).not.toThrow();
    expect(build((props) => ({ ...props, source: { ...props.source, repository: "https://github.com/owner/name" } }))).toThrow(
      /source\.repository "https:\/\/github\.com\/owner\/name" must be a GitHub repository of the form owner\/name/,
    );
    expect(build((props) => ({ ...props, deploy: { clusterName: "c", serviceName: "s", passRoleArns: [] } }))).toThrow(/deploy\.passRoleArns is empty/);
  });
});
