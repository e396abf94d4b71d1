import { createHash } from "crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "fs";
import { join } from "path";

/**
 * A cache of synthesized stacks shared by every test file of one jest run (and so by both workers): the
 * folder `global-setup.ts` creates and `global-teardown.ts` removes. Config is plain data and synthesis is
 * deterministic, so an entry is keyed by what was synthesized (a phase or a whole environment, and the
 * config's JSON); the first file that needs one writes it, every other file reads it. Entries appear
 * atomically (written aside, then renamed), so two workers never read half an entry.
 */

export const SYNTH_CACHE_VARIABLE = "SENTRY_TEST_SYNTH_CACHE";

function cacheFolder(): string {
  const folder = process.env[SYNTH_CACHE_VARIABLE];
  if (!folder) throw new Error(`${SYNTH_CACHE_VARIABLE} is not set: run the tests through jest (jest.config.js's globalSetup creates the cache)`);
  return folder;
}

/** The cache path of an entry: `<kind>-<sha1 of the key>`. */
export function cacheEntry(kind: string, key: string): string {
  return join(cacheFolder(), `${kind}-${createHash("sha1").update(key).digest("hex")}`);
}

let written = 0;
/** A fresh path beside `entry` to write into before the rename. */
function aside(entry: string): string {
  return `${entry}.${process.pid}.${++written}.tmp`;
}

/** The cached text of `entry`, or `make()`'s, written to the cache for the other files. */
export function cachedText(entry: string, make: () => string): string {
  if (existsSync(entry)) return readFileSync(entry, "utf8");
  const text = make();
  const temporary = aside(entry);
  writeFileSync(temporary, text);
  renameSync(temporary, entry);
  return text;
}

/** The cached folder `entry`, filled by `fill(folder)` when no file of this run has made it yet. */
export function cachedFolder(entry: string, fill: (folder: string) => void): string {
  if (existsSync(entry)) return entry;
  const temporary = aside(entry);
  mkdirSync(temporary, { recursive: true });
  fill(temporary);
  try {
    renameSync(temporary, entry);
  } catch (error) {
    // Another worker renamed its copy first: same content, keep theirs.
    if (!existsSync(entry)) throw error;
    rmSync(temporary, { recursive: true, force: true });
  }
  return entry;
}
