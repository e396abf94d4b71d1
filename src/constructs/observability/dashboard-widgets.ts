import { DashboardMetric, DashboardMetricWidget } from "./operations-dashboard";
import { webAclDimensions } from "./waf-alarms";

/**
 * The metric widgets of each kind of resource the alarms watch, for `OperationsDashboard` sections. They know
 * CloudWatch's namespaces and dimensions, nothing about environments: callers pass names and ids.
 */

const line = (namespace: string, metricName: string, dimensions: Readonly<Record<string, string>>, label: string, stat?: string): DashboardMetric => [
  namespace,
  metricName,
  ...Object.entries(dimensions).flat(),
  stat === undefined ? { label } : { label, stat },
];

/** Visible messages per dead-letter queue (`queues`: SQS queue name by label). */
export function deadLetterQueueWidgets(queues: Readonly<Record<string, string>>, threshold?: number): DashboardMetricWidget[] {
  return [
    {
      title: "Dead-letter queues: visible messages",
      stat: "Maximum",
      period: 300,
      threshold,
      metrics: Object.entries(queues).map(([label, queueName]) => line("AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: queueName }, label)),
    },
  ];
}

/** Port allocation errors and connections per NAT gateway (`natGateways`: gateway id by label). */
export function natGatewayWidgets(natGateways: Readonly<Record<string, string>>): DashboardMetricWidget[] {
  const lines = (metricName: string) =>
    Object.entries(natGateways).map(([label, id]) => line("AWS/NATGateway", metricName, { NatGatewayId: id }, label));
  return [
    { title: "NAT gateways: port allocation errors", stat: "Sum", period: 300, metrics: lines("ErrorPortAllocation") },
    { title: "NAT gateways: active connections", stat: "Maximum", metrics: lines("ActiveConnectionCount") },
  ];
}

export interface RedisWidgetThresholds {
  readonly cpuPercent?: number;
  readonly memoryPercent?: number;
  readonly replicationLagSeconds?: number;
}

/** Engine CPU, memory, evictions and (with replicas) replication lag per member (`members`: cache cluster id by label). */
export function redisWidgets(members: Readonly<Record<string, string>>, thresholds: RedisWidgetThresholds = {}): DashboardMetricWidget[] {
  const lines = (metricName: string) =>
    Object.entries(members).map(([label, id]) => line("AWS/ElastiCache", metricName, { CacheClusterId: id }, label));
  const widgets: DashboardMetricWidget[] = [
    { title: "Redis: engine CPU (%)", stat: "Average", metrics: lines("EngineCPUUtilization"), threshold: thresholds.cpuPercent },
    { title: "Redis: memory (% of maxmemory)", stat: "Average", metrics: lines("DatabaseMemoryUsagePercentage"), threshold: thresholds.memoryPercent },
    { title: "Redis: evictions", stat: "Sum", period: 300, metrics: lines("Evictions") },
  ];
  if (Object.keys(members).length >= 2) {
    widgets.push({ title: "Redis: replication lag (s)", stat: "Maximum", metrics: lines("ReplicationLag"), threshold: thresholds.replicationLagSeconds });
  }
  return widgets;
}

export interface DashboardEcsService {
  readonly label: string;
  readonly clusterName: string;
  readonly serviceName: string;
  /** Its cluster publishes Container Insights (running and desired task counts). */
  readonly containerInsights: boolean;
}

export interface EcsServiceWidgetThresholds {
  readonly cpuPercent?: number;
  readonly memoryPercent?: number;
}

/**
 * Running tasks, CPU and memory of ECS services. Running tasks come from Container Insights where the cluster
 * has it (running, desired and pending: tasks waiting for an instance to take them), else from the number of CPU
 * samples a service reports (0: no running task).
 */
export function ecsServiceWidgets(services: readonly DashboardEcsService[], thresholds: EcsServiceWidgetThresholds = {}): DashboardMetricWidget[] {
  const dimensions = (service: DashboardEcsService) => ({ ClusterName: service.clusterName, ServiceName: service.serviceName });
  const utilization = (metricName: string) => services.map((service) => line("AWS/ECS", metricName, dimensions(service), service.label));
  const tasks = services.flatMap((service): DashboardMetric[] =>
    service.containerInsights
      ? [
          line("ECS/ContainerInsights", "RunningTaskCount", dimensions(service), `${service.label} running`),
          line("ECS/ContainerInsights", "DesiredTaskCount", dimensions(service), `${service.label} desired`),
          line("ECS/ContainerInsights", "PendingTaskCount", dimensions(service), `${service.label} pending`),
        ]
      : [line("AWS/ECS", "CPUUtilization", dimensions(service), `${service.label} CPU samples (0: no task)`, "SampleCount")],
  );
  return [
    { title: "Services: running tasks", stat: "Minimum", metrics: tasks },
    { title: "Services: CPU (% of reservation)", stat: "Average", metrics: utilization("CPUUtilization"), threshold: thresholds.cpuPercent },
    { title: "Services: memory (% of reservation)", stat: "Average", metrics: utilization("MemoryUtilization"), threshold: thresholds.memoryPercent },
  ];
}

export interface DashboardEcsCluster {
  readonly label: string;
  readonly clusterName: string;
  readonly capacityProviderName: string;
  readonly autoScalingGroupName: string;
  /** Target capacity of the capacity provider's managed scaling. @default - managed scaling off: no reservation line */
  readonly targetCapacity?: number;
}

/**
 * What sizes an EC2 cluster: the capacity provider's reservation (AWS/ECS/ManagedScaling, published only while
 * managed scaling is on; above 100 % tasks wait for instances) and its Auto Scaling group's desired, in-service
 * and maximum instances (AWS/AutoScaling group metrics, which the group must collect).
 */
export function ecsClusterCapacityWidgets(clusters: readonly DashboardEcsCluster[]): DashboardMetricWidget[] {
  const managed = clusters.filter((cluster) => cluster.targetCapacity !== undefined);
  const group = (cluster: DashboardEcsCluster, metricName: string, suffix: string) =>
    line("AWS/AutoScaling", metricName, { AutoScalingGroupName: cluster.autoScalingGroupName }, `${cluster.label} ${suffix}`);
  const instances: DashboardMetricWidget = {
    title: "Clusters: instances (desired, in service, maximum)",
    stat: "Maximum",
    metrics: clusters.flatMap((cluster) => [
      group(cluster, "GroupDesiredCapacity", "desired"),
      group(cluster, "GroupInServiceInstances", "in service"),
      group(cluster, "GroupMaxSize", "maximum"),
    ]),
  };
  if (managed.length === 0) return [instances];
  return [
    {
      title: "Clusters: capacity provider reservation (%)",
      stat: "Average",
      metrics: managed.map((cluster) =>
        line(
          "AWS/ECS/ManagedScaling",
          "CapacityProviderReservation",
          { ClusterName: cluster.clusterName, CapacityProviderName: cluster.capacityProviderName },
          `${cluster.label} (target ${cluster.targetCapacity})`,
        ),
      ),
    },
    instances,
  ];
}

/**
 * Requests and 5xx responses of an Application Load Balancer (`loadBalancerArnSuffix`), and healthy/unhealthy
 * targets per target group (`targetGroups`: target group `arn_suffix` by label).
 */
export function loadBalancerWidgets(loadBalancerArnSuffix: string, targetGroups: Readonly<Record<string, string>>): DashboardMetricWidget[] {
  const balancer = { LoadBalancer: loadBalancerArnSuffix };
  const perGroup = (metricName: string, suffix: string) =>
    Object.entries(targetGroups).map(([label, targetGroup]) => line("AWS/ApplicationELB", metricName, { ...balancer, TargetGroup: targetGroup }, `${label} ${suffix}`));
  return [
    {
      title: "Load balancer: requests and 5xx",
      stat: "Sum",
      metrics: [
        line("AWS/ApplicationELB", "RequestCount", balancer, "requests"),
        line("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", balancer, "5xx by the load balancer"),
        line("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", balancer, "5xx by targets"),
      ],
    },
    { title: "Target groups: healthy and unhealthy targets", stat: "Maximum", metrics: [...perGroup("HealthyHostCount", "healthy"), ...perGroup("UnHealthyHostCount", "unhealthy")] },
  ];
}

/** Requests a regional web ACL allowed and blocked, per 5 minutes (`threshold`: its blocked-requests alarm). */
export function webAclWidgets(webAclName: string, region: string, threshold?: number): DashboardMetricWidget[] {
  const acl = webAclDimensions(webAclName, region);
  return [
    {
      title: "WAF: allowed and blocked requests",
      stat: "Sum",
      period: 300,
      threshold,
      metrics: [line("AWS/WAFV2", "AllowedRequests", acl, "allowed"), line("AWS/WAFV2", "BlockedRequests", acl, "blocked")],
    },
  ];
}
