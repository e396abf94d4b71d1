import { Construct } from "constructs";
import { CI_ENVIRONMENTS, CiEnvironmentConfig, ENVIRONMENT_NAMES, EnvironmentName, OperatorSettings } from "../config";
import { AccountBootstrapStack } from "./account-bootstrap-stack";
import { bootstrapStackName, STATE_KEY_PREFIX, workspaceObjectPrefix } from "./names";

/**
 * The bootstrap of the single-account layout (today's): the S3 bucket every phase keeps its state in, its key and
 * its access logs; with a GitHub repository, the CI access of all three environments too. With `SENTRY_ACCOUNT_ID`
 * its provider refuses any other account. The per-environment layout has `sentry-bootstrap-state` and
 * `sentry-bootstrap-<env>` instead (docs/accounts.md).
 */
export class BootstrapStack extends AccountBootstrapStack {
  /**
   * @param ci how GitHub Actions reaches each environment; used only with `operator.githubRepository`, which
   * adds GitHub's OIDC provider, the permissions boundary and per environment the roles `sentry-plan-<env>` and
   * `sentry-deploy-<env>` (docs/pull-requests.md).
   */
  constructor(scope: Construct, operator: OperatorSettings, ci: Readonly<Record<EnvironmentName, CiEnvironmentConfig>> = CI_ENVIRONMENTS) {
    const pinned = operator.accounts?.layout === "single" ? operator.accounts.environments.dev?.accountId : undefined;
    super(scope, bootstrapStackName("single"), operator, pinned ? { allowedAccountIds: [pinned] } : {});
    const storage = this.createStateStorage();
    if (operator.githubRepository !== undefined) {
      this.createCiAccess(operator.githubRepository, {
        environments: ENVIRONMENT_NAMES,
        ci,
        oidcProvider: "create",
        state: (env) => ({ bucketArn: storage.bucketArn, keyArn: storage.keyArn, objectPrefix: `${workspaceObjectPrefix(env)}${STATE_KEY_PREFIX}/` }),
      });
    }
  }
}
