import { writeFileSync } from "fs";
import { createServer } from "http";
import { join } from "path";
import { AddressInfo } from "net";
import { COMMAND_HELP, commandUsage, SHORT_USAGE, USAGE } from "../src/ops/cli";
import { COMMANDS } from "../src/ops/commands";
import { sdkCredentials } from "../src/ops/credentials";
import { markDeployed } from "./support/fake-terraform";
import { ENVIRONMENT_CREDENTIALS, neverSynthesizes, noCredentials, removeWorlds, world } from "./support/ops-world";
import { PER_ENVIRONMENT_ACCOUNT_VARIABLES } from "./support/synth";

/** What every command checks before it synthesizes or runs terraform, and how it explains itself. */

afterAll(removeWorlds);

const STACKS = ["foundation", "data", "compute", "services", "cicd"].map((phase) => `sentry-${phase}-dev`);
/** The operator variables with the three example values back in place (unset). */
const EXAMPLES = { SENTRY_STATE_BUCKET: undefined, SENTRY_ADMIN_EMAIL: undefined, SENTRY_DOMAIN: undefined };
const REFUSED_EXAMPLES =
  "still the example values of SENTRY_STATE_BUCKET (sentry-terraform-state), SENTRY_ADMIN_EMAIL (admin@example.com), SENTRY_DOMAIN (sentry.example.com); " +
  "set them to your account's, or SENTRY_ALLOW_PLACEHOLDERS=1 for a rehearsal against an emulator (see docs/troubleshooting.md#placeholder-values)";

describe("example values", () => {
  test.each([
    ["plan dev", "plan"],
    ["deploy dev", "deploy"],
    ["destroy dev --yes", "destroy"],
    ["bootstrap", "bootstrap"],
  ])("%s refuses them with one line naming each, before synth and terraform", async (argv, command) => {
    const w = world();
    expect(await w.run(argv, { variables: EXAMPLES, synthesize: neverSynthesizes })).toBe(1);
    expect(w.stderr).toEqual([`sentry-ops: ${command} refused: ${REFUSED_EXAMPLES}`]);
    expect(w.calls()).toEqual([]);
    expect(w.credentialRequests).toEqual([]);
  });

  test("one left names that one; a variable set to the example value counts as unset", async () => {
    const w = world();
    expect(await w.run("plan dev", { variables: { SENTRY_DOMAIN: "sentry.example.com" } })).toBe(1);
    expect(w.stderr).toEqual([expect.stringMatching(/^sentry-ops: plan refused: still the example values of SENTRY_DOMAIN \(sentry\.example\.com\); set them/)]);
  });

  test("SENTRY_ALLOW_PLACEHOLDERS=1 lets plan through with one warning", async () => {
    const w = world();
    expect(await w.run("plan dev --phase foundation", { variables: { ...EXAMPLES, SENTRY_ALLOW_PLACEHOLDERS: "1" } })).toBe(0);
    const warnings = w.stderr.filter((line) => line.includes("SENTRY_ALLOW_PLACEHOLDERS"));
    expect(warnings).toEqual([
      "Warning: SENTRY_ALLOW_PLACEHOLDERS=1: plan goes on with the example values of SENTRY_STATE_BUCKET (sentry-terraform-state), SENTRY_ADMIN_EMAIL (admin@example.com), SENTRY_DOMAIN (sentry.example.com); only for a rehearsal against an emulator",
    ]);
    // THEN that line is the only one naming the example values: no "is not set; using the placeholder" line each
    for (const variable of Object.keys(EXAMPLES)) expect(w.stderr.filter((line) => line.includes(variable))).toEqual(warnings);
    expect(w.calls().some((call) => call.args[0] === "plan")).toBe(true);
  });

  test("a command that does not refuse them (outputs) warns for each, as the synth does", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    expect(await w.run("outputs dev", { variables: { ...EXAMPLES, SENTRY_ALLOW_PLACEHOLDERS: "1" } })).toBe(0);
    expect(w.stderr.filter((line) => line.includes("using the placeholder"))).toHaveLength(3);
    expect(w.stderr.filter((line) => line.includes("SENTRY_ALLOW_PLACEHOLDERS"))).toEqual([]);
  });

  test("SENTRY_ALLOW_PLACEHOLDERS with another value than 1 still refuses", async () => {
    const w = world();
    expect(await w.run("bootstrap", { variables: { ...EXAMPLES, SENTRY_ALLOW_PLACEHOLDERS: "yes" } })).toBe(1);
    expect(w.calls()).toEqual([]);
  });

  test("the commands that only read (outputs, status, drift, review) do not refuse them", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    expect(await w.run("outputs dev", { variables: EXAMPLES, synthesize: neverSynthesizes })).toBe(0);
  });

  test.each(["plan dev --phase foundation", "deploy dev --phase foundation"])("%s warns once when SENTRY_ALARM_EMAIL is not set", async (argv) => {
    const w = world();
    expect(await w.run(argv, { variables: { SENTRY_ALARM_EMAIL: undefined } })).toBe(0);
    expect(w.stderr.filter((line) => line.includes("SENTRY_ALARM_EMAIL"))).toEqual([
      "Warning: SENTRY_ALARM_EMAIL is not set: alarms notify nobody (the topic sentry-alarms-<env> has no subscriber)",
    ]);
    const set = world();
    expect(await set.run(argv)).toBe(0);
    expect(set.stderr.filter((line) => line.includes("SENTRY_ALARM_EMAIL"))).toEqual([]);
  });
});

