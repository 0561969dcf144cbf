/**
 * The cost model against hand-computed cases: the guide's two jobs as the committed stacks size them
 * (data-processor: 2 vCPU / 4 GB / 30 min / daily at 02:00, 1 vCPU / 2 GB in dev; report-generator: 1 vCPU / 2 GB /
 * 15 min / 07:00 and 19:00, on Fargate Spot), every platform, chained and incomplete jobs, and the price table.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CostInput, costJson, costPerRun, estimateCosts, hourlyRate, renderCostTable } from "../lib/cost";
import { ConfigError } from "../lib/errors";
import { DEFAULT_PRICES, loadPriceTable, mergePriceTables, parsePriceTable, PriceTable, pricesFor, RegionPrices } from "../lib/prices";
import { stackInput } from "./helpers/stack-inventory";

/** Round figures, so every expected value below can be checked by hand. */
const P: RegionPrices = {
  fargateVcpuHour: 0.04,
  fargateGbHour: 0.005,
  fargateSpotDiscount: 0.7,
  ec2VcpuHour: 0.05,
  ec2GibPerVcpu: 4,
  ec2SpotDiscount: 0.6,
};
const TABLE: PriceTable = { asOf: "2026-01-15", source: "test figures", currency: "USD", regions: { "eu-central-1": P } };

/** EventBridge Scheduler in Europe/Berlin: 02:00 does not exist on the last Sunday of March (364 runs in 2025). */
const DAILY_AT_2_BERLIN = 364 / 12;
/** 07:00 and 19:00 always exist: 730 runs. */
const TWICE_DAILY_BERLIN = 730 / 12;

const job = (overrides: Partial<CostInput> & { name: string }): CostInput => ({
  platform: "fargate",
  vcpu: 1,
  memory: 2048,
  timezone: "UTC",
  enabled: true,
  ...overrides,
});

