/** Tests run transpile-only (@swc/jest); `npm test` type-checks with tsc first. */
module.exports = {
  // jest's node environment; a worker ends as soon as it is done (see the file).
  testEnvironment: "<rootDir>/__tests__/support/test-environment.ts",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  setupFilesAfterEnv: ["<rootDir>/__tests__/support/setup.ts"],
  // One synth cache per run, shared by every file and worker (__tests__/support/synth-cache.ts).
  globalSetup: "<rootDir>/__tests__/support/global-setup.ts",
  globalTeardown: "<rootDir>/__tests__/support/global-teardown.ts",
  testTimeout: 120000,
  // Jest's default leaves a core idle (one worker on a 2-core machine); synthesis is CPU-bound, use them all.
  maxWorkers: "100%",
};
