import { existsSync, readFileSync, statSync } from "fs";
import { resolve } from "path";
import { createInterface } from "readline";
import { EnvironmentVariable } from "../lib/environment-variables";
import { ConfigError, DEFAULT_ENVIRONMENT, ENVIRONMENT_NAMES, EnvironmentName, parseEnvironmentName } from "../config";
import { Phase, PHASES } from "../stacks/names";
import { BackendConfigError, BackendSettings, parseBackendConfig } from "./backend-config";
import { Command, COMMAND_HANDLERS, CommandOptions, COMMANDS, OpsDependencies } from "./commands";
import { REVIEW_FORMATS, ReviewFormat } from "./review/render";
import { ALL_ENVIRONMENTS } from "./cost/command";
import { INTERRUPTED_EXIT_CODE, processRunner, RunningTerraform } from "./runner";
import { OverrideFile, OverrideFileError, readOverrideFiles } from "./override-files";
import { failureLine, OpsFailure } from "./session";
import { sdkCredentials, STS_TIMEOUT_MS } from "./credentials";
import { DEFAULT_SINCE, parseSince } from "./scaling/model";
import { ALLOW_PLACEHOLDERS_VARIABLE, refuseEnvironmentMismatch } from "./preflight";

/** `sentry-ops <command> <env> [options]`: argument parsing, usage, exit codes. */

/** Default folder of the tool's working files (synth output, saved plans, logs): git-ignored. */
export const DEFAULT_WORK_DIR = resolve(__dirname, "..", "..", ".sentry-ops");
/** Set to keep the working files (and so the saved plans) elsewhere. */
export const WORK_DIR_VARIABLE = "SENTRY_OPS_DIR";

/** The variables the command reads itself (the synth it runs reads the configuration's). */
export const OPS_VARIABLES: readonly EnvironmentVariable[] = [
  { name: WORK_DIR_VARIABLE, meaning: "folder of `sentry-ops`' working files (synth output, saved plans: secret, logs); unset: `.sentry-ops` at the project root" },
  { name: "SENTRY_ENV", default: DEFAULT_ENVIRONMENT, meaning: "the environment of `sentry-ops bootstrap` (which takes none); the other commands must agree with it when it is set" },
  {
    name: ALLOW_PLACEHOLDERS_VARIABLE,
    meaning:
      "`1`: `plan`, `deploy`, `bootstrap` and `destroy` go on with the example values of SENTRY_STATE_BUCKET, SENTRY_ADMIN_EMAIL and SENTRY_DOMAIN, with one warning (a rehearsal against an emulator, tests); unset: they refuse them",
  },
];

/** An option: its value's placeholder (none: a flag) and what it does. */
interface OptionHelp {
  readonly value?: string;
  readonly meaning: string;
}

/** Every option once; a command's entry names those it takes. */
const OPTION_HELP = {
  "--phase": { value: "P", meaning: `only phase P (${PHASES.join(", ")}); repeatable` },
  "--backend-config": { value: "FILE", meaning: "passed as -backend-config=FILE to every init, and its settings to every terraform_remote_state read" },
  "--override": { value: "DIR", meaning: "DIR/*_override.tf.json laid into every stack folder before init" },
  "--format": { value: "F", meaning: `output: ${REVIEW_FORMATS.join(" | ")} (default text)` },
  "--approve": { value: "ADDRESS", meaning: "approve a blocking change (data loss or broadening) of ADDRESS or STACK:ADDRESS; repeatable" },
  "--approve-broadening": { meaning: "approve every security broadening" },
  "--yes": { meaning: "destroy without the confirmation question" },
  "--service": { value: "NAME", meaning: "only this service (its key, e.g. oms, or its ECS name); repeatable" },
  "--since": { value: "DURATION", meaning: `the window: minutes, hours or days (30m, 6h, 2d; default ${DEFAULT_SINCE}, at most 63d)` },
  "--usage": { value: "FILE", meaning: "JSON of usage fields replacing the estimate (src/config/usage.ts)" },
  "--account": { value: "A", meaning: `one account per environment: state (the state bucket) or ${ENVIRONMENT_NAMES.join(" | ")} (that environment's CI access); docs/accounts.md` },
} as const satisfies Readonly<Record<string, OptionHelp>>;
type OptionName = keyof typeof OPTION_HELP;

