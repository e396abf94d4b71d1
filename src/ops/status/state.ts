/**
 * The parts of Terraform's state (`terraform state pull`, format version 4) that `status` reads. A state holds
 * secret values in clear (secret versions, the Redis token): it stays in memory, is never written or printed, and
 * a damaged one fails with a fixed line that never quotes it.
 */

export interface StateInstance {
  readonly index_key?: string | number;
  readonly attributes?: Readonly<Record<string, unknown>>;
}

export interface StateResource {
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly module?: string;
  readonly instances?: readonly StateInstance[];
}

export interface TerraformState {
  readonly version: number;
  /** Incremented by every write of the state. */
  readonly serial: number;
  readonly lineage?: string;
  readonly resources?: readonly StateResource[];
}

/** Parses `terraform state pull`; empty output (a workspace never written) is no state. */
export function parseState(text: string, source: string): TerraformState | undefined {
  if (!text.trim()) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${source}: not JSON`);
  }
  const state = parsed as TerraformState;
  if (!parsed || typeof parsed !== "object" || typeof state.version !== "number" || typeof state.serial !== "number") {
    throw new Error(`${source}: not a Terraform state (no version or serial)`);
  }
  if (state.version !== 4) throw new Error(`${source}: state format version ${state.version}; status reads version 4 (Terraform >= 0.12)`);
  return state;
}

/** Attributes of every managed instance of `type`. */
export function instancesOf(state: TerraformState | undefined, type: string): Readonly<Record<string, unknown>>[] {
  return (state?.resources ?? [])
    .filter((resource) => resource.mode === "managed" && resource.type === type)
    .flatMap((resource) => resource.instances ?? [])
    .map((instance) => instance.attributes ?? {});
}

/** Managed resource instances in the state (data sources do not count). */
export function resourceCount(state: TerraformState | undefined): number {
  return (state?.resources ?? []).filter((resource) => resource.mode === "managed").reduce((sum, resource) => sum + (resource.instances?.length ?? 0), 0);
}

/** A string attribute, or undefined. */
export function text(attributes: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = attributes[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}
