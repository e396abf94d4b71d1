import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { DataAwsElbServiceAccount } from "@cdktf/provider-aws/lib/data-aws-elb-service-account";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Wafv2WebAcl, Wafv2WebAclRule } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import { Construct } from "constructs";
import { SecureBucket } from "../encryption/secure-bucket";

/** Where and how long the load balancer's access logs are kept. */
export interface LoadBalancerAccessLogsProps {
  /** Bucket created for the logs (SSE-S3: load balancers cannot write to SSE-KMS buckets). */
  readonly bucketName: string;
  /** Days log objects are kept. */
  readonly retentionDays: number;
  /** Where the log bucket's own S3 server access logs go (who read or deleted load balancer logs). */
  readonly serverAccessLogs: { readonly target: SecureBucket; readonly prefix: string };
}

/** Where the web ACL logs every request it inspects (CloudWatch Logs; `authorization` and `cookie` redacted). */
export interface LoadBalancerWafLogsProps {
  /** Log group created for the logs; WAF requires the `aws-waf-logs-` prefix. */
  readonly logGroupName: string;
  /** KMS key of the log group (its key policy must let CloudWatch Logs use it for the account's log groups). */
  readonly kmsKeyArn: string;
  /** Days the log group keeps events (a CloudWatch Logs retention value). */
  readonly retentionDays: number;
  /** AWS partition and region of the log group: the log delivery's `aws:SourceArn` condition. */
  readonly partition: string;
  readonly region: string;
}

/** An AWS WAF web ACL in front of the load balancer. */
export interface LoadBalancerWafProps {
  /** Web ACL name (also its metric name). */
  readonly name: string;
  /** Requests one client IP may send in any 5 minutes before it is blocked. */
  readonly requestsPerIpPer5Minutes: number;
  readonly logs: LoadBalancerWafLogsProps;
  /**
   * Hosts (the `Host` header, e.g. `admin.trading.acme.io`) whose requests from anonymous sources (VPNs, Tor,
   * hosting providers: AWS's anonymous-IP rule group) are blocked; an empty list blocks them nowhere.
   * @default - every request
   */
  readonly anonymousSourcesBlockedOn?: readonly string[];
}

/** Route 53 alias records pointing names at the load balancer. */
export interface LoadBalancerAliasesProps {
  /** Public hosted zone holding the names. */
  readonly hostedZoneId: string;
  /** Fully qualified names, e.g. `admin.trading.acme.io`. */
  readonly names: readonly string[];
}

export interface PublicLoadBalancerProps {
  /** Load balancer name (at most 32 characters); its security group is named after it. */
  readonly name: string;
  readonly vpcId: string;
  /** Public subnets, one per availability zone (at least two). */
  readonly subnetIds: string[];
  /** IPv4 CIDRs admitted on 80 and 443 (`0.0.0.0/0`: everyone). */
  readonly allowedCidrs: readonly string[];
  /** ACM certificate of the HTTPS listener (issued, in the load balancer's region). */
  readonly certificateArn: string;
  /** Account the access logs are written for (their S3 prefix is `AWSLogs/<account>/`). */
  readonly accountId: string;
  readonly accessLogs: LoadBalancerAccessLogsProps;
  /** Seconds a connection may stay idle. @default 60 */
  readonly idleTimeoutSeconds?: number;
  /** Refuse deletion (and keep the log bucket from being destroyed with its logs). @default true */
  readonly deletionProtection?: boolean;
  /** @default - no web ACL */
  readonly waf?: LoadBalancerWafProps;
  /** @default - no DNS records */
  readonly aliases?: LoadBalancerAliasesProps;
}

const DEFAULT_IDLE_TIMEOUT_SECONDS = 60;
const DEFAULT_DELETION_PROTECTION = true;
/** TLS 1.3, falling back to TLS 1.2 with forward-secret ciphers only. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
const HTTP_PORT = 80;
const HTTPS_PORT = 443;
/**
 * Rules of the managed groups that only count: the core rule set blocks request bodies over 8 KB, which the admin
 * frontend's forms and uploads may send (its requests are signed in by Cognito before they reach it anyway).
 */
