/**
 * The one place that turns a plan value into text. The plan marks sensitive values (`before_sensitive`,
 * `after_sensitive`) and unknown ones (`after_unknown`) in trees that mirror the value; a value is shown only
 * when nothing at, above or below its path is marked.
 */

export type PathStep = string | number;

export const SENSITIVE = "(sensitive)";
export const UNKNOWN = "(known after apply)";

/** The marks that apply to one value of a plan. */
export interface ValueMarks {
  /** Sensitivity tree of the side the value comes from (`before_sensitive` or `after_sensitive`). */
  readonly sensitive?: unknown;
  /** Unknown tree (`after_unknown`), for values of the after side. */
  readonly unknown?: unknown;
}

function step(tree: unknown, key: PathStep): unknown {
  if (tree === true) return true;
  if (!tree || typeof tree !== "object") return undefined;
  return (tree as Record<string, unknown>)[String(key)];
}

/** The marks tree below `path` (`true` when an ancestor is marked as a whole). */
export function marksAt(tree: unknown, path: readonly PathStep[]): unknown {
  return path.reduce<unknown>(step, tree);
}

/** True when the tree has `true` anywhere. */
export function anyMarked(tree: unknown): boolean {
  if (tree === true) return true;
  if (!tree || typeof tree !== "object") return false;
  return Object.values(tree).some(anyMarked);
}

/** True when the value at `path` (or part of it) is sensitive. */
export function isSensitiveAt(marks: ValueMarks, path: readonly PathStep[]): boolean {
  return anyMarked(marksAt(marks.sensitive, path));
}

/** True when the value at `path` (or part of it) is known only after apply. */
export function isUnknownAt(marks: ValueMarks, path: readonly PathStep[]): boolean {
  return anyMarked(marksAt(marks.unknown, path));
}

/** The value at `path` as text, or `(sensitive)` / `(known after apply)`; sensitivity wins. */
export function showValue(root: unknown, marks: ValueMarks, path: readonly PathStep[]): string {
  if (isSensitiveAt(marks, path)) return SENSITIVE;
  if (isUnknownAt(marks, path)) return UNKNOWN;
  const value = valueAt(root, path);
  if (value === undefined || value === null) return "null";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The raw value at `path`: only for deciding, never for printing (use `showValue`). */
export function valueAt(root: unknown, path: readonly PathStep[]): unknown {
  return path.reduce<unknown>((value, key) => (value && typeof value === "object" ? (value as Record<string, unknown>)[String(key)] : undefined), root);
}

/** `ingress[0].from_port` from a path. */
export function formatPath(path: readonly PathStep[]): string {
  return path.map((key, index) => (typeof key === "number" ? `[${key}]` : index === 0 ? key : `.${key}`)).join("");
}
