import { ENVIRONMENT_NAMES, EnvironmentName } from "./types";
import { ConfigError } from "./validate";

/**
 * How GitHub Actions reaches each environment (docs/pull-requests.md). Pure data: the bootstrap stack turns it
 * into the trust policies of the CI roles, the workflows follow the same names.
 */

/** What a CI role may do: `plan` (read, write only lock files) or `deploy` (apply). */
export const CI_ROLE_KINDS = ["plan", "deploy"] as const;
export type CiRoleKind = (typeof CI_ROLE_KINDS)[number];

/**
 * Seconds a CI role's session lasts, at least the timeout of the longest job that assumes it (configure-aws-credentials
 * gets the same value): deploy.yml's jobs run up to 90 minutes, pull-request.yml's plans up to 30. Credentials that
 * expire mid-apply leave a half-applied phase.
 */
export const CI_SESSION_SECONDS: Readonly<Record<CiRoleKind, number>> = { plan: 3600, deploy: 5400 };

/** The repository variable holding a CI role's ARN, which the workflows pass to configure-aws-credentials. */
export function ciRoleVariable(kind: CiRoleKind, environment: EnvironmentName): string {
  return `SENTRY_${kind.toUpperCase()}_ROLE_ARN_${environment.toUpperCase()}`;
}

/**
 * Where a workflow job must run to assume an environment's plan role `sentry-plan-<env>`:
 * `pull-request`: any pull request of the repository (the plan reads the environment's state and secrets);
 * `plan-environment`: only a job of the GitHub environment `<env>-plan`, whose required reviewers approve each run.
 */
export const PLAN_TRIGGERS = ["pull-request", "plan-environment"] as const;
export type PlanTrigger = (typeof PLAN_TRIGGERS)[number];

export interface CiEnvironmentConfig {
  readonly planFrom: PlanTrigger;
}

/**
 * dev and staging hold no customer funds: every pull request plans them. A prod plan reads prod's state and
 * secrets (a refresh of a secret version is a GetSecretValue), so a person approves each prod plan of a pull
 * request first (`prod-plan` environment); prod deploys from main only (`prod` environment).
 */
export const CI_ENVIRONMENTS: Readonly<Record<EnvironmentName, CiEnvironmentConfig>> = {
  dev: { planFrom: "pull-request" },
  staging: { planFrom: "pull-request" },
  prod: { planFrom: "plan-environment" },
};

/** The GitHub environment a job declares to deploy `environment`: the deploy role trusts only its jobs. */
export function githubDeployEnvironment(environment: EnvironmentName): string {
  return environment;
}

/** The GitHub environment a job declares to plan `environment` when its plan role is `plan-environment`. */
export function githubPlanEnvironment(environment: EnvironmentName): string {
  return `${environment}-plan`;
}

/** Throws a `ConfigError` when an environment has no CI entry or an unknown trigger. */
export function validateCiEnvironments(ci: Readonly<Partial<Record<string, CiEnvironmentConfig>>>): void {
  for (const environment of ENVIRONMENT_NAMES) {
    const entry = ci[environment];
    if (entry === undefined) {
      throw new ConfigError(`ci.${environment}`, null, `expected an entry for every environment (${ENVIRONMENT_NAMES.join(", ")}): the bootstrap creates the CI roles of all of them`);
    }
    if (!(PLAN_TRIGGERS as readonly string[]).includes(entry.planFrom)) {
      throw new ConfigError(`ci.${environment}.planFrom`, entry.planFrom, `expected one of ${PLAN_TRIGGERS.join(", ")}`);
    }
  }
  const unknown = Object.keys(ci).filter((name) => !(ENVIRONMENT_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new ConfigError(`ci.${unknown[0]}`, ci[unknown[0]], `expected one of ${ENVIRONMENT_NAMES.join(", ")}`);
}
