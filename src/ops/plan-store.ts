import { createHash } from "crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { parsePlanJson, PlanJson } from "./review/plan-json";

/**
 * The plan folder of one environment: per stack the saved plan (`<stack>.tfplan`), its `show -json`
 * (`<stack>.json`), the fingerprint of what it was planned from (`<stack>.fingerprint.json`), or a note saying
 * why the phase was not planned (`<stack>.note`). Saved plans hold sensitive values in clear: the folder is
 * private to its owner (0700, files 0600) and git-ignored.
 */

/** What a plan was made from; any difference at deploy time makes it stale. */
export interface Fingerprint {
  /** sha256 of the stack's synthesized `cdk.tf.json`. */
  readonly configuration: string;
  /** The environment, and so the workspace (the tool keeps them equal). */
  readonly environment: string;
  /** sha256 of the outputs of the stacks it reads, as they were when it was planned. */
  readonly dependencies: string;
}

/** Why a phase has no plan; `failed` when its plan failed or was skipped (the review then exits 1). */
export interface PlanNote {
  readonly text: string;
  readonly failed: boolean;
}

export interface SavedPlan {
  readonly plan: PlanJson;
  readonly fingerprint?: Fingerprint;
}

/** Parses a file the store wrote; a damaged one fails with a fixed line (its content is never quoted). */
function parseJson<T>(text: string, file: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${file} is damaged (not JSON): run the plan again`);
  }
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

export function fingerprintOf(stackFolder: string, environment: string, dependencyOutputs: Record<string, unknown>): Fingerprint {
  return {
    configuration: sha256(readFileSync(join(stackFolder, "cdk.tf.json"), "utf8")),
    environment,
    dependencies: sha256(canonicalJson(dependencyOutputs)),
  };
}

/** Why a saved plan no longer matches what would be planned now, or undefined when it still does. */
export function staleReason(saved: Fingerprint | undefined, current: Fingerprint): string | undefined {
  if (!saved) return "it has no fingerprint";
  if (saved.environment !== current.environment) return `it was planned for ${saved.environment}`;
  if (saved.configuration !== current.configuration) return "the synthesized configuration changed since it was planned";
  if (saved.dependencies !== current.dependencies) return "the outputs of the phases it reads changed since it was planned";
  return undefined;
}

export class PlanStore {
  constructor(readonly dir: string) {}

  private path(stack: string, suffix: string): string {
    return join(this.dir, `${stack}${suffix}`);
  }

  planFile(stack: string): string {
    return this.path(stack, ".tfplan");
  }

  /** Creates the folder, private to its owner. */
  ensureDir(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
  }

  /** Removes whatever is saved for the stack. */
  clear(stack: string): void {
    for (const suffix of [".tfplan", ".json", ".fingerprint.json", ".note"]) rmSync(this.path(stack, suffix), { force: true });
  }

  /** Records the saved plan's JSON and, for a plan `deploy` checks, its fingerprint (terraform wrote the plan file). */
  save(stack: string, showJson: string, fingerprint?: Fingerprint): PlanJson {
    this.ensureDir();
    const plan = parsePlanJson(showJson, `terraform show -json of ${stack}`);
    chmodSync(this.planFile(stack), 0o600);
    writeFileSync(this.path(stack, ".json"), showJson, { mode: 0o600 });
    if (fingerprint) writeFileSync(this.path(stack, ".fingerprint.json"), `${JSON.stringify(fingerprint, null, 2)}\n`, { mode: 0o600 });
    return plan;
  }

  /** Records why a phase was not planned. */
  saveNote(stack: string, note: PlanNote): void {
    this.ensureDir();
    this.clear(stack);
    writeFileSync(this.path(stack, ".note"), `${JSON.stringify(note)}\n`, { mode: 0o600 });
  }

  read(stack: string): SavedPlan | undefined {
    const json = this.path(stack, ".json");
    if (!existsSync(json) || !existsSync(this.planFile(stack))) return undefined;
    const fingerprintFile = this.path(stack, ".fingerprint.json");
    return {
      plan: parsePlanJson(readFileSync(json, "utf8"), json),
      fingerprint: existsSync(fingerprintFile) ? parseJson<Fingerprint>(readFileSync(fingerprintFile, "utf8"), fingerprintFile) : undefined,
    };
  }

  note(stack: string): PlanNote | undefined {
    const file = this.path(stack, ".note");
    return existsSync(file) ? parseJson<PlanNote>(readFileSync(file, "utf8"), file) : undefined;
  }
}
