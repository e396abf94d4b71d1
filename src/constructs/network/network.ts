import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DefaultNetworkAcl } from "@cdktf/provider-aws/lib/default-network-acl";
import { DefaultRouteTable } from "@cdktf/provider-aws/lib/default-route-table";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Construct } from "constructs";
import { cidrSubnet, formatIpv4Cidr, parseIpv4Cidr } from "../../lib/ipv4-cidr";
import { serviceTrustStatement, writeLogsStatement } from "../encryption/policy-statements";

export interface NetworkFlowLogsProps {
  /** Days CloudWatch Logs keeps flow records. */
  readonly retentionDays: number;
  /** KMS key of the flow log group. */
  readonly kmsKeyArn: string;
}

export interface NetworkProps {
  /** Name of the VPC (`Name` tag); subnets and gateways are named after it. */
  readonly name: string;
  /** IPv4 CIDR of the VPC, /16 to /20. */
  readonly cidr: string;
  /** AWS region, for the gateway endpoints' service names. */
  readonly region: string;
  /** Availability zones: one public and one private subnet in each (at least 2). */
  readonly availabilityZones: readonly string[];
  /**
   * `single`: one NAT gateway in the first AZ serves every private subnet (cheaper; an AZ outage cuts egress).
   * `per-az`: one NAT gateway per AZ.
   * @default "per-az"
   */
  readonly natGateways?: "single" | "per-az";
  /**
   * Flow logs of all traffic to CloudWatch Logs.
   * @default - no flow logs
   */
  readonly flowLogs?: NetworkFlowLogsProps;
}

const DEFAULT_NAT_GATEWAYS = "per-az";

/** The zones that hold a NAT gateway: the first alone with `single`, every zone with `per-az`. */
export function natGatewayZones(availabilityZones: readonly string[], natGateways: "single" | "per-az"): string[] {
  return natGateways === "single" ? availabilityZones.slice(0, 1) : [...availabilityZones];
}
/** Public subnets are /24s (of a /16) in the first sixteenth of the VPC; private subnets the next sixteenths. */
const PUBLIC_SUBNET_NEW_BITS = 8;
const PRIVATE_SUBNET_NEW_BITS = 4;
/**
 * AWS-owned buckets the private subnets fetch from through the S3 gateway endpoint (`<region>` filled in):
 * ECR image layers, the Amazon Linux package repositories, and what the SSM agent downloads and reports to.
 */
export const AWS_OWNED_BUCKET_OBJECTS = [
  "prod-<region>-starport-layer-bucket/*",
  "al2023-repos-<region>-*/*",
  "amazonlinux-2-repos-<region>/*",
  "aws-ssm-<region>/*",
  "aws-ssm-document-attachments-<region>/*",
  "aws-ssm-distributor-file-<region>/*",
  "amazon-ssm-<region>/*",
  "amazon-ssm-packages-<region>/*",
  "<region>-birdwatcher-prod/*",
  "patch-baseline-snapshot-<region>/*",
];

/**
 * A VPC laid out like terraform-aws-modules/vpc: public subnets behind an internet gateway, private subnets
 * behind NAT, one private route table per AZ, S3 and DynamoDB gateway endpoints on the private route tables
 * (their policies admit this account's buckets and tables, plus the AWS-owned buckets instances need), and the
 * VPC's default security group, network ACL and route table adopted so they hold nothing unexpected.
 */
/** The `Name` tag. */
const named = (name: string) => ({ Name: name });

export class Network extends Construct {
  readonly vpc: Vpc;
  readonly publicSubnets: Subnet[];
  readonly privateSubnets: Subnet[];
  readonly privateRouteTables: RouteTable[];
  /** NAT gateways by availability zone: the first zone's alone with `single`, every zone's with `per-az`. */
  readonly natGateways: Readonly<Record<string, NatGateway>>;
  /** The flow log group, when flow logs are on. */
  readonly flowLogGroup?: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const natGateways = props.natGateways ?? DEFAULT_NAT_GATEWAYS;
    const cidr = parseIpv4Cidr(props.cidr);
    if (!cidr || cidr.prefixLength < 16 || cidr.prefixLength > 20) {
      throw new Error(`Network ${props.name}: cidr "${props.cidr}" must be an IPv4 CIDR from /16 to /20`);
    }
    if (props.availabilityZones.length < 2 || props.availabilityZones.length > 15) {
      throw new Error(`Network ${props.name}: availabilityZones has ${props.availabilityZones.length} zones; expected 2 to 15`);
    }

