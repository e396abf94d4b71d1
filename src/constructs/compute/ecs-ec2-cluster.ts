import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { EcsCapacityProvider } from "@cdktf/provider-aws/lib/ecs-capacity-provider";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { Construct } from "constructs";

export interface EcsManagedScalingProps {
  /** Percent of the group's capacity tasks should reserve (1 to 100). */
  readonly targetCapacity: number;
  /** Fewest instances added or removed at once. */
  readonly minimumScalingStepSize: number;
  /** Most instances added or removed at once. */
  readonly maximumScalingStepSize: number;
}

export interface EcsEc2ClusterProps {
  /**
   * The cluster is `<namePrefix>-<nameSuffix>`; its other resources `<namePrefix>-<kind>-<nameSuffix>`
   * (`sentry-oms` + `dev`: cluster `sentry-oms-dev`, group `sentry-oms-asg-dev`, tasks `sentry-oms-tasks-dev`).
   */
  readonly namePrefix: string;
  /** Last part of every name (the environment, for the stacks). */
  readonly nameSuffix: string;
  /** VPC of the security groups. */
  readonly vpcId: string;
  /** Private subnets the instances are launched in. */
  readonly subnetIds: string[];
  /** An ARM64 (Graviton) instance type: the AMI is the arm64 ECS-optimized Amazon Linux 2023. */
  readonly instanceType: string;
  /** Fewest instances in the Auto Scaling group. */
  readonly minSize: number;
  /** Most instances in the Auto Scaling group (managed scaling stops there). */
  readonly maxSize: number;
  /** Initial desired capacity; later changes (managed scaling, operators) are left alone. */
  readonly desiredCapacity: number;
  /**
   * Capacity provider managed scaling: ECS sizes the group to the tasks' demand, with managed termination
   * protection (instances running tasks are protected from scale-in).
   * @default - DISABLED: the group keeps the desired capacity operators set, and no instance is scale-in protected
   */
  readonly managedScaling?: EcsManagedScalingProps;
  /** CloudWatch Container Insights. @default true */
  readonly containerInsights?: boolean;
  /** Root volume size in GiB (the AMI needs 30). @default 30 */
  readonly rootVolumeSizeGiB?: number;
  /**
   * IMDSv2 hop limit: 1 when every task is awsvpc (ECS_AWSVPC_BLOCK_IMDS keeps those away anyway, and no
   * container can reach the instance role); 2 lets bridge-mode containers reach the metadata through Docker's bridge.
   * @default 1
   */
  readonly metadataHopLimit?: 1 | 2;
  /** Tags for what the provider's default tags do not reach: the group, its instances and their volumes. @default - none */
  readonly tags?: Record<string, string>;
}

const DEFAULT_CONTAINER_INSIGHTS = true;
const DEFAULT_ROOT_VOLUME_SIZE_GIB = 30;
const ECS_AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id";
const ROOT_DEVICE_NAME = "/dev/xvda";
/**
 * IMDSv2 responses cross one extra hop to reach a container on the Docker bridge, so 1 keeps every container
 * (bridge or host network aside) from the instance role. awsvpc tasks are also cut off from IMDS by
 * ECS_AWSVPC_BLOCK_IMDS (user data): they use their task role.
 */
const DEFAULT_METADATA_HOP_LIMIT = 1;
/**
 * Group metrics the group publishes to CloudWatch (AWS/AutoScaling, by AutoScalingGroupName) for the dashboard's
 * capacity widgets: without collection enabled none of them exists. At 1-minute granularity at no charge
 * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-metrics.html, read 2026-12-07).
 */
export const GROUP_METRICS = ["GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances"] as const;
/** The instance role's only permissions, by construct id: the ECS agent (+ ECR pulls) and SSM sessions. */
const INSTANCE_MANAGED_POLICIES = {
  ecs: "service-role/AmazonEC2ContainerServiceforEC2Role",
  ssm: "AmazonSSMManagedInstanceCore",
};

/**
 * An ECS cluster on an Auto Scaling group of ARM64 instances in private subnets: ECS-optimized AL2023 AMI,
 * IMDSv2 only, encrypted gp3 root volume, no public IP, SSM Session Manager instead of SSH, a capacity provider
 * (managed draining; managed scaling and termination protection when asked) as the cluster's default strategy,
 * an instance security group with no ingress, and an outbound-only task security group for awsvpc tasks.
 */
export class EcsEc2Cluster extends Construct {
  readonly cluster: EcsCluster;
  readonly capacityProvider: EcsCapacityProvider;
  readonly autoScalingGroup: AutoscalingGroup;
  /** For awsvpc tasks: outbound only; a real inbound flow (a load balancer) adds its own rule. */
  readonly taskSecurityGroup: SecurityGroup;
  readonly instanceSecurityGroup: SecurityGroup;
  readonly instanceRole: IamRole;

