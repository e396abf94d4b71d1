import { spawnSync } from "child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import { TOOLING_DIR } from "./terraform-cli";
import { validateStacks } from "./validate-stacks";

/**
 * `npm run bench`: synth time and peak RSS of the project's app against the default cdktf setup (ts-node,
 * type-checking the same main.ts), the wall time of `npm test`, and the disk `terraform validate` uses.
 * Every run is a new process (cold start); medians of RUNS runs.
 */

const ROOT = resolve(__dirname, "..", "..");
const RUNS = Number(process.env.SENTRY_BENCH_RUNS ?? 3);
const ENVIRONMENT = process.env.SENTRY_ENV ?? "dev";
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
    env: { ...process.env, SENTRY_ENV: ENVIRONMENT, CDKTF_OUTDIR: outdir, SENTRY_BENCH_RSS_FILE: rssFile },
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

function main(): void {
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

    if (process.env.SENTRY_BENCH_SKIP_TESTS !== "1") {
      const testStarted = process.hrtime.bigint();
      const tests = spawnSync("npm", ["test", "--silent"], { cwd: ROOT, encoding: "utf8" });
      const testSeconds = Number(process.hrtime.bigint() - testStarted) / 1e9;
      console.log(`\nnpm test (tsc + jest, every stack x environment validated): ${testSeconds.toFixed(1)} s, exit ${tests.status}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main();
