import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { GITHUB_REPOSITORY } from "../../lib/patterns";
import { GITHUB_OIDC_ISSUER, STS_AUDIENCE } from "./github-oidc-provider";

/** Which workflow jobs of the repository may assume the role. */
export type GithubJobSubject = { readonly pullRequest: true } | { readonly environment: string };

export interface GithubActionsRoleProps {
  readonly roleName: string;
  /** ARN of the account's GitHub OIDC provider (`GithubOidcProvider`). */
  readonly oidcProviderArn: string;
  /** `owner/name`, exactly: the token's `sub` starts with `repo:<owner>/<name>:`. */
  readonly repository: string;
  /** Jobs that may assume it: pull requests (`repo:<repo>:pull_request`) or a GitHub environment's jobs. */
  readonly subjects: readonly GithubJobSubject[];
  /** What the role may do. */
  readonly statements: readonly DataAwsIamPolicyDocumentStatement[];
  /** Managed policy capping the role and, through its conditions, every role it creates. @default - none */
  readonly permissionsBoundaryArn?: string;
  /** Seconds a session lasts (900 to 43200). @default 3600 */
  readonly maxSessionDurationSeconds?: number;
}

const DEFAULT_MAX_SESSION_DURATION_SECONDS = 3600;
/** A GitHub environment name as it appears in the token's subject (no wildcard, no colon). */
const GITHUB_ENVIRONMENT = /^[A-Za-z0-9._-]+$/;

/** The `sub` claim GitHub puts in a job's token. */
export function githubSubject(repository: string, subject: GithubJobSubject): string {
  return "pullRequest" in subject ? `repo:${repository}:pull_request` : `repo:${repository}:environment:${subject.environment}`;
}

/**
 * An IAM role GitHub Actions jobs assume with `sts:AssumeRoleWithWebIdentity`: the token's audience must be STS
 * and its subject exactly one of the listed jobs of one repository (StringEquals: no wildcard reaches another
 * repository, branch or fork). Its permissions are one inline policy document.
 */
export class GithubActionsRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: GithubActionsRoleProps) {
    super(scope, id);
    const maxSessionDuration = props.maxSessionDurationSeconds ?? DEFAULT_MAX_SESSION_DURATION_SECONDS;
    if (!GITHUB_REPOSITORY.test(props.repository)) {
      throw new Error(`GithubActionsRole ${props.roleName}: repository "${props.repository}" must be owner/name, without wildcards`);
    }
    if (props.subjects.length === 0) {
      throw new Error(`GithubActionsRole ${props.roleName}: subjects is empty; name the pull requests or the GitHub environment that may assume it`);
    }
    for (const subject of props.subjects) {
      if ("environment" in subject && !GITHUB_ENVIRONMENT.test(subject.environment)) {
        throw new Error(`GithubActionsRole ${props.roleName}: environment "${subject.environment}" must be one GitHub environment name (letters, digits, . _ -), no wildcard`);
      }
    }
    if (!Number.isInteger(maxSessionDuration) || maxSessionDuration < 900 || maxSessionDuration > 43200) {
      throw new Error(`GithubActionsRole ${props.roleName}: maxSessionDurationSeconds ${maxSessionDuration} must be from 900 to 43200`);
    }
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          sid: "GithubActionsJobsOfOneRepository",
          actions: ["sts:AssumeRoleWithWebIdentity"],
          principals: [{ type: "Federated", identifiers: [props.oidcProviderArn] }],
          condition: [
            { test: "StringEquals", variable: `${GITHUB_OIDC_ISSUER}:aud`, values: [STS_AUDIENCE] },
            { test: "StringEquals", variable: `${GITHUB_OIDC_ISSUER}:sub`, values: props.subjects.map((subject) => githubSubject(props.repository, subject)) },
          ],
        },
      ],
    });
    this.role = new IamRole(this, "Resource", {
      name: props.roleName,
      assumeRolePolicy: trust.json,
      maxSessionDuration,
      permissionsBoundary: props.permissionsBoundaryArn,
    });
    const permissions = new DataAwsIamPolicyDocument(this, "permissions", { statement: [...props.statements] });
    new IamRolePolicy(this, "policy", { name: "permissions", role: this.role.id, policy: permissions.json });
  }
}
