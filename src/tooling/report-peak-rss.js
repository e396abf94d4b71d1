// Preloaded by the benchmark into a measured process: writes the process's peak RSS (KiB) to
// $SENTRY_BENCH_RSS_FILE at exit, so no external `time` binary is needed.
const { writeFileSync } = require("fs");

process.on("exit", () => {
  const file = process.env.SENTRY_BENCH_RSS_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS));
});
