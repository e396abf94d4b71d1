import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { DataTerraformRemoteStateS3 } from "cdktf";
import { Construct } from "constructs";
import {
  AlarmsConfig,
  CLUSTER_NAMES,
  ClusterName,
  EnvironmentConfig,
  EnvironmentName,
  IngressConfig,
  PUBLIC_HOSTS,
  PublicHost,
  SecretName,
  ServiceConfig,
  ServiceIngressConfig,
  ServiceName,
  TableConfig,
  TableName,
} from "../config";
import type { SECRETS } from "../config/environments";
import { applicationGrantStatements } from "../constructs/compute/application-grants";
import { EcsContainerSecret, EcsEc2Service, EcsEc2ServiceProps, EcsServiceLoadBalancerProps } from "../constructs/compute/ecs-ec2-service";
import { LoadBalancerRoute } from "../constructs/ingress/load-balancer-route";
import { natGatewayZones } from "../constructs/network/network";
import { executionRoleName, imageRepositoryName, publicHostname, webAclName } from "./names";
import { SentryStack, SentryStackProps } from "./sentry-stack";
import { monitorServices } from "./services-monitoring";

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

/** Listener rule priority of each public host (unique on the listener). */
const HOST_RULE_PRIORITY: Readonly<Record<PublicHost, number>> = { admin: 10, ws: 20 };
/** The URL output of each public host, and its scheme. */
const HOST_URL_OUTPUT: Readonly<Record<PublicHost, { output: string; scheme: string; description: string }>> = {
  admin: { output: "admin_url", scheme: "https", description: "Admin frontend, behind Cognito sign-in" },
  ws: { output: "websocket_url", scheme: "wss", description: "Websocket gateway (clients authenticate in the protocol)" },
};

/** `order-status` → `ORDER_STATUS`: a resource's short name as part of an environment variable. */
const variablePart = (name: string) => name.toUpperCase().replace(/-/g, "_");

/** `orders-bitget` → `SQS_ORDERS_BITGET_URL`; `trading` → `DYNAMODB_TRADING_TABLE`. */
export function queueUrlVariable(queue: string): string {
  return `SQS_${variablePart(queue)}_URL`;
}
export function tableNameVariable(table: string): string {
  return `DYNAMODB_${variablePart(table)}_TABLE`;
}

/** A private ECR image URI: `<account>.dkr.ecr.<region>.<dns suffix>/<repository>`. */
const ECR_IMAGE_REPOSITORY = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+)$/;

export interface ServicesStackProps extends SentryStackProps {
  readonly services: readonly ServiceConfig[];
  /** Days the services' log groups keep events. */
  readonly logRetentionDays: number;
  /** Services whose pipeline (phase 5) deploys new task definition revisions. */
  readonly pipelineDeployedServices: readonly ServiceName[];
  /** The load balancer's sources and the admin sign-in session. */
  readonly ingress: IngressConfig;
  /** The foundation's tables (for the index ARNs a reader is granted). */
  readonly tables: Readonly<Record<TableName, TableConfig>>;
  /** Thresholds of the service alarms (and the dashboard's lines). */
  readonly alarms: AlarmsConfig;
  /** Each cluster's managed scaling target capacity; absent where managed scaling is off (the dashboard's reservation line). */
  readonly managedScalingTargets: Readonly<Partial<Record<ClusterName, number>>>;
  /** Clusters publishing Container Insights (their services' running-task alarms compare with the desired count). */
  readonly containerInsights: Readonly<Record<ClusterName, boolean>>;
  /** What the dashboard shows of earlier phases (their ids come from their outputs). */
  readonly monitored: { readonly queueNames: readonly string[]; readonly natGatewayZones: readonly string[]; readonly redisNodeCount: number };
}

export function servicesStackProps(config: EnvironmentConfig): ServicesStackProps {
  return {
    environment: config.name,
    operator: config.operator,
    services: config.services,
    logRetentionDays: config.logRetentionDays,
    pipelineDeployedServices: config.cicd.pipelines.filter((pipeline) => pipeline.deploy).map((pipeline) => pipeline.service),
    ingress: config.ingress,
    tables: config.tables,
    alarms: config.alarms,
    containerInsights: Object.fromEntries(CLUSTER_NAMES.map((name) => [name, config.clusters[name].containerInsights])) as Record<ClusterName, boolean>,
    managedScalingTargets: Object.fromEntries(
      CLUSTER_NAMES.filter((name) => config.clusters[name].managedScaling.enabled).map((name) => [name, config.clusters[name].managedScaling.targetCapacity]),
    ),
    monitored: {
      queueNames: config.queues.map((queue) => queue.name),
      natGatewayZones: natGatewayZones(config.network.availabilityZones, config.network.natGateways),
      redisNodeCount: config.redis.numCacheNodes,
    },
  };
}

