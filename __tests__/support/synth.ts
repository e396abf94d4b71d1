import { App, Testing } from "cdktf";
import { buildSentryApp, PHASE_STACKS } from "../../src/app";
import { EnvironmentConfig, EnvironmentName, loadEnvironmentConfig } from "../../src/config";
import { Phase } from "../../src/stacks/names";
import { synthesizeInProcess } from "../../src/ops/synth";
import { cacheEntry, cachedFolder, cachedText } from "./synth-cache";

/** Operator settings fixed for tests, whatever the caller's shell exports. */
export const TEST_OPERATOR_VARIABLES = {
  SENTRY_AWS_REGION: "us-east-1",
  SENTRY_STATE_BUCKET: "sentry-test-state",
  SENTRY_ADMIN_EMAIL: "ops@sentry.test",
  SENTRY_DOMAIN: "sentry.test",
  SENTRY_ALARM_EMAIL: "alarms@sentry.test",
  SENTRY_ADMIN_ROLE_ARNS: "arn:aws:iam::123456789012:role/sentry-operator,arn:aws:iam::123456789012:role/sentry-deployer",
};

const testRole = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;

/**
 * One account per environment (dev 111111111111, staging 222222222222, prod 333333333333), a Terraform role in
 * each, the state in 444444444444 reached through a state role and a plan state role per environment, and CI.
 */
export const PER_ENVIRONMENT_ACCOUNT_VARIABLES = {
  ...TEST_OPERATOR_VARIABLES,
  SENTRY_GITHUB_REPOSITORY: "acme/sentry-infra",
  SENTRY_DEV_ACCOUNT_ID: "111111111111",
  SENTRY_STAGING_ACCOUNT_ID: "222222222222",
  SENTRY_PROD_ACCOUNT_ID: "333333333333",
  SENTRY_STATE_ACCOUNT_ID: "444444444444",
  SENTRY_DEV_ROLE_ARN: testRole("111111111111", "sentry-terraform"),
  SENTRY_STAGING_ROLE_ARN: testRole("222222222222", "sentry-terraform"),
  SENTRY_PROD_ROLE_ARN: testRole("333333333333", "sentry-terraform"),
  SENTRY_PROD_EXTERNAL_ID: "sentry-prod-7f3a",
  SENTRY_DEV_STATE_ROLE_ARN: testRole("444444444444", "sentry-state-dev"),
  SENTRY_STAGING_STATE_ROLE_ARN: testRole("444444444444", "sentry-state-staging"),
  SENTRY_PROD_STATE_ROLE_ARN: testRole("444444444444", "sentry-state-prod"),
  SENTRY_DEV_STATE_PLAN_ROLE_ARN: testRole("444444444444", "sentry-state-plan-dev"),
  SENTRY_STAGING_STATE_PLAN_ROLE_ARN: testRole("444444444444", "sentry-state-plan-staging"),
  SENTRY_PROD_STATE_PLAN_ROLE_ARN: testRole("444444444444", "sentry-state-plan-prod"),
};

/** An environment's validated config with the test operator settings. */
export function testConfig(env: EnvironmentName, variables: NodeJS.ProcessEnv = TEST_OPERATOR_VARIABLES): EnvironmentConfig {
  return loadEnvironmentConfig(env, variables);
}

/** Builds every stack of `config` into a fresh test app. */
export function buildTestApp(config: EnvironmentConfig): App {
  const app = Testing.app();
  buildSentryApp(app, config);
  return app;
}