const COUNTED_RULES: Readonly<Record<string, readonly string[]>> = { AWSManagedRulesCommonRuleSet: ["SizeRestrictions_BODY"] };
/** AWS managed rule groups, evaluated after the rate rule, in this order. */
const MANAGED_RULE_GROUPS = ["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"];
/** AWS's rule group of anonymous sources (VPNs, Tor exit nodes, hosting providers), evaluated last. */
const ANONYMOUS_IP_RULE_GROUP = "AWSManagedRulesAnonymousIpList";
/** Headers WAF logs only as `REDACTED`: the bearer tokens and the load balancer's sign-in session cookie. */
const REDACTED_HEADERS = ["authorization", "cookie"];
/** The log group name prefix WAF requires of a CloudWatch Logs destination. */
const WAF_LOG_GROUP_PREFIX = "aws-waf-logs-";

/**
 * An internet-facing Application Load Balancer: HTTP only redirects to HTTPS (301); HTTPS uses TLS 1.3 and
 * answers a fixed 404 until listener rules route hosts to target groups. Invalid header fields are dropped,
 * access logs go to a private, TLS-only, expiring bucket (whose own requests are logged), and an optional WAF web
 * ACL (AWS managed rule groups, a per-IP rate limit, anonymous sources blocked where asked) screens every request
 * and logs it to an encrypted log group with credentials redacted. Its security group admits only 80/443 from `allowedCidrs`;
 * egress is 443 to the internet (the identity provider's token endpoint) plus whatever targets add.
 */
export class PublicLoadBalancer extends Construct {
  readonly loadBalancer: Lb;
  readonly securityGroup: SecurityGroup;
  readonly httpsListener: LbListener;
  readonly accessLogBucket: SecureBucket;
  readonly webAcl?: Wafv2WebAcl;

  constructor(scope: Construct, id: string, props: PublicLoadBalancerProps) {
    super(scope, id);
    const idleTimeout = props.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS;
    const deletionProtection = props.deletionProtection ?? DEFAULT_DELETION_PROTECTION;
    const fail = (message: string) => new Error(`PublicLoadBalancer ${props.name}: ${message}`);
    if (props.name.length > 32) throw fail("name must be at most 32 characters");
    if (props.allowedCidrs.length === 0) throw fail("allowedCidrs must name at least one source");
    if (!Number.isInteger(idleTimeout) || idleTimeout < 1 || idleTimeout > 4000) throw fail(`idleTimeoutSeconds ${idleTimeout} must be from 1 to 4000`);

    this.securityGroup = this.createSecurityGroup(props);
    this.accessLogBucket = this.createAccessLogBucket(props, deletionProtection);
    this.loadBalancer = new Lb(this, "Resource", {
      name: props.name,
      loadBalancerType: "application",
      internal: false,
      subnets: props.subnetIds,
      securityGroups: [this.securityGroup.id],
      idleTimeout,
      dropInvalidHeaderFields: true,
      enableDeletionProtection: deletionProtection,
      accessLogs: { bucket: this.accessLogBucket.bucket.bucket, enabled: true },
      dependsOn: [this.accessLogBucket.policy],
    });
    this.httpsListener = this.createListeners(props.certificateArn);

    if (props.waf !== undefined) {
      this.webAcl = this.createWebAcl(props.waf);
      new Wafv2WebAclAssociation(this, "waf-association", { resourceArn: this.loadBalancer.arn, webAclArn: this.webAcl.arn });
      this.logRequests(this.webAcl, props.accountId, props.waf.logs);
    }
    if (props.aliases !== undefined) this.createAliases(props.aliases);
  }

