import { renderReport, ReviewFormat } from "../review/render";
import { applyFailureText, ChecklistItem, PersonAction, PhaseStatus, StatusModel } from "./model";
import { accountHeading } from "../report-account";

/** Renderers of the status model; they print only what the model holds (names, ids, statuses, DNS records). */

function deployedText(phase: PhaseStatus): string {
  return phase.deployed ? "deployed" : "not deployed";
}

function lastWriteText(phase: PhaseStatus): string {
  if (!phase.deployed) return "-";
  return phase.lastWrite ?? `unknown${phase.lastWriteNote ? ` (${phase.lastWriteNote})` : ""}`;
}

function phaseRow(phase: PhaseStatus): string[] {
  return [phase.phase, phase.stack, deployedText(phase), phase.deployed ? String(phase.resources) : "-", phase.serial === undefined ? "-" : String(phase.serial), lastWriteText(phase), phase.planWaiting ? "yes" : "no"];
}

const PHASE_HEADER = ["phase", "stack", "state", "resources", "serial", "last write", "plan waiting"];

function itemText(item: ChecklistItem): string {
  const found = item.found.length ? `: ${item.found.join(", ")}` : "";
  return `${item.item}${found}${item.missing ? ` (${item.missing})` : ""}`;
}

function summary(model: StatusModel): string {
  if (model.complete) return `${model.environment} is complete: every phase deployed, the checklist ticked, nothing waits for a person.`;
  const open = model.checklist.filter((item) => !item.done).length;
  return `${model.environment} is not complete: ${model.actions.length} thing${model.actions.length === 1 ? "" : "s"} for a person, ${open} checklist item${open === 1 ? "" : "s"} open.`;
}

function actionText(action: PersonAction): string {
  return `${action.subject} ${action.text}`;
}

export function renderStatusText(model: StatusModel): string {
  const rows = [PHASE_HEADER, ...model.phases.map(phaseRow)];
  const widths = PHASE_HEADER.map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column])).join("  ").trimEnd();
  const out = [`Status of ${model.environment}${accountHeading(model.account, "text")}`, "", line(PHASE_HEADER)];
  for (const phase of model.phases) out.push(line(phaseRow(phase)), ...(phase.lastApplyFailed ? [`  ${applyFailureText(phase.lastApplyFailed)}`] : []));
  out.push("", "Checklist", ...model.checklist.map((item) => `  [${item.done ? "x" : " "}] ${itemText(item)}`));
  out.push("", "Needs a person");
  if (!model.actions.length) out.push("  nothing");
  for (const action of model.actions) out.push(`  - ${actionText(action)}`, ...action.detail.map((line) => `      ${line}`));
  out.push("", summary(model));
  return `${out.join("\n")}\n`;
}

/** Escapes what would break a table cell or inline code. */
function cell(value: string): string {
  return value.replace(/\|/g, "\\|").replace(/`/g, "'");
}

export function renderStatusMarkdown(model: StatusModel): string {
  const out = [`### Status of \`${model.environment}\`${accountHeading(model.account, "markdown")}`, "", `| ${PHASE_HEADER.join(" | ")} |`, `|${PHASE_HEADER.map(() => "---").join("|")}|`];
  out.push(...model.phases.map((phase) => `| ${phaseRow(phase).map(cell).join(" | ")} |`));
  out.push("", "#### Checklist", "", ...model.checklist.map((item) => `- [${item.done ? "x" : " "}] ${cell(itemText(item))}`));
  out.push("", "#### Needs a person", "");
  if (!model.actions.length) out.push("Nothing.");
  for (const action of model.actions) {
    out.push(`- **${cell(action.subject)}** ${cell(action.text)}`);
    if (action.detail.length) out.push("  ```", ...action.detail.map((line) => `  ${line}`), "  ```");
  }
  out.push("", `**${summary(model)}**`);
  return `${out.join("\n")}\n`;
}

export function renderStatus(model: StatusModel, format: ReviewFormat): string {
  return renderReport(model, format, { text: renderStatusText, markdown: renderStatusMarkdown });
}
