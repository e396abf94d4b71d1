/**
 * The shape of a region's price table: one entry per AWS pricing dimension (what the pricing page lists), each
 * with the page it comes from and the day it was read. Pure data: which resource uses which dimension is
 * `../rules.ts`'s business.
 */

export interface Price {
  /** USD per `unit`, on-demand list price. */
  readonly usd: number;
  /** What one unit is: `hour`, `GB`, `GB-month`, `1M requests`, `month`, ... */
  readonly unit: string;
  /** The AWS pricing page the price is on. */
  readonly source: string;
  /** The day it was read, `YYYY-MM-DD`. */
  readonly read: string;
  /** How it was read when not straight from the live page. @default - read on the page */
  readonly note?: string;
}

/** Cognito user pool feature plans (`user_pool_tier`). */
export type CognitoTier = "LITE" | "ESSENTIALS" | "PLUS";

export interface PriceTable {
  readonly region: string;
  readonly natGatewayHour: Price;
  readonly natGatewayGb: Price;
  /** Every public IPv4 address, attached or idle (since February 2024). */
  readonly publicIpv4Hour: Price;
  /** Interface VPC endpoints, per zone. */
  readonly interfaceEndpointHour: Price;
  readonly loadBalancerHour: Price;
  readonly loadBalancerLcuHour: Price;
  readonly webAclMonth: Price;
  /** Each rule of a web ACL, a managed rule group counting as one. */
  readonly webAclRuleMonth: Price;
  readonly webAclRequestsMillion: Price;
  readonly cognitoMonthlyActiveUser: Readonly<Record<CognitoTier, Price>>;
  readonly pipelineV2ActionMinute: Price;
  readonly pipelineV1Month: Price;
  /** Per build minute, by `<environment type>/<compute type>` (`ARM_CONTAINER/BUILD_GENERAL1_SMALL`). */
  readonly buildMinute: Readonly<Record<string, Price>>;
  readonly kmsKeyMonth: Price;
  readonly kmsRequests10k: Price;
  readonly secretMonth: Price;
  readonly secretApiCalls10k: Price;
  /** Per metric an alarm evaluates, standard resolution (period of 60 s or more). */
  readonly alarmMetricStandard: Price;
  readonly alarmMetricHighResolution: Price;
  readonly dashboardMonth: Price;
  readonly logIngestionGb: Price;
  readonly logStorageGbMonth: Price;
  readonly tableReadRequestsMillion: Price;
  readonly tableWriteRequestsMillion: Price;
  readonly tableStorageGbMonth: Price;
  readonly tablePointInTimeRecoveryGbMonth: Price;
  readonly queueStandardRequestsMillion: Price;
  readonly queueFifoRequestsMillion: Price;
  readonly topicPublishesMillion: Price;
  readonly imageStorageGbMonth: Price;
  readonly bucketStorageGbMonth: Price;
  readonly gp3StorageGbMonth: Price;
  readonly hostedZoneMonth: Price;
  /** EC2 Linux on-demand, by instance type. */
  readonly instanceHour: Readonly<Record<string, Price>>;
  /** ElastiCache (Redis OSS) on-demand, by node type. */
  readonly cacheNodeHour: Readonly<Record<string, Price>>;
}

/** Every price of a table, flattened (the oldest `read` is the table's date). */
export function pricesOf(table: PriceTable): Price[] {
  return Object.entries(table).flatMap(([key, value]) => {
    if (key === "region") return [];
    const price = value as Price | Readonly<Record<string, Price>>;
    return "usd" in price ? [price as Price] : Object.values(price as Readonly<Record<string, Price>>);
  });
}

/** The day the oldest price of the table was read. */
export function pricesAsOf(table: PriceTable): string {
  return pricesOf(table)
    .map((price) => price.read)
    .sort()[0];
}
