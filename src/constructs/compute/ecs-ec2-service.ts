import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { EcsTaskRoles } from "./ecs-task-roles";
import { CONTAINER_USER } from "../../lib/patterns";

/** One environment variable filled by ECS from a key of a JSON secret. */
export interface EcsContainerSecret {
  /** Environment variable name inside the container. */
  readonly name: string;
  /** Full ARN of the Secrets Manager secret. */
  readonly secretArn: string;
  /** Key of the secret's JSON document. */
  readonly jsonKey: string;
}

/** Target tracking on the service's average CPU. */
export interface EcsServiceAutoScaling {
  /** Fewest tasks, however low the CPU. */
  readonly minTaskCount: number;
  /** Most tasks, however high the CPU. */
  readonly maxTaskCount: number;
  /** Average CPU percent to hold. */
  readonly targetCpuUtilization: number;
  /** @default 60 */
  readonly scaleOutCooldownSeconds?: number;
  /** @default 300 */
  readonly scaleInCooldownSeconds?: number;
}

/** A load balancer target group the service registers its tasks in. */
export interface EcsServiceLoadBalancerProps {
  /** `ip` target group on the container port. */
  readonly targetGroupArn: string;
  /** What attaches the target group to a load balancer (its listener rule): the service is created after it. */
  readonly attachedBy: ITerraformDependable;
  /** Seconds ECS ignores failing load balancer health checks of a new task. @default 60 */
  readonly healthCheckGracePeriodSeconds?: number;
}

export interface EcsEc2ServiceProps {
  /** ECS service name; the scaling policy and log stream prefix derive from it. */
  readonly serviceName: string;
  /** Task definition family. */
  readonly family: string;
  /** Name of the single container. */
  readonly containerName: string;
  /** Cluster ARN the service runs in. */
  readonly clusterArn: string;
  /** Cluster name (Application Auto Scaling addresses services by name). */
  readonly clusterName: string;
  /** Capacity provider (an EC2 Auto Scaling group) the tasks are placed on. */
  readonly capacityProviderName: string;
  /** Image reference, `<repository>:<tag>`. */
  readonly image: string;
  /** ECR repository of the image, for the execution role. @default - not an ECR image: no pull permissions */
  readonly imageRepositoryArn?: string;
  /** Task CPU units. */
  readonly cpu: number;
  /** Task memory (MiB). */
  readonly memoryMiB: number;
  /** TCP port the container listens on. */
  readonly containerPort: number;
  /** `uid[:gid]` the container runs as; root (uid 0) is refused. */
  readonly user: string;
  /** Private subnets of the task ENIs. */
  readonly subnetIds: string[];
  /** Security groups of the task ENIs. */
  readonly securityGroupIds: string[];
  /** Tasks to run (the starting point when auto scaling is on). */
  readonly desiredCount: number;
  /** Region of the log group (awslogs driver option), also the container's AWS_REGION. */
  readonly region: string;
  /** Account the execution and task roles trust ECS from. */
  readonly accountId: string;
  /** Partition of the account (`aws:SourceArn` of the roles' trust). */
  readonly partition: string;
  /** KMS key of the log group, the injected secrets and the image. */
  readonly kmsKeyArn: string;
  /**
   * `awsvpc`: own network interface in `subnetIds` with `securityGroupIds`; `bridge`: Docker's bridge on the
   * instance, a dynamic host port, the instance's security group (the instance needs metadata hop limit 2).
   * @default "awsvpc"
   */
  readonly networkMode?: "awsvpc" | "bridge";
  /** Log group created for the container. */
  readonly logGroupName: string;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** Execution role name. */
  readonly executionRoleName: string;
  /** Task role name. */
  readonly taskRoleName: string;
  /** S3 object ARN of a `.env` file loaded as environment. @default - none */
  readonly environmentFileArn?: string;
  /** Environment variables from Secrets Manager. @default - none */
  readonly secrets?: readonly EcsContainerSecret[];
  /** Plain environment variables (names of queues, tables, ...), next to AWS_REGION. @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /** The application's permissions, on the task role. @default - none */
  readonly taskPolicyStatements?: readonly DataAwsIamPolicyDocumentStatement[];
  /** Register the tasks in a load balancer target group. @default - not load balanced */
  readonly loadBalancer?: EcsServiceLoadBalancerProps;
  /** ECS Exec (interactive shell through Session Manager). @default false */
  readonly enableExecuteCommand?: boolean;
  /** Task auto scaling; Terraform then leaves desired_count to the autoscaler. @default - a fixed desired count */
  readonly autoScaling?: EcsServiceAutoScaling;
  /** Tasks kept running during a deployment, percent of the desired count. @default 100 */
  readonly deploymentMinimumHealthyPercent?: number;
  /** Tasks allowed during a deployment, old and new, percent of the desired count. @default 200 */
  readonly deploymentMaximumPercent?: number;
  /**
   * Something outside Terraform (a CodePipeline ECS deploy action) registers task definition revisions and
   * points the service at them; Terraform then ignores the service's task definition instead of rolling it back.
   * @default false
   */
  readonly deployedExternally?: boolean;
}

