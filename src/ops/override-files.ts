import { readdirSync, readFileSync } from "fs";
import { join } from "path";

/** Terraform's JSON override files: what `--override DIR` lays into the stack folders. */
export const OVERRIDE_FILE = /_override\.tf\.json$/;

/** One `DIR/*_override.tf.json` of `--override`, read and checked once, before anything runs. */
export interface OverrideFile {
  readonly name: string;
  /** The file's bytes, laid into the synthesized stack folders as they are. */
  readonly content: Buffer;
  /**
   * Its `terraform.backend` blocks: the only part a folder that reads state alone takes (provider, resource or
   * `required_providers` overrides would make its init install the provider, or fail with nothing to merge into).
   */
  readonly backends: readonly unknown[];
}

/** A file of `--override` that Terraform could not read: one line, before any terraform runs. */
export class OverrideFileError extends Error {}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

/** Terraform JSON takes a block, and a whole file, as one object or as an array of objects. */
const objects = (value: unknown): JsonObject[] => (Array.isArray(value) ? value : [value]).filter(isObject);

export function readOverrideFiles(dir: string): OverrideFile[] {
  return readdirSync(dir)
    .filter((name) => OVERRIDE_FILE.test(name))
    .sort()
    .map((name) => {
      const file = join(dir, name);
      const content = readFileSync(file);
      let json: unknown;
      try {
        json = JSON.parse(content.toString("utf8"));
      } catch (error) {
        throw new OverrideFileError(`--override: ${file} is not JSON (${(error as Error).message})`);
      }
      const bodies = Array.isArray(json) ? json : [json];
      if (!bodies.every(isObject)) throw new OverrideFileError(`--override: ${file} is neither a JSON object nor an array of objects`);
      const backends = bodies.flatMap((body) => objects(body.terraform)).flatMap((terraform) => (terraform.backend === undefined ? [] : [terraform.backend]));
      return { name, content, backends };
    });
}
