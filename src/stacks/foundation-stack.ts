import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { Construct } from "constructs";
import {
  AlarmsConfig,
  CognitoConfig,
  EnvironmentConfig,
  KmsConfig,
  namesOf,
  NetworkConfig,
  PUBLIC_HOSTS,
  QueueConfig,
  SecretConfig,
  SecretName,
  ServiceConfig,
  TableConfig,
  TableName,
} from "../config";
import { AdminUserPool } from "../constructs/identity/admin-user-pool";
import { AlarmTopic } from "../constructs/observability/alarm-topic";
import { DeadLetterQueueAlarms } from "../constructs/observability/dead-letter-queue-alarms";
import { DynamoDbTable } from "../constructs/storage/dynamodb-table";
import { NatGatewayAlarms } from "../constructs/observability/nat-gateway-alarms";
import { EnvironmentKey } from "../constructs/encryption/environment-key";
import { Network } from "../constructs/network/network";
import { PlaceholderSecret } from "../constructs/storage/placeholder-secret";
import { PublicCertificate } from "../constructs/ingress/public-certificate";
import { SqsQueueWithDlq } from "../constructs/storage/sqs-queue-with-dlq";
import { executionRoleName, publicHostname } from "./names";
import { SentryStack, SentryStackProps } from "./sentry-stack";

/** Services whose execution role reads each foundation secret (phase 4 injects it into their containers). */
export function secretReaders(services: readonly ServiceConfig[], secrets: readonly SecretName[]): Record<SecretName, string[]> {
  const names = (uses: (service: ServiceConfig) => boolean) => services.filter(uses).map((service) => service.name);
  const injected: Partial<Record<SecretName, string[]>> = {
    "exchange-credentials": names((service) => service.exchangeCredentials && service.exchangeCredentialsSecretArn === undefined),
    redis: names((service) => service.redisAccess),
  };
  return Object.fromEntries(secrets.map((name) => [name, injected[name] ?? []])) as Record<SecretName, string[]>;
}

/** AWS services through which principals of the account may use the environment key (`kms:ViaService`). */
const KEY_VIA_SERVICES = ["sqs", "dynamodb", "secretsmanager", "elasticache", "ecr", "codebuild", "s3", "sns"];
/**
 * Those that keep a grant on the key for the resources they encrypt (tables, replication groups, repositories).
 * Secrets Manager, SQS, SNS, S3 and CodeBuild call KMS with the caller's permissions and create none.
 */
const KEY_GRANTING_SERVICES = ["dynamodb", "elasticache", "ecr"];

export interface FoundationStackProps extends SentryStackProps {
  readonly network: NetworkConfig;
  readonly cognito: CognitoConfig;
  readonly queues: readonly QueueConfig[];
  readonly tables: Readonly<Record<TableName, TableConfig>>;
  /** Secrets `sentry/<env>/<name>`, each created with an empty placeholder. */
  readonly secrets: Readonly<Record<SecretName, SecretConfig>>;
  /** Deletion protection on tables and the user pool. */
  readonly protectData: boolean;
  readonly secretRecoveryWindowDays: number;
  /** Thresholds of the dead-letter queue and NAT gateway alarms. */
  readonly alarms: AlarmsConfig;
  readonly kms: KmsConfig;
  /** Services (by name) whose execution role may read each secret. */
  readonly secretReaders: Readonly<Record<SecretName, readonly string[]>>;
}

export function foundationStackProps(config: EnvironmentConfig): FoundationStackProps {
  return {
    environment: config.name,
    operator: config.operator,
    network: config.network,
    cognito: config.cognito,
    queues: config.queues,
    tables: config.tables,
    secrets: config.secrets,
    protectData: config.protectData,
    secretRecoveryWindowDays: config.secretRecoveryWindowDays,
    alarms: config.alarms,
    kms: config.kms,
    secretReaders: secretReaders(config.services, namesOf(config.secrets)),
  };
}

/**
 * Phase 1: VPC, Cognito, DynamoDB tables, SQS queues and Secrets Manager secrets.
 * Output contract: see docs/architecture.md "Outputs".
 */
