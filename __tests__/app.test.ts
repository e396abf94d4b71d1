import { TerraformStack, Testing } from "cdktf";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ENVIRONMENT_NAMES, EnvironmentName } from "../src/config";
import { writeStateReaders } from "../src/ops/stacks";
import { Phase, PHASES, stackName } from "../src/stacks/names";
import { buildTestApp, synthPhase, testConfig } from "./support/synth";

/** Which phases each phase reads through terraform_remote_state (and so must be applied after). */
const READS: Record<Phase, Phase[]> = {
  foundation: [],
  data: ["foundation"],
  compute: ["foundation"],
  services: ["foundation", "data", "compute"],
  cicd: ["foundation", "services"],
};

describe.each(ENVIRONMENT_NAMES)("%s app", (env: EnvironmentName) => {
  const app = buildTestApp(testConfig(env));
  const stack = (phase: Phase) => app.node.findChild(stackName(phase, env)) as TerraformStack;

  test("holds the bootstrap stack and one stack per phase, named sentry-<phase>-<env>", () => {
    expect(app.node.children.map((child) => child.node.id)).toEqual(["sentry-bootstrap", ...PHASES.map((phase) => `sentry-${phase}-${env}`)]);
  });

  test.each(PHASES)("%s reads exactly the phases it depends on, and only earlier ones", (phase) => {
    const { tf } = synthPhase(testConfig(env), phase);
    const read = Object.keys(tf.data?.terraform_remote_state ?? {}).map((name) => name.replace(/_outputs$/, ""));
    expect(read.sort()).toEqual([...READS[phase]].sort());
    expect(read.every((other) => PHASES.indexOf(other as Phase) < PHASES.indexOf(phase))).toBe(true);
    const direct = stack(phase).dependencies.map((dependency) => dependency.node.id);
    const transitive = (ids: string[]): string[] =>
      ids.flatMap((id) => [id, ...transitive((app.node.findChild(id) as TerraformStack).dependencies.map((d) => d.node.id))]);
    for (const other of READS[phase]) expect(transitive(direct)).toContain(stackName(other, env));
  });

  test.each(PHASES)("%s shares nothing with other stacks but named outputs (no cdktf cross-stack references)", (phase) => {
    expect(synthPhase(testConfig(env), phase).json).not.toMatch(/cross-stack/);
  });

  test.each(PHASES)("%s synthesizes the same alone as in the whole app (the tests synthesize phases alone)", (phase) => {
    expect(synthPhase(testConfig(env), phase).json).toBe(Testing.synth(stack(phase)));
  });

  test("sentry-ops reads each phase's state (status, outputs) through exactly the backend the stack synthesizes", () => {
    const config = testConfig(env);
    const outdir = mkdtempSync(join(tmpdir(), "sentry-state-readers-"));
    try {
      const readers = writeStateReaders(env, config.operator, outdir);
      expect([...readers.stacks.keys()]).toEqual(PHASES.map((phase) => stackName(phase, env)));
      for (const phase of PHASES) {
        const reader = JSON.parse(readFileSync(join(readers.stacks.get(stackName(phase, env))!.folder, "cdk.tf.json"), "utf8"));
        expect(reader).toEqual({ terraform: { backend: synthPhase(config, phase).tf.terraform.backend } });
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
