import type { ReviewCost } from "../cost/plan-cost";
import { ChangedAttribute, COUNTED_ACTIONS, Counts, DataLossItem, OtherItem, PhaseSummary, Review, SecurityItem } from "./model";

/** Renderers of the review model. They print only what the model holds (names and redacted text). */

export const REVIEW_FORMATS = ["text", "markdown", "json"] as const;
export type ReviewFormat = (typeof REVIEW_FORMATS)[number];

/** A report's own text and markdown renderers; its JSON is the model itself. */
export interface ReportRenderers<T> {
  readonly text: (model: T) => string;
  readonly markdown: (model: T) => string;
}

/** `--format` of every report (review, destroy, drift, status): text, markdown, or the model as JSON. */
export function renderReport<T>(model: T, format: ReviewFormat, renderers: ReportRenderers<T>): string {
  return format === "json" ? `${JSON.stringify(model, null, 2)}\n` : renderers[format](model);
}

const DATA_LOSS_TITLE = "1. Blocking: data loss";
const DATA_LOST_TITLE = "1. Data lost: resources holding data or identity";
const dataLossTitle = (review: Review): string => (review.mode === "destroy" ? DATA_LOST_TITLE : DATA_LOSS_TITLE);
const SECURITY_TITLE = "2. Security-sensitive changes";
const OTHER_TITLE = "3. Everything else";
const COST_TITLE = "4. Monthly cost (USD, list prices; usage from the estimate)";

const money = (amount: number): string => amount.toFixed(2);
const signed = (amount: number): string => `${amount > 0 ? "+" : ""}${money(amount)}`;

function costLines(cost: ReviewCost): string[] {
  return [
    ...cost.resources.map((r) => `${r.stack} ${r.address}: ${r.action}, ${money(r.monthlyBefore)} -> ${money(r.monthlyAfter)} (${signed(r.monthlyDelta)})`),
    `total: ${money(cost.monthlyBefore)} -> ${money(cost.monthlyAfter)} a month (${signed(cost.monthlyDelta)})`,
  ];
}

function attributeList(attributes: readonly ChangedAttribute[]): string {
  return attributes.map((attribute) => (attribute.hidden ? `${attribute.name} ${attribute.hidden}` : attribute.name)).join(", ");
}

/** `replace (tainted)`, `import and update`. */
function actionText(item: DataLossItem | SecurityItem | OtherItem): string {
  return `${item.importing && item.action !== "import" ? "import and " : ""}${item.action}${item.reason ? ` (${item.reason})` : ""}`;
}

/** Per phase: why it has no plan, a partial plan's warning, the outputs that change (names only). */
function phaseNotes(phase: PhaseSummary): string[] {
  return [
    ...(phase.note ? [`${phase.stack}: ${phase.note}`] : []),
    ...(phase.partial ? [`${phase.stack}: plan is partial (changes deferred until values are known); run plan again after deploy`] : []),
    ...(phase.outputChanges.length ? [`${phase.stack} outputs: ${phase.outputChanges.join(", ")}`] : []),
  ];
}

function approvalText(item: DataLossItem): string {
  if (!item.needsApproval) return "data is lost";
  return item.approved ? "approved" : "needs --approve";
}

function dataLossLine(item: DataLossItem): string {
  const forced = item.forcedBy.length ? ` (forced by ${item.forcedBy.join(", ")})` : "";
  return `${item.stack} ${item.address}: ${actionText(item)}${forced}${item.needsApproval ? ` [${approvalText(item)}]` : `, ${approvalText(item)}`}`;
}

/** `, weakens key rotation, weakens flow logs`, as drift names them. */
function weakensText(item: SecurityItem): string {
  return item.weakens.map((control) => `, weakens ${control}`).join("");
}

function securityHeader(item: SecurityItem): string {
  const broadening = item.broadening === "yes" ? "broadening" : item.broadening === "unknown" ? "possibly broadening" : "not broadening";
  const approval = item.needsApproval ? (item.approved ? " [approved]" : " [needs --approve or --approve-broadening]") : "";
  return `${item.stack} ${item.address}: ${actionText(item)}, ${broadening}${weakensText(item)}${approval}`;
}

function otherLine(item: OtherItem): string {
  const names = attributeList(item.attributes);
  return `${item.stack} ${item.address}: ${actionText(item)}${names ? ` (${names})` : ""}`;
}

function countCells(counts: Counts): string[] {
  return COUNTED_ACTIONS.map((action) => String(counts[action]));
}

function summaryLines(review: Review): string[] {
  if (review.mode === "destroy") return [`Destroys ${review.totals.delete} resources; ${review.dataLoss.length} of them hold data or identity, which is lost.`];
  const failed = review.phases.filter((phase) => phase.failed).map((phase) => phase.stack);
  if (failed.length) return [`Incomplete: no plan for ${failed.join(", ")} (failed or skipped); fix the error and plan again.`];
  const pending = review.pendingApprovals;
  const weakening = review.security.filter((item) => item.weakens.length).length;
  const attention = weakening ? `${weakening} change${weakening === 1 ? " weakens" : "s weaken"} a control (section 2): check that it is intended. ` : "";
  if (!pending.length) return [`${attention}Nothing needs approval.`];
  return [`${attention}Needs approval (${pending.length}):`, ...pending.map((p) => `${p.stack}:${p.address} (${p.reason})`)];
}

