import { Construct } from "constructs";
import { CLUSTER_NAMES, ClusterConfig, ClusterName, EnvironmentConfig } from "../config";
import { EcsEc2Cluster } from "../constructs/ecs-ec2-cluster";
import { SentryStack, SentryStackProps } from "./sentry-stack";

export interface ComputeStackProps extends SentryStackProps {
  readonly clusters: Readonly<Record<ClusterName, ClusterConfig>>;
}

export function computeStackProps(config: EnvironmentConfig): ComputeStackProps {
  return {
    environment: config.name,
    operator: config.operator,
    clusters: config.clusters,
  };
}

/**
 * Phase 3: the OMS and Frontend ECS clusters, each on its own Auto Scaling group of Graviton instances, with
 * the task security groups phase 4 runs its awsvpc tasks in. Output contract: see README "Outputs".
 */
export class ComputeStack extends SentryStack {
  constructor(scope: Construct, props: ComputeStackProps) {
    super(scope, "compute", props);
    const env = props.environment;
    const foundation = this.readPhase("foundation");

    const clusters = Object.fromEntries(
      CLUSTER_NAMES.map((name) => {
        const config = props.clusters[name];
        const cluster = new EcsEc2Cluster(this, name, {
          namePrefix: `sentry-${name}`,
          nameSuffix: env,
          vpcId: foundation.getString("vpc_id"),
          subnetIds: foundation.getList("private_subnet_ids"),
          instanceType: config.instanceType,
          minSize: config.minSize,
          maxSize: config.maxSize,
          desiredCapacity: config.desiredCapacity,
          managedScaling: config.managedScaling.enabled ? config.managedScaling : undefined,
          containerInsights: config.containerInsights,
          metadataHopLimit: config.metadataHopLimit,
          // The provider's default tags do not reach Auto Scaling groups, their instances or volumes.
          tags: this.tags,
        });
        return [name, cluster];
      }),
    ) as Record<ClusterName, EcsEc2Cluster>;

    const byCluster = (pick: (cluster: EcsEc2Cluster) => string) =>
      Object.fromEntries(CLUSTER_NAMES.map((name) => [name, pick(clusters[name])]));
    this.publish("cluster_names", byCluster((c) => c.cluster.name), "ECS cluster name by cluster (oms, frontend)");
    this.publish("cluster_arns", byCluster((c) => c.cluster.arn), "ECS cluster ARN by cluster");
    this.publish(
      "capacity_provider_names",
      byCluster((c) => c.capacityProvider.name),
      "Capacity provider by cluster (the cluster's default strategy; services may name it explicitly)",
    );
    this.publish(
      "task_security_group_ids",
      byCluster((c) => c.taskSecurityGroup.id),
      "Security group for awsvpc tasks by cluster: outbound only, no ingress",
    );
    this.publish("autoscaling_group_names", byCluster((c) => c.autoScalingGroup.name), "Auto Scaling group name by cluster");
  }
}
