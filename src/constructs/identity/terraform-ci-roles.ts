import { DataAwsIamPolicyDocumentStatement, DataAwsIamPolicyDocumentStatementCondition } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Construct } from "constructs";
import { GithubActionsRole, GithubJobSubject } from "./github-actions-role";

/** Where the roles' Terraform state lives: one workspace's objects in the state bucket. */
export interface TerraformStateLocation {
  readonly bucketArn: string;
  /** KMS key the bucket encrypts objects with (by default). */
  readonly keyArn: string;
  /** Key prefix of the workspace's state objects, e.g. `env:/dev/sentry/`. */
  readonly objectPrefix: string;
  /** Role (in the state account) the deploy role's backend assumes to reach the bucket: it may assume it. @default - none: it reaches the bucket itself */
  readonly roleArn?: string;
  /**
   * Role (in the state account) the plan role's backend assumes instead, which reads the state and writes only lock
   * files: the plan role may assume it and no other state role. @default - none: it reaches the bucket itself
   */
  readonly planRoleArn?: string;
}

export interface TerraformCiRolesProps {
  /** Name of the role that plans (reads, writes only lock files). */
  readonly planRoleName: string;
  /** Name of the role that applies. */
  readonly deployRoleName: string;
  readonly oidcProviderArn: string;
  /** GitHub repository, `owner/name`. */
  readonly repository: string;
  /** Jobs that may assume the plan role. */
  readonly planSubjects: readonly GithubJobSubject[];
  /** Jobs that may assume the deploy role. */
  readonly deploySubjects: readonly GithubJobSubject[];
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /**
   * IAM wildcard matching the names of the resources the roles manage where the ARN carries the name (queues,
   * tables, roles, buckets, clusters...), e.g. `sentry-*dev*`.
   */
  readonly resourceNamePattern: string;
  /** Secrets Manager name prefix of the managed secrets, e.g. `sentry/dev/`. */
  readonly secretNamePrefix: string;
  /** IAM wildcards of the managed log group names, e.g. `/sentry/dev/*`. */
  readonly logGroupPatterns: readonly string[];
  /**
   * Tags that mark the managed resources whose ARNs carry only an id (VPC parts, user pool, keys, certificate,
   * connection, scaling targets): the roles act on those only with these tags.
   */
  readonly resourceTags: Readonly<Record<string, string>>;
  readonly state: TerraformStateLocation;
  /** Route 53 zone the stacks write records in. @default - no Route 53 access */
  readonly hostedZoneId?: string;
  /** Managed policy capping both roles (and every role the deploy role creates). */
  readonly permissionsBoundaryArn: string;
  /** Seconds a plan role session lasts (900 to 43200). @default 3600 */
  readonly planSessionSeconds?: number;
  /** Seconds a deploy role session lasts: at least the deploy job's timeout (900 to 43200). @default 3600 */
  readonly deploySessionSeconds?: number;
}

/** Read actions of the services whose reads AWS authorizes only on `*` (Terraform's refresh calls them). */
const READ_WITHOUT_RESOURCE_LEVEL = [
  "acm:ListCertificates",
  "application-autoscaling:Describe*",
  "autoscaling:Describe*",
  "cloudwatch:DescribeAlarms",
  "codestar-connections:ListConnections",
  "cognito-idp:ListUserPools",
  "dynamodb:ListTables",
  "ec2:Describe*",
  "cognito-idp:DescribeUserPoolDomain",
  "ecs:DescribeCapacityProviders",
  "ecs:DescribeTaskDefinition",
  "ecs:List*",
  "elasticache:Describe*",
  "elasticloadbalancing:Describe*",
  "kms:ListAliases",
  "logs:DescribeLogGroups",
  "secretsmanager:GetRandomPassword",
  "secretsmanager:ListSecrets",
  "sns:ListTopics",
  "sqs:ListQueues",
  "wafv2:GetWebACLForResource",
  "wafv2:ListWebACLs",
];

