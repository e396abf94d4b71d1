import { existsSync, readFileSync, statSync } from "fs";
import { resolve } from "path";
import { createInterface } from "readline";
import { EnvironmentVariable } from "../lib/environment-variables";
import { ConfigError, DEFAULT_ENVIRONMENT, ENVIRONMENT_NAMES, EnvironmentName, parseEnvironmentName } from "../config";
import { Phase, PHASES } from "../stacks/names";
import { BackendConfigError, BackendSettings, parseBackendConfig } from "./backend-config";
import { Command, COMMAND_HANDLERS, CommandOptions, COMMANDS, OpsDependencies } from "./commands";
import { REVIEW_FORMATS, ReviewFormat } from "./review/render";
import { ALL_ENVIRONMENTS, COST_HELP } from "./cost/command";
import { INTERRUPTED_EXIT_CODE, processRunner, RunningTerraform } from "./runner";
import { OverrideFile, OverrideFileError, readOverrideFiles } from "./override-files";
import { OpsFailure } from "./session";
import { SCALING_HELP } from "./scaling/command";
import { parseSince } from "./scaling/model";

/** `sentry-ops <command> <env> [options]`: argument parsing, usage, exit codes. */

/** Default folder of the tool's working files (synth output, saved plans, logs): git-ignored. */
export const DEFAULT_WORK_DIR = resolve(__dirname, "..", "..", ".sentry-ops");
/** Set to keep the working files (and so the saved plans) elsewhere. */
export const WORK_DIR_VARIABLE = "SENTRY_OPS_DIR";

/** The variables the command reads itself (the synth it runs reads the configuration's). */
export const OPS_VARIABLES: readonly EnvironmentVariable[] = [
  { name: WORK_DIR_VARIABLE, meaning: "folder of `sentry-ops`' working files (synth output, saved plans: secret, logs); unset: `.sentry-ops` at the project root" },
  { name: "SENTRY_ENV", default: DEFAULT_ENVIRONMENT, meaning: "the environment of `sentry-ops bootstrap` (which takes none); the other commands must agree with it when it is set" },
];

export const USAGE = `Usage: sentry-ops <command> <env> [options]        env: ${ENVIRONMENT_NAMES.join(" | ")}

Commands
  bootstrap              apply the account's state-bucket stack (local state); idempotent; takes no <env>;
                         says which account it applies to, refuses credentials of another one
  plan <env>             init (creating workspace <env> if needed), plan -out and show -json per stack;
                         replaces the selected phases' saved plans (a failed phase gets a note, no plan)
  review <env>           review the saved plans: data loss, security-sensitive changes, everything else
  deploy <env>           apply exactly the saved, reviewed plans in order (a phase without one is planned
                         and reviewed first); refuses stale plans and changes that need approval
  drift <env>            plan of every deployed phase, two at a time; lists what was deleted or changed outside
                         Terraform that the configuration would revert, and rules no resource manages (exit 2);
                         what only AWS or a sibling resource writes is not drift
  outputs <env>          every phase's published outputs
  destroy <env>          destroy plans in reverse order, review, confirmation; never the bootstrap stack;
                         refuses before destroying anything while protectData (or the state) protects a resource
  status <env>           per phase: deployed, resources, state serial and last write, a plan waiting; the
                         guide's checklist ticked from state; what needs a person (certificate validation,
                         CodeStar handshake, alarm e-mail confirmation, placeholder secrets, ECS services
                         below their desired count), from AWS (the run's credentials and region)
  scaling <env>          ${SCALING_HELP.summary.join(`\n${" ".repeat(25)}`)}
  cost <env>|all         ${COST_HELP.summary.join(`\n${" ".repeat(25)}`)}
  (drift, outputs, destroy, status and scaling never create workspace <env>: a stack without it is not deployed)

Options
  --phase P              only phase P (${PHASES.join(", ")}); repeatable (not bootstrap)
  --backend-config FILE  passed as -backend-config=FILE to every init, and its settings to every
                         terraform_remote_state read (not bootstrap, review)
  --override DIR         DIR/*_override.tf.json laid into every stack folder before init (not review)
  --format F             review/destroy/drift/status/scaling/cost output: ${REVIEW_FORMATS.join(" | ")} (default text)
  --approve ADDRESS      approve a blocking change (data loss or broadening) of ADDRESS or STACK:ADDRESS; repeatable
  --approve-broadening   approve every security broadening
  --yes                  destroy without the confirmation question
${SCALING_HELP.options.slice(0, 2).map((entry) => `  ${entry.option.padEnd(23)}scaling: ${entry.meaning}`).join("\n")}
${COST_HELP.options.map((entry) => `  ${entry.option.padEnd(23)}cost: ${entry.meaning}`).join("\n")}
  --account A            bootstrap, one account per environment: state (the state bucket) or dev | staging | prod
                         (that environment's CI access); docs/accounts.md
  -h, --help             this text

Working files (synth output, saved plans: they hold sensitive values) go to .sentry-ops/<env>/ at the
project root, or $${WORK_DIR_VARIABLE}/<env>/.

Exit codes: 0 done / nothing needs approval; 2 something needs approval (review, deploy), drift found, or
(status) something needs a person or is not deployed, (scaling) findings;
1 anything failed (the line before names the stack and the first Terraform error; review: a phase's plan
failed; a held state lock: who holds it, the operation, since when, the lock ID, and when force-unlock is
safe); 130 interrupted (Ctrl-C reaches terraform once; the command waits for it to stop).`;

