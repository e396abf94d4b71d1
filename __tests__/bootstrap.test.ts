import { TerraformStack, Testing } from "cdktf";
import { join } from "path";
import { CI_ENVIRONMENTS, CI_SESSION_SECONDS } from "../src/config";
import { GithubActionsRole } from "../src/constructs/identity/github-actions-role";
import { PermissionsBoundaryPolicy } from "../src/constructs/identity/permissions-boundary-policy";
import { BootstrapStack } from "../src/stacks/bootstrap-stack";
import { wafLogGroupName } from "../src/stacks/names";
import { dataOf, policyStatements, resource, resourcesOf, statementBySid, testConfig, TEST_OPERATOR_VARIABLES } from "./support/synth";

const tf = JSON.parse(Testing.synth(new BootstrapStack(Testing.app(), testConfig("dev").operator)));

describe("bootstrap stack (state bucket)", () => {
  test("keeps its own state locally, at the project root: it creates the bucket every other stack stores state in", () => {
    expect(tf.terraform.backend).toEqual({ local: { path: join(__dirname, "..", "terraform.sentry-bootstrap.tfstate") } });
  });

  test("creates the configured bucket and refuses to destroy it", () => {
    expect(resource(tf, "aws_s3_bucket", "state_bucket")).toMatchObject({
      bucket: "sentry-test-state",
      lifecycle: { prevent_destroy: true },
    });
  });

  test("versions, encrypts and blocks public access", () => {
    expect(resource(tf, "aws_s3_bucket_versioning", "state_bucket_versioning").versioning_configuration).toEqual({ status: "Enabled" });
    expect(resource(tf, "aws_s3_bucket_server_side_encryption_configuration", "state_bucket_encryption").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: "${aws_kms_key.state_key.arn}" }, bucket_key_enabled: true },
    ]);
    expect(resource(tf, "aws_s3_bucket_public_access_block", "state_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  test("denies every request not made over TLS", () => {
    expect(dataOf(tf, "aws_iam_policy_document").state_bucket_tls_only.statement).toEqual([
      {
        sid: "DenyInsecureTransport",
        effect: "Deny",
        actions: ["s3:*"],
        resources: ["${aws_s3_bucket.state_bucket.arn}", "${aws_s3_bucket.state_bucket.arn}/*"],
        principals: [{ type: "*", identifiers: ["*"] }],
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      },
    ]);
  });

  test("expires old state versions after 90 days and aborts stale uploads", () => {
    const [rule] = resource(tf, "aws_s3_bucket_lifecycle_configuration", "state_bucket_lifecycle").rule;
    expect(rule).toMatchObject({
      status: "Enabled",
      noncurrent_version_expiration: [{ noncurrent_days: 90 }],
      abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
    });
    expect(rule.expiration).toBeUndefined();
  });

  test("is tagged as shared, not as one environment", () => {
    expect(tf.provider.aws[0].default_tags[0].tags).toEqual({ Project: "sentry", Environment: "shared", Phase: "0-bootstrap", ManagedBy: "cdktf" });
  });
});

