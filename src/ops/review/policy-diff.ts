import { isSensitiveAt, isUnknownAt, PathStep, SENSITIVE, UNKNOWN, ValueMarks, valueAt } from "./values";

/**
 * IAM policy documents inside a plan (`policy`, `assume_role_policy`, `inline_policy[*].policy` are JSON
 * strings) parsed into canonical statements, diffed, and judged like `cdk diff` does: adding an Allow
 * (action, resource or principal) or removing a Deny broadens; a changed condition is a removed statement plus
 * an added one, so dropping a condition from an Allow broadens too.
 */

export interface CanonicalStatement {
  readonly effect: string;
  /** `NotAction` / `NotResource` / `NotPrincipal` are kept as `not ` + the list. */
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly principals: readonly string[];
  readonly condition: string;
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

function principals(statement: Record<string, unknown>, key: "Principal" | "NotPrincipal"): string[] {
  const value = statement[key];
  if (value === undefined) return [];
  if (typeof value === "string") return [value];
  return Object.entries(value as Record<string, unknown>).flatMap(([kind, ids]) => asList(ids).map((id) => `${kind}:${id}`));
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]));
}

function canonical(statement: Record<string, unknown>): CanonicalStatement {
  const list = (key: string, notKey: string): string[] => {
    const not = asList(statement[notKey]).map((item) => `not ${item}`);
    return [...asList(statement[key]), ...not].sort();
  };
  const principalList = [...principals(statement, "Principal"), ...principals(statement, "NotPrincipal").map((p) => `not ${p}`)].sort();
  return {
    effect: String(statement.Effect ?? "Allow"),
    actions: list("Action", "NotAction"),
    resources: list("Resource", "NotResource"),
    principals: principalList,
    condition: statement.Condition === undefined ? "" : JSON.stringify(sortedKeys(statement.Condition)),
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

/** Every (effect, action, resource, principal, condition) a statement grants or denies. */
function facts(statement: CanonicalStatement): string[] {
  const resources = statement.resources.length ? statement.resources : [""];
  const principalList = statement.principals.length ? statement.principals : [""];
  return statement.actions.flatMap((action) =>
    resources.flatMap((resource) => principalList.map((principal) => [statement.effect, action, resource, principal, statement.condition].join("\u0000"))),
  );
}

const statementsOf = (document: PolicyDocument): readonly CanonicalStatement[] => (document.state === "known" ? document.statements : []);

/** Statements added and removed between two documents, and whether the change broadens access. */
export function diffPolicies(before: PolicyDocument, after: PolicyDocument): PolicyDiff {
  for (const side of [before, after]) {
    if (side.state === "sensitive") return { added: [], removed: [], broadening: "unknown", unreadable: SENSITIVE };
  }
  if (after.state === "unknown" || before.state === "unknown") return { added: [], removed: [], broadening: "unknown", unreadable: UNKNOWN };
  const beforeLines = statementsOf(before).map(describeStatement);
  const afterLines = statementsOf(after).map(describeStatement);
  const beforeFacts = new Set(statementsOf(before).flatMap(facts));
  const afterFacts = new Set(statementsOf(after).flatMap(facts));
  const addedAllow = [...afterFacts].some((fact) => fact.startsWith("Allow\u0000") && !beforeFacts.has(fact));
  const removedDeny = [...beforeFacts].some((fact) => fact.startsWith("Deny\u0000") && !afterFacts.has(fact));
  return {
    added: afterLines.filter((line) => !beforeLines.includes(line)),
    removed: beforeLines.filter((line) => !afterLines.includes(line)),
    broadening: addedAllow || removedDeny ? "yes" : "no",
  };
}
