/**
 * Reads a stack's configuration the way the Pulumi CLI assembles it: the project's declared config defaults from
 * `Pulumi.yaml`, overlaid with the stack's `Pulumi.<stack>.yaml`. Used by the offline plan, which has no CLI.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { ConfigError } from "../errors";

export interface StackConfig {
  project: string;
  stack: string;
  /** Full keys (`project:key`, `aws:region`) to string values, as the Pulumi runtime holds them. */
  config: Record<string, string>;
  /** Keys whose values are secrets (`secure:` in the stack file, or `secret: true` in the project). */
  secretKeys: string[];
}

/** Placeholder for an encrypted value: the offline plan cannot decrypt, and never shows a secret. */
export const SECRET_PLACEHOLDER = "[secret]";

function toConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function readYaml(file: string): Record<string, unknown> {
  const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
  if (doc.errors.length > 0) throw new ConfigError(path.basename(file), doc.errors.map((e) => `YAML syntax: ${e.message.split("\n")[0]}`));
  const data = doc.toJS() as unknown;
  return typeof data === "object" && data !== null ? (data as Record<string, unknown>) : {};
}

/** Stacks that have a `Pulumi.<stack>.yaml` in the project directory. */
export function listStacks(root: string): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

export function readStackConfig(root: string, stack: string): StackConfig {
  const projectFile = path.join(root, "Pulumi.yaml");
  const project = readYaml(projectFile);
  const projectName = String(project.name ?? "");
  const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(stackFile)) {
    throw new ConfigError(`stack "${stack}"`, [`Pulumi.${stack}.yaml not found: known stacks are ${listStacks(root).join(", ") || "none"}`]);
  }
  const config: Record<string, string> = {};
  const secretKeys = new Set<string>();
  const fullKey = (key: string) => (key.includes(":") ? key : `${projectName}:${key}`);

  const declared = (project.config ?? {}) as Record<string, unknown>;
  for (const [key, decl] of Object.entries(declared)) {
    const k = fullKey(key);
    if (decl !== null && typeof decl === "object" && !Array.isArray(decl)) {
      const d = decl as Record<string, unknown>;
      if ("default" in d) config[k] = toConfigString(d.default);
      else if ("value" in d) config[k] = toConfigString(d.value);
      if (d.secret === true) secretKeys.add(k);
    } else if (decl !== null && decl !== undefined) {
      config[k] = toConfigString(decl);
    }
  }

  const stackData = readYaml(stackFile);
  for (const [key, value] of Object.entries((stackData.config ?? {}) as Record<string, unknown>)) {
    const k = fullKey(key);
    if (value !== null && typeof value === "object" && !Array.isArray(value) && "secure" in (value as object)) {
      config[k] = SECRET_PLACEHOLDER;
      secretKeys.add(k);
    } else {
      config[k] = toConfigString(value);
    }
  }
  return { project: projectName, stack, config, secretKeys: [...secretKeys].sort() };
}
