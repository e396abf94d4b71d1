import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { readApplyRecord } from "../apply-record";
import { PlanStore } from "../plan-store";
import { OpsFailure, Session, WorkspaceMissing } from "../session";
import { SynthesizedStack } from "../stacks";
import { CredentialsMissing } from "../credentials";
import { StatusAws } from "./live";
import { LiveFacts, LiveQueries, PhaseInput, stateObjectOf } from "./model";
import { parseState, resourceCount } from "./state";

/** The I/O half of `status`: terraform (through the session) for each phase's state, AWS for the live values. */

/** `.terraform/terraform.tfstate`: the backend settings `init` used (this run's `--backend-config` included). */
function initBackend(stack: SynthesizedStack): unknown {
  const file = join(stack.folder, ".terraform", "terraform.tfstate");
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

/** One phase: its state (`terraform state pull`), the state object's last write, a saved plan waiting, its last apply here. */
export async function readPhase(session: Session, store: PlanStore, aws: StatusAws, phase: string, stack: SynthesizedStack): Promise<PhaseInput> {
  const planWaiting = store.read(stack.name) !== undefined;
  const base = { phase, stack: stack.name, planWaiting, lastApply: readApplyRecord(session.options.logDir, stack.name) };
  try {
    await session.prepare(stack);
  } catch (error) {
    if (error instanceof WorkspaceMissing) return base;
    throw error;
  }
  const pulled = await session.run(stack, "state pull", ["state", "pull"], { quiet: true, secretOutput: true });
  let state;
  try {
    state = parseState(pulled.stdout, `terraform state pull of ${stack.name}`);
  } catch (error) {
    throw new OpsFailure(`[${stack.name}] ${(error as Error).message}`);
  }
  if (!resourceCount(state)) return { ...base, state };
  const location = stateObjectOf(initBackend(stack), session.options.workspace ?? "default");
  if (!location) return { ...base, state, lastWriteNote: "the backend is not S3" };
  if (location.webIdentityRole) return { ...base, state, lastWriteNote: `the state bucket is reached through ${location.webIdentityRole} with a web identity, which status does not assume` };
  if (location.credentialFiles) return { ...base, state, lastWriteNote: `the backend reads its credentials from ${location.credentialFiles.join(", ")}, which status does not read` };
  try {
    const modified = await aws.stateLastModified(location);
    return { ...base, state, lastWrite: modified?.toISOString(), lastWriteNote: modified ? undefined : "no time in the answer" };
  } catch (error) {
    if (error instanceof CredentialsMissing) {
      // The run's own credentials were checked first: refused credentials of the backend's profile or role are the backend's.
      if (!location.profile && !location.assumeRole) throw error;
      return { ...base, state, lastWriteNote: `the backend's own credentials (${location.profile ? `profile ${location.profile}` : location.assumeRole?.roleArn}) were refused: ${error.reason}` };
    }
    return { ...base, state, lastWriteNote: (error as Error).message.replace(/^status: /, "") };
  }
}

/** Asks AWS about every resource `liveQueries` named, at the same time. */
export async function fetchLive(aws: StatusAws, queries: LiveQueries): Promise<LiveFacts> {
  const keyed = <T>(keys: readonly string[], ask: (key: string) => Promise<T>): Promise<Map<string, T>> =>
    Promise.all(keys.map(async (key) => [key, await ask(key)] as const)).then((entries) => new Map(entries));
  const clusters = [...new Set(queries.services.map((service) => service.cluster))];
  const [certificates, connections, subscriptions, secretStages, services] = await Promise.all([
    keyed(queries.certificates, (arn) => aws.certificate(arn)),
    keyed(queries.connections, (arn) => aws.connectionStatus(arn)),
    keyed(queries.topics, (arn) => aws.subscriptions(arn)),
    keyed(queries.secrets, (arn) => aws.secretVersionStages(arn)),
    Promise.all(
      clusters.map(async (cluster) => {
        const names = queries.services.filter((service) => service.cluster === cluster).map((service) => service.name);
        return (await aws.services(cluster, names)).map((facts) => ({ ...facts, cluster }));
      }),
    ).then((lists) => lists.flat()),
  ]);
  return { certificates, connections, subscriptions, secretStages, services };
}
