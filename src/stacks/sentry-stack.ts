import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamSessionContext } from "@cdktf/provider-aws/lib/data-aws-iam-session-context";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { AwsProvider, AwsProviderConfig } from "@cdktf/provider-aws/lib/provider";
import { Aspects, DataTerraformRemoteStateS3, Fn, S3Backend, TerraformOutput, Token } from "cdktf";
import { Construct } from "constructs";
import { PermissionsBoundary } from "../aspects/permissions-boundary";
import { CiRoleKind, EnvironmentName, OperatorSettings, rolesFor } from "../config";
import { WorkspaceGuard } from "../constructs/guards/workspace-guard";
import { ciBoundaryPolicyName, ciRoleName, Phase, PHASES, phaseStateLocation, stackName } from "./names";
import { ReadableStack } from "./readable-stack";

/** The principals that run Terraform, as the policies of phases 1 and 2 name them. */
export interface TerraformPrincipals {
  /** Read the secrets Terraform manages (it reads each version back on every refresh). */
  readonly secretReaders: readonly string[];
  /** Administer the environment key besides the account root and the operators. */
  readonly keyAdministrators: readonly string[];
}

export interface SentryStackProps {
  readonly environment: EnvironmentName;
  readonly operator: OperatorSettings;
}

/**
 * A phase of one environment: AWS provider with the project's default tags, S3 backend with the phase's
 * key in the environment's workspace, a workspace guard, and readable resource addresses.
 */
export abstract class SentryStack extends ReadableStack {
  readonly environment: EnvironmentName;
  readonly phase: Phase;
  /** The tags the provider puts on every resource; for resources default tags do not reach (ASG instances). */
  readonly tags: Readonly<Record<string, string>>;
  private readonly operator: OperatorSettings;
  /** ARNs of this environment's CI roles; undefined without a GitHub repository (no CI roles exist). */
  private readonly ciRoles?: Readonly<Record<CiRoleKind, string>>;

  protected constructor(scope: Construct, phase: Phase, props: SentryStackProps) {
    super(scope, stackName(phase, props.environment));
    this.environment = props.environment;
    this.phase = phase;
    this.operator = props.operator;
    this.tags = projectTags(props.environment, `${PHASES.indexOf(phase) + 1}-${phase}`);

    new AwsProvider(this, "aws", { region: props.operator.region, defaultTags: [{ tags: this.tags }], ...accountGuard(props.operator, props.environment) });
    // No `encrypt`: without a kms_key_id it uploads with SSE-S3 (AES256), overriding the bucket's default SSE-KMS
    // with the bootstrap key. Left unset, every state object gets the bucket's default.
    const backend = new S3Backend(this, phaseStateLocation(props.operator, phase, props.environment));
    // S3-native state locking (Terraform >= 1.10); cdktf 0.21's S3BackendConfig has no field for it.
    backend.addOverride("use_lockfile", true);
    new WorkspaceGuard(this, "workspace-guard", { expectedWorkspace: props.environment });
    if (props.operator.githubRepository !== undefined) {
      // The CI deploy role may create roles only under its boundary (bootstrap): every role here carries it.
      const accountId = new DataAwsCallerIdentity(this, "ci-account").accountId;
      const partition = new DataAwsPartition(this, "ci-partition").partition;
      const iam = (resource: string) => `arn:${partition}:iam::${accountId}:${resource}`;
      this.ciRoles = { plan: iam(`role/${ciRoleName("plan", props.environment)}`), deploy: iam(`role/${ciRoleName("deploy", props.environment)}`) };
      Aspects.of(this).add(new PermissionsBoundary(iam(`policy/${ciBoundaryPolicyName(props.environment)}`)));
    }
  }

  get auditedEnvironment(): string {
    return this.environment;
  }

  /** The foundation's environment key, read once from its outputs, as this stack's key. */
  protected readEnvironmentKey(foundation: DataTerraformRemoteStateS3): string {
    return this.useEnvironmentKey(foundation.getString("kms_key_arn"));
  }

  /**
   * The principals that run Terraform: `SENTRY_TERRAFORM_ROLE_ARNS`, the environment's Terraform role
   * (`SENTRY_<ENV>_ROLE_ARN`, which operators' runs assume and CI's only name) and, with a GitHub repository, this environment's CI roles (by name; the bootstrap creates them). The same list whoever applies, so an apply by CI
   * after one by an operator changes no policy. Only when none is configured: the role (or user) of the session
   * running Terraform, the issuer `aws:PrincipalArn` matches (a first deployment; a warning at synth), and no key
   * administrator besides the operators.
   */
  protected terraformPrincipals(caller: DataAwsCallerIdentity): TerraformPrincipals {
    const environmentRole = this.operator.accounts?.environments[this.environment]?.terraformRoleArn;
    const keyAdministrators = [
      ...new Set([...this.sharedRoles(this.operator.terraformRoleArns), ...(environmentRole ? [environmentRole] : []), ...(this.ciRoles ? [this.ciRoles.deploy] : [])]),
    ];
    if (keyAdministrators.length === 0) {
      return { secretReaders: [new DataAwsIamSessionContext(this, "deploying-principal", { arn: caller.arn }).issuerArn], keyAdministrators };
    }
    return { secretReaders: [...keyAdministrators, ...(this.ciRoles ? [this.ciRoles.plan] : [])], keyAdministrators };
  }

  /** The roles of a list every environment shares that this environment's policies name (`rolesFor`: none of another environment's account). */
  protected sharedRoles(roleArns: readonly string[]): string[] {
    return rolesFor(this.operator.accounts, this.environment, roleArns);
  }

  /** Reads the outputs another phase published, from its state in this environment's workspace. */
  protected readPhase(phase: Phase): DataTerraformRemoteStateS3 {
    return new DataTerraformRemoteStateS3(this, `${phase}-outputs`, { ...phaseStateLocation(this.operator, phase, this.environment), workspace: this.environment });
  }

  /** One entry of a map output another phase published (`secret_arns["redis"]`); the plan fails if it is missing. */
  protected lookupOutput(remote: DataTerraformRemoteStateS3, output: string, key: string): string {
    return outputEntry(remote, output, key);
  }

  /** Publishes one entry of this phase's output contract, under its stable name. */
  protected publish(name: string, value: unknown, description: string): TerraformOutput {
    return new TerraformOutput(this, name, { value, description });
  }
}

/** One entry of a map output of another phase, read through its remote state. */
export function outputEntry(remote: DataTerraformRemoteStateS3, output: string, key: string): string {
  return Token.asString(Fn.lookup(remote.get(output), key));
}

/**
 * The provider settings that pin a stack to its environment's account: `allowed_account_ids` (Terraform refuses
 * credentials of another account before it reads or changes anything) and, with a role, `assume_role`. Empty
 * without an account (no guard: a warning at synth).
 */
export function accountGuard(operator: Pick<OperatorSettings, "accounts">, environment: EnvironmentName): Pick<AwsProviderConfig, "allowedAccountIds" | "assumeRole"> {
  const account = operator.accounts?.environments[environment];
  if (!account) return {};
  return { allowedAccountIds: [account.accountId], ...(account.role && { assumeRole: [account.role] }) };
}

/** Tags every resource carries (provider `default_tags`; resources that tag elsewhere use the same map). */
export function projectTags(environment: string, phase: string): Record<string, string> {
  return { Project: "sentry", Environment: environment, Phase: phase, ManagedBy: "cdktf" };
}
