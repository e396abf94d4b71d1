import { readFileSync } from "fs";
import { join } from "path";
import { accountWarnings, ConfigError, EnvironmentConfig, EnvironmentName, exampleValuesInUse, loadEnvironmentConfig, placeholderWarnings } from "../config";
import { bootstrapStackName, BootstrapTarget, Phase, PHASES, stackName } from "../stacks/names";
import { writeTerraformCliConfig } from "../lib/terraform-cli";
import { BackendSettings } from "./backend-config";
import { Fingerprint, fingerprintOf, PlanStore, staleReason } from "./plan-store";
import { buildDriftReport, driftExitCode, DriftOtherPhase, DriftStackPlan } from "./drift/model";
import { stateRuleResources } from "./drift/rules";
import { renderDrift } from "./drift/render";
import { Approvals, buildReview, COUNTED_ACTIONS, Review, reviewExitCode, StackPlan } from "./review/model";
import { PlanJson, StateResource } from "./review/plan-json";
import { renderReview, renderText, ReviewFormat } from "./review/render";
import { showValue } from "./review/values";
import { Outcome, runGraph } from "./schedule";
import { ProtectedResource, protectedInConfiguration, protectedInPlan } from "./protection";
import { OverrideFile } from "./override-files";
import { AssumedRoles, CallerIdentity, CredentialsResolver, requireCredentials } from "./credentials";
import { refuseExampleValues, warnWithoutAlarmEmail } from "./preflight";
import { recordApply } from "./apply-record";
import { seeTroubleshooting } from "./troubleshooting";
import { reportAccount } from "./report-account";
import { failureLine, OpsFailure, OpsIo, protectDataFix, Session, WorkspaceMissing } from "./session";
import { phaseOf, phaseStack, readSynthesized, SynthesizedEnvironment, SynthesizedStack, Synthesizer, writeStateReaders } from "./stacks";
import { CallerAccount, checkBootstrapAccount, checkedCallerAccount, configuredRoles, environmentCredentials } from "./aws-account";
import { fetchLive, readPhase } from "./status/collect";
import { sdkStatusAws, StatusAwsFactory } from "./status/live";
import { buildStatus, liveQueries, statusExitCode } from "./status/model";
import { renderStatus } from "./status/render";
import { parseState } from "./status/state";
import { scalingCommand } from "./scaling/command";
import { ScalingAwsFactory } from "./scaling/collect";
import { costCommand, reviewCost } from "./cost/command";
import { secondsSince } from "./elapsed";

/**
 * The operator commands. Each synthesizes the environment once, in this process (`status` and `outputs`, which
 * only read state, write each phase's backend instead), then drives terraform in the stack folders through the
 * session (and so through the injected runner), phases in dependency order.
 */

export const COMMANDS = ["bootstrap", "plan", "review", "deploy", "drift", "outputs", "destroy", "status", "scaling", "cost"] as const;
export type Command = (typeof COMMANDS)[number];

export interface CommandOptions {
  readonly environment: EnvironmentName;
  /** Only these phases; empty: every phase. */
  readonly phases: readonly Phase[];
  readonly backendConfig?: string;
  /** The settings of `backendConfig`, for every remote-state read. */
  readonly backendSettings?: BackendSettings;
  /** The files of `--override DIR`, read once. */
  readonly overrides?: readonly OverrideFile[];
  readonly approvals: Approvals;
  readonly format: ReviewFormat;
  /** destroy: no confirmation question. */
  readonly yes: boolean;
  /** scaling: only these services (`--service`); empty or unset: every service. */
  readonly services?: readonly string[];
  /** scaling: the window in seconds (`--since`). @default - 1 hour */
  readonly since?: number;
  /** cost: `--usage FILE`, usage replacing the environment's estimate. @default - the estimate in src/config/usage.ts */
  readonly usageFile?: string;
  /** cost: `all` instead of one environment. @default false */
  readonly allEnvironments?: boolean;
  /** bootstrap: which account's bootstrap (`--account`); needed in the per-environment layout. @default - the single account's */
  readonly account?: "state" | EnvironmentName;
}

