/**
 * The committed stacks' settings and inventory (with the stack's per-job overrides), read the way the program
 * reads them, so tests can derive their expectations from the inventory instead of repeating it.
 */
import * as path from "node:path";
import { Inventory, loadInventory } from "../../lib/inventory";
import { PROJECT_ROOT } from "../../lib/offline/run";
import { readStackConfig } from "../../lib/offline/stack-files";
import { parseSettings, Settings } from "../../lib/settings";

export function stackInput(stack: string): { settings: Settings; inventory: Inventory } {
  const config = readStackConfig(PROJECT_ROOT, stack);
  const prefix = `${config.project}:`;
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config.config)) if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
  const settings = parseSettings(raw, { project: config.project, stack, region: config.config["aws:region"] });
  return { settings, inventory: loadInventory(path.resolve(PROJECT_ROOT, settings.inventory), settings.jobOverrides) };
}
