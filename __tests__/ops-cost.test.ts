import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { EnvironmentConfig, EnvironmentName, ENVIRONMENT_NAMES } from "../src/config";
import { ENVIRONMENTS, EnvironmentDefinition } from "../src/config/environments";
import { DEFAULT_USAGE } from "../src/config/usage";
import { costChecks } from "../src/ops/cost/checks";
import { priceTable } from "../src/ops/cost/command";
import { buildCostReport, CostReport, StackResources } from "../src/ops/cost/model";
import { buildReviewCost } from "../src/ops/cost/plan-cost";
import { PRICE_TABLES, pricesAsOf, pricesOf } from "../src/ops/cost/prices";
import { FREE_TYPES, HOURS_PER_MONTH, PRICED_TYPES, priceResource, PricingContext } from "../src/ops/cost/rules";
import { applyUsageFile } from "../src/ops/cost/usage-file";
import { parsePlanJson } from "../src/ops/review/plan-json";
import { OpsFailure } from "../src/ops/session";
import { PHASES, stackName } from "../src/stacks/names";
import { removeWorlds, world } from "./support/ops-world";
import { synthesizedEnvironment, testConfig, TEST_OPERATOR_VARIABLES } from "./support/synth";

const PRICES = PRICE_TABLES["us-east-1"];

/** Every stack of a synthesized environment folder (the bootstrap stack too), by name. */
function stacksOf(config: EnvironmentConfig): Map<string, StackResources["resource"]> {
  const folder = join(synthesizedEnvironment(config), "stacks");
  return new Map(readdirSync(folder).map((name) => [name, JSON.parse(readFileSync(join(folder, name, "cdk.tf.json"), "utf8")).resource]));
}

function phaseStacks(config: EnvironmentConfig): StackResources[] {
  const stacks = stacksOf(config);
  return PHASES.map((phase) => ({ stack: stackName(phase, config.name), phase, resource: stacks.get(stackName(phase, config.name)) }));
}

const reports = new Map<EnvironmentName, CostReport>();
function reportOf(env: EnvironmentName): CostReport {
  let report = reports.get(env);
  if (!report) {
    const config = testConfig(env);
    report = buildCostReport(env, phaseStacks(config), PRICES, DEFAULT_USAGE[env]);
    reports.set(env, report);
  }
  return report;
}

const resourcesOfType = (report: CostReport, type: string) => report.resources.filter((resource) => resource.type === type);
const componentOf = (report: CostReport, address: string, name: RegExp) => {
  const found = report.resources.find((resource) => resource.address === address)?.components.find((c) => name.test(c.name));
  if (!found) throw new Error(`no component ${name} on ${address}`);
  return found;
};

afterAll(removeWorlds);

