import { holdsState, isSecuritySensitive } from "../resource-types";
import { isFirstDeployment, PlanAction, PlanChange, PlanJson, PlanResourceChange } from "./plan-json";
import type { ReviewCost } from "../cost/plan-cost";
import { Broadening } from "./policy-diff";
import { hasPolicyDocument, securityFinding, SecurityLine } from "./security";
import { removedControls, weakenedControls } from "./weakening";
import { anyMarked, formatPath, marksAt, SENSITIVE, UNKNOWN } from "./values";

/**
 * The plan review as data: pure functions from plan JSON to a model that holds names and already-redacted
 * text only (no raw plan value), so every renderer, JSON included, is safe to print.
 */

/** `import`: imported with no other change; `forget`: removed from state, left in AWS (a `removed` block). */
export type ReviewAction = "create" | "update" | "replace" | "delete" | "read" | "forget" | "import";
/** Columns of the counts table; `import` counts every imported resource, whatever else changes on it. */
export const COUNTED_ACTIONS = ["create", "update", "replace", "delete", "read", "import", "forget"] as const;
export type Counts = Record<(typeof COUNTED_ACTIONS)[number], number>;

/** Terraform's `action_reason`, in words. */
const ACTION_REASONS: Readonly<Record<string, string>> = {
  replace_because_tainted: "tainted",
  replace_by_request: "requested with -replace",
  replace_because_cannot_update: "cannot be updated in place",
  replace_by_triggers: "replace_triggered_by",
  delete_because_no_resource_config: "removed from the configuration",
  delete_because_no_module: "its module was removed",
  delete_because_wrong_repetition: "count/for_each changed",
  delete_because_count_index: "count shrank",
  delete_because_each_key: "for_each key removed",
};

/**
 * `apply`: a plan to deploy; data loss and broadening need approval. `destroy`: the destroy plans `destroy`
 * confirms as a whole; the review lists what goes and which of it holds data, and asks for no approval.
 */
export type ReviewMode = "apply" | "destroy";

/** One stack's plan, or why there is none. */
export interface StackPlan {
  readonly phase: string;
  readonly stack: string;
  /** Absent when the phase was not planned (`note` says why). */
  readonly plan?: PlanJson;
  readonly note?: string;
  /** Not planned because its plan failed or was skipped: the review exits 1. */
  readonly failed?: boolean;
}

export interface PhaseSummary {
  readonly phase: string;
  readonly stack: string;
  readonly planned: boolean;
  readonly note?: string;
  readonly failed: boolean;
  /** No resource in state before the plan: broadening needs no approval (nothing existing is widened). */
  readonly firstDeployment: boolean;
  readonly counts: Counts;
  /** The plan left changes for later (`complete: false`): plan again after this deploy. */
  readonly partial: boolean;
  /** Root outputs that change, by name (`+` added, `~` changed, `-` removed); never their values. */
  readonly outputChanges: readonly string[];
}

/** An attribute name with what hides its value, if anything. */
export interface ChangedAttribute {
  readonly name: string;
  readonly hidden?: typeof SENSITIVE | typeof UNKNOWN;
}

interface ItemBase {
  readonly stack: string;
  readonly address: string;
  readonly type: string;
  readonly action: ReviewAction;
  /** Why Terraform plans this action (`action_reason`), in words, e.g. `tainted`. */
  readonly reason?: string;
  /** Imported into state by this plan (an `import` block). */
  readonly importing: boolean;
}

export interface DataLossItem extends ItemBase {
  /** Attribute paths that force a replacement (`replace_paths`), e.g. `hash_key`. */
  readonly forcedBy: readonly string[];
  /** False in a destroy review: the destroy's confirmation covers it. */
  readonly needsApproval: boolean;
  readonly approved: boolean;
}

