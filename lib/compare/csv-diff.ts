/**
 * Structural comparison of two CSV streams: header columns, row counts and the first differing rows.
 *
 * Rows are streamed from both files side by side. In order-sensitive mode row N of a is compared with row N of
 * b. With `ignoreOrder` the rows are compared as multisets: a map from a 128-bit row hash to a count (+1 for a
 * row of a, -1 for a row of b) is kept, never the rows themselves, and entries that cancel out are dropped, so
 * files in a similar order keep the map small. When rows are left unmatched, a second pass over each file finds
 * the first of them to show.
 *
 * When both files have a header, rows are compared column by column by name, so that a reordered column still
 * matches; columns present on one side only are reported in the header comparison and left out of the row
 * comparison.
 */
import { createHash, hash } from "node:crypto";
import { pipeline } from "node:stream";
import { parse } from "csv-parse";
import { CompareError, describeFailure, type Side } from "./errors";

export interface CsvOptions {
  /** Field delimiter. Default `,`. */
  delimiter?: string;
  /** Whether the first row is a header. Default true. */
  header?: boolean;
  /** Compare rows as multisets. Default false. */
  ignoreOrder?: boolean;
  /** How many differing rows to list. Default 10. */
  maxDiffs?: number;
}

/** A field that a row lacks (a short row) is `null`, so that it differs from an empty field. */
export type CsvRow = (string | null)[];

export interface CsvHeaderComparison {
  equal: boolean;
  a: string[];
  b: string[];
  /** Columns present only in a, or more times in a than in b. */
  onlyInA: string[];
  onlyInB: string[];
  /** True when the common columns appear in a different order. */
  orderDiffers: boolean;
}

export interface CsvRowDifference {
  /** `changed`: the rows at the same position differ; `only-in-*`: a row without a counterpart on the other side. */
  kind: "changed" | "only-in-a" | "only-in-b";
  /** Data row number in a, from 1 (the header is not counted). */
  rowA?: number;
  rowB?: number;
  a?: string[];
  b?: string[];
  /** For `changed` rows, the columns whose values differ. */
  columns?: string[];
}

export interface CsvComparison {
  format: "csv";
  equal: boolean;
  ignoreOrder: boolean;
  /** Absent when the files have no header row. */
  header?: CsvHeaderComparison;
  /** Data rows in each file (the header excluded). */
  rows: { a: number; b: number };
  /**
   * Order-sensitive: positions whose rows differ, extra rows included. `ignoreOrder`: rows of either file
   * without an equal row in the other.
   */
  differingRows: number;
  /** The first `maxDiffs` differences. */
  differences: CsvRowDifference[];
  /** A parse error that stopped the comparison, prefixed by its side. */
  error?: string;
}

/** Opens a fresh stream of a file's bytes; called again for the second pass of `ignoreOrder`. */
export type Opener = () => AsyncIterable<Buffer>;

/** A CSV syntax error in one side, as opposed to a read error, which is a `CompareError`. */
class CsvSyntaxError extends Error {
  constructor(
    readonly side: Side,
    message: string,
  ) {
    super(`${side}: ${message}`);
  }
}

/** Returned by `RowReader.take` when no record is buffered yet. */
const WAIT = Symbol("wait");

/** Parsed records kept ahead of the comparison before the parser is paused. */
const READ_AHEAD = 1024;

/**
 * Parsed records of one stream. Records are buffered a little ahead (at most about `READ_AHEAD`) so that most
 * are taken synchronously; the parser is paused while the buffer is full.
 */
class RowReader {
  /** Records taken so far, the header included. */
  count = 0;
  private queue: string[][] = [];
  private head = 0;
  private ended = false;
  private failure: unknown;
  private wake: (() => void) | undefined;
  private readonly parser;

