import { spawnSync } from "child_process";
import { join } from "path";
import { writeTerraformCliConfig } from "../lib/terraform-cli";

/**
 * `npm run synth [-- cdktf synth options]`: `cdktf synth` with the project's own Terraform CLI config (the aws
 * provider from the offline mirror where there is one; a TF_CLI_CONFIG_FILE naming a missing file is an [ERROR]
 * line of cdktf's) and without cdktf's version check (a call to HashiCorp's checkpoint service, an [ERROR] line
 * offline). `npx cdktf synth` runs the same app.
 */
const cliConfig = writeTerraformCliConfig();
const cdktf = join(__dirname, "..", "..", "node_modules", "cdktf-cli", "bundle", "bin", "cdktf");
const result = spawnSync(process.execPath, [cdktf, "synth", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, TF_CLI_CONFIG_FILE: cliConfig.path, CHECKPOINT_DISABLE: "1" },
});
process.exitCode = result.status ?? 1;