  constructor(scope: Construct, id: string, props: EcsEc2ClusterProps) {
    super(scope, id);
    const containerInsights = props.containerInsights ?? DEFAULT_CONTAINER_INSIGHTS;
    const rootVolumeSizeGiB = props.rootVolumeSizeGiB ?? DEFAULT_ROOT_VOLUME_SIZE_GIB;
    const metadataHopLimit = props.metadataHopLimit ?? DEFAULT_METADATA_HOP_LIMIT;
    const tags = props.tags ?? {};
    const clusterName = `${props.namePrefix}-${props.nameSuffix}`;
    const nameOf = (kind: string) => `${props.namePrefix}-${kind}-${props.nameSuffix}`;
    this.validate(clusterName, props, rootVolumeSizeGiB);
    const scaling = props.managedScaling;

    this.cluster = new EcsCluster(this, "Resource", {
      name: clusterName,
      setting: [{ name: "containerInsights", value: containerInsights ? "enabled" : "disabled" }],
    });

    this.instanceSecurityGroup = new SecurityGroup(this, "instance-security-group", {
      name: nameOf("instances"),
      description: `${clusterName} container instances: no ingress`,
      vpcId: props.vpcId,
      tags: { Name: nameOf("instances") },
    });
    // The ECS agent, ECR, SSM and CloudWatch are reached through NAT: HTTPS to many AWS endpoints.
    this.allowAllEgress("instance-egress", this.instanceSecurityGroup);

    this.taskSecurityGroup = new SecurityGroup(this, "task-security-group", {
      name: nameOf("tasks"),
      description: `${clusterName} awsvpc tasks: outbound only`,
      vpcId: props.vpcId,
      tags: { Name: nameOf("tasks") },
    });
    this.allowAllEgress("task-egress", this.taskSecurityGroup);

    this.instanceRole = this.createInstanceRole(nameOf("instance"));
    const launchTemplate = this.createLaunchTemplate(props, clusterName, nameOf, { ...tags, Name: nameOf("instance") }, rootVolumeSizeGiB, metadataHopLimit);
    this.autoScalingGroup = this.createAutoScalingGroup(props, nameOf, tags, launchTemplate);
    this.capacityProvider = this.createCapacityProvider(nameOf("ec2"), scaling);
  }

