import { PUBLIC_ACCESS_SWITCHES } from "../resource-types";
import { PathStep, valueAt } from "./values";

/**
 * Controls a change can weaken without granting anything: encryption, key rotation, logging, deletion protection,
 * backups, public access blocks, the TLS policy, the firewall, alarm actions. Each control names the attribute that
 * holds it and says whether one set of values is weaker than another (drift: the value in AWS against the
 * configuration's). Only values are compared, never shown.
 */

interface Control {
  readonly types: readonly string[];
  /** How reports name it: `weakens <name>`. */
  readonly name: string;
  /** The top-level attributes that hold it: a change that reverts none of them does not touch it. */
  readonly attributes: readonly string[];
  /** True when `weaker` lacks what `stronger` has. */
  readonly weakened: (stronger: unknown, weaker: unknown) => boolean;
}

/** A switch, as a boolean or as the provider's "true"/"false" string; undefined when the values do not say. */
function switchAt(values: unknown, path: readonly PathStep[]): boolean | undefined {
  const value = valueAt(values, path);
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  return undefined;
}

/** A control that is on while the switch at `path` is. */
const turnedOff =
  (path: readonly PathStep[]) =>
  (stronger: unknown, weaker: unknown): boolean =>
    switchAt(stronger, path) === true && switchAt(weaker, path) === false;

const onOff = (types: readonly string[], name: string, path: readonly PathStep[]): Control => ({ types, name, attributes: [String(path[0])], weakened: turnedOff(path) });

/** A queue is encrypted with its KMS key or with SQS-managed keys. */
function queueEncrypted(values: unknown): boolean | undefined {
  const key = valueAt(values, ["kms_master_key_id"]);
  if (typeof key === "string" && key !== "") return true;
  return switchAt(values, ["sqs_managed_sse_enabled"]);
}

/** Every EBS mapping of a launch template encrypted; undefined without a mapping. */
function volumesEncrypted(values: unknown): boolean | undefined {
  const mappings = valueAt(values, ["block_device_mappings"]);
  if (!Array.isArray(mappings) || !mappings.length) return undefined;
  return mappings.every((_, index) => switchAt(values, ["block_device_mappings", index, "ebs", 0, "encrypted"]) !== false);
}

/**
 * The lowest TLS version an ELB security policy accepts, from its name (`ELBSecurityPolicy-TLS13-1-2-2021-06`: 1.2;
 * `ELBSecurityPolicy-2016-08`: 1.0). Names and versions: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
 * (read 2026-12-07). Undefined for a name that does not say.
 */
function minimumTlsVersion(policy: unknown): number | undefined {
  if (typeof policy !== "string") return undefined;
  const named = /-(?:TLS13|TLS|FS)-1-(\d)-/.exec(policy);
  if (named) return 1 + Number(named[1]) / 10;
  return /^ELBSecurityPolicy-(?:2016-08|2015-05|FS-2018-06)$/.test(policy) ? 1.0 : undefined;
}

function tlsDowngraded(stronger: unknown, weaker: unknown): boolean {
  const [wanted, found] = [minimumTlsVersion(valueAt(stronger, ["ssl_policy"])), minimumTlsVersion(valueAt(weaker, ["ssl_policy"]))];
  return wanted !== undefined && found !== undefined && found < wanted;
}

const KMS_ALGORITHMS: readonly unknown[] = ["aws:kms", "aws:kms:dsse"];
const SSE_ALGORITHM: readonly PathStep[] = ["rule", 0, "apply_server_side_encryption_by_default", 0, "sse_algorithm"];

const ALARM_TYPES = ["aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm"];
const PUBLIC_ACCESS_BLOCK_TYPES = ["aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"];

const CONTROLS: readonly Control[] = [
  onOff(["aws_kms_key"], "key rotation", ["enable_key_rotation"]),
  onOff(["aws_kms_key"], "key enabled", ["is_enabled"]),
  {
    types: ["aws_sqs_queue"],
    name: "queue encryption",
    attributes: ["kms_master_key_id", "sqs_managed_sse_enabled"],
    weakened: (stronger, weaker) => queueEncrypted(stronger) === true && queueEncrypted(weaker) === false,
  },
  onOff(["aws_dynamodb_table"], "table encryption with the KMS key", ["server_side_encryption", 0, "enabled"]),
  onOff(["aws_dynamodb_table"], "deletion protection", ["deletion_protection_enabled"]),
  onOff(["aws_dynamodb_table"], "point-in-time recovery", ["point_in_time_recovery", 0, "enabled"]),
  onOff(["aws_elasticache_replication_group"], "encryption at rest", ["at_rest_encryption_enabled"]),
  onOff(["aws_elasticache_replication_group"], "encryption in transit", ["transit_encryption_enabled"]),
  onOff(["aws_ebs_volume"], "volume encryption", ["encrypted"]),
  onOff(["aws_ebs_encryption_by_default"], "EBS encryption by default", ["enabled"]),
  { types: ["aws_launch_template"], name: "volume encryption", attributes: ["block_device_mappings"], weakened: (stronger, weaker) => volumesEncrypted(stronger) === true && volumesEncrypted(weaker) === false },
  {
    types: ["aws_s3_bucket_server_side_encryption_configuration"],
    name: "bucket encryption with the KMS key",
    attributes: ["rule"],
    weakened: (stronger, weaker) => KMS_ALGORITHMS.includes(valueAt(stronger, SSE_ALGORITHM)) && valueAt(weaker, SSE_ALGORITHM) === "AES256",
  },
  onOff(["aws_lb"], "access logs", ["access_logs", 0, "enabled"]),
  onOff(["aws_lb"], "deletion protection", ["enable_deletion_protection"]),
  { types: ["aws_lb_listener"], name: "TLS policy", attributes: ["ssl_policy"], weakened: tlsDowngraded },
  ...PUBLIC_ACCESS_SWITCHES.map((key) => onOff(PUBLIC_ACCESS_BLOCK_TYPES, `public access block (${key})`, [key])),
  onOff(ALARM_TYPES, "alarm actions", ["actions_enabled"]),
];

/** Resources that are a control by existing: deleting one removes it. */
const CONTROL_RESOURCES: Readonly<Record<string, string>> = {
  aws_s3_bucket_server_side_encryption_configuration: "bucket encryption",
  aws_s3_bucket_logging: "bucket access logging",
  aws_s3_bucket_public_access_block: "public access block",
  aws_s3_account_public_access_block: "public access block",
  aws_flow_log: "flow logs",
  aws_wafv2_web_acl_logging_configuration: "WAF logging",
  aws_wafv2_web_acl_association: "WAF association",
};

/** The controls held by `attributes` that `weaker` lacks and `stronger` has. */
export function weakenedControls(type: string, stronger: unknown, weaker: unknown, attributes: readonly string[]): string[] {
  return CONTROLS.filter((control) => control.types.includes(type) && control.attributes.some((name) => attributes.includes(name)) && control.weakened(stronger, weaker)).map(
    (control) => control.name,
  );
}

/** The control a deleted resource of `type` took with it. */
export function removedControls(type: string): string[] {
  const control = CONTROL_RESOURCES[type];
  return control ? [control] : [];
}
