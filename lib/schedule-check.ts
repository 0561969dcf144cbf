/**
 * Validation of a job's on-premise cron schedule, used by the inventory before any resource is declared.
 * Delegates to the cron conversion module, so an expression is accepted exactly when it can be converted to
 * EventBridge Scheduler.
 */
import { convertCron } from "./cron";

/** Returns undefined when the schedule converts, otherwise the reason and the fix. */
export function checkSchedule(expression: string): string | undefined {
  try {
    convertCron(expression);
    return undefined;
  } catch (err) {
    return `"${expression}": ${err instanceof Error ? err.message : String(err)}`;
  }
}
