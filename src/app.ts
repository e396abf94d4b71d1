import { App } from "cdktf";
import { EnvironmentConfig } from "./config";
import { AccountBootstrapStack } from "./stacks/account-bootstrap-stack";
import { BootstrapStack } from "./stacks/bootstrap-stack";
import { EnvironmentBootstrapStack } from "./stacks/environment-bootstrap-stack";
import { StateBootstrapStack } from "./stacks/state-bootstrap-stack";
import { CicdStack, cicdStackProps } from "./stacks/cicd-stack";
import { ComputeStack, computeStackProps } from "./stacks/compute-stack";
import { DataStack, dataStackProps } from "./stacks/data-stack";
import { FoundationStack, foundationStackProps } from "./stacks/foundation-stack";
import { Phase } from "./stacks/names";
import { SentryStack } from "./stacks/sentry-stack";
import { ServicesStack, servicesStackProps } from "./stacks/services-stack";

/** How each phase's stack is built from the environment's config (a stack reads other phases only through their state). */
export const PHASE_STACKS: Readonly<Record<Phase, (app: App, config: EnvironmentConfig) => SentryStack>> = {
  foundation: (app, config) => new FoundationStack(app, foundationStackProps(config)),
  data: (app, config) => new DataStack(app, dataStackProps(config)),
  compute: (app, config) => new ComputeStack(app, computeStackProps(config)),
  services: (app, config) => new ServicesStack(app, servicesStackProps(config)),
  cicd: (app, config) => new CicdStack(app, cicdStackProps(config)),
};

/**
 * The bootstrap stacks: the single account's (`sentry-bootstrap`), or in the per-environment layout the state
 * account's and, with CI, the environment account's. Returns the one holding the state bucket.
 */
function buildBootstraps(app: App, config: EnvironmentConfig): AccountBootstrapStack {
  if (config.operator.accounts?.layout !== "per-environment") return new BootstrapStack(app, config.operator);
  const state = new StateBootstrapStack(app, config.operator);
  if (config.operator.githubRepository !== undefined && config.operator.accounts.environments[config.name]) {
    new EnvironmentBootstrapStack(app, config.operator, config.name);
  }
  return state;
}

/**
 * Every stack of one environment, plus the account's bootstrap stack. Stack dependencies follow the guide's
 * diagram (and the remote-state reads), so `cdktf deploy` of several phases applies them in order and
 * `cdktf destroy` in reverse.
 */
export function buildSentryApp(app: App, config: EnvironmentConfig): AccountBootstrapStack {
  const bootstrap = buildBootstraps(app, config);
  const foundation = PHASE_STACKS.foundation(app, config);
  const data = PHASE_STACKS.data(app, config);
  data.addDependency(foundation);
  const compute = PHASE_STACKS.compute(app, config);
  compute.addDependency(foundation);
  const services = PHASE_STACKS.services(app, config);
  services.addDependency(data);
  services.addDependency(compute);
  const cicd = PHASE_STACKS.cicd(app, config);
  cicd.addDependency(services);
  return bootstrap;
}
