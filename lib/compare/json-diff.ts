/**
 * Structural comparison of two JSON documents: the paths of the first differences, in a JSONPath-like notation
 * (`$.orders[3].total`). Object key order and formatting never matter. Arrays are compared index by index, or,
 * with `ignoreOrder`, as multisets of their elements (at every depth), which suits arrays of records.
 *
 * JSON documents are parsed whole, so files larger than `maxBytes` are not compared structurally. JSON Lines
 * files are read as an array with one element per non-empty line.
 */
import { CompareError, describeFailure } from "./errors";

export interface JsonOptions {
  /** Compare arrays as multisets. Default false. */
  ignoreOrder?: boolean;
  /** How many differences to list. Default 10. */
  maxDiffs?: number;
}

export interface JsonDifference {
  /** `changed`: different values (or types) at the path; `only-in-*`: a key or array element on one side only. */
  kind: "changed" | "only-in-a" | "only-in-b";
  /** Path in a (or in b for `only-in-b`). */
  path: string;
  /** Path in b, when it differs from `path` (an element matched at another index under `ignoreOrder`). */
  pathB?: string;
  /** Compact JSON of the value in a, shortened to about 80 characters. */
  a?: string;
  b?: string;
}

export interface JsonComparison {
  format: "json";
  equal: boolean;
  ignoreOrder: boolean;
  /** All differences found (each missing key or unmatched element counts once). */
  totalDifferences: number;
  /** The first `maxDiffs` differences. */
  differences: JsonDifference[];
  /** A parse error that stopped the comparison, prefixed by its side. */
  error?: string;
  /** Why no structural comparison was made (a file too large to parse). */
  skipped?: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const PREVIEW_LENGTH = 80;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function childPath(path: string, key: string | number): string {
  if (typeof key === "number") {
    return `${path}[${key}]`;
  }
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function preview(value: Json): string {
  const text = JSON.stringify(value);
  return text.length > PREVIEW_LENGTH ? text.slice(0, PREVIEW_LENGTH - 1) + "…" : text;
}

function typeOf(value: Json): "null" | "array" | "object" | "string" | "number" | "boolean" {
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "array";
  }
  return typeof value as "object" | "string" | "number" | "boolean";
}

/** Compares two parsed JSON values. */
export function diffJson(a: unknown, b: unknown, options: JsonOptions = {}): JsonComparison {
  const ignoreOrder = options.ignoreOrder ?? false;
  const maxDiffs = options.maxDiffs ?? 10;
  const result: JsonComparison = { format: "json", equal: true, ignoreOrder, totalDifferences: 0, differences: [] };
  const canonicalCache = new Map<object, string>();

  const record = (difference: JsonDifference): void => {
    result.totalDifferences++;
    if (result.differences.length < maxDiffs) {
      if (difference.pathB === difference.path) {
        delete difference.pathB;
      }
      result.differences.push(difference);
    }
  };

  /** A string equal for equal values: keys sorted and, with `ignoreOrder`, array elements sorted. */
  const canonical = (value: Json): string => {
    if (value === null || typeof value !== "object") {
      return JSON.stringify(value);
    }
    const cached = canonicalCache.get(value);
    if (cached !== undefined) {
      return cached;
    }
    let text: string;
    if (Array.isArray(value)) {
      const items = value.map(canonical);
      if (ignoreOrder) {
        items.sort();
      }
      text = `[${items.join(",")}]`;
    } else {
      const keys = Object.keys(value).sort();
      text = `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
    }
    canonicalCache.set(value, text);
    return text;
  };

  const walk = (x: Json, y: Json, pathA: string, pathB: string): void => {
    const tx = typeOf(x);
    const ty = typeOf(y);
    if (tx !== ty) {
      record({ kind: "changed", path: pathA, pathB, a: preview(x), b: preview(y) });
      return;
    }
    if (tx === "array") {
      compareArrays(x as Json[], y as Json[], pathA, pathB);
    } else if (tx === "object") {
      const ox = x as { [key: string]: Json };
      const oy = y as { [key: string]: Json };
      for (const key of Object.keys(ox)) {
        if (Object.prototype.hasOwnProperty.call(oy, key)) {
          walk(ox[key], oy[key], childPath(pathA, key), childPath(pathB, key));
        } else {
          record({ kind: "only-in-a", path: childPath(pathA, key), a: preview(ox[key]) });
        }
      }
      for (const key of Object.keys(oy)) {
        if (!Object.prototype.hasOwnProperty.call(ox, key)) {
          record({ kind: "only-in-b", path: childPath(pathB, key), b: preview(oy[key]) });
        }
      }
    } else if (x !== y) {
      record({ kind: "changed", path: pathA, pathB, a: preview(x), b: preview(y) });
    }
  };

  const compareArrays = (x: Json[], y: Json[], pathA: string, pathB: string): void => {
    if (!ignoreOrder) {
      const common = Math.min(x.length, y.length);
      for (let i = 0; i < common; i++) {
        walk(x[i], y[i], childPath(pathA, i), childPath(pathB, i));
      }
      for (let i = common; i < x.length; i++) {
        record({ kind: "only-in-a", path: childPath(pathA, i), a: preview(x[i]) });
      }
      for (let j = common; j < y.length; j++) {
        record({ kind: "only-in-b", path: childPath(pathB, j), b: preview(y[j]) });
      }
      return;
    }
    // Multiset comparison: match equal elements wherever they are.
    const unmatchedA = new Map<string, number[]>();
    x.forEach((item, i) => {
      const key = canonical(item);
      const list = unmatchedA.get(key);
      if (list) {
        list.push(i);
      } else {
        unmatchedA.set(key, [i]);
      }
    });
    const onlyB: number[] = [];
    y.forEach((item, j) => {
      const list = unmatchedA.get(canonical(item));
      if (list !== undefined && list.length > 0) {
        list.shift();
      } else {
        onlyB.push(j);
      }
    });
    const onlyA = [...unmatchedA.values()].flat().sort((m, n) => m - n);
    if (onlyA.length === 1 && onlyB.length === 1) {
      // A single element changed: show what changed inside it.
      walk(x[onlyA[0]], y[onlyB[0]], childPath(pathA, onlyA[0]), childPath(pathB, onlyB[0]));
      return;
    }
    for (const i of onlyA) {
      record({ kind: "only-in-a", path: childPath(pathA, i), a: preview(x[i]) });
    }
    for (const j of onlyB) {
      record({ kind: "only-in-b", path: childPath(pathB, j), b: preview(y[j]) });
    }
  };

  walk(a as Json, b as Json, "$", "$");
  result.equal = result.totalDifferences === 0;
  return result;
}

/** Reads a stream into a string, or returns undefined once it exceeds `maxBytes`. */
async function readText(source: AsyncIterable<Buffer>, maxBytes: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > maxBytes) {
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8").replace(/^\uFEFF/, "");
}

function parseDocument(text: string, lines: boolean): unknown {
  if (!lines) {
    return JSON.parse(text);
  }
  const values: unknown[] = [];
  text.split(/\r?\n/).forEach((line, n) => {
    if (line.trim() === "") {
      return;
    }
    try {
      values.push(JSON.parse(line));
    } catch (err) {
      throw new SyntaxError(`line ${n + 1}: ${describeFailure(err)}`);
    }
  });
  return values;
}

export interface JsonFileOptions extends JsonOptions {
  /** Largest file parsed for the structural comparison. */
  maxBytes: number;
  /** Read the files as JSON Lines (one document per line). */
  lines?: boolean;
}

/** Reads, parses and compares two JSON (or JSON Lines) files. Read errors propagate as `CompareError`s. */
export async function compareJson(
  openA: () => AsyncIterable<Buffer>,
  openB: () => AsyncIterable<Buffer>,
  options: JsonFileOptions,
): Promise<JsonComparison> {
  const ignoreOrder = options.ignoreOrder ?? false;
  const failed = (fields: Partial<JsonComparison>): JsonComparison => ({
    format: "json",
    equal: false,
    ignoreOrder,
    totalDifferences: 0,
    differences: [],
    ...fields,
  });
  const [textA, textB] = await Promise.all([readText(openA(), options.maxBytes), readText(openB(), options.maxBytes)]);
  if (textA === undefined || textB === undefined) {
    return failed({ skipped: `larger than ${options.maxBytes} bytes; not parsed` });
  }
  const parsed: unknown[] = [];
  for (const [side, text] of [["a", textA], ["b", textB]] as const) {
    try {
      parsed.push(parseDocument(text, options.lines ?? false));
    } catch (err) {
      if (err instanceof CompareError) {
        throw err;
      }
      return failed({ error: `${side}: ${describeFailure(err)}` });
    }
  }
  return diffJson(parsed[0], parsed[1], options);
}