export interface OpsDependencies extends OpsIo {
  readonly synthesize: Synthesizer;
  /** Resolves the AWS credentials once, before terraform runs (tests pass stubs). */
  readonly resolveCredentials: CredentialsResolver;
  /** The AWS clients `status` asks (tests pass stubs). @default - the AWS SDK's, loaded when `status` runs */
  readonly statusAws?: StatusAwsFactory;
  /** The AWS clients `scaling` asks (tests pass stubs). @default - the AWS SDK's, loaded when `scaling` runs */
  readonly scalingAws?: ScalingAwsFactory;
  /** The account of the run's credentials, as `bootstrap` checks it (tests pass stubs). @default - the credentials check's answer (STS GetCallerIdentity) */
  readonly callerAccount?: CallerAccount;
}


interface Run {
  readonly io: OpsDependencies;
  readonly config: EnvironmentConfig;
  readonly options: CommandOptions;
  readonly synthesized: SynthesizedEnvironment;
  readonly session: Session;
  readonly store: PlanStore;
  readonly workDir: string;
  /** Selected phases, in deployment order. */
  readonly phases: readonly Phase[];
  /** The roles the credentials check assumed, reused by the commands that ask AWS. */
  readonly assumedRoles: AssumedRoles;
  /** Whose the run's own credentials are, as the credentials check found. */
  readonly caller: CallerIdentity;
}

/** What the review shows for a phase without a plan; a note says why after it. */
const NOT_PLANNED = "not planned";

/** The phases of `--phase` (every phase without it), in deployment order. */
function selectedPhases(options: CommandOptions): Phase[] {
  return PHASES.filter((phase) => !options.phases.length || options.phases.includes(phase));
}

function environmentConfig(io: OpsDependencies, options: CommandOptions): EnvironmentConfig {
  try {
    return loadEnvironmentConfig(options.environment, io.variables);
  } catch (error) {
    if (error instanceof ConfigError) throw new OpsFailure(error.message);
    throw error;
  }
}

/**
 * How a command gets its stack folders: `synth` builds the app (every command that plans); `state` writes each
 * phase's backend alone (the commands that only read state: no synth, no cdktf).
 */
type StackSource = "synth" | "state";

/** What a command's run does before any synth or terraform. */
interface OpenOptions {
  /** The command's name, for the lines it prints. */
  readonly command: Command;
  /** `workspace select -or-create` (plan, deploy). @default false */
  readonly createWorkspace?: boolean;
  /** @default "synth" */
  readonly source?: StackSource;
  /** What the synth line names. @default - the environment */
  readonly synthesizes?: string;
  /** Refuse the per-account example values (plan, deploy, destroy, bootstrap). @default false */
  readonly refuseExamples?: boolean;
  /** Warn when no one receives the alarms (plan, deploy). @default false */
  readonly warnAlarms?: boolean;
}

function stackFolders(io: OpsDependencies, options: CommandOptions, config: EnvironmentConfig, workDir: string, open: OpenOptions): SynthesizedEnvironment {
  if (open.source === "state") return writeStateReaders(options.environment, config.operator, join(workDir, "state"));
  const outdir = join(workDir, "synth");
  const started = process.hrtime.bigint();
  io.synthesize(config, outdir);
  io.progress(`[sentry-ops] synth ${open.synthesizes ?? options.environment} (${secondsSince(started)} s)`);
  return readSynthesized(options.environment, outdir);
}

/**
 * Checks before anything runs (the example values, the credentials), then writes the stack folders and opens the
 * session. Nothing touches terraform, the synth or the working folder before the checks pass.
 */
async function open(io: OpsDependencies, options: CommandOptions, folder: string, workspace: string | undefined, opening: OpenOptions): Promise<Run> {
  const config = environmentConfig(io, options);
  const examplesAllowed = opening.refuseExamples ? refuseExampleValues(io.variables, opening.command) : undefined;
  const roles = workspace === undefined ? [] : configuredRoles(config);
  const assumedRoles = new AssumedRoles();
  const caller = await requireCredentials(io.resolveCredentials, { region: config.operator.region, backend: options.backendSettings, roles }, io.progress, assumedRoles);
  // with SENTRY_ALLOW_PLACEHOLDERS=1, its one line names the example values: no second warning for each of them
  const namedExamples = examplesAllowed ? exampleValuesInUse(io.variables).map((example) => example.variable) : [];
  [...placeholderWarnings(io.variables, namedExamples), ...accountWarnings(io.variables), ...(examplesAllowed ? [examplesAllowed] : [])].forEach((warning) => io.progress(warning));
  if (opening.warnAlarms) warnWithoutAlarmEmail(config, io.progress);
  const workDir = join(io.workDir, folder);
  const synthesized = stackFolders(io, options, config, workDir, opening);
  const session = new Session(io, {
    environment: options.environment,
    workspace,
    createWorkspace: opening.createWorkspace ?? false,
    backendConfig: options.backendConfig,
    backendSettings: options.backendSettings,
    overrides: options.overrides,
    cliConfigFile: writeTerraformCliConfig(undefined, io.variables).path,
    logDir: join(workDir, "logs"),
  });
  const phases = selectedPhases(options);
  const account = accountLine(config);
  if (workspace !== undefined && account) io.progress(account);
  return { io, config, options, synthesized, session, store: new PlanStore(join(workDir, "plans")), workDir, phases, assumedRoles, caller };
}

