import { App } from "cdktf";
import { mkdirSync, readFileSync } from "fs";
import { join } from "path";
import { buildSentryApp } from "../app";
import { EnvironmentConfig, EnvironmentName } from "../config";
import { Phase, PHASES, stackName } from "../stacks/names";

/** Builds the app for one environment into `outdir` (cdktf's layout: `manifest.json`, `stacks/<stack>/cdk.tf.json`). */
export type Synthesizer = (config: EnvironmentConfig, outdir: string) => void;

/** The app's own synth, in this process: no `cdktf synth` child, no per-resource `terraform version`. */
export const synthesizeInProcess: Synthesizer = (config, outdir) => {
  mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir, skipValidation: true });
  buildSentryApp(app, config);
  app.synth();
};

export const BOOTSTRAP_STACK = "sentry-bootstrap";

export interface SynthesizedStack {
  readonly name: string;
  /** Absolute folder holding `cdk.tf.json`, where terraform runs. */
  readonly folder: string;
  /** Stacks it reads (from the app's `addDependency`, via cdktf's manifest). */
  readonly dependencies: readonly string[];
}

export interface SynthesizedEnvironment {
  readonly environment: EnvironmentName;
  readonly stacks: ReadonlyMap<string, SynthesizedStack>;
}

interface Manifest {
  readonly stacks: Record<string, { readonly dependencies: readonly string[]; readonly workingDirectory: string }>;
}

/** The stacks `outdir` holds after a synth, with their dependencies as the app declared them. */
export function readSynthesized(environment: EnvironmentName, outdir: string): SynthesizedEnvironment {
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as Manifest;
  const stacks = new Map(
    Object.entries(manifest.stacks).map(([name, entry]) => [name, { name, folder: join(outdir, entry.workingDirectory), dependencies: [...entry.dependencies] }]),
  );
  return { environment, stacks };
}

/** The stack of a phase; throws when the synth did not produce it. */
export function phaseStack(synthesized: SynthesizedEnvironment, phase: Phase): SynthesizedStack {
  const found = synthesized.stacks.get(stackName(phase, synthesized.environment));
  if (!found) throw new Error(`the synth produced no stack ${stackName(phase, synthesized.environment)}`);
  return found;
}

/** The phase a stack name belongs to. */
export function phaseOf(synthesized: SynthesizedEnvironment, stack: string): Phase | undefined {
  return PHASES.find((phase) => stackName(phase, synthesized.environment) === stack);
}
