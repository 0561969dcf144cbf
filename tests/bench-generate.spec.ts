/**
 * The benchmark's synthetic inventories are valid inventories with the intended mix.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { syntheticInventory } from "../bench/generate";
import { parseInventory } from "../lib/inventory";

describe("benchmark inventory generator", () => {
  it("generates valid inventories mixing platforms, schedules, secrets and chains", () => {
    const inv = parseInventory(syntheticInventory(100), "synthetic.yaml");
    assert.equal(inv.jobs.length, 100);
    assert.deepEqual([...new Set(inv.jobs.map((j) => j.platform))].sort(), ["ec2", "ec2-spot", "fargate", "fargate-spot"]);
    assert.ok(inv.jobs.some((j) => j.secrets.DB_PASSWORD?.kind === "secretsmanager"));
    assert.ok(inv.jobs.some((j) => j.secrets.API_KEY?.kind === "ssm"));
    assert.equal(inv.jobs.filter((j) => j.after !== undefined).length, 5);
    assert.equal(new Set(inv.jobs.map((j) => j.schedule)).size, 10);
  });

  it("refuses bad options with a message and exit code 2, before measuring anything", () => {
    const bench = (...args: string[]) =>
      spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "bench/bench.ts", ...args], { cwd: path.join(__dirname, ".."), encoding: "utf8" });
    const runs = bench("--runs", "0");
    assert.equal(runs.status, 2);
    assert.match(runs.stderr, /--runs must be a whole number of at least 1 \(found "0"\)/);
    const sizes = bench("--sizes", "10,many");
    assert.equal(sizes.status, 2);
    assert.match(sizes.stderr, /--sizes must be whole numbers of jobs separated by commas/);
  });
});
