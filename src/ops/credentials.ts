import { AssumedRole, assumedRoleOf, BackendSettings, setting } from "./backend-config";
import { secondsSince } from "./elapsed";
import { OpsFailure } from "./session";
import { seeTroubleshooting } from "./troubleshooting";
import type { STSClientConfig } from "@aws-sdk/client-sts";

/**
 * One credentials check for every command that talks to AWS, before terraform runs, finding credentials where
 * Terraform finds them: the AWS SDK's default chain (AWS_ACCESS_KEY_ID..., AWS_PROFILE, SSO, web identity,
 * credential_process, container and instance metadata), then the backend's own `profile` and `assume_role`
 * when `--backend-config` sets them, and the roles the configuration assumes. Like Terraform's aws provider, it asks
 * STS whether AWS takes them (GetCallerIdentity, AssumeRole), all at once and within a few seconds. The SDK is loaded
 * only when a command checks.
 */

export interface CredentialsRequest {
  /** The region of the stacks (SENTRY_AWS_REGION): where STS is asked unless the backend names its own. */
  readonly region: string;
  /** `--backend-config`'s settings: its `profile` and `assume_role` reach the state bucket. @default - the default chain alone */
  readonly backend?: BackendSettings;
  /** The roles the configuration makes Terraform assume (the provider's `SENTRY_<ENV>_ROLE_ARN`, the state role). @default - none */
  readonly roles?: readonly AssumedRole[];
}

/** Who credentials belong to, as STS GetCallerIdentity says. */
export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
}

/**
 * Resolves the run's credentials and asks STS about them; rejects with the SDK's error when there are none, or
 * AWS refuses them. Answers whose the default chain's are; the roles it assumes stay in `assumed` for the commands
 * that ask AWS afterwards. Tests pass stubs.
 */
export type CredentialsResolver = (request: CredentialsRequest, assumed?: AssumedRoles) => Promise<CallerIdentity>;

/** No usable credentials: the same one line for every command. */
export class CredentialsMissing extends OpsFailure {
  constructor(
    /** What the SDK or STS said (`CredentialsProviderError: ...`). */
    readonly reason: string,
    /** What went wrong, before the reason. @default "no AWS credentials" */
    summary = "no AWS credentials",
  ) {
    super(`${summary}: ${reason}${seeTroubleshooting("credentials-missing-or-expired")}`);
  }
}

