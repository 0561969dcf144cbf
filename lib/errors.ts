/**
 * Configuration errors: raised before any resource is declared, carrying every problem found at once.
 *
 * Each problem is a single line that names where it is (`job "data-processor": field "memory"`), what is wrong and
 * how to fix it. The offline plan prints `message` and exits 1; `index.ts` turns it into a `pulumi.RunError`, which
 * the Pulumi CLI prints without a stack trace.
 */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  readonly source: string;

  constructor(source: string, problems: readonly string[]) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`${source}: ${count}\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.source = source;
    this.problems = problems;
  }
}

/** True for errors whose message is meant for the user as it is (no stack trace needed). */
export function isConfigError(err: unknown): err is ConfigError {
  return err instanceof ConfigError;
}
