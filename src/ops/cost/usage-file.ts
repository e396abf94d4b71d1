import { UsageConfig, UsageField } from "../../config/usage";

/** `--usage FILE`: a JSON object whose fields replace the environment's default usage (`src/config/usage.ts`). */

export class UsageFileError extends Error {}

/** The usage with the file's fields in place of the defaults; one line naming the field when the file is wrong. */
export function applyUsageFile(defaults: UsageConfig, text: string, source: string): UsageConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageFileError(`--usage ${source}: not JSON (${(error as Error).message})`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new UsageFileError(`--usage ${source}: expected a JSON object of usage fields`);
  const fields = Object.keys(defaults);
  const usage: Record<string, number> = { ...defaults };
  for (const [field, value] of Object.entries(parsed)) {
    if (!fields.includes(field)) throw new UsageFileError(`--usage ${source}: unknown field "${field}"; expected one of ${fields.join(", ")}`);
    if (typeof value !== "number" || !Number.isFinite(value)) throw new UsageFileError(`--usage ${source}: ${field} is ${JSON.stringify(value)}; expected a number`);
    if (value < 0) throw new UsageFileError(`--usage ${source}: ${field} is ${value}; expected 0 or more`);
    usage[field as UsageField] = value;
  }
  return usage as unknown as UsageConfig;
}
