import { AssumedRole } from "../backend-config";
import { AssumedRoles, assumeRole, CREDENTIAL_ERRORS, CredentialsMissing, errorParts, errorReason, quietSdkNotice, using } from "../credentials";
import { OpsFailure } from "../session";

/**
 * What `status` asks AWS, as a seam: the command takes a factory, tests pass stubs, the real one
 * (`sdkStatusAws`) loads the AWS SDK for JavaScript v3 clients only when `status` runs. Every call reads
 * metadata only: no call returns a secret's value (Secrets Manager is asked for version ids and stages).
 */

export interface ValidationRecord {
  readonly name: string;
  readonly type: string;
  readonly value: string;
}

export interface CertificateFacts {
  /** `PENDING_VALIDATION`, `ISSUED`, `FAILED`, ... */
  readonly status: string;
  /** The DNS records ACM waits for (DNS validation). */
  readonly records: readonly ValidationRecord[];
}

export interface SubscriptionFacts {
  readonly protocol: string;
  readonly endpoint: string;
  /** `PendingConfirmation` until the recipient follows the link. */
  readonly arn: string;
}

export interface ServiceFacts {
  readonly name: string;
  /** `ACTIVE`, `DRAINING`, `INACTIVE`; `MISSING` when ECS does not know it. */
  readonly status: string;
  readonly running: number;
  readonly desired: number;
  /** The primary deployment's rollout state (`IN_PROGRESS`, `COMPLETED`, `FAILED`) and why. */
  readonly rollout?: string;
  readonly rolloutReason?: string;
}

/** Where a phase's state object lives (from the backend settings `init` recorded). */
export interface StateObject {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  readonly endpoint?: string;
  readonly pathStyle?: boolean;
  /** The shared-config profile the backend reaches the bucket with (`--backend-config` `profile`). */
  readonly profile?: string;
  /** The role the backend assumes to reach the bucket (`assume_role`): status assumes it the same way. */
  readonly assumeRole?: AssumedRole;
  /** The role the backend reaches the bucket through with a web identity token: status does not assume it. */
  readonly webIdentityRole?: string;
  /** The backend's own shared config or credentials files (`shared_config_files`, ...): status does not read them. */
  readonly credentialFiles?: readonly string[];
}

export interface StatusAws {
  certificate(arn: string): Promise<CertificateFacts>;
  /** `PENDING`, `AVAILABLE` or `ERROR`. */
  connectionStatus(arn: string): Promise<string>;
  subscriptions(topicArn: string): Promise<SubscriptionFacts[]>;
  /** Version id → staging labels (`AWSCURRENT`, ...). */
  secretVersionStages(secretId: string): Promise<Record<string, string[]>>;
  services(cluster: string, names: readonly string[]): Promise<ServiceFacts[]>;
  /** Last write of the state object. */
  stateLastModified(location: StateObject): Promise<Date | undefined>;
}

/**
 * Builds the clients for the run's region; credentials come from the usual chain (AWS_PROFILE, AWS_*, SSO, roles), or
 * from `credentials` (the environment's role, `environmentCredentials`). The state reads use the backend's own.
 */
export type StatusAwsFactory = (region: string, credentials?: RunCredentials, assumed?: AssumedRoles) => StatusAws;

/** Temporary credentials as the SDK's clients take them. */
export type RunCredentials = () => ReturnType<typeof assumeRole>;

/** An SDK error as one line, prefixed with the command (`status`, `scaling`); credentials errors become `CredentialsMissing`, whatever call met them. */
export function awsFailure(error: unknown, what: string, command = "status"): OpsFailure {
  if (error instanceof OpsFailure) return error;
  const reason = errorReason(error);
  if (CREDENTIAL_ERRORS.has(errorParts(error).name) || /expired|could not load credentials/i.test(reason)) return new CredentialsMissing(reason);
  return new OpsFailure(`${command}: ${what} failed: ${reason}`);
}

/** Sends one request; a failure is `awsFailure`'s one line, prefixed with `command`. */
export async function call<T>(what: string, request: () => Promise<T>, command = "status"): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw awsFailure(error, what, command);
  }
}

/** The real clients, loaded on first use (only `status` pays the SDK's load time). */
export const sdkStatusAws: StatusAwsFactory = (region, credentials, assumed) => {
  quietSdkNotice();
  return sdkClients(region, credentials, assumed);
};

