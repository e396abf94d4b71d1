import { loadEnvironmentConfig } from "../src/config";
import { reportAccount } from "../src/ops/report-account";
import { buildScaling } from "../src/ops/scaling/model";
import { renderScaling } from "../src/ops/scaling/render";
import { buildStatus } from "../src/ops/status/model";
import { renderStatus } from "../src/ops/status/render";
import { PER_ENVIRONMENT_ACCOUNT_VARIABLES, TEST_OPERATOR_VARIABLES } from "./support/synth";

/** The reports that ask AWS name the account in their headers: a pasted report says which account its values came from. */

const NO_LIVE = { certificates: new Map(), connections: new Map(), subscriptions: new Map(), secretStages: new Map(), services: [] };
const WINDOW = { start: "2026-12-07T03:00:00.000Z", end: "2026-12-07T06:00:00.000Z", seconds: 10800, periodSeconds: 300 };
const PROD_ROLE = "arn:aws:iam::333333333333:role/sentry-terraform";

const statusOf = (variables: NodeJS.ProcessEnv) => buildStatus(loadEnvironmentConfig("prod", variables), [], NO_LIVE);
/** As `sentry-ops scaling` builds it: the account from the configuration. */
const scalingOf = (variables: NodeJS.ProcessEnv) => {
  const account = reportAccount(loadEnvironmentConfig("prod", variables));
  return buildScaling({ environment: "prod", ...(account && { account }), window: WINDOW, services: [], clusters: [] });
};

describe("the account in the status and scaling headers", () => {
  test("an environment of its own account with a role: the account and the role in text, markdown and json", () => {
    const status = statusOf(PER_ENVIRONMENT_ACCOUNT_VARIABLES);
    expect(status.account).toEqual({ id: "333333333333", role: PROD_ROLE });
    expect(renderStatus(status, "text").split("\n")[0]).toBe(`Status of prod (account 333333333333, as ${PROD_ROLE})`);
    expect(renderStatus(status, "markdown").split("\n")[0]).toBe(`### Status of \`prod\` (account \`333333333333\`, as \`${PROD_ROLE}\`)`);
    expect(JSON.parse(renderStatus(status, "json")).account).toEqual({ id: "333333333333", role: PROD_ROLE });

    const scaling = scalingOf(PER_ENVIRONMENT_ACCOUNT_VARIABLES);
    expect(renderScaling(scaling, "text").split("\n")[0]).toMatch(new RegExp(`^Scaling of prod \\(account 333333333333, as ${PROD_ROLE}\\), 2026-12-07T03:00`));
    expect(renderScaling(scaling, "markdown").split("\n")[0]).toBe(`### Scaling of \`prod\` (account \`333333333333\`, as \`${PROD_ROLE}\`)`);
    expect(JSON.parse(renderScaling(scaling, "json")).account).toEqual({ id: "333333333333", role: PROD_ROLE });
  });

  test("one account for every environment, no role: the account alone", () => {
    const single = { ...TEST_OPERATOR_VARIABLES, SENTRY_ACCOUNT_ID: "123456789012" };
    expect(renderStatus(statusOf(single), "text").split("\n")[0]).toBe("Status of prod (account 123456789012)");
    expect(renderScaling(scalingOf(single), "markdown").split("\n")[0]).toBe("### Scaling of `prod` (account `123456789012`)");
  });

  test("no account configured: the headers as before, and no account in the json", () => {
    const status = statusOf(TEST_OPERATOR_VARIABLES);
    expect(renderStatus(status, "text").split("\n")[0]).toBe("Status of prod");
    expect(JSON.parse(renderStatus(status, "json"))).not.toHaveProperty("account");
    expect(renderScaling(scalingOf(TEST_OPERATOR_VARIABLES), "markdown").split("\n")[0]).toBe("### Scaling of `prod`");
  });
});
