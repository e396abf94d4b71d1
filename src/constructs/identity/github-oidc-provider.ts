import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { Construct } from "constructs";

/** GitHub Actions' OIDC issuer: the `iss` of every workflow token, and the prefix of its condition keys. */
export const GITHUB_OIDC_ISSUER = "token.actions.githubusercontent.com";
/** The audience `aws-actions/configure-aws-credentials` asks GitHub for. */
export const STS_AUDIENCE = "sts.amazonaws.com";

/**
 * The account's IAM identity provider for GitHub Actions' OIDC tokens (one per account and issuer), with STS as
 * its only audience. No thumbprint: IAM trusts GitHub's certificate authority itself. Roles say which
 * repository, pull request or environment may assume them (`GithubActionsRole`).
 */
export class GithubOidcProvider extends Construct {
  readonly provider: IamOpenidConnectProvider;
  /** The provider's ARN: the federated principal of the roles' trust policies. */
  readonly arn: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.provider = new IamOpenidConnectProvider(this, "Resource", { url: `https://${GITHUB_OIDC_ISSUER}`, clientIdList: [STS_AUDIENCE] });
    this.arn = this.provider.arn;
  }
}
