/**
 * `npm run migrate -- compare <a> <b> [options]`: compares the outputs of the on-premise and the AWS runs of a
 * job, file by file. Each side is a local file or directory, or an `s3://bucket/prefix`. The logic lives in
 * `lib/compare`; this module parses the arguments and prints the report.
 *
 * Exit codes: 0 when everything matches, 1 when a file differs or is missing on one side, 2 on a usage error or
 * when a location cannot be read.
 */
import { parseArgs } from "node:util";
import {
  CONTENT_FORMATS,
  CompareError,
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_DIFFS,
  compareLocations,
  describeFailure,
  formatJson,
  formatTable,
  type CompareOptions,
  type ContentFormat,
} from "../../lib/compare";

export const USAGE = `usage: npm run migrate -- compare <a> <b> [options]

Compares two locations file by file. Each of <a> and <b> is a local file, a local
directory or s3://bucket/prefix. Directories and prefixes are compared by relative path.

options:
  --ignore-order        compare CSV rows and JSON arrays as multisets (order ignored)
  --max-diffs <n>       differences listed per file (default ${DEFAULT_MAX_DIFFS})
  --json                print a machine-readable JSON report
  --format <f>          content comparison: ${CONTENT_FORMATS.join(", ")} (default auto: by extension)
  --no-header           the first CSV row is data, not a header
  --delimiter <c>       CSV field delimiter (default "," or a tab for .tsv; "tab" or "\\t" for a tab)
  --concurrency <n>     files compared at the same time (default ${DEFAULT_CONCURRENCY})
  --endpoint-url <url>  S3 endpoint (default: AWS_ENDPOINT_URL_S3, then AWS)
  --region <region>     S3 region (default: AWS_REGION, AWS_DEFAULT_REGION, then the AWS config)
  --path-style          path-style S3 addressing, for S3-compatible servers
  -h, --help            show this help

exit codes: 0 everything matches, 1 a file differs or is missing, 2 usage or read error`;

class UsageError extends Error {}

function integer(name: string, value: string | undefined, min: number, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`--${name} must be an integer of at least ${min} (found "${value}")`);
  }
  return n;
}

/** Turns the command line into the two locations, the comparison options and the output format. */
export function parseCommandLine(argv: string[]): { a: string; b: string; json: boolean; options: CompareOptions } | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        "ignore-order": { type: "boolean" },
        "max-diffs": { type: "string" },
        json: { type: "boolean" },
        format: { type: "string" },
        "no-header": { type: "boolean" },
        delimiter: { type: "string" },
        concurrency: { type: "string" },
        "endpoint-url": { type: "string" },
        region: { type: "string" },
        "path-style": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    return "help";
  }
  if (positionals.length !== 2) {
    throw new UsageError(
      positionals.length < 2
        ? "two locations are required (<a> and <b>)"
        : `expected two locations, found ${positionals.length}: ${positionals.join(" ")}`,
    );
  }
  const format = values.format ?? "auto";
  if (!(CONTENT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${CONTENT_FORMATS.join(", ")} (found "${format}")`);
  }
  let delimiter = values.delimiter;
  if (delimiter === "tab" || delimiter === "\\t") {
    delimiter = "\t";
  }
  if (delimiter === "") {
    throw new UsageError("--delimiter must not be empty");
  }
  const endpoint = values["endpoint-url"];
  if (endpoint !== undefined) {
    // `localhost:9000` parses as a URL of the scheme "localhost:", so the scheme is checked too.
    if (!URL.canParse(endpoint) || !["http:", "https:"].includes(new URL(endpoint).protocol)) {
      throw new UsageError(`--endpoint-url must be a URL such as http://127.0.0.1:9000 (found "${endpoint}")`);
    }
  }
  return {
    a: positionals[0],
    b: positionals[1],
    json: values.json === true,
    options: {
      ignoreOrder: values["ignore-order"] === true,
      maxDiffs: integer("max-diffs", values["max-diffs"], 0, DEFAULT_MAX_DIFFS),
      format: format as ContentFormat,
      header: values["no-header"] !== true,
      delimiter,
      concurrency: integer("concurrency", values.concurrency, 1, DEFAULT_CONCURRENCY),
      s3: { endpoint, region: values.region, forcePathStyle: values["path-style"] === true },
    },
  };
}

export async function run(argv: string[]): Promise<number> {
  let command;
  try {
    command = parseCommandLine(argv);
  } catch (err) {
    process.stderr.write(`compare: ${describeFailure(err)}\n\n${USAGE}\n`);
    return 2;
  }
  if (command === "help") {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  try {
    const report = await compareLocations(command.a, command.b, command.options);
    process.stdout.write(command.json ? formatJson(report) : formatTable(report));
    return report.summary.match ? 0 : 1;
  } catch (err) {
    // Read and S3 errors name the side and the path; anything else is still reported without a stack trace.
    const message = err instanceof CompareError ? err.message : describeFailure(err);
    process.stderr.write(`compare: ${message}\n`);
    return 2;
  }
}