/** The header line naming the account an environment's commands reach, and how; undefined without one (a warning says so). */
function accountLine(config: EnvironmentConfig): string | undefined {
  const account = reportAccount(config);
  if (!account) return undefined;
  return `[sentry-ops] ${config.name}: account ${account.id}${account.role ? `, as ${account.role}` : ", with the run's credentials"}`;
}

/** `plan` and `deploy` create the workspace when it does not exist; the other commands only read what is deployed. */
function openEnvironment(io: OpsDependencies, options: CommandOptions, opening: OpenOptions): Promise<Run> {
  return open(io, options, options.environment, options.environment, opening);
}

const stackOf = (run: Run, phase: Phase): SynthesizedStack => phaseStack(run.synthesized, phase);

function dependenciesOf(run: Run, stack: SynthesizedStack): SynthesizedStack[] {
  return stack.dependencies.map((name) => run.synthesized.stacks.get(name)).filter((found): found is SynthesizedStack => found !== undefined);
}

const phaseWaits = (run: Run) => (phase: Phase): Phase[] =>
  dependenciesOf(run, stackOf(run, phase))
    .map((stack) => phaseOf(run.synthesized, stack.name))
    .filter((found): found is Phase => found !== undefined);

const phaseDependents = (run: Run) => (phase: Phase): Phase[] => PHASES.filter((other) => phaseWaits(run)(other).includes(phase));

/** Outputs of the stacks a stack reads, and which of them publish nothing (not deployed). */
async function dependencyOutputs(run: Run, stack: SynthesizedStack): Promise<{ values: Record<string, unknown>; missing: SynthesizedStack[] }> {
  const dependencies = dependenciesOf(run, stack);
  const outputs = await Promise.all(dependencies.map((dependency) => run.session.outputs(dependency)));
  return {
    values: Object.fromEntries(dependencies.map((dependency, index) => [dependency.name, outputs[index]])),
    missing: dependencies.filter((_, index) => Object.keys(outputs[index]).length === 0),
  };
}

function missingDependencyFailure(run: Run, stack: SynthesizedStack, missing: SynthesizedStack[]): OpsFailure {
  const phases = missing.map((dependency) => phaseOf(run.synthesized, dependency.name)).map((phase) => `--phase ${phase}`);
  return new OpsFailure(
    `[${stack.name}] needs ${missing.map((m) => m.name).join(", ")} deployed first (no outputs in workspace ${run.options.environment}): run \`sentry-ops deploy ${run.options.environment} ${phases.join(" ")}\``,
  );
}

function countsLine(plan: PlanJson): string {
  const review = buildReview([{ phase: "", stack: "", plan }]);
  return COUNTED_ACTIONS.map((action) => `${review.totals[action]} to ${action}`).join(", ");
}

/**
 * Plans one phase into the plan folder. A phase whose dependencies are not deployed yet, but are part of this
 * run (`deferrable`), gets a note instead of a plan: `deploy` plans it once they are applied.
 */
