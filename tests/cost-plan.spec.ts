/**
 * The offline plan's cost section: the table after the resource tree, `cost` in `--json`, `--prices` and its errors.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { plan } from "../cli/plan";
import { stackInput } from "./helpers/stack-inventory";

interface CostDoc {
  asOf: string;
  region: string;
  jobs: { job: string; platform: string; vcpu: number; memoryMiB: number; runsPerMonth: number | null; monthlyUsd: number | null; onPremMonthlyUsd: number | null }[];
  totalMonthlyUsd: number;
}

function tempFile(name: string, text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-cost-")), name);
  fs.writeFileSync(file, text);
  return file;
}

describe("plan: cost", () => {
  it("prints the cost table after the resource tree, one row per job and a total", async () => {
    const result = await plan(["--stack", "dev"]);
    assert.equal(result.code, 0, result.stderr);
    const tree = result.stdout.indexOf("Resources:");
    const table = result.stdout.indexOf("Estimated monthly compute cost in eu-central-1, prices as of ");
    assert.ok(tree > 0 && table > tree, "the cost table follows the resource summary");
    // dev runs data-processor with 1 vCPU / 2048 MiB: (0.04656 + 2 x 0.00511) x 0.5 h x 364/12 runs = $0.86
    assert.match(result.stdout, /\n {4}data-processor\s+fargate\s+30\.3\s+30 min\s+1\s+2048 MiB\s+\$0\.86\s+\$15\.17\s+94%\n/);
    assert.match(result.stdout, /\n {4}report-generator\s+fargate-spot\s+60\.8\s+15 min\s+1\s+2048 MiB\s+\$0\.26\s+\$15\.21\s+98%\n/);
    assert.match(result.stdout, /\n {4}Total\s+\$\d+\.\d\d/);
  });

  it("--json adds cost {asOf, region, jobs, totalMonthlyUsd}", async () => {
    const result = await plan(["--stack", "prod", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const cost = (JSON.parse(result.stdout) as { cost: CostDoc }).cost;
    assert.equal(cost.region, "eu-central-1");
    assert.match(cost.asOf, /^\d{4}-\d{2}-\d{2}$/);
    assert.deepEqual(cost.jobs.map((j) => j.job), stackInput("prod").inventory.jobs.map((j) => j.name));
    const dp = cost.jobs.find((j) => j.job === "data-processor")!;
    assert.deepEqual([dp.platform, dp.vcpu, dp.memoryMiB, dp.runsPerMonth, dp.monthlyUsd, dp.onPremMonthlyUsd], ["fargate", 2, 4096, 30.33, 1.72, 15.17]);
    const sum = cost.jobs.reduce((s, j) => s + (j.monthlyUsd ?? 0), 0);
    assert.ok(Math.abs(sum - cost.totalMonthlyUsd) < 0.011 * cost.jobs.length, "total is the sum of the jobs (to rounding)");
  });

  it("--prices replaces a region's figures with a JSON table", async () => {
    const file = tempFile(
      "prices.json",
      JSON.stringify({
        asOf: "2026-02-01",
        source: "negotiated rates",
        regions: { "eu-central-1": { fargateVcpuHour: 0.04, fargateGbHour: 0.005, fargateSpotDiscount: 0.5, ec2VcpuHour: 0.05, ec2SpotDiscount: 0.6 } },
      }),
    );
    const result = await plan(["--stack", "prod", "--json", "--prices", file]);
    assert.equal(result.code, 0, result.stderr);
    const cost = (JSON.parse(result.stdout) as { cost: CostDoc & { source: string } }).cost;
    assert.equal(cost.asOf, "2026-02-01");
    assert.equal(cost.source, "negotiated rates");
    // (2 x 0.04 + 4 x 0.005) x 0.5 h x 364/12 = 1.5167
    assert.equal(cost.jobs.find((j) => j.job === "data-processor")!.monthlyUsd, 1.52);
  });

  it("an invalid --prices file prints its problems and exits 1 with no plan", async () => {
    const file = tempFile("prices.json", JSON.stringify({ asOf: "2026-02-01", source: "x", regions: { "eu-central-1": { fargateVcpuHour: 0 } } }));
    const result = await plan(["--stack", "dev", "--prices", file]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /field "regions\.eu-central-1\.fargateVcpuHour" must be a positive price in USD/);
    const missing = await plan(["--stack", "dev", "--prices", path.join(os.tmpdir(), "no-such-prices.json")]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read the price table/);
  });
});
