import { CognitoUser } from "@cdktf/provider-aws/lib/cognito-user";
import { CognitoUserGroup } from "@cdktf/provider-aws/lib/cognito-user-group";
import { CognitoUserInGroup } from "@cdktf/provider-aws/lib/cognito-user-in-group";
import { CognitoUserPool } from "@cdktf/provider-aws/lib/cognito-user-pool";
import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import { CognitoUserPoolDomain } from "@cdktf/provider-aws/lib/cognito-user-pool-domain";
import { Construct } from "constructs";

/** Sign-in through Cognito's hosted UI for a load balancer (`authenticate-cognito`). */
export interface LoadBalancerSignInProps {
  /** Prefix of the hosted UI domain, `<prefix>.auth.<region>.amazoncognito.com` (unique in the region). */
  readonly domainPrefix: string;
  /** Where Cognito returns users: `https://<host>/oauth2/idpresponse` of each load balancer host. */
  readonly callbackUrls: readonly string[];
}

export interface AdminUserPoolProps {
  /** User pool name; the app client is `<name>-frontend`. */
  readonly name: string;
  /** E-mail of the first admin; Cognito mails them a temporary password. */
  readonly initialAdminEmail: string;
  /** `ON`: TOTP required at every sign-in; `OPTIONAL`: users may enrol. @default "ON" */
  readonly mfa?: "ON" | "OPTIONAL";
  /** @default true */
  readonly deletionProtection?: boolean;
  /** @default 14 */
  readonly minimumPasswordLength?: number;
  /** Name of the group of administrators. @default "admins" */
  readonly adminGroupName?: string;
  /**
   * A hosted UI domain and a confidential app client (`<name>-load-balancer`, authorization-code flow) for a
   * load balancer that signs users in before any request reaches the application.
   * @default - none
   */
  readonly loadBalancerSignIn?: LoadBalancerSignInProps;
}

const DEFAULT_MFA = "ON";
const DEFAULT_DELETION_PROTECTION = true;
const DEFAULT_MINIMUM_PASSWORD_LENGTH = 14;
const DEFAULT_ADMIN_GROUP_NAME = "admins";
const TEMPORARY_PASSWORD_VALIDITY_DAYS = 3;
/** Both clients: no user enumeration, revocable refresh tokens, 1-hour access and ID tokens, 12-hour refresh. */
const CLIENT_SESSION_SETTINGS = {
  preventUserExistenceErrors: "ENABLED",
  enableTokenRevocation: true,
  accessTokenValidity: 60,
  idTokenValidity: 60,
  refreshTokenValidity: 12,
  tokenValidityUnits: [{ accessToken: "minutes", idToken: "minutes", refreshToken: "hours" }],
};

/**
 * A Cognito user pool for a back-office: only admins create users, e-mail is the username, strong passwords,
 * TOTP MFA, an SRP-only public app client for the browser, an admin group and its first member; optionally a
 * hosted UI domain and a confidential client for a load balancer's Cognito sign-in.
 */
export class AdminUserPool extends Construct {
  readonly userPool: CognitoUserPool;
  readonly client: CognitoUserPoolClient;
  readonly adminGroup: CognitoUserGroup;
  /** The hosted UI domain, when `loadBalancerSignIn` is set. */
  readonly domain?: CognitoUserPoolDomain;
  /** The load balancer's app client, when `loadBalancerSignIn` is set. */
  readonly loadBalancerClient?: CognitoUserPoolClient;

  constructor(scope: Construct, id: string, props: AdminUserPoolProps) {
    super(scope, id);
    const mfa = props.mfa ?? DEFAULT_MFA;
    const deletionProtection = props.deletionProtection ?? DEFAULT_DELETION_PROTECTION;
    const minimumLength = props.minimumPasswordLength ?? DEFAULT_MINIMUM_PASSWORD_LENGTH;
    if (minimumLength < 8 || minimumLength > 99) {
      throw new Error(`AdminUserPool ${props.name}: minimumPasswordLength ${minimumLength} must be from 8 to 99`);
    }

    this.userPool = new CognitoUserPool(this, "Resource", {
      name: props.name,
      usernameAttributes: ["email"],
      autoVerifiedAttributes: ["email"],
      usernameConfiguration: { caseSensitive: false },
      adminCreateUserConfig: { allowAdminCreateUserOnly: true },
      passwordPolicy: {
        minimumLength,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: true,
        temporaryPasswordValidityDays: TEMPORARY_PASSWORD_VALIDITY_DAYS,
      },
      mfaConfiguration: mfa,
      softwareTokenMfaConfiguration: { enabled: true },
      accountRecoverySetting: { recoveryMechanism: [{ name: "verified_email", priority: 1 }] },
      deletionProtection: deletionProtection ? "ACTIVE" : "INACTIVE",
    });

    this.client = new CognitoUserPoolClient(this, "frontend-client", {
      name: `${props.name}-frontend`,
      userPoolId: this.userPool.id,
      generateSecret: false,
      explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      ...CLIENT_SESSION_SETTINGS,
    });

    if (props.loadBalancerSignIn !== undefined) {
      const signIn = props.loadBalancerSignIn;
      if (signIn.callbackUrls.length === 0 || signIn.callbackUrls.some((url) => !url.startsWith("https://"))) {
        throw new Error(`AdminUserPool ${props.name}: loadBalancerSignIn.callbackUrls must be one or more https:// URLs`);
      }
      this.domain = new CognitoUserPoolDomain(this, "domain", {
        domain: signIn.domainPrefix,
        userPoolId: this.userPool.id,
      });
      // Confidential: the load balancer holds the secret and exchanges the code itself; the browser never sees a token.
      this.loadBalancerClient = new CognitoUserPoolClient(this, "load-balancer-client", {
        name: `${props.name}-load-balancer`,
        userPoolId: this.userPool.id,
        generateSecret: true,
        allowedOauthFlowsUserPoolClient: true,
        allowedOauthFlows: ["code"],
        allowedOauthScopes: ["openid", "email"],
        callbackUrls: [...signIn.callbackUrls],
        supportedIdentityProviders: ["COGNITO"],
        explicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
        ...CLIENT_SESSION_SETTINGS,
      });
    }

    this.adminGroup = new CognitoUserGroup(this, "admin-group", {
      name: props.adminGroupName ?? DEFAULT_ADMIN_GROUP_NAME,
      userPoolId: this.userPool.id,
      description: "Administrators of the Sentry back-office",
    });
    const admin = new CognitoUser(this, "initial-admin", {
      userPoolId: this.userPool.id,
      username: props.initialAdminEmail,
      attributes: { email: props.initialAdminEmail, email_verified: "true" },
      desiredDeliveryMediums: ["EMAIL"],
    });
    new CognitoUserInGroup(this, "initial-admin-membership", {
      userPoolId: this.userPool.id,
      groupName: this.adminGroup.name,
      username: admin.username,
    });
  }
}
