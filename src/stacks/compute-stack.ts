import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { Construct } from "constructs";
import { CLUSTER_NAMES, ClusterConfig, ClusterName, EnvironmentConfig, IngressConfig, PUBLIC_HOSTS } from "../config";
import { EcsEc2Cluster } from "../constructs/compute/ecs-ec2-cluster";
import { ServerAccessLogBucket } from "../constructs/encryption/server-access-log-bucket";
import { PublicLoadBalancer } from "../constructs/ingress/public-load-balancer";
import { publicHostname, wafLogGroupName, webAclName } from "./names";
import { SentryStack, SentryStackProps } from "./sentry-stack";

/** Prefix of the load balancer's log bucket's own server access logs. */
const LOAD_BALANCER_LOGS_PREFIX = "load-balancer-logs/";

export interface ComputeStackProps extends SentryStackProps {
  readonly clusters: Readonly<Record<ClusterName, ClusterConfig>>;
  readonly ingress: IngressConfig;
  /** Deletion protection on the load balancer (and its logs). */
  readonly protectData: boolean;
  /** Days CloudWatch Logs keeps the web ACL's request logs, and S3 the access-log bucket's server access logs. */
  readonly logRetentionDays: number;
}

export function computeStackProps(config: EnvironmentConfig): ComputeStackProps {
  return {
    environment: config.name,
    operator: config.operator,
    clusters: config.clusters,
    ingress: config.ingress,
    protectData: config.protectData,
    logRetentionDays: config.logRetentionDays,
  };
}

/**
 * Phase 3: the OMS and Frontend ECS clusters, each on its own Auto Scaling group of Graviton instances, with
 * the task security groups phase 4 runs its awsvpc tasks in, and the environment's internet-facing load
 * balancer (phase 4 adds its target groups and host rules). Output contract: see docs/architecture.md "Outputs".
 */
export class ComputeStack extends SentryStack {
  constructor(scope: Construct, props: ComputeStackProps) {
    super(scope, "compute", props);
    const env = props.environment;
    const foundation = this.readPhase("foundation");
    const kmsKeyArn = this.readEnvironmentKey(foundation);

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

    const operator = props.operator;
    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition").partition;
    const accessLogBucketName = `sentry-alb-logs-${env}-${account.accountId}-${operator.region}`;
    // The load balancer's log bucket logs its own requests (who read the access logs) here.
    const s3AccessLogs = new ServerAccessLogBucket(this, "s3-access-logs", {
      bucketName: `sentry-s3-logs-compute-${env}-${account.accountId}-${operator.region}`,
      accountId: account.accountId,
      partition,
      sources: [{ bucketName: accessLogBucketName, prefix: LOAD_BALANCER_LOGS_PREFIX }],
      retentionDays: props.logRetentionDays,
      protect: props.protectData,
    });
    // A certificate the foundation requested must be issued before the HTTPS listener can use it; this waits
    // for the operator's DNS records when there is no hosted zone. One the operator brings is used as it is.
    const certificateArn =
      operator.certificateArn ??
      new AcmCertificateValidation(this, "certificate-validation", { certificateArn: foundation.getString("certificate_arn") }).certificateArn;
    const loadBalancer = new PublicLoadBalancer(this, "load-balancer", {
      name: `sentry-alb-${env}`,
      vpcId: foundation.getString("vpc_id"),
      subnetIds: foundation.getList("public_subnet_ids"),
      allowedCidrs: props.ingress.allowedCidrs,
      certificateArn,
      accountId: account.accountId,
      accessLogs: {
        bucketName: accessLogBucketName,
        retentionDays: props.ingress.accessLogRetentionDays,
        serverAccessLogs: { target: s3AccessLogs.logs, prefix: LOAD_BALANCER_LOGS_PREFIX },
      },
      idleTimeoutSeconds: props.ingress.idleTimeoutSeconds,
      deletionProtection: props.protectData,
      waf: props.ingress.waf.enabled
        ? {
            name: webAclName(env),
            requestsPerIpPer5Minutes: props.ingress.waf.requestsPerIpPer5Minutes,
            logs: { logGroupName: wafLogGroupName(env), kmsKeyArn, retentionDays: props.logRetentionDays, partition, region: operator.region },
            anonymousSourcesBlockedOn: props.ingress.waf.anonymousSourcesBlockedOn.map((host) => publicHostname(host, operator.domain)),
          }
        : undefined,
      aliases:
        operator.hostedZoneId === undefined
          ? undefined
          : { hostedZoneId: operator.hostedZoneId, names: PUBLIC_HOSTS.map((host) => publicHostname(host, operator.domain)) },
    });

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
    const lb = loadBalancer.loadBalancer;
    this.publish("load_balancer_arn", lb.arn, "Application Load Balancer ARN");
    this.publish("load_balancer_arn_suffix", lb.arnSuffix, "Load balancer ARN suffix (the CloudWatch LoadBalancer dimension)");
    this.publish("load_balancer_dns_name", lb.dnsName, "Load balancer DNS name: point admin.<domain> and ws.<domain> at it (alias or CNAME)");
    this.publish("load_balancer_zone_id", lb.zoneId, "Load balancer hosted zone id, for Route 53 alias records");
    this.publish("load_balancer_security_group_id", loadBalancer.securityGroup.id, "Load balancer security group: services admit their port from it");
    this.publish("https_listener_arn", loadBalancer.httpsListener.arn, "HTTPS listener: phase 4 adds one host rule per published service");
  }
}
