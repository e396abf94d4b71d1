import { spawn, spawnSync } from "child_process";
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, relative, resolve } from "path";
import { EnvironmentVariable } from "../lib/environment-variables";
import { TOOLING_DIR } from "../lib/terraform-cli";
import { validateStacks } from "./validate-stacks";

/**
 * `npm run bench`: synth time and peak RSS of the project's app against the default cdktf setup (ts-node,
 * type-checking the same main.ts), the wall time of `npm test` (and of each test file), the disk `terraform
 * validate` uses, and the operator CLI: `sentry-ops review` of one environment's plan folder, the own overhead
 * of `sentry-ops plan` and `sentry-ops drift` over the terraform calls they make, and the overhead of
 * `sentry-ops status` and `sentry-ops scaling` over terraform and AWS (a local stub endpoint).
 * Every run is a new process (cold start); medians of RUNS runs.
 */

const RUNS_VARIABLE = { name: "SENTRY_BENCH_RUNS", default: "3", meaning: "cold runs per measurement (`npm run bench` reports medians)" };
const ENVIRONMENT_VARIABLE = { name: "SENTRY_ENV", default: "dev", meaning: "environment `npm run bench` synthesizes and reviews" };
const SKIP_TESTS_VARIABLE = { name: "SENTRY_BENCH_SKIP_TESTS", meaning: "`1`: `npm run bench` does not time `npm test`" };
const RSS_FILE_VARIABLE = { name: "SENTRY_BENCH_RSS_FILE", meaning: "set by `npm run bench` for each measured synth: where `report-peak-rss.js` writes the peak RSS" };
const TF_LOG_VARIABLE = { name: "SENTRY_BENCH_TF_LOG", meaning: "set by `npm run bench` for its no-op terraform: where each call logs its start and end" };
/** The variables the benchmark reads, or sets for the processes it measures. */
const SHOW_VARIABLE = { name: "SENTRY_BENCH_SHOW", meaning: "set by `npm run bench` for its no-op terraform: the plan JSON `show` prints (drift)" };
const STATES_VARIABLE = { name: "SENTRY_BENCH_STATES", meaning: "set by `npm run bench` for its fake terraform: the folder of the state files `status` reads and the outputs `scaling` reads" };
const AWS_LOG_VARIABLE = { name: "SENTRY_BENCH_AWS_LOG", meaning: "set by `npm run bench` for its stub AWS endpoint: where each request logs its start and end" };
export const BENCH_VARIABLES: readonly EnvironmentVariable[] = [RUNS_VARIABLE, ENVIRONMENT_VARIABLE, SKIP_TESTS_VARIABLE, RSS_FILE_VARIABLE, TF_LOG_VARIABLE, SHOW_VARIABLE, STATES_VARIABLE, AWS_LOG_VARIABLE];

const ROOT = resolve(__dirname, "..", "..");
const RUNS = Number(process.env[RUNS_VARIABLE.name] ?? RUNS_VARIABLE.default);
const ENVIRONMENT = process.env[ENVIRONMENT_VARIABLE.name] ?? ENVIRONMENT_VARIABLE.default;
const PEAK_RSS_PRELOAD = join(__dirname, "report-peak-rss.js");

