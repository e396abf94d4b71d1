import { EnvironmentName, MANAGED_SCALING_PROFILES, SERVICE_SCALING_PROFILES } from "../../config";
import { EnvironmentDefinition } from "../../config/environments";
import { GUIDE_COUNTS, GUIDE_VALUES, GuideScalar } from "../../config/guide";
import {
  MANAGED_SCALING_PROFILE_VALUES,
  resolveManagedScaling,
  resolveServiceScaling,
  ResolvedEnvironment,
  SERVICE_SCALING_PROFILE_VALUES,
} from "../../config/profiles";
import { EnvironmentVariable } from "../../lib/environment-variables";

/**
 * docs/configuration.md's generated blocks: every value of `environments.ts` per environment side by side,
 * marked with its source (the guide's parameter, or ours), and every SENTRY_* variable the code reads.
 */

type Leaf = string | number | boolean | readonly string[] | undefined;

/**
 * Config path (`network.vpcCidr`) → value, for every leaf. Lists of objects are keyed by their `name` (or
 * `service`), which is then no leaf of its own: `services.oms.cpu`, `cicd.pipelines.oms.branch`.
 */
export function flattenConfig(environment: ResolvedEnvironment): Map<string, Leaf> {
  const leaves = new Map<string, Leaf>();
  const visit = (node: unknown, path: string, identity?: string) => {
    if (Array.isArray(node) && node.length && node.every((item) => typeof item === "object" && item !== null)) {
      (node as Record<string, unknown>[]).forEach((item, index) => {
        const key = ["name", "service"].find((candidate) => typeof item[candidate] === "string");
        visit(item, `${path}.${key ? String(item[key]) : index}`, key);
      });
    } else if (typeof node === "object" && node !== null && !Array.isArray(node)) {
      for (const [key, child] of Object.entries(node)) {
        if (key !== identity) visit(child, path ? `${path}.${key}` : key);
      }
    } else {
      leaves.set(path, node as Leaf);
    }
  };
  visit(environment, "", "name");
  return leaves;
}

/** A value as code in a table cell (a `|` escaped, or it would end the cell). */
function format(value: Leaf | GuideScalar): string {
  const code = (item: unknown) => `\`${String(item).replace(/\|/g, "\\|")}\``;
  if (value === undefined) return "–";
  if (Array.isArray(value)) return value.length ? value.map(code).join(", ") : "–";
  return code(value);
}

function same(a: Leaf, b: GuideScalar): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Group of a path: its first segment, or `general` for top-level values. */
function groupOf(path: string): string {
  return path.includes(".") ? path.split(".")[0] : "general";
}

/** For a list the guide counts (`queues`): its length per environment, and the guide's count where it differs. */
function countLine(group: string, environments: Readonly<Record<EnvironmentName, ResolvedEnvironment>>): string[] {
  const guide = GUIDE_COUNTS[group];
  if (!guide) return [];
  const counts = Object.values(environments).map((environment) => {
    const list: unknown = environment[group as keyof ResolvedEnvironment];
    return Array.isArray(list) ? list.length : Object.keys(list as object).length;
  });
  const count = counts.every((each) => each === counts[0]) ? String(counts[0]) : counts.join(" / ");
  const differs = counts.some((each) => each !== guide.count);
  return [`${count} in the configuration${differs ? `; the guide's checklist has ${guide.count} ("${guide.item}")` : `, as the guide's checklist ("${guide.item}")`}.`, ""];
}

/** One table per configuration group: path, value per environment, source (the guide's parameter, or ours). */
export function renderParameterTables(environments: Readonly<Record<EnvironmentName, ResolvedEnvironment>>): string {
  const names = Object.keys(environments) as EnvironmentName[];
  const flat = new Map(names.map((name) => [name, flattenConfig(environments[name])]));
  const paths = [...new Set(names.flatMap((name) => [...(flat.get(name) as Map<string, Leaf>).keys()]))];
  const unknown = Object.keys(GUIDE_VALUES).filter((path) => !paths.includes(path));
  if (unknown.length) throw new Error(`src/config/guide.ts: GUIDE_VALUES names ${unknown[0]}, which is no configuration value; expected a path such as network.vpcCidr`);
  const groups = [...new Set(paths.map(groupOf))];
  const sections = groups.map((group) => {
    const rows = paths
      .filter((path) => groupOf(path) === group)
      .map((path) => {
        const guide = GUIDE_VALUES[path];
        const cells = names.map((name) => {
          const value = flat.get(name)?.get(path);
          const given = guide?.values[name];
          return given !== undefined && !same(value, given) ? `${format(value)} (guide: ${format(given)})` : format(value);
        });
        const given = guide ? names.filter((name) => guide.values[name] !== undefined) : [];
        const source = guide ? `guide \`${guide.parameter}\`${given.length === names.length ? "" : ` (${given.join(", ")})`}` : "ours";
        return `| \`${group === "general" ? path : path.slice(group.length + 1)}\` | ${cells.join(" | ")} | ${source} |`;
      });
    return [`### ${group}`, "", ...countLine(group, environments), `| value | ${names.join(" | ")} | source |`, `|---|${names.map(() => "---").join("|")}|---|`, ...rows].join("\n");
  });
  return sections.join("\n\n");
}

