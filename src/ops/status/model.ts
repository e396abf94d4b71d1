import { EnvironmentConfig, namesOf } from "../../config";
import { GUIDE_COUNTS, GuideCount } from "../../config/guide";
import { assumedRoleOf, nested, setting, stringList } from "../backend-config";
import { CertificateFacts, ServiceFacts, StateObject, SubscriptionFacts } from "./live";
import { ApplyRecord } from "../apply-record";
import { seeTroubleshooting } from "../troubleshooting";
import { instancesOf, resourceCount, TerraformState, text } from "./state";
import { ReportAccount, reportAccount } from "../report-account";

/**
 * `status` as data: pure functions from the phases' states, the saved plans and what AWS answers to a model
 * holding names, ids and statuses only (never a secret's value), which the renderers print and the exit code
 * reads. Two steps: `liveQueries` says what to ask AWS for the deployed resources; `buildStatus` ticks the
 * guide's checklist and lists what still needs a person.
 */

/** One phase as the command found it. */
export interface PhaseInput {
  readonly phase: string;
  readonly stack: string;
  /** Undefined: the workspace does not exist or its state is empty. */
  readonly state?: TerraformState;
  /** ISO time of the state object's last write, when it could be read. */
  readonly lastWrite?: string;
  /** Why the last write time is unknown. */
  readonly lastWriteNote?: string;
  /** A saved plan waits in the plan folder (`sentry-ops review`, then `deploy`). */
  readonly planWaiting: boolean;
  /** The phase's last apply recorded on this machine (`src/ops/apply-record.ts`). */
  readonly lastApply?: ApplyRecord;
}

export interface ServiceRef {
  readonly cluster: string;
  readonly name: string;
}

/** What `status` asks AWS, read from the deployed resources. */
export interface LiveQueries {
  readonly certificates: readonly string[];
  readonly connections: readonly string[];
  readonly topics: readonly string[];
  readonly secrets: readonly string[];
  readonly services: readonly ServiceRef[];
}

/** AWS's answers, keyed like the queries. */
export interface LiveFacts {
  readonly certificates: ReadonlyMap<string, CertificateFacts>;
  readonly connections: ReadonlyMap<string, string>;
  readonly subscriptions: ReadonlyMap<string, readonly SubscriptionFacts[]>;
  readonly secretStages: ReadonlyMap<string, Readonly<Record<string, readonly string[]>>>;
  readonly services: readonly (ServiceFacts & { readonly cluster: string })[];
}

export interface PhaseStatus {
  readonly phase: string;
  readonly stack: string;
  readonly deployed: boolean;
  readonly resources: number;
  readonly serial?: number;
  readonly lastWrite?: string;
  readonly lastWriteNote?: string;
  readonly planWaiting: boolean;
  /** The phase's last apply on this machine failed: when, its first error, its log. */
  readonly lastApplyFailed?: ApplyFailure;
}

/** A failed apply, as `deploy` or `destroy` recorded it on this machine. */
export interface ApplyFailure {
  /** `apply` or `destroy`. */
  readonly action: string;
  /** ISO time it ended. */
  readonly at: string;
  readonly error: string;
  /** The file holding its full output. */
  readonly log?: string;
}

export interface ChecklistItem {
  /** The phase that deploys it. */
  readonly phase: string;
  /** The guide's item, e.g. `SQS queues (9)` (counts from the configuration). */
  readonly item: string;
  readonly done: boolean;
  /** Names (and ids) found in state. */
  readonly found: readonly string[];
  /** What is missing, when not done. */
  readonly missing?: string;
}

export type ActionKind = "not-deployed" | "apply-failed" | "certificate" | "connection" | "subscription" | "secret" | "service";

/** Something a person has to do; `detail` lines hold names and DNS records, never a secret's value. */
export interface PersonAction {
  readonly kind: ActionKind;
  readonly subject: string;
  readonly text: string;
  readonly detail: readonly string[];
}