describe("bootstrap stack (state key)", () => {
  const ACCOUNT = "${data.aws_caller_identity.account.account_id}";
  const ROOT = `arn:\${data.aws_partition.partition.partition}:iam::${ACCOUNT}:root`;
  const OPERATORS = ["arn:aws:iam::123456789012:role/sentry-operator", "arn:aws:iam::123456789012:role/sentry-deployer"];

  test("rotates, keeps 30 days to recover a deletion, and is alias/sentry-terraform-state", () => {
    expect(resource(tf, "aws_kms_key", "state_key")).toMatchObject({
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      policy: "${data.aws_iam_policy_document.state_key_policy.json}",
    });
    expect(resource(tf, "aws_kms_alias", "state_key_alias")).toEqual(expect.objectContaining({ name: "alias/sentry-terraform-state", target_key_id: "${aws_kms_key.state_key.key_id}" }));
    expect(tf.output.state_kms_key_arn.value).toBe("${aws_kms_key.state_key.arn}");
  });

  test("the account and the operators administer it and use it only through S3; nothing creates grants on it", () => {
    const statements = policyStatements(tf, "state_key_policy");
    expect(statements.map((statement) => statement.sid)).toEqual(["AdministerKey", "UseThroughAwsServices"]);
    expect(statements[0].principals).toEqual([{ type: "AWS", identifiers: [ROOT, ...OPERATORS] }]);
    expect(statements[0].actions).not.toContain("kms:CreateGrant");
    expect(statements[1]).toMatchObject({
      actions: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
      condition: [
        { test: "StringEquals", variable: "kms:CallerAccount", values: [ACCOUNT] },
        { test: "StringEquals", variable: "kms:ViaService", values: ["s3.us-east-1.amazonaws.com"] },
      ],
    });
  });
});