/** One command's line in the usage and its own help (`sentry-ops <command> --help`). */
interface CommandHelp {
  /** One line: what the command does. */
  readonly summary: string;
  /** What else to know, one sentence a line. @default - nothing more */
  readonly details?: readonly string[];
  /** The argument as the usage shows it. @default - none (bootstrap) */
  readonly argument?: string;
  readonly options: readonly OptionName[];
  /** Exit code → meaning (1 failed is added for every command, 130 interrupted for those that run terraform: `aws`). */
  readonly exitCodes: Readonly<Partial<Record<0 | 2, string>>>;
  /** Talks to AWS (through terraform or the SDK): the credentials are checked once, before terraform runs. */
  readonly aws: boolean;
}

const TERRAFORM_OPTIONS: readonly OptionName[] = ["--phase", "--backend-config", "--override"];
const APPROVAL_OPTIONS: readonly OptionName[] = ["--approve", "--approve-broadening"];
const EXAMPLE_VALUES_REFUSED = `refuses the example values of the per-account variables (${ALLOW_PLACEHOLDERS_VARIABLE}=1: a warning instead)`;

/** The commands, in the order the usage lists them: adding a command is adding its entry. */
export const COMMAND_HELP: Readonly<Record<Command, CommandHelp>> = {
  bootstrap: {
    summary: "apply the account's state-bucket stack (local state); idempotent; takes no <env>",
    details: ["plans, reviews (like review) and applies it; says which account it applies to, refuses credentials of another one", EXAMPLE_VALUES_REFUSED],
    options: ["--override", ...APPROVAL_OPTIONS, "--account"],
    exitCodes: { 0: "applied (or nothing to change)", 2: "a change needs approval: nothing applied" },
    aws: true,
  },
  plan: {
    summary: "init (creating workspace <env> if needed), plan -out and show -json per stack",
    details: [
      "replaces the selected phases' saved plans (a failed phase gets a note, no plan)",
      EXAMPLE_VALUES_REFUSED,
      "warns when SENTRY_ALARM_EMAIL is not set (alarms notify nobody)",
    ],
    argument: "<env>",
    options: TERRAFORM_OPTIONS,
    exitCodes: { 0: "every selected phase planned (or waiting for a phase this run deploys first)" },
    aws: true,
  },
  review: {
    summary: "review the saved plans: data loss, security-sensitive changes, everything else",
    details: [
      "reads the saved plans only: no synth, no terraform, no AWS credentials",
      "a change that weakens a control (key rotation, encryption, logging...) says `weakens <control>`: no approval",
    ],
    argument: "<env>",
    options: ["--phase", "--format", ...APPROVAL_OPTIONS],
    exitCodes: { 0: "nothing needs approval", 2: "a change needs approval (--approve, --approve-broadening)" },
    aws: false,
  },
  deploy: {
    summary: "apply exactly the saved, reviewed plans in order",
    details: [
      "a phase without a saved plan is planned and reviewed first; refuses stale plans and changes that need approval",
      EXAMPLE_VALUES_REFUSED,
      "warns when SENTRY_ALARM_EMAIL is not set (alarms notify nobody)",
    ],
    argument: "<env>",
    options: [...TERRAFORM_OPTIONS, ...APPROVAL_OPTIONS],
    exitCodes: { 0: "every selected phase applied", 2: "a change needs approval: that phase was not applied" },
    aws: true,
  },
  drift: {
    summary: "what was changed outside Terraform that the configuration would revert",
    details: [
      "a plan of every deployed phase, two at a time; also lists group rules no resource manages",
      "labels a change that broadens access, and one that weakens a control (weakens <control>: key rotation, encryption, logging, deletion protection, PITR, public access block, TLS policy, WAF association, alarm actions)",
      "what only AWS or a sibling resource writes is not drift; never creates workspace <env>",
    ],
    argument: "<env>",
    options: [...TERRAFORM_OPTIONS, "--format"],
    exitCodes: { 0: "no drift", 2: "drift found" },
    aws: true,
  },
  outputs: {
    summary: "every phase's published outputs (reads state only: no synth)",
    details: ["sensitive outputs show as (sensitive); never creates workspace <env>"],
    argument: "<env>",
    options: TERRAFORM_OPTIONS,
    exitCodes: { 0: "every selected phase read" },
    aws: true,
  },
  destroy: {
    summary: "destroy plans in reverse order, review, confirmation; never the bootstrap stack",
    details: [
      "refuses before destroying anything while protectData (or the state) protects a resource",
      "asks you to type <env> unless --yes; never creates workspace <env>",
      EXAMPLE_VALUES_REFUSED,
    ],
    argument: "<env>",
    options: [...TERRAFORM_OPTIONS, "--format", "--yes"],
    exitCodes: { 0: "destroyed" },
    aws: true,
  },
  status: {
    summary: "per phase: deployed, resources, state serial and last write, a plan waiting",
    details: [
      "the guide's checklist ticked from state",
      "what needs a person, asked of AWS: certificate validation, CodeStar handshake, alarm e-mail confirmation, placeholder secrets, ECS services below their desired count",
      "reads state only: no synth; never creates workspace <env>",
    ],
    argument: "<env>",
    options: [...TERRAFORM_OPTIONS, "--format"],
    exitCodes: { 0: "complete", 2: "something needs a person or is not deployed" },
    aws: true,
  },
  scaling: {
    summary: "per service: tasks, auto scaling, CPU and memory, a cooldown running, activities",
    details: [
      "per cluster: managed scaling, capacity reservation, the Auto Scaling group, its activities",
      "findings with the next step; from the compute and services outputs (no synth) and AWS; never creates workspace <env>",
    ],
    argument: "<env>",
    options: ["--backend-config", "--override", "--format", "--service", "--since"],
    exitCodes: { 0: "nothing to look at", 2: "findings" },
    aws: true,
  },
  cost: {
    summary: `monthly cost from the synthesized stacks, offline (${ALL_ENVIRONMENTS}: every environment)`,
    details: ["every priced resource, fixed apart from usage-based, per phase, side by side for all; the guide's cost checks"],
    argument: `<env>|${ALL_ENVIRONMENTS}`,
    options: ["--format", "--usage"],
    exitCodes: { 0: "priced, the guide's cost checks pass", 2: "priced, a cost check fires" },
    aws: false,
  },
};

