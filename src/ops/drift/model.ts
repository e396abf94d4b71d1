import { hasPolicyDocument, SecurityLine, securityFinding } from "../review/security";
import { ChangedAttribute, changedAttributes, reviewAction } from "../review/model";
import { PlanChange, PlanJson, PlanResourceChange, StateResource } from "../review/plan-json";
import { Broadening } from "../review/policy-diff";
import { removedControls, weakenedControls } from "../review/weakening";
import { ReportAccount } from "../report-account";
import { isSecuritySensitive } from "../resource-types";
import { unmanagedRules } from "./rules";

/**
 * Drift as data: pure functions from the plan JSON of a NORMAL plan per phase (`plan -out` + `show -json`)
 * to a model that holds names and already-redacted text only, so every renderer is safe to print.
 *
 * A normal plan carries both halves of the question: `resource_drift` says what moved since Terraform last
 * wrote the state (including what a sibling resource or AWS itself wrote), `resource_changes` says what
 * applying the configuration would change back. Drift is what is in both:
 * - a managed resource deleted outside Terraform (`resource_drift` delete);
 * - an argument whose real value moved AND that the plan would change back to a known value (so the
 *   configuration sets it; a replacement's recomputed attributes are unknown, not changed back);
 *   security facts (policy statements, rules, public access) of such a change are listed with its values, and a
 *   control the value in AWS lacks and the configuration's has (rotation, encryption, logging...) is named;
 * - a rule on a managed security group that no rule resource and no inline block manages (no plan removes
 *   it; it is reported because it opens a group outside review).
 * What only moved (a queue's `policy` written by its `aws_sqs_queue_policy`, a route table's `route` written by
 * `aws_route`, a user pool's `domain`) or only would change (a configuration edit not deployed yet) is not drift;
 * the second is counted as a pending change.
 */

export type DriftKind = "deleted" | "changed" | "unmanaged";

export interface DriftItem {
  readonly phase: string;
  readonly stack: string;
  readonly address: string;
  readonly type: string;
  readonly kind: DriftKind;
  /** Arguments whose real value differs from the configuration's (names; values never). */
  readonly attributes: readonly ChangedAttribute[];
  /** What changed outside Terraform in security terms (values only through `showValue`). */
  readonly security: readonly SecurityLine[];
  /** Whether that change grants more than Terraform wrote; absent when it is not security-relevant. */
  readonly broadening?: Broadening;
  /** Controls the change took away (`key rotation`, `WAF association`): what AWS has is weaker than the configuration. */
  readonly weakens: readonly string[];
  /** The plan replaces the resource to revert it (an attribute that cannot change in place moved). */
  readonly replaces: boolean;
  /** The command that puts the configuration's values back. */
  readonly revert: string;
  /** What to do to keep the real value instead. */
  readonly accept: string;
}

/** One phase's plan, or why it has none (not deployed, failed, skipped). */
export interface DriftStackPlan {
  readonly phase: string;
  readonly stack: string;
  readonly plan?: PlanJson;
  readonly note?: string;
  /** No plan because the plan failed or was skipped: what it manages is unknown. */
  readonly failed?: boolean;
}

export interface DriftPhase {
  readonly phase: string;
  readonly stack: string;
  readonly checked: boolean;
  /** Not checked because its plan failed or was skipped. */
  readonly failed: boolean;
  readonly note?: string;
  readonly drifted: number;
  /** Addresses the plan would change for a configuration change not deployed yet (not drift). */
  readonly pending: readonly string[];
}

export interface DriftReport {
  readonly environment: string;
  /** The account the plans asked AWS in, for the header. @default - no account configured */
  readonly account?: ReportAccount;
  readonly phases: readonly DriftPhase[];
  readonly items: readonly DriftItem[];
  /**
   * Rules that no resource manages are looked for in the groups of the phases checked, once every phase's rule
   * resources are known: a phase may add rules to another phase's group (services to the Redis and load balancer
   * groups). False when a plan failed or the state of a phase outside `--phase` could not be read.
   */
  readonly unmanagedRulesChecked: boolean;
}

/** A phase outside `--phase`: its resources from its state (rule resources among them), or that they are unknown. */
export interface DriftOtherPhase {
  readonly stack: string;
  readonly resources?: readonly StateResource[];
  readonly failed?: boolean;
}

export interface DriftOptions {
  readonly environment: string;
  /** The account the environment lives in and the role AWS was asked as. @default - no account configured */
  readonly account?: ReportAccount;
  /** The phases not planned in this run (`--phase`). @default - none: every phase is planned */
  readonly otherPhases?: readonly DriftOtherPhase[];
}

const managed = (resource: PlanResourceChange): boolean => resource.mode === "managed" && !resource.deposed;
const names = (change: PlanChange): string[] => changedAttributes(change).map((attribute) => attribute.name);
const objectOf = (value: unknown): Record<string, unknown> => (value && typeof value === "object" ? (value as Record<string, unknown>) : {});

/** `sentry-ops plan <env> --phase P`, review, deploy: the configuration's values go back. */
function revertCommand(environment: string, phase: string): string {
  return `sentry-ops plan ${environment} --phase ${phase} && sentry-ops review ${environment} && sentry-ops deploy ${environment} --phase ${phase}`;
}

/**
 * The drift change with the attributes the plan would not change back set equal on both sides: what a sibling
 * resource or AWS wrote drops out, the context (ports of a rule, the other statements of a policy) stays.
 */