const DEFAULT_LOG_RETENTION_DAYS = 30;
const DEFAULT_NETWORK_MODE = "awsvpc";
const DEFAULT_ENABLE_EXECUTE_COMMAND = false;
const DEFAULT_DEPLOYED_EXTERNALLY = false;
/** Keep every running task until its replacement is healthy (100), and allow a full second set meanwhile (200). */
const DEFAULT_DEPLOYMENT_MINIMUM_HEALTHY_PERCENT = 100;
const DEFAULT_DEPLOYMENT_MAXIMUM_PERCENT = 200;
const DEFAULT_SCALE_OUT_COOLDOWN_SECONDS = 60;
const DEFAULT_SCALE_IN_COOLDOWN_SECONDS = 300;
const DEFAULT_HEALTH_CHECK_GRACE_PERIOD_SECONDS = 60;
const TMP_VOLUME = "tmp";
/**
 * Paths the ECS Exec agent writes to; with a read-only root file system they must be volumes
 * (aws/containers-roadmap#1359).
 */
const EXEC_AGENT_VOLUMES: Readonly<Record<string, string>> = {
  "exec-agent": "/managed-agents",
  "exec-agent-state": "/var/lib/amazon/ssm",
  "exec-agent-logs": "/var/log/amazon/ssm",
};

/** The service settings resolved from props and their defaults. */
interface ServiceSettings {
  readonly networkMode: "awsvpc" | "bridge";
  readonly enableExecuteCommand: boolean;
  readonly minimumHealthyPercent: number;
  readonly maximumPercent: number;
  /** Auto scaling owns the desired count. */
  readonly scaled: boolean;
  /** A pipeline registers the task definition revisions. */
  readonly deployedExternally: boolean;
}

/** The one container: non-root, read-only root file system, logs to the service's group, secrets by JSON key. */
function containerDefinition(props: EcsEc2ServiceProps, networkMode: "awsvpc" | "bridge", volumes: Readonly<Record<string, string>>, secrets: readonly EcsContainerSecret[]) {
  return {
    name: props.containerName,
    image: props.image,
    essential: true,
    user: props.user,
    privileged: false,
    readonlyRootFilesystem: true,
    linuxParameters: { initProcessEnabled: true },
    // awsvpc tasks cannot reach the instance metadata service (the cluster blocks it), so SDKs learn the region here.
    environment: [
      { name: "AWS_REGION", value: props.region },
      { name: "AWS_DEFAULT_REGION", value: props.region },
      ...Object.entries(props.environment ?? {}).map(([name, value]) => ({ name, value })),
    ],
    // Bridge tasks get a dynamic host port (0), so several fit on one instance.
    portMappings: [{ containerPort: props.containerPort, protocol: "tcp", ...(networkMode === "bridge" ? { hostPort: 0 } : {}) }],
    mountPoints: Object.entries(volumes).map(([sourceVolume, containerPath]) => ({ sourceVolume, containerPath, readOnly: false })),
    logConfiguration: {
      logDriver: "awslogs",
      options: {
        "awslogs-group": props.logGroupName,
        "awslogs-region": props.region,
        "awslogs-stream-prefix": props.containerName,
      },
    },
    ...(props.environmentFileArn ? { environmentFiles: [{ type: "s3", value: props.environmentFileArn }] } : {}),
    ...(secrets.length > 0
      ? { secrets: secrets.map((secret) => ({ name: secret.name, valueFrom: `${secret.secretArn}:${secret.jsonKey}::` })) }
      : {}),
  };
}

