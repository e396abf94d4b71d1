import { execFileSync, spawnSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { accountWarnings, ConfigError, ENVIRONMENT_NAMES, EnvironmentConfig, loadEnvironmentConfig, parseEnvironmentName } from "../src/config";
import { ENVIRONMENTS } from "../src/config/environments";
import { OPERATOR_ENVIRONMENT_VARIABLES, placeholderWarnings, readOperatorSettings, SESSION_PRINCIPAL_WARNING } from "../src/config/operator";
import { validateEnvironmentConfig } from "../src/config/validate";
import { TEST_OPERATOR_VARIABLES, testConfig } from "./support/synth";

const ROOT = join(__dirname, "..");
const dev = testConfig("dev");
const invalid = (change: Partial<EnvironmentConfig>) => () => validateEnvironmentConfig({ ...dev, ...change });

describe("choosing the environment", () => {
  test("SENTRY_ENV defaults to dev", () => {
    expect(parseEnvironmentName(undefined)).toBe("dev");
    expect(parseEnvironmentName("")).toBe("dev");
  });

  test("accepts dev, staging and prod", () => {
    expect(["dev", "staging", "prod"].map(parseEnvironmentName)).toEqual(["dev", "staging", "prod"]);
  });

  test("an unknown environment is one clear line", () => {
    expect(() => parseEnvironmentName("qa")).toThrow(new ConfigError("SENTRY_ENV", "qa", "expected one of dev, staging, prod"));
    expect(() => parseEnvironmentName("qa")).toThrow('Invalid configuration: SENTRY_ENV = "qa"; expected one of dev, staging, prod');
  });

  test("the app cdktf runs exits 1 with that line and no stack trace", () => {
    const [command, ...args] = JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")).app.split(" ");
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync(command, args, {
        cwd: ROOT,
        env: { ...process.env, SENTRY_ENV: "qa" },
        stdio: "pipe",
        encoding: "utf8",
      });
    } catch (error) {
      failure = error as { status: number; stderr: string };
    }
    expect(failure?.status).toBe(1);
    expect(failure?.stderr.trim()).toBe('Invalid configuration: SENTRY_ENV = "qa"; expected one of dev, staging, prod');
  });
});