async function planPhase(run: Run, phase: Phase, deferrable: readonly Phase[]): Promise<PlanJson | undefined> {
  const stack = stackOf(run, phase);
  await run.session.prepare(stack);
  const dependencies = await dependencyOutputs(run, stack);
  if (dependencies.missing.length) {
    const waitsOnRun = dependencies.missing.every((dependency) => deferrable.includes(phaseOf(run.synthesized, dependency.name) as Phase));
    if (!waitsOnRun) throw missingDependencyFailure(run, stack, dependencies.missing);
    const text = `${NOT_PLANNED}: ${dependencies.missing.map((m) => m.name).join(", ")} not deployed yet; \`sentry-ops deploy\` plans and reviews it once they are`;
    run.store.saveNote(stack.name, { text, failed: false });
    run.io.progress(`[${stack.name}] plan: waits for ${dependencies.missing.map((m) => m.name).join(", ")} (not deployed yet)`);
    return undefined;
  }
  const started = process.hrtime.bigint();
  const fingerprint = fingerprintOf(stack.folder, run.options.environment, dependencies.values);
  const plan = await planAndShow(run, run.store, stack, { action: "plan", quiet: true }, fingerprint);
  run.io.progress(`[${stack.name}] plan (${secondsSince(started)} s): ${countsLine(plan)}`);
  return plan;
}

/** `plan -out` into `store` (what it held for the stack goes first), then `show -json` of it, saved beside it. */
async function planAndShow(
  run: Run,
  store: PlanStore,
  stack: SynthesizedStack,
  step: { readonly action: string; readonly options?: readonly string[]; readonly quiet?: boolean },
  fingerprint?: Fingerprint,
): Promise<PlanJson> {
  store.clear(stack.name);
  store.ensureDir();
  const planFile = store.planFile(stack.name);
  await run.session.run(stack, step.action, ["plan", ...(step.options ?? []), "-input=false", "-no-color", `-out=${planFile}`], { quiet: step.quiet, announce: true });
  const shown = await run.session.run(stack, "show", ["show", "-json", "-no-color", planFile], { quiet: true, secretOutput: true });
  return store.save(stack.name, shown.stdout, fingerprint);
}

/**
 * Reports every skipped and failed phase; returns the exit code (0 all done, 2 only approvals missing, 1 otherwise).
 * The last line is the one prefixed `sentry-ops:`: the failure itself, or with several, which phases failed
 * (each one's line above it says why).
 */
function report<T extends string>(run: Run, outcomes: Map<T, Outcome>, nameOf: (node: T) => string): 0 | 1 | 2 {
  const failures: { readonly name: string; readonly failure: OpsFailure }[] = [];
  for (const [node, outcome] of outcomes) {
    if (outcome.status === "failed") {
      const failure = outcome.error instanceof OpsFailure ? outcome.error : new OpsFailure(`[${nameOf(node)}] ${(outcome.error as Error).message}`);
      failures.push({ name: nameOf(node), failure });
    } else if (outcome.status === "skipped") {
      run.io.progress(`[${nameOf(node)}] skipped: ${nameOf(outcome.because as T)} did not complete`);
    }
  }
  if (failures.length === 1) run.io.progress(failureLine(failures[0].failure.message));
  if (failures.length > 1) {
    failures.forEach(({ failure }) => run.io.progress(failure.message));
    run.io.progress(failureLine(`${failures.length} phases failed: ${failures.map(({ name }) => name).join(", ")} (each one's line above says why)`));
  }
  const codes = failures.map(({ failure }) => failure.exitCode);
  return codes.includes(1) ? 1 : codes.length ? 2 : 0;
}

/** Why a phase has no plan after its plan failed or was skipped, for the note the review shows. */
function failureNote(run: Run, outcome: Exclude<Outcome, { status: "done" }>): string {
  if (outcome.status === "skipped") return `${NOT_PLANNED}: ${stackOf(run, outcome.because as Phase).name} did not complete`;
  return `${NOT_PLANNED}: ${(outcome.error as Error).message.replace(/^\[[^\]]+\] /, "")}`;
}

/** Plans the selected phases; an earlier run's plans never survive it, so review and deploy see only this run's. */
export async function planCommand(io: OpsDependencies, options: CommandOptions): Promise<number> {
  const run = await openEnvironment(io, options, { command: "plan", createWorkspace: true, refuseExamples: true, warnAlarms: true });
  for (const phase of run.phases) run.store.clear(stackOf(run, phase).name);
  const outcomes = await runGraph(run.phases, phaseWaits(run), async (phase) => {
    await planPhase(run, phase, run.phases);
  });
  for (const [phase, outcome] of outcomes) {
    if (outcome.status !== "done") run.store.saveNote(stackOf(run, phase).name, { text: failureNote(run, outcome), failed: true });
  }
  const code = report(run, outcomes, (phase) => stackOf(run, phase).name);
  if (code === 0) io.progress(`Plans saved in ${run.store.dir} (they hold sensitive values: keep them private). Next: sentry-ops review ${options.environment}`);
  return code;
}

