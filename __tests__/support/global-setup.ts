import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { SYNTH_CACHE_VARIABLE } from "./synth-cache";

/** Once per jest run, before any worker starts: the folder every test file shares synthesized stacks through. */
export default function globalSetup(): void {
  process.env[SYNTH_CACHE_VARIABLE] = mkdtempSync(join(tmpdir(), "sentry-test-synth-"));
}
