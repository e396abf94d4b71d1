import type { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import type { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { ECSClient } from "@aws-sdk/client-ecs";
import { quietSdkNotice } from "../credentials";
import { ScalingActivity } from "./model";
import { ScalingAws, ScalingAwsFactory } from "./collect";

/**
 * The real `ScalingAws`: the AWS SDK v3 clients for ECS, Application Auto Scaling, EC2 Auto Scaling and
 * CloudWatch, loaded on first use (only `scaling` pays their load time), one client of each for the run.
 */

/** Activities asked per service or group: one page, newest first (the view shows 5; findings look at the window). */
const ACTIVITIES_PER_CALL = 50;
/** DescribeServices takes at most 10 services per call (ECS API reference). */
const SERVICES_PER_CALL = 10;
const SERVICE_DIMENSION = "ecs:service:DesiredCount";

/** A client made on first use and kept for the run. */
function lazy<C extends { destroy(): void }>(make: () => Promise<C>): { get: () => Promise<C>; close: () => void } {
  let client: Promise<C> | undefined;
  return {
    get: () => (client ??= make()),
    close: () => void client?.then(
      (made) => made.destroy(),
      () => undefined,
    ),
  };
}

const iso = (date: Date | undefined): string | undefined => date?.toISOString();

function activity(raw: { StartTime?: Date; EndTime?: Date; StatusCode?: string; Description?: string; Cause?: string; StatusMessage?: string }): ScalingActivity {
  return {
    start: iso(raw.StartTime) ?? "",
    end: iso(raw.EndTime),
    status: raw.StatusCode ?? "Unknown",
    description: (raw.Description ?? "").replace(/\s+/g, " ").trim(),
    cause: (raw.Cause ?? "").replace(/\s+/g, " ").trim(),
    message: raw.StatusMessage?.replace(/\s+/g, " ").trim() || undefined,
  };
}

export const sdkScalingAws: ScalingAwsFactory = (region, credentials) => {
  quietSdkNotice();
  const ecs = lazy<ECSClient>(async () => new (await import("@aws-sdk/client-ecs")).ECSClient({ region, credentials }));
  const applicationAutoScaling = lazy<ApplicationAutoScalingClient>(async () => new (await import("@aws-sdk/client-application-auto-scaling")).ApplicationAutoScalingClient({ region, credentials }));
  const autoScaling = lazy<AutoScalingClient>(async () => new (await import("@aws-sdk/client-auto-scaling")).AutoScalingClient({ region, credentials }));
  const cloudWatch = lazy<CloudWatchClient>(async () => new (await import("@aws-sdk/client-cloudwatch")).CloudWatchClient({ region, credentials }));
  const aws: ScalingAws = {
    async services(cluster, names) {
      const { DescribeServicesCommand } = await import("@aws-sdk/client-ecs");
      const client = await ecs.get();
      const batches = Array.from({ length: Math.ceil(names.length / SERVICES_PER_CALL) }, (_, index) => names.slice(index * SERVICES_PER_CALL, (index + 1) * SERVICES_PER_CALL));
      const answers = await Promise.all(batches.map((batch) => client.send(new DescribeServicesCommand({ cluster, services: [...batch] }))));
      return answers.flatMap((answer) => [
        ...(answer.services ?? []).map((s) => ({ name: s.serviceName ?? "", found: s.status !== "INACTIVE", running: s.runningCount ?? 0, desired: s.desiredCount ?? 0, pending: s.pendingCount ?? 0 })),
        ...(answer.failures ?? []).map((failure) => ({ name: failure.arn?.split("/").pop() ?? "", found: false, running: 0, desired: 0, pending: 0 })),
      ]);
    },
    async capacityProviders(names) {
      const { DescribeCapacityProvidersCommand } = await import("@aws-sdk/client-ecs");
      const answer = await (await ecs.get()).send(new DescribeCapacityProvidersCommand({ capacityProviders: [...names] }));
      return (answer.capacityProviders ?? []).map((provider) => {
        const scaling = provider.autoScalingGroupProvider?.managedScaling;
        return { name: provider.name ?? "", managedScaling: scaling?.status ?? "DISABLED", targetCapacity: scaling?.targetCapacity };
      });
    },
    async groups(names) {
      const { DescribeAutoScalingGroupsCommand } = await import("@aws-sdk/client-auto-scaling");
      const answer = await (await autoScaling.get()).send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [...names] }));
      return (answer.AutoScalingGroups ?? []).map((group) => ({
        name: group.AutoScalingGroupName ?? "",
        found: true,
        min: group.MinSize ?? 0,
        max: group.MaxSize ?? 0,
        desired: group.DesiredCapacity ?? 0,
        inService: (group.Instances ?? []).filter((instance) => instance.LifecycleState === "InService").length,
      }));
    },
    async groupActivities(group) {
      const { DescribeScalingActivitiesCommand } = await import("@aws-sdk/client-auto-scaling");
      const answer = await (await autoScaling.get()).send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: group, MaxRecords: ACTIVITIES_PER_CALL }));
      return (answer.Activities ?? []).map(activity);
    },
    async scalableTargets(resourceIds) {
      const { DescribeScalableTargetsCommand } = await import("@aws-sdk/client-application-auto-scaling");
      const answer = await (await applicationAutoScaling.get()).send(
        new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ScalableDimension: SERVICE_DIMENSION, ResourceIds: [...resourceIds] }),
      );
      return (answer.ScalableTargets ?? []).map((target) => ({ resourceId: target.ResourceId ?? "", min: target.MinCapacity ?? 0, max: target.MaxCapacity ?? 0 }));
    },
    async scalingPolicies(resourceId) {
      const { DescribeScalingPoliciesCommand } = await import("@aws-sdk/client-application-auto-scaling");
      const answer = await (await applicationAutoScaling.get()).send(
        new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", ScalableDimension: SERVICE_DIMENSION, ResourceId: resourceId }),
      );
      return (answer.ScalingPolicies ?? []).map((policy) => {
        const tracking = policy.TargetTrackingScalingPolicyConfiguration;
        return {
          metric: tracking?.PredefinedMetricSpecification?.PredefinedMetricType,
          targetValue: tracking?.TargetValue,
          scaleOutCooldownSeconds: tracking?.ScaleOutCooldown,
          scaleInCooldownSeconds: tracking?.ScaleInCooldown,
        };
      });
    },
    async serviceActivities(resourceId) {
      const { DescribeScalingActivitiesCommand } = await import("@aws-sdk/client-application-auto-scaling");
      const answer = await (await applicationAutoScaling.get()).send(
        new DescribeScalingActivitiesCommand({ ServiceNamespace: "ecs", ScalableDimension: SERVICE_DIMENSION, ResourceId: resourceId, MaxResults: ACTIVITIES_PER_CALL }),
      );
      return (answer.ScalingActivities ?? []).map(activity);
    },
    async metrics(queries, window) {
      const { GetMetricDataCommand } = await import("@aws-sdk/client-cloudwatch");
      const client = await cloudWatch.get();
      const found = new Map<string, { time: string; value: number }[]>();
      let token: string | undefined;
      do {
        const page = await client.send(
          new GetMetricDataCommand({
            StartTime: new Date(window.start),
            EndTime: new Date(window.end),
            ScanBy: "TimestampAscending",
            NextToken: token,
            MetricDataQueries: queries.map((query) => ({
              Id: query.id,
              ReturnData: true,
              MetricStat: {
                Metric: { Namespace: query.namespace, MetricName: query.metric, Dimensions: Object.entries(query.dimensions).map(([Name, Value]) => ({ Name, Value })) },
                Period: window.periodSeconds,
                Stat: query.stat,
              },
            })),
          }),
        );
        for (const result of page.MetricDataResults ?? []) {
          const points = found.get(result.Id ?? "") ?? [];
          (result.Timestamps ?? []).forEach((time, index) => points.push({ time: time.toISOString(), value: result.Values?.[index] ?? 0 }));
          found.set(result.Id ?? "", points);
        }
        token = page.NextToken;
      } while (token);
      return found;
    },
    close() {
      [ecs, applicationAutoScaling, autoScaling, cloudWatch].forEach((client) => client.close());
    },
  };
  return aws;
};
