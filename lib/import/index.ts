/**
 * `migrate import`: a crontab of Docker jobs turned into a job inventory. The steps, one module each:
 *
 * - crontab.ts: lines, variables, schedules, the `%` rule, the user or system format;
 * - shell.ts / line.ts: the command as the shell runs it, down to the one `docker run` or `docker compose run`;
 * - docker-cli.ts / docker-run.ts / compose.ts: the container it starts;
 * - sizing.ts, build.ts: the inventory job, with TODOs and notes for what Batch does differently;
 * - render.ts: the YAML with comments.
 *
 * Everything here is pure apart from reading the files the crontab names, which goes through `HostFiles`.
 */
import { assertTimeZone } from "../cron";
import { BuildSkip, buildJob, type ImportedJob, type SecretToCreate } from "./build";
import type { ComposeFile } from "./compose";
import { parseCrontab, type CrontabFormat, type CrontabNote, type SkippedLine } from "./crontab";
import { analyzeCommand, type HostFiles } from "./line";
import { redact } from "./redact";
import { renderInventory } from "./render";

export { loadComposeFile, ComposeError, type ComposeFile } from "./compose";
export type { HostFiles } from "./line";
export type { ImportedJob, InventoryJob, SecretToCreate } from "./build";
export { PLACEHOLDER_TAG, PLACEHOLDER_USER } from "./build";
export { putParameterCommand } from "./render";

export interface ImportInput {
  /** The crontab's text. */
  text: string;
  /** How the crontab is named in messages and the output (e.g. its path). */
  source: string;
  /** The crontab's path, for the format detection (`/etc/crontab`, `/etc/cron.d/*`). */
  path?: string;
  /** Forces the format; detected otherwise. */
  format?: CrontabFormat;
  /** Time zone of schedules without `CRON_TZ`; UTC when undefined. */
  timezone?: string;
  /** Prefix of every job name. */
  namePrefix?: string;
  /** Compose files given with `--compose`. */
  composeFiles?: ComposeFile[];
  files: HostFiles;
}

export interface ImportResult {
  format: CrontabFormat;
  formatReason: string;
  jobs: ImportedJob[];
  /** Lines not imported, with secrets masked in their text. */
  skipped: SkippedLine[];
  /** What the crontab's variables mean on Batch. */
  notes: CrontabNote[];
  /** Problems that concern every job (e.g. the time zone). */
  warnings: string[];
  secrets: SecretToCreate[];
  /** The inventory file. */
  yaml: string;
}

/** An invalid option of the import (`--timezone`, `--name-prefix`). */
export class ImportOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImportOptionError";
  }
}

/** Imports a crontab. Throws `ImportOptionError` for invalid options; everything in the crontab is reported in the result. */
export function importCrontab(input: ImportInput): ImportResult {
  if (input.timezone !== undefined) {
    try {
      assertTimeZone(input.timezone);
    } catch (err) {
      throw new ImportOptionError(`--timezone: ${(err as Error).message}`);
    }
  }
  const namePrefix = input.namePrefix ?? "";
  if (namePrefix !== "" && !/^[a-z][a-z0-9-]*$/.test(namePrefix)) {
    throw new ImportOptionError(`--name-prefix "${namePrefix}" must start with a lower-case letter and hold only lower-case letters, digits and dashes`);
  }
  if (namePrefix.length > 20) throw new ImportOptionError(`--name-prefix "${namePrefix}" is too long: job names have at most 40 characters`);

  const crontab = parseCrontab(input.text, { format: input.format, path: input.path });
  const skipped: SkippedLine[] = crontab.skipped.map((s) => ({ ...s, text: redact(s.text) }));
  const jobs: ImportedJob[] = [];
  const shownLines = new Map<number, string>();
  const takenNames = new Set<string>();

  for (const entry of crontab.entries) {
    const shown = redact(entry.text.trim());
    const result = analyzeCommand({
      command: entry.command,
      variables: entry.variables,
      files: input.files,
      composeFiles: input.composeFiles ?? [],
    });
    if (result.kind === "skip") {
      skipped.push({ line: entry.line, text: shown, reason: result.reason });
      continue;
    }
    try {
      const job = buildJob(entry, result, {
        files: input.files,
        defaultTimezone: input.timezone,
        namePrefix,
        takenNames,
        source: input.source,
      });
      jobs.push(job);
      shownLines.set(entry.line, shown);
    } catch (err) {
      if (!(err instanceof BuildSkip)) throw err;
      skipped.push({ line: entry.line, text: shown, reason: err.message });
    }
  }
  skipped.sort((a, b) => a.line - b.line);

  const warnings: string[] = [];
  const inDefaultZone = crontab.entries.filter((e) => e.timezone === undefined && jobs.some((j) => j.line === e.line));
  if (input.timezone === undefined && inDefaultZone.length > 0) {
    warnings.push(
      `${inDefaultZone.length} job${inDefaultZone.length === 1 ? "" : "s"} without CRON_TZ ${inDefaultZone.length === 1 ? "is" : "are"} scheduled in UTC, ` +
        "but cron ran them in the host's local time zone: import again with --timezone <the host's zone, e.g. Europe/Berlin>",
    );
  }

  const yaml = renderInventory({
    source: input.source,
    format: crontab.format,
    formatReason: crontab.formatReason,
    jobs,
    shownLines,
    skipped,
    notes: crontab.notes,
    warnings,
  });
  return {
    format: crontab.format,
    formatReason: crontab.formatReason,
    jobs,
    skipped,
    notes: crontab.notes,
    warnings,
    secrets: jobs.flatMap((j) => j.secrets),
    yaml,
  };
}
