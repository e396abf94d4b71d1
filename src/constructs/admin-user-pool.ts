import { CognitoUser } from "@cdktf/provider-aws/lib/cognito-user";
import { CognitoUserGroup } from "@cdktf/provider-aws/lib/cognito-user-group";
import { CognitoUserInGroup } from "@cdktf/provider-aws/lib/cognito-user-in-group";
import { CognitoUserPool } from "@cdktf/provider-aws/lib/cognito-user-pool";
import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import { Construct } from "constructs";

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
}

const DEFAULT_MFA = "ON";
const DEFAULT_DELETION_PROTECTION = true;
const DEFAULT_MINIMUM_PASSWORD_LENGTH = 14;
const DEFAULT_ADMIN_GROUP_NAME = "admins";
const TEMPORARY_PASSWORD_VALIDITY_DAYS = 3;

/**
 * A Cognito user pool for a back-office: only admins create users, e-mail is the username, strong passwords,
 * TOTP MFA, an SRP-only public app client for the browser, an admin group and its first member.
 */
export class AdminUserPool extends Construct {
  readonly userPool: CognitoUserPool;
  readonly client: CognitoUserPoolClient;
  readonly adminGroup: CognitoUserGroup;

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
      preventUserExistenceErrors: "ENABLED",
      enableTokenRevocation: true,
      accessTokenValidity: 60,
      idTokenValidity: 60,
      refreshTokenValidity: 12,
      tokenValidityUnits: [{ accessToken: "minutes", idToken: "minutes", refreshToken: "hours" }],
    });

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
