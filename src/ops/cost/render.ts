import { renderReport, ReviewFormat } from "../review/render";
import { CostReport, phaseCosts } from "./model";
import { HOURS_PER_MONTH } from "./rules";

/** Renderers of `sentry-ops cost`: one environment in detail, or every environment side by side. */

/** What `cost` prints: the reports (one, or every environment's) and the guide's cost checks. */
export interface CostView {
  readonly reports: readonly CostReport[];
  readonly checks: readonly string[];
}

export const usd = (amount: number): string => amount.toFixed(2);
const quantity = (value: number): string => String(Number(value.toFixed(4)));

/** What every rendering says about how the figures were made. */
function basis(report: CostReport): string {
  return `${report.region} on-demand list prices as of ${report.pricesAsOf}, USD, ${HOURS_PER_MONTH} hours a month. Free tiers are not subtracted. Usage-based figures come from the usage estimate (src/config/usage.ts, or --usage FILE); fixed ones from the configuration alone.`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[], leftColumns = 1): string[] {
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column].length)));
  return [header, ...rows].map((row) => row.map((cell, column) => (column < leftColumns ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join("  ").trimEnd());
}

function phaseRows(report: CostReport): string[][] {
  return [...phaseCosts(report).map((p) => [p.phase, usd(p.fixed), usd(p.usage), usd(p.total)]), ["total", usd(report.totals.fixed), usd(report.totals.usage), usd(report.totals.total)]];
}

function checkLines(checks: readonly string[]): string[] {
  return ["", "Cost checks (the guide's)", ...(checks.length ? checks.map((line) => `  ${line}`) : ["  none"])];
}

function renderOneText(report: CostReport, checks: readonly string[]): string {
  const out = [`Monthly cost of ${report.environment}`, basis(report), ""];
  out.push(...table(["phase", "fixed", "usage", "total"], phaseRows(report)));
  for (const resource of report.resources) {
    out.push("", `${resource.phase} ${resource.address}  ${usd(resource.monthly)}`);
    const rows = resource.components.map((c) => [`  ${c.name}${c.usageBased ? " (usage)" : ""}`, `${quantity(c.quantity)} ${c.unit}`, `× ${c.unitPrice}`, usd(c.monthly)]);
    out.push(...table(["", "", "", ""], rows).slice(1).map((line) => `  ${line}`));
  }
  out.push("", "Not priced", ...report.unpriced.map((entry) => `  ${entry.type}: ${entry.reason}`));
  out.push(...checkLines(checks));
  return `${out.join("\n")}\n`;
}

function renderAllText(reports: readonly CostReport[], checks: readonly string[]): string {
  const header = ["phase", ...reports.flatMap((r) => [`${r.environment} fixed`, `${r.environment} usage`])];
  const costs = reports.map(phaseCosts);
  const rows = [
    ...costs[0].map((phase, index) => [phase.phase, ...costs.flatMap((perPhase) => [usd(perPhase[index].fixed), usd(perPhase[index].usage)])]),
    ["total", ...reports.flatMap((r) => [usd(r.totals.fixed), usd(r.totals.usage)])],
  ];
  const out = [`Monthly cost of ${reports.map((r) => r.environment).join(", ")}`, basis(reports[0]), "", ...table(header, rows)];
  out.push("", ...table(["", ...reports.map((r) => r.environment)], [["total", ...reports.map((r) => usd(r.totals.total))]]));
  out.push(...checkLines(checks));
  return `${out.join("\n")}\n`;
}

/** The per-phase table of every environment, fixed and usage apart (also the table of docs/cost.md). */
export function renderPhaseTable(reports: readonly CostReport[]): string {
  const costs = reports.map(phaseCosts);
  const out = [
    `| phase | ${reports.map((r) => `${r.environment} fixed | ${r.environment} usage`).join(" | ")} |`,
    `|---|${reports.map(() => "--:|--:").join("|")}|`,
    ...costs[0].map((phase, index) => `| ${phase.phase} | ${costs.map((perPhase) => `${usd(perPhase[index].fixed)} | ${usd(perPhase[index].usage)}`).join(" | ")} |`),
    `| **total** | ${reports.map((r) => `**${usd(r.totals.fixed)}** | **${usd(r.totals.usage)}**`).join(" | ")} |`,
    `| ${["**fixed + usage**", ...reports.flatMap((r) => [`**${usd(r.totals.total)}**`, ""])].join(" | ")} |`,
  ];
  return `${out.join("\n")}\n`;
}

function markdownChecks(checks: readonly string[]): string[] {
  return ["", "#### Cost checks (the guide's)", "", ...(checks.length ? checks.map((line) => `- ${line}`) : ["None."])];
}

function renderOneMarkdown(report: CostReport, checks: readonly string[]): string {
  const out = [`### Monthly cost of ${report.environment}`, "", `_${basis(report)}_`, "", renderPhaseTable([report]).trimEnd(), ""];
  out.push("<details><summary>" + `${report.resources.length} priced resources` + "</summary>", "");
  out.push("| phase | address | component | quantity | unit price | monthly |", "|---|---|---|--:|--:|--:|");
  for (const resource of report.resources) {
    for (const c of resource.components) {
      out.push(`| ${resource.phase} | \`${resource.address}\` | ${c.name}${c.usageBased ? " _(usage)_" : ""} | ${quantity(c.quantity)} ${c.unit} | ${c.unitPrice} | ${usd(c.monthly)} |`);
    }
  }
  out.push("", "</details>", "", "Not priced: " + report.unpriced.map((entry) => `\`${entry.type}\` (${entry.reason})`).join(", ") + ".");
  out.push(...markdownChecks(checks));
  return `${out.join("\n")}\n`;
}

function renderAllMarkdown(reports: readonly CostReport[], checks: readonly string[]): string {
  const out = [`### Monthly cost of ${reports.map((r) => r.environment).join(", ")}`, "", `_${basis(reports[0])}_`, "", renderPhaseTable(reports).trimEnd(), ...markdownChecks(checks)];
  return `${out.join("\n")}\n`;
}

/** One report as its JSON object; several (`cost all`) as an array of them. The checks are not part of the JSON. */
export function renderCost(view: CostView, format: ReviewFormat): string {
  const [first, ...others] = view.reports;
  const json: CostReport | readonly CostReport[] = others.length ? view.reports : first;
  return renderReport(json, format, {
    text: () => (others.length ? renderAllText(view.reports, view.checks) : renderOneText(first, view.checks)),
    markdown: () => (others.length ? renderAllMarkdown(view.reports, view.checks) : renderOneMarkdown(first, view.checks)),
  });
}
