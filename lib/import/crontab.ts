/**
 * Crontab files, read as Vixie cron and cronie read them (crontab(5)):
 *
 * - Blank lines and lines whose first non-blank character is `#` are ignored. A `#` later on a line is part of
 *   the command or of the variable's value: cron has no trailing comments.
 * - `name = value` lines set a variable for the commands of the following lines (blanks around `=` optional;
 *   the value may be quoted, single or double, to keep leading or trailing blanks). Values are not expanded.
 *   A line is a variable setting when its first blank-free word is followed, after optional blanks, by `=`;
 *   every other line is a cron entry.
 * - Cron entries: five time fields or one `@macro`, in the system format (`/etc/crontab`, `/etc/cron.d/*`) a
 *   user name, then the command, which runs with `/bin/sh -c`.
 * - In the command, an unescaped `%` ends the command: cron turns it into a newline and sends the rest to the
 *   command's standard input. `\%` stands for a literal `%` (cron drops the backslash). A Batch job has no
 *   standard input, so lines with an unescaped `%` are not imported.
 * - Cron does not join lines: a line ending in `\` is passed to the shell as it is and the next line is an entry
 *   of its own. Such lines are not imported (the reason says how to fix them).
 *
 * Variables with a meaning for cron are reported: `CRON_TZ` (and `TZ`) set the time zone of the schedules of the
 * following lines; `SHELL`, `PATH`, `MAILTO`, `MAILFROM` and `RANDOM_DELAY` have no Batch equivalent.
 */
import { assertTimeZone, convertCron, CronConversionError } from "../cron";
import { looksLikeSecretName } from "../secrets";

export type CrontabFormat = "user" | "system";

export interface CrontabVariable {
  line: number;
  name: string;
  value: string;
}

/** One cron entry with everything the lines above it set. */
export interface CrontabEntry {
  /** 1-based line number. */
  line: number;
  /** The line as written. */
  text: string;
  /** The schedule: five fields joined by one space, or a macro such as `@daily`. */
  schedule: string;
  /** The command with `\%` turned into `%`, as the shell receives it. */
  command: string;
  /** The user column of the system format. */
  user?: string;
  /** Time zone from the last `CRON_TZ` or `TZ` line above the entry; undefined when none. */
  timezone?: { name: string; line: number; variable: string };
  /** Crontab variables in effect for this entry (cron's environment for the command). */
  variables: Record<string, string>;
}

/** A line that is not imported, with the reason. */
export interface SkippedLine {
  line: number;
  /** The line as written (callers redact it before showing it). */
  text: string;
  reason: string;
}

/** Something the crontab sets that Batch does differently, reported once. */
export interface CrontabNote {
  line: number;
  message: string;
}

export interface ParsedCrontab {
  format: CrontabFormat;
  /** Why this format was chosen. */
  formatReason: string;
  entries: CrontabEntry[];
  skipped: SkippedLine[];
  notes: CrontabNote[];
  variables: CrontabVariable[];
}

export interface CrontabOptions {
  /** Forces the format; detected when undefined (see `detectFormat`). */
  format?: CrontabFormat;
  /** Path of the file, used by the format detection (`/etc/crontab`, `/etc/cron.d/*`). */
  path?: string;
}

/** Commands that often follow the schedule in a user crontab, so they are never taken for a user name. */
const COMMAND_WORDS = new Set([
  "docker", "docker-compose", "podman", "sudo", "cd", "env", "sh", "bash", "dash", "zsh", "nice", "ionice", "timeout",
  "flock", "exec", "test", "run-parts", "echo", "cp", "mv", "rm", "find", "curl", "wget", "python", "python3", "perl",
  "php", "node", "java", "ruby", "make", "git", "rsync", "tar", "gzip", "mysqldump", "pg_dump", "psql", "mysql",
  "certbot", "logrotate", "systemctl", "service", "true", "false", "date", "sleep", "chronic", "ts", "kill", "pkill",
]);

/** Conventional user names: lower-case letters, digits, `_`, `-`, `.`, optionally ending in `$` (Samba machine accounts). */
const USER_NAME = /^[a-z_][a-z0-9_.-]{0,31}\$?$/;

interface RawEntry {
  line: number;
  text: string;
  words: string[];
  /** Index in `text` where each word starts. */
  starts: number[];
  /** Number of words in the schedule (1 for a macro, 5 otherwise). */
  scheduleWords: number;
}

/** Splits a line into words at blanks, remembering where each starts (cron splits its fields the same way). */
function splitWords(text: string): { words: string[]; starts: number[] } {
  const words: string[] = [];
  const starts: number[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
    if (i >= text.length) break;
    const start = i;
    while (i < text.length && text[i] !== " " && text[i] !== "\t") i++;
    words.push(text.slice(start, i));
    starts.push(start);
  }
  return { words, starts };
}

