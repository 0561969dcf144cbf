import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { parseCommandLine } from "../cli/commands/compare";
import {
  CONTENT_FORMATS,
  CompareError,
  compareBytes,
  compareLocations,
  diffJson,
  formatTable,
  type CompareOptions,
  type CompareReport,
  type CsvComparison,
  type FileResult,
  type JsonComparison,
} from "../lib/compare";

const ROOT = path.resolve(__dirname, "..");

// ---------------------------------------------------------------------------------------------------------------
// Helpers

type Tree = Record<string, string | Buffer>;

async function writeTree(dir: string, files: Tree): Promise<void> {
  for (const [key, content] of Object.entries(files)) {
    const file = path.join(dir, key);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.writeFile(file, content);
  }
}

function sha256(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

function file(report: CompareReport, key: string): FileResult {
  const found = report.files.find((f) => f.key === key);
  assert.ok(found, `no result for ${key} in ${report.files.map((f) => f.key).join(", ")}`);
  return found;
}

function csvOf(result: FileResult): CsvComparison {
  assert.equal(result.content?.format, "csv", `${result.key} has no CSV comparison`);
  return result.content as CsvComparison;
}

function jsonOf(result: FileResult): JsonComparison {
  assert.equal(result.content?.format, "json", `${result.key} has no JSON comparison`);
  return result.content as JsonComparison;
}

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const part of parts) {
    yield Buffer.from(part);
  }
}

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs node with `args` in the repository root and collects its output. */
function runNode(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `migrate compare` in a child process, the way `npm run migrate -- compare` does. */
function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runNode(["-r", "ts-node/register/transpile-only", "cli/migrate.ts", "compare", ...args], env);
}

/** Starts several CLI runs at once (each pays the TypeScript start-up cost) and waits for all of them. */
async function runAll<K extends string>(cases: Record<K, [string[], NodeJS.ProcessEnv?]>): Promise<Record<K, CliResult>> {
  const entries = Object.entries(cases) as [K, [string[], NodeJS.ProcessEnv?]][];
  const results = await Promise.all(entries.map(([, [args, env]]) => runCli(args, env)));
  return Object.fromEntries(entries.map(([name], i) => [name, results[i]])) as Record<K, CliResult>;
}

