import { blocks, ResourceView, StackView, referencedAddress } from "./model";
import { anonymousSourcesBlockedOn, encryptionOf, unguardedServiceTrusts } from "./rules";

/**
 * The register of deliberate exceptions: every place the project knowingly does not follow a rule of the
 * security baseline (`rules.ts`). It is the only way past a rule, SECURITY.md is rendered from it
 * (`npm run security-register`), and a test fails when an entry no longer exempts anything.
 */
export interface SecurityException {
  /** Stable kebab-case id. */
  readonly id: string;
  readonly title: string;
  /** Ids of the rules it exempts the covered resources from. */
  readonly rules: readonly string[];
  readonly covers: {
    /** Resource types (data sources as `data.<type>`). */
    readonly types: readonly string[];
    /** Which resources of those types, in words (SECURITY.md). */
    readonly description: string;
    /**
     * Only resources at these addresses (`aws_s3_bucket.state_bucket`), in any stack; a test fails when one of
     * them is not exempted in some environment. @default - any address
     */
    readonly addresses?: readonly string[];
    /** Narrows the covered resources further. @default - every resource of the types (and addresses) */
    readonly where?: (resource: ResourceView, stack: StackView) => boolean;
  };
  readonly reason: string;
  /** What would let the project drop the entry. */
  readonly liftedWhen: string;
}

/** Resources whose address matches `pattern`. */
export function addressMatching(pattern: RegExp): (resource: ResourceView) => boolean {
  return (resource) => pattern.test(resource.address);
}

/** Resources of stacks of the given environments. */
export function inEnvironments(...environments: string[]): (resource: ResourceView, stack: StackView) => boolean {
  return (_, stack) => stack.environment !== undefined && environments.includes(stack.environment);
}

const WEB_PORTS = [80, 443];

/**
 * An `aws_vpc_security_group_ingress_rule` for tcp 80 or 443 (from whatever sources it names), on a security
 * group that an internet-facing load balancer (`aws_lb`/`aws_alb`, not `internal`) of the same stack uses.
 */
export function ingressToInternetFacingLoadBalancer(resource: ResourceView, stack: StackView): boolean {
  const rule = resource.attributes;
  const webPort = WEB_PORTS.includes(rule.from_port) && rule.to_port === rule.from_port;
  const group = referencedAddress(rule.security_group_id);
  if (resource.type !== "aws_vpc_security_group_ingress_rule" || rule.ip_protocol !== "tcp" || !webPort || !group) return false;
  return stack.resources.some(
    (candidate) =>
      ["aws_lb", "aws_alb"].includes(candidate.type) &&
      candidate.attributes.internal !== true &&
      [].concat(candidate.attributes.security_groups ?? []).some((id) => referencedAddress(id) === group),
  );
}

/** A bucket whose server-side encryption configuration says SSE-S3, and nothing else (not merely unconfigured). */
export function encryptedWithSseS3(resource: ResourceView, stack: StackView): boolean {
  const configured = stack.referring("aws_s3_bucket_server_side_encryption_configuration", "bucket", resource);
  const algorithms = configured.flatMap((c) => blocks(c.attributes.rule).flatMap((rule) => blocks(rule.apply_server_side_encryption_by_default).map((sse) => sse.sse_algorithm)));
  return algorithms.length > 0 && algorithms.every((algorithm) => algorithm === "AES256");
}

/** A launch template whose every EBS volume is encrypted with the AWS-managed aws/ebs key (names no key). */
export function ebsVolumesWithAwsManagedKey(resource: ResourceView, stack: StackView): boolean {
  const encryption = encryptionOf(resource, stack) ?? [];
  return encryption.length > 0 && encryption.every((part) => "awsManaged" in part);
}

const ARTIFACT_BUCKETS = addressMatching(/^aws_s3_bucket\.[a-z]+_artifacts$/);
/** The buckets S3 server access logs go to: the state bucket's (bootstrap), compute's and cicd's. */
const S3_ACCESS_LOG_BUCKETS = ["aws_s3_bucket.access_log_bucket", "aws_s3_bucket.s3_access_logs"];