interface Sample {
  readonly seconds: number;
  readonly peakRssMiB: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Runs `node <preloads> main.ts` once into a fresh output folder and measures it. */
function synthOnce(preloads: string[], scratch: string, run: number): Sample {
  const outdir = join(scratch, `out-${run}`);
  const rssFile = join(scratch, `rss-${run}`);
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ["--require", PEAK_RSS_PRELOAD, ...preloads.flatMap((p) => ["--require", p]), "main.ts"], {
    cwd: ROOT,
    env: { ...process.env, SENTRY_ENV: ENVIRONMENT, CDKTF_OUTDIR: outdir, [RSS_FILE_VARIABLE.name]: rssFile },
    encoding: "utf8",
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`synth failed (${preloads.join(" ")}):\n${result.stderr}`);
  return { seconds, peakRssMiB: Number(readFileSync(rssFile, "utf8")) / 1024 };
}

function measureSynth(label: string, preloads: string[], scratch: string): { label: string; seconds: number; peakRssMiB: number } {
  const samples = Array.from({ length: RUNS }, (_, run) => synthOnce(preloads, scratch, run));
  return { label, seconds: median(samples.map((s) => s.seconds)), peakRssMiB: median(samples.map((s) => s.peakRssMiB)) };
}

/** Bytes under `path`, not following symbolic links (the plugin cache links into the provider mirror). */
function diskUsage(path: string): number {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.blocks * 512;
  return stat.blocks * 512 + readdirSync(path).reduce((sum, entry) => sum + diskUsage(join(path, entry)), 0);
}

function appPreloads(): string[] {
  const app: string = JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")).app;
  const match = /^node --require (\S+) main\.ts$/.exec(app);
  if (!match) throw new Error(`cdktf.json app "${app}" is not "node --require <loader> main.ts"; update the benchmark`);
  return [match[1]];
}

const OPS_BIN = join(ROOT, "src", "ops", "sentry-ops.js");

/**
 * A plan folder as `sentry-ops plan` leaves it, from the synthesized stacks: every resource an update of an
 * existing stack (so the review parses every policy and rule and judges every approval).
 */
function writePlanFolder(stacksDir: string, plansDir: string): number {
  mkdirSync(plansDir, { recursive: true });
  let resources = 0;
  for (const stack of readdirSync(stacksDir).filter((name) => name !== "sentry-bootstrap")) {
    const tf = JSON.parse(readFileSync(join(stacksDir, stack, "cdk.tf.json"), "utf8"));
    const changes = Object.entries(tf.resource ?? {}).flatMap(([type, byName]) =>
      Object.entries(byName as Record<string, Record<string, unknown>>).map(([name, config]) => ({
        address: `${type}.${name}`,
        mode: "managed",
        type,
        name,
        change: { actions: ["update"], before: config, after: { ...config, tags: { Bench: "yes" } }, after_unknown: { tags_all: true }, before_sensitive: {}, after_sensitive: {} },
      })),
    );
    resources += changes.length;
    const prior = { values: { root_module: { resources: [{ address: "terraform_data.workspace_guard" }] } } };
    writeFileSync(join(plansDir, `${stack}.json`), JSON.stringify({ format_version: "1.2", prior_state: prior, resource_changes: changes }));
    writeFileSync(join(plansDir, `${stack}.tfplan`), "");
  }
  return resources;
}

/** A fake terraform (a shell script, ~1 ms a call) that logs each call's start and end in nanoseconds. */
const FAKE_TERRAFORM = `#!/bin/sh
start=$(date +%s%N)
case "$1" in
  output) echo '{"deployed":{"value":"x","sensitive":false}}' ;;
  plan) for a in "$@"; do case "$a" in -out=*) : > "\${a#-out=}" ;; esac; done ;;
  show) if [ -n "$SENTRY_BENCH_SHOW" ]; then cat "$SENTRY_BENCH_SHOW"; else echo '{"format_version":"1.2","resource_changes":[]}'; fi ;;
esac
echo "$start $(date +%s%N)" >> "$SENTRY_BENCH_TF_LOG"
`;

/** Seconds covered by the union of [start, end] intervals (parallel calls count once). */
function coveredSeconds(intervals: [number, number][]): number {
  let covered = 0;
  let reach = -Infinity;
  for (const [start, end] of [...intervals].sort((a, b) => a[0] - b[0])) {
    if (end > reach) covered += end - Math.max(start, reach);
    reach = Math.max(reach, end);
  }
  return covered / 1e9;
}

function runOps(args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [OPS_BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8" });
  if (result.status !== 0 && result.status !== 2) throw new Error(`sentry-ops ${args.join(" ")} failed:\n${result.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function measureOps(stacksDir: string, scratch: string, stsEndpoint: string): void {
  const workDir = join(scratch, "ops");
  const resources = writePlanFolder(stacksDir, join(workDir, ENVIRONMENT, "plans"));
  const review = median(Array.from({ length: RUNS }, () => runOps(["review", ENVIRONMENT], { SENTRY_OPS_DIR: workDir, SENTRY_ENV: ENVIRONMENT })));
  console.log(`\nsentry-ops (new process each run, median of ${RUNS}):`);
  console.log(`  review ${ENVIRONMENT}: plan folder of 5 stacks, ${resources} resource changes        ${review.toFixed(2)} s (target <= 1 s)`);

  const bin = join(scratch, "fake-bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "terraform"), FAKE_TERRAFORM);
  chmodSync(join(bin, "terraform"), 0o755);
  const plan = overOwnTerraform(["plan", ENVIRONMENT], bin, scratch, stsEndpoint, {});
  console.log(`  plan ${ENVIRONMENT} with a no-op terraform (${plan.calls} calls): ${plan.total.toFixed(2)} s in all, ${plan.overhead.toFixed(2)} s outside terraform (target <= 1.5 s)`);
  const drift = overOwnTerraform(["drift", ENVIRONMENT], bin, scratch, stsEndpoint, { [SHOW_VARIABLE.name]: DRIFT_BENCH_PLAN });
  console.log(`  drift ${ENVIRONMENT}, every show a ${(statSync(DRIFT_BENCH_PLAN).size / 1024).toFixed(0)} KiB real plan (${drift.calls} calls): ${drift.total.toFixed(2)} s in all, ${drift.overhead.toFixed(2)} s outside terraform (target <= 1.5 s)`);
}

/** A real `show -json` of a hand-edited environment (drift to report, sibling writes to ignore). */
const DRIFT_BENCH_PLAN = join(ROOT, "__tests__", "fixtures", "drift", "hand-edits.json");

/**
 * A rehearsal's settings: the example values allowed (plan refuses them otherwise), and made-up keys the credentials
 * check finds in the environment and asks the local stub about (AWS_ENDPOINT_URL_STS): its SDK load and that one
 * round trip are part of the overhead measured.
 */
const benchOperator = (stsEndpoint: string): NodeJS.ProcessEnv => ({
  SENTRY_ALLOW_PLACEHOLDERS: "1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  AWS_PROFILE: undefined,
  AWS_ENDPOINT_URL_STS: stsEndpoint,
});

/** Median total time of a command against the no-op terraform in `bin`, and of the part spent outside it. */
function overOwnTerraform(args: string[], bin: string, scratch: string, stsEndpoint: string, env: NodeJS.ProcessEnv): { total: number; overhead: number; calls: number } {
  const samples = Array.from({ length: RUNS }, (_, run) => {
    const log = join(scratch, `terraform-${args[0]}-${run}.log`);
    writeFileSync(log, "");
    const total = runOps(args, { ...env, ...benchOperator(stsEndpoint), PATH: `${bin}:${process.env.PATH}`, SENTRY_OPS_DIR: join(scratch, `ops-${args[0]}-${run}`), SENTRY_ENV: ENVIRONMENT, [TF_LOG_VARIABLE.name]: log });
    const intervals = readFileSync(log, "utf8").trim().split("\n").map((line) => line.split(" ").map(Number) as [number, number]);
    return { total, inside: coveredSeconds(intervals), calls: intervals.length };
  });
  return { total: median(samples.map((s) => s.total)), overhead: median(samples.map((s) => s.total - s.inside)), calls: samples[0].calls };
}

/** `status`'s fake terraform: `init` records an S3 backend as Terraform does, `state pull` prints a moto state. */
const STATUS_TERRAFORM = `#!/bin/sh
start=$(date +%s%N)
case "$1" in
  init) mkdir -p .terraform && echo '{"backend":{"type":"s3","config":{"bucket":"bench","key":"sentry/phase.tfstate","region":"us-east-1"}}}' > .terraform/terraform.tfstate ;;
  state) phase=$(basename "$PWD" | cut -d- -f2); cat "$SENTRY_BENCH_STATES/moto-$phase-dev.tfstate" ;;
esac
echo "$start $(date +%s%N)" >> "$SENTRY_BENCH_TF_LOG"
`;

/** `scaling`'s fake terraform: `output` prints the phase's outputs from $SENTRY_BENCH_STATES/<stack>.json. */
const SCALING_TERRAFORM = `#!/bin/sh
start=$(date +%s%N)
[ "$1" = output ] && cat "$SENTRY_BENCH_STATES/$(basename "$PWD").json"
echo "$start $(date +%s%N)" >> "$SENTRY_BENCH_TF_LOG"
`;

/** The outputs `scaling` reads, as dev's compute and services phases publish them. */
const SCALING_OUTPUTS: Readonly<Record<string, Record<string, Record<string, string>>>> = {
  "sentry-compute-dev": {
    cluster_names: { oms: "sentry-oms-dev", frontend: "sentry-frontend-dev" },
    capacity_provider_names: { oms: "sentry-oms-ec2-dev", frontend: "sentry-frontend-ec2-dev" },
    autoscaling_group_names: { oms: "sentry-oms-asg-dev", frontend: "sentry-frontend-asg-dev" },
  },
  "sentry-services-dev": {
    service_names: { oms: "sentry-oms-dev", frontend: "sentry-frontend-dev", websocket: "sentry-websocket-dev" },
    service_cluster_names: { oms: "sentry-oms-dev", frontend: "sentry-frontend-dev", websocket: "sentry-frontend-dev" },
  },
};

/**
 * A local AWS endpoint for `status` and `scaling` (AWS_ENDPOINT_URL), and STS for every command's credentials check:
 * minimal answers per API, each request's start and end logged like the fake terraform's calls. A separate process,
 * so it answers while the benchmark waits.
 */
const AWS_STUB = `
const http = require("http");
const fs = require("fs");
const json = { "CertificateManager.DescribeCertificate": { Certificate: { Status: "ISSUED", DomainValidationOptions: [] } },
  "CodeStar_connections_20191201.GetConnection": { Connection: { ConnectionStatus: "AVAILABLE" } },
  "secretsmanager.DescribeSecret": { VersionIdsToStages: { a: ["AWSCURRENT"] } },
  "AmazonEC2ContainerServiceV20141113.DescribeServices": { services: [], failures: [] },
  "AmazonEC2ContainerServiceV20141113.DescribeCapacityProviders": { capacityProviders: [] },
  "AnyScaleFrontendService.DescribeScalableTargets": { ScalableTargets: [] },
  "AnyScaleFrontendService.DescribeScalingPolicies": { ScalingPolicies: [] },
  "AnyScaleFrontendService.DescribeScalingActivities": { ScalingActivities: [] },
  "GraniteServiceVersion20100801.GetMetricData": { MetricDataResults: [] } };
const query = { DescribeAutoScalingGroups: "<AutoScalingGroups/>", DescribeScalingActivities: "<Activities/>", ListSubscriptionsByTopic: "<Subscriptions/>",
  GetCallerIdentity: "<Arn>arn:aws:iam::123456789012:user/bench</Arn><Account>123456789012</Account>" };
const server = http.createServer((request, response) => {
  const start = BigInt(Date.now()) * 1000000n;
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    const target = request.headers["x-amz-target"];
    const body = Buffer.concat(chunks).toString();
    if (request.method === "HEAD") {
      response.writeHead(200, { "Last-Modified": new Date().toUTCString(), "Content-Length": "0" });
      response.end();
    } else if (target && json[target]) {
      response.writeHead(200, { "Content-Type": "application/x-amz-json-1.1" });
      response.end(JSON.stringify(json[target]));
    } else if (query[new URLSearchParams(body).get("Action")]) {
      const action = new URLSearchParams(body).get("Action");
      response.writeHead(200, { "Content-Type": "text/xml" });
      response.end("<" + action + "Response><" + action + "Result>" + query[action] + "</" + action + "Result></" + action + "Response>");
    } else {
      response.writeHead(400, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ __type: "UnknownOperation", message: String(target) }));
    }
    fs.appendFileSync(process.env.SENTRY_BENCH_AWS_LOG, start + " " + (BigInt(Date.now()) * 1000000n) + "\\n");
  });
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