/** The saved plans of the selected phases, or why each other phase has none. */
function savedPlans(store: PlanStore, phases: readonly Phase[], nameOf: (phase: Phase) => string): StackPlan[] {
  return phases.map((phase): StackPlan => {
    const stack = nameOf(phase);
    const saved = store.read(stack);
    if (saved) return { phase, stack, plan: saved.plan };
    const note = store.note(stack);
    return note ? { phase, stack, note: note.text, failed: note.failed } : { phase, stack, note: NOT_PLANNED };
  });
}

/** Reads the plan folder only: no synth, no terraform. */
export async function reviewCommand(io: OpsDependencies, options: CommandOptions): Promise<number> {
  const store = new PlanStore(join(io.workDir, options.environment, "plans"));
  const entries = savedPlans(store, selectedPhases(options), (phase) => stackName(phase, options.environment));
  if (entries.every((entry) => !entry.plan && entry.note === NOT_PLANNED)) throw new OpsFailure(`no saved plans for ${options.environment} in ${store.dir}: run \`sentry-ops plan ${options.environment}\` first`);
  const review = { ...buildReview(entries, options.approvals), cost: reviewCost(options.environment, entries, io.variables) };
  io.print(renderReview(review, options.format));
  const failed = review.phases.filter((phase) => phase.failed).map((phase) => phase.stack);
  if (failed.length) throw new OpsFailure(`review incomplete: no plan for ${failed.join(", ")} (its plan failed or was skipped): fix the error and run \`sentry-ops plan ${options.environment}\` again`);
  return reviewExitCode(review);
}

function approvalFailure(review: Review, what: string): OpsFailure {
  const pending = review.pendingApprovals.map((p) => `${p.stack}:${p.address} (${p.reason})`).join(", ");
  return new OpsFailure(`${what} refused: needs approval for ${pending}; pass --approve ADDRESS (or --approve-broadening for broadening)`, 2);
}

export async function deployCommand(io: OpsDependencies, options: CommandOptions): Promise<number> {
  const run = await openEnvironment(io, options, { command: "deploy", createWorkspace: true, refuseExamples: true, warnAlarms: true });
  const saved = savedPlans(run.store, run.phases, (phase) => stackOf(run, phase).name).filter((entry) => entry.plan);
  const upfront = buildReview(saved, options.approvals);
  if (upfront.pendingApprovals.length) {
    io.print(renderText(upfront));
    throw approvalFailure(upfront, "deploy");
  }
  const outcomes = await runGraph(run.phases, phaseWaits(run), async (phase) => {
    const stack = stackOf(run, phase);
    await run.session.prepare(stack);
    const existing = run.store.read(stack.name);
    if (existing) {
      const dependencies = await dependencyOutputs(run, stack);
      if (dependencies.missing.length) throw missingDependencyFailure(run, stack, dependencies.missing);
      const reason = staleReason(existing.fingerprint, fingerprintOf(stack.folder, options.environment, dependencies.values));
      if (reason) throw new OpsFailure(`[${stack.name}] saved plan is stale: ${reason}; run \`sentry-ops plan ${options.environment}\` and review again`);
    } else {
      const plan = await planPhase(run, phase, []);
      const review = buildReview([{ phase, stack: stack.name, plan }], options.approvals);
      io.print(renderText(review));
      if (review.pendingApprovals.length) throw approvalFailure(review, `[${stack.name}] apply`);
    }
    await recordApply(run.session.options.logDir, { phase, stack: stack.name, action: "apply" }, () =>
      run.session.run(stack, "apply", ["apply", "-input=false", "-no-color", run.store.planFile(stack.name)], { announce: true }),
    );
    run.session.forgetOutputs(stack);
    run.store.clear(stack.name);
  });
  return report(run, outcomes, (phase) => stackOf(run, phase).name);
}

