import { mkdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { EnvironmentConfig, EnvironmentName, OperatorSettings } from "../config";
import { bootstrapStackName, Phase, PHASES, phaseStateLocation, stackName } from "../stacks/names";

/**
 * Builds the app for one environment into `outdir` (cdktf's layout: `manifest.json`, `stacks/<stack>/cdk.tf.json`);
 * `synthesizeInProcess` (`synth.ts`) in the CLI.
 */
export type Synthesizer = (config: EnvironmentConfig, outdir: string) => void;

export const BOOTSTRAP_STACK = bootstrapStackName("single");

export interface SynthesizedStack {
  readonly name: string;
  /** Absolute folder holding `cdk.tf.json`, where terraform runs. */
  readonly folder: string;
  /** Stacks it reads (from the app's `addDependency`, via cdktf's manifest). */
  readonly dependencies: readonly string[];
  /**
   * The folder holds the phase's backend alone (`writeStateReaders`): of an `--override` file only its `terraform`
   * block applies there (a provider or resource override has nothing to merge into). @default false
   */
  readonly stateOnly?: boolean;
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

/**
 * Stack folders for the commands that only read state (`status`, `outputs`): each phase's `cdk.tf.json` holds its
 * S3 backend and nothing else, which is all `terraform init`, `state pull` and `output` need, so these commands
 * neither synthesize the app nor load cdktf. `app.test.ts` checks each backend equals the synthesized stack's.
 */
export function writeStateReaders(environment: EnvironmentName, operator: OperatorSettings, outdir: string): SynthesizedEnvironment {
  const stacks = new Map(
    PHASES.map((phase) => {
      const name = stackName(phase, environment);
      const folder = join(outdir, "stacks", name);
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, "cdk.tf.json"), `${JSON.stringify({ terraform: { backend: { s3: stateBackend(operator, phase, environment) } } }, null, 2)}\n`);
      return [name, { name, folder, dependencies: [], stateOnly: true }];
    }),
  );
  return { environment, stacks };
}

/** A phase's S3 backend block as Terraform JSON writes it (the stacks lock their state with a lock file). */
function stateBackend(operator: OperatorSettings, phase: Phase, environment: EnvironmentName): Record<string, unknown> {
  const { bucket, key, region, workspaceKeyPrefix, assumeRole } = phaseStateLocation(operator, phase, environment);
  const role = assumeRole && { assume_role: { role_arn: assumeRole.roleArn, session_name: assumeRole.sessionName, ...(assumeRole.externalId && { external_id: assumeRole.externalId }) } };
  return { bucket, key, region, use_lockfile: true, workspace_key_prefix: workspaceKeyPrefix, ...role };
}