describe("every environment of the guide", () => {
  test.each(["dev", "staging", "prod"] as const)("%s is valid", (env) => {
    expect(() => loadEnvironmentConfig(env, {})).not.toThrow();
  });

  test("holds the guide's values", () => {
    expect(ENVIRONMENTS.dev.network).toMatchObject({ vpcCidr: "172.22.0.0/16", flowLogs: { enabled: false } });
    expect(ENVIRONMENTS.staging.network).toMatchObject({ vpcCidr: "172.22.0.0/16", flowLogs: { enabled: true } });
    expect(ENVIRONMENTS.prod.network).toMatchObject({ vpcCidr: "172.23.0.0/16", availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"] });
    expect(ENVIRONMENTS.dev.queues.find((q) => q.name === "orders-bitget")?.type).toBe("standard");
    expect(ENVIRONMENTS.dev.queues.find((q) => q.name === "executions")?.type).toBe("fifo");
  });
});

const CERTIFICATE_ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e";

describe("operator settings", () => {
  test("have documented defaults", () => {
    expect(readOperatorSettings({})).toEqual({
      region: "us-east-1",
      stateBucket: "sentry-terraform-state",
      adminEmail: "admin@example.com",
      codeStarConnectionArn: undefined,
      domain: "sentry.example.com",
      hostedZoneId: undefined,
      certificateArn: undefined,
      alarmEmail: undefined,
      adminRoleArns: [],
      terraformRoleArns: [],
      githubRepository: undefined,
    });
  });

  test("are overridden by SENTRY_* environment variables", () => {
    expect(
      readOperatorSettings({
        SENTRY_AWS_REGION: "eu-west-1",
        SENTRY_STATE_BUCKET: "acme-tf-state",
        SENTRY_ADMIN_EMAIL: "root@acme.io",
        SENTRY_CODESTAR_CONNECTION_ARN: "arn:aws:codestar-connections:eu-west-1:123456789012:connection/abc",
        SENTRY_DOMAIN: "trading.acme.io",
        SENTRY_HOSTED_ZONE_ID: "Z0123456789ABCDEFGHIJ",
        SENTRY_CERTIFICATE_ARN: CERTIFICATE_ARN,
        SENTRY_ALARM_EMAIL: "alarms@acme.io",
        SENTRY_ADMIN_ROLE_ARNS: "arn:aws:iam::123456789012:role/ops, arn:aws:iam::123456789012:role/ci/deployer",
        SENTRY_TERRAFORM_ROLE_ARNS: "arn:aws:iam::123456789012:role/ci/deployer",
        SENTRY_GITHUB_REPOSITORY: "acme/sentry-infra",
      }),
    ).toEqual({
      region: "eu-west-1",
      stateBucket: "acme-tf-state",
      adminEmail: "root@acme.io",
      codeStarConnectionArn: "arn:aws:codestar-connections:eu-west-1:123456789012:connection/abc",
      domain: "trading.acme.io",
      hostedZoneId: "Z0123456789ABCDEFGHIJ",
      certificateArn: CERTIFICATE_ARN,
      alarmEmail: "alarms@acme.io",
      adminRoleArns: ["arn:aws:iam::123456789012:role/ops", "arn:aws:iam::123456789012:role/ci/deployer"],
      terraformRoleArns: ["arn:aws:iam::123456789012:role/ci/deployer"],
      githubRepository: "acme/sentry-infra",
    });
  });

  test("placeholders an operator must replace before deploying are named in warnings", () => {
    expect(placeholderWarnings({ SENTRY_ADMIN_EMAIL: "ops@acme.io" })).toEqual([
      'Warning: SENTRY_STATE_BUCKET is not set; using the placeholder "sentry-terraform-state". Set it before deploying.',
      'Warning: SENTRY_DOMAIN is not set; using the placeholder "sentry.example.com". Set it before deploying.',
      "Warning: SENTRY_ADMIN_ROLE_ARNS is not set; no operator role may read the secrets or administer the keys (only the principals running Terraform may). Set it before deploying.",
      SESSION_PRINCIPAL_WARNING,
    ]);
    expect(placeholderWarnings(TEST_OPERATOR_VARIABLES)).toEqual([SESSION_PRINCIPAL_WARNING]);
  });

  test("no warning or variable description, in any environment with any variable unset, quotes an empty value", () => {
    const unsetOne = Object.keys(TEST_OPERATOR_VARIABLES).map((name) => ({ ...TEST_OPERATOR_VARIABLES, [name]: "" }));
    for (const env of ENVIRONMENT_NAMES) {
      for (const variables of [{}, ...unsetOne]) {
        expect(() => loadEnvironmentConfig(env, variables)).not.toThrow();
        const messages = [...placeholderWarnings(variables), ...OPERATOR_ENVIRONMENT_VARIABLES.flatMap((variable) => [variable.meaning, variable.default ?? "-"])];
        expect(messages.filter((message) => message.includes('""'))).toEqual([]);
      }
    }
  });

  test("the app cdktf runs gives its warnings to cdktf as annotations of the bootstrap stack, once each, and writes nothing to stderr", () => {
    const outdir = mkdtempSync(join(tmpdir(), "sentry-main-"));
    const [command, ...args] = JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")).app.split(" ");
    const unset = Object.fromEntries(Object.keys(process.env).filter((name) => name.startsWith("SENTRY_")).map((name) => [name, undefined]));
    try {
      // GIVEN no SENTRY_* variable WHEN the app synthesizes as `cdktf synth` runs it
      const synth = spawnSync(command, args, { cwd: ROOT, env: { ...process.env, ...unset, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
      // THEN cdktf has nothing to print as [ERROR], and prints each warning once, as WARN, from the manifest
      expect(synth.status).toBe(0);
      expect(synth.stderr).toBe("");
      const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, { annotations: { level: string; message: string }[] }> };
      const annotations = Object.entries(manifest.stacks).flatMap(([stack, { annotations }]) => annotations.map((annotation) => `${stack} ${annotation.level} ${annotation.message}`));
      // (cdktf prints them as `WARN [sentry-bootstrap]: <text>`: the text does not say "Warning: " again)
      expect(annotations).toEqual([...placeholderWarnings({}), ...accountWarnings({})].map((warning) => `sentry-bootstrap @cdktf/warn ${warning.replace(/^Warning: /, "")}`));
      expect(annotations.filter((annotation) => annotation.includes("Warning"))).toEqual([]);
      expect(annotations).toHaveLength(6);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  test("a region change must come with zones of that region", () => {
    expect(() => loadEnvironmentConfig("dev", { SENTRY_AWS_REGION: "eu-west-1" })).toThrow(
      'dev.network.availabilityZones[0] = "us-east-1a"; expected a zone of region eu-west-1',
    );
  });

  test.each([
    ["SENTRY_ADMIN_EMAIL", "not-an-email", /SENTRY_ADMIN_EMAIL \(operator.adminEmail\) = "not-an-email"; expected an e-mail address/],
    ["SENTRY_STATE_BUCKET", "Bad_Bucket", /SENTRY_STATE_BUCKET .* = "Bad_Bucket"; expected an S3 bucket name/],
    ["SENTRY_CODESTAR_CONNECTION_ARN", "arn:aws:s3:::x", /SENTRY_CODESTAR_CONNECTION_ARN .*; expected a CodeStar connection ARN/],
    ["SENTRY_DOMAIN", "https://acme.io", /SENTRY_DOMAIN \(operator.domain\) = "https:\/\/acme.io"; expected a lower-case DNS domain/],
    ["SENTRY_HOSTED_ZONE_ID", "acme.io", /SENTRY_HOSTED_ZONE_ID .* = "acme.io"; expected a Route 53 hosted zone id/],
    ["SENTRY_CERTIFICATE_ARN", CERTIFICATE_ARN, /SENTRY_CERTIFICATE_ARN .*; expected an ACM certificate ARN in us-east-1/],
    ["SENTRY_ALARM_EMAIL", "ops at acme", /SENTRY_ALARM_EMAIL \(operator.alarmEmail\) = "ops at acme"; expected an e-mail address/],
  ])("a bad %s fails with a clear message", (variable, value, message) => {
    expect(() => loadEnvironmentConfig("dev", { [variable]: value })).toThrow(message);
  });
});

describe("bad configuration fails with one clear line", () => {
  test("a malformed CIDR", () => {
    expect(invalid({ network: { ...dev.network, vpcCidr: "172.22.0.0/33" } })).toThrow(
      'Invalid configuration: dev.network.vpcCidr = "172.22.0.0/33"; expected an IPv4 CIDR such as 172.22.0.0/16 with no host bits set',
    );
    expect(invalid({ network: { ...dev.network, vpcCidr: "172.22.1.0/16" } })).toThrow(/vpcCidr = "172.22.1.0\/16"/);
    expect(invalid({ network: { ...dev.network, vpcCidr: "10.0.0.0/8" } })).toThrow(/vpcCidr prefix length = 8; expected a whole number from 16 to 20/);
  });

  test("cluster min > max", () => {
    const clusters = { ...dev.clusters, oms: { ...dev.clusters.oms, minSize: 3, maxSize: 2, desiredCapacity: 2 } };
    expect(invalid({ clusters })).toThrow("dev.clusters.oms.minSize = 3; expected minSize <= maxSize (2)");
  });

  test("desired outside [min, max]", () => {
    const clusters = { ...dev.clusters, frontend: { ...dev.clusters.frontend, desiredCapacity: 5 } };
    expect(invalid({ clusters })).toThrow("dev.clusters.frontend.desiredCapacity = 5; expected desired between min and max (1..2)");
  });

  test("an unknown queue type", () => {
    const queues = [...dev.queues, { name: "alerts", type: "priority" as never, purpose: "x", visibilityTimeoutSeconds: 30, consumerServices: "one" as const }];
    expect(invalid({ queues })).toThrow(`dev.queues[${dev.queues.length}].type = "priority"; expected one of standard, fifo`);
  });

  test("a duplicate queue name", () => {
    expect(invalid({ queues: [...dev.queues, dev.queues[0]] })).toThrow(`dev.queues[${dev.queues.length}] = "orders-bitget"; expected a name not used before in the list`);
  });

  test("a table or secret name that would not make a resource name", () => {
    expect(invalid({ tables: { ...dev.tables, Orders_Table: dev.tables.config } as EnvironmentConfig["tables"] })).toThrow('dev.tables.Orders_Table = "Orders_Table"; expected a table name of lower-case letters, digits and single dashes');
    expect(invalid({ secrets: { ...dev.secrets, "api key": dev.secrets.database } as EnvironmentConfig["secrets"] })).toThrow('dev.secrets.api key = "api key"; expected a secret name of lower-case letters, digits and single dashes');
  });

  test("a secret without keys, or with a key twice", () => {
    const secret = (keys: string[]) => ({ secrets: { ...dev.secrets, database: { ...dev.secrets.database, keys } } });
    expect(invalid(secret([]))).toThrow("dev.secrets.database.keys length = 0; expected a whole number from 1 to 50");
    expect(invalid(secret(["host", "host"]))).toThrow('dev.secrets.database.keys[1] = "host"; expected a name not used before in the list');
  });

  test("a queue name AWS would reject", () => {
    const queues = [{ ...dev.queues[0], name: "Orders_Bitget" }];
    expect(invalid({ queues })).toThrow('dev.queues[0].name = "Orders_Bitget"; expected lower-case letters, digits and single dashes');
  });

  test("a log retention CloudWatch does not offer", () => {
    expect(invalid({ logRetentionDays: 10 })).toThrow(/dev.logRetentionDays = 10; expected one of 1, 3, 5, 7, 14, 30/);
  });

  test("a cluster too small for the tasks its services may run (one network interface per awsvpc task)", () => {
    const prod = testConfig("prod");
    const services = prod.services.map((service) =>
      service.name === "websocket" ? { ...service, autoScaling: { ...service.autoScaling, maxTaskCount: 8 } } : service,
    );
    expect(() => validateEnvironmentConfig({ ...prod, services })).toThrow(
      "prod.clusters.frontend.maxSize = 4; expected room for 10 awsvpc tasks (frontend 2 + websocket 8) at 2 per t4g.medium: maxSize >= 5",
    );
  });

  test("a Graviton type whose network interface count is not known", () => {
    const clusters = { ...dev.clusters, oms: { ...dev.clusters.oms, instanceType: "c8g.large" } };
    expect(invalid({ clusters })).toThrow(/dev.clusters.oms.instanceType = "c8g.large"; expected a type listed in AWSVPC_TASKS_PER_INSTANCE/);
  });

  test("a prod log retention under the audit floor", () => {
    const prod = testConfig("prod");
    expect(() => validateEnvironmentConfig({ ...prod, logRetentionDays: 180 })).toThrow("prod.logRetentionDays = 180; expected at least 365 days (the audit floor of prod)");
    expect(() => validateEnvironmentConfig({ ...prod, network: { ...prod.network, flowLogs: { enabled: true, retentionDays: 90 } } })).toThrow(
      "prod.network.flowLogs.retentionDays = 90; expected at least 365 days (the audit floor of prod)",
    );
    expect(invalid({ logRetentionDays: 30 })).not.toThrow();
  });

  test("a bridge-mode task on a hop-limit-1 cluster, or reaching Redis", () => {
    const bridged = (name: string) => dev.services.map((service) => (service.name === name ? { ...service, networkMode: "bridge" as const } : service));
    expect(invalid({ services: bridged("frontend") })).toThrow(
      'dev.services[1].networkMode = "bridge"; expected awsvpc: cluster frontend has metadataHopLimit 1, which bridge containers cannot cross (set it to 2 to run bridge tasks there)',
    );
    const hopLimit2 = { ...dev.clusters, frontend: { ...dev.clusters.frontend, metadataHopLimit: 2 as const } };
    expect(invalid({ services: bridged("frontend"), clusters: hopLimit2 })).not.toThrow();
    expect(invalid({ services: bridged("websocket"), clusters: hopLimit2 })).toThrow(/dev.services\[2\].networkMode = "bridge"; expected awsvpc: Redis admits/);
  });

  test("malformed operator role ARNs and a state bucket too long for its log bucket", () => {
    expect(() => testConfig("dev", { ...TEST_OPERATOR_VARIABLES, SENTRY_ADMIN_ROLE_ARNS: "arn:aws:iam::123456789012:user/alice" })).toThrow(
      'SENTRY_ADMIN_ROLE_ARNS (operator.adminRoleArns[0]) = "arn:aws:iam::123456789012:user/alice"; expected comma-separated IAM role ARNs',
    );
    expect(() => testConfig("dev", { ...TEST_OPERATOR_VARIABLES, SENTRY_STATE_BUCKET: "a".repeat(59) })).toThrow(/expected at most 58 characters/);
  });

  test("a key deletion window KMS does not offer", () => {
    expect(invalid({ kms: { deletionWindowDays: 3 } })).toThrow("dev.kms.deletionWindowDays = 3; expected a whole number from 7 to 30");
  });

  test("an availability zone listed twice", () => {
    expect(invalid({ network: { ...dev.network, availabilityZones: ["us-east-1a", "us-east-1a"] } })).toThrow(
      'dev.network.availabilityZones[1] = "us-east-1a"; expected a name not used before in the list',
    );
  });
});

describe("application grants and ingress: bad configuration fails with one clear line", () => {
  const withService = (name: string, patch: object) => ({
    services: dev.services.map((service) => (service.name === name ? { ...service, ...patch } : service)),
  });
  const oms = dev.services.find((service) => service.name === "oms")!;

  test("a service naming an unknown queue", () => {
    expect(invalid(withService("oms", { access: { ...oms.access, produces: [...oms.access.produces, "fills"] } }))).toThrow(
      'dev.services[0].access.produces[5] = "fills"; expected one of orders-bitget, executions,',
    );
  });

  test("a service naming an unknown table", () => {
    expect(invalid(withService("oms", { access: { ...oms.access, reads: ["orders"] } }))).toThrow(
      `dev.services[0].access.reads[0] = "orders"; expected one of ${Object.keys(dev.tables).join(", ")}`,
    );
  });

  test("a queue consumed by two services where that is not allowed", () => {
    expect(invalid(withService("websocket", { access: { consumes: ["orders-bitget"], produces: [], reads: [], writes: [] } }))).toThrow(
      'dev.queues.orders-bitget.consumerServices = "one"; expected one consuming service, but oms and websocket consume it',
    );
    const queues = dev.queues.map((queue) => (queue.name === "orders-bitget" ? { ...queue, consumerServices: "many" as const } : queue));
    expect(() => validateEnvironmentConfig({ ...dev, queues, ...withService("websocket", { access: { consumes: ["orders-bitget"], produces: [], reads: [], writes: [] } }) })).not.toThrow();
  });

  test("a service without the declaration its task role is built from", () => {
    expect(invalid(withService("frontend", { access: undefined }))).toThrow(
      "dev.services[1].access = null; expected the queues and tables the service uses",
    );
  });

  test("two services on one host", () => {
    const frontend = dev.services.find((service) => service.name === "frontend")!;
    expect(invalid(withService("websocket", { ingress: frontend.ingress }))).toThrow(
      'dev.ingress hosts (services[].ingress.host)[1] = "admin"; expected a name not used before in the list',
    );
  });

  test("a health check path that is not a path", () => {
    const frontend = dev.services.find((service) => service.name === "frontend")!;
    expect(invalid(withService("frontend", { ingress: { ...frontend.ingress!, healthCheckPath: "healthz" } }))).toThrow(
      'dev.services[1].ingress.healthCheckPath = "healthz"; expected an absolute URL path',
    );
  });

  test("load balancer sources that are not CIDRs, or too many for the admin rule", () => {
    expect(invalid({ ingress: { ...dev.ingress, allowedCidrs: ["10.0.0.1/8"] } })).toThrow(
      'dev.ingress.allowedCidrs[0] = "10.0.0.1/8"; expected an IPv4 CIDR',
    );
    const five = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "203.0.113.0/24", "198.51.100.0/24"];
    expect(invalid({ ingress: { ...dev.ingress, adminAllowedCidrs: five } })).toThrow(
      "dev.ingress.adminAllowedCidrs length = 5; expected a whole number from 1 to 4",
    );
  });

  test.each([
    ["authentication", { authentication: "cognito", host: "ws" }, 'dev.services[2].ingress.authentication = "cognito"; expected "none" on host "ws": Cognito sign-in is for the admin host'],
    ["healthCheckMatcher", { healthCheckMatcher: "OK" }, 'dev.services[2].ingress.healthCheckMatcher = "OK"; expected HTTP codes such as 200'],
    ["healthCheckPort", { healthCheckPort: 70000 }, "dev.services[2].ingress.healthCheckPort = 70000; expected a whole number from 1 to 65535"],
    ["deregistrationDelaySeconds", { deregistrationDelaySeconds: 4000 }, "dev.services[2].ingress.deregistrationDelaySeconds = 4000; expected a whole number from 0 to 3600"],
    ["healthCheckGracePeriodSeconds", { healthCheckGracePeriodSeconds: -1 }, "dev.services[2].ingress.healthCheckGracePeriodSeconds = -1; expected a whole number from 0 to 3600"],
  ])("a service ingress with a bad %s", (_, patch, message) => {
    const websocket = dev.services.find((service) => service.name === "websocket")!;
    expect(invalid(withService("websocket", { ingress: { ...websocket.ingress!, ...patch } }))).toThrow(message);
  });

  test.each([
    ["adminSessionTimeoutSeconds", { adminSessionTimeoutSeconds: 0 }, "dev.ingress.adminSessionTimeoutSeconds = 0; expected a whole number from 1 to 604800"],
    ["accessLogRetentionDays", { accessLogRetentionDays: 0 }, "dev.ingress.accessLogRetentionDays = 0; expected a whole number from 1 to 3650"],
    ["waf rate", { waf: { ...dev.ingress.waf, enabled: true, requestsPerIpPer5Minutes: 50 } }, "dev.ingress.waf.requestsPerIpPer5Minutes = 50; expected a whole number from 100 to 2000000000"],
    ["anonymous-source host", { waf: { ...dev.ingress.waf, anonymousSourcesBlockedOn: ["api"] as never } }, 'dev.ingress.waf.anonymousSourcesBlockedOn[0] = "api"; expected one of admin, ws'],
    ["anonymous-source host twice", { waf: { ...dev.ingress.waf, anonymousSourcesBlockedOn: ["admin", "admin"] as const } }, 'dev.ingress.waf.anonymousSourcesBlockedOn[1] = "admin"; expected a name not used before in the list'],
  ])("load balancer settings: a bad %s", (_, patch, message) => {
    expect(invalid({ ingress: { ...dev.ingress, ...patch } })).toThrow(message);
  });

  test("a queue or table named twice in one use", () => {
    expect(invalid(withService("oms", { access: { ...oms.access, consumes: ["orders-bitget", "orders-bitget"] } }))).toThrow(
      'dev.services[0].access.consumes[1] = "orders-bitget"; expected a name not used before in the list',
    );
  });

  test("a service that may run several tasks on a cluster without Container Insights (its running-tasks alarm could not tell)", () => {
    expect(invalid(withService("frontend", { desiredCount: 2 }))).toThrow(
      'dev.clusters.frontend.containerInsights = false; expected true: services[1] (frontend) may run more than one task',
    );
  });

  test("an idle timeout the load balancer does not accept", () => {
    expect(invalid({ ingress: { ...dev.ingress, idleTimeoutSeconds: 5000 } })).toThrow("dev.ingress.idleTimeoutSeconds = 5000; expected a whole number from 1 to 4000");
  });
});
