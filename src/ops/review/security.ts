import { IDENTITY_ATTRIBUTES, isSecuritySensitive, POLICY_ARN_ATTRIBUTES, POLICY_ATTRIBUTES, PROTECTION_TYPES, PUBLIC_ACCESS_SWITCHES } from "../resource-types";
import { PlanChange } from "./plan-json";
import { Broadening, diffPolicies, PolicyDocument, policyAt } from "./policy-diff";
import { PathStep, showValue, ValueMarks, valueAt } from "./values";

/**
 * What a change to a security-sensitive resource grants or takes away: IAM statements, attached managed
 * policies, security group rules (protocol, ports, source), public access switches; for the other types the
 * names of the attributes that change. Values come out only through `showValue`.
 */

export interface SecurityLine {
  /** `+` granted / added, `-` revoked / removed, `~` changed. */
  readonly sign: "+" | "-" | "~";
  readonly text: string;
}

export interface SecurityFinding {
  readonly lines: readonly SecurityLine[];
  readonly broadening: Broadening;
}

interface Side {
  readonly root: unknown;
  readonly marks: ValueMarks;
}

function sides(change: PlanChange): { before: Side; after: Side } {
  const deleting = !change.actions.includes("create") && change.actions.includes("delete");
  const creating = change.actions.includes("create") && !change.actions.includes("delete");
  return {
    before: { root: creating ? null : change.before, marks: { sensitive: change.before_sensitive } },
    after: { root: deleting ? null : change.after, marks: { sensitive: change.after_sensitive, unknown: change.after_unknown } },
  };
}

function combine(values: Broadening[]): Broadening {
  if (values.includes("yes")) return "yes";
  return values.includes("unknown") ? "unknown" : "no";
}

/** Labelled documents of one side: `policy`, `assume_role_policy`, `inline_policy <name>`. */
function documents(side: Side): Map<string, PolicyDocument> {
  const found = new Map<string, PolicyDocument>();
  for (const attribute of POLICY_ATTRIBUTES) found.set(attribute, policyAt(side.root, side.marks, [attribute]));
  const inline = valueAt(side.root, ["inline_policy"]);
  if (Array.isArray(inline)) {
    inline.forEach((_, index) => {
      const name = showValue(side.root, side.marks, ["inline_policy", index, "name"]);
      found.set(`inline_policy ${name}`, policyAt(side.root, side.marks, ["inline_policy", index, "policy"]));
    });
  }
  return found;
}

function policyFindings(before: Side, after: Side): SecurityFinding[] {
  const beforeDocs = documents(before);
  const afterDocs = documents(after);
  return [...new Set([...beforeDocs.keys(), ...afterDocs.keys()])].flatMap((label): SecurityFinding[] => {
    const old = beforeDocs.get(label) ?? { state: "absent" };
    const next = afterDocs.get(label) ?? { state: "absent" };
    if (old.state === "absent" && next.state === "absent") return [];
    const diff = diffPolicies(old, next);
    if (diff.unreadable) return [{ lines: [{ sign: "~", text: `${label} ${diff.unreadable}` }], broadening: diff.broadening }];
    const lines = [...diff.removed.map((text) => ({ sign: "-" as const, text: `${label}: ${text}` })), ...diff.added.map((text) => ({ sign: "+" as const, text: `${label}: ${text}` }))];
    return lines.length ? [{ lines, broadening: diff.broadening }] : [];
  });
}

/** Values of a string or list attribute, each through `showValue`. */
function shownList(side: Side, path: readonly PathStep[]): string[] {
  const value = valueAt(side.root, path);
  if (Array.isArray(value)) return value.map((_, index) => showValue(side.root, side.marks, [...path, index]));
  const shown = showValue(side.root, side.marks, path);
  return shown === "null" || shown === "" ? [] : [shown];
}

function setFinding(before: string[], after: string[], describe: (item: string) => string): SecurityFinding[] {
  const added = after.filter((item) => !before.includes(item));
  const removed = before.filter((item) => !after.includes(item));
  if (!added.length && !removed.length) return [];
  return [
    {
      lines: [...removed.map((item) => ({ sign: "-" as const, text: describe(item) })), ...added.map((item) => ({ sign: "+" as const, text: describe(item) }))],
      broadening: added.length ? "yes" : "no",
    },
  ];
}

function policyArnFindings(before: Side, after: Side): SecurityFinding[] {
  return POLICY_ARN_ATTRIBUTES.flatMap((attribute) => setFinding(shownList(before, [attribute]), shownList(after, [attribute]), (arn) => `managed policy ${arn}`));
}

function ports(side: Side, path: readonly PathStep[], protocolKey: string): string {
  const protocol = showValue(side.root, side.marks, [...path, protocolKey]);
  if (protocol === "-1" || protocol === "all") return "all traffic";
  const from = showValue(side.root, side.marks, [...path, "from_port"]);
  const to = showValue(side.root, side.marks, [...path, "to_port"]);
  return `${protocol} ${from === to ? from : `${from}-${to}`}`;
}

/** Sources of one rule: every CIDR, referenced group, prefix list, or `self`. */
function sources(side: Side, path: readonly PathStep[], keys: readonly string[]): string[] {
  return keys.flatMap((key) => {
    if (key === "self") return valueAt(side.root, [...path, key]) === true ? ["self"] : [];
    return shownList(side, [...path, key]);
  });
}

const RULE_RESOURCE_SOURCES = ["cidr_ipv4", "cidr_ipv6", "referenced_security_group_id", "prefix_list_id"];
const LEGACY_RULE_SOURCES = ["cidr_blocks", "ipv6_cidr_blocks", "source_security_group_id", "prefix_list_ids", "self"];
const INLINE_RULE_SOURCES = ["cidr_blocks", "ipv6_cidr_blocks", "security_groups", "prefix_list_ids", "self"];

