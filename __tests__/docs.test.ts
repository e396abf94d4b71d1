import { execSync } from "child_process";
import { readdirSync, readFileSync, statSync } from "fs";
import { dirname, join, relative } from "path";
import { ENVIRONMENTS } from "../src/config/environments";
import { GUIDE_VALUES } from "../src/config/guide";
import { OPERATOR_ENVIRONMENT_VARIABLES, OPERATOR_VARIABLES } from "../src/config/operator";
import { generatedBlocks, renderDocs, RESOLVED_ENVIRONMENTS, ROOT } from "../src/tooling/generated-docs";
import { outputFlows, renderDiagram, renderMainResources, renderResourceCounts } from "../src/tooling/generated-docs/architecture";
import { flattenConfig, renderParameterTables, renderScalingProfiles, renderVariables } from "../src/tooling/generated-docs/configuration";
import { beginMarker, endMarker, fillGeneratedBlocks } from "../src/tooling/generated-docs/markers";
import { DocumentedEnvironment, synthesizeEnvironments } from "../src/tooling/generated-docs/synthesized";
import { VARIABLE_READERS } from "../src/tooling/generated-docs/variables";
import { TROUBLESHOOTING_DOC, TROUBLESHOOTING_SECTIONS } from "../src/ops/troubleshooting";

const README_MAX_LINES = 150;

/** One synth per environment, shared by every test of this file. */
let environments: DocumentedEnvironment[];
beforeAll(() => {
  environments = synthesizeEnvironments();
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.(ts|js)$/.test(name) ? [path] : [];
  });
}

