import { EnvironmentConfig } from "../config";

/**
 * The AWS account a report that asks AWS (status, scaling) is about, for its header: the reader of a pasted report
 * sees which account the values came from. Absent without an account guard (a warning says so).
 */
export interface ReportAccount {
  /** The environment's account: `SENTRY_<ENV>_ACCOUNT_ID`, or `SENTRY_ACCOUNT_ID` for every environment. */
  readonly id: string;
  /** The role AWS was asked as (`SENTRY_<ENV>_ROLE_ARN`); absent: the run's own credentials. */
  readonly role?: string;
}

export function reportAccount(config: EnvironmentConfig): ReportAccount | undefined {
  const account = config.operator.accounts?.environments[config.name];
  return account && { id: account.accountId, ...(account.role && { role: account.role.roleArn }) };
}

/** ` (account 111111111111, as <role>)` after a header's environment; empty without an account. */
export function accountHeading(account: ReportAccount | undefined, format: "text" | "markdown"): string {
  if (!account) return "";
  const code = (value: string) => (format === "markdown" ? `\`${value}\`` : value);
  return ` (account ${code(account.id)}${account.role ? `, as ${code(account.role)}` : ""})`;
}
