import { App } from "cdktf";
import { EnvironmentConfig } from "./config";
import { BootstrapStack } from "./stacks/bootstrap-stack";
import { FoundationStack, foundationStackProps } from "./stacks/foundation-stack";

/** Every stack of one environment, plus the account's bootstrap stack. */
export function buildSentryApp(app: App, config: EnvironmentConfig): void {
  new BootstrapStack(app, config.operator);
  new FoundationStack(app, foundationStackProps(config));
}