export interface StatusModel {
  readonly environment: string;
  /** The account the environment lives in and the role AWS was asked as. @default - no account configured */
  readonly account?: ReportAccount;
  readonly phases: readonly PhaseStatus[];
  readonly checklist: readonly ChecklistItem[];
  readonly actions: readonly PersonAction[];
  /** Every phase deployed, every checklist item ticked, nothing waiting for a person. */
  readonly complete: boolean;
}

/** The secrets Terraform creates with a placeholder for a person to fill (`filledBy: "person"`), by their names `sentry/<env>/<name>`. */
function personFilledSecrets(config: EnvironmentConfig): string[] {
  return namesOf(config.secrets)
    .filter((name) => config.secrets[name].filledBy === "person")
    .map((name) => `sentry/${config.name}/${name}`);
}
const PENDING_CONFIRMATION = "PendingConfirmation";

const stateOf = (phases: readonly PhaseInput[], phase: string): TerraformState | undefined => phases.find((p) => p.phase === phase)?.state;

const uniq = (values: readonly string[]): string[] => [...new Set(values)];

/** The resources whose live state `status` checks. */
export function liveQueries(config: EnvironmentConfig, phases: readonly PhaseInput[]): LiveQueries {
  const all = (type: string, attribute: string) => uniq(phases.flatMap((p) => instancesOf(p.state, type).map((a) => text(a, attribute) ?? "")).filter(Boolean));
  const foundation = stateOf(phases, "foundation");
  const personFilled = personFilledSecrets(config);
  const secrets = instancesOf(foundation, "aws_secretsmanager_secret")
    .filter((secret) => personFilled.includes(text(secret, "name") ?? ""))
    .map((secret) => text(secret, "arn") ?? "")
    .filter(Boolean);
  const services = phases.flatMap((p) => instancesOf(p.state, "aws_ecs_service")).flatMap((service): ServiceRef[] => {
    const cluster = text(service, "cluster");
    const name = text(service, "name");
    return cluster && name ? [{ cluster, name }] : [];
  });
  return {
    certificates: all("aws_acm_certificate", "arn"),
    connections: all("aws_codestarconnections_connection", "arn"),
    topics: uniq(phases.flatMap((p) => instancesOf(p.state, "aws_sns_topic_subscription").filter((s) => text(s, "protocol") === "email").map((s) => text(s, "topic_arn") ?? "")).filter(Boolean)),
    secrets,
    services,
  };
}

function phaseStatus(input: PhaseInput): PhaseStatus {
  const resources = resourceCount(input.state);
  return {
    phase: input.phase,
    stack: input.stack,
    deployed: resources > 0,
    resources,
    serial: input.state?.serial,
    lastWrite: input.lastWrite,
    lastWriteNote: input.lastWriteNote,
    planWaiting: input.planWaiting,
    ...(input.lastApply?.outcome === "failed"
      ? { lastApplyFailed: { action: input.lastApply.action, at: input.lastApply.finished, error: input.lastApply.error ?? "no error line recorded", log: input.lastApply.log } }
      : {}),
  };
}

/** `last apply failed <time>: <first error> (log: <file>)`, for the phase's detail and its finding. */
export function applyFailureText(failure: ApplyFailure): string {
  return `last ${failure.action} failed ${failure.at}: ${failure.error}${failure.log ? ` (log: ${failure.log})` : ""}`;
}

/** A phase whose last apply here failed: what state holds now is partial until it is planned and deployed again. */
function applyFailedActions(environment: string, statuses: readonly PhaseStatus[]): PersonAction[] {
  return statuses.flatMap((p): PersonAction[] => {
    if (!p.lastApplyFailed) return [];
    const next = p.lastApplyFailed.action === "destroy" ? `sentry-ops destroy ${environment} --phase ${p.phase}` : `sentry-ops plan ${environment} --phase ${p.phase}, review, deploy`;
    return [
      {
        kind: "apply-failed",
        subject: p.stack,
        text: `${applyFailureText(p.lastApplyFailed)}: fix the cause, then ${next} (recorded by sentry-ops on this machine only)${seeTroubleshooting("a-phase-half-applied")}`,
        detail: [],
      },
    ];
  });
}