export interface SecurityItem extends ItemBase {
  readonly lines: readonly SecurityLine[];
  readonly broadening: Broadening;
  /** Controls the change itself takes away (`key rotation`, `flow logs`): no approval, but the summary names it. */
  readonly weakens: readonly string[];
  /** Broadening (or possibly broadening) of a stack that already exists. */
  readonly needsApproval: boolean;
  readonly approved: boolean;
}

export interface OtherItem extends ItemBase {
  readonly attributes: readonly ChangedAttribute[];
}

export interface Review {
  readonly mode: ReviewMode;
  readonly phases: readonly PhaseSummary[];
  readonly totals: Counts;
  readonly dataLoss: readonly DataLossItem[];
  readonly security: readonly SecurityItem[];
  readonly other: readonly OtherItem[];
  /** Addresses still needing `--approve` (or `--approve-broadening` for broadening). */
  readonly pendingApprovals: readonly PendingApproval[];
  /** The monthly cost change of the plans (`sentry-ops review`). @default - not priced */
  readonly cost?: ReviewCost;
}

export interface PendingApproval {
  readonly stack: string;
  readonly address: string;
  readonly reason: "data loss" | "broadening";
}

export interface Approvals {
  /** Addresses approved by `--approve ADDRESS` (in any stack, or `<stack>:<address>`). */
  readonly addresses: readonly string[];
  /** `--approve-broadening`: every security broadening. */
  readonly broadening: boolean;
}

export const NO_APPROVALS: Approvals = { addresses: [], broadening: false };

export function reviewAction(actions: readonly PlanAction[]): ReviewAction | undefined {
  if (actions.includes("delete") && actions.includes("create")) return "replace";
  for (const action of ["create", "delete", "update", "read", "forget"] as const) if (actions.includes(action)) return action;
  return undefined;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const objectOf = (value: unknown): Record<string, unknown> => (value && typeof value === "object" ? (value as Record<string, unknown>) : {});

/** Top-level attributes whose value changes (or becomes unknown), with what hides their value. */
export function changedAttributes(change: PlanChange): ChangedAttribute[] {
  const before = objectOf(change.before);
  const after = objectOf(change.after);
  const unknown = objectOf(change.after_unknown);
  const names = [...new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)])].sort();
  return names
    .filter((name) => anyMarked(unknown[name]) || !same(before[name], after[name]))
    .map((name) => {
      if (anyMarked(marksAt(change.before_sensitive, [name])) || anyMarked(marksAt(change.after_sensitive, [name]))) return { name, hidden: SENSITIVE };
      if (anyMarked(unknown[name])) return { name, hidden: UNKNOWN };
      return { name };
    });
}

function isApproved(approvals: Approvals, stack: string, address: string): boolean {
  return approvals.addresses.includes(address) || approvals.addresses.includes(`${stack}:${address}`);
}

const emptyCounts = (): Counts => ({ create: 0, update: 0, replace: 0, delete: 0, read: 0, import: 0, forget: 0 });

function outputChanges(plan: PlanJson | undefined): string[] {
  return Object.entries(plan?.output_changes ?? {}).flatMap(([name, change]) => {
    const action = reviewAction(change.actions);
    if (!action) return [];
    return [`${action === "create" ? "+" : action === "delete" ? "-" : "~"}${name}`];
  });
}

