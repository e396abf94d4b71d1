import { TestEnvironment } from "jest-environment-node";

let exitsAtOnce = false;

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
    // only in a worker process (it talks to jest over IPC), never in jest's own process (a run in band)
    if (exitsAtOnce || typeof process.send !== "function") return;
    exitsAtOnce = true;
    process.on("exit", (code) => process.exit(code));
  }
}
