/**
 * The imported inventory as YAML, with comments: a header (source, format, what applies to every job, crontab
 * settings), above each job its crontab line and its TODOs and notes, and at the end every line that was not
 * imported with the reason. Built with the `yaml` Document API so that comments sit on the nodes they describe.
 */
import * as YAML from "yaml";
import type { ImportedJob, SecretToCreate } from "./build";
import type { CrontabNote, SkippedLine } from "./crontab";

export interface RenderInput {
  source: string;
  format: string;
  formatReason: string;
  jobs: ImportedJob[];
  /** Crontab lines of the jobs, already redacted, by line number. */
  shownLines: Map<number, string>;
  skipped: SkippedLine[];
  notes: CrontabNote[];
  warnings: string[];
}

const WIDTH = 116;

/** The AWS CLI command that creates a secret's SSM parameter; the value is left for the user to fill in. */
export function putParameterCommand(secret: SecretToCreate): string {
  return `aws ssm put-parameter --type SecureString --name ${secret.parameter} --value '<${secret.variable} as on the host>'`;
}

/** Wraps a message into comment lines of at most WIDTH characters; continuation lines are indented. */
export function wrap(text: string, first: string, rest: string): string[] {
  const words = text.split(" ");
  const lines: string[] = [];
  let current = first;
  let empty = true;
  for (const word of words) {
    if (!empty && current.length + 1 + word.length > WIDTH) {
      lines.push(current);
      current = rest + word;
    } else {
      current += (empty ? "" : " ") + word;
    }
    empty = false;
  }
  lines.push(current);
  return lines;
}

/** YAML comment text: each line gets a leading space after the "#". */
function comment(lines: string[]): string {
  return lines.map((l) => (l === "" ? "" : ` ${l}`)).join("\n");
}

export function renderInventory(input: RenderInput): string {
  const doc = new YAML.Document({ version: 1, jobs: input.jobs.map((j) => j.job) });

  const todoCount = input.jobs.reduce((n, j) => n + j.todos.length + j.secrets.length, 0);
  const header = [
    `Job inventory imported from ${input.source} by \`npm run migrate -- import\` (docs/import.md).`,
    ...wrap(`Crontab format: ${input.format} (${input.formatReason}).`, "", "  "),
    "",
    ...wrap(
      `Review the ${todoCount} TODO comment${todoCount === 1 ? "" : "s"} below before the first deployment: placeholder image tags (TODO-pin-version) and users (1000:1000), ` +
        "secrets to create, and what the host did that Batch does not.",
      "",
      "",
    ),
    "For every job:",
    ...wrap("- The root file system is read-only on Batch; /tmp is writable (scratchPaths). A job that writes elsewhere needs scratchPaths, or readonlyRootFilesystem: false.", "", "  "),
    ...wrap("- Output goes to the job's CloudWatch Logs group; failures raise the stack's alerts (no cron mail).", "", "  "),
    ...wrap("- Images come from the ECR repositories the stack creates: push each image there before the first run.", "", "  "),
  ];
  const settings = [...input.notes.map((n) => `line ${n.line}: ${n.message}`), ...input.warnings];
  if (settings.length > 0) {
    header.push("Crontab settings:");
    for (const s of settings) header.push(...wrap(`- ${s}`, "", "  "));
  }
  doc.commentBefore = comment(header);

  const jobs = doc.get("jobs") as YAML.YAMLSeq;
  jobs.items.forEach((node, k) => {
    const imported = input.jobs[k];
    const lines = [
      ...wrap(`crontab line ${imported.line}: ${input.shownLines.get(imported.line) ?? ""}`, "", "    "),
      `name from ${imported.nameSource}`,
      ...imported.todos.flatMap((t) => wrap(`TODO: ${t}`, "", "  ")),
      ...imported.secrets.flatMap((s) =>
        wrap(`TODO: create the secret ${s.variable} (from ${s.origin}): ${putParameterCommand(s)}`, "", "  "),
      ),
      ...imported.notes.flatMap((n) => wrap(`note: ${n}`, "", "  ")),
    ];
    const item = node as YAML.YAMLMap;
    item.commentBefore = comment(lines);
    if (k > 0) item.spaceBefore = true;
  });

  if (input.skipped.length > 0) {
    const lines = [`Crontab lines not imported (${input.skipped.length}):`];
    for (const s of input.skipped) {
      lines.push(...wrap(`- line ${s.line}: ${s.text.trim()}`, "", "    "));
      lines.push(...wrap(`  reason: ${s.reason}`, "", "    "));
    }
    doc.comment = comment(lines);
  }
  const text = doc.toString({ lineWidth: 0 });
  return text.endsWith("\n") ? text : `${text}\n`;
}
