/**
 * Monthly compute cost of each job, estimated from what the inventory says about it: vCPU, memory, the typical
 * duration of a run and how often its schedule fires (`runsPerMonth`), priced for the job's platform with a dated
 * price table (`lib/prices.ts`). Pure: the offline plan prints the result next to the resource tree.
 *
 * What the estimate covers: the vCPU and memory a job reserves while it runs, billed per second (Fargate bills at
 * least one minute). What it leaves out: image pull and start-up time (Fargate bills from the image pull), retries,
 * Spot interruptions and the on-demand fallback of Spot queues, EC2 instances kept warm between jobs, ephemeral
 * storage above 20 GiB, and everything around the jobs (NAT gateways, endpoints, logs, KMS, the dashboard): the
 * stack's budget (`monthlyBudgetUsd`) watches the real bill, tags included.
 */
import { runsPerMonth } from "./cron";
import { isFargatePlatform, type JobSpec, type Platform } from "./inventory";
import { PriceTable, pricesFor, RegionPrices } from "./prices";

export type CostInput = Pick<
  JobSpec,
  "name" | "platform" | "vcpu" | "memory" | "schedule" | "timezone" | "typicalDurationMinutes" | "onPremCostPerRun" | "enabled" | "after"
>;

export interface JobCost {
  job: string;
  platform: Platform;
  vcpu: number;
  /** MiB */
  memory: number;
  /** Average runs per month; undefined when the job has no schedule and no upstream job with one. */
  runsPerMonth?: number;
  /** Where `runsPerMonth` comes from. */
  runsFrom: "schedule" | "upstream" | "disabled" | "unknown";
  /** The job whose schedule sets the runs of a chained job. */
  upstream?: string;
  durationMinutes?: number;
  /** Compute cost of one run, USD. */
  costPerRunUsd?: number;
  /** Compute cost per month, USD; undefined when runs or duration are unknown. */
  monthlyUsd?: number;
  /** On-premise cost per month from `onPremCostPerRun`, USD. */
  onPremMonthlyUsd?: number;
  /** How much cheaper than on-premise, percent (negative: more expensive). */
  savingPercent?: number;
  /** Why a figure is missing or what it assumes. */
  notes: string[];
}

export interface CostReport {
  asOf: string;
  source: string;
  region: string;
  jobs: JobCost[];
  /** Sum of the jobs with a monthly figure. */
  totalMonthlyUsd: number;
  /** Sum of the on-premise figures of the jobs that have both figures, for a like-for-like saving. */
  totalOnPremMonthlyUsd?: number;
  totalSavingPercent?: number;
  /** Jobs left out of the total because a figure is missing. */
  incomplete: string[];
}

/** Cost of reserving `vcpu` and `memory` MiB for one hour on `platform`, USD. */
export function hourlyRate(platform: Platform, vcpu: number, memoryMiB: number, prices: RegionPrices): number {
  const gib = memoryMiB / 1024;
  switch (platform) {
    case "fargate":
    case "fargate-spot": {
      const onDemand = vcpu * prices.fargateVcpuHour + gib * prices.fargateGbHour;
      return platform === "fargate" ? onDemand : onDemand * (1 - prices.fargateSpotDiscount);
    }
    case "ec2":
    case "ec2-spot": {
      const onDemand =
        prices.ec2GbHour !== undefined
          ? vcpu * prices.ec2VcpuHour + gib * prices.ec2GbHour
          : Math.max(vcpu, gib / prices.ec2GibPerVcpu) * prices.ec2VcpuHour;
      return platform === "ec2" ? onDemand : onDemand * (1 - prices.ec2SpotDiscount);
    }
  }
}

/** Cost of one run of `durationMinutes`, USD; Fargate bills at least one minute. */
export function costPerRun(job: Pick<CostInput, "platform" | "vcpu" | "memory">, durationMinutes: number, prices: RegionPrices): number {
  const billedMinutes = isFargatePlatform(job.platform) ? Math.max(1, durationMinutes) : durationMinutes;
  return (hourlyRate(job.platform, job.vcpu, job.memory, prices) * billedMinutes) / 60;
}