/**
 * An ECS service on EC2 capacity (ARM64, awsvpc networking in private subnets, no public IP) with its task
 * definition, log group and least-privilege roles. The container is hardened: non-root user, read-only root
 * file system with a writable /tmp volume, not privileged, an init process reaping zombies. Deployments roll
 * with a circuit breaker that rolls back; optional target-tracking auto scaling on CPU.
 */
export class EcsEc2Service extends Construct {
  readonly service: EcsService;
  readonly taskDefinition: EcsTaskDefinition;
  readonly logGroup: CloudwatchLogGroup;
  readonly roles: EcsTaskRoles;
  readonly containerName: string;
  /** The auto scaling target, when auto scaling is on. */
  readonly scalingTarget?: AppautoscalingTarget;

  constructor(scope: Construct, id: string, props: EcsEc2ServiceProps) {
    super(scope, id);
    const logRetentionDays = props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
    const enableExecuteCommand = props.enableExecuteCommand ?? DEFAULT_ENABLE_EXECUTE_COMMAND;
    const deployedExternally = props.deployedExternally ?? DEFAULT_DEPLOYED_EXTERNALLY;
    const minimumHealthyPercent = props.deploymentMinimumHealthyPercent ?? DEFAULT_DEPLOYMENT_MINIMUM_HEALTHY_PERCENT;
    const maximumPercent = props.deploymentMaximumPercent ?? DEFAULT_DEPLOYMENT_MAXIMUM_PERCENT;
    const secrets = props.secrets ?? [];
    const networkMode = props.networkMode ?? DEFAULT_NETWORK_MODE;
    const scaling: Required<EcsServiceAutoScaling> | undefined = props.autoScaling && {
      scaleOutCooldownSeconds: DEFAULT_SCALE_OUT_COOLDOWN_SECONDS,
      scaleInCooldownSeconds: DEFAULT_SCALE_IN_COOLDOWN_SECONDS,
      ...props.autoScaling,
    };
    this.containerName = props.containerName;
    const fail = (message: string) => new Error(`EcsEc2Service ${props.serviceName}: ${message}`);
    if (!CONTAINER_USER.test(props.user) || props.user.split(":")[0] === "0") {
      throw fail(`user "${props.user}" must be a numeric non-root uid or uid:gid such as 1000:1000`);
    }
    if (!Number.isInteger(props.containerPort) || props.containerPort < 1 || props.containerPort > 65535) {
      throw fail(`containerPort ${props.containerPort} must be from 1 to 65535`);
    }
    if (minimumHealthyPercent < 0 || minimumHealthyPercent > 100 || maximumPercent < 100 || maximumPercent > 200) {
      throw fail(`deployment percents ${minimumHealthyPercent}/${maximumPercent} must be 0..100 (minimum healthy) and 100..200 (maximum)`);
    }
    if (scaling && scaling.minTaskCount > scaling.maxTaskCount) {
      throw fail(`autoScaling.minTaskCount ${scaling.minTaskCount} must be <= maxTaskCount ${scaling.maxTaskCount}`);
    }
    if (scaling && (props.desiredCount < scaling.minTaskCount || props.desiredCount > scaling.maxTaskCount)) {
      throw fail(`desiredCount ${props.desiredCount} must be between min and max task count (${scaling.minTaskCount}..${scaling.maxTaskCount})`);
    }

    this.logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: props.logGroupName,
      retentionInDays: logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    this.roles = new EcsTaskRoles(this, "iam", {
      executionRoleName: props.executionRoleName,
      taskRoleName: props.taskRoleName,
      accountId: props.accountId,
      partition: props.partition,
      region: props.region,
      kmsKeyArn: props.kmsKeyArn,
      logGroupArn: this.logGroup.arn,
      imageRepositoryArn: props.imageRepositoryArn,
      secretArns: secrets.map((secret) => secret.secretArn),
      environmentFileArn: props.environmentFileArn,
      enableExecuteCommand,
      applicationStatements: props.taskPolicyStatements,
    });

    const volumes: Record<string, string> = { [TMP_VOLUME]: "/tmp", ...(enableExecuteCommand ? EXEC_AGENT_VOLUMES : {}) };
    this.taskDefinition = new EcsTaskDefinition(this, "task-definition", {
      family: props.family,
      requiresCompatibilities: ["EC2"],
      networkMode,
      runtimePlatform: { cpuArchitecture: "ARM64", operatingSystemFamily: "LINUX" },
      cpu: String(props.cpu),
      memory: String(props.memoryMiB),
      executionRoleArn: this.roles.executionRole.arn,
      taskRoleArn: this.roles.taskRole.arn,
      // Task-scoped Docker volumes: empty at start, gone with the task.
      volume: Object.keys(volumes).map((name) => ({ name })),
      containerDefinitions: JSON.stringify([containerDefinition(props, networkMode, volumes, secrets)]),
    });
    this.service = this.createService(props, { networkMode, enableExecuteCommand, minimumHealthyPercent, maximumPercent, scaled: scaling !== undefined, deployedExternally });
    if (scaling) this.scalingTarget = this.scaleOnCpu(props, scaling);
  }