/** Runs `measure` with the local AWS stub listening; each request's start and end go to `awsLog`. */
async function withAwsStub<T>(scratch: string, awsLog: string, measure: (endpoint: string) => T): Promise<T> {
  writeFileSync(join(scratch, "aws-stub.js"), AWS_STUB);
  const stub = spawn(process.execPath, [join(scratch, "aws-stub.js")], { env: { ...process.env, [AWS_LOG_VARIABLE.name]: awsLog }, stdio: ["ignore", "pipe", "inherit"] });
  try {
    const port = await new Promise<string>((resolvePort) => stub.stdout.once("data", (chunk: Buffer) => resolvePort(chunk.toString().trim())));
    return measure(`http://127.0.0.1:${port}`);
  } finally {
    stub.kill();
  }
}

/** A fake terraform script as `terraform` in its own folder. */
function fakeTerraformBin(scratch: string, name: string, script: string): string {
  const bin = join(scratch, name);
  mkdirSync(bin);
  writeFileSync(join(bin, "terraform"), script);
  chmodSync(join(bin, "terraform"), 0o755);
  return bin;
}

/** Median total time of `sentry-ops <command> dev` against a fake terraform and the AWS stub, and of the part outside both. */
function overTerraformAndAws(command: string, bin: string, states: string, scratch: string, endpoint: string, awsLog: string): { total: number; overhead: number; calls: number } {
  const samples = Array.from({ length: RUNS }, (_, run) => {
    const log = join(scratch, `${command}-terraform-${run}.log`);
    writeFileSync(log, "");
    writeFileSync(awsLog, "");
    const total = runOps([command, "dev"], {
      PATH: `${bin}:${process.env.PATH}`,
      SENTRY_OPS_DIR: join(scratch, `ops-${command}-${run}`),
      SENTRY_ENV: "dev",
      [TF_LOG_VARIABLE.name]: log,
      [STATES_VARIABLE.name]: states,
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: "bench",
      AWS_SECRET_ACCESS_KEY: "bench",
    });
    const intervals = [log, awsLog].flatMap((file) => readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((line) => line.split(" ").map(Number) as [number, number]));
    return { total, inside: coveredSeconds(intervals), calls: intervals.length };
  });
  return { total: median(samples.map((s) => s.total)), overhead: median(samples.map((s) => s.total - s.inside)), calls: samples[0].calls };
}

