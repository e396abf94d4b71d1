#!/usr/bin/env node
// `npx sentry-ops`: the operator CLI (src/ops/cli.ts), run with the project's transpile-only loader.
require("../lib/register.js");
require("./cli.ts").main();
