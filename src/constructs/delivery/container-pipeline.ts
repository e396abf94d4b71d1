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

/** The build settings with their defaults applied. */
interface ResolvedBuild {
  readonly buildspecPath: string;
  readonly environmentType: string;
  readonly image: string;
  readonly computeType: string;
  readonly timeoutMinutes: number;
}

function resolveBuildDefaults(build: ContainerPipelineBuildProps): ResolvedBuild {
  return {
    buildspecPath: build.buildspecPath ?? DEFAULT_BUILDSPEC_PATH,
    environmentType: build.environmentType ?? DEFAULT_ENVIRONMENT_TYPE,
    image: build.image ?? DEFAULT_IMAGE,
    computeType: build.computeType ?? DEFAULT_COMPUTE_TYPE,
    timeoutMinutes: build.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES,
  };
}

/** Throws, naming the pipeline, the prop and what is allowed, for what CodeBuild or CodePipeline would refuse. */
function validate(props: ContainerPipelineProps, build: ResolvedBuild): void {
  if (!GITHUB_REPOSITORY.test(props.source.repository)) {
    throw new Error(`ContainerPipeline ${props.name}: source.repository "${props.source.repository}" must be a GitHub repository of the form owner/name`);
  }
  if (!Number.isInteger(build.timeoutMinutes) || build.timeoutMinutes < 5 || build.timeoutMinutes > 2160) {
    throw new Error(`ContainerPipeline ${props.name}: build.timeoutMinutes ${build.timeoutMinutes} must be a whole number from 5 to 2160`);
  }
  const badVariable = Object.keys(props.build.environmentVariables).find((name) => !ENVIRONMENT_VARIABLE.test(name));
  if (badVariable !== undefined) {
    throw new Error(`ContainerPipeline ${props.name}: build.environmentVariables name "${badVariable}" must be letters, digits and underscores, not starting with a digit`);
  }
  if (props.deploy && props.deploy.passRoleArns.length === 0) {
    throw new Error(`ContainerPipeline ${props.name}: deploy.passRoleArns is empty; list the task and execution roles of the service`);
  }
}

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
    const build = resolveBuildDefaults(props.build);
    validate(props, build);

    this.logGroup = new CloudwatchLogGroup(this, "build-logs", {
      name: props.build.logGroupName,
      retentionInDays: props.build.logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    // Trust conditions name the project and pipeline by ARN built from names (their attributes would be a cycle).
    const projectArn = `arn:${props.partition}:codebuild:${props.region}:${props.accountId}:project/${props.build.projectName}`;
    const pipelineArn = `arn:${props.partition}:codepipeline:${props.region}:${props.accountId}:${props.name}`;
    const buildRole = this.serviceRole("build", `${props.build.projectName}-role`, "codebuild.amazonaws.com", props.accountId, projectArn, this.buildStatements(props));
    this.project = this.createProject(props, build, buildRole.role);
    const pipelineRole = this.serviceRole("pipeline", `${props.name}-role`, "codepipeline.amazonaws.com", props.accountId, pipelineArn, this.pipelineStatements(props));
    this.buildRole = buildRole.role;
    this.role = pipelineRole.role;

    this.pipeline = new Codepipeline(this, "Resource", {
      name: props.name,
      pipelineType: "V2",
      roleArn: this.role.arn,
      artifactStore: [{ type: "S3", location: props.artifactBucket.bucket, encryptionKey: { id: props.kmsKeyArn, type: "KMS" } }],
      stage: this.stages(props),
      // A new pipeline starts at once: its first run must not race the roles' permissions.
      dependsOn: [buildRole.policy, pipelineRole.policy],
    });
  }

  /** The build may push to and pull from its repository, write its logs, and read and write the artifacts. */
  private buildStatements(props: ContainerPipelineProps): DataAwsIamPolicyDocumentStatement[] {
    return [
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
        resources: [`${props.artifactBucket.arn}/*`],
      },
      useKeyStatement("EncryptedArtifacts", props.kmsKeyArn),
    ];
  }

  private createProject(props: ContainerPipelineProps, build: ResolvedBuild, role: IamRole): CodebuildProject {
    return new CodebuildProject(this, "build", {
      name: props.build.projectName,
      serviceRole: role.arn,
      encryptionKey: props.kmsKeyArn,
      buildTimeout: build.timeoutMinutes,
      source: { type: "CODEPIPELINE", buildspec: build.buildspecPath },
      artifacts: { type: "CODEPIPELINE" },
      environment: {
        type: build.environmentType,
        image: build.image,
        computeType: build.computeType,
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
  }

  /** The pipeline may read the source connection, run its build, use the artifacts and, with a deploy stage, roll its service. */
  private pipelineStatements(props: ContainerPipelineProps): DataAwsIamPolicyDocumentStatement[] {
    const bucket = props.artifactBucket;
    return [
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
        resources: [`${bucket.arn}/*`],
      },
      {
        sid: "ArtifactBucket",
        actions: ["s3:GetBucketLocation", "s3:GetBucketVersioning"],
        resources: [bucket.arn],
      },
      useKeyStatement("EncryptedArtifacts", props.kmsKeyArn),
      ...(props.deploy ? this.deployStatements(props, props.deploy) : []),
    ];
  }

  /** Source (GitHub), Build (the project) and, with `deploy`, an ECS standard deployment. */
  private stages(props: ContainerPipelineProps): CodepipelineStage[] {
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
    return stages;
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
