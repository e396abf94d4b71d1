import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import { EnvironmentConfig, ServiceConfig, ServiceName } from "../config";
import { EcsContainerSecret, EcsEc2Service } from "../constructs/ecs-ec2-service";
import { SECRETS, SecretName } from "./foundation-stack";
import { executionRoleName, imageRepositoryName, SentryStack, SentryStackProps } from "./sentry-stack";

/** Environment variable → key of the foundation's secret JSON (guide 4.1 for the exchange credentials). */
type SecretVariables<S extends SecretName> = Readonly<Record<string, (typeof SECRETS)[S]["keys"][number]>>;
const EXCHANGE_CREDENTIAL_VARIABLES: SecretVariables<"exchange-credentials"> = {
  EXCHANGE_API_KEY: "api_key",
  EXCHANGE_API_SECRET: "api_secret",
  EXCHANGE_PASSPHRASE: "passphrase",
};
const REDIS_VARIABLES: SecretVariables<"redis"> = {
  REDIS_URL: "url",
  REDIS_HOST: "host",
  REDIS_PORT: "port",
  REDIS_PASSWORD: "password",
};

/** A private ECR image URI: `<account>.dkr.ecr.<region>.<dns suffix>/<repository>`. */
const ECR_IMAGE_REPOSITORY = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+)$/;

export interface ServicesStackProps extends SentryStackProps {
  readonly services: readonly ServiceConfig[];
  /** Days the services' log groups keep events. */
  readonly logRetentionDays: number;
  /** Services whose pipeline (phase 5) deploys new task definition revisions. */
  readonly pipelineDeployedServices: readonly ServiceName[];
}

export function servicesStackProps(config: EnvironmentConfig): ServicesStackProps {
  return {
    environment: config.name,
    operator: config.operator,
    services: config.services,
    logRetentionDays: config.logRetentionDays,
    pipelineDeployedServices: config.cicd.pipelines.filter((pipeline) => pipeline.deploy).map((pipeline) => pipeline.service),
  };
}

/**
 * Phase 4: the OMS, frontend (admin) and websocket ECS services with their task definitions, log groups,
 * roles and optional task auto scaling, on the clusters of phase 3.
 * Output contract: see README "Outputs".
 */