export function renderText(review: Review): string {
  const out: string[] = [];
  const header = ["phase", "stack", ...COUNTED_ACTIONS];
  const rows = [
    ...review.phases.map((phase) => [phase.phase, phase.stack, ...(phase.planned ? countCells(phase.counts) : COUNTED_ACTIONS.map(() => "-"))]),
    ["total", "", ...countCells(review.totals)],
  ];
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column].length)));
  for (const row of [header, ...rows]) out.push(row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join("  ").trimEnd());
  out.push(...review.phases.flatMap(phaseNotes).map((line) => `  ${line}`));
  out.push("", dataLossTitle(review));
  out.push(...(review.dataLoss.length ? review.dataLoss.map((item) => `  ${dataLossLine(item)}`) : ["  none"]));
  out.push("", SECURITY_TITLE);
  if (!review.security.length) out.push("  none");
  for (const item of review.security) {
    out.push(`  ${securityHeader(item)}`);
    out.push(...item.lines.map((line) => `      ${line.sign} ${line.text}`));
  }
  out.push("", OTHER_TITLE);
  out.push(...(review.other.length ? review.other.map((item) => `  ${otherLine(item)}`) : ["  none"]));
  if (review.cost) out.push("", COST_TITLE, ...costLines(review.cost).map((line) => `  ${line}`));
  const [summary, ...pending] = summaryLines(review);
  out.push("", summary, ...pending.map((line) => `  ${line}`));
  return `${out.join("\n")}\n`;
}

/** Escapes what would break a table cell or inline code. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/`/g, "'");
}

export function renderMarkdown(review: Review): string {
  const out: string[] = ["### Plan review", ""];
  out.push(`| phase | stack | ${COUNTED_ACTIONS.join(" | ")} |`, `|---|---|${COUNTED_ACTIONS.map(() => "--:").join("|")}|`);
  for (const phase of review.phases) {
    const cells = phase.planned ? countCells(phase.counts) : COUNTED_ACTIONS.map(() => "–");
    out.push(`| ${phase.phase} | \`${phase.stack}\` | ${cells.join(" | ")} |`);
  }
  out.push(`| **total** | | ${countCells(review.totals).join(" | ")} |`);
  for (const line of review.phases.flatMap(phaseNotes)) out.push("", `_${cell(line)}_`);
  out.push("", `#### ${dataLossTitle(review)}`, "");
  if (!review.dataLoss.length) out.push("None.");
  else {
    out.push(`| stack | address | action | forced by | ${review.mode === "destroy" ? "data" : "approval"} |`, "|---|---|---|---|---|");
    for (const item of review.dataLoss) {
      out.push(`| \`${item.stack}\` | \`${item.address}\` | ${cell(actionText(item))} | ${cell(item.forcedBy.join(", ")) || "–"} | ${item.needsApproval && !item.approved ? "**needs `--approve`**" : approvalText(item)} |`);
    }
  }
  out.push("", `#### ${SECURITY_TITLE}`, "");
  if (!review.security.length) out.push("None.");
  else {
    out.push("| stack | address | action | change | broadening |", "|---|---|---|---|---|");
    for (const item of review.security) {
      const lines = item.lines.map((line) => `\`${line.sign}\` ${cell(line.text)}`).join("<br>") || "–";
      const approval = item.needsApproval ? (item.approved ? " (approved)" : " **needs approval**") : "";
      out.push(`| \`${item.stack}\` | \`${item.address}\` | ${cell(actionText(item))} | ${lines} | ${item.broadening}${cell(weakensText(item))}${approval} |`);
    }
  }
  out.push("", `#### ${OTHER_TITLE}`, "");
  if (!review.other.length) out.push("None.");
  else {
    out.push("<details><summary>" + `${review.other.length} resource${review.other.length === 1 ? "" : "s"}` + "</summary>", "");
    out.push(...review.other.map((item) => `- \`${item.address}\` (\`${item.stack}\`): ${cell(actionText(item))}${item.attributes.length ? `: ${cell(attributeList(item.attributes))}` : ""}`));
    out.push("", "</details>");
  }
  if (review.cost) {
    out.push("", `#### ${COST_TITLE}`, "", "| stack | address | action | before | after | change |", "|---|---|---|--:|--:|--:|");
    for (const r of review.cost.resources) out.push(`| \`${r.stack}\` | \`${r.address}\` | ${r.action} | ${money(r.monthlyBefore)} | ${money(r.monthlyAfter)} | ${signed(r.monthlyDelta)} |`);
    out.push(`| **total** | | | ${money(review.cost.monthlyBefore)} | ${money(review.cost.monthlyAfter)} | **${signed(review.cost.monthlyDelta)}** |`);
  }
  const [summary, ...pending] = summaryLines(review);
  out.push("", `**${summary}**`, ...(pending.length ? ["", ...pending.map((line) => `- \`${line}\``)] : []));
  return `${out.join("\n")}\n`;
}

export function renderReview(review: Review, format: ReviewFormat): string {
  return renderReport(review, format, { text: renderText, markdown: renderMarkdown });
}
