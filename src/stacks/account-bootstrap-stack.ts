import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { AwsProvider, AwsProviderConfig } from "@cdktf/provider-aws/lib/provider";
import { resolve } from "path";
import { LocalBackend, TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import {
  CI_ENVIRONMENTS,
  CI_ROLE_KINDS,
  CI_SESSION_SECONDS,
  CiEnvironmentConfig,
  ciRoleVariable,
  ConfigError,
  ENVIRONMENT_NAMES,
  EnvironmentName,
  githubDeployEnvironment,
  githubPlanEnvironment,
  OperatorSettings,
  rolesFor,
  validateCiEnvironments,
} from "../config";
import { EnvironmentKey, KeyContextUser } from "../constructs/encryption/environment-key";
import { SecureBucket } from "../constructs/encryption/secure-bucket";
import { GithubOidcProvider } from "../constructs/identity/github-oidc-provider";
import { PermissionsBoundaryPolicy } from "../constructs/identity/permissions-boundary-policy";
import { TerraformCiRoles, TerraformStateLocation } from "../constructs/identity/terraform-ci-roles";
import { ReadableStack } from "./readable-stack";
import { ciBoundaryPolicyName, ciRoleName, wafLogGroupName } from "./names";
import { projectTags } from "./sentry-stack";

/** Days old state versions are kept: enough to roll back a bad apply found weeks later. */
const STATE_VERSION_RETENTION_DAYS = 90;
/** Days the state bucket's access logs are kept: a year of "who read the state", like the prod audit floor. */
const ACCESS_LOG_RETENTION_DAYS = 365;
/** Days a deleted or overwritten access log stays recoverable: an audit trail must survive a careless cleanup. */
const ACCESS_LOG_NONCURRENT_VERSION_DAYS = 30;
const STATE_KEY_ALIAS = "sentry-terraform-state";
/** Prefix of the state bucket's access logs in the log bucket (the only place S3 logging may write). */
const STATE_ACCESS_LOG_PREFIX = "state/";
/**
 * Services the CI roles, and every role they create, may use at all (the permissions boundary): what the stacks
 * manage, plus what the created roles' agents call (SSM, its messages, STS).
 */
const BOUNDED_SERVICES = [
  "acm",
  "application-autoscaling",
  "autoscaling",
  "cloudwatch",
  "codebuild",
  "codeconnections",
  "codepipeline",
  "codestar-connections",
  "cognito-idp",
  "dynamodb",
  "ec2",
  "ec2messages",
  "ecr",
  "ecs",
  "elasticache",
  "elasticloadbalancing",
  "iam",
  "kms",
  "logs",
  "route53",
  "s3",
  "secretsmanager",
  "sns",
  "sqs",
  "ssm",
  "ssmmessages",
  "sts",
  "wafv2",
];
/** Services without a region: the boundary's region limit does not apply to them. */
const GLOBAL_SERVICES = ["iam", "route53", "sts"];

/** Names of the resources an environment's CI roles manage where the ARN carries the name: `sentry-*<env>*`. */
function ciResourcePattern(env: EnvironmentName): string {
  return `sentry-*${env}*`;
}

/** Whether an IAM wildcard (`*`, `?`) matches `name`. */
function matchesIamPattern(pattern: string, name: string): boolean {
  const expression = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${expression}$`).test(name);
}

/** The state bucket and its key, as the CI roles need them. */
export interface StateStorage {
  readonly bucketArn: string;
  readonly keyArn: string;
}

/** Who besides the account's own principals uses the state bucket (the per-environment layout). */
export interface StateStorageAccess {
  /** Statements added to the state bucket's policy. */
  readonly bucketStatements: (bucketArn: string) => DataAwsIamPolicyDocumentStatement[];
  /** Roles of other accounts that use the state key, each for its own objects. */
  readonly keyUsers: (bucketArn: string) => KeyContextUser[];
}

/** Where an environment's CI roles find the state, and whether the bootstrap creates GitHub's OIDC provider. */
export interface CiAccessProps {
  /** The environments whose boundary and plan and deploy roles this stack creates. */
  readonly environments: readonly EnvironmentName[];
  /** Where an environment's state lives, as its CI roles reach it. */
  readonly state: (env: EnvironmentName) => TerraformStateLocation;
  /** `create`: this stack creates the provider; otherwise its ARN (another bootstrap of the account created it). */
  readonly oidcProvider: "create" | string;
  /** How GitHub Actions reaches each environment (which jobs may plan and deploy). @default CI_ENVIRONMENTS */
  readonly ci?: Readonly<Record<EnvironmentName, CiEnvironmentConfig>>;
}

/**
 * A bootstrap stack: applied once per AWS account with local state at the project root (git-ignored; not in
 * cdktf.out/, which synth output may replace), before any phase. Its state file holds no secret; keep it (or
 * re-import what it created with `terraform import` if it is lost). The parts it may hold: the state bucket with
 * its key and access logs, and the CI access of GitHub Actions (OIDC provider, per environment the permissions
 * boundary and the plan and deploy roles).
 */
export abstract class AccountBootstrapStack extends ReadableStack {
  protected readonly accountId: string;
  protected readonly partition: string;

  protected constructor(scope: Construct, name: string, protected readonly operator: OperatorSettings, guard: Pick<AwsProviderConfig, "allowedAccountIds" | "assumeRole">) {
    super(scope, name);
    new AwsProvider(this, "aws", { region: operator.region, defaultTags: [{ tags: projectTags("shared", "0-bootstrap") }], ...guard });
    new LocalBackend(this, { path: resolve(__dirname, "..", "..", `terraform.${name}.tfstate`) });
    this.accountId = new DataAwsCallerIdentity(this, "account").accountId;
    this.partition = new DataAwsPartition(this, "partition").partition;
  }

  /** Name of the bucket the state bucket's server access logs go to. */
  protected get logBucketName(): string {
    return `${this.operator.stateBucket}-logs`;
  }

  /**
   * The S3 bucket every phase keeps its state in (SSE-KMS with this stack's key, since the environments' keys come
   * later), and a bucket for its server access logs: the state holds secrets, and who read it matters.
   */
  protected createStateStorage(access?: StateStorageAccess): StateStorage {
    const { operator, accountId, partition } = this;
    const stateBucketArn = `arn:${partition}:s3:::${operator.stateBucket}`;
    const key = new EnvironmentKey(this, "state-key", {
      aliasName: STATE_KEY_ALIAS,
      description: "Terraform state of every Sentry environment",
      accountId,
      partition,
      region: operator.region,
      administratorRoleArns: rolesFor(operator.accounts, "state", [...new Set([...operator.adminRoleArns, ...operator.terraformRoleArns])]),
      viaServices: ["s3"],
      contextUsers: access?.keyUsers(stateBucketArn),
    });
    const keyArn = this.useEnvironmentKey(key.arn);
    // S3 delivers server access logs only to a bucket with S3-managed keys (register: s3-access-log-bucket-sse-s3).
    const logs = new SecureBucket(this, "access-log-bucket", {
      bucketName: this.logBucketName,
      encryption: "SSE-S3",
      objectExpirationDays: ACCESS_LOG_RETENTION_DAYS,
      noncurrentVersionExpirationDays: ACCESS_LOG_NONCURRENT_VERSION_DAYS,
      policyStatements: (bucketArn) => [
        {
          sid: "S3ServerAccessLogsOfTheStateBucket",
          actions: ["s3:PutObject"],
          resources: [`${bucketArn}/${STATE_ACCESS_LOG_PREFIX}*`],
          principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
            { test: "ArnLike", variable: "aws:SourceArn", values: [stateBucketArn] },
          ],
        },
      ],
    });
    const state = new SecureBucket(this, "state-bucket", {
      bucketName: operator.stateBucket,
      encryption: { kmsKeyArn: keyArn },
      noncurrentVersionExpirationDays: STATE_VERSION_RETENTION_DAYS,
      accessLogs: { target: logs, prefix: STATE_ACCESS_LOG_PREFIX },
      policyStatements: access?.bucketStatements,
    });
    new TerraformOutput(this, "state_bucket_name", { value: state.bucket.bucket, description: "Terraform state bucket" });
    new TerraformOutput(this, "state_bucket_arn", { value: state.bucket.arn, description: "Terraform state bucket ARN" });
    new TerraformOutput(this, "state_kms_key_arn", { value: key.arn, description: "KMS key of the state bucket" });
    new TerraformOutput(this, "access_log_bucket_name", { value: logs.bucket.bucket, description: "Server access logs of the state bucket" });
    return { bucketArn: state.bucket.arn, keyArn };
  }

  /**
   * GitHub's OIDC provider and, per environment, the permissions boundary `sentry-ci-boundary-<env>` and the roles
   * `sentry-plan-<env>` and `sentry-deploy-<env>` (docs/pull-requests.md); their ARNs as the `github_variables` output.
   */
  protected createCiAccess(githubRepository: string, props: CiAccessProps): void {
    const { operator, accountId, partition } = this;
    const ci = props.ci ?? CI_ENVIRONMENTS;
    validateCiEnvironments(ci);
    for (const env of ENVIRONMENT_NAMES) {
      if (matchesIamPattern(ciResourcePattern(env), operator.stateBucket)) {
        throw new ConfigError("SENTRY_STATE_BUCKET (operator.stateBucket)", operator.stateBucket, `expected a name outside ${ciResourcePattern(env)}, which the CI roles of ${env} manage (they would reach every environment's state)`);
      }
    }
    const oidcProviderArn = props.oidcProvider === "create" ? new GithubOidcProvider(this, "github-oidc").arn : props.oidcProvider;
    const variables: Record<string, string> = {};
    for (const env of props.environments) {
      const tags = projectTags(env, "");
      const bucketsOf = (name: string) => [`arn:${partition}:s3:::${name}`, `arn:${partition}:s3:::${name}/*`];
      const boundary = new PermissionsBoundaryPolicy(this, `ci-${env}-boundary`, {
        policyName: ciBoundaryPolicyName(env),
        partition,
        accountId,
        region: operator.region,
        services: BOUNDED_SERVICES,
        globalServices: GLOBAL_SERVICES,
        iamNamePattern: ciResourcePattern(env),
        protectedRoleNamePatterns: CI_ROLE_KINDS.map((kind) => `sentry-${kind}-*`),
        // A role the deploy role creates must not reach another environment: not its tagged resources, not its
        // buckets (S3 objects carry no bucket tag), not the state of any workspace.
        confiningTag: { key: "Environment", value: tags.Environment },
        reservedResourceArns: [
          ...bucketsOf(operator.stateBucket),
          ...bucketsOf(this.logBucketName),
          ...ENVIRONMENT_NAMES.filter((other) => other !== env).flatMap((other) => bucketsOf(ciResourcePattern(other))),
        ],
      });
      const roles = new TerraformCiRoles(this, `ci-${env}`, {
        planRoleName: ciRoleName("plan", env),
        deployRoleName: ciRoleName("deploy", env),
        oidcProviderArn,
        repository: githubRepository,
        planSubjects: ci[env].planFrom === "pull-request" ? [{ pullRequest: true }] : [{ environment: githubPlanEnvironment(env) }],
        deploySubjects: [{ environment: githubDeployEnvironment(env) }],
        partition,
        accountId,
        region: operator.region,
        resourceNamePattern: ciResourcePattern(env),
        secretNamePrefix: `sentry/${env}/`,
        logGroupPatterns: [`/sentry/${env}/*`, `/sentry/*/sentry-*-${env}*`, wafLogGroupName(env)],
        resourceTags: { Project: tags.Project, Environment: tags.Environment },
        state: props.state(env),
        hostedZoneId: operator.hostedZoneId,
        // The reference (not the name) makes Terraform create the boundary before the roles that carry it.
        permissionsBoundaryArn: boundary.policy.arn,
        planSessionSeconds: CI_SESSION_SECONDS.plan,
        deploySessionSeconds: CI_SESSION_SECONDS.deploy,
      });
      variables[ciRoleVariable("plan", env)] = roles.planRole.role.arn;
      variables[ciRoleVariable("deploy", env)] = roles.deployRole.role.arn;
    }
    new TerraformOutput(this, "github_variables", {
      value: variables,
      description: "Repository variables the workflows read (Settings > Secrets and variables > Actions > Variables): the CI role ARNs",
    });
  }
}
