import { App } from "cdktf";
import { EnvironmentConfig } from "./config";
import { BootstrapStack } from "./stacks/bootstrap-stack";
import { CicdStack, cicdStackProps } from "./stacks/cicd-stack";
import { ComputeStack, computeStackProps } from "./stacks/compute-stack";
import { DataStack, dataStackProps } from "./stacks/data-stack";
import { FoundationStack, foundationStackProps } from "./stacks/foundation-stack";
import { ServicesStack, servicesStackProps } from "./stacks/services-stack";

/**
 * Every stack of one environment, plus the account's bootstrap stack. Stack dependencies follow the guide's
 * diagram (and the remote-state reads), so `cdktf deploy` of several phases applies them in order and
 * `cdktf destroy` in reverse.
 */
export function buildSentryApp(app: App, config: EnvironmentConfig): void {
  new BootstrapStack(app, config.operator);
  const foundation = new FoundationStack(app, foundationStackProps(config));
  const data = new DataStack(app, dataStackProps(config));
  data.addDependency(foundation);
  const compute = new ComputeStack(app, computeStackProps(config));
  compute.addDependency(foundation);
  const services = new ServicesStack(app, servicesStackProps(config));
  services.addDependency(data);
  services.addDependency(compute);
  const cicd = new CicdStack(app, cicdStackProps(config));
  cicd.addDependency(services);
}
