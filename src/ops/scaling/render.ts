import { renderReport, ReviewFormat } from "../review/render";
import { ActivityView, ClusterView, ScalingReport, ServiceView, WindowStatistic } from "./model";
import { accountHeading } from "../report-account";

/** Renderers of the scaling report: one block per service and per cluster, then the findings. */

function duration(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  return `${Math.round(seconds / 60)}m`;
}

function windowLine(report: ScalingReport): string {
  const { window } = report;
  return `${window.start} to ${window.end} (${duration(window.seconds)}, ${duration(window.periodSeconds)} datapoints)`;
}

function percent(statistic: WindowStatistic, latest = false): string {
  if (!statistic.datapoints) return "no datapoints in the window";
  const parts = [`average ${statistic.average ?? "-"} %`, `maximum ${statistic.maximum ?? "-"} %`, ...(latest ? [`latest ${statistic.latest ?? "-"} %`] : [])];
  return `${parts.join(", ")} (${statistic.datapoints} datapoints)`;
}

function tasksText(service: ServiceView): string {
  if (!service.found) return "not found in ECS";
  return `${service.running} running, ${service.desired} desired, ${service.pending} pending${service.waiting ? `, ${service.waiting} waiting for an instance` : ""}`;
}

function autoScalingText(service: ServiceView): string {
  const scaling = service.autoScaling;
  if (!scaling) return "off (no scalable target)";
  const target = scaling.targetCpu === undefined ? "no CPU target-tracking policy" : `target CPU ${scaling.targetCpu} %`;
  const cooldowns = `cooldowns out ${scaling.scaleOutCooldownSeconds ?? "-"} s / in ${scaling.scaleInCooldownSeconds ?? "-"} s`;
  return `on, ${scaling.min}..${scaling.max} tasks, ${target}, ${cooldowns}`;
}

function cooldownText(service: ServiceView): string {
  return service.cooldown ? `scale-${service.cooldown.direction} cooldown until ${service.cooldown.until}` : "none running";
}

function managedText(cluster: ClusterView): string {
  if (cluster.managedScalingStatus === "MISSING") return `capacity provider ${cluster.capacityProvider} not found in ECS`;
  const on = cluster.managedScalingStatus === "ENABLED";
  return `${on ? `on, target capacity ${cluster.managedScalingTarget ?? "-"} %` : "off"} (capacity provider ${cluster.capacityProvider})`;
}

function groupText(cluster: ClusterView): string {
  const group = cluster.group;
  if (!group.found) return `${group.name} not found`;
  return `${group.name}: ${group.inService} in service, desired ${group.desired}, min ${group.min}, max ${group.max}`;
}

function activityText(activity: ActivityView): string {
  const direction = activity.direction ? ` scale-${activity.direction}` : "";
  const message = activity.message ? `: ${activity.message}` : "";
  return `${activity.start} ${activity.status}${direction} ${activity.description}${message}${activity.cause ? ` (cause: ${activity.cause})` : ""}`;
}

function serviceRows(service: ServiceView): [string, string][] {
  return [
    ["tasks", tasksText(service)],
    ["auto scaling", autoScalingText(service)],
    ["cooldown", cooldownText(service)],
    ["CPU", percent(service.cpu)],
    ["memory", percent(service.memory)],
  ];
}

function clusterRows(cluster: ClusterView): [string, string][] {
  return [
    ["managed scaling", managedText(cluster)],
    ["reservation", percent(cluster.reservation, true)],
    ["instances", groupText(cluster)],
    ["waiting tasks", String(cluster.waiting)],
  ];
}

function summary(report: ScalingReport): string {
  const count = report.findings.length;
  return count ? `${count} finding${count === 1 ? "" : "s"} in ${report.environment}.` : `Nothing to look at in ${report.environment}.`;
}

const LABEL_WIDTH = 16;

export function renderScalingText(report: ScalingReport): string {
  const block = (title: string, rows: [string, string][], activities: readonly ActivityView[]) => [
    `  ${title}`,
    ...rows.map(([label, value]) => `    ${label.padEnd(LABEL_WIDTH)}${value}`),
    `    ${"activities".padEnd(LABEL_WIDTH)}${activities.length ? "" : "none"}`.trimEnd(),
    ...activities.map((activity) => `      ${activityText(activity)}`),
  ];
  const out = [`Scaling of ${report.environment}${accountHeading(report.account, "text")}, ${windowLine(report)}`, "", "Services"];
  for (const service of report.services) out.push(...block(`${service.key}  ${service.name} (cluster ${service.cluster})`, serviceRows(service), service.activities));
  out.push("", "Clusters");
  for (const cluster of report.clusters) out.push(...block(`${cluster.key}  ${cluster.name}`, clusterRows(cluster), cluster.activities));
  out.push("", "Findings");
  if (!report.findings.length) out.push("  none");
  out.push(...report.findings.map((finding) => `  - ${finding.subject}: ${finding.text}`));
  out.push("", summary(report));
  return `${out.join("\n")}\n`;
}

/** Escapes what would break a table cell or inline code. */
function cell(value: string): string {
  return value.replace(/\|/g, "\\|").replace(/`/g, "'");
}

export function renderScalingMarkdown(report: ScalingReport): string {
  const table = (rows: [string, string][]) => ["| | |", "|---|---|", ...rows.map(([label, value]) => `| ${label} | ${cell(value)} |`)];
  const activities = (list: readonly ActivityView[]) => (list.length ? ["", ...list.map((activity) => `- ${cell(activityText(activity))}`)] : []);
  const out = [`### Scaling of \`${report.environment}\`${accountHeading(report.account, "markdown")}`, "", windowLine(report), "", "#### Services"];
  for (const service of report.services) out.push("", `**${service.key}** \`${service.name}\` (cluster \`${service.cluster}\`)`, "", ...table(serviceRows(service)), ...activities(service.activities));
  out.push("", "#### Clusters");
  for (const cluster of report.clusters) out.push("", `**${cluster.key}** \`${cluster.name}\``, "", ...table(clusterRows(cluster)), ...activities(cluster.activities));
  out.push("", "#### Findings", "");
  if (!report.findings.length) out.push("None.");
  out.push(...report.findings.map((finding) => `- **${cell(finding.subject)}** ${cell(finding.text)}`));
  out.push("", `**${summary(report)}**`);
  return `${out.join("\n")}\n`;
}

export function renderScaling(report: ScalingReport, format: ReviewFormat): string {
  return renderReport(report, format, { text: renderScalingText, markdown: renderScalingMarkdown });
}