/**
 * Phase 4: the OMS, frontend (admin) and websocket ECS services with their task definitions, log groups,
 * roles (the application's queue and table grants on the task role) and optional task auto scaling, on the
 * clusters of phase 3; published services get a target group and a host rule on phase 3's load balancer.
 * Output contract: see docs/architecture.md "Outputs".
 */
export class ServicesStack extends SentryStack {
  /** What phases 1 to 3 published. */
  private readonly foundationOutputs: DataTerraformRemoteStateS3;
  private readonly computeOutputs: DataTerraformRemoteStateS3;
  private readonly dataOutputs: DataTerraformRemoteStateS3;
  private readonly kmsKeyArn: string;
  private readonly account: DataAwsCallerIdentity;
  private readonly partition: DataAwsPartition;

  constructor(scope: Construct, props: ServicesStackProps) {
    super(scope, "services", props);
    const env = props.environment;
    this.foundationOutputs = this.readPhase("foundation");
    this.kmsKeyArn = this.readEnvironmentKey(this.foundationOutputs);
    this.computeOutputs = this.readPhase("compute");
    this.dataOutputs = this.readPhase("data");
    this.account = new DataAwsCallerIdentity(this, "account");
    this.partition = new DataAwsPartition(this, "partition");
    const compute = this.computeOutputs;

    const serviceGroups = Object.fromEntries(props.services.map((service) => [service.name, this.serviceSecurityGroup(service, env)]));
    const routes: Record<string, LoadBalancerRoute> = {};
    const services = props.services.map((service) => {
      const route = service.ingress && this.route(service, service.ingress, props);
      if (route) routes[service.name] = route;
      return new EcsEc2Service(this, service.name, this.serviceProps(service, props, serviceGroups[service.name], route));
    });

    monitorServices(this, {
      environment: env,
      region: props.operator.region,
      alarms: props.alarms,
      foundation: this.foundationOutputs,
      data: this.dataOutputs,
      services: props.services.map((config, index) => ({
        config,
        serviceName: services[index].service.name,
        clusterName: this.lookupOutput(compute, "cluster_names", config.cluster),
      })),
      clusters: CLUSTER_NAMES.map((name) => ({
        label: name,
        clusterName: this.lookupOutput(compute, "cluster_names", name),
        capacityProviderName: this.lookupOutput(compute, "capacity_provider_names", name),
        autoScalingGroupName: this.lookupOutput(compute, "autoscaling_group_names", name),
        targetCapacity: props.managedScalingTargets[name],
      })),
      containerInsights: props.containerInsights,
      queueNames: props.monitored.queueNames,
      natGatewayZones: props.monitored.natGatewayZones,
      redisNodeCount: props.monitored.redisNodeCount,
      loadBalancer: {
        arnSuffix: compute.getString("load_balancer_arn_suffix"),
        targetGroupArnSuffixes: Object.fromEntries(Object.entries(routes).map(([service, route]) => [service, route.targetGroup.arnSuffix])),
        webAclName: props.ingress.waf.enabled ? webAclName(env) : undefined,
      },
    });
    this.publishOutputs(props, services, serviceGroups);
  }

  /**
   * Each service's own group names its tasks to what they may reach (today: Redis, for redisAccess only, and the
   * load balancer's traffic for a published service). It has no egress; the cluster's task group carries the
   * outbound traffic.
   */
  private serviceSecurityGroup(service: ServiceConfig, env: string): SecurityGroup {
    const data = this.dataOutputs;
    const name = `sentry-${service.name}-${env}`;
    const group = new SecurityGroup(this, `${service.name}-security-group`, {
      name,
      description: `${name} tasks: identity for the resources they may reach`,
      vpcId: this.foundationOutputs.getString("vpc_id"),
      tags: { Name: name },
    });
    if (service.redisAccess) {
      new VpcSecurityGroupIngressRule(this, `${service.name}-to-redis`, {
        securityGroupId: data.getString("redis_security_group_id"),
        referencedSecurityGroupId: group.id,
        ipProtocol: "tcp",
        fromPort: data.getNumber("redis_port"),
        toPort: data.getNumber("redis_port"),
        description: `Redis from the ${name} tasks`,
      });
    }
    if (service.ingress) {
      const loadBalancerGroupId = this.computeOutputs.getString("load_balancer_security_group_id");
      // Traffic on the container port; health checks on their own port when one is configured.
      const ports: [string, number][] = [["", service.containerPort]];
      const healthCheckPort = service.ingress.healthCheckPort;
      if (healthCheckPort !== undefined && healthCheckPort !== service.containerPort) ports.push(["health-check-", healthCheckPort]);
      for (const [kind, port] of ports) {
        new VpcSecurityGroupIngressRule(this, `${service.name}-${kind}from-load-balancer`, {
          securityGroupId: group.id,
          referencedSecurityGroupId: loadBalancerGroupId,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          description: `Port ${port} from the load balancer`,
        });
        new VpcSecurityGroupEgressRule(this, `load-balancer-${kind}to-${service.name}`, {
          securityGroupId: loadBalancerGroupId,
          referencedSecurityGroupId: group.id,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          description: `To the ${name} tasks on port ${port}`,
        });
      }
    }
    return group;
  }