/** Services whose resources the project names `<pattern>` inside the ARN: the deploy role manages them by name. */
const NAMED_SERVICES = [
  "autoscaling",
  "cloudwatch",
  "codebuild",
  "codepipeline",
  "dynamodb",
  "ecr",
  "ecs",
  "elasticache",
  "elasticloadbalancing",
  "iam",
  "logs",
  "s3",
  "secretsmanager",
  "sns",
  "sqs",
  "wafv2",
];
/** Services whose ARNs carry generated ids: the deploy role manages them by tag. */
const TAGGED_SERVICES = ["acm", "application-autoscaling", "codeconnections", "codestar-connections", "cognito-idp", "ec2", "kms"];
/** Read actions (per service prefix) the plan role has on the project's resources, by name or by tag. */
const READ_ACTIONS = ["Describe*", "Get*", "List*", "BatchGet*"];
/** Service-linked roles a first deployment in a fresh account creates (ECS, load balancing, Auto Scaling, ElastiCache). */
const SERVICE_LINKED_ROLES = [
  "autoscaling.amazonaws.com",
  "ecs.amazonaws.com",
  "ecs.application-autoscaling.amazonaws.com",
  "elasticache.amazonaws.com",
  "elasticloadbalancing.amazonaws.com",
];

/** What wafv2:PutLoggingConfiguration to a log group needs besides the log group (CloudWatch Logs' vended logs). */
const LOG_DELIVERY_ACTIONS = ["logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:GetLogDelivery", "logs:ListLogDeliveries", "logs:UpdateLogDelivery"];

const tagConditions = (prefix: "aws:ResourceTag" | "aws:RequestTag", tags: Readonly<Record<string, string>>): DataAwsIamPolicyDocumentStatementCondition[] =>
  Object.entries(tags).map(([key, value]) => ({ test: "StringEquals", variable: `${prefix}/${key}`, values: [value] }));

/** The ARNs, per named service, of the project's resources (`props.resourceNamePattern` in the name). */
export function projectResourceArns(props: TerraformCiRolesProps): Record<string, string[]> {
  const { partition: p, region: r, accountId: a, resourceNamePattern: n } = props;
  const regional = (service: string, resource: string) => `arn:${p}:${service}:${r}:${a}:${resource}`;
  return {
    autoscaling: [regional("autoscaling", `autoScalingGroup:*:autoScalingGroupName/${n}`)],
    cloudwatch: [regional("cloudwatch", `alarm:${n}`), `arn:${p}:cloudwatch::${a}:dashboard/${n}`],
    codebuild: [regional("codebuild", `project/${n}`)],
    codepipeline: [regional("codepipeline", n)],
    dynamodb: [regional("dynamodb", `table/${n}`), regional("dynamodb", `table/${n}/*`)],
    ecr: [regional("ecr", `repository/${n}`)],
    ecs: ["cluster", "capacity-provider"].map((type) => regional("ecs", `${type}/${n}`)).concat(
      regional("ecs", `service/${n}/*`),
      regional("ecs", `task-definition/${n}:*`),
      regional("ecs", `container-instance/${n}/*`),
    ),
    elasticache: ["replicationgroup", "cluster", "subnetgroup", "snapshot"].map((type) => regional("elasticache", `${type}:${n}`)).concat(regional("elasticache", "parametergroup:default.*")),
    elasticloadbalancing: [`loadbalancer/app/${n}/*`, `targetgroup/${n}/*`, `listener/app/${n}/*`, `listener-rule/app/${n}/*`].map((resource) => regional("elasticloadbalancing", resource)),
    iam: [`arn:${p}:iam::${a}:role/${n}`, `arn:${p}:iam::${a}:instance-profile/${n}`],
    logs: props.logGroupPatterns.map((pattern) => regional("logs", `log-group:${pattern}`)),
    s3: [`arn:${p}:s3:::${n}`, `arn:${p}:s3:::${n}/*`],
    secretsmanager: [regional("secretsmanager", `secret:${props.secretNamePrefix}*`)],
    sns: [regional("sns", n)],
    sqs: [regional("sqs", n)],
    wafv2: [regional("wafv2", `regional/webacl/${n}/*`), regional("wafv2", "regional/managedruleset/*/*")],
  };
}