  private createService(props: EcsEc2ServiceProps, settings: ServiceSettings): EcsService {
    const loadBalancer = props.loadBalancer;
    const ignoreChanges = [...(settings.scaled ? ["desired_count"] : []), ...(settings.deployedExternally ? ["task_definition"] : [])];
    return new EcsService(this, "Resource", {
      name: props.serviceName,
      cluster: props.clusterArn,
      taskDefinition: this.taskDefinition.arn,
      desiredCount: props.desiredCount,
      capacityProviderStrategy: [{ capacityProvider: props.capacityProviderName, weight: 1, base: 0 }],
      orderedPlacementStrategy: [{ type: "spread", field: "attribute:ecs.availability-zone" }],
      ...(settings.networkMode === "awsvpc"
        ? { networkConfiguration: { subnets: props.subnetIds, securityGroups: props.securityGroupIds, assignPublicIp: false } }
        : {}),
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: settings.minimumHealthyPercent,
      deploymentMaximumPercent: settings.maximumPercent,
      enableExecuteCommand: settings.enableExecuteCommand,
      enableEcsManagedTags: true,
      propagateTags: "SERVICE",
      waitForSteadyState: false,
      ...(loadBalancer
        ? {
            loadBalancer: [{ targetGroupArn: loadBalancer.targetGroupArn, containerName: props.containerName, containerPort: props.containerPort }],
            healthCheckGracePeriodSeconds: loadBalancer.healthCheckGracePeriodSeconds ?? DEFAULT_HEALTH_CHECK_GRACE_PERIOD_SECONDS,
          }
        : {}),
      dependsOn: [...this.roles.policies, ...(loadBalancer ? [loadBalancer.attachedBy] : [])],
      ...(ignoreChanges.length > 0 ? { lifecycle: { ignoreChanges } } : {}),
    });
  }

  /** Target tracking on the service's average CPU, between the scaling's task counts. */
  private scaleOnCpu(props: EcsEc2ServiceProps, scaling: Required<EcsServiceAutoScaling>): AppautoscalingTarget {
    const target = new AppautoscalingTarget(this, "scaling-target", {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: `service/${props.clusterName}/${this.service.name}`,
      minCapacity: scaling.minTaskCount,
      maxCapacity: scaling.maxTaskCount,
    });
    new AppautoscalingPolicy(this, "cpu-scaling-policy", {
      name: `${props.serviceName}-cpu-target-tracking`,
      policyType: "TargetTrackingScaling",
      serviceNamespace: target.serviceNamespace,
      scalableDimension: target.scalableDimension,
      resourceId: target.resourceId,
      targetTrackingScalingPolicyConfiguration: {
        predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
        targetValue: scaling.targetCpuUtilization,
        scaleOutCooldown: scaling.scaleOutCooldownSeconds,
        scaleInCooldown: scaling.scaleInCooldownSeconds,
      },
    });
    return target;
  }
}
