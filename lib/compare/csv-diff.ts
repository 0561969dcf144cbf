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
import { createHash } from "node:crypto";
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

/** Pulls parsed records from one stream, one at a time. */
class RowReader {
  count = 0;
  private done = false;
  private readonly iterator: AsyncIterator<string[]>;

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
    // Errors of the source reach the parser through the pipeline and surface from the iterator below.
    pipeline(source, parser, () => undefined);
    this.iterator = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  }

  /** The next record, or undefined at the end. */
  async next(): Promise<string[] | undefined> {
    if (this.done) {
      return undefined;
    }
    let result;
    try {
      result = await this.iterator.next();
    } catch (err) {
      this.done = true;
      if (err instanceof CompareError) {
        throw err;
      }
      throw new CsvSyntaxError(this.side, describeFailure(err));
    }
    if (result.done === true) {
      this.done = true;
      return undefined;
    }
    this.count++;
    return result.value;
  }

  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.iterator.return?.();
    }
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

function rowKey(row: CsvRow): string {
  // 128 bits of SHA-256 over an unambiguous encoding of the fields.
  return createHash("sha256").update(JSON.stringify(row)).digest().toString("latin1", 0, 16);
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

async function firstPass(openA: Opener, openB: Opener, settings: Settings, result: CsvComparison): Promise<void> {
  const readers = [
    new RowReader("a", openA(), settings.delimiter),
    new RowReader("b", openB(), settings.delimiter),
  ] as const;
  const [ra, rb] = readers;
  const both = async (): Promise<[string[] | undefined, string[] | undefined]> =>
    Promise.all([ra.next(), rb.next()]);
  let counts: Map<string, number> | undefined;
  let projection: Projection | undefined;
  try {
    if (settings.header) {
      const [ha, hb] = await both();
      const compared = compareHeaders(ha ?? [], hb ?? []);
      result.header = compared.header;
      projection = compared.projection;
    }
    const projectA = (row: string[]): CsvRow => (projection ? project(row, projection.indexA, projection.widthA) : row);
    const projectB = (row: string[]): CsvRow => (projection ? project(row, projection.indexB, projection.widthB) : row);
    const dataRows = (reader: RowReader): number => reader.count - (settings.header && reader.count > 0 ? 1 : 0);

    if (settings.ignoreOrder) {
      const map = new Map<string, number>();
      counts = map;
      const bump = (key: string, delta: number): void => {
        const c = (map.get(key) ?? 0) + delta;
        if (c === 0) {
          map.delete(key);
        } else {
          map.set(key, c);
        }
      };
      for (;;) {
        const [x, y] = await both();
        if (x === undefined && y === undefined) {
          break;
        }
        if (x !== undefined) {
          bump(rowKey(projectA(x)), 1);
        }
        if (y !== undefined) {
          bump(rowKey(projectB(y)), -1);
        }
      }
    } else {
      let row = 0;
      for (;;) {
        const [x, y] = await both();
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
              const columns = differingColumns(px, py, projection?.columns);
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
    result.rows = { a: dataRows(ra), b: dataRows(rb) };
  } finally {
    await Promise.all(readers.map((r) => r.close()));
  }

  if (counts !== undefined && counts.size > 0) {
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
    const fromA = await unmatchedRows("a", openA, counts, Math.min(surplusA, settings.maxDiffs), settings, projection);
    const fromB = await unmatchedRows("b", openB, counts, Math.min(surplusB, settings.maxDiffs), settings, projection);
    // Share the listed differences between the sides when both have more than half of them.
    const takeA = Math.min(fromA.length, Math.max(settings.maxDiffs - fromB.length, Math.ceil(settings.maxDiffs / 2)));
    const takeB = Math.min(fromB.length, settings.maxDiffs - takeA);
    result.differences = [...fromA.slice(0, takeA), ...fromB.slice(0, takeB)];
  }
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
  const reader = new RowReader(side, open(), settings.delimiter);
  try {
    if (settings.header) {
      await reader.next();
    }
    let row = 0;
    for (let values = await reader.next(); values !== undefined; values = await reader.next()) {
      row++;
      const projected = projection
        ? project(values, side === "a" ? projection.indexA : projection.indexB, side === "a" ? projection.widthA : projection.widthB)
        : values;
      const key = rowKey(projected);
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
    await reader.close();
  }
  return found;
}
