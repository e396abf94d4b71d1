import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import { EnvironmentConfig, EnvironmentName, ENVIRONMENT_NAMES, loadEnvironmentConfig, QueueConfig } from "../src/config";
import { EnvironmentDefinition, ENVIRONMENTS } from "../src/config/environments";
import { resolveScalingProfiles } from "../src/config/profiles";
import { checklist, liveQueries } from "../src/ops/status/model";
import { PHASES } from "../src/stacks/names";
import { ROOT } from "../src/tooling/generated-docs";
import { renderMainResources } from "../src/tooling/generated-docs/architecture";
import { renderParameterTables } from "../src/tooling/generated-docs/configuration";
import { renderQueues } from "../src/tooling/generated-docs/resources";
import { DocumentedEnvironment } from "../src/tooling/generated-docs/synthesized";
import { containerDefinitions, diffResources, policyStatements, resource, synthPhase, TEST_OPERATOR_VARIABLES, TerraformJson } from "./support/synth";

/**
 * The guide's "Adicionando Novos Recursos" here: a queue is one entry in src/config (docs/configuration.md
 * "Adding a queue, table, secret or alarm"). A tenth queue added to a copy of the configuration brings its
 * resources, alarm, outputs, grants and documentation with no other edit.
 */

/** A queue no configuration has (its name says where it comes from). */
const ADDED: QueueConfig = { name: "added-by-test", type: "fifo", purpose: "Messages of a queue the one-edit test adds", visibilityTimeoutSeconds: 60, consumerServices: "one" };

/** `env`'s definition with the queue added, and (the same edit) the OMS sending to it. */
function withQueue(env: EnvironmentName, produce: boolean): EnvironmentDefinition {
  const definition = ENVIRONMENTS[env];
  const services = definition.services.map((service) => (produce && service.name === "oms" ? { ...service, access: { ...service.access, produces: [...service.access.produces, ADDED.name] } } : service));
  return { ...definition, queues: [...definition.queues, ADDED], services };
}

const load = (definition: EnvironmentDefinition): EnvironmentConfig => loadEnvironmentConfig(definition.name, TEST_OPERATOR_VARIABLES, definition);
const before = load(ENVIRONMENTS.dev);
const queueOnly = load(withQueue("dev", false));
const produced = load(withQueue("dev", true));
const diff = (after: EnvironmentConfig, block: "resource" | "data") =>
  Object.fromEntries(PHASES.map((phase) => [phase, diffResources({ resource: synthPhase(before, phase).tf[block] }, { resource: synthPhase(after, phase).tf[block] })]));

