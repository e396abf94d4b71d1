import { basename } from "path";

/**
 * `--backend-config FILE`: the S3 backend settings of one run (a profile, a role, endpoints...). `init` gets
 * the file itself; every `terraform_remote_state` read of every stack gets the same settings through a
 * generated override file, so a phase reads the phases before it exactly as its backend reaches its own state.
 */

/** A value of a backend-config file: what Terraform's backend-config syntax can write without expressions. */
export type BackendValue = string | number | boolean | readonly BackendValue[] | BackendSettings;
export interface BackendSettings {
  readonly [key: string]: BackendValue;
}

/** The generated override file laid into every stack folder that reads another phase's state. */
export const REMOTE_STATE_OVERRIDE_FILE = "sentry_ops_backend_config_override.tf.json";

/** Nested settings (`assume_role = { ... }`, `endpoints = { ... }`) and the keys each takes (Terraform 1.11's S3 backend). */
const NESTED_KEYS: Readonly<Record<string, readonly string[]>> = {
  assume_role: ["role_arn", "duration", "external_id", "policy", "policy_arns", "session_name", "source_identity", "tags", "transitive_tag_keys"],
  assume_role_with_web_identity: ["role_arn", "duration", "policy", "policy_arns", "session_name", "web_identity_token", "web_identity_token_file"],
  endpoints: ["dynamodb", "iam", "s3", "sso", "sts"],
};

/** Every other setting of Terraform 1.11's S3 backend that a remote-state read accepts as it is. */
const CARRIED_KEYS = [
  "acl",
  "allowed_account_ids",
  "bucket",
  "custom_ca_bundle",
  "dynamodb_endpoint",
  "dynamodb_table",
  "ec2_metadata_service_endpoint",
  "ec2_metadata_service_endpoint_mode",
  "encrypt",
  "endpoint",
  "forbidden_account_ids",
  "force_path_style",
  "http_proxy",
  "https_proxy",
  "iam_endpoint",
  "insecure",
  "kms_key_id",
  "max_retries",
  "no_proxy",
  "profile",
  "region",
  "retry_mode",
  "shared_config_files",
  "shared_credentials_file",
  "shared_credentials_files",
  "skip_credentials_validation",
  "skip_metadata_api_check",
  "skip_region_validation",
  "skip_requesting_account_id",
  "skip_s3_checksum",
  "sts_endpoint",
  "sts_region",
  "use_dualstack_endpoint",
  "use_fips_endpoint",
  "use_lockfile",
  "use_path_style",
  "workspace_key_prefix",
];

/** The keys a backend-config file may set, for the error lines. */
export const SUPPORTED_BACKEND_KEYS: readonly string[] = [...CARRIED_KEYS, ...Object.keys(NESTED_KEYS)].sort();

const CREDENTIAL_REASON =
  "is a credential: a remote-state read keeps its settings in the state it writes; use profile, shared_credentials_files or the AWS_* variables instead";

/** Keys the backend accepts but that cannot reach a remote-state read, and why. */
const REFUSED_KEYS: Readonly<Record<string, string>> = {
  key: "cannot be set: each phase has its own state key, set by its stack (one key would make every phase read and write the same state)",
  access_key: CREDENTIAL_REASON,
  secret_key: CREDENTIAL_REASON,
  token: CREDENTIAL_REASON,
  sse_customer_key: CREDENTIAL_REASON,
};

/** Nested keys the backend accepts but that are credentials, and what to use instead. */
const REFUSED_NESTED_KEYS: Readonly<Record<string, string>> = {
  "assume_role_with_web_identity.web_identity_token":
    "is a credential: a remote-state read keeps its settings in the state it writes; use web_identity_token_file or AWS_WEB_IDENTITY_TOKEN_FILE instead",
};

/** A backend-config file that cannot be used; its message is one line naming the file, the line and the key. */
export class BackendConfigError extends Error {}

