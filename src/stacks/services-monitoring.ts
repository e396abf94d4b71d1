import { DataTerraformRemoteStateS3, Fn } from "cdktf";
import { Construct } from "constructs";
import { AlarmsConfig, ClusterName, EnvironmentName, ServiceConfig } from "../config";
import { DashboardEcsCluster, deadLetterQueueWidgets, ecsClusterCapacityWidgets, ecsServiceWidgets, loadBalancerWidgets, natGatewayWidgets, redisWidgets, webAclWidgets } from "../constructs/observability/dashboard-widgets";
import { EcsServiceAlarms } from "../constructs/observability/ecs-service-alarms";
import { LoadBalancerAlarms } from "../constructs/observability/load-balancer-alarms";
import { DashboardSection, OperationsDashboard } from "../constructs/observability/operations-dashboard";
import { TargetGroupAlarms } from "../constructs/observability/target-group-alarms";
import { WafAlarms } from "../constructs/observability/waf-alarms";
import { outputEntry } from "./sentry-stack";

/** The environment's Application Load Balancer and the target groups behind it, by `arn_suffix`. */
export interface MonitoredLoadBalancer {
  /** The load balancer's `arn_suffix` (`app/<name>/<id>`). */
  readonly arnSuffix: string;
  /** Each target group's `arn_suffix` by a short name (its service); alarms are `sentry-<env>-<name>-...`. */
  readonly targetGroupArnSuffixes: Readonly<Record<string, string>>;
  /** Name of the web ACL in front of it (its blocked-requests alarm). @default - no web ACL */
  readonly webAclName?: string;
}

export interface ServicesMonitoringProps {
  readonly environment: EnvironmentName;
  readonly region: string;
  readonly alarms: AlarmsConfig;
  readonly foundation: DataTerraformRemoteStateS3;
  readonly data: DataTerraformRemoteStateS3;
  /** Each service's config and its ECS service name and cluster name (phase 3's output). */
  readonly services: readonly { readonly config: ServiceConfig; readonly serviceName: string; readonly clusterName: string }[];
  /** Each EC2 cluster's names (phase 3's outputs) and its managed scaling target, for "3. Compute: cluster capacity". */
  readonly clusters: readonly DashboardEcsCluster[];
  /** Clusters publishing Container Insights. */
  readonly containerInsights: Readonly<Record<ClusterName, boolean>>;
  /** Short names of the phase-1 queues (their dead-letter queues are on the dashboard). */
  readonly queueNames: readonly string[];
  /** Zones holding a phase-1 NAT gateway. */
  readonly natGatewayZones: readonly string[];
  /** Redis nodes of phase 2. */
  readonly redisNodeCount: number;
  /**
   * The load balancer: its 5xx-rate alarm, each target group's 5xx-rate and unhealthy-targets alarms, its web
   * ACL's blocked-requests alarm, and the dashboard section "3. Compute: load balancer".
   * @default - none
   */
  readonly loadBalancer?: MonitoredLoadBalancer;
}

/**
 * Phase 4's share of the monitoring: each service's alarms, the load balancer's when there is one, and the
 * environment's dashboard `sentry-<env>`, which shows every phase (it reads the ids earlier phases publish).
 */