function close(actual: number | undefined, expected: number, what: string): void {
  assert.ok(actual !== undefined, `${what} is missing`);
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: expected ${expected}, got ${actual}`);
}

function expectConfigError(fn: () => unknown, expected: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigError, String(err));
    assert.ok(err.problems.some((p) => p.includes(expected)), `expected "${expected}" in:\n${err.problems.join("\n")}`);
    return true;
  });
}

describe("cost model: the guide's jobs as the committed stacks size them", () => {
  const prod = stackInput("prod").inventory.jobs;
  const dev = stackInput("dev").inventory.jobs;
  const find = (jobs: CostInput[], name: string) => jobs.find((j) => j.name === name)!;

  it("reads the sizes, schedules and durations of jobs.yaml and the dev overrides", () => {
    const dp = find(prod, "data-processor");
    assert.deepEqual([dp.platform, dp.vcpu, dp.memory, dp.typicalDurationMinutes, dp.schedule, dp.timezone, dp.onPremCostPerRun], ["fargate", 2, 4096, 30, "0 2 * * *", "Europe/Berlin", 0.5]);
    const rg = find(prod, "report-generator");
    assert.deepEqual([rg.platform, rg.vcpu, rg.memory, rg.typicalDurationMinutes, rg.schedule, rg.onPremCostPerRun], ["fargate-spot", 1, 2048, 15, "0 7,19 * * *", 0.25]);
    const dpDev = find(dev, "data-processor");
    assert.deepEqual([dpDev.vcpu, dpDev.memory], [1, 2048]);
  });

  it("data-processor, prod: (2 x 0.04 + 4 x 0.005) x 0.5 h = $0.05 per run, 364/12 runs", () => {
    const r = estimateCosts([find(prod, "data-processor")], TABLE, "eu-central-1").jobs[0];
    close(r.costPerRunUsd, 0.05, "cost per run");
    close(r.runsPerMonth, DAILY_AT_2_BERLIN, "runs per month");
    close(r.monthlyUsd, 0.05 * DAILY_AT_2_BERLIN, "monthly"); // $1.5167
    close(r.onPremMonthlyUsd, 0.5 * DAILY_AT_2_BERLIN, "on-prem monthly"); // $15.17
    close(r.savingPercent, 90, "saving"); // 1 - 0.05 / 0.50
    assert.equal(r.runsFrom, "schedule");
  });

  it("data-processor, dev override 1 vCPU / 2 GB: $0.025 per run", () => {
    const r = estimateCosts([find(dev, "data-processor")], TABLE, "eu-central-1").jobs[0];
    close(r.costPerRunUsd, (0.04 + 2 * 0.005) * 0.5, "cost per run");
    close(r.monthlyUsd, 0.025 * DAILY_AT_2_BERLIN, "monthly");
    close(r.savingPercent, 95, "saving");
  });

  it("report-generator on Fargate Spot: (0.04 + 2 x 0.005) x 0.3 x 0.25 h = $0.00375 per run, 730/12 runs", () => {
    const r = estimateCosts([find(prod, "report-generator")], TABLE, "eu-central-1").jobs[0];
    close(r.costPerRunUsd, 0.00375, "cost per run");
    close(r.runsPerMonth, TWICE_DAILY_BERLIN, "runs per month");
    close(r.monthlyUsd, 0.00375 * TWICE_DAILY_BERLIN, "monthly"); // $0.2281
    close(r.onPremMonthlyUsd, 0.25 * TWICE_DAILY_BERLIN, "on-prem monthly");
    close(r.savingPercent, 98.5, "saving");
    assert.ok(r.notes.some((n) => /Spot price assumed/.test(n)));
  });

  it("totals the two jobs and compares like for like", () => {
    const both = [find(prod, "data-processor"), find(prod, "report-generator")];
    const report = estimateCosts(both, TABLE, "eu-central-1");
    const aws = 0.05 * DAILY_AT_2_BERLIN + 0.00375 * TWICE_DAILY_BERLIN;
    const onPrem = 0.5 * DAILY_AT_2_BERLIN + 0.25 * TWICE_DAILY_BERLIN;
    close(report.totalMonthlyUsd, aws, "total");
    close(report.totalOnPremMonthlyUsd, onPrem, "on-prem total");
    close(report.totalSavingPercent, (1 - aws / onPrem) * 100, "total saving");
    assert.deepEqual(report.incomplete, []);
  });

  it("with the default table: $1.72 and $0.26 a month in eu-central-1 (prod)", () => {
    const both = [find(prod, "data-processor"), find(prod, "report-generator")];
    const json = costJson(estimateCosts(both, DEFAULT_PRICES, "eu-central-1")) as { jobs: { monthlyUsd: number }[]; totalMonthlyUsd: number };
    // (2 x 0.04656 + 4 x 0.00511) x 0.5 x 364/12 and (0.04656 + 2 x 0.00511) x 0.3 x 0.25 x 730/12
    assert.deepEqual(json.jobs.map((j) => j.monthlyUsd), [1.72, 0.26]);
    assert.equal(json.totalMonthlyUsd, 1.98);
  });
});

describe("cost model: platforms and billing", () => {
  it("Fargate: vCPU-hours plus GB-hours; Spot takes the discount off", () => {
    close(hourlyRate("fargate", 0.25, 512, P), 0.25 * 0.04 + 0.5 * 0.005, "0.25 vCPU / 0.5 GB");
    close(hourlyRate("fargate-spot", 1, 2048, P), 0.05 * 0.3, "Spot");
  });

  it("EC2: the reference instance's vCPU rate, with 4 GiB per vCPU included", () => {
    close(hourlyRate("ec2", 2, 4096, P), 0.1, "2 vCPU / 4 GiB: memory within the included share");
    close(hourlyRate("ec2", 1, 16384, P), 4 * 0.05, "1 vCPU / 16 GiB: priced as the 4 vCPUs an instance with 16 GiB has");
    close(hourlyRate("ec2-spot", 2, 4096, P), 0.1 * 0.4, "Spot");
  });

  it("EC2 with a separate memory rate when the table has one", () => {
    close(hourlyRate("ec2", 2, 4096, { ...P, ec2GbHour: 0.006 }), 2 * 0.05 + 4 * 0.006, "vCPU + GiB");
  });

  it("Fargate bills at least one minute, EC2 by the second", () => {
    close(costPerRun(job({ name: "a" }), 0.25, P), 0.05 / 60, "Fargate, 15 s billed as 1 min");
    close(costPerRun(job({ name: "a", platform: "ec2" }), 0.25, P), (0.05 * 0.25) / 60, "EC2, 15 s");
  });
});

describe("cost model: runs and missing figures", () => {
  it("a chained job runs as often as the schedule at the head of its chain", () => {
    const jobs = [
      job({ name: "extract", schedule: "0 * * * *", typicalDurationMinutes: 6 }),
      job({ name: "transform", after: "extract", typicalDurationMinutes: 12 }),
      job({ name: "load", after: "transform", typicalDurationMinutes: 3 }),
    ];
    const report = estimateCosts(jobs, TABLE, "eu-central-1");
    const load = report.jobs[2];
    close(load.runsPerMonth, (365 * 24) / 12, "runs of the head's hourly schedule");
    assert.equal(load.runsFrom, "upstream");
    assert.equal(load.upstream, "extract");
    assert.match(load.notes.join(" "), /runs after "extract": at most as often as its schedule/);
    assert.match(renderCostTable(report), /\* runs of the upstream job's schedule/);
  });

  it("says so instead of inventing a duration or a schedule", () => {
    const report = estimateCosts(
      [
        job({ name: "no-duration", schedule: "0 1 * * *" }),
        job({ name: "by-hand", typicalDurationMinutes: 10 }),
        job({ name: "orphan", after: "by-hand", typicalDurationMinutes: 10 }),
        job({ name: "counted", schedule: "0 1 * * *", typicalDurationMinutes: 60 }),
      ],
      TABLE,
      "eu-central-1",
    );
    const [noDuration, byHand, orphan, counted] = report.jobs;
    assert.equal(noDuration.monthlyUsd, undefined);
    assert.match(noDuration.notes.join(" "), /no "typicalDurationMinutes" in the inventory: cost per run unknown/);
    assert.equal(byHand.runsPerMonth, undefined);
    assert.match(byHand.notes.join(" "), /no schedule \(started by hand or by another system\): runs per month unknown/);
    assert.match(orphan.notes.join(" "), /runs after "by-hand", whose chain has no schedule/);
    assert.deepEqual(report.incomplete, ["no-duration", "by-hand", "orphan"]);
    close(report.totalMonthlyUsd, counted.monthlyUsd!, "the total counts only complete jobs");
    const text = renderCostTable(report);
    assert.match(text, /not in the total: no-duration, by-hand, orphan/);
    assert.match(text, /\n {4}by-hand\s+fargate\s+\?\s+10 min/);
  });

  it("counts no runs for a job disabled in the stack", () => {
    const r = estimateCosts([job({ name: "off", schedule: "0 1 * * *", typicalDurationMinutes: 5, enabled: false })], TABLE, "eu-central-1").jobs[0];
    assert.equal(r.runsPerMonth, 0);
    assert.equal(r.monthlyUsd, 0);
    assert.equal(r.runsFrom, "disabled");
  });

  it("renders a table with one row per job and a total", () => {
    const text = renderCostTable(estimateCosts(stackInput("prod").inventory.jobs, TABLE, "eu-central-1"));
    assert.match(text, /^Estimated monthly compute cost in eu-central-1, prices as of 2026-01-15 \(test figures\)/);
    assert.match(text, /\n {4}Job\s+Platform\s+Runs\/month\s+Duration\s+vCPU\s+Memory\s+Monthly\s+On-prem\s+Saving\n/);
    assert.match(text, /\n {4}data-processor\s+fargate\s+30\.3\s+30 min\s+2\s+4096 MiB\s+\$1\.52\s+\$15\.17\s+90%\n/);
    assert.match(text, /\n {4}report-generator\s+fargate-spot\s+60\.8\s+15 min\s+1\s+2048 MiB\s+\$0\.23\s+\$15\.21\s+99%\n/);
    assert.match(text, /\n {4}Total\s+\$\d+\.\d\d/);
  });
});

describe("price table", () => {
  it("is dated, sourced and has the stacks' region", () => {
    assert.match(DEFAULT_PRICES.asOf, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(DEFAULT_PRICES.source.includes("aws.amazon.com/fargate/pricing"));
    assert.deepEqual(pricesFor(DEFAULT_PRICES, "eu-central-1"), DEFAULT_PRICES.regions["eu-central-1"]);
    assert.equal(parsePriceTable(DEFAULT_PRICES, "default").asOf, DEFAULT_PRICES.asOf);
  });

  it("names the known regions for a region it has no prices for", () => {
    expectConfigError(() => estimateCosts([], DEFAULT_PRICES, "ap-south-2"), 'no prices for region "ap-south-2" (known: eu-central-1, us-east-1): pass a JSON price table with --prices');
  });

  it("rejects a table with bad figures, naming each", () => {
    const bad = {
      asOf: "March 2026",
      source: "",
      regions: { "eu-west-1": { fargateVcpuHour: -1, fargateGbHour: 0.005, fargateSpotDiscount: 1.5, ec2VcpuHour: 0.05, ec2SpotDiscount: 0.6, extra: 1 } },
    };
    expectConfigError(() => parsePriceTable(bad, "prices.json"), 'price table: field "asOf" must be the date the prices were read, YYYY-MM-DD');
    expectConfigError(() => parsePriceTable(bad, "prices.json"), 'price table: field "source" must say where the prices come from');
    expectConfigError(() => parsePriceTable(bad, "prices.json"), 'price table: field "regions.eu-west-1.fargateVcpuHour" must be a positive price in USD');
    expectConfigError(() => parsePriceTable(bad, "prices.json"), 'field "regions.eu-west-1.fargateSpotDiscount" must be a fraction between 0 and 1 (0.7 = 70% off)');
    expectConfigError(() => parsePriceTable(bad, "prices.json"), 'has unknown field "extra"');
    expectConfigError(() => parsePriceTable({ ...DEFAULT_PRICES, regions: { Frankfurt: P } }, "prices.json"), "must be an AWS region code such as eu-central-1");
  });

  it("loads a JSON file and adds or replaces regions", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prices-"));
    const file = path.join(dir, "prices.json");
    fs.writeFileSync(file, JSON.stringify(TABLE));
    const merged = mergePriceTables(DEFAULT_PRICES, loadPriceTable(file));
    assert.equal(merged.asOf, "2026-01-15");
    assert.equal(merged.regions["eu-central-1"].fargateVcpuHour, 0.04);
    assert.equal(merged.regions["us-east-1"].fargateVcpuHour, DEFAULT_PRICES.regions["us-east-1"].fargateVcpuHour);
    fs.writeFileSync(file, "{ not json");
    expectConfigError(() => loadPriceTable(file), "the price table is not valid JSON");
    expectConfigError(() => loadPriceTable(path.join(dir, "missing.json")), "cannot read the price table");
  });
});
