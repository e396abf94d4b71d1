import { CONFIG_VARIABLES } from "../../config";
import { OPS_VARIABLES } from "../../ops/cli";
import { BENCH_VARIABLES } from "../bench";
import { TERRAFORM_CLI_VARIABLES } from "../../lib/terraform-cli";
import { VariableReader } from "./configuration";

/** Every module that reads SENTRY_* variables, with the list it exports; a test fails when one is missing here. */
export const VARIABLE_READERS: readonly VariableReader[] = [
  { readBy: "src/config", variables: CONFIG_VARIABLES },
  { readBy: "src/lib/terraform-cli.ts", variables: TERRAFORM_CLI_VARIABLES },
  { readBy: "src/ops/cli.ts", variables: OPS_VARIABLES },
  { readBy: "src/tooling/bench.ts", variables: BENCH_VARIABLES },
];