  /** A published service's target group and host rule on the HTTPS listener; the admin host signs in first. */
  private route(service: ServiceConfig, ingress: ServiceIngressConfig, props: ServicesStackProps): LoadBalancerRoute {
    const foundation = this.foundationOutputs;
    return new LoadBalancerRoute(this, `${service.name}-route`, {
      // The port is in the name: a new port replaces the group, created before the old one goes.
      name: `sentry-${service.name}-${service.containerPort}-${props.environment}`,
      vpcId: foundation.getString("vpc_id"),
      listenerArn: this.computeOutputs.getString("https_listener_arn"),
      host: publicHostname(ingress.host, props.operator.domain),
      priority: HOST_RULE_PRIORITY[ingress.host],
      port: service.containerPort,
      healthCheckPath: ingress.healthCheckPath,
      healthCheckPort: ingress.healthCheckPort,
      healthCheckMatcher: ingress.healthCheckMatcher,
      deregistrationDelaySeconds: ingress.deregistrationDelaySeconds,
      sourceCidrs: ingress.host === "admin" ? props.ingress.adminAllowedCidrs : undefined,
      cognitoSignIn:
        ingress.authentication === "cognito"
          ? {
              userPoolArn: foundation.getString("user_pool_arn"),
              userPoolClientId: foundation.getString("load_balancer_client_id"),
              userPoolDomain: foundation.getString("user_pool_domain"),
              sessionTimeoutSeconds: props.ingress.adminSessionTimeoutSeconds,
            }
          : undefined,
    });
  }

  /** The ECS service of one configured service: its image, secrets, grants, environment and route. */
  private serviceProps(service: ServiceConfig, props: ServicesStackProps, group: SecurityGroup, route: LoadBalancerRoute | undefined): EcsEc2ServiceProps {
    const env = props.environment;
    const compute = this.computeOutputs;
    const image = this.imageOf(service, env, props.operator.region);
    const scaling = service.autoScaling;
    const loadBalancer: EcsServiceLoadBalancerProps | undefined =
      route && service.ingress && { targetGroupArn: route.targetGroup.arn, attachedBy: route.rule, healthCheckGracePeriodSeconds: service.ingress.healthCheckGracePeriodSeconds };
    return {
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
      subnetIds: this.foundationOutputs.getList("private_subnet_ids"),
      securityGroupIds: [this.lookupOutput(compute, "task_security_group_ids", service.cluster), group.id],
      desiredCount: service.desiredCount,
      deploymentMinimumHealthyPercent: service.deployment.minimumHealthyPercent,
      deploymentMaximumPercent: service.deployment.maximumPercent,
      region: props.operator.region,
      accountId: this.account.accountId,
      partition: this.partition.partition,
      kmsKeyArn: this.kmsKeyArn,
      networkMode: service.networkMode,
      logGroupName: `/sentry/${env}/${service.name}`,
      logRetentionDays: props.logRetentionDays,
      executionRoleName: executionRoleName(service.name, env),
      taskRoleName: `sentry-${service.name}-task-${env}`,
      environmentFileArn: service.envFileS3Arn,
      secrets: this.secretsOf(service),
      environment: this.environmentOf(service),
      taskPolicyStatements: this.grantsOf(service, props.tables),
      loadBalancer,
      enableExecuteCommand: service.enableExecuteCommand,
      autoScaling: scaling.enabled ? scaling : undefined,
      deployedExternally: props.pipelineDeployedServices.includes(service.name),
    };
  }

  /** The secrets injected as environment variables: the exchange credentials and the Redis connection, as configured. */
  private secretsOf(service: ServiceConfig): EcsContainerSecret[] {
    const foundationSecretArn = (name: SecretName) => this.lookupOutput(this.foundationOutputs, "secret_arns", name);
    const inject = (secretArn: string, variables: Readonly<Record<string, string>>) =>
      Object.entries(variables).map(([name, jsonKey]) => ({ name, secretArn, jsonKey }));
    const exchangeArn = service.exchangeCredentialsSecretArn ?? foundationSecretArn("exchange-credentials");
    return [
      ...(service.exchangeCredentials ? inject(exchangeArn, EXCHANGE_CREDENTIAL_VARIABLES) : []),
      ...(service.redisAccess ? inject(foundationSecretArn("redis"), REDIS_VARIABLES) : []),
    ];
  }

