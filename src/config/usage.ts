import { EnvironmentName } from "./types";

/**
 * How much each environment is used in a month, for the usage-based part of `sentry-ops cost` (requests, GB,
 * minutes, users). These are our estimates, not measurements: `sentry-ops cost --usage FILE` replaces any of them
 * (a JSON object with some of these fields). The fixed part of the cost never depends on them.
 */
export interface UsageConfig {
  /** GB the NAT gateways process, all of them together (split evenly between them). */
  readonly natGatewayGb: number;
  /** Load balancer capacity units (LCU), averaged over the month. */
  readonly loadBalancerLcu: number;
  /** Millions of requests reaching the load balancer (the web ACL inspects each where WAF is on). */
  readonly loadBalancerRequestsMillions: number;
  /** Users signing in to the admin user pool. */
  readonly cognitoMonthlyActiveUsers: number;
  /** Minutes the actions of each pipeline run (CodePipeline V2 bills action minutes). */
  readonly pipelineActionMinutes: number;
  /** Build minutes of each build project. */
  readonly buildMinutes: number;
  /** GB each service's log group takes in. */
  readonly serviceLogGb: number;
  /** GB each build log group takes in. */
  readonly buildLogGb: number;
  /** GB the VPC flow log group takes in. */
  readonly flowLogGb: number;
  /** GB the web ACL's log group takes in. */
  readonly firewallLogGb: number;
  /** GB the Redis slow log group takes in. */
  readonly cacheLogGb: number;
  /** GB of Container Insights performance events per cluster that has it on. */
  readonly containerInsightsGb: number;
  /** Millions of read request units per table. */
  readonly tableReadRequestsMillions: number;
  /** Millions of write request units per table. */
  readonly tableWriteRequestsMillions: number;
  /** GB stored per table (point-in-time recovery is billed on the same GB). */
  readonly tableStoredGb: number;
  /** Millions of requests (send, receive, delete, empty polls) per queue. */
  readonly queueRequestsMillions: number;
  /** Millions of requests per dead-letter queue. */
  readonly deadLetterQueueRequestsMillions: number;
  /** Millions of publishes per topic. */
  readonly topicPublishesMillions: number;
  /** GB of images each repository keeps. */
  readonly imageStoredGb: number;
  /** GB each bucket keeps (artifacts, access logs). */
  readonly bucketStoredGb: number;
  /** Requests to each KMS key (encrypt, decrypt, generate data key). */
  readonly keyRequests: number;
  /** API calls to each secret (reads at task start, Terraform's refresh). */
  readonly secretApiCalls: number;
}

export type UsageField = keyof UsageConfig;

/**
 * Our estimates per environment: dev builds often and serves little; prod serves the traffic, keeps a year of
 * logs (the storage follows from each log group's retention) and builds only what reached main.
 */
export const DEFAULT_USAGE: Readonly<Record<EnvironmentName, UsageConfig>> = {
  dev: {
    natGatewayGb: 20,
    loadBalancerLcu: 0.1,
    loadBalancerRequestsMillions: 0.5,
    cognitoMonthlyActiveUsers: 5,
    pipelineActionMinutes: 600,
    buildMinutes: 300,
    serviceLogGb: 1,
    buildLogGb: 0.2,
    flowLogGb: 0,
    firewallLogGb: 0,
    cacheLogGb: 0.1,
    containerInsightsGb: 0,
    tableReadRequestsMillions: 1,
    tableWriteRequestsMillions: 0.5,
    tableStoredGb: 1,
    queueRequestsMillions: 0.5,
    deadLetterQueueRequestsMillions: 0.01,
    topicPublishesMillions: 0.01,
    imageStoredGb: 3,
    bucketStoredGb: 1,
    keyRequests: 100_000,
    secretApiCalls: 10_000,
  },
  staging: {
    natGatewayGb: 30,
    loadBalancerLcu: 0.2,
    loadBalancerRequestsMillions: 1,
    cognitoMonthlyActiveUsers: 10,
    pipelineActionMinutes: 200,
    buildMinutes: 100,
    serviceLogGb: 2,
    buildLogGb: 0.1,
    flowLogGb: 5,
    firewallLogGb: 1,
    cacheLogGb: 0.1,
    containerInsightsGb: 0,
    tableReadRequestsMillions: 2,
    tableWriteRequestsMillions: 1,
    tableStoredGb: 2,
    queueRequestsMillions: 1,
    deadLetterQueueRequestsMillions: 0.01,
    topicPublishesMillions: 0.01,
    imageStoredGb: 3,
    bucketStoredGb: 2,
    keyRequests: 200_000,
    secretApiCalls: 20_000,
  },
  prod: {
    natGatewayGb: 300,
    loadBalancerLcu: 1,
    loadBalancerRequestsMillions: 20,
    cognitoMonthlyActiveUsers: 20,
    pipelineActionMinutes: 100,
    buildMinutes: 50,
    serviceLogGb: 10,
    buildLogGb: 0.1,
    flowLogGb: 30,
    firewallLogGb: 10,
    cacheLogGb: 0.5,
    containerInsightsGb: 5,
    tableReadRequestsMillions: 50,
    tableWriteRequestsMillions: 20,
    tableStoredGb: 20,
    queueRequestsMillions: 10,
    deadLetterQueueRequestsMillions: 0.01,
    topicPublishesMillions: 0.01,
    imageStoredGb: 3,
    bucketStoredGb: 10,
    keyRequests: 2_000_000,
    secretApiCalls: 100_000,
  },
};
