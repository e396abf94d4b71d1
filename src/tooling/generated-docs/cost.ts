import { DEFAULT_USAGE } from "../../config/usage";
import { buildCostReport, StackResources } from "../../ops/cost/model";
import { PRICE_TABLES } from "../../ops/cost/prices";
import { renderPhaseTable } from "../../ops/cost/render";
import { DocumentedEnvironment } from "./synthesized";

/** docs/cost.md's table: each environment's monthly cost by phase, fixed apart from usage, as `sentry-ops cost all` prints it. */
export function renderCostTable(environments: readonly DocumentedEnvironment[]): string {
  const reports = environments.map(({ environment, stacks }) => {
    const phases = stacks.flatMap((stack): StackResources[] => (stack.phase ? [{ stack: stack.name, phase: stack.phase, resource: stack.json.resource }] : []));
    return buildCostReport(environment, phases, PRICE_TABLES["us-east-1"], DEFAULT_USAGE[environment]);
  });
  return renderPhaseTable(reports);
}
