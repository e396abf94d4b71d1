import { loadEnvironmentConfig } from "../src/config";
import { CallerAccount, environmentCredentials } from "../src/ops/aws-account";
import { ScalingAwsFactory } from "../src/ops/scaling/collect";
import { FakeCall } from "./support/fake-terraform";
import { neverSynthesizes, removeWorlds, world } from "./support/ops-world";
import { PER_ENVIRONMENT_ACCOUNT_VARIABLES, TEST_OPERATOR_VARIABLES } from "./support/synth";

const applied = (calls: FakeCall[]) => calls.filter((call) => call.args[0] === "apply").map((call) => call.stack);

/** A stub of STS GetCallerIdentity answering `account`, recording whether it was given the environment's role. */
function caller(account: string): CallerAccount & { asked: { region: string; withRole: boolean }[] } {
  const asked: { region: string; withRole: boolean }[] = [];
  return Object.assign(async (region: string, credentials?: unknown) => {
    asked.push({ region, withRole: credentials !== undefined });
    return account;
  }, { asked });
}

afterAll(removeWorlds);

describe("sentry-ops bootstrap, one account per environment", () => {
  const variables = PER_ENVIRONMENT_ACCOUNT_VARIABLES;

  test("without --account it refuses in one line, before any terraform", async () => {
    const w = world();
    expect(await w.run("bootstrap", { variables, callerAccount: caller("444444444444") })).toBe(1);
    expect(w.stderr.at(-1)).toBe("sentry-ops: bootstrap: the environments have accounts of their own (SENTRY_<ENV>_ACCOUNT_ID); choose one with --account state|dev|staging|prod");
    expect(w.calls()).toEqual([]);
  });

  test("--account state: says which account, checks the credentials' own (no role), applies sentry-bootstrap-state", async () => {
    const w = world();
    const stub = caller("444444444444");
    expect(await w.run("bootstrap --account state", { variables, callerAccount: stub })).toBe(0);
    expect(stub.asked).toEqual([{ region: "us-east-1", withRole: false }]);
    expect(w.stderr).toContain("[sentry-ops] bootstrap sentry-bootstrap-state: applying to account 444444444444 (SENTRY_STATE_ACCOUNT_ID), which the credentials belong to");
    expect(applied(w.calls())).toEqual(["sentry-bootstrap-state"]);
  });

  test("--account prod: checks the account through prod's role and applies sentry-bootstrap-prod", async () => {
    const w = world();
    const stub = caller("333333333333");
    expect(await w.run("bootstrap --account prod", { variables, callerAccount: stub })).toBe(0);
    expect(stub.asked).toEqual([{ region: "us-east-1", withRole: true }]);
    expect(applied(w.calls())).toEqual(["sentry-bootstrap-prod"]);
  });

  test("credentials of another account: refused in one line, nothing planned", async () => {
    const w = world();
    expect(await w.run("bootstrap --account prod", { variables, callerAccount: caller("111111111111") })).toBe(1);
    expect(w.stderr.at(-1)).toBe(
      "sentry-ops: bootstrap refused, nothing was planned: the credentials belong to account 111111111111, but sentry-bootstrap-prod is for account 333333333333 (SENTRY_PROD_ACCOUNT_ID); use credentials of that account",
    );
    expect(w.calls().filter((call) => call.args[0] === "plan")).toEqual([]);
  });

  test("an unknown --account: one usage line", async () => {
    const w = world();
    expect(await w.run("bootstrap --account qa", { variables })).toBe(1);
    expect(w.stderr.at(-1)).toMatch(/^sentry-ops: --account qa: expected state or one of dev, staging, prod/);
  });
});

describe("sentry-ops bootstrap, one account for everything", () => {
  test("with SENTRY_ACCOUNT_ID: checks the credentials against it and applies sentry-bootstrap", async () => {
    const w = world();
    const variables = { SENTRY_ACCOUNT_ID: "123456789012" };
    expect(await w.run("bootstrap", { variables, callerAccount: caller("123456789012") })).toBe(0);
    expect(w.stderr).toContain("[sentry-ops] bootstrap sentry-bootstrap: applying to account 123456789012 (SENTRY_ACCOUNT_ID), which the credentials belong to");
    expect(await w.run("bootstrap", { variables, callerAccount: caller("999999999999") })).toBe(1);
    expect(w.stderr.at(-1)).toMatch(/^sentry-ops: bootstrap refused, nothing was planned: the credentials belong to account 999999999999, but sentry-bootstrap is for account 123456789012 \(SENTRY_ACCOUNT_ID\)/);
    expect(await w.run("bootstrap --account state", { variables })).toBe(1);
    expect(w.stderr.at(-1)).toMatch(/^sentry-ops: bootstrap --account state: the environments share one account/);
  });

  test("with a Terraform role too: the credentials are checked as sentry-bootstrap's provider uses them, the run's own (it assumes no role)", async () => {
    const w = world();
    const stub = caller("123456789012");
    const variables = { SENTRY_ACCOUNT_ID: "123456789012", SENTRY_DEV_ROLE_ARN: "arn:aws:iam::123456789012:role/sentry-terraform" };
    expect(await w.run("bootstrap", { variables, callerAccount: stub })).toBe(0);
    expect(stub.asked).toEqual([{ region: "us-east-1", withRole: false }]);
  });

  test("without any account: says it cannot check, asks nobody", async () => {
    const w = world();
    const stub = caller("123456789012");
    expect(await w.run("bootstrap", { callerAccount: stub })).toBe(0);
    expect(stub.asked).toEqual([]);
    expect(w.stderr).toContain("[sentry-ops] bootstrap sentry-bootstrap: no account configured (SENTRY_ACCOUNT_ID); it applies to whichever account the credentials reach");
  });
});

describe("sentry-ops names the environment's account", () => {
  test("plan prints the account and the role it is reached as", async () => {
    const w = world();
    expect(await w.run("plan dev --phase foundation", { variables: PER_ENVIRONMENT_ACCOUNT_VARIABLES })).toBe(0);
    expect(w.stderr).toContain("[sentry-ops] dev: account 111111111111, as arn:aws:iam::111111111111:role/sentry-terraform");
  });

  test("scaling asks AWS with the environment's role", async () => {
    const w = world();
    const given: unknown[] = [];
    // No phase is deployed in this world: the command stops at the missing outputs, after building its clients.
    const inert = new Proxy({}, { get: (_, key) => (key === "then" ? undefined : () => undefined) });
    const scalingAws = (...[, credentials]: Parameters<ScalingAwsFactory>) => {
      given.push(credentials);
      return inert as ReturnType<ScalingAwsFactory>;
    };
    expect(await w.run("scaling prod", { variables: PER_ENVIRONMENT_ACCOUNT_VARIABLES, synthesize: neverSynthesizes, scalingAws })).toBe(1);
    expect(given).toEqual([expect.any(Function)]);
    expect(w.stderr.at(-1)).toMatch(/^sentry-ops: scaling: sentry-compute-prod and sentry-services-prod are not deployed/);
  });

  test("environmentCredentials: the environment's role when it has one, the default chain otherwise", () => {
    expect(environmentCredentials(loadEnvironmentConfig("dev", TEST_OPERATOR_VARIABLES))).toBeUndefined();
    expect(environmentCredentials(loadEnvironmentConfig("dev", { ...TEST_OPERATOR_VARIABLES, SENTRY_ACCOUNT_ID: "123456789012" }))).toBeUndefined();
    expect(environmentCredentials(loadEnvironmentConfig("prod", PER_ENVIRONMENT_ACCOUNT_VARIABLES))).toEqual(expect.any(Function));
  });
});
