/**
 * The benchmark's synthetic inventories are valid inventories with the intended mix.
 */
import * as assert from "node:assert/strict";
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
});