const sdkClients = (region: string, credentials?: RunCredentials, assumed = new AssumedRoles()): StatusAws => {
  /** One AssumeRole per role and base profile for the whole run (the credentials check's, for a role that names its session), not one per phase. */
  const roleCredentials = (role: AssumedRole, location: StateObject) => call(`AssumeRole ${role.roleArn}`, () => assumed.assume(role, location, "sentry-ops-status"));
  return {
    async certificate(arn) {
      const { ACMClient, DescribeCertificateCommand } = await import("@aws-sdk/client-acm");
      return using(new ACMClient({ region: regionOfArn(arn) ?? region, credentials }), async (client) => {
        const { Certificate } = await call(`DescribeCertificate ${arn}`, () => client.send(new DescribeCertificateCommand({ CertificateArn: arn })));
        const records = (Certificate?.DomainValidationOptions ?? []).flatMap((option) =>
          option.ResourceRecord?.Name && option.ResourceRecord.Type && option.ResourceRecord.Value
            ? [{ name: option.ResourceRecord.Name, type: option.ResourceRecord.Type, value: option.ResourceRecord.Value }]
            : [],
        );
        return { status: Certificate?.Status ?? "UNKNOWN", records };
      });
    },
    async connectionStatus(arn) {
      const { CodeStarConnectionsClient, GetConnectionCommand } = await import("@aws-sdk/client-codestar-connections");
      return using(new CodeStarConnectionsClient({ region: regionOfArn(arn) ?? region, credentials }), async (client) => {
        const { Connection } = await call(`GetConnection ${arn}`, () => client.send(new GetConnectionCommand({ ConnectionArn: arn })));
        return Connection?.ConnectionStatus ?? "UNKNOWN";
      });
    },
    async subscriptions(topicArn) {
      const { SNSClient, ListSubscriptionsByTopicCommand } = await import("@aws-sdk/client-sns");
      return using(new SNSClient({ region: regionOfArn(topicArn) ?? region, credentials }), async (client) => {
        const found: SubscriptionFacts[] = [];
        let token: string | undefined;
        do {
          const page = await call(`ListSubscriptionsByTopic ${topicArn}`, () =>
            client.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token })),
          );
          for (const s of page.Subscriptions ?? []) found.push({ protocol: s.Protocol ?? "", endpoint: s.Endpoint ?? "", arn: s.SubscriptionArn ?? "" });
          token = page.NextToken;
        } while (token);
        return found;
      });
    },
    async secretVersionStages(secretId) {
      const { SecretsManagerClient, DescribeSecretCommand } = await import("@aws-sdk/client-secrets-manager");
      return using(new SecretsManagerClient({ region: regionOfArn(secretId) ?? region, credentials }), async (client) => {
        const described = await call(`DescribeSecret ${secretId}`, () => client.send(new DescribeSecretCommand({ SecretId: secretId })));
        return Object.fromEntries(Object.entries(described.VersionIdsToStages ?? {}).map(([id, stages]) => [id, [...stages]]));
      });
    },
    async services(cluster, names) {
      const { ECSClient, DescribeServicesCommand } = await import("@aws-sdk/client-ecs");
      return using(new ECSClient({ region: regionOfArn(cluster) ?? region, credentials }), async (client) => {
        const found: ServiceFacts[] = [];
        for (let start = 0; start < names.length; start += 10) {
          const batch = names.slice(start, start + 10);
          const answer = await call(`DescribeServices ${cluster}`, () => client.send(new DescribeServicesCommand({ cluster, services: [...batch] })));
          for (const service of answer.services ?? []) {
            const primary = (service.deployments ?? []).find((deployment) => deployment.status === "PRIMARY");
            found.push({
              name: service.serviceName ?? "",
              status: service.status ?? "UNKNOWN",
              running: service.runningCount ?? 0,
              desired: service.desiredCount ?? 0,
              rollout: primary?.rolloutState,
              rolloutReason: primary?.rolloutStateReason,
            });
          }
          for (const failure of answer.failures ?? []) {
            const name = failure.arn?.split("/").pop() ?? "";
            found.push({ name, status: "MISSING", running: 0, desired: 0, rolloutReason: failure.reason });
          }
        }
        return found;
      });
    },
    async stateLastModified(location) {
      const { S3Client, HeadObjectCommand } = await import("@aws-sdk/client-s3");
      const credentials = location.assumeRole ? await roleCredentials(location.assumeRole, location) : undefined;
      return using(
        new S3Client({
          region: location.region,
          endpoint: location.endpoint,
          forcePathStyle: location.pathStyle,
          ...(credentials ? { credentials } : { profile: location.profile }),
        }),
        async (client) => {
          const head = await call(`HeadObject s3://${location.bucket}/${location.key}`, () =>
            client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key })),
          );
          return head.LastModified;
        },
      );
    },
  };
};

/** The region of an ARN (`arn:aws:acm:eu-west-1:...`), or undefined for a bare name. */
export function regionOfArn(arn: string): string | undefined {
  const parts = arn.split(":");
  return parts[0] === "arn" && parts[3] ? parts[3] : undefined;
}
