/**
 * Tests of the crontab to EventBridge Scheduler conversion (lib/cron.ts).
 *
 * Equivalence is checked with two evaluators that share no code with the conversion: croner evaluates the
 * crontab (day-of-month and day-of-week combined as Vixie cron does: both must match when either field starts
 * with "*", else either) and aws-cron-parser evaluates the Scheduler expressions. Both run on the same wall
 * clock (UTC), as EventBridge Scheduler evaluates an expression in the schedule's time zone the way cron
 * evaluates a crontab in local time.
 */
import assert from "node:assert/strict";
import awsCronParser from "aws-cron-parser";
import { Cron } from "croner";
import fc from "fast-check";
import {
  assertTimeZone,
  convertCron,
  CronConversionError,
  runsPerMonth,
  runsSkippedByDaylightSaving,
} from "../lib/cron";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** A leap year, so that February 29 is covered. */
const YEAR_START = Date.UTC(2028, 0, 1);
const YEAR_END = Date.UTC(2029, 0, 1);
const YEAR_DAYS = Array.from({ length: (YEAR_END - YEAR_START) / DAY_MS }, (_, i) => YEAR_START + i * DAY_MS);

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** The five crontab fields, macros expanded. */
function unixFields(unix: string): string[] {
  const text = unix.trim();
  return (MACROS[text] ?? text).split(/\s+/);
}

const MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/**
 * Croner for a crontab, read as Vixie cron reads it: the day fields combine as "both" when either starts with
 * "*", else "either"; names become numbers first, because croner reads a range ending in SUN as ending at 7
 * (all week for SUN-SUN) where Vixie cron reads SUN as 0.
 */
function unixCron(fields: string[]): Cron {
  const both = fields[2].startsWith("*") || fields[4].startsWith("*");
  const numbered = [...fields];
  numbered[3] = fields[3].replace(/[a-z]{3}/gi, (name) => String(MONTH_NAMES.indexOf(name.toLowerCase()) + 1));
  numbered[4] = fields[4].replace(/[a-z]{3}/gi, (name) => String(DAY_NAMES.indexOf(name.toLowerCase())));
  return new Cron(numbered.join(" "), { utcOffset: 0, mode: "5-part", domAndDow: both });
}

function cronRuns(cron: Cron, from: number, to: number, limit = Infinity): number[] {
  const runs: number[] = [];
  let next = cron.nextRun(new Date(from - 1000));
  while (next !== null && next.getTime() < to && runs.length < limit) {
    runs.push(next.getTime());
    next = cron.nextRun(next);
  }
  return runs;
}

/**
 * Runs of one Scheduler expression in [from, to), by aws-cron-parser (which reads UTC fields).
 * aws-cron-parser 1.1.12 does not drop days a month lacks from a day-of-month list (it returns November 31 as
 * December 1), so each month is evaluated on its own with only the days it has.
 */
function awsRuns(expression: string, from: number, to: number, limit = Infinity): number[] {
  const inner = /^cron\((.*)\)$/.exec(expression);
  assert.ok(inner, `not a cron() expression: ${expression}`);
  const parsed = awsCronParser.parse(inner[1]);
  const dayList = parsed.daysOfMonth.length > 0 && parsed.daysOfMonth.every((d) => typeof d === "number");
  const runs: number[] = [];
  let monthStart = Date.UTC(new Date(from).getUTCFullYear(), new Date(from).getUTCMonth());
  while (monthStart < to && runs.length < limit) {
    const year = new Date(monthStart).getUTCFullYear();
    const month = new Date(monthStart).getUTCMonth() + 1;
    const monthEnd = Date.UTC(year, month);
    const length = new Date(monthEnd - DAY_MS).getUTCDate();
    const daysOfMonth = dayList ? parsed.daysOfMonth.filter((d) => (d as number) <= length) : parsed.daysOfMonth;
    const noDayThisMonth = dayList && daysOfMonth.length === 0;
    if (parsed.months.includes(month) && !noDayThisMonth) {
      const oneMonth = { ...parsed, years: [year], months: [month], daysOfMonth };
      let next = awsCronParser.next(oneMonth, new Date(Math.max(from, monthStart) - MINUTE_MS));
      while (next !== null && next.getTime() < Math.min(to, monthEnd) && runs.length < limit) {
        runs.push(next.getTime());
        next = awsCronParser.next(oneMonth, next);
      }
    }
    monthStart = monthEnd;
  }
  return runs;
}