/** Parses a backend-config file (Terraform's `key = value` syntax, lists, objects, comments) and checks its keys. */
export function parseBackendConfig(text: string, file: string): BackendSettings {
  const name = basename(file);
  const parser = new Parser(text, name);
  const settings = parser.body(undefined);
  for (const [key, value] of Object.entries(settings)) {
    const line = parser.lineOf(key);
    const where = `--backend-config ${name} line ${line}`;
    if (Object.hasOwn(REFUSED_KEYS, key)) throw new BackendConfigError(`${where}: ${key} ${REFUSED_KEYS[key]}`);
    const nested = Object.hasOwn(NESTED_KEYS, key) ? NESTED_KEYS[key] : undefined;
    if (nested) {
      if (!isObject(value)) throw new BackendConfigError(`${where}: ${key} must be an object (${key} = { ${nested.join(", ")} })`);
      const unknown = Object.keys(value).find((inner) => !nested.includes(inner));
      if (unknown) throw new BackendConfigError(`${where}: ${key}.${unknown} is not an S3 backend setting; ${key} takes ${nested.join(", ")}`);
      const refused = Object.keys(value).map((inner) => `${key}.${inner}`).find((path) => Object.hasOwn(REFUSED_NESTED_KEYS, path));
      if (refused) throw new BackendConfigError(`${where}: ${refused} ${REFUSED_NESTED_KEYS[refused]}`);
    } else if (!CARRIED_KEYS.includes(key)) {
      throw new BackendConfigError(`${where}: ${key} is not an S3 backend setting a remote-state read can take; supported: ${SUPPORTED_BACKEND_KEYS.join(", ")}`);
    }
  }
  return settings;
}