/** The errors AWS answers credentials it does not take with (none found, expired, unknown, badly signed). */
export const CREDENTIAL_ERRORS: ReadonlySet<string> = new Set([
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

/** An SDK error's name and the first line of its message. */
export function errorParts(error: unknown): { readonly name: string; readonly message: string } {
  return { name: (error as { name?: string })?.name ?? "Error", message: ((error as Error)?.message ?? String(error)).split("\n")[0] };
}

/** An SDK error as `Name: first line of the message`. */
export function errorReason(error: unknown): string {
  const { name, message } = errorParts(error);
  return `${name}: ${message}`;
}

/**
 * Checks the credentials once, with a line saying whose they are and how long it took; none, or refused:
 * `CredentialsMissing`, before anything else runs.
 */
export async function requireCredentials(
  resolve: CredentialsResolver,
  request: CredentialsRequest,
  progress: (line: string) => void,
  assumed?: AssumedRoles,
): Promise<CallerIdentity> {
  const started = process.hrtime.bigint();
  let caller: CallerIdentity;
  try {
    caller = await resolve(request, assumed);
  } catch (error) {
    throw error instanceof CredentialsMissing ? error : new CredentialsMissing(errorReason(error));
  }
  progress(`[sentry-ops] AWS credentials: ${caller.arn} (${secondsSince(started)} s)`);
  return caller;
}

/**
 * Instance metadata, the chain's last resort: one attempt of one second (the SDK's default timeout, no retry), so
 * a machine without it answers within seconds. AWS_EC2_METADATA_DISABLED=true skips it.
 */
const METADATA = { timeout: 1000, maxRetries: 0 } as const;

/**
 * For the backend's own profile, chosen on purpose: the SDK's nine-line warning that AWS_ACCESS_KEY_ID is set too
 * (the profile wins, as in Terraform's backend) would break the one-line output.
 */
const QUIET_LOGGER = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The SDK's notice that its releases after January 2027 need Node.js 22 (eight lines on stderr on Node.js 20):
 * the pinned versions keep working, the project's engines say Node.js >= 20, and a failure must stay one line.
 */
export function quietSdkNotice(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
}

/** How long the check waits for STS, every call at once: a machine without network fails within this. */
export const STS_TIMEOUT_MS = 5000;

/**
 * The real check: the SDK's default chain, asked of STS (GetCallerIdentity, at the endpoint the SDK's settings name:
 * AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL), the backend's profile likewise, and each role (AssumeRole), every call at
 * once, all within `timeoutMs`. Several failures: the first in that order (refused keys fail every call).
 */
export function sdkCredentialsWithin(timeoutMs: number): CredentialsResolver {
  return async ({ region, backend, roles = [] }, assumed = new AssumedRoles()) => {
    quietSdkNotice();
    const { defaultProvider } = require("@aws-sdk/credential-provider-node") as typeof import("@aws-sdk/credential-provider-node");
    const chain = await defaultProvider(METADATA)();
    const deadline = AbortSignal.timeout(timeoutMs);
    const failure = (what: string) => (error: unknown) => {
      throw credentialsFailure(error, what, timeoutMs);
    };
    const profile = setting(backend?.profile);
    const backendRegion = setting(backend?.region) ?? region;
    const backendRole = backend && assumedRoleOf(backend);
    const caller = callerIdentity(region, chain, deadline).catch(failure(""));
    const settled = await Promise.allSettled([
      caller,
      profile &&
        defaultProvider({ ...METADATA, profile, logger: QUIET_LOGGER })()
          .then((credentials) => callerIdentity(backendRegion, credentials, deadline))
          .catch(failure(`the backend's profile ${profile}: `)),
      backendRole &&
        assumed
          .assume(backendRole, { region: backendRegion, profile }, "sentry-ops", deadline)
          .catch(failure(`AssumeRole ${backendRole.roleArn} (the backend's assume_role): `)),
      ...roles.map((role) => assumed.assume(role, { region }, "sentry-ops", deadline).catch(failure(`AssumeRole ${role.roleArn}: `))),
    ]);
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed) throw failed.reason;
    return caller;
  };
}

export const sdkCredentials: CredentialsResolver = sdkCredentialsWithin(STS_TIMEOUT_MS);

/**
 * What an STS call of the check met, as the one line: `what` (which credentials) and the SDK's error; credentials
 * AWS does not take are refused ones; no answer within `timeoutMs`, or none at all, says the credentials were not checked.
 */
function credentialsFailure(error: unknown, what: string, timeoutMs: number): CredentialsMissing {
  if (error instanceof CredentialsMissing) return error;
  if (error instanceof OpsFailure) return new CredentialsMissing(`${what}${error.message}`);
  const { name } = errorParts(error);
  if (name === "AbortError") {
    return new CredentialsMissing(
      `${what}STS did not answer within ${timeoutMs / 1000} s: no network, or an endpoint (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL) that does not answer`,
      "AWS credentials not checked",
    );
  }
  const answered = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode !== undefined;
  if (name !== "CredentialsProviderError" && !answered) return new CredentialsMissing(`${what}STS could not be reached: ${errorReason(error)}`, "AWS credentials not checked");
  if (name !== "CredentialsProviderError" && CREDENTIAL_ERRORS.has(name)) return new CredentialsMissing(`${what}${errorReason(error)}`, "AWS refused the credentials");
  return new CredentialsMissing(`${what}${errorReason(error)}`);
}

/** Who `credentials` belong to (STS GetCallerIdentity in `region`); SDK errors as thrown. */
export async function callerIdentity(region: string, credentials: STSClientConfig["credentials"], abortSignal?: AbortSignal): Promise<CallerIdentity> {
  const { STSClient, GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
  return using(new STSClient({ region, credentials }), async (sts) => {
    const identity = await sts.send(new GetCallerIdentityCommand({}), { abortSignal });
    return { account: identity.Account ?? "", arn: identity.Arn ?? "" };
  });
}

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

  /**
   * Concurrent calls share one request; a refusal or credentials about to expire are asked for again by the next
   * call. `abortSignal` bounds the request this call sends, if it sends one.
   */
  assume(role: AssumedRole, base: RoleBase, defaultSessionName: string, abortSignal?: AbortSignal): Promise<RoleCredentials> {
    const key = JSON.stringify([role, base.region, base.profile ?? null, role.sessionName ?? defaultSessionName]);
    const cached = this.granted.get(key);
    const ask = () => {
      const asked = assumeRole(role, base, defaultSessionName, abortSignal);
      this.granted.set(key, asked);
      return asked;
    };
    if (!cached) return ask();
    // Another call may have asked again meanwhile: share its request rather than asking a third time.
    const renew = () => (this.granted.get(key) === cached ? ask() : this.assume(role, base, defaultSessionName));
    return cached.then((credentials) => (credentials.expiration === undefined || credentials.expiration.getTime() - Date.now() > REUSE_MARGIN_MS ? credentials : renew()), renew);
  }

  /** The role's credentials (session `sentry-ops` unless the role names one); a refusal is the one credentials line, whichever command asked. */
  async credentialsOf(role: AssumedRole, base: RoleBase): Promise<RoleCredentials> {
    try {
      return await this.assume(role, base, "sentry-ops");
    } catch (error) {
      throw new CredentialsMissing(`AssumeRole ${role.roleArn}: ${errorReason(error)}`);
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
export async function assumeRole(role: AssumedRole, base: RoleBase, defaultSessionName: string, abortSignal?: AbortSignal) {
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
      { abortSignal },
    );
    const granted = answer.Credentials;
    if (!granted?.AccessKeyId || !granted.SecretAccessKey) throw new OpsFailure(`AssumeRole ${role.roleArn} returned no credentials`);
    return { accessKeyId: granted.AccessKeyId, secretAccessKey: granted.SecretAccessKey, sessionToken: granted.SessionToken, expiration: granted.Expiration };
  });
}
