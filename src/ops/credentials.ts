import { AssumedRole, assumedRoleOf, BackendSettings, setting } from "./backend-config";
import { OpsFailure } from "./session";
import { seeTroubleshooting } from "./troubleshooting";

/**
 * One credentials check for every command that talks to AWS, before terraform runs, finding credentials where
 * Terraform finds them: the AWS SDK's default chain (AWS_ACCESS_KEY_ID..., AWS_PROFILE, SSO, web identity,
 * credential_process, container and instance metadata), then the backend's own `profile` and `assume_role`
 * when `--backend-config` sets them, and the roles the configuration assumes. The SDK is loaded only when a command checks.
 */

export interface CredentialsRequest {
  /** The region of the stacks (SENTRY_AWS_REGION): where STS is asked unless the backend names its own. */
  readonly region: string;
  /** `--backend-config`'s settings: its `profile` and `assume_role` reach the state bucket. @default - the default chain alone */
  readonly backend?: BackendSettings;
  /** The roles the configuration makes Terraform assume (the provider's `SENTRY_<ENV>_ROLE_ARN`, the state role). @default - none */
  readonly roles?: readonly AssumedRole[];
}

/**
 * Resolves the run's credentials; rejects with the SDK's error when there are none. The roles it assumes stay in
 * `assumed` for the commands that ask AWS afterwards. Tests pass stubs.
 */
export type CredentialsResolver = (request: CredentialsRequest, assumed?: AssumedRoles) => Promise<void>;

/** No usable credentials: the same one line for every command. */
export class CredentialsMissing extends OpsFailure {
  constructor(
    /** What the SDK or STS said (`CredentialsProviderError: ...`). */
    readonly reason: string,
  ) {
    super(`no AWS credentials: ${reason}${seeTroubleshooting("credentials-missing-or-expired")}`);
  }
}

/** An SDK error as `Name: first line of the message`. */
export function errorReason(error: unknown): string {
  const name = (error as { name?: string })?.name ?? "Error";
  const message = ((error as Error)?.message ?? String(error)).split("\n")[0];
  return `${name}: ${message}`;
}

/** Resolves the credentials once, with a line saying how long it took; none: `CredentialsMissing`, before anything else runs. */
export async function requireCredentials(
  resolve: CredentialsResolver,
  request: CredentialsRequest,
  progress: (line: string) => void,
  assumed?: AssumedRoles,
): Promise<void> {
  const started = process.hrtime.bigint();
  try {
    await resolve(request, assumed);
  } catch (error) {
    throw error instanceof CredentialsMissing ? error : new CredentialsMissing(errorReason(error));
  }
  progress(`[sentry-ops] AWS credentials (${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s)`);
}

/**
 * Instance metadata, the chain's last resort: one attempt of one second (the SDK's default timeout, no retry), so
 * a machine without it answers within seconds. AWS_EC2_METADATA_DISABLED=true skips it.
 */
const METADATA = { timeout: 1000, maxRetries: 0 } as const;

/**
 * The SDK's notice that its releases after January 2027 need Node.js 22 (eight lines on stderr on Node.js 20):
 * the pinned versions keep working, the project's engines say Node.js >= 20, and a failure must stay one line.
 */
export function quietSdkNotice(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
}

/** The real check: the SDK's default chain, then the backend's profile and role. */
export const sdkCredentials: CredentialsResolver = async ({ region, backend, roles = [] }, assumed = new AssumedRoles()) => {
  quietSdkNotice();
  const { defaultProvider } = require("@aws-sdk/credential-provider-node") as typeof import("@aws-sdk/credential-provider-node");
  await defaultProvider(METADATA)();
  const profile = setting(backend?.profile);
  if (profile) {
    try {
      await defaultProvider({ ...METADATA, profile })();
    } catch (error) {
      throw new CredentialsMissing(`the backend's profile ${profile}: ${errorReason(error)}`);
    }
  }
  const backendRole = backend && assumedRoleOf(backend);
  if (backendRole) await assumed.credentialsOf(backendRole, { region: setting(backend.region) ?? region, profile }, " (the backend's assume_role)");
  for (const role of roles) await assumed.credentialsOf(role, { region });
};