const MARKDOWN_FILES = ["README.md", "SECURITY.md", "CHANGELOG.md", ...readdirSync(join(ROOT, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`)];

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of withoutCode(markdown).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = anchor(heading);
    const count = seen.get(base) ?? 0;
    anchors.add(count ? `${base}-${count}` : base);
    seen.set(base, count + 1);
  }
  return anchors;
}

/** Markdown without fenced code blocks and inline code (links there are not links). */
function withoutCode(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
}

describe("npm run docs", () => {
  test("every generated block in the committed files is what npm run docs writes (regenerate: npm run docs)", () => {
    const rendered = renderDocs(environments);
    expect([...rendered.keys()]).toEqual(["README.md", "docs/architecture.md", "docs/configuration.md", "docs/cost.md"]);
    for (const [file, text] of rendered) {
      expect({ file, text: readFileSync(join(ROOT, file), "utf8") }).toEqual({ file, text });
    }
  });

  test("rendering twice gives the same text (deterministic)", () => {
    expect(generatedBlocks(environments)).toEqual(generatedBlocks(environments));
  });
});

describe("generated blocks", () => {
  const text = ["intro", beginMarker("a"), "old", endMarker("a"), "outro", ""].join("\n");

  test("replace only what is between their markers", () => {
    expect(fillGeneratedBlocks("x.md", text, { a: "new" })).toBe(["intro", beginMarker("a"), "new", endMarker("a"), "outro", ""].join("\n"));
  });

  test("a block without its markers in the file fails with one line naming file and block", () => {
    expect(() => fillGeneratedBlocks("x.md", text, { a: "new", b: "more" })).toThrow(/^x\.md: no generated block "b"; add the lines <!-- BEGIN GENERATED: b/);
  });

  test("a block in the file that nothing generates fails", () => {
    expect(() => fillGeneratedBlocks("x.md", text, {})).toThrow(/^x\.md: generated block "a" has no generator/);
  });
});

describe("architecture", () => {
  test("the diagram has an edge for every terraform_remote_state a stack reads, labelled with the outputs it references", () => {
    const diagram = renderDiagram(environments);
    for (const { stacks } of environments) {
      for (const stack of stacks) {
        for (const remote of Object.values(stack.json.data?.terraform_remote_state ?? {})) {
          const source = String((remote.config as Record<string, unknown>).key).replace(/^sentry\/(.+)\.tfstate$/, "$1");
          expect(diagram).toMatch(new RegExp(`^  ${source} -->\\|"[^"]+"\\| ${stack.phase}$`, "m"));
        }
      }
    }
    expect(diagram).toMatch(/^ {2}foundation -->\|"[^"]*vpc_id[^"]*"\| data$/m);
    expect(diagram).toMatch(/^ {2}services -->\|"[^"]*task_role_arns[^"]*"\| cicd$/m);
    expect(diagram).toContain(`bootstrap -. "state bucket (S3 backend of every phase)" .-> workspace`);
  });

  test("output flows name the phases that read each output, in every environment", () => {
    const flows = outputFlows(environments);
    const readers = (output: string) => flows.filter((flow) => flow.output === output).map((flow) => flow.to).sort();
    expect(readers("private_subnet_ids")).toEqual(["compute", "data", "services"]);
    expect(readers("kms_key_arn")).toEqual(["cicd", "compute", "data", "services"]);
    // The WAF's log group (compute) uses the environment key only where the environment has a WAF.
    const partial = flows.filter((flow) => flow.environments.length !== environments.length);
    expect(partial.map((flow) => [flow.to, flow.output, flow.environments])).toEqual([["compute", "kms_key_arn", ["staging", "prod"]]]);
  });

  test("resource counts add up to the resources in each environment's stack JSON", () => {
    const counts = renderResourceCounts(environments);
    const total = (environment: DocumentedEnvironment) =>
      environment.stacks.reduce((sum, stack) => sum + Object.values(stack.json.resource ?? {}).reduce((inner, byName) => inner + Object.keys(byName).length, 0), 0);
    for (const environment of environments) expect(counts).toContain(`**${total(environment)}**`);
  });

  test("main resources differ per environment as the configuration says", () => {
    const rows = Object.fromEntries(renderMainResources(environments).split("\n").map((line) => [line.split(" | ")[0].replace(/^\| /, ""), line.split(" | ").slice(1)]));
    expect(rows.VPC[0]).toMatch(/^`172\.22\.0\.0\/16`, 2 AZs: 2 public \+ 2 private subnets, 1 NAT gateway, no flow logs$/);
    expect(rows.VPC[2]).toMatch(/^`172\.23\.0\.0\/16`, 3 AZs: 3 public \+ 3 private subnets, 3 NAT gateways, flow logs/);
    expect(rows.Redis[0]).toContain("`cache.t4g.micro` × 1");
    expect(rows.Redis[2]).toContain("`cache.r7g.large` × 2, Redis 7.1, Multi-AZ");
    expect(rows["cluster instances"][2]).toContain("`sentry-oms-asg-prod`: `c7g.large` 2..8 (desired 2)");
    expect(rows["ECS services"][2]).toContain("`sentry-websocket-service-prod`: 256 CPU / 512 MiB, 2 tasks, scales 2..6");
    expect(rows["ECS services"][0]).not.toContain("scales");
    expect(rows.pipelines[0]).toContain("`sentry-pipeline-oms-dev`: `develop` → Source, Build, Deploy");
  });
});