  constructor(
    private readonly side: Side,
    source: AsyncIterable<Buffer>,
    delimiter: string,
  ) {
    const parser = parse({
      delimiter,
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
    });
    this.parser = parser;
    parser.on("data", (record: string[]) => {
      this.queue.push(record);
      if (this.queue.length - this.head >= READ_AHEAD) {
        parser.pause();
      }
      this.notify();
    });
    parser.on("end", () => {
      this.ended = true;
      this.notify();
    });
    // A read error of the source reaches the parser through the pipeline and is reported like a parse error.
    parser.on("error", (err) => {
      this.failure ??= err;
      this.notify();
    });
    pipeline(source, parser, () => undefined);
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** The next buffered record, `undefined` at the end, or `WAIT` when the parser has to run first. */
  take(): string[] | undefined | typeof WAIT {
    if (this.head < this.queue.length) {
      const record = this.queue[this.head++];
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
      }
      this.count++;
      return record;
    }
    if (this.failure !== undefined) {
      const err = this.failure;
      if (err instanceof CompareError) {
        throw err;
      }
      throw new CsvSyntaxError(this.side, describeFailure(err));
    }
    if (this.ended) {
      return undefined;
    }
    if (this.parser.isPaused()) {
      this.parser.resume();
    }
    return WAIT;
  }

  /** The next record, or undefined at the end. */
  async next(): Promise<string[] | undefined> {
    for (;;) {
      const record = this.take();
      if (record !== WAIT) {
        return record;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  close(): void {
    if (!this.ended) {
      this.ended = true;
      this.parser.destroy();
    }
    this.queue = [];
    this.head = 0;
  }
}

/** How the rows of a and b are lined up: common columns in a's order, then any fields beyond the header. */
interface Projection {
  columns: string[];
  indexA: number[];
  indexB: number[];
  widthA: number;
  widthB: number;
}

/** Column names made unique by occurrence, so that duplicated names are matched first to first. */
function occurrenceKeys(header: string[]): string[] {
  const seen = new Map<string, number>();
  return header.map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return `${name}\u0000${n}`;
  });
}

export function compareHeaders(a: string[], b: string[]): { header: CsvHeaderComparison; projection: Projection } {
  const keysA = occurrenceKeys(a);
  const keysB = occurrenceKeys(b);
  const positionB = new Map(keysB.map((k, i) => [k, i]));
  const positionA = new Map(keysA.map((k, i) => [k, i]));
  const indexA: number[] = [];
  const indexB: number[] = [];
  keysA.forEach((k, i) => {
    const j = positionB.get(k);
    if (j !== undefined) {
      indexA.push(i);
      indexB.push(j);
    }
  });
  const onlyInA = a.filter((_, i) => !positionB.has(keysA[i]));
  const onlyInB = b.filter((_, i) => !positionA.has(keysB[i]));
  const orderDiffers = indexB.some((j, n) => n > 0 && j < indexB[n - 1]);
  const equal = a.length === b.length && a.every((name, i) => name === b[i]);
  return {
    header: { equal, a, b, onlyInA, onlyInB, orderDiffers },
    projection: { columns: indexA.map((i) => a[i]), indexA, indexB, widthA: a.length, widthB: b.length },
  };
}

function project(row: string[], index: number[], width: number): CsvRow {
  const out: CsvRow = index.map((i) => (i < row.length ? row[i] : null));
  for (let i = width; i < row.length; i++) {
    out.push(row[i]);
  }
  return out;
}

/** 128 bits of SHA-256 over an unambiguous encoding of the fields, as a 16-character string. */
function rowKey(row: CsvRow): string {
  const text = JSON.stringify(row);
  // The one-shot `crypto.hash` (Node 20.12+) is several times faster than a Hash object per row.
  const digest = typeof hash === "function" ? hash("sha256", text, "binary") : createHash("sha256").update(text).digest("binary");
  return digest.slice(0, 16);
}

function differingColumns(x: CsvRow, y: CsvRow, columns: string[] | undefined): string[] {
  const names: string[] = [];
  const n = Math.max(x.length, y.length);
  for (let i = 0; i < n; i++) {
    if ((x[i] ?? null) !== (y[i] ?? null)) {
      names.push(columns !== undefined && i < columns.length ? columns[i] : `column ${i + 1}`);
    }
  }
  return names;
}

function sameRow(x: CsvRow, y: CsvRow): boolean {
  if (x.length !== y.length) {
    return false;
  }
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) {
      return false;
    }
  }
  return true;
}

