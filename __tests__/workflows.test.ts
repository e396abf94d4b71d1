import { spawnSync } from "child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parse } from "yaml";
import { CI_ACCOUNT_VARIABLES, CI_ENVIRONMENTS, CI_ROLE_KINDS, CI_SESSION_SECONDS, ciRoleVariable, ENVIRONMENT_NAMES, githubDeployEnvironment, githubPlanEnvironment } from "../src/config";
import { OPERATOR_VARIABLES } from "../src/config/operator";
import { USAGE } from "../src/ops/cli";

/**
 * The GitHub workflows (issue 14): actionlint, then the rules a reviewer would check by hand, read from the files.
 */

const ROOT = join(__dirname, "..");
const GITHUB = join(ROOT, ".github");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const WORKFLOW_FILES = readdirSync(join(GITHUB, "workflows")).map((name) => `.github/workflows/${name}`);
const ACTION_FILES = readdirSync(join(GITHUB, "actions")).map((name) => `.github/actions/${name}/action.yml`);
const SCRIPT_FILES = readdirSync(join(GITHUB, "scripts")).map((name) => `.github/scripts/${name}`);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Yaml = any;
const workflows: Record<string, Yaml> = Object.fromEntries(WORKFLOW_FILES.map((file) => [file, parse(read(file))]));
const actions: Record<string, Yaml> = Object.fromEntries(ACTION_FILES.map((file) => [file, parse(read(file))]));
const pullRequest = workflows[".github/workflows/pull-request.yml"];
const deploy = workflows[".github/workflows/deploy.yml"];
const jobsOf = (workflow: Yaml): [string, Yaml][] => Object.entries(workflow.jobs);
const allJobs = WORKFLOW_FILES.flatMap((file) => jobsOf(workflows[file]).map(([id, job]) => [`${file}#${id}`, job] as [string, Yaml]));
const usesOf = (job: Yaml): string[] => (job.steps ?? []).map((step: Yaml) => step.uses).filter(Boolean);
const stepUsing = (job: Yaml, action: string): Yaml => job.steps.find((step: Yaml) => step.uses === action);
/** Every shell line the workflows and their local actions and scripts run. */
const shellText = [...WORKFLOW_FILES, ...ACTION_FILES, ...SCRIPT_FILES].map(read).join("\n");
const PLAN_REVIEW = "./.github/actions/plan-review";

