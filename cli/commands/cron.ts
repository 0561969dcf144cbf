/**
 * `npm run migrate -- cron "<unix expression>" [--timezone TZ]`: converts an on-premise crontab schedule to
 * EventBridge Scheduler.
 *
 * Prints each `cron(...)` expression on its own line, then a line describing the schedule and its time zone
 * (default UTC). Notes that need the user's attention go to stderr: a schedule split into two (both fire on a
 * day matching both) and runs that daylight saving time skips in the time zone. A bad expression or time zone
 * prints the reason on stderr and exits 1.
 */
import { parseArgs } from "node:util";
import { assertTimeZone, convertCron, CronConversionError, runsSkippedByDaylightSaving } from "../../lib/cron";

const USAGE = `usage: npm run migrate -- cron "<unix expression>" [--timezone <IANA time zone, default UTC>]

Converts a crontab schedule (five fields, or a macro such as @daily) to EventBridge Scheduler cron expressions,
to be used with scheduleExpressionTimezone set to the same time zone. Quote the expression.

example: npm run migrate -- cron "*/15 * * * 1-5" --timezone Europe/Berlin`;

export async function run(argv: string[]): Promise<number> {
  let values: { timezone?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { timezone: { type: "string" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`migrate cron: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}\n`);
    return 1;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    const problem = positionals.length === 0
      ? "give a crontab expression"
      : `expected one expression but got ${positionals.length} arguments: quote the expression, e.g. "0 2 * * *"`;
    process.stderr.write(`migrate cron: ${problem}\n\n${USAGE}\n`);
    return 1;
  }
  const [expression] = positionals;
  const timeZone = values.timezone ?? "UTC";

  try {
    assertTimeZone(timeZone);
    const conversion = convertCron(expression);
    const skipped = runsSkippedByDaylightSaving(expression, timeZone);
    process.stdout.write(`${conversion.expressions.join("\n")}\n${conversion.description} (time zone: ${timeZone})\n`);
    if (conversion.expressions.length > 1) {
      process.stderr.write(
        "note: cron runs this job on days matching either the day-of-month or the day-of-week, which takes two " +
          "EventBridge Scheduler schedules; on a day matching both, each fires once, so the job runs twice that minute.\n",
      );
    }
    if (skipped.length > 0) {
      const examples = skipped.length > 3 ? `${skipped.slice(0, 3).join(", ")} and ${skipped.length - 3} more` : skipped.join(", ");
      process.stderr.write(
        `note: in ${timeZone} these 2025 runs fall in the hour skipped when clocks go forward: ${examples}. ` +
          "EventBridge Scheduler skips them, where cron runs a job with a fixed minute and hour right after the change.\n",
      );
    }
    return 0;
  } catch (err) {
    if (err instanceof CronConversionError) {
      process.stderr.write(`migrate cron: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
