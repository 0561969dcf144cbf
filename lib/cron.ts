/**
 * Conversion of on-premise Unix crontab schedules to Amazon EventBridge Scheduler cron expressions.
 *
 * `convertCron` takes a crontab schedule as Vixie cron and cronie read it (five fields, month and weekday
 * names in any case, ranges, lists, steps, the `@daily`-style macros) and returns the EventBridge Scheduler
 * expressions `cron(minutes hours day-of-month month day-of-week year)` that fire at exactly the same
 * wall-clock minutes, or throws a `CronConversionError` that says what is wrong and how to fix it.
 * Each field is parsed by `cron-parser`; this module only decides how the fields combine and how they are
 * written for EventBridge Scheduler (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html):
 *
 * - Day-of-week becomes 1-7 with 1 = Sunday (crontab: 0-7, where 0 and 7 are Sunday). The field takes
 *   `, - * ? L #` but no `/` step, so weekday steps are written as lists; a range never wraps past Saturday
 *   (`5-7` in crontab, Friday to Sunday, becomes `1,6,7`).
 * - Exactly one of day-of-month and day-of-week is `?`, and the year is `*`.
 * - A step that runs to the end of its field is written `start/step` (`*` + `/15` becomes `0/15`); any other
 *   set of values is a list of values and `low-high` ranges in ascending order.
 *
 * Day-of-month and day-of-week combine as in Vixie cron and cronie (`find_jobs` in cronie's src/cron.c;
 * the star flags are set in src/entry.c): when either field starts with `*`, a day must match both; otherwise
 * a day matching either field is enough. "Either" cannot be written as one Scheduler expression, so
 * `0 0 1,15 * 5` becomes two: `cron(0 0 1,15 * ? *)` and `cron(0 0 ? * 6 *)`. Together they fire at the same
 * minutes as cron, but on a day that matches both (a Friday the 1st) each schedule fires once, so the target
 * is invoked twice at that minute; callers creating two schedules should tell the user. "Both" with two
 * restricted fields (a day-of-month of every other day written with `*` and a step, and day-of-week `1`) has no
 * Scheduler form and is refused, as are schedules that never run.
 *
 * The extensions `L` (last day of the month), `nL` (last weekday n of the month) and `n#k` (k-th weekday n)
 * that cron-parser, croner and cronexpr accept are converted when they stand alone in their field; Vixie cron
 * and cronie reject them. `?`, `W` and Jenkins-style `H` are refused, as is a step after a single value
 * (`5/15`), which Vixie cron and cronie reject: `5-59/15` is the crontab spelling.
 *
 * Time zones and daylight saving time
 *
 * A schedule's `scheduleExpressionTimezone` is the zone in which EventBridge Scheduler evaluates the cron
 * expression (CreateSchedule API, AWS::Scheduler::Schedule `ScheduleExpressionTimezone`), just as cron
 * evaluates a crontab in the host's local time. The expressions returned here are therefore the same in any
 * zone; only the wall-clock times that daylight saving time skips or repeats behave differently:
 *
 * - EventBridge Scheduler (AWS re:Post Knowledge Center on adjusting EventBridge schedules for daylight saving
 *   time, https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst; the Scheduler User Guide has a
 *   section on it, https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#daylist-savings-time):
 *   Scheduler adjusts schedules for daylight saving time itself. When clocks go forward, an invocation whose cron
 *   time falls on a date and time that does not exist is skipped; when clocks go back, the schedule runs only
 *   once and does not repeat its invocation.
 * - Vixie cron and cronie (cron(8), "Daylight Saving Time and other time changes"; cronie src/cron.c, the
 *   `medium` and `negative` time jumps): clock changes of less than three hours are handled specially for
 *   fixed-time jobs, whose minute and hour fields do not start with `*`. When clocks go forward, the fixed-time
 *   jobs of the skipped interval run right after the change; when clocks go back, they are not run again.
 *   Jobs with `*` in the minute or hour field run by the new clock: skipped times are not made up and repeated
 *   times run again.
 *
 * So `30 2 * * *` in Europe/Berlin runs at 03:00 CEST on the last Sunday of March under cron, and not at all
 * that day under EventBridge Scheduler; on the last Sunday of October both run it once. A job with `*` in the
 * minute or hour field runs in both passes of the repeated October hour under cron, and, by AWS's statement,
 * once under EventBridge Scheduler (AWS says nothing more specific about minute-level schedules). `runsSkippedByDaylightSaving` lists the affected runs of a schedule; moving the
 * job out of the switch hour (typically 02:00-03:00 local time) or scheduling it in UTC avoids the difference.
 */
