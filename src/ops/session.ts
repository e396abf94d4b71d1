import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { BackendSettings, REMOTE_STATE_OVERRIDE_FILE, remoteStateOverride } from "./backend-config";
import { OVERRIDE_FILE, OverrideFile } from "./override-files";
import { firstErrorLine, TerraformResult, TerraformRunner } from "./runner";
import { SynthesizedStack } from "./stacks";
import { lockMessage, parseLockError } from "./state-lock";
import { seeTroubleshooting, TroubleshootingSection } from "./troubleshooting";

/** What a command needs from the outside world; tests pass fakes. */
export interface OpsIo {
  /** Folder of the tool's working files: `<workDir>/<env>/{synth,plans,logs}`. */
  readonly workDir: string;
  /** The operator's environment variables (PATH, AWS_*, SENTRY_*, TF_WORKSPACE). */
  readonly variables: NodeJS.ProcessEnv;
  readonly runner: TerraformRunner;
  /** Results (review, outputs, drift): stdout. */
  readonly print: (text: string) => void;
  /** Progress and failure lines: stderr. */
  readonly progress: (line: string) => void;
  /** Asks a question on the terminal and returns the answer. */
  readonly ask: (question: string) => Promise<string>;
}

/** A failure the CLI reports as one line, with its exit code. */
export class OpsFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** A terraform step that failed: its first error line and the log file keeping its full output. */
export class TerraformFailure extends OpsFailure {
  constructor(
    message: string,
    readonly firstError: string,
    readonly log: string,
  ) {
    super(message);
  }
}

/** The last line of a failed command: one line, prefixed like every line the tool itself writes. */
export function failureLine(message: string): string {
  return message.startsWith("sentry-ops:") ? message : `sentry-ops: ${message}`;
}

/** The stack's state has no workspace for the environment: nothing of it was ever deployed there. */
export class WorkspaceMissing extends OpsFailure {}

export interface SessionOptions {
  /** The workspace every command after `init` runs in; undefined for the bootstrap stack (local state). */
  readonly workspace?: string;
  /** `workspace select -or-create` (plan, deploy); otherwise a missing workspace throws `WorkspaceMissing`. */
  readonly createWorkspace: boolean;
  readonly environment: string;
  /** `-backend-config=FILE` for every `init`. */
  readonly backendConfig?: string;
  /** The settings of `backendConfig`: every `terraform_remote_state` read gets them too (a generated override file). */
  readonly backendSettings?: BackendSettings;
  /** The `*_override.tf.json` files of `--override`, laid into every stack folder before `init`. */
  readonly overrides?: readonly OverrideFile[];
  /** TF_CLI_CONFIG_FILE for every call. */
  readonly cliConfigFile: string;
  /** Where a failed call's full output is kept. */
  readonly logDir: string;
}


/** Set by the session itself for every call. */
const OVERRIDDEN_VARIABLES = ["TF_WORKSPACE"];

/**
 * Variables that would change what terraform does behind the tool's back: extra arguments for every or one
 * subcommand (`TF_CLI_ARGS`, `TF_CLI_ARGS_plan`, ...) and another data folder (`TF_DATA_DIR`, where init's
 * backend and workspace live). Terraform never sees them; the session says so once.
 */
export function ignoredVariables(variables: NodeJS.ProcessEnv): string[] {
  return Object.keys(variables)
    .filter((name) => name === "TF_DATA_DIR" || /^TF_CLI_ARGS(_\w+)?$/.test(name))
    .sort();
}

/** An output as `terraform output -json` prints it. */
export interface TerraformOutputValue {
  readonly value: unknown;
  readonly sensitive: boolean;
}

export interface RunOptions {
  /** Run with TF_WORKSPACE set to the session's workspace. @default true */
  readonly workspace?: boolean;
  /** No line when the step succeeds (the caller prints its own). @default false */
  readonly quiet?: boolean;
  /** Also a line when the step starts, for steps that take minutes (plan, apply). @default false */
  readonly announce?: boolean;
  /**
   * Its stdout holds secret values in clear (`state pull`, `show -json`, `output -json`): a failure keeps and
   * reads stderr only, so none of it reaches the log file or the failure line. @default false
   */
  readonly secretOutput?: boolean;
}

