/**
 * `npm run bench [-- --sizes 10,100,1000 --runs 3]`
 *
 * Generates synthetic inventories and measures, each run in a fresh process: program evaluation under the mocks,
 * policy pack evaluation over the registered resources, and the whole `plan --json`. Prints median times,
 * resources per job, peak memory (RSS) and the ratio time(largest)/time(previous size), then checks the targets:
 * 1000 jobs planned in under 20 s, near-linear growth (1000/100 ratio under 12), peak memory under 2 GB.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { syntheticInventory } from "./generate";

interface Sample {
  what: string;
  ms: number;
  resources: number;
  maxRssMb: number;
}

const ROOT = path.resolve(__dirname, "..");
const KINDS = ["program", "policies", "plan"] as const;
const TARGETS = { planSeconds1000: 20, ratio: 12, peakMb: 2048 };

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function measure(kind: string, inventory: string): Sample {
  const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "measure.ts"), kind, inventory], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split("\n").pop()!) as Sample;
}

function main(): number {
  const { values } = parseArgs({ options: { sizes: { type: "string", default: "10,100,1000" }, runs: { type: "string", default: "3" } } });
  const sizes = values.sizes!.split(",").map(Number);
  const runs = Number(values.runs);
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    process.stderr.write(`bench: --sizes must be whole numbers of jobs separated by commas, e.g. 10,100,1000 (found "${values.sizes}")\n`);
    return 2;
  }
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write(`bench: --runs must be a whole number of at least 1 (found "${values.runs}")\n`);
    return 2;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
  const rows: { jobs: number; kind: string; medianMs: number; resources: number; peakMb: number }[] = [];

  for (const jobs of sizes) {
    const file = path.join(dir, `jobs-${jobs}.yaml`);
    fs.writeFileSync(file, syntheticInventory(jobs));
    for (const kind of KINDS) {
      const samples = Array.from({ length: runs }, () => measure(kind, file));
      rows.push({
        jobs,
        kind,
        medianMs: median(samples.map((s) => s.ms)),
        resources: samples[0].resources,
        peakMb: Math.max(...samples.map((s) => s.maxRssMb)),
      });
      process.stderr.write(`measured ${kind} for ${jobs} jobs: ${samples.map((s) => (s.ms / 1000).toFixed(2)).join(", ")} s\n`);
    }
  }

  const lines = [
    `Benchmark on ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; median of ${runs} runs, each in a fresh process`,
    "",
    `${"jobs".padStart(6)}  ${"measure".padEnd(9)} ${"median s".padStart(9)}  ${"resources".padStart(9)}  ${"per job".padStart(7)}  ${"peak RSS MB".padStart(11)}`,
  ];
  for (const r of rows) {
    lines.push(
      `${String(r.jobs).padStart(6)}  ${r.kind.padEnd(9)} ${(r.medianMs / 1000).toFixed(2).padStart(9)}  ${String(r.resources).padStart(9)}  ${(r.resources / r.jobs).toFixed(1).padStart(7)}  ${r.peakMb.toFixed(0).padStart(11)}`,
    );
  }

  const verdicts: string[] = [];
  const find = (jobs: number, kind: string) => rows.find((r) => r.jobs === jobs && r.kind === kind);
  const largest = Math.max(...sizes);
  const previous = sizes.filter((s) => s < largest).pop();
  for (const kind of KINDS) {
    const big = find(largest, kind);
    const small = previous !== undefined ? find(previous, kind) : undefined;
    if (big && small) lines.push(`ratio time(${largest})/time(${previous}) for ${kind}: ${(big.medianMs / small.medianMs).toFixed(2)}`);
  }
  const plan1000 = find(1000, "plan");
  if (plan1000) verdicts.push(`${plan1000.medianMs / 1000 < TARGETS.planSeconds1000 ? "ok  " : "MISS"} 1000 jobs planned with the policy pack in ${(plan1000.medianMs / 1000).toFixed(1)} s (target < ${TARGETS.planSeconds1000} s)`);
  const plan100 = find(100, "plan");
  if (plan1000 && plan100) {
    const ratio = plan1000.medianMs / plan100.medianMs;
    verdicts.push(`${ratio < TARGETS.ratio ? "ok  " : "MISS"} plan time(1000)/time(100) = ${ratio.toFixed(2)} (target < ${TARGETS.ratio})`);
  }
  const peak = Math.max(...rows.map((r) => r.peakMb));
  verdicts.push(`${peak < TARGETS.peakMb ? "ok  " : "MISS"} peak memory ${peak.toFixed(0)} MB (target < ${TARGETS.peakMb} MB)`);
  lines.push("", ...verdicts);
  process.stdout.write(lines.join("\n") + "\n");
  fs.rmSync(dir, { recursive: true, force: true });
  return verdicts.some((v) => v.startsWith("MISS")) ? 1 : 0;
}

process.exitCode = main();