/** A checklist item ticked when every expected name is among those found. */
function namedItem(phase: string, item: string, expected: readonly string[], found: readonly string[]): ChecklistItem {
  const missing = expected.filter((name) => !found.includes(name));
  return { phase, item, done: !missing.length, found: found.filter((name) => expected.includes(name)), missing: missing.length ? `not in state: ${missing.join(", ")}` : undefined };
}

/**
 * The VPC item: subnets in every configured zone (by name) and NAT gateways in one zone (non-prod) or in every
 * configured zone (per-az), a NAT gateway's zone being its subnet's; a count alone would tick three gateways in
 * one zone.
 */
function vpcItem(config: EnvironmentConfig, foundation: TerraformState | undefined): ChecklistItem {
  const perAz = config.network.natGateways === "per-az";
  const zones = config.network.availabilityZones;
  const phase = "foundation";
  const item = perAz ? `VPC Prod (multi-AZ: ${zones.length} zones, a NAT gateway in each)` : `VPC NonProd (${zones.length} zones, one NAT gateway)`;
  const vpcs = instancesOf(foundation, "aws_vpc");
  if (!vpcs.length) return { phase, item, done: false, found: [], missing: "no VPC in the foundation's state" };
  const subnets = instancesOf(foundation, "aws_subnet");
  const zoneOfSubnet = new Map(subnets.map((s) => [text(s, "id") ?? "", text(s, "availability_zone") ?? ""]));
  const subnetZones = uniq(subnets.map((s) => text(s, "availability_zone") ?? "").filter(Boolean)).sort();
  const nats = instancesOf(foundation, "aws_nat_gateway");
  const natZones = uniq(nats.map((n) => zoneOfSubnet.get(text(n, "subnet_id") ?? "") ?? "").filter(Boolean));
  const found = vpcs.map((vpc) => `${text(vpc, "id") ?? "?"} (${((vpc.tags ?? {}) as Record<string, string>).Name ?? "no Name tag"}) in ${subnetZones.join(", ") || "no subnet"}, ${nats.length} NAT gateway${nats.length === 1 ? "" : "s"}${natZones.length ? ` (${natZones.sort().join(", ")})` : ""}`);
  const noSubnet = zones.filter((zone) => !subnetZones.includes(zone));
  const noNat = zones.filter((zone) => !natZones.includes(zone));
  const problems = [
    ...(noSubnet.length ? [`no subnet in ${noSubnet.join(", ")}`] : []),
    ...(perAz && noNat.length ? [`no NAT gateway in ${noNat.join(", ")}`] : []),
    ...(!perAz && !nats.length ? ["no NAT gateway"] : []),
  ];
  return { phase, item, done: !problems.length, found, missing: problems.length ? problems.join("; ") : undefined };
}

/** Task definitions by family; those of services with exchange credentials must reference the secret. */
function taskDefinitionItems(config: EnvironmentConfig, phases: readonly PhaseInput[]): ChecklistItem[] {
  const env = config.name;
  const definitions = phases.flatMap((p) => instancesOf(p.state, "aws_ecs_task_definition"));
  const exchangeSecret = instancesOf(stateOf(phases, "foundation"), "aws_secretsmanager_secret").find((s) => text(s, "name") === `sentry/${env}/exchange-credentials`);
  const phase = "services";
  return config.services.map((service) => {
    const family = `sentry-${service.name}-${env}`;
    const needsSecret = service.exchangeCredentials;
    const secretArn = service.exchangeCredentialsSecretArn ?? (exchangeSecret ? text(exchangeSecret, "arn") : undefined);
    const item = `Task definition ${service.name}${needsSecret ? " (with the exchange credentials secret)" : ""}`;
    const definition = definitions.find((d) => text(d, "family") === family);
    if (!definition) return { phase, item, done: false, found: [], missing: `no task definition ${family} in state` };
    const found = `${family}:${String(definition.revision ?? "?")}`;
    if (!needsSecret) return { phase, item, done: true, found: [found] };
    const variables = secretVariables(text(definition, "container_definitions"), secretArn);
    if (!variables.length) return { phase, item, done: false, found: [found], missing: `no container secret from ${secretArn ?? `sentry/${env}/exchange-credentials`}` };
    return { phase, item, done: true, found: [`${found} (${variables.join(", ")} from ${secretName(secretArn as string)})`] };
  });
}

