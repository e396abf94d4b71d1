import { writeFileSync } from "fs";
import { join } from "path";
import { renderSecurityMarkdown } from "../security/register-markdown";

/** Writes SECURITY.md at the project root from the rules and the register of exceptions. */
const target = join(__dirname, "..", "..", "SECURITY.md");
writeFileSync(target, renderSecurityMarkdown());
console.log(`wrote ${target}`);
