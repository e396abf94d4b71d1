import { DataTerraformRemoteStateS3, TerraformStack, Testing } from "cdktf";
import { ENVIRONMENT_NAMES, EnvironmentName } from "../src/config";
import { validateEnvironmentConfig } from "../src/config/validate";
import { AlarmTopic } from "../src/constructs/observability/alarm-topic";
import { EcsServiceAlarms } from "../src/constructs/observability/ecs-service-alarms";
import { LoadBalancerAlarms } from "../src/constructs/observability/load-balancer-alarms";
import { OperationsDashboard } from "../src/constructs/observability/operations-dashboard";
import { RedisAlarms } from "../src/constructs/observability/redis-alarms";
import { TargetGroupAlarms } from "../src/constructs/observability/target-group-alarms";
import { WafAlarms } from "../src/constructs/observability/waf-alarms";
import { monitorServices } from "../src/stacks/services-monitoring";
import { TerraformJson, dataOf, policyStatements, resource, resourcesOf, statementBySid, synthPhase, testConfig } from "./support/synth";

const ENVS = ENVIRONMENT_NAMES;
const FOUNDATION = "data.terraform_remote_state.foundation_outputs.outputs";
const TOPIC = `\${${FOUNDATION}.alarm_topic_arn}`;
const synth = (env: EnvironmentName, phase: "foundation" | "data" | "services") => synthPhase(testConfig(env), phase).tf;
const alarmsOf = (tf: TerraformJson) => resourcesOf(tf, "aws_cloudwatch_metric_alarm");
const alarm = (tf: TerraformJson, name: string) => resource(tf, "aws_cloudwatch_metric_alarm", name);

/** The one resource of a type in a probe stack (plain stacks hash their addresses). */
const only = (tf: TerraformJson, type: string) => {
  const all = Object.values(resourcesOf(tf, type));
  expect(all).toHaveLength(1);
  return all[0];
};
/** A probe stack's alarm, by its name. */
const alarmNamed = (tf: TerraformJson, name: string) => {
  const found = Object.values(alarmsOf(tf)).find((each) => each.alarm_name === name);
  if (!found) throw new Error(`no alarm ${name}`);
  return found;
};

