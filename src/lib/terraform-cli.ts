import { execFileSync } from "child_process";
import { existsSync, mkdirSync, writeFileSync } from "fs";
import { homedir } from "os";
import { join, resolve } from "path";
import { EnvironmentVariable } from "./environment-variables";

/**
 * Terraform CLI configuration the project writes for itself: the aws provider from a local filesystem mirror
 * when one exists (offline machines), the registry otherwise, and a shared plugin cache so the ~700 MB provider
 * is fetched or linked once, not copied into every working directory.
 */

export const AWS_PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws";
export const AWS_PROVIDER_VERSION = "5.100.0";
/** Set to a mirror folder to use it; set to `none` to force the registry. */
export const MIRROR_VARIABLE = "SENTRY_TF_PROVIDER_MIRROR";
/** Where the project keeps its CLI config and plugin cache (git-ignored). */
export const TOOLING_DIR = resolve(__dirname, "..", "..", ".tooling", "terraform");

/** Folders searched for a mirror, in order, when SENTRY_TF_PROVIDER_MIRROR is not set. */
export function mirrorCandidates(home: string = homedir()): string[] {
  return [
    "/opt/tf-plugins",
    join(home, ".terraform.d", "plugins"),
    join(home, ".local", "share", "terraform", "plugins"),
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
  ];
}

/** The variable this module reads, with the folders searched while it is unset (the home folder as `~`, the same on every machine). */
export const TERRAFORM_CLI_VARIABLES: readonly EnvironmentVariable[] = [
  {
    name: MIRROR_VARIABLE,
    meaning: `folder of a Terraform provider mirror holding aws ${AWS_PROVIDER_VERSION} (\`none\`: use the registry); unset: the first of ${mirrorCandidates("~")
      .map((folder) => `\`${folder}\``)
      .join(", ")} that holds it, else the registry`,
  },
];

function holdsAwsProvider(mirror: string): boolean {
  return existsSync(join(mirror, AWS_PROVIDER_ADDRESS, AWS_PROVIDER_VERSION));
}

/** The mirror folder holding aws 5.100.0, or undefined to install from the registry. */
export function findProviderMirror(variables: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = variables[MIRROR_VARIABLE]?.trim();
  if (chosen === "none") return undefined;
  if (chosen) {
    if (!holdsAwsProvider(chosen)) {
      throw new Error(`${MIRROR_VARIABLE}=${chosen} holds no ${AWS_PROVIDER_ADDRESS}/${AWS_PROVIDER_VERSION}; unset it to search the usual places or set it to "none" to use the registry`);
    }
    return chosen;
  }
  return mirrorCandidates().find(holdsAwsProvider);
}

export interface TerraformCliConfig {
  /** Path of the written file: export it as TF_CLI_CONFIG_FILE. */
  readonly path: string;
  /** The mirror in use, if any. */
  readonly mirror?: string;
  readonly pluginCacheDir: string;
}

/** Writes the CLI config into `dir` (default `.tooling/terraform`) and returns where it is. */
export function writeTerraformCliConfig(dir: string = TOOLING_DIR, variables: NodeJS.ProcessEnv = process.env): TerraformCliConfig {
  const mirror = findProviderMirror(variables);
  const pluginCacheDir = join(dir, "plugin-cache");
  mkdirSync(pluginCacheDir, { recursive: true });
  const installation = mirror
    ? [
        "provider_installation {",
        "  filesystem_mirror {",
        `    path    = ${JSON.stringify(mirror)}`,
        `    include = [${JSON.stringify(AWS_PROVIDER_ADDRESS)}]`,
        "  }",
        "  direct {",
        `    exclude = [${JSON.stringify(AWS_PROVIDER_ADDRESS)}]`,
        "  }",
        "}",
      ]
    : [];
  const path = join(dir, "terraform.rc");
  writeFileSync(path, [...installation, `plugin_cache_dir = ${JSON.stringify(pluginCacheDir)}`, ""].join("\n"));
  return { path, mirror, pluginCacheDir };
}

/** True when a `terraform` binary answers on PATH. */
export function terraformAvailable(): boolean {
  try {
    execFileSync("terraform", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