describe("one credentials check", () => {
  const NO_CREDENTIALS = "sentry-ops: no AWS credentials: CredentialsProviderError: Could not load credentials from any providers (see docs/troubleshooting.md#credentials-missing-or-expired)";

  test.each(["plan dev", "deploy dev", "drift dev", "outputs dev", "destroy dev --yes", "status dev", "scaling dev", "bootstrap"])(
    "%s without credentials: the same one line, exit 1; no synth, no terraform",
    async (argv) => {
      const w = world();
      markDeployed(w.fake, STACKS);
      expect(await w.run(argv, { credentials: noCredentials, synthesize: neverSynthesizes })).toBe(1);
      expect(w.stderr).toEqual([NO_CREDENTIALS]);
      expect(w.calls()).toEqual([]);
      expect(w.credentialRequests).toHaveLength(1);
    },
  );

  test("asked once per command, with the stacks' region and --backend-config's settings; one line says how long it took", async () => {
    const w = world();
    writeFileSync(join(w.root, "ops.s3.tfbackend"), 'profile = "ops"\nassume_role = { role_arn = "arn:aws:iam::111111111111:role/state" }\n');
    markDeployed(w.fake, STACKS);
    expect(await w.run("outputs dev --backend-config ops.s3.tfbackend", { synthesize: neverSynthesizes })).toBe(0);
    expect(w.credentialRequests).toEqual([{ region: "us-east-1", backend: { profile: "ops", assume_role: { role_arn: "arn:aws:iam::111111111111:role/state" } }, roles: [] }]);
    expect(w.stderr.filter((line) => line.includes("AWS credentials"))).toEqual([expect.stringMatching(/^\[sentry-ops\] AWS credentials \(\d+\.\d s\)$/)]);
  });

  test("an environment in an account of its own: its provider's role is resolved with the rest", async () => {
    const w = world();
    markDeployed(w.fake, STACKS);
    expect(await w.run("outputs dev", { variables: PER_ENVIRONMENT_ACCOUNT_VARIABLES, synthesize: neverSynthesizes })).toBe(0);
    expect(w.credentialRequests.flatMap((request) => request.roles ?? []).map((role) => role.roleArn)).toContain("arn:aws:iam::111111111111:role/sentry-terraform");
  });

  test("bootstrap (local state, no environment) resolves the default chain alone, and its help says no more", async () => {
    const w = world();
    // GIVEN an environment whose provider assumes a role WHEN its account's bootstrap runs THEN no role is asked for
    await w.run("bootstrap --account dev", { variables: { ...PER_ENVIRONMENT_ACCOUNT_VARIABLES, SENTRY_GITHUB_REPOSITORY: "acme/sentry-infra" } });
    expect(w.credentialRequests).toEqual([{ region: "us-east-1", backend: undefined, roles: [] }]);
    expect(commandUsage("bootstrap").replace(/\n/g, " ")).toMatch(/AWS credentials are resolved once, before terraform runs, as Terraform finds them \(AWS_\*, AWS_PROFILE, SSO, web identity, instance metadata\)\.$/);
    expect(commandUsage("bootstrap")).not.toMatch(/--backend-config|ROLE_ARN/);
    expect(commandUsage("outputs")).toContain("SENTRY_<ENV>_ROLE_ARN");
  });

  test("review reads saved plans only: it never asks for credentials", async () => {
    const w = world();
    expect(await w.run("plan dev --phase foundation")).toBe(0);
    expect(await w.run("review dev", { credentials: noCredentials })).toBe(0);
    expect(w.credentialRequests).toHaveLength(1);
  });

  describe("the SDK's chain (no AWS: a local STS)", () => {
    const names = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_EC2_METADATA_DISABLED", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"];
    let saved: Record<string, string | undefined>;
    beforeEach(() => {
      saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
      names.forEach((name) => delete process.env[name]);
    });
    afterEach(() => names.forEach((name) => (saved[name] === undefined ? delete process.env[name] : (process.env[name] = saved[name]))));

    test("keys in the environment resolve without asking the network", async () => {
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: ENVIRONMENT_CREDENTIALS.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: ENVIRONMENT_CREDENTIALS.AWS_SECRET_ACCESS_KEY });
      await expect(sdkCredentials({ region: "us-east-1" })).resolves.toBeUndefined();
    });

    test("nothing anywhere (instance metadata off): the chain's own error", async () => {
      Object.assign(process.env, { AWS_EC2_METADATA_DISABLED: "true", AWS_CONFIG_FILE: "/nonexistent/config", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials" });
      await expect(sdkCredentials({ region: "us-east-1" })).rejects.toMatchObject({ name: "CredentialsProviderError" });
    });

    test("the backend's assume_role and the environment's role: STS is asked with the run's keys; a refusal is the one credentials line", async () => {
      const bodies: string[] = [];
      let grant = true;
      const server = createServer((request, response) => {
        let body = "";
        request.on("data", (chunk: Buffer) => (body += chunk.toString()));
        request.on("end", () => {
          bodies.push(body);
          if (grant) {
            response.writeHead(200, { "Content-Type": "text/xml" });
            response.end(
              '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAASSUMED</AccessKeyId>' +
                "<SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>",
            );
          } else {
            response.writeHead(403, { "Content-Type": "text/xml" });
            response.end('<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed</Message></Error></ErrorResponse>');
          }
        });
      });
      await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
      try {
        Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIARUN", AWS_SECRET_ACCESS_KEY: "run-secret" });
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const backend = { assume_role: { role_arn: "arn:aws:iam::111111111111:role/state", external_id: "acme" }, endpoints: { sts: url } };
        const roles = [{ roleArn: "arn:aws:iam::222222222222:role/sentry-terraform", sessionName: "sentry-terraform-dev", stsEndpoint: url }];
        await expect(sdkCredentials({ region: "eu-west-1", backend, roles })).resolves.toBeUndefined();
        const asked = bodies.map((body) => new URLSearchParams(body));
        expect(asked.map((form) => [form.get("Action"), form.get("RoleArn"), form.get("ExternalId"), form.get("RoleSessionName")])).toEqual([
          ["AssumeRole", "arn:aws:iam::111111111111:role/state", "acme", "sentry-ops"],
          ["AssumeRole", "arn:aws:iam::222222222222:role/sentry-terraform", null, "sentry-terraform-dev"],
        ]);
        grant = false;
        await expect(sdkCredentials({ region: "eu-west-1", backend })).rejects.toThrow(
          /^no AWS credentials: AssumeRole arn:aws:iam::111111111111:role\/state \(the backend's assume_role\): AccessDenied: not allowed \(see docs\/troubleshooting\.md#credentials-missing-or-expired\)$/,
        );
      } finally {
        server.close();
      }
    });
  });
});

