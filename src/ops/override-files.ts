import { readdirSync, readFileSync } from "fs";
import { join } from "path";

/** Terraform's JSON override files: what `--override DIR` lays into the stack folders. */
export const OVERRIDE_FILE = /_override\.tf\.json$/;

/** One `DIR/*_override.tf.json` of `--override`, read and checked once, before anything runs. */
export interface OverrideFile {
  readonly name: string;
  readonly text: string;
  /**
   * Its `terraform.backend` block, if any: the only part a folder that reads state alone takes (provider, resource
   * or `required_providers` overrides would make its init install the provider, or fail with nothing to merge into).
   */
  readonly backend?: unknown;
}

/** A file of `--override` that Terraform could not read: one line, before any terraform runs. */
export class OverrideFileError extends Error {}

export function readOverrideFiles(dir: string): OverrideFile[] {
  return readdirSync(dir)
    .filter((name) => OVERRIDE_FILE.test(name))
    .sort()
    .map((name) => {
      const file = join(dir, name);
      const text = readFileSync(file, "utf8");
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new OverrideFileError(`--override: ${file} is not JSON (${(error as Error).message})`);
      }
      if (typeof json !== "object" || json === null || Array.isArray(json)) throw new OverrideFileError(`--override: ${file} is not a JSON object`);
      const backend = (json as { terraform?: { backend?: unknown } }).terraform?.backend;
      return { name, text, ...(backend === undefined ? {} : { backend }) };
    });
}