const ENVIRONMENTS_LINE = `env: ${ENVIRONMENT_NAMES.join(" | ")}`;

function commandLine(command: Command): string {
  const argument = COMMAND_HELP[command].argument;
  return `${command}${argument ? ` ${argument}` : ""}`;
}

/** Columns of the help texts. */
const WIDTH = 110;
/** Where the text after a command or an option starts. */
const HANGING = 25;

/** `text` in lines of at most WIDTH columns, the first starting with `first`, the others indented by `indent`. */
function wrap(first: string, text: string, indent: number): string[] {
  const lines = [first];
  for (const word of text.split(" ")) {
    const last = lines[lines.length - 1];
    const open = last === "" || last.endsWith(" ");
    if (!open && last.length + 1 + word.length > WIDTH) lines.push(`${" ".repeat(indent)}${word}`);
    else lines[lines.length - 1] = open ? `${last}${word}` : `${last} ${word}`;
  }
  return lines;
}

/** `text` wrapped, from the first column. */
function paragraph(text: string): string[] {
  return wrap("", text, 0);
}

/** A word in the first column, `text` after it at column HANGING. */
function hanging(word: string, text: string): string[] {
  return wrap(`  ${word}`.padEnd(HANGING), text, HANGING);
}

function optionLines(name: OptionName, suffix = ""): string[] {
  const option: OptionHelp = OPTION_HELP[name];
  return hanging(`${name}${option.value ? ` ${option.value}` : ""}`, `${option.meaning}${suffix}`);
}

