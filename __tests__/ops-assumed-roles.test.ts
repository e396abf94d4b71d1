import { createServer, Server } from "http";
import { AddressInfo } from "net";
import { loadEnvironmentConfig } from "../src/config";
import { configuredRoles, environmentCredentials, sdkCallerAccount } from "../src/ops/aws-account";
import { AssumedRoles, sdkCredentials } from "../src/ops/credentials";
import { PER_ENVIRONMENT_ACCOUNT_VARIABLES } from "./support/synth";

/**
 * Each role a run assumes is asked of STS once: the credentials check assumes the environment's roles, and the
 * commands that ask AWS afterwards reuse them. A refusal is the credentials line whichever command met it (no AWS:
 * a local STS, reached through AWS_ENDPOINT_URL_STS as the SDK reads it).
 */

const NAMES = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL_STS", "AWS_EC2_METADATA_DISABLED"];
let saved: Record<string, string | undefined>;
let server: Server;
/** What STS was asked: each request's form. */
let asked: URLSearchParams[];
/** How the local STS answers: a grant expiring at this time, or a refusal. */
let answer: { expiration: string } | "refuse";

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const form = new URLSearchParams(body);
      asked.push(form);
      if (answer === "refuse") {
        response.writeHead(403, { "Content-Type": "text/xml" });
        response.end('<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed</Message></Error></ErrorResponse>');
        return;
      }
      response.writeHead(200, { "Content-Type": "text/xml" });
      response.end(
        form.get("Action") === "GetCallerIdentity"
          ? '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Account>111111111111</Account></GetCallerIdentityResult></GetCallerIdentityResponse>'
          : '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAASSUMED</AccessKeyId>' +
              `<SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>${answer.expiration}</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>`,
      );
    });
  });
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
});
afterAll(() => server.close());

beforeEach(() => {
  saved = Object.fromEntries(NAMES.map((name) => [name, process.env[name]]));
  NAMES.forEach((name) => delete process.env[name]);
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "AKIARUN",
    AWS_SECRET_ACCESS_KEY: "run-secret",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  });
  asked = [];
  answer = { expiration: "2030-01-01T00:00:00Z" };
});
afterEach(() => NAMES.forEach((name) => (saved[name] === undefined ? delete process.env[name] : (process.env[name] = saved[name]))));

const prod = loadEnvironmentConfig("prod", PER_ENVIRONMENT_ACCOUNT_VARIABLES);
const assumedRoleArns = () => asked.filter((form) => form.get("Action") === "AssumeRole").map((form) => form.get("RoleArn"));

describe("the roles a run assumes", () => {
  test("the credentials check assumes prod's provider and state roles; status's or scaling's AWS calls reuse the provider role's credentials", async () => {
    const assumed = new AssumedRoles();
    await sdkCredentials({ region: "us-east-1", roles: configuredRoles(prod) }, assumed);
    expect(assumedRoleArns()).toEqual(["arn:aws:iam::333333333333:role/sentry-terraform", "arn:aws:iam::444444444444:role/sentry-state-prod"]);
    expect(asked[0].get("ExternalId")).toBe("sentry-prod-7f3a");
    const credentials = environmentCredentials(prod, assumed);
    expect(await credentials?.()).toMatchObject({ accessKeyId: "ASIAASSUMED" });
    expect(await credentials?.()).toMatchObject({ accessKeyId: "ASIAASSUMED" });
    expect(assumedRoleArns()).toHaveLength(2);
  });

  test("a CI job (SENTRY_USE_CALLER_CREDENTIALS=1) assumes only the state role; AWS is asked with the job's own credentials", () => {
    const job = loadEnvironmentConfig("prod", { ...PER_ENVIRONMENT_ACCOUNT_VARIABLES, SENTRY_USE_CALLER_CREDENTIALS: "1" });
    expect(configuredRoles(job).map((role) => role.roleArn)).toEqual(["arn:aws:iam::444444444444:role/sentry-state-prod"]);
    expect(environmentCredentials(job)).toBeUndefined();
    expect(job.operator.accounts?.environments.prod?.terraformRoleArn).toBe("arn:aws:iam::333333333333:role/sentry-terraform");
  });

  test("a pull request's plan job (SENTRY_STATE_ACCESS=plan) checks the plan state role, the one its backend assumes", () => {
    const job = loadEnvironmentConfig("prod", { ...PER_ENVIRONMENT_ACCOUNT_VARIABLES, SENTRY_USE_CALLER_CREDENTIALS: "1", SENTRY_STATE_ACCESS: "plan" });
    expect(configuredRoles(job)).toEqual([{ roleArn: "arn:aws:iam::444444444444:role/sentry-state-plan-prod", sessionName: "sentry-state-plan-prod" }]);
  });

  test("without the run's cache (another run), the role is asked for again", async () => {
    await sdkCredentials({ region: "us-east-1", roles: configuredRoles(prod) }, new AssumedRoles());
    await environmentCredentials(prod)?.();
    expect(assumedRoleArns()).toEqual([
      "arn:aws:iam::333333333333:role/sentry-terraform",
      "arn:aws:iam::444444444444:role/sentry-state-prod",
      "arn:aws:iam::333333333333:role/sentry-terraform",
    ]);
  });

  test("credentials with less than five minutes left are asked for again, not reused", async () => {
    const assumed = new AssumedRoles();
    answer = { expiration: new Date(Date.now() + 60_000).toISOString() };
    await environmentCredentials(prod, assumed)?.();
    await environmentCredentials(prod, assumed)?.();
    expect(assumedRoleArns()).toHaveLength(2);
  });

  test("a role STS refuses is the one credentials line, naming no command (bootstrap and scaling meet it too)", async () => {
    answer = "refuse";
    await expect(environmentCredentials(prod)?.()).rejects.toThrow(
      /^no AWS credentials: AssumeRole arn:aws:iam::333333333333:role\/sentry-terraform: AccessDenied: not allowed \(see docs\/troubleshooting\.md#credentials-missing-or-expired\)$/,
    );
  });

  test("bootstrap's account check: the account STS names; a failure is bootstrap's line, not status's", async () => {
    await expect(sdkCallerAccount("us-east-1")).resolves.toBe("111111111111");
    answer = "refuse";
    await expect(sdkCallerAccount("us-east-1")).rejects.toThrow(/^bootstrap: GetCallerIdentity failed: AccessDenied: not allowed$/);
  });
});