function assertNoStackTrace(text: string): void {
  assert.doesNotMatch(text, /\n\s+at /, `unexpected stack trace:\n${text}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Fixtures: an on-premise output directory and an AWS output directory of the same job.

const ORDERS = "id,customer,amount\n1,acme,10.00\n2,globex,20.00\n3,initech,30.00\n4,umbrella,40.00\n";
const ORDERS_REORDERED = "id,customer,amount\n3,initech,30.00\n1,acme,10.00\n4,umbrella,40.00\n2,globex,20.00\n";
const ORDERS_CHANGED = "id,customer,amount\n1,acme,10.00\n2,globex,21.00\n3,initech,30.00\n4,umbrella,40.00\n";
const SUMMARY = { date: "2024-06-01", totals: { orders: 4, amount: 100 }, customers: [{ id: 1, name: "acme" }, { id: 2, name: "globex" }] };
const SUMMARY_CHANGED = { date: "2024-06-01", totals: { orders: 4, amount: 101 }, customers: [{ id: 1, name: "acme" }, { id: 2, name: "globex" }], extra: true };

const ON_PREM: Tree = {
  "orders.csv": ORDERS,
  "reports/summary.json": JSON.stringify(SUMMARY, null, 2),
  "reports/run.log": "started\nfinished\n",
  "legacy.txt": "only produced on premise\n",
};

describe("compare", () => {
  let tmp: string;

  before(async () => {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "compare-spec-"));
  });

  after(async () => {
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  /** A fresh directory per call, filled with `files`. */
  let counter = 0;
  async function tree(files: Tree): Promise<string> {
    const dir = path.join(tmp, `t${counter++}`);
    await fsp.mkdir(dir, { recursive: true });
    await writeTree(dir, files);
    return dir;
  }

  describe("byte comparison", () => {
    it("finds equal streams equal whatever their chunking, with SHA-256 and size", async () => {
      const result = await compareBytes(chunks("ab", "cdef"), chunks("a", "bcd", "ef"));
      assert.equal(result.equal, true);
      assert.equal(result.firstDifference, undefined);
      assert.deepEqual(result.a, { size: 6, sha256: sha256("abcdef") });
      assert.deepEqual(result.b, result.a);
    });

    it("reports the offset of the first differing byte and still checksums both streams to the end", async () => {
      const result = await compareBytes(chunks("ab", "cdef", "gh"), chunks("a", "bcX", "ef"));
      assert.equal(result.equal, false);
      assert.equal(result.firstDifference, 3);
      assert.deepEqual(result.a, { size: 8, sha256: sha256("abcdefgh") });
      assert.deepEqual(result.b, { size: 6, sha256: sha256("abcXef") });
    });

    it("reports where the shorter stream ends", async () => {
      const result = await compareBytes(chunks("abc"), chunks("ab"));
      assert.equal(result.firstDifference, 2);
      const empty = await compareBytes(chunks(), chunks("x"));
      assert.equal(empty.firstDifference, 0);
    });
  });

  describe("local directories", () => {
    it("reports identical trees as a match", async () => {
      const a = await tree(ON_PREM);
      const b = await tree(ON_PREM);
      const report = await compareLocations(a, b);
      assert.equal(report.summary.match, true);
      assert.deepEqual(
        report.files.map((f) => [f.key, f.status]),
        [
          ["legacy.txt", "identical"],
          ["orders.csv", "identical"],
          ["reports/run.log", "identical"],
          ["reports/summary.json", "identical"],
        ],
      );
      const orders = file(report, "orders.csv");
      assert.deepEqual(orders.a, { path: path.join(a, "orders.csv"), size: ORDERS.length, sha256: sha256(ORDERS) });
      assert.equal(orders.sameBytes, true);
      assert.equal(orders.content, undefined);
    });

    it("reports different files and files missing on either side", async () => {
      const a = await tree(ON_PREM);
      const { "legacy.txt": _legacy, ...rest } = ON_PREM;
      const b = await tree({ ...rest, "reports/run.log": "started\nfailed\n", "aws-only.txt": "new\n" });
      const report = await compareLocations(a, b);
      assert.equal(report.summary.match, false);
      assert.deepEqual(report.summary, { files: 5, identical: 2, different: 1, onlyInA: 1, onlyInB: 1, match: false });
      const log = file(report, "reports/run.log");
      assert.equal(log.status, "different");
      assert.equal(log.firstDifferentByte, 9);
      assert.equal(log.content, undefined, "a .log file is compared as bytes only");
      const legacy = file(report, "legacy.txt");
      assert.equal(legacy.status, "only-in-a");
      assert.equal(legacy.b, undefined);
      assert.equal(legacy.a?.sha256, sha256(ON_PREM["legacy.txt"]));
      const added = file(report, "aws-only.txt");
      assert.equal(added.status, "only-in-b");
      assert.deepEqual(added.b, { path: path.join(b, "aws-only.txt"), size: 4, sha256: sha256("new\n") });

      const table = formatTable(report);
      assert.match(table, /^only in a\s+legacy\.txt\s+25\s+-\s+[0-9a-f]{12}\s+-$/m);
      assert.match(table, /^only in b\s+aws-only\.txt\s+-\s+4\s+-\s+[0-9a-f]{12}$/m);
      assert.match(table, /^different\s+reports\/run\.log\s+17\s+15\s/m);
      assert.match(table, /first differing byte at offset 9/);
      assert.match(table, /5 files: 2 identical, 1 different, 1 only in a, 1 only in b\nresult: DIFFERENT/);
    });

    it("compares two single files whatever their names, and a file with the same-named file of a directory", async () => {
      const a = await tree({ "onprem.csv": ORDERS, "dir/orders.csv": ORDERS_CHANGED, "dir/other.csv": "x\n" });
      const pair = await compareLocations(path.join(a, "onprem.csv"), path.join(a, "dir/orders.csv"));
      assert.equal(pair.files.length, 1);
      assert.equal(pair.files[0].status, "different");

      const withDir = await compareLocations(path.join(a, "dir/orders.csv"), path.join(a, "dir"));
      assert.deepEqual(withDir.files.map((f) => [f.key, f.status]), [["orders.csv", "identical"]]);
      const missing = await compareLocations(path.join(a, "onprem.csv"), path.join(a, "dir"));
      assert.deepEqual(missing.files.map((f) => [f.key, f.status]), [["onprem.csv", "only-in-a"]]);
    });

    it("fails with an error naming the side and the path when a location cannot be read", async () => {
      const a = await tree({ "x.csv": "a\n" });
      const missing = path.join(tmp, "does-not-exist");
      await assert.rejects(compareLocations(a, missing), (err: unknown) => {
        assert.ok(err instanceof CompareError);
        assert.equal(err.message, `cannot read b (${missing}): no such file or directory`);
        return true;
      });
      await assert.rejects(compareLocations(a, a, { maxDiffs: -1 }), /maxDiffs must be a non-negative integer/);
      await assert.rejects(compareLocations("s3:///key", a), /a: "s3:\/\/\/key" has no bucket name/);
    });
  });

  describe("CSV", () => {
    async function csvPair(a: string, b: string, options?: CompareOptions): Promise<FileResult> {
      const dirA = await tree({ "out.csv": a });
      const dirB = await tree({ "out.csv": b });
      const report = await compareLocations(dirA, dirB, options);
      return file(report, "out.csv");
    }

    it("finds reordered rows different in order-sensitive mode", async () => {
      const result = await csvPair(ORDERS, ORDERS_REORDERED);
      assert.equal(result.status, "different");
      const csv = csvOf(result);
      assert.equal(csv.header?.equal, true);
      assert.deepEqual(csv.rows, { a: 4, b: 4 });
      assert.equal(csv.differingRows, 4);
      assert.deepEqual(csv.differences[0], {
        kind: "changed",
        rowA: 1,
        rowB: 1,
        a: ["1", "acme", "10.00"],
        b: ["3", "initech", "30.00"],
        columns: ["id", "customer", "amount"],
      });
    });

    it("finds reordered rows identical with ignoreOrder", async () => {
      const result = await csvPair(ORDERS, ORDERS_REORDERED, { ignoreOrder: true });
      assert.equal(result.status, "identical");
      assert.equal(result.sameBytes, false);
      const csv = csvOf(result);
      assert.equal(csv.equal, true);
      assert.equal(csv.differingRows, 0);
    });

    it("names the differing columns of a changed row", async () => {
      const csv = csvOf(await csvPair(ORDERS, ORDERS_CHANGED));
      assert.equal(csv.differingRows, 1);
      assert.deepEqual(csv.differences, [
        { kind: "changed", rowA: 2, rowB: 2, a: ["2", "globex", "20.00"], b: ["2", "globex", "21.00"], columns: ["amount"] },
      ]);
    });

    it("lists unmatched rows of each side with ignoreOrder", async () => {
      const b = ORDERS_REORDERED.replace("4,umbrella,40.00", "4,umbrella,44.00") + "5,hooli,50.00\n";
      const csv = csvOf(await csvPair(ORDERS, b, { ignoreOrder: true }));
      assert.equal(csv.equal, false);
      assert.deepEqual(csv.rows, { a: 4, b: 5 });
      assert.equal(csv.differingRows, 3);
      assert.deepEqual(csv.differences, [
        { kind: "only-in-a", rowA: 4, a: ["4", "umbrella", "40.00"] },
        { kind: "only-in-b", rowB: 3, b: ["4", "umbrella", "44.00"] },
        { kind: "only-in-b", rowB: 5, b: ["5", "hooli", "50.00"] },
      ]);
    });

    it("compares rows as multisets: a duplicated row is a difference", async () => {
      const a = "id,v\n1,x\n1,x\n2,y\n1,x\n";
      const b = "id,v\n2,y\n1,x\n";
      const csv = csvOf(await csvPair(a, b, { ignoreOrder: true }));
      assert.equal(csv.differingRows, 2);
      assert.deepEqual(csv.differences, [
        { kind: "only-in-a", rowA: 1, a: ["1", "x"] },
        { kind: "only-in-a", rowA: 2, a: ["1", "x"] },
      ]);
    });

    it("finds the first unmatched rows by reading again when too many are unmatched to keep", async () => {
      const header = "id,v\n";
      const rowsA = Array.from({ length: 3000 }, (_, i) => `${i},a\n`).join("");
      const rowsB = Array.from({ length: 3000 }, (_, i) => `${2999 - i},${i < 1500 ? "b" : "a"}\n`).join("");
      const csv = csvOf(await csvPair(header + rowsA, header + rowsB, { ignoreOrder: true, maxDiffs: 4 }));
      assert.equal(csv.differingRows, 3000);
      assert.deepEqual(csv.differences, [
        { kind: "only-in-a", rowA: 1501, a: ["1500", "a"] },
        { kind: "only-in-a", rowA: 1502, a: ["1501", "a"] },
        { kind: "only-in-b", rowB: 1, b: ["2999", "b"] },
        { kind: "only-in-b", rowB: 2, b: ["2998", "b"] },
      ]);
    });

    it("reports header differences and matches reordered columns by name", async () => {
      const b = "amount,id,customer,region\n10.00,1,acme,eu\n20.00,2,globex,us\n30.00,3,initech,eu\n40.00,4,umbrella,us\n";
      const result = await csvPair(ORDERS, b);
      assert.equal(result.status, "different");
      const csv = csvOf(result);
      assert.deepEqual(csv.header, {
        equal: false,
        a: ["id", "customer", "amount"],
        b: ["amount", "id", "customer", "region"],
        onlyInA: [],
        onlyInB: ["region"],
        orderDiffers: true,
      });
      assert.equal(csv.differingRows, 0, "rows match on the common columns");
      assert.match(formatTable(await compareLocations(await tree({ "o.csv": ORDERS }), await tree({ "o.csv": b }))),
        /CSV header differs: columns only in b: region; columns in a different order/);
    });

    it("limits the listed differences to maxDiffs but counts them all", async () => {
      const a = "n\n" + Array.from({ length: 30 }, (_, i) => `${i}\n`).join("");
      const b = "n\n" + Array.from({ length: 30 }, (_, i) => `${i + 100}\n`).join("");
      const csv = csvOf(await csvPair(a, b, { maxDiffs: 5 }));
      assert.equal(csv.differingRows, 30);
      assert.equal(csv.differences.length, 5);
    });

    it("treats quoting and line-ending differences as the same content", async () => {
      const result = await csvPair('id,name\r\n1,"acme"\r\n', "id,name\n1,acme\n");
      assert.equal(result.status, "identical");
      assert.equal(result.sameBytes, false);
    });

    it("reports rows missing at the end and a short row as differences", async () => {
      const csv = csvOf(await csvPair("a,b\n1,2\n3,4\n", "a,b\n1\n"));
      assert.deepEqual(csv.differences, [
        { kind: "changed", rowA: 1, rowB: 1, a: ["1", "2"], b: ["1"], columns: ["b"] },
        { kind: "only-in-a", rowA: 2, a: ["3", "4"] },
      ]);
    });

    it("compares .tsv files with a tab delimiter, and honours header: false", async () => {
      const dirA = await tree({ "x.tsv": "id\tv\n1\ta,b\n", "y.csv": "1,2\n3,4\n" });
      const dirB = await tree({ "x.tsv": "id\tv\n1\ta,c\n", "y.csv": "3,4\n1,2\n" });
      const tsv = csvOf(file(await compareLocations(dirA, dirB), "x.tsv"));
      assert.deepEqual(tsv.differences[0].columns, ["v"]);
      const y = file(await compareLocations(dirA, dirB, { header: false, ignoreOrder: true }), "y.csv");
      assert.equal(y.status, "identical");
      assert.equal(csvOf(y).header, undefined);
    });

    it("reports a CSV syntax error with its side and falls back to the byte result", async () => {
      const result = await csvPair("a,b\n1,2\n", 'a,b\n1,"2\n');
      assert.equal(result.status, "different");
      const csv = csvOf(result);
      assert.match(csv.error ?? "", /^b: .*quote/i);
    });
  });

  describe("JSON", () => {
    it("gives the paths of the first differences", () => {
      const result = diffJson(SUMMARY, SUMMARY_CHANGED);
      assert.equal(result.equal, false);
      assert.deepEqual(result.differences, [
        { kind: "changed", path: "$.totals.amount", a: "100", b: "101" },
        { kind: "only-in-b", path: "$.extra", b: "true" },
      ]);
    });

    it("ignores key order and formatting but not array order, unless ignoreOrder", () => {
      const a = { rows: [{ id: 1, tags: ["x", "y"] }, { id: 2, tags: [] }], "a key": null };
      const b = { "a key": null, rows: [{ tags: [], id: 2 }, { tags: ["y", "x"], id: 1 }] };
      assert.equal(diffJson(a, { ...a }).equal, true);
      const ordered = diffJson(a, b, { maxDiffs: 2 });
      assert.equal(ordered.equal, false);
      assert.equal(ordered.totalDifferences, 6);
      assert.deepEqual(ordered.differences.map((d) => d.path), ["$.rows[0].id", "$.rows[0].tags[0]"]);
      assert.equal(diffJson(a, b, { ignoreOrder: true }).equal, true);
    });

    it("shows the changed field of a record matched at another index with ignoreOrder", () => {
      const a = [{ id: 1, v: "x" }, { id: 2, v: "y" }, { id: 3, v: "z" }];
      const b = [{ id: 3, v: "z" }, { id: 2, v: "Y" }, { id: 1, v: "x" }];
      assert.deepEqual(diffJson(a, b, { ignoreOrder: true }).differences, [
        { kind: "changed", path: "$[1].v", a: '"y"', b: '"Y"' },
      ]);
      const c = [{ id: 3, v: "z" }, { id: 1, v: "x" }, { id: 2, v: "Y" }];
      assert.deepEqual(diffJson(a, c, { ignoreOrder: true }).differences, [
        { kind: "changed", path: "$[1].v", pathB: "$[2].v", a: '"y"', b: '"Y"' },
      ]);
    });

    it("quotes keys that are not identifiers and reports type changes", () => {
      const result = diffJson({ "first name": "a", n: 1, list: [1] }, { "first name": "b", n: "1", list: [1, 2] });
      assert.deepEqual(result.differences, [
        { kind: "changed", path: '$["first name"]', a: '"a"', b: '"b"' },
        { kind: "changed", path: "$.n", a: "1", b: '"1"' },
        { kind: "only-in-b", path: "$.list[1]", b: "2" },
      ]);
    });

    it("compares JSON and JSON Lines files structurally", async () => {
      const a = await tree({
        "s.json": JSON.stringify(SUMMARY),
        "same.json": '{"a":1,"b":[1,2]}',
        "events.jsonl": '{"id":1}\n{"id":2}\n',
        "broken.json": "{",
      });
      const b = await tree({
        "s.json": JSON.stringify(SUMMARY_CHANGED, null, 2),
        "same.json": '{\n  "b": [1, 2],\n  "a": 1\n}\n',
        "events.jsonl": '{"id":2}\n{"id":1}\n',
        "broken.json": "{}",
      });
      const report = await compareLocations(a, b, { ignoreOrder: true });
      const s = file(report, "s.json");
      assert.equal(s.status, "different");
      assert.deepEqual(jsonOf(s).differences.map((d) => d.path), ["$.totals.amount", "$.extra"]);
      assert.equal(file(report, "same.json").status, "identical");
      assert.equal(file(report, "same.json").sameBytes, false);
      assert.equal(file(report, "events.jsonl").status, "identical");
      const broken = file(report, "broken.json");
      assert.equal(broken.status, "different");
      assert.match(jsonOf(broken).error ?? "", /^a: /);
      assert.match(formatTable(report), /\$\.totals\.amount: 100 -> 101/);
    });

    it("skips the structural comparison of JSON files above maxJsonBytes", async () => {
      const a = await tree({ "big.json": '{"a":1}' });
      const b = await tree({ "big.json": '{"a":2}' });
      const result = file(await compareLocations(a, b, { maxJsonBytes: 4 }), "big.json");
      assert.equal(result.status, "different");
      assert.match(jsonOf(result).skipped ?? "", /larger than 4 bytes/);
    });
  });

  describe("large files", () => {
    // 24 MiB keeps the test run short; COMPARE_LARGE_MIB=100 (say) checks a larger pair the same way.
    const largeMib = Number(process.env.COMPARE_LARGE_MIB ?? 24);
    it(`streams a ${largeMib} MiB CSV pair with memory well below the file size`, async function () {
      this.timeout(120_000);
      const target = largeMib * 1024 * 1024;
      const a = path.join(tmp, "large-a.csv");
      const b = path.join(tmp, "large-b.csv");
      // Rows are about 41 bytes: the changed row lies near the end of the file.
      const changedRow = Math.floor((target / 41) * 0.9);
      // Both files are written together, batch by batch, and differ in one field of one row near the end.
      const outA = createWriteStream(a);
      const outB = createWriteStream(b);
      let size = 0;
      let row = 0;
      const header = "id,customer,amount,date,status\n";
      outA.write(header);
      outB.write(header);
      size += header.length;
      while (size < target) {
        let batch = "";
        let batchB = "";
        for (let k = 0; k < 2000; k++) {
          row++;
          const line = `${row},customer-${row % 977},${((row * 7.31) % 1000).toFixed(2)},2024-06-${String(1 + (row % 28)).padStart(2, "0")},`;
          batch += line + "ok\n";
          batchB += line + (row === changedRow ? "retried\n" : "ok\n");
        }
        size += batch.length;
        const okA = outA.write(batch);
        const okB = outB.write(batchB);
        await Promise.all([okA ? undefined : once(outA, "drain"), okB ? undefined : once(outB, "drain")]);
      }
      outA.end();
      outB.end();
      await Promise.all([once(outA, "finish"), once(outB, "finish")]);
      const bytes = (await fsp.stat(a)).size;
      assert.ok(bytes >= target && row > changedRow);

      // The comparison runs in a child process of its own, so that the measurement sees only its memory. Two
      // figures are sampled: the peak RSS growth, which includes read buffers that V8 has not collected yet (it
      // lets some tens of MiB of garbage buffers build up before collecting them, whatever the file size), and the
      // peak live memory (heap and array buffers right after a full collection), which is what the comparison
      // actually holds.
      const script = `
        const { compareLocations } = require("./lib/compare");
        const [a, b, warmA, warmB] = process.argv.slice(1);
        const live = () => { global.gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
        (async () => {
          // A small comparison first, so that code compiled on first use is not counted.
          await compareLocations(warmA, warmB);
          const baseLive = live();
          const baseRss = process.memoryUsage().rss;
          let peakLive = baseLive;
          let peakRss = baseRss;
          const rssTimer = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 5);
          const liveTimer = setInterval(() => { peakLive = Math.max(peakLive, live()); }, 500);
          const started = Date.now();
          const report = await compareLocations(a, b);
          const ms = Date.now() - started;
          clearInterval(rssTimer);
          clearInterval(liveTimer);
          peakRss = Math.max(peakRss, process.memoryUsage().rss);
          process.stdout.write(JSON.stringify({ report, rss: peakRss - baseRss, live: peakLive - baseLive, ms }));
        })();`;
      const warmA = await tree({ "w.csv": ORDERS });
      const warmB = await tree({ "w.csv": ORDERS_CHANGED });
      let child: CliResult;
      try {
        child = await runNode(["--expose-gc", "-r", "ts-node/register/transpile-only", "-e", script, a, b, warmA, warmB]);
      } finally {
        await Promise.all([fsp.rm(a), fsp.rm(b)]);
      }
      assert.equal(child.code, 0, child.stderr);
      const { report, rss, live, ms } = JSON.parse(child.stdout) as { report: CompareReport; rss: number; live: number; ms: number };
      const mib = (n: number): string => (n / 1024 / 1024).toFixed(1);
      console.log(
        `      large CSV: 2 x ${mib(bytes)} MiB, ${row} rows, compared in ${ms} ms; ` +
          `peak RSS growth ${mib(rss)} MiB, peak live memory growth ${mib(live)} MiB`,
      );

      const result = report.files[0];
      assert.equal(result.status, "different");
      assert.equal(result.a?.size, bytes);
      assert.equal(result.b?.size, bytes + "retried".length - "ok".length);
      const csv = csvOf(result);
      assert.deepEqual(csv.rows, { a: row, b: row });
      assert.equal(csv.differingRows, 1);
      assert.equal(csv.differences[0].rowA, changedRow);
      assert.deepEqual(csv.differences[0].columns, ["status"]);
      // Holding both files whole would take at least twice their size in live memory; parsed rows, several times more.
      assert.ok(live < bytes / 4, `live memory grew by ${mib(live)} MiB while comparing two ${mib(bytes)} MiB files`);
      // RSS also holds read buffers V8 has not collected yet: some tens of MiB whatever the file size.
      assert.ok(rss < bytes + 64 * 1024 * 1024, `RSS grew by ${mib(rss)} MiB while comparing two ${mib(bytes)} MiB files`);
    });
  });

  describe("S3 (against a local S3-compatible server)", () => {
    let server: S3rver;
    let endpoint: string;
    let client: S3Client;
    const savedEnv: NodeJS.ProcessEnv = {};
    const ENV: NodeJS.ProcessEnv = {
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_REGION: "us-east-1",
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_ENDPOINT_URL: undefined,
      AWS_ENDPOINT_URL_S3: undefined,
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };

    async function upload(bucket: string, prefix: string, files: Tree): Promise<void> {
      for (const [key, content] of Object.entries(files)) {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: prefix + key, Body: Buffer.from(content) }));
      }
    }

    before(async () => {
      for (const [name, value] of Object.entries(ENV)) {
        savedEnv[name] = process.env[name];
        if (value === undefined) {
          delete process.env[name];
        } else {
          process.env[name] = value;
        }
      }
      const directory = await fsp.mkdtemp(path.join(tmp, "s3rver-"));
      server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory });
      const address = await server.run();
      endpoint = `http://127.0.0.1:${address.port}`;
      client = new S3Client({
        endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
        // Plain uploads: the server does not understand checksum trailers.
        requestChecksumCalculation: "WHEN_REQUIRED",
      });
      for (const bucket of ["onprem", "aws"]) {
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
      }
      await upload("onprem", "jobs/daily/2024-06-01/", ON_PREM);
      const { "legacy.txt": _legacy, ...rest } = ON_PREM;
      await upload("aws", "jobs/daily/2024-06-01/", {
        ...rest,
        "orders.csv": ORDERS_REORDERED,
        "reports/summary.json": JSON.stringify(SUMMARY_CHANGED),
      });
      // A folder placeholder, as created by the S3 console; it is not a file.
      await upload("aws", "jobs/daily/2024-06-01/reports/", { "": "" });
    });

    after(async () => {
      client?.destroy();
      await server?.close();
      for (const [name, value] of Object.entries(savedEnv)) {
        if (value === undefined) {
          delete process.env[name];
        } else {
          process.env[name] = value;
        }
      }
    });

    const s3 = (): CompareOptions["s3"] => ({ endpoint, forcePathStyle: true });

    it("compares an S3 prefix with a local directory", async () => {
      const local = await tree(ON_PREM);
      const report = await compareLocations("s3://onprem/jobs/daily/2024-06-01", local, { s3: s3() });
      assert.equal(report.summary.match, true, formatTable(report));
      assert.deepEqual(report.files.map((f) => f.key), ["legacy.txt", "orders.csv", "reports/run.log", "reports/summary.json"]);
      const orders = file(report, "orders.csv");
      assert.equal(orders.a?.path, "s3://onprem/jobs/daily/2024-06-01/orders.csv");
      assert.equal(orders.a?.sha256, sha256(ORDERS));
      assert.equal(orders.a?.size, ORDERS.length);
    });

    it("compares two S3 prefixes", async () => {
      const a = "s3://onprem/jobs/daily/2024-06-01/";
      const b = "s3://aws/jobs/daily/2024-06-01/";
      const report = await compareLocations(a, b, { s3: s3() });
      assert.deepEqual(
        report.files.map((f) => [f.key, f.status]),
        [
          ["legacy.txt", "only-in-a"],
          ["orders.csv", "different"],
          ["reports/run.log", "identical"],
          ["reports/summary.json", "different"],
        ],
      );
      assert.deepEqual(jsonOf(file(report, "reports/summary.json")).differences.map((d) => d.path), ["$.totals.amount", "$.extra"]);
      const unordered = await compareLocations(a, b, { s3: s3(), ignoreOrder: true });
      assert.equal(file(unordered, "orders.csv").status, "identical");
    });

    it("compares a single S3 object with a local file", async () => {
      const local = await tree({ "orders.csv": ORDERS_CHANGED });
      const report = await compareLocations("s3://onprem/jobs/daily/2024-06-01/orders.csv", path.join(local, "orders.csv"), {
        s3: s3(),
      });
      assert.equal(report.files.length, 1);
      assert.deepEqual(csvOf(report.files[0]).differences[0].columns, ["amount"]);
    });

    it("names the side and the location when the bucket or the prefix does not exist", async () => {
      const local = await tree({ "x.csv": "a\n" });
      await assert.rejects(compareLocations(local, "s3://no-such-bucket/out", { s3: s3() }), (err: unknown) => {
        assert.ok(err instanceof CompareError);
        assert.match(err.message, /^cannot list b \(s3:\/\/no-such-bucket\/out\): NoSuchBucket/);
        return true;
      });
      await assert.rejects(
        compareLocations("s3://onprem/jobs/weekly", local, { s3: s3() }),
        /^CompareError: cannot read a \(s3:\/\/onprem\/jobs\/weekly\): no object or prefix with that name$/,
      );
    });

    describe("through the CLI", () => {
      let results: Record<"match" | "differ" | "ignoreOrder" | "missingBucket", CliResult>;

      before(async function () {
        this.timeout(60_000);
        const local = await tree(ON_PREM);
        const env = { ...ENV, AWS_ENDPOINT_URL_S3: endpoint };
        results = await runAll({
          match: [["s3://onprem/jobs/daily/2024-06-01", local, "--path-style"], env],
          differ: [["s3://onprem/jobs/daily/2024-06-01", "s3://aws/jobs/daily/2024-06-01", "--endpoint-url", endpoint, "--path-style", "--region", "eu-west-1"], ENV],
          ignoreOrder: [["s3://aws/jobs/daily/2024-06-01/orders.csv", path.join(local, "orders.csv"), "--ignore-order", "--json", "--path-style"], env],
          missingBucket: [[local, "s3://no-such-bucket/out", "--path-style"], env],
        });
      });

      it("exits 0 when an S3 prefix matches a local directory (endpoint from AWS_ENDPOINT_URL_S3)", () => {
        assert.equal(results.match.code, 0, results.match.stderr);
        assert.match(results.match.stdout, /4 files: 4 identical, 0 different, 0 only in a, 0 only in b\nresult: MATCH/);
      });

      it("exits 1 when two S3 prefixes differ (endpoint from --endpoint-url)", () => {
        assert.equal(results.differ.code, 1, results.differ.stderr);
        assert.match(results.differ.stdout, /^only in a\s+legacy\.txt/m);
        assert.match(results.differ.stdout, /\$\.totals\.amount: 100 -> 101/);
      });

      it("exits 0 with a JSON report for an S3 object matching a local file ignoring row order", () => {
        assert.equal(results.ignoreOrder.code, 0, results.ignoreOrder.stderr);
        const report = JSON.parse(results.ignoreOrder.stdout) as CompareReport;
        assert.equal(report.summary.match, true);
        assert.equal(report.files[0].status, "identical");
        assert.equal(report.files[0].sameBytes, false);
      });

      it("exits 2 naming the side and the path on an S3 error", () => {
        assert.equal(results.missingBucket.code, 2);
        assert.match(results.missingBucket.stderr, /^compare: cannot list b \(s3:\/\/no-such-bucket\/out\): NoSuchBucket/);
        assertNoStackTrace(results.missingBucket.stderr);
      });
    });
  });

  describe("CLI", () => {
    let results: Record<
      "identical" | "different" | "json" | "help" | "noArgs" | "unknownOption" | "badMaxDiffs" | "unreadable",
      CliResult
    >;
    let a: string;
    let missing: string;

    before(async function () {
      this.timeout(60_000);
      a = await tree(ON_PREM);
      const same = await tree(ON_PREM);
      const { "legacy.txt": _legacy, ...rest } = ON_PREM;
      const b = await tree({ ...rest, "orders.csv": ORDERS_CHANGED });
      missing = path.join(tmp, "missing-output");
      results = await runAll({
        identical: [[a, same]],
        different: [[a, b, "--max-diffs", "1"]],
        json: [["--json", "--ignore-order", path.join(a, "orders.csv"), path.join(b, "orders.csv")]],
        help: [["--help"]],
        noArgs: [[]],
        unknownOption: [[a, same, "--frobnicate"]],
        badMaxDiffs: [[a, same, "--max-diffs", "lots"]],
        unreadable: [[missing, a]],
      });
    });

    it("exits 0 and prints the table when everything matches", () => {
      const r = results.identical;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.match(r.stdout, /^STATUS\s+FILE\s+SIZE A\s+SIZE B\s+SHA-256 A\s+SHA-256 B$/m);
      assert.match(r.stdout, /^identical\s+orders\.csv\s+/m);
      assert.match(r.stdout, /result: MATCH\n$/);
    });

    it("exits 1 and details the differences when a file differs or is missing", () => {
      const r = results.different;
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /^different\s+orders\.csv\s+/m);
      assert.match(r.stdout, /^only in a\s+legacy\.txt\s+/m);
      assert.match(r.stdout, /CSV rows: a 4, b 4; 1 differ \(compared in order\)\n {4}row 2 \(amount\):\n {6}a: 2,globex,20\.00\n {6}b: 2,globex,21\.00/);
      assert.match(r.stdout, /result: DIFFERENT\n$/);
    });

    it("prints a machine-readable report with --json", () => {
      const r = results.json;
      assert.equal(r.code, 1, r.stderr);
      const report = JSON.parse(r.stdout) as CompareReport;
      assert.equal(report.options.ignoreOrder, true);
      assert.equal(report.summary.different, 1);
      const csv = report.files[0].content as CsvComparison;
      assert.deepEqual(csv.differences.map((d) => [d.kind, d.rowA ?? d.rowB]), [["only-in-a", 2], ["only-in-b", 2]]);
      assert.equal(report.files[0].a?.sha256, sha256(ORDERS));
    });

    it("prints the usage with --help and exits 0", () => {
      assert.equal(results.help.code, 0);
      assert.match(results.help.stdout, /^usage: npm run migrate -- compare <a> <b> \[options\]/);
    });

    it("exits 2 with a message and the usage on usage errors, without a stack trace", () => {
      for (const [name, pattern] of [
        ["noArgs", /^compare: two locations are required \(<a> and <b>\)\n/],
        ["unknownOption", /^compare: Unknown option '--frobnicate'/],
        ["badMaxDiffs", /^compare: --max-diffs must be an integer of at least 0 \(found "lots"\)\n/],
      ] as const) {
        const r = results[name];
        assert.equal(r.code, 2, `${name}: ${r.stderr}`);
        assert.equal(r.stdout, "", name);
        assert.match(r.stderr, pattern, name);
        assert.match(r.stderr, /usage: npm run migrate -- compare/, name);
        assertNoStackTrace(r.stderr);
      }
    });

    it("refuses every other malformed option with a message that names it and the fix", () => {
      for (const [args, message] of [
        [["a", "b", "c"], /^expected two locations, found 3: a b c$/],
        [["a", "b", "--format", "xml"], new RegExp(`^--format must be one of ${CONTENT_FORMATS.join(", ")} \\(found "xml"\\)$`)],
        [["a", "b", "--delimiter", ""], /^--delimiter must not be empty$/],
        [["a", "b", "--endpoint-url", "localhost:9000"], /^--endpoint-url must be a URL such as http:\/\/127\.0\.0\.1:9000 \(found "localhost:9000"\)$/],
        [["a", "b", "--endpoint-url", "not a url"], /^--endpoint-url must be a URL such as http:\/\/127\.0\.0\.1:9000 \(found "not a url"\)$/],
        [["a", "b", "--concurrency", "0"], /^--concurrency must be an integer of at least 1 \(found "0"\)$/],
      ] as const) {
        assert.throws(
          () => parseCommandLine([...args]),
          (err: unknown) => {
            assert.ok(err instanceof Error);
            assert.match(err.message, message);
            return true;
          },
          args.join(" "),
        );
      }
    });

    it("exits 2 naming the side and the path when a location cannot be read", () => {
      const r = results.unreadable;
      assert.equal(r.code, 2);
      assert.equal(r.stderr, `compare: cannot read a (${missing}): no such file or directory\n`);
    });
  });
});
