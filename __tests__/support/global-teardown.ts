import { rmSync } from "fs";
import { SYNTH_CACHE_VARIABLE } from "./synth-cache";

/** Once per jest run, after every test file: removes the shared synth cache. */
export default function globalTeardown(): void {
  const folder = process.env[SYNTH_CACHE_VARIABLE];
  if (folder) rmSync(folder, { recursive: true, force: true });
}
