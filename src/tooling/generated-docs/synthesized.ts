import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ENVIRONMENT_NAMES, EnvironmentName, loadEnvironmentConfig } from "../../config";
import { phaseOf, readSynthesized } from "../../ops/stacks";
import { synthesizeInProcess } from "../../ops/synth";
import { Phase, PHASES } from "../../stacks/names";

/** The parts of a synthesized stack's `cdk.tf.json` the documentation reads. */
export interface StackJson {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  readonly data?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  readonly output?: Readonly<Record<string, { readonly description?: string; readonly sensitive?: boolean }>>;
  readonly terraform?: { readonly backend?: Readonly<Record<string, Readonly<Record<string, unknown>>>> };
}

export interface DocumentedStack {
  /** Stack name, e.g. `sentry-foundation-dev`. */
  readonly name: string;
  /** The phase it builds; absent for the account's bootstrap stack. */
  readonly phase?: Phase;
  /** Stacks it depends on (the app's `addDependency`, from the manifest). */
  readonly dependencies: readonly string[];
  readonly json: StackJson;
}

export interface DocumentedEnvironment {
  readonly environment: EnvironmentName;
  /** The bootstrap stack first, then the phases in order. */
  readonly stacks: readonly DocumentedStack[];
}

/** Synthesizes one environment in this process, with every operator setting at its default (no SENTRY_* read). */
export function synthesizeEnvironment(environment: EnvironmentName): DocumentedEnvironment {
  const outdir = mkdtempSync(join(tmpdir(), `sentry-docs-${environment}-`));
  try {
    synthesizeInProcess(loadEnvironmentConfig(environment, {}), outdir);
    const synthesized = readSynthesized(environment, outdir);
    const stacks = [...synthesized.stacks.values()].map((stack) => ({
      name: stack.name,
      phase: phaseOf(synthesized, stack.name),
      dependencies: stack.dependencies,
      json: JSON.parse(readFileSync(join(stack.folder, "cdk.tf.json"), "utf8")) as StackJson,
    }));
    const order = (stack: DocumentedStack) => (stack.phase ? PHASES.indexOf(stack.phase) + 1 : 0);
    return { environment, stacks: stacks.sort((a, b) => order(a) - order(b)) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Every environment, one synth each. */
export function synthesizeEnvironments(): DocumentedEnvironment[] {
  return ENVIRONMENT_NAMES.map(synthesizeEnvironment);
}