  /** The security group: 80 and 443 from each admitted source, 443 out to the identity provider. */
  private createSecurityGroup(props: PublicLoadBalancerProps): SecurityGroup {
    const securityGroup = new SecurityGroup(this, "security-group", {
      name: props.name,
      description: `${props.name}: HTTP/HTTPS from the admitted sources; egress to its targets and the identity provider`,
      vpcId: props.vpcId,
      tags: { Name: props.name },
    });
    props.allowedCidrs.forEach((cidr) =>
      [HTTP_PORT, HTTPS_PORT].forEach(
        (port) =>
          new VpcSecurityGroupIngressRule(this, `${port === HTTPS_PORT ? "https" : "http"}-from-${cidr.replace(/[./]/g, "-")}`, {
            securityGroupId: securityGroup.id,
            cidrIpv4: cidr,
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            description: `${port === HTTPS_PORT ? "HTTPS" : "HTTP (redirected)"} from ${cidr}`,
          }),
      ),
    );
    // authenticate-cognito: the load balancer itself calls the user pool's token and user-info endpoints.
    new VpcSecurityGroupEgressRule(this, "egress-identity-provider", {
      securityGroupId: securityGroup.id,
      cidrIpv4: "0.0.0.0/0",
      ipProtocol: "tcp",
      fromPort: HTTPS_PORT,
      toPort: HTTPS_PORT,
      description: "HTTPS to the identity provider (Cognito token endpoint)",
    });
    return securityGroup;
  }

  /** The access-log bucket (SSE-S3), writable by the region's load balancer log delivery under `AWSLogs/<account>/`. */
  private createAccessLogBucket(props: PublicLoadBalancerProps, deletionProtection: boolean): SecureBucket {
    const elbAccount = new DataAwsElbServiceAccount(this, "elb-account");
    return new SecureBucket(this, "access-logs", {
      bucketName: props.accessLogs.bucketName,
      encryption: "SSE-S3",
      objectExpirationDays: props.accessLogs.retentionDays,
      noncurrentVersionExpirationDays: 1,
      preventDestroy: deletionProtection,
      forceDestroy: !deletionProtection,
      accessLogs: props.accessLogs.serverAccessLogs,
      policyStatements: (bucketArn) => [
        {
          // Regions from before August 2022 deliver as the region's ELB account; later ones as the service principal.
          sid: "LoadBalancerLogDelivery",
          actions: ["s3:PutObject"],
          resources: [`${bucketArn}/AWSLogs/${props.accountId}/*`],
          principals: [
            { type: "AWS", identifiers: [elbAccount.arn] },
            { type: "Service", identifiers: ["logdelivery.elasticloadbalancing.amazonaws.com"] },
          ],
        },
      ],
    });
  }

  /** HTTP redirects to HTTPS; HTTPS answers a fixed 404 until listener rules route hosts. Returns the HTTPS listener. */
  private createListeners(certificateArn: string): LbListener {
    new LbListener(this, "http-listener", {
      loadBalancerArn: this.loadBalancer.arn,
      port: HTTP_PORT,
      protocol: "HTTP",
      defaultAction: [{ type: "redirect", redirect: { protocol: "HTTPS", port: String(HTTPS_PORT), statusCode: "HTTP_301" } }],
    });
    return new LbListener(this, "https-listener", {
      loadBalancerArn: this.loadBalancer.arn,
      port: HTTPS_PORT,
      protocol: "HTTPS",
      sslPolicy: TLS_POLICY,
      certificateArn,
      defaultAction: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", messageBody: "Not found", statusCode: "404" } }],
    });
  }

  /** Route 53 alias A records of the names to the load balancer. */
  private createAliases(aliases: LoadBalancerAliasesProps): void {
    for (const name of aliases.names) {
      new Route53Record(this, `alias-${name.split(".")[0]}`, {
        zoneId: aliases.hostedZoneId,
        name,
        type: "A",
        alias: { name: this.loadBalancer.dnsName, zoneId: this.loadBalancer.zoneId, evaluateTargetHealth: true },
      });
    }
  }