/** The container variables a task definition fills from `secretArn` (names only). */
function secretVariables(containerDefinitions: string | undefined, secretArn: string | undefined): string[] {
  if (!containerDefinitions || !secretArn) return [];
  let containers: unknown;
  try {
    containers = JSON.parse(containerDefinitions);
  } catch {
    return [];
  }
  if (!Array.isArray(containers)) return [];
  return containers.flatMap((container: { secrets?: { name?: string; valueFrom?: string }[] }) =>
    (container.secrets ?? []).filter((s) => s.valueFrom === secretArn || s.valueFrom?.startsWith(`${secretArn}:`)).map((s) => s.name ?? "?"),
  );
}

/** `sentry/dev/exchange-credentials` from its ARN (Secrets Manager adds `-XXXXXX`). */
function secretName(arn: string): string {
  const name = arn.split(":secret:")[1] ?? arn;
  return name.replace(/-[A-Za-z0-9]{6}$/, "");
}

/** `; the guide's checklist: 9` when the configuration's count differs from the guide's. */
function besideGuide(count: number, guide: GuideCount): string {
  return count === guide.count ? "" : `; the guide's checklist: ${guide.count}`;
}

/** The guide's "Checklist por Ambiente", ticked from the states, for the phases given (`--phase`). */
export function checklist(config: EnvironmentConfig, phases: readonly PhaseInput[]): ChecklistItem[] {
  const env = config.name;
  const names = (phase: string, type: string, attribute: string) => instancesOf(stateOf(phases, phase), type).map((a) => text(a, attribute) ?? "").filter(Boolean);
  const queues = config.queues.map((queue) => `sentry-${queue.name}-${env}${queue.type === "fifo" ? ".fifo" : ""}`);
  const secrets = namesOf(config.secrets).map((name) => `sentry/${env}/${name}`);
  return [
    vpcItem(config, stateOf(phases, "foundation")),
    namedItem("foundation", "Cognito user pool", [`sentry-admin-${env}`], names("foundation", "aws_cognito_user_pool", "name")),
    ...namesOf(config.tables).map((table) => namedItem("foundation", `DynamoDB ${table}`, [`sentry-${table}-${env}`], names("foundation", "aws_dynamodb_table", "name"))),
    namedItem("foundation", `SQS queues (${queues.length}${besideGuide(queues.length, GUIDE_COUNTS.queues)})`, queues, names("foundation", "aws_sqs_queue", "name")),
    namedItem("foundation", `Secrets Manager (${secrets.length})`, secrets, names("foundation", "aws_secretsmanager_secret", "name")),
    namedItem("data", "ElastiCache Redis", [`sentry-redis-${env}`], names("data", "aws_elasticache_replication_group", "replication_group_id")),
    ...Object.keys(config.clusters).map((cluster) => namedItem("compute", `ECS cluster ${cluster}`, [`sentry-${cluster}-${env}`], names("compute", "aws_ecs_cluster", "name"))),
    ...taskDefinitionItems(config, phases),
  ].filter((item) => phases.some((p) => p.phase === item.phase));
}

