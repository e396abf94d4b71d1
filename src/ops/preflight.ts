import { EnvironmentConfig, exampleValuesInUse } from "../config";
import { OPERATOR_VARIABLES } from "../config/operator";
import { OpsFailure } from "./session";
import { seeTroubleshooting } from "./troubleshooting";

/** What a command checks before it synthesizes or runs terraform, besides the credentials (`credentials.ts`). */

/** Set to `1` to plan, deploy, bootstrap or destroy with the example values (a rehearsal against an emulator). */
export const ALLOW_PLACEHOLDERS_VARIABLE = "SENTRY_ALLOW_PLACEHOLDERS";

/**
 * Refuses the example values of the per-account variables (the state bucket, the admin e-mail, the domain):
 * another account may own them. With SENTRY_ALLOW_PLACEHOLDERS=1, returns the one warning to print instead.
 */
export function refuseExampleValues(variables: NodeJS.ProcessEnv, command: string): string | undefined {
  const examples = exampleValuesInUse(variables);
  if (!examples.length) return undefined;
  const named = examples.map((example) => `${example.variable} (${example.value})`).join(", ");
  if (variables[ALLOW_PLACEHOLDERS_VARIABLE]?.trim() === "1") {
    return `Warning: ${ALLOW_PLACEHOLDERS_VARIABLE}=1: ${command} goes on with the example values of ${named}; only for a rehearsal against an emulator`;
  }
  throw new OpsFailure(
    `${command} refused: still the example values of ${named}; set them to your account's, or ${ALLOW_PLACEHOLDERS_VARIABLE}=1 for a rehearsal against an emulator${seeTroubleshooting("placeholder-values")}`,
  );
}

/** The warning of plan and deploy when no one would receive the alarms. */
const NO_ALARM_EMAIL_WARNING = `Warning: ${OPERATOR_VARIABLES.alarmEmail} is not set: alarms notify nobody (the topic sentry-alarms-<env> has no subscriber)`;

/** plan and deploy: one warning when SENTRY_ALARM_EMAIL is not set. */
export function warnWithoutAlarmEmail(config: EnvironmentConfig, progress: (line: string) => void): void {
  if (!config.operator.alarmEmail) progress(NO_ALARM_EMAIL_WARNING);
}

/** SENTRY_ENV and TF_WORKSPACE, when set, must be the environment argument: every command refuses them otherwise. */
const AGREEING_VARIABLES = ["TF_WORKSPACE", "SENTRY_ENV"] as const;

/** The one line every command refuses a disagreeing SENTRY_ENV or TF_WORKSPACE with, before anything runs. */
export function refuseEnvironmentMismatch(variables: NodeJS.ProcessEnv, environment: string): void {
  for (const name of AGREEING_VARIABLES) {
    const value = variables[name]?.trim();
    if (value && value !== environment) throw new OpsFailure(`${name}=${value} but the environment is ${environment}: unset ${name} or make it ${environment}`);
  }
}