/** Prepares a stack; false, with a line, when its state has no workspace for the environment (nothing deployed). */
async function prepareDeployed(run: Run, stack: SynthesizedStack): Promise<boolean> {
  try {
    await run.session.prepare(stack);
    return true;
  } catch (error) {
    if (!(error instanceof WorkspaceMissing)) throw error;
    run.io.progress(`${error.message}: nothing to do`);
    return false;
  }
}

/**
 * Drift plans running at the same time: each runs the aws provider (~600 MB), and a plan the system kills for memory
 * leaves its state lock behind. Two, as `plan` runs data and compute.
 */
const DRIFT_PLANS_AT_ONCE = 2;

/**
 * The rule resources of a phase outside `--phase`, from its state (through a folder with the backend alone: no
 * provider to install): they may manage rules on the groups of the phases checked. None when it is not deployed.
 */
async function phaseRuleResources(run: Run, readers: SynthesizedEnvironment, phase: Phase): Promise<StateResource[]> {
  const stack = phaseStack(readers, phase);
  if (!(await prepareDeployed(run, stack))) return [];
  const pulled = await run.session.run(stack, "state pull", ["state", "pull"], { quiet: true, secretOutput: true });
  try {
    return stateRuleResources(parseState(pulled.stdout, `terraform state pull of ${stack.name}`));
  } catch (error) {
    throw new OpsFailure(`[${stack.name}] ${(error as Error).message}`);
  }
}

/**
 * A normal plan of every deployed phase (saved only long enough for `show -json`), read by the drift model:
 * deleted outside Terraform, moved and reverted by the plan, or a rule no resource manages. A plan reads the other
 * phases' deployed outputs, never their drift, so no phase waits for another and one phase's failed plan hides
 * nothing in the others; `DRIFT_PLANS_AT_ONCE` run at a time. With `--phase`, the other phases' states are read
 * for their rule resources only, so that unmanaged rules are looked for in the groups of the phases checked.
 */
export async function driftCommand(io: OpsDependencies, options: CommandOptions): Promise<number> {
  const run = await openEnvironment(io, options, { command: "drift" });
  const driftStore = new PlanStore(join(run.workDir, "drift"));
  const plans = new Map<Phase, PlanJson>();
  const others = PHASES.filter((phase) => !run.phases.includes(phase));
  const readers = others.length ? writeStateReaders(options.environment, run.config.operator, join(run.workDir, "state")) : undefined;
  const ruleResources = new Map<Phase, StateResource[]>();
  const outcomes = await runGraph(
    [...run.phases, ...others],
    () => [],
    async (phase) => {
      if (readers && others.includes(phase)) {
        ruleResources.set(phase, await phaseRuleResources(run, readers, phase));
        return;
      }
      const stack = stackOf(run, phase);
      if (!(await prepareDeployed(run, stack))) return;
      try {
        plans.set(phase, await planAndShow(run, driftStore, stack, { action: "drift plan" }));
      } finally {
        driftStore.clear(stack.name);
      }
    },
    DRIFT_PLANS_AT_ONCE,
  );
  const code = report(run, outcomes, (phase) => stackOf(run, phase).name);
  const entries = run.phases.map((phase): DriftStackPlan => {
    const stack = stackOf(run, phase).name;
    const outcome = outcomes.get(phase);
    const plan = plans.get(phase);
    if (plan) return { phase, stack, plan };
    if (!outcome || outcome.status === "done") return { phase, stack, note: "not deployed" };
    return { phase, stack, note: "not checked: its plan failed", failed: true };
  });
  const otherPhases = others.map((phase): DriftOtherPhase => {
    const stack = stackOf(run, phase).name;
    return outcomes.get(phase)?.status === "done" ? { stack, resources: ruleResources.get(phase) ?? [] } : { stack, failed: true };
  });
  const drift = buildDriftReport(entries, { environment: options.environment, account: reportAccount(run.config), otherPhases });
  io.print(renderDrift(drift, options.format));
  return code === 1 ? 1 : driftExitCode(drift);
}

export async function outputsCommand(io: OpsDependencies, options: CommandOptions): Promise<number> {
  const run = await openEnvironment(io, options, { command: "outputs", source: "state" });
  const outcomes = await runGraph(run.phases, () => [], async (phase) => {
    await run.session.outputs(stackOf(run, phase));
  });
  const code = report(run, outcomes, (phase) => stackOf(run, phase).name);
  for (const phase of run.phases.filter((p) => outcomes.get(p)?.status === "done")) {
    const stack = stackOf(run, phase);
    const outputs = await run.session.outputs(stack);
    const lines = Object.entries(outputs).map(([name, output]) => `  ${name} = ${showValue(output.value, { sensitive: output.sensitive }, [])}`);
    io.print(`${stack.name}\n${(lines.length ? lines : ["  (no outputs: not deployed)"]).join("\n")}\n`);
  }
  return code;
}

