import { Annotations, App } from "cdktf";
import { accountWarnings, ConfigError, loadEnvironmentConfig, parseEnvironmentName, placeholderWarnings } from "./src/config";
import { buildSentryApp } from "./src/app";

/**
 * Synthesizes the bootstrap stack and every phase of one environment, chosen with SENTRY_ENV
 * (dev | staging | prod; default dev). Operator overrides: see docs/configuration.md.
 */
function main(): void {
  const config = loadEnvironmentConfig(parseEnvironmentName(process.env.SENTRY_ENV));
  // cdktf's construct validations shell out to `terraform version` once per terraform_data resource (~60 ms each)
  // and fail the synth where terraform is not installed. The tests validate every stack with terraform instead.
  const app = new App({ skipValidation: true });
  const bootstrap = buildSentryApp(app, config);
  // cdktf prints what the app writes to stderr as [ERROR]; annotations it prints once each, as WARN, after the synth
  // (`WARN [sentry-bootstrap]: ...`): the text goes without the "Warning: " sentry-ops prints the same lines with.
  const warnings = Annotations.of(bootstrap);
  [...placeholderWarnings(process.env), ...accountWarnings(process.env)].forEach((warning) => warnings.addWarning(warning.replace(/^Warning: /, "")));
  app.synth();
}

try {
  main();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