function certificateActions(phases: readonly PhaseInput[], live: LiveFacts): PersonAction[] {
  return phases.flatMap((p) => instancesOf(p.state, "aws_acm_certificate")).flatMap((certificate): PersonAction[] => {
    const arn = text(certificate, "arn") ?? "";
    const facts = live.certificates.get(arn);
    if (!facts || facts.status === "ISSUED") return [];
    const subject = `certificate ${text(certificate, "domain_name") ?? arn}`;
    if (facts.status !== "PENDING_VALIDATION") {
      return [{ kind: "certificate", subject, text: `is ${facts.status}: it will not be issued; replace it (sentry-ops plan, review, deploy of foundation) and validate the new one${seeTroubleshooting("certificate-pending")}`, detail: [arn] }];
    }
    const records = uniq(facts.records.map((r) => `${r.name} ${r.type} ${r.value}`));
    return [{ kind: "certificate", subject, text: `is PENDING_VALIDATION: add these DNS records at your DNS provider (phase compute waits for the certificate)${seeTroubleshooting("certificate-pending")}`, detail: records }];
  });
}

function connectionActions(phases: readonly PhaseInput[], live: LiveFacts): PersonAction[] {
  return phases.flatMap((p) => instancesOf(p.state, "aws_codestarconnections_connection")).flatMap((connection): PersonAction[] => {
    const arn = text(connection, "arn") ?? "";
    const status = live.connections.get(arn);
    if (!status || status === "AVAILABLE") return [];
    const name = text(connection, "name") ?? arn;
    const where = `console: Developer Tools > Settings > Connections > ${name} > Update pending connection`;
    return [{ kind: "connection", subject: `CodeStar connection ${name}`, text: `is ${status}: complete the GitHub handshake (${where}); pipelines fail until then${seeTroubleshooting("codestar-connection-pending")}`, detail: [arn] }];
  });
}

function subscriptionActions(phases: readonly PhaseInput[], live: LiveFacts): PersonAction[] {
  return phases.flatMap((p) => instancesOf(p.state, "aws_sns_topic_subscription")).flatMap((subscription): PersonAction[] => {
    if (text(subscription, "protocol") !== "email") return [];
    const topic = text(subscription, "topic_arn") ?? "";
    const endpoint = text(subscription, "endpoint") ?? "";
    const answers = live.subscriptions.get(topic);
    if (!answers) return [];
    const subject = `alarm e-mail subscription ${endpoint} to ${topic.split(":").pop()}`;
    const current = answers.find((s) => s.protocol === "email" && s.endpoint === endpoint);
    if (!current) return [{ kind: "subscription", subject, text: "is gone (an unconfirmed subscription expires after 3 days): deploy foundation again to re-send the confirmation mail, then follow its link", detail: [] }];
    if (current.arn !== PENDING_CONFIRMATION) return [];
    return [{ kind: "subscription", subject, text: `is unconfirmed: follow the link in AWS's "Subscription Confirmation" mail to ${endpoint}, or no alarm reaches anyone`, detail: [] }];
  });
}

function secretActions(config: EnvironmentConfig, phases: readonly PhaseInput[], live: LiveFacts): PersonAction[] {
  const foundation = stateOf(phases, "foundation");
  const versions = instancesOf(foundation, "aws_secretsmanager_secret_version");
  const personFilled = personFilledSecrets(config);
  return instancesOf(foundation, "aws_secretsmanager_secret").flatMap((secret): PersonAction[] => {
    const name = text(secret, "name") ?? "";
    const arn = text(secret, "arn") ?? "";
    if (!personFilled.includes(name)) return [];
    const stages = live.secretStages.get(arn);
    const placeholder = versions.filter((v) => text(v, "secret_id") === arn || text(v, "arn") === arn).map((v) => text(v, "version_id"));
    if (!stages) return [];
    const current = Object.entries(stages).find(([, labels]) => labels.includes("AWSCURRENT"))?.[0];
    if (!current || !placeholder.includes(current)) return [];
    return [
      {
        kind: "secret",
        subject: `secret ${name}`,
        text: `still holds the placeholder Terraform wrote: put the real credentials in (console: Secrets Manager > Retrieve secret value > Edit); Terraform never reverts them${seeTroubleshooting("placeholder-values")}`,
        detail: [],
      },
    ];
  });
}