/** Options each command accepts. */
const TERRAFORM_OPTIONS = ["--phase", "--backend-config", "--override"];
const APPROVAL_OPTIONS = ["--approve", "--approve-broadening"];
const OPTIONS: Readonly<Record<Command, readonly string[]>> = {
  bootstrap: ["--override", ...APPROVAL_OPTIONS, "--account"],
  plan: TERRAFORM_OPTIONS,
  review: ["--phase", "--format", ...APPROVAL_OPTIONS],
  deploy: [...TERRAFORM_OPTIONS, ...APPROVAL_OPTIONS],
  drift: [...TERRAFORM_OPTIONS, "--format"],
  outputs: TERRAFORM_OPTIONS,
  destroy: [...TERRAFORM_OPTIONS, "--format", "--yes"],
  status: [...TERRAFORM_OPTIONS, "--format"],
  scaling: ["--backend-config", "--override", "--format", "--service", "--since"],
  cost: ["--format", "--usage"],
};
const FLAGS = ["--approve-broadening", "--yes"];

export class UsageError extends Error {}

export type ParsedArguments = { readonly help: true } | { readonly help: false; readonly command: Command; readonly options: CommandOptions };

/** Parses argv (without node and the script); relative paths are resolved against `cwd`. */
export function parseArguments(argv: readonly string[], cwd: string, variables: NodeJS.ProcessEnv): ParsedArguments {
  if (!argv.length || argv.includes("--help") || argv.includes("-h") || argv[0] === "help") return { help: true };
  const [name, ...rest] = argv;
  if (!(COMMANDS as readonly string[]).includes(name)) throw new UsageError(`unknown command "${name}"; expected one of ${COMMANDS.join(", ")}`);
  const command = name as Command;
  const allowed = OPTIONS[command];
  const positional: string[] = [];
  const phases: Phase[] = [];
  const approve: string[] = [];
  let backendConfig: string | undefined;
  let backendSettings: BackendSettings | undefined;
  let overrides: OverrideFile[] | undefined;
  let format: ReviewFormat = "text";
  let approveBroadening = false;
  let yes = false;
  const services: string[] = [];
  let since: number | undefined;
  let usageFile: string | undefined;
  let account: CommandOptions["account"];
  for (let index = 0; index < rest.length; index += 1) {
    const argument = rest[index];
    if (!argument.startsWith("--")) {
      positional.push(argument);
      continue;
    }
    const [option, inline] = argument.split(/=(.*)/s, 2);
    if (!allowed.includes(option)) throw new UsageError(`${command} takes no option ${option}; it takes ${allowed.join(", ")}`);
    if (FLAGS.includes(option)) {
      if (option === "--yes") yes = true;
      else approveBroadening = true;
      continue;
    }
    const value = inline ?? rest[++index];
    if (value === undefined || value === "") throw new UsageError(`${option} needs a value`);
    if (option === "--phase") {
      if (!(PHASES as readonly string[]).includes(value)) throw new UsageError(`--phase ${value}: expected one of ${PHASES.join(", ")}`);
      phases.push(value as Phase);
    } else if (option === "--backend-config") {
      backendConfig = resolve(cwd, value);
      if (!existsSync(backendConfig) || !statSync(backendConfig).isFile()) throw new UsageError(`--backend-config ${value}: no such file`);
      backendSettings = parseBackendConfig(readFileSync(backendConfig, "utf8"), backendConfig);
    } else if (option === "--override") {
      const overrideDir = resolve(cwd, value);
      if (!existsSync(overrideDir) || !statSync(overrideDir).isDirectory()) throw new UsageError(`--override ${value}: no such folder`);
      overrides = readOverrideFiles(overrideDir);
    } else if (option === "--service") {
      services.push(value);
    } else if (option === "--since") {
      since = sinceSeconds(value);
    } else if (option === "--format") {
      if (!(REVIEW_FORMATS as readonly string[]).includes(value)) throw new UsageError(`--format ${value}: expected one of ${REVIEW_FORMATS.join(", ")}`);
      format = value as ReviewFormat;
    } else if (option === "--usage") {
      usageFile = resolve(cwd, value);
    } else if (option === "--account") {
      if (value !== "state" && !(ENVIRONMENT_NAMES as readonly string[]).includes(value)) throw new UsageError(`--account ${value}: expected state or one of ${ENVIRONMENT_NAMES.join(", ")}`);
      account = value as CommandOptions["account"];
    } else {
      approve.push(value);
    }
  }
  const allEnvironments = command === "cost" && positional.length === 1 && positional[0] === ALL_ENVIRONMENTS;
  // An environment account's bootstrap is synthesized with that environment.
  const bootstrapEnvironment = account !== undefined && account !== "state" ? account : undefined;
  if (bootstrapEnvironment && positional.length) throw new UsageError("bootstrap takes no environment (the state bucket is per account)");
  const environment = allEnvironments ? DEFAULT_ENVIRONMENT : (bootstrapEnvironment ?? environmentArgument(command, positional, variables));
  return {
    help: false,
    command,
    options: { environment, phases, backendConfig, backendSettings, overrides, format, approvals: { addresses: approve, broadening: approveBroadening }, yes, services, since, usageFile, allEnvironments, account },
  };
}

