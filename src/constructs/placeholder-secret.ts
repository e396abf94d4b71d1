import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Construct } from "constructs";

export interface PlaceholderSecretProps {
  readonly name: string;
  readonly description: string;
  /** Keys of the JSON document the secret must hold; each starts as an empty string. */
  readonly keys: readonly string[];
  /** Days before a deleted secret is gone for good (7 to 30). @default 30 */
  readonly recoveryWindowDays?: number;
}

const DEFAULT_RECOVERY_WINDOW_DAYS = 30;

/**
 * A Secrets Manager secret created with a placeholder JSON document holding the expected keys, empty.
 * The real values are written outside Terraform (console, CLI, or another phase); Terraform ignores later
 * changes to the value and to which version is current, so a re-apply never reverts them.
 */
export class PlaceholderSecret extends Construct {
  readonly secret: SecretsmanagerSecret;

  constructor(scope: Construct, id: string, props: PlaceholderSecretProps) {
    super(scope, id);
    const recoveryWindowDays = props.recoveryWindowDays ?? DEFAULT_RECOVERY_WINDOW_DAYS;
    if (recoveryWindowDays < 7 || recoveryWindowDays > 30) {
      throw new Error(`PlaceholderSecret ${props.name}: recoveryWindowDays ${recoveryWindowDays} must be from 7 to 30`);
    }
    if (props.keys.length === 0) {
      throw new Error(`PlaceholderSecret ${props.name}: keys is empty; list the keys the secret must hold`);
    }
    this.secret = new SecretsmanagerSecret(this, "Resource", {
      name: props.name,
      description: props.description,
      recoveryWindowInDays: recoveryWindowDays,
    });
    new SecretsmanagerSecretVersion(this, "placeholder", {
      secretId: this.secret.id,
      secretString: JSON.stringify(Object.fromEntries(props.keys.map((key) => [key, ""]))),
      lifecycle: { ignoreChanges: ["secret_string", "version_stages"] },
    });
  }
}