import { CronExpression, CronExpressionParser } from "cron-parser";
import { Cron } from "croner";
import cronstrue from "cronstrue";

/** The EventBridge Scheduler form of a crontab schedule. */
export interface CronConversion {
  /**
   * One `cron(...)` expression, or two when the crontab fires on days matching either day-of-month or
   * day-of-week: together they fire at the same minutes as the crontab (both fire on a day matching both).
   */
  expressions: string[];
  /** English description of the crontab schedule, e.g. "Every 15 minutes, Monday through Friday". */
  description: string;
}

/** A crontab schedule that cannot be converted; `message` says what is wrong and how to fix it. */
export class CronConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CronConversionError";
  }
}

/** The crontab macros Vixie cron and cronie accept, as five fields (entry.c in cronie). */
const MACROS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const FIELD_ORDER = "minute hour day-of-month month day-of-week";

const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December"];

/** Longest day of each month, February counted in leap years. */
const MONTH_LENGTHS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  /** Allowed values, for messages. */
  allowed: string;
  /** A five-field expression with `item` in this field and `*` elsewhere, for parsing one list item. */
  template(item: string): string;
}

const MINUTE: FieldSpec = { name: "minute", min: 0, max: 59, allowed: "0-59", template: (i) => `${i} * * * *` };
const HOUR: FieldSpec = { name: "hour", min: 0, max: 23, allowed: "0-23", template: (i) => `0 ${i} * * *` };
const DAY_OF_MONTH: FieldSpec = {
  name: "day-of-month", min: 1, max: 31, allowed: "1-31", template: (i) => `0 0 ${i} * *`,
};
const MONTH: FieldSpec = {
  name: "month", min: 1, max: 12, allowed: "1-12 or JAN-DEC", template: (i) => `0 0 * ${i} *`,
};
const DAY_OF_WEEK: FieldSpec = {
  name: "day-of-week", min: 0, max: 6, allowed: "0-7 (0 and 7 are Sunday) or SUN-SAT",
  template: (i) => `0 0 * * ${i}`,
};

type DayOfMonth = { kind: "days"; days: number[] } | { kind: "last" };
/** Weekdays are 0-6 with 0 = Sunday. */
type DayOfWeek =
  | { kind: "days"; days: number[] }
  | { kind: "last"; day: number }
  | { kind: "nth"; day: number; nth: number };

/** A crontab schedule, parsed. */
interface UnixSchedule {
  /** The five fields as written (macros expanded). */
  fields: string[];
  minutes: number[];
  hours: number[];
  dayOfMonth: DayOfMonth;
  months: number[];
  dayOfWeek: DayOfWeek;
  /** True when a day must match both day fields (one of them starts with `*`), false when either is enough. */
  dayMatchesBoth: boolean;
}

/**
 * Converts a Unix crontab schedule to EventBridge Scheduler cron expressions that fire at the same
 * wall-clock minutes when the schedule's time zone is the zone the crontab ran in.
 * Throws `CronConversionError` for schedules that cron rejects or EventBridge Scheduler cannot express.
 */
export function convertCron(expression: string): CronConversion {
  const schedule = parseUnix(expression);
  return { expressions: toScheduler(schedule), description: describe(schedule.fields.join(" ")) };
}