/** Minutes at which any of the expressions fires, sorted, without duplicates. */
function unionRuns(expressions: string[], from: number, to: number, limit = Infinity): number[] {
  const all = new Set(expressions.flatMap((e) => awsRuns(e, from, to, limit)));
  return [...all].sort((a, b) => a - b).slice(0, limit);
}

function iso(runs: number[]): string[] {
  return runs.map((t) => new Date(t).toISOString().slice(0, 16));
}

/** The fields of a Scheduler expression. */
function schedulerFields(expression: string): string[] {
  return expression.slice("cron(".length, -1).split(" ");
}

/**
 * Asserts that the crontab and the Scheduler expressions fire at the same minutes over a year.
 * In both languages a schedule fires at every (matching day, hour, minute), the three chosen independently,
 * so the check is split to stay fast: the matching days over the whole year (minutes and hours set to 0),
 * the runs within one day (day fields set to every day), and the next runs of the full expressions from the
 * start of the year and from each of `starts`.
 */
function assertSameRuns(unix: string, expressions: string[], starts: number[] = []): void {
  const fields = unixFields(unix);
  const dayCron = unixCron(["0", "0", ...fields.slice(2)]);
  const days = YEAR_DAYS.filter((day) => dayCron.match(new Date(day)));
  const schedulerDays = expressions.map((e) => `cron(0 0 ${schedulerFields(e).slice(2).join(" ")})`);
  assert.deepEqual(iso(unionRuns(schedulerDays, YEAR_START, YEAR_END)), iso(days), `days of ${unix}`);

  const [minutes, hours] = schedulerFields(expressions[0]);
  assert.ok(expressions.every((e) => schedulerFields(e)[0] === minutes && schedulerFields(e)[1] === hours));
  const dayRuns = cronRuns(unixCron([fields[0], fields[1], "*", "*", "*"]), YEAR_START, YEAR_START + DAY_MS);
  const schedulerDayRuns = awsRuns(`cron(${minutes} ${hours} * * ? *)`, YEAR_START, YEAR_START + DAY_MS);
  assert.deepEqual(iso(schedulerDayRuns), iso(dayRuns), `times of day of ${unix}`);

  const cron = unixCron(fields);
  for (const start of [YEAR_START, ...starts]) {
    const runs = cronRuns(cron, start, YEAR_END, 25);
    assert.deepEqual(iso(unionRuns(expressions, start, YEAR_END, 25)), iso(runs), `runs of ${unix} from ${iso([start])[0]}`);
  }
}

/** Checks a list field of a Scheduler expression: `*`, `start/step`, or ascending values and `low-high` ranges. */
function assertSchedulerList(expression: string, text: string, min: number, max: number, stepAllowed: boolean): void {
  if (text === "*") return;
  const step = /^(\d+)\/(\d+)$/.exec(text);
  if (step) {
    assert.ok(stepAllowed, `${expression}: "/" is not allowed in "${text}"`);
    assert.ok(Number(step[1]) >= min && Number(step[1]) <= max && Number(step[2]) >= 1, `${expression}: bad step "${text}"`);
    return;
  }
  let previous = min - 1;
  for (const part of text.split(",")) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part);
    assert.ok(range, `${expression}: "${part}" is neither a value nor a range`);
    const low = Number(range[1]);
    const high = range[2] === undefined ? low : Number(range[2]);
    assert.ok(low > previous && high >= low && high <= max, `${expression}: "${text}" is out of range or order`);
    previous = high;
  }
}

/**
 * Asserts the AWS rules for an EventBridge Scheduler cron expression (EventBridge "Cron expressions reference"):
 * six fields, exactly one of day-of-month and day-of-week is `?`, no `/` in day-of-week, `L` and `#` alone,
 * values within 0-59, 0-23, 1-31, 1-12 and 1-7.
 */
