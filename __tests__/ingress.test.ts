import { TerraformStack, Testing } from "cdktf";
import { EnvironmentConfig, EnvironmentName } from "../src/config";
import { AdminUserPool } from "../src/constructs/identity/admin-user-pool";
import { LoadBalancerRoute, LoadBalancerRouteProps } from "../src/constructs/ingress/load-balancer-route";
import { SecureBucket } from "../src/constructs/encryption/secure-bucket";
import { PublicLoadBalancer, PublicLoadBalancerProps, TLS_POLICY } from "../src/constructs/ingress/public-load-balancer";
import { TerraformJson, dataOf, policyStatements, resource, resourcesOf, synthPhase, testConfig, TEST_OPERATOR_VARIABLES } from "./support/synth";

const FOUNDATION = "data.terraform_remote_state.foundation_outputs.outputs";
const COMPUTE = "data.terraform_remote_state.compute_outputs.outputs";
const ZONE_ID = "Z0123456789ABCDEFGHIJ";
const CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e";
const ENVS: EnvironmentName[] = ["dev", "staging", "prod"];

const withOperator = (env: EnvironmentName, variables: Record<string, string>) => testConfig(env, { ...TEST_OPERATOR_VARIABLES, ...variables });
const phase = (config: EnvironmentConfig, name: "foundation" | "compute" | "services"): TerraformJson => synthPhase(config, name).tf;

describe("ingress: certificate and sign-in client (phase 1)", () => {
  test("a DNS-validated certificate for admin.<domain> and ws.<domain>, records left to the operator without a zone", () => {
    const tf = phase(testConfig("dev"), "foundation");
    expect(resource(tf, "aws_acm_certificate", "certificate")).toMatchObject({
      domain_name: "admin.sentry.test",
      subject_alternative_names: ["ws.sentry.test"],
      validation_method: "DNS",
      lifecycle: { create_before_destroy: true },
    });
    expect(resourcesOf(tf, "aws_route53_record")).toEqual({});
    expect(tf.output.certificate_validation_records.value).toBe("${tolist(aws_acm_certificate.certificate.domain_validation_options)}");
    expect(tf.output.certificate_arn.value).toBe("${aws_acm_certificate.certificate.arn}");
  });

  test("with SENTRY_HOSTED_ZONE_ID the validation records are written into the zone, one per name", () => {
    const tf = phase(withOperator("prod", { SENTRY_HOSTED_ZONE_ID: ZONE_ID }), "foundation");
    const records = resource(tf, "aws_route53_record", "certificate_validation_records");
    // Iterating the set itself (not tolist) keeps the keys known at plan time for a certificate not yet created.
    expect(records.for_each).toBe("${{ for dvo in aws_acm_certificate.certificate.domain_validation_options : dvo.domain_name => dvo }}");
    expect(records).toMatchObject({ zone_id: ZONE_ID, ttl: 300, allow_overwrite: true });
    expect(tf.output.certificate_validation_records).toBeUndefined();
  });

  test("with SENTRY_CERTIFICATE_ARN no certificate is requested and phase 3 does not wait for one", () => {
    const config = withOperator("staging", { SENTRY_CERTIFICATE_ARN: CERTIFICATE_ARN });
    const foundation = phase(config, "foundation");
    expect(resourcesOf(foundation, "aws_acm_certificate")).toEqual({});
    expect(foundation.output.certificate_arn.value).toBe(CERTIFICATE_ARN);
    const compute = phase(config, "compute");
    expect(resourcesOf(compute, "aws_acm_certificate_validation")).toEqual({});
    expect(resource(compute, "aws_lb_listener", "load_balancer_https_listener").certificate_arn).toBe(CERTIFICATE_ARN);
  });

  test("the load balancer's Cognito client is confidential, authorization-code only, calling back to the admin host", () => {
    const tf = phase(testConfig("prod"), "foundation");
    expect(resource(tf, "aws_cognito_user_pool_client", "admin_user_pool_load_balancer_client")).toMatchObject({
      name: "sentry-admin-prod-load-balancer",
      generate_secret: true,
      allowed_oauth_flows_user_pool_client: true,
      allowed_oauth_flows: ["code"],
      allowed_oauth_scopes: ["openid", "email"],
      callback_urls: ["https://admin.sentry.test/oauth2/idpresponse"],
      supported_identity_providers: ["COGNITO"],
    });
    expect(resource(tf, "aws_cognito_user_pool_domain", "admin_user_pool_domain").domain).toBe(
      "sentry-admin-prod-${data.aws_caller_identity.account.account_id}",
    );
    // The client secret is never published; only the ids the listener rule needs.
    expect(tf.output.load_balancer_client_id.value).toBe("${aws_cognito_user_pool_client.admin_user_pool_load_balancer_client.id}");
    expect(JSON.stringify(tf.output)).not.toMatch(/client_secret/);
  });
});