/** Expands a macro and splits the schedule into its five fields. */
function splitFields(expression: string): string[] {
  const text = expression.trim();
  if (text === "") {
    throw new CronConversionError(`the schedule is empty: give five fields (${FIELD_ORDER}), e.g. "0 2 * * *"`);
  }
  const words = text.split(/\s+/);
  if (text.startsWith("@")) {
    const macro = words[0];
    if (macro === "@reboot") {
      throw new CronConversionError(
        `"@reboot" has no EventBridge Scheduler equivalent: run the job once by hand or give it a time-based schedule`,
      );
    }
    const fields = MACROS[macro];
    if (fields === undefined) {
      const lower = MACROS[macro.toLowerCase()] !== undefined ? ` (cron macros are lower case: "${macro.toLowerCase()}")` : "";
      throw new CronConversionError(
        `"${macro}" is not a cron macro${lower}: use one of ${Object.keys(MACROS).join(", ")} or five fields (${FIELD_ORDER})`,
      );
    }
    if (words.length > 1) {
      throw new CronConversionError(`"${macro}" must stand alone: remove "${words.slice(1).join(" ")}"`);
    }
    return fields.split(" ");
  }
  if (words.length !== 5) {
    const fix = words.length === 6
      ? "drop the seconds field (EventBridge Scheduler runs at most once a minute) or the user name or command after the schedule"
      : "give only the schedule part of the crontab line";
    throw new CronConversionError(`expected 5 fields (${FIELD_ORDER}) but found ${words.length}: ${fix}`);
  }
  return words;
}

function parseUnix(expression: string): UnixSchedule {
  const fields = splitFields(expression);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields;
  const schedule: UnixSchedule = {
    fields,
    minutes: parseNumbers(MINUTE, minute),
    hours: parseNumbers(HOUR, hour),
    dayOfMonth: parseDayOfMonth(dayOfMonth),
    months: parseNumbers(MONTH, month),
    dayOfWeek: parseDayOfWeek(dayOfWeek),
    // Vixie cron and cronie set DOM_STAR / DOW_STAR from the first character of the field as written.
    dayMatchesBoth: dayOfMonth.startsWith("*") || dayOfWeek.startsWith("*"),
  };
  return schedule;
}