  /** The image's repository URI, and its ARN when it is an ECR repository (the execution role may pull from it). */
  private imageOf(service: ServiceConfig, env: EnvironmentName, region: string): { repositoryUri: string; repositoryArn?: string } {
    const ecrRepositoryArn = (accountId: string, repositoryRegion: string, repository: string) =>
      `arn:${this.partition.partition}:ecr:${repositoryRegion}:${accountId}:repository/${repository}`;
    if (service.repositoryUri === undefined) {
      // The repository phase 5 creates for the service.
      const repository = imageRepositoryName(service.name, env);
      return {
        repositoryUri: `${this.account.accountId}.dkr.ecr.${region}.${this.partition.dnsSuffix}/${repository}`,
        repositoryArn: ecrRepositoryArn(this.account.accountId, region, repository),
      };
    }
    const ecr = ECR_IMAGE_REPOSITORY.exec(service.repositoryUri);
    // A registry other than ECR (public images) needs no pull permissions.
    return { repositoryUri: service.repositoryUri, repositoryArn: ecr ? ecrRepositoryArn(ecr[1], ecr[2], ecr[3]) : undefined };
  }

  /** Exactly the queues and tables the service declares, by the ARNs the foundation published. */
  private grantsOf(service: ServiceConfig, tables: Readonly<Record<TableName, TableConfig>>) {
    const foundation = this.foundationOutputs;
    const queueArns = (queues: readonly string[]) => queues.map((queue) => this.lookupOutput(foundation, "queue_arns", queue));
    const tableArns = (names: readonly string[]) => names.map((table) => this.lookupOutput(foundation, "table_arns", table));
    // A Query on an index is authorized on the index's ARN, `<table arn>/index/<name>`.
    const indexArns = (names: readonly TableName[]) =>
      names.flatMap((table) => Object.keys(tables[table].indexes).map((index) => `${this.lookupOutput(foundation, "table_arns", table)}/index/${index}`));
    return applicationGrantStatements({
      consumeQueueArns: queueArns(service.access.consumes),
      produceQueueArns: queueArns(service.access.produces),
      readTableArns: [...tableArns(service.access.reads), ...indexArns(service.access.reads)],
      writeTableArns: tableArns(service.access.writes),
      kmsKeyArn: this.kmsKeyArn,
    });
  }

  /** The names of the queues and tables the service uses, as environment variables. */
  private environmentOf(service: ServiceConfig): Record<string, string> {
    const queues = [...new Set([...service.access.consumes, ...service.access.produces])];
    const tables = [...new Set([...service.access.reads, ...service.access.writes])];
    return {
      ...Object.fromEntries(queues.map((queue) => [queueUrlVariable(queue), this.lookupOutput(this.foundationOutputs, "queue_urls", queue)])),
      ...Object.fromEntries(tables.map((table) => [tableNameVariable(table), this.lookupOutput(this.foundationOutputs, "table_names", table)])),
    };
  }

  private publishOutputs(props: ServicesStackProps, services: readonly EcsEc2Service[], serviceGroups: Readonly<Record<string, SecurityGroup>>): void {
    const byService = <T>(pick: (service: EcsEc2Service, config: ServiceConfig) => T) =>
      Object.fromEntries(props.services.map((config, index) => [config.name, pick(services[index], config)]));

    this.publish("service_names", byService((service) => service.service.name), "ECS service name by service (oms, frontend, websocket)");
    this.publish("service_cluster_names", byService((_, config) => this.lookupOutput(this.computeOutputs, "cluster_names", config.cluster)), "ECS cluster name each service runs in");
    this.publish(
      "task_definition_arns",
      byService((service) => service.taskDefinition.arn),
      "Task definition revision Terraform registered, by service; a pipeline-deployed service may run a later revision of the family",
    );
    this.publish("container_names", byService((service) => service.containerName), "Container name in each task definition (the pipeline's imagedefinitions.json name)");
    this.publish("security_group_ids", byService((_, config) => serviceGroups[config.name].id), "Each service's own security group (its identity for Redis and future rules)");
    this.publish("log_group_names", byService((service) => service.logGroup.name), "CloudWatch Logs group by service");
    this.publish("task_role_arns", byService((service) => service.roles.taskRole.arn), "IAM task role ARN by service (the application's permissions)");
    for (const host of PUBLIC_HOSTS) {
      if (props.services.some((service) => service.ingress?.host === host)) {
        const url = HOST_URL_OUTPUT[host];
        this.publish(url.output, `${url.scheme}://${publicHostname(host, props.operator.domain)}/`, url.description);
      }
    }
    this.publish("execution_role_arns", byService((service) => service.roles.executionRole.arn), "IAM task execution role ARN by service");
  }
}
