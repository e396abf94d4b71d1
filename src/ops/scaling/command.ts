import type { CommandOptions, OpsDependencies } from "../commands";
import { EnvironmentConfig } from "../../config";
import { OpsFailure, Session } from "../session";
import { phaseStack, SynthesizedEnvironment } from "../stacks";
import { fetchScaling, scalingTargets } from "./collect";
import { buildScaling, DEFAULT_SINCE, parseSince, scalingExitCode, windowEnding } from "./model";
import { renderScaling } from "./render";
import { sdkScalingAws } from "./sdk";
import { environmentCredentials } from "../aws-account";
import { AssumedRoles } from "../credentials";
import { reportAccount } from "../report-account";
import { secondsSince } from "../elapsed";

/** `sentry-ops scaling <env>`: the guide's auto scaling monitoring in one read-only view. */

/** What the command needs of the run `commands.ts` opens: the configuration, the terraform session, each phase's state folder. */
export interface ScalingRun {
  readonly config: EnvironmentConfig;
  readonly session: Session;
  readonly synthesized: SynthesizedEnvironment;
  /** The roles the credentials check assumed: the environment's role is not asked of STS again. */
  readonly assumedRoles: AssumedRoles;
}

/**
 * Reads the compute and services outputs (terraform, each phase's backend alone) once `open` has checked the
 * credentials, then asks AWS everything at once; nothing is printed until everything was read.
 */
export async function scalingCommand(io: OpsDependencies, options: CommandOptions, open: () => Promise<ScalingRun>): Promise<number> {
  const run = await open();
  const environment = options.environment;
  const aws = (io.scalingAws ?? sdkScalingAws)(run.config.operator.region, environmentCredentials(run.config, run.assumedRoles));
  try {
    const stacks = { compute: phaseStack(run.synthesized, "compute"), services: phaseStack(run.synthesized, "services") };
    const [compute, services] = await Promise.all([run.session.outputs(stacks.compute), run.session.outputs(stacks.services)]);
    const missing = (["compute", "services"] as const).filter((phase) => !Object.keys(phase === "compute" ? compute : services).length);
    if (missing.length) {
      throw new OpsFailure(
        `scaling: ${missing.map((phase) => stacks[phase].name).join(" and ")} ${missing.length === 1 ? "is" : "are"} not deployed (no outputs in workspace ${environment}): deploy with \`sentry-ops deploy ${environment} ${missing.map((phase) => `--phase ${phase}`).join(" ")}\``,
      );
    }
    const targets = scalingTargets({ environment, compute, services, computeStack: stacks.compute.name, servicesStack: stacks.services.name }, options.services ?? []);
    const window = windowEnding(new Date(), options.since ?? parseSince(DEFAULT_SINCE));
    const asked = process.hrtime.bigint();
    const inputs = await fetchScaling(aws, environment, targets, window);
    io.progress(`[sentry-ops] scaling ${environment}: ${targets.services.length} services, ${targets.clusters.length} clusters read from AWS (${secondsSince(asked)} s)`);
    const account = reportAccount(run.config);
    const report = buildScaling({ ...inputs, ...(account && { account }) });
    io.print(renderScaling(report, options.format));
    return scalingExitCode(report);
  } finally {
    aws.close();
  }
}
