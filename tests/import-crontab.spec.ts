/**
 * Crontab reading for `migrate import`: comments, variables, the `%` rule, continuation lines, macros, schedules
 * the cron module refuses, time zones and the user/system format detection.
 */
import * as assert from "node:assert/strict";
import { applyPercentRule, parseCrontab, parseVariableLine } from "../lib/import/crontab";

describe("import: crontab lines", () => {
  it("ignores blank lines and comments, including indented ones", () => {
    const c = parseCrontab("\n   \n# comment\n   # indented comment\n0 1 * * * run-it\n");
    assert.deepEqual(c.entries.map((e) => [e.line, e.schedule, e.command]), [[5, "0 1 * * *", "run-it"]]);
    assert.deepEqual(c.skipped, []);
  });

  it("keeps a # after the schedule as part of the command, as cron does", () => {
    const c = parseCrontab("0 1 * * * run-it # nightly\n");
    assert.equal(c.entries[0].command, "run-it # nightly");
  });

  it("keeps the command's own spacing and quotes, and accepts tabs between fields", () => {
    const c = parseCrontab("0\t1  *\t* *   docker run  'a  b'\r\n");
    assert.equal(c.entries[0].schedule, "0 1 * * *");
    assert.equal(c.entries[0].command, "docker run  'a  b'");
  });

  it("reads macros as one-word schedules", () => {
    const c = parseCrontab("@daily a\n@hourly b\n");
    assert.deepEqual(c.entries.map((e) => e.schedule), ["@daily", "@hourly"]);
  });

  it("skips @reboot with the reason", () => {
    const c = parseCrontab("@reboot docker run -d agent:1\n");
    assert.equal(c.entries.length, 0);
    assert.match(c.skipped[0].reason, /^"@reboot" runs once when the host boots: EventBridge Scheduler has no such schedule/);
  });

  it("skips schedules the cron module refuses, with its message", () => {
    const c = parseCrontab("0 0 */2 * 1 a\n61 * * * * b\n@often c\n");
    assert.deepEqual(c.skipped.map((s) => s.line), [1, 2, 3]);
    assert.match(c.skipped[0].reason, /^schedule "0 0 \*\/2 \* 1": day-of-month "\*\/2" and day-of-week "1" both restrict the day/);
    assert.match(c.skipped[1].reason, /^schedule "61 \* \* \* \*": minute "61" is out of range/);
    assert.match(c.skipped[2].reason, /^schedule "@often": "@often" is not a cron macro/);
  });

  it("skips lines too short to be an entry", () => {
    const c = parseCrontab("0 1 * * *\nhello world\n@daily\n");
    assert.deepEqual(c.skipped.map((s) => s.reason), [
      "not a crontab entry: expected five time fields and a command (found 5 words)",
      "not a crontab entry: expected five time fields and a command (found 2 words)",
      "not a crontab entry: expected a macro and a command (found 1 word)",
    ]);
  });

  it("does not join lines ending in a backslash: both are skipped, as cron would not run them as meant", () => {
    const c = parseCrontab("0 1 * * * docker run img:1 \\\n  --flag\n");
    assert.equal(c.entries.length, 0);
    assert.match(c.skipped[0].reason, /^the line ends with "\\": cron does not continue lines .*join the lines into one$/);
    assert.match(c.skipped[1].reason, /^not a crontab entry/);
  });
});

describe("import: the % rule", () => {
  it("turns \\% into %", () => {
    assert.deepEqual(applyPercentRule("date +\\%F"), { command: "date +%F" });
  });

  it("refuses an unescaped %, showing what cron would send to standard input", () => {
    const r = applyPercentRule("mail -s hi ops%line one%line two");
    assert.ok("problem" in r);
    assert.match(r.problem, /^the command has an unescaped "%" \(column 15\): cron ends the command there and sends "line one\\nline two" to its standard input/);
    assert.match(r.problem, /write "\\%" for a literal percent sign/);
  });

  it("refuses % inside quotes too: cron does not know shell quoting", () => {
    const c = parseCrontab("0 1 * * * echo '100%'\n");
    assert.equal(c.entries.length, 0);
    assert.match(c.skipped[0].reason, /unescaped "%"/);
  });
});