/** Checks one list item for syntax that cron-parser accepts but Vixie cron and cronie reject. */
function checkItem(spec: FieldSpec, field: string, item: string): void {
  const where = `${spec.name} "${field}"`;
  if (item === "") {
    throw new CronConversionError(`${where} has an empty list item: remove the extra comma`);
  }
  if (item.includes("?")) {
    throw new CronConversionError(`${where} uses "?", which is EventBridge and Quartz syntax, not crontab: use "*"`);
  }
  if (/^H(\(|\/|$)/.test(item)) {
    throw new CronConversionError(`${where} uses "H", a Jenkins-style hashed value that cron does not know: pick a fixed value`);
  }
  if (/^\d+W$/i.test(item)) {
    throw new CronConversionError(`${where} uses "W" (nearest weekday), which cron does not support: list the days instead`);
  }
  const singleStep = /^([0-9A-Za-z]+)\/(\d+)$/.exec(item);
  if (singleStep) {
    throw new CronConversionError(
      `${where} has a step after a single value, which cron rejects: write "${singleStep[1]}-${spec.max}/${singleStep[2]}" ` +
        `(or "*/${singleStep[2]}" to start at ${spec.min})`,
    );
  }
}

/** Parses one list item with cron-parser and returns its values, or throws a message naming the field. */
function parseItem(spec: FieldSpec, field: string, item: string): CronExpression {
  try {
    return CronExpressionParser.parse(spec.template(item), { currentDate: 0, tz: "UTC" });
  } catch (err) {
    throw itemError(spec, field, item, err instanceof Error ? err.message : String(err));
  }
}

/** Turns a cron-parser message into one that says what is wrong with the field and how to fix it. */
function itemError(spec: FieldSpec, field: string, item: string, cause: string): CronConversionError {
  const where = `${spec.name} "${field}"`;
  const outOfRange = /got value (\d+) expected range/.exec(cause) ?? /got range (\d+)-(\d+) expected range/.exec(cause);
  if (outOfRange) {
    return new CronConversionError(`${where} is out of range: use ${spec.allowed}`);
  }
  const backwards = /Invalid range: (\d+)-(\d+)/.exec(cause);
  if (backwards) {
    const [low, high] = [Number(backwards[1]), Number(backwards[2])];
    const wrapped = [low === spec.max ? `${low}` : `${low}-${spec.max}`, high === spec.min ? `${high}` : `${spec.min}-${high}`];
    return new CronConversionError(
      `${where} has a range that runs backwards ("${item}"): write ranges low-high, e.g. "${wrapped.join(",")}" to wrap around`,
    );
  }
  if (/repeat at every 0/.test(cause)) {
    return new CronConversionError(`${where} has a step of 0: use a step of 1 or more`);
  }
  return new CronConversionError(
    `${where} is not valid crontab syntax: use ${spec.allowed}, "*", ranges (a-b), lists (a,b) and steps (*/n, a-b/n)`,
  );
}

/** Values of a minute, hour or month field, sorted and without duplicates. */
function parseNumbers(spec: FieldSpec, field: string): number[] {
  const values = new Set<number>();
  for (const item of field.split(",")) {
    checkItem(spec, field, item);
    const fields = parseItem(spec, field, item).fields;
    const parsed = spec === MINUTE ? fields.minute : spec === HOUR ? fields.hour : fields.month;
    for (const value of parsed.values) values.add(Number(value));
  }
  return [...values].sort((a, b) => a - b);
}

function parseDayOfMonth(field: string): DayOfMonth {
  const items = field.split(",");
  const days = new Set<number>();
  for (const item of items) {
    checkItem(DAY_OF_MONTH, field, item);
    if (/L/i.test(item)) {
      if (item !== "L") throw itemError(DAY_OF_MONTH, field, item, "");
      if (items.length > 1) {
        throw new CronConversionError(
          `day-of-month "${field}" combines "L" with other days, which EventBridge Scheduler cannot express: use "L" on its own`,
        );
      }
      return { kind: "last" };
    }
    for (const value of parseItem(DAY_OF_MONTH, field, item).fields.dayOfMonth.values) days.add(Number(value));
  }
  return { kind: "days", days: [...days].sort((a, b) => a - b) };
}

function parseDayOfWeek(field: string): DayOfWeek {
  const items = field.split(",");
  const days = new Set<number>();
  for (const item of items) {
    checkItem(DAY_OF_WEEK, field, item);
    // Day names contain no "L", so a trailing L is the "last weekday of the month" extension.
    const special = item.includes("#") || item.endsWith("L");
    if (special && items.length > 1) {
      throw new CronConversionError(
        `day-of-week "${field}" combines "${item}" with other days, which EventBridge Scheduler cannot express: use "${item}" on its own`,
      );
    }
    const parsed = parseItem(DAY_OF_WEEK, field, item).fields.dayOfWeek;
    if (special) {
      const value = parsed.values[0];
      if (parsed.values.length !== 1) throw itemError(DAY_OF_WEEK, field, item, "");
      if (typeof value === "string") return { kind: "last", day: Number.parseInt(value, 10) % 7 };
      return { kind: "nth", day: value % 7, nth: parsed.nthDay };
    }
    for (const value of parsed.values) days.add(Number(value) % 7);
  }
  return { kind: "days", days: [...days].sort((a, b) => a - b) };
}

/**
 * Writes a set of values for EventBridge Scheduler: `*` for all, `start/step` for a step that runs to the end of
 * the field (when shorter than the list; not in day-of-week, which has no `/`), else values and ranges ascending.
 */
function formatValues(values: readonly number[], min: number, max: number, stepAllowed: boolean): string {
  if (values.length === max - min + 1) return "*";
  const list = formatList(values);
  if (stepAllowed && values.length >= 2) {
    const step = values[1] - values[0];
    const regular = values.every((v, i) => i === 0 || v - values[i - 1] === step);
    const last = values[values.length - 1];
    if (step > 1 && regular && last + step > max) {
      const stepped = `${values[0]}/${step}`;
      if (stepped.length < list.length) return stepped;
    }
  }
  return list;
}

/** Ascending values with runs of three or more written as `low-high`. */
function formatList(values: readonly number[]): string {
  const parts: string[] = [];
  let start = 0;
  for (let i = 1; i <= values.length; i++) {
    if (i < values.length && values[i] === values[i - 1] + 1) continue;
    const length = i - start;
    if (length >= 3) parts.push(`${values[start]}-${values[i - 1]}`);
    else parts.push(...values.slice(start, i).map(String));
    start = i;
  }
  return parts.join(",");
}

/** True when some day in `days` exists in one of `months` (February 29 counts). */
function dayOccurs(days: readonly number[], months: readonly number[]): boolean {
  return months.some((month) => days.some((day) => day <= MONTH_LENGTHS[month - 1]));
}

/**
 * How a Scheduler expression selects days: by day-of-month (day-of-week `?`), by day-of-week (day-of-month `?`),
 * or every day.
 */
type Part = "day-of-month" | "day-of-week" | "every-day";

/**
 * The Scheduler expressions a schedule needs, one per part. Throws for day fields EventBridge Scheduler cannot
 * express and for schedules that never run.
 */
function schedulerParts(schedule: UnixSchedule): Part[] {
  const { dayOfMonth, dayOfWeek, fields } = schedule;
  const allDaysOfMonth = dayOfMonth.kind === "days" && dayOfMonth.days.length === 31;
  const allDaysOfWeek = dayOfWeek.kind === "days" && dayOfWeek.days.length === 7;
  let parts: Part[];
  if (allDaysOfMonth && allDaysOfWeek) {
    parts = ["every-day"];
  } else if (allDaysOfMonth || allDaysOfWeek) {
    // "Both" with one field matching every day is the other field; "either" is every day.
    if (!schedule.dayMatchesBoth) parts = ["every-day"];
    else parts = allDaysOfWeek ? ["day-of-month"] : ["day-of-week"];
  } else if (schedule.dayMatchesBoth) {
    throw new CronConversionError(
      `day-of-month "${fields[2]}" and day-of-week "${fields[4]}" both restrict the day and one starts with "*", so cron ` +
        `runs only on days matching both, which EventBridge Scheduler cannot express: restrict only one of the two fields`,
    );
  } else {
    parts = ["day-of-month", "day-of-week"];
  }

  // A day-of-month that never occurs in the given months adds nothing to "either".
  if (dayOfMonth.kind === "days" && !dayOccurs(dayOfMonth.days, schedule.months)) {
    parts = parts.filter((part) => part !== "day-of-month");
    if (parts.length === 0) {
      const monthNames = schedule.months.map((m) => MONTH_NAMES[m - 1]).join(", ");
      throw new CronConversionError(
        `day-of-month "${fields[2]}" never occurs in month "${fields[3]}" (${monthNames}), so the job would never run: ` +
          `check the day and month fields`,
      );
    }
  }
  return parts;
}

/** The Scheduler expression of one part. */
function formatPart(schedule: UnixSchedule, part: Part): string {
  const { dayOfMonth, dayOfWeek } = schedule;
  const minutes = formatValues(schedule.minutes, 0, 59, true);
  const hours = formatValues(schedule.hours, 0, 23, true);
  const months = formatValues(schedule.months, 1, 12, true);
  const cron = (dom: string, dow: string) => `cron(${minutes} ${hours} ${dom} ${months} ${dow} *)`;
  if (part === "every-day") return cron("*", "?");
  if (part === "day-of-month") return cron(dayOfMonth.kind === "last" ? "L" : formatValues(dayOfMonth.days, 1, 31, true), "?");
  if (dayOfWeek.kind === "last") return cron("?", `${dayOfWeek.day + 1}L`);
  if (dayOfWeek.kind === "nth") return cron("?", `${dayOfWeek.day + 1}#${dayOfWeek.nth}`);
  return cron("?", formatValues(dayOfWeek.days.map((d) => d + 1), 1, 7, false));
}

function toScheduler(schedule: UnixSchedule): string[] {
  return schedulerParts(schedule).map((part) => formatPart(schedule, part));
}

/** The crontab schedule that fires exactly when the Scheduler expression of `part` fires. */
function partSchedule(schedule: UnixSchedule, part: Part): UnixSchedule {
  const everyDayOfMonth: DayOfMonth = { kind: "days", days: Array.from({ length: 31 }, (_, i) => i + 1) };
  const everyDayOfWeek: DayOfWeek = { kind: "days", days: [0, 1, 2, 3, 4, 5, 6] };
  return {
    ...schedule,
    dayOfMonth: part === "day-of-month" ? schedule.dayOfMonth : everyDayOfMonth,
    dayOfWeek: part === "day-of-week" ? schedule.dayOfWeek : everyDayOfWeek,
    dayMatchesBoth: true,
  };
}

/** English description of a five-field crontab schedule; the schedule itself when cronstrue cannot describe it. */
function describe(fields: string): string {
  try {
    return cronstrue.toString(fields, { use24HourTimeFormat: true, dayOfWeekStartIndexZero: true });
  } catch {
    return fields;
  }
}

/**
 * Checks that `timeZone` is an IANA time zone name the runtime knows (e.g. "Europe/Berlin", "UTC") and is
 * spelled with its canonical capitals, as EventBridge Scheduler's `scheduleExpressionTimezone` expects.
 * Throws `CronConversionError` otherwise.
 */
export function assertTimeZone(timeZone: string): void {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone }).resolvedOptions().timeZone;
  } catch {
    throw new CronConversionError(
      `unknown time zone "${timeZone}": use an IANA time zone name such as "Europe/Berlin", "America/New_York" or "UTC"`,
    );
  }
  if (resolved !== timeZone && resolved.toLowerCase() === timeZone.toLowerCase()) {
    throw new CronConversionError(`time zone "${timeZone}" is not spelled as in the IANA database: use "${resolved}"`);
  }
}

