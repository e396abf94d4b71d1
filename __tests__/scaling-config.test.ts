import { ConfigError, EnvironmentName, loadEnvironmentConfig, ServiceName } from "../src/config";
import { EnvironmentDefinition, ENVIRONMENTS } from "../src/config/environments";
import { ClusterDefinition, resolveManagedScaling, resolveServiceScaling, ServiceAutoScalingDefinition } from "../src/config/profiles";
import { PHASES } from "../src/stacks/names";
import { diffResources, resource, synthPhase, TEST_OPERATOR_VARIABLES } from "./support/synth";

/** The guide's "Ajuste Fino do Scaling" profiles, resolved in src/config before any stack sees a number. */

const SCALING: ServiceAutoScalingDefinition = { enabled: true, minTaskCount: 2, maxTaskCount: 8 };

/** `env`'s definition with one service's scaling replaced: what an operator writes in environments.ts. */
function withServiceScaling(env: EnvironmentName, name: ServiceName, change: Partial<ServiceAutoScalingDefinition>): EnvironmentDefinition {
  const definition = ENVIRONMENTS[env];
  return { ...definition, services: definition.services.map((service) => (service.name === name ? { ...service, autoScaling: { ...service.autoScaling, ...change } } : service)) };
}

function withManagedScaling(env: EnvironmentName, change: Partial<ClusterDefinition["managedScaling"]>): EnvironmentDefinition {
  const definition = ENVIRONMENTS[env];
  const oms = definition.clusters.oms;
  return { ...definition, clusters: { ...definition.clusters, oms: { ...oms, managedScaling: { ...oms.managedScaling, ...change } } } };
}

const load = (definition: EnvironmentDefinition) => loadEnvironmentConfig(definition.name, TEST_OPERATOR_VARIABLES, definition);

describe("service scaling profiles", () => {
  test("no profile: the guide's defaults, 70 % CPU, 60 s out, 300 s in", () => {
    expect(resolveServiceScaling("x", SCALING)).toEqual({ ...SCALING, targetCpuUtilization: 70, scaleOutCooldownSeconds: 60, scaleInCooldownSeconds: 300 });
  });

  test("aggressive: 50 % CPU and 30 s between scale-outs; the scale-in cooldown stays the default 300 s", () => {
    expect(resolveServiceScaling("x", { ...SCALING, profile: "aggressive" })).toEqual({
      ...SCALING,
      profile: "aggressive",
      targetCpuUtilization: 50,
      scaleOutCooldownSeconds: 30,
      scaleInCooldownSeconds: 300,
    });
  });

  test("conservative: 80 % CPU and 600 s before removing tasks; the scale-out cooldown stays the default 60 s", () => {
    expect(resolveServiceScaling("x", { ...SCALING, profile: "conservative" })).toMatchObject({ targetCpuUtilization: 80, scaleOutCooldownSeconds: 60, scaleInCooldownSeconds: 600 });
  });

  test("an explicit number wins over the profile, the profile's other numbers still apply", () => {
    expect(resolveServiceScaling("x", { ...SCALING, profile: "aggressive", targetCpuUtilization: 55 })).toMatchObject({ targetCpuUtilization: 55, scaleOutCooldownSeconds: 30, scaleInCooldownSeconds: 300 });
    expect(resolveServiceScaling("x", { ...SCALING, profile: "conservative", scaleInCooldownSeconds: 900 })).toMatchObject({ targetCpuUtilization: 80, scaleInCooldownSeconds: 900 });
  });

  test("a number left undefined does not hide the profile's", () => {
    expect(resolveServiceScaling("x", { ...SCALING, profile: "aggressive", targetCpuUtilization: undefined })).toMatchObject({ targetCpuUtilization: 50 });
  });

  test("an unknown profile is one line naming the field and the allowed profiles", () => {
    const definition = withServiceScaling("prod", "oms", { profile: "turbo" as "aggressive" });
    expect(() => load(definition)).toThrow(ConfigError);
    expect(() => load(definition)).toThrow(/^Invalid configuration: prod\.services\[0\]\.autoScaling\.profile = "turbo"; expected one of aggressive, conservative \(or no profile\)$/);
  });

  test("resolved numbers are still validated: a profile cannot smuggle in a bad explicit number", () => {
    expect(() => load(withServiceScaling("prod", "oms", { profile: "aggressive", targetCpuUtilization: 120 }))).toThrow(
      'Invalid configuration: prod.services[0].autoScaling.targetCpuUtilization = 120; expected a whole number from 1 to 100',
    );
  });
});

describe("managed scaling profiles", () => {
  const MANAGED = { enabled: true, minimumScalingStepSize: 1, maximumScalingStepSize: 2 };

  test.each([
    [undefined, 70],
    ["proactive", 60],
    ["economical", 85],
  ] as const)("profile %s: target capacity %i", (profile, targetCapacity) => {
    expect(resolveManagedScaling("x", { ...MANAGED, profile })).toEqual({ ...MANAGED, profile, targetCapacity });
  });

  test("an explicit target capacity wins over the profile", () => {
    expect(resolveManagedScaling("x", { ...MANAGED, profile: "economical", targetCapacity: 90 }).targetCapacity).toBe(90);
  });

  test("an unknown profile is one line naming the cluster and the allowed profiles", () => {
    expect(() => load(withManagedScaling("prod", { profile: "lazy" as "proactive" }))).toThrow(
      /^Invalid configuration: prod\.clusters\.oms\.managedScaling\.profile = "lazy"; expected one of proactive, economical \(or no profile\)$/,
    );
  });
});