function protectedList(found: readonly { stack: string; resource: ProtectedResource }[]): string {
  const shown = found.slice(0, 4).map(({ stack, resource }) => `${stack}:${resource.address} (${resource.reason})`);
  return `${shown.join(", ")}${found.length > shown.length ? ` and ${found.length - shown.length} more` : ""}`;
}

/** Refuses a destroy its own configuration protects against, before any terraform runs. */
function refuseProtectedConfiguration(run: Run, phases: readonly Phase[]): void {
  const found = phases.flatMap((phase) => {
    const stack = stackOf(run, phase);
    const json: unknown = JSON.parse(readFileSync(join(stack.folder, "cdk.tf.json"), "utf8"));
    return protectedInConfiguration(json).map((resource) => ({ stack: stack.name, resource }));
  });
  if (!found.length) return;
  const why = run.config.protectData ? `protectData of ${run.options.environment} is true in src/config/environments.ts` : "the configuration protects them";
  throw new OpsFailure(`destroy refused, nothing was destroyed: ${why}: ${protectedList(found)}; ${protectDataFix(run.options.environment)}${seeTroubleshooting("dependency-violation")}`);
}

export async function destroyCommand(io: OpsDependencies, options: CommandOptions): Promise<number> {
  const run = await openEnvironment(io, options, { command: "destroy", refuseExamples: true });
  const destroyStore = new PlanStore(join(run.workDir, "destroy-plans"));
  const reverse = [...run.phases].reverse();
  refuseProtectedConfiguration(run, reverse);
  const plans = new Map<Phase, PlanJson>();
  const planned = await runGraph(reverse, phaseDependents(run), async (phase) => {
    const stack = stackOf(run, phase);
    for (const dependent of phaseDependents(run)(phase).filter((other) => !run.phases.includes(other))) {
      const outputs = await run.session.outputs(stackOf(run, dependent));
      if (Object.keys(outputs).length) {
        throw new OpsFailure(`[${stack.name}] ${stackOf(run, dependent).name} still reads it: destroy that first (add --phase ${dependent})${seeTroubleshooting("dependency-violation")}`);
      }
    }
    if (await prepareDeployed(run, stack)) plans.set(phase, await planAndShow(run, destroyStore, stack, { action: "destroy plan", options: ["-destroy"] }));
  });
  const planCode = report(run, planned, (phase) => stackOf(run, phase).name);
  if (planCode !== 0) return planCode;
  if (!plans.size) throw new OpsFailure(`nothing to destroy: no phase of ${options.environment} is deployed`);
  const stillProtected = [...plans].flatMap(([phase, plan]) => protectedInPlan(plan).map((resource) => ({ stack: stackOf(run, phase).name, resource })));
  if (stillProtected.length) {
    reverse.forEach((phase) => destroyStore.clear(stackOf(run, phase).name));
    throw new OpsFailure(`destroy refused, nothing was destroyed: the deployed state still protects ${protectedList(stillProtected)}; ${protectDataFix(options.environment)}${seeTroubleshooting("dependency-violation")}`);
  }
  const review = buildReview(
    reverse.map((phase) => ({ phase, stack: stackOf(run, phase).name, plan: plans.get(phase), note: plans.has(phase) ? undefined : "not deployed" })),
    undefined,
    "destroy",
  );
  io.print(renderReview(review, options.format));
  if (!options.yes) {
    const answer = await io.ask(`Destroy ${review.totals.delete} resources of ${options.environment} (${reverse.map((p) => stackOf(run, p).name).join(", ")})? Type ${options.environment} to confirm: `);
    if (answer.trim() !== options.environment) {
      reverse.forEach((phase) => destroyStore.clear(stackOf(run, phase).name));
      throw new OpsFailure("destroy cancelled: nothing was destroyed");
    }
  }
  const applied = await runGraph(reverse, phaseDependents(run), async (phase) => {
    const stack = stackOf(run, phase);
    if (!plans.has(phase)) return;
    try {
      await recordApply(run.session.options.logDir, { phase, stack: stack.name, action: "destroy" }, () =>
        run.session.run(stack, "destroy", ["apply", "-input=false", "-no-color", destroyStore.planFile(stack.name)], { announce: true }),
      );
    } finally {
      destroyStore.clear(stack.name);
    }
  });
  return report(run, applied, (phase) => stackOf(run, phase).name);
}

