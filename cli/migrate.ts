/**
 * `npm run migrate -- <command> ...`: migration helpers that run without AWS credentials.
 *
 *   cron "<unix expression>" [--timezone TZ]   convert an on-premise crontab schedule to EventBridge Scheduler
 *   import <crontab> [...]                      turn a crontab of `docker run` lines into a job inventory
 *   compare <a> <b> [...]                       compare the outputs of a parallel run (local paths or s3://)
 *
 * Each command lives in `cli/commands/<name>.ts` and exports `run(argv: string[]): Promise<number>`, which
 * returns the process exit code. Commands are loaded on demand so that one command's dependencies do not slow
 * down another.
 */
type Command = { run(argv: string[]): Promise<number> };

/* eslint-disable @typescript-eslint/no-require-imports -- commands load on demand */
const COMMANDS: Record<string, { summary: string; load: () => Command }> = {
  cron: { summary: "convert a Unix crontab expression to EventBridge Scheduler", load: () => require("./commands/cron") },
  import: { summary: "write a job inventory from a crontab of docker jobs", load: () => require("./commands/import") },
  compare: { summary: "compare outputs of the on-premise and AWS runs", load: () => require("./commands/compare") },
};
/* eslint-enable @typescript-eslint/no-require-imports */

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return ["usage: npm run migrate -- <command> [options]", "", "commands:", ...lines].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    process.stdout.write(usage() + "\n");
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`migrate: unknown command "${name}"\n\n${usage()}\n`);
    return 1;
  }
  return command.load().run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`migrate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