describe("configuration", () => {
  const tables = renderParameterTables(RESOLVED_ENVIRONMENTS);

  test("every value of every environment has a row, side by side", () => {
    const rows = tables.split("\n").filter((line) => line.startsWith("| `"));
    const paths = new Set(Object.values(RESOLVED_ENVIRONMENTS).flatMap((environment) => [...flattenConfig(environment).keys()]));
    expect(rows).toHaveLength(paths.size);
    expect(tables).toContain("| `vpcCidr` | `172.22.0.0/16` | `172.22.0.0/16` | `172.23.0.0/16` | guide `VpcCIDR` |");
    expect(tables).toContain("| `nodeType` | `cache.t4g.micro` | `cache.t4g.small` | `cache.r7g.large` | guide `NodeType` (dev, prod) |");
    expect(tables).toContain("| `mfa` | `OPTIONAL` | `OPTIONAL` | `ON` | ours |");
  });

  test("a value that differs from the guide shows the guide's", () => {
    expect(tables).toContain("| `websocket.autoScaling.maxTaskCount` | `4` | `4` | `6` (guide: `8`) | guide `MaxTaskCount` |");
  });

  test("each scaling profile shows what it sets and every number it resolves to, the defaults marked", () => {
    const profiles = renderScalingProfiles(ENVIRONMENTS).split("\n");
    expect(profiles.slice(2).map((row) => row.split(" | ")[0])).toEqual(["| `aggressive`", "| `conservative`", "| `proactive`", "| `economical`"]);
    expect(profiles).toContain(
      "| `aggressive` | `services[].autoScaling.profile` | `targetCpuUtilization` 50, `scaleOutCooldownSeconds` 30 | `targetCpuUtilization` 50, `scaleOutCooldownSeconds` 30, `scaleInCooldownSeconds` 300 (default) | – |",
    );
    expect(profiles).toContain(
      "| `conservative` | `services[].autoScaling.profile` | `targetCpuUtilization` 80, `scaleInCooldownSeconds` 600 | `targetCpuUtilization` 80, `scaleOutCooldownSeconds` 60 (default), `scaleInCooldownSeconds` 600 | – |",
    );
    expect(profiles).toContain("| `proactive` | `clusters.<name>.managedScaling.profile` | `targetCapacity` 60 | `targetCapacity` 60 | – |");
    expect(profiles).toContain("| `economical` | `clusters.<name>.managedScaling.profile` | `targetCapacity` 85 | `targetCapacity` 85 | – |");
  });

  test("the profiles table names the environments, services and clusters that choose each profile", () => {
    const staging = ENVIRONMENTS.staging;
    const chosen = {
      ...ENVIRONMENTS,
      staging: {
        ...staging,
        services: staging.services.map((service) => (service.name === "oms" ? { ...service, autoScaling: { ...service.autoScaling, profile: "conservative" as const } } : service)),
        clusters: { ...staging.clusters, frontend: { ...staging.clusters.frontend, managedScaling: { ...staging.clusters.frontend.managedScaling, profile: "economical" as const } } },
      },
    };
    const rows = renderScalingProfiles(chosen).split("\n");
    expect(rows.find((row) => row.startsWith("| `conservative`"))).toMatch(/ \| `staging oms` \|$/);
    expect(rows.find((row) => row.startsWith("| `economical`"))).toMatch(/ \| `staging frontend` \|$/);
    expect(rows.find((row) => row.startsWith("| `aggressive`"))).toMatch(/ \| – \|$/);
  });

  test("every guide path names a configuration value", () => {
    const paths = new Set(Object.values(RESOLVED_ENVIRONMENTS).flatMap((environment) => [...flattenConfig(environment).keys()]));
    expect(Object.keys(GUIDE_VALUES).filter((path) => !paths.has(path))).toEqual([]);
  });

  test("every SENTRY_* variable the code names is in a reader's list, and every listed one is read", () => {
    const files = [join(ROOT, "main.ts"), ...sources(join(ROOT, "src"))];
    const named = new Set(files.flatMap((path) => [...readFileSync(path, "utf8").matchAll(/\bSENTRY_[A-Z0-9_]*[A-Z0-9]\b/g)].map((match) => match[0])));
    const listed = new Set(VARIABLE_READERS.flatMap((reader) => reader.variables.map((variable) => variable.name)));
    expect([...named].filter((name) => !listed.has(name)).sort()).toEqual([]);
    expect([...listed].filter((name) => !named.has(name)).sort()).toEqual([]);
  });

  test("a new operator setting is documented from OPERATOR_VARIABLES with no edit to the generator", () => {
    expect(OPERATOR_ENVIRONMENT_VARIABLES.map((variable) => variable.name)).toEqual(Object.values(OPERATOR_VARIABLES));
    const table = renderVariables([{ readBy: "src/x.ts", variables: [{ name: "SENTRY_NEW", meaning: "new | thing" }] }]);
    expect(table).toContain("| `SENTRY_NEW` | unset | new \\| thing | `src/x.ts` |");
  });

  test("a variable read in several places is one row naming every reader", () => {
    expect(renderVariables(VARIABLE_READERS)).toMatch(/^\| `SENTRY_ENV` \| `dev` \| [^\n]+ \| `src\/config`, `src\/ops\/cli\.ts`, `src\/tooling\/bench\.ts` \|$/m);
  });
});