/**
 * What is deployed and what still needs a person: per phase its state (resources, serial, last write) and a
 * waiting plan, the guide's checklist ticked from state, and the live values AWS reports. Credentials are
 * checked before anything else (by every command); nothing is printed until everything was read.
 */
export async function statusCommand(io: OpsDependencies, options: CommandOptions): Promise<number> {
  const run = await openEnvironment(io, options, { command: "status", source: "state" });
  const aws = (io.statusAws ?? sdkStatusAws)(run.config.operator.region, environmentCredentials(run.config, run.assumedRoles), run.assumedRoles);
  const phases = await Promise.all(run.phases.map((phase) => readPhase(run.session, run.store, aws, phase, stackOf(run, phase))));
  const model = buildStatus(run.config, phases, await fetchLive(aws, liveQueries(run.config, phases)));
  io.print(renderStatus(model, options.format));
  return statusExitCode(model);
}

/** Which bootstrap `--account` names: the single account's without it; in the per-environment layout it is required. */
function bootstrapTarget(config: EnvironmentConfig, options: CommandOptions): BootstrapTarget {
  const perEnvironment = config.operator.accounts?.layout === "per-environment";
  if (!perEnvironment && options.account !== undefined) {
    throw new OpsFailure(`bootstrap --account ${options.account}: the environments share one account (no SENTRY_<ENV>_ACCOUNT_ID); run bootstrap without --account`);
  }
  if (perEnvironment && options.account === undefined) {
    throw new OpsFailure("bootstrap: the environments have accounts of their own (SENTRY_<ENV>_ACCOUNT_ID); choose one with --account state|dev|staging|prod");
  }
  if (options.account !== undefined && options.account !== "state" && config.operator.githubRepository === undefined) {
    throw new OpsFailure(`bootstrap --account ${options.account}: an environment account's bootstrap holds its CI access, and SENTRY_GITHUB_REPOSITORY is not set: nothing to bootstrap there`);
  }
  return options.account ?? "single";
}

/** An account's bootstrap stack, with local state and no workspace; plans, reviews, applies. Idempotent. */
export async function bootstrapCommand(io: OpsDependencies, options: CommandOptions): Promise<number> {
  const target = bootstrapTarget(environmentConfig(io, options), options);
  const name = bootstrapStackName(target);
  const run = await open(io, options, target === "single" ? "bootstrap" : `bootstrap-${target}`, undefined, { command: "bootstrap", synthesizes: name, refuseExamples: true });
  await checkBootstrapAccount(run.config, target, io.callerAccount ?? checkedCallerAccount(run.caller), io.progress, run.assumedRoles);
  const stack = run.synthesized.stacks.get(name);
  if (!stack) throw new OpsFailure(`the synth produced no ${name} stack`);
  await run.session.prepare(stack);
  const plan = await planAndShow(run, run.store, stack, { action: "plan" });
  const review = buildReview([{ phase: "bootstrap", stack: stack.name, plan }], options.approvals);
  io.print(renderText(review));
  if (review.pendingApprovals.length) throw approvalFailure(review, "bootstrap");
  try {
    await run.session.run(stack, "apply", ["apply", "-input=false", "-no-color", run.store.planFile(stack.name)], { announce: true });
  } finally {
    run.store.clear(stack.name);
  }
  return 0;
}

export const COMMAND_HANDLERS: Readonly<Record<Command, (io: OpsDependencies, options: CommandOptions) => Promise<number>>> = {
  bootstrap: bootstrapCommand,
  plan: planCommand,
  review: reviewCommand,
  deploy: deployCommand,
  drift: driftCommand,
  outputs: outputsCommand,
  destroy: destroyCommand,
  status: statusCommand,
  scaling: (io, options) => scalingCommand(io, options, () => openEnvironment(io, options, { command: "scaling", source: "state" })),
  cost: costCommand,
};
