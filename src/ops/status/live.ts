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

/** The backend's `assume_role` settings: what decides whether STS grants the role, and what the session may do. */
export interface AssumedRole {
  readonly roleArn: string;
  readonly externalId?: string;
  /** @default "sentry-ops-status" */
  readonly sessionName?: string;
  readonly sourceIdentity?: string;
  /** Session tags (a trust policy may require them, a bucket policy may match them) and which of them pass on. */
  readonly tags?: Readonly<Record<string, string>>;
  readonly transitiveTagKeys?: readonly string[];
  /** Session policies: they narrow what the session may do. */
  readonly policy?: string;
  readonly policyArns?: readonly string[];
  /** @default - STS's (1 hour) */
  readonly durationSeconds?: number;
  /** The backend's STS endpoint (`endpoints.sts`) and region (`sts_region`); @default - the SDK's for the bucket's region */
  readonly stsEndpoint?: string;
  readonly stsRegion?: string;
}

export interface StatusAws {
  /** Resolves the run's credentials; throws `AwsAccessFailure` when there are none. */
  checkCredentials(): Promise<void>;
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
export type StatusAwsFactory = (region: string, credentials?: RunCredentials) => StatusAws;

/** Temporary credentials as the SDK's clients take them. */
export type RunCredentials = () => ReturnType<typeof assumedCredentials>;

/** No credentials, or credentials AWS refuses as expired or unknown: one line, exit 1. */
export class AwsAccessFailure extends OpsFailure {
  constructor(
    message: string,
    /** What AWS said (`ExpiredToken: ...`), without the fix. */
    readonly reason: string,
  ) {
    super(message);
  }
}

const CREDENTIAL_ERRORS = new Set([
  "CredentialsProviderError",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "InvalidSignatureException",
  "TokenRefreshRequired",
  "RequestExpired",
]);

/** The fix for a credentials error, named in the one line `status` prints. */
const CREDENTIALS_FIX = "set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or renew the session (aws sso login)";

/** An SDK error as one line, prefixed with the command (`status`, `scaling`); credentials errors become `AwsAccessFailure`, whatever call met them. */
export function awsFailure(error: unknown, what: string, command = "status"): OpsFailure {
  if (error instanceof OpsFailure) return error;
  const name = (error as { name?: string })?.name ?? "Error";
  const message = ((error as Error)?.message ?? String(error)).split("\n")[0];
  if (CREDENTIAL_ERRORS.has(name) || /expired|could not load credentials/i.test(message)) {
    return new AwsAccessFailure(
      `${command}: AWS credentials missing or expired (${name}: ${message}); ${CREDENTIALS_FIX}; ${command} stopped before printing anything`,
      `${name}: ${message}`,
    );
  }
  return new OpsFailure(`${command}: ${what} failed: ${name}: ${message}`);
}

export async function call<T>(what: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw awsFailure(error, what);
  }
}

/**
 * The SDK's notice that its releases after January 2027 need Node.js 22 (eight lines on stderr on Node.js 20):
 * the pinned versions keep working, the project's engines say Node.js >= 20, and a failure must stay one line.
 */
export const SDK_NODE_NOTICE = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";

/** The real clients, loaded on first use (only `status` pays the SDK's load time). */
export const sdkStatusAws: StatusAwsFactory = (region, credentials) => {
  process.env[SDK_NODE_NOTICE] ??= "true";
  return sdkClients(region, credentials);
};

/** Sends through a client, then closes it: its kept-alive sockets would otherwise hold the process open. */
export async function using<C extends { destroy(): void }, T>(client: C, use: (client: C) => Promise<T>): Promise<T> {
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

const sdkClients = (region: string, credentials?: RunCredentials): StatusAws => {
  /** One AssumeRole per role and base profile for the whole run, not one per phase. */
  const assumed = new Map<string, ReturnType<typeof assumedCredentials>>();
  const roleCredentials = (role: AssumedRole, location: StateObject) => {
    const key = JSON.stringify([role, location.profile, location.region]);
    let credentials = assumed.get(key);
    if (!credentials) {
      credentials = assumedCredentials(role, location);
      assumed.set(key, credentials);
    }
    return credentials;
  };
  return {
    async checkCredentials() {
      const { SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
      return using(new SecretsManagerClient({ region, credentials }), async (client) => {
        await call("resolving AWS credentials", () => client.config.credentials());
      });
    },
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

/**
 * Temporary credentials of a role (the backend's, or an environment's `SENTRY_<ENV>_ROLE_ARN`), asked of STS with
 * the run's credentials (or the backend's profile).
 */
export async function assumedCredentials(role: AssumedRole, location: Pick<StateObject, "region" | "profile">) {
  const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
  return using(new STSClient({ region: role.stsRegion ?? location.region, endpoint: role.stsEndpoint, profile: location.profile }), async (sts) => {
    const answer = await call(`AssumeRole ${role.roleArn}`, () =>
      sts.send(
        new AssumeRoleCommand({
          RoleArn: role.roleArn,
          RoleSessionName: role.sessionName ?? "sentry-ops-status",
          ExternalId: role.externalId,
          SourceIdentity: role.sourceIdentity,
          Tags: role.tags && Object.entries(role.tags).map(([Key, Value]) => ({ Key, Value })),
          TransitiveTagKeys: role.transitiveTagKeys && [...role.transitiveTagKeys],
          Policy: role.policy,
          PolicyArns: role.policyArns?.map((arn) => ({ arn })),
          DurationSeconds: role.durationSeconds,
        }),
      ),
    );
    const granted = answer.Credentials;
    if (!granted?.AccessKeyId || !granted.SecretAccessKey) throw new OpsFailure(`status: AssumeRole ${role.roleArn} returned no credentials`);
    return { accessKeyId: granted.AccessKeyId, secretAccessKey: granted.SecretAccessKey, sessionToken: granted.SessionToken, expiration: granted.Expiration };
  });
}

/** The region of an ARN (`arn:aws:acm:eu-west-1:...`), or undefined for a bare name. */
export function regionOfArn(arn: string): string | undefined {
  const parts = arn.split(":");
  return parts[0] === "arn" && parts[3] ? parts[3] : undefined;
}