function serviceActions(live: LiveFacts): PersonAction[] {
  return live.services.flatMap((service): PersonAction[] => {
    const subject = `ECS service ${service.name} (${service.cluster.split("/").pop()})`;
    if (service.status === "MISSING" || service.status === "INACTIVE") {
      return [{ kind: "service", subject, text: `is ${service.status === "MISSING" ? "not found" : "INACTIVE"} in ECS${service.rolloutReason ? ` (${service.rolloutReason})` : ""}: plan and deploy services`, detail: [] }];
    }
    if (service.running >= service.desired) return [];
    const rollout = service.rollout ? `; last deployment ${service.rollout}${service.rolloutReason ? `: ${service.rolloutReason}` : ""}` : "";
    return [{ kind: "service", subject, text: `runs ${service.running} of ${service.desired} tasks${rollout}`, detail: [] }];
  });
}

/** The model the renderers print. */
export function buildStatus(config: EnvironmentConfig, phases: readonly PhaseInput[], live: LiveFacts): StatusModel {
  const statuses = phases.map(phaseStatus);
  const items = checklist(config, phases);
  const actions: PersonAction[] = [
    ...applyFailedActions(config.name, statuses),
    ...statuses.filter((p) => !p.deployed).map((p): PersonAction => ({ kind: "not-deployed", subject: p.stack, text: `not deployed: sentry-ops plan ${config.name} --phase ${p.phase}, review, deploy`, detail: [] })),
    ...certificateActions(phases, live),
    ...connectionActions(phases, live),
    ...subscriptionActions(phases, live),
    ...secretActions(config, phases, live),
    ...serviceActions(live),
  ];
  const account = reportAccount(config);
  return { environment: config.name, ...(account && { account }), phases: statuses, checklist: items, actions, complete: !actions.length && items.every((item) => item.done) };
}

/** 0 complete, 2 something needs a person (a phase to deploy included). */
export function statusExitCode(model: StatusModel): 0 | 2 {
  return model.complete ? 0 : 2;
}

/** Where `init` says the phase's state lives: `.terraform/terraform.tfstate`'s S3 backend settings. */
export function stateObjectOf(backendFile: unknown, workspace: string): StateObject | undefined {
  const backend = (backendFile as { backend?: { type?: string; config?: Record<string, unknown> } })?.backend;
  if (backend?.type !== "s3" || !backend.config) return undefined;
  const config = backend.config;
  const [bucket, key, region] = [setting(config.bucket), setting(config.key), setting(config.region)];
  if (!bucket || !key || !region) return undefined;
  const prefix = setting(config.workspace_key_prefix) ?? "env:";
  const endpoints = nested(config.endpoints);
  const assumeRole = assumedRoleOf(config);
  const webIdentityRole = setting(nested(config.assume_role_with_web_identity)?.role_arn);
  const credentialFiles = [config.shared_config_files, config.shared_credentials_files, config.shared_credentials_file].flatMap((value) => stringList(value) ?? setting(value) ?? []);
  return {
    bucket,
    key: workspace === "default" ? key : `${prefix}/${workspace}/${key}`,
    region,
    endpoint: setting(endpoints?.s3 ?? config.endpoint),
    pathStyle: config.use_path_style === true || config.force_path_style === true ? true : undefined,
    ...(setting(config.profile) ? { profile: setting(config.profile) } : {}),
    ...(assumeRole ? { assumeRole } : {}),
    ...(webIdentityRole ? { webIdentityRole } : {}),
    ...(credentialFiles.length ? { credentialFiles } : {}),
  };
}