function assertValidSchedulerExpression(expression: string): void {
  const inner = /^cron\((.*)\)$/.exec(expression);
  assert.ok(inner, `${expression}: not cron(...)`);
  const fields = inner[1].split(" ");
  assert.equal(fields.length, 6, `${expression}: six fields`);
  const [minutes, hours, dom, month, dow, year] = fields;
  assert.equal(year, "*");
  assert.ok((dom === "?") !== (dow === "?"), `${expression}: exactly one of day-of-month and day-of-week is "?"`);
  assertSchedulerList(expression, minutes, 0, 59, true);
  assertSchedulerList(expression, hours, 0, 23, true);
  assertSchedulerList(expression, month, 1, 12, true);
  if (dom !== "?" && dom !== "L") assertSchedulerList(expression, dom, 1, 31, true);
  if (dow !== "?" && !/^[1-7]L$/.test(dow) && !/^[1-7]#[1-5]$/.test(dow)) assertSchedulerList(expression, dow, 1, 7, false);
  assert.ok(inner[1].length <= 250, `${expression}: length`);
}

describe("convertCron", () => {
  // [crontab line as written on-premise, EventBridge Scheduler expressions]
  const table: Array<[string, string[]]> = [
    ["0 2 * * *", ["cron(0 2 * * ? *)"]], // nightly backup
    ["30 2 * * *", ["cron(30 2 * * ? *)"]], // in the hour Europe/Berlin skips in March
    ["15 3 * * *", ["cron(15 3 * * ? *)"]],
    ["*/5 * * * *", ["cron(0/5 * * * ? *)"]],
    ["*/15 * * * 1-5", ["cron(0/15 * ? * 2-6 *)"]],
    ["*/10 9-17 * * 1-5", ["cron(0/10 9-17 ? * 2-6 *)"]],
    ["0 9-17 * * 1-5", ["cron(0 9-17 ? * 2-6 *)"]],
    ["0 8 * * MON-FRI", ["cron(0 8 ? * 2-6 *)"]],
    ["0 8 * * mon-fri", ["cron(0 8 ? * 2-6 *)"]],
    ["0 0 * * MON,WED,FRI", ["cron(0 0 ? * 2,4,6 *)"]],
    ["0 0 * * Sat,Sun", ["cron(0 0 ? * 1,7 *)"]],
    ["0 0 1 * *", ["cron(0 0 1 * ? *)"]],
    ["30 4 1,15 * *", ["cron(30 4 1,15 * ? *)"]],
    ["0 0 1,15 * 5", ["cron(0 0 1,15 * ? *)", "cron(0 0 ? * 6 *)"]],
    ["0 0 13 * 5", ["cron(0 0 13 * ? *)", "cron(0 0 ? * 6 *)"]],
    ["0 0 1-7 * 1", ["cron(0 0 1-7 * ? *)", "cron(0 0 ? * 2 *)"]], // days 1-7 and every Monday, as cron runs it
    ["0 0 1 1 1", ["cron(0 0 1 1 ? *)", "cron(0 0 ? 1 2 *)"]],
    ["0 12 * * 0", ["cron(0 12 ? * 1 *)"]],
    ["0 12 * * 7", ["cron(0 12 ? * 1 *)"]],
    ["5 4 * * sun", ["cron(5 4 ? * 1 *)"]],
    ["15 3 * * 6", ["cron(15 3 ? * 7 *)"]],
    ["0 0 * * 6,0", ["cron(0 0 ? * 1,7 *)"]],
    ["0 0 * * 0,7", ["cron(0 0 ? * 1 *)"]],
    ["0 0 * * 5-7", ["cron(0 0 ? * 1,6,7 *)"]], // Friday to Sunday: no range wraps past Saturday
    ["45 23 * * 0-4", ["cron(45 23 ? * 1-5 *)"]],
    ["0 0 * * 1-5/2", ["cron(0 0 ? * 2,4,6 *)"]], // no "/" in day-of-week
    ["0 0 * * */2", ["cron(0 0 ? * 1,3,5,7 *)"]],
    ["0 0 1 JAN,JUL *", ["cron(0 0 1 1,7 ? *)"]],
    ["0 3 * Jan,jul *", ["cron(0 3 * 1,7 ? *)"]],
    ["0 12 * 12 *", ["cron(0 12 * 12 ? *)"]],
    ["0 1 1 */3 *", ["cron(0 1 1 1/3 ? *)"]], // quarterly
    ["@daily", ["cron(0 0 * * ? *)"]],
    ["@midnight", ["cron(0 0 * * ? *)"]],
    ["@hourly", ["cron(0 * * * ? *)"]],
    ["@weekly", ["cron(0 0 ? * 1 *)"]],
    ["@monthly", ["cron(0 0 1 * ? *)"]],
    ["@yearly", ["cron(0 0 1 1 ? *)"]],
    ["@annually", ["cron(0 0 1 1 ? *)"]],
    ["0 */2 * * *", ["cron(0 0/2 * * ? *)"]],
    ["0,30 * * * *", ["cron(0,30 * * * ? *)"]],
    ["0 9,12,18 * * *", ["cron(0 9,12,18 * * ? *)"]],
    ["0 6,18 * * *", ["cron(0 6,18 * * ? *)"]],
    ["*/7 * * * *", ["cron(0/7 * * * ? *)"]],
    ["1-59/2 * * * *", ["cron(1/2 * * * ? *)"]],
    ["10-50/10 * * * *", ["cron(10/10 * * * ? *)"]],
    ["0-30/10 * * * *", ["cron(0,10,20,30 * * * ? *)"]],
    ["0 0 */2 * *", ["cron(0 0 1/2 * ? *)"]],
    ["* * * * *", ["cron(* * * * ? *)"]],
    ["  0   2  *  *  *  ", ["cron(0 2 * * ? *)"]],
    ["0 9-17,12 * * *", ["cron(0 9-17 * * ? *)"]], // overlapping list items, valid in cron
    ["0 0 1-31 * 1", ["cron(0 0 * * ? *)"]], // either field: day-of-month matches every day
    ["0 0 */1 * 1", ["cron(0 0 ? * 2 *)"]], // "*" first: both fields must match, so Mondays
    ["0 0 31 2 1", ["cron(0 0 ? 2 2 *)"]], // February 31 never occurs: Mondays in February
    ["0 0 29 2 *", ["cron(0 0 29 2 ? *)"]], // leap years only, as in cron
    ["0 0 L * *", ["cron(0 0 L * ? *)"]],
    ["0 18 * * 5L", ["cron(0 18 ? * 6L *)"]],
    ["0 0 * * 1#1", ["cron(0 0 ? * 2#1 *)"]],
    ["0 0 * * MON#2", ["cron(0 0 ? * 2#2 *)"]],
    ["0 0 L * 5", ["cron(0 0 L * ? *)", "cron(0 0 ? * 6 *)"]],
    [
      "0,1,3,4,6,7,9,10,12,13,15,16,18,19,21,22,24,25,27,28,30,31,33,34,36,37,39,40,42,43,45,46,48,49,51,52,54,55,57,58 " +
        "0,1,3,4,6,7,9,10,12,13,15,16,18,19,21,22 1,2,4,5,7,8,10,11,13,14,16,17,19,20,22,23,25,26,28,29,31 " +
        "1,2,4,5,7,8,10,11 *",
      [
        "cron(0,1,3,4,6,7,9,10,12,13,15,16,18,19,21,22,24,25,27,28,30,31,33,34,36,37,39,40,42,43,45,46,48,49,51,52," +
          "54,55,57,58 0,1,3,4,6,7,9,10,12,13,15,16,18,19,21,22 1,2,4,5,7,8,10,11,13,14,16,17,19,20,22,23,25,26,28,29," +
          "31 1,2,4,5,7,8,10,11 ? *)",
      ],
    ], // the longest expression the conversion can produce: 241 characters
  ];

  for (const [unix, expected] of table) {
    it(`${JSON.stringify(unix)} -> ${expected.join(" + ")}`, () => {
      const { expressions } = convertCron(unix);
      assert.deepEqual(expressions, expected);
      expressions.forEach(assertValidSchedulerExpression);
      assertSameRuns(unix, expressions);
    });
  }

  it("has at least 40 real-world rows", () => {
    assert.ok(table.length >= 40);
  });

  it("describes the crontab schedule in English", () => {
    assert.equal(convertCron("*/15 * * * 1-5").description, "Every 15 minutes, Monday through Friday");
    assert.equal(convertCron("0 0 1,15 * 5").description, "At 00:00, on day 1 and 15 of the month, and on Friday");
    assert.equal(convertCron("@daily").description, "At 00:00");
    assert.equal(convertCron("30 2 * * *").description, "At 02:30");
  });

  it("returns the two expressions of an either-day schedule, which both fire on a day matching both", () => {
    const { expressions } = convertCron("0 0 1,15 * 5");
    // 2028-09-01 is a Friday and the 1st: the crontab runs once, each schedule fires once.
    const day = Date.UTC(2028, 8, 1);
    assert.deepEqual(expressions.map((e) => iso(awsRuns(e, day, day + DAY_MS))), [["2028-09-01T00:00"], ["2028-09-01T00:00"]]);
    assert.deepEqual(iso(cronRuns(unixCron(unixFields("0 0 1,15 * 5")), day, day + DAY_MS)), ["2028-09-01T00:00"]);
  });
});

describe("convertCron refusals", () => {
  const refusals: Array<[string, string]> = [
    ["", 'the schedule is empty: give five fields (minute hour day-of-month month day-of-week), e.g. "0 2 * * *"'],
    ["   ", 'the schedule is empty: give five fields (minute hour day-of-month month day-of-week), e.g. "0 2 * * *"'],
    ["@reboot", '"@reboot" has no EventBridge Scheduler equivalent: run the job once by hand or give it a time-based schedule'],
    [
      "@often",
      '"@often" is not a cron macro: use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or five ' +
        "fields (minute hour day-of-month month day-of-week)",
    ],
    [
      "@DAILY",
      '"@DAILY" is not a cron macro (cron macros are lower case: "@daily"): use one of @yearly, @annually, @monthly, ' +
        "@weekly, @daily, @midnight, @hourly or five fields (minute hour day-of-month month day-of-week)",
    ],
    ["@daily /usr/local/bin/backup", '"@daily" must stand alone: remove "/usr/local/bin/backup"'],
    [
      "0 0 2 * * *",
      "expected 5 fields (minute hour day-of-month month day-of-week) but found 6: drop the seconds field (EventBridge " +
        "Scheduler runs at most once a minute) or the user name or command after the schedule",
    ],
    [
      "0 2 * *",
      "expected 5 fields (minute hour day-of-month month day-of-week) but found 4: give only the schedule part of the crontab line",
    ],
    [
      "garbage",
      "expected 5 fields (minute hour day-of-month month day-of-week) but found 1: give only the schedule part of the crontab line",
    ],
    ["60 * * * *", 'minute "60" is out of range: use 0-59'],
    ["0 24 * * *", 'hour "24" is out of range: use 0-23'],
    ["0 0 32 * *", 'day-of-month "32" is out of range: use 1-31'],
    ["0 0 0 * *", 'day-of-month "0" is out of range: use 1-31'],
    ["0 0 * 13 *", 'month "13" is out of range: use 1-12 or JAN-DEC'],
    ["0 0 * * 8", 'day-of-week "8" is out of range: use 0-7 (0 and 7 are Sunday) or SUN-SAT'],
    ["0-60 * * * *", 'minute "0-60" is out of range: use 0-59'],
    [
      "0 17-9 * * *",
      'hour "17-9" has a range that runs backwards ("17-9"): write ranges low-high, e.g. "17-23,0-9" to wrap around',
    ],
    [
      "0 0 * * FRI-MON",
      'day-of-week "FRI-MON" has a range that runs backwards ("FRI-MON"): write ranges low-high, e.g. "5-6,0-1" to wrap around',
    ],
    ["*/0 * * * *", 'minute "*/0" has a step of 0: use a step of 1 or more'],
    [
      "5/15 * * * *",
      'minute "5/15" has a step after a single value, which cron rejects: write "5-59/15" (or "*/15" to start at 0)',
    ],
    ["0 0 ? * 1", 'day-of-month "?" uses "?", which is EventBridge and Quartz syntax, not crontab: use "*"'],
    ["H 2 * * *", 'minute "H" uses "H", a Jenkins-style hashed value that cron does not know: pick a fixed value'],
    ["0 0 15W * *", 'day-of-month "15W" uses "W" (nearest weekday), which cron does not support: list the days instead'],
    ["1,,2 * * * *", 'minute "1,,2" has an empty list item: remove the extra comma'],
    [
      "0 0 * * Monday",
      'day-of-week "Monday" is not valid crontab syntax: use 0-7 (0 and 7 are Sunday) or SUN-SAT, "*", ranges (a-b), ' +
        "lists (a,b) and steps (*/n, a-b/n)",
    ],
    [
      "0 0 * FOO *",
      'month "FOO" is not valid crontab syntax: use 1-12 or JAN-DEC, "*", ranges (a-b), lists (a,b) and steps (*/n, a-b/n)',
    ],
    [
      "0 0 1,L * *",
      'day-of-month "1,L" combines "L" with other days, which EventBridge Scheduler cannot express: use "L" on its own',
    ],
    [
      "0 0 * * 1#2,5",
      'day-of-week "1#2,5" combines "1#2" with other days, which EventBridge Scheduler cannot express: use "1#2" on its own',
    ],
    [
      "0 0 */2 * 1",
      'day-of-month "*/2" and day-of-week "1" both restrict the day and one starts with "*", so cron runs only on days ' +
        "matching both, which EventBridge Scheduler cannot express: restrict only one of the two fields",
    ],
    [
      "0 0 31 4,6 *",
      'day-of-month "31" never occurs in month "4,6" (April, June), so the job would never run: check the day and month fields',
    ],
    [
      "0 0 30 FEB *",
      'day-of-month "30" never occurs in month "FEB" (February), so the job would never run: check the day and month fields',
    ],
  ];

  for (const [unix, message] of refusals) {
    it(`refuses ${JSON.stringify(unix)}`, () => {
      assert.throws(() => convertCron(unix), (err: unknown) => {
        assert.ok(err instanceof CronConversionError);
        assert.equal(err.name, "CronConversionError");
        assert.equal(err.message, message);
        return true;
      });
    });
  }

  it("keeps messages to one or two sentences without a job name", () => {
    for (const [, message] of refusals) {
      assert.ok(message.length < 260, message);
      assert.ok(!/job "/.test(message), message);
    }
  });
});

/** Crontab expressions as people write them: values, names, ranges, lists, steps, macros and the L/# extensions. */
function unixExpression(): fc.Arbitrary<string> {
  const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
  const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
  const caseOf = (name: string, style: number) => (style === 0 ? name : style === 1 ? name.toLowerCase() : name[0] + name.slice(1).toLowerCase());

  const field = (min: number, max: number, name?: (v: number, style: number) => string, starStep = 2): fc.Arbitrary<string> => {
    const value = fc.tuple(fc.integer({ min, max }), fc.nat(5)).map(([v, style]) => (name && style < 3 ? name(v, style) : `${v}`));
    const range = fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }), fc.nat(5)).map(([a, b, style]) => {
      const [low, high] = a <= b ? [a, b] : [b, a];
      return name && style < 2 ? `${name(low, style)}-${name(high, style)}` : `${low}-${high}`;
    });
    const step = fc.integer({ min: 1, max: Math.max(2, Math.ceil((max - min + 1) / 2)) });
    const item = fc.oneof(
      { weight: 4, arbitrary: value },
      { weight: 2, arbitrary: range },
      { weight: 2, arbitrary: fc.tuple(range, step).map(([r, s]) => `${r}/${s}`) },
      { weight: 1, arbitrary: step.map((s) => `*/${s}`) },
    );
    return fc.oneof(
      { weight: 4, arbitrary: fc.constant("*") },
      { weight: starStep, arbitrary: step.map((s) => `*/${s}`) },
      { weight: 5, arbitrary: item },
      { weight: 3, arbitrary: fc.array(item, { minLength: 2, maxLength: 4 }).map((items) => items.join(",")) },
    );
  };

  const minute = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 59 }).map(String) }, { weight: 2, arbitrary: field(0, 59) });
  const hour = fc.oneof({ weight: 2, arbitrary: fc.integer({ min: 0, max: 23 }).map(String) }, { weight: 2, arbitrary: field(0, 23) });
  // A "*"-step in a day field makes cron require both day fields, which is refused when the other is restricted;
  // it is rarer here so that most generated expressions convert.
  const dayOfMonth = fc.oneof({ weight: 12, arbitrary: field(1, 31, undefined, 1) }, { weight: 1, arbitrary: fc.constant("L") });
  const month = field(1, 12, (v, style) => caseOf(MONTHS[v - 1], style));
  const dayOfWeek = fc.oneof(
    // Vixie cron reads SUN as 0, so 7 keeps its number ("MON-SUN" runs backwards and cron rejects it).
    { weight: 12, arbitrary: field(0, 7, (v, style) => (v === 7 ? "7" : caseOf(DAYS[v], style)), 1) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 7 }).map((d) => `${d}L`) },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 5 })).map(([d, n]) => `${d}#${n}`) },
  );
  const fiveFields = fc.tuple(minute, hour, dayOfMonth, month, dayOfWeek).map((fields) => fields.join(" "));
  return fc.oneof({ weight: 30, arbitrary: fiveFields }, { weight: 1, arbitrary: fc.constantFrom(...Object.keys(MACROS)) });
}