/** Runs terraform for the stacks of one command: one line per step, init once per stack, workspace always selected. */
export class Session {
  private readonly prepared = new Map<string, Promise<void>>();
  private readonly knownOutputs = new Map<string, Promise<Record<string, TerraformOutputValue>>>();
  /** The last `init` queued: Terraform's plugin cache is not safe for concurrent use, so inits run one at a time. */
  private initQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly io: OpsIo,
    readonly options: SessionOptions,
  ) {
    const ignored = ignoredVariables(io.variables);
    if (ignored.length) io.progress(`[sentry-ops] ignoring ${ignored.join(", ")}: terraform runs with the tool's own arguments and data folder`);
  }

  private env(selectWorkspace: boolean): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...this.io.variables,
      SENTRY_ENV: this.options.environment,
      TF_CLI_CONFIG_FILE: this.options.cliConfigFile,
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
    };
    for (const name of [...OVERRIDDEN_VARIABLES, ...ignoredVariables(env)]) delete env[name];
    if (selectWorkspace && this.options.workspace) env.TF_WORKSPACE = this.options.workspace;
    return env;
  }

  /** Runs one terraform step in a stack folder; a non-zero exit throws the step's one-line failure. */
  async run(stack: SynthesizedStack, action: string, args: readonly string[], options: RunOptions = {}): Promise<TerraformResult> {
    if (options.announce) this.io.progress(`[${stack.name}] ${action} ...`);
    const result = await this.io.runner({ args, cwd: stack.folder, env: this.env(options.workspace ?? true) });
    if (result.code !== 0) throw this.failure(stack, action, options.secretOutput ? { ...result, stdout: "" } : result);
    if (!options.quiet) this.io.progress(`[${stack.name}] ${action} (${result.seconds.toFixed(1)} s)`);
    return result;
  }

  private failure(stack: SynthesizedStack, action: string, result: TerraformResult): TerraformFailure {
    mkdirSync(this.options.logDir, { recursive: true, mode: 0o700 });
    const log = join(this.options.logDir, `${stack.name}.${action.replace(/\W+/g, "-")}.log`);
    writeFileSync(log, `${result.stdout}\n${result.stderr}`, { mode: 0o600 });
    const lock = parseLockError(`${result.stderr}\n${result.stdout}`);
    const explained = lock ? lockMessage(lock, stack.folder, this.options.workspace) : explainError(result, this.options.environment);
    const section = troubleshootingSection(result, action);
    return new TerraformFailure(`[${stack.name}] ${action} failed: ${explained} (full output: ${log})${section ? seeTroubleshooting(section) : ""}`, firstErrorLine(result), log);
  }

  /** Lays the override files in, then `init -reconfigure` (no TF_WORKSPACE) and `workspace select`; once per stack. */
  prepare(stack: SynthesizedStack): Promise<void> {
    let done = this.prepared.get(stack.name);
    if (!done) {
      done = this.initialize(stack);
      this.prepared.set(stack.name, done);
    }
    return done;
  }

  private async initialize(stack: SynthesizedStack): Promise<void> {
    this.layOverrides(stack);
    const backend = this.options.backendConfig ? [`-backend-config=${this.options.backendConfig}`] : [];
    // -reconfigure: the backend settings are exactly this run's (none lingers from .terraform/ of an earlier
    // run, e.g. another account's profile), and changing them is not a state migration (the state is remote).
    const init = this.initQueue.then(() => this.run(stack, "init", ["init", "-reconfigure", "-input=false", "-no-color", ...backend], { workspace: false }));
    this.initQueue = init.catch(() => undefined);
    await init;
    const workspace = this.options.workspace;
    if (!workspace) return;
    const create = this.options.createWorkspace ? ["-or-create=true"] : [];
    try {
      await this.run(stack, `workspace ${workspace}`, ["workspace", "select", ...create, workspace], { workspace: false });
    } catch (error) {
      if (error instanceof OpsFailure && !create.length && /workspace .* doesn't exist/i.test(error.message)) {
        throw new WorkspaceMissing(`[${stack.name}] not deployed: its state has no workspace ${workspace}`);
      }
      throw error;
    }
  }

  /**
   * Exactly the override files of this run (none without options): those of `--override`, then the one that
   * gives the stack's remote-state reads the `--backend-config` settings. An earlier run's files never linger.
   * A folder that only reads state gets each file's `terraform.backend` blocks alone (`OverrideFile.backends`).
   */
  private layOverrides(stack: SynthesizedStack): void {
    for (const file of readdirSync(stack.folder).filter((name) => OVERRIDE_FILE.test(name))) rmSync(join(stack.folder, file));
    for (const file of this.options.overrides ?? []) {
      if (!stack.stateOnly) writeFileSync(join(stack.folder, file.name), file.content, { mode: 0o600 });
      else if (file.backends.length) writeFileSync(join(stack.folder, file.name), `${JSON.stringify({ terraform: file.backends.map((backend) => ({ backend })) }, null, 2)}\n`, { mode: 0o600 });
    }
    if (!this.options.backendSettings) return;
    const override = remoteStateOverride(JSON.parse(readFileSync(join(stack.folder, "cdk.tf.json"), "utf8")), this.options.backendSettings);
    if (override) writeFileSync(join(stack.folder, REMOTE_STATE_OVERRIDE_FILE), `${JSON.stringify(override, null, 2)}\n`, { mode: 0o600 });
  }

  /** The stack's outputs in the selected workspace (`{}` when it was never deployed), read once until it is applied. */
  outputs(stack: SynthesizedStack): Promise<Record<string, TerraformOutputValue>> {
    let outputs = this.knownOutputs.get(stack.name);
    if (!outputs) {
      outputs = this.prepare(stack)
        .then(() => this.run(stack, "output", ["output", "-json", "-no-color"], { quiet: true, secretOutput: true }))
        .then(
          (result) => parseOutputs(stack, result.stdout),
          (error: unknown) => {
            if (error instanceof WorkspaceMissing) return {};
            throw error;
          },
        );
      this.knownOutputs.set(stack.name, outputs);
    }
    return outputs;
  }

  /** After an apply: the next `outputs` reads them again. */
  forgetOutputs(stack: SynthesizedStack): void {
    this.knownOutputs.delete(stack.name);
  }
}

