import { PlanJson, StateResource } from "../review/plan-json";
import { ruleTexts } from "../review/security";
import { TerraformState } from "../status/state";

/**
 * Security group rules that exist in AWS but that no resource manages. A group whose configuration sets no
 * inline `ingress` (or `egress`) leaves that direction to rule resources, possibly in another phase; the
 * refreshed group then lists every rule AWS has, and a plan never removes one added by hand. Everything here
 * comes from the plans' `prior_state` (the refreshed state) and `configuration` blocks; rule text goes
 * through `showValue` (`ruleTexts`).
 */

const GROUP_TYPES: readonly string[] = ["aws_security_group", "aws_default_security_group"];
const RULE_RESOURCE_TYPES: readonly string[] = ["aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule", "aws_security_group_rule"];
const DIRECTIONS = ["ingress", "egress"] as const;

export interface UnmanagedRules {
  readonly stack: string;
  readonly address: string;
  readonly type: string;
  /** `ingress tcp 22 from 0.0.0.0/0`, one per rule and source. */
  readonly rules: readonly string[];
}

interface PlannedStack {
  readonly stack: string;
  readonly plan?: PlanJson;
}

const stateResources = (plan: PlanJson | undefined): readonly StateResource[] => plan?.prior_state?.values?.root_module?.resources ?? [];
const stringAt = (values: unknown, key: string): string | undefined => {
  const value = values && typeof values === "object" ? (values as Record<string, unknown>)[key] : undefined;
  return typeof value === "string" ? value : undefined;
};

/** A rule that references its own group reads back as `self` on the group. */
function withSelf(rule: string, groupId: string): string[] {
  const suffix = new RegExp(` (from|to) ${groupId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
  return suffix.test(rule) ? [rule, rule.replace(suffix, " $1 self")] : [rule];
}

/** Rule texts per group id, from every rule resource in the refreshed state of every plan and in `others`. */
function managedRules(stacks: readonly PlannedStack[], others: readonly StateResource[]): Map<string, Set<string>> {
  const byGroup = new Map<string, Set<string>>();
  for (const resource of [...stacks.flatMap((entry) => stateResources(entry.plan)), ...others]) {
    const groupId = stringAt(resource.values, "security_group_id");
    if (!resource.type || !RULE_RESOURCE_TYPES.includes(resource.type) || !groupId) continue;
    const rules = byGroup.get(groupId) ?? new Set<string>();
    for (const rule of ruleTexts(resource.type, resource.values, { sensitive: resource.sensitive_values })) withSelf(rule, groupId).forEach((text) => rules.add(text));
    byGroup.set(groupId, rules);
  }
  return byGroup;
}

/** `aws_security_group.app[0]` or `aws_security_group.app["a"]` (count, for_each) → `aws_security_group.app`, as the `configuration` block names it. */
function configurationAddress(address: string): string {
  return address.replace(/\[(?:\d+|"(?:[^"\\]|\\.)*")\]$/, "");
}

/** Directions whose rules the configuration of the group sets inline (the plan reverts any other rule there). */
function inlineDirections(plan: PlanJson, address: string): string[] {
  const configured = (plan.configuration?.root_module?.resources ?? []).find((resource) => resource.address === configurationAddress(address));
  return DIRECTIONS.filter((direction) => configured?.expressions?.[direction] !== undefined);
}

/**
 * Per managed security group of the planned stacks: the rules AWS has that neither an inline block nor a rule
 * resource manages. `others`: the resources of the phases not planned (their rule resources count as managing).
 */
export function unmanagedRules(stacks: readonly PlannedStack[], others: readonly StateResource[] = []): UnmanagedRules[] {
  const managed = managedRules(stacks, others);
  return stacks.flatMap((entry) => {
    const plan = entry.plan;
    if (!plan) return [];
    return stateResources(plan).flatMap((group): UnmanagedRules[] => {
      const groupId = stringAt(group.values, "id");
      if (!group.type || !GROUP_TYPES.includes(group.type) || !group.address || !groupId) return [];
      const inline = inlineDirections(plan, group.address);
      const known = managed.get(groupId) ?? new Set<string>();
      const rules = ruleTexts(group.type, group.values, { sensitive: group.sensitive_values }).filter(
        (rule) => !inline.some((direction) => rule.startsWith(`${direction} `)) && !known.has(rule),
      );
      return rules.length ? [{ stack: entry.stack, address: group.address, type: group.type, rules }] : [];
    });
  });
}

/** The rule resources of a state (`terraform state pull`), as a plan's state representation holds them. */
export function stateRuleResources(state: TerraformState | undefined): StateResource[] {
  return (state?.resources ?? [])
    .filter((resource) => resource.mode === "managed" && RULE_RESOURCE_TYPES.includes(resource.type))
    .flatMap((resource) => (resource.instances ?? []).map((instance): StateResource => ({ mode: "managed", type: resource.type, values: instance.attributes ?? {}, sensitive_values: {} })));
}
