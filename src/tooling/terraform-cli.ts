import { writeTerraformCliConfig } from "../lib/terraform-cli";

/** `npm run tf-config`: writes the project's Terraform CLI config and prints the line that exports it. */
const config = writeTerraformCliConfig();
console.error(config.mirror ? `aws provider from mirror ${config.mirror}` : "aws provider from the registry (no mirror found)");
console.log(`export TF_CLI_CONFIG_FILE=${config.path}`);