/** Runs per month of a job: its own schedule, or the schedule at the head of its `after` chain. */
function runsOf(job: CostInput, byName: Map<string, CostInput>): Pick<JobCost, "runsPerMonth" | "runsFrom" | "upstream"> & { note?: string } {
  if (!job.enabled) return { runsPerMonth: 0, runsFrom: "disabled", note: "disabled in this stack: no runs" };
  if (job.schedule) return { runsPerMonth: runsPerMonth(job.schedule, job.timezone), runsFrom: "schedule" };
  const seen = new Set<string>([job.name]);
  let current = job.after !== undefined ? byName.get(job.after) : undefined;
  while (current) {
    if (seen.has(current.name)) break;
    seen.add(current.name);
    if (!current.enabled) {
      return { runsPerMonth: 0, runsFrom: "disabled", upstream: current.name, note: `runs after "${current.name}", which is disabled in this stack` };
    }
    if (current.schedule) {
      return {
        runsPerMonth: runsPerMonth(current.schedule, current.timezone),
        runsFrom: "upstream",
        upstream: current.name,
        note: `runs after "${current.name}": at most as often as its schedule (only when it succeeds)`,
      };
    }
    current = current.after !== undefined ? byName.get(current.after) : undefined;
  }
  return {
    runsFrom: "unknown",
    note: job.after !== undefined ? `runs after "${job.after}", whose chain has no schedule: runs per month unknown` : "no schedule (started by hand or by another system): runs per month unknown",
  };
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Estimates every job's monthly compute cost in `region`. Throws a `ConfigError` for a region without prices. */
export function estimateCosts(jobs: readonly CostInput[], table: PriceTable, region: string): CostReport {
  const prices = pricesFor(table, region);
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const results: JobCost[] = jobs.map((job) => {
    const notes: string[] = [];
    const runs = runsOf(job, byName);
    if (runs.note) notes.push(runs.note);
    const duration = job.typicalDurationMinutes;
    if (duration === undefined) notes.push('no "typicalDurationMinutes" in the inventory: cost per run unknown');
    if (job.platform.endsWith("spot")) notes.push("Spot price assumed; the queue's on-demand fallback costs more");
    const perRun = duration !== undefined ? costPerRun(job, duration, prices) : undefined;
    const monthly = perRun !== undefined && runs.runsPerMonth !== undefined ? perRun * runs.runsPerMonth : undefined;
    const onPrem = job.onPremCostPerRun !== undefined && runs.runsPerMonth !== undefined ? job.onPremCostPerRun * runs.runsPerMonth : undefined;
    if (job.onPremCostPerRun === undefined) notes.push('no "onPremCostPerRun" in the inventory: no comparison');
    const saving = monthly !== undefined && onPrem !== undefined && onPrem > 0 ? (1 - monthly / onPrem) * 100 : undefined;
    return {
      job: job.name,
      platform: job.platform,
      vcpu: job.vcpu,
      memory: job.memory,
      runsPerMonth: runs.runsPerMonth,
      runsFrom: runs.runsFrom,
      upstream: runs.upstream,
      durationMinutes: duration,
      costPerRunUsd: perRun,
      monthlyUsd: monthly,
      onPremMonthlyUsd: onPrem,
      savingPercent: saving,
      notes,
    };
  });
  const complete = results.filter((r) => r.monthlyUsd !== undefined);
  const total = complete.reduce((sum, r) => sum + r.monthlyUsd!, 0);
  const comparable = complete.filter((r) => r.onPremMonthlyUsd !== undefined);
  const onPremTotal = comparable.length > 0 ? comparable.reduce((sum, r) => sum + r.onPremMonthlyUsd!, 0) : undefined;
  const awsComparable = comparable.reduce((sum, r) => sum + r.monthlyUsd!, 0);
  return {
    asOf: table.asOf,
    source: table.source,
    region,
    jobs: results,
    totalMonthlyUsd: total,
    totalOnPremMonthlyUsd: onPremTotal,
    totalSavingPercent: onPremTotal !== undefined && onPremTotal > 0 ? (1 - awsComparable / onPremTotal) * 100 : undefined,
    incomplete: results.filter((r) => r.monthlyUsd === undefined).map((r) => r.job),
  };
}

/** The report as JSON for `plan --json`: figures rounded to cents (per run: to 1/10000 USD). */
export function costJson(report: CostReport): Record<string, unknown> {
  const usd = (v: number | undefined, digits = 2) => (v === undefined ? null : round(v, digits));
  return {
    asOf: report.asOf,
    source: report.source,
    region: report.region,
    currency: "USD",
    jobs: report.jobs.map((j) => ({
      job: j.job,
      platform: j.platform,
      vcpu: j.vcpu,
      memoryMiB: j.memory,
      runsPerMonth: j.runsPerMonth === undefined ? null : round(j.runsPerMonth, 2),
      runsFrom: j.runsFrom,
      upstream: j.upstream ?? null,
      durationMinutes: j.durationMinutes ?? null,
      costPerRunUsd: usd(j.costPerRunUsd, 4),
      monthlyUsd: usd(j.monthlyUsd),
      onPremMonthlyUsd: usd(j.onPremMonthlyUsd),
      savingPercent: j.savingPercent === undefined ? null : round(j.savingPercent, 1),
      notes: j.notes,
    })),
    totalMonthlyUsd: round(report.totalMonthlyUsd, 2),
    totalOnPremMonthlyUsd: usd(report.totalOnPremMonthlyUsd),
    totalSavingPercent: report.totalSavingPercent === undefined ? null : round(report.totalSavingPercent, 1),
    incomplete: report.incomplete,
  };
}

/** Text table of the report, for the offline plan. */
export function renderCostTable(report: CostReport): string {
  const money = (v: number | undefined) => (v === undefined ? "-" : `$${v.toFixed(2)}`);
  const header = ["Job", "Platform", "Runs/month", "Duration", "vCPU", "Memory", "Monthly", "On-prem", "Saving"];
  const rows = report.jobs.map((j) => [
    j.job,
    j.platform,
    j.runsPerMonth === undefined ? "?" : `${j.runsPerMonth.toFixed(1)}${j.runsFrom === "upstream" ? "*" : ""}`,
    j.durationMinutes === undefined ? "?" : `${j.durationMinutes} min`,
    String(j.vcpu),
    `${j.memory} MiB`,
    money(j.monthlyUsd),
    money(j.onPremMonthlyUsd),
    j.savingPercent === undefined ? "-" : `${j.savingPercent.toFixed(0)}%`,
  ]);
  const total = [
    "Total",
    "",
    "",
    "",
    "",
    "",
    money(report.totalMonthlyUsd),
    money(report.totalOnPremMonthlyUsd),
    report.totalSavingPercent === undefined ? "-" : `${report.totalSavingPercent.toFixed(0)}%`,
  ];
  const all = [header, ...rows, total];
  const numeric = new Set([2, 4, 6, 7, 8]);
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: string[]) => `    ${r.map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("  ")}`.trimEnd();
  const out = [
    `Estimated monthly compute cost in ${report.region}, prices as of ${report.asOf} (${report.source}):`,
    "",
    line(header),
    ...rows.map(line),
    line(total),
  ];
  const notes = report.jobs.flatMap((j) => j.notes.map((n) => `${j.job}: ${n}`));
  if (report.jobs.some((j) => j.runsFrom === "upstream")) notes.unshift("* runs of the upstream job's schedule");
  if (report.incomplete.length > 0) notes.push(`not in the total: ${report.incomplete.join(", ")}`);
  notes.push("compute only, per-second billing of the reserved vCPU and memory: NAT gateways, endpoints, logs and retries are extra");
  out.push("", ...notes.map((n) => `    - ${n}`));
  return out.join("\n");
}
