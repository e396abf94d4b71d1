import { TestEnvironment } from "jest-environment-node";

let exitsAtOnce = false;
/** The script a jest worker process runs. */
const JEST_WORKER = /jest-worker[\\/]build[\\/]workers[\\/]processChild\.js$/;

/**
 * Jest's node environment, with one change to the worker process it runs in: once the worker is done (the
 * "exit" event, with no handle left: `process.getActiveResourcesInfo()` shows only jest's own pipes), it ends
 * there instead of tearing down its heap first. That teardown of a few hundred MB took longer than the 500 ms
 * jest waits on a loaded machine, and jest then reported "A worker process has failed to exit gracefully".
 * A handle a test leaks still keeps the worker from reaching "exit", so jest still reports a real leak.
 */
export default class SentryTestEnvironment extends TestEnvironment {
  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    // Only in a jest worker process, never in jest's own (a run in band): jest's own decides its exit code in an
    // "exit" listener of its own, which this one would cut short.
    if (exitsAtOnce || !JEST_WORKER.test(process.argv[1] ?? "")) return;
    exitsAtOnce = true;
    process.on("exit", (code) => process.exit(code));
  }
}
