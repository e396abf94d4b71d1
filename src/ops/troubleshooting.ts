/**
 * The sections of docs/troubleshooting.md that `sentry-ops` failure lines point at. A section's anchor is its
 * heading as GitHub renders it (lower case, spaces as hyphens); a test checks each one resolves.
 */
export const TROUBLESHOOTING_SECTIONS = [
  "a-phase-half-applied",
  "export-already-exists",
  "dependency-violation",
  "capabilities-required",
  "tasks-not-scaling",
  "instances-not-scaling",
  "slow-scaling",
  "unexpected-costs",
  "held-state-lock",
  "certificate-pending",
  "codestar-connection-pending",
  "credentials-missing-or-expired",
  "placeholder-values",
] as const;
export type TroubleshootingSection = (typeof TROUBLESHOOTING_SECTIONS)[number];

export const TROUBLESHOOTING_DOC = "docs/troubleshooting.md";

/** The pointer a failure line ends with: ` (see docs/troubleshooting.md#<section>)`. */
export function seeTroubleshooting(section: TroubleshootingSection): string {
  return ` (see ${TROUBLESHOOTING_DOC}#${section})`;
}