export class FoundationStack extends SentryStack {
  constructor(scope: Construct, props: FoundationStackProps) {
    super(scope, "foundation", props);
    const env = props.environment;
    const region = props.operator.region;
    const caller = new DataAwsCallerIdentity(this, "account");
    const accountId = caller.accountId;
    const partition = new DataAwsPartition(this, "partition").partition;
    const terraform = this.terraformPrincipals(caller);
    const regional = (service: string) => `arn:${partition}:${service}:${region}:${accountId}`;

    const environmentKey = new EnvironmentKey(this, "environment-key", {
      aliasName: `sentry-${env}`,
      description: `Sentry ${env}: secrets, queues, tables, logs, cache, images and build artifacts`,
      accountId,
      partition,
      region,
      deletionWindowDays: props.kms.deletionWindowDays,
      administratorRoleArns: [...new Set([...this.sharedRoles(props.operator.adminRoleArns), ...terraform.keyAdministrators])],
      viaServices: KEY_VIA_SERVICES,
      grantingServices: KEY_GRANTING_SERVICES,
      cloudWatchLogs: true,
      // Only what publishes to encrypted resources here: CloudWatch alarms to the alarm topic.
      servicePrincipals: [
        { sid: "CloudWatchAlarmsToEncryptedTopics", principal: "cloudwatch.amazonaws.com", sourceArn: `${regional("cloudwatch")}:alarm:*` },
      ],
    });
    const kmsKeyArn = this.useEnvironmentKey(environmentKey.arn);

    const network = new Network(this, "vpc", {
      name: `sentry-vpc-${env}`,
      cidr: props.network.vpcCidr,
      region,
      availabilityZones: props.network.availabilityZones,
      natGateways: props.network.natGateways,
      flowLogs: props.network.flowLogs.enabled ? { retentionDays: props.network.flowLogs.retentionDays, kmsKeyArn } : undefined,
    });

    const [adminHost, ...otherHosts] = PUBLIC_HOSTS.map((host) => publicHostname(host, props.operator.domain));
    const userPool = new AdminUserPool(this, "admin-user-pool", {
      name: `sentry-admin-${env}`,
      initialAdminEmail: props.operator.adminEmail,
      mfa: props.cognito.mfa,
      deletionProtection: props.protectData,
      // The load balancer signs admins in before a request reaches the admin frontend (phase 4's listener rule).
      // Hosted UI prefixes are unique per region: the account id keeps accounts apart.
      loadBalancerSignIn: {
        domainPrefix: `sentry-admin-${env}-${accountId}`,
        callbackUrls: [`https://${adminHost}/oauth2/idpresponse`],
      },
    });
    // The load balancer's certificate (phase 3 waits for it to be issued), unless the operator brings one.
    const certificate =
      props.operator.certificateArn === undefined
        ? new PublicCertificate(this, "certificate", {
            domainName: adminHost,
            subjectAlternativeNames: otherHosts,
            hostedZoneId: props.operator.hostedZoneId,
          })
        : undefined;

    const tableNames = namesOf(props.tables);
    const tables = Object.fromEntries(
      tableNames.map((name) => {
        const table = props.tables[name];
        const construct = new DynamoDbTable(this, `${name}-table`, {
          name: `sentry-${name}-${env}`,
          key: table.key,
          globalIndexes: Object.entries(table.indexes).map(([indexName, key]) => ({ name: indexName, ...key })),
          ttlAttribute: table.ttlAttribute,
          deletionProtection: props.protectData,
          kmsKeyArn,
        });
        return [name, construct];
      }),
    ) as Record<TableName, DynamoDbTable>;
    const [configTable, tradingTable] = [tables.config, tables.trading];

    const queues = props.queues.map(
      (queue) =>
        new SqsQueueWithDlq(this, queue.name, {
          name: `sentry-${queue.name}-${env}`,
          deadLetterQueueName: `sentry-${queue.name}-dlq-${env}`,
          fifo: queue.type === "fifo",
          visibilityTimeoutSeconds: queue.visibilityTimeoutSeconds,
          kmsKeyArn,
          tags: { Purpose: queue.purpose },
        }),
    );

    const secretNames = namesOf(props.secrets);
    const secrets = secretNames.map(
      (name) =>
        new PlaceholderSecret(this, `${name}-secret`, {
          name: `sentry/${env}/${name}`,
          description: props.secrets[name].description,
          keys: props.secrets[name].keys,
          recoveryWindowDays: props.secretRecoveryWindowDays,
          kmsKeyArn,
          // Role names are known before phase 4 creates the roles; aws:PrincipalArn matches them once they exist.
          // Terraform reads the placeholder version back on every refresh: the principals running it are readers.
          readerArns: [
            ...props.secretReaders[name].map((service) => `arn:${partition}:iam::${accountId}:role/${executionRoleName(service, env)}`),
            ...new Set([...this.sharedRoles(props.operator.adminRoleArns), ...terraform.secretReaders]),
          ],
        }),
    );
    const byQueueName = <T>(pick: (queue: SqsQueueWithDlq) => T) =>
      Object.fromEntries(props.queues.map((queue, index) => [queue.name, pick(queues[index])]));

    // Every later phase's alarms notify this topic (output alarm_topic_arn).
    const alarmTopic = new AlarmTopic(this, "alarm-topic", { name: `sentry-alarms-${env}`, email: props.operator.alarmEmail, kmsMasterKeyId: kmsKeyArn });
    new DeadLetterQueueAlarms(this, "dlq-alarms", {
      namePrefix: `sentry-${env}`,
      queues: byQueueName((queue) => queue.deadLetterQueue.name),
      topicArn: alarmTopic.arn,
      visibleMessages: props.alarms.deadLetterQueueMessages,
    });
    const natGatewayIds = Object.fromEntries(Object.entries(network.natGateways).map(([zone, gateway]) => [zone, gateway.id]));
    new NatGatewayAlarms(this, "nat-alarms", {
      namePrefix: `sentry-${env}`,
      natGateways: natGatewayIds,
      topicArn: alarmTopic.arn,
      errors: props.alarms.natPortAllocationErrors,
    });

    this.publish("vpc_id", network.vpc.id, "VPC id");
    this.publish("vpc_cidr_block", network.vpc.cidrBlock, "VPC IPv4 CIDR");
    this.publish("public_subnet_ids", network.publicSubnets.map((subnet) => subnet.id), "Public subnet ids, one per AZ, in AZ order");
    this.publish("private_subnet_ids", network.privateSubnets.map((subnet) => subnet.id), "Private subnet ids, one per AZ, in AZ order");
    this.publish("private_route_table_ids", network.privateRouteTables.map((table) => table.id), "Private route table ids");
    this.publish("user_pool_id", userPool.userPool.id, "Cognito admin user pool id");
    this.publish("user_pool_arn", userPool.userPool.arn, "Cognito admin user pool ARN");
    this.publish("user_pool_client_id", userPool.client.id, "Cognito app client id of the admin frontend");
    this.publish("user_pool_domain", userPool.domain!.domain, "Cognito hosted UI domain prefix the load balancer signs admins in with");
    this.publish("load_balancer_client_id", userPool.loadBalancerClient!.id, "Cognito app client id of the load balancer (its secret stays in Cognito)");
    this.publish("certificate_arn", certificate?.certificate.arn ?? props.operator.certificateArn, "ACM certificate of the load balancer's HTTPS listener");
    if (certificate && props.operator.hostedZoneId === undefined) {
      this.publish(
        "certificate_validation_records",
        certificate.validationRecords,
        "DNS records (CNAME) to add at your DNS provider: phase 3 waits until the certificate is issued",
      );
    }
    this.publish("config_table_name", configTable.table.name, "DynamoDB config table name");
    this.publish("config_table_arn", configTable.table.arn, "DynamoDB config table ARN");
    this.publish("trading_table_name", tradingTable.table.name, "DynamoDB trading table name");
    this.publish("trading_table_arn", tradingTable.table.arn, "DynamoDB trading table ARN");
    const byTable = <T>(pick: (table: DynamoDbTable) => T) => Object.fromEntries(tableNames.map((name) => [name, pick(tables[name])]));
    this.publish("table_names", byTable((table) => table.table.name), `DynamoDB table name by table (${tableNames.join(", ")}): the applications' DYNAMODB_<TABLE>_TABLE`);
    this.publish("table_arns", byTable((table) => table.table.arn), "DynamoDB table ARN by table");
    this.publish("queue_urls", byQueueName((queue) => queue.queue.url), "SQS queue URL by queue name");
    this.publish("queue_arns", byQueueName((queue) => queue.queue.arn), "SQS queue ARN by queue name");
    this.publish("dead_letter_queue_arns", byQueueName((queue) => queue.deadLetterQueue.arn), "SQS dead-letter queue ARN by queue name");
    this.publish(
      "secret_arns",
      Object.fromEntries(secretNames.map((name, index) => [name, secrets[index].secret.arn])),
      `Secrets Manager secret ARN by name (${secretNames.join(", ")}); never the values`,
    );
    this.publish("alarm_topic_arn", alarmTopic.arn, "SNS topic every phase's CloudWatch alarms notify");
    this.publish("dead_letter_queue_names", byQueueName((queue) => queue.deadLetterQueue.name), "SQS dead-letter queue name by queue name (the CloudWatch QueueName)");
    this.publish("nat_gateway_ids", natGatewayIds, "NAT gateway id by availability zone");
    this.publish("kms_key_arn", environmentKey.arn, "The environment's KMS key: every later phase encrypts with it");
    this.publish("kms_key_alias", environmentKey.alias.name, "Alias of the environment's KMS key (alias/sentry-<env>)");
  }
}