interface Settings {
  delimiter: string;
  header: boolean;
  ignoreOrder: boolean;
  maxDiffs: number;
}

/** Compares two CSV files. Read errors propagate as `CompareError`s; CSV syntax errors are reported in the result. */
export async function compareCsv(openA: Opener, openB: Opener, options: CsvOptions = {}): Promise<CsvComparison> {
  const settings: Settings = {
    delimiter: options.delimiter ?? ",",
    header: options.header ?? true,
    ignoreOrder: options.ignoreOrder ?? false,
    maxDiffs: options.maxDiffs ?? 10,
  };
  const result: CsvComparison = {
    format: "csv",
    equal: false,
    ignoreOrder: settings.ignoreOrder,
    rows: { a: 0, b: 0 },
    differingRows: 0,
    differences: [],
  };
  try {
    await firstPass(openA, openB, settings, result);
  } catch (err) {
    if (err instanceof CsvSyntaxError) {
      result.error = err.message;
      return result;
    }
    throw err;
  }
  result.equal = (result.header?.equal ?? true) && result.differingRows === 0;
  return result;
}

/** Reads one record from each side, synchronously when both are buffered. */
async function nextPair(ra: RowReader, rb: RowReader): Promise<[string[] | undefined, string[] | undefined]> {
  let x = ra.take();
  if (x === WAIT) {
    x = await ra.next();
  }
  let y = rb.take();
  if (y === WAIT) {
    y = await rb.next();
  }
  return [x, y];
}

/** Unmatched rows whose content is kept during an `ignoreOrder` pass, so that a second pass is rarely needed. */
const SAMPLE_ROWS = 1000;

interface Sample {
  side: Side;
  row: number;
  values: string[];
}

