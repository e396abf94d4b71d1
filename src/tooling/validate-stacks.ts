import { execFileSync } from "child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { writeTerraformCliConfig } from "../lib/terraform-cli";

/**
 * Validates many synthesized stacks with one start of the aws provider.
 *
 * Each stack's `cdk.tf.json` (backend removed: `init -backend=false` ignores it anyway) becomes a child module of
 * one root configuration, and a single `terraform validate -json` checks them all: Terraform validates every
 * module in full, so a stack that is invalid on its own still fails, and each diagnostic names the file of the
 * stack it came from. The stacks' \`provider\` blocks are lifted out: Terraform starts one provider process per
 * provider configuration (~600 MB, ~1 s of CPU each, measured: 18 stacks with their own blocks cost 30 s of CPU,
 * without 14 s), so the root carries one configuration that every module inherits. The blocks are all written by
 * one class (\`SentryStack\`) and differ only in values; the first stack's is validated at the root, and a stack
 * whose block has other arguments fails under its own name, as an invalid block would.
 */

export interface StackDiagnostic {
  readonly severity: "error" | "warning";
  readonly summary: string;
  readonly detail?: string;
}

export interface ValidationReport {
  /** Diagnostics by stack name; every stack passed in has an entry, empty when valid. */
  readonly byStack: Record<string, StackDiagnostic[]>;
  /** Diagnostics not attributable to one stack (e.g. provider installation). */
  readonly general: StackDiagnostic[];
}

interface TerraformDiagnostic extends StackDiagnostic {
  readonly range?: { readonly filename: string };
}

/** Copies `stacks` (name → folder holding cdk.tf.json) into `workDir` and validates them together. */
export function validateStacks(stacks: Record<string, string>, workDir: string): ValidationReport {
  const modules: Record<string, { source: string }> = {};
  let rootProvider: Record<string, unknown> | undefined;
  const providerShape = (provider: unknown): string => JSON.stringify(Object.entries(provider ?? {}).map(([type, blocks]) => [type, (blocks as object[]).map((block) => Object.keys(block).sort())]));
  const providerMismatches: Record<string, StackDiagnostic[]> = {};
  for (const [name, folder] of Object.entries(stacks)) {
    const target = join(workDir, "stacks", name);
    mkdirSync(target, { recursive: true });
    const config = JSON.parse(readFileSync(join(folder, "cdk.tf.json"), "utf8"));
    delete config.terraform?.backend;
    rootProvider ??= config.provider;
    if (providerShape(config.provider) !== providerShape(rootProvider)) {
      providerMismatches[name] = [{ severity: "error", summary: "Provider block differs in shape from the one validated at the root", detail: providerShape(config.provider) }];
    }
    delete config.provider;
    writeFileSync(join(target, "cdk.tf.json"), JSON.stringify(config));
    for (const entry of readdirSync(folder)) {
      if (entry !== "cdk.tf.json" && !entry.startsWith(".")) cpSync(join(folder, entry), join(target, entry), { recursive: true });
    }
    modules[name.replace(/[^A-Za-z0-9_-]/g, "_")] = { source: `./stacks/${name}` };
  }
  writeFileSync(join(workDir, "main.tf.json"), JSON.stringify({ provider: rootProvider, module: modules }, null, 2));

  const cli = writeTerraformCliConfig();
  const env = { ...process.env, TF_CLI_CONFIG_FILE: cli.path, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
  execFileSync("terraform", ["init", "-backend=false", "-input=false", "-no-color"], { cwd: workDir, env, stdio: "pipe" });
  let output: string;
  try {
    output = execFileSync("terraform", ["validate", "-json", "-no-color"], { cwd: workDir, env, encoding: "utf8" });
  } catch (error) {
    output = (error as { stdout?: string }).stdout ?? "";
    if (!output) throw error;
  }
  const diagnostics: TerraformDiagnostic[] = JSON.parse(output).diagnostics;
  const byStack: Record<string, StackDiagnostic[]> = Object.fromEntries(Object.keys(stacks).map((name) => [name, [...(providerMismatches[name] ?? [])]]));
  const general: StackDiagnostic[] = [];
  for (const diagnostic of diagnostics) {
    const stack = /^stacks\/([^/]+)\//.exec(diagnostic.range?.filename ?? "")?.[1];
    const entry = { severity: diagnostic.severity, summary: diagnostic.summary, detail: diagnostic.detail };
    (stack && byStack[stack] ? byStack[stack] : general).push(entry);
  }
  return { byStack, general };
}