describe("cost per environment", () => {
  test("fixed cost grows from dev to staging to prod; each part is its own", () => {
    const [dev, staging, prod] = ENVIRONMENT_NAMES.map(reportOf);
    expect(prod.totals.fixed).toBeGreaterThan(staging.totals.fixed);
    expect(staging.totals.fixed).toBeGreaterThan(dev.totals.fixed);
    for (const report of [dev, staging, prod]) {
      expect(report).toMatchObject({ region: "us-east-1", currency: "USD", pricesAsOf: "2026-12-07" });
      expect(report.totals.total).toBeCloseTo(report.totals.fixed + report.totals.usage, 2);
    }
  });

  test("prod has a NAT gateway and its public address per zone; dev and staging one", () => {
    expect(ENVIRONMENT_NAMES.map((env) => resourcesOfType(reportOf(env), "aws_nat_gateway").length)).toEqual([1, 1, 3]);
    expect(ENVIRONMENT_NAMES.map((env) => resourcesOfType(reportOf(env), "aws_eip").length)).toEqual([1, 1, 3]);
    const nat = resourcesOfType(reportOf("prod"), "aws_nat_gateway")[0];
    expect(nat.components).toEqual([
      { name: "NAT gateway hours", unit: "hour", quantity: 730, unitPrice: 0.045, monthly: 32.85, usageBased: false },
      { name: "data processed", unit: "GB", quantity: 100, unitPrice: 0.045, monthly: 4.5, usageBased: true },
    ]);
    expect(resourcesOfType(reportOf("prod"), "aws_eip")[0].components).toEqual([{ name: "public IPv4 address", unit: "hour", quantity: 730, unitPrice: 0.005, monthly: 3.65, usageBased: false }]);
  });

  test("the load balancer pays a public IPv4 address per zone: 2 in dev, 3 in prod", () => {
    expect(componentOf(reportOf("dev"), "aws_lb.load_balancer", /public IPv4/).quantity).toBe(2 * HOURS_PER_MONTH);
    expect(componentOf(reportOf("prod"), "aws_lb.load_balancer", /public IPv4/).quantity).toBe(3 * HOURS_PER_MONTH);
  });

  test("Redis nodes by node type and count; instances by type and desired capacity, with their gp3 root volumes", () => {
    expect(componentOf(reportOf("dev"), "aws_elasticache_replication_group.redis", /nodes/)).toMatchObject({ name: "cache.t4g.micro nodes", quantity: 730, unitPrice: 0.016 });
    expect(componentOf(reportOf("staging"), "aws_elasticache_replication_group.redis", /nodes/)).toMatchObject({ name: "cache.t4g.small nodes", quantity: 1460 });
    expect(componentOf(reportOf("prod"), "aws_elasticache_replication_group.redis", /nodes/)).toMatchObject({ name: "cache.r7g.large nodes", quantity: 1460, unitPrice: 0.219 });
    expect(componentOf(reportOf("dev"), "aws_autoscaling_group.oms_asg", /instances/)).toMatchObject({ name: "t4g.small instances", quantity: 730, monthly: 12.26 });
    expect(componentOf(reportOf("prod"), "aws_autoscaling_group.oms_asg", /instances/)).toMatchObject({ name: "c7g.large instances", quantity: 1460, monthly: 105.85 });
    expect(componentOf(reportOf("prod"), "aws_autoscaling_group.oms_asg", /gp3/)).toMatchObject({ quantity: 60, unitPrice: 0.08, monthly: 4.8 });
  });

  test("WAF where it is on (staging, prod): the web ACL, each rule and managed rule group, and its requests", () => {
    expect(resourcesOfType(reportOf("dev"), "aws_wafv2_web_acl")).toEqual([]);
    const [acl] = resourcesOfType(reportOf("prod"), "aws_wafv2_web_acl");
    expect(acl.components.map(({ name, quantity, monthly, usageBased }) => ({ name, quantity, monthly, usageBased }))).toEqual([
      { name: "web ACL", quantity: 1, monthly: 5, usageBased: false },
      { name: "rules and managed rule groups", quantity: 5, monthly: 5, usageBased: false },
      { name: "requests inspected", quantity: 20, monthly: 12, usageBased: true },
    ]);
  });

  test("what the usual tools miss is priced: Cognito users, pipeline and build minutes, keys, secrets, alarms, dashboards, logs, tables with PITR, queues, images", () => {
    const prod = reportOf("prod");
    for (const type of ["aws_cognito_user_pool", "aws_codepipeline", "aws_codebuild_project", "aws_kms_key", "aws_secretsmanager_secret", "aws_cloudwatch_metric_alarm", "aws_cloudwatch_dashboard", "aws_cloudwatch_log_group", "aws_dynamodb_table", "aws_sqs_queue", "aws_ecr_repository"]) {
      expect(resourcesOfType(prod, type).length).toBeGreaterThan(0);
    }
    expect(componentOf(prod, "aws_codebuild_project.oms_build", /build minutes/)).toMatchObject({ name: "build minutes (ARM_CONTAINER/BUILD_GENERAL1_SMALL)", usageBased: true });
    expect(componentOf(prod, "aws_dynamodb_table.trading_table", /point-in-time/)).toMatchObject({ quantity: 20, unitPrice: 0.2, monthly: 4 });
    expect(componentOf(prod, "aws_secretsmanager_secret.exchange_credentials_secret", /^secret$/)).toMatchObject({ monthly: 0.4, usageBased: false });
    // a metric-math alarm pays for each metric it evaluates
    expect(componentOf(prod, "aws_cloudwatch_metric_alarm.oms_alarms_running_tasks", /metrics/)).toMatchObject({ quantity: 2, monthly: 0.2 });
    // a year of flow logs kept: storage is 12 months of ingestion (365 days of the 730-hour month's 30.4)
    const flowLogStorage = componentOf(prod, "aws_cloudwatch_log_group.vpc_flow_log_group", /storage/);
    expect(flowLogStorage).toMatchObject({ name: "storage (365 days kept)", usageBased: true });
    expect(flowLogStorage.quantity).toBeCloseTo(30 * 12, 9);
  });

  test("component arithmetic: quantity × unit price to the cent; resources, phases and totals add up", () => {
    for (const env of ENVIRONMENT_NAMES) {
      const report = reportOf(env);
      const components = report.resources.flatMap((resource) => resource.components);
      for (const c of components) expect(c.monthly).toBeCloseTo(Math.round(c.quantity * c.unitPrice * 100) / 100, 2);
      for (const resource of report.resources) expect(resource.monthly).toBeCloseTo(resource.components.reduce((sum, c) => sum + c.monthly, 0), 2);
      const fixed = components.filter((c) => !c.usageBased).reduce((sum, c) => sum + c.monthly, 0);
      expect(report.totals.fixed).toBeCloseTo(fixed, 2);
      expect(Object.values(report.totals.byPhase).reduce((sum, value) => sum + value, 0)).toBeCloseTo(report.totals.total, 2);
      expect(Object.keys(report.totals.byPhase)).toEqual([...PHASES]);
    }
  });

  test("--usage changes the usage-based part only", () => {
    const config = testConfig("dev");
    const usage = applyUsageFile(DEFAULT_USAGE.dev, JSON.stringify({ natGatewayGb: 1000 }), "usage.json");
    const changed = buildCostReport("dev", phaseStacks(config), PRICES, usage);
    expect(changed.totals.fixed).toBe(reportOf("dev").totals.fixed);
    expect(changed.totals.usage).toBeCloseTo(reportOf("dev").totals.usage + (1000 - 20) * 0.045, 2);
  });
});