const HELP_OPTION = hanging("-h, --help", "this text");

function exitCodeLines(command: Command): string[] {
  const help = COMMAND_HELP[command];
  const codes: [string, string][] = [
    ...Object.entries(help.exitCodes),
    ["1", "failed or refused: one line says why (a Terraform error: the stack and its first error line)"],
    ...(help.aws ? [["130", "interrupted (Ctrl-C reaches terraform once; the command waits for it to stop)"] as [string, string]] : []),
  ];
  return codes.sort(([a], [b]) => Number(a) - Number(b)).map(([code, meaning]) => `  ${code.padEnd(4)} ${meaning}`);
}

/** `sentry-ops` without arguments: one line per command. */
export const SHORT_USAGE = [
  `Usage: sentry-ops <command> <env> [options]        ${ENVIRONMENTS_LINE}`,
  "",
  ...COMMANDS.flatMap((command) => hanging(commandLine(command), COMMAND_HELP[command].summary)),
  "",
  "sentry-ops <command> --help: a command's arguments, options and exit codes; sentry-ops --help: everything.",
].join("\n");

const AGREEMENT = `SENTRY_ENV and TF_WORKSPACE, when set, must equal <env>: every command that takes <env> refuses otherwise, before anything runs.`;
const CREDENTIALS_CHAIN =
  "AWS credentials are resolved once, before terraform runs, as Terraform finds them (AWS_*, AWS_PROFILE, SSO, web identity, instance metadata)";
const STS_CHECK =
  `STS is asked about them as Terraform asks (GetCallerIdentity, AssumeRole; AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL when set), all at once, ` +
  `within ${STS_TIMEOUT_MS / 1000} s: missing, expired or refused credentials, or no answer, stop the command with one line.`;
const CREDENTIALS = `${CREDENTIALS_CHAIN}, with --backend-config's profile and assume_role and the environment's roles (SENTRY_<ENV>_ROLE_ARN, the state role). ${STS_CHECK}`;

/** bootstrap (local state, no environment) checks the default chain alone. */
function credentialsParagraph(help: CommandHelp): string {
  if (!help.aws) return "Needs no AWS credentials.";
  return help.options.includes("--backend-config") ? CREDENTIALS : `${CREDENTIALS_CHAIN}. ${STS_CHECK}`;
}

/** `sentry-ops <command> --help`. */
export function commandUsage(command: Command): string {
  const help = COMMAND_HELP[command];
  return [
    `Usage: sentry-ops ${commandLine(command)} [options]${help.argument ? `        ${ENVIRONMENTS_LINE}` : ""}`,
    "",
    ...[help.summary, ...(help.details ?? [])].flatMap((line) => paragraph(`${line[0].toUpperCase()}${line.slice(1)}.`)),
    "",
    "Options",
    ...help.options.flatMap((name) => optionLines(name)),
    ...HELP_OPTION,
    "",
    "Exit codes",
    ...exitCodeLines(command),
    "",
    ...(help.argument ? paragraph(AGREEMENT) : []),
    ...paragraph(credentialsParagraph(help)),
  ].join("\n");
}

