/**
 * `npm run migrate -- import <crontab> [options]`: writes a job inventory from a crontab of `docker run` and
 * `docker compose run` lines. The logic lives in `lib/import`; this module reads the files, prints what needs
 * attention and writes the result after checking it with the inventory's own validation.
 *
 * Exit codes: 0 written (warnings allowed), 1 a file cannot be read, no job was found or the result does not
 * validate, 2 usage errors.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parse as parseDotenv } from "dotenv";
import { isConfigError } from "../../lib/errors";
import { parseInventory } from "../../lib/inventory";
import {
  ComposeError,
  importCrontab,
  ImportOptionError,
  loadComposeFile,
  putParameterCommand,
  type ComposeFile,
  type HostFiles,
} from "../../lib/import";

export const USAGE = `usage: npm run migrate -- import <crontab> [options]

Writes a job inventory (jobs.yaml) from a crontab whose lines run docker run or
docker compose run. <crontab> is a file, or - for standard input (crontab -l | ...).

options:
  -o, --output FILE     write the inventory to FILE (default: standard output)
  --force               overwrite FILE if it exists
  --compose FILE        compose file for docker compose run lines (repeatable)
  --timezone TZ         time zone of schedules without CRON_TZ (default UTC; cron used
                        the host's local time zone)
  --name-prefix P       prefix of every job name (lower-case letters, digits, dashes)
  --system              the crontab has a user column (/etc/crontab, /etc/cron.d/*)
  --no-system           the crontab has no user column (crontab -e)
                        (default: detected; see docs/import.md)
  --root DIR            directory holding a copy of the host's files: absolute paths
                        on the crontab lines (env files, compose files) are read below it
                        (default /)
  -h, --help            show this help

exit codes: 0 written (warnings allowed), 1 unreadable file, no job or invalid result, 2 usage error`;

class UsageError extends Error {}

interface CommandLine {
  crontab: string;
  output?: string;
  force: boolean;
  compose: string[];
  timezone?: string;
  namePrefix?: string;
  format?: "user" | "system";
  root: string;
}

export function parseCommandLine(argv: string[]): CommandLine | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        output: { type: "string", short: "o" },
        force: { type: "boolean" },
        compose: { type: "string", multiple: true },
        timezone: { type: "string" },
        "name-prefix": { type: "string" },
        system: { type: "boolean" },
        "no-system": { type: "boolean" },
        root: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? "the crontab file is required" : `expected one crontab file, found ${positionals.length}: ${positionals.join(" ")}`);
  }
  if (values.system && values["no-system"]) throw new UsageError("--system and --no-system exclude each other");
  if (values.output === "") throw new UsageError("--output needs a file name");
  return {
    crontab: positionals[0],
    output: values.output,
    force: values.force === true,
    compose: values.compose ?? [],
    timezone: values.timezone,
    namePrefix: values["name-prefix"],
    format: values.system ? "system" : values["no-system"] ? "user" : undefined,
    root: path.resolve(values.root ?? "/"),
  };
}

function readText(file: string): string {
  return file === "-" ? fs.readFileSync(0, "utf8") : fs.readFileSync(file, "utf8");
}

function readError(what: string, file: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : (err as Error).message;
  return `cannot read ${what} ${file}: ${reason}`;
}

/** Host files, read below `root`. */
export function hostFiles(root: string, fallbackDir: string): HostFiles {
  return {
    locate: (hostPath) => path.join(root, hostPath),
    read: (localPath) => {
      try {
        return fs.readFileSync(localPath, "utf8");
      } catch {
        return undefined;
      }
    },
    fallbackDir,
  };
}

export async function run(argv: string[]): Promise<number> {
  const err = (text: string) => process.stderr.write(`${text}\n`);
  let cli: CommandLine | "help";
  try {
    cli = parseCommandLine(argv);
  } catch (e) {
    err(`import: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (cli === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (cli.output !== undefined && fs.existsSync(cli.output) && !cli.force) {
    err(`import: ${cli.output} exists: pass --force to overwrite it`);
    return 2;
  }

  let text: string;
  try {
    text = readText(cli.crontab);
  } catch (e) {
    err(`import: ${readError("the crontab", cli.crontab, e)}`);
    return 1;
  }
  const composeFiles: ComposeFile[] = [];
  for (const file of cli.compose) {
    try {
      const composeText = fs.readFileSync(file, "utf8");
      let dotEnv: Record<string, string> = {};
      try {
        dotEnv = parseDotenv(fs.readFileSync(path.join(path.dirname(file), ".env"), "utf8"));
      } catch {
        // A project without a .env file.
      }
      composeFiles.push(loadComposeFile(composeText, file, dotEnv));
    } catch (e) {
      err(`import: ${e instanceof ComposeError ? e.message : readError("the compose file", file, e)}`);
      return 1;
    }
  }

  const source = cli.crontab === "-" ? "standard input" : cli.crontab;
  let result;
  try {
    result = importCrontab({
      text,
      source,
      path: cli.crontab === "-" ? undefined : cli.crontab,
      format: cli.format,
      timezone: cli.timezone,
      namePrefix: cli.namePrefix,
      composeFiles,
      files: hostFiles(cli.root, cli.crontab === "-" ? process.cwd() : path.dirname(path.resolve(cli.crontab))),
    });
  } catch (e) {
    if (!(e instanceof ImportOptionError)) throw e;
    err(`import: ${e.message}\n\n${USAGE}`);
    return 2;
  }

  err(`import: read ${source} as a ${result.format} crontab (${result.formatReason})`);
  for (const note of result.notes) err(`import: note: line ${note.line}: ${note.message}`);
  for (const warning of result.warnings) err(`import: warning: ${warning}`);
  for (const s of result.skipped) err(`import: skipped line ${s.line}: ${s.reason}`);
  for (const job of result.jobs) {
    for (const todo of job.todos) err(`import: warning: job "${job.job.name}" (line ${job.line}): ${todo}`);
  }
  if (result.secrets.length > 0) {
    const one = result.secrets.length === 1;
    err(
      `import: warning: ${result.secrets.length} variable${one ? " looks like a secret; its value was" : "s look like secrets; their values were"} not copied. ` +
        `Create ${one ? "this SSM parameter" : "these SSM parameters"} with the value${one ? "" : "s"} from the host before the first run:`,
    );
    for (const s of result.secrets) err(`  ${putParameterCommand(s)}    # job ${s.job}, ${s.origin}`);
  }

  if (result.jobs.length === 0) {
    err(`import: no docker run or docker compose run line in ${source} could be imported: nothing to write`);
    return 1;
  }
  const outputName = cli.output ?? "the imported inventory";
  try {
    parseInventory(result.yaml, outputName);
  } catch (e) {
    if (!isConfigError(e)) throw e;
    err(`import: the imported inventory does not validate, so it was not written:\n${e.message}`);
    return 1;
  }

  if (cli.output === undefined) {
    process.stdout.write(result.yaml);
  } else {
    try {
      fs.writeFileSync(cli.output, result.yaml);
    } catch (e) {
      err(`import: cannot write ${cli.output}: ${(e as Error).message}`);
      return 1;
    }
  }
  const todos = result.jobs.reduce((n, j) => n + j.todos.length + j.secrets.length, 0);
  err(
    `import: ${cli.output ? `wrote ${cli.output}: ` : ""}${result.jobs.length} job${result.jobs.length === 1 ? "" : "s"}, ` +
      `${todos} TODO${todos === 1 ? "" : "s"} to review, ${result.skipped.length} line${result.skipped.length === 1 ? "" : "s"} not imported`,
  );
  return 0;
}