describe("a profile reaches the synthesized stacks", () => {
  test("prod OMS aggressive: its target tracking policy holds 50 % CPU, 30 s out, 300 s in; websocket keeps the defaults", () => {
    const tf = synthPhase(load(withServiceScaling("prod", "oms", { profile: "aggressive" })), "services").tf;
    const policy = (name: string) => resource(tf, "aws_appautoscaling_policy", `${name}_cpu_scaling_policy`).target_tracking_scaling_policy_configuration;
    expect(policy("oms")).toMatchObject({ target_value: 50, scale_out_cooldown: 30, scale_in_cooldown: 300 });
    expect(policy("websocket")).toMatchObject({ target_value: 70, scale_out_cooldown: 60, scale_in_cooldown: 300 });
  });

  test("prod OMS cluster economical: its capacity provider targets 85 %, the frontend cluster keeps 70 %", () => {
    const tf = synthPhase(load(withManagedScaling("prod", { profile: "economical" })), "compute").tf;
    const targetCapacity = (cluster: string) => resource(tf, "aws_ecs_capacity_provider", `${cluster}_capacity_provider`).auto_scaling_group_provider.managed_scaling.target_capacity;
    expect(targetCapacity("oms")).toBe(85);
    expect(targetCapacity("frontend")).toBe(70);
  });
});

describe("enabling auto scaling (docs/operations.md \"Enable service auto scaling\")", () => {
  // The procedure's edit in src/config/environments.ts, staging: OMS scaling on, and Container Insights on its
  // cluster, which validation requires for a service that may run more than one task.
  const staging = ENVIRONMENTS.staging;
  const enabled = withServiceScaling("staging", "oms", { enabled: true });
  const edited: EnvironmentDefinition = { ...enabled, clusters: { ...staging.clusters, oms: { ...staging.clusters.oms, containerInsights: true } } };
  const before = load(staging);
  const after = load(edited);
  const diff = Object.fromEntries(PHASES.map((phase) => [phase, diffResources(synthPhase(before, phase).tf, synthPhase(after, phase).tf)]));

  test("the scaling switch alone is refused with one line naming the Container Insights line to change too", () => {
    expect(() => load(enabled)).toThrow(
      'Invalid configuration: staging.clusters.oms.containerInsights = false; expected true: services[0] (oms) may run more than one task, and without Container Insights its running-tasks alarm only sees "no task at all"',
    );
  });

  test("adds exactly OMS's scalable target and its target tracking policy, and removes nothing, in every phase", () => {
    expect(Object.fromEntries(PHASES.map((phase) => [phase, diff[phase].added]))).toEqual({
      foundation: [],
      data: [],
      compute: [],
      services: ["aws_appautoscaling_policy.oms_cpu_scaling_policy", "aws_appautoscaling_target.oms_scaling_target"],
      cicd: [],
    });
    for (const phase of PHASES) expect({ phase, removed: diff[phase].removed }).toEqual({ phase, removed: [] });
  });

  test("the new target scales staging's OMS 1..4 tasks on the guide's 70 % CPU, 60 s out, 300 s in", () => {
    const tf = synthPhase(after, "services").tf;
    expect(resource(tf, "aws_appautoscaling_target", "oms_scaling_target")).toMatchObject({ min_capacity: 1, max_capacity: 4, scalable_dimension: "ecs:service:DesiredCount" });
    expect(resource(tf, "aws_appautoscaling_policy", "oms_cpu_scaling_policy").target_tracking_scaling_policy_configuration).toMatchObject({
      target_value: 70,
      scale_out_cooldown: 60,
      scale_in_cooldown: 300,
    });
  });

  test("changes in place only what Container Insights and scaling touch, no name or other identity (nothing replaced)", () => {
    expect(Object.fromEntries(PHASES.map((phase) => [phase, diff[phase].changed]))).toEqual({
      foundation: {},
      data: {},
      // The cluster setting (an in-place UpdateClusterSettings).
      compute: { "aws_ecs_cluster.oms": ["setting"] },
      services: {
        // Terraform stops resetting the desired count the autoscaler owns: a meta-argument, no API call.
        "aws_ecs_service.oms": ["lifecycle"],
        // "Fewer tasks than desired" from Container Insights replaces "no task at all" (PutMetricAlarm, same name).
        "aws_cloudwatch_metric_alarm.oms_alarms_running_tasks": ["alarm_description", "comparison_operator", "dimensions", "metric_name", "metric_query", "namespace", "period", "statistic", "threshold"],
        // Its dashboard widget follows the alarm (PutDashboard, same name).
        "aws_cloudwatch_dashboard.dashboard": ["dashboard_body"],
      },
      cicd: {},
    });
    expect(resource(synthPhase(after, "services").tf, "aws_ecs_service", "oms").lifecycle).toEqual({ ignore_changes: ["desired_count", "task_definition"] });
  });

  test("no output of any phase changes", () => {
    for (const phase of PHASES) expect({ phase, output: synthPhase(after, phase).tf.output }).toEqual({ phase, output: synthPhase(before, phase).tf.output });
  });
});
