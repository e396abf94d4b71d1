import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";

/**
 * A fake `terraform` for the operator CLI's tests: a node script put first on PATH. It appends one JSON line
 * per call to FAKE_TF_LOG (argv, folder, TF_WORKSPACE, TF_CLI_CONFIG_FILE, SENTRY_ENV, the override files in the
 * folder, start and end times) and plays a tiny Terraform: `output -json` prints FAKE_TF_STATE/<stack>.json
 * (`{}` until the stack is applied), `workspace select` without `-or-create` fails like Terraform for a stack never
 * applied, `plan -out` writes the plan kind (plan, destroy, refresh-only) into the plan
 * file, `show -json` prints FAKE_TF_PLANS/<stack>.<kind>.json or <stack>.json or an empty plan, `apply` of a plan
 * writes (or for a destroy plan removes) the stack's outputs. FAKE_TF_FAIL="<stack>:<subcommand>:<message>"
 * makes that call print the message on stderr and exit 1; FAKE_TF_DELAY_MS slows plan and apply down,
 * FAKE_TF_INIT_DELAY_MS init. A slow
 * call appends a line to FAKE_TF_LOG.started once it listens for signals, and stops like Terraform on SIGINT or
 * SIGTERM: it records the signal, takes a moment to "save state", then exits 1.
 */

const SCRIPT = String.raw`#!/usr/bin/env node
const fs = require("fs");
const path = require("path");
const args = process.argv.slice(2);
const stack = path.basename(process.cwd());
const env = process.env;
const start = Date.now();
const subcommand = args[0];
const log = (extra) =>
  fs.appendFileSync(env.FAKE_TF_LOG, JSON.stringify({
    args, stack, cwd: process.cwd(), workspace: env.TF_WORKSPACE ?? null, cliConfig: env.TF_CLI_CONFIG_FILE ?? null,
    sentryEnv: env.SENTRY_ENV ?? null, scrubbed: Object.keys(env).filter((k) => k === "TF_DATA_DIR" || k.startsWith("TF_CLI_ARGS")), overrides: fs.readdirSync(".").filter((f) => f.endsWith("_override.tf.json")),
    start, end: Date.now(), signal: received, ...extra,
  }) + "\n");
function finish(code, stdout, stderr) {
  log({ code });
  if (stdout) process.stdout.write(stdout);
  if (stderr) process.stderr.write(stderr);
  process.exit(code);
}
const failure = (env.FAKE_TF_FAIL || "").split("\n").map((l) => l.split(":")).find(([s, c]) => s === stack && c === subcommand);
const delay = ["plan", "apply"].includes(subcommand) ? Number(env.FAKE_TF_DELAY_MS || 0) : subcommand === "init" ? Number(env.FAKE_TF_INIT_DELAY_MS || 0) : 0;
let timer;
let received = null;
if (delay) {
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => {
      received = signal;
      clearTimeout(timer);
      setTimeout(() => finish(1, "", "\n│ Error: operation canceled\n"), 300);
    });
  }
  fs.appendFileSync(env.FAKE_TF_LOG + ".started", JSON.stringify({ args, stack, pid: process.pid }) + "\n");
}
timer = setTimeout(() => {
  if (failure) return finish(1, "", "\n│ " + failure.slice(2).join(":").replace(/\\n/g, "\n│ ") + "\n");
  const stateFile = path.join(env.FAKE_TF_STATE, stack + ".json");
  if (subcommand === "workspace" && args[1] === "select" && !args.includes("-or-create=true") && !fs.existsSync(stateFile)) {
    return finish(1, "", "\n│ Error: Workspace \"" + args[args.length - 1] + "\" doesn't exist.\n│ \n│ You can create this workspace with the \"new\" subcommand\n│ or include the \"-or-create\" flag with the \"select\" subcommand.\n");
  }
  if (subcommand === "output") return finish(0, fs.existsSync(stateFile) ? fs.readFileSync(stateFile, "utf8") : "{}\n");
  if (subcommand === "plan") {
    const out = args.find((a) => a.startsWith("-out=")).slice(5);
    const kind = args.includes("-destroy") ? "destroy" : args.includes("-refresh-only") ? "refresh-only" : "plan";
    fs.writeFileSync(out, kind);
    return finish(0, "Plan: fake\n");
  }
  if (subcommand === "show") {
    const kind = fs.readFileSync(args[args.length - 1], "utf8");
    const candidates = [stack + "." + kind + ".json", stack + ".json"].map((f) => path.join(env.FAKE_TF_PLANS, f));
    const found = candidates.find((f) => fs.existsSync(f));
    return finish(0, found ? fs.readFileSync(found, "utf8") : JSON.stringify({ format_version: "1.2", resource_changes: [] }));
  }
  if (subcommand === "apply") {
    const kind = fs.readFileSync(args[args.length - 1], "utf8");
    if (kind === "destroy") fs.rmSync(stateFile, { force: true });
    else fs.writeFileSync(stateFile, JSON.stringify({ deployed: { value: stack, sensitive: false, type: "string" } }));
    return finish(0, "Apply complete!\n");
  }
  finish(0, "");
}, delay);
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