export interface SynthesizedStack {
  /** The stack's Terraform JSON as text (for cdktf's jest matchers). */
  readonly json: string;
  /** The same, parsed. */
  readonly tf: TerraformJson;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TerraformJson = Record<string, any>;

const synthesized = new Map<string, SynthesizedStack>();

/**
 * Synthesizes one phase of an environment. Config is plain data, so equal configs give equal stacks: each
 * (config, phase) is synthesized once per jest run and shared by every test file through the synth cache
 * (`synth-cache.ts`), parsed once per file, frozen so no test can change another's input. A miss builds that
 * phase's stack alone, as the app builds it (`PHASE_STACKS`); stacks share nothing but state, and
 * `app.test.ts` checks that a phase synthesizes the same alone as in the whole app.
 */
export function synthPhase(config: EnvironmentConfig, phase: Phase): SynthesizedStack {
  const key = `${phase}\0${JSON.stringify(config)}`;
  let result = synthesized.get(key);
  if (!result) {
    const json = cachedText(cacheEntry("phase", key), () => Testing.synth(PHASE_STACKS[phase](Testing.app(), config)));
    result = { json, tf: deepFreeze(JSON.parse(json)) };
    synthesized.set(key, result);
  }
  return result;
}

/**
 * The folder of `config`'s whole environment as the app synthesizes it (`sentry-ops` and `cdktf synth`: cdktf's
 * layout, `manifest.json` and `stacks/<stack>/cdk.tf.json`), synthesized once per jest run and shared by every
 * test file. Read it, never write into it: copy it first (`sharedSynthesizer` in `ops-world.ts` does).
 */
export function synthesizedEnvironment(config: EnvironmentConfig): string {
  return cachedFolder(cacheEntry("environment", JSON.stringify(config)), (folder) => synthesizeInProcess(config, folder));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** The resources of one type, by address name. */
export function resourcesOf(tf: TerraformJson, type: string): Record<string, TerraformJson> {
  return tf.resource?.[type] ?? {};
}

/** The data sources of one type, by address name. */
export function dataOf(tf: TerraformJson, type: string): Record<string, TerraformJson> {
  return tf.data?.[type] ?? {};
}

/** One resource; fails the test when it does not exist. */
export function resource(tf: TerraformJson, type: string, name: string): TerraformJson {
  const found = resourcesOf(tf, type)[name];
  if (!found) throw new Error(`no ${type}.${name}; have: ${Object.keys(resourcesOf(tf, type)).join(", ")}`);
  return found;
}

/**
 * The container definitions of a service's task definition. Terraform interpolations inside the JSON text may
 * hold raw quotes (`secret_arns["exchange-credentials"]`); they are escaped before parsing and come back unchanged.
 */
export function containerDefinitions(tf: TerraformJson, service: string): TerraformJson[] {
  const text: string = resource(tf, "aws_ecs_task_definition", `${service}_task_definition`).container_definitions;
  return JSON.parse(text.replace(/\$\{[^}]*\}/g, (expression) => expression.replace(/"/g, '\\"')));
}

/** The statements of a policy document data source. */
export function policyStatements(tf: TerraformJson, document: string): TerraformJson[] {
  const found = dataOf(tf, "aws_iam_policy_document")[document];
  if (!found) throw new Error(`no aws_iam_policy_document.${document}`);
  return found.statement;
}

/** One statement of a policy document, by sid. */
export function statementBySid(tf: TerraformJson, document: string, sid: string): TerraformJson | undefined {
  return policyStatements(tf, document).find((candidate) => candidate.sid === sid);
}

/** What changed between two syntheses of a stack, resource by resource (`type.name` addresses). */
export interface StackDiff {
  readonly added: string[];
  readonly removed: string[];
  /** Address → the top-level attributes whose value differs. */
  readonly changed: Record<string, string[]>;
}

export function diffResources(before: TerraformJson, after: TerraformJson): StackDiff {
  const byAddress = (tf: TerraformJson) =>
    new Map<string, TerraformJson>(Object.entries(tf.resource ?? {}).flatMap(([type, byName]) => Object.entries(byName as TerraformJson).map(([name, value]) => [`${type}.${name}`, value])));
  const [old, current] = [byAddress(before), byAddress(after)];
  const changed: Record<string, string[]> = {};
  for (const [address, value] of old) {
    const next = current.get(address);
    if (next === undefined) continue;
    const attributes = [...new Set([...Object.keys(value), ...Object.keys(next)])].filter((key) => JSON.stringify(value[key]) !== JSON.stringify(next[key]));
    if (attributes.length) changed[address] = attributes.sort();
  }
  return {
    added: [...current.keys()].filter((address) => !old.has(address)).sort(),
    removed: [...old.keys()].filter((address) => !current.has(address)).sort(),
    changed,
  };
}