describe("bootstrap stack (access-log bucket)", () => {
  test("is <state bucket>-logs, SSE-S3 (the only encryption S3 server access logging delivers to), private and versioned", () => {
    expect(resource(tf, "aws_s3_bucket", "access_log_bucket")).toMatchObject({ bucket: "sentry-test-state-logs", lifecycle: { prevent_destroy: true } });
    expect(resource(tf, "aws_s3_bucket_server_side_encryption_configuration", "access_log_bucket_encryption").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
    expect(resource(tf, "aws_s3_bucket_public_access_block", "access_log_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(resource(tf, "aws_s3_bucket_versioning", "access_log_bucket_versioning").versioning_configuration).toEqual({ status: "Enabled" });
  });

  test("admits only S3 logging of the state bucket, for this account, under state/, besides the TLS-only deny", () => {
    const [tlsOnly, logging] = dataOf(tf, "aws_iam_policy_document").access_log_bucket_tls_only.statement;
    expect(tlsOnly).toMatchObject({ sid: "DenyInsecureTransport", effect: "Deny" });
    expect(logging).toEqual({
      sid: "S3ServerAccessLogsOfTheStateBucket",
      actions: ["s3:PutObject"],
      resources: ["${aws_s3_bucket.access_log_bucket.arn}/state/*"],
      principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
      condition: [
        { test: "StringEquals", variable: "aws:SourceAccount", values: ["${data.aws_caller_identity.account.account_id}"] },
        { test: "ArnLike", variable: "aws:SourceArn", values: ["arn:${data.aws_partition.partition.partition}:s3:::sentry-test-state"] },
      ],
    });
  });

  test("keeps logs a year and deleted or overwritten logs 30 days (an audit trail survives a careless cleanup)", () => {
    const [rule] = resource(tf, "aws_s3_bucket_lifecycle_configuration", "access_log_bucket_lifecycle").rule;
    expect(rule).toMatchObject({ status: "Enabled", expiration: [{ days: 365 }], noncurrent_version_expiration: [{ noncurrent_days: 30 }] });
  });

  test("the state bucket logs there under state/, once the log bucket's policy admits S3 logging", () => {
    expect(resource(tf, "aws_s3_bucket_logging", "state_bucket_logging")).toMatchObject({
      bucket: "${aws_s3_bucket.state_bucket.id}",
      target_bucket: "${aws_s3_bucket.access_log_bucket.id}",
      target_prefix: "state/",
      depends_on: ["aws_s3_bucket_policy.access_log_bucket_policy"],
    });
    expect(resource(tf, "aws_s3_bucket_policy", "access_log_bucket_policy").policy).toBe("${data.aws_iam_policy_document.access_log_bucket_tls_only.json}");
    expect(tf.output.access_log_bucket_name.value).toBe("${aws_s3_bucket.access_log_bucket.bucket}");
  });
});

describe("bootstrap stack (CI access: GitHub OIDC, plan and deploy roles per environment)", () => {
  const REPOSITORY = "acme/sentry-infra";
  const ciVariables = { ...TEST_OPERATOR_VARIABLES, SENTRY_GITHUB_REPOSITORY: REPOSITORY, SENTRY_HOSTED_ZONE_ID: "Z0123456789ABCDEFGHIJ" };
  const ci = JSON.parse(Testing.synth(new BootstrapStack(Testing.app(), testConfig("dev", ciVariables).operator)));
  const ENVS = ["dev", "staging", "prod"] as const;
  const ROLES = ENVS.flatMap((env) => [`ci_${env}_plan`, `ci_${env}_deploy`]);
  const boundaryArn = (env: string) => `arn:\${data.aws_partition.partition.partition}:iam::\${data.aws_caller_identity.account.account_id}:policy/sentry-ci-boundary-${env}`;
  const trust = (role: string) => policyStatements(ci, `${role}_trust`);
  const permissions = (role: string) => policyStatements(ci, `${role}_permissions`);
  const subjects = (role: string) => trust(role)[0].condition.find((c: { variable: string }) => c.variable === "token.actions.githubusercontent.com:sub").values;
  /** Actions that only read: what a refresh calls. */
  const READ = /^[a-z0-9-]+:(Describe|Get|List|BatchGet|AdminGet|AdminList)[A-Za-z]*\*?$/;

  test("without a repository there is no OIDC provider and no CI role", () => {
    expect(resourcesOf(tf, "aws_iam_openid_connect_provider")).toEqual({});
    expect(resourcesOf(tf, "aws_iam_role")).toEqual({});
    expect(tf.output.github_variables).toBeUndefined();
  });

  test("GitHub's OIDC provider, with STS as its only audience", () => {
    expect(resource(ci, "aws_iam_openid_connect_provider", "github_oidc")).toEqual(
      expect.objectContaining({ url: "https://token.actions.githubusercontent.com", client_id_list: ["sts.amazonaws.com"] }),
    );
  });

  test("six roles, sentry-plan-<env> and sentry-deploy-<env>, each under the permissions boundary", () => {
    expect(Object.keys(resourcesOf(ci, "aws_iam_role")).sort()).toEqual([...ROLES].sort());
    for (const env of ENVS) {
      for (const kind of ["plan", "deploy"]) {
        expect(resource(ci, "aws_iam_role", `ci_${env}_${kind}`)).toMatchObject({
          name: `sentry-${kind}-${env}`,
          assume_role_policy: `\${data.aws_iam_policy_document.ci_${env}_${kind}_trust.json}`,
          permissions_boundary: `\${aws_iam_policy.ci_${env}_boundary.arn}`,
          max_session_duration: CI_SESSION_SECONDS[kind as "plan" | "deploy"],
        });
      }
    }
  });

  test("trust: web identity from the provider, audience sts.amazonaws.com, the subject pinned to the repository (no wildcard)", () => {
    for (const role of ROLES) {
      const [statement, ...others] = trust(role);
      expect(others).toEqual([]);
      expect(statement).toMatchObject({
        actions: ["sts:AssumeRoleWithWebIdentity"],
        principals: [{ type: "Federated", identifiers: ["${aws_iam_openid_connect_provider.github_oidc.arn}"] }],
      });
      expect(statement.condition).toContainEqual({ test: "StringEquals", variable: "token.actions.githubusercontent.com:aud", values: ["sts.amazonaws.com"] });
      expect(statement.condition.map((c: { test: string }) => c.test)).toEqual(["StringEquals", "StringEquals"]);
      for (const subject of subjects(role)) expect(subject).toMatch(/^repo:acme\/sentry-infra:[^*?]+$/);
    }
  });

  test("pull requests assume only the dev and staging plan roles; prod plans only from prod-plan; deploys only from their GitHub environment", () => {
    expect(ROLES.filter((role) => subjects(role).includes(`repo:${REPOSITORY}:pull_request`))).toEqual(["ci_dev_plan", "ci_staging_plan"]);
    expect(subjects("ci_prod_plan")).toEqual([`repo:${REPOSITORY}:environment:prod-plan`]);
    for (const env of ENVS) expect(subjects(`ci_${env}_deploy`)).toEqual([`repo:${REPOSITORY}:environment:${env}`]);
  });

  test.each(ENVS)("%s: the plan role writes nothing but lock files of its own workspace", (env) => {
    const writes = permissions(`ci_${env}_plan`)
      .filter((statement) => statement.effect !== "Deny")
      .flatMap((statement) => statement.actions.filter((action: string) => !READ.test(action)).map((action: string) => ({ action, resources: statement.resources })));
    expect(writes).toEqual([
      { action: "s3:PutObject", resources: [`\${aws_s3_bucket.state_bucket.arn}/env:/${env}/sentry/*.tflock`] },
      { action: "s3:DeleteObject", resources: [`\${aws_s3_bucket.state_bucket.arn}/env:/${env}/sentry/*.tflock`] },
      // The bucket's key: decrypt the state, encrypt the lock file (no resource of its own).
      { action: "kms:Decrypt", resources: ["${aws_kms_key.state_key.arn}"] },
      { action: "kms:GenerateDataKey", resources: ["${aws_kms_key.state_key.arn}"] },
      // Not a write: a secret version's refresh decrypts it (below, only through Secrets Manager).
      { action: "kms:Decrypt", resources: ["*"] },
    ]);
    expect(statementBySid(ci, `ci_${env}_plan_permissions`, "ReadStateOfThisWorkspace")!.resources).toEqual([`\${aws_s3_bucket.state_bucket.arn}/env:/${env}/sentry/*`]);
  });

  test.each(ENVS)("%s: the deploy role reaches only its environment: by name, by tag, its state", (env) => {
    const others = ENVS.filter((other) => other !== env);
    for (const statement of permissions(`ci_${env}_deploy`)) {
      for (const arn of statement.resources as string[]) {
        if (arn === "*" && statement.sid === "DeregisterTaskDefinitions") {
          expect(statement.actions).toEqual(["ecs:DeregisterTaskDefinition"]);
        } else if (arn === "*" && statement.sid === "WafLogDelivery") {
          statement.actions.forEach((action: string) => expect(action).toMatch(/^logs:[A-Za-z]+LogDeliver(y|ies)$/));
        } else if (arn === "*") {
          const tagged = (statement.condition ?? []).some((c: { variable: string; values: string[] }) => /^aws:(Resource|Request)Tag\/Environment$/.test(c.variable) && c.values.join() === env);
          expect(tagged || statement.actions.every((action: string) => READ.test(action) || action === "secretsmanager:GetRandomPassword")).toBe(true);
        } else {
          others.forEach((other) => expect(arn).not.toContain(other));
        }
      }
    }
    expect(statementBySid(ci, `ci_${env}_deploy_permissions`, "WriteStateOfThisWorkspace")!.resources).toEqual([`\${aws_s3_bucket.state_bucket.arn}/env:/${env}/sentry/*`]);
    expect(statementBySid(ci, `ci_${env}_deploy_permissions`, "ManageProjectResourcesByName")!.resources).toContain(
      `arn:\${data.aws_partition.partition.partition}:secretsmanager:us-east-1:\${data.aws_caller_identity.account.account_id}:secret:sentry/${env}/*`,
    );
  });

  test.each(ENVS)("%s: the plan role can refresh a secret version (Decrypt on its environment's key, through Secrets Manager only)", (env) => {
    expect(statementBySid(ci, `ci_${env}_plan_permissions`, "DecryptSecretsOfTheEnvironment")).toMatchObject({
      actions: ["kms:Decrypt"],
      resources: ["*"],
      condition: expect.arrayContaining([
        { test: "StringEquals", variable: "aws:ResourceTag/Environment", values: [env] },
        { test: "StringEquals", variable: "kms:ViaService", values: ["secretsmanager.us-east-1.amazonaws.com"] },
      ]),
    });
  });

  test.each(ENVS)("%s: calls AWS authorizes only on * are granted on * (task definitions, the user pool domain), key aliases by name", (env) => {
    const shared = statementBySid(ci, `ci_${env}_plan_permissions`, "ReadWithoutResourceLevelPermissions")!;
    expect(shared.actions).toEqual(expect.arrayContaining(["ecs:DescribeTaskDefinition", "cognito-idp:DescribeUserPoolDomain"]));
    expect(statementBySid(ci, `ci_${env}_deploy_permissions`, "RegisterTaskDefinitionsWithTags")).toMatchObject({
      actions: ["ecs:RegisterTaskDefinition"],
      resources: ["*"],
      condition: expect.arrayContaining([{ test: "StringEquals", variable: "aws:RequestTag/Environment", values: [env] }]),
    });
    // The foundation's alias is alias/sentry-<env>: the pattern must match it, and an alias has no tag to match.
    expect(statementBySid(ci, `ci_${env}_deploy_permissions`, "ManageKeyAliases")!.resources).toEqual([
      `arn:\${data.aws_partition.partition.partition}:kms:us-east-1:\${data.aws_caller_identity.account.account_id}:alias/sentry-*${env}*`,
    ]);
  });

  test.each(ENVS)("%s: the boundary: no users or keys, IAM only on the environment's sentry-* roles, the CI roles untouchable, new roles only under it, one region", (env) => {
    expect(resource(ci, "aws_iam_policy", `ci_${env}_boundary`)).toMatchObject({ name: `sentry-ci-boundary-${env}`, policy: `\${data.aws_iam_policy_document.ci_${env}_boundary_document.json}` });
    const iam = (resource: string) => `arn:\${data.aws_partition.partition.partition}:iam::\${data.aws_caller_identity.account.account_id}:${resource}`;
    const bySid = (sid: string) => statementBySid(ci, `ci_${env}_boundary_document`, sid)!;
    expect(bySid("NoUsersGroupsKeysOrIdentityProviders")).toMatchObject({ effect: "Deny", resources: ["*"] });
    expect(bySid("NoUsersGroupsKeysOrIdentityProviders").actions).toEqual(expect.arrayContaining(["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile"]));
    expect(bySid("IamOnlyOnProjectRoles")).toEqual({
      sid: "IamOnlyOnProjectRoles",
      effect: "Deny",
      actions: ["iam:*"],
      not_resources: [iam(`role/sentry-*${env}*`), iam(`instance-profile/sentry-*${env}*`), iam("role/aws-service-role/*")],
    });
    expect(bySid("NotTheProtectedRoles")).toMatchObject({ effect: "Deny", actions: ["iam:*"], resources: [iam("role/sentry-plan-*"), iam("role/sentry-deploy-*")] });
    expect(bySid("NewRolesOnlyUnderThisBoundary")).toMatchObject({
      effect: "Deny",
      actions: ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
      condition: [{ test: "StringNotEquals", variable: "iam:PermissionsBoundary", values: [boundaryArn(env)] }],
    });
    expect(bySid("KeepTheBoundary")).toMatchObject({ effect: "Deny", actions: ["iam:DeleteRolePermissionsBoundary"] });
    expect(bySid("StayInTheRegion")).toMatchObject({
      effect: "Deny",
      not_actions: ["iam:*", "route53:*", "sts:*"],
      condition: [{ test: "StringNotEquals", variable: "aws:RequestedRegion", values: ["us-east-1"] }],
    });
  });

  test.each(ENVS)("%s: a role the deploy role creates stays in its environment: nothing tagged otherwise, no other environment's bucket, no state", (env) => {
    const bySid = (sid: string) => statementBySid(ci, `ci_${env}_boundary_document`, sid)!;
    const exemptCiRoles = {
      test: "ArnNotLike",
      variable: "aws:PrincipalArn",
      values: ["plan", "deploy"].map((kind) => `arn:\${data.aws_partition.partition.partition}:iam::\${data.aws_caller_identity.account.account_id}:role/sentry-${kind}-*`),
    };
    expect(bySid("OnlyResourcesOfThisTag")).toEqual({
      sid: "OnlyResourcesOfThisTag",
      effect: "Deny",
      actions: ["*"],
      resources: ["*"],
      condition: [{ test: "StringNotEqualsIfExists", variable: "aws:ResourceTag/Environment", values: [env] }, exemptCiRoles],
    });
    const reserved = bySid("ReservedForTheProtectedRoles");
    expect(reserved).toMatchObject({ effect: "Deny", actions: ["*"], condition: [exemptCiRoles] });
    expect(reserved.resources).toEqual(expect.arrayContaining(["arn:${data.aws_partition.partition.partition}:s3:::sentry-test-state/*", "arn:${data.aws_partition.partition.partition}:s3:::sentry-test-state-logs/*"]));
    for (const other of ENVS.filter((name) => name !== env)) {
      expect(reserved.resources).toEqual(expect.arrayContaining([`arn:\${data.aws_partition.partition.partition}:s3:::sentry-*${other}*`, `arn:\${data.aws_partition.partition.partition}:s3:::sentry-*${other}*/*`]));
    }
    expect(reserved.resources.some((arn: string) => arn.includes(`*${env}*`))).toBe(false);
  });

  test.each(ENVS)("%s: the CI roles reach WAF's request-log group and its log delivery (account resource policy, vended logs)", (env) => {
    const account = "\${data.aws_caller_identity.account.account_id}";
    const logs = `arn:\${data.aws_partition.partition.partition}:logs:us-east-1:${account}`;
    expect(statementBySid(ci, `ci_${env}_deploy_permissions`, "ManageProjectResourcesByName")!.resources).toContain(`${logs}:log-group:${wafLogGroupName(env)}`);
    expect(statementBySid(ci, `ci_${env}_plan_permissions`, "ReadProjectResourcesByName")!.resources).toContain(`${logs}:log-group:${wafLogGroupName(env)}`);
    expect(statementBySid(ci, `ci_${env}_plan_permissions`, "ReadLogResourcePolicies")).toMatchObject({ actions: ["logs:DescribeResourcePolicies"], resources: [`${logs}:*`] });
    expect(statementBySid(ci, `ci_${env}_deploy_permissions`, "WriteLogResourcePolicies")).toMatchObject({ actions: ["logs:DeleteResourcePolicy", "logs:PutResourcePolicy"], resources: [`${logs}:*`] });
    expect(statementBySid(ci, `ci_${env}_deploy_permissions`, "WafLogDelivery")!.actions).toEqual(expect.arrayContaining(["logs:CreateLogDelivery", "logs:DeleteLogDelivery"]));
  });

  test("the boundary construct refuses a tag or reserved resources with no protected role to exempt", () => {
    const build = () =>
      new PermissionsBoundaryPolicy(new TerraformStack(Testing.app(), "test"), "b", {
        policyName: "b",
        partition: "aws",
        accountId: "123456789012",
        region: "us-east-1",
        services: ["sqs"],
        globalServices: [],
        iamNamePattern: "sentry-*",
        protectedRoleNamePatterns: [],
        confiningTag: { key: "Environment", value: "dev" },
      });
    expect(build).toThrow("PermissionsBoundaryPolicy b: confiningTag and reservedResourceArns need protectedRoleNamePatterns (the roles exempt from them)");
  });

  test.each(ENVS)("%s: the boundary fits IAM's 6,144 characters per managed policy (ids resolved, whitespace removed)", (env) => {
    const rendered = JSON.stringify({ Version: "2012-10-17", Statement: policyStatements(ci, `ci_${env}_boundary_document`) })
      .replace(/\$\{data\.aws_partition\.partition\.partition\}/g, "aws")
      .replace(/\$\{data\.aws_caller_identity\.account\.account_id\}/g, "123456789012");
    expect(rendered.length).toBeLessThan(6144);
  });

  test("every inline policy fits IAM's 10,240 characters per role (rendered as IAM stores it, ids resolved)", () => {
    for (const role of ROLES) {
      const rendered = JSON.stringify({
        Version: "2012-10-17",
        Statement: permissions(role).map((s) => ({ Sid: s.sid, Effect: s.effect ?? "Allow", Action: s.actions, Resource: s.resources, Condition: s.condition })),
      })
        .replace(/\$\{data\.aws_partition\.partition\.partition\}/g, "aws")
        .replace(/\$\{data\.aws_caller_identity\.account\.account_id\}/g, "123456789012")
        .replace(/\$\{aws_s3_bucket\.state_bucket\.arn\}/g, "arn:aws:s3:::sentry-test-state")
        .replace(/\$\{aws_kms_key\.state_key\.arn\}/g, "arn:aws:kms:us-east-1:123456789012:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e");
      expect(rendered).not.toContain("${");
      expect(rendered.length).toBeLessThan(10240);
    }
  });

  test("publishes the role ARNs under the repository variable names the workflows read", () => {
    expect(ci.output.github_variables.value).toEqual(
      Object.fromEntries(ENVS.flatMap((env) => ["plan", "deploy"].map((kind) => [`SENTRY_${kind.toUpperCase()}_ROLE_ARN_${env.toUpperCase()}`, `\${aws_iam_role.ci_${env}_${kind}.arn}`]))),
    );
  });

  test.each([
    ["acme", 'Invalid configuration: SENTRY_GITHUB_REPOSITORY (operator.githubRepository) = "acme"; expected a GitHub repository owner/name, no wildcard'],
    ["acme/*", 'Invalid configuration: SENTRY_GITHUB_REPOSITORY (operator.githubRepository) = "acme/*"; expected a GitHub repository owner/name, no wildcard'],
  ])("refuses the repository %s with one line", (repository, message) => {
    expect(() => testConfig("dev", { ...ciVariables, SENTRY_GITHUB_REPOSITORY: repository })).toThrow(message);
  });

  test("refuses a CI configuration missing an environment, and a state bucket a CI role would manage", () => {
    const operator = testConfig("dev", ciVariables).operator;
    const { prod: _missing, ...withoutProd } = CI_ENVIRONMENTS;
    expect(() => new BootstrapStack(Testing.app(), operator, withoutProd as typeof CI_ENVIRONMENTS)).toThrow(
      "Invalid configuration: ci.prod = null; expected an entry for every environment (dev, staging, prod): the bootstrap creates the CI roles of all of them",
    );
    expect(() => new BootstrapStack(Testing.app(), { ...operator, stateBucket: "sentry-dev-state" })).toThrow(
      'Invalid configuration: SENTRY_STATE_BUCKET (operator.stateBucket) = "sentry-dev-state"; expected a name outside sentry-*dev*, which the CI roles of dev manage',
    );
  });

  test("the construct refuses a subject that is not one GitHub environment", () => {
    const build = (environment: string) =>
      new GithubActionsRole(new TerraformStack(Testing.app(), "test"), "role", { roleName: "r", oidcProviderArn: "p", repository: REPOSITORY, subjects: [{ environment }], statements: [] });
    expect(() => build("prod*")).toThrow('GithubActionsRole r: environment "prod*" must be one GitHub environment name (letters, digits, . _ -), no wildcard');
    expect(() => build("prod")).not.toThrow();
  });
});
