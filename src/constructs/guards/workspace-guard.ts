import { DataResource } from "cdktf";
import { Construct } from "constructs";

export interface WorkspaceGuardProps {
  /** The only Terraform workspace this configuration may be planned in. */
  readonly expectedWorkspace: string;
}

/**
 * Fails `terraform plan` in any workspace but the expected one, so a configuration synthesized for one
 * environment can never be applied to another environment's state.
 */
export class WorkspaceGuard extends Construct {
  constructor(scope: Construct, id: string, props: WorkspaceGuardProps) {
    super(scope, id);
    const workspace = props.expectedWorkspace;
    new DataResource(this, "Resource", {
      input: { workspace },
      lifecycle: {
        precondition: [
          {
            condition: `\${terraform.workspace == "${workspace}"}`,
            errorMessage:
              `This configuration was synthesized for the "${workspace}" workspace but the selected workspace is ` +
              `"\${terraform.workspace}". Select it with TF_WORKSPACE=${workspace} (or: terraform workspace select ${workspace}), ` +
              `or synthesize the matching environment with SENTRY_ENV=\${terraform.workspace}.`,
          },
        ],
      },
    });
  }
}
