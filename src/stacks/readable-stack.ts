import { TerraformElement, TerraformStack } from "cdktf";
import { Node } from "constructs";
import { assertBaseline } from "../security/baseline";
import { Json } from "../security/model";

/**
 * A stack whose Terraform addresses follow the construct path (`queues/orders-bitget` → `queues_orders_bitget`)
 * without the hash cdktf appends by default, so plans read well and a refactor that would move (destroy and
 * recreate) a resource shows up in review and in the address tests. A child named `Resource` stands for its
 * parent (`orders-bitget/Resource` → `orders_bitget`). Every such stack is held to the security baseline
 * (`src/security/baseline.ts`) on the JSON it synthesizes.
 */
export abstract class ReadableStack extends TerraformStack {
  private readonly allocatedIds = new Map<string, string>();
  /** The KMS key ARN every resource of the stack that takes a key must name (`useEnvironmentKey`). */
  private keyArn?: string;

  /**
   * The Terraform JSON, checked against the security baseline: cdktf's synth and `Testing.synth` call this once per
   * stack, after every aspect ran, so the check reads exactly what is written (and resolves the stack only once).
   */
  toTerraform(): Json {
    const tf = this.unauditedTerraform();
    assertBaseline(this, tf);
    return tf;
  }

  /** HCL output (`cdktf synth --hcl`, `Testing.synthHcl`) never calls `toTerraform`: the same check first. */
  toHclTerraform(): Json {
    assertBaseline(this, this.unauditedTerraform());
    return super.toHclTerraform();
  }

  unauditedTerraform(): Json {
    return super.toTerraform();
  }

  /** The stack's environment key, as the security baseline compares it; undefined until `useEnvironmentKey`. */
  get environmentKeyArn(): string | undefined {
    return this.keyArn;
  }

  /** Environment whose audit rules apply (log retention floor); undefined for account-wide stacks. */
  get auditedEnvironment(): string | undefined {
    return undefined;
  }

  /** Declares the key (ARN, usually a token) the stack's resources encrypt with, and returns it. */
  protected useEnvironmentKey(arn: string): string {
    this.keyArn = arn;
    return arn;
  }

  protected allocateLogicalId(element: TerraformElement | Node): string {
    const node = TerraformElement.isTerraformElement(element) ? element.node : element;
    const path = node.scopes
      .slice(node.scopes.indexOf(this) + 1)
      .map((scope) => scope.node.id)
      .filter((id) => id !== "Resource");
    const logicalId = path.join("_").replace(/[^A-Za-z0-9_]/g, "_");
    const owner = this.allocatedIds.get(logicalId);
    if (owner !== undefined && owner !== node.path) {
      throw new Error(`Two constructs map to the Terraform address "${logicalId}": ${owner} and ${node.path}. Rename one.`);
    }
    this.allocatedIds.set(logicalId, node.path);
    return logicalId;
  }
}