/** actionlint's findings per file, from a process of its own (see support/actionlint.js). */
function actionlint(files: readonly string[]): Record<string, unknown[]> {
  const result = spawnSync(process.execPath, [join(__dirname, "support", "actionlint.js"), ...files], { cwd: ROOT, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`actionlint failed to run: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

describe("workflows: actionlint", () => {
  const broken = join(mkdtempSync(join(tmpdir(), "sentry-actionlint-")), "broken.yml");
  let findings: Record<string, unknown[]>;
  beforeAll(() => {
    writeFileSync(broken, "on: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nonexistent_context_property }}\n    timeout-minute: 5\n");
    findings = actionlint([...WORKFLOW_FILES, broken]);
  });

  test.each(WORKFLOW_FILES)("%s passes actionlint", (file) => {
    expect(findings[file]).toEqual([]);
  });

  test("a broken workflow fails actionlint (the linter really runs)", () => {
    expect(findings[broken].length).toBeGreaterThan(0);
  });
});

describe("workflows: structure", () => {
  test("there is a pull-request and a deploy workflow", () => {
    expect(Object.keys(pullRequest.on)).toEqual(["pull_request"]);
    expect(Object.keys(deploy.on)).toEqual(["push", "workflow_dispatch"]);
    expect(deploy.on.push.branches).toEqual(["main"]);
  });

  test("every third-party action is pinned to a full commit SHA with its version in a comment", () => {
    const uses = [...WORKFLOW_FILES, ...ACTION_FILES].flatMap((file) => read(file).split("\n").filter((line) => /^\s*-?\s*uses:/.test(line)).map((line) => ({ file, line: line.trim() })));
    expect(uses.length).toBeGreaterThan(10);
    const unpinned = uses.filter(({ line }) => !/uses: \.\/\.github\/actions\/[a-z-]+$/.test(line) && !/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/.test(line));
    expect(unpinned).toEqual([]);
  });

  test("permissions: none by default; each job asks for its own, id-token only where a role is assumed", () => {
    for (const file of WORKFLOW_FILES) expect(workflows[file].permissions).toEqual({});
    for (const [name, job] of allJobs) {
      expect([name, job.permissions]).toEqual([name, expect.any(Object)]);
      const assumesRole = usesOf(job).includes(PLAN_REVIEW);
      expect([name, job.permissions["id-token"]]).toEqual([name, assumesRole ? "write" : undefined]);
      expect([name, job.permissions.contents]).toEqual([name, "read"]);
      const writes = Object.entries(job.permissions).filter(([scope, level]) => level === "write" && scope !== "id-token").map(([scope]) => scope);
      // Only the pull request's plan jobs write, and only their comment.
      expect([name, writes]).toEqual([name, name.includes("pull-request.yml") && assumesRole ? ["pull-requests"] : []]);
    }
  });

  test("one deploy at a time per environment, never cancelled; pull-request plans superseded by the next push", () => {
    for (const env of ENVIRONMENT_NAMES) {
      expect(deploy.jobs[env].concurrency).toEqual({ group: `deploy-${env}`, "cancel-in-progress": false });
    }
    expect(pullRequest.jobs.plan.concurrency).toEqual({ group: "plan-${{ matrix.environment }}-pr-${{ github.event.pull_request.number }}", "cancel-in-progress": true });
    expect(pullRequest.jobs["plan-prod"].concurrency).toEqual({ group: "plan-prod-pr-${{ github.event.pull_request.number }}", "cancel-in-progress": true });
  });

  test("plans are never uploaded or cached: they hold secret values", () => {
    expect(shellText).not.toMatch(/upload-artifact|actions\/cache|\.sentry-ops/);
    expect(shellText).not.toMatch(/SENTRY_OPS_DIR/);
  });

  test("pull requests: npm ci and npm test, then plan and review per environment with the plan roles", () => {
    expect(stepUsing(pullRequest.jobs.test, "./.github/actions/setup")).toBeDefined();
    expect(pullRequest.jobs.test.steps.map((step: Yaml) => step.run).filter(Boolean)).toEqual(["npm test"]);
    expect(read(".github/actions/setup/action.yml")).toContain("run: npm ci --no-audit --no-fund");
    const planned = pullRequest.jobs.plan.strategy.matrix.include;
    expect(planned).toEqual(
      ENVIRONMENT_NAMES.filter((env) => CI_ENVIRONMENTS[env].planFrom === "pull-request").map((env) => ({ environment: env, "role-variable": ciRoleVariable("plan", env) })),
    );
    expect(stepUsing(pullRequest.jobs.plan, PLAN_REVIEW).with["role-arn"]).toBe("${{ vars[matrix.role-variable] }}");
    const prod = pullRequest.jobs["plan-prod"];
    expect(CI_ENVIRONMENTS.prod.planFrom).toBe("plan-environment");
    expect(prod.environment).toBe(githubPlanEnvironment("prod"));
    expect(stepUsing(prod, PLAN_REVIEW).with).toEqual({ environment: "prod", "role-arn": `\${{ vars.${ciRoleVariable("plan", "prod")} }}`, "aws-region": "${{ vars.SENTRY_AWS_REGION }}" });
    for (const job of [pullRequest.jobs.plan, prod]) {
      expect(job.needs).toBe("test");
      expect(job.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
      expect(job.steps.map((step: Yaml) => step.name).filter(Boolean)).toEqual(["Comment the review (one comment per environment, updated on each push)", "Verdict"]);
    }
  });

  test("merge to main: dev, then staging, then prod, each in its GitHub environment with its deploy role; plan and review before deploy", () => {
    expect(Object.keys(deploy.jobs)).toEqual([...ENVIRONMENT_NAMES]);
    expect([deploy.jobs.dev.needs, deploy.jobs.staging.needs, deploy.jobs.prod.needs]).toEqual([undefined, "dev", "staging"]);
    for (const env of ENVIRONMENT_NAMES) {
      const job = deploy.jobs[env];
      expect(job.environment).toBe(githubDeployEnvironment(env));
      expect(job.if).toContain("github.ref == 'refs/heads/main'");
      expect(usesOf(job).slice(-2)).toEqual(["./.github/actions/setup", PLAN_REVIEW]);
      expect(stepUsing(job, PLAN_REVIEW).with).toEqual({
        environment: env,
        "role-arn": `\${{ vars.${ciRoleVariable("deploy", env)} }}`,
        "aws-region": "${{ vars.SENTRY_AWS_REGION }}",
        "session-seconds": String(CI_SESSION_SECONDS.deploy),
      });
      const last = job.steps[job.steps.length - 1];
      expect(last).toMatchObject({ name: "sentry-ops deploy", run: ".github/scripts/deploy.sh" });
      // Approvals come from a person's manual run only: empty on a push.
      expect(last.env.APPROVE).toBe("${{ github.event_name == 'workflow_dispatch' && inputs.approve || '' }}");
      expect(last.env.APPROVE_BROADENING).toBe("${{ github.event_name == 'workflow_dispatch' && inputs.approve-broadening }}");
    }
    expect(deploy.on.workflow_dispatch.inputs.environment.options).toEqual([...ENVIRONMENT_NAMES]);
  });

  test("a role's credentials outlast the job: session seconds (the role's maximum) at least the job's timeout", () => {
    const planReview = actions[".github/actions/plan-review/action.yml"];
    expect(planReview.runs.steps.find((step: Yaml) => String(step.uses).startsWith("aws-actions/configure-aws-credentials@")).with["role-duration-seconds"]).toBe("${{ inputs.session-seconds }}");
    expect(planReview.inputs["session-seconds"].default).toBe(String(CI_SESSION_SECONDS.plan));
    const roleJobs = allJobs.filter(([, job]) => usesOf(job).includes(PLAN_REVIEW));
    expect(roleJobs.length).toBe(5);
    for (const [name, job] of roleJobs) {
      const seconds = Number(stepUsing(job, PLAN_REVIEW).with["session-seconds"] ?? planReview.inputs["session-seconds"].default);
      const kind = JSON.stringify(job).includes("SENTRY_DEPLOY_ROLE_ARN_") ? "deploy" : "plan";
      expect([name, seconds]).toEqual([name, CI_SESSION_SECONDS[kind]]);
      expect([name, job["timeout-minutes"] * 60 <= seconds]).toEqual([name, true]);
    }
  });

  test("pull requests never assume a deploy role; deploys never a plan role", () => {
    const roleVariables = (workflow: Yaml) => [...JSON.stringify(workflow).matchAll(/SENTRY_(PLAN|DEPLOY)_ROLE_ARN_[A-Z]+/g)].map((match) => match[0]);
    expect(roleVariables(pullRequest).every((name) => name.startsWith("SENTRY_PLAN_"))).toBe(true);
    expect(roleVariables(deploy).every((name) => name.startsWith("SENTRY_DEPLOY_"))).toBe(true);
  });

  test("every job that runs sentry-ops gets every operator setting, the accounts and the Terraform roles (named, not assumed) from the repository variables", () => {
    const expected = {
      ...Object.fromEntries([...Object.values(OPERATOR_VARIABLES), ...CI_ACCOUNT_VARIABLES].map((name) => [name, `\${{ vars.${name} }}`])),
      SENTRY_USE_CALLER_CREDENTIALS: "1",
    };
    expect(CI_ACCOUNT_VARIABLES).toEqual(expect.arrayContaining(["SENTRY_DEV_ROLE_ARN", "SENTRY_STAGING_ROLE_ARN", "SENTRY_PROD_ROLE_ARN", "SENTRY_DEV_STATE_ROLE_ARN"]));
    expect(CI_ACCOUNT_VARIABLES.filter((name) => name.endsWith("EXTERNAL_ID"))).toEqual(["SENTRY_STATE_EXTERNAL_ID"]);
    expect(CI_ACCOUNT_VARIABLES).toEqual(expect.arrayContaining(["SENTRY_DEV_STATE_PLAN_ROLE_ARN", "SENTRY_STAGING_STATE_PLAN_ROLE_ARN", "SENTRY_PROD_STATE_PLAN_ROLE_ARN"]));
    const sentryOpsJobs = allJobs.filter(([, job]) => usesOf(job).includes(PLAN_REVIEW));
    expect(sentryOpsJobs.map(([name]) => name).length).toBe(5);
    for (const [name, job] of sentryOpsJobs) {
      const { SENTRY_STATE_ACCESS: access, ...env } = job.env;
      expect([name, env]).toEqual([name, expected]);
      // A pull request's plan reaches the state through the plan state role only; a deploy keeps the default, apply.
      expect([name, access]).toEqual([name, Object.values(pullRequest.jobs).includes(job) ? "plan" : undefined]);
    }
  });

  test("local actions get exactly the inputs they declare, the required ones included", () => {
    for (const [name, job] of allJobs) {
      for (const step of job.steps.filter((candidate: Yaml) => candidate.uses?.startsWith("./"))) {
        const action = actions[`${step.uses.slice(2)}/action.yml`];
        const declared = Object.keys(action.inputs ?? {});
        const required = declared.filter((input) => action.inputs[input].required);
        expect([name, Object.keys(step.with ?? {}).filter((input) => !declared.includes(input))]).toEqual([name, []]);
        expect([name, required.filter((input) => !(input in (step.with ?? {})))]).toEqual([name, []]);
      }
    }
  });

  test("the commands are the documented ones: sentry-ops plan, review --format markdown and deploy with --approve", () => {
    const commands = [...shellText.matchAll(/npx sentry-ops (\w+)/g)].map((match) => match[1]);
    expect([...new Set(commands)].sort()).toEqual(["deploy", "plan", "review"]);
    const documented = read("docs/operations.md");
    for (const command of new Set(commands)) expect(documented).toContain(`npx sentry-ops ${command} `);
    for (const option of ["--format markdown", "--format json", "--approve", "--approve-broadening"]) {
      expect(shellText).toContain(option);
      expect(USAGE).toContain(option.split(" ")[0]);
    }
    expect(read("README.md")).toMatch(/npm ci[\s\S]*npm test/);
  });
});

describe("docs/pull-requests.md: every name it tells you to set exists", () => {
  const doc = read("docs/pull-requests.md");

  test("the repository variables are the ones the workflows read", () => {
    const read = [...new Set([...shellText.matchAll(/vars\.([A-Z_]+)/g)].map((match) => match[1]))];
    const roleVariables = ENVIRONMENT_NAMES.flatMap((env) => CI_ROLE_KINDS.map((kind) => ciRoleVariable(kind, env)));
    const needed = [...new Set([...read, ...roleVariables])].sort();
    const documented = [...new Set([...doc.matchAll(/`(SENTRY_[A-Z_]+)`/g)].map((match) => match[1]))];
    expect(needed.filter((name) => !documented.includes(name))).toEqual([]);
    const known = [...needed, ...Object.values(OPERATOR_VARIABLES)];
    expect(documented.filter((name) => !known.includes(name))).toEqual([]);
  });

  test("the GitHub environments are the ones the jobs declare", () => {
    const declared = [...new Set(allJobs.map(([, job]) => job.environment).filter(Boolean))].sort();
    expect(declared).toEqual([...ENVIRONMENT_NAMES.map(githubDeployEnvironment), githubPlanEnvironment("prod")].sort());
    for (const environment of declared) expect(doc).toContain(`\`${environment}\``);
  });
});