/** `sentry-ops --help`: every command with its details, every option with the commands that take it. */
export const USAGE = [
  `Usage: sentry-ops <command> <env> [options]        ${ENVIRONMENTS_LINE}`,
  "",
  "Commands",
  ...COMMANDS.flatMap((command) => [
    ...hanging(commandLine(command), COMMAND_HELP[command].summary),
    ...(COMMAND_HELP[command].details ?? []).flatMap((line) => hanging("", line)),
  ]),
  "",
  "Options",
  ...(Object.keys(OPTION_HELP) as OptionName[]).flatMap(
    (name) => optionLines(name, ` (${COMMANDS.filter((command) => COMMAND_HELP[command].options.includes(name)).join(", ")})`),
  ),
  ...HELP_OPTION,
  "",
  ...paragraph(AGREEMENT),
  ...paragraph(CREDENTIALS),
  ...paragraph(`Working files (synth output, saved plans: they hold sensitive values) go to .sentry-ops/<env>/ at the project root, or $${WORK_DIR_VARIABLE}/<env>/.`),
  "",
  ...paragraph(
    "Exit codes: 0 done / nothing needs approval; 2 something needs approval (review, deploy, bootstrap), drift found, or (status) something needs a person or is not deployed; " +
      "1 anything failed (one line, prefixed sentry-ops:); 130 interrupted (Ctrl-C reaches terraform once; the command waits for it to stop).",
  ),
  ...paragraph("sentry-ops <command> --help (or sentry-ops help <command>): that command's arguments, options and exit codes."),
].join("\n");

/** A command line that cannot run; the line names the help to read (the command's, when it is known). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: Command,
  ) {
    super(message);
  }
}

/** What a command line asks for: the short usage (no arguments), a help text, or a command to run. */
export type ParsedArguments =
  | { readonly kind: "usage" }
  | { readonly kind: "help"; readonly command?: Command }
  | { readonly kind: "run"; readonly command: Command; readonly options: CommandOptions };

const HELP_FLAGS = ["--help", "-h"];

function commandNamed(name: string): Command {
  if (!(COMMANDS as readonly string[]).includes(name)) throw new UsageError(`unknown command "${name}"; expected one of ${COMMANDS.join(", ")}`);
  return name as Command;
}

/** Parses argv (without node and the script); relative paths are resolved against `cwd`. */
export function parseArguments(argv: readonly string[], cwd: string, variables: NodeJS.ProcessEnv): ParsedArguments {
  if (!argv.length) return { kind: "usage" };
  const [name, ...rest] = argv;
  if (name === "help" || HELP_FLAGS.includes(name)) {
    if (rest.length > 1) throw new UsageError(`help takes at most one command`);
    return { kind: "help", command: rest.length ? commandNamed(rest[0]) : undefined };
  }
  const command = commandNamed(name);
  if (rest.some((argument) => HELP_FLAGS.includes(argument))) return { kind: "help", command };
  const allowed: readonly string[] = COMMAND_HELP[command].options;
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
    if (!allowed.includes(option)) throw new UsageError(`${command} takes no option ${option}; it takes ${allowed.join(", ")}`, command);
    if (!(OPTION_HELP[option as OptionName] as OptionHelp).value) {
      if (option === "--yes") yes = true;
      else approveBroadening = true;
      continue;
    }
    const value = inline ?? rest[++index];
    if (value === undefined || value === "") throw new UsageError(`${option} needs a value`, command);
    if (option === "--phase") {
      if (!(PHASES as readonly string[]).includes(value)) throw new UsageError(`--phase ${value}: expected one of ${PHASES.join(", ")}`, command);
      phases.push(value as Phase);
    } else if (option === "--backend-config") {
      backendConfig = resolve(cwd, value);
      if (!existsSync(backendConfig) || !statSync(backendConfig).isFile()) throw new UsageError(`--backend-config ${value}: no such file`, command);
      backendSettings = parseBackendConfig(readFileSync(backendConfig, "utf8"), backendConfig);
    } else if (option === "--override") {
      const overrideDir = resolve(cwd, value);
      if (!existsSync(overrideDir) || !statSync(overrideDir).isDirectory()) throw new UsageError(`--override ${value}: no such folder`, command);
      overrides = readOverrideFiles(overrideDir);
    } else if (option === "--service") {
      services.push(value);
    } else if (option === "--since") {
      since = sinceSeconds(value, command);
    } else if (option === "--format") {
      if (!(REVIEW_FORMATS as readonly string[]).includes(value)) throw new UsageError(`--format ${value}: expected one of ${REVIEW_FORMATS.join(", ")}`, command);
      format = value as ReviewFormat;
    } else if (option === "--usage") {
      usageFile = resolve(cwd, value);
    } else if (option === "--account") {
      if (value !== "state" && !(ENVIRONMENT_NAMES as readonly string[]).includes(value)) throw new UsageError(`--account ${value}: expected state or one of ${ENVIRONMENT_NAMES.join(", ")}`, command);
      account = value as CommandOptions["account"];
    } else {
      approve.push(value);
    }
  }
  const allEnvironments = command === "cost" && positional.length === 1 && positional[0] === ALL_ENVIRONMENTS;
  const environment = allEnvironments ? DEFAULT_ENVIRONMENT : environmentArgument(command, positional, variables, account);
  return {
    kind: "run",
    command,
    options: { environment, phases, backendConfig, backendSettings, overrides, format, approvals: { addresses: approve, broadening: approveBroadening }, yes, services, since, usageFile, allEnvironments, account },
  };
}

