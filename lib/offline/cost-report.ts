/**
 * The offline plan's cost section: the stack's jobs (its inventory with its per-job overrides, as the program reads
 * them) priced with the default price table, or with a JSON table given by `--prices` layered over it.
 */
import * as path from "node:path";
import { CostReport, estimateCosts } from "../cost";
import { loadInventory } from "../inventory";
import { DEFAULT_PRICES, loadPriceTable, mergePriceTables, PriceTable } from "../prices";
import { parseSettings } from "../settings";
import type { StackConfig } from "./stack-files";

/** The default table, or `file`'s regions over it. Throws a `ConfigError` for an unreadable or invalid file. */
export function priceTableFor(file?: string): PriceTable {
  return file === undefined ? DEFAULT_PRICES : mergePriceTables(DEFAULT_PRICES, loadPriceTable(path.resolve(file)));
}

/** Cost report of a stack's config (with the same overrides the plan applies to the program). */
export function stackCostReport(stackConfig: StackConfig, overrides: Record<string, string>, prices: PriceTable, root: string): CostReport {
  const config = { ...stackConfig.config, ...overrides };
  const prefix = `${stackConfig.project}:`;
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
  const settings = parseSettings(raw, { project: stackConfig.project, stack: stackConfig.stack, region: config["aws:region"] });
  const inventory = loadInventory(path.resolve(root, settings.inventory), settings.jobOverrides);
  return estimateCosts(inventory.jobs, prices, settings.region);
}
