/**
 * An environment variable a part of the project reads. Each reader exports the list of the variables it reads,
 * and docs/configuration.md is generated from those lists (`npm run docs`), so a new variable is documented
 * where it is read.
 */
export interface EnvironmentVariable {
  readonly name: string;
  /** The value used while it is unset. @default - none: unset means what `meaning` says */
  readonly default?: string;
  /** What it sets, in one sentence (markdown). */
  readonly meaning: string;
}
