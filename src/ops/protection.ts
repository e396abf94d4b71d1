import { PlanJson } from "./review/plan-json";

/**
 * Resources a destroy cannot delete: deletion protection makes AWS refuse at apply time, after the phases
 * before them in reverse order are already gone, and `prevent_destroy` makes Terraform refuse the destroy plan.
 * `destroy` looks for both before it deletes anything.
 */

export interface ProtectedResource {
  readonly address: string;
  /** The attribute that protects it, e.g. `deletion_protection_enabled`. */
  readonly reason: string;
}

const objectOf = (value: unknown): Record<string, unknown> => (value && typeof value === "object" ? (value as Record<string, unknown>) : {});

/** The attribute that makes AWS refuse to delete a resource with these values, if any. */
export function deletionProtection(type: string, values: unknown): string | undefined {
  const attributes = objectOf(values);
  if (attributes.deletion_protection_enabled === true) return "deletion_protection_enabled";
  if (attributes.enable_deletion_protection === true) return "enable_deletion_protection";
  if (attributes.deletion_protection === "ACTIVE" || attributes.deletion_protection === true) return "deletion_protection";
  if (type === "aws_ecr_repository" && attributes.force_delete === false) return "force_delete = false: refused while it holds images";
  return undefined;
}

/** Resources a (destroy) plan deletes whose current state protects them. */
export function protectedInPlan(plan: PlanJson): ProtectedResource[] {
  return (plan.resource_changes ?? []).flatMap((resource) => {
    if (resource.mode !== "managed" || !resource.change.actions.includes("delete")) return [];
    const reason = deletionProtection(resource.type, resource.change.before);
    return reason ? [{ address: resource.address, reason }] : [];
  });
}

/** Protected resources of a synthesized stack (`cdk.tf.json`): deletion protection or `prevent_destroy`. */
export function protectedInConfiguration(stackJson: unknown): ProtectedResource[] {
  const resources = objectOf(objectOf(stackJson).resource);
  return Object.entries(resources).flatMap(([type, byName]) =>
    Object.entries(objectOf(byName)).flatMap(([name, values]) => {
      const reason = objectOf(objectOf(values).lifecycle).prevent_destroy === true ? "lifecycle.prevent_destroy" : deletionProtection(type, values);
      return reason ? [{ address: `${type}.${name}`, reason }] : [];
    }),
  );
}
