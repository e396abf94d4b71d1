import {
  DataAwsIamPolicyDocumentStatement,
  DataAwsIamPolicyDocumentStatementCondition,
  DataAwsIamPolicyDocumentStatementPrincipals,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";

/**
 * IAM statements every construct writes the same way. Plain data for `DataAwsIamPolicyDocument`, so plans and
 * policy scanners see them as ordinary statements.
 */

/**
 * Lets an AWS service assume the role, only on behalf of `accountId` and for the resources matching `sourceArn`
 * (guards against the confused deputy). Build `sourceArn` from names, never from the resource's attributes:
 * the resource names the role, so the role naming the resource would be a cycle.
 */
export function serviceTrustStatement(servicePrincipal: string, accountId: string, sourceArn: string): DataAwsIamPolicyDocumentStatement {
  return {
    actions: ["sts:AssumeRole"],
    principals: [{ type: "Service", identifiers: [servicePrincipal] }],
    condition: [
      { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
      { test: "ArnLike", variable: "aws:SourceArn", values: [sourceArn] },
    ],
  };
}

/**
 * The principal and condition of a resource-policy Allow for roles named by ARN that may not exist yet (S3 and KMS
 * refuse a policy naming a missing role): their accounts' root principals, held to the roles by `aws:PrincipalArn`.
 * Not principal `*`: S3 counts an Allow to `*` limited only by `aws:PrincipalArn` as public, and Block Public Access
 * refuses it. Source: "Amazon S3 considers a bucket policy public unless ... a fixed AWS principal, user, role, or
 * service principal" or a fixed aws:SourceIp/SourceArn/SourceVpc(e)/SourceOwner/SourceAccount/userid, no
 * aws:PrincipalArn (https://docs.aws.amazon.com/sdkfornet/v3/apidocs/items/S3/TPublicAccessBlockConfiguration.html,
 * read 2026-12-07; the S3 User Guide's "The meaning of public" says the same).
 */
export function namedRolesPrincipal(roleArns: readonly string[]): {
  principals: DataAwsIamPolicyDocumentStatementPrincipals[];
  condition: DataAwsIamPolicyDocumentStatementCondition[];
} {
  // One root per account, even where one ARN spells the partition and another takes it from data.aws_partition.
  const roots = new Map<string, string>();
  for (const arn of roleArns) {
    const [, partition, , , account] = arn.split(":");
    if (!roots.has(account)) roots.set(account, `arn:${partition}:iam::${account}:root`);
  }
  return {
    principals: [{ type: "AWS", identifiers: [...roots.values()] }],
    condition: [{ test: "ArnEquals", variable: "aws:PrincipalArn", values: [...roleArns] }],
  };
}

/** What a role that only reads data encrypted with a KMS key needs on the key. */
export const KEY_DECRYPT_ACTIONS = ["kms:Decrypt"] as const;
/** What a role that reads and writes data encrypted with a KMS key needs on the key. */
export const KEY_USE_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"] as const;

/**
 * Use of a KMS key through the services that encrypt for the caller (SQS, Secrets Manager, S3, ...): what a role
 * reading or writing data encrypted with the key needs. The key policy admits it only through those services.
 */
export function useKeyStatement(sid: string, keyArn: string): DataAwsIamPolicyDocumentStatement {
  return { sid, actions: [...KEY_USE_ACTIONS], resources: [keyArn] };
}

/**
 * A secret's resource-policy statement: only the principals in `readerArns` (role ARNs; they may not exist yet)
 * may read the value; everything else, managing the secret and writing versions included, stays with IAM.
 * `readerArns` must not be empty (a deny without readers locks everyone out) and must name the principal running
 * Terraform: the provider reads back every version it manages with `GetSecretValue`.
 */
export function restrictSecretReadersStatement(readerArns: readonly string[]): DataAwsIamPolicyDocumentStatement {
  return {
    sid: "OnlyNamedReaders",
    effect: "Deny",
    actions: ["secretsmanager:GetSecretValue"],
    resources: ["*"],
    principals: [{ type: "*", identifiers: ["*"] }],
    condition: [{ test: "ArnNotLike", variable: "aws:PrincipalArn", values: [...readerArns] }],
  };
}

/** A resource-policy statement denying every request to `resources` not made over TLS. */
export function denyInsecureTransportStatement(actions: string, resources: string[]): DataAwsIamPolicyDocumentStatement {
  return {
    sid: "DenyInsecureTransport",
    effect: "Deny",
    actions: [actions],
    resources,
    principals: [{ type: "*", identifiers: ["*"] }],
    condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
  };
}

/** Write log events to one log group (its streams: `<group arn>:*`). */
export function writeLogsStatement(sid: string, logGroupArn: string, extraActions: string[] = []): DataAwsIamPolicyDocumentStatement {
  return { sid, actions: ["logs:CreateLogStream", "logs:PutLogEvents", ...extraActions], resources: [`${logGroupArn}:*`] };
}

/**
 * `docker login` to ECR. GetAuthorizationToken has no resource-level permissions, so IAM accepts only "*"; the
 * token alone reads or writes nothing: the caller's repository-scoped statements decide what it may pull or push.
 */
export function ecrLoginStatement(sid: string): DataAwsIamPolicyDocumentStatement {
  return { sid, actions: ["ecr:GetAuthorizationToken"], resources: ["*"] };
}
