import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Testing } from "cdktf";
import { Construct } from "constructs";
import { ReadableStack } from "../src/stacks/readable-stack";

class ProbeStack extends ReadableStack {
  constructor(scope: Construct, add: (stack: ProbeStack) => void) {
    super(scope, "probe");
    new AwsProvider(this, "aws", { region: "us-east-1" });
    add(this);
  }
}

const synth = (add: (stack: ProbeStack) => void) => () => Testing.synth(new ProbeStack(Testing.app(), add));

describe("security baseline aspect", () => {
  test("passes compliant resources", () => {
    expect(
      synth((stack) => {
        new SqsQueue(stack, "queue", { sqsManagedSseEnabled: true });
        new CloudwatchLogGroup(stack, "logs", { retentionInDays: 30 });
        new VpcSecurityGroupIngressRule(stack, "rule", { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "10.0.0.0/8" });
      }),
    ).not.toThrow();
  });

  test("catches an unencrypted queue", () => {
    expect(synth((stack) => new SqsQueue(stack, "plain-queue", {}))).toThrow("Security baseline: probe/plain-queue is not encrypted");
  });

  test("catches a log group that keeps logs forever", () => {
    expect(synth((stack) => new CloudwatchLogGroup(stack, "forever", {}))).toThrow("Security baseline: probe/forever keeps logs forever");
  });

  test("catches Redis without transit encryption", () => {
    expect(
      synth((stack) => new ElasticacheReplicationGroup(stack, "cache", { replicationGroupId: "c", description: "c", atRestEncryptionEnabled: "true" })),
    ).toThrow("Security baseline: probe/cache must encrypt at rest and in transit");
  });

  test("catches ingress from anywhere, as a rule or inline", () => {
    expect(
      synth((stack) => new VpcSecurityGroupIngressRule(stack, "open", { securityGroupId: "sg-1", ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" })),
    ).toThrow("Security baseline: probe/open admits ingress from anywhere");
    expect(
      synth((stack) => new SecurityGroup(stack, "open-group", { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["::/0"] }] })),
    ).toThrow("Security baseline: probe/open-group admits ingress from anywhere");
  });

  describe("the one exception: tcp 80/443 into an internet-facing load balancer's own group", () => {
    const withLoadBalancer = (internal: boolean, port: number, onLoadBalancerGroup = true) => (stack: ProbeStack) => {
      const lbGroup = new SecurityGroup(stack, "lb-group", {});
      const otherGroup = new SecurityGroup(stack, "other-group", {});
      new Lb(stack, "lb", { internal, securityGroups: [lbGroup.id], subnets: ["subnet-1", "subnet-2"] });
      new VpcSecurityGroupIngressRule(stack, "public", {
        securityGroupId: (onLoadBalancerGroup ? lbGroup : otherGroup).id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        cidrIpv4: "0.0.0.0/0",
      });
    };

    test("passes on 80 and 443", () => {
      expect(synth(withLoadBalancer(false, 443))).not.toThrow();
      expect(synth(withLoadBalancer(false, 80))).not.toThrow();
    });

    test("not on another port of that group", () => {
      expect(synth(withLoadBalancer(false, 22))).toThrow("Security baseline: probe/public admits ingress from anywhere");
    });

    test("not on a group the load balancer does not use", () => {
      expect(synth(withLoadBalancer(false, 443, false))).toThrow("Security baseline: probe/public admits ingress from anywhere");
    });

    test("not for an internal load balancer", () => {
      expect(synth(withLoadBalancer(true, 443))).toThrow("Security baseline: probe/public admits ingress from anywhere");
    });
  });
});