describe("workflow scripts", () => {
  test("review-comment: creates the environment's comment once, then updates it", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const reviewComment = require(join(GITHUB, "scripts", "review-comment.js"));
    const dir = mkdtempSync(join(tmpdir(), "review-comment-"));
    const reviewFile = join(dir, "review.md");
    writeFileSync(reviewFile, "## Review\nnothing to approve\n");
    const comments: { id: number; body: string; user: { type: string; login: string } }[] = [
      { id: 1, body: "a person's comment", user: { type: "User", login: "alice" } },
      { id: 2, body: "<!-- sentry-ops review: dev -->\nanother app's bot copying the marker", user: { type: "Bot", login: "other-app[bot]" } },
    ];
    const github = {
      paginate: async () => comments,
      rest: {
        issues: {
          listComments: () => undefined,
          createComment: async ({ body }: { body: string }) => comments.push({ id: comments.length + 1, body, user: { type: "Bot", login: "github-actions[bot]" } }),
          updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) => (comments.find((comment) => comment.id === comment_id)!.body = body),
        },
      },
    };
    const context = (sha: string) => ({ repo: { owner: "acme", repo: "sentry-infra" }, issue: { number: 7 }, payload: { pull_request: { head: { sha } } } });
    await reviewComment({ github, context: context("a".repeat(40)), environment: "dev", reviewFile });
    await reviewComment({ github, context: context("b".repeat(40)), environment: "staging", reviewFile: join(dir, "missing.md") });
    await reviewComment({ github, context: context("c".repeat(40)), environment: "dev", reviewFile });
    expect(comments.map((comment) => comment.body.split("\n").slice(0, 2).join(" | "))).toEqual([
      "a person's comment",
      "<!-- sentry-ops review: dev --> | another app's bot copying the marker",
      "<!-- sentry-ops review: dev --> | ### `sentry-ops review dev` at cccccccccccc",
      "<!-- sentry-ops review: staging --> | ### `sentry-ops review staging` at bbbbbbbbbbbb",
    ]);
    expect(comments[3].body).toContain("No review: the job stopped before `sentry-ops review` ran");
    expect(reviewComment.commentBody("dev", "x".repeat(100000), "d".repeat(40)).length).toBeLessThanOrEqual(65000);
  });

  const runScript = (script: string, env: Record<string, string>, path?: string) =>
    spawnSync("bash", [join(GITHUB, "scripts", script)], { env: { PATH: path ?? process.env.PATH, ...env }, encoding: "utf8" });

  test("review-verdict: passes on 0; fails on 2 naming each address, and on a failed plan", () => {
    expect(runScript("review-verdict.sh", { ENVIRONMENT: "dev", EXIT_CODE: "0" }).status).toBe(0);
    const blocked = runScript("review-verdict.sh", { ENVIRONMENT: "prod", EXIT_CODE: "2", PENDING: "sentry-foundation-prod:aws_sqs_queue.orders (data loss)\nsentry-data-prod:aws_iam_role.x (broadening)" });
    expect(blocked.status).toBe(1);
    expect(blocked.stdout).toContain("::error title=prod needs approval::sentry-foundation-prod:aws_sqs_queue.orders (data loss)");
    expect(blocked.stdout).toContain("::error title=prod needs approval::sentry-data-prod:aws_iam_role.x (broadening)");
    const failed = runScript("review-verdict.sh", { ENVIRONMENT: "dev", EXIT_CODE: "1" });
    expect([failed.status, failed.stdout]).toEqual([1, expect.stringContaining("dev has no complete plan")]);
  });

  test("deploy: passes a person's approvals to sentry-ops deploy, and none on a push", () => {
    const bin = mkdtempSync(join(tmpdir(), "fake-npx-"));
    writeFileSync(join(bin, "npx"), '#!/usr/bin/env bash\necho "$@"\n');
    chmodSync(join(bin, "npx"), 0o755);
    const path = `${bin}:${process.env.PATH}`;
    expect(runScript("deploy.sh", { ENVIRONMENT: "dev", APPROVE: "", APPROVE_BROADENING: "false" }, path).stdout.trim()).toBe("sentry-ops deploy dev");
    expect(runScript("deploy.sh", { ENVIRONMENT: "prod", APPROVE: "sentry-foundation-prod:aws_sqs_queue.a aws_sqs_queue.b", APPROVE_BROADENING: "true" }, path).stdout.trim()).toBe(
      "sentry-ops deploy prod --approve sentry-foundation-prod:aws_sqs_queue.a --approve aws_sqs_queue.b --approve-broadening",
    );
    // An address with an index is a glob pattern: a file it matches in the working folder must not replace it.
    const cwd = mkdtempSync(join(tmpdir(), "deploy-cwd-"));
    writeFileSync(join(cwd, "sentry-foundation-dev:aws_sqs_queue.qo"), "");
    const indexed = spawnSync("bash", [join(GITHUB, "scripts", "deploy.sh")], { cwd, env: { PATH: path, ENVIRONMENT: "dev", APPROVE: 'sentry-foundation-dev:aws_sqs_queue.q["orders"]' }, encoding: "utf8" });
    expect(indexed.stdout.trim()).toBe('sentry-ops deploy dev --approve sentry-foundation-dev:aws_sqs_queue.q["orders"]');
  });
});