describe("prices", () => {
  test("every price has an AWS pricing page and the day it was read; pricesAsOf is the oldest", () => {
    const prices = pricesOf(PRICES);
    expect(prices.length).toBeGreaterThan(40);
    for (const price of prices) {
      expect(price.source).toMatch(/^https:\/\/aws\.amazon\.com\/[a-z0-9-]+\/pricing\//);
      expect(price.read).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(price.usd).toBeGreaterThan(0);
    }
    expect(pricesAsOf({ ...PRICES, dashboardMonth: { ...PRICES.dashboardMonth, read: "2026-01-31" } })).toBe("2026-01-31");
  });
});

describe("coverage: every resource type is priced or free with a reason", () => {
  const FULL_OPERATOR = {
    ...TEST_OPERATOR_VARIABLES,
    SENTRY_HOSTED_ZONE_ID: "Z0123456789ABCDEFGHIJ",
    SENTRY_GITHUB_REPOSITORY: "acme/sentry",
    SENTRY_TERRAFORM_ROLE_ARNS: "arn:aws:iam::123456789012:role/sentry-deployer",
  };
  const CONTEXT: PricingContext = { prices: PRICES, usage: DEFAULT_USAGE.prod, zones: 3, natGateways: 3, launchTemplate: () => ({ instance_type: "t4g.small" }) };

  test.each([...ENVIRONMENT_NAMES.map((env) => [env, TEST_OPERATOR_VARIABLES] as const), ...ENVIRONMENT_NAMES.map((env) => [`${env} (every operator setting)`, FULL_OPERATOR] as const)])(
    "%s: no resource of any stack (the bootstrap's too) is unpriced",
    (label, variables) => {
      const config = testConfig(label.split(" ")[0] as EnvironmentName, variables);
      const unpriced = [...stacksOf(config)].flatMap(([stack, resources]) =>
        Object.entries(resources ?? {}).flatMap(([type, byName]) =>
          Object.entries(byName).flatMap(([name, values]) => {
            const pricing = priceResource(type, values, CONTEXT);
            return pricing.kind === "unpriced" ? [`${stack} ${type}.${name}: ${pricing.reason}`] : [];
          }),
        ),
      );
      expect(unpriced).toEqual([]);
    },
  );

  test("a new billable type with no rule is reported unpriced, and the report lists free types with their reason", () => {
    expect(priceResource("aws_db_instance", {}, CONTEXT)).toEqual({ kind: "unpriced", reason: "no pricing rule for this type" });
    expect(reportOf("dev").unpriced).toContainEqual({ type: "aws_iam_role", reason: "free: IAM is free" });
    expect(reportOf("dev").unpriced.every((entry) => entry.reason.startsWith("free: "))).toBe(true);
  });

  test.each<[string, Record<string, unknown>, number]>([
    ["num_cache_clusters (cluster mode disabled)", { num_cache_clusters: 3 }, 3],
    ["shards × (replicas + primary) (cluster mode enabled)", { num_node_groups: 2, replicas_per_node_group: 2 }, 6],
    ["replicas of the one shard (cluster mode disabled, replicas_per_node_group)", { replicas_per_node_group: 1 }, 2],
    ["neither: one node", {}, 1],
  ])("replication group nodes from %s", (_what, counts, nodes) => {
    const pricing = priceResource("aws_elasticache_replication_group", { node_type: "cache.r7g.large", ...counts }, CONTEXT);
    expect(pricing).toMatchObject({ kind: "priced", components: [{ quantity: HOURS_PER_MONTH * nodes, unitPrice: 0.219 }] });
  });

  test("no type is both priced and free", () => {
    expect(PRICED_TYPES.filter((type) => type in FREE_TYPES)).toEqual([]);
  });
});

describe("the guide's cost checks", () => {
  const dev = testConfig("dev");
  const staging = testConfig("staging");
  const POINTER = " (see docs/troubleshooting.md#unexpected-costs)";

  test("the environments as configured pass", () => {
    expect(ENVIRONMENT_NAMES.flatMap((env) => costChecks(testConfig(env), PRICES))).toEqual([]);
  });

  test.each<[string, EnvironmentConfig, RegExp]>([
    ["service auto scaling on in dev", { ...dev, services: dev.services.map((s) => (s.name === "oms" ? { ...s, autoScaling: { ...s.autoScaling, enabled: true } } : s)) }, /^dev: services\.oms\.autoScaling\.enabled is true/],
    ["a minimum task count above the guide's", { ...staging, services: staging.services.map((s) => (s.name === "websocket" ? { ...s, autoScaling: { ...s.autoScaling, enabled: true, minTaskCount: 2 } } : s)) }, /^staging: services\.websocket\.autoScaling\.minTaskCount is 2, above the guide's 1/],
    ["an ASG minimum size above the guide's", { ...dev, clusters: { ...dev.clusters, frontend: { ...dev.clusters.frontend, minSize: 2, desiredCapacity: 2 } } }, /^dev: clusters\.frontend\.minSize is 2, above the guide's 1/],
    ["prod-sized instances in dev", { ...dev, clusters: { ...dev.clusters, oms: { ...dev.clusters.oms, instanceType: "c7g.large" } } }, /^dev: clusters\.oms\.instanceType c7g\.large is prod-sized \(the guide gives prod c7g\.large\)/],
    ["prod-sized Redis nodes in staging", { ...staging, redis: { ...staging.redis, nodeType: "cache.r7g.xlarge" } }, /^staging: redis\.nodeType cache\.r7g\.xlarge is prod-sized/],
    ["a NAT gateway per zone in staging", { ...staging, network: { ...staging.network, natGateways: "per-az" } }, /^staging: network\.natGateways is per-az/],
  ])("%s: one line, ending with the troubleshooting pointer", (_what, config, expected) => {
    const lines = costChecks(config, PRICES);
    expect(lines.filter((line) => expected.test(line))).toHaveLength(1);
    for (const line of lines) expect(line.endsWith(POINTER)).toBe(true);
  });

  test("prod may have what dev and staging may not", () => {
    expect(costChecks({ ...testConfig("prod"), network: { ...testConfig("prod").network, natGateways: "per-az" } }, PRICES)).toEqual([]);
  });
});

describe("review: the monthly cost change of the saved plans", () => {
  const plan = parsePlanJson(readFileSync(join(__dirname, "fixtures", "plans", "cost-changes.json"), "utf8"), "cost-changes");
  const cost = buildReviewCost("dev", [{ stack: "sentry-data-dev", plan }], PRICES, DEFAULT_USAGE.dev);
  const change = (address: string) => cost.resources.find((r) => r.address === address);

  test("a replacement counts once, a destroy is negative, a create and a resize are priced from the plan", () => {
    expect(cost.resources.filter((r) => r.address === "aws_elasticache_replication_group.redis")).toHaveLength(1);
    expect(change("aws_elasticache_replication_group.redis")).toMatchObject({ action: "replace", monthlyBefore: 11.68, monthlyAfter: 46.72, monthlyDelta: 35.04 });
    expect(change("aws_nat_gateway.vpc_nat_gateway_us_east_1b")).toMatchObject({ action: "delete", monthlyBefore: 33.75, monthlyAfter: 0, monthlyDelta: -33.75 });
    expect(change("aws_kms_key.extra")).toMatchObject({ action: "create", monthlyBefore: 0, monthlyAfter: 1.3 });
    // the template found by id (an existing group) and by the configuration's reference (a new one)
    expect(change("aws_autoscaling_group.oms_asg")).toMatchObject({ monthlyBefore: 14.66, monthlyAfter: 29.33 });
    expect(change("aws_autoscaling_group.frontend_asg")).toMatchObject({ action: "create", monthlyAfter: 24.53 });
  });

  test("changes that cost nothing, or the same, are left out; the total is the sum", () => {
    expect(change("aws_sqs_queue.orders_bitget")).toBeUndefined();
    expect(change("aws_iam_role.extra")).toBeUndefined();
    expect(cost).toMatchObject({ monthlyBefore: 60.09, monthlyAfter: 101.88, monthlyDelta: 41.79 });
  });

  test("pricing every saved plan fixture takes well under 0.2 s", () => {
    const folder = join(__dirname, "fixtures", "plans");
    const stacks = readdirSync(folder).map((file) => ({ stack: file, plan: parsePlanJson(readFileSync(join(folder, file), "utf8"), file) }));
    const started = process.hrtime.bigint();
    buildReviewCost("prod", stacks, PRICES, DEFAULT_USAGE.prod);
    expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(0.2);
  });

  test("`sentry-ops review --format json` carries the cost; text and markdown show it", async () => {
    const w = world();
    const plans = join(w.root, ".sentry-ops", "dev", "plans");
    mkdirSync(plans, { recursive: true });
    writeFileSync(join(plans, "sentry-data-dev.tfplan"), "");
    writeFileSync(join(plans, "sentry-data-dev.json"), readFileSync(join(__dirname, "fixtures", "plans", "cost-changes.json")));
    await w.run("review dev --phase data --format json");
    const json = JSON.parse(w.stdout.join(""));
    expect(json.cost).toMatchObject({ monthlyBefore: 60.09, monthlyAfter: 101.88, monthlyDelta: 41.79 });
    await w.run("review dev --phase data --format markdown");
    expect(w.stdout.join("")).toContain("| **total** | | | 60.09 | 101.88 | **+41.79** |");
  });
});

describe("sentry-ops cost", () => {
  test("--format json prints exactly the stable interface, offline", async () => {
    const w = world();
    expect(await w.run("cost staging --format json")).toBe(0);
    const report = JSON.parse(w.stdout.join(""));
    expect(Object.keys(report)).toEqual(["environment", "region", "currency", "pricesAsOf", "resources", "unpriced", "totals"]);
    expect(Object.keys(report.totals)).toEqual(["fixed", "usage", "total", "byPhase"]);
    expect(Object.keys(report.resources[0])).toEqual(["stack", "phase", "address", "type", "monthly", "components"]);
    expect(Object.keys(report.resources[0].components[0])).toEqual(["name", "unit", "quantity", "unitPrice", "monthly", "usageBased"]);
    expect(Object.keys(report.unpriced[0])).toEqual(["type", "reason"]);
    expect(report.totals).toEqual(reportOf("staging").totals);
    expect(w.stderr).toEqual([expect.stringMatching(/^\[sentry-ops\] cost staging: synth and \d+ priced resources \(\d+\.\d s\)$/)]);
    // offline: no terraform, no AWS
    expect(w.calls()).toEqual([]);
  });

  test("cost all: dev, staging and prod side by side; the text says free tiers are not subtracted", async () => {
    const w = world();
    expect(await w.run("cost all")).toBe(0);
    const text = w.stdout.join("");
    expect(text).toMatch(/^phase\s+dev fixed\s+dev usage\s+staging fixed\s+staging usage\s+prod fixed\s+prod usage$/m);
    expect(text).toContain(`total  ${reportOf("dev").totals.total.toFixed(2)}`);
    expect(text).toContain("Free tiers are not subtracted.");
    expect(await w.run("cost all --format json")).toBe(0);
    expect(JSON.parse(w.stdout.slice(1).join("")).map((r: CostReport) => r.environment)).toEqual(["dev", "staging", "prod"]);
  });

  test("a cost check that fires: the report and its line, exit 2 (as scaling and drift exit on findings)", async () => {
    const environments = ENVIRONMENTS as Record<EnvironmentName, EnvironmentDefinition>;
    const asConfigured = environments.dev;
    environments.dev = { ...asConfigured, network: { ...asConfigured.network, natGateways: "per-az" } };
    // the synth as configured: the check reads the configuration, the prices the stacks
    const synthesize = (_config: EnvironmentConfig, outdir: string) => cpSync(synthesizedEnvironment(testConfig("dev")), outdir, { recursive: true });
    try {
      const w = world();
      expect(await w.run("cost dev", { synthesize })).toBe(2);
      expect(w.stdout.join("")).toMatch(/Cost checks \(the guide's\)\n {2}dev: network\.natGateways is per-az/);
      expect(await w.run("cost dev --format json", { synthesize })).toBe(2);
      expect(w.stderr).toContainEqual(expect.stringMatching(/^dev: network\.natGateways is per-az/));
    } finally {
      environments.dev = asConfigured;
    }
  });

  test("a region without a price table: one line naming it", () => {
    expect(() => priceTable("eu-west-1")).toThrow(new OpsFailure("cost: no price table for region eu-west-1 (SENTRY_AWS_REGION); tables exist for us-east-1"));
  });

  test.each([
    ["cost qa", undefined, /^sentry-ops: unknown environment "qa"; expected one of dev, staging, prod, all/],
    ["cost dev --format yaml", undefined, /^sentry-ops: --format yaml: expected one of text, markdown, json/],
    ["cost dev --usage missing.json", undefined, /^sentry-ops: --usage .*missing\.json: cannot read it \(ENOENT\)$/],
    ["cost dev --usage usage.json", "{ natGatewayGb: 1", /^sentry-ops: --usage .*usage\.json: not JSON/],
    ["cost dev --usage usage.json", "[1]", /^sentry-ops: --usage .*usage\.json: expected a JSON object of usage fields$/],
    ["cost dev --usage usage.json", '{"natGatewayGb": -5}', /^sentry-ops: --usage .*usage\.json: natGatewayGb is -5; expected 0 or more$/],
    ["cost dev --usage usage.json", '{"buildMinutes": "lots"}', /^sentry-ops: --usage .*usage\.json: buildMinutes is "lots"; expected a number$/],
    ["cost dev --usage usage.json", '{"buildMinutez": 5}', /^sentry-ops: --usage .*usage\.json: unknown field "buildMinutez"; expected one of natGatewayGb, /],
  ])("%s (file %s): one line naming the field, nothing else", async (argv, content, expected) => {
    const w = world();
    if (content !== undefined) writeFileSync(join(w.root, "usage.json"), content);
    const synthesize = jest.fn();
    expect(await w.run(argv, { synthesize })).toBe(1);
    expect(w.stdout).toEqual([]);
    expect(w.stderr).toHaveLength(1);
    expect(w.stderr[0]).toMatch(expected);
    expect(synthesize).not.toHaveBeenCalled();
  });
});
