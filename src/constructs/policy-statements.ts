import { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";

/**
 * IAM statements every construct writes the same way. Plain data for `DataAwsIamPolicyDocument`, so plans and
 * policy scanners see them as ordinary statements.
 */

/** Lets an AWS service assume the role, only on behalf of `accountId` (guards against the confused deputy). */
export function serviceTrustStatement(servicePrincipal: string, accountId: string): DataAwsIamPolicyDocumentStatement {
  return {
    actions: ["sts:AssumeRole"],
    principals: [{ type: "Service", identifiers: [servicePrincipal] }],
    condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] }],
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
