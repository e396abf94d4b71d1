import { TerraformStack } from "cdktf";
import { EXCEPTIONS, SecurityException } from "./exceptions";
import { Json, ResourceView, SecurityAwareStack, StackView, stackView } from "./model";
import { RULES, SecurityRule } from "./rules";

/** One resource breaking one rule. */
export interface Violation {
  readonly rule: string;
  readonly address: string;
  readonly path: string;
  readonly message: string;
}

/** A violation a register entry lets through. */
export interface Exemption extends Violation {
  readonly exception: string;
}

export interface BaselineReport {
  readonly violations: Violation[];
  readonly exemptions: Exemption[];
}

/** The rule's type key of a resource: data sources as `data.<type>`. */
function typeKey(resource: ResourceView): string {
  return resource.address.startsWith("data.") ? `data.${resource.type}` : resource.type;
}

/** True when `exception` covers `resource` for `rule`. */
export function exempts(exception: SecurityException, rule: SecurityRule, resource: ResourceView, stack: StackView): boolean {
  return (
    exception.rules.includes(rule.id) &&
    exception.covers.types.includes(typeKey(resource)) &&
    (exception.covers.addresses === undefined || exception.covers.addresses.includes(resource.address)) &&
    (exception.covers.where === undefined || exception.covers.where(resource, stack))
  );
}

/**
 * Every rule on every resource of the stack (its Terraform JSON `tf`, by default synthesized here); violations an
 * exception covers are exemptions.
 */
export function evaluateStack(
  stack: TerraformStack & SecurityAwareStack,
  rules: readonly SecurityRule[] = RULES,
  exceptions: readonly SecurityException[] = EXCEPTIONS,
  tf: Json = stack.unauditedTerraform(),
): BaselineReport {
  const view = stackView(stack, tf);
  const report: BaselineReport = { violations: [], exemptions: [] };
  for (const resource of view.resources) {
    for (const rule of rules.filter((candidate) => candidate.types.includes(typeKey(resource)))) {
      for (const message of rule.check(resource, view)) {
        const violation = { rule: rule.id, address: resource.address, path: resource.path, message };
        const exception = exceptions.find((candidate) => exempts(candidate, rule, resource, view));
        if (exception) report.exemptions.push({ ...violation, exception: exception.id });
        else report.violations.push(violation);
      }
    }
  }
  return report;
}

/** Thrown at synth when resources break the baseline; one line per violation, naming resource and rule. */
export class BaselineViolation extends Error {
  constructor(violations: readonly Violation[]) {
    super(violations.map((v) => `Security baseline [${v.rule}]: ${v.path} (${v.address}) ${v.message}`).join("\n"));
    this.name = "BaselineViolation";
  }
}

/**
 * The security baseline (`rules.ts`) on a stack's synthesized JSON, whatever construct made the resources: throws
 * when a rule is broken. Only the register of deliberate exceptions (`exceptions.ts`) lets a violation through.
 */
export function assertBaseline(stack: TerraformStack & SecurityAwareStack, tf: Json): void {
  const { violations } = evaluateStack(stack, RULES, EXCEPTIONS, tf);
  if (violations.length > 0) throw new BaselineViolation(violations);
}