  /** The instances' launch template: the ECS-optimized ARM64 AMI, IMDSv2, no public address, an encrypted root volume. */
  private createLaunchTemplate(
    props: EcsEc2ClusterProps,
    clusterName: string,
    nameOf: (kind: string) => string,
    instanceTags: Record<string, string>,
    rootVolumeSizeGiB: number,
    metadataHopLimit: number,
  ): LaunchTemplate {
    const instanceProfile = new IamInstanceProfile(this, "instance-profile", {
      name: nameOf("instance"),
      role: this.instanceRole.name,
    });

    const ami = new DataAwsSsmParameter(this, "ami", { name: ECS_AMI_PARAMETER });
    return new LaunchTemplate(this, "launch-template", {
      name: nameOf("instance"),
      description: `${clusterName} container instances`,
      // The parameter is a public, non-secret AMI id: `insecure_value` keeps it readable in plans.
      imageId: ami.insecureValue,
      instanceType: props.instanceType,
      updateDefaultVersion: true,
      iamInstanceProfile: { arn: instanceProfile.arn },
      metadataOptions: {
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: metadataHopLimit,
      },
      networkInterfaces: [
        {
          deviceIndex: 0,
          associatePublicIpAddress: "false",
          deleteOnTermination: "true",
          securityGroups: [this.instanceSecurityGroup.id],
        },
      ],
      blockDeviceMappings: [
        {
          deviceName: ROOT_DEVICE_NAME,
          ebs: { volumeSize: rootVolumeSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
        },
      ],
      userData: Buffer.from(ecsConfigUserData(clusterName)).toString("base64"),
      tagSpecifications: [
        { resourceType: "instance", tags: instanceTags },
        { resourceType: "volume", tags: instanceTags },
      ],
    });
  }

  private createAutoScalingGroup(props: EcsEc2ClusterProps, nameOf: (kind: string) => string, tags: Record<string, string>, launchTemplate: LaunchTemplate): AutoscalingGroup {
    return new AutoscalingGroup(this, "asg", {
      name: nameOf("asg"),
      minSize: props.minSize,
      maxSize: props.maxSize,
      desiredCapacity: props.desiredCapacity,
      vpcZoneIdentifier: props.subnetIds,
      launchTemplate: { id: launchTemplate.id, version: "$Latest" },
      healthCheckType: "EC2",
      enabledMetrics: [...GROUP_METRICS],
      metricsGranularity: "1Minute",
      // Managed termination protection needs new instances protected; ECS lifts it when an instance is empty.
      protectFromScaleIn: props.managedScaling !== undefined,
      // Scale-in protected instances would hold `terraform destroy` forever; the cluster's services are gone by then.
      forceDelete: true,
      tag: [
        ...Object.entries({ ...tags, Name: nameOf("asg") }).map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
        // ECS adds this tag when it manages the group; declaring it avoids a perpetual diff.
        { key: "AmazonECSManaged", value: "true", propagateAtLaunch: true },
      ],
      // Instances register with the cluster by name (user data), which Terraform cannot see: the explicit
      // dependency makes destroy remove the instances before the cluster.
      dependsOn: [this.cluster],
      lifecycle: { ignoreChanges: ["desired_capacity"] },
    });
  }

  /** The group as the cluster's capacity provider (managed draining; managed scaling and termination protection when asked), and its default. */
  private createCapacityProvider(name: string, scaling: EcsManagedScalingProps | undefined): EcsCapacityProvider {
    const capacityProvider = new EcsCapacityProvider(this, "capacity-provider", {
      name,
      autoScalingGroupProvider: {
        autoScalingGroupArn: this.autoScalingGroup.arn,
        managedDraining: "ENABLED",
        // Termination protection works only together with managed scaling (AWS ECS API reference).
        managedTerminationProtection: scaling ? "ENABLED" : "DISABLED",
        managedScaling: scaling
          ? {
              status: "ENABLED",
              targetCapacity: scaling.targetCapacity,
              minimumScalingStepSize: scaling.minimumScalingStepSize,
              maximumScalingStepSize: scaling.maximumScalingStepSize,
            }
          : { status: "DISABLED" },
      },
    });
    new EcsClusterCapacityProviders(this, "capacity-providers", {
      clusterName: this.cluster.name,
      capacityProviders: [capacityProvider.name],
      defaultCapacityProviderStrategy: [{ capacityProvider: capacityProvider.name, weight: 1, base: 0 }],
    });
    return capacityProvider;
  }

  private validate(clusterName: string, props: EcsEc2ClusterProps, rootVolumeSizeGiB: number): void {
    const fail = (message: string) => {
      throw new Error(`EcsEc2Cluster ${clusterName}: ${message}`);
    };
    if (props.minSize < 0 || props.maxSize < 1 || props.minSize > props.maxSize) {
      fail(`minSize ${props.minSize} and maxSize ${props.maxSize} must satisfy 0 <= minSize <= maxSize, maxSize >= 1`);
    }
    if (props.desiredCapacity < props.minSize || props.desiredCapacity > props.maxSize) {
      fail(`desiredCapacity ${props.desiredCapacity} must be between minSize and maxSize (${props.minSize}..${props.maxSize})`);
    }
    if (rootVolumeSizeGiB < DEFAULT_ROOT_VOLUME_SIZE_GIB) {
      fail(`rootVolumeSizeGiB ${rootVolumeSizeGiB} must be at least ${DEFAULT_ROOT_VOLUME_SIZE_GIB} (the AMI's snapshot size)`);
    }
    const scaling = props.managedScaling;
    if (scaling && (scaling.targetCapacity < 1 || scaling.targetCapacity > 100)) {
      fail(`managedScaling.targetCapacity ${scaling.targetCapacity} must be from 1 to 100`);
    }
    if (scaling && (scaling.minimumScalingStepSize < 1 || scaling.minimumScalingStepSize > scaling.maximumScalingStepSize)) {
      fail(
        `managedScaling step sizes ${scaling.minimumScalingStepSize}..${scaling.maximumScalingStepSize} must satisfy 1 <= minimum <= maximum`,
      );
    }
  }

  private allowAllEgress(id: string, group: SecurityGroup): void {
    new VpcSecurityGroupEgressRule(this, id, {
      securityGroupId: group.id,
      ipProtocol: "-1",
      cidrIpv4: "0.0.0.0/0",
      description: "All outbound traffic",
    });
  }

  /** A role with AWS managed policies only, no inline policy. */
  private createInstanceRole(name: string): IamRole {
    // EC2 does not send aws:SourceAccount when it assumes an instance profile's role: a condition on it
    // would keep the instances from getting credentials.
    const trust = new DataAwsIamPolicyDocument(this, "instance-trust", {
      statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] }],
    });
    const role = new IamRole(this, "instance-role", { name, assumeRolePolicy: trust.json });
    const partition = new DataAwsPartition(this, "partition");
    Object.entries(INSTANCE_MANAGED_POLICIES).forEach(([id, policy]) => {
      new IamRolePolicyAttachment(this, `instance-role-${id}`, {
        role: role.name,
        policyArn: `arn:${partition.partition}:iam::aws:policy/${policy}`,
      });
    });
    return role;
  }
}

/**
 * Cloud-init script: joins the cluster, lets tasks use task roles, blocks awsvpc tasks from the instance
 * metadata service (so from the instance role), ships container logs with each task's execution role (scoped
 * to its own log group) instead of the instance role, and copies the instance's tags to the container instance.
 */
function ecsConfigUserData(clusterName: string): string {
  return [
    "#!/bin/bash",
    "cat >> /etc/ecs/ecs.config <<'EOF'",
    `ECS_CLUSTER=${clusterName}`,
    "ECS_ENABLE_TASK_IAM_ROLE=true",
    "ECS_AWSVPC_BLOCK_IMDS=true",
    "ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=true",
    "ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM=ec2_instance",
    "EOF",
    "",
  ].join("\n");
}