/** A web ACL that blocks anonymous sources on the admin host (`admin.<domain>`) and nowhere else. */
export function anonymousSourcesBlockedOnAdminOnly(resource: ResourceView): boolean {
  const blocked = anonymousSourcesBlockedOn(resource);
  return Array.isArray(blocked) && blocked.length > 0 && blocked.every((host) => host.startsWith("admin."));
}

/** Read-only actions by their verb: what a Terraform refresh calls. */
const READ_ONLY_ACTION = /^[a-z0-9-]+:(Describe|Get|List|BatchGet|AdminGet|AdminList)[A-Za-z]*\*?$/;
/** The tag conditions that hold a statement to one environment's resources. */
const ENVIRONMENT_TAG_KEYS = ["aws:ResourceTag/Environment", "aws:RequestTag/Environment"];

/** Non-read actions the CI roles need that AWS authorizes only on "*" and with no tag condition. */
const CI_UNSCOPABLE_ACTIONS = [
  "secretsmanager:GetRandomPassword",
  "ecs:DeregisterTaskDefinition",
  "logs:CreateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:UpdateLogDelivery",
];

/**
 * A CI role's policy document whose every Allow statement on "*" either only reads or is held to one
 * environment's resources by a StringEquals tag condition.
 */
export function ciWildcardsReadOrTagged(resource: ResourceView): boolean {
  return blocks(resource.attributes.statement)
    .filter((statement) => statement.effect !== "Deny" && blocks(statement.resources).includes("*"))
    .every(
      (statement) =>
        blocks(statement.actions).every((action: string) => READ_ONLY_ACTION.test(action) || CI_UNSCOPABLE_ACTIONS.includes(action)) ||
        blocks(statement.condition).some((c) => c.test === "StringEquals" && ENVIRONMENT_TAG_KEYS.includes(c.variable) && blocks(c.values).length === 1 && !String(blocks(c.values)[0]).includes("*")),
    );
}