/** `--since` in seconds; a bad value is a usage error. */
function sinceSeconds(value: string): number {
  try {
    return parseSince(value);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function environmentArgument(command: Command, positional: readonly string[], variables: NodeJS.ProcessEnv): EnvironmentName {
  if (command === "bootstrap") {
    if (positional.length) throw new UsageError(`bootstrap takes no environment (the state bucket is per account)`);
    return variables.SENTRY_ENV?.trim() ? parseEnvironmentName(variables.SENTRY_ENV) : DEFAULT_ENVIRONMENT;
  }
  const names = command === "cost" ? [...ENVIRONMENT_NAMES, ALL_ENVIRONMENTS] : ENVIRONMENT_NAMES;
  if (positional.length !== 1) throw new UsageError(`${command} needs exactly one environment (${names.join(" | ")})`);
  if (!(ENVIRONMENT_NAMES as readonly string[]).includes(positional[0])) {
    throw new UsageError(`unknown environment "${positional[0]}"; expected one of ${names.join(", ")}`);
  }
  return positional[0] as EnvironmentName;
}

/** Runs one command line; returns the exit code. Every failure is one line on stderr. */
export async function runCli(argv: readonly string[], io: OpsDependencies, cwd: string = process.cwd()): Promise<number> {
  try {
    const parsed = parseArguments(argv, cwd, io.variables);
    if (parsed.help) {
      io.print(`${USAGE}\n`);
      return 0;
    }
    return await COMMAND_HANDLERS[parsed.command](io, parsed.options);
  } catch (error) {
    if (error instanceof UsageError) {
      io.progress(`sentry-ops: ${error.message} (sentry-ops --help)`);
      return 1;
    }
    if (error instanceof OpsFailure) {
      io.progress(error.message);
      return error.exitCode;
    }
    if (error instanceof ConfigError || error instanceof BackendConfigError || error instanceof OverrideFileError) {
      io.progress(error.message);
      return 1;
    }
    throw error;
  }
}

function ask(question: string): Promise<string> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolveAnswer) => {
    terminal.question(question, (answer) => {
      terminal.close();
      resolveAnswer(answer);
    });
    terminal.on("close", () => resolveAnswer(""));
  });
}

/** The real world: this process's environment, terraform from PATH, `.sentry-ops/` at the project root. */
export function processDependencies(running: RunningTerraform = new RunningTerraform()): OpsDependencies {
  return {
    workDir: process.env[WORK_DIR_VARIABLE]?.trim() ? resolve(process.env[WORK_DIR_VARIABLE] as string) : DEFAULT_WORK_DIR,
    variables: process.env,
    runner: processRunner("terraform", running),
    // Required here, not imported: loading the app (cdktf and the provider's classes) takes ~0.45 s, which
    // `review`, `status` and `outputs` never need.
    synthesize: (config, outdir) => (require("./synth") as typeof import("./synth")).synthesizeInProcess(config, outdir),
    print: (text) => process.stdout.write(text),
    progress: (line) => process.stderr.write(`${line}\n`),
    ask,
  };
}

export const INTERRUPT_MESSAGE = "sentry-ops: interrupted; waiting for terraform to stop (it saves state and releases its lock)";
/** Time left for the command to print its last lines once terraform has stopped. */
const EXIT_GRACE_MS = 1000;

/**
 * Ctrl-C or SIGTERM: never exit while terraform runs (a killed apply leaves its state lock behind and may cut
 * its state write). The signal goes to terraform once, no new terraform starts, and the process exits 130 once
 * every running terraform has stopped.
 */
function stopOnSignals(running: RunningTerraform): void {
  const stop = (signal: NodeJS.Signals) => {
    if (running.interrupted) return;
    process.exitCode = INTERRUPTED_EXIT_CODE;
    process.stderr.write(`${INTERRUPT_MESSAGE}\n`);
    void running.interrupt(signal).then(() => {
      setTimeout(() => process.exit(INTERRUPTED_EXIT_CODE), EXIT_GRACE_MS).unref();
    });
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

/** Entry point of `src/ops/sentry-ops.js`. */
export function main(): void {
  const running = new RunningTerraform();
  stopOnSignals(running);
  runCli(process.argv.slice(2), processDependencies(running)).then(
    (code) => {
      process.exitCode = running.interrupted ? INTERRUPTED_EXIT_CODE : code;
    },
    (error: Error) => {
      process.stderr.write(`sentry-ops: ${error.stack ?? error.message}\n`);
      process.exitCode = running.interrupted ? INTERRUPTED_EXIT_CODE : 1;
    },
  );
}
