/**
 * "Error acquiring the state lock": who holds the lock, from the `Lock Info:` block Terraform prints (its
 * LockInfo: ID, Path, Operation, Who, Version, Created), as one line that says what to do.
 */

export interface LockInfo {
  readonly id?: string;
  readonly path?: string;
  /** Terraform's operation type, e.g. `OperationTypeApply`. */
  readonly operation?: string;
  readonly who?: string;
  readonly version?: string;
  /** Go's time format, e.g. `2026-11-30 08:12:03.123456789 +0000 UTC`. */
  readonly created?: string;
}

const LOCK_ERROR = /Error acquiring the state lock/;
const FIELDS: Readonly<Record<string, keyof LockInfo>> = { ID: "id", Path: "path", Operation: "operation", Who: "who", Version: "version", Created: "created" };

/** The lock info of Terraform's error output; undefined when the output is not a lock error. */
export function parseLockError(output: string): LockInfo | undefined {
  if (!LOCK_ERROR.test(output)) return undefined;
  const info: Record<string, string> = {};
  for (const line of output.split("\n")) {
    const match = /^[\s│]*(ID|Path|Operation|Who|Version|Created):\s+(.*?)\s*$/.exec(line);
    if (match && match[2]) info[FIELDS[match[1]]] = match[2];
  }
  return info;
}

/** `OperationTypeApply` → `apply`; `OperationTypeInvalid` is what state commands (import, state rm, ...) record. */
function operationText(operation: string): string {
  const name = operation.replace(/^OperationType/, "").toLowerCase();
  return name === "invalid" ? "a state command" : `terraform ${name}`;
}

/** Go's `2026-11-30 08:12:03.123456789 +0000 UTC` → the instant, when it parses. */
function createdAt(created: string): Date | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.\d+)? ([+-]\d{2})(\d{2})/.exec(created);
  if (!match) return undefined;
  const date = new Date(`${match[1]}T${match[2]}${match[3]}:${match[4]}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function since(created: string, now: Date): string {
  const at = createdAt(created);
  if (!at) return `since ${created}`;
  const minutes = Math.max(0, Math.round((now.getTime() - at.getTime()) / 60000));
  const age = minutes < 120 ? `${minutes} min ago` : `${Math.round(minutes / 60)} h ago`;
  return `since ${at.toISOString().replace(/\.\d{3}Z$/, "Z")} (${age})`;
}

/** The one line for a held lock: who, what, since when, the ID, and what to do. */
export function lockMessage(info: LockInfo, folder: string, workspace: string | undefined, now: Date = new Date()): string {
  const holder = [
    `the state is locked by ${info.who ?? "an unknown holder"}`,
    info.operation ? ` (${operationText(info.operation)}${info.version ? `, Terraform ${info.version}` : ""})` : "",
    info.created ? ` ${since(info.created, now)}` : "",
    info.path ? `, state ${info.path}` : "",
    info.id ? `, lock ID ${info.id}` : "",
  ].join("");
  const unlock = info.id
    ? `only when that holder is gone (its terraform no longer runs), run \`${workspace ? `TF_WORKSPACE=${workspace} ` : ""}terraform force-unlock ${info.id}\` in ${folder}`
    : "only when that holder is gone, run `terraform force-unlock <lock ID>` there";
  return `${holder}: wait for it to finish and run again; ${unlock}`;
}
