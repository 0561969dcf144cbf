/**
 * Compares two locations (local files, local directories, S3 objects or S3 prefixes) file by file and builds a
 * report: per file its status, sizes, SHA-256 checksums and, for CSV and JSON files whose bytes differ, a
 * structural comparison. A file whose bytes differ but whose content is structurally equal (for example CSV rows
 * in another order with `ignoreOrder`, or JSON with its keys in another order) counts as identical.
 */
import { compareBytes, digest, type Digest } from "./checksum";
import { compareCsv, type CsvComparison } from "./csv-diff";
import { CompareError } from "./errors";
import { compareJson, type JsonComparison } from "./json-diff";
import { compareKeys, openSources, type Entry, type Listing, type S3Settings, type Source } from "./sources";

/** How a file's content is compared when its bytes differ. `auto` chooses by file extension. */
export type ContentFormat = "auto" | "bytes" | "csv" | "tsv" | "json" | "jsonl";
export const CONTENT_FORMATS: readonly ContentFormat[] = ["auto", "bytes", "csv", "tsv", "json", "jsonl"];

export interface CompareOptions {
  /** Compare CSV rows, and JSON array elements, as multisets. Default false. */
  ignoreOrder?: boolean;
  /** How many differences to list per file. Default 10. */
  maxDiffs?: number;
  /** Default `auto`: `.csv`, `.tsv`, `.json`, `.jsonl` and `.ndjson` files get a structural comparison. */
  format?: ContentFormat;
  /** Whether the first row of a CSV file is a header. Default true. */
  header?: boolean;
  /** CSV field delimiter; default `,` (a tab for `.tsv` files). */
  delimiter?: string;
  /** Largest JSON file parsed for the structural comparison. Default 64 MiB. */
  maxJsonBytes?: number;
  /** How many files are compared at the same time. Default 4. */
  concurrency?: number;
  /** How S3 locations are reached. */
  s3?: S3Settings;
}

export const DEFAULT_MAX_DIFFS = 10;
export const DEFAULT_MAX_JSON_BYTES = 64 * 1024 * 1024;
export const DEFAULT_CONCURRENCY = 4;

export type FileStatus = "identical" | "different" | "only-in-a" | "only-in-b";

export interface FileSide {
  /** Full local path or `s3://` URL. */
  path: string;
  size: number;
  sha256: string;
}

export interface FileResult {
  /** Path relative to the compared directory or prefix. */
  key: string;
  status: FileStatus;
  a?: FileSide;
  b?: FileSide;
  /** Whether both files hold exactly the same bytes (absent for a file on one side only). */
  sameBytes?: boolean;
  /** Zero-based offset of the first differing byte. */
  firstDifferentByte?: number;
  /** The structural comparison, made only when the bytes differ and the format is CSV or JSON. */
  content?: CsvComparison | JsonComparison;
}

export interface CompareSummary {
  files: number;
  identical: number;
  different: number;
  onlyInA: number;
  onlyInB: number;
  /** True when every file is identical (and there is at least one file or both sides are empty). */
  match: boolean;
}

export interface CompareReport {
  a: string;
  b: string;
  options: { ignoreOrder: boolean; maxDiffs: number; format: ContentFormat };
  summary: CompareSummary;
  files: FileResult[];
}

interface Settings {
  ignoreOrder: boolean;
  maxDiffs: number;
  format: ContentFormat;
  header: boolean;
  delimiter?: string;
  maxJsonBytes: number;
}

/** The structural format of a file: the one asked for, or the one its extension names. */
export function formatOf(key: string, requested: ContentFormat): Exclude<ContentFormat, "auto"> {
  if (requested !== "auto") {
    return requested;
  }
  const name = key.toLowerCase();
  if (name.endsWith(".csv")) {
    return "csv";
  }
  if (name.endsWith(".tsv")) {
    return "tsv";
  }
  if (name.endsWith(".json")) {
    return "json";
  }
  if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
    return "jsonl";
  }
  return "bytes";
}

