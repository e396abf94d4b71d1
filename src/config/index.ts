import { EnvironmentVariable } from "../lib/environment-variables";
import { ACCOUNT_ENVIRONMENT_VARIABLES } from "./accounts";
import { EnvironmentDefinition, ENVIRONMENTS } from "./environments";
import { OPERATOR_ENVIRONMENT_VARIABLES, readOperatorSettings } from "./operator";
import { resolveScalingProfiles } from "./profiles";
import { ENVIRONMENT_NAMES, EnvironmentConfig, EnvironmentName } from "./types";
import { ConfigError, validateEnvironmentConfig } from "./validate";

export * from "./types";
export { ConfigError } from "./validate";
export { exampleValuesInUse, placeholderWarnings } from "./operator";
export { accountWarnings, CI_ACCOUNT_VARIABLES, environmentVariable, rolesFor, runStateRole } from "./accounts";
export * from "./ci";

/** The environment `main.ts` synthesizes when `SENTRY_ENV` is not set. */
export const DEFAULT_ENVIRONMENT: EnvironmentName = "dev";

/** The variables configuration reads: the environment, then the per-account settings (`operator.ts`). */
export const CONFIG_VARIABLES: readonly EnvironmentVariable[] = [
  { name: "SENTRY_ENV", default: DEFAULT_ENVIRONMENT, meaning: `environment to synthesize: ${ENVIRONMENT_NAMES.map((name) => `\`${name}\``).join(", ")}` },
  ...OPERATOR_ENVIRONMENT_VARIABLES,
  ...ACCOUNT_ENVIRONMENT_VARIABLES,
];

/** The names a configuration record is keyed by (`tables`, `secrets`, `clusters`), typed as its keys. */
export function namesOf<K extends string>(record: Readonly<Record<K, unknown>>): K[] {
  return Object.keys(record) as K[];
}

export function parseEnvironmentName(value: string | undefined): EnvironmentName {
  const name = value === undefined || value.trim() === "" ? DEFAULT_ENVIRONMENT : value.trim();
  if (!(ENVIRONMENT_NAMES as readonly string[]).includes(name)) {
    throw new ConfigError("SENTRY_ENV", name, `expected one of ${ENVIRONMENT_NAMES.join(", ")}`);
  }
  return name as EnvironmentName;
}

/**
 * The validated configuration of one environment, its scaling profiles resolved to numbers, with operator
 * overrides read from `variables`. `definition` replaces `environments.ts`'s (tests load an edited copy).
 */
export function loadEnvironmentConfig(name: EnvironmentName, variables: NodeJS.ProcessEnv = process.env, definition: EnvironmentDefinition = ENVIRONMENTS[name]): EnvironmentConfig {
  const config: EnvironmentConfig = { ...resolveScalingProfiles(definition), operator: readOperatorSettings(variables) };
  validateEnvironmentConfig(config);
  return config;
}
