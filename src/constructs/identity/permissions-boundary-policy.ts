import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { Construct } from "constructs";

export interface PermissionsBoundaryPolicyProps {
  readonly policyName: string;
  readonly partition: string;
  readonly accountId: string;
  /** The only region roles under the boundary may act in (besides `globalServices`). */
  readonly region: string;
  /** Service prefixes (`sqs`, `ecs`, ...) roles under the boundary may use at all. */
  readonly services: readonly string[];
  /** Services without regions (`iam`, `sts`, `route53`), exempt from the region limit. */
  readonly globalServices: readonly string[];
  /** IAM wildcard of the role and instance-profile names roles under the boundary may manage, e.g. `sentry-*`. */
  readonly iamNamePattern: string;
  /** IAM wildcards of role names no role under the boundary may touch (the roles that carry it, e.g. CI roles). */
  readonly protectedRoleNamePatterns: readonly string[];
  /**
   * A tag that confines roles under the boundary: a resource carrying `key` with another value is out of their
   * reach (a role one environment's deploy role creates cannot touch another environment's resources). The
   * protected roles are exempt (their own policies scope them). @default - no tag limit
   */
  readonly confiningTag?: { readonly key: string; readonly value: string };
  /**
   * ARNs (wildcards allowed) only the protected roles may touch: what a tag cannot guard, e.g. the Terraform state
   * bucket's objects and other environments' buckets. @default - none
   */
  readonly reservedResourceArns?: readonly string[];
}

/** IAM actions that create an identity outside roles: users, groups, their keys and passwords, identity providers. */
const IDENTITY_CREATION_ACTIONS = [
  "iam:AddClientIDToOpenIDConnectProvider",
  "iam:AddUserToGroup",
  "iam:AttachGroupPolicy",
  "iam:AttachUserPolicy",
  "iam:CreateAccessKey",
  "iam:CreateGroup",
  "iam:CreateLoginProfile",
  "iam:CreateOpenIDConnectProvider",
  "iam:CreateSAMLProvider",
  "iam:CreateUser",
  "iam:PutGroupPolicy",
  "iam:PutUserPolicy",
  "iam:UpdateLoginProfile",
];

/**
 * A managed policy used as a permissions boundary: the most any role carrying it may do, whatever its own
 * policies grant. It allows only the listed services, in one region; denies creating users, groups, keys and
 * identity providers, any IAM change outside the named roles and instance profiles, touching the protected roles,
 * and creating a role or setting a boundary other than this one (so nothing a role under it creates can exceed it)
 * or removing it. With a confining tag and reserved resources, every role under it except the protected ones
 * stays away from resources tagged otherwise and from the reserved ones. It grants nothing by itself.
 */
export class PermissionsBoundaryPolicy extends Construct {
  readonly policy: IamPolicy;
  /** ARN, built from the name: the policy's own conditions name it, and roles in other stacks attach it by name. */
  readonly arn: string;

  constructor(scope: Construct, id: string, props: PermissionsBoundaryPolicyProps) {
    super(scope, id);
    if (props.services.length === 0) throw new Error(`PermissionsBoundaryPolicy ${props.policyName}: services is empty; a role under it could do nothing`);
    if (!/[A-Za-z0-9]/.test(props.iamNamePattern)) {
      throw new Error(`PermissionsBoundaryPolicy ${props.policyName}: iamNamePattern "${props.iamNamePattern}" names nothing; it would open every role of the account`);
    }
    const iam = (resource: string) => `arn:${props.partition}:iam::${props.accountId}:${resource}`;
    this.arn = iam(`policy/${props.policyName}`);
    const reserved = props.reservedResourceArns ?? [];
    if ((props.confiningTag !== undefined || reserved.length > 0) && props.protectedRoleNamePatterns.length === 0) {
      throw new Error(`PermissionsBoundaryPolicy ${props.policyName}: confiningTag and reservedResourceArns need protectedRoleNamePatterns (the roles exempt from them)`);
    }
    const notTheProtectedRoles = { test: "ArnNotLike", variable: "aws:PrincipalArn", values: props.protectedRoleNamePatterns.map((pattern) => iam(`role/${pattern}`)) };
    const document = new DataAwsIamPolicyDocument(this, "document", {
      statement: [
        // A boundary is a ceiling: "*" here grants nothing, the role's own policies decide what it may touch.
        { sid: "CeilingOfTheProjectServices", actions: props.services.map((service) => `${service}:*`), resources: ["*"] },
        { sid: "NoUsersGroupsKeysOrIdentityProviders", effect: "Deny", actions: IDENTITY_CREATION_ACTIONS, resources: ["*"] },
        {
          sid: "IamOnlyOnProjectRoles",
          effect: "Deny",
          actions: ["iam:*"],
          notResources: [iam(`role/${props.iamNamePattern}`), iam(`instance-profile/${props.iamNamePattern}`), iam("role/aws-service-role/*")],
        },
        ...(props.protectedRoleNamePatterns.length === 0
          ? []
          : [{ sid: "NotTheProtectedRoles", effect: "Deny", actions: ["iam:*"], resources: props.protectedRoleNamePatterns.map((pattern) => iam(`role/${pattern}`)) }]),
        {
          sid: "NewRolesOnlyUnderThisBoundary",
          effect: "Deny",
          actions: ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
          resources: ["*"],
          condition: [{ test: "StringNotEquals", variable: "iam:PermissionsBoundary", values: [this.arn] }],
        },
        { sid: "KeepTheBoundary", effect: "Deny", actions: ["iam:DeleteRolePermissionsBoundary"], resources: ["*"] },
        ...(props.confiningTag === undefined
          ? []
          : [
              {
                sid: "OnlyResourcesOfThisTag",
                effect: "Deny",
                actions: ["*"],
                resources: ["*"],
                condition: [{ test: "StringNotEqualsIfExists", variable: `aws:ResourceTag/${props.confiningTag.key}`, values: [props.confiningTag.value] }, notTheProtectedRoles],
              },
            ]),
        ...(reserved.length === 0 ? [] : [{ sid: "ReservedForTheProtectedRoles", effect: "Deny", actions: ["*"], resources: [...reserved], condition: [notTheProtectedRoles] }]),
        {
          sid: "StayInTheRegion",
          effect: "Deny",
          notActions: props.globalServices.map((service) => `${service}:*`),
          resources: ["*"],
          condition: [{ test: "StringNotEquals", variable: "aws:RequestedRegion", values: [props.region] }],
        },
      ],
    });
    this.policy = new IamPolicy(this, "Resource", {
      name: props.policyName,
      description: "Permissions boundary of the CI roles and of every role they create",
      policy: document.json,
    });
  }
}