/** Start of the reference period (2025-01-01 00:00 wall-clock, a year of 365 days) for `runsPerMonth`. */
const REFERENCE_START = Date.UTC(2025, 0, 1);
const REFERENCE_END = Date.UTC(2026, 0, 1);
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Croner patterns for a parsed schedule, written as plain number lists so that only its semantics matter. */
function cronerPatterns(schedule: UnixSchedule): { days: Cron; runs: Cron } {
  const dom = schedule.dayOfMonth.kind === "last" ? "L" : schedule.dayOfMonth.days.join(",");
  const dow = schedule.dayOfWeek;
  const dowText = dow.kind === "last" ? `${dow.day}L` : dow.kind === "nth" ? `${dow.day}#${dow.nth}` : dow.days.join(",");
  const dayFields = `${dom} ${schedule.months.join(",")} ${dowText}`;
  // utcOffset 0 makes croner's clock the wall clock of the schedule's zone; domAndDow follows Vixie cron.
  const options = { utcOffset: 0, mode: "5-part", domAndDow: schedule.dayMatchesBoth } as const;
  return {
    days: new Cron(`0 0 ${dayFields}`, options),
    runs: new Cron(`${schedule.minutes.join(",")} ${schedule.hours.join(",")} ${dayFields}`, options),
  };
}