/** The review of every stack's plan, with the approvals already given. */
export function buildReview(stacks: readonly StackPlan[], approvals: Approvals = NO_APPROVALS, mode: ReviewMode = "apply"): Review {
  const totals = emptyCounts();
  const dataLoss: DataLossItem[] = [];
  const security: SecurityItem[] = [];
  const other: OtherItem[] = [];
  const phases = stacks.map((entry): PhaseSummary => {
    const counts = emptyCounts();
    const firstDeployment = entry.plan ? isFirstDeployment(entry.plan) : false;
    for (const resource of entry.plan?.resource_changes ?? []) {
      const action = reviewAction(resource.change.actions) ?? (resource.change.importing ? "import" : undefined);
      if (!action) continue;
      for (const counted of new Set([action, ...(resource.change.importing ? ["import" as const] : [])])) {
        counts[counted] += 1;
        totals[counted] += 1;
      }
      classify(entry.stack, resource, action, { approvals, mode, firstDeployment }, { dataLoss, security, other });
    }
    return { phase: entry.phase, stack: entry.stack, planned: entry.plan !== undefined, note: entry.note, failed: entry.failed === true, firstDeployment, counts,
      partial: entry.plan?.complete === false,
      outputChanges: outputChanges(entry.plan),
    };
  });
  const pendingApprovals: PendingApproval[] = [
    ...dataLoss.filter((item) => item.needsApproval && !item.approved).map((item) => ({ stack: item.stack, address: item.address, reason: "data loss" as const })),
    ...security.filter((item) => item.needsApproval && !item.approved).map((item) => ({ stack: item.stack, address: item.address, reason: "broadening" as const })),
  ];
  return { mode, phases, totals, dataLoss, security, other, pendingApprovals };
}

function classify(
  stack: string,
  resource: PlanResourceChange,
  action: ReviewAction,
  { approvals, mode, firstDeployment }: { approvals: Approvals; mode: ReviewMode; firstDeployment: boolean },
  into: { dataLoss: DataLossItem[]; security: SecurityItem[]; other: OtherItem[] },
): void {
  if (resource.mode === "data") return;
  const address = resource.deposed ? `${resource.address} (deposed ${resource.deposed})` : resource.address;
  // "cannot be updated in place" says less than the attributes that force it (`replace_paths`), when present
  const forced = resource.action_reason === "replace_because_cannot_update" && (resource.change.replace_paths ?? []).length > 0;
  const reason = resource.action_reason && !forced ? (ACTION_REASONS[resource.action_reason] ?? resource.action_reason) : undefined;
  const base = { stack, address, type: resource.type, action, ...(reason ? { reason } : {}), importing: resource.change.importing !== undefined };
  const approved = isApproved(approvals, stack, resource.address);
  let listed = false;
  if ((action === "delete" || action === "replace") && holdsState(resource.type)) {
    into.dataLoss.push({ ...base, forcedBy: (resource.change.replace_paths ?? []).map(formatPath), needsApproval: mode === "apply", approved });
    listed = true;
  }
  const weakens = mode === "apply" ? weakenedBy(resource, action) : [];
  if (isSecuritySensitive(resource.type) || hasPolicyDocument(resource.change) || weakens.length) {
    const finding = securityFinding(resource.type, resource.change, changedNamesOf);
    if (finding.lines.length || action !== "update" || weakens.length) {
      const needsApproval = mode === "apply" && !firstDeployment && finding.broadening !== "no";
      const lines = finding.lines.length ? finding.lines : weakens.length ? changedNamesOf(resource.change).map((name) => ({ sign: "~" as const, text: name })) : [];
      into.security.push({ ...base, ...finding, lines, weakens, needsApproval, approved: approved || (needsApproval && approvals.broadening) });
      listed = true;
    }
  }
  if (!listed) into.other.push({ ...base, attributes: action === "update" || action === "replace" ? changedAttributes(resource.change) : [] });
}

/** The controls a planned change takes away: a switch turned off, a weaker value, a control resource deleted. */
function weakenedBy(resource: PlanResourceChange, action: ReviewAction): string[] {
  if (action === "delete") return removedControls(resource.type);
  if (action !== "update" && action !== "replace") return [];
  return weakenedControls(resource.type, resource.change.before, resource.change.after, changedNamesOf(resource.change));
}

function changedNamesOf(change: PlanChange): string[] {
  return changedAttributes(change).map((attribute) => attribute.name);
}

/** 1 when a phase's plan failed, else 2 when something needs approval, 0 when nothing does. */
export function reviewExitCode(review: Review): 0 | 1 | 2 {
  if (review.phases.some((phase) => phase.failed)) return 1;
  return review.pendingApprovals.length ? 2 : 0;
}
