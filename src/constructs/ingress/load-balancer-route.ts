import { LbListenerRule, LbListenerRuleAction, LbListenerRuleCondition } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Construct } from "constructs";

/** Sign users in with a Cognito user pool before forwarding (`authenticate-cognito`). */
export interface CognitoSignInProps {
  readonly userPoolArn: string;
  /** The load balancer's confidential app client. */
  readonly userPoolClientId: string;
  /** Hosted UI domain prefix of the pool. */
  readonly userPoolDomain: string;
  /** Seconds the load balancer's session cookie lasts. @default 28800 */
  readonly sessionTimeoutSeconds?: number;
}

export interface LoadBalancerRouteProps {
  /** Target group name (at most 32 characters). */
  readonly name: string;
  readonly vpcId: string;
  /** HTTPS listener the host rule is added to. */
  readonly listenerArn: string;
  /** Host the rule matches, e.g. `admin.trading.acme.io`. */
  readonly host: string;
  /** Rule priority on the listener (1 to 50000; lower is evaluated first, unique per listener). */
  readonly priority: number;
  /** Port the tasks listen on (targets are awsvpc task IPs). */
  readonly port: number;
  /** Health check path. @default "/" */
  readonly healthCheckPath?: string;
  /** HTTP codes a healthy target answers. @default "200" */
  readonly healthCheckMatcher?: string;
  /** Port the health check calls. @default - the traffic port */
  readonly healthCheckPort?: number;
  /** Seconds a deregistering target keeps its connections. @default 30 */
  readonly deregistrationDelaySeconds?: number;
  /** Only these source CIDRs match the rule; others fall through to the listener's default. @default - any source */
  readonly sourceCidrs?: readonly string[];
  /** @default - no sign-in: the application authenticates its clients itself */
  readonly cognitoSignIn?: CognitoSignInProps;
}

const DEFAULT_HEALTH_CHECK_PATH = "/";
const DEFAULT_HEALTH_CHECK_MATCHER = "200";
const DEFAULT_DEREGISTRATION_DELAY_SECONDS = 30;
const DEFAULT_SESSION_TIMEOUT_SECONDS = 8 * 3600;
const HEALTHY_THRESHOLD = 2;
const UNHEALTHY_THRESHOLD = 3;
const HEALTH_CHECK_INTERVAL_SECONDS = 15;

/**
 * A host-based route on a load balancer's HTTPS listener to an `ip` target group (awsvpc tasks register
 * themselves through their ECS service). Stickiness is off; with `cognitoSignIn` the load balancer
 * authenticates every request first, so an unauthenticated request never reaches a target.
 */
export class LoadBalancerRoute extends Construct {
  readonly targetGroup: LbTargetGroup;
  /** The listener rule: an ECS service naming the target group must be created after it. */
  readonly rule: LbListenerRule;

  constructor(scope: Construct, id: string, props: LoadBalancerRouteProps) {
    super(scope, id);
    const deregistrationDelay = props.deregistrationDelaySeconds ?? DEFAULT_DEREGISTRATION_DELAY_SECONDS;
    const sessionTimeout = props.cognitoSignIn?.sessionTimeoutSeconds ?? DEFAULT_SESSION_TIMEOUT_SECONDS;
    const fail = (message: string) => new Error(`LoadBalancerRoute ${props.name}: ${message}`);
    if (props.name.length > 32) throw fail("name must be at most 32 characters");
    if (!Number.isInteger(props.priority) || props.priority < 1 || props.priority > 50000) throw fail(`priority ${props.priority} must be from 1 to 50000`);
    for (const [prop, port] of [["port", props.port], ["healthCheckPort", props.healthCheckPort ?? 1]] as const) {
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw fail(`${prop} ${port} must be from 1 to 65535`);
    }
    // A rule holds at most five condition values; the host header takes one.
    if (props.sourceCidrs !== undefined && (props.sourceCidrs.length < 1 || props.sourceCidrs.length > 4)) {
      throw fail(`sourceCidrs has ${props.sourceCidrs.length} entries; expected 1 to 4`);
    }

    this.targetGroup = new LbTargetGroup(this, "target-group", {
      name: props.name,
      vpcId: props.vpcId,
      targetType: "ip",
      protocol: "HTTP",
      port: props.port,
      deregistrationDelay: String(deregistrationDelay),
      stickiness: { type: "lb_cookie", enabled: false },
      // A replacement (new port, new name) must be attached before the old group, still used by the rule, goes.
      lifecycle: { createBeforeDestroy: true },
      healthCheck: {
        enabled: true,
        protocol: "HTTP",
        port: props.healthCheckPort === undefined ? "traffic-port" : String(props.healthCheckPort),
        path: props.healthCheckPath ?? DEFAULT_HEALTH_CHECK_PATH,
        matcher: props.healthCheckMatcher ?? DEFAULT_HEALTH_CHECK_MATCHER,
        interval: HEALTH_CHECK_INTERVAL_SECONDS,
        healthyThreshold: HEALTHY_THRESHOLD,
        unhealthyThreshold: UNHEALTHY_THRESHOLD,
      },
    });

    const signIn = props.cognitoSignIn;
    const actions: LbListenerRuleAction[] = [
      ...(signIn
        ? [
            {
              type: "authenticate-cognito",
              order: 1,
              authenticateCognito: {
                userPoolArn: signIn.userPoolArn,
                userPoolClientId: signIn.userPoolClientId,
                userPoolDomain: signIn.userPoolDomain,
                sessionTimeout,
                scope: "openid email",
                onUnauthenticatedRequest: "authenticate",
              },
            },
          ]
        : []),
      { type: "forward", order: signIn ? 2 : 1, targetGroupArn: this.targetGroup.arn },
    ];
    const conditions: LbListenerRuleCondition[] = [
      { hostHeader: { values: [props.host] } },
      ...(props.sourceCidrs ? [{ sourceIp: { values: [...props.sourceCidrs] } }] : []),
    ];
    this.rule = new LbListenerRule(this, "rule", {
      listenerArn: props.listenerArn,
      priority: props.priority,
      action: actions,
      condition: conditions,
    });
  }
}