function isObject(value: BackendValue): value is BackendSettings {
  return typeof value === "object" && !Array.isArray(value);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type TerraformJson = Record<string, any>;

/**
 * The override that gives every `terraform_remote_state` of a stack's `cdk.tf.json` the run's backend
 * settings. An override replaces a whole attribute, so each `config` is written in full: the stack's own
 * (bucket, key, region, prefix) with the settings merged over it. Undefined for a stack that reads no state.
 */
export function remoteStateOverride(stackJson: TerraformJson, settings: BackendSettings): TerraformJson | undefined {
  const reads: Record<string, TerraformJson> = stackJson.data?.terraform_remote_state ?? {};
  if (!Object.keys(reads).length) return undefined;
  const merged = Object.fromEntries(Object.entries(reads).map(([name, read]) => [name, { config: { ...read.config, ...settings } }]));
  return { data: { terraform_remote_state: merged } };
}

const TOKEN = /\s+|#[^\n]*|\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\\n]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b|[A-Za-z_][\w-]*|[{}[\]=,:]|<<|./g;

interface Token {
  readonly text: string;
  readonly line: number;
}

/** A recursive-descent reader of the HCL subset a backend-config file holds: no expressions, no interpolation. */
class Parser {
  private readonly tokens: Token[] = [];
  private position = 0;
  private readonly lines = new Map<string, number>();

  constructor(
    text: string,
    private readonly file: string,
  ) {
    let line = 1;
    for (const match of text.matchAll(TOKEN)) {
      const token = match[0];
      if (!/^(\s|#|\/\/|\/\*)/.test(token)) this.tokens.push({ text: token, line });
      line += token.split("\n").length - 1;
    }
  }

  lineOf(key: string): number {
    return this.lines.get(key) ?? 1;
  }

  private fail(message: string, token: Token | undefined = this.tokens[this.position]): never {
    throw new BackendConfigError(`--backend-config ${this.file} line ${token?.line ?? this.lastLine()}: ${message}`);
  }

  private lastLine(): number {
    return this.tokens[this.tokens.length - 1]?.line ?? 1;
  }

  private peek(): string | undefined {
    return this.tokens[this.position]?.text;
  }

  private next(): Token {
    const token = this.tokens[this.position];
    if (!token) this.fail("unexpected end of file");
    this.position += 1;
    return token;
  }

  /** `key = value` lines, up to `close` (or the end of the file at the top). */
  body(close: "}" | undefined): BackendSettings {
    const settings = new Map<string, BackendValue>();
    while (this.peek() !== close) {
      const keyToken = this.next();
      const key = keyToken.text.startsWith('"') ? this.string(keyToken) : keyToken.text;
      if (!/^[A-Za-z_][\w-]*$/.test(key)) this.fail(`expected a setting name, found ${describe(keyToken.text)}`, keyToken);
      if (settings.has(key)) this.fail(`${key} is set twice`, keyToken);
      if (!close) this.lines.set(key, keyToken.line);
      // Terraform reads a backend-config file against the backend's schema: its nested settings are object attributes, never blocks
      if (this.peek() === "{") this.fail(`${key} { ... } is a block; Terraform's S3 backend takes ${key} as an object: ${key} = { ... }`, keyToken);
      const equals = this.next();
      if (equals.text !== "=" && equals.text !== ":") this.fail(`expected = after ${key}, found ${describe(equals.text)}`, equals);
      settings.set(key, this.value());
      if (this.peek() === ",") this.next();
    }
    return Object.fromEntries(settings);
  }

  private value(): BackendValue {
    const token = this.next();
    if (token.text.startsWith('"')) return this.string(token);
    if (token.text === "true" || token.text === "false") return token.text === "true";
    if (/^-?\d/.test(token.text)) return Number(token.text);
    if (token.text === "{") {
      const object = this.body("}");
      this.next();
      return object;
    }
    if (token.text === "[") {
      const items: BackendValue[] = [];
      while (this.peek() !== "]") {
        items.push(this.value());
        if (this.peek() === ",") this.next();
        else if (this.peek() !== "]") this.fail(`expected , or ] in a list, found ${describe(this.peek())}`);
      }
      this.next();
      return items;
    }
    if (token.text === "<<") this.fail("heredoc strings are not supported; write the value as one quoted string", token);
    return this.fail(`expected a string, number, bool, list or object, found ${describe(token.text)}`, token);
  }

  private string(token: Token): string {
    if (token.text === '"') this.fail("a string is not closed on its line", token);
    if (token.text.includes("${") || token.text.includes("%{")) this.fail("a backend-config file cannot hold an interpolation (${...})", token);
    try {
      return JSON.parse(token.text) as string;
    } catch {
      return this.fail("a string with an escape Terraform does not know", token);
    }
  }
}

/** A token for an error line: punctuation as it is, anything else by kind (a value could be a credential). */
function describe(text: string | undefined): string {
  if (text === undefined) return "the end of the file";
  if (/^([{}[\]=,:]|<<)$/.test(text)) return `"${text}"`;
  if (text.startsWith('"')) return "a string";
  if (/^-?\d/.test(text)) return "a number";
  if (/^[A-Za-z_]/.test(text)) return "an unquoted word";
  return "an unexpected character";
}

/*
 * Reading backend settings as `init` records them (`.terraform/terraform.tfstate`) or as a backend-config file
 * writes them: unset settings are null or absent, nested blocks an object or a one-element list.
 */

/** A string setting, or undefined when unset (`init` records unset settings as null). */
export function setting(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** A list of strings (`policy_arns`), or undefined when unset or empty. */
export function stringList(value: unknown): string[] | undefined {
  const list = Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === "string" && entry !== "") : [];
  return list.length ? list : undefined;
}

/** A map of strings (`tags`), or undefined when unset or empty. */
function stringMap(value: unknown): Record<string, string> | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  const entries = Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string");
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/** Seconds per unit of a Go duration. */
const DURATION_UNITS: Readonly<Record<string, number>> = { ns: 1e-9, us: 1e-6, "µs": 1e-6, "μs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/**
 * A Go duration as Terraform parses it (`time.ParseDuration`: `1h30m`, `30m1h`, `.5h`, `5400000ms`) in whole
 * seconds; undefined when unset, negative or unreadable (Terraform's `init` refuses those first).
 */
export function durationSeconds(value: unknown): number | undefined {
  const text = setting(value);
  if (text === undefined || !/^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.test(text)) return text === "0" ? 0 : undefined;
  const seconds = [...text.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)].reduce((sum, [, amount, unit]) => sum + Number(amount) * DURATION_UNITS[unit], 0);
  return text.startsWith("-") ? undefined : Math.round(seconds);
}

/** A nested block (`assume_role`, `endpoints`) as one object, however `init` recorded it. */
export function nested(value: unknown): Record<string, unknown> | undefined {
  const block = Array.isArray(value) ? value[0] : value;
  return block && typeof block === "object" ? (block as Record<string, unknown>) : undefined;
}

/** The backend's `assume_role` settings: what decides whether STS grants the role, and what the session may do. */
export interface AssumedRole {
  readonly roleArn: string;
  readonly externalId?: string;
  /** @default - the command's: `sentry-ops` for the credentials check, `sentry-ops-status` for status' state reads */
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

/** The backend's `assume_role` (undefined without one), with the STS endpoint and region the backend would ask. */
export function assumedRoleOf(config: Readonly<Record<string, unknown>>): AssumedRole | undefined {
  const assumed = nested(config.assume_role);
  const roleArn = setting(assumed?.role_arn);
  if (!roleArn) return undefined;
  return {
    roleArn,
    externalId: setting(assumed?.external_id),
    sessionName: setting(assumed?.session_name),
    sourceIdentity: setting(assumed?.source_identity),
    tags: stringMap(assumed?.tags),
    transitiveTagKeys: stringList(assumed?.transitive_tag_keys),
    policy: setting(assumed?.policy),
    policyArns: stringList(assumed?.policy_arns),
    durationSeconds: durationSeconds(assumed?.duration),
    stsEndpoint: setting(nested(config.endpoints)?.sts ?? config.sts_endpoint),
    stsRegion: setting(config.sts_region),
  };
}
