/**
 * Policy configuration: defaults declared in each policy's `configSchema`, values from the policy pack config file
 * (`--policy-pack-config`), and a small validator for the JSON Schema subset the schemas here use.
 */
import type { EnforcementLevel, PolicyConfigSchema } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** One entry of a policy pack config file: a level, or a level plus the policy's own settings. */
export type PolicyConfigEntry = EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>);

/** The parsed shape of `policies/config/<stack>.json`: policy name (or `all`) to its entry. */
export type PolicyConfigFile = Record<string, PolicyConfigEntry>;

/** Anything with the `getConfig` of the policy engine's validation args. */
export interface ConfigSource {
  getConfig<T extends object>(): T;
}

/** The `default` of every property in a schema. */
export function schemaDefaults(schema: PolicyConfigSchema | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(schema?.properties ?? {})) {
    if (prop.default !== undefined) out[key] = structuredClone(prop.default);
  }
  return out;
}

/**
 * The policy's settings: its schema defaults overlaid with what the engine (or the offline evaluator) passes. The
 * engine may or may not fill defaults in itself; merging here makes the result the same either way.
 */
export function readConfig<T extends object>(schema: PolicyConfigSchema, args: ConfigSource): T {
  let given: Record<string, unknown> = {};
  try {
    given = { ...(args.getConfig<Record<string, unknown>>() ?? {}) };
  } catch {
    given = {};
  }
  delete given.enforcementLevel;
  return { ...schemaDefaults(schema), ...given } as T;
}

/** The enforcement level in a config entry, if it names one. */
export function entryLevel(entry: PolicyConfigEntry | undefined): EnforcementLevel | undefined {
  if (entry === undefined) return undefined;
  if (typeof entry === "string") return entry;
  return entry.enforcementLevel;
}

/** The settings in a config entry (everything except `enforcementLevel`). */
export function entrySettings(entry: PolicyConfigEntry | undefined): Record<string, unknown> {
  if (entry === undefined || typeof entry === "string") return {};
  const { enforcementLevel: _level, ...rest } = entry;
  return rest;
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** Problems with `value` against a (subset of) JSON Schema; empty when it conforms. */
export function validateAgainstSchema(value: unknown, schema: PolicyConfigJSONSchema, path: string): string[] {
  const problems: string[] = [];
  if (schema.type !== undefined) {
    const allowed = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = typeOf(value);
    const ok = allowed.some((t) => t === actual || (t === "number" && actual === "integer"));
    if (!ok) {
      problems.push(`${path} must be of type ${allowed.join(" or ")} (found ${actual})`);
      return problems;
    }
  }
  if (schema.enum !== undefined && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    problems.push(`${path} must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")} (found ${JSON.stringify(value)})`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${path} must be >= ${schema.minimum} (found ${value})`);
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${path} must be <= ${schema.maximum} (found ${value})`);
  }
  if (Array.isArray(value) && schema.items !== undefined && typeof schema.items === "object" && !Array.isArray(schema.items)) {
    const items = schema.items;
    value.forEach((v, i) => problems.push(...validateAgainstSchema(v, items, `${path}[${i}]`)));
  }
  if (typeOf(value) === "object" && schema.properties !== undefined) {
    const obj = value as Record<string, unknown>;
    for (const [k, sub] of Object.entries(schema.properties)) {
      if (obj[k] !== undefined && typeof sub === "object") problems.push(...validateAgainstSchema(obj[k], sub, `${path}.${k}`));
    }
  }
  return problems;
}

/** Problems with a policy's settings against its config schema (unknown keys included). */
export function validatePolicySettings(policyName: string, schema: PolicyConfigSchema | undefined, settings: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const props = schema?.properties ?? {};
  for (const [key, value] of Object.entries(settings)) {
    const prop = props[key];
    if (prop === undefined) {
      const known = Object.keys(props);
      problems.push(
        `${policyName}.${key} is not a setting of this policy (${known.length ? `settings: ${known.join(", ")}` : "it has no settings"})`,
      );
      continue;
    }
    problems.push(...validateAgainstSchema(value, prop, `${policyName}.${key}`));
  }
  return problems;
}