/** Parses a dashboard body: Terraform references inside its strings may hold raw quotes, escaped first. */
function parseBody(body: string): TerraformJson {
  return JSON.parse(body.replace(/\$\{[^}]*\}/g, (expression) => expression.replace(/"/g, '\\"')));
}

describe("alarm topic (phase 1)", () => {
  test.each(ENVS)("%s: sentry-alarms-<env>, encrypted, TLS-only, publishable by this account's CloudWatch alarms only", (env) => {
    const tf = synth(env, "foundation");
    expect(resource(tf, "aws_sns_topic", "alarm_topic")).toMatchObject({ name: `sentry-alarms-${env}`, kms_master_key_id: "${aws_kms_key.environment_key.arn}" });
    expect(resource(tf, "aws_sns_topic_policy", "alarm_topic_policy")).toMatchObject({
      arn: "${aws_sns_topic.alarm_topic.arn}",
      policy: "${data.aws_iam_policy_document.alarm_topic_policy_document.json}",
    });
    expect(statementBySid(tf, "alarm_topic_policy_document", "DenyInsecureTransport")).toEqual({
      sid: "DenyInsecureTransport",
      effect: "Deny",
      actions: ["sns:Publish"],
      resources: ["${aws_sns_topic.alarm_topic.arn}"],
      principals: [{ type: "*", identifiers: ["*"] }],
      condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
    });
    const account = "${data.aws_caller_identity.alarm_topic_account.account_id}";
    expect(statementBySid(tf, "alarm_topic_policy_document", "AllowCloudWatchAlarmsOfThisAccount")).toEqual({
      sid: "AllowCloudWatchAlarmsOfThisAccount",
      actions: ["sns:Publish"],
      resources: ["${aws_sns_topic.alarm_topic.arn}"],
      principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
      condition: [
        { test: "StringEquals", variable: "aws:SourceAccount", values: [account] },
        {
          test: "ArnLike",
          variable: "aws:SourceArn",
          values: [`arn:\${data.aws_partition.alarm_topic_partition.partition}:cloudwatch:\${data.aws_region.alarm_topic_region.name}:${account}:alarm:*`],
        },
      ],
    });
    expect(policyStatements(tf, "alarm_topic_policy_document")).toHaveLength(2);
    expect(tf.output.alarm_topic_arn.value).toBe("${aws_sns_topic.alarm_topic.arn}");
  });

  test("SENTRY_ALARM_EMAIL subscribes that address by e-mail", () => {
    expect(resource(synth("dev", "foundation"), "aws_sns_topic_subscription", "alarm_topic_email")).toMatchObject({
      topic_arn: "${aws_sns_topic.alarm_topic.arn}",
      protocol: "email",
      endpoint: "alarms@sentry.test",
    });
  });

  test("without SENTRY_ALARM_EMAIL the topic has no subscription", () => {
    const config = testConfig("dev", { SENTRY_STATE_BUCKET: "sentry-test-state", SENTRY_ADMIN_EMAIL: "ops@sentry.test" });
    const tf = synthPhase(config, "foundation").tf;
    expect(resource(tf, "aws_sns_topic", "alarm_topic").name).toBe("sentry-alarms-dev");
    expect(resourcesOf(tf, "aws_sns_topic_subscription")).toEqual({});
  });

  test("the construct takes its key, and refuses an address that is not one", () => {
    const stack = new TerraformStack(Testing.app(), "probe");
    new AlarmTopic(stack, "topic", { name: "probe", kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/probe" });
    expect(only(JSON.parse(Testing.synth(stack)), "aws_sns_topic").kms_master_key_id).toBe("arn:aws:kms:us-east-1:123456789012:key/probe");
    expect(() => new AlarmTopic(new TerraformStack(Testing.app(), "bad"), "topic", { name: "probe", email: "nobody", kmsMasterKeyId: "alias/probe" })).toThrow(
      'AlarmTopic probe: email "nobody" must be an e-mail address',
    );
  });
});

describe("every alarm notifies the topic when it fires and when it recovers", () => {
  test.each(ENVS.flatMap((env) => (["foundation", "data", "services"] as const).map((phase) => [env, phase] as const)))("%s %s", (env, phase) => {
    const tf = synth(env, phase);
    const topic = phase === "foundation" ? "${aws_sns_topic.alarm_topic.arn}" : TOPIC;
    const alarms = Object.values(alarmsOf(tf));
    expect(alarms.length).toBeGreaterThan(0);
    for (const each of alarms) {
      expect(each.alarm_actions).toEqual([topic]);
      expect(each.ok_actions).toEqual([topic]);
      expect(each.alarm_name).toMatch(new RegExp(`^sentry-${env}-[a-z0-9-]+$`));
    }
  });
});

describe("phase 1: dead-letter queues and NAT gateways", () => {
  test.each(ENVS)("%s: one alarm per dead-letter queue on any visible message; no data is an empty queue", (env) => {
    const tf = synth(env, "foundation");
    const dlq = Object.values(alarmsOf(tf)).filter((each) => each.alarm_name.includes("-dlq-"));
    expect(dlq.map((each) => each.alarm_name).sort()).toEqual(testConfig(env).queues.map((queue) => `sentry-${env}-dlq-${queue.name}`).sort());
    expect(alarm(tf, "dlq_alarms_orders_bitget")).toMatchObject({
      alarm_name: `sentry-${env}-dlq-orders-bitget`,
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "${aws_sqs_queue.orders_bitget_dlq.name}" },
      statistic: "Maximum",
      period: 300,
      evaluation_periods: 1,
      comparison_operator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      treat_missing_data: "notBreaching",
    });
    expect(alarm(tf, "dlq_alarms_executions").dimensions).toEqual({ QueueName: "${aws_sqs_queue.executions_dlq.name}" });
    expect(tf.output.dead_letter_queue_names.value["orders-bitget"]).toBe("${aws_sqs_queue.orders_bitget_dlq.name}");
  });

  test.each([
    ["dev", ["us-east-1a"]],
    ["staging", ["us-east-1a"]],
    ["prod", ["us-east-1a", "us-east-1b", "us-east-1c"]],
  ] as const)("%s: a port-allocation alarm per NAT gateway (%j)", (env, zones) => {
    const tf = synth(env, "foundation");
    const nat = Object.values(alarmsOf(tf)).filter((each) => each.namespace === "AWS/NATGateway");
    expect(nat.map((each) => each.alarm_name).sort()).toEqual(zones.map((zone) => `sentry-${env}-nat-${zone}-port-allocation`));
    const first = zones[0].replace(/-/g, "_");
    expect(alarm(tf, `nat_alarms_${first}`)).toMatchObject({
      metric_name: "ErrorPortAllocation",
      dimensions: { NatGatewayId: `\${aws_nat_gateway.vpc_nat_gateway_${first}.id}` },
      statistic: "Sum",
      period: 300,
      comparison_operator: "GreaterThanThreshold",
      threshold: 0,
      treat_missing_data: "notBreaching",
    });
    expect(Object.keys(tf.output.nat_gateway_ids.value)).toEqual([...zones]);
  });
});

describe("phase 2: Redis", () => {
  const member = (index: number) => `\${element(sort(tolist(aws_elasticache_replication_group.redis.member_clusters)), ${index})}`;

  test.each([
    ["dev", 1, 90, 90, 10, 15],
    ["staging", 2, 90, 90, 10, 15],
    ["prod", 2, 75, 80, 0, 5],
  ] as const)("%s: %i node(s): CPU > %i %%, memory > %i %%, evictions > %i, over %i minutes", (env, nodes, cpu, memory, evictions, minutes) => {
    const tf = synth(env, "data");
    for (let index = 0; index < nodes; index++) {
      const node = `node_${index + 1}`;
      const common = {
        namespace: "AWS/ElastiCache",
        dimensions: { CacheClusterId: member(index) },
        comparison_operator: "GreaterThanThreshold",
        alarm_actions: [TOPIC],
      };
      expect(alarm(tf, `redis_alarms_${node}_cpu`)).toMatchObject({
        ...common,
        alarm_name: `sentry-${env}-redis-node-${index + 1}-cpu`,
        metric_name: "EngineCPUUtilization",
        statistic: "Average",
        period: 60,
        evaluation_periods: minutes,
        threshold: cpu,
        treat_missing_data: "missing",
      });
      expect(alarm(tf, `redis_alarms_${node}_memory`)).toMatchObject({
        ...common,
        metric_name: "DatabaseMemoryUsagePercentage",
        evaluation_periods: minutes,
        threshold: memory,
        treat_missing_data: "missing",
      });
      expect(alarm(tf, `redis_alarms_${node}_evictions`)).toMatchObject({
        ...common,
        metric_name: "Evictions",
        statistic: "Sum",
        period: 300,
        evaluation_periods: 1,
        threshold: evictions,
        treat_missing_data: "notBreaching",
      });
    }
    expect(Object.keys(alarmsOf(tf)).filter((name) => name.endsWith("_cpu"))).toHaveLength(nodes);
    expect(tf.output.redis_member_cluster_ids.value).toBe("${sort(tolist(aws_elasticache_replication_group.redis.member_clusters))}");
  });

  test("replication lag is watched on every member only when there are replicas", () => {
    expect(Object.keys(alarmsOf(synth("dev", "data"))).filter((name) => name.includes("replication_lag"))).toEqual([]);
    for (const env of ["staging", "prod"] as const) {
      const tf = synth(env, "data");
      expect(Object.keys(alarmsOf(tf)).filter((name) => name.includes("replication_lag")).sort()).toEqual([
        "redis_alarms_node_1_replication_lag",
        "redis_alarms_node_2_replication_lag",
      ]);
      expect(alarm(tf, "redis_alarms_node_2_replication_lag")).toMatchObject({
        alarm_name: `sentry-${env}-redis-node-2-replication-lag`,
        metric_name: "ReplicationLag",
        dimensions: { CacheClusterId: member(1) },
        statistic: "Maximum",
        threshold: env === "prod" ? 10 : 30,
        treat_missing_data: "notBreaching",
      });
    }
  });

  test("the construct refuses a group without members", () => {
    const build = () =>
      new RedisAlarms(new TerraformStack(Testing.app(), "probe"), "redis", {
        namePrefix: "probe",
        memberClusterIds: [],
        topicArn: "arn:aws:sns:us-east-1:123456789012:probe",
        cpuPercent: 90,
        memoryPercent: 90,
        evictions: 0,
        replicationLagSeconds: 10,
      });
    expect(build).toThrow("RedisAlarms probe: memberClusterIds has 0 ids; expected 1 to 6");
  });
});

describe("phase 4: services", () => {
  const COMPUTE = "data.terraform_remote_state.compute_outputs.outputs";

  test.each([
    ["dev", 90, 90, 15, 10],
    ["staging", 90, 90, 15, 10],
    ["prod", 80, 85, 5, 5],
  ] as const)("%s: CPU > %i %%, memory > %i %% for %i minutes; running tasks for %i minutes", (env, cpu, memory, minutes, runningMinutes) => {
    const tf = synth(env, "services");
    for (const [service, cluster] of [["oms", "oms"], ["frontend", "frontend"], ["websocket", "frontend"]] as const) {
      const dimensions = { ClusterName: `\${${COMPUTE}.cluster_names.${cluster}}`, ServiceName: `\${aws_ecs_service.${service}.name}` };
      for (const [what, metric, threshold] of [["cpu", "CPUUtilization", cpu], ["memory", "MemoryUtilization", memory]] as const) {
        expect(alarm(tf, `${service}_alarms_${what}`)).toMatchObject({
          alarm_name: `sentry-${env}-${service}-${what}`,
          namespace: "AWS/ECS",
          metric_name: metric,
          dimensions,
          statistic: "Average",
          period: 60,
          evaluation_periods: minutes,
          comparison_operator: "GreaterThanThreshold",
          threshold,
          treat_missing_data: "notBreaching",
        });
      }
      const running = alarm(tf, `${service}_alarms_running_tasks`);
      expect(running).toMatchObject({ alarm_name: `sentry-${env}-${service}-running-tasks`, evaluation_periods: runningMinutes, treat_missing_data: "breaching" });
      if (env === "prod") {
        // Container Insights: running compared with desired (which follows auto scaling).
        expect(running.metric_query.map((query: TerraformJson) => query.metric?.metric_name ?? query.expression)).toEqual([
          "RunningTaskCount",
          "DesiredTaskCount",
          "desired - running",
        ]);
        expect(running.metric_query[0].metric).toMatchObject({ namespace: "ECS/ContainerInsights", dimensions, period: 60 });
        expect(running).toMatchObject({ comparison_operator: "GreaterThanThreshold", threshold: 0 });
      } else {
        // No Container Insights: a service without a RUNNING task publishes nothing, which breaches.
        expect(running).toMatchObject({
          namespace: "AWS/ECS",
          metric_name: "CPUUtilization",
          dimensions,
          statistic: "SampleCount",
          comparison_operator: "LessThanThreshold",
          threshold: 1,
        });
        expect(running.metric_query).toBeUndefined();
      }
    }
  });
});

describe("load balancer and target groups (instantiated with the ingress)", () => {
  const topicArn = "arn:aws:sns:us-east-1:123456789012:probe";
  const probe = () => {
    const stack = new TerraformStack(Testing.app(), "probe");
    new LoadBalancerAlarms(stack, "alb-alarms", { namePrefix: "sentry-prod-alb", loadBalancerArnSuffix: "app/sentry-prod/abc", topicArn, http5xxRatePercent: 5, minimumRequests: 20 });
    new TargetGroupAlarms(stack, "oms-alarms", {
      namePrefix: "sentry-prod-oms",
      loadBalancerArnSuffix: "app/sentry-prod/abc",
      targetGroupArnSuffix: "targetgroup/sentry-oms-prod/def",
      topicArn,
      http5xxRatePercent: 5,
      minimumRequests: 20,
      unhealthyTargets: 0,
    });
    return JSON.parse(Testing.synth(stack));
  };

  test("the load balancer's own 5xx as a percent of its requests, judged from the minimum request count on", () => {
    const rate = alarmNamed(probe(), "sentry-prod-alb-5xx-rate");
    expect(rate).toMatchObject({ alarm_name: "sentry-prod-alb-5xx-rate", comparison_operator: "GreaterThanThreshold", threshold: 5, evaluation_periods: 5, treat_missing_data: "notBreaching" });
    expect(rate.metric_query).toEqual([
      { id: "errors", metric: { namespace: "AWS/ApplicationELB", metric_name: "HTTPCode_ELB_5XX_Count", dimensions: { LoadBalancer: "app/sentry-prod/abc" }, period: 60, stat: "Sum" }, return_data: false },
      { id: "requests", metric: { namespace: "AWS/ApplicationELB", metric_name: "RequestCount", dimensions: { LoadBalancer: "app/sentry-prod/abc" }, period: 60, stat: "Sum" }, return_data: false },
      { id: "rate", expression: "IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)", label: "5xx responses (% of requests)", return_data: true },
    ]);
    expect(rate.alarm_actions).toEqual([topicArn]);
  });

  test("per target group: its targets' 5xx rate and its unhealthy targets", () => {
    const tf = probe();
    const dimensions = { LoadBalancer: "app/sentry-prod/abc", TargetGroup: "targetgroup/sentry-oms-prod/def" };
    const rate = alarmNamed(tf, "sentry-prod-oms-target-5xx-rate");
    expect(rate.metric_query[0].metric).toMatchObject({ metric_name: "HTTPCode_Target_5XX_Count", dimensions });
    expect(rate.metric_query[1].metric).toMatchObject({ metric_name: "RequestCount", dimensions });
    expect(alarmNamed(tf, "sentry-prod-oms-unhealthy-targets")).toMatchObject({
      namespace: "AWS/ApplicationELB",
      metric_name: "UnHealthyHostCount",
      dimensions,
      statistic: "Maximum",
      comparison_operator: "GreaterThanThreshold",
      threshold: 0,
      treat_missing_data: "notBreaching",
      ok_actions: [topicArn],
    });
  });

  test.each(ENVS)("%s: phase 4 alarms on the environment's load balancer and each published service's target group", (env) => {
    const tf = synth(env, "services");
    const alb = alarmNamed(tf, `sentry-${env}-alb-5xx-rate`);
    expect(alb.metric_query[0].metric.dimensions).toEqual({ LoadBalancer: "${data.terraform_remote_state.compute_outputs.outputs.load_balancer_arn_suffix}" });
    for (const service of ["frontend", "websocket"]) {
      expect(alarmNamed(tf, `sentry-${env}-${service}-unhealthy-targets`).dimensions).toEqual({
        LoadBalancer: "${data.terraform_remote_state.compute_outputs.outputs.load_balancer_arn_suffix}",
        TargetGroup: `\${aws_lb_target_group.${service}_route_target_group.arn_suffix}`,
      });
      expect(alarmNamed(tf, `sentry-${env}-${service}-target-5xx-rate`).alarm_actions).toEqual(["${data.terraform_remote_state.foundation_outputs.outputs.alarm_topic_arn}"]);
    }
    expect(Object.values(alarmsOf(tf)).map((alarm) => alarm.alarm_name)).not.toContain(`sentry-${env}-oms-unhealthy-targets`);
  });

  test("constructs refuse thresholds outside what CloudWatch can mean", () => {
    const stack = () => new TerraformStack(Testing.app(), "bad");
    expect(() => new LoadBalancerAlarms(stack(), "a", { namePrefix: "p", loadBalancerArnSuffix: "x", topicArn, http5xxRatePercent: 0 })).toThrow(
      "LoadBalancerAlarms p: http5xxRatePercent 0 must be a whole number from 1 to 100",
    );
    expect(
      () => new EcsServiceAlarms(stack(), "a", { namePrefix: "p", clusterName: "c", serviceName: "s", topicArn, cpuPercent: 80, memoryPercent: 80, runningTasksMinutes: 0 }),
    ).toThrow("EcsServiceAlarms p: runningTasksMinutes 0 must be a whole number from 1 to 60");
  });
});

describe("dashboard sentry-<env> (phase 4)", () => {
  const body = (tf: TerraformJson) => parseBody(only(tf, "aws_cloudwatch_dashboard").dashboard_body);
  const metricsOf = (widgets: TerraformJson[], title: string) => widgets.find((widget) => widget.properties.title === title)?.properties.metrics;

  test.each(ENVS)("%s: valid JSON, laid out by phase: a text header per phase, then its widgets", (env) => {
    const tf = synth(env, "services");
    expect(resource(tf, "aws_cloudwatch_dashboard", "dashboard").dashboard_name).toBe(`sentry-${env}`);
    const widgets: TerraformJson[] = body(tf).widgets;
    expect(widgets.filter((widget) => widget.type === "text").map((widget) => widget.properties.markdown.split("\n")[0])).toEqual([
      "## 1. Foundation: dead-letter queues and NAT gateways",
      "## 2. Data: Redis",
      "## 3. Compute: load balancer",
      "## 3. Compute: cluster capacity",
      "## 4. Services",
    ]);
    // Widgets come in reading order, inside the 24-column grid.
    for (const widget of widgets) {
      expect(widget.x + widget.width).toBeLessThanOrEqual(24);
      expect(widget.type === "text" || widget.properties.region === "us-east-1").toBe(true);
    }
    const ys = widgets.map((widget) => widget.y);
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
  });

  test.each([
    ["dev", ["us-east-1a"], 1, false],
    ["prod", ["us-east-1a", "us-east-1b", "us-east-1c"], 2, true],
  ] as const)("%s: every dead-letter queue, NAT gateway (%j), Redis node (%i) and service, with ids from earlier phases' outputs", (env, zones, nodes, insights) => {
    const tf = synth(env, "services");
    const widgets: TerraformJson[] = body(tf).widgets;
    const dlq = metricsOf(widgets, "Dead-letter queues: visible messages");
    expect(dlq.map((line: string[]) => line[4])).toEqual(testConfig(env).queues.map((queue) => ({ label: queue.name })));
    expect(dlq[0]).toEqual([
      "AWS/SQS",
      "ApproximateNumberOfMessagesVisible",
      "QueueName",
      `\${${FOUNDATION}.dead_letter_queue_names["orders-bitget"]}`,
      { label: "orders-bitget" },
    ]);
    expect(metricsOf(widgets, "NAT gateways: port allocation errors").map((line: string[]) => line[3])).toEqual(
      zones.map((zone) => `\${${FOUNDATION}.nat_gateway_ids["${zone}"]}`),
    );
    expect(Object.keys(synth(env, "foundation").output.nat_gateway_ids.value)).toEqual([...zones]);
    expect(metricsOf(widgets, "Redis: engine CPU (%)").map((line: string[]) => line[3])).toEqual(
      Array.from({ length: nodes }, (_, index) => `\${element(data.terraform_remote_state.data_outputs.outputs.redis_member_cluster_ids, ${index})}`),
    );
    expect(metricsOf(widgets, "Redis: replication lag (s)") !== undefined).toBe(nodes >= 2);
    const tasks = metricsOf(widgets, "Services: running tasks");
    expect(tasks.map((line: TerraformJson[]) => line[1])).toEqual(insights ? Array(3).fill(["RunningTaskCount", "DesiredTaskCount", "PendingTaskCount"]).flat() : Array(3).fill("CPUUtilization"));
    expect(metricsOf(widgets, "Services: CPU (% of reservation)").map((line: TerraformJson[]) => line.at(-1))).toEqual([
      { label: "oms" },
      { label: "frontend" },
      { label: "websocket" },
    ]);
  });

  test.each([
    ["dev", false],
    ["staging", false],
    ["prod", true],
  ] as const)("%s: each cluster's instances from its group metrics; the capacity provider reservation where managed scaling is on (%s)", (env, managed) => {
    const widgets: TerraformJson[] = body(synth(env, "services")).widgets;
    const COMPUTE = "data.terraform_remote_state.compute_outputs.outputs";
    const reservation = metricsOf(widgets, "Clusters: capacity provider reservation (%)");
    if (managed) {
      expect(reservation).toEqual(
        (["oms", "frontend"] as const).map((cluster) => [
          "AWS/ECS/ManagedScaling",
          "CapacityProviderReservation",
          "ClusterName",
          `\${${COMPUTE}.cluster_names.${cluster}}`,
          "CapacityProviderName",
          `\${${COMPUTE}.capacity_provider_names.${cluster}}`,
          { label: `${cluster} (target ${testConfig(env).clusters[cluster].managedScaling.targetCapacity})` },
        ]),
      );
    } else {
      // ECS publishes no reservation while managed scaling is off: an empty widget would only mislead.
      expect(reservation).toBeUndefined();
    }
    const instances = metricsOf(widgets, "Clusters: instances (desired, in service, maximum)");
    expect(instances.map((line: TerraformJson[]) => [line[1], line[3], line[4]])).toEqual(
      ["oms", "frontend"].flatMap((cluster) =>
        [
          ["GroupDesiredCapacity", "desired"],
          ["GroupInServiceInstances", "in service"],
          ["GroupMaxSize", "maximum"],
        ].map(([metric, suffix]) => [metric, `\${${COMPUTE}.autoscaling_group_names.${cluster}}`, { label: `${cluster} ${suffix}` }]),
      ),
    );
    expect(instances.every((line: string[]) => line[0] === "AWS/AutoScaling" && line[2] === "AutoScalingGroupName")).toBe(true);
  });

  test("phase 4 reads phase 2 for the dashboard", () => {
    expect(Object.keys(dataOf(synth("dev", "services"), "terraform_remote_state"))).toContain("data_outputs");
  });

  test("with a load balancer: its alarms, each target group's, and the phase-3 section between data and services", () => {
    const stack = new TerraformStack(Testing.app(), "probe");
    const remote = (phase: string) =>
      new DataTerraformRemoteStateS3(stack, `${phase}-outputs`, { bucket: "b", key: `${phase}.tfstate`, region: "us-east-1" });
    const config = testConfig("prod");
    monitorServices(stack, {
      environment: "prod",
      region: "us-east-1",
      alarms: config.alarms,
      foundation: remote("foundation"),
      data: remote("data"),
      services: config.services.map((service) => ({ config: service, serviceName: `svc-${service.name}`, clusterName: `cluster-${service.cluster}` })),
      clusters: [{ label: "oms", clusterName: "cluster-oms", capacityProviderName: "cp-oms", autoScalingGroupName: "asg-oms", targetCapacity: 70 }],
      containerInsights: { oms: true, frontend: true },
      queueNames: ["orders-bitget"],
      natGatewayZones: ["us-east-1a"],
      redisNodeCount: 2,
      loadBalancer: { arnSuffix: "app/sentry-prod/abc", targetGroupArnSuffixes: { frontend: "targetgroup/f/1", websocket: "targetgroup/w/2" } },
    });
    const tf = JSON.parse(Testing.synth(stack));
    expect(Object.values(alarmsOf(tf)).map((each) => each.alarm_name).filter((name: string) => !/-(oms|frontend|websocket)-(cpu|memory|running-tasks)$/.test(name)).sort()).toEqual([
      "sentry-prod-alb-5xx-rate",
      "sentry-prod-frontend-target-5xx-rate",
      "sentry-prod-frontend-unhealthy-targets",
      "sentry-prod-websocket-target-5xx-rate",
      "sentry-prod-websocket-unhealthy-targets",
    ]);
    const widgets: TerraformJson[] = body(tf).widgets;
    expect(widgets.filter((widget) => widget.type === "text").map((widget) => widget.properties.markdown.split("\n")[0])).toEqual([
      "## 1. Foundation: dead-letter queues and NAT gateways",
      "## 2. Data: Redis",
      "## 3. Compute: load balancer",
      "## 3. Compute: cluster capacity",
      "## 4. Services",
    ]);
    expect(metricsOf(widgets, "Target groups: healthy and unhealthy targets")).toContainEqual([
      "AWS/ApplicationELB",
      "UnHealthyHostCount",
      "LoadBalancer",
      "app/sentry-prod/abc",
      "TargetGroup",
      "targetgroup/w/2",
      { label: "websocket unhealthy" },
    ]);
  });

  test.each([
    ["dev", undefined],
    ["staging", 200],
    ["prod", 1000],
  ] as const)("%s: the web ACL's blocked-request spikes page (threshold %s per 5 minutes) and join the load balancer row", (env, threshold) => {
    const tf = synth(env, "services");
    const widgets: TerraformJson[] = body(tf).widgets;
    const waf = widgets.find((widget) => widget.properties.title === "WAF: allowed and blocked requests");
    if (threshold === undefined) {
      expect(resourcesOf(tf, "aws_cloudwatch_metric_alarm").waf_alarms_blocked_requests).toBeUndefined();
      expect(waf).toBeUndefined();
      return;
    }
    expect(alarm(tf, "waf_alarms_blocked_requests")).toMatchObject({
      alarm_name: `sentry-${env}-waf-blocked-requests`,
      namespace: "AWS/WAFV2",
      metric_name: "BlockedRequests",
      dimensions: { WebACL: `sentry-waf-${env}`, Region: "us-east-1", Rule: "ALL" },
      statistic: "Sum",
      period: 300,
      evaluation_periods: 1,
      comparison_operator: "GreaterThanThreshold",
      threshold,
      treat_missing_data: "notBreaching",
      alarm_actions: [TOPIC],
      ok_actions: [TOPIC],
    });
    // In the load balancer's row: after its header, before the services' header.
    const headers = widgets.filter((widget) => widget.type === "text").map((widget) => widgets.indexOf(widget));
    expect(widgets.indexOf(waf!)).toBeGreaterThan(headers[2]);
    expect(widgets.indexOf(waf!)).toBeLessThan(headers[3]);
    expect(waf!.properties.metrics.map((line: string[]) => line[1])).toEqual(["AllowedRequests", "BlockedRequests"]);
  });

  test("the WAF alarm construct refuses a threshold CloudWatch cannot mean", () => {
    const build = () =>
      new WafAlarms(new TerraformStack(Testing.app(), "bad"), "waf", { namePrefix: "sentry-prod-waf", webAclName: "acl", region: "us-east-1", topicArn: "arn:topic", blockedRequests: 0 });
    expect(build).toThrow("WafAlarms sentry-prod-waf: blockedRequests 0 must be a whole number from 1 to 1000000");
  });

  test("the construct refuses an empty dashboard", () => {
    expect(() => new OperationsDashboard(new TerraformStack(Testing.app(), "bad"), "d", { name: "x", region: "us-east-1", sections: [] })).toThrow(
      "OperationsDashboard x: sections is empty; expected at least one section",
    );
  });
});

describe("bad alarm configuration fails with one clear line", () => {
  const dev = testConfig("dev");
  const invalid = (change: Partial<typeof dev.alarms>) => () => validateEnvironmentConfig({ ...dev, alarms: { ...dev.alarms, ...change } });

  test.each([
    [{ deadLetterQueueMessages: 0 }, "dev.alarms.deadLetterQueueMessages = 0; expected a whole number from 1 to 100000"],
    [{ serviceCpuPercent: 120 }, "dev.alarms.serviceCpuPercent = 120; expected a whole number from 1 to 100"],
    [{ redisMemoryPercent: 0 }, "dev.alarms.redisMemoryPercent = 0; expected a whole number from 1 to 100"],
    [{ loadBalancer5xxRatePercent: 2.5 }, "dev.alarms.loadBalancer5xxRatePercent = 2.5; expected a whole number from 1 to 100"],
    [{ sustainedMinutes: 0 }, "dev.alarms.sustainedMinutes = 0; expected a whole number from 1 to 60"],
    [{ runningTasksMinutes: 90 }, "dev.alarms.runningTasksMinutes = 90; expected a whole number from 1 to 60"],
    [{ redisEvictions: -1 }, "dev.alarms.redisEvictions = -1; expected a whole number from 0 to 1000000"],
    [{ redisReplicationLagSeconds: 0 }, "dev.alarms.redisReplicationLagSeconds = 0; expected a whole number from 1 to 3600"],
    [{ natPortAllocationErrors: -1 }, "dev.alarms.natPortAllocationErrors = -1; expected a whole number from 0 to 1000000"],
    [{ loadBalancerMinimumRequests: -5 }, "dev.alarms.loadBalancerMinimumRequests = -5; expected a whole number from 0 to 1000000"],
    [{ unhealthyTargets: -1 }, "dev.alarms.unhealthyTargets = -1; expected a whole number from 0 to 1000"],
    [{ wafBlockedRequests: 0 }, "dev.alarms.wafBlockedRequests = 0; expected a whole number from 1 to 1000000"],
  ])("%j", (change, message) => {
    expect(invalid(change)).toThrow(`Invalid configuration: ${message}`);
  });
});
