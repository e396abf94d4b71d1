import { EnvironmentName, namesOf } from "../../config";
import { GUIDE_VALUES } from "../../config/guide";
import { ResolvedEnvironment } from "../../config/profiles";

/**
 * docs/architecture.md's lists of the foundation's queues, tables and secrets, from the configuration: a queue,
 * table or secret added in `src/config` appears here after `npm run docs`, with no prose to edit.
 */

type Environments = Readonly<Record<EnvironmentName, ResolvedEnvironment>>;

const code = (text: string) => `\`${text}\``;
const codes = (texts: readonly string[]) => (texts.length ? texts.map(code).join(", ") : "–");

/** Each entry of a list by name, with the environments that have it (every one, usually). */
function byName<T>(environments: Environments, pick: (environment: ResolvedEnvironment) => readonly (readonly [string, T])[]): Map<string, { value: T; in: EnvironmentName[] }> {
  const entries = new Map<string, { value: T; in: EnvironmentName[] }>();
  for (const [name, environment] of Object.entries(environments) as [EnvironmentName, ResolvedEnvironment][]) {
    for (const [key, value] of pick(environment)) {
      const entry = entries.get(key) ?? { value, in: [] };
      entry.in.push(name);
      entries.set(key, entry);
    }
  }
  return entries;
}

/** ` (prod only)` after a name that some environments lack. */
function only(present: readonly EnvironmentName[], environments: Environments): string {
  return present.length === Object.keys(environments).length ? "" : ` (${present.join(", ")} only)`;
}

/** Services (in any environment) whose `access` lists `name` under `use`. */
function users(environments: Environments, use: "consumes" | "produces" | "reads" | "writes", name: string): string[] {
  const services = Object.values(environments).flatMap((environment) => environment.services.filter((service) => (service.access[use] as readonly string[]).includes(name)).map((service) => service.name));
  return [...new Set(services)];
}

export function renderQueues(environments: Environments): string {
  const queues = byName(environments, (environment) => environment.queues.map((queue) => [queue.name, queue] as const));
  const rows = [...queues].map(([name, { value: queue, in: present }]) => {
    const source = GUIDE_VALUES[`queues.${name}.type`] ? "guide" : "ours";
    return `| ${code(name)}${only(present, environments)} | ${queue.type} | ${queue.purpose} | ${codes(users(environments, "produces", name))} | ${codes(users(environments, "consumes", name))} | ${source} |`;
  });
  return ["| queue | type | purpose | sent by | received by | source |", "|---|---|---|---|---|---|", ...rows].join("\n");
}

export function renderTables(environments: Environments): string {
  const tables = byName(environments, (environment) => namesOf(environment.tables).map((name) => [name, environment.tables[name]] as const));
  const key = (partitionKey: string, sortKey?: string) => code(sortKey ? `${partitionKey}, ${sortKey}` : partitionKey);
  const rows = [...tables].map(([name, { value: table, in: present }]) => {
    const indexes = Object.entries(table.indexes).map(([index, keys]) => `${code(index)} (${key(keys.partitionKey, keys.sortKey)})`);
    return `| ${code(`sentry-${name}-<env>`)}${only(present, environments)} | ${key(table.key.partitionKey, table.key.sortKey)} | ${indexes.join(", ") || "–"} | ${table.ttlAttribute ? code(table.ttlAttribute) : "–"} | ${codes(users(environments, "reads", name))} | ${codes(users(environments, "writes", name))} |`;
  });
  return ["| table | key | indexes | TTL | read by | written by |", "|---|---|---|---|---|---|", ...rows].join("\n");
}

export function renderSecrets(environments: Environments): string {
  const secrets = byName(environments, (environment) => namesOf(environment.secrets).map((name) => [name, environment.secrets[name]] as const));
  const rows = [...secrets].map(([name, { value: secret, in: present }]) => `| ${code(`sentry/<env>/${name}`)}${only(present, environments)} | ${codes(secret.keys)} | ${secret.filledBy} | ${secret.description} |`);
  return ["| secret | keys | value written by | description |", "|---|---|---|---|", ...rows].join("\n");
}