describe("a tenth queue, one entry in QUEUES", () => {
  test("the foundation adds exactly the queue, its DLQ, their policies, the redrive allowance and the DLQ alarm; nothing else changes", () => {
    const resources = diff(queueOnly, "resource");
    expect(resources.foundation).toEqual({
      added: [
        "aws_cloudwatch_metric_alarm.dlq_alarms_added_by_test",
        "aws_sqs_queue.added_by_test",
        "aws_sqs_queue.added_by_test_dlq",
        "aws_sqs_queue_policy.added_by_test_dlq_policy",
        "aws_sqs_queue_policy.added_by_test_policy",
        "aws_sqs_queue_redrive_allow_policy.added_by_test_dlq_redrive_allow",
      ],
      removed: [],
      changed: {},
    });
    expect(diff(queueOnly, "data").foundation.added).toEqual(["aws_iam_policy_document.added_by_test_dlq_policy_document", "aws_iam_policy_document.added_by_test_policy_document"]);
    for (const phase of ["data", "compute", "cicd"] as const) expect({ phase, ...resources[phase] }).toEqual({ phase, added: [], removed: [], changed: {} });
    // Phase 4's dashboard draws every dead-letter queue.
    expect(resources.services).toEqual({ added: [], removed: [], changed: { "aws_cloudwatch_dashboard.dashboard": ["dashboard_body"] } });
  });

  test("the queue and its DLQ are FIFO, encrypted, redriven after 5 receives; the alarm watches the DLQ", () => {
    const tf = synthPhase(queueOnly, "foundation").tf;
    expect(resource(tf, "aws_sqs_queue", "added_by_test")).toMatchObject({ name: "sentry-added-by-test-dev.fifo", fifo_queue: true, visibility_timeout_seconds: 60, kms_master_key_id: "${aws_kms_key.environment_key.arn}" });
    expect(JSON.parse(resource(tf, "aws_sqs_queue", "added_by_test").redrive_policy)).toEqual({ deadLetterTargetArn: "${aws_sqs_queue.added_by_test_dlq.arn}", maxReceiveCount: 5 });
    expect(resource(tf, "aws_sqs_queue", "added_by_test_dlq")).toMatchObject({ name: "sentry-added-by-test-dlq-dev.fifo", fifo_queue: true });
    expect(resource(tf, "aws_cloudwatch_metric_alarm", "dlq_alarms_added_by_test")).toMatchObject({
      alarm_name: "sentry-dev-dlq-added-by-test",
      dimensions: { QueueName: "${aws_sqs_queue.added_by_test_dlq.name}" },
      alarm_actions: ["${aws_sns_topic.alarm_topic.arn}"],
    });
  });

  test("it joins the foundation's queue outputs, and no other output changes", () => {
    const [old, current] = [synthPhase(before, "foundation").tf.output, synthPhase(queueOnly, "foundation").tf.output];
    const changed = Object.keys(current).filter((name) => JSON.stringify(old[name]) !== JSON.stringify(current[name]));
    expect(changed.sort()).toEqual(["dead_letter_queue_arns", "dead_letter_queue_names", "queue_arns", "queue_urls"]);
    expect(current.queue_urls.value[ADDED.name]).toBe("${aws_sqs_queue.added_by_test.url}");
    expect(current.dead_letter_queue_names.value[ADDED.name]).toBe("${aws_sqs_queue.added_by_test_dlq.name}");
  });

  test("a service that sends to it gets the send grant on its ARN and SQS_ADDED_BY_TEST_URL; nothing is added in phase 4", () => {
    const services = diff(produced, "resource").services;
    expect(services.added).toEqual([]);
    expect(services.changed).toEqual({ "aws_cloudwatch_dashboard.dashboard": ["dashboard_body"], "aws_ecs_task_definition.oms_task_definition": ["container_definitions"] });
    const tf: TerraformJson = synthPhase(produced, "services").tf;
    const arn = '${data.terraform_remote_state.foundation_outputs.outputs.queue_arns["added-by-test"]}';
    const send = policyStatements(tf, "oms_iam_application_permissions").find((statement) => statement.sid === "ProduceToQueues");
    expect(send?.resources).toContain(arn);
    const [container] = containerDefinitions(tf, "oms");
    expect(container.environment).toContainEqual({ name: "SQS_ADDED_BY_TEST_URL", value: '${data.terraform_remote_state.foundation_outputs.outputs.queue_urls["added-by-test"]}' });
    const websocket = policyStatements(tf, "websocket_iam_application_permissions");
    expect(JSON.stringify(websocket)).not.toContain(ADDED.name);
  });

  test("status's checklist expects it, and shows the guide's 9 beside the count", () => {
    const items = checklist(queueOnly, []);
    expect(items).toEqual([]);
    const foundation = checklist(queueOnly, [{ phase: "foundation", stack: "sentry-foundation-dev", planWaiting: false }]);
    const queues = foundation.find((item) => item.item.startsWith("SQS queues"));
    expect(queues).toMatchObject({ item: `SQS queues (${before.queues.length + 1}; the guide's checklist: 9)`, done: false });
    expect(queues?.missing).toBe(`not in state: ${[...before.queues, ADDED].map((queue) => `sentry-${queue.name}-dev${queue.type === "fifo" ? ".fifo" : ""}`).join(", ")}`);
  });

  test("the generated documentation changes with it: parameters, queue list, main resources and alarm count", () => {
    const resolved = (edit: (env: EnvironmentName) => EnvironmentDefinition) =>
      Object.fromEntries(ENVIRONMENT_NAMES.map((env) => [env, resolveScalingProfiles(edit(env))])) as Record<EnvironmentName, ReturnType<typeof resolveScalingProfiles>>;
    const [old, current] = [resolved((env) => ENVIRONMENTS[env]), resolved((env) => withQueue(env, true))];
    const parameters = renderParameterTables(current);
    expect(renderParameterTables(old)).not.toContain(ADDED.name);
    expect(parameters).toContain("| `added-by-test.type` | `fifo` | `fifo` | `fifo` | ours |");
    expect(parameters).toContain(`${old.dev.queues.length + 1} in the configuration; the guide's checklist has 9 ("SQS Queues (9x)").`);
    expect(renderQueues(current)).toContain("| `added-by-test` | fifo | Messages of a queue the one-edit test adds | `oms` | – | ours |");

    const documented = (config: EnvironmentConfig): DocumentedEnvironment => ({
      environment: "dev",
      stacks: PHASES.map((phase) => ({ name: `sentry-${phase}-dev`, phase, dependencies: [], json: synthPhase(config, phase).tf })),
    });
    const row = (config: EnvironmentConfig, label: string) => renderMainResources([documented(config)]).split("\n").find((line) => line.startsWith(`| ${label} |`));
    const fifo = before.queues.filter((queue) => queue.type === "fifo").length;
    expect(row(before, "SQS queues")).toBe(`| SQS queues | ${before.queues.length} (${fifo} FIFO), each with a dead-letter queue: ${2 * before.queues.length} in all |`);
    expect(row(produced, "SQS queues")).toBe(`| SQS queues | ${before.queues.length + 1} (${fifo + 1} FIFO), each with a dead-letter queue: ${2 * before.queues.length + 2} in all |`);
    const alarms = (config: EnvironmentConfig) => Number(row(config, "CloudWatch alarms")?.split(" | ")[1]);
    expect(alarms(produced)).toBe(alarms(before) + 1);
  });
});

