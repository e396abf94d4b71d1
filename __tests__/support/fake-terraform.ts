import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, appendFileSync, rmSync, writeFileSync } from "fs";
import { basename, join, resolve } from "path";
import { TerraformRunner } from "../../src/ops/runner";

/**
 * A fake `terraform` for the operator CLI's tests. It appends one JSON line per call to FAKE_TF_LOG (argv,
 * folder, TF_WORKSPACE, TF_CLI_CONFIG_FILE, SENTRY_ENV, the override files in the folder, start and end times)
 * and plays a tiny Terraform: `output -json` prints FAKE_TF_STATE/<stack>.json (`{}` until the stack is
 * applied), `workspace select` without `-or-create` fails like Terraform for a stack never applied, `plan -out`
 * writes the plan kind (plan, destroy, refresh-only) into the plan file, `show -json` prints
 * FAKE_TF_PLANS/<stack>.<kind>.json or <stack>.json or an empty plan, `apply` of a plan writes (or for a destroy
 * plan removes) the stack's outputs, `state pull` prints FAKE_TF_STATE/<stack>.tfstate (nothing without it). FAKE_TF_FAIL="<stack>:<subcommand>:<message>" makes that call print the
 * message on stderr and exit 1; FAKE_TF_DELAY_MS slows plan and apply down, FAKE_TF_INIT_DELAY_MS init.
 *
 * One implementation, two ways to run it:
 * - `fakeRunner()`: in the test's process, through the commands' runner seam (no process per call: a
 *   command's ~25 calls cost milliseconds instead of seconds). Every FAKE_TF_* setting arrives through the
 *   call's environment, exactly as the binary reads it.
 * - the binary `installFakeTerraform` puts first on PATH, for `processRunner` and the CLI as a process. A slow
 *   call appends a line to FAKE_TF_LOG.started once it listens for signals, and stops like Terraform on SIGINT
 *   or SIGTERM: it records the signal, takes a moment to "save state", then exits 1.
 */

interface FakeRequest {
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

interface FakeResponse {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** How long the call takes before it answers. */
function delayOf({ args, env }: FakeRequest): number {
  if (["plan", "apply"].includes(args[0])) return Number(env.FAKE_TF_DELAY_MS || 0);
  return args[0] === "init" ? Number(env.FAKE_TF_INIT_DELAY_MS || 0) : 0;
}

/** What the tiny Terraform answers, with its side effects on the fake state and plan files. */
function respond({ args, cwd, env }: FakeRequest): FakeResponse {
  const stack = basename(cwd);
  const subcommand = args[0];
  const done = (code: number, stdout = "", stderr = ""): FakeResponse => ({ code, stdout, stderr });
  const failure = (env.FAKE_TF_FAIL || "")
    .split("\n")
    .map((line) => line.split(":"))
    .find(([s, c]) => s === stack && c === subcommand);
  if (failure) return done(1, "", `\n│ ${failure.slice(2).join(":").replace(/\\n/g, "\n│ ")}\n`);
  const stateFile = join(env.FAKE_TF_STATE as string, `${stack}.json`);
  const last = args[args.length - 1];
  if (subcommand === "workspace" && args[1] === "select" && !args.includes("-or-create=true") && !existsSync(stateFile)) {
    return done(1, "", `\n│ Error: Workspace "${last}" doesn't exist.\n│ \n│ You can create this workspace with the "new" subcommand\n│ or include the "-or-create" flag with the "select" subcommand.\n`);
  }
  if (subcommand === "output") return done(0, existsSync(stateFile) ? readFileSync(stateFile, "utf8") : "{}\n");
  if (subcommand === "state" && args[1] === "pull") {
    const pulled = join(env.FAKE_TF_STATE as string, `${stack}.tfstate`);
    return done(0, existsSync(pulled) ? readFileSync(pulled, "utf8") : "");
  }
  const inFolder = (file: string) => resolve(cwd, file);
  if (subcommand === "plan") {
    const out = (args.find((arg) => arg.startsWith("-out=")) as string).slice(5);
    const kind = args.includes("-destroy") ? "destroy" : args.includes("-refresh-only") ? "refresh-only" : "plan";
    writeFileSync(inFolder(out), kind);
    return done(0, "Plan: fake\n");
  }
  if (subcommand === "show") {
    const kind = readFileSync(inFolder(last), "utf8");
    const found = [`${stack}.${kind}.json`, `${stack}.json`].map((file) => join(env.FAKE_TF_PLANS as string, file)).find((file) => existsSync(file));
    return done(0, found ? readFileSync(found, "utf8") : JSON.stringify({ format_version: "1.2", resource_changes: [] }));
  }
  if (subcommand === "apply") {
    const kind = readFileSync(inFolder(last), "utf8");
    if (kind === "destroy") rmSync(stateFile, { force: true });
    else writeFileSync(stateFile, JSON.stringify({ deployed: { value: stack, sensitive: false, type: "string" } }));
    return done(0, "Apply complete!\n");
  }
  return done(0);
}

function log(request: FakeRequest, extra: { start: number; end: number; code: number; signal: string | null }): void {
  const { args, cwd, env } = request;
  const call: FakeCall = {
    args: [...args],
    stack: basename(cwd),
    cwd,
    workspace: env.TF_WORKSPACE ?? null,
    cliConfig: env.TF_CLI_CONFIG_FILE ?? null,
    sentryEnv: env.SENTRY_ENV ?? null,
    scrubbed: Object.keys(env).filter((name) => name === "TF_DATA_DIR" || name.startsWith("TF_CLI_ARGS")),
    overrides: readdirSync(cwd).filter((file) => file.endsWith("_override.tf.json")),
    ...extra,
  };
  appendFileSync(env.FAKE_TF_LOG as string, `${JSON.stringify(call)}\n`);
}

/** The fake in this process, as the commands' runner: same answers, same log, no process per call. */
export function fakeRunner(): TerraformRunner {
  return async (call) => {
    const start = Date.now();
    const delay = delayOf(call);
    if (delay) await new Promise((wake) => setTimeout(wake, delay));
    const response = respond(call);
    log(call, { start, end: Date.now(), code: response.code, signal: null });
    return { ...response, seconds: (Date.now() - start) / 1000 };
  };
}

/** The binary's main: this process is one terraform call. */
export function runAsProcess(): void {
  const request: FakeRequest = { args: process.argv.slice(2), cwd: process.cwd(), env: process.env };
  const start = Date.now();
  const delay = delayOf(request);
  let received: string | null = null;
  const finish = (response: FakeResponse) => {
    log(request, { start, end: Date.now(), code: response.code, signal: received });
    if (response.stdout) process.stdout.write(response.stdout);
    if (response.stderr) process.stderr.write(response.stderr);
    process.exit(response.code);
  };
  if (!delay) return finish(respond(request));
  const timer = setTimeout(() => finish(respond(request)), delay);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      received = signal;
      clearTimeout(timer);
      setTimeout(() => finish({ code: 1, stdout: "", stderr: "\n│ Error: operation canceled\n" }), 300);
    });
  }
  appendFileSync(`${request.env.FAKE_TF_LOG}.started`, `${JSON.stringify({ args: request.args, stack: basename(request.cwd), pid: process.pid })}\n`);
}

