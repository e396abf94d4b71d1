import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { IAspect } from "cdktf";
import { IConstruct } from "constructs";

const ANYWHERE = ["0.0.0.0/0", "::/0"];

/** Thrown at synth when a resource breaks the baseline; names the resource and the rule. */
export class BaselineViolation extends Error {
  constructor(node: IConstruct, rule: string) {
    super(`Security baseline: ${node.node.path} ${rule}`);
    this.name = "BaselineViolation";
  }
}

/**
 * Rules every stack keeps, checked once per stack at synth whatever construct made the resource:
 * queues encrypted, log groups with a retention, Redis encrypted at rest and in transit, and no security group
 * ingress from the whole internet (nothing here is public; load balancers would get an explicit exception).
 */
export class SecurityBaseline implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof SqsQueue && node.sqsManagedSseEnabledInput !== true && !node.kmsMasterKeyIdInput) {
      throw new BaselineViolation(node, "is not encrypted: set sqsManagedSseEnabled or kmsMasterKeyId");
    }
    if (node instanceof CloudwatchLogGroup && !node.retentionInDaysInput) {
      throw new BaselineViolation(node, "keeps logs forever: set retentionInDays");
    }
    if (node instanceof ElasticacheReplicationGroup && (node.atRestEncryptionEnabledInput !== "true" || node.transitEncryptionEnabledInput !== true)) {
      throw new BaselineViolation(node, "must encrypt at rest and in transit");
    }
    if (node instanceof VpcSecurityGroupIngressRule && ANYWHERE.some((cidr) => [node.cidrIpv4Input, node.cidrIpv6Input].includes(cidr))) {
      throw new BaselineViolation(node, "admits ingress from anywhere");
    }
    if (node instanceof SecurityGroup) {
      const ingress = node.ingressInput;
      if (Array.isArray(ingress) && ingress.some((rule) => [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])].some((cidr) => ANYWHERE.includes(cidr)))) {
        throw new BaselineViolation(node, "admits ingress from anywhere");
      }
    }
  }
}