describe("convertCron property: same minutes as cron", () => {
  it("fires at exactly the same minutes as the crontab for 1,000 generated expressions", function () {
    this.timeout(60_000);
    let converted = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        unixExpression(),
        fc.array(fc.integer({ min: YEAR_START, max: YEAR_END - DAY_MS }), { minLength: 2, maxLength: 2 }),
        (unix, starts) => {
          let expressions: string[];
          try {
            expressions = convertCron(unix).expressions;
          } catch (err) {
            // The only refusals of valid crontab lines: both day fields restricted with a leading "*", and
            // schedules that never run. Check both against the evaluators.
            assert.ok(err instanceof CronConversionError, String(err));
            const fields = unixFields(unix);
            if (/both restrict the day/.test(err.message)) {
              assert.ok(fields[2].startsWith("*") || fields[4].startsWith("*"), unix);
            } else {
              assert.match(err.message, /never occurs/, unix);
              assert.equal(cronRuns(unixCron(fields), YEAR_START, YEAR_START + 8 * 366 * DAY_MS, 1).length, 0, unix);
            }
            refused++;
            return;
          }
          converted++;
          assert.ok(expressions.length === 1 || expressions.length === 2);
          expressions.forEach(assertValidSchedulerExpression);
          assertSameRuns(unix, expressions, starts.map((t) => Math.floor(t / MINUTE_MS) * MINUTE_MS));
        },
      ),
      { numRuns: 1000 },
    );
    // Guard against a generator that mostly produces refused expressions.
    assert.ok(converted >= 800, `converted ${converted}, refused ${refused}`);
  });

  it("converts the day-of-week 0-7 in every spelling to 1-7 with 1 = Sunday", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 59 }), (day, minute) => {
        const { expressions } = convertCron(`${minute} 12 * * ${day}`);
        assert.deepEqual(expressions, [`cron(${minute} 12 ? * ${(day % 7) + 1} *)`]);
      }),
    );
  });
});