/** Wall-clock times (as UTC milliseconds) at which `cron` fires in [from, to). */
function runsBetween(cron: Cron, from: number, to: number): number[] {
  const runs: number[] = [];
  let next = cron.nextRun(new Date(from - 1000));
  while (next !== null && next.getTime() < to) {
    runs.push(next.getTime());
    next = cron.nextRun(next);
  }
  return runs;
}

/**
 * Wall-clock intervals [start, end) (UTC-coded milliseconds) in [from, to) that do not exist in `timeZone`
 * because clocks go forward. Transitions are found by sampling the zone's UTC offset daily, then to the minute.
 */
function daylightSavingGaps(timeZone: string, from: number, to: number): Array<[number, number]> {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric",
  });
  const offset = (instant: number): number => {
    const p = Object.fromEntries(format.formatToParts(new Date(instant)).map((part) => [part.type, part.value]));
    const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
    return wall - Math.floor(instant / MINUTE_MS) * MINUTE_MS;
  };
  const gaps: Array<[number, number]> = [];
  let before = from - 2 * DAY_MS;
  let beforeOffset = offset(before);
  for (let after = before + DAY_MS; after <= to + 2 * DAY_MS; after += DAY_MS) {
    const afterOffset = offset(after);
    if (afterOffset !== beforeOffset) {
      // Binary search for the first minute with the new offset.
      let low = before;
      let high = after;
      while (high - low > MINUTE_MS) {
        const middle = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
        if (offset(middle) === beforeOffset) low = middle;
        else high = middle;
      }
      const start = high + beforeOffset;
      const end = high + offset(high);
      if (end > start && end > from && start < to) gaps.push([Math.max(start, from), Math.min(end, to)]);
    }
    before = after;
    beforeOffset = afterOffset;
  }
  return gaps;
}

