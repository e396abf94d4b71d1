import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { IAspect, TerraformStack, Tokenization } from "cdktf";
import { IConstruct } from "constructs";

const ANYWHERE = ["0.0.0.0/0", "::/0"];
/** The only ports the internet may reach, and only on an internet-facing load balancer's own security group. */
const PUBLIC_LOAD_BALANCER_PORTS = [80, 443];

/**
 * True for a rule admitting tcp 80 or 443 (one port) into a security group that an internet-facing load
 * balancer of the same stack uses: the one place the internet is meant to come in.
 */
function isPublicLoadBalancerListenerRule(rule: VpcSecurityGroupIngressRule): boolean {
  if (rule.ipProtocolInput !== "tcp" || rule.fromPortInput !== rule.toPortInput || !PUBLIC_LOAD_BALANCER_PORTS.includes(rule.fromPortInput ?? -1)) {
    return false;
  }
  const group = referenceOf(rule.securityGroupIdInput);
  return TerraformStack.of(rule)
    .node.findAll()
    .some((node) => node instanceof Lb && node.internalInput === false && (node.securityGroupsInput ?? []).some((id) => group !== undefined && referenceOf(id) === group));
}

/** The Terraform expression a token string stands for (`aws_security_group.x.id`); two tokens of one attribute differ as strings. */
function referenceOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return (Tokenization.reverseString(value).firstToken as { identifier?: string } | undefined)?.identifier ?? value;
}

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
 * ingress from the whole internet, except tcp 80/443 into the security group of an internet-facing load balancer.
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
    if (
      node instanceof VpcSecurityGroupIngressRule &&
      ANYWHERE.some((cidr) => [node.cidrIpv4Input, node.cidrIpv6Input].includes(cidr)) &&
      !isPublicLoadBalancerListenerRule(node)
    ) {
      throw new BaselineViolation(node, "admits ingress from anywhere (only an internet-facing load balancer's group may, on tcp 80 and 443)");
    }
    if (node instanceof SecurityGroup) {
      const ingress = node.ingressInput;
      if (Array.isArray(ingress) && ingress.some((rule) => [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])].some((cidr) => ANYWHERE.includes(cidr)))) {
        throw new BaselineViolation(node, "admits ingress from anywhere");
      }
    }
  }
}
