import { accountHeading } from "../report-account";
import { renderReport, ReviewFormat } from "../review/render";
import { DriftItem, DriftPhase, DriftReport } from "./model";

/** Renderers of the drift model. They print only what the model holds (names and redacted text). */

const UNMANAGED_NOT_CHECKED = "security group rules that no resource manages were not looked for: a phase's plan failed or its state could not be read";

function what(item: DriftItem): string {
  if (item.kind === "deleted") return "deleted outside Terraform";
  if (item.kind === "unmanaged") return "rules added outside Terraform that no resource manages";
  const names = item.attributes.map((attribute) => (attribute.hidden ? `${attribute.name} ${attribute.hidden}` : attribute.name)).join(", ");
  return `changed outside Terraform (${names})${item.replaces ? ", deploy replaces it" : ""}`;
}

/** Security both ways: whether the change grants more, and which controls it weakened. */
function securityText(item: DriftItem): string {
  const broadening = !item.broadening ? "" : item.broadening === "yes" ? ", broadening" : item.broadening === "unknown" ? ", possibly broadening" : ", not broadening";
  return `${broadening}${item.weakens.map((control) => `, weakens ${control}`).join("")}`;
}

function phaseLine(phase: DriftPhase): string {
  if (!phase.checked) return `${phase.stack}: ${phase.note ?? "not checked"}`;
  const pending = phase.pending.length ? `; ${phase.pending.length} configuration change${phase.pending.length === 1 ? "" : "s"} not deployed yet (not drift)` : "";
  return `${phase.stack}: ${phase.drifted ? `${phase.drifted} drifted` : "no drift"}${pending}`;
}

function summary(report: DriftReport): string {
  const failed = report.phases.filter((phase) => phase.failed).map((phase) => phase.stack);
  if (failed.length) return `Incomplete: ${failed.join(", ")} not checked (failed or skipped).`;
  if (!report.items.length) return "No drift.";
  const stacks = new Set(report.items.map((item) => item.stack)).size;
  return `Drift: ${report.items.length} resource${report.items.length === 1 ? "" : "s"} in ${stacks} phase${stacks === 1 ? "" : "s"}.`;
}

export function renderDriftText(report: DriftReport): string {
  const out: string[] = [`Drift of ${report.environment}${accountHeading(report.account, "text")}`];
  for (const phase of report.phases) {
    out.push(phaseLine(phase));
    for (const item of report.items.filter((found) => found.stack === phase.stack)) {
      out.push(`  ${item.address}: ${what(item)}${securityText(item)}`);
      out.push(...item.security.map((line) => `      ${line.sign} ${line.text}`));
      out.push(`      revert: ${item.revert}`, `      accept: ${item.accept}`);
    }
  }
  if (!report.unmanagedRulesChecked) out.push(`(${UNMANAGED_NOT_CHECKED})`);
  out.push("", summary(report));
  return `${out.join("\n")}\n`;
}

/** Escapes what would break a table cell or inline code. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/`/g, "'");
}

export function renderDriftMarkdown(report: DriftReport): string {
  const out: string[] = [`### Drift: ${report.environment}${accountHeading(report.account, "markdown")}`, "", "| phase | stack | drifted | configuration changes not deployed |", "|---|---|--:|--:|"];
  for (const phase of report.phases) {
    out.push(`| ${phase.phase} | \`${phase.stack}\` | ${phase.checked ? phase.drifted : cell(phase.note ?? "not checked")} | ${phase.checked ? phase.pending.length : "–"} |`);
  }
  if (report.items.length) {
    out.push("", "| stack | address | what | security | revert / accept |", "|---|---|---|---|---|");
    for (const item of report.items) {
      const security = item.security.map((line) => `\`${line.sign}\` ${cell(line.text)}`).join("<br>") || "–";
      out.push(`| \`${item.stack}\` | \`${item.address}\` | ${cell(what(item))}${cell(securityText(item))} | ${security} | ${item.kind === "unmanaged" ? cell(item.revert) : `\`${cell(item.revert)}\``}<br>${cell(item.accept)} |`);
    }
  }
  if (!report.unmanagedRulesChecked) out.push("", `_${UNMANAGED_NOT_CHECKED}_`);
  out.push("", `**${summary(report)}**`);
  return `${out.join("\n")}\n`;
}

export function renderDrift(report: DriftReport, format: ReviewFormat): string {
  return renderReport(report, format, { text: renderDriftText, markdown: renderDriftMarkdown });
}