async function firstPass(openA: Opener, openB: Opener, settings: Settings, result: CsvComparison): Promise<void> {
  const ra = new RowReader("a", openA(), settings.delimiter);
  const rb = new RowReader("b", openB(), settings.delimiter);
  let projection: Projection | undefined;
  let counts: Map<string, number> | undefined;
  const samples = new Map<string, Sample>();
  try {
    if (settings.header) {
      const [ha, hb] = await nextPair(ra, rb);
      const compared = compareHeaders(ha ?? [], hb ?? []);
      result.header = compared.header;
      projection = compared.projection;
    }
    const view = projection;
    const projectA = (row: string[]): CsvRow => (view ? project(row, view.indexA, view.widthA) : row);
    const projectB = (row: string[]): CsvRow => (view ? project(row, view.indexB, view.widthB) : row);

    let row = 0;
    if (settings.ignoreOrder) {
      const map = new Map<string, number>();
      counts = map;
      // +1 for a row of a, -1 for a row of b; an entry is dropped when it cancels out. While an entry is live,
      // the row that created it may be kept as a sample (at most SAMPLE_ROWS of them).
      const bump = (values: string[], projected: CsvRow, side: Side): void => {
        const key = rowKey(projected);
        const before = map.get(key) ?? 0;
        const after = before + (side === "a" ? 1 : -1);
        if (after === 0) {
          map.delete(key);
          samples.delete(key);
        } else {
          map.set(key, after);
          if (before === 0 && samples.size < SAMPLE_ROWS) {
            samples.set(key, { side, row, values });
          }
        }
      };
      for (;;) {
        const [x, y] = await nextPair(ra, rb);
        if (x === undefined && y === undefined) {
          break;
        }
        row++;
        if (x !== undefined) {
          bump(x, projectA(x), "a");
        }
        if (y !== undefined) {
          bump(y, projectB(y), "b");
        }
      }
    } else {
      for (;;) {
        const [x, y] = await nextPair(ra, rb);
        if (x === undefined && y === undefined) {
          break;
        }
        row++;
        if (x !== undefined && y !== undefined) {
          const px = projectA(x);
          const py = projectB(y);
          if (!sameRow(px, py)) {
            result.differingRows++;
            if (result.differences.length < settings.maxDiffs) {
              const columns = differingColumns(px, py, view?.columns);
              result.differences.push({ kind: "changed", rowA: row, rowB: row, a: x, b: y, columns });
            }
          }
        } else {
          result.differingRows++;
          if (result.differences.length < settings.maxDiffs) {
            result.differences.push(
              x !== undefined ? { kind: "only-in-a", rowA: row, a: x } : { kind: "only-in-b", rowB: row, b: y },
            );
          }
        }
      }
    }
    const dataRows = (reader: RowReader): number => reader.count - (settings.header && reader.count > 0 ? 1 : 0);
    result.rows = { a: dataRows(ra), b: dataRows(rb) };
  } finally {
    ra.close();
    rb.close();
  }

  if (counts === undefined || counts.size === 0) {
    return;
  }
  let surplusA = 0;
  let surplusB = 0;
  for (const c of counts.values()) {
    if (c > 0) {
      surplusA += c;
    } else {
      surplusB -= c;
    }
  }
  result.differingRows = surplusA + surplusB;
  let fromA: CsvRowDifference[];
  let fromB: CsvRowDifference[];
  const sampled = [...counts].every(([key, c]) => Math.abs(c) === 1 && samples.has(key));
  if (sampled) {
    // Every unmatched row was kept during the pass: no need to read the files again.
    const kept = [...samples.values()].sort((x, y) => x.row - y.row);
    const listed = (side: Side): CsvRowDifference[] =>
      kept
        .filter((sample) => sample.side === side)
        .slice(0, settings.maxDiffs)
        .map((sample) =>
          side === "a"
            ? { kind: "only-in-a", rowA: sample.row, a: sample.values }
            : { kind: "only-in-b", rowB: sample.row, b: sample.values },
        );
    fromA = listed("a");
    fromB = listed("b");
  } else {
    samples.clear();
    fromA = await unmatchedRows("a", openA, counts, Math.min(surplusA, settings.maxDiffs), settings, projection);
    fromB = await unmatchedRows("b", openB, counts, Math.min(surplusB, settings.maxDiffs), settings, projection);
  }
  // Share the listed differences between the sides when both have more than half of them.
  const takeA = Math.min(fromA.length, Math.max(settings.maxDiffs - fromB.length, Math.ceil(settings.maxDiffs / 2)));
  const takeB = Math.min(fromB.length, settings.maxDiffs - takeA);
  result.differences = [...fromA.slice(0, takeA), ...fromB.slice(0, takeB)];
}

/**
 * Second pass of `ignoreOrder`: the first `limit` rows of one side whose hash has a surplus on that side.
 * `counts` is consumed for that side (positive counts belong to a, negative to b).
 */
async function unmatchedRows(
  side: Side,
  open: Opener,
  counts: Map<string, number>,
  limit: number,
  settings: Settings,
  projection: Projection | undefined,
): Promise<CsvRowDifference[]> {
  const found: CsvRowDifference[] = [];
  if (limit === 0) {
    return found;
  }
  const sign = side === "a" ? 1 : -1;
  const index = projection ? (side === "a" ? projection.indexA : projection.indexB) : undefined;
  const width = projection ? (side === "a" ? projection.widthA : projection.widthB) : 0;
  const reader = new RowReader(side, open(), settings.delimiter);
  try {
    if (settings.header) {
      await reader.next();
    }
    let row = 0;
    for (;;) {
      let values = reader.take();
      if (values === WAIT) {
        values = await reader.next();
      }
      if (values === undefined) {
        break;
      }
      row++;
      const key = rowKey(index ? project(values, index, width) : values);
      const c = (counts.get(key) ?? 0) * sign;
      if (c > 0) {
        counts.set(key, (c - 1) * sign);
        found.push(side === "a" ? { kind: "only-in-a", rowA: row, a: values } : { kind: "only-in-b", rowB: row, b: values });
        if (found.length >= limit) {
          break;
        }
      }
    }
  } finally {
    reader.close();
  }
  return found;
}
