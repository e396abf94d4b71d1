import { AssumedRoleSettings, CiRoleKind, EnvironmentName, OperatorSettings, PublicHost, runStateRole } from "../config";

/**
 * The names and state locations the stacks share with each other, with `sentry-ops` and with the docs. Plain
 * functions, no Terraform library: the operator CLI reads state and plans without loading cdktf or the provider.
 */

/** The guide's phases, in deployment order; each is one stack and one state file per workspace. */
export const PHASES = ["foundation", "data", "compute", "services", "cicd"] as const;
export type Phase = (typeof PHASES)[number];

/** Key of a phase's state inside the bucket: `env:/<workspace>/sentry/<phase>.tfstate`. */
export const STATE_KEY_PREFIX = "sentry";
export const WORKSPACE_KEY_PREFIX = "env:";

export function stateKey(phase: Phase): string {
  return `${STATE_KEY_PREFIX}/${phase}.tfstate`;
}

/** Where a phase's state lives: the settings of cdktf's `S3Backend` and `DataTerraformRemoteStateS3` for that phase. */
export interface PhaseStateLocation {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  readonly workspaceKeyPrefix: string;
  /**
   * The state role of the environment (`SENTRY_<ENV>_STATE_ROLE_ARN`), or its plan state role in a plan run
   * (`SENTRY_STATE_ACCESS=plan`); absent: the run's credentials reach the bucket.
   */
  readonly assumeRole?: AssumedRoleSettings;
}

/**
 * The phase's state in the operator's state bucket (the workspace, one per environment, adds `env:/<env>/`), reached
 * through `environment`'s state role (its plan state role in a plan run) when one is set.
 */
export function phaseStateLocation(operator: Pick<OperatorSettings, "stateBucket" | "region" | "accounts">, phase: Phase, environment: EnvironmentName): PhaseStateLocation {
  const assumeRole = runStateRole(operator.accounts, environment);
  return { bucket: operator.stateBucket, key: stateKey(phase), region: operator.region, workspaceKeyPrefix: WORKSPACE_KEY_PREFIX, ...(assumeRole && { assumeRole }) };
}

/** Key prefix of an environment's workspace in the state bucket: `env:/<env>/` (its state and lock files). */
export function workspaceObjectPrefix(environment: EnvironmentName): string {
  return `${WORKSPACE_KEY_PREFIX}/${environment}/`;
}

/** Execution role of a service's tasks: phase 4 creates it; phase 1 names it in the secrets' resource policies. */
export function executionRoleName(service: string, environment: EnvironmentName): string {
  return `sentry-${service}-execution-${environment}`;
}

/** Role a GitHub workflow assumes for an environment: the bootstrap creates it; phases 1 and 2 name it in secret policies. */
export function ciRoleName(kind: CiRoleKind, environment: EnvironmentName): string {
  return `sentry-${kind}-${environment}`;
}

/**
 * Permissions boundary of an environment's CI roles (bootstrap): every role of that environment's stacks carries it
 * when CI is on, so a role the deploy role creates stays in its environment.
 */
export function ciBoundaryPolicyName(environment: EnvironmentName): string {
  return `sentry-ci-boundary-${environment}`;
}

/**
 * Which account a bootstrap stack prepares: `single`, the one account of the single-account layout (`sentry-bootstrap`);
 * `state`, the state account of the per-environment layout (`sentry-bootstrap-state`); an environment, that
 * environment's account (`sentry-bootstrap-<env>`).
 */
export type BootstrapTarget = "single" | "state" | EnvironmentName;

export function bootstrapStackName(target: BootstrapTarget): string {
  return target === "single" ? "sentry-bootstrap" : `sentry-bootstrap-${target}`;
}

/** Stack name as `cdktf` shows it and operators type it: `sentry-<phase>-<env>`. */
export function stackName(phase: Phase, environment: EnvironmentName): string {
  return `sentry-${phase}-${environment}`;
}

/** ECR repository of a service in an environment: phase 5 creates it, phase 4 pulls from it by default. */
export function imageRepositoryName(service: string, environment: EnvironmentName): string {
  return `sentry-${service}-${environment}`;
}

/** The web ACL in front of an environment's load balancer (phase 3); phase 4 alarms on its blocked requests. */
export function webAclName(environment: EnvironmentName): string {
  return `sentry-waf-${environment}`;
}

/** Log group of the web ACL's request logs (WAF accepts only `aws-waf-logs-*`); the CI roles of the environment manage it. */
export function wafLogGroupName(environment: EnvironmentName): string {
  return `aws-waf-logs-sentry-${environment}`;
}

/** A host the load balancer answers: `admin.<domain>`, `ws.<domain>`. */
export function publicHostname(host: PublicHost, domain: string): string {
  return `${host}.${domain}`;
}
