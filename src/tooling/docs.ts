import { writeFileSync } from "fs";
import { join } from "path";
import { renderDocs, ROOT } from "./generated-docs";
import { synthesizeEnvironments } from "./generated-docs/synthesized";

/** `npm run docs`: fills the generated blocks of README.md and docs/*.md from one synth per environment. */
const started = Date.now();
for (const [file, text] of renderDocs(synthesizeEnvironments())) {
  writeFileSync(join(ROOT, file), text);
  console.log(`wrote ${file}`);
}
console.log(`in ${((Date.now() - started) / 1000).toFixed(1)} s`);
