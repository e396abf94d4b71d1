import { Price, PriceTable } from "./table";

/**
 * US East (N. Virginia) on-demand list prices. There is no network here: each price was read on 2026-12-07
 * from a stored copy of a page quoting the AWS pricing page (`STORED`), or is the published list price we know,
 * not confirmed against a stored copy (`KNOWN`); the source is the AWS page to check it against.
 */

const READ = "2026-12-07";
const STORED = "read from stored copies of pages quoting this AWS page";
const KNOWN = "known published list price; no stored copy of the page to confirm it";

const VPC = "https://aws.amazon.com/vpc/pricing/";
const PRIVATELINK = "https://aws.amazon.com/privatelink/pricing/";
const ELB = "https://aws.amazon.com/elasticloadbalancing/pricing/";
const WAF = "https://aws.amazon.com/waf/pricing/";
const COGNITO = "https://aws.amazon.com/cognito/pricing/";
const CODEPIPELINE = "https://aws.amazon.com/codepipeline/pricing/";
const CODEBUILD = "https://aws.amazon.com/codebuild/pricing/";
const KMS = "https://aws.amazon.com/kms/pricing/";
const SECRETS = "https://aws.amazon.com/secrets-manager/pricing/";
const CLOUDWATCH = "https://aws.amazon.com/cloudwatch/pricing/";
const DYNAMODB = "https://aws.amazon.com/dynamodb/pricing/on-demand/";
const SQS = "https://aws.amazon.com/sqs/pricing/";
const SNS = "https://aws.amazon.com/sns/pricing/";
const ECR = "https://aws.amazon.com/ecr/pricing/";
const S3 = "https://aws.amazon.com/s3/pricing/";
const EBS = "https://aws.amazon.com/ebs/pricing/";
const ROUTE53 = "https://aws.amazon.com/route53/pricing/";
const EC2 = "https://aws.amazon.com/ec2/pricing/on-demand/";
const ELASTICACHE = "https://aws.amazon.com/elasticache/pricing/";

function price(usd: number, unit: string, source: string, note: string = KNOWN): Price {
  return { usd, unit, source, read: READ, note };
}

function hourly(source: string, prices: Readonly<Record<string, number>>): Record<string, Price> {
  return Object.fromEntries(Object.entries(prices).map(([type, usd]) => [type, price(usd, "hour", source)]));
}

export const US_EAST_1: PriceTable = {
  region: "us-east-1",
  natGatewayHour: price(0.045, "hour", VPC, STORED),
  natGatewayGb: price(0.045, "GB", VPC, STORED),
  publicIpv4Hour: price(0.005, "hour", VPC, STORED),
  interfaceEndpointHour: price(0.01, "hour", PRIVATELINK, STORED),
  loadBalancerHour: price(0.0225, "hour", ELB),
  loadBalancerLcuHour: price(0.008, "LCU-hour", ELB),
  webAclMonth: price(5, "month", WAF),
  webAclRuleMonth: price(1, "month", WAF),
  webAclRequestsMillion: price(0.6, "1M requests", WAF),
  cognitoMonthlyActiveUser: {
    LITE: price(0.0055, "MAU", COGNITO),
    ESSENTIALS: price(0.015, "MAU", COGNITO),
    PLUS: price(0.02, "MAU", COGNITO),
  },
  pipelineV2ActionMinute: price(0.002, "action minute", CODEPIPELINE),
  pipelineV1Month: price(1, "month", CODEPIPELINE),
  buildMinute: {
    "ARM_CONTAINER/BUILD_GENERAL1_SMALL": price(0.0034, "minute", CODEBUILD),
    "LINUX_CONTAINER/BUILD_GENERAL1_SMALL": price(0.005, "minute", CODEBUILD, STORED),
    "LINUX_CONTAINER/BUILD_GENERAL1_MEDIUM": price(0.01, "minute", CODEBUILD, STORED),
    "LINUX_CONTAINER/BUILD_GENERAL1_LARGE": price(0.02, "minute", CODEBUILD, STORED),
  },
  kmsKeyMonth: price(1, "month", KMS),
  kmsRequests10k: price(0.03, "10K requests", KMS),
  secretMonth: price(0.4, "month", SECRETS),
  secretApiCalls10k: price(0.05, "10K API calls", SECRETS),
  alarmMetricStandard: price(0.1, "alarm metric-month", CLOUDWATCH),
  alarmMetricHighResolution: price(0.3, "alarm metric-month", CLOUDWATCH),
  dashboardMonth: price(3, "month", CLOUDWATCH),
  logIngestionGb: price(0.5, "GB", CLOUDWATCH),
  logStorageGbMonth: price(0.03, "GB-month", CLOUDWATCH),
  // On-demand requests since AWS halved them on 2024-11-01 (before: 0.25 and 1.25).
  tableReadRequestsMillion: price(0.125, "1M read request units", DYNAMODB, STORED),
  tableWriteRequestsMillion: price(0.625, "1M write request units", DYNAMODB, STORED),
  tableStorageGbMonth: price(0.25, "GB-month", DYNAMODB),
  tablePointInTimeRecoveryGbMonth: price(0.2, "GB-month", DYNAMODB),
  queueStandardRequestsMillion: price(0.4, "1M requests", SQS),
  queueFifoRequestsMillion: price(0.5, "1M requests", SQS),
  topicPublishesMillion: price(0.5, "1M publishes", SNS),
  imageStorageGbMonth: price(0.1, "GB-month", ECR),
  bucketStorageGbMonth: price(0.023, "GB-month", S3),
  gp3StorageGbMonth: price(0.08, "GB-month", EBS),
  hostedZoneMonth: price(0.5, "month", ROUTE53),
  instanceHour: hourly(EC2, {
    "t4g.nano": 0.0042,
    "t4g.micro": 0.0084,
    "t4g.small": 0.0168,
    "t4g.medium": 0.0336,
    "t4g.large": 0.0672,
    "t4g.xlarge": 0.1344,
    "t4g.2xlarge": 0.2688,
    "c7g.medium": 0.0363,
    "c7g.large": 0.0725,
    "c7g.xlarge": 0.145,
    "c7g.2xlarge": 0.29,
    "m7g.medium": 0.0408,
    "m7g.large": 0.0816,
    "m7g.xlarge": 0.1632,
    "r7g.medium": 0.0536,
    "r7g.large": 0.1071,
    "r7g.xlarge": 0.2142,
  }),
  cacheNodeHour: hourly(ELASTICACHE, {
    "cache.t4g.micro": 0.016,
    "cache.t4g.small": 0.032,
    "cache.t4g.medium": 0.065,
    "cache.m7g.large": 0.158,
    "cache.r7g.large": 0.219,
    "cache.r7g.xlarge": 0.437,
  }),
};
