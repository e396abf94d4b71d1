import { EXCEPTIONS, SecurityException } from "./exceptions";
import { CONDITION_SCOPED_ACTIONS, NO_RESOURCE_LEVEL_ACTIONS, RULES, SecurityRule } from "./rules";

/** SECURITY.md, rendered from the rules and the register (`npm run security-register` writes it). */
export function renderSecurityMarkdown(rules: readonly SecurityRule[] = RULES, exceptions: readonly SecurityException[] = EXCEPTIONS): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  return [
    "# Security baseline and register of deliberate exceptions",
    "",
    "Generated from `src/security/rules.ts` and `src/security/exceptions.ts` by `npm run security-register`; a test",
    "fails when this file and the code disagree. Every stack of every environment passes every rule at synth",
    "(`src/security/baseline.ts`); an entry below is the only way past a rule, and a test fails when an",
    "entry no longer exempts anything, or an address it names no longer needs it.",
    "",
    "## Rules",
    "",
    "| rule | requires | resource types |",
    "|---|---|---|",
    ...rules.map((rule) => `| \`${rule.id}\` | ${cell(rule.title)} | ${rule.types.map((type) => `\`${type}\``).join(", ")} |`),
    "",
    `Actions allowed on \`*\` (no resource-level permissions): ${NO_RESOURCE_LEVEL_ACTIONS.map((action) => `\`${action}\``).join(", ")}; only with a condition on the key named: ${Object.entries(CONDITION_SCOPED_ACTIONS).map(([action, key]) => `\`${action}\` (\`${key}\`)`).join(", ")}.`,
    "",
    "## Deliberate exceptions",
    "",
    ...exceptions.flatMap((exception) => [
      `### \`${exception.id}\`: ${exception.title}`,
      "",
      `- Exempts from: ${exception.rules.map((rule) => `\`${rule}\``).join(", ")}`,
      `- Covers: ${exception.covers.description} (${[...exception.covers.types, ...(exception.covers.addresses ?? [])].map((name) => `\`${name}\``).join(", ")})`,
      `- Why: ${exception.reason}`,
      `- Lifted when: ${exception.liftedWhen}`,
      "",
    ]),
  ].join("\n");
}