  private createWebAcl(waf: LoadBalancerWafProps): Wafv2WebAcl {
    if (!Number.isInteger(waf.requestsPerIpPer5Minutes) || waf.requestsPerIpPer5Minutes < 100) {
      throw new Error(`PublicLoadBalancer waf ${waf.name}: requestsPerIpPer5Minutes ${waf.requestsPerIpPer5Minutes} must be a whole number >= 100`);
    }
    if (!waf.logs.logGroupName.startsWith(WAF_LOG_GROUP_PREFIX)) {
      throw new Error(`PublicLoadBalancer waf ${waf.name}: logs.logGroupName "${waf.logs.logGroupName}" must start with ${WAF_LOG_GROUP_PREFIX} (WAF refuses other log groups)`);
    }
    const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
    // `statement` is untyped in the provider bindings: its keys are written in Terraform's own snake_case.
    const rules: Wafv2WebAclRule[] = [
      {
        name: "rate-limit-per-ip",
        priority: 0,
        action: { block: {} },
        statement: { rate_based_statement: { limit: waf.requestsPerIpPer5Minutes, aggregate_key_type: "IP" } },
        visibilityConfig: visibility(`${waf.name}-rate-limit-per-ip`),
      },
      ...MANAGED_RULE_GROUPS.map((group, index) => ({
        name: group,
        priority: index + 1,
        overrideAction: { none: {} },
        statement: {
          managed_rule_group_statement: {
            name: group,
            vendor_name: "AWS",
            ...(COUNTED_RULES[group] ? { rule_action_override: COUNTED_RULES[group].map((name) => ({ name, action_to_use: { count: {} } })) } : {}),
          },
        },
        visibilityConfig: visibility(`${waf.name}-${group}`),
      })),
      ...this.anonymousSourcesRule(waf, MANAGED_RULE_GROUPS.length + 1, visibility(`${waf.name}-${ANONYMOUS_IP_RULE_GROUP}`)),
    ];
    return new Wafv2WebAcl(this, "waf", {
      name: waf.name,
      description: "AWS managed rule groups and a per-IP rate limit in front of the load balancer",
      scope: "REGIONAL",
      defaultAction: { allow: {} },
      rule: rules,
      visibilityConfig: visibility(waf.name),
    });
  }

  /** The anonymous-IP rule group, scoped down to `anonymousSourcesBlockedOn` when it names hosts. */
  private anonymousSourcesRule(waf: LoadBalancerWafProps, priority: number, visibilityConfig: Wafv2WebAclRule["visibilityConfig"]): Wafv2WebAclRule[] {
    const hosts = waf.anonymousSourcesBlockedOn;
    if (hosts !== undefined && hosts.length === 0) return [];
    // Starts with, not exactly: a Host header with a port (`admin.example.com:443`) or a trailing dot still names the host.
    const hostIs = (host: string) => ({
      byte_match_statement: {
        search_string: host.toLowerCase(),
        positional_constraint: "STARTS_WITH",
        field_to_match: { single_header: { name: "host" } },
        text_transformation: [{ priority: 0, type: "LOWERCASE" }],
      },
    });
    const scopeDown = hosts === undefined ? {} : { scope_down_statement: hosts.length === 1 ? hostIs(hosts[0]) : { or_statement: { statement: hosts.map(hostIs) } } };
    return [
      {
        name: ANONYMOUS_IP_RULE_GROUP,
        priority,
        overrideAction: { none: {} },
        statement: { managed_rule_group_statement: { name: ANONYMOUS_IP_RULE_GROUP, vendor_name: "AWS", ...scopeDown } },
        visibilityConfig,
      },
    ];
  }

  /**
   * Every request the web ACL inspects, to an encrypted log group, with the credentials a request carries
   * redacted. The log group's resource policy lets the log delivery service (which WAF writes through) write
   * there for this account only; WAF would otherwise add a broader one itself.
   */
  private logRequests(webAcl: Wafv2WebAcl, accountId: string, logs: LoadBalancerWafLogsProps): void {
    const logGroup = new CloudwatchLogGroup(this, "waf-logs", { name: logs.logGroupName, retentionInDays: logs.retentionDays, kmsKeyId: logs.kmsKeyArn });
    const delivery = new DataAwsIamPolicyDocument(this, "waf-log-delivery-policy", {
      statement: [
        {
          sid: "WafLogDelivery",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          resources: [`${logGroup.arn}:log-stream:*`],
          principals: [{ type: "Service", identifiers: ["delivery.logs.amazonaws.com"] }],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
            { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${logs.partition}:logs:${logs.region}:${accountId}:*`] },
          ],
        },
      ],
    });
    const resourcePolicy = new CloudwatchLogResourcePolicy(this, "waf-log-delivery", { policyName: logs.logGroupName, policyDocument: delivery.json });
    new Wafv2WebAclLoggingConfiguration(this, "waf-logging", {
      resourceArn: webAcl.arn,
      logDestinationConfigs: [logGroup.arn],
      redactedFields: REDACTED_HEADERS.map((name) => ({ singleHeader: { name } })),
      dependsOn: [resourcePolicy],
    });
  }
}