export const EXCEPTIONS: readonly SecurityException[] = [
  {
    id: "codebuild-privileged-docker",
    title: "CodeBuild runs privileged to build Docker images",
    rules: ["codebuild-unprivileged"],
    covers: { types: ["aws_codebuild_project"], description: "every build project (`sentry-build-<service>-<env>`)" },
    reason: "`docker build` needs the Docker daemon, which CodeBuild runs only in privileged mode. The project builds only its own repository's buildspec, and its role may push to one repository.",
    liftedWhen: "Builds move to a daemonless builder (kaniko, buildah) or to CodeBuild's managed Docker server.",
  },
  {
    id: "ecr-mutable-latest",
    title: "ECR tags are MUTABLE for the guide's moving `latest`",
    rules: ["ecr-immutable-tags"],
    covers: { types: ["aws_ecr_repository"], description: "every image repository (`sentry-<service>-<env>`)" },
    reason: "The guide's buildspec re-points `latest` on every build. Deploys name the commit tag, which no build moves, so a moved `latest` never changes what runs.",
    liftedWhen: "The buildspec stops pushing `latest` (or the provider supports immutable tags with exclusions).",
  },
  {
    id: "exchange-credentials-no-rotation",
    title: "No automatic rotation of the exchange and database credentials",
    rules: ["secret-rotation"],
    covers: {
      types: ["aws_secretsmanager_secret"],
      description: "`sentry/<env>/exchange-credentials` and `sentry/<env>/database`",
      addresses: ["aws_secretsmanager_secret.exchange_credentials_secret", "aws_secretsmanager_secret.database_secret"],
    },
    reason: "The exchange issues the API keys, and the database is run outside this project: Secrets Manager cannot mint new ones. Operators replace them in the console.",
    liftedWhen: "The exchange offers an API to issue keys, or the database moves into the project (a rotation Lambda).",
  },
  {
    id: "redis-token-manual-rotation",
    title: "Redis AUTH token rotation has a manual second step",
    rules: ["secret-rotation"],
    covers: {
      types: ["aws_secretsmanager_secret"],
      description: "`sentry/<env>/redis-auth-token` and `sentry/<env>/redis`",
      addresses: ["aws_secretsmanager_secret.redis_auth_token_secret", "aws_secretsmanager_secret.redis_secret"],
    },
    reason: "Rotation is `terraform apply -replace` of the token's version (ROTATE keeps the old token valid), then a manual `modify-replication-group --auth-token-update-strategy SET` once the services run on the new one (docs/operations.md: Redis credentials).",
    liftedWhen: "A rotation Lambda drives both steps, or Redis moves to IAM authentication.",
  },
  {
    id: "single-region-data",
    title: "No cross-region replication of the state bucket and the tables",
    rules: ["cross-region-replication"],
    covers: {
      types: ["aws_s3_bucket", "aws_dynamodb_table"],
      description: "the Terraform state bucket and the DynamoDB tables",
      where: (resource) => resource.type === "aws_dynamodb_table" || resource.address === "aws_s3_bucket.state_bucket",
    },
    reason: "The platform runs in one region; versioning and point-in-time recovery cover mistakes. A second region doubles storage and write cost for a disaster-recovery plan nobody has specified.",
    liftedWhen: "A disaster-recovery objective asks for another region (S3 replication, DynamoDB global tables).",
  },
  {
    id: "artifact-and-log-buckets-no-replication",
    title: "CodePipeline artifact and log buckets are not replicated",
    rules: ["cross-region-replication"],
    covers: {
      types: ["aws_s3_bucket"],
      description: "the pipelines' artifact buckets, the S3 access-log buckets (bootstrap, compute, cicd) and the load balancer's access-log bucket",
      where: (resource) => ARTIFACT_BUCKETS(resource) || [...S3_ACCESS_LOG_BUCKETS, "aws_s3_bucket.load_balancer_access_logs"].includes(resource.address),
    },
    reason: "Artifacts are intermediate and expire after days; a new push rebuilds them. Access logs are kept in the account's region for their retention (a year for the state bucket's, `logRetentionDays` for compute's and cicd's, `ingress.accessLogRetentionDays` for the load balancer's).",
    liftedWhen: "Audit requires logs outside the region (replicate the log bucket, or ship logs to a central account).",
  },
  {
    id: "no-s3-event-notifications",
    title: "No S3 event notifications",
    rules: ["s3-event-notifications"],
    covers: { types: ["aws_s3_bucket"], description: "every bucket" },
    reason: "Nothing consumes bucket events: the state bucket is read by Terraform, artifacts by the pipeline, logs by people.",
    liftedWhen: "Something must react to writes (e.g. alert on state changes outside CI).",
  },
  {
    id: "dev-without-flow-logs",
    title: "dev has no VPC flow logs (the guide)",
    rules: ["vpc-flow-logs"],
    covers: { types: ["aws_vpc"], description: "the dev VPC", where: inEnvironments("dev") },
    reason: "The guide turns flow logs on in staging and prod only; dev carries no real data or funds.",
    liftedWhen: "dev handles real credentials or its traffic must be audited.",
  },
  {
    id: "dev-single-node-redis",
    title: "Single-node Redis without failover in dev",
    rules: ["redis-failover"],
    covers: { types: ["aws_elasticache_replication_group"], description: "the dev replication group", where: inEnvironments("dev") },
    reason: "The guide's dev Redis is one cache.t4g.micro: failover needs a second node, double the cost for an environment that may go down.",
    liftedWhen: "dev runs two nodes (set dev.redis.numCacheNodes to 2).",
  },
  {
    id: "container-insights-prod-only",
    title: "Container Insights off outside prod",
    rules: ["container-insights"],
    covers: { types: ["aws_ecs_cluster"], description: "dev and staging clusters", where: inEnvironments("dev", "staging") },
    reason: "Container Insights bills per metric; the guide enables it in prod only.",
    liftedWhen: "dev/staging need per-task metrics (set clusters.*.containerInsights).",
  },
  {
    id: "ec2-instance-role-trust",
    title: "The container instances' role trusts EC2 without source conditions",
    rules: ["trust-confused-deputy"],
    covers: {
      types: ["data.aws_iam_policy_document"],
      description: "the ECS clusters' instance trust (`<cluster>_instance_trust`), only statements whose sole principal is `ec2.amazonaws.com`",
      where: (resource) =>
        addressMatching(/^data\.aws_iam_policy_document\.[a-z]+_instance_trust$/)(resource) &&
        unguardedServiceTrusts(resource).every((statement) => {
          const principals = blocks(statement.principals);
          return principals.length === 1 && principals[0].type === "Service" && blocks(principals[0].identifiers).join() === "ec2.amazonaws.com";
        }),
    },
    reason: "EC2 sends neither aws:SourceAccount nor aws:SourceArn when an instance profile's role is assumed: either condition would keep the instances from getting credentials.",
    liftedWhen: "EC2 sets the source keys for instance profiles.",
  },
  {
    id: "ecs-instance-managed-policies",
    title: "The container instances' role has the AWS-managed ECS agent and SSM policies",
    rules: ["no-aws-managed-policies"],
    covers: {
      types: ["aws_iam_role_policy_attachment"],
      description: "`AmazonEC2ContainerServiceforEC2Role` and `AmazonSSMManagedInstanceCore` on each cluster's instance role (`<cluster>_instance_role_ecs`, `<cluster>_instance_role_ssm`), nothing else",
      where: (resource) =>
        /^aws_iam_role_policy_attachment\.[a-z]+_instance_role_(ecs|ssm)$/.test(resource.address) &&
        /:iam::aws:policy\/(service-role\/AmazonEC2ContainerServiceforEC2Role|AmazonSSMManagedInstanceCore)$/.test(resource.attributes.policy_arn),
    },
    reason:
      "The ECS agent's calls (register, poll, telemetry, ECR pulls for its own images) and the SSM agent's (Session Manager instead of SSH) change with agent releases; AWS keeps these two policies in step with the agents, and a hand-kept copy that falls behind stops instances joining the cluster or opening sessions. Tasks do not get the instance role (IMDS hop limit 1, ECS_AWSVPC_BLOCK_IMDS).",
    liftedWhen: "The project keeps customer-managed copies scoped to its clusters (ecs:cluster conditions) and a check that follows the agents' changes.",
  },
  {
    id: "s3-access-log-bucket-sse-s3",
    title: "The S3 access-log buckets use SSE-S3",
    rules: ["environment-key"],
    covers: {
      types: ["aws_s3_bucket"],
      description: "`<state bucket>-logs` (bootstrap), `sentry-s3-logs-compute-<env>-<account>-<region>` and `sentry-s3-logs-cicd-<env>-<account>-<region>`, while their encryption configuration is SSE-S3",
      addresses: S3_ACCESS_LOG_BUCKETS,
      where: encryptedWithSseS3,
    },
    reason: "S3 server access logging delivers only to buckets with S3-managed keys (SSE-S3), never SSE-KMS.",
    liftedWhen: "S3 server access logging supports SSE-KMS targets.",
  },
  {
    id: "load-balancer-internet-ingress",
    title: "The load balancer admits the internet on 80 and 443",
    rules: ["no-ingress-from-internet"],
    covers: {
      types: ["aws_vpc_security_group_ingress_rule"],
      description: "tcp 80/443 from `ingress.allowedCidrs` into the security group of an internet-facing load balancer of the same stack (`sentry-alb-<env>`), and nothing else",
      where: ingressToInternetFacingLoadBalancer,
    },
    reason: "Websocket clients connect from anywhere, and the admin frontend is signed in by the load balancer (Cognito) before a request reaches it. Port 80 only redirects to 443; WAF screens every request in staging and prod.",
    liftedWhen: "Clients come only from private networks (a VPN into the VPC): make the load balancer internal and drop the entry.",
  },
  {
    id: "ebs-root-volumes-aws-managed-key",
    title: "EBS root volumes of the container instances use the AWS-managed aws/ebs key",
    rules: ["environment-key"],
    covers: {
      types: ["aws_launch_template"],
      description: "each cluster's launch template (`<cluster>_launch_template`), while every volume in it is encrypted with aws/ebs",
      where: (resource, stack) => addressMatching(/^aws_launch_template\.[a-z]+_launch_template$/)(resource) && ebsVolumesWithAwsManagedKey(resource, stack),
    },
    reason:
      "Auto Scaling launches the instances with its service-linked role (AWSServiceRoleForAutoScaling): with the environment key, the key policy would have to give that role kms:CreateGrant, Encrypt, Decrypt, ReEncrypt*, GenerateDataKey* and DescribeKey, outside the kms:ViaService limit every other principal has. The volumes hold the AMI, Docker images and container scratch space; secrets reach containers through the ECS agent, not the disk.",
    liftedWhen: "The environment key's policy admits the Auto Scaling service-linked role (or a customer-managed one), and the launch templates name the key (`kms_key_id`).",
  },
  {
    id: "load-balancer-access-log-bucket-sse-s3",
    title: "The load balancer's access-log bucket uses SSE-S3",
    rules: ["environment-key"],
    covers: {
      types: ["aws_s3_bucket"],
      description: "`sentry-alb-logs-<env>-<account>-<region>` (compute), while its encryption configuration is SSE-S3",
      addresses: ["aws_s3_bucket.load_balancer_access_logs"],
      where: encryptedWithSseS3,
    },
    reason: "Application Load Balancers deliver access logs only to buckets encrypted with S3-managed keys (SSE-S3), never SSE-KMS.",
    liftedWhen: "Load balancer access logs support SSE-KMS buckets.",
  },
  {
    id: "ci-roles-reads-and-tagged-resources-on-star",
    title: 'The CI roles read on "*" and manage id-named resources on "*" with an environment tag condition',
    rules: ["iam-resource-wildcard"],
    covers: {
      types: ["data.aws_iam_policy_document"],
      description:
        "the permissions of `sentry-plan-<env>` and `sentry-deploy-<env>` (bootstrap, `ci_<env>_<plan|deploy>_permissions`), while every Allow on \"*\" only reads (Describe, Get, List), deregisters task definitions, manages WAF's log delivery or carries StringEquals `aws:ResourceTag/Environment` / `aws:RequestTag/Environment`",
      where: (resource) => addressMatching(/^data\.aws_iam_policy_document\.ci_[a-z]+_(plan|deploy)_permissions$/)(resource) && ciWildcardsReadOrTagged(resource),
    },
    reason:
      "A Terraform refresh calls List and Describe actions AWS authorizes only on \"*\" (ec2:Describe*, elasticloadbalancing:Describe*, autoscaling:Describe*, ecs:DescribeTaskDefinition...); ecs:RegisterTaskDefinition only on \"*\" (held to the environment's tag in the request) and ecs:DeregisterTaskDefinition only on \"*\" with no condition at all (a deregistered revision keeps running tasks running); WAF's request logs need CloudWatch Logs' log delivery actions, which exist only on \"*\". VPC parts, the user pool, keys, the certificate, the connection and scaling targets have ARNs with generated ids, not names: the roles reach those only through the environment's tag (on the resource, or in the create request). Everything named (queues, tables, roles, buckets, clusters, secrets...) is scoped by name.",
    liftedWhen: "AWS gives those reads resource-level permissions, or the project names those resources so that their ARNs carry the name.",
  },
  {
    id: "ci-permissions-boundary-ceiling",
    title: 'The CI permissions boundary allows the project\'s services on "*"',
    rules: ["iam-resource-wildcard"],
    covers: {
      types: ["data.aws_iam_policy_document"],
      description: "the documents of the managed policies `sentry-ci-boundary-<env>` (bootstrap)",
      addresses: ["dev", "staging", "prod"].map((env) => `data.aws_iam_policy_document.ci_${env}_boundary_document`),
    },
    reason:
      "A permissions boundary grants nothing: it is the ceiling of what a role carrying it may do, and each role's own policy scopes the resources. Its Deny statements do the work (no users or keys, IAM only on the environment's sentry-* roles, no role without this boundary, nothing tagged with another environment, no other environment's buckets, no state, one region).",
    liftedWhen: "Never for a boundary; the entry goes if the boundary does.",
  },
  {
    id: "dev-without-waf",
    title: "dev's load balancer has no WAF web ACL",
    rules: ["waf-on-public-load-balancers"],
    covers: { types: ["aws_lb"], description: "`sentry-alb-dev`", where: inEnvironments("dev") },
    reason:
      "Cost for an environment without real funds or users: the web ACL would cost about 10 USD a month (5 USD for the web ACL, 1 USD for each of its 5 rules) plus 0.60 USD per million requests and its request logs' ingestion (0.50 USD per GB). dev's load balancer still admits only HTTPS (80 redirects), its admin host signs in with Cognito, and dev runs the same rules staging does.",
    liftedWhen: "dev carries real credentials or is reachable by more than the team: set `dev.ingress.waf.enabled` to true.",
  },
  {
    id: "load-balancer-deletion-protection-follows-protect-data",
    title: "dev and staging load balancers can be deleted",
    rules: ["load-balancer-deletion-protection"],
    covers: { types: ["aws_lb"], description: "`sentry-alb-dev` and `sentry-alb-staging` (`protectData` false)", where: inEnvironments("dev", "staging") },
    reason: "Deletion protection follows `protectData`, which is off where environments are torn down and rebuilt; `terraform destroy` of phase 3 would otherwise need a manual step. The load balancer holds no data: its access logs are in their own bucket.",
    liftedWhen: "dev or staging must survive a mistaken destroy: set `protectData` to true for it.",
  },
  {
    id: "plain-http-to-targets",
    title: "The load balancer forwards HTTP to the tasks",
    rules: ["tls-to-targets"],
    covers: {
      types: ["aws_lb_target_group"],
      description: "the services' target groups (`sentry-<service>-<port>-<env>`), while they forward HTTP to `ip` targets (awsvpc tasks)",
      where: (resource) => resource.attributes.protocol === "HTTP" && resource.attributes.target_type === "ip",
    },
    reason:
      "The load balancer ends TLS (TLS 1.3 policy) and forwards HTTP inside the VPC to tasks in private subnets, whose security groups admit the service port only from the load balancer's security group. Forwarding HTTPS needs a server certificate and TLS in every service image, which the services do not have yet.",
    liftedWhen: "The service images serve TLS on their port (a self-signed certificate is enough: the load balancer does not verify targets' certificates); then set the target groups' protocol and health check to HTTPS.",
  },
  {
    id: "websocket-accepts-anonymous-sources",
    title: "The websocket host accepts VPN, Tor and hosting-provider sources",
    rules: ["waf-anonymous-sources"],
    covers: {
      types: ["aws_wafv2_web_acl"],
      description: "`sentry-waf-<env>`, while its anonymous-IP rule is scoped down to the admin host (`admin.<domain>`) alone",
      where: anonymousSourcesBlockedOnAdminOnly,
    },
    reason:
      "Websocket clients are algorithmic traders whose bots often run in clouds (hosting-provider addresses) or behind VPNs; blocking them would cut off customers. They authenticate inside the protocol, and the per-IP rate limit and the IP-reputation list still apply. The admin host blocks these sources: staff have no reason to sign in from Tor or a hosting provider.",
    liftedWhen: "Websocket clients connect from known networks only (allow-listed, or through a private link): drop the scope-down and block anonymous sources on every host.",
  },
];
