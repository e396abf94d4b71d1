import { cpSync, mkdirSync, mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { CallerAccount } from "../../src/ops/aws-account";
import { runCli } from "../../src/ops/cli";
import { OpsDependencies } from "../../src/ops/commands";
import { ScalingAwsFactory } from "../../src/ops/scaling/collect";
import { CredentialsRequest, CredentialsResolver } from "../../src/ops/credentials";
import { processRunner } from "../../src/ops/runner";
import { Synthesizer } from "../../src/ops/stacks";
import { StatusAwsFactory } from "../../src/ops/status/live";
import { fakeCalls, FakeCall, fakeRunner, FakeTerraform, fakeVariables, installFakeTerraform } from "./fake-terraform";
import { synthesizedEnvironment, TEST_OPERATOR_VARIABLES } from "./synth";

/**
 * The harness of the `sentry-ops` command tests: a world is a scratch folder with its own fake terraform, in
 * which command lines run through `runCli` as the CLI runs them, with everything they print collected.
 *
 * Synthesis is shared: `sharedSynthesizer` copies the environment `synthesizedEnvironment` synthesized once per
 * jest run (the first test file that needs it writes it to the synth cache) into each command's folder, so a
 * command costs a copy instead of a synth.
 */

/** The app's real synth of `config`, once per jest run; each command gets its own copy. */
export const sharedSynthesizer: Synthesizer = (config, outdir) => {
  cpSync(synthesizedEnvironment(config), outdir, { recursive: true });
};

/** The synthesizer of a command that must only read state (`status`, `outputs`): it fails the test if called. */
export const neverSynthesizes: Synthesizer = () => {
  throw new Error("the command synthesized the app: it only reads state, through each phase's backend alone");
};

/** Who `credentialsFound` says the credentials belong to. */
export const CHECKED_CALLER = { account: "123456789012", arn: "arn:aws:iam::123456789012:user/operator" } as const;

/** Credentials that always resolve (an operator of account 123456789012): no test needs AWS. */
export const credentialsFound: CredentialsResolver = async () => CHECKED_CALLER;

/** Credentials that never resolve, as the SDK's default chain fails on a machine without any. */
export const noCredentials: CredentialsResolver = async () => {
  throw Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" });
};

/**
 * For the CLI run as a process (the SDK's real chain): made-up keys the chain finds in the environment, first,
 * without asking anything of the network; AWS_PROFILE unset, or the chain would skip them.
 */
export const ENVIRONMENT_CREDENTIALS: NodeJS.ProcessEnv = { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "made-up-for-tests", AWS_PROFILE: undefined };

/** The folder a world's commands keep their working files in (`SENTRY_OPS_DIR`). */
export const WORK_DIR = ".sentry-ops";

export interface RunOptions {
  readonly variables?: NodeJS.ProcessEnv;
  /** The answer to a confirmation question. */
  readonly answer?: string;
  readonly synthesize?: Synthesizer;
  /** The account of the run's credentials, as `bootstrap` checks it. @default - the real STS call */
  readonly callerAccount?: CallerAccount;
  /** @default credentialsFound */
  readonly credentials?: CredentialsResolver;
  /** Run the fake as a process on PATH (`processRunner`), as the CLI does. @default false - in this process (`fakeRunner`) */
  readonly process?: boolean;
  /** The AWS clients of `scaling`. @default - the AWS SDK's */
  readonly scalingAws?: ScalingAwsFactory;
  /** The AWS clients `status` asks. @default - the AWS SDK's */
  readonly statusAws?: StatusAwsFactory;
}

export interface World {
  readonly root: string;
  readonly fake: FakeTerraform;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Runs one command line (words split on spaces); returns its exit code. */
  run(argv: string, options?: RunOptions): Promise<number>;
  calls(): FakeCall[];
  /** What each command asked the credentials resolver, in order. */
  readonly credentialRequests: CredentialsRequest[];
}

/** Scratch folders of one test file; `removeWorlds()` (in `afterAll`) deletes them. */
let scratch: string | undefined;
let worlds = 0;

export function world(): World {
  scratch ??= mkdtempSync(join(tmpdir(), "sentry-ops-test-"));
  const root = join(scratch, `world-${++worlds}`);
  mkdirSync(root);
  const fake = installFakeTerraform(join(root, "fake"));
  const stdout: string[] = [];
  const stderr: string[] = [];
  const credentialRequests: CredentialsRequest[] = [];
  return {
    root,
    fake,
    stdout,
    stderr,
    run: (argv, options = {}) => {
      const io: OpsDependencies = {
        workDir: join(root, WORK_DIR),
        variables: { ...TEST_OPERATOR_VARIABLES, ...fakeVariables(fake), ...options.variables },
        runner: options.process ? processRunner() : fakeRunner(),
        synthesize: options.synthesize ?? sharedSynthesizer,
        scalingAws: options.scalingAws,
        resolveCredentials: (request, assumed) => {
          credentialRequests.push(request);
          return (options.credentials ?? credentialsFound)(request, assumed);
        },
        statusAws: options.statusAws,
        print: (text) => stdout.push(text),
        progress: (line) => stderr.push(line),
        ask: async () => options.answer ?? "",
        callerAccount: options.callerAccount,
      };
      return runCli(argv.split(" ").filter(Boolean), io, root);
    },
    calls: () => fakeCalls(fake),
    credentialRequests,
  };
}

/** Deletes this file's worlds. */
export function removeWorlds(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}