/** `name = value`, as cronie's load_env reads it; undefined when the line is a cron entry. */
export function parseVariableLine(text: string): { name: string; value: string } | undefined {
  const trimmed = text.replace(/^[ \t]+/, "");
  let end = 0;
  while (end < trimmed.length && !" \t=".includes(trimmed[end])) end++;
  if (end === 0) return undefined;
  const name = trimmed.slice(0, end);
  let i = end;
  while (i < trimmed.length && (trimmed[i] === " " || trimmed[i] === "\t")) i++;
  if (trimmed[i] !== "=") return undefined;
  let value = trimmed.slice(i + 1).replace(/^[ \t]+/, "").replace(/[ \t\r]+$/, "");
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value[value.length - 1] === value[0]) {
    value = value.slice(1, -1);
  }
  return { name, value };
}

/**
 * Cron's `%` rule: `\%` becomes `%`; an unescaped `%` ends the command (the rest is standard input).
 * Returns the command, or the problem when the line has an unescaped `%`.
 */
export function applyPercentRule(command: string): { command: string } | { problem: string } {
  let out = "";
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (c === "\\" && command[i + 1] === "%") {
      out += "%";
      i++;
    } else if (c === "%") {
      const stdin = command.slice(i + 1);
      return {
        problem:
          `the command has an unescaped "%" (column ${i + 1}): cron ends the command there and sends ` +
          `${stdin === "" ? "an empty line" : JSON.stringify(stdin.replace(/%/g, "\n"))} to its standard input, which a Batch job does not have: ` +
          `write "\\%" for a literal percent sign (e.g. date +\\%F), or move the input into the image`,
      };
    } else {
      out += c;
    }
  }
  return { command: out };
}

/**
 * The format of a crontab. The system format (a user name between the schedule and the command) is used when
 * forced, when the file is `/etc/crontab` or lies in `/etc/cron.d`, or when every entry has a word after the
 * schedule that looks like a user name (lower-case letters, digits, `_`, `-`, `.`; no `/`, no `=`, not a command
 * such as `docker` or `sudo`) followed by a command (not a `#` comment). Anything else is read as a user crontab
 * (`crontab -e`).
 */
export function detectFormat(entries: RawEntry[], path?: string): { format: CrontabFormat; reason: string } {
  if (path !== undefined) {
    const normalized = path.replace(/\\/g, "/");
    if (normalized === "/etc/crontab" || /^\/etc\/cron\.d\/[^/]+$/.test(normalized)) {
      return { format: "system", reason: `${path} is read by cron in the system format` };
    }
  }
  const candidates = entries.filter((e) => !e.words[0].startsWith("@reboot"));
  if (candidates.length === 0) return { format: "user", reason: "no entries to tell the formats apart" };
  const withUser = candidates.filter((e) => {
    const word = e.words[e.scheduleWords];
    const next = e.words[e.scheduleWords + 1];
    return word !== undefined && next !== undefined && !next.startsWith("#") && USER_NAME.test(word) && !COMMAND_WORDS.has(word);
  });
  if (withUser.length === candidates.length) {
    const users = [...new Set(withUser.map((e) => e.words[e.scheduleWords]))];
    return {
      format: "system",
      reason: `every entry has a user name after the schedule (${users.join(", ")}); pass --no-system if these are commands`,
    };
  }
  return { format: "user", reason: "entries start their command right after the schedule; pass --system for /etc/crontab or /etc/cron.d files" };
}

const TIME_ZONE_VARIABLES = new Set(["CRON_TZ", "TZ"]);
const MAIL_VARIABLES = new Set(["MAILTO", "MAILFROM", "CONTENT_TYPE", "CONTENT_TRANSFER_ENCODING"]);