/** Compares location `a` with location `b`. Throws a `CompareError` when a location cannot be read. */
export async function compareLocations(a: string, b: string, options: CompareOptions = {}): Promise<CompareReport> {
  const maxDiffs = options.maxDiffs ?? DEFAULT_MAX_DIFFS;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(maxDiffs) || maxDiffs < 0) {
    throw new CompareError(`maxDiffs must be a non-negative integer (found ${maxDiffs})`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new CompareError(`concurrency must be a positive integer (found ${concurrency})`);
  }
  const settings: Settings = {
    ignoreOrder: options.ignoreOrder ?? false,
    maxDiffs,
    format: options.format ?? "auto",
    header: options.header ?? true,
    delimiter: options.delimiter,
    maxJsonBytes: options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES,
  };
  const sources = await openSources(a, b, options.s3);
  try {
    const [listingA, listingB] = await Promise.all([sources.a.list(), sources.b.list()]);
    const pairs = pairEntries(listingA, listingB);
    const files = await mapLimit(pairs, concurrency, (pair) => compareEntry(pair, sources.a, sources.b, settings));
    return {
      a,
      b,
      options: { ignoreOrder: settings.ignoreOrder, maxDiffs, format: settings.format },
      summary: summarise(files),
      files,
    };
  } finally {
    sources.close();
  }
}

interface Pair {
  key: string;
  a?: Entry;
  b?: Entry;
}

/**
 * Lines up the files of both sides. Two single files are compared with each other whatever their names; a single
 * file and a directory (or prefix) compare the file with the directory's file of the same name; two directories
 * are compared by relative key.
 */
export function pairEntries(a: Listing, b: Listing): Pair[] {
  if (a.single && b.single) {
    return [{ key: a.entries[0].key, a: a.entries[0], b: b.entries[0] }];
  }
  if (a.single || b.single) {
    const single = a.single ? a.entries[0] : b.entries[0];
    const match = (a.single ? b : a).entries.find((e) => e.key === single.key);
    return [a.single ? { key: single.key, a: single, b: match } : { key: single.key, a: match, b: single }];
  }
  const byKey = new Map<string, Pair>();
  for (const entry of a.entries) {
    byKey.set(entry.key, { key: entry.key, a: entry });
  }
  for (const entry of b.entries) {
    const pair = byKey.get(entry.key);
    if (pair) {
      pair.b = entry;
    } else {
      byKey.set(entry.key, { key: entry.key, b: entry });
    }
  }
  return [...byKey.values()].sort((x, y) => compareKeys(x.key, y.key));
}

function side(entry: Entry, d: Digest): FileSide {
  return { path: entry.display, size: d.size, sha256: d.sha256 };
}

async function compareEntry(pair: Pair, sourceA: Source, sourceB: Source, settings: Settings): Promise<FileResult> {
  const { key, a, b } = pair;
  if (a === undefined) {
    // Every pair holds at least one file.
    const only = b as Entry;
    return { key, status: "only-in-b", b: side(only, await digest(sourceB.open(only))) };
  }
  if (b === undefined) {
    return { key, status: "only-in-a", a: side(a, await digest(sourceA.open(a))) };
  }
  const bytes = await compareBytes(sourceA.open(a), sourceB.open(b));
  const result: FileResult = {
    key,
    status: bytes.equal ? "identical" : "different",
    a: side(a, bytes.a),
    b: side(b, bytes.b),
    sameBytes: bytes.equal,
  };
  if (bytes.equal) {
    return result;
  }
  result.firstDifferentByte = bytes.firstDifference;
  let format = formatOf(a.key, settings.format);
  if (format === "bytes" && settings.format === "auto") {
    format = formatOf(b.key, "auto");
  }
  const openA = (): AsyncIterable<Buffer> => sourceA.open(a);
  const openB = (): AsyncIterable<Buffer> => sourceB.open(b);
  const common = { ignoreOrder: settings.ignoreOrder, maxDiffs: settings.maxDiffs };
  switch (format) {
    case "csv":
    case "tsv":
      result.content = await compareCsv(openA, openB, {
        ...common,
        header: settings.header,
        delimiter: settings.delimiter ?? (format === "tsv" ? "\t" : ","),
      });
      break;
    case "json":
    case "jsonl":
      result.content = await compareJson(openA, openB, {
        ...common,
        maxBytes: settings.maxJsonBytes,
        lines: format === "jsonl",
      });
      break;
    case "bytes":
      break;
  }
  if (result.content?.equal === true) {
    result.status = "identical";
  }
  return result;
}

export function summarise(files: FileResult[]): CompareSummary {
  const count = (status: FileStatus): number => files.filter((f) => f.status === status).length;
  const identical = count("identical");
  return {
    files: files.length,
    identical,
    different: count("different"),
    onlyInA: count("only-in-a"),
    onlyInB: count("only-in-b"),
    match: identical === files.length,
  };
}

/** Maps `items` through `fn` with at most `limit` calls in flight; results keep the order of `items`. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failed) {
      const index = next++;
      try {
        results[index] = await fn(items[index]);
      } catch (err) {
        // Stop starting new work; calls already in flight finish on their own.
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
