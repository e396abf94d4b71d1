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
  /** Present when the resource is imported by this plan (an `import` block). */
  readonly importing?: { readonly id?: string; readonly identity?: unknown };
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

/** A module of a state representation: its resources (managed and data sources) and child modules. */
export interface StateModule {
  readonly resources?: readonly StateResource[];
  readonly child_modules?: readonly StateModule[];
}

/** A resource of a state representation (`prior_state` of a plan: the refreshed state). */
export interface StateResource {
  readonly mode?: "managed" | "data";
  readonly address?: string;
  readonly type?: string;
  readonly values?: unknown;
  /** Mirrors `values`: `true` where the value is sensitive. */
  readonly sensitive_values?: unknown;
}

/** A resource of the `configuration` block: which arguments the configuration sets (`expressions`). */
export interface ConfigurationResource {
  readonly address: string;
  readonly expressions?: Readonly<Record<string, unknown>>;
}

/** A root output's change; the review reads its name and actions only, never its values. */
export interface OutputChange {
  readonly actions: readonly PlanAction[];
}

export interface PlanJson {
  readonly format_version: string;
  readonly resource_changes?: readonly PlanResourceChange[];
  readonly resource_drift?: readonly PlanResourceChange[];
  readonly output_changes?: Readonly<Record<string, OutputChange>>;
  readonly prior_state?: { readonly values?: { readonly root_module?: StateModule } };
  readonly configuration?: { readonly root_module?: { readonly resources?: readonly ConfigurationResource[] } };
  /** False when some changes were deferred (they depend on values known only after this apply). */
  readonly complete?: boolean;
}

/** Parses `terraform show -json` output; throws a one-line error when it is not a plan. */
export function parsePlanJson(text: string, source: string): PlanJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${source}: not JSON`);
  }
  if (!parsed || typeof parsed !== "object" || typeof (parsed as PlanJson).format_version !== "string") {
    throw new Error(`${source}: not a Terraform plan (no format_version)`);
  }
  return parsed as PlanJson;
}

function managedCount(module: StateModule | undefined): number {
  if (!module) return 0;
  const own = (module.resources ?? []).filter((resource) => resource.mode !== "data").length;
  return own + (module.child_modules ?? []).reduce((sum, child) => sum + managedCount(child), 0);
}

/**
 * True when the stack had no managed resource in state before this plan: its first deployment. Data sources
 * read during the plan (remote state, policy documents) are listed in `prior_state` too and do not count; an
 * entry without a mode counts as managed (the safe side: broadening then needs approval).
 */
export function isFirstDeployment(plan: PlanJson): boolean {
  return managedCount(plan.prior_state?.values?.root_module) === 0;
}