/** Wall-clock runs of `schedule` in the reference year that fall into a daylight saving gap of `timeZone`. */
function skippedRuns(schedule: UnixSchedule, timeZone: string): number[] {
  const { runs } = cronerPatterns(schedule);
  return daylightSavingGaps(timeZone, REFERENCE_START, REFERENCE_END)
    .flatMap(([start, end]) => runsBetween(runs, start, end));
}

/**
 * Average number of runs per month of a crontab schedule run by EventBridge Scheduler in `timeZone`: the
 * invocations over the 365 days from 2025-01-01 00:00 local time, divided by 12. Wall-clock times that do not
 * exist when clocks go forward are not counted and a repeated hour counts once, as EventBridge Scheduler runs
 * them (see the comment at the top of this file); when `convertCron` returns two expressions, the runs of both
 * are counted, so a day matching both counts twice. E.g. `0 2 * * *` gives 365 / 12 in UTC and 364 / 12 in
 * Europe/Berlin. Throws `CronConversionError` for a schedule `convertCron` refuses or an unknown time zone.
 */
export function runsPerMonth(expression: string, timeZone: string): number {
  // Counting a year of runs costs milliseconds; inventories repeat a few schedules and zones many times.
  const key = `${timeZone}\u0000${expression}`;
  const cached = runsPerMonthCache.get(key);
  if (cached !== undefined) return cached;
  const runs = countRunsPerMonth(expression, timeZone);
  runsPerMonthCache.set(key, runs);
  return runs;
}

const runsPerMonthCache = new Map<string, number>();

function countRunsPerMonth(expression: string, timeZone: string): number {
  assertTimeZone(timeZone);
  const schedule = parseUnix(expression);
  const runsPerDay = schedule.minutes.length * schedule.hours.length;
  let runs = 0;
  for (const part of schedulerParts(schedule)) {
    const each = partSchedule(schedule, part);
    const days = runsBetween(cronerPatterns(each).days, REFERENCE_START, REFERENCE_END).length;
    runs += days * runsPerDay - skippedRuns(each, timeZone).length;
  }
  return runs / 12;
}

/**
 * The runs of a crontab schedule in the reference year (2025) whose wall-clock time does not exist in
 * `timeZone` because clocks go forward, as local times "YYYY-MM-DD HH:MM". EventBridge Scheduler skips these
 * runs; Vixie cron and cronie run fixed-time jobs right after the change instead. Empty for zones without
 * daylight saving time and for schedules that avoid the switch. Throws like `runsPerMonth`.
 */
export function runsSkippedByDaylightSaving(expression: string, timeZone: string): string[] {
  assertTimeZone(timeZone);
  const schedule = parseUnix(expression);
  schedulerParts(schedule); // refuses what EventBridge Scheduler cannot run
  return skippedRuns(schedule, timeZone).map((wall) => new Date(wall).toISOString().slice(0, 16).replace("T", " "));
}
