import { ChildProcess, spawn } from "child_process";

/** One terraform invocation: arguments, working folder and the complete environment it runs with. */
export interface TerraformCall {
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** The seam every command runs terraform through; tests put a fake `terraform` first on the PATH they pass. */
export type TerraformRunner = (call: TerraformCall) => Promise<TerraformResult>;

/** Exit code of a process stopped by Ctrl-C (128 + SIGINT). */
export const INTERRUPTED_EXIT_CODE = 130;

/**
 * The terraform processes running now. Each runs in its own process group, so a Ctrl-C on the terminal reaches
 * this process only; `interrupt` forwards it exactly once (a second interrupt makes Terraform quit without
 * saving state or releasing its lock) and refuses every later call.
 */
export class RunningTerraform {
  private readonly children = new Map<ChildProcess, Promise<void>>();
  private stopSignal?: NodeJS.Signals;

  get interrupted(): boolean {
    return this.stopSignal !== undefined;
  }

  track(child: ChildProcess): void {
    const exited = new Promise<void>((done) => {
      child.once("close", () => done());
      child.once("error", () => done());
    }).then(() => {
      this.children.delete(child);
    });
    this.children.set(child, exited);
  }

  /** Forwards `signal` to every running terraform once; resolves when all of them have exited. */
  async interrupt(signal: NodeJS.Signals): Promise<void> {
    if (!this.stopSignal) {
      this.stopSignal = signal;
      for (const child of this.children.keys()) child.kill(signal);
    }
    while (this.children.size) await Promise.all(this.children.values());
  }
}

/**
 * Runs `binary` (found on the call's PATH) as a child process, stdin from /dev/null: it never waits for input.
 * Output is read until the process exits, even after an interrupt, so Terraform never writes into a closed pipe.
 */
export function processRunner(binary = "terraform", running: RunningTerraform = new RunningTerraform()): TerraformRunner {
  return (call) =>
    new Promise((resolve) => {
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      if (running.interrupted) {
        resolve({ code: INTERRUPTED_EXIT_CODE, stdout: "", stderr: "Error: interrupted: terraform was not started", seconds: 0 });
        return;
      }
      const child = spawn(binary, [...call.args], { cwd: call.cwd, env: call.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
      running.track(child);
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
      child.on("error", (error) => resolve({ code: 127, stdout: "", stderr: `Error: cannot run ${binary}: ${error.message}`, seconds: seconds() }));
      child.on("close", (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8"), seconds: seconds() }));
    });
}

const ANSI_ESCAPE = /\u001b\[[0-9;]*m/g;

/** The first line of Terraform's error output, without the box drawing (`│ Error: ...`). */
export function firstErrorLine(result: Pick<TerraformResult, "stdout" | "stderr">): string {
  const lines = `${result.stderr}\n${result.stdout}`
    .split("\n")
    .map((line) => line.replace(ANSI_ESCAPE, "").replace(/^[\s│╷╵]+/, "").trim())
    .filter(Boolean);
  return lines.find((line) => line.startsWith("Error:")) ?? lines[0] ?? "terraform failed without a message";
}
