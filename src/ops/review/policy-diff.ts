import { isSensitiveAt, isUnknownAt, PathStep, SENSITIVE, UNKNOWN, ValueMarks, valueAt } from "./values";

/**
 * IAM policy documents inside a plan (`policy`, `assume_role_policy`, `inline_policy[*].policy` are JSON
 * strings) parsed into canonical statements, diffed, and judged by what they grant: a change broadens when
 * the new document allows something no old Allow already allowed, or stops denying something an old Deny
 * denied. Grants are compared by containment, not by text: IAM wildcards (`s3:*` holds `s3:GetObject`,
 * `Resource "*"` holds any ARN), action names case-insensitively, and a condition only ever narrows what its
 * statement applies to (an added condition on an Allow narrows; removing one broadens).
 *
 * `NotAction`, `NotResource` and `NotPrincipal` mean "everything except the list", so each list is compared as
 * a whole set, never item by item. On an Allow, removing an item from the list grants the item (broadens) and
 * adding one narrows. On a Deny, adding an item exempts it from the deny (less is denied: broadens) and removing
 * one narrows. `NotPrincipal` follows the same rule: on an Allow (which AWS discourages) it grants everyone but
 * the list, so removing a principal from it broadens; on a Deny (the usual "deny all but these" form) adding a
 * principal exempts it, which broadens.
 */

/** One of a statement's three dimensions: the listed items, or everything except them (`Not*`). */
interface Dimension {
  readonly except: boolean;
  readonly items: readonly string[];
}

export interface CanonicalStatement {
  readonly effect: string;
  /** `NotAction` / `NotResource` / `NotPrincipal` are kept as `not ` + the list (for display). */
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly principals: readonly string[];
  readonly condition: string;
  readonly grant: Grant;
}

/** What a statement applies to, for containment. */
interface Grant {
  readonly action: Dimension;
  readonly resource: Dimension;
  readonly principal: Dimension;
  /** `operator\u0000key` → canonical JSON of the values. */
  readonly condition: ReadonlyMap<string, string>;
}

/** A document as the plan shows it: known statements, or why they cannot be read. */
export type PolicyDocument =
  | { readonly state: "absent" }
  | { readonly state: "sensitive" | "unknown" }
  | { readonly state: "known"; readonly statements: readonly CanonicalStatement[] };

export type Broadening = "yes" | "no" | "unknown";

export interface PolicyDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly broadening: Broadening;
  /** Set when one side could not be read. */
  readonly unreadable?: typeof SENSITIVE | typeof UNKNOWN;
}

const asList = (value: unknown): string[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);

function principals(value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value === "string") return [value];
  return Object.entries(value as Record<string, unknown>).flatMap(([kind, ids]) => asList(ids).map((id) => `${kind}:${id}`));
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]));
}

function conditionEntries(condition: unknown): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [operator, keys] of Object.entries((condition ?? {}) as Record<string, unknown>)) {
    for (const [key, values] of Object.entries((keys ?? {}) as Record<string, unknown>)) {
      entries.set(`${operator}\u0000${key.toLowerCase()}`, JSON.stringify(sortedKeys(asList(values).sort())));
    }
  }
  return entries;
}

function dimension(items: string[], notItems: string[], lowerCase = false): Dimension {
  const normal = (list: string[]) => [...new Set(list.map((item) => (lowerCase ? item.toLowerCase() : item)))].sort();
  return notItems.length ? { except: true, items: normal(notItems) } : { except: false, items: normal(items) };
}

function canonical(statement: Record<string, unknown>): CanonicalStatement {
  const actions = asList(statement.Action);
  const notActions = asList(statement.NotAction);
  const resources = asList(statement.Resource);
  const notResources = asList(statement.NotResource);
  const principalList = principals(statement.Principal);
  const notPrincipals = principals(statement.NotPrincipal);
  const shown = (list: string[], not: string[]) => [...list, ...not.map((item) => `not ${item}`)].sort();
  return {
    effect: String(statement.Effect ?? "Allow"),
    actions: shown(actions, notActions),
    resources: shown(resources, notResources),
    principals: shown(principalList, notPrincipals),
    condition: statement.Condition === undefined ? "" : JSON.stringify(sortedKeys(statement.Condition)),
    grant: {
      action: dimension(actions, notActions, true),
      resource: dimension(resources, notResources),
      principal: dimension(principalList, notPrincipals),
      condition: conditionEntries(statement.Condition),
    },
  };
}

/** Parses a policy JSON string into canonical statements; an unparsable string counts as unknown. */
export function parsePolicy(text: string): PolicyDocument {
  try {
    const document = JSON.parse(text) as { Statement?: unknown };
    const statements = Array.isArray(document.Statement) ? document.Statement : document.Statement ? [document.Statement] : [];
    return { state: "known", statements: statements.map((s) => canonical(s as Record<string, unknown>)) };
  } catch {
    return { state: "unknown" };
  }
}