export function monitorServices(scope: Construct, props: ServicesMonitoringProps): void {
  const env = props.environment;
  const { alarms, foundation, data } = props;
  const topicArn = foundation.getString("alarm_topic_arn");

  for (const service of props.services) {
    new EcsServiceAlarms(scope, `${service.config.name}-alarms`, {
      namePrefix: `sentry-${env}-${service.config.name}`,
      clusterName: service.clusterName,
      serviceName: service.serviceName,
      topicArn,
      cpuPercent: alarms.serviceCpuPercent,
      memoryPercent: alarms.serviceMemoryPercent,
      evaluationMinutes: alarms.sustainedMinutes,
      runningTasksMinutes: alarms.runningTasksMinutes,
      containerInsights: props.containerInsights[service.config.cluster],
    });
  }

  const memberClusterIds = data.getList("redis_member_cluster_ids");
  const sections: DashboardSection[] = [
    {
      title: "1. Foundation: dead-letter queues and NAT gateways",
      description: "A message in a dead-letter queue is work no consumer could process. Port allocation errors are failing outbound connections.",
      widgets: [
        ...deadLetterQueueWidgets(
          Object.fromEntries(props.queueNames.map((queue) => [queue, outputEntry(foundation, "dead_letter_queue_names", queue)])),
          alarms.deadLetterQueueMessages,
        ),
        ...natGatewayWidgets(Object.fromEntries(props.natGatewayZones.map((zone) => [zone, outputEntry(foundation, "nat_gateway_ids", zone)]))),
      ],
    },
    {
      title: "2. Data: Redis",
      description: "Per node, in the order of redis_member_cluster_ids. Replication lag only with replicas.",
      widgets: redisWidgets(
        Object.fromEntries(Array.from({ length: props.redisNodeCount }, (_, index) => [`node-${index + 1}`, Fn.element(memberClusterIds, index)])),
        { cpuPercent: alarms.redisCpuPercent, memoryPercent: alarms.redisMemoryPercent, replicationLagSeconds: alarms.redisReplicationLagSeconds },
      ),
    },
    ...(props.loadBalancer ? [monitorLoadBalancer(scope, env, props.region, topicArn, alarms, props.loadBalancer)] : []),
    {
      title: "3. Compute: cluster capacity",
      description:
        "Capacity provider reservation (managed scaling adds instances above its target; above 100 % tasks wait for capacity) and each Auto Scaling group's instances. `sentry-ops scaling <env>` shows what the autoscalers did and why.",
      widgets: ecsClusterCapacityWidgets(props.clusters),
    },
    {
      title: "4. Services",
      description: "Running tasks (with Container Insights: desired and pending too), CPU and memory per ECS service.",
      widgets: ecsServiceWidgets(
        props.services.map((service) => ({
          label: service.config.name,
          clusterName: service.clusterName,
          serviceName: service.serviceName,
          containerInsights: props.containerInsights[service.config.cluster],
        })),
        { cpuPercent: alarms.serviceCpuPercent, memoryPercent: alarms.serviceMemoryPercent },
      ),
    },
  ];
  new OperationsDashboard(scope, "dashboard", { name: `sentry-${env}`, region: props.region, sections });
}

/** The load balancer's alarms (and its web ACL's); returns its dashboard section. */
function monitorLoadBalancer(scope: Construct, env: EnvironmentName, region: string, topicArn: string, alarms: AlarmsConfig, loadBalancer: MonitoredLoadBalancer): DashboardSection {
  const rate = { http5xxRatePercent: alarms.loadBalancer5xxRatePercent, minimumRequests: alarms.loadBalancerMinimumRequests, evaluationMinutes: alarms.sustainedMinutes };
  new LoadBalancerAlarms(scope, "load-balancer-alarms", { namePrefix: `sentry-${env}-alb`, loadBalancerArnSuffix: loadBalancer.arnSuffix, topicArn, ...rate });
  for (const [name, targetGroupArnSuffix] of Object.entries(loadBalancer.targetGroupArnSuffixes)) {
    new TargetGroupAlarms(scope, `${name}-target-group-alarms`, {
      namePrefix: `sentry-${env}-${name}`,
      loadBalancerArnSuffix: loadBalancer.arnSuffix,
      targetGroupArnSuffix,
      topicArn,
      unhealthyTargets: alarms.unhealthyTargets,
      ...rate,
    });
  }
  const webAcl = loadBalancer.webAclName;
  if (webAcl !== undefined) {
    new WafAlarms(scope, "waf-alarms", { namePrefix: `sentry-${env}-waf`, webAclName: webAcl, region, topicArn, blockedRequests: alarms.wafBlockedRequests });
  }
  return {
    title: "3. Compute: load balancer",
    description: `Requests and 5xx responses; healthy and unhealthy targets per target group (phase 4)${webAcl === undefined ? "" : "; requests the web ACL allowed and blocked"}.`,
    widgets: [
      ...loadBalancerWidgets(loadBalancer.arnSuffix, loadBalancer.targetGroupArnSuffixes),
      ...(webAcl === undefined ? [] : webAclWidgets(webAcl, region, alarms.wafBlockedRequests)),
    ],
  };
}