/** `--since` in seconds; a bad value is a usage error. */
function sinceSeconds(value: string, command: Command): number {
  try {
    return parseSince(value);
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
}

/** The command's environment; bootstrap takes none: an environment account's (`--account <env>`) is synthesized with that environment. */
function environmentArgument(command: Command, positional: readonly string[], variables: NodeJS.ProcessEnv, account: CommandOptions["account"]): EnvironmentName {
  if (command === "bootstrap") {
    if (positional.length) throw new UsageError(`bootstrap takes no environment (the state bucket is per account)`, command);
    if (account !== undefined && account !== "state") return account;
    return variables.SENTRY_ENV?.trim() ? parseEnvironmentName(variables.SENTRY_ENV) : DEFAULT_ENVIRONMENT;
  }
  const names = command === "cost" ? [...ENVIRONMENT_NAMES, ALL_ENVIRONMENTS] : ENVIRONMENT_NAMES;
  if (positional.length !== 1) throw new UsageError(`${command} needs exactly one environment (${names.join(" | ")})`, command);
  if (!(ENVIRONMENT_NAMES as readonly string[]).includes(positional[0])) {
    throw new UsageError(`unknown environment "${positional[0]}"; expected one of ${names.join(", ")}`, command);
  }
  refuseEnvironmentMismatch(variables, positional[0]);
  return positional[0] as EnvironmentName;
}

/** Runs one command line; returns the exit code. Every failure is one line on stderr. */
export async function runCli(argv: readonly string[], io: OpsDependencies, cwd: string = process.cwd()): Promise<number> {
  try {
    const parsed = parseArguments(argv, cwd, io.variables);
    if (parsed.kind === "usage") {
      io.progress(SHORT_USAGE);
      return 1;
    }
    if (parsed.kind === "help") {
      io.print(`${parsed.command ? commandUsage(parsed.command) : USAGE}\n`);
      return 0;
    }
    return await COMMAND_HANDLERS[parsed.command](io, parsed.options);
  } catch (error) {
    if (error instanceof UsageError) {
      io.progress(failureLine(`${error.message} (sentry-ops ${error.command ? `${error.command} ` : ""}--help)`));
      return 1;
    }
    if (error instanceof OpsFailure) {
      io.progress(failureLine(error.message));
      return error.exitCode;
    }
    if (error instanceof ConfigError || error instanceof BackendConfigError || error instanceof OverrideFileError) {
      io.progress(failureLine(error.message));
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
    resolveCredentials: sdkCredentials,
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
