import { EnvironmentVariable } from "../lib/environment-variables";
import { OPERATOR_DEFAULTS } from "./environments";
import { environmentVariable, readAccountSettings } from "./accounts";
import { ENVIRONMENT_NAMES, EnvironmentName, OperatorSettings, OperatorVariableKey } from "./types";

/**
 * Operator-specific values come from environment variables, so an operator never edits code to deploy
 * into their own account. Each falls back to `OPERATOR_DEFAULTS`.
 */
export const OPERATOR_VARIABLES: Readonly<Record<OperatorVariableKey, string>> = {
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

/** What each operator variable sets (docs/configuration.md is generated from it). */
const OPERATOR_VARIABLE_MEANINGS: Readonly<Record<OperatorVariableKey, string>> = {
  region: "region of every stack (the zones in `environments.ts` must belong to it)",
  stateBucket: "S3 bucket for Terraform state (bucket names are global: set your own)",
  adminEmail: "first Cognito admin; Cognito mails them a temporary password (set it before the first deploy)",
  codeStarConnectionArn: "existing GitHub connection; unset: the cicd stack creates one",
  domain: "domain the load balancer publishes: `admin.<domain>` (admin frontend) and `ws.<domain>` (websocket)",
  hostedZoneId:
    "Route 53 public zone of the domain: the certificate's validation records and the `admin`/`ws` alias records are created there; unset: you add them at your DNS provider (see [Traffic](traffic.md))",
  certificateArn: "an issued ACM certificate (same region) covering both hosts; unset: the foundation requests one",
  alarmEmail: "e-mail subscribed to the alarm topic `sentry-alarms-<env>` (confirm AWS's mail once); unset: alarms notify nobody",
  adminRoleArns:
    "comma-separated IAM role ARNs of the operators: the only principals besides the services' execution roles and the Terraform principals that may read the secrets, and key administrators",
  terraformRoleArns:
    "comma-separated IAM **role** ARNs (`arn:<partition>:iam::<account>:role/<path/name>`, never a session `arn:aws:sts::…:assumed-role/…`) of every role that runs Terraform: secret readers and key administrators whoever applies (see [Terraform principals](#terraform-principals))",
  githubRepository:
    "`owner/name` of the repository whose GitHub Actions workflows plan and deploy: the bootstrap creates the OIDC provider and the roles `sentry-plan-<env>` and `sentry-deploy-<env>`, which join the Terraform principals (see [Pull requests](pull-requests.md))",
};

export function readOperatorSettings(variables: NodeJS.ProcessEnv): OperatorSettings {
  const read = (key: OperatorVariableKey): string | undefined => {
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
    accounts: readAccountSettings(variables),
  };
}

/** Settings whose defaults are placeholders: deploying with them would create resources nobody can use. */
const MUST_SET_BEFORE_DEPLOY: readonly (OperatorVariableKey)[] = ["stateBucket", "adminEmail", "domain", "adminRoleArns"];

/** Settings whose defaults are examples: another account may own the bucket name, the mailbox and the domain. */
const EXAMPLE_SETTINGS: readonly OperatorVariableKey[] = ["stateBucket", "adminEmail", "domain"];

/** A per-account variable still at its example value, whether unset or set to it. */
export interface ExampleValue {
  readonly variable: string;
  readonly value: string;
}

/** The per-account variables still at their example values, in `OPERATOR_VARIABLES` order. */
export function exampleValuesInUse(variables: NodeJS.ProcessEnv): ExampleValue[] {
  const settings = readOperatorSettings(variables);
  return EXAMPLE_SETTINGS.filter((key) => settings[key] === OPERATOR_DEFAULTS[key]).map((key) => ({ variable: OPERATOR_VARIABLES[key], value: String(OPERATOR_DEFAULTS[key]) }));
}

/** The operator variables with their defaults and meanings, in `OPERATOR_VARIABLES` order. */
export const OPERATOR_ENVIRONMENT_VARIABLES: readonly EnvironmentVariable[] = (Object.keys(OPERATOR_VARIABLES) as (OperatorVariableKey)[]).map((key) => {
  const fallback: string | readonly string[] | undefined = OPERATOR_DEFAULTS[key];
  const warning = MUST_SET_BEFORE_DEPLOY.includes(key) ? "; a synth warns while it is unset" : "";
  return {
    name: OPERATOR_VARIABLES[key],
    default: typeof fallback === "string" ? fallback : fallback?.length ? fallback.join(",") : undefined,
    meaning: `${OPERATOR_VARIABLE_MEANINGS[key]}${warning}`,
  };
});

/** What an unset list grants, for the settings whose placeholder is an empty list. */
const EMPTY_PLACEHOLDER_MEANS: Readonly<Partial<Record<OperatorVariableKey, string>>> = {
  adminRoleArns: "no operator role may read the secrets or administer the keys (only the principals running Terraform may)",
};

/** What a deploy gets while a setting is unset: its placeholder in quotes, never an empty one. */
function unsetConsequence(key: OperatorVariableKey): string {
  const fallback: string | readonly string[] | undefined = OPERATOR_DEFAULTS[key];
  const placeholder = typeof fallback === "string" ? fallback : (fallback ?? []).join(",");
  return placeholder ? `using the placeholder "${placeholder}"` : (EMPTY_PLACEHOLDER_MEANS[key] ?? "it stays empty");
}

/**
 * One warning per placeholder still in use, naming the variable to set; and one when no Terraform principal is named.
 * `namedElsewhere`: variables another warning of the same run already names (sentry-ops's SENTRY_ALLOW_PLACEHOLDERS=1 line).
 */
export function placeholderWarnings(variables: NodeJS.ProcessEnv, namedElsewhere: readonly string[] = []): string[] {
  const unset = MUST_SET_BEFORE_DEPLOY.filter((key) => !variables[OPERATOR_VARIABLES[key]]?.trim() && !namedElsewhere.includes(OPERATOR_VARIABLES[key]));
  const placeholders = unset.map(
    (key) => `Warning: ${OPERATOR_VARIABLES[key]} is not set; ${unsetConsequence(key)}. Set it before deploying.`,
  );
  const principalsNamed = (["terraformRoleArns", "githubRepository"] as const).some((key) => variables[OPERATOR_VARIABLES[key]]?.trim());
  if (principalsNamed) return placeholders;
  // The role an environment's provider assumes is a named Terraform principal of that environment.
  const unnamed = ENVIRONMENT_NAMES.filter((env) => !variables[environmentVariable(env, "ROLE_ARN")]?.trim());
  if (!unnamed.length) return placeholders;
  return [...placeholders, unnamed.length === ENVIRONMENT_NAMES.length ? SESSION_PRINCIPAL_WARNING : sessionPrincipalWarning(unnamed)];
}

/** The first-deployment fallback: secret policies name whoever runs Terraform, so the next principal rewrites them. */
function sessionPrincipalWarning(environments: readonly EnvironmentName[] | "all"): string {
  const roles = environments === "all" ? "SENTRY_<ENV>_ROLE_ARN" : environments.map((env) => environmentVariable(env, "ROLE_ARN")).join(", ");
  const whose = environments === "all" ? "the secret policies" : `the secret policies of ${environments.join(", ")}`;
  return (
    `Warning: neither ${OPERATOR_VARIABLES.terraformRoleArns}, ${roles} nor ${OPERATOR_VARIABLES.githubRepository} is set; ${whose} name ` +
    "the role of the session running Terraform (data.aws_iam_session_context), and an apply by any other principal rewrites them " +
    `and locks the first one out. Set ${OPERATOR_VARIABLES.terraformRoleArns} to every role that runs Terraform.`
  );
}

export const SESSION_PRINCIPAL_WARNING = sessionPrincipalWarning("all");
