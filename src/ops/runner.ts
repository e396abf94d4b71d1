import { spawn } from "child_process";

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

/** Runs `binary` (found on the call's PATH) as a child process, stdin from /dev/null: it never waits for input. */
export function processRunner(binary = "terraform"): TerraformRunner {
  return (call) =>
    new Promise((resolve) => {
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      const child = spawn(binary, [...call.args], { cwd: call.cwd, env: call.env, stdio: ["ignore", "pipe", "pipe"] });
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