describe("ingress: the load balancer (phase 3)", () => {
  test.each(ENVS)("%s: internet-facing in the public subnets, invalid headers dropped, idle timeout for websockets, access logs on", (env) => {
    const lb = resource(phase(testConfig(env), "compute"), "aws_lb", "load_balancer");
    expect(lb).toMatchObject({
      name: `sentry-alb-${env}`,
      load_balancer_type: "application",
      internal: false,
      subnets: `\${${FOUNDATION}.public_subnet_ids}`,
      security_groups: ["${aws_security_group.load_balancer_security_group.id}"],
      drop_invalid_header_fields: true,
      idle_timeout: 3600,
      access_logs: { bucket: "${aws_s3_bucket.load_balancer_access_logs.bucket}", enabled: true },
    });
  });

  test.each([
    ["dev", false],
    ["staging", false],
    ["prod", true],
  ] as const)("%s: deletion protection %s (load balancer and its log bucket)", (env, protect) => {
    const tf = phase(testConfig(env), "compute");
    expect(resource(tf, "aws_lb", "load_balancer").enable_deletion_protection).toBe(protect);
    expect(resource(tf, "aws_s3_bucket", "load_balancer_access_logs")).toMatchObject({ force_destroy: !protect, lifecycle: { prevent_destroy: protect } });
  });

  test("HTTP only redirects to HTTPS (301); HTTPS uses TLS 1.3, the issued certificate, and answers 404 by default", () => {
    const tf = phase(testConfig("dev"), "compute");
    expect(resource(tf, "aws_lb_listener", "load_balancer_http_listener")).toMatchObject({
      port: 80,
      protocol: "HTTP",
      default_action: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } }],
    });
    expect(TLS_POLICY).toBe("ELBSecurityPolicy-TLS13-1-2-2021-06");
    expect(resource(tf, "aws_lb_listener", "load_balancer_https_listener")).toMatchObject({
      port: 443,
      protocol: "HTTPS",
      ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      certificate_arn: "${aws_acm_certificate_validation.certificate_validation.certificate_arn}",
      default_action: [{ type: "fixed-response", fixed_response: { status_code: "404", content_type: "text/plain" } }],
    });
    expect(resource(tf, "aws_acm_certificate_validation", "certificate_validation").certificate_arn).toBe(`\${${FOUNDATION}.certificate_arn}`);
  });

  test.each([
    ["dev", 30],
    ["prod", 90],
  ] as const)("%s: access logs in a private, SSE-S3, TLS-only bucket the region's ELB may write to, kept %i days", (env, days) => {
    const tf = phase(testConfig(env), "compute");
    expect(resource(tf, "aws_s3_bucket", "load_balancer_access_logs").bucket).toBe(
      `sentry-alb-logs-${env}-\${data.aws_caller_identity.account.account_id}-us-east-1`,
    );
    expect(resource(tf, "aws_s3_bucket_server_side_encryption_configuration", "load_balancer_access_logs_encryption").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
    expect(resource(tf, "aws_s3_bucket_public_access_block", "load_balancer_access_logs_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const [tlsOnly, delivery] = policyStatements(tf, "load_balancer_access_logs_tls_only");
    expect(tlsOnly).toMatchObject({ effect: "Deny", condition: [{ variable: "aws:SecureTransport", values: ["false"] }] });
    expect(delivery).toEqual({
      sid: "LoadBalancerLogDelivery",
      actions: ["s3:PutObject"],
      resources: ["${aws_s3_bucket.load_balancer_access_logs.arn}/AWSLogs/${data.aws_caller_identity.account.account_id}/*"],
      principals: [
        { type: "AWS", identifiers: ["${data.aws_elb_service_account.load_balancer_elb_account.arn}"] },
        { type: "Service", identifiers: ["logdelivery.elasticloadbalancing.amazonaws.com"] },
      ],
    });
    const lifecycle = resource(tf, "aws_s3_bucket_lifecycle_configuration", "load_balancer_access_logs_lifecycle").rule[0];
    expect(lifecycle.expiration).toEqual([{ days }]);
  });

  test("the load balancer's group admits only 80 and 443, from the configured sources, and may call the identity provider", () => {
    const config = testConfig("prod");
    const restricted = { ...config, ingress: { ...config.ingress, allowedCidrs: ["203.0.113.0/24", "198.51.100.0/24"] } };
    const tf = phase(restricted, "compute");
    const ingress = Object.values(resourcesOf(tf, "aws_vpc_security_group_ingress_rule"));
    expect(ingress.map((rule) => `${rule.ip_protocol}/${rule.from_port}-${rule.to_port} ${rule.cidr_ipv4}`).sort()).toEqual([
      "tcp/443-443 198.51.100.0/24",
      "tcp/443-443 203.0.113.0/24",
      "tcp/80-80 198.51.100.0/24",
      "tcp/80-80 203.0.113.0/24",
    ]);
    expect(ingress.every((rule) => rule.security_group_id === "${aws_security_group.load_balancer_security_group.id}")).toBe(true);
    expect(resource(tf, "aws_vpc_security_group_egress_rule", "load_balancer_egress_identity_provider")).toMatchObject({
      ip_protocol: "tcp",
      from_port: 443,
      to_port: 443,
    });
  });

  test("dev has no web ACL; staging and prod screen every request with AWS managed rules and a per-IP rate limit", () => {
    expect(resourcesOf(phase(testConfig("dev"), "compute"), "aws_wafv2_web_acl")).toEqual({});
    for (const env of ["staging", "prod"] as const) {
      const tf = phase(testConfig(env), "compute");
      const acl = resource(tf, "aws_wafv2_web_acl", "load_balancer_waf");
      expect(acl).toMatchObject({ name: `sentry-waf-${env}`, scope: "REGIONAL", default_action: { allow: {} } });
      expect(acl.rule.map((rule: TerraformJson) => [rule.priority, rule.name])).toEqual([
        [0, "rate-limit-per-ip"],
        [1, "AWSManagedRulesAmazonIpReputationList"],
        [2, "AWSManagedRulesCommonRuleSet"],
        [3, "AWSManagedRulesKnownBadInputsRuleSet"],
        [4, "AWSManagedRulesAnonymousIpList"],
      ]);
      expect(acl.rule[0]).toMatchObject({ action: { block: {} }, statement: { rate_based_statement: { limit: 2000, aggregate_key_type: "IP" } } });
      expect(acl.rule[2]).toMatchObject({
        override_action: { none: {} },
        statement: {
          managed_rule_group_statement: {
            name: "AWSManagedRulesCommonRuleSet",
            vendor_name: "AWS",
            // Admin forms may post more than 8 KB: that one rule counts instead of blocking.
            rule_action_override: [{ name: "SizeRestrictions_BODY", action_to_use: { count: {} } }],
          },
        },
      });
      expect(acl.rule[3].statement.managed_rule_group_statement.rule_action_override).toBeUndefined();
      expect(resource(tf, "aws_wafv2_web_acl_association", "load_balancer_waf_association")).toEqual(
        expect.objectContaining({ resource_arn: "${aws_lb.load_balancer.arn}", web_acl_arn: "${aws_wafv2_web_acl.load_balancer_waf.arn}" }),
      );
    }
  });

  test("anonymous sources (VPNs, Tor, hosting providers) are blocked on the admin host only: websocket clients run in clouds", () => {
    const acl = resource(phase(testConfig("prod"), "compute"), "aws_wafv2_web_acl", "load_balancer_waf");
    expect(acl.rule[4]).toMatchObject({
      override_action: { none: {} },
      statement: {
        managed_rule_group_statement: {
          name: "AWSManagedRulesAnonymousIpList",
          vendor_name: "AWS",
          scope_down_statement: {
            byte_match_statement: {
              search_string: "admin.sentry.test",
              positional_constraint: "STARTS_WITH",
              field_to_match: { single_header: { name: "host" } },
              text_transformation: [{ priority: 0, type: "LOWERCASE" }],
            },
          },
        },
      },
    });
  });

  test.each([
    ["staging", 30],
    ["prod", 365],
  ] as const)("%s: WAF logs every request to aws-waf-logs-sentry-<env> (environment key, %i days), authorization and cookie redacted", (env, days) => {
    const tf = phase(testConfig(env), "compute");
    expect(resource(tf, "aws_cloudwatch_log_group", "load_balancer_waf_logs")).toMatchObject({
      name: `aws-waf-logs-sentry-${env}`,
      retention_in_days: days,
      kms_key_id: `\${${FOUNDATION}.kms_key_arn}`,
    });
    expect(resource(tf, "aws_wafv2_web_acl_logging_configuration", "load_balancer_waf_logging")).toMatchObject({
      resource_arn: "${aws_wafv2_web_acl.load_balancer_waf.arn}",
      log_destination_configs: ["${aws_cloudwatch_log_group.load_balancer_waf_logs.arn}"],
      redacted_fields: [{ single_header: { name: "authorization" } }, { single_header: { name: "cookie" } }],
      depends_on: ["aws_cloudwatch_log_resource_policy.load_balancer_waf_log_delivery"],
    });
    expect(resource(tf, "aws_cloudwatch_log_resource_policy", "load_balancer_waf_log_delivery").policy_name).toBe(`aws-waf-logs-sentry-${env}`);
    expect(policyStatements(tf, "load_balancer_waf_log_delivery_policy")).toEqual([
      {
        sid: "WafLogDelivery",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: ["${aws_cloudwatch_log_group.load_balancer_waf_logs.arn}:log-stream:*"],
        principals: [{ type: "Service", identifiers: ["delivery.logs.amazonaws.com"] }],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: ["${data.aws_caller_identity.account.account_id}"] },
          { test: "ArnLike", variable: "aws:SourceArn", values: ["arn:${data.aws_partition.partition.partition}:logs:us-east-1:${data.aws_caller_identity.account.account_id}:*"] },
        ],
      },
    ]);
  });

  test("the access-log bucket logs its own requests to the stack's S3 access-log bucket, which admits only that bucket's log delivery", () => {
    const tf = phase(testConfig("prod"), "compute");
    expect(resource(tf, "aws_s3_bucket_logging", "load_balancer_access_logs_logging")).toMatchObject({
      bucket: "${aws_s3_bucket.load_balancer_access_logs.id}",
      target_bucket: "${aws_s3_bucket.s3_access_logs.id}",
      target_prefix: "load-balancer-logs/",
    });
    expect(resource(tf, "aws_s3_bucket", "s3_access_logs").bucket).toBe("sentry-s3-logs-compute-prod-${data.aws_caller_identity.account.account_id}-us-east-1");
    const delivery = policyStatements(tf, "s3_access_logs_tls_only").find((statement: TerraformJson) => statement.sid === "S3ServerAccessLogs0");
    expect(delivery).toMatchObject({
      resources: ["${aws_s3_bucket.s3_access_logs.arn}/load-balancer-logs/*"],
      principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
    });
    expect(delivery!.condition).toContainEqual({
      test: "ArnLike",
      variable: "aws:SourceArn",
      values: ["arn:${data.aws_partition.partition.partition}:s3:::sentry-alb-logs-prod-${data.aws_caller_identity.account.account_id}-us-east-1"],
    });
  });

  test("with a hosted zone, admin and ws are alias records to the load balancer; without, there are none", () => {
    expect(resourcesOf(phase(testConfig("dev"), "compute"), "aws_route53_record")).toEqual({});
    const tf = phase(withOperator("dev", { SENTRY_HOSTED_ZONE_ID: ZONE_ID }), "compute");
    for (const host of ["admin", "ws"]) {
      expect(resource(tf, "aws_route53_record", `load_balancer_alias_${host}`)).toMatchObject({
        zone_id: ZONE_ID,
        name: `${host}.sentry.test`,
        type: "A",
        alias: { name: "${aws_lb.load_balancer.dns_name}", zone_id: "${aws_lb.load_balancer.zone_id}", evaluate_target_health: true },
      });
    }
  });

  test("publishes the load balancer's DNS name and zone id", () => {
    const outputs = phase(testConfig("dev"), "compute").output;
    expect(outputs.load_balancer_dns_name.value).toBe("${aws_lb.load_balancer.dns_name}");
    expect(outputs.load_balancer_zone_id.value).toBe("${aws_lb.load_balancer.zone_id}");
    expect(outputs.https_listener_arn.value).toBe("${aws_lb_listener.load_balancer_https_listener.arn}");
  });
});

