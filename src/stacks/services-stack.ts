import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import { AlarmsConfig, CLUSTER_NAMES, ClusterName, EnvironmentConfig, IngressConfig, PUBLIC_HOSTS, PublicHost, ServiceConfig, ServiceName, TableConfig, TableName } from "../config";
import { applicationGrantStatements } from "../constructs/compute/application-grants";
import { EcsContainerSecret, EcsEc2Service, EcsServiceLoadBalancerProps } from "../constructs/compute/ecs-ec2-service";
import { LoadBalancerRoute } from "../constructs/ingress/load-balancer-route";
import { natGatewayZones } from "../constructs/network/network";
import { SECRETS, SecretName } from "./foundation-stack";
import { executionRoleName, imageRepositoryName, publicHostname, SentryStack, SentryStackProps, webAclName } from "./sentry-stack";
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
  constructor(scope: Construct, props: ServicesStackProps) {
    super(scope, "services", props);
    const env = props.environment;
    const region = props.operator.region;
    const foundation = this.readPhase("foundation");
    const kmsKeyArn = this.readEnvironmentKey(foundation);
    const compute = this.readPhase("compute");
    const data = this.readPhase("data");
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
        const loadBalancerGroupId = compute.getString("load_balancer_security_group_id");
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
    };

    const serviceGroups = Object.fromEntries(props.services.map((service) => [service.name, serviceGroupOf(service)]));

    // Each published service: a target group and a host rule on the HTTPS listener; the admin host signs in first.
    const routes: Record<string, LoadBalancerRoute> = {};
    const routeOf = (service: ServiceConfig): EcsServiceLoadBalancerProps | undefined => {
      const ingress = service.ingress;
      if (!ingress) return undefined;
      const route = new LoadBalancerRoute(this, `${service.name}-route`, {
        // The port is in the name: a new port replaces the group, created before the old one goes.
        name: `sentry-${service.name}-${service.containerPort}-${env}`,
        vpcId: foundation.getString("vpc_id"),
        listenerArn: compute.getString("https_listener_arn"),
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
      routes[service.name] = route;
      return { targetGroupArn: route.targetGroup.arn, attachedBy: route.rule, healthCheckGracePeriodSeconds: ingress.healthCheckGracePeriodSeconds };
    };

    // Exactly the queues and tables the service declares, by the ARNs and names the foundation published.
    const queueArns = (queues: readonly string[]) => queues.map((queue) => this.lookupOutput(foundation, "queue_arns", queue));
    const tableArns = (tables: readonly string[]) => tables.map((table) => this.lookupOutput(foundation, "table_arns", table));
    // A Query on an index is authorized on the index's ARN, `<table arn>/index/<name>`.
    const indexArns = (tables: readonly TableName[]) =>
      tables.flatMap((table) => Object.keys(props.tables[table].indexes).map((index) => `${this.lookupOutput(foundation, "table_arns", table)}/index/${index}`));
    const grantsOf = (service: ServiceConfig) =>
      applicationGrantStatements({
        consumeQueueArns: queueArns(service.access.consumes),
        produceQueueArns: queueArns(service.access.produces),
        readTableArns: [...tableArns(service.access.reads), ...indexArns(service.access.reads)],
        writeTableArns: tableArns(service.access.writes),
        kmsKeyArn,
      });
    const environmentOf = (service: ServiceConfig): Record<string, string> => {
      const queues = [...new Set([...service.access.consumes, ...service.access.produces])];
      const tables = [...new Set([...service.access.reads, ...service.access.writes])];
      return {
        ...Object.fromEntries(queues.map((queue) => [queueUrlVariable(queue), this.lookupOutput(foundation, "queue_urls", queue)])),
        ...Object.fromEntries(tables.map((table) => [tableNameVariable(table), this.lookupOutput(foundation, "table_names", table)])),
      };
    };

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
        environment: environmentOf(service),
        taskPolicyStatements: grantsOf(service),
        loadBalancer: routeOf(service),
        enableExecuteCommand: service.enableExecuteCommand,
        autoScaling: scaling.enabled ? scaling : undefined,
        deployedExternally: props.pipelineDeployedServices.includes(service.name),
      });
    });
    const byService = <T>(pick: (service: EcsEc2Service, config: ServiceConfig) => T) =>
      Object.fromEntries(props.services.map((config, index) => [config.name, pick(services[index], config)]));

    monitorServices(this, {
      environment: env,
      region,
      alarms: props.alarms,
      foundation,
      data,
      services: props.services.map((config, index) => ({
        config,
        serviceName: services[index].service.name,
        clusterName: this.lookupOutput(compute, "cluster_names", config.cluster),
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
    for (const host of PUBLIC_HOSTS) {
      if (props.services.some((service) => service.ingress?.host === host)) {
        const url = HOST_URL_OUTPUT[host];
        this.publish(url.output, `${url.scheme}://${publicHostname(host, props.operator.domain)}/`, url.description);
      }
    }
    this.publish("execution_role_arns", byService((service) => service.roles.executionRole.arn), "IAM task execution role ARN by service");
  }
}
