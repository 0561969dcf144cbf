/**
 * `npm run migrate -- cron ...` run as a child process: stdout, stderr and exit code.
 * The processes start together in `before`, since each one compiles the CLI with ts-node.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const ROOT = path.resolve(__dirname, "..");

function migrateCron(args: string[]): Promise<Result> {
  return migrate(["cron", ...args]);
}

function migrate(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", "cli/migrate.ts", ...args],
      { cwd: ROOT, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const CASES = {
  weekdays: ["*/15 * * * 1-5"],
  berlin: ["30 2 * * *", "--timezone", "Europe/Berlin"],
  either: ["0 0 1,15 * 5"],
  reboot: ["@reboot"],
  badZone: ["0 2 * * *", "--timezone", "Mars/Olympus_Mons"],
  unquoted: ["0", "2", "*", "*", "*"],
  unknownOption: ["0 2 * * *", "--tz", "UTC"],
  missing: [],
};

describe("migrate cron (CLI)", function () {
  this.timeout(120_000);
  const results = {} as Record<keyof typeof CASES, Result>;

  before(async () => {
    const names = Object.keys(CASES) as Array<keyof typeof CASES>;
    const outputs = await Promise.all(names.map((name) => migrateCron(CASES[name])));
    names.forEach((name, i) => (results[name] = outputs[i]));
  });

  it('prints "*/15 * * * 1-5" as cron(0/15 * ? * 2-6 *) and its description in UTC', () => {
    assert.deepEqual(results.weekdays, {
      code: 0,
      stdout: "cron(0/15 * ? * 2-6 *)\nEvery 15 minutes, Monday through Friday (time zone: UTC)\n",
      stderr: "",
    });
  });

  it("names the time zone and notes runs that daylight saving time skips", () => {
    const { code, stdout, stderr } = results.berlin;
    assert.equal(code, 0);
    assert.equal(stdout, "cron(30 2 * * ? *)\nAt 02:30 (time zone: Europe/Berlin)\n");
    assert.equal(
      stderr,
      "note: in Europe/Berlin these 2025 runs fall in the hour skipped when clocks go forward: 2025-03-30 02:30. " +
        "EventBridge Scheduler skips them, where cron runs a job with a fixed minute and hour right after the change.\n",
    );
  });

  it("prints both expressions of an either-day schedule and warns that both fire on a day matching both", () => {
    const { code, stdout, stderr } = results.either;
    assert.equal(code, 0);
    assert.equal(
      stdout,
      "cron(0 0 1,15 * ? *)\ncron(0 0 ? * 6 *)\nAt 00:00, on day 1 and 15 of the month, and on Friday (time zone: UTC)\n",
    );
    assert.match(stderr, /^note: .*two EventBridge Scheduler schedules; on a day matching both, each fires once/);
  });

  for (const [name, message] of [
    ["reboot", '"@reboot" has no EventBridge Scheduler equivalent: run the job once by hand or give it a time-based schedule'],
    ["badZone", 'unknown time zone "Mars/Olympus_Mons": use an IANA time zone name such as "Europe/Berlin", "America/New_York" or "UTC"'],
  ] as const) {
    it(`exits 1 with the reason on stderr and no stack trace (${name})`, () => {
      assert.deepEqual(results[name], { code: 1, stdout: "", stderr: `migrate cron: ${message}\n` });
    });
  }

  it("asks for a quoted expression when the shell split it", () => {
    const { code, stdout, stderr } = results.unquoted;
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(stderr, /^migrate cron: expected one expression but got 5 arguments: quote the expression/);
  });

  it("asks for the expression when none is given, with the usage", () => {
    const { code, stdout, stderr } = results.missing;
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(stderr, /^migrate cron: give a crontab expression\n\nusage: npm run migrate -- cron/);
  });

  it("refuses unknown options with the usage", () => {
    const { code, stdout, stderr } = results.unknownOption;
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(stderr, /^migrate cron: Unknown option '--tz'.*\n\nusage: npm run migrate -- cron/s);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });
});

describe("migrate (CLI dispatcher)", function () {
  this.timeout(120_000);

  it("names an unknown command and lists the commands, exit 1", async () => {
    const { code, stdout, stderr } = await migrate(["convert"]);
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(stderr, /^migrate: unknown command "convert"\n\nusage: npm run migrate -- <command> \[options\]\n\ncommands:\n {2}cron {5}/);
    assert.match(stderr, /\n {2}import {3}write a job inventory/);
    assert.match(stderr, /\n {2}compare {2}compare outputs/);
  });
});