/**
 * `sentry-ops status` of a deployed environment (real moto states) and `sentry-ops scaling` of its compute and
 * services outputs, each with a fake terraform and the local AWS stub.
 */
function measureStatusAndScaling(scratch: string, endpoint: string, awsLog: string): void {
  const outputs = join(scratch, "scaling-outputs");
  mkdirSync(outputs);
  for (const [stack, values] of Object.entries(SCALING_OUTPUTS)) {
    writeFileSync(join(outputs, `${stack}.json`), JSON.stringify(Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { value, sensitive: false }]))));
  }
  const status = overTerraformAndAws("status", fakeTerraformBin(scratch, "status-bin", STATUS_TERRAFORM), join(ROOT, "__tests__", "fixtures", "states"), scratch, endpoint, awsLog);
  console.log(`  status dev, deployed (${status.calls} terraform and AWS calls, stubbed): ${status.total.toFixed(2)} s in all, ${status.overhead.toFixed(2)} s outside them (target <= 1.5 s)`);
  const scaling = overTerraformAndAws("scaling", fakeTerraformBin(scratch, "scaling-bin", SCALING_TERRAFORM), outputs, scratch, endpoint, awsLog);
  console.log(`  scaling dev, deployed (${scaling.calls} terraform and AWS calls, stubbed): ${scaling.total.toFixed(2)} s in all, ${scaling.overhead.toFixed(2)} s outside them (target <= 1 s)`);
}

