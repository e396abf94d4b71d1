import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { Codepipeline, CodepipelineStage } from "@cdktf/provider-aws/lib/codepipeline";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { Construct } from "constructs";
import { ecrLoginStatement, serviceTrustStatement, useKeyStatement, writeLogsStatement } from "../encryption/policy-statements";
import { GITHUB_REPOSITORY } from "../../lib/patterns";

/** Where the source comes from: a GitHub repository through a CodeStar (CodeConnections) connection. */
export interface ContainerPipelineSourceProps {
  /** ARN of the connection. */
  readonly connectionArn: string;
  /** GitHub repository, `owner/name`. */
  readonly repository: string;
  /** Branch whose pushes start the pipeline. */
  readonly branch: string;
}

/** The CodeBuild project that builds and pushes the image. */
export interface ContainerPipelineBuildProps {
  /** CodeBuild project name; its role is `<projectName>-role`. */
  readonly projectName: string;
  /** Path of the buildspec in the source repository. @default "buildspec.yml" */
  readonly buildspecPath?: string;
  /** CodeBuild environment type. @default "ARM_CONTAINER" (native ARM64 builds for Graviton hosts) */
  readonly environmentType?: string;
  /** @default "aws/codebuild/amazonlinux2-aarch64-standard:3.0" */
  readonly image?: string;
  /** @default "BUILD_GENERAL1_SMALL" */
  readonly computeType?: string;
  /** Plain-text environment variables of every build (never secrets: they show in the console). */
  readonly environmentVariables: Readonly<Record<string, string>>;
  /** Log group the project creates and writes build logs to. */
  readonly logGroupName: string;
  /** Days the build logs are kept (a CloudWatch Logs retention value). */
  readonly logRetentionDays: number;
  /** @default 30 */
  readonly timeoutMinutes?: number;
}

/** An ECS standard deployment of the built image, driven by the build's `imagedefinitions.json`. */
export interface ContainerPipelineDeployProps {
  /** ECS cluster of the service the deploy stage rolls. */
  readonly clusterName: string;
  /** ECS service the deploy stage rolls. */
  readonly serviceName: string;
  /** Roles the service's task definition names (task and execution role); the deploy passes them to ECS. */
  readonly passRoleArns: readonly string[];
}

export interface ContainerPipelineProps {
  /** Pipeline name; the pipeline's role is `<name>-role`, the build's `<projectName>-role`. */
  readonly name: string;
  /** AWS account the pipeline runs in: trust conditions and ECS ARNs. */
  readonly accountId: string;
  /** AWS partition (`aws`, `aws-cn`, ...), for ECS ARNs. */
  readonly partition: string;
  /** Region of the pipeline, its build and the ECS service. */
  readonly region: string;
  /** Bucket for the artifacts passed between stages. */
  readonly artifactBucket: S3Bucket;
  /** KMS key of the artifacts, the build logs and the build's output; both roles may use it for the artifacts. */
  readonly kmsKeyArn: string;
  /** ARN of the ECR repository the build pushes to; the build may push and pull there and nowhere else. */
  readonly imageRepositoryArn: string;
  /** Where the source comes from. */
  readonly source: ContainerPipelineSourceProps;
  /** How the image is built and pushed. */
  readonly build: ContainerPipelineBuildProps;
  /** Deploy stage. @default - no deploy stage: the pipeline only builds and pushes the image */
  readonly deploy?: ContainerPipelineDeployProps;
}

const DEFAULT_BUILDSPEC_PATH = "buildspec.yml";
const DEFAULT_ENVIRONMENT_TYPE = "ARM_CONTAINER";
const DEFAULT_IMAGE = "aws/codebuild/amazonlinux2-aarch64-standard:3.0";
const DEFAULT_COMPUTE_TYPE = "BUILD_GENERAL1_SMALL";
const DEFAULT_TIMEOUT_MINUTES = 30;
/** The file the buildspec writes and the ECS deploy action reads. */
const IMAGE_DEFINITIONS_FILE = "imagedefinitions.json";
const ENVIRONMENT_VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A CodePipeline (V2) for one container image: GitHub source through a CodeStar connection, a CodeBuild project
 * (privileged, for Docker) that builds and pushes the image, and optionally an ECS standard deployment.
 * Each of the build and the pipeline has its own role, allowed only what its stage needs on its own resources.
 */