/** `name value, name value` of the numbers a profile sets. */
function settings(values: object): string {
  return Object.entries(values)
    .map(([name, value]) => `\`${name}\` ${String(value)}`)
    .join(", ");
}

/** Every number of a resolved scaling, the ones the profile leaves to the default marked so. */
function resolvedTo(resolved: object, fromProfile: object): string {
  return Object.entries(resolved)
    .map(([name, value]) => `\`${name}\` ${String(value)}${name in fromProfile ? "" : " (default)"}`)
    .join(", ");
}

/**
 * One row per scaling profile: where it is chosen, what it sets, every number it resolves to (by the resolver
 * the configuration uses) and which environments choose it.
 */
export function renderScalingProfiles(environments: Readonly<Record<EnvironmentName, EnvironmentDefinition>>): string {
  const all = Object.values(environments);
  const servicesWith = (profile: string) =>
    all.flatMap((environment) => environment.services.filter((service) => service.autoScaling.profile === profile).map((service) => `${environment.name} ${service.name}`));
  const clustersWith = (profile: string) =>
    all.flatMap((environment) =>
      Object.entries(environment.clusters)
        .filter(([, cluster]) => cluster.managedScaling.profile === profile)
        .map(([name]) => `${environment.name} ${name}`),
    );
  const usedBy = (users: string[]) => (users.length ? users.map((user) => `\`${user}\``).join(", ") : "–");
  const service = SERVICE_SCALING_PROFILES.map((profile) => {
    const { targetCpuUtilization, scaleOutCooldownSeconds, scaleInCooldownSeconds } = resolveServiceScaling("profile", { enabled: true, minTaskCount: 1, maxTaskCount: 1, profile });
    const values = SERVICE_SCALING_PROFILE_VALUES[profile];
    return `| \`${profile}\` | \`services[].autoScaling.profile\` | ${settings(values)} | ${resolvedTo({ targetCpuUtilization, scaleOutCooldownSeconds, scaleInCooldownSeconds }, values)} | ${usedBy(servicesWith(profile))} |`;
  });
  const managed = MANAGED_SCALING_PROFILES.map((profile) => {
    const { targetCapacity } = resolveManagedScaling("profile", { enabled: true, minimumScalingStepSize: 1, maximumScalingStepSize: 1, profile });
    const values = MANAGED_SCALING_PROFILE_VALUES[profile];
    return `| \`${profile}\` | \`clusters.<name>.managedScaling.profile\` | ${settings(values)} | ${resolvedTo({ targetCapacity }, values)} | ${usedBy(clustersWith(profile))} |`;
  });
  return ["| profile | chosen with | sets | resolves to | chosen by |", "|---|---|---|---|---|", ...service, ...managed].join("\n");
}

/** Where a list of variables is read, for the "read by" column. */
export interface VariableReader {
  readonly readBy: string;
  readonly variables: readonly EnvironmentVariable[];
}

/** One row per variable (the first reader's default and meaning), sorted by name, with every file that reads it. */
export function renderVariables(readers: readonly VariableReader[]): string {
  const rows = new Map<string, { variable: EnvironmentVariable; readBy: string[] }>();
  for (const { readBy, variables } of readers) {
    for (const variable of variables) {
      const row = rows.get(variable.name) ?? { variable, readBy: [] };
      row.readBy.push(`\`${readBy}\``);
      rows.set(variable.name, row);
    }
  }
  return [
    "| variable | default | meaning | read by |",
    "|---|---|---|---|",
    ...[...rows.values()]
      .sort((a, b) => a.variable.name.localeCompare(b.variable.name))
      .map(({ variable, readBy }) => `| \`${variable.name}\` | ${variable.default === undefined ? "unset" : `\`${variable.default}\``} | ${variable.meaning.replace(/\|/g, "\\|")} | ${readBy.join(", ")} |`),
  ].join("\n");
}
