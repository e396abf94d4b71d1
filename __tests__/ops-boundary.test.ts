import { existsSync, readFileSync } from "fs";
import { dirname, join, relative, resolve } from "path";

const ROOT = join(__dirname, "..");

/**
 * The app: main.ts and every file it reaches through relative imports. Development scripts under src/tooling
 * (the docs generator reads the operator tool's variables) are not part of it.
 */
function appFiles(): string[] {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const [, specifier] of readFileSync(path, "utf8").matchAll(/(?:from\s+|import\s+|require\()["'](\.[^"']+)["']/g)) {
      const base = resolve(dirname(path), specifier);
      const found = [`${base}.ts`, join(base, "index.ts"), base].find((candidate) => candidate.endsWith(".ts") && existsSync(candidate));
      if (found) visit(found);
    }
  };
  visit(join(ROOT, "main.ts"));
  return [...seen];
}

test("the app never imports the operator tool (src/ops imports the app, not the other way round)", () => {
  const files = appFiles();
  const offenders = files.filter((path) => path.startsWith(join(ROOT, "src", "ops")) || /from\s+["'][./]*(?:src\/)?ops(?:\/|["'])|require\(["'][./]*(?:src\/)?ops\//.test(readFileSync(path, "utf8")));
  expect(files.length).toBeGreaterThan(20);
  expect(offenders.map((path) => relative(ROOT, path))).toEqual([]);
});