    this.vpc = new Vpc(this, "Resource", {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: named(props.name),
    });
    this.adoptDefaults(props.name);

    const internetGateway = new InternetGateway(this, "internet-gateway", {
      vpcId: this.vpc.id,
      tags: named(props.name),
    });
    const publicRouteTable = new RouteTable(this, "public-route-table", {
      vpcId: this.vpc.id,
      tags: named(`${props.name}-public`),
    });
    new Route(this, "public-internet-route", {
      routeTableId: publicRouteTable.id,
      destinationCidrBlock: "0.0.0.0/0",
      gatewayId: internetGateway.id,
    });

    this.publicSubnets = [];
    this.privateSubnets = [];
    this.privateRouteTables = [];
    const natGatewaysByZone: Record<string, NatGateway> = {};
    const gatewayZones = natGatewayZones(props.availabilityZones, natGateways);
    // A zone without a NAT gateway routes through the last one created (`single`: the first zone's).
    let lastNatGateway: NatGateway | undefined;
    props.availabilityZones.forEach((zone, index) => {
      const publicSubnet = this.addPublicSubnet(props.name, zone, formatIpv4Cidr(cidrSubnet(cidr, PUBLIC_SUBNET_NEW_BITS, index)), publicRouteTable);
      if (gatewayZones.includes(zone)) {
        lastNatGateway = this.addNatGateway(props.name, zone, publicSubnet, internetGateway);
        natGatewaysByZone[zone] = lastNatGateway;
      }
      this.addPrivateSubnet(props.name, zone, formatIpv4Cidr(cidrSubnet(cidr, PRIVATE_SUBNET_NEW_BITS, index + 1)), lastNatGateway?.id);
    });
    this.natGateways = natGatewaysByZone;

