import { existsSync, readFileSync } from "fs";
import { dirname, join, relative, resolve } from "path";

const ROOT = join(__dirname, "..");

/**
 * The files an entry point reaches through relative imports. The app is main.ts and what it reaches. Development scripts under src/tooling
 * (the docs generator reads the operator tool's variables) are not part of it.
 */
function reachableFrom(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const [, specifier] of readFileSync(path, "utf8").matchAll(/(?:from\s+|import\s+|require\()["'](\.[^"']+)["']/g)) {
      const base = resolve(dirname(path), specifier);
      const found = [`${base}.ts`, join(base, "index.ts"), base].find((candidate) => /\.[jt]s$/.test(candidate) && existsSync(candidate));
      if (found) visit(found);
    }
  };
  visit(entry);
  return [...seen];
}

const appFiles = () => reachableFrom(join(ROOT, "main.ts"));

test("the app never imports the operator tool (src/ops imports the app, not the other way round)", () => {
  const files = appFiles();
  const offenders = files.filter((path) => path.startsWith(join(ROOT, "src", "ops")) || /from\s+["'][./]*(?:src\/)?ops(?:\/|["'])|require\(["'][./]*(?:src\/)?ops\//.test(readFileSync(path, "utf8")));
  expect(files.length).toBeGreaterThan(20);
  expect(offenders.map((path) => relative(ROOT, path))).toEqual([]);
});

test("the operator tool never imports the development scripts (src/tooling imports src/ops; what both need is in src/lib)", () => {
  const files = reachableFrom(join(ROOT, "src", "ops", "sentry-ops.js"));
  const offenders = files.filter((path) => path.startsWith(join(ROOT, "src", "tooling")));
  expect(files.length).toBeGreaterThan(20);
  expect(offenders.map((path) => relative(ROOT, path))).toEqual([]);
});