describe("README and links", () => {
  test(`README.md has at most ${README_MAX_LINES} lines and keeps the two commands first`, () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme.trimEnd().split("\n").length).toBeLessThanOrEqual(README_MAX_LINES);
    expect(readme).toMatch(/^# .+\n\n```bash\nnpm ci && npm run synth +#.*\nnpm test +#.*\n```\n/);
  });

  test("`npm run help` prints the quick reference, the top-level help file, as it is", () => {
    const script = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts.help;
    expect(execSync(script, { cwd: ROOT, encoding: "utf8" })).toBe(readFileSync(join(ROOT, "help"), "utf8"));
  });

  test("the quick reference fits a 110-column terminal, as sentry-ops' own help does", () => {
    const long = readFileSync(join(ROOT, "help"), "utf8").split("\n").filter((line) => line.length > 110);
    expect(long).toEqual([]);
  });

  test("reference docs describe what is: the project's history (issues, before and after) is in CHANGELOG.md only", () => {
    const history = /\bissues? \d+|before and after|Nothing is deployed yet/i;
    const found = [...MARKDOWN_FILES.filter((file) => file !== "CHANGELOG.md"), "help"].filter((file) => history.test(readFileSync(join(ROOT, file), "utf8")));
    expect(found).toEqual([]);
    expect(readFileSync(join(ROOT, "CHANGELOG.md"), "utf8")).toMatch(/^# Changelog\n[\s\S]*\n## \[Unreleased\]\n/);
  });

  test("every docs file opens with the question it answers", () => {
    for (const file of MARKDOWN_FILES.filter((name) => name.startsWith("docs/"))) {
      expect({ file, question: readFileSync(join(ROOT, file), "utf8").split("\n")[2] }).toEqual({ file, question: expect.stringMatching(/^\*.+\?\*$/) });
    }
  });

  test("README.md's docs map lists every docs file with the question the file opens with", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    for (const file of MARKDOWN_FILES.filter((name) => name.startsWith("docs/"))) {
      const question = readFileSync(join(ROOT, file), "utf8").split("\n")[2].replace(/^\*(.+)\*$/, "$1");
      expect({ file, row: readme.includes(`| [${file}](${file}) | ${question} |`) }).toEqual({ file, row: true });
    }
  });

  test("every relative link in README.md, docs/*.md and SECURITY.md resolves, #anchors included", () => {
    const broken: string[] = [];
    for (const file of MARKDOWN_FILES) {
      const markdown = readFileSync(join(ROOT, file), "utf8");
      for (const [, target] of withoutCode(markdown).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [path, fragment] = target.split("#");
        const resolved = path ? join(ROOT, dirname(file), path) : join(ROOT, file);
        let ok = resolved.startsWith(ROOT) && statSync(resolved, { throwIfNoEntry: false }) !== undefined;
        if (ok && fragment !== undefined) ok = anchorsOf(readFileSync(resolved, "utf8")).has(fragment);
        if (!ok) broken.push(`${file}: ${target} (${relative(ROOT, resolved)})`);
      }
    }
    expect(MARKDOWN_FILES.length).toBeGreaterThanOrEqual(9);
    expect(broken).toEqual([]);
  });
});

describe("docs/troubleshooting.md", () => {
  const anchors = anchorsOf(readFileSync(join(ROOT, TROUBLESHOOTING_DOC), "utf8"));

  test("every section a failure line can point at is a heading", () => {
    expect(TROUBLESHOOTING_SECTIONS.filter((section) => !anchors.has(section))).toEqual([]);
  });

  test("every docs/troubleshooting.md#... and seeTroubleshooting(...) in src/ops resolves", () => {
    const named = sources(join(ROOT, "src", "ops")).flatMap((path) =>
      [...readFileSync(path, "utf8").matchAll(/docs\/troubleshooting\.md#([\w-]+)|seeTroubleshooting\("([\w-]+)"\)/g)].map((match) => ({ file: relative(ROOT, path), section: match[1] ?? match[2] })),
    );
    expect(new Set(named.map(({ section }) => section)).size).toBeGreaterThanOrEqual(6);
    expect(named.filter(({ section }) => !anchors.has(section))).toEqual([]);
  });
});