describe("usage and help", () => {
  test("no arguments: the short usage (one line per command) on stderr, exit 1", async () => {
    const w = world();
    expect(await w.run("")).toBe(1);
    expect(w.stderr).toEqual([SHORT_USAGE]);
    for (const command of COMMANDS) {
      const argument = COMMAND_HELP[command].argument;
      expect(SHORT_USAGE.split("\n")).toContain(`  ${`${command}${argument ? ` ${argument}` : ""}`.padEnd(23)}${COMMAND_HELP[command].summary}`);
    }
    expect(SHORT_USAGE.split("\n").length).toBeLessThan(COMMANDS.length + 6);
  });

  test.each(["--help", "-h", "help"])("%s: the full overview, exit 0", async (argv) => {
    const w = world();
    expect(await w.run(argv)).toBe(0);
    expect(w.stdout.join("")).toBe(`${USAGE}\n`);
    expect(w.stderr).toEqual([]);
  });

  test.each(COMMANDS.flatMap((command) => [`${command} --help`, `${command} -h`, `help ${command}`, `${command} dev --help`]))("%s: that command's help, exit 0", async (argv) => {
    const command = argv.split(" ").find((word) => (COMMANDS as readonly string[]).includes(word)) as (typeof COMMANDS)[number];
    const w = world();
    expect(await w.run(argv)).toBe(0);
    const text = w.stdout.join("");
    const argument = COMMAND_HELP[command].argument;
    expect(text.startsWith(`Usage: sentry-ops ${command}${argument ? ` ${argument}` : ""} [options]`)).toBe(true);
    for (const option of COMMAND_HELP[command].options) expect(text).toContain(`\n  ${option}`);
    expect(text).toContain("\nExit codes\n  0 ");
    expect(text).toMatch(/\n {2}1 {4}failed or refused/);
    expect(text).toContain(COMMAND_HELP[command].aws ? "AWS credentials are resolved once" : "Needs no AWS credentials");
    expect(w.calls()).toEqual([]);
  });

  test("every help text fits 110 columns", () => {
    for (const text of [SHORT_USAGE, USAGE, ...COMMANDS.map(commandUsage)]) expect(text.split("\n").filter((line) => line.length > 110)).toEqual([]);
  });

  test("every option in the overview names the commands that take it, from the entries", () => {
    const unwrapped = USAGE.replace(/\n {25}/g, " ");
    expect(unwrapped).toMatch(/--yes .*\(destroy\)$/m);
    expect(unwrapped).toMatch(/--format F .*\(review, drift, destroy, status, scaling, cost\)$/m);
  });

  test("a usage error points at the command's own help", async () => {
    const w = world();
    expect(await w.run("plan dev --yes")).toBe(1);
    expect(w.stderr).toEqual([expect.stringMatching(/^sentry-ops: plan takes no option --yes; .* \(sentry-ops plan --help\)$/)]);
    expect(await w.run("help launch")).toBe(1);
  });

  test("bootstrap's synth line names the stack it builds, not an environment", async () => {
    const w = world();
    expect(await w.run("bootstrap")).toBe(0);
    expect(w.stderr).toContainEqual(expect.stringMatching(/^\[sentry-ops\] synth sentry-bootstrap \(\d+\.\d s\)$/));
    expect(w.stderr.some((line) => line.startsWith("[sentry-ops] synth dev"))).toBe(false);
  });
});

describe("SENTRY_ENV and TF_WORKSPACE against the environment argument", () => {
  test.each(COMMANDS.filter((command) => command !== "bootstrap").flatMap((command) => [`${command}:SENTRY_ENV`, `${command}:TF_WORKSPACE`]))(
    "%s=prod with dev: the same one line, exit 1, nothing runs",
    async (pair) => {
      const [command, name] = pair.split(":");
      const w = world();
      expect(await w.run(`${command} dev`, { variables: { [name]: "prod" }, synthesize: neverSynthesizes })).toBe(1);
      expect(w.stderr).toEqual([`sentry-ops: ${name}=prod but the environment is dev: unset ${name} or make it dev`]);
      expect(w.calls()).toEqual([]);
      expect(w.credentialRequests).toEqual([]);
    },
  );

  test("bootstrap takes no environment: SENTRY_ENV picks the synth's", async () => {
    const w = world();
    expect(await w.run("bootstrap", { variables: { SENTRY_ENV: "staging", TF_WORKSPACE: "prod" } })).toBe(0);
  });
});
