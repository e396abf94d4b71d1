/**
 * The parts of Terraform's machine-readable plan (`terraform show -json <plan>`, format 1.x) the review reads.
 * See https://developer.hashicorp.com/terraform/internals/json-format#plan-representation.
 */

export type PlanAction = "no-op" | "create" | "read" | "update" | "delete" | "forget";

export interface PlanChange {
  readonly actions: readonly PlanAction[];
  readonly before?: unknown;
  readonly after?: unknown;
  /** Mirrors `after`: `true` where the value is known only after apply. */
  readonly after_unknown?: unknown;
  /** Mirror `before`/`after`: `true` where the value is sensitive (a whole attribute may be just `true`). */
  readonly before_sensitive?: unknown;
  readonly after_sensitive?: unknown;
  /** Attribute paths that force the replacement. */
  readonly replace_paths?: readonly (readonly (string | number)[])[];
}

export interface PlanResourceChange {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly deposed?: string;
  readonly change: PlanChange;
  readonly action_reason?: string;
}

export interface PlanJson {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly PlanResourceChange[];
  readonly resource_drift?: readonly PlanResourceChange[];
  readonly prior_state?: { readonly values?: { readonly root_module?: { readonly resources?: readonly unknown[] } } };
  readonly errored?: boolean;
}

/** Parses `terraform show -json` output; throws a one-line error when it is not a plan. */
export function parsePlanJson(text: string, source: string): PlanJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not JSON (${(error as Error).message})`);
  }
  if (!parsed || typeof parsed !== "object" || typeof (parsed as PlanJson).format_version !== "string") {
    throw new Error(`${source}: not a Terraform plan (no format_version)`);
  }
  return parsed as PlanJson;
}

/** True when the stack had no resources in state before this plan: its first deployment. */
export function isFirstDeployment(plan: PlanJson): boolean {
  return (plan.prior_state?.values?.root_module?.resources ?? []).length === 0;
}