interface JestResults {
  readonly numTotalTests: number;
  readonly testResults: readonly { readonly name: string; readonly startTime: number; readonly endTime: number; readonly status: string }[];
}

/**
 * `npm test` as it runs (tsc, then jest with the project's config), timed in all and per test file, with
 * jest's warning about a worker that did not exit (a leaked handle) reported when it appears.
 */
function measureTests(scratch: string): void {
  const started = process.hrtime.bigint();
  const tsc = spawnSync("npx", ["tsc", "-p", "."], { cwd: ROOT, encoding: "utf8" });
  const tscSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const results = join(scratch, "jest.json");
  const jest = spawnSync("npx", ["jest", "--silent", "--json", `--outputFile=${results}`], { cwd: ROOT, encoding: "utf8" });
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`\nnpm test (tsc ${tscSeconds.toFixed(1)} s, then jest; every stack x environment validated): ${totalSeconds.toFixed(1)} s, exit ${tsc.status || jest.status} (target <= 45 s idle)`);
  if (/worker process has failed to exit gracefully/.test(jest.stderr)) console.log("  jest: a worker process failed to exit gracefully (a test leaks a handle)");
  const report = JSON.parse(readFileSync(results, "utf8")) as JestResults;
  console.log(`  ${report.numTotalTests} tests; per file (seconds, the two workers in parallel):`);
  for (const file of [...report.testResults].sort((a, b) => b.endTime - b.startTime - (a.endTime - a.startTime))) {
    console.log(`    ${relative(ROOT, file.name).padEnd(44)} ${((file.endTime - file.startTime) / 1000).toFixed(1).padStart(6)}${file.status === "passed" ? "" : `  ${file.status}`}`);
  }
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), "sentry-bench-"));
  try {
    console.log(`Synth of SENTRY_ENV=${ENVIRONMENT} (bootstrap + every phase), median of ${RUNS} cold runs:`);
    const app = measureSynth(`project app (${appPreloads()[0]}, no type-check)`, appPreloads(), scratch);
    const baseline = measureSynth("default cdktf setup (ts-node, type-checks)", ["ts-node/register"], scratch);
    for (const row of [app, baseline]) {
      console.log(`  ${row.label.padEnd(48)} ${row.seconds.toFixed(2)} s  ${row.peakRssMiB.toFixed(0)} MiB peak RSS`);
    }
    console.log(`  speed-up: ${(baseline.seconds / app.seconds).toFixed(1)}x`);

    const synthOut = join(scratch, "out-0", "stacks");
    const stacks = Object.fromEntries(readdirSync(synthOut).map((name) => [name, join(synthOut, name)]));
    const validateDir = join(scratch, "validate");
    mkdirSync(validateDir);
    const started = process.hrtime.bigint();
    const report = validateStacks(stacks, validateDir);
    const validateSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const failures = Object.values(report.byStack).flat().length + report.general.length;
    console.log(`\nterraform init + validate of those ${Object.keys(stacks).length} stacks in one run: ${validateSeconds.toFixed(1)} s, ${failures} diagnostics`);
    console.log(`  disk: validation folder ${(diskUsage(validateDir) / 2 ** 20).toFixed(1)} MiB, plugin cache ${(diskUsage(join(TOOLING_DIR, "plugin-cache")) / 2 ** 20).toFixed(1)} MiB (links into the provider mirror, not copies)`);

    const awsLog = join(scratch, "aws.log");
    await withAwsStub(scratch, awsLog, (endpoint) => {
      measureOps(synthOut, scratch, endpoint);
      measureStatusAndScaling(scratch, endpoint, awsLog);
    });

    if (process.env[SKIP_TESTS_VARIABLE.name] !== "1") measureTests(scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) void main();
