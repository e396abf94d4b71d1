import { readdirSync, readFileSync, statSync } from "fs";
import { join, relative } from "path";

const ROOT = join(__dirname, "..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

test("the app never imports the operator tool (src/ops imports the app, not the other way round)", () => {
  const appFiles = [join(ROOT, "main.ts"), ...sources(join(ROOT, "src")).filter((path) => !path.startsWith(join(ROOT, "src", "ops")))];
  const offenders = appFiles.filter((path) => /from\s+["'][./]*(?:src\/)?ops(?:\/|["'])|require\(["'][./]*(?:src\/)?ops\//.test(readFileSync(path, "utf8")));
  expect(appFiles.length).toBeGreaterThan(20);
  expect(offenders.map((path) => relative(ROOT, path))).toEqual([]);
});