function stateStatements(props: TerraformCiRolesProps, write: "state" | "lock-only"): DataAwsIamPolicyDocumentStatement[] {
  const objects = `${props.state.bucketArn}/${props.state.objectPrefix}`;
  const stateRole = write === "state" ? props.state.roleArn : props.state.planRoleArn;
  return [
    { sid: "ListStateBucket", actions: ["s3:ListBucket"], resources: [props.state.bucketArn] },
    { sid: "ReadStateOfThisWorkspace", actions: ["s3:GetObject"], resources: [`${objects}*`] },
    write === "state"
      ? { sid: "WriteStateOfThisWorkspace", actions: ["s3:PutObject", "s3:DeleteObject"], resources: [`${objects}*`] }
      : { sid: "WriteLockFilesOnly", actions: ["s3:PutObject", "s3:DeleteObject"], resources: [`${objects}*.tflock`] },
    // The bucket encrypts every object with this key (SSE-KMS): reading state and writing a lock both need it.
    { sid: "StateKey", actions: ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"], resources: [props.state.keyArn] },
    ...(stateRole === undefined ? [] : [{ sid: "AssumeStateRole", actions: ["sts:AssumeRole"], resources: [stateRole] }]),
  ];
}

function sharedReadStatements(props: TerraformCiRolesProps): DataAwsIamPolicyDocumentStatement[] {
  const { partition: p, region: r } = props;
  return [
    { sid: "ReadWithoutResourceLevelPermissions", actions: READ_WITHOUT_RESOURCE_LEVEL, resources: ["*"] },
    // CloudWatch Logs resource policies (WAF's log delivery) are the account's, not a log group's.
    { sid: "ReadLogResourcePolicies", actions: ["logs:DescribeResourcePolicies"], resources: [`arn:${p}:logs:${r}:${props.accountId}:*`] },
    // The ECS-optimized AMI id the launch templates read (an AWS public parameter).
    { sid: "ReadEcsOptimizedAmiParameter", actions: ["ssm:GetParameter", "ssm:GetParameters"], resources: [`arn:${p}:ssm:${r}::parameter/aws/service/ecs/*`] },
  ];
}

/** The plan role: reads what a refresh reads, the workspace's state, and writes nothing but lock files. */
export function planStatements(props: TerraformCiRolesProps): DataAwsIamPolicyDocumentStatement[] {
  const named = projectResourceArns(props);
  const statements: DataAwsIamPolicyDocumentStatement[] = [
    ...stateStatements(props, "lock-only"),
    ...sharedReadStatements(props),
    {
      sid: "ReadProjectResourcesByName",
      actions: NAMED_SERVICES.flatMap((service) => READ_ACTIONS.map((action) => `${service}:${action}`)),
      resources: Object.values(named).flat(),
    },
    {
      sid: "ReadProjectResourcesByTag",
      actions: [...TAGGED_SERVICES.flatMap((service) => READ_ACTIONS.map((action) => `${service}:${action}`)), "cognito-idp:AdminGetUser", "cognito-idp:AdminListGroupsForUser"],
      resources: ["*"],
      condition: tagConditions("aws:ResourceTag", props.resourceTags),
    },
    // A refresh of a secret version is a GetSecretValue, which needs Decrypt on the environment's key: only
    // through Secrets Manager, only on the environment's tagged keys.
    {
      sid: "DecryptSecretsOfTheEnvironment",
      actions: ["kms:Decrypt"],
      resources: ["*"],
      condition: [
        ...tagConditions("aws:ResourceTag", props.resourceTags),
        { test: "StringEquals", variable: "kms:ViaService", values: [`secretsmanager.${props.region}.amazonaws.com`] },
      ],
    },
  ];
  if (props.hostedZoneId !== undefined) {
    statements.push({
      sid: "ReadHostedZone",
      actions: ["route53:GetHostedZone", "route53:ListResourceRecordSets", "route53:ListTagsForResource"],
      resources: [`arn:${props.partition}:route53:::hostedzone/${props.hostedZoneId}`],
    });
  }
  return statements;
}

/** The deploy role: everything on the project's resources (by name or tag), the workspace's state, nothing else. */
export function deployStatements(props: TerraformCiRolesProps): DataAwsIamPolicyDocumentStatement[] {
  const named = projectResourceArns(props);
  const { partition: p, accountId: a } = props;
  const statements: DataAwsIamPolicyDocumentStatement[] = [
    ...stateStatements(props, "state"),
    ...sharedReadStatements(props),
    { sid: "ManageProjectResourcesByName", actions: NAMED_SERVICES.map((service) => `${service}:*`), resources: Object.values(named).flat() },
    {
      sid: "ManageProjectResourcesByTag",
      actions: TAGGED_SERVICES.map((service) => `${service}:*`),
      resources: ["*"],
      condition: tagConditions("aws:ResourceTag", props.resourceTags),
    },
    {
      sid: "CreateProjectResourcesWithTags",
      actions: TAGGED_SERVICES.map((service) => `${service}:*`),
      resources: ["*"],
      condition: tagConditions("aws:RequestTag", props.resourceTags),
    },
    // An alias carries no tag: the deploy role manages the aliases named like the project's resources.
    { sid: "ManageKeyAliases", actions: ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"], resources: [`arn:${p}:kms:${props.region}:${a}:alias/${props.resourceNamePattern}`] },
    // WAF's request logs to CloudWatch Logs: the account's log resource policy and a vended-logs delivery, which
    // CloudWatch Logs authorizes on the account (policies) and only on `*` (deliveries).
    { sid: "WriteLogResourcePolicies", actions: ["logs:DeleteResourcePolicy", "logs:PutResourcePolicy"], resources: [`arn:${p}:logs:${props.region}:${a}:*`] },
    { sid: "WafLogDelivery", actions: LOG_DELIVERY_ACTIONS, resources: ["*"] },
    // ECS authorizes task definition writes only on `*`: registering is held to the project's tags (the provider
    // sends default tags), deregistering cannot be held to anything.
    { sid: "RegisterTaskDefinitionsWithTags", actions: ["ecs:RegisterTaskDefinition"], resources: ["*"], condition: tagConditions("aws:RequestTag", props.resourceTags) },
    { sid: "DeregisterTaskDefinitions", actions: ["ecs:DeregisterTaskDefinition"], resources: ["*"] },
    {
      sid: "CreateServiceLinkedRoles",
      actions: ["iam:CreateServiceLinkedRole"],
      resources: [`arn:${p}:iam::${a}:role/aws-service-role/*`],
      condition: [{ test: "StringEquals", variable: "iam:AWSServiceName", values: SERVICE_LINKED_ROLES }],
    },
  ];
  if (props.hostedZoneId !== undefined) {
    statements.push(
      {
        sid: "WriteHostedZoneRecords",
        actions: ["route53:ChangeResourceRecordSets", "route53:GetHostedZone", "route53:ListResourceRecordSets", "route53:ListTagsForResource"],
        resources: [`arn:${p}:route53:::hostedzone/${props.hostedZoneId}`],
      },
      { sid: "FollowRoute53Changes", actions: ["route53:GetChange"], resources: [`arn:${p}:route53:::change/*`] },
    );
  }
  return statements;
}

/**
 * The two roles a pipeline runs Terraform for one workspace with: `plan` (what a refresh reads, the workspace's
 * state, and writes nothing but its lock files) and `deploy` (manages the project's resources, by name where the
 * ARN carries it and by tag where it carries an id). Both are capped by the permissions boundary.
 */
export class TerraformCiRoles extends Construct {
  readonly planRole: GithubActionsRole;
  readonly deployRole: GithubActionsRole;

  constructor(scope: Construct, id: string, props: TerraformCiRolesProps) {
    super(scope, id);
    if (Object.keys(props.resourceTags).length === 0) {
      throw new Error(`TerraformCiRoles ${props.deployRoleName}: resourceTags is empty; the tag conditions would admit every resource of the account`);
    }
    if (!/[A-Za-z0-9]/.test(props.resourceNamePattern)) {
      throw new Error(`TerraformCiRoles ${props.deployRoleName}: resourceNamePattern "${props.resourceNamePattern}" names nothing; it would match every resource of the account`);
    }
    const role = (roleName: string, subjects: readonly GithubJobSubject[], statements: DataAwsIamPolicyDocumentStatement[], maxSessionDurationSeconds?: number) => ({
      roleName,
      maxSessionDurationSeconds,
      oidcProviderArn: props.oidcProviderArn,
      repository: props.repository,
      subjects,
      statements,
      permissionsBoundaryArn: props.permissionsBoundaryArn,
    });
    this.planRole = new GithubActionsRole(this, "plan", role(props.planRoleName, props.planSubjects, planStatements(props), props.planSessionSeconds));
    this.deployRole = new GithubActionsRole(this, "deploy", role(props.deployRoleName, props.deploySubjects, deployStatements(props), props.deploySessionSeconds));
  }
}
