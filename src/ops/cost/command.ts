import { readFileSync } from "fs";
import { join } from "path";
import { EnvironmentName, ENVIRONMENT_NAMES, loadEnvironmentConfig } from "../../config";
import { readOperatorSettings } from "../../config/operator";
import { DEFAULT_USAGE, UsageConfig } from "../../config/usage";
import { PHASES, stackName } from "../../stacks/names";
import type { CommandOptions, OpsDependencies } from "../commands";
import { OpsFailure } from "../session";
import { readSynthesized } from "../stacks";
import { costChecks } from "./checks";
import { buildCostReport, CostReport, StackResources } from "./model";
import { buildReviewCost, PlannedStack, ReviewCost } from "./plan-cost";
import { PRICE_TABLES, PriceTable } from "./prices";
import { renderCost } from "./render";
import { applyUsageFile, UsageFileError } from "./usage-file";
import { secondsSince } from "../elapsed";

/**
 * `sentry-ops cost <env>|all`: synthesizes each environment in this process and prices it; no AWS call. Every
 * input is read and checked before the first synth, so bad input prints its one line and nothing else.
 */

/** The environment argument that prices every environment. */
export const ALL_ENVIRONMENTS = "all";

/** The price table of a region; one line naming the region when there is none. */
export function priceTable(region: string): PriceTable {
  const table = PRICE_TABLES[region];
  if (!table) throw new OpsFailure(`cost: no price table for region ${region} (SENTRY_AWS_REGION); tables exist for ${Object.keys(PRICE_TABLES).join(", ")}`);
  return table;
}

function usageOf(environment: EnvironmentName, file: string | undefined, text: string | undefined): UsageConfig {
  if (file === undefined || text === undefined) return DEFAULT_USAGE[environment];
  try {
    return applyUsageFile(DEFAULT_USAGE[environment], text, file);
  } catch (error) {
    if (error instanceof UsageFileError) throw new OpsFailure(error.message);
    throw error;
  }
}

function readUsageFile(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new OpsFailure(`--usage ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** The phase stacks of a synth folder, as pricing reads them (the account's bootstrap stack is no environment's). */
function phaseStacks(environment: EnvironmentName, outdir: string): StackResources[] {
  const synthesized = readSynthesized(environment, outdir);
  return PHASES.map((phase) => {
    const stack = synthesized.stacks.get(stackName(phase, environment));
    if (!stack) throw new OpsFailure(`the synth produced no stack ${stackName(phase, environment)}`);
    const json = JSON.parse(readFileSync(join(stack.folder, "cdk.tf.json"), "utf8")) as Pick<StackResources, "resource">;
    return { stack: stack.name, phase, resource: json.resource };
  });
}

export async function costCommand(io: OpsDependencies, options: CommandOptions): Promise<number> {
  const environments: readonly EnvironmentName[] = options.allEnvironments ? ENVIRONMENT_NAMES : [options.environment];
  const usageText = readUsageFile(options.usageFile);
  const inputs = environments.map((environment) => {
    const config = loadEnvironmentConfig(environment, io.variables);
    return { config, prices: priceTable(config.operator.region), usage: usageOf(environment, options.usageFile, usageText) };
  });
  const reports: CostReport[] = [];
  const checks: string[] = [];
  for (const { config, prices, usage } of inputs) {
    const started = process.hrtime.bigint();
    const outdir = join(io.workDir, "cost", config.name);
    io.synthesize(config, outdir);
    const report = buildCostReport(config.name, phaseStacks(config.name, outdir), prices, usage);
    io.progress(`[sentry-ops] cost ${config.name}: synth and ${report.resources.length} priced resources (${secondsSince(started)} s)`);
    reports.push(report);
    checks.push(...costChecks(config, prices));
  }
  if (options.format === "json") checks.forEach((line) => io.progress(line));
  io.print(renderCost({ reports, checks }, options.format));
  return costExitCode(checks);
}

/** 0 when the guide's cost checks pass, 2 when one fires (as `scaling` and `drift` exit on findings). */
function costExitCode(checks: readonly string[]): 0 | 2 {
  return checks.length ? 2 : 0;
}

/** The review's cost section: the plans priced in the region of the run's settings; none without a price table. */
export function reviewCost(environment: EnvironmentName, stacks: readonly PlannedStack[], variables: NodeJS.ProcessEnv): ReviewCost | undefined {
  const prices = PRICE_TABLES[readOperatorSettings(variables).region];
  return prices ? buildReviewCost(environment, stacks, prices, DEFAULT_USAGE[environment]) : undefined;
}
