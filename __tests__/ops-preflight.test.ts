import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { COMMAND_HELP, commandUsage, SHORT_USAGE, USAGE } from "../src/ops/cli";
import { COMMANDS } from "../src/ops/commands";
import { AssumedRoles, CredentialsMissing, sdkCredentials, sdkCredentialsWithin } from "../src/ops/credentials";
import { StatusAws, StatusAwsFactory } from "../src/ops/status/live";
import { markDeployed } from "./support/fake-terraform";
import { CHECKED_CALLER, neverSynthesizes, noCredentials, removeWorlds, world } from "./support/ops-world";
import { LOCAL_CALLER_ARN, LocalSts, localSts } from "./support/local-sts";
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
    expect(w.stderr.filter((line) => line.includes("AWS credentials"))).toEqual([expect.stringMatching(/^\[sentry-ops\] AWS credentials: arn:aws:iam::123456789012:user\/operator \(\d+\.\d s\)$/)]);
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
    expect(commandUsage("bootstrap").replace(/\n/g, " ")).toMatch(
      /AWS credentials are resolved once, before terraform runs, as Terraform finds them \(AWS_\*, AWS_PROFILE, SSO, web identity, instance metadata\)\. STS is asked about them as Terraform asks \(GetCallerIdentity, AssumeRole; AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL when set\), all at once, within 5 s: .* one line\.$/,
    );
    expect(commandUsage("bootstrap")).not.toMatch(/--backend-config|ROLE_ARN/);
    expect(commandUsage("outputs")).toContain("SENTRY_<ENV>_ROLE_ARN");
  });

  test("review reads saved plans only: it never asks for credentials", async () => {
    const w = world();
    expect(await w.run("plan dev --phase foundation")).toBe(0);
    expect(await w.run("review dev", { credentials: noCredentials })).toBe(0);
    expect(w.credentialRequests).toHaveLength(1);
  });

  describe("the SDK's chain, asked of STS (no AWS: a local STS)", () => {
    const names = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_EC2_METADATA_DISABLED", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS"];
    let saved: Record<string, string | undefined>;
    let sts: LocalSts;
    beforeEach(async () => {
      saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
      names.forEach((name) => delete process.env[name]);
      sts = await localSts();
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIARUN", AWS_SECRET_ACCESS_KEY: "run-secret", AWS_ENDPOINT_URL_STS: sts.url });
    });
    afterEach(async () => {
      names.forEach((name) => (saved[name] === undefined ? delete process.env[name] : (process.env[name] = saved[name])));
      await sts.close();
    });
    const actions = () => sts.requests.map((request) => [request.form.get("Action"), request.form.get("RoleArn"), request.accessKeyId]);

    test.each(["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"])("keys in the environment: one GetCallerIdentity with them, at %s; the answer is kept", async (variable) => {
      delete process.env.AWS_ENDPOINT_URL_STS;
      process.env[variable] = sts.url;
      await expect(sdkCredentials({ region: "us-east-1" })).resolves.toEqual({ account: "123456789012", arn: LOCAL_CALLER_ARN });
      expect(actions()).toEqual([["GetCallerIdentity", null, "AKIARUN"]]);
    });

    test("nothing anywhere (instance metadata off): the chain's own error, STS not asked", async () => {
      names.forEach((name) => delete process.env[name]);
      Object.assign(process.env, { AWS_EC2_METADATA_DISABLED: "true", AWS_CONFIG_FILE: "/nonexistent/config", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials", AWS_ENDPOINT_URL_STS: sts.url });
      await expect(sdkCredentials({ region: "us-east-1" })).rejects.toMatchObject({ name: "CredentialsProviderError" });
      expect(sts.requests).toEqual([]);
    });

    test.each([
      ["ExpiredToken", "The security token included in the request is expired"],
      ["InvalidClientTokenId", "The security token included in the request is invalid."],
      ["SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."],
    ])("keys AWS refuses (%s): the one line says so, and never the secret", async (code, message) => {
      Object.assign(process.env, { AWS_SESSION_TOKEN: "run-token" });
      sts.answer = { code, message };
      const failure = await sdkCredentials({ region: "us-east-1" }).catch((error: Error) => error);
      expect(failure).toBeInstanceOf(CredentialsMissing);
      expect((failure as Error).message).toBe(`AWS refused the credentials: ${code}: ${message} (see docs/troubleshooting.md#credentials-missing-or-expired)`);
      expect((failure as Error).message).not.toMatch(/run-secret|run-token/);
    });

    test("STS does not answer: one line within the time allowed, saying so; every call was sent at once", async () => {
      sts.answer = "hang";
      const roles = ["dev", "state"].map((name) => ({ roleArn: `arn:aws:iam::222222222222:role/${name}`, sessionName: `sentry-${name}`, stsEndpoint: sts.url }));
      const started = Date.now();
      await expect(sdkCredentialsWithin(300)({ region: "us-east-1", roles })).rejects.toThrow(
        /^AWS credentials not checked: STS did not answer within 0\.3 s: no network, or an endpoint \(AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL\) that does not answer \(see docs\/troubleshooting\.md#credentials-missing-or-expired\)$/,
      );
      expect(Date.now() - started).toBeLessThan(3000);
      expect(actions().map(([action]) => action).sort()).toEqual(["AssumeRole", "AssumeRole", "GetCallerIdentity"]);
    });

    test("nothing listens at the endpoint: one line saying STS could not be reached", async () => {
      await sts.close();
      await expect(sdkCredentialsWithin(2000)({ region: "us-east-1" })).rejects.toThrow(/^AWS credentials not checked: STS could not be reached: \w+: .*ECONNREFUSED/);
    });

    test("the backend's assume_role and the environment's role: STS is asked with the run's keys, at once; a refusal is the one credentials line", async () => {
      const backend = { assume_role: { role_arn: "arn:aws:iam::111111111111:role/state", external_id: "acme" }, endpoints: { sts: sts.url } };
      const roles = [{ roleArn: "arn:aws:iam::222222222222:role/sentry-terraform", sessionName: "sentry-terraform-dev", stsEndpoint: sts.url }];
      const assumed = new AssumedRoles();
      await sdkCredentials({ region: "eu-west-1", backend, roles }, assumed);
      // THEN the role's credentials are kept for the commands that ask AWS afterwards: STS is not asked again
      await expect(assumed.credentialsOf(roles[0], { region: "eu-west-1" })).resolves.toMatchObject({ accessKeyId: "ASIAASSUMED" });
      const asked = sts.requests.map(({ form, accessKeyId }) => [form.get("Action"), form.get("RoleArn"), form.get("ExternalId"), form.get("RoleSessionName"), accessKeyId]);
      expect(asked).toEqual(
        expect.arrayContaining([
          ["GetCallerIdentity", null, null, null, "AKIARUN"],
          ["AssumeRole", "arn:aws:iam::111111111111:role/state", "acme", "sentry-ops", "AKIARUN"],
          ["AssumeRole", "arn:aws:iam::222222222222:role/sentry-terraform", null, "sentry-terraform-dev", "AKIARUN"],
        ]),
      );
      expect(asked).toHaveLength(3);
      sts.answer = { code: "AccessDenied", message: "not allowed" };
      await expect(sdkCredentials({ region: "eu-west-1", backend })).rejects.toThrow(/^no AWS credentials: AccessDenied: not allowed \(see docs\/troubleshooting\.md#credentials-missing-or-expired\)$/);
    });

    test("the backend's profile: asked of STS with its own keys, next to the run's", async () => {
      const folder = mkdtempSync(join(tmpdir(), "sentry-profile-"));
      try {
        writeFileSync(join(folder, "credentials"), "[ops]\naws_access_key_id = AKIAOPS\naws_secret_access_key = ops-secret\n");
        Object.assign(process.env, { AWS_SHARED_CREDENTIALS_FILE: join(folder, "credentials"), AWS_CONFIG_FILE: join(folder, "config") });
        await sdkCredentials({ region: "eu-west-1", backend: { profile: "ops" } });
        expect(actions().sort()).toEqual([
          ["GetCallerIdentity", null, "AKIAOPS"],
          ["GetCallerIdentity", null, "AKIARUN"],
        ]);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });

    test("keys that STS takes but a role refuses: the line names the role", async () => {
      const roles = [{ roleArn: "arn:aws:iam::222222222222:role/sentry-terraform", sessionName: "sentry-terraform-dev", stsEndpoint: sts.url }];
      const refusing = await localSts();
      refusing.answer = { code: "AccessDenied", message: "not allowed" };
      try {
        await expect(sdkCredentials({ region: "eu-west-1", roles: [{ ...roles[0], stsEndpoint: refusing.url }] })).rejects.toThrow(
          /^no AWS credentials: AssumeRole arn:aws:iam::222222222222:role\/sentry-terraform: AccessDenied: not allowed \(see docs\/troubleshooting\.md#credentials-missing-or-expired\)$/,
        );
      } finally {
        await refusing.close();
      }
    });

    test.each(["plan dev", "drift dev", "outputs dev", "status dev", "deploy dev", "scaling dev"])("%s with an expired token: the one line, exit 1; no synth, no terraform", async (argv) => {
      sts.answer = { code: "ExpiredToken", message: "The security token included in the request is expired" };
      const w = world();
      markDeployed(w.fake, STACKS);
      expect(await w.run(argv, { credentials: sdkCredentials, synthesize: neverSynthesizes })).toBe(1);
      expect(w.stderr).toEqual(["sentry-ops: AWS refused the credentials: ExpiredToken: The security token included in the request is expired (see docs/troubleshooting.md#credentials-missing-or-expired)"]);
      expect(w.calls()).toEqual([]);
      expect(actions()).toEqual([["GetCallerIdentity", null, "AKIARUN"]]);
    });

    test("valid keys: the command goes on, its line names whose they are", async () => {
      const w = world();
      markDeployed(w.fake, STACKS);
      expect(await w.run("outputs dev", { credentials: sdkCredentials, synthesize: neverSynthesizes })).toBe(0);
      expect(w.stderr.filter((line) => line.includes("AWS credentials"))).toEqual([expect.stringMatching(/^\[sentry-ops\] AWS credentials: arn:aws:iam::123456789012:user\/operator \(\d+\.\d s\)$/)]);
      expect(w.calls().some((call) => call.args[0] === "output")).toBe(true);
    });

    test("status of an environment behind a role: the role assumed by the check is the one status asks AWS with (STS asked once for it)", async () => {
      const w = world();
      let used: unknown;
      // AWS itself is not what this test is about: every question fails, status reports them
      const statusAws: StatusAwsFactory = (_region, credentials) => {
        used = credentials;
        return new Proxy({} as StatusAws, { get: () => () => Promise.reject(new Error("not asked in this test")) });
      };
      markDeployed(w.fake, STACKS);
      await w.run("status dev", { credentials: sdkCredentials, synthesize: neverSynthesizes, variables: PER_ENVIRONMENT_ACCOUNT_VARIABLES, statusAws });
      expect(await (used as () => Promise<unknown>)()).toMatchObject({ accessKeyId: "ASIAASSUMED" });
      expect(actions().filter(([, role]) => role === "arn:aws:iam::111111111111:role/sentry-terraform")).toHaveLength(1);
    });
  });

  test("bootstrap checks the account with the credentials check's answer, asking STS nothing more", async () => {
    const same = world();
    expect(await same.run("bootstrap", { variables: { SENTRY_ACCOUNT_ID: CHECKED_CALLER.account } })).toBe(0);
    expect(same.stderr).toContainEqual(expect.stringMatching(/^\[sentry-ops\] bootstrap sentry-bootstrap: applying to account 123456789012 \(SENTRY_ACCOUNT_ID\)/));
    const other = world();
    expect(await other.run("bootstrap", { variables: { SENTRY_ACCOUNT_ID: "999999999999" } })).toBe(1);
    expect(other.stderr[other.stderr.length - 1]).toMatch(/^sentry-ops: bootstrap refused, nothing was planned: the credentials belong to account 123456789012/);
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
