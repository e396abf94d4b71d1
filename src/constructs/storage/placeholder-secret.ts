import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Construct } from "constructs";
import { restrictSecretReadersStatement } from "../encryption/policy-statements";

export interface PlaceholderSecretProps {
  readonly name: string;
  readonly description: string;
  /** Keys of the JSON document the secret must hold; each starts as an empty string. */
  readonly keys: readonly string[];
  /** Days before a deleted secret is gone for good (7 to 30). @default 30 */
  readonly recoveryWindowDays?: number;
  /** KMS key the secret is encrypted with. */
  readonly kmsKeyArn: string;
  /**
   * Role ARNs that may read the value (the resource policy denies `GetSecretValue` to every other principal).
   * Must include the principal running Terraform, which reads the placeholder version back on every refresh.
   */
  readonly readerArns: readonly string[];
}

const DEFAULT_RECOVERY_WINDOW_DAYS = 30;

/**
 * A Secrets Manager secret created with a placeholder JSON document holding the expected keys, empty.
 * The real values are written outside Terraform (console, CLI, or another phase); Terraform ignores later
 * changes to the value and to which version is current, so a re-apply never reverts them. Only the named readers
 * may read the value; managing the secret and writing new versions stay with IAM, so nobody is locked out.
 */
export class PlaceholderSecret extends Construct {
  readonly secret: SecretsmanagerSecret;

  constructor(scope: Construct, id: string, props: PlaceholderSecretProps) {
    super(scope, id);
    const recoveryWindowDays = props.recoveryWindowDays ?? DEFAULT_RECOVERY_WINDOW_DAYS;
    if (recoveryWindowDays < 7 || recoveryWindowDays > 30) {
      throw new Error(`PlaceholderSecret ${props.name}: recoveryWindowDays ${recoveryWindowDays} must be from 7 to 30`);
    }
    if (props.readerArns.length === 0) {
      throw new Error(`PlaceholderSecret ${props.name}: readerArns is empty; name at least the principal running Terraform, or nobody can read the secret`);
    }
    if (props.keys.length === 0) {
      throw new Error(`PlaceholderSecret ${props.name}: keys is empty; list the keys the secret must hold`);
    }
    this.secret = new SecretsmanagerSecret(this, "Resource", {
      name: props.name,
      description: props.description,
      recoveryWindowInDays: recoveryWindowDays,
      kmsKeyId: props.kmsKeyArn,
    });
    const readers = new DataAwsIamPolicyDocument(this, "readers", { statement: [restrictSecretReadersStatement(props.readerArns)] });
    new SecretsmanagerSecretPolicy(this, "policy", { secretArn: this.secret.arn, policy: readers.json });
    new SecretsmanagerSecretVersion(this, "placeholder", {
      secretId: this.secret.id,
      secretString: JSON.stringify(Object.fromEntries(props.keys.map((key) => [key, ""]))),
      lifecycle: { ignoreChanges: ["secret_string", "version_stages"] },
    });
  }
}
