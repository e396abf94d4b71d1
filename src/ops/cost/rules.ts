import { UsageConfig, UsageField } from "../../config/usage";
import { Price, PriceTable } from "./prices";

/**
 * What each resource type costs: a rule per billable type turns a resource's values (synthesized Terraform JSON,
 * or a plan's before/after) into cost components; every other type is free, with the reason. A type in neither
 * list is reported as unpriced, and `ops-cost.test.ts` fails on it.
 */

/** AWS bills hourly resources for 730 hours a month. */
export const HOURS_PER_MONTH = 730;

export interface CostComponent {
  readonly name: string;
  readonly unit: string;
  readonly quantity: number;
  readonly unitPrice: number;
  /** `quantity × unitPrice`, in USD, to the cent. */
  readonly monthly: number;
  /** Priced from the usage estimate (`UsageConfig`), not from the resource's configuration. */
  readonly usageBased: boolean;
}

export type Values = Readonly<Record<string, unknown>>;

/** What a rule needs beyond the resource itself. */
export interface PricingContext {
  readonly prices: PriceTable;
  readonly usage: UsageConfig;
  /** Zones of the environment: a load balancer whose subnets are another phase's output spans all of them. */
  readonly zones: number;
  /** NAT gateways of the environment, which share `usage.natGatewayGb`. */
  readonly natGateways: number;
  /** The values of the launch template an Auto Scaling group's `launch_template.id` names. */
  readonly launchTemplate: (id: unknown) => Values | undefined;
}

export type Pricing =
  | { readonly kind: "priced"; readonly components: readonly CostComponent[] }
  | { readonly kind: "free"; readonly reason: string }
  | { readonly kind: "unpriced"; readonly reason: string };

type Rule = (values: Values, context: PricingContext) => Pricing;

const cents = (usd: number): number => Math.round(usd * 100) / 100;

export function component(name: string, price: Price, quantity: number, usageBased: boolean): CostComponent {
  return { name, unit: price.unit, quantity, unitPrice: price.usd, monthly: cents(quantity * price.usd), usageBased };
}

const priced = (...components: CostComponent[]): Pricing => ({ kind: "priced", components });
const free = (reason: string): Pricing => ({ kind: "free", reason });
const unpriced = (reason: string): Pricing => ({ kind: "unpriced", reason });