describe("import: crontab variables", () => {
  it("reads name = value with optional blanks and matching quotes", () => {
    assert.deepEqual(parseVariableLine("A=1"), { name: "A", value: "1" });
    assert.deepEqual(parseVariableLine("  A = two words  "), { name: "A", value: "two words" });
    assert.deepEqual(parseVariableLine('A=" padded "'), { name: "A", value: " padded " });
    assert.deepEqual(parseVariableLine("A='x'"), { name: "A", value: "x" });
    assert.deepEqual(parseVariableLine('A="unmatched\''), { name: "A", value: '"unmatched\'' });
    assert.deepEqual(parseVariableLine("MAILTO="), { name: "MAILTO", value: "" });
  });

  it("does not take cron entries for variables", () => {
    assert.equal(parseVariableLine("0 1 * * * A=1 cmd"), undefined);
    assert.equal(parseVariableLine("@daily A=1 cmd"), undefined);
    assert.equal(parseVariableLine("*/5 * * * * x=y"), undefined);
  });

  it("gives each entry the variables set above it, without expanding them", () => {
    const c = parseCrontab("A=1\n0 1 * * * first\nA=2\nB=$A\n0 2 * * * second\n");
    assert.deepEqual(c.entries.map((e) => e.variables), [{ A: "1" }, { A: "2", B: "$A" }]);
  });

  it("notes SHELL, PATH, MAILTO, MAILFROM, RANDOM_DELAY and values with a #", () => {
    const c = parseCrontab("SHELL=/bin/bash\nPATH=/bin\nMAILTO=a@b\nMAILTO=\nMAILFROM=cron@h\nRANDOM_DELAY=10\nLEVEL=info # default\nDB_PASSWORD=x # y\n");
    assert.deepEqual(c.notes.map((n) => n.message), [
      "SHELL=/bin/bash is ignored: Batch runs the container's command directly, without a host shell",
      "PATH is ignored: the image's own PATH applies inside the container",
      "MAILTO=a@b: cron mails the output of the jobs; on Batch, output goes to CloudWatch Logs and failures raise the stack's alerts",
      "MAILTO is empty (cron mails no output): on Batch, output goes to CloudWatch Logs",
      "MAILFROM=cron@h: cron mails the output of the jobs; on Batch, output goes to CloudWatch Logs and failures raise the stack's alerts",
      "RANDOM_DELAY=10 is ignored: EventBridge Scheduler starts at the scheduled minute (a flexible time window is not imported)",
      'LEVEL: cron has no comments on variable lines, so the value is "info # default" including the "#"',
    ]);
    assert.equal(c.variables.length, 8);
  });
});

describe("import: time zones", () => {
  it("CRON_TZ sets the zone of the entries below it; an empty value goes back to the default", () => {
    const c = parseCrontab("0 1 * * * a\nCRON_TZ=Europe/Berlin\n0 2 * * * b\nCRON_TZ=\n0 3 * * * c\n");
    assert.deepEqual(c.entries.map((e) => e.timezone?.name), [undefined, "Europe/Berlin", undefined]);
    assert.deepEqual(c.entries[1].timezone, { name: "Europe/Berlin", line: 2, variable: "CRON_TZ" });
  });

  it("TZ is read as the zone too, with a note on how cronie differs", () => {
    const c = parseCrontab("TZ=America/New_York\n0 2 * * * b\n");
    assert.equal(c.entries[0].timezone?.name, "America/New_York");
    assert.match(c.notes[0].message, /^TZ=America\/New_York is read as the time zone of the schedules below it \(cronie uses CRON_TZ/);
  });

  it("an unknown zone skips the variable line and every entry below it until it is fixed", () => {
    const c = parseCrontab("CRON_TZ=Europe/Berlinn\n0 2 * * * b\nCRON_TZ=UTC\n0 3 * * * c\n");
    assert.deepEqual(c.entries.map((e) => e.line), [4]);
    assert.match(c.skipped[0].reason, /^CRON_TZ: unknown time zone "Europe\/Berlinn"/);
    assert.equal(c.skipped[1].reason, 'CRON_TZ on line 1 is not a known time zone ("Europe/Berlinn"): fix it to import this entry');
  });
});

describe("import: user and system formats", () => {
  it("reads the user column of a system crontab", () => {
    const c = parseCrontab("0 1 * * * root docker run a:1\n@daily backup /usr/local/bin/x\n", { format: "system" });
    assert.deepEqual(c.entries.map((e) => [e.user, e.command]), [["root", "docker run a:1"], ["backup", "/usr/local/bin/x"]]);
    assert.equal(c.formatReason, "--system was given");
  });

  it("needs a command after the user in the system format", () => {
    const c = parseCrontab("0 1 * * * root\n", { format: "system" });
    assert.equal(c.skipped[0].reason, "not a system crontab entry: expected five time fields, a user name and a command (found 6 words)");
  });

  it("detects the system format from the path /etc/crontab or /etc/cron.d/*", () => {
    assert.equal(parseCrontab("0 1 * * * docker run a:1\n", { path: "/etc/crontab" }).format, "system");
    assert.equal(parseCrontab("0 1 * * * root run\n", { path: "/etc/cron.d/batch" }).format, "system");
    assert.match(parseCrontab("", { path: "/etc/cron.d/batch" }).formatReason, /^\/etc\/cron\.d\/batch is read by cron in the system format/);
  });

  it("detects the system format when every entry has a user name before a command", () => {
    const c = parseCrontab("0 1 * * * root docker run a:1\n0 2 * * * www-data php cron.php\n@reboot x\n");
    assert.equal(c.format, "system");
    assert.deepEqual(c.entries.map((e) => e.user), ["root", "www-data"]);
  });

  it("stays with the user format when a word after the schedule is a command, a path, an assignment or alone", () => {
    for (const text of [
      "0 1 * * * docker run a:1\n",
      "0 1 * * * sudo docker run a:1\n",
      "0 1 * * * /usr/local/bin/backup.sh --all\n",
      "0 1 * * * LANG=C backup\n",
      "0 1 * * * backup\n",
      "0 1 * * * root docker run a:1\n0 2 * * * docker run b:1\n",
    ]) {
      const c = parseCrontab(text);
      assert.equal(c.format, "user", text);
      assert.match(c.formatReason, /pass --system for \/etc\/crontab or \/etc\/cron\.d files/);
    }
  });

  it("the forced user format reads a user-looking word as the command", () => {
    const c = parseCrontab("0 1 * * * root docker run a:1\n", { format: "user" });
    assert.equal(c.entries[0].command, "root docker run a:1");
    assert.equal(c.formatReason, "--no-system was given");
  });
});
