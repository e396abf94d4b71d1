import { EnvironmentName } from "../../config/types";
import { UsageConfig } from "../../config/usage";
import { Phase, PHASES } from "../../stacks/names";
import { PriceTable, pricesAsOf } from "./prices";
import { CostComponent, priceResource, PricingContext, Values } from "./rules";

/**
 * The monthly cost of one environment as data: pure functions from the synthesized stacks, a price table and
 * the usage estimate to a report. No I/O, no cdktf: `collect.ts` reads the stacks, `render.ts` prints.
 */

export interface CostedResource {
  readonly stack: string;
  readonly phase: Phase;
  /** `<type>.<name>` as Terraform addresses it. */
  readonly address: string;
  readonly type: string;
  readonly monthly: number;
  readonly components: readonly CostComponent[];
}

/** A resource type with no cost of its own (and why), or one that could not be priced. */
export interface UnpricedType {
  readonly type: string;
  readonly reason: string;
}

export interface CostTotals {
  /** From the configuration alone: hours, resources a month. */
  readonly fixed: number;
  /** From the usage estimate. */
  readonly usage: number;
  readonly total: number;
  readonly byPhase: Readonly<Record<string, number>>;
}

/** The stable JSON of `sentry-ops cost <env> --format json`. */
export interface CostReport {
  readonly environment: EnvironmentName;
  readonly region: string;
  readonly currency: "USD";
  readonly pricesAsOf: string;
  readonly resources: readonly CostedResource[];
  readonly unpriced: readonly UnpricedType[];
  readonly totals: CostTotals;
}

/** The parts of a stack's `cdk.tf.json` pricing reads: resources by type, then by name. */
export interface StackResources {
  readonly stack: string;
  readonly phase: Phase;
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Values>>>>;
}

export const cents = (usd: number): number => Math.round(usd * 100) / 100;
const sum = (values: readonly number[]): number => cents(values.reduce((total, value) => total + value, 0));

function resourcesOf(stacks: readonly StackResources[], type: string): Values[] {
  return stacks.flatMap((stack) => Object.values(stack.resource?.[type] ?? {}));
}

/** `${aws_launch_template.<name>.id}` as the synthesized JSON references it. */
const LAUNCH_TEMPLATE_REFERENCE = /^\$\{aws_launch_template\.([A-Za-z0-9_-]+)\.id\}$/;

/** What pricing needs to know about the environment as a whole, read from its synthesized stacks. */
function synthesizedContext(stacks: readonly StackResources[], prices: PriceTable, usage: UsageConfig): PricingContext {
  const zones = new Set(resourcesOf(stacks, "aws_subnet").map((subnet) => subnet.availability_zone)).size;
  return {
    prices,
    usage,
    zones: Math.max(zones, 1),
    natGateways: resourcesOf(stacks, "aws_nat_gateway").length,
    launchTemplate: (id) => {
      const name = typeof id === "string" ? LAUNCH_TEMPLATE_REFERENCE.exec(id)?.[1] : undefined;
      return name === undefined ? undefined : stacks.map((stack) => stack.resource?.aws_launch_template?.[name]).find((found) => found !== undefined);
    },
  };
}

/** Fixed apart from usage-based, and both together. */
function split(resources: readonly CostedResource[]): { fixed: number; usage: number; total: number } {
  const components = resources.flatMap((resource) => resource.components);
  const fixed = sum(components.filter((c) => !c.usageBased).map((c) => c.monthly));
  const usage = sum(components.filter((c) => c.usageBased).map((c) => c.monthly));
  return { fixed, usage, total: cents(fixed + usage) };
}

const ofPhase = (resources: readonly CostedResource[], phase: Phase) => resources.filter((resource) => resource.phase === phase);

/** Every resource of the phase stacks priced; free and unpriced types listed once each, with their reason. */
export function buildCostReport(environment: EnvironmentName, stacks: readonly StackResources[], prices: PriceTable, usage: UsageConfig): CostReport {
  const context = synthesizedContext(stacks, prices, usage);
  const resources: CostedResource[] = [];
  const unpriced = new Map<string, UnpricedType>();
  for (const stack of stacks) {
    for (const [type, byName] of Object.entries(stack.resource ?? {})) {
      for (const [name, values] of Object.entries(byName)) {
        const pricing = priceResource(type, values, context);
        if (pricing.kind === "priced") {
          resources.push({ stack: stack.stack, phase: stack.phase, address: `${type}.${name}`, type, monthly: sum(pricing.components.map((c) => c.monthly)), components: pricing.components });
        } else {
          unpriced.set(`${type}\0${pricing.reason}`, { type, reason: pricing.kind === "free" ? `free: ${pricing.reason}` : pricing.reason });
        }
      }
    }
  }
  const sorted = [...unpriced.values()].sort((a, b) => a.type.localeCompare(b.type) || a.reason.localeCompare(b.reason));
  const byPhase = Object.fromEntries(PHASES.map((phase) => [phase, split(ofPhase(resources, phase)).total]));
  return { environment, region: prices.region, currency: "USD", pricesAsOf: pricesAsOf(prices), resources, unpriced: sorted, totals: { ...split(resources), byPhase } };
}


/** One phase's fixed and usage-based monthly cost. */
export interface PhaseCost {
  readonly phase: Phase;
  readonly fixed: number;
  readonly usage: number;
  readonly total: number;
}

/** The report's cost per phase, fixed apart from usage-based, in deployment order. */
export function phaseCosts(report: CostReport): PhaseCost[] {
  return PHASES.map((phase) => ({ phase, ...split(ofPhase(report.resources, phase)) }));
}
