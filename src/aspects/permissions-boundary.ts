import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IAspect } from "cdktf";
import { IConstruct } from "constructs";

/**
 * Puts every IAM role of a stack under a permissions boundary, whatever construct made it: the CI deploy role
 * may create roles only under its own boundary, so nothing it creates can do more than it may.
 */
export class PermissionsBoundary implements IAspect {
  constructor(private readonly policyArn: string) {}

  visit(node: IConstruct): void {
    if (node instanceof IamRole) node.permissionsBoundary = this.policyArn;
  }
}
