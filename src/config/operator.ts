import { OPERATOR_DEFAULTS } from "./environments";
import { OperatorSettings } from "./types";

/**
 * Operator-specific values come from environment variables, so an operator never edits code to deploy
 * into their own account. Each falls back to `OPERATOR_DEFAULTS`.
 */
export const OPERATOR_VARIABLES: Readonly<Record<keyof OperatorSettings, string>> = {
  region: "SENTRY_AWS_REGION",
  stateBucket: "SENTRY_STATE_BUCKET",
  adminEmail: "SENTRY_ADMIN_EMAIL",
  codeStarConnectionArn: "SENTRY_CODESTAR_CONNECTION_ARN",
  domain: "SENTRY_DOMAIN",
  hostedZoneId: "SENTRY_HOSTED_ZONE_ID",
  certificateArn: "SENTRY_CERTIFICATE_ARN",
  alarmEmail: "SENTRY_ALARM_EMAIL",
  adminRoleArns: "SENTRY_ADMIN_ROLE_ARNS",
};

export function readOperatorSettings(variables: NodeJS.ProcessEnv): OperatorSettings {
  const read = (key: keyof OperatorSettings): string | undefined => {
    const value = variables[OPERATOR_VARIABLES[key]]?.trim();
    return value ? value : undefined;
  };
  return {
    region: read("region") ?? OPERATOR_DEFAULTS.region,
    stateBucket: read("stateBucket") ?? OPERATOR_DEFAULTS.stateBucket,
    adminEmail: read("adminEmail") ?? OPERATOR_DEFAULTS.adminEmail,
    codeStarConnectionArn: read("codeStarConnectionArn") ?? OPERATOR_DEFAULTS.codeStarConnectionArn,
    domain: read("domain") ?? OPERATOR_DEFAULTS.domain,
    hostedZoneId: read("hostedZoneId") ?? OPERATOR_DEFAULTS.hostedZoneId,
    certificateArn: read("certificateArn") ?? OPERATOR_DEFAULTS.certificateArn,
    alarmEmail: read("alarmEmail") ?? OPERATOR_DEFAULTS.alarmEmail,
    adminRoleArns: read("adminRoleArns")?.split(",").map((arn) => arn.trim()) ?? OPERATOR_DEFAULTS.adminRoleArns,
  };
}

/** Settings whose defaults are placeholders: deploying with them would create resources nobody can use. */
const MUST_SET_BEFORE_DEPLOY: readonly (keyof OperatorSettings)[] = ["stateBucket", "adminEmail", "domain", "adminRoleArns"];

/** One warning per placeholder still in use, naming the variable to set. */
export function placeholderWarnings(variables: NodeJS.ProcessEnv): string[] {
  return MUST_SET_BEFORE_DEPLOY.filter((key) => !variables[OPERATOR_VARIABLES[key]]?.trim()).map(
    (key) => `Warning: ${OPERATOR_VARIABLES[key]} is not set; using the placeholder "${OPERATOR_DEFAULTS[key]}". Set it before deploying.`,
  );
}
