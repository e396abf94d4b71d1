import { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Construct } from "constructs";
import { ConfigError, ENVIRONMENT_NAMES, EnvironmentName, OperatorSettings } from "../config";
import { KeyContextUser } from "../constructs/encryption/environment-key";
import { namedRolesPrincipal } from "../constructs/encryption/policy-statements";
import { AccountBootstrapStack } from "./account-bootstrap-stack";
import { bootstrapStackName, ciRoleName, workspaceObjectPrefix } from "./names";

/** The roles of one environment that reach the state bucket from its account (or, for its state role, from the state account). */
export interface EnvironmentStatePrincipals {
  /** Read and write the environment's state: its Terraform role, its CI deploy role, its own state role. */
  readonly writers: readonly string[];
  /** Read the environment's state and write only its lock files: its CI plan role, its plan state role. */
  readonly planners: readonly string[];
}

/**
 * Who reaches an environment's state. A state role several environments share is left out: it belongs to the
 * operators (the state account's own IAM grants it), and a per-environment deny would lock it out of the others.
 */
function environmentStatePrincipals(operator: OperatorSettings, env: EnvironmentName, partition: string): EnvironmentStatePrincipals {
  const accounts = operator.accounts;
  const account = accounts?.environments[env];
  const ownStateRole = accounts?.stateRoles?.[env]?.roleArn;
  const planStateRole = accounts?.planStateRoles?.[env]?.roleArn;
  const shared = ownStateRole !== undefined && ENVIRONMENT_NAMES.some((other) => other !== env && accounts?.stateRoles?.[other]?.roleArn === ownStateRole);
  const ci = (kind: "plan" | "deploy") => (account && operator.githubRepository !== undefined ? [`arn:${partition}:iam::${account.accountId}:role/${ciRoleName(kind, env)}`] : []);
  return {
    writers: [...(account?.terraformRoleArn ? [account.terraformRoleArn] : []), ...ci("deploy"), ...(ownStateRole && !shared ? [ownStateRole] : [])],
    planners: [...ci("plan"), ...(planStateRole ? [planStateRole] : [])],
  };
}

const sidOf = (env: EnvironmentName) => `${env[0].toUpperCase()}${env.slice(1)}`;
/** A deny for the roles, whatever account they are in (a deny to principal `*` never makes a policy public). */
const everyOneOf = (roles: readonly string[]) => ({
  principals: [{ type: "AWS", identifiers: ["*"] }],
  condition: [{ test: "ArnEquals", variable: "aws:PrincipalArn", values: [...roles] }],
});

/** Every S3 action that writes or deletes an object, its versions, ACL or tags, or the bucket's settings. */
const PLANNER_DENIED_WRITES = ["s3:Put*", "s3:Delete*", "s3:Restore*", "s3:Replicate*"];

/** The state bucket's statements for each environment's roles: its own workspace's keys, nothing else. */
function perEnvironmentStateStatements(operator: OperatorSettings, bucketArn: string, partition: string): DataAwsIamPolicyDocumentStatement[] {
  return ENVIRONMENT_NAMES.flatMap((env) => {
    const { writers, planners } = environmentStatePrincipals(operator, env, partition);
    const everyone = [...writers, ...planners];
    if (!everyone.length) return [];
    const objects = `${bucketArn}/${workspaceObjectPrefix(env)}*`;
    const lockFiles = `${bucketArn}/${workspaceObjectPrefix(env)}*.tflock`;
    const sid = sidOf(env);
    return [
      { sid: `${sid}ListsTheBucket`, actions: ["s3:ListBucket"], resources: [bucketArn], ...namedRolesPrincipal(everyone) },
      ...(writers.length ? [{ sid: `${sid}WritesItsState`, actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [objects], ...namedRolesPrincipal(writers) }] : []),
      ...(planners.length
        ? [
            { sid: `${sid}ReadsItsState`, actions: ["s3:GetObject"], resources: [objects], ...namedRolesPrincipal(planners) },
            { sid: `${sid}WritesItsLockFiles`, actions: ["s3:PutObject", "s3:DeleteObject"], resources: [lockFiles], ...namedRolesPrincipal(planners) },
          ]
        : []),
      // Whatever else a policy grants them: another environment's state, the bucket's other objects.
      { sid: `${sid}OnlyItsOwnState`, effect: "Deny", actions: ["s3:*"], notResources: [bucketArn, objects], ...everyOneOf(everyone) },
      // The plan state role is in this account, where its own IAM policy could grant it more: nothing but lock files.
      ...(planners.length ? [{ sid: `${sid}PlannersWriteOnlyLockFiles`, effect: "Deny", actions: PLANNER_DENIED_WRITES, notResources: [lockFiles], ...everyOneOf(planners) }] : []),
    ];
  });
}

/** The state key's users per environment: S3 only, this bucket's context (with bucket keys, the bucket's ARN) or the environment's objects. */
function perEnvironmentKeyUsers(operator: OperatorSettings, bucketArn: string, partition: string): KeyContextUser[] {
  return ENVIRONMENT_NAMES.flatMap((env) => {
    const { writers, planners } = environmentStatePrincipals(operator, env, partition);
    const roleArns = [...writers, ...planners];
    return roleArns.length
      ? [{ sid: `${sidOf(env)}StateObjects`, roleArns, contextKey: "aws:s3:arn", contextValues: [bucketArn, `${bucketArn}/${workspaceObjectPrefix(env)}*`] }]
      : [];
  });
}

/**
 * The state account's bootstrap in the per-environment layout: the state bucket, its key and access logs, whose
 * policies let each environment's roles (in that environment's account) reach that environment's state only.
 */
export class StateBootstrapStack extends AccountBootstrapStack {
  constructor(scope: Construct, operator: OperatorSettings) {
    const stateAccountId = operator.accounts?.stateAccountId;
    if (stateAccountId === undefined) throw new ConfigError("SENTRY_STATE_ACCOUNT_ID", null, "expected the state account's 12-digit id when environments have their own accounts");
    super(scope, bootstrapStackName("state"), operator, { allowedAccountIds: [stateAccountId] });
    this.createStateStorage({
      bucketStatements: (bucketArn) => perEnvironmentStateStatements(operator, bucketArn, this.partition),
      keyUsers: (bucketArn) => perEnvironmentKeyUsers(operator, bucketArn, this.partition),
    });
  }
}