function ruleLines(side: Side, type: string): string[] {
  if (side.root === null || side.root === undefined) return [];
  const rule = (direction: string, path: readonly PathStep[], protocolKey: string, keys: readonly string[]): string[] => {
    const range = ports(side, path, protocolKey);
    const preposition = direction === "ingress" ? "from" : "to";
    const found = sources(side, path, keys);
    return (found.length ? found : ["(no source)"]).map((source) => `${direction} ${range} ${preposition} ${source}`);
  };
  if (type === "aws_vpc_security_group_ingress_rule") return rule("ingress", [], "ip_protocol", RULE_RESOURCE_SOURCES);
  if (type === "aws_vpc_security_group_egress_rule") return rule("egress", [], "ip_protocol", RULE_RESOURCE_SOURCES);
  if (type === "aws_security_group_rule") return rule(showValue(side.root, side.marks, ["type"]), [], "protocol", LEGACY_RULE_SOURCES);
  return ["ingress", "egress"].flatMap((direction) => {
    const blocks = valueAt(side.root, [direction]);
    if (!Array.isArray(blocks)) {
      const shown = showValue(side.root, side.marks, [direction]);
      return shown === "null" ? [] : [`${direction} ${shown}`];
    }
    return blocks.flatMap((_, index) => rule(direction, [direction, index], "protocol", INLINE_RULE_SOURCES));
  });
}

/** Each rule of a security group or rule resource as text (`ingress tcp 443 from 10.0.0.0/16`), through `showValue`. */
export function ruleTexts(type: string, root: unknown, marks: ValueMarks): string[] {
  return ruleLines({ root, marks }, type);
}

const RULE_TYPES: readonly string[] = ["aws_security_group", "aws_default_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"];

function publicAccessFindings(before: Side, after: Side): SecurityFinding[] {
  const on = (side: Side) => PUBLIC_ACCESS_SWITCHES.filter((key) => valueAt(side.root, [key]) === true).map(String);
  const [was, is] = [on(before), on(after)];
  const lifted = was.filter((key) => !is.includes(key));
  if (!lifted.length) return [];
  return [{ lines: lifted.map((key) => ({ sign: "-" as const, text: `${key} (no longer blocked)` })), broadening: "yes" }];
}

/** A changed role or instance profile (as text: a profile is a block) may grant more: possibly broadening. */
function identityFindings(before: Side, after: Side): SecurityFinding[] {
  if (!before.root || !after.root) return [];
  return IDENTITY_ATTRIBUTES.flatMap((attribute): SecurityFinding[] => {
    const [was, is] = [showValue(before.root, before.marks, [attribute]), showValue(after.root, after.marks, [attribute])];
    return was === is ? [] : [{ lines: [{ sign: "~", text: `${attribute}: ${was} -> ${is}` }], broadening: "unknown" }];
  });
}

/** Switches whose new value hands out more: a privileged build container, instance metadata without a token. */
const RISKY_SETTINGS: readonly { readonly path: readonly PathStep[]; readonly risky: unknown; readonly text: string }[] = [
  { path: ["environment", 0, "privileged_mode"], risky: true, text: "privileged_mode on (the build runs Docker with host privileges)" },
  { path: ["metadata_options", 0, "http_tokens"], risky: "optional", text: "metadata_options.http_tokens optional (instance metadata without IMDSv2 tokens)" },
];

function riskySettingFindings(before: Side, after: Side): SecurityFinding[] {
  return RISKY_SETTINGS.flatMap((setting): SecurityFinding[] => {
    const turnedOn = valueAt(after.root, setting.path) === setting.risky && valueAt(before.root, setting.path) !== setting.risky;
    return turnedOn ? [{ lines: [{ sign: "+", text: setting.text }], broadening: "yes" }] : [];
  });
}

/** True when either side of the change holds an IAM document (or one not known yet) in a policy attribute. */
export function hasPolicyDocument(change: PlanChange): boolean {
  const { before, after } = sides(change);
  return [before, after].some((side) =>
    POLICY_ATTRIBUTES.some((attribute) => {
      const document = policyAt(side.root, side.marks, [attribute]);
      return document.state === "sensitive" || document.state === "unknown" || (document.state === "known" && document.statements.length > 0);
    }),
  );
}

/** Names of attributes that differ, for the types whose settings are the security fact (pools, WAF, listeners). */
export type ChangedNames = (change: PlanChange) => string[];

/** The security facts of one change to a security-sensitive type. */
export function securityFinding(type: string, change: PlanChange, changedNames: ChangedNames): SecurityFinding {
  const { before, after } = sides(change);
  const deleting = after.root === null;
  const findings: SecurityFinding[] = [
    ...policyFindings(before, after),
    ...policyArnFindings(before, after),
    ...identityFindings(before, after),
    ...riskySettingFindings(before, after),
  ];
  if (RULE_TYPES.includes(type)) {
    findings.push(...setFinding(ruleLines(before, type), ruleLines(after, type), (rule) => rule));
  } else if (type === "aws_s3_bucket_public_access_block") {
    findings.push(...publicAccessFindings(before, after));
  } else if (isSecuritySensitive(type) && findings.length === 0 && before.root && after.root) {
    const names = changedNames(change).filter((name) => !name.startsWith("tags"));
    if (names.length && !deleting) findings.push({ lines: names.map((name) => ({ sign: "~" as const, text: name })), broadening: "no" });
  }
  if (deleting && PROTECTION_TYPES.includes(type)) findings.push({ lines: [{ sign: "-", text: "protection removed" }], broadening: "yes" });
  return { lines: findings.flatMap((finding) => finding.lines), broadening: combine(findings.map((finding) => finding.broadening)) };
}
