import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { TerraformFailure } from "./session";

/**
 * The last apply of each phase, as `deploy` and `destroy` ran it on this machine: `<stack>.last-apply.json` in
 * the log folder, beside the log a failed apply leaves. `status` reads it to show a phase whose last apply
 * failed, with the first error and the log; the next apply of the phase, failed or not, replaces it. Applies run
 * elsewhere (CI, another operator's machine) leave no record here.
 */

export interface ApplyRecord {
  readonly phase: string;
  readonly stack: string;
  /** `apply` (deploy) or `destroy`. */
  readonly action: string;
  /** ISO times. */
  readonly started: string;
  readonly finished: string;
  readonly outcome: "succeeded" | "failed";
  /** A failed apply's first Terraform error line. */
  readonly error?: string;
  /** The file holding a failed apply's full output. */
  readonly log?: string;
}

export function applyRecordFile(logDir: string, stack: string): string {
  return join(logDir, `${stack}.last-apply.json`);
}

/** The stack's last recorded apply; undefined when none was recorded here, or the record is unreadable. */
export function readApplyRecord(logDir: string, stack: string): ApplyRecord | undefined {
  const file = applyRecordFile(logDir, stack);
  if (!existsSync(file)) return undefined;
  try {
    const record = JSON.parse(readFileSync(file, "utf8")) as ApplyRecord;
    return record.outcome === "succeeded" || record.outcome === "failed" ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Runs one apply of a phase and records how it ended; a failure is recorded, then thrown on. */
export async function recordApply<T>(logDir: string, what: Pick<ApplyRecord, "phase" | "stack" | "action">, apply: () => Promise<T>): Promise<T> {
  const started = new Date().toISOString();
  const write = (record: Pick<ApplyRecord, "outcome" | "error" | "log">) => {
    mkdirSync(logDir, { recursive: true, mode: 0o700 });
    writeFileSync(applyRecordFile(logDir, what.stack), `${JSON.stringify({ ...what, started, finished: new Date().toISOString(), ...record }, null, 2)}\n`, { mode: 0o600 });
  };
  try {
    const result = await apply();
    write({ outcome: "succeeded" });
    return result;
  } catch (error) {
    write(error instanceof TerraformFailure ? { outcome: "failed", error: error.firstError, log: error.log } : { outcome: "failed", error: (error as Error).message });
    throw error;
  }
}
