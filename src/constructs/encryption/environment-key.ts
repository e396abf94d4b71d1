import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import { namedRolesPrincipal } from "./policy-statements";

/** An AWS service principal that uses the key itself (not on a caller's behalf), limited to this account. */
export interface KeyServicePrincipal {
  /** e.g. `cloudwatch.amazonaws.com`. */
  readonly principal: string;
  /** Why it needs the key (the statement's sid). */
  readonly sid: string;
  /** `aws:SourceArn` pattern the service sends. @default - aws:SourceAccount alone */
  readonly sourceArn?: string;
}

export interface EnvironmentKeyProps {
  /** Alias without the `alias/` prefix, e.g. `sentry-dev`. */
  readonly aliasName: string;
  readonly description: string;
  /** Account that owns the key (its root principal delegates to IAM). */
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
  /** Days a key scheduled for deletion can still be recovered (7 to 30). @default 30 */
  readonly deletionWindowDays?: number;
  /** Roles that administer the key (and use it through the listed services) besides the account root. @default - none */
  readonly administratorRoleArns?: readonly string[];
  /**
   * Services (`sqs`, `secretsmanager`, ...) principals of this account may use the key through (`kms:ViaService`):
   * no principal of the account may encrypt or decrypt with it by calling KMS directly.
   */
  readonly viaServices: readonly string[];
  /**
   * Those of `viaServices` that keep a grant on the key for the resources they encrypt (`ecr`, `elasticache`,
   * `dynamodb`): principals may create grants through them, for AWS resources only. @default - none
   */
  readonly grantingServices?: readonly string[];
  /** Let CloudWatch Logs encrypt this account's log groups in the region with the key. @default false */
  readonly cloudWatchLogs?: boolean;
  /** Service principals that use the key themselves (alarm and event delivery to an encrypted topic). @default - none */
  readonly servicePrincipals?: readonly KeyServicePrincipal[];
  /**
   * Roles (of any account) that use the key only through the listed services and only for the given encryption
   * context, e.g. one environment's Terraform roles and its state objects. @default - none
   */
  readonly contextUsers?: readonly KeyContextUser[];
}

/** Roles named by ARN that may use the key for one encryption context (matched with `StringLike`). */
export interface KeyContextUser {
  /** The statement's sid. */
  readonly sid: string;
  /** The roles' ARNs, at least one; they need not exist yet (`namedRolesPrincipal`). */
  readonly roleArns: readonly string[];
  /** Encryption context key, e.g. `aws:s3:arn`. */
  readonly contextKey: string;
  /** Values (wildcards allowed) the context must match. */
  readonly contextValues: readonly string[];
}

const DEFAULT_DELETION_WINDOW_DAYS = 30;
/**
 * Key administration without use, spelled out: no `kms:Create*`, which would include `kms:CreateGrant` and let
 * a principal grant itself Decrypt outside `kms:ViaService`; no Encrypt, Decrypt, GenerateDataKey or ReEncrypt.
 */
const ADMINISTRATION_ACTIONS = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:Delete*",
  "kms:Describe*",
  "kms:Disable*",
  "kms:Enable*",
  "kms:Get*",
  "kms:List*",
  "kms:Put*",
  "kms:Revoke*",
  "kms:RotateKeyOnDemand",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:Update*",
];
const USE_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"];

/**
 * A customer-managed symmetric KMS key with rotation and an alias. Its key policy (a resource policy: `*` in it
 * means this key) lets the account root and the administrator roles administer it, and lets principals of the
 * account use it only through the listed AWS services, so a role's `kms:Decrypt` on the key opens only what those
 * services hand out; grants only for AWS resources, through the services that keep one. Service principals that
 * use it themselves are held to this account.
 */
export class EnvironmentKey extends Construct {
  readonly key: KmsKey;
  readonly alias: KmsAlias;
  /** The key's ARN: what resources name as their key and what IAM statements are scoped to. */
  readonly arn: string;