describe("ingress: routes to the services (phase 4)", () => {
  const services = (config: EnvironmentConfig = testConfig("dev")) => phase(config, "services");

  test("admin.<domain> signs in with the phase-1 user pool before it forwards to the admin frontend", () => {
    const rule = resource(services(), "aws_lb_listener_rule", "frontend_route_rule");
    expect(rule).toMatchObject({ listener_arn: `\${${COMPUTE}.https_listener_arn}`, priority: 10 });
    expect(rule.condition).toEqual([{ host_header: { values: ["admin.sentry.test"] } }]);
    expect(rule.action).toEqual([
      {
        type: "authenticate-cognito",
        order: 1,
        authenticate_cognito: {
          user_pool_arn: `\${${FOUNDATION}.user_pool_arn}`,
          user_pool_client_id: `\${${FOUNDATION}.load_balancer_client_id}`,
          user_pool_domain: `\${${FOUNDATION}.user_pool_domain}`,
          session_timeout: 28800,
          scope: "openid email",
          on_unauthenticated_request: "authenticate",
        },
      },
      { type: "forward", order: 2, target_group_arn: "${aws_lb_target_group.frontend_route_target_group.arn}" },
    ]);
  });

  test("ws.<domain> forwards to the websocket gateway without load balancer sign-in", () => {
    const rule = resource(services(), "aws_lb_listener_rule", "websocket_route_rule");
    expect(rule.priority).toBe(20);
    expect(rule.condition).toEqual([{ host_header: { values: ["ws.sentry.test"] } }]);
    expect(rule.action).toEqual([{ type: "forward", order: 1, target_group_arn: "${aws_lb_target_group.websocket_route_target_group.arn}" }]);
  });

  test("adminAllowedCidrs limits the admin host to those sources; ws stays open", () => {
    const config = testConfig("prod");
    const tf = services({ ...config, ingress: { ...config.ingress, adminAllowedCidrs: ["203.0.113.0/24"] } });
    expect(resource(tf, "aws_lb_listener_rule", "frontend_route_rule").condition).toEqual([
      { host_header: { values: ["admin.sentry.test"] } },
      { source_ip: { values: ["203.0.113.0/24"] } },
    ]);
    expect(resource(tf, "aws_lb_listener_rule", "websocket_route_rule").condition).toHaveLength(1);
  });

  test.each([
    ["frontend", 3000, "/healthz", "30"],
    ["websocket", 8081, "/health", "120"],
  ] as const)("%s: ip target group on port %i, health check %s, deregistration delay %s s, no stickiness", (service, port, path, delay) => {
    expect(resource(services(), "aws_lb_target_group", `${service}_route_target_group`)).toMatchObject({
      // The port is in the name and a replacement is created first: the rule never points at nothing.
      name: `sentry-${service}-${port}-dev`,
      lifecycle: { create_before_destroy: true },
      target_type: "ip",
      protocol: "HTTP",
      port,
      vpc_id: `\${${FOUNDATION}.vpc_id}`,
      deregistration_delay: delay,
      stickiness: { type: "lb_cookie", enabled: false },
      health_check: { path, matcher: "200", port: "traffic-port", protocol: "HTTP" },
    });
  });

  test("published services register their tasks, after their rule exists, with a health-check grace period; OMS is internal", () => {
    const tf = services();
    for (const [service, port] of [
      ["frontend", 3000],
      ["websocket", 8081],
    ] as const) {
      const ecsService = resource(tf, "aws_ecs_service", service);
      expect(ecsService.load_balancer).toEqual([
        { target_group_arn: `\${aws_lb_target_group.${service}_route_target_group.arn}`, container_name: service, container_port: port },
      ]);
      expect(ecsService.health_check_grace_period_seconds).toBe(60);
      expect(ecsService.depends_on).toContain(`aws_lb_listener_rule.${service}_route_rule`);
    }
    expect(resource(tf, "aws_ecs_service", "oms").load_balancer).toBeUndefined();
    expect(resourcesOf(tf, "aws_lb_target_group").oms_route_target_group).toBeUndefined();
  });

  test("task groups admit the service port only from the load balancer's group, which may send only there", () => {
    const tf = services(testConfig("prod"));
    const fromLoadBalancer = Object.entries(resourcesOf(tf, "aws_vpc_security_group_ingress_rule")).filter(([name]) => name.endsWith("_from_load_balancer"));
    expect(fromLoadBalancer.map(([name, rule]) => [name, rule.security_group_id, rule.referenced_security_group_id, rule.from_port, rule.to_port])).toEqual([
      ["frontend_from_load_balancer", "${aws_security_group.frontend_security_group.id}", `\${${COMPUTE}.load_balancer_security_group_id}`, 3000, 3000],
      ["websocket_from_load_balancer", "${aws_security_group.websocket_security_group.id}", `\${${COMPUTE}.load_balancer_security_group_id}`, 8081, 8081],
    ]);
    expect(JSON.stringify(resourcesOf(tf, "aws_vpc_security_group_ingress_rule"))).not.toMatch(/cidr/);
    const egress = resourcesOf(tf, "aws_vpc_security_group_egress_rule");
    expect(Object.keys(egress).sort()).toEqual(["load_balancer_to_frontend", "load_balancer_to_websocket"]);
    expect(egress.load_balancer_to_websocket).toMatchObject({
      security_group_id: `\${${COMPUTE}.load_balancer_security_group_id}`,
      referenced_security_group_id: "${aws_security_group.websocket_security_group.id}",
      from_port: 8081,
      to_port: 8081,
    });
  });

  test("the stack reads the load balancer from phase 3 only through its outputs", () => {
    expect(Object.keys(dataOf(services(), "terraform_remote_state")).sort()).toEqual(["compute_outputs", "data_outputs", "foundation_outputs"]);
    expect(resourcesOf(services(), "aws_lb")).toEqual({});
  });
});