/** Temporary credentials of an assumed role, as the SDK's clients take them. */
export type RoleCredentials = Awaited<ReturnType<typeof assumeRole>>;

/** Credentials with less than this left are asked for again rather than reused. */
const REUSE_MARGIN_MS = 5 * 60 * 1000;

/**
 * The roles one run assumed, each asked of STS once: the credentials check assumes them, and the commands that ask
 * AWS afterwards (status, scaling, bootstrap's account check) reuse the credentials while five minutes are left.
 * One per run (`commands.ts` opens it with the run); keyed by the role's settings, the base and the session name.
 */
export class AssumedRoles {
  private readonly granted = new Map<string, Promise<RoleCredentials>>();

  /** Concurrent calls share one request; a refusal or credentials about to expire are asked for again by the next call. */
  assume(role: AssumedRole, base: RoleBase, defaultSessionName: string): Promise<RoleCredentials> {
    const key = JSON.stringify([role, base.region, base.profile ?? null, role.sessionName ?? defaultSessionName]);
    const cached = this.granted.get(key);
    const ask = () => {
      const asked = assumeRole(role, base, defaultSessionName);
      this.granted.set(key, asked);
      return asked;
    };
    if (!cached) return ask();
    // Another call may have asked again meanwhile: share its request rather than asking a third time.
    const renew = () => (this.granted.get(key) === cached ? ask() : this.assume(role, base, defaultSessionName));
    return cached.then((credentials) => (credentials.expiration === undefined || credentials.expiration.getTime() - Date.now() > REUSE_MARGIN_MS ? credentials : renew()), renew);
  }

  /** The role's credentials (session `sentry-ops` unless the role names one); a refusal is the one credentials line, whichever command asked. */
  async credentialsOf(role: AssumedRole, base: RoleBase, which = ""): Promise<RoleCredentials> {
    try {
      return await this.assume(role, base, "sentry-ops");
    } catch (error) {
      throw new CredentialsMissing(`AssumeRole ${role.roleArn}${which}: ${errorReason(error)}`);
    }
  }
}

/** Sends through a client, then closes it: its kept-alive sockets would otherwise hold the process open. */
export async function using<C extends { destroy(): void }, T>(client: C, use: (client: C) => Promise<T>): Promise<T> {
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

/** Where the credentials that ask STS for a role come from: the default chain, or the backend's profile. */
export interface RoleBase {
  readonly region: string;
  readonly profile?: string;
}

/** Temporary credentials of the role a backend assumes, asked of STS as the backend asks; SDK errors as thrown. */
export async function assumeRole(role: AssumedRole, base: RoleBase, defaultSessionName: string) {
  const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
  return using(new STSClient({ region: role.stsRegion ?? base.region, endpoint: role.stsEndpoint, profile: base.profile }), async (sts) => {
    const answer = await sts.send(
      new AssumeRoleCommand({
        RoleArn: role.roleArn,
        RoleSessionName: role.sessionName ?? defaultSessionName,
        ExternalId: role.externalId,
        SourceIdentity: role.sourceIdentity,
        Tags: role.tags && Object.entries(role.tags).map(([Key, Value]) => ({ Key, Value })),
        TransitiveTagKeys: role.transitiveTagKeys && [...role.transitiveTagKeys],
        Policy: role.policy,
        PolicyArns: role.policyArns?.map((arn) => ({ arn })),
        DurationSeconds: role.durationSeconds,
      }),
    );
    const granted = answer.Credentials;
    if (!granted?.AccessKeyId || !granted.SecretAccessKey) throw new OpsFailure(`AssumeRole ${role.roleArn} returned no credentials`);
    return { accessKeyId: granted.AccessKeyId, secretAccessKey: granted.SecretAccessKey, sessionToken: granted.SessionToken, expiration: granted.Expiration };
  });
}
