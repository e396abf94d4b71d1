import { EnvironmentName } from "../../config";
import { DocumentedEnvironment, DocumentedStack, StackJson } from "./synthesized";

/**
 * docs/architecture.md's generated blocks, from the synthesized stacks of every environment: the diagram of
 * the phases and the outputs that flow between them (each `terraform_remote_state` a stack reads and the outputs
 * it references), the outputs of every stack, resource counts and the main resources per environment.
 */

type Attributes = Readonly<Record<string, unknown>>;

/** A stack's name with the environment left out (`sentry-foundation-{env}`), the same in every environment. */
function genericName(stack: DocumentedStack, environment: EnvironmentName): string {
  return stack.name.endsWith(`-${environment}`) ? `${stack.name.slice(0, -environment.length)}{env}` : stack.name;
}

/** Mermaid node id and table label of a stack: its phase, or the stack name for the bootstrap stack. */
function nodeId(stack: DocumentedStack): string {
  return stack.phase ?? stack.name.replace(/^sentry-/, "");
}

function s3Backend(json: StackJson): Attributes | undefined {
  return json.terraform?.backend?.s3;
}

/** One output one stack reads from another, in the environments it does so. */
interface Flow {
  readonly from: string;
  readonly to: string;
  readonly output: string;
  readonly environments: EnvironmentName[];
}

/** The outputs each stack reads from another through `terraform_remote_state`, merged over the environments. */
export function outputFlows(environments: readonly DocumentedEnvironment[]): Flow[] {
  const flows = new Map<string, Flow>();
  for (const { environment, stacks } of environments) {
    const byStateKey = new Map(stacks.filter((stack) => s3Backend(stack.json)).map((stack) => [s3Backend(stack.json)?.key, stack]));
    for (const reader of stacks) {
      const text = JSON.stringify(reader.json);
      for (const [local, remote] of Object.entries(reader.json.data?.terraform_remote_state ?? {})) {
        const source = byStateKey.get((remote.config as Attributes | undefined)?.key);
        if (!source) throw new Error(`${reader.name}: terraform_remote_state.${local} reads a state no stack of ${environment} writes`);
        const outputs = new Set([...text.matchAll(new RegExp(`data\\.terraform_remote_state\\.${local}\\.outputs\\.(\\w+)`, "g"))].map((match) => match[1]));
        for (const output of outputs) {
          const key = `${nodeId(source)} ${nodeId(reader)} ${output}`;
          const flow = flows.get(key) ?? { from: nodeId(source), to: nodeId(reader), output, environments: [] };
          flow.environments.push(environment);
          flows.set(key, flow);
        }
      }
    }
  }
  return [...flows.values()];
}

/** ` (prod)` when something holds in some environments only. */
function onlyIn(environments: readonly EnvironmentName[], all: readonly DocumentedEnvironment[]): string {
  return environments.length === all.length ? "" : ` (${environments.join(", ")})`;
}

/** The Mermaid flowchart: the bootstrap stack, the phases, the state they share and the outputs they read. */
export function renderDiagram(environments: readonly DocumentedEnvironment[]): string {
  const [first] = environments;
  const phases = first.stacks.filter((stack) => stack.phase);
  const flows = outputFlows(environments);
  const lines = ["```mermaid", "flowchart TB"];
  for (const stack of first.stacks.filter((candidate) => !candidate.phase)) {
    lines.push(`  ${nodeId(stack)}["${genericName(stack, first.environment)}<br>(once per account, local state)"]`);
  }
  lines.push(`  subgraph workspace["one Terraform workspace per environment: dev, staging, prod"]`);
  phases.forEach((stack, index) => lines.push(`    ${nodeId(stack)}["${index + 1} · ${genericName(stack, first.environment)}"]`));
  lines.push("  end");
  const buckets = new Set(phases.map((stack) => s3Backend(stack.json)?.bucket));
  const owner = first.stacks.find((stack) => Object.values(stack.json.resource?.aws_s3_bucket ?? {}).some((resource) => buckets.has(resource.bucket)));
  if (owner && buckets.size === 1) lines.push(`  ${nodeId(owner)} -. "state bucket (S3 backend of every phase)" .-> workspace`);
  const edges = new Map<string, Flow[]>();
  for (const flow of flows) edges.set(`${flow.from} ${flow.to}`, [...(edges.get(`${flow.from} ${flow.to}`) ?? []), flow]);
  for (const [pair, list] of edges) {
    const [from, to] = pair.split(" ");
    const names = list.map((flow) => `${flow.output}${onlyIn(flow.environments, environments)}`).sort();
    const label = Array.from({ length: Math.ceil(names.length / 2) }, (_, row) => names.slice(row * 2, row * 2 + 2).join(", ")).join("<br>");
    lines.push(`  ${from} -->|"${label}"| ${to}`);
  }
  lines.push("```");
  return lines.join("\n");
}