/** A nested block: Terraform JSON writes a single block as an object, the plan as a list of one. */
function block(values: Values, name: string): Values {
  const value = values[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first && typeof first === "object" ? (first as Values) : {};
}

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const count = (value: unknown): number | undefined => (typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : undefined);
const isTrue = (value: unknown): boolean => value === true || value === "true";

/** A usage-based component: `usage[field]` units (scaled by `per`) at `price`. */
function used(name: string, price: Price, context: PricingContext, field: UsageField, per = 1): CostComponent {
  return component(name, price, context.usage[field] / per, true);
}

function hours(name: string, price: Price, units = 1): CostComponent {
  return component(name, price, HOURS_PER_MONTH * units, false);
}

/** Zones a load balancer or endpoint spans: its subnets when known, else every zone of the environment. */
function zonesOf(subnets: unknown, context: PricingContext): number {
  return Array.isArray(subnets) ? subnets.length : context.zones;
}

/** Days in the month the hourly prices use (730 hours): a year of retention keeps 12 months of ingestion. */
const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

/** A log group without retention keeps everything: its storage is priced as ten years' worth. */
const NEVER_EXPIRES_DAYS = 3653;

/** Which usage field a log group's ingestion comes from, by the name the stacks give it. */
function logUsage(name: string): UsageField {
  if (name.includes("vpc-flow-logs")) return "flowLogGb";
  if (name.startsWith("aws-waf-logs-")) return "firewallLogGb";
  if (name.includes("/codebuild/")) return "buildLogGb";
  if (name.includes("/elasticache/")) return "cacheLogGb";
  return "serviceLogGb";
}

const RULES: Readonly<Record<string, Rule>> = {
  aws_nat_gateway: (_values, context) =>
    priced(hours("NAT gateway hours", context.prices.natGatewayHour), used("data processed", context.prices.natGatewayGb, context, "natGatewayGb", Math.max(context.natGateways, 1))),
  aws_eip: (_values, context) => priced(hours("public IPv4 address", context.prices.publicIpv4Hour)),
  aws_lb: (values, context) => {
    if ((text(values.load_balancer_type) ?? "application") !== "application") return unpriced(`no price for ${text(values.load_balancer_type)} load balancers`);
    const components = [hours("load balancer hours", context.prices.loadBalancerHour), component("capacity units", context.prices.loadBalancerLcuHour, context.usage.loadBalancerLcu * HOURS_PER_MONTH, true)];
    if (!isTrue(values.internal)) components.push(hours("public IPv4 address per zone", context.prices.publicIpv4Hour, zonesOf(values.subnets, context)));
    return priced(...components);
  },
  aws_vpc_endpoint: (values, context) =>
    text(values.vpc_endpoint_type) === "Interface" ? priced(hours("endpoint hours per zone", context.prices.interfaceEndpointHour, zonesOf(values.subnet_ids, context))) : free("gateway endpoints (S3, DynamoDB) are free"),
  aws_wafv2_web_acl: (values, context) => {
    const rules = Array.isArray(values.rule) ? values.rule.length : values.rule ? 1 : 0;
    return priced(
      component("web ACL", context.prices.webAclMonth, 1, false),
      component("rules and managed rule groups", context.prices.webAclRuleMonth, rules, false),
      used("requests inspected", context.prices.webAclRequestsMillion, context, "loadBalancerRequestsMillions"),
    );
  },
  aws_cognito_user_pool: (values, context) => {
    const tier = (text(values.user_pool_tier) ?? "ESSENTIALS") as keyof PriceTable["cognitoMonthlyActiveUser"];
    const price = context.prices.cognitoMonthlyActiveUser[tier];
    return price ? priced(used(`monthly active users (${tier.toLowerCase()})`, price, context, "cognitoMonthlyActiveUsers")) : unpriced(`no price for user pool tier ${tier}`);
  },
  aws_codepipeline: (values, context) =>
    text(values.pipeline_type) === "V2" ? priced(used("action minutes (V2)", context.prices.pipelineV2ActionMinute, context, "pipelineActionMinutes")) : priced(component("active pipeline (V1)", context.prices.pipelineV1Month, 1, false)),
  aws_codebuild_project: (values, context) => {
    const environment = block(values, "environment");
    const key = `${text(environment.type)}/${text(environment.compute_type)}`;
    const price = context.prices.buildMinute[key];
    return price ? priced(used(`build minutes (${key})`, price, context, "buildMinutes")) : unpriced(`no price for build environment ${key}`);
  },
  aws_kms_key: (_values, context) => priced(component("customer managed key", context.prices.kmsKeyMonth, 1, false), used("requests", context.prices.kmsRequests10k, context, "keyRequests", 10_000)),
  aws_secretsmanager_secret: (_values, context) => priced(component("secret", context.prices.secretMonth, 1, false), used("API calls", context.prices.secretApiCalls10k, context, "secretApiCalls", 10_000)),
  aws_cloudwatch_metric_alarm: (values, context) => {
    const queries = Array.isArray(values.metric_query) ? (values.metric_query as Values[]) : [];
    const metrics = queries.length ? queries.filter((query) => query.metric).length : 1;
    const periods = [values.period, ...queries.map((query) => block(query, "metric").period)].map(count).filter((period): period is number => period !== undefined);
    const highResolution = periods.some((period) => period < 60);
    return priced(component(`metrics evaluated (${highResolution ? "high" : "standard"} resolution)`, highResolution ? context.prices.alarmMetricHighResolution : context.prices.alarmMetricStandard, metrics, false));
  },
  aws_cloudwatch_dashboard: (_values, context) => priced(component("dashboard", context.prices.dashboardMonth, 1, false)),
  aws_cloudwatch_log_group: (values, context) => {
    const field = logUsage(text(values.name) ?? "");
    const retentionDays = count(values.retention_in_days) || NEVER_EXPIRES_DAYS;
    const stored = (context.usage[field] * retentionDays) / DAYS_PER_MONTH;
    return priced(used("ingestion", context.prices.logIngestionGb, context, field), component(`storage (${retentionDays} days kept)`, context.prices.logStorageGbMonth, stored, true));
  },
  aws_dynamodb_table: (values, context) => {
    if ((text(values.billing_mode) ?? "PROVISIONED") !== "PAY_PER_REQUEST") return unpriced("no price for provisioned capacity tables");
    const components = [
      used("read request units", context.prices.tableReadRequestsMillion, context, "tableReadRequestsMillions"),
      used("write request units", context.prices.tableWriteRequestsMillion, context, "tableWriteRequestsMillions"),
      used("storage", context.prices.tableStorageGbMonth, context, "tableStoredGb"),
    ];
    if (isTrue(block(values, "point_in_time_recovery").enabled)) components.push(used("point-in-time recovery", context.prices.tablePointInTimeRecoveryGbMonth, context, "tableStoredGb"));
    return priced(...components);
  },
  aws_sqs_queue: (values, context) => {
    const name = text(values.name) ?? "";
    const fifo = isTrue(values.fifo_queue) || name.endsWith(".fifo");
    const field = name.includes("-dlq") ? "deadLetterQueueRequestsMillions" : "queueRequestsMillions";
    return priced(used(`requests (${fifo ? "FIFO" : "standard"})`, fifo ? context.prices.queueFifoRequestsMillion : context.prices.queueStandardRequestsMillion, context, field));
  },
  aws_sns_topic: (_values, context) => priced(used("publishes", context.prices.topicPublishesMillion, context, "topicPublishesMillions")),
  aws_ecr_repository: (_values, context) => priced(used("image storage", context.prices.imageStorageGbMonth, context, "imageStoredGb")),
  aws_s3_bucket: (_values, context) => priced(used("storage (Standard)", context.prices.bucketStorageGbMonth, context, "bucketStoredGb")),
  aws_route53_zone: (_values, context) => priced(component("hosted zone", context.prices.hostedZoneMonth, 1, false)),
  aws_ecs_cluster: (values, context) => {
    const settings = Array.isArray(values.setting) ? (values.setting as Values[]) : [];
    const insights = settings.some((setting) => setting.name === "containerInsights" && ["enabled", "enhanced"].includes(text(setting.value) ?? ""));
    return insights ? priced(used("Container Insights performance events", context.prices.logIngestionGb, context, "containerInsightsGb")) : free("the cluster is free without Container Insights; its instances are priced on their Auto Scaling group");
  },
  aws_autoscaling_group: (values, context) => {
    const template = context.launchTemplate(block(values, "launch_template").id);
    const instanceType = template && text(template.instance_type);
    if (!instanceType) return unpriced("instance type unknown (launch template not found)");
    const price = context.prices.instanceHour[instanceType];
    if (!price) return unpriced(`no ${context.prices.region} price for instance type ${instanceType}`);
    const instances = count(values.desired_capacity) ?? count(values.min_size) ?? 0;
    const volumes = Array.isArray(template.block_device_mappings) ? (template.block_device_mappings as Values[]) : [];
    const gp3 = volumes.map((mapping) => block(mapping, "ebs")).filter((ebs) => text(ebs.volume_type) === "gp3").reduce((sum, ebs) => sum + (count(ebs.volume_size) ?? 0), 0);
    const components = [hours(`${instanceType} instances`, price, instances)];
    if (gp3) components.push(component("gp3 root volumes", context.prices.gp3StorageGbMonth, gp3 * instances, false));
    return priced(...components);
  },
  aws_elasticache_replication_group: (values, context) => {
    const nodeType = text(values.node_type) ?? "";
    const price = context.prices.cacheNodeHour[nodeType];
    if (!price) return unpriced(`no ${context.prices.region} price for node type ${nodeType}`);
    // num_cache_clusters (cluster mode disabled), else shards × (replicas + primary); a group of neither is one node.
    const replicas = count(values.replicas_per_node_group);
    const groups = count(values.num_node_groups) ?? (replicas !== undefined ? 1 : undefined);
    const nodes = count(values.num_cache_clusters) ?? (groups !== undefined ? groups * ((replicas ?? 0) + 1) : 1);
    return priced(hours(`${nodeType} nodes`, price, nodes));
  },
};

const S3_SETTINGS = "a setting of its bucket, which is priced";
const NETWORK = "VPC networking is free (NAT gateways, endpoints and public addresses are priced)";
const IAM = "IAM is free";
const SECURITY_GROUPS = "security groups and their rules are free";

/** Types that cost nothing themselves, and why. */
export const FREE_TYPES: Readonly<Record<string, string>> = {
  terraform_data: "Terraform-only, no AWS resource",
  aws_acm_certificate: "public ACM certificates are free",
  aws_acm_certificate_validation: "Terraform's wait for validation, no AWS resource",
  aws_appautoscaling_policy: "Application Auto Scaling is free (what it scales is priced)",
  aws_appautoscaling_target: "Application Auto Scaling is free (what it scales is priced)",
  aws_cloudwatch_log_resource_policy: "resource policies are free",
  aws_codestarconnections_connection: "connections are free",
  aws_cognito_user: "users are priced as the pool's monthly active users",
  aws_cognito_user_group: "groups are free",
  aws_cognito_user_in_group: "group membership is free",
  aws_cognito_user_pool_client: "app clients signing users in are free (only machine-to-machine clients are billed)",
  aws_cognito_user_pool_domain: "the hosted domain is free",
  aws_default_network_acl: NETWORK,
  aws_default_route_table: NETWORK,
  aws_default_security_group: SECURITY_GROUPS,
  aws_ecr_lifecycle_policy: "lifecycle policies are free",
  aws_ecs_capacity_provider: "capacity providers are free",
  aws_ecs_cluster_capacity_providers: "capacity providers are free",
  aws_ecs_service: "EC2 launch type: tasks run on the cluster's instances, priced on their Auto Scaling group",
  aws_ecs_task_definition: "task definitions are free",
  aws_elasticache_subnet_group: "subnet groups are free",
  aws_flow_log: "its records are priced as its log group's ingestion and storage",
  aws_iam_instance_profile: IAM,
  aws_iam_openid_connect_provider: IAM,
  aws_iam_policy: IAM,
  aws_iam_role: IAM,
  aws_iam_role_policy: IAM,
  aws_iam_role_policy_attachment: IAM,
  aws_internet_gateway: NETWORK,
  aws_kms_alias: "aliases are free",
  aws_launch_template: "its instances are priced on the Auto Scaling group that launches them",
  aws_lb_listener: "priced in the load balancer's capacity units",
  aws_lb_listener_rule: "priced in the load balancer's capacity units",
  aws_lb_target_group: "priced in the load balancer's capacity units",
  aws_route: NETWORK,
  aws_route_table: NETWORK,
  aws_route_table_association: NETWORK,
  aws_route53_record: "records are free, and so are alias queries to the load balancer (the zone is the operator's)",
  aws_s3_bucket_lifecycle_configuration: S3_SETTINGS,
  aws_s3_bucket_logging: S3_SETTINGS,
  aws_s3_bucket_ownership_controls: S3_SETTINGS,
  aws_s3_bucket_policy: S3_SETTINGS,
  aws_s3_bucket_public_access_block: S3_SETTINGS,
  aws_s3_bucket_server_side_encryption_configuration: S3_SETTINGS,
  aws_s3_bucket_versioning: S3_SETTINGS,
  aws_secretsmanager_secret_policy: "a setting of its secret, which is priced",
  aws_secretsmanager_secret_version: "versions are included in the secret's price",
  aws_security_group: SECURITY_GROUPS,
  aws_vpc_security_group_egress_rule: SECURITY_GROUPS,
  aws_vpc_security_group_ingress_rule: SECURITY_GROUPS,
  aws_sns_topic_policy: "a setting of its topic, which is priced",
  aws_sns_topic_subscription: "e-mail deliveries cost 2 USD per 100,000: alarm mail stays below a cent",
  aws_sqs_queue_policy: "a setting of its queue, which is priced",
  aws_sqs_queue_redrive_allow_policy: "a setting of its queue, which is priced",
  aws_subnet: NETWORK,
  aws_vpc: NETWORK,
  aws_wafv2_web_acl_association: "priced on the web ACL",
  aws_wafv2_web_acl_logging_configuration: "its records are priced as its log group's ingestion and storage",
};

/** The types a rule prices. */
export const PRICED_TYPES: readonly string[] = Object.keys(RULES);

/** What one resource costs, why it is free, or why it could not be priced. */
export function priceResource(type: string, values: Values, context: PricingContext): Pricing {
  const rule = RULES[type];
  if (rule) return rule(values, context);
  const reason = FREE_TYPES[type];
  return reason ? free(reason) : unpriced("no pricing rule for this type");
}