/** `terraform output -json`; unparsable output fails with a fixed line (outputs can hold secrets: never quoted). */
function parseOutputs(stack: SynthesizedStack, stdout: string): Record<string, TerraformOutputValue> {
  try {
    return JSON.parse(stdout.trim() || "{}") as Record<string, TerraformOutputValue>;
  } catch {
    throw new OpsFailure(`[${stack.name}] terraform output -json printed something that is not JSON`);
  }
}

const PREVENT_DESTROY = /Resource (\S+) has lifecycle\.prevent_destroy set/;
const DELETION_PROTECTION = /deletion protection|deletion_protection|protected against deletion|RepositoryNotEmptyException|contains images/i;
const WITH_ADDRESS = /with (\w+\.[\w.[\]"-]+),/;

/** Terraform's error text as one line: box drawing removed, wrapped lines (78 columns without a terminal) joined. */
function unwrapped(text: string): string {
  return text
    .split("\n")
    .map((line) => line.replace(/^[\s│╷╵]+/, "").trim())
    .filter(Boolean)
    .join(" ");
}

/** Terraform's errors for AWS credentials it found none of, or that AWS refused (the provider's and the S3 backend's). */
const CREDENTIALS_ERROR =
  /No valid credential sources found|ExpiredToken|InvalidClientTokenId|UnrecognizedClientException|security token included in the request is (?:expired|invalid)|SSO session .*(?:expired|invalid)|failed to refresh cached credentials/i;
/** What to do about them, named in the failure line. */
const CREDENTIALS_FIX = "set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or renew the session (aws sso login)";
/** The workspace guard's precondition (src/constructs/guards/workspace-guard.ts): the wrong workspace is selected. */
const WRONG_WORKSPACE = /This configuration was synthesized for the "[^"]+" workspace but the selected workspace is/;
/** AWS refusing a name another resource (another stack's, or another workspace's) already holds. */
const NAME_TAKEN = /already exists|AlreadyExists|BucketAlreadyOwnedByYou/;
/** The aws provider waiting for a DNS-validated certificate that is not issued. */
const CERTIFICATE_NOT_ISSUED = /waiting for ACM Certificate \(.*?\) to be issued/;
/** AWS refusing to delete what something else still uses. */
const STILL_IN_USE = /DependencyViolation|has a dependent object|has dependencies and cannot be deleted/i;
/** Terraform refusing a saved plan whose state moved: nothing was applied. */
const STALE_PLAN = /Saved plan is stale/i;
/** The steps that change resources: a failure leaves the phase half-applied. */
const APPLYING_ACTIONS = ["apply", "destroy"];

/** The section of docs/troubleshooting.md a failed step belongs to, when it has one. */
function troubleshootingSection(result: Pick<TerraformResult, "stdout" | "stderr">, action: string): TroubleshootingSection | undefined {
  const text = unwrapped(`${result.stderr}\n${result.stdout}`);
  if (parseLockError(`${result.stderr}\n${result.stdout}`)) return "held-state-lock";
  if (CREDENTIALS_ERROR.test(text)) return "credentials-missing-or-expired";
  if (WRONG_WORKSPACE.test(text) || NAME_TAKEN.test(text)) return "export-already-exists";
  if (CERTIFICATE_NOT_ISSUED.test(text)) return "certificate-pending";
  if (STILL_IN_USE.test(text) || PREVENT_DESTROY.test(text) || DELETION_PROTECTION.test(text)) return "dependency-violation";
  return APPLYING_ACTIONS.includes(action) && !STALE_PLAN.test(text) ? "a-phase-half-applied" : undefined;
}

/** The first Terraform error line, or a line naming the fix for the errors operators meet most. */
export function explainError(result: Pick<TerraformResult, "stdout" | "stderr">, environment: string): string {
  const text = unwrapped(`${result.stderr}\n${result.stdout}`);
  if (CREDENTIALS_ERROR.test(text)) return `AWS credentials missing or expired (${firstErrorLine(result)}); ${CREDENTIALS_FIX}`;
  if (STALE_PLAN.test(text)) {
    return `the saved plan is stale: the state changed since it was planned; run \`sentry-ops plan ${environment}\` and review again`;
  }
  const protectedAddress = PREVENT_DESTROY.exec(text)?.[1] ?? (DELETION_PROTECTION.test(text) ? (WITH_ADDRESS.exec(text)?.[1] ?? "a resource") : undefined);
  if (protectedAddress) {
    return `${protectedAddress} is protected against deletion; ${protectDataFix(environment)} (${firstErrorLine(result)})`;
  }
  return firstErrorLine(result);
}

/** The switch to flip before a protected resource can be destroyed. */
export function protectDataFix(environment: string): string {
  return `set protectData: false for ${environment} in src/config/environments.ts, deploy, then destroy again`;
}
