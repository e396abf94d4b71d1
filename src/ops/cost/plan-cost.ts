import { ENVIRONMENTS } from "../../config/environments";
import { EnvironmentName } from "../../config/types";
import { UsageConfig } from "../../config/usage";
import { PlanJson, PlanResourceChange } from "../review/plan-json";
import { reviewAction, ReviewAction } from "../review/model";
import { cents } from "./model";
import { PriceTable } from "./prices";
import { priceResource, PricingContext, Values } from "./rules";

/**
 * The monthly cost change of saved plans, for the review: each changed billable resource priced before and
 * after (a replacement is one resource, a destroy goes to zero). Pure: plan JSON in, figures out.
 */

export interface ResourceCostChange {
  readonly stack: string;
  readonly address: string;
  readonly type: string;
  readonly action: ReviewAction;
  readonly monthlyBefore: number;
  readonly monthlyAfter: number;
  readonly monthlyDelta: number;
}

export interface ReviewCost {
  readonly monthlyBefore: number;
  readonly monthlyAfter: number;
  readonly monthlyDelta: number;
  readonly resources: readonly ResourceCostChange[];
}

/** A stack's saved plan, when it has one. */
export interface PlannedStack {
  readonly stack: string;
  readonly plan?: PlanJson;
}

const objectOf = (value: unknown): Values => (value && typeof value === "object" ? (value as Values) : {});

/** The launch template an Auto Scaling group's configuration references (`aws_launch_template.<name>`), by address. */
function referencedTemplate(plan: PlanJson, address: string): string | undefined {
  const resource = plan.configuration?.root_module?.resources?.find((candidate) => candidate.address === address);
  const launchTemplate = resource?.expressions?.launch_template;
  const id = objectOf(Array.isArray(launchTemplate) ? launchTemplate[0] : launchTemplate).id;
  const references = objectOf(id).references;
  return Array.isArray(references) ? references.map(String).find((reference) => /^aws_launch_template\.[^.]+$/.test(reference)) : undefined;
}

type Side = "before" | "after";

/** Pricing context of one side of one change: a launch template found by id, else by the configuration's reference. */
function planContext(plans: readonly PlanJson[], plan: PlanJson, change: PlanResourceChange, side: Side, base: Omit<PricingContext, "launchTemplate">): PricingContext {
  const templates = plans.flatMap((candidate) => (candidate.resource_changes ?? []).filter((c) => c.type === "aws_launch_template"));
  return {
    ...base,
    launchTemplate: (id) => {
      const byId = templates.map((c) => objectOf(c.change[side])).find((values) => id !== undefined && values.id === id);
      if (byId) return byId;
      const reference = referencedTemplate(plan, change.address);
      const template = templates.find((c) => c.address === reference);
      return template ? objectOf(template.change[side]) : undefined;
    },
  };
}

function monthly(type: string, values: unknown, context: PricingContext): number {
  if (!values || typeof values !== "object") return 0;
  const pricing = priceResource(type, values as Values, context);
  return pricing.kind === "priced" ? cents(pricing.components.reduce((total, c) => total + c.monthly, 0)) : 0;
}

const CHANGING: readonly ReviewAction[] = ["create", "update", "replace", "delete"];

export function buildReviewCost(environment: EnvironmentName, stacks: readonly PlannedStack[], prices: PriceTable, usage: UsageConfig): ReviewCost {
  const network = ENVIRONMENTS[environment].network;
  const zones = network.availabilityZones.length;
  const base = { prices, usage, zones, natGateways: network.natGateways === "per-az" ? zones : 1 };
  const plans = stacks.flatMap((stack) => (stack.plan ? [stack.plan] : []));
  const resources: ResourceCostChange[] = [];
  for (const { stack, plan } of stacks) {
    if (!plan) continue;
    for (const change of plan.resource_changes ?? []) {
      const action = reviewAction(change.change.actions);
      if (change.mode !== "managed" || change.deposed || !action || !CHANGING.includes(action)) continue;
      const before = action === "create" ? 0 : monthly(change.type, change.change.before, planContext(plans, plan, change, "before", base));
      const after = action === "delete" ? 0 : monthly(change.type, change.change.after, planContext(plans, plan, change, "after", base));
      if (before === after && (action === "update" || before === 0)) continue;
      resources.push({ stack, address: change.address, type: change.type, action, monthlyBefore: before, monthlyAfter: after, monthlyDelta: cents(after - before) });
    }
  }
  const total = (pick: (r: ResourceCostChange) => number) => cents(resources.reduce((sum, r) => sum + pick(r), 0));
  return { monthlyBefore: total((r) => r.monthlyBefore), monthlyAfter: total((r) => r.monthlyAfter), monthlyDelta: total((r) => r.monthlyDelta), resources };
}