describe("runsPerMonth", () => {
  const cases: Array<[string, string, number]> = [
    ["0 2 * * *", "UTC", 365 / 12], // ≈ 30.42
    ["0 6,18 * * *", "UTC", 730 / 12], // ≈ 60.83
    ["0 0 1 * *", "UTC", 12 / 12],
    ["@weekly", "UTC", 52 / 12], // 2025 has 52 Sundays
    ["*/15 * * * 1-5", "UTC", (261 * 96) / 12], // 261 weekdays in 2025, 96 runs a day
    // Two schedules: the 1st and 15th, and Fridays; on 2025-08-01 and 2025-08-15, Fridays, both fire.
    ["0 0 1,15 * 5", "UTC", (24 + 52) / 12],
    ["0 0 31 2 1", "UTC", 4 / 12], // Mondays in February 2025; February 31 never comes
    ["0 0 29 2 *", "UTC", 0], // 2025 is not a leap year
    ["30 2 * * *", "UTC", 365 / 12],
    ["30 2 * * *", "Europe/Berlin", 364 / 12], // 2025-03-30 02:30 does not exist there
    ["0 2 * * *", "Europe/Berlin", 364 / 12],
    ["30 1 * * *", "America/New_York", 365 / 12], // 01:30 on 2025-11-02 happens twice and runs once
    ["* * * * *", "Europe/Berlin", (365 * 1440 - 60) / 12],
  ];
  for (const [expression, timeZone, expected] of cases) {
    it(`${expression} in ${timeZone} runs ${expected.toFixed(2)} times a month`, () => {
      assert.ok(Math.abs(runsPerMonth(expression, timeZone) - expected) < 1e-9, String(runsPerMonth(expression, timeZone)));
    });
  }

  it("matches the hand-computed values to two decimals", () => {
    assert.equal(runsPerMonth("0 2 * * *", "UTC").toFixed(2), "30.42");
    assert.equal(runsPerMonth("0 6,18 * * *", "UTC").toFixed(2), "60.83");
    assert.equal(runsPerMonth("0 0 1 * *", "UTC"), 1);
  });

  it("refuses what convertCron refuses and unknown time zones", () => {
    assert.throws(() => runsPerMonth("@reboot", "UTC"), CronConversionError);
    assert.throws(() => runsPerMonth("0 0 */2 * 1", "UTC"), CronConversionError);
    assert.throws(() => runsPerMonth("0 2 * * *", "Europe/Berln"), /unknown time zone "Europe\/Berln"/);
  });
});

