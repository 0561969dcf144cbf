/**
 * Compute prices for the cost model (`lib/cost.ts`): a dated table per region, in USD, Linux/x86, on-demand list
 * prices without Savings Plans or free tier. The offline plan prints the table's date and source next to every
 * estimate; `npm run plan -- --prices FILE` replaces or adds regions from a JSON file of the same shape.
 *
 * Where the figures come from:
 * - Fargate, us-east-1: $0.04048 per vCPU-hour and $0.004445 per GB-hour, the AWS Fargate pricing page
 *   (https://aws.amazon.com/fargate/pricing/) as quoted by several independent 2025/2026 write-ups.
 * - Fargate, eu-central-1: $0.04656 per vCPU-hour and $0.00511 per GB-hour, the same page's Frankfurt figures,
 *   not cross-checked against a second source: verify them.
 * - Fargate Spot: AWS advertises "up to 70%" off the Fargate price; the real Spot price moves. 0.70 is that
 *   upper bound, so Spot estimates are optimistic.
 * - EC2: an equivalent rate per vCPU-hour of a general-purpose instance, m6i.large (2 vCPU, 8 GiB), on-demand:
 *   $0.096/h in us-east-1 and $0.115/h in eu-central-1 (https://aws.amazon.com/ec2/pricing/on-demand/), i.e. the
 *   instance price divided by its vCPUs, with its 4 GiB per vCPU included. Batch packs jobs onto instances and
 *   keeps them a little longer than the jobs run; this rate charges a job only for its share while it runs.
 * - EC2 Spot: 0.60 off on-demand, an assumption in the range the Spot Instance Advisor shows for m6i; override it.
 */
import * as fs from "node:fs";
import { z } from "zod";
import { ConfigError } from "./errors";
import { formatIssue } from "./schema";

export interface RegionPrices {
  /** Fargate, Linux/x86, USD per vCPU-hour. */
  fargateVcpuHour: number;
  /** Fargate, Linux/x86, USD per GB-hour of memory (Fargate's GB are GiB: 2048 MiB is billed as 2 GB). */
  fargateGbHour: number;
  /** Fraction taken off the Fargate price by Fargate Spot (0.7 = 70% cheaper). */
  fargateSpotDiscount: number;
  /** EC2 on-demand, USD per vCPU-hour of a general-purpose instance. */
  ec2VcpuHour: number;
  /**
   * EC2, USD per GiB-hour when memory is priced on its own. Unset: memory is included in `ec2VcpuHour` up to
   * `ec2GibPerVcpu`, and a job that needs more memory is charged for the vCPUs an instance of that shape would need.
   */
  ec2GbHour?: number;
  /** GiB of memory per vCPU of the reference instance (4 for m6i/m7i). */
  ec2GibPerVcpu: number;
  /** Fraction taken off the EC2 price by Spot. */
  ec2SpotDiscount: number;
  /** Where these figures come from, and how sure they are. */
  note?: string;
}

export interface PriceTable {
  /** Date the figures were read, `YYYY-MM-DD`. */
  asOf: string;
  source: string;
  currency: "USD";
  regions: Record<string, RegionPrices>;
}

export const DEFAULT_PRICES: PriceTable = {
  asOf: "2026-03-01",
  source:
    "AWS Fargate pricing page (aws.amazon.com/fargate/pricing) and EC2 on-demand pricing (aws.amazon.com/ec2/pricing/on-demand), m6i.large as the EC2 reference",
  currency: "USD",
  regions: {
    "us-east-1": {
      fargateVcpuHour: 0.04048,
      fargateGbHour: 0.004445,
      fargateSpotDiscount: 0.7,
      ec2VcpuHour: 0.048,
      ec2GibPerVcpu: 4,
      ec2SpotDiscount: 0.6,
      note: "Fargate on-demand figures cross-checked against several sources; Spot discounts are assumptions",
    },
    "eu-central-1": {
      fargateVcpuHour: 0.04656,
      fargateGbHour: 0.00511,
      fargateSpotDiscount: 0.7,
      ec2VcpuHour: 0.0575,
      ec2GibPerVcpu: 4,
      ec2SpotDiscount: 0.6,
      note: "Frankfurt figures from the AWS pricing pages, not cross-checked; Spot discounts are assumptions",
    },
  },
};

const fraction = z.number().min(0, "must be a fraction between 0 and 1 (0.7 = 70% off)").max(1, "must be a fraction between 0 and 1 (0.7 = 70% off)");
const rate = z.number().positive("must be a positive price in USD");

const regionSchema = z.strictObject({
  fargateVcpuHour: rate,
  fargateGbHour: rate,
  fargateSpotDiscount: fraction,
  ec2VcpuHour: rate,
  ec2GbHour: rate.optional(),
  ec2GibPerVcpu: z.number().positive("must be the GiB per vCPU of the reference instance, e.g. 4").default(4),
  ec2SpotDiscount: fraction,
  note: z.string().optional(),
});

const tableSchema = z.strictObject({
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be the date the prices were read, YYYY-MM-DD"),
  source: z.string().min(1, "must say where the prices come from"),
  currency: z.literal("USD").default("USD"),
  regions: z.record(z.string(), regionSchema).superRefine((regions, ctx) => {
    for (const region of Object.keys(regions)) {
      if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) ctx.addIssue({ code: "custom", path: [region], message: "must be an AWS region code such as eu-central-1" });
    }
  }),
});

/** Validates a price table (e.g. parsed from a `--prices` file); throws a `ConfigError` naming every problem. */
export function parsePriceTable(data: unknown, source: string): PriceTable {
  const parsed = tableSchema.safeParse(data);
  if (!parsed.success) {
    throw new ConfigError(
      source,
      parsed.error.issues.map((issue) => formatIssue(issue, (path) => ({ where: "price table", field: path }))),
    );
  }
  return parsed.data;
}

/** Reads a JSON price table from `file`. */
export function loadPriceTable(file: string): PriceTable {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [`cannot read the price table: ${(err as Error).message}`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, [`the price table is not valid JSON: ${(err as Error).message}`]);
  }
  return parsePriceTable(data, file);
}

/** `override`'s regions replace or add to `base`'s; its date and source describe the result. */
export function mergePriceTables(base: PriceTable, override: PriceTable): PriceTable {
  return { ...override, regions: { ...base.regions, ...override.regions } };
}

/** Prices of `region`, or a `ConfigError` that names the regions the table knows and how to add one. */
export function pricesFor(table: PriceTable, region: string): RegionPrices {
  const prices = table.regions[region];
  if (!prices) {
    throw new ConfigError(`price table (${table.asOf})`, [
      `no prices for region "${region}" (known: ${Object.keys(table.regions).sort().join(", ")}): pass a JSON price table with --prices`,
    ]);
  }
  return prices;
}