describe("a table, one entry in TABLES; a secret, one entry in SECRETS", () => {
  const table = { key: { partitionKey: "pk" }, indexes: {} };
  const secret = { description: "A secret the one-edit test adds", keys: ["token"], filledBy: "person" as const };
  const withTable = { ...ENVIRONMENTS.dev, tables: { ...ENVIRONMENTS.dev.tables, "added-by-test": table } } as EnvironmentDefinition;
  const withSecret = { ...ENVIRONMENTS.dev, secrets: { ...ENVIRONMENTS.dev.secrets, "added-by-test": secret } } as EnvironmentDefinition;

  test("a table: the foundation adds exactly the table and its entries in table_names and table_arns", () => {
    const after = load(withTable);
    expect(diffResources(synthPhase(before, "foundation").tf, synthPhase(after, "foundation").tf)).toEqual({ added: ["aws_dynamodb_table.added_by_test_table"], removed: [], changed: {} });
    const tf = synthPhase(after, "foundation").tf;
    expect(resource(tf, "aws_dynamodb_table", "added_by_test_table")).toMatchObject({ name: "sentry-added-by-test-dev", hash_key: "pk", billing_mode: "PAY_PER_REQUEST" });
    expect(tf.output.table_names.value["added-by-test"]).toBe("${aws_dynamodb_table.added_by_test_table.name}");
    expect(checklist(after, [{ phase: "foundation", stack: "sentry-foundation-dev", planWaiting: false }]).map((item) => item.item)).toContain("DynamoDB added-by-test");
  });

  test("a secret without rotation stops the synth with the security baseline's line until src/security/exceptions.ts registers why", () => {
    expect(() => synthPhase(load(withSecret), "foundation")).toThrow(
      /Security baseline \[secret-rotation\]: sentry-foundation-dev\/added-by-test-secret\/Resource \(aws_secretsmanager_secret\.added_by_test_secret\) has no automatic rotation/,
    );
  });

  test("a secret a person fills: status lists it in the checklist and asks AWS whether it still holds the placeholder", () => {
    const after = load(withSecret);
    const foundation = checklist(after, [{ phase: "foundation", stack: "sentry-foundation-dev", planWaiting: false }]);
    expect(foundation.find((item) => item.item.startsWith("Secrets Manager"))?.missing).toContain("sentry/dev/added-by-test");
    const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:sentry/dev/added-by-test-AbCdEf";
    const state = { version: 4, serial: 1, resources: [{ mode: "managed" as const, type: "aws_secretsmanager_secret", name: "secret", instances: [{ attributes: { name: "sentry/dev/added-by-test", arn: secretArn } }] }] };
    expect(liveQueries(after, [{ phase: "foundation", stack: "sentry-foundation-dev", state, planWaiting: false }]).secrets).toEqual([secretArn]);
  });
});

describe("no hand-written text repeats what the configuration counts", () => {
  /** `help` and every docs file, with the generated blocks (rewritten by npm run docs) left out. */
  const texts = ["help", "README.md", ...readdirSync(join(ROOT, "docs")).map((name) => `docs/${name}`)].map((file) => ({
    file,
    text: readFileSync(join(ROOT, file), "utf8").replace(/<!-- BEGIN GENERATED: ([a-z0-9-]+)[^>]*-->[\s\S]*?<!-- END GENERATED: \1 -->/g, ""),
  }));

  test("no count of queues, DLQs, tables or secrets outside generated blocks", () => {
    const counted = /\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten)( [a-z-]+)? (queues|DLQs|dead-letter queues|tables|secrets)\b|SQS \(\d/gi;
    const found = texts.flatMap(({ file, text }) => [...text.matchAll(counted)].map((match) => `${file}: ${match[0]}`));
    expect(found).toEqual([]);
  });
});