/** Reads a crontab: variables, entries, and the lines that cannot be imported with the reason. */
export function parseCrontab(text: string, options: CrontabOptions = {}): ParsedCrontab {
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  const skipped: SkippedLine[] = [];
  const notes: CrontabNote[] = [];
  const variables: CrontabVariable[] = [];

  type Item = { kind: "variable"; variable: CrontabVariable } | { kind: "entry"; entry: RawEntry };
  const items: Item[] = [];
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const variable = parseVariableLine(raw);
    if (variable) {
      items.push({ kind: "variable", variable: { line, ...variable } });
      return;
    }
    const { words, starts } = splitWords(raw);
    items.push({ kind: "entry", entry: { line, text: raw, words, starts, scheduleWords: words[0].startsWith("@") ? 1 : 5 } });
  });

  const rawEntries = items.flatMap((item) => (item.kind === "entry" ? [item.entry] : []));
  const detected = options.format
    ? { format: options.format, reason: options.format === "system" ? "--system was given" : "--no-system was given" }
    : detectFormat(rawEntries, options.path);
  const system = detected.format === "system";

  const current: Record<string, string> = {};
  let timezone: { name: string; line: number; variable: string; problem?: string } | undefined;
  const entries: CrontabEntry[] = [];

  for (const item of items) {
    if (item.kind === "variable") {
      const { name, value, line } = item.variable;
      variables.push(item.variable);
      current[name] = value;
      if (TIME_ZONE_VARIABLES.has(name)) {
        let problem: string | undefined;
        try {
          assertTimeZone(value);
        } catch (err) {
          problem = (err as Error).message;
        }
        timezone = value === "" ? undefined : { name: value, line, variable: name, problem };
        if (problem) {
          skipped.push({ line, text: lines[line - 1], reason: `${name}: ${problem}; the entries below it are not imported until it is fixed` });
        } else if (name === "TZ") {
          notes.push({
            line,
            message: `TZ=${value} is read as the time zone of the schedules below it (cronie uses CRON_TZ for schedules and passes TZ to the commands only; check which one your cron honours)`,
          });
        }
      } else if (name === "SHELL") {
        notes.push({ line, message: `SHELL=${value} is ignored: Batch runs the container's command directly, without a host shell` });
      } else if (name === "PATH") {
        notes.push({ line, message: "PATH is ignored: the image's own PATH applies inside the container" });
      } else if (MAIL_VARIABLES.has(name)) {
        notes.push({
          line,
          message: value === "" && name === "MAILTO"
            ? "MAILTO is empty (cron mails no output): on Batch, output goes to CloudWatch Logs"
            : `${name}=${value}: cron mails the output of the jobs; on Batch, output goes to CloudWatch Logs and failures raise the stack's alerts`,
        });
      } else if (name === "RANDOM_DELAY") {
        notes.push({ line, message: `RANDOM_DELAY=${value} is ignored: EventBridge Scheduler starts at the scheduled minute (a flexible time window is not imported)` });
      } else if (/\s#/.test(value) && !looksLikeSecretName(name)) {
        notes.push({ line, message: `${name}: cron has no comments on variable lines, so the value is ${JSON.stringify(value)} including the "#"` });
      }
      continue;
    }

    const raw = item.entry;
    const { line, text: lineText, words, starts, scheduleWords } = raw;
    const skip = (reason: string) => skipped.push({ line, text: lineText, reason });

    if (/\\[ \t]*$/.test(lineText)) {
      skip('the line ends with "\\": cron does not continue lines (the next line is an entry of its own): join the lines into one');
      continue;
    }
    if (words[0] === "@reboot") {
      skip('"@reboot" runs once when the host boots: EventBridge Scheduler has no such schedule; run the job by hand or give it a time-based schedule');
      continue;
    }
    const needed = scheduleWords + (system ? 2 : 1);
    if (words.length < needed) {
      const what = scheduleWords === 1 ? "a macro" : "five time fields";
      const found = `found ${words.length} word${words.length === 1 ? "" : "s"}`;
      skip(
        system
          ? `not a system crontab entry: expected ${what}, a user name and a command (${found})`
          : `not a crontab entry: expected ${what} and a command (${found})`,
      );
      continue;
    }
    const schedule = words.slice(0, scheduleWords).join(" ");
    try {
      convertCron(schedule);
    } catch (err) {
      if (err instanceof CronConversionError) {
        skip(`schedule "${schedule}": ${err.message}`);
        continue;
      }
      throw err;
    }
    if (timezone?.problem) {
      skip(`${timezone.variable} on line ${timezone.line} is not a known time zone ("${timezone.name}"): fix it to import this entry`);
      continue;
    }
    const user = system ? words[scheduleWords] : undefined;
    const commandStart = starts[scheduleWords + (system ? 1 : 0)];
    const percent = applyPercentRule(lineText.slice(commandStart).replace(/[ \t]+$/, ""));
    if ("problem" in percent) {
      skip(percent.problem);
      continue;
    }
    entries.push({
      line,
      text: lineText,
      schedule,
      command: percent.command,
      user,
      timezone: timezone ? { name: timezone.name, line: timezone.line, variable: timezone.variable } : undefined,
      variables: { ...current },
    });
  }

  return { format: detected.format, formatReason: detected.reason, entries, skipped, notes, variables };
}
