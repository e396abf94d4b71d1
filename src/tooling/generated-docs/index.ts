import { readFileSync } from "fs";
import { join } from "path";
import { ENVIRONMENTS } from "../../config/environments";
import { renderDiagram, renderMainResources, renderOutputs, renderResourceCounts } from "./architecture";
import { EnvironmentName } from "../../config";
import { ResolvedEnvironment, resolveScalingProfiles } from "../../config/profiles";
import { renderParameterTables, renderScalingProfiles, renderVariables } from "./configuration";
import { renderCostTable } from "./cost";
import { fillGeneratedBlocks } from "./markers";
import { renderQueues, renderSecrets, renderTables } from "./resources";
import { DocumentedEnvironment } from "./synthesized";
import { VARIABLE_READERS } from "./variables";

/** The project root: the files below are relative to it. */
export const ROOT = join(__dirname, "..", "..", "..");

/** Every environment as stacks see it: scaling profiles resolved to numbers. */
export const RESOLVED_ENVIRONMENTS = Object.fromEntries(Object.entries(ENVIRONMENTS).map(([name, definition]) => [name, resolveScalingProfiles(definition)])) as Record<EnvironmentName, ResolvedEnvironment>;

/** Each file with generated blocks, and the blocks it holds, from one synth per environment. */
export function generatedBlocks(environments: readonly DocumentedEnvironment[]): Readonly<Record<string, Readonly<Record<string, string>>>> {
  const diagram = renderDiagram(environments);
  return {
    "README.md": { diagram },
    "docs/architecture.md": {
      diagram,
      outputs: renderOutputs(environments),
      "resource-counts": renderResourceCounts(environments),
      "main-resources": renderMainResources(environments),
      queues: renderQueues(RESOLVED_ENVIRONMENTS),
      tables: renderTables(RESOLVED_ENVIRONMENTS),
      secrets: renderSecrets(RESOLVED_ENVIRONMENTS),
    },
    "docs/configuration.md": {
      parameters: renderParameterTables(RESOLVED_ENVIRONMENTS),
      "scaling-profiles": renderScalingProfiles(ENVIRONMENTS),
      variables: renderVariables(VARIABLE_READERS),
    },
    "docs/cost.md": { "cost-per-phase": renderCostTable(environments) },
  };
}

/** What `npm run docs` writes: each file's committed text with its generated blocks filled in. */
export function renderDocs(environments: readonly DocumentedEnvironment[], root: string = ROOT): Map<string, string> {
  return new Map(
    Object.entries(generatedBlocks(environments)).map(([file, blocks]) => [file, fillGeneratedBlocks(file, readFileSync(join(root, file), "utf8"), blocks)]),
  );
}