export class ServicesStack extends SentryStack {
  constructor(scope: Construct, props: ServicesStackProps) {
    super(scope, "services", props);
    const env = props.environment;
    const region = props.operator.region;
    const foundation = this.readPhase("foundation");
    const kmsKeyArn = this.readEnvironmentKey(foundation);
    const compute = this.readPhase("compute");
    const data = props.services.some((service) => service.redisAccess) ? this.readPhase("data") : undefined;
    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");
    const foundationSecretArn = (name: SecretName) => this.lookupOutput(foundation, "secret_arns", name);
    const redisSecretArn = foundationSecretArn("redis");
    const privateSubnetIds = foundation.getList("private_subnet_ids");

    const secretsOf = (service: ServiceConfig): EcsContainerSecret[] => {
      const inject = (secretArn: string, variables: Readonly<Record<string, string>>) =>
        Object.entries(variables).map(([name, jsonKey]) => ({ name, secretArn, jsonKey }));
      const exchangeArn = service.exchangeCredentialsSecretArn ?? foundationSecretArn("exchange-credentials");
      return [
        ...(service.exchangeCredentials ? inject(exchangeArn, EXCHANGE_CREDENTIAL_VARIABLES) : []),
        ...(service.redisAccess ? inject(redisSecretArn, REDIS_VARIABLES) : []),
      ];
    };

    const ecrRepositoryArn = (accountId: string, repositoryRegion: string, repository: string) =>
      `arn:${partition.partition}:ecr:${repositoryRegion}:${accountId}:repository/${repository}`;
    const imageOf = (service: ServiceConfig): { repositoryUri: string; repositoryArn?: string } => {
      if (service.repositoryUri === undefined) {
        // The repository phase 5 creates for the service.
        const repository = imageRepositoryName(service.name, env);
        return {
          repositoryUri: `${account.accountId}.dkr.ecr.${region}.${partition.dnsSuffix}/${repository}`,
          repositoryArn: ecrRepositoryArn(account.accountId, region, repository),
        };
      }
      const ecr = ECR_IMAGE_REPOSITORY.exec(service.repositoryUri);
      // A registry other than ECR (public images) needs no pull permissions.
      return { repositoryUri: service.repositoryUri, repositoryArn: ecr ? ecrRepositoryArn(ecr[1], ecr[2], ecr[3]) : undefined };
    };

    // Each service's own group names its tasks to what they may reach (today: Redis, for redisAccess only).
    // It has no rules; the cluster's task group carries the outbound traffic.
    const serviceGroupOf = (service: ServiceConfig): SecurityGroup => {
      const name = `sentry-${service.name}-${env}`;
      const group = new SecurityGroup(this, `${service.name}-security-group`, {
        name,
        description: `${name} tasks: identity for the resources they may reach`,
        vpcId: foundation.getString("vpc_id"),
        tags: { Name: name },
      });
      if (service.redisAccess && data) {
        new VpcSecurityGroupIngressRule(this, `${service.name}-to-redis`, {
          securityGroupId: data.getString("redis_security_group_id"),
          referencedSecurityGroupId: group.id,
          ipProtocol: "tcp",
          fromPort: data.getNumber("redis_port"),
          toPort: data.getNumber("redis_port"),
          description: `Redis from the ${name} tasks`,
        });
      }
      return group;
    };

    const serviceGroups = Object.fromEntries(props.services.map((service) => [service.name, serviceGroupOf(service)]));

    const services = props.services.map((service) => {
      const image = imageOf(service);
      const scaling = service.autoScaling;
      return new EcsEc2Service(this, service.name, {
        serviceName: `sentry-${service.name}-service-${env}`,
        family: `sentry-${service.name}-${env}`,
        containerName: service.name,
        clusterArn: this.lookupOutput(compute, "cluster_arns", service.cluster),
        clusterName: this.lookupOutput(compute, "cluster_names", service.cluster),
        capacityProviderName: this.lookupOutput(compute, "capacity_provider_names", service.cluster),
        image: `${image.repositoryUri}:${service.imageTag}`,
        imageRepositoryArn: image.repositoryArn,
        cpu: service.cpu,
        memoryMiB: service.memoryMiB,
        containerPort: service.containerPort,
        user: service.containerUser,
        subnetIds: privateSubnetIds,
        securityGroupIds: [this.lookupOutput(compute, "task_security_group_ids", service.cluster), serviceGroups[service.name].id],
        desiredCount: service.desiredCount,
        deploymentMinimumHealthyPercent: service.deployment.minimumHealthyPercent,
        deploymentMaximumPercent: service.deployment.maximumPercent,
        region,
        accountId: account.accountId,
        partition: partition.partition,
        kmsKeyArn,
        networkMode: service.networkMode,
        logGroupName: `/sentry/${env}/${service.name}`,
        logRetentionDays: props.logRetentionDays,
        executionRoleName: executionRoleName(service.name, env),
        taskRoleName: `sentry-${service.name}-task-${env}`,
        environmentFileArn: service.envFileS3Arn,
        secrets: secretsOf(service),
        enableExecuteCommand: service.enableExecuteCommand,
        autoScaling: scaling.enabled ? scaling : undefined,
        deployedExternally: props.pipelineDeployedServices.includes(service.name),
      });
    });
    const byService = <T>(pick: (service: EcsEc2Service, config: ServiceConfig) => T) =>
      Object.fromEntries(props.services.map((config, index) => [config.name, pick(services[index], config)]));

    this.publish("service_names", byService((service) => service.service.name), "ECS service name by service (oms, frontend, websocket)");
    this.publish("service_cluster_names", byService((_, config) => this.lookupOutput(compute, "cluster_names", config.cluster)), "ECS cluster name each service runs in");
    this.publish(
      "task_definition_arns",
      byService((service) => service.taskDefinition.arn),
      "Task definition revision Terraform registered, by service; a pipeline-deployed service may run a later revision of the family",
    );
    this.publish("container_names", byService((service) => service.containerName), "Container name in each task definition (the pipeline's imagedefinitions.json name)");
    this.publish("security_group_ids", byService((_, config) => serviceGroups[config.name].id), "Each service's own security group (its identity for Redis and future rules)");
    this.publish("log_group_names", byService((service) => service.logGroup.name), "CloudWatch Logs group by service");
    this.publish("task_role_arns", byService((service) => service.roles.taskRole.arn), "IAM task role ARN by service (the application's permissions)");
    this.publish("execution_role_arns", byService((service) => service.roles.executionRole.arn), "IAM task execution role ARN by service");
  }
}