    const partition = new DataAwsPartition(this, "partition").partition;
    this.addGatewayEndpoints(props, partition);
    if (props.flowLogs) {
      this.flowLogGroup = this.addFlowLogs(props.name, props.region, partition, props.flowLogs);
    }
  }

  /** The VPC's default security group, network ACL and route table, adopted so they hold nothing unexpected. */
  private adoptDefaults(name: string): void {
    new DefaultSecurityGroup(this, "default-security-group", {
      vpcId: this.vpc.id,
      tags: named(`${name}-default`),
    });
    new DefaultNetworkAcl(this, "default-network-acl", {
      defaultNetworkAclId: this.vpc.defaultNetworkAclId,
      ingress: [{ protocol: "-1", ruleNo: 100, action: "allow", cidrBlock: "0.0.0.0/0", fromPort: 0, toPort: 0 }],
      egress: [{ protocol: "-1", ruleNo: 100, action: "allow", cidrBlock: "0.0.0.0/0", fromPort: 0, toPort: 0 }],
      tags: named(`${name}-default`),
      lifecycle: { ignoreChanges: ["subnet_ids"] },
    });
    new DefaultRouteTable(this, "default-route-table", {
      defaultRouteTableId: this.vpc.defaultRouteTableId,
      route: [],
      tags: named(`${name}-default`),
    });
  }

  private addPublicSubnet(name: string, zone: string, cidrBlock: string, routeTable: RouteTable): Subnet {
    const subnet = new Subnet(this, `public-subnet-${zone}`, {
      vpcId: this.vpc.id,
      availabilityZone: zone,
      cidrBlock,
      mapPublicIpOnLaunch: false,
      tags: { ...named(`${name}-public-${zone}`), Tier: "public" },
    });
    new RouteTableAssociation(this, `public-subnet-${zone}-route-table`, {
      subnetId: subnet.id,
      routeTableId: routeTable.id,
    });
    this.publicSubnets.push(subnet);
    return subnet;
  }

  private addNatGateway(name: string, zone: string, publicSubnet: Subnet, internetGateway: InternetGateway): NatGateway {
    const address = new Eip(this, `nat-eip-${zone}`, {
      domain: "vpc",
      tags: named(`${name}-nat-${zone}`),
      dependsOn: [internetGateway],
    });
    return new NatGateway(this, `nat-gateway-${zone}`, {
      allocationId: address.allocationId,
      subnetId: publicSubnet.id,
      tags: named(`${name}-nat-${zone}`),
      dependsOn: [internetGateway],
    });
  }

  /** A private subnet with its own route table, whose default route goes through `natGatewayId`. */
  private addPrivateSubnet(name: string, zone: string, cidrBlock: string, natGatewayId: string | undefined): void {
    const subnet = new Subnet(this, `private-subnet-${zone}`, {
      vpcId: this.vpc.id,
      availabilityZone: zone,
      cidrBlock,
      tags: { ...named(`${name}-private-${zone}`), Tier: "private" },
    });
    const routeTable = new RouteTable(this, `private-route-table-${zone}`, {
      vpcId: this.vpc.id,
      tags: named(`${name}-private-${zone}`),
    });
    new Route(this, `private-nat-route-${zone}`, {
      routeTableId: routeTable.id,
      destinationCidrBlock: "0.0.0.0/0",
      natGatewayId,
    });
    new RouteTableAssociation(this, `private-subnet-${zone}-route-table`, {
      subnetId: subnet.id,
      routeTableId: routeTable.id,
    });
    this.privateSubnets.push(subnet);
    this.privateRouteTables.push(routeTable);
  }

  /** S3 and DynamoDB gateway endpoints on the private route tables, admitting this account's buckets and tables. */
  private addGatewayEndpoints(props: NetworkProps, partition: string): void {
    const account = this.vpc.ownerId;
    const anyone = [{ type: "*", identifiers: ["*"] }];
    const endpointPolicies: Record<string, DataAwsIamPolicyDocumentStatement[]> = {
      s3: [
        {
          sid: "BucketsOfThisAccount",
          actions: ["s3:*"],
          resources: ["*"],
          principals: anyone,
          condition: [{ test: "StringEquals", variable: "aws:ResourceAccount", values: [account] }],
        },
        {
          sid: "AwsOwnedBucketsInstancesNeed",
          actions: ["s3:GetObject"],
          resources: AWS_OWNED_BUCKET_OBJECTS.map((pattern) => `arn:${partition}:s3:::${pattern.replace("<region>", props.region)}`),
          principals: anyone,
        },
      ],
      dynamodb: [
        {
          sid: "TablesOfThisAccount",
          actions: ["dynamodb:*"],
          resources: [`arn:${partition}:dynamodb:${props.region}:${account}:table/*`],
          principals: anyone,
        },
      ],
    };
    for (const [service, statement] of Object.entries(endpointPolicies)) {
      const policy = new DataAwsIamPolicyDocument(this, `${service}-gateway-endpoint-policy`, { statement });
      new VpcEndpoint(this, `${service}-gateway-endpoint`, {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: "Gateway",
        routeTableIds: this.privateRouteTables.map((table) => table.id),
        policy: policy.json,
        tags: named(`${props.name}-${service}`),
      });
    }
  }

  private addFlowLogs(name: string, region: string, partition: string, props: NetworkFlowLogsProps): CloudwatchLogGroup {
    const logGroup = new CloudwatchLogGroup(this, "flow-log-group", {
      name: `/sentry/vpc-flow-logs/${name}`,
      retentionInDays: props.retentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    const account = this.vpc.ownerId;
    const trust = new DataAwsIamPolicyDocument(this, "flow-log-trust", {
      statement: [serviceTrustStatement("vpc-flow-logs.amazonaws.com", account, `arn:${partition}:ec2:${region}:${account}:vpc-flow-log/*`)],
    });
    const role = new IamRole(this, "flow-log-role", {
      name: `${name}-flow-logs`,
      assumeRolePolicy: trust.json,
    });
    const permissions = new DataAwsIamPolicyDocument(this, "flow-log-permissions", {
      statement: [writeLogsStatement("WriteFlowLogs", logGroup.arn, ["logs:DescribeLogStreams"])],
    });
    new IamRolePolicy(this, "flow-log-role-policy", {
      name: "write-flow-logs",
      role: role.id,
      policy: permissions.json,
    });
    new FlowLog(this, "flow-log", {
      vpcId: this.vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
      tags: { Name: name },
    });
    return logGroup;
  }
}