/** The binary: the project's transpile-only loader, then this file's `runAsProcess`. */
const SCRIPT = `#!/usr/bin/env node
require(${JSON.stringify(resolve(__dirname, "..", "..", "src", "lib", "register.js"))});
require(${JSON.stringify(__filename)}).runAsProcess();
`;

export interface FakeTerraform {
  /** Put first on PATH. */
  readonly binDir: string;
  readonly log: string;
  /** `<stack>.json`: what `terraform output -json` prints (the stack counts as deployed when not empty). */
  readonly stateDir: string;
  /** `<stack>.json` / `<stack>.<kind>.json`: what `show -json` prints. */
  readonly plansDir: string;
}

export interface FakeCall {
  readonly args: string[];
  readonly stack: string;
  readonly cwd: string;
  readonly workspace: string | null;
  readonly cliConfig: string | null;
  readonly sentryEnv: string | null;
  /** TF_DATA_DIR / TF_CLI_ARGS* the call saw (the tool must scrub them). */
  readonly scrubbed: string[];
  readonly overrides: string[];
  readonly start: number;
  readonly end: number;
  readonly code: number;
  /** The signal a slow call received, if any. */
  readonly signal: string | null;
}

export function installFakeTerraform(dir: string): FakeTerraform {
  const fake = { binDir: join(dir, "bin"), log: join(dir, "terraform-calls.log"), stateDir: join(dir, "state"), plansDir: join(dir, "plans") };
  for (const folder of [fake.binDir, fake.stateDir, fake.plansDir]) mkdirSync(folder, { recursive: true });
  writeFileSync(join(fake.binDir, "terraform"), SCRIPT);
  chmodSync(join(fake.binDir, "terraform"), 0o755);
  writeFileSync(fake.log, "");
  return fake;
}

/** The environment variables the fake reads. */
export function fakeVariables(fake: FakeTerraform): NodeJS.ProcessEnv {
  return { PATH: `${fake.binDir}:${process.env.PATH}`, FAKE_TF_LOG: fake.log, FAKE_TF_STATE: fake.stateDir, FAKE_TF_PLANS: fake.plansDir };
}

export function fakeCalls(fake: FakeTerraform): FakeCall[] {
  if (!existsSync(fake.log)) return [];
  return readFileSync(fake.log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as FakeCall);
}

/** Marks stacks as deployed (non-empty outputs). */
export function markDeployed(fake: FakeTerraform, stacks: readonly string[]): void {
  for (const stack of stacks) writeFileSync(join(fake.stateDir, `${stack}.json`), JSON.stringify({ deployed: { value: stack, sensitive: false, type: "string" } }));
}
