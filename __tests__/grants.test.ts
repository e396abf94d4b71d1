import { EnvironmentName, ServiceAccessConfig, ServiceName } from "../src/config";
import { GRANT_ACTIONS } from "../src/constructs/compute/application-grants";
import { queueUrlVariable, tableNameVariable } from "../src/stacks/services-stack";
import { TerraformJson, policyStatements, resource, synthPhase, testConfig } from "./support/synth";

const FOUNDATION = "data.terraform_remote_state.foundation_outputs.outputs";
const queueArn = (queue: string) => (/^[a-z]+$/.test(queue) ? `\${${FOUNDATION}.queue_arns.${queue}}` : `\${${FOUNDATION}.queue_arns["${queue}"]}`);
const tableArn = (table: string) => `\${${FOUNDATION}.table_arns.${table}}`;
const ENVS: EnvironmentName[] = ["dev", "staging", "prod"];
const KEY = `\${${FOUNDATION}.kms_key_arn}`;

const services = (env: EnvironmentName) => synthPhase(testConfig(env), "services").tf;
const applicationStatements = (tf: TerraformJson, service: ServiceName) => policyStatements(tf, `${service}_iam_application_permissions`);

/** The container's plain environment as a map. */
function environmentOf(tf: TerraformJson, service: ServiceName): Record<string, string> {
  const text: string = resource(tf, "aws_ecs_task_definition", `${service}_task_definition`).container_definitions;
  const [definition] = JSON.parse(text.replace(/\$\{[^}]*\}/g, (expression) => expression.replace(/"/g, '\\"')));
  return Object.fromEntries(definition.environment.map((variable: { name: string; value: string }) => [variable.name, variable.value]));
}

describe("application grants: the task role gets exactly the declared use", () => {
  test("OMS consumes orders and cancels, produces fills, status, positions, audit and notifications, reads and writes both tables", () => {
    expect(applicationStatements(services("dev"), "oms")).toEqual([
      { sid: "ConsumeQueues", actions: [...GRANT_ACTIONS.consume], resources: ["orders-bitget", "order-cancellations"].map(queueArn) },
      {
        sid: "ProduceToQueues",
        actions: [...GRANT_ACTIONS.produce],
        resources: ["executions", "order-status", "positions", "audit-events", "notifications"].map(queueArn),
      },
      { sid: "ReadTables", actions: [...GRANT_ACTIONS.read], resources: [tableArn("config"), tableArn("trading"), `${tableArn("trading")}/index/gsi1`] },
      { sid: "WriteTables", actions: [...GRANT_ACTIONS.write], resources: [tableArn("config"), tableArn("trading")] },
      { sid: "UseEnvironmentKey", actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [KEY] },
    ]);
  });

  test("websocket consumes order status and market data; the admin frontend only reads the config table", () => {
    const tf = services("prod");
    expect(applicationStatements(tf, "websocket")).toEqual([
      { sid: "ConsumeQueues", actions: [...GRANT_ACTIONS.consume], resources: ["order-status", "market-data"].map(queueArn) },
      { sid: "UseEnvironmentKey", actions: ["kms:Decrypt"], resources: [KEY] },
    ]);
    expect(applicationStatements(tf, "frontend")).toEqual([
      { sid: "ReadTables", actions: [...GRANT_ACTIONS.read], resources: [tableArn("config")] },
      { sid: "UseEnvironmentKey", actions: ["kms:Decrypt"], resources: [KEY] },
    ]);
  });

  test("the actions of each use", () => {
    expect(GRANT_ACTIONS).toEqual({
      consume: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
      produce: ["sqs:SendMessage", "sqs:GetQueueAttributes"],
      read: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"],
      write: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"],
      decryptWithKey: ["kms:Decrypt"],
      encryptWithKey: ["kms:Decrypt", "kms:GenerateDataKey"],
    });
  });

  test("a service with no declared use gets no application policy at all", () => {
    const config = testConfig("dev");
    const none: ServiceAccessConfig = { consumes: [], produces: [], reads: [], writes: [] };
    const tf = synthPhase({ ...config, services: config.services.map((service) => ({ ...service, access: none })) }, "services").tf;
    expect(Object.keys(tf.resource.aws_iam_role_policy).filter((name) => name.includes("application"))).toEqual([]);
  });

  describe.each(ENVS)("%s: least privilege", (env) => {
    const tf = services(env);
    const config = testConfig(env);

    test.each(config.services.map((service) => [service.name, service.access] as const))(
      "%s: no * resource, and every action belongs to a declared use on a resource of that use",
      (service, access) => {
        const allowed = new Map<string, Set<string>>();
        const allow = (actions: readonly string[], resources: string[]) =>
          actions.forEach((action) => resources.forEach((arn) => allowed.set(action, (allowed.get(action) ?? new Set()).add(arn))));
        allow(GRANT_ACTIONS.consume, access.consumes.map(queueArn));
        allow(GRANT_ACTIONS.produce, access.produces.map(queueArn));
        allow(GRANT_ACTIONS.read, access.reads.flatMap((table) => [tableArn(table), ...Object.keys(config.tables[table].indexes).map((index) => `${tableArn(table)}/index/${index}`)]));
        allow(GRANT_ACTIONS.write, access.writes.map(tableArn));
        // The key: decrypt for any use; a data key only for a service that sends or writes.
        const writes = access.produces.length + access.writes.length > 0;
        allow(writes ? GRANT_ACTIONS.encryptWithKey : GRANT_ACTIONS.decryptWithKey, [KEY]);

        for (const statement of applicationStatements(tf, service)) {
          expect(statement.effect ?? "Allow").toBe("Allow");
          for (const arn of statement.resources) {
            expect(arn).not.toMatch(/\*/);
            for (const action of statement.actions) expect(allowed.get(action)?.has(arn)).toBe(true);
          }
        }
      },
    );
  });
});

describe("application configuration: containers get the names they use", () => {
  test("OMS: one SQS_<QUEUE>_URL per queue it consumes or produces, one DYNAMODB_<TABLE>_TABLE per table", () => {
    const environment = environmentOf(services("dev"), "oms");
    expect(environment).toMatchObject({
      SQS_ORDERS_BITGET_URL: `\${${FOUNDATION}.queue_urls["orders-bitget"]}`,
      SQS_ORDER_CANCELLATIONS_URL: `\${${FOUNDATION}.queue_urls["order-cancellations"]}`,
      SQS_EXECUTIONS_URL: `\${${FOUNDATION}.queue_urls.executions}`,
      SQS_ORDER_STATUS_URL: `\${${FOUNDATION}.queue_urls["order-status"]}`,
      SQS_POSITIONS_URL: `\${${FOUNDATION}.queue_urls.positions}`,
      SQS_AUDIT_EVENTS_URL: `\${${FOUNDATION}.queue_urls["audit-events"]}`,
      SQS_NOTIFICATIONS_URL: `\${${FOUNDATION}.queue_urls.notifications}`,
      DYNAMODB_CONFIG_TABLE: `\${${FOUNDATION}.table_names.config}`,
      DYNAMODB_TRADING_TABLE: `\${${FOUNDATION}.table_names.trading}`,
    });
    expect(Object.keys(environment).filter((name) => name.startsWith("SQS_"))).toHaveLength(7);
  });

  test("websocket and frontend get only theirs", () => {
    const tf = services("prod");
    expect(Object.keys(environmentOf(tf, "websocket")).sort()).toEqual(["AWS_DEFAULT_REGION", "AWS_REGION", "SQS_MARKET_DATA_URL", "SQS_ORDER_STATUS_URL"]);
    expect(Object.keys(environmentOf(tf, "frontend")).sort()).toEqual(["AWS_DEFAULT_REGION", "AWS_REGION", "DYNAMODB_CONFIG_TABLE"]);
  });

  test("variable names", () => {
    expect(queueUrlVariable("orders-bitget")).toBe("SQS_ORDERS_BITGET_URL");
    expect(tableNameVariable("trading")).toBe("DYNAMODB_TRADING_TABLE");
  });
});