function scoped(change: PlanChange, ignored: readonly string[]): PlanChange {
  const before = { ...objectOf(change.before) };
  const beforeSensitive = { ...objectOf(change.before_sensitive) };
  const after = objectOf(change.after);
  const afterSensitive = objectOf(change.after_sensitive);
  for (const name of ignored) {
    before[name] = after[name];
    beforeSensitive[name] = afterSensitive[name];
  }
  return { ...change, before, before_sensitive: beforeSensitive };
}

function securityOf(type: string, change: PlanChange): Pick<DriftItem, "security" | "broadening"> {
  if (!isSecuritySensitive(type) && !hasPolicyDocument(change)) return { security: [] };
  const finding = securityFinding(type, change, names);
  return finding.lines.length ? { security: finding.lines, broadening: finding.broadening } : { security: [] };
}

function stackItems(entry: DriftStackPlan, plan: PlanJson, environment: string): { items: DriftItem[]; pending: string[] } {
  const changes = new Map((plan.resource_changes ?? []).filter(managed).map((resource) => [resource.address, resource]));
  const revert = revertCommand(environment, entry.phase);
  const items: DriftItem[] = [];
  const explained = new Set<string>();
  for (const drift of (plan.resource_drift ?? []).filter(managed)) {
    const base = { phase: entry.phase, stack: entry.stack, address: drift.address, type: drift.type, revert };
    if (reviewAction(drift.change.actions) === "delete") {
      explained.add(drift.address);
      items.push({
        ...base,
        kind: "deleted",
        attributes: [],
        ...securityOf(drift.type, drift.change),
        weakens: removedControls(drift.type),
        replaces: false,
        accept: `remove ${drift.address} from the configuration`,
      });
      continue;
    }
    const change = changes.get(drift.address);
    const action = change ? reviewAction(change.change.actions) : undefined;
    // a plan that deletes the resource (gone from the configuration) reverts nothing: a pending change
    if (!change || (action !== "update" && action !== "replace")) continue;
    const moved = names(drift.change);
    // a value known only after apply is no revert: what a replacement recomputes (its `policy`, `arn`) is not the configuration's
    const wholeUnknown = objectOf(change.change.after_unknown);
    const reverted = changedAttributes(change.change).filter((attribute) => moved.includes(attribute.name) && wholeUnknown[attribute.name] !== true);
    if (!reverted.length) continue;
    explained.add(drift.address);
    const ignored = moved.filter((name) => !reverted.some((attribute) => attribute.name === name));
    items.push({
      ...base,
      kind: "changed",
      attributes: reverted,
      ...securityOf(drift.type, scoped(drift.change, ignored)),
      weakens: weakenedControls(drift.type, change.change.after, drift.change.after, reverted.map((attribute) => attribute.name)),
      replaces: action === "replace",
      accept: `set ${reverted.map((attribute) => attribute.name).join(", ")} of ${drift.address} in the configuration to the value now in AWS`,
    });
  }
  const pending = [...changes.values()].filter((resource) => reviewAction(resource.change.actions) && !explained.has(resource.address)).map((resource) => resource.address);
  return { items, pending };
}

/** The drift of every phase of one environment. */
export function buildDriftReport(stacks: readonly DriftStackPlan[], options: DriftOptions): DriftReport {
  const items: DriftItem[] = [];
  const pending = new Map<string, string[]>();
  for (const entry of stacks) {
    if (!entry.plan) continue;
    const found = stackItems(entry, entry.plan, options.environment);
    items.push(...found.items);
    pending.set(entry.stack, found.pending);
  }
  const others = options.otherPhases ?? [];
  const unmanagedRulesChecked = stacks.every((entry) => !entry.failed) && others.every((other) => !other.failed);
  if (unmanagedRulesChecked) {
    for (const found of unmanagedRules(stacks, others.flatMap((other) => other.resources ?? []))) {
      const entry = stacks.find((stack) => stack.stack === found.stack) as DriftStackPlan;
      items.push({
        phase: entry.phase,
        stack: entry.stack,
        address: found.address,
        type: found.type,
        kind: "unmanaged",
        attributes: [],
        security: found.rules.map((rule) => ({ sign: "+", text: rule })),
        broadening: "yes",
        weakens: [],
        replaces: false,
        revert: "remove the rule in AWS (no plan removes a rule that no resource manages)",
        accept: `add a rule resource (aws_vpc_security_group_ingress_rule / egress_rule) for it to the configuration of ${entry.stack}`,
      });
    }
  }
  const phases = stacks.map((entry): DriftPhase => ({
    phase: entry.phase,
    stack: entry.stack,
    checked: entry.plan !== undefined,
    failed: entry.failed === true,
    ...(entry.note ? { note: entry.note } : {}),
    drifted: items.filter((item) => item.stack === entry.stack).length,
    pending: pending.get(entry.stack) ?? [],
  }));
  return { environment: options.environment, ...(options.account && { account: options.account }), phases, items, unmanagedRulesChecked };
}

/** 1 when a phase could not be checked (its plan failed or was skipped), else 2 on drift, 0 without. */
export function driftExitCode(report: DriftReport): 0 | 1 | 2 {
  if (report.phases.some((phase) => phase.failed)) return 1;
  return report.items.length ? 2 : 0;
}