/** Text safe in a table cell: no column breaks. */
function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** Prose (an output's description) in a cell: `<env>` shown rather than taken for an HTML tag. */
function escapeProse(text: string): string {
  return escapeCell(text).replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Every output of every stack, its description and which phases read it. */
export function renderOutputs(environments: readonly DocumentedEnvironment[]): string {
  const flows = outputFlows(environments);
  const lines = ["| stack | output | description | read by |", "|---|---|---|---|"];
  for (const stack of environments[0].stacks) {
    const id = nodeId(stack);
    const present = new Map<string, { readonly description?: string; readonly sensitive?: boolean; readonly environments: EnvironmentName[] }>();
    for (const { environment, stacks } of environments) {
      const same = stacks.find((candidate) => nodeId(candidate) === id);
      for (const [output, definition] of Object.entries(same?.json.output ?? {})) {
        const entry = present.get(output) ?? { ...definition, environments: [] };
        entry.environments.push(environment);
        present.set(output, entry);
      }
    }
    for (const [output, definition] of [...present].sort(([a], [b]) => a.localeCompare(b))) {
      const readers = flows.filter((flow) => flow.from === id && flow.output === output).map((flow) => `${flow.to}${onlyIn(flow.environments, environments)}`);
      const where = onlyIn(definition.environments, environments);
      const description = `${definition.description ?? ""}${definition.sensitive ? " (sensitive)" : ""}${where ? `; only in${where}` : ""}`;
      lines.push(`| ${id} | \`${output}\` | ${escapeProse(description)} | ${readers.length ? readers.join(", ") : "–"} |`);
    }
  }
  return lines.join("\n");
}

function resources(environment: DocumentedEnvironment, type: string): Attributes[] {
  return environment.stacks.flatMap((stack) => Object.values(stack.json.resource?.[type] ?? {}));
}

function count(blocks: StackJson["resource"]): number {
  return Object.values(blocks ?? {}).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
}

function table(header: string, environments: readonly DocumentedEnvironment[], rows: readonly [string, (environment: DocumentedEnvironment) => string][]): string {
  return [
    `| ${header} | ${environments.map((env) => env.environment).join(" | ")} |`,
    `|---|${environments.map(() => "---").join("|")}|`,
    ...rows.map(([label, cell]) => `| ${label} | ${environments.map((env) => escapeCell(cell(env))).join(" | ")} |`),
  ].join("\n");
}

/** Resources (and data sources) per stack and environment. */
export function renderResourceCounts(environments: readonly DocumentedEnvironment[]): string {
  const rows: [string, (environment: DocumentedEnvironment) => string][] = environments[0].stacks.map((stack, index) => [
    `${stack.phase ? `${index} · ` : ""}${nodeId(stack)}`,
    (environment) => {
      const same = environment.stacks.find((candidate) => nodeId(candidate) === nodeId(stack));
      return same ? `${count(same.json.resource)} (+${count(same.json.data)} data)` : "–";
    },
  ]);
  rows.push(["**total**", (environment) => `**${environment.stacks.reduce((sum, stack) => sum + count(stack.json.resource), 0)}** (+${environment.stacks.reduce((sum, stack) => sum + count(stack.json.data), 0)} data)`]);
  return table("stack", environments, rows);
}

/** `${aws_launch_template.oms_launch_template.id}` → the referenced resource's attributes. */
function referenced(environment: DocumentedEnvironment, reference: unknown): Attributes | undefined {
  const match = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}$/.exec(String(reference));
  return match ? environment.stacks.map((stack) => stack.json.resource?.[match[1]]?.[match[2]]).find(Boolean) : undefined;
}

function plural(amount: number, noun: string): string {
  return `${amount} ${noun}${amount === 1 ? "" : "s"}`;
}

function names(environment: DocumentedEnvironment, type: string, attribute: string): string {
  return resources(environment, type)
    .map((resource) => `\`${String(resource[attribute])}\``)
    .sort()
    .join(", ");
}

const MAIN_RESOURCES: readonly [string, (environment: DocumentedEnvironment) => string][] = [
  [
    "VPC",
    (environment) => {
      const subnets = resources(environment, "aws_subnet");
      const tiers = (tier: string) => subnets.filter((subnet) => (subnet.tags as Attributes | undefined)?.Tier === tier).length;
      const zones = new Set(subnets.map((subnet) => subnet.availability_zone)).size;
      const vpc = resources(environment, "aws_vpc").map((resource) => `\`${String(resource.cidr_block)}\``).join(", ");
      const flowLogs = resources(environment, "aws_flow_log").length ? "flow logs" : "no flow logs";
      return `${vpc}, ${plural(zones, "AZ")}: ${tiers("public")} public + ${tiers("private")} private subnets, ${plural(resources(environment, "aws_nat_gateway").length, "NAT gateway")}, ${flowLogs}`;
    },
  ],
  ["Cognito user pool", (environment) => names(environment, "aws_cognito_user_pool", "name")],
  ["DynamoDB tables", (environment) => names(environment, "aws_dynamodb_table", "name")],
  [
    "SQS queues",
    (environment) => {
      const queues = resources(environment, "aws_sqs_queue");
      const main = queues.filter((queue) => queue.redrive_policy !== undefined);
      return `${main.length} (${main.filter((queue) => queue.fifo_queue).length} FIFO), each with a dead-letter queue: ${queues.length} in all`;
    },
  ],
  ["Secrets", (environment) => names(environment, "aws_secretsmanager_secret", "name")],
  [
    "Redis",
    (environment) =>
      resources(environment, "aws_elasticache_replication_group")
        .map((group) => `\`${String(group.replication_group_id)}\`: \`${String(group.node_type)}\` × ${String(group.num_cache_clusters)}, Redis ${String(group.engine_version)}${group.multi_az_enabled ? ", Multi-AZ" : ""}`)
        .join("<br>"),
  ],
  ["ECS clusters", (environment) => names(environment, "aws_ecs_cluster", "name")],
  [
    "cluster instances",
    (environment) =>
      resources(environment, "aws_autoscaling_group")
        .map((group) => {
          const template = referenced(environment, (group.launch_template as Attributes | undefined)?.id);
          return `\`${String(group.name)}\`: \`${String(template?.instance_type)}\` ${String(group.min_size)}..${String(group.max_size)} (desired ${String(group.desired_capacity)})`;
        })
        .sort()
        .join("<br>"),
  ],
  [
    "load balancer",
    (environment) => {
      const waf = names(environment, "aws_wafv2_web_acl", "name");
      return `${names(environment, "aws_lb", "name")}, ${waf ? `WAF ${waf}` : "no WAF"}`;
    },
  ],
  [
    "ECS services",
    (environment) => {
      const targets = resources(environment, "aws_appautoscaling_target");
      return resources(environment, "aws_ecs_service")
        .map((service) => {
          const task = referenced(environment, service.task_definition);
          const address = `aws_ecs_service.${nameOf(environment, "aws_ecs_service", service)}.name`;
          const target = targets.find((candidate) => String(candidate.resource_id).includes(address));
          const scaling = target ? `, scales ${String(target.min_capacity)}..${String(target.max_capacity)}` : "";
          return `\`${String(service.name)}\`: ${String(task?.cpu)} CPU / ${String(task?.memory)} MiB, ${plural(Number(service.desired_count), "task")}${scaling}`;
        })
        .sort()
        .join("<br>");
    },
  ],
  [
    "pipelines",
    (environment) =>
      resources(environment, "aws_codepipeline")
        .map((pipeline) => {
          const stages = (pipeline.stage as { name: string; action: { configuration?: Attributes }[] }[]) ?? [];
          const branch = stages.flatMap((stage) => stage.action).map((action) => action.configuration?.BranchName).find(Boolean);
          return `\`${String(pipeline.name)}\`: \`${String(branch)}\` → ${stages.map((stage) => stage.name).join(", ")}`;
        })
        .sort()
        .join("<br>"),
  ],
  ["CloudWatch alarms", (environment) => String(resources(environment, "aws_cloudwatch_metric_alarm").length)],
];

/** The resource name (Terraform address part) of `resource` among the resources of `type`. */
function nameOf(environment: DocumentedEnvironment, type: string, resource: Attributes): string | undefined {
  for (const stack of environment.stacks) {
    const found = Object.entries(stack.json.resource?.[type] ?? {}).find(([, candidate]) => candidate === resource);
    if (found) return found[0];
  }
  return undefined;
}

/** The main resources of each environment side by side, read from the synthesized stacks. */
export function renderMainResources(environments: readonly DocumentedEnvironment[]): string {
  return table("resource", environments, MAIN_RESOURCES);
}
