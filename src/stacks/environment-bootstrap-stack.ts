import { Construct } from "constructs";
import { ConfigError, ENVIRONMENT_NAMES, EnvironmentName, environmentVariable, OperatorSettings } from "../config";
import { GITHUB_OIDC_ISSUER } from "../constructs/identity/github-oidc-provider";
import { AccountBootstrapStack } from "./account-bootstrap-stack";
import { bootstrapStackName, STATE_KEY_PREFIX, workspaceObjectPrefix } from "./names";
import { accountGuard } from "./sentry-stack";

/**
 * An environment account's bootstrap in the per-environment layout: GitHub's OIDC provider (the first environment
 * of the account creates it; another environment sharing the account uses it), the environment's permissions
 * boundary and its plan and deploy roles, which reach its state in the state account's bucket (through its state
 * role, when one is set). Pinned to the environment's account and assuming its role, like its phases.
 */
export class EnvironmentBootstrapStack extends AccountBootstrapStack {
  constructor(scope: Construct, operator: OperatorSettings, environment: EnvironmentName) {
    const accounts = operator.accounts;
    const account = accounts?.environments[environment];
    if (operator.githubRepository === undefined || account === undefined || accounts?.stateAccountId === undefined) {
      throw new ConfigError("SENTRY_GITHUB_REPOSITORY", operator.githubRepository ?? null, `expected it, ${environmentVariable(environment, "ACCOUNT_ID")} and the state account: an environment's bootstrap holds its CI access`);
    }
    super(scope, bootstrapStackName(environment), operator, accountGuard(operator, environment));
    const { partition } = this;
    const firstOfAccount = ENVIRONMENT_NAMES.find((env) => accounts.environments[env]?.accountId === account.accountId);
    this.createCiAccess(operator.githubRepository, {
      environments: [environment],
      oidcProvider: firstOfAccount === environment ? "create" : `arn:${partition}:iam::${account.accountId}:oidc-provider/${GITHUB_OIDC_ISSUER}`,
      state: (env) => ({
        bucketArn: `arn:${partition}:s3:::${operator.stateBucket}`,
        // The key is the state account's: its key policy grants this environment's roles (the alias cannot be named here).
        keyArn: `arn:${partition}:kms:${operator.region}:${accounts.stateAccountId}:key/*`,
        objectPrefix: `${workspaceObjectPrefix(env)}${STATE_KEY_PREFIX}/`,
        roleArn: accounts.stateRoles?.[env]?.roleArn,
        planRoleArn: accounts.planStateRoles?.[env]?.roleArn,
      }),
    });
  }
}
