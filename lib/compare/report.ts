/**
 * Renders a comparison report: a table with one line per file followed by the details of every file whose bytes
 * differ, or the report as JSON for scripts.
 */
import type { CompareReport, FileResult, FileStatus } from "./compare";
import type { CsvComparison, CsvRowDifference } from "./csv-diff";
import type { JsonComparison, JsonDifference } from "./json-diff";

const STATUS_LABEL: Record<FileStatus, string> = {
  identical: "identical",
  different: "different",
  "only-in-a": "only in a",
  "only-in-b": "only in b",
};

/** Characters of a checksum shown in the table; the details and the JSON report show all 64. */
const SHORT_SHA = 12;
/** Longest row or value printed in the details. */
const MAX_LINE = 160;

/** The machine-readable report. */
export function formatJson(report: CompareReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}

/** The human-readable report. */
export function formatTable(report: CompareReport): string {
  const lines: string[] = [`a: ${report.a}`, `b: ${report.b}`, ""];
  if (report.files.length === 0) {
    lines.push("(no files on either side)");
  } else {
    lines.push(...table(report.files));
  }
  for (const file of report.files) {
    if (file.sameBytes === false) {
      lines.push("", ...details(file));
    }
  }
  const s = report.summary;
  lines.push(
    "",
    `${s.files} ${s.files === 1 ? "file" : "files"}: ${s.identical} identical, ${s.different} different, ` +
      `${s.onlyInA} only in a, ${s.onlyInB} only in b`,
    s.match ? "result: MATCH" : "result: DIFFERENT",
  );
  return lines.join("\n") + "\n";
}

function table(files: FileResult[]): string[] {
  const header = ["STATUS", "FILE", "SIZE A", "SIZE B", "SHA-256 A", "SHA-256 B"];
  const rows = files.map((f) => [
    STATUS_LABEL[f.status] + (f.status === "identical" && f.sameBytes === false ? "*" : ""),
    f.key,
    f.a ? String(f.a.size) : "-",
    f.b ? String(f.b.size) : "-",
    f.a ? f.a.sha256.slice(0, SHORT_SHA) : "-",
    f.b ? f.b.sha256.slice(0, SHORT_SHA) : "-",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const rightAligned = new Set([2, 3]);
  const render = (cells: string[]): string =>
    cells
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  const out = [render(header), ...rows.map(render)];
  if (files.some((f) => f.status === "identical" && f.sameBytes === false)) {
    out.push("* same content, different bytes (see below)");
  }
  return out;
}

function details(file: FileResult): string[] {
  const heading = file.status === "identical" ? `${file.key}: same content, different bytes` : `${file.key}: different`;
  const lines = [heading];
  for (const [name, side] of [["a", file.a], ["b", file.b]] as const) {
    if (side) {
      lines.push(`  ${name}: ${side.path}  ${side.size} bytes  sha256 ${side.sha256}`);
    }
  }
  if (file.firstDifferentByte !== undefined) {
    lines.push(`  first differing byte at offset ${file.firstDifferentByte}`);
  }
  if (file.content?.format === "csv") {
    lines.push(...csvDetails(file.content));
  } else if (file.content?.format === "json") {
    lines.push(...jsonDetails(file.content));
  }
  return lines;
}

function csvDetails(csv: CsvComparison): string[] {
  const lines: string[] = [];
  if (csv.error !== undefined) {
    return [`  CSV: could not be parsed (${csv.error}); compared as bytes only`];
  }
  const h = csv.header;
  if (h && !h.equal) {
    const parts: string[] = [];
    if (h.onlyInA.length > 0) {
      parts.push(`columns only in a: ${h.onlyInA.join(", ")}`);
    }
    if (h.onlyInB.length > 0) {
      parts.push(`columns only in b: ${h.onlyInB.join(", ")}`);
    }
    if (h.orderDiffers) {
      parts.push("columns in a different order");
    }
    lines.push(`  CSV header differs: ${parts.join("; ")}`);
    lines.push(`    a: ${clip(h.a.join(","))}`, `    b: ${clip(h.b.join(","))}`);
    if (h.onlyInA.length > 0 || h.onlyInB.length > 0) {
      lines.push("    rows are compared on the common columns");
    }
  }
  const mode = csv.ignoreOrder ? "ignoring row order" : "in order";
  const noun = csv.ignoreOrder ? "without a match" : "differ";
  lines.push(`  CSV rows: a ${csv.rows.a}, b ${csv.rows.b}; ${csv.differingRows} ${noun} (compared ${mode})`);
  for (const d of csv.differences) {
    lines.push(...csvRow(d));
  }
  if (csv.differingRows > csv.differences.length) {
    lines.push(`    ... ${csv.differingRows - csv.differences.length} more (--max-diffs)`);
  }
  return lines;
}

function csvRow(d: CsvRowDifference): string[] {
  switch (d.kind) {
    case "changed": {
      const columns = d.columns && d.columns.length > 0 ? ` (${d.columns.join(", ")})` : "";
      return [`    row ${d.rowA}${columns}:`, `      a: ${csvLine(d.a)}`, `      b: ${csvLine(d.b)}`];
    }
    case "only-in-a":
      return [`    row ${d.rowA} only in a: ${csvLine(d.a)}`];
    case "only-in-b":
      return [`    row ${d.rowB} only in b: ${csvLine(d.b)}`];
  }
}

function csvLine(values: string[] | undefined): string {
  const quoted = (values ?? []).map((v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v));
  return clip(quoted.join(",").replace(/\r?\n/g, "\\n"));
}

function jsonDetails(json: JsonComparison): string[] {
  if (json.skipped !== undefined) {
    return [`  JSON: ${json.skipped}; compared as bytes only`];
  }
  if (json.error !== undefined) {
    return [`  JSON: could not be parsed (${json.error}); compared as bytes only`];
  }
  if (json.equal) {
    return [`  JSON: same content${json.ignoreOrder ? " (ignoring array order)" : ""}`];
  }
  const lines = [
    `  JSON: ${json.totalDifferences} ${json.totalDifferences === 1 ? "difference" : "differences"}` +
      (json.ignoreOrder ? " (ignoring array order)" : ""),
  ];
  for (const d of json.differences) {
    lines.push(`    ${jsonDifference(d)}`);
  }
  if (json.totalDifferences > json.differences.length) {
    lines.push(`    ... ${json.totalDifferences - json.differences.length} more (--max-diffs)`);
  }
  return lines;
}

function jsonDifference(d: JsonDifference): string {
  switch (d.kind) {
    case "changed": {
      const where = d.pathB !== undefined ? `${d.path} (b: ${d.pathB})` : d.path;
      return clip(`${where}: ${d.a} -> ${d.b}`);
    }
    case "only-in-a":
      return clip(`${d.path} only in a: ${d.a}`);
    case "only-in-b":
      return clip(`${d.path} only in b: ${d.b}`);
  }
}

function clip(text: string): string {
  return text.length > MAX_LINE ? text.slice(0, MAX_LINE - 1) + "…" : text;
}