/** The document at `path` of one side of a change. */
export function policyAt(root: unknown, marks: ValueMarks, path: readonly PathStep[]): PolicyDocument {
  if (isSensitiveAt(marks, path)) return { state: "sensitive" };
  if (isUnknownAt(marks, path)) return { state: "unknown" };
  const value = valueAt(root, path);
  if (typeof value !== "string" || value.trim() === "") return { state: "absent" };
  return parsePolicy(value);
}

/** One statement as a line: `Allow s3:GetObject on arn:... for Service:ecs-tasks.amazonaws.com when {...}`. */
export function describeStatement(statement: CanonicalStatement): string {
  const parts = [statement.effect, statement.actions.join(", ") || "(no action)"];
  if (statement.resources.length) parts.push("on", statement.resources.join(", "));
  if (statement.principals.length) parts.push("for", statement.principals.join(", "));
  if (statement.condition) parts.push("when", statement.condition);
  return parts.join(" ");
}

const patterns = new Map<string, RegExp>();

/** True when the IAM pattern (`*`, `?`) matches `value` (itself possibly a pattern: `s3:*` matches `s3:Get*`). */
function matches(pattern: string, value: string): boolean {
  if (pattern === "*") return true;
  let regex = patterns.get(pattern);
  if (!regex) {
    regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "s");
    patterns.set(pattern, regex);
  }
  return regex.test(value);
}

const overlaps = (a: string, b: string): boolean => matches(a, b) || matches(b, a);

/** True when everything `inner` names is also named by `outer`. */
function dimensionCovers(outer: Dimension, inner: Dimension): boolean {
  if (!outer.except && !inner.except) {
    if (!outer.items.length) return !inner.items.length;
    return inner.items.every((item) => outer.items.some((pattern) => matches(pattern, item)));
  }
  if (!outer.except) return outer.items.includes("*");
  if (!inner.except) return inner.items.length > 0 && inner.items.every((item) => !outer.items.some((excluded) => overlaps(excluded, item)));
  return outer.items.every((excluded) => inner.items.some((pattern) => matches(pattern, excluded)));
}

/** True when `outer` applies to everything `inner` applies to: its conditions are a subset of inner's. */
function grantCovers(outer: Grant, inner: Grant): boolean {
  for (const [key, values] of outer.condition) if (inner.condition.get(key) !== values) return false;
  return dimensionCovers(outer.action, inner.action) && dimensionCovers(outer.resource, inner.resource) && dimensionCovers(outer.principal, inner.principal);
}

/** A statement split into one grant per listed item (a `Not*` list stays whole: it is one set). */
function split(statement: CanonicalStatement): Grant[] {
  const each = (d: Dimension): Dimension[] => (d.except || d.items.length <= 1 ? [d] : d.items.map((item) => ({ except: false, items: [item] })));
  const { grant } = statement;
  return each(grant.action).flatMap((action) =>
    each(grant.resource).flatMap((resource) => each(grant.principal).map((principal) => ({ action, resource, principal, condition: grant.condition }))),
  );
}

const statementsOf = (document: PolicyDocument): readonly CanonicalStatement[] => (document.state === "known" ? document.statements : []);

function grantsOf(document: PolicyDocument, effect: string): Grant[] {
  return statementsOf(document)
    .filter((statement) => statement.effect === effect)
    .flatMap(split);
}

/** Statements added and removed between two documents, and whether the change broadens access. */
export function diffPolicies(before: PolicyDocument, after: PolicyDocument): PolicyDiff {
  for (const side of [before, after]) {
    if (side.state === "sensitive") return { added: [], removed: [], broadening: "unknown", unreadable: SENSITIVE };
  }
  if (after.state === "unknown" || before.state === "unknown") return { added: [], removed: [], broadening: "unknown", unreadable: UNKNOWN };
  const beforeLines = statementsOf(before).map(describeStatement);
  const afterLines = statementsOf(after).map(describeStatement);
  const [allowedBefore, deniedAfter] = [grantsOf(before, "Allow"), grantsOf(after, "Deny")];
  const newlyAllowed = grantsOf(after, "Allow").some((grant) => !allowedBefore.some((old) => grantCovers(old, grant)));
  const noLongerDenied = grantsOf(before, "Deny").some((grant) => !deniedAfter.some((next) => grantCovers(next, grant)));
  return {
    added: afterLines.filter((line) => !beforeLines.includes(line)),
    removed: beforeLines.filter((line) => !afterLines.includes(line)),
    broadening: newlyAllowed || noLongerDenied ? "yes" : "no",
  };
}
