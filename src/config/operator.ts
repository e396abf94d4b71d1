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
  terraformRoleArns: "SENTRY_TERRAFORM_ROLE_ARNS",
  githubRepository: "SENTRY_GITHUB_REPOSITORY",
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
    terraformRoleArns: read("terraformRoleArns")?.split(",").map((arn) => arn.trim()) ?? OPERATOR_DEFAULTS.terraformRoleArns,
    githubRepository: read("githubRepository"),
  };
}

/** Settings whose defaults are placeholders: deploying with them would create resources nobody can use. */
const MUST_SET_BEFORE_DEPLOY: readonly (keyof OperatorSettings)[] = ["stateBucket", "adminEmail", "domain", "adminRoleArns"];

/** One warning per placeholder still in use, naming the variable to set; and one when no Terraform principal is named. */
export function placeholderWarnings(variables: NodeJS.ProcessEnv): string[] {
  const placeholders = MUST_SET_BEFORE_DEPLOY.filter((key) => !variables[OPERATOR_VARIABLES[key]]?.trim()).map(
    (key) => `Warning: ${OPERATOR_VARIABLES[key]} is not set; using the placeholder "${OPERATOR_DEFAULTS[key]}". Set it before deploying.`,
  );
  const principalsNamed = (["terraformRoleArns", "githubRepository"] as const).some((key) => variables[OPERATOR_VARIABLES[key]]?.trim());
  return principalsNamed ? placeholders : [...placeholders, SESSION_PRINCIPAL_WARNING];
}

/** The first-deployment fallback: secret policies name whoever runs Terraform, so the next principal rewrites them. */
export const SESSION_PRINCIPAL_WARNING =
  `Warning: neither ${OPERATOR_VARIABLES.terraformRoleArns} nor ${OPERATOR_VARIABLES.githubRepository} is set; the secret policies name ` +
  "the role of the session running Terraform (data.aws_iam_session_context), and an apply by any other principal rewrites them " +
  `and locks the first one out. Set ${OPERATOR_VARIABLES.terraformRoleArns} to every role that runs Terraform.`;