  constructor(scope: Construct, id: string, props: EnvironmentKeyProps) {
    super(scope, id);
    const deletionWindowDays = props.deletionWindowDays ?? DEFAULT_DELETION_WINDOW_DAYS;
    const administrators = props.administratorRoleArns ?? [];
    const grantingServices = props.grantingServices ?? [];
    if (!Number.isInteger(deletionWindowDays) || deletionWindowDays < 7 || deletionWindowDays > 30) {
      throw new Error(`EnvironmentKey ${props.aliasName}: deletionWindowDays ${deletionWindowDays} must be from 7 to 30`);
    }
    if (props.viaServices.length === 0) {
      throw new Error(`EnvironmentKey ${props.aliasName}: viaServices is empty; list the services that use the key`);
    }
    const notVia = grantingServices.filter((service) => !props.viaServices.includes(service));
    if (notVia.length > 0) {
      throw new Error(`EnvironmentKey ${props.aliasName}: grantingServices ${notVia.join(", ")} must also be in viaServices`);
    }
    const root = `arn:${props.partition}:iam::${props.accountId}:root`;
    const accountPrincipals = [{ type: "AWS", identifiers: [root, ...administrators] }];
    const endpoints = (services: readonly string[]) => services.map((service) => `${service}.${props.region}.amazonaws.com`);
    const ofThisAccount = { test: "StringEquals", variable: "kms:CallerAccount", values: [props.accountId] };

    const statements: DataAwsIamPolicyDocumentStatement[] = [
      // Without this the key would become unmanageable: the root principal keeps administration with IAM.
      { sid: "AdministerKey", actions: ADMINISTRATION_ACTIONS, resources: ["*"], principals: accountPrincipals },
      {
        sid: "UseThroughAwsServices",
        actions: USE_ACTIONS,
        resources: ["*"],
        principals: accountPrincipals,
        condition: [ofThisAccount, { test: "StringEquals", variable: "kms:ViaService", values: endpoints(props.viaServices) }],
      },
    ];
    if (grantingServices.length > 0) {
      statements.push({
        // The service creates the grant it keeps for the resource's lifetime, on the caller's behalf.
        sid: "GrantsForAwsResources",
        actions: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
        resources: ["*"],
        principals: accountPrincipals,
        condition: [
          ofThisAccount,
          { test: "StringEquals", variable: "kms:ViaService", values: endpoints(grantingServices) },
          { test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] },
        ],
      });
    }
    if (props.cloudWatchLogs) {
      statements.push({
        sid: "CloudWatchLogsOfThisAccount",
        actions: ["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
        resources: ["*"],
        principals: [{ type: "Service", identifiers: [`logs.${props.region}.amazonaws.com`] }],
        condition: [
          {
            test: "ArnLike",
            variable: "kms:EncryptionContext:aws:logs:arn",
            values: [`arn:${props.partition}:logs:${props.region}:${props.accountId}:log-group:*`],
          },
        ],
      });
    }
    for (const service of props.servicePrincipals ?? []) {
      statements.push({
        sid: service.sid,
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
        principals: [{ type: "Service", identifiers: [service.principal] }],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: [props.accountId] },
          ...(service.sourceArn ? [{ test: "ArnLike", variable: "aws:SourceArn", values: [service.sourceArn] }] : []),
        ],
      });
    }
    for (const user of props.contextUsers ?? []) {
      if (user.roleArns.length === 0) throw new Error(`EnvironmentKey ${props.aliasName}: contextUsers ${user.sid} names no role`);
      const roles = namedRolesPrincipal(user.roleArns);
      statements.push({
        sid: user.sid,
        // No DescribeKey: it carries no encryption context, so the condition below could never admit it.
        actions: ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: ["*"],
        // The roles' accounts held to their ARNs by condition: KMS refuses a policy naming a role that does not exist yet.
        principals: roles.principals,
        condition: [
          ...roles.condition,
          { test: "StringEquals", variable: "kms:ViaService", values: endpoints(props.viaServices) },
          { test: "StringLike", variable: `kms:EncryptionContext:${user.contextKey}`, values: [...user.contextValues] },
        ],
      });
    }
    const policy = new DataAwsIamPolicyDocument(this, "policy", { statement: statements });

    this.key = new KmsKey(this, "Resource", {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: deletionWindowDays,
      policy: policy.json,
    });
    this.alias = new KmsAlias(this, "alias", { name: `alias/${props.aliasName}`, targetKeyId: this.key.keyId });
    this.arn = this.key.arn;
  }
}

