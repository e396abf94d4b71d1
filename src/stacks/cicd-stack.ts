import { CodestarconnectionsConnection } from "@cdktf/provider-aws/lib/codestarconnections-connection";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataTerraformRemoteStateS3 } from "cdktf";
import { Construct } from "constructs";
import { CicdConfig, EnvironmentConfig, PipelineConfig } from "../config";
import { ContainerPipeline, ContainerPipelineDeployProps } from "../constructs/delivery/container-pipeline";
import { ImageRepository } from "../constructs/delivery/image-repository";
import { SecureBucket } from "../constructs/encryption/secure-bucket";
import { ServerAccessLogBucket } from "../constructs/encryption/server-access-log-bucket";
import { imageRepositoryName } from "./names";
import { SentryStack, SentryStackProps } from "./sentry-stack";

/** Artifacts are intermediate build outputs: once expired, no old version needs to linger. */
const ARTIFACT_NONCURRENT_VERSION_DAYS = 1;

export interface CicdStackProps extends SentryStackProps {
  readonly cicd: CicdConfig;
  /** Days CloudWatch Logs keeps build logs, and S3 the artifact buckets' server access logs. */
  readonly logRetentionDays: number;
  /** Refuse to delete an image repository that still holds images (the images the services run). */
  readonly protectData: boolean;
}

export function cicdStackProps(config: EnvironmentConfig): CicdStackProps {
  return {
    environment: config.name,
    operator: config.operator,
    cicd: config.cicd,
    logRetentionDays: config.logRetentionDays,
    protectData: config.protectData,
  };
}

/**
 * Phase 5: per service, an ECR repository, an ARM64 CodeBuild project and a CodePipeline (GitHub through a
 * CodeStar connection → build and push → optional ECS deploy of the commit-tagged image).
 * Output contract: see docs/architecture.md "Outputs".
 */
export class CicdStack extends SentryStack {
  constructor(scope: Construct, props: CicdStackProps) {
    super(scope, "cicd", props);
    const env = props.environment;
    const region = props.operator.region;
    const accountId = new DataAwsCallerIdentity(this, "caller").accountId;
    const partition = new DataAwsPartition(this, "partition").partition;

    const kmsKeyArn = this.readEnvironmentKey(this.readPhase("foundation"));
    const connectionArn = props.operator.codeStarConnectionArn ?? this.createConnection(`sentry-github-${env}`);
    const services = props.cicd.pipelines.some((pipeline) => pipeline.deploy) ? this.readPhase("services") : undefined;
    // One bucket per pipeline: a build (running its repository's buildspec) can never touch another service's
    // artifacts. Bucket names are global: account id and region keep accounts and regions apart.
    const artifactBucketName = (service: string) => `sentry-${service}-artifacts-${env}-${accountId}-${region}`;
    const artifactLogsPrefix = (service: string) => `artifacts/${service}/`;
    const pipelines = props.cicd.pipelines;
    const s3AccessLogs = pipelines.length === 0 ? undefined : new ServerAccessLogBucket(this, "s3-access-logs", {
      bucketName: `sentry-s3-logs-cicd-${env}-${accountId}-${region}`,
      accountId,
      partition,
      sources: pipelines.map((pipeline) => ({ bucketName: artifactBucketName(pipeline.service), prefix: artifactLogsPrefix(pipeline.service) })),
      retentionDays: props.logRetentionDays,
      protect: props.protectData,
    });
    const built = pipelines.map((pipeline) => {
      const artifacts = new SecureBucket(this, `${pipeline.service}-artifacts`, {
        bucketName: artifactBucketName(pipeline.service),
        encryption: { kmsKeyArn },
        objectExpirationDays: props.cicd.artifactExpiryDays,
        noncurrentVersionExpirationDays: ARTIFACT_NONCURRENT_VERSION_DAYS,
        preventDestroy: false,
        forceDestroy: true,
        accessLogs: s3AccessLogs && { target: s3AccessLogs.logs, prefix: artifactLogsPrefix(pipeline.service) },
      });
      const repositoryName = imageRepositoryName(pipeline.service, env);
      const repository = new ImageRepository(this, `${pipeline.service}-repository`, {
        name: repositoryName,
        keepTaggedImages: props.cicd.keepTaggedImages,
        untaggedImageExpiryDays: props.cicd.untaggedImageExpiryDays,
        // The guide's buildspec re-points `latest` on every build. Deploys name the commit tag, which no build
        // ever moves, so a moved `latest` never changes what runs.
        tagMutability: "MUTABLE",
        forceDelete: !props.protectData,
        kmsKeyArn,
      });
      const phase4 = pipeline.deploy ? services : undefined;
      const deploy = phase4 && this.deployTarget(phase4, pipeline);
      const containerPipeline = new ContainerPipeline(this, pipeline.service, {
        name: `sentry-pipeline-${pipeline.service}-${env}`,
        accountId,
        partition,
        region,
        artifactBucket: artifacts.bucket,
        kmsKeyArn,
        imageRepositoryArn: repository.repository.arn,
        source: { connectionArn, repository: pipeline.repository, branch: pipeline.branch },
        build: {
          projectName: `sentry-build-${pipeline.service}-${env}`,
          buildspecPath: pipeline.buildspecPath,
          environmentVariables: {
            AWS_ACCOUNT_ID: accountId,
            AWS_DEFAULT_REGION: region,
            ECR_REPOSITORY_NAME: repositoryName,
            // Without a deploy stage nothing reads imagedefinitions.json; the service name stands in.
            CONTAINER_NAME: phase4 ? this.lookupOutput(phase4, "container_names", pipeline.service) : pipeline.service,
          },
          logGroupName: `/sentry/${env}/codebuild/${pipeline.service}`,
          logRetentionDays: props.logRetentionDays,
        },
        deploy,
      });
      return { service: pipeline.service, repository, containerPipeline, artifacts };
    });
    const byService = <T>(pick: (entry: (typeof built)[number]) => T) => Object.fromEntries(built.map((entry) => [entry.service, pick(entry)]));

    this.publish("codestar_connection_arn", connectionArn, "CodeStar connection the pipelines read GitHub through (PENDING until completed in the console)");
    this.publish("ecr_repository_urls", byService((entry) => entry.repository.repository.repositoryUrl), "ECR repository URL by service");
    this.publish("pipeline_names", byService((entry) => entry.containerPipeline.pipeline.name), "CodePipeline name by service");
    this.publish("codebuild_project_names", byService((entry) => entry.containerPipeline.project.name), "CodeBuild project name by service");
    this.publish("artifact_bucket_names", byService((entry) => entry.artifacts.bucket.bucket), "S3 bucket of each pipeline's artifacts");
  }

  /** A GitHub connection; AWS creates it PENDING until a person completes the handshake in the console. */
  private createConnection(name: string): string {
    return new CodestarconnectionsConnection(this, "github-connection", { name, providerType: "GitHub" }).arn;
  }

  private deployTarget(services: DataTerraformRemoteStateS3, pipeline: PipelineConfig): ContainerPipelineDeployProps {
    return {
      clusterName: this.lookupOutput(services, "service_cluster_names", pipeline.service),
      serviceName: this.lookupOutput(services, "service_names", pipeline.service),
      passRoleArns: [this.lookupOutput(services, "task_role_arns", pipeline.service), this.lookupOutput(services, "execution_role_arns", pipeline.service)],
    };
  }
}