describe("runsSkippedByDaylightSaving", () => {
  it("lists runs in the hour skipped when clocks go forward", () => {
    assert.deepEqual(runsSkippedByDaylightSaving("30 2 * * *", "Europe/Berlin"), ["2025-03-30 02:30"]);
    assert.deepEqual(runsSkippedByDaylightSaving("*/30 2 * * *", "America/New_York"), ["2025-03-09 02:00", "2025-03-09 02:30"]);
    assert.equal(runsSkippedByDaylightSaving("* * * * *", "Europe/Berlin").length, 60);
  });

  it("is empty for zones without daylight saving time and schedules outside the switch", () => {
    assert.deepEqual(runsSkippedByDaylightSaving("30 2 * * *", "UTC"), []);
    assert.deepEqual(runsSkippedByDaylightSaving("30 2 * * *", "Asia/Tokyo"), []);
    assert.deepEqual(runsSkippedByDaylightSaving("30 3 * * *", "Europe/Berlin"), []);
    assert.deepEqual(runsSkippedByDaylightSaving("30 2 * * 1-5", "Europe/Berlin"), []); // 2025-03-30 is a Sunday
    assert.deepEqual(runsSkippedByDaylightSaving("30 1 * * *", "America/New_York"), []); // repeated, not skipped
  });
});

describe("assertTimeZone", () => {
  it("accepts IANA names", () => {
    for (const zone of ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]) {
      assert.doesNotThrow(() => assertTimeZone(zone));
    }
  });

  it("refuses unknown names, offsets and miscapitalised names", () => {
    assert.throws(() => assertTimeZone("Mars/Olympus_Mons"), {
      name: "CronConversionError",
      message: 'unknown time zone "Mars/Olympus_Mons": use an IANA time zone name such as "Europe/Berlin", "America/New_York" or "UTC"',
    });
    assert.throws(() => assertTimeZone("+01:00"), /unknown time zone "\+01:00"/);
    assert.throws(() => assertTimeZone("europe/berlin"), {
      message: 'time zone "europe/berlin" is not spelled as in the IANA database: use "Europe/Berlin"',
    });
  });
});