export class ContainerPipeline extends Construct {
  readonly pipeline: Codepipeline;
  readonly project: CodebuildProject;
  readonly logGroup: CloudwatchLogGroup;
  readonly buildRole: IamRole;
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: ContainerPipelineProps) {
    super(scope, id);
    const buildspecPath = props.build.buildspecPath ?? DEFAULT_BUILDSPEC_PATH;
    const environmentType = props.build.environmentType ?? DEFAULT_ENVIRONMENT_TYPE;
    const image = props.build.image ?? DEFAULT_IMAGE;
    const computeType = props.build.computeType ?? DEFAULT_COMPUTE_TYPE;
    const timeoutMinutes = props.build.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES;
    if (!GITHUB_REPOSITORY.test(props.source.repository)) {
      throw new Error(`ContainerPipeline ${props.name}: source.repository "${props.source.repository}" must be a GitHub repository of the form owner/name`);
    }
    if (!Number.isInteger(timeoutMinutes) || timeoutMinutes < 5 || timeoutMinutes > 2160) {
      throw new Error(`ContainerPipeline ${props.name}: build.timeoutMinutes ${timeoutMinutes} must be a whole number from 5 to 2160`);
    }
    const badVariable = Object.keys(props.build.environmentVariables).find((name) => !ENVIRONMENT_VARIABLE.test(name));
    if (badVariable !== undefined) {
      throw new Error(`ContainerPipeline ${props.name}: build.environmentVariables name "${badVariable}" must be letters, digits and underscores, not starting with a digit`);
    }
    if (props.deploy && props.deploy.passRoleArns.length === 0) {
      throw new Error(`ContainerPipeline ${props.name}: deploy.passRoleArns is empty; list the task and execution roles of the service`);
    }
    const bucket = props.artifactBucket;
    const artifactObjects = `${bucket.arn}/*`;

    this.logGroup = new CloudwatchLogGroup(this, "build-logs", {
      name: props.build.logGroupName,
      retentionInDays: props.build.logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    // Trust conditions name the project and pipeline by ARN built from names (their attributes would be a cycle).
    const projectArn = `arn:${props.partition}:codebuild:${props.region}:${props.accountId}:project/${props.build.projectName}`;
    const pipelineArn = `arn:${props.partition}:codepipeline:${props.region}:${props.accountId}:${props.name}`;
    const build = this.serviceRole("build", `${props.build.projectName}-role`, "codebuild.amazonaws.com", props.accountId, projectArn, [
      {
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
        resources: [props.imageRepositoryArn],
      },
      ecrLoginStatement("EcrLogin"),
      writeLogsStatement("WriteBuildLogs", this.logGroup.arn),
      {
        sid: "ReadSourceWriteImageDefinitions",
        actions: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
        resources: [artifactObjects],
      },
      useKeyStatement("EncryptedArtifacts", props.kmsKeyArn),
    ]);

    this.project = new CodebuildProject(this, "build", {
      name: props.build.projectName,
      serviceRole: build.role.arn,
      encryptionKey: props.kmsKeyArn,
      buildTimeout: timeoutMinutes,
      source: { type: "CODEPIPELINE", buildspec: buildspecPath },
      artifacts: { type: "CODEPIPELINE" },
      environment: {
        type: environmentType,
        image,
        computeType,
        // Docker builds need the Docker daemon, which runs only in privileged mode.
        privilegedMode: true,
        imagePullCredentialsType: "CODEBUILD",
        environmentVariable: Object.entries(props.build.environmentVariables).map(([name, value]) => ({ name, value, type: "PLAINTEXT" })),
      },
      logsConfig: {
        cloudwatchLogs: { status: "ENABLED", groupName: this.logGroup.name },
        s3Logs: { status: "DISABLED" },
      },
    });

    const pipelineStatements: DataAwsIamPolicyDocumentStatement[] = [
      {
        // Connections created since the CodeConnections rename are authorized under the new prefix; older
        // ones under the old. Both on this one connection only.
        sid: "UseSourceConnection",
        actions: ["codestar-connections:UseConnection", "codeconnections:UseConnection"],
        resources: [props.source.connectionArn],
      },
      {
        sid: "RunOwnBuild",
        actions: ["codebuild:BatchGetBuilds", "codebuild:StartBuild"],
        resources: [this.project.arn],
      },
      {
        sid: "ArtifactObjects",
        actions: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
        resources: [artifactObjects],
      },
      {
        sid: "ArtifactBucket",
        actions: ["s3:GetBucketLocation", "s3:GetBucketVersioning"],
        resources: [bucket.arn],
      },
      useKeyStatement("EncryptedArtifacts", props.kmsKeyArn),
    ];
    if (props.deploy) pipelineStatements.push(...this.deployStatements(props, props.deploy));
    const pipeline = this.serviceRole("pipeline", `${props.name}-role`, "codepipeline.amazonaws.com", props.accountId, pipelineArn, pipelineStatements);
    this.buildRole = build.role;
    this.role = pipeline.role;

    const stages: CodepipelineStage[] = [
      {
        name: "Source",
        action: [
          {
            name: "GitHub",
            category: "Source",
            owner: "AWS",
            provider: "CodeStarSourceConnection",
            version: "1",
            outputArtifacts: ["source"],
            configuration: {
              ConnectionArn: props.source.connectionArn,
              FullRepositoryId: props.source.repository,
              BranchName: props.source.branch,
              OutputArtifactFormat: "CODE_ZIP",
            },
          },
        ],
      },
      {
        name: "Build",
        action: [
          {
            name: "DockerBuild",
            category: "Build",
            owner: "AWS",
            provider: "CodeBuild",
            version: "1",
            inputArtifacts: ["source"],
            outputArtifacts: ["image"],
            configuration: { ProjectName: this.project.name },
          },
        ],
      },
    ];
    if (props.deploy) {
      stages.push({
        name: "Deploy",
        action: [
          {
            name: "EcsDeploy",
            category: "Deploy",
            owner: "AWS",
            provider: "ECS",
            version: "1",
            inputArtifacts: ["image"],
            configuration: {
              ClusterName: props.deploy.clusterName,
              ServiceName: props.deploy.serviceName,
              FileName: IMAGE_DEFINITIONS_FILE,
            },
          },
        ],
      });
    }

    this.pipeline = new Codepipeline(this, "Resource", {
      name: props.name,
      pipelineType: "V2",
      roleArn: this.role.arn,
      artifactStore: [{ type: "S3", location: bucket.bucket, encryptionKey: { id: props.kmsKeyArn, type: "KMS" } }],
      stage: stages,
      // A new pipeline starts at once: its first run must not race the roles' permissions.
      dependsOn: [build.policy, pipeline.policy],
    });
  }

  private deployStatements(props: ContainerPipelineProps, deploy: ContainerPipelineDeployProps): DataAwsIamPolicyDocumentStatement[] {
    const ecsArn = `arn:${props.partition}:ecs:${props.region}:${props.accountId}`;
    return [
      {
        sid: "RollOwnService",
        actions: ["ecs:DescribeServices", "ecs:UpdateService"],
        resources: [`${ecsArn}:service/${deploy.clusterName}/${deploy.serviceName}`],
      },
      {
        // Task definitions have no resource-level permissions for these actions: "*" is the only resource IAM accepts.
        sid: "RegisterTaskDefinitionRevision",
        actions: ["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"],
        resources: ["*"],
      },
      {
        sid: "TagNewTaskDefinitionRevision",
        actions: ["ecs:TagResource"],
        resources: [`${ecsArn}:task-definition/*`],
        condition: [{ test: "StringEquals", variable: "ecs:CreateAction", values: ["RegisterTaskDefinition"] }],
      },
      {
        sid: "WatchDeploymentTasks",
        actions: ["ecs:DescribeTasks"],
        resources: [`${ecsArn}:task/${deploy.clusterName}/*`],
      },
      {
        // ListTasks is authorized on container instances, not tasks: "*" limited to this cluster by condition.
        sid: "ListDeploymentTasks",
        actions: ["ecs:ListTasks"],
        resources: ["*"],
        condition: [{ test: "ArnEquals", variable: "ecs:cluster", values: [`${ecsArn}:cluster/${deploy.clusterName}`] }],
      },
      {
        sid: "PassServiceRolesToEcsTasks",
        actions: ["iam:PassRole"],
        resources: [...deploy.passRoleArns],
        condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] }],
      },
    ];
  }

  /** A role `service` may assume only for `sourceArn` in `accountId`, with one inline policy of `statements`. */
  private serviceRole(
    prefix: string,
    name: string,
    service: string,
    accountId: string,
    sourceArn: string,
    statements: DataAwsIamPolicyDocumentStatement[],
  ): { role: IamRole; policy: IamRolePolicy } {
    const trust = new DataAwsIamPolicyDocument(this, `${prefix}-trust`, {
      statement: [serviceTrustStatement(service, accountId, sourceArn)],
    });
    const role = new IamRole(this, `${prefix}-role`, { name, assumeRolePolicy: trust.json });
    const permissions = new DataAwsIamPolicyDocument(this, `${prefix}-permissions`, { statement: statements });
    const policy = new IamRolePolicy(this, `${prefix}-role-policy`, { name: `${prefix}-permissions`, role: role.id, policy: permissions.json });
    return { role, policy };
  }
}
