import { Annotations, App } from "cdktf";
import { ConfigError, loadEnvironmentConfig, parseEnvironmentName, placeholderWarnings } from "./src/config";
import { buildSentryApp } from "./src/app";
import { BOOTSTRAP_STACK_NAME } from "./src/stacks/bootstrap-stack";

/**
 * Synthesizes the bootstrap stack and every phase of one environment, chosen with SENTRY_ENV
 * (dev | staging | prod; default dev). Operator overrides: see docs/configuration.md.
 */
function main(): void {
  const config = loadEnvironmentConfig(parseEnvironmentName(process.env.SENTRY_ENV));
  // cdktf's construct validations shell out to `terraform version` once per terraform_data resource (~60 ms each)
  // and fail the synth where terraform is not installed. The tests validate every stack with terraform instead.
  const app = new App({ skipValidation: true });
  buildSentryApp(app, config);
  // cdktf prints what the app writes to stderr as [ERROR]; annotations it prints once each, as WARN, after the synth.
  const warnings = Annotations.of(app.node.findChild(BOOTSTRAP_STACK_NAME));
  placeholderWarnings(process.env).forEach((warning) => warnings.addWarning(warning));
  app.synth();
}

try {
  main();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