describe("ingress: a health check on its own port", () => {
  test("the target group checks that port, and the load balancer may reach it on the tasks", () => {
    const config = testConfig("dev");
    const tf = phase(
      { ...config, services: config.services.map((service) => (service.name === "websocket" ? { ...service, ingress: { ...service.ingress!, healthCheckPort: 9090 } } : service)) },
      "services",
    );
    expect(resource(tf, "aws_lb_target_group", "websocket_route_target_group").health_check).toMatchObject({ port: "9090", path: "/health" });
    expect(resource(tf, "aws_vpc_security_group_ingress_rule", "websocket_health_check_from_load_balancer")).toMatchObject({
      security_group_id: "${aws_security_group.websocket_security_group.id}",
      referenced_security_group_id: `\${${COMPUTE}.load_balancer_security_group_id}`,
      from_port: 9090,
      to_port: 9090,
    });
    expect(resource(tf, "aws_vpc_security_group_egress_rule", "load_balancer_health_check_to_websocket")).toMatchObject({ from_port: 9090, to_port: 9090 });
    // The admin frontend keeps checking its traffic port.
    expect(resource(tf, "aws_lb_target_group", "frontend_route_target_group").health_check.port).toBe("traffic-port");
  });
});

describe("ingress constructs refuse what AWS would refuse", () => {
  const stack = () => new TerraformStack(Testing.app(), "probe");
  const loadBalancer = (scope: TerraformStack): PublicLoadBalancerProps => ({
    name: "sentry-alb-dev",
    vpcId: "vpc-1",
    subnetIds: ["subnet-1", "subnet-2"],
    allowedCidrs: ["0.0.0.0/0"],
    certificateArn: CERTIFICATE_ARN,
    accountId: "123456789012",
    accessLogs: { bucketName: "logs", retentionDays: 30, serverAccessLogs: { target: new SecureBucket(scope, "s3-logs", { bucketName: "s3-logs", encryption: "SSE-S3" }), prefix: "lb/" } },
  });
  const wafLogs = { logGroupName: "aws-waf-logs-sentry-dev", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k", retentionDays: 14, partition: "aws", region: "us-east-1" };
  const route: LoadBalancerRouteProps = { name: "sentry-ws-dev", vpcId: "vpc-1", listenerArn: "arn:listener", host: "ws.sentry.test", priority: 20, port: 8081 };

  test.each([
    [{ name: "sentry-load-balancer-of-the-development-environment" }, "PublicLoadBalancer sentry-load-balancer-of-the-development-environment: name must be at most 32 characters"],
    [{ allowedCidrs: [] }, "PublicLoadBalancer sentry-alb-dev: allowedCidrs must name at least one source"],
    [{ idleTimeoutSeconds: 5000 }, "PublicLoadBalancer sentry-alb-dev: idleTimeoutSeconds 5000 must be from 1 to 4000"],
    [{ waf: { name: "waf", requestsPerIpPer5Minutes: 10, logs: wafLogs } }, "PublicLoadBalancer waf waf: requestsPerIpPer5Minutes 10 must be a whole number >= 100"],
    [
      { waf: { name: "waf", requestsPerIpPer5Minutes: 100, logs: { ...wafLogs, logGroupName: "/sentry/dev/waf" } } },
      'PublicLoadBalancer waf waf: logs.logGroupName "/sentry/dev/waf" must start with aws-waf-logs- (WAF refuses other log groups)',
    ],
  ])("load balancer %j", (patch, message) => {
    const scope = stack();
    expect(() => new PublicLoadBalancer(scope, "lb", { ...loadBalancer(scope), ...patch })).toThrow(message);
  });

  test.each([
    [{ name: "sentry-websocket-8081-development-x" }, "LoadBalancerRoute sentry-websocket-8081-development-x: name must be at most 32 characters"],
    [{ priority: 0 }, "LoadBalancerRoute sentry-ws-dev: priority 0 must be from 1 to 50000"],
    [{ healthCheckPort: 0 }, "LoadBalancerRoute sentry-ws-dev: healthCheckPort 0 must be from 1 to 65535"],
    [{ sourceCidrs: ["1.0.0.0/8", "2.0.0.0/8", "3.0.0.0/8", "4.0.0.0/8", "5.0.0.0/8"] }, "LoadBalancerRoute sentry-ws-dev: sourceCidrs has 5 entries; expected 1 to 4"],
  ])("route %j", (patch, message) => {
    expect(() => new LoadBalancerRoute(stack(), "route", { ...route, ...patch })).toThrow(message);
  });

  test("the sign-in client calls back over HTTPS only", () => {
    expect(
      () =>
        new AdminUserPool(stack(), "pool", {
          name: "sentry-admin-dev",
          initialAdminEmail: "ops@sentry.test",
          loadBalancerSignIn: { domainPrefix: "sentry-admin-dev", callbackUrls: ["http://admin.sentry.test/oauth2/idpresponse"] },
        }),
    ).toThrow("AdminUserPool sentry-admin-dev: loadBalancerSignIn.callbackUrls must be one or more https:// URLs");
  });
});
