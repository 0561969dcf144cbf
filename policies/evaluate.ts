/**
 * Offline evaluation of the policy pack: runs the policies over a list of planned resources (e.g. those a mocked
 * Pulumi program registered) the way the policy engine runs them during `pulumi preview`, without the Pulumi CLI
 * and without constructing the PolicyPack (which would start the analyzer's gRPC server).
 *
 * What it reproduces: every resource policy runs against every resource (a validation typed for another resource
 * type is skipped, as the engine does), every stack policy runs once over all resources; enforcement levels come
 * from the config file (`<policy>` entry, then `all`, then the policy's default); settings are the config file's
 * values over the policy's `configSchema` defaults; `disabled` skips a policy; a violation of a `remediate` policy is
 * reported as `mandatory` (as the engine does for a validation). Values that are not known yet (Pulumi `Unknown` or
 * `Output` objects, or the engine's unknown sentinels) are wrapped like the engine wraps them, and a policy that
 * trips over one is skipped for that resource instead of reported.
 */
import {
  EnforcementLevel,
  Policies,
  Policy,
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
  unknownCheckingProxy,
  UnknownValueError,
} from "@pulumi/policy";
import { allPolicies } from "./all";
import {
  ENFORCEMENT_LEVELS,
  entryLevel,
  entrySettings,
  PolicyConfigEntry,
  PolicyConfigFile,
  schemaDefaults,
  validatePolicySettings,
} from "./lib/config";
import { UNKNOWN_STRING } from "./lib/values";

export type { PolicyConfigEntry, PolicyConfigFile } from "./lib/config";

/** A resource as a plan (or a mocked program) knows it. */
export interface PlannedResource {
  /** Type token, e.g. "aws:batch/jobDefinition:JobDefinition". */
  type: string;
  /** Logical name. */
  name: string;
  urn: string;
  /** Resource inputs (Pulumi input property names). */
  inputs: Record<string, unknown>;
  /** URN of the parent resource. */
  parent?: string;
  /** URNs of the resources this one depends on. */
  dependencies?: string[];
  /** Input property name to the URNs it depends on. */
  propertyDependencies?: Record<string, string[]>;
}

export interface Violation {
  policy: string;
  level: "advisory" | "mandatory" | "remediate";
  /** URN of the resource in violation (its name when it has no URN); "stack" for a stack-wide violation. */
  resource: string;
  message: string;
}

export interface EvaluateOptions {
  /** The parsed policy pack config file (`policies/config/<stack>.json`). */
  config?: PolicyConfigFile;
  /** Policies to run instead of the whole pack. */
  policies?: Policies;
  /** Stack tags as the engine passes them to policies. */
  stackTags?: Record<string, string>;
}

/** Thrown by `notApplicable()`; caught by the evaluator. */
class NotApplicable extends Error {
  constructor(reason?: string) {
    super(reason ?? "not applicable");
  }
}

function throwNotApplicable(reason?: string): never {
  throw new NotApplicable(reason);
}

const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Plain data the policies can read: Pulumi `Unknown`/`Output` values become the engine's unknown sentinel, secret
 * wrappers give their value, resources give their URN when known, undefined members are dropped.
 */
export function normalizeInputs(value: unknown, seen: Map<unknown, unknown> = new Map()): unknown {
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return seen.get(value);
  const o = value as Record<string, unknown>;
  if (o.__pulumiUnknown === true || o.__pulumiOutput === true) return UNKNOWN_STRING;
  if (o.__pulumiResource === true) return UNKNOWN_STRING;
  if (o[SPECIAL_SIG_KEY] === SECRET_SIG) return normalizeInputs(o.value, seen);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const v of value) out.push(normalizeInputs(v, seen));
    return out;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [k, v] of Object.entries(o)) {
    if (v !== undefined) out[k] = normalizeInputs(v, seen);
  }
  return out;
}

/** Problems with a config file: unknown policy names, invalid levels, settings that do not fit a schema. */
export function validateConfigFile(config: PolicyConfigFile, policies: Policies = allPolicies): string[] {
  const problems: string[] = [];
  const byName = new Map(policies.map((p) => [p.name, p]));
  for (const [name, entry] of Object.entries(config)) {
    const policy = byName.get(name);
    if (name !== "all" && policy === undefined) {
      problems.push(`"${name}" is not a policy of the pack`);
      continue;
    }
    if (typeof entry !== "string" && (entry === null || typeof entry !== "object" || Array.isArray(entry))) {
      problems.push(`"${name}" must be an enforcement level or an object`);
      continue;
    }
    const level = entryLevel(entry);
    if (level !== undefined && !ENFORCEMENT_LEVELS.includes(level)) {
      problems.push(`"${name}" enforcement level must be one of ${ENFORCEMENT_LEVELS.join(", ")} (found ${JSON.stringify(level)})`);
    }
    const settings = entrySettings(entry);
    if (name === "all") {
      if (Object.keys(settings).length > 0) problems.push(`"all" takes only an enforcementLevel`);
      continue;
    }
    problems.push(...validatePolicySettings(name, policy?.configSchema, settings));
  }
  return problems;
}

/** The level a policy runs at under `config`: its own entry, then `all`, then its default, then advisory. */
export function effectiveLevel(policy: Policy, config: PolicyConfigFile = {}): EnforcementLevel {
  return entryLevel(config[policy.name]) ?? entryLevel(config.all) ?? policy.enforcementLevel ?? "advisory";
}

/** The settings a policy receives from `getConfig()` under `config`: schema defaults overlaid by the file. */
export function effectiveSettings(policy: Policy, config: PolicyConfigFile = {}): Record<string, unknown> {
  return { ...schemaDefaults(policy.configSchema), ...entrySettings(config[policy.name] as PolicyConfigEntry | undefined) };
}

function isResourcePolicy(p: Policy): p is ResourceValidationPolicy {
  return (p as ResourceValidationPolicy).validateResource !== undefined;
}

function isStackPolicy(p: Policy): p is StackValidationPolicy {
  return typeof (p as StackValidationPolicy).validateStack === "function";
}

function typeOfClass(resourceClass: unknown): string | undefined {
  const token = (resourceClass as { __pulumiType?: unknown } | undefined)?.__pulumiType;
  return typeof token === "string" ? token : undefined;
}

function resourceOptions(parent?: string): PolicyResourceOptions {
  return {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(parent !== undefined ? { parent } : {}),
  };
}

/**
 * Runs one validation. Not applicable (the resource is of another type) and unknown values (preview) end it quietly;
 * any other error is rethrown naming the policy and the resource.
 */
function run(policy: string, target: string, fn: () => unknown): void {
  try {
    const result = fn();
    if (result !== null && typeof result === "object" && typeof (result as Promise<void>).then === "function") {
      throw new Error(`policy "${policy}" returned a promise: the offline evaluator runs synchronous policies only`);
    }
  } catch (e) {
    if (e instanceof NotApplicable || e instanceof UnknownValueError) return;
    const message = e instanceof Error ? e.message : String(e);
    throw new Error(`policy "${policy}" failed on ${target}: ${message}`, { cause: e });
  }
}

/**
 * Runs the pack's policies (or `options.policies`) over `resources` and returns the violations, in policy order
 * and then resource order.
 */
export function evaluatePolicies(resources: PlannedResource[], options: EvaluateOptions = {}): Violation[] {
  const policies = options.policies ?? allPolicies;
  const config = options.config ?? {};
  const problems = validateConfigFile(config, policies);
  if (problems.length > 0) throw new Error(`invalid policy pack config: ${problems.join("; ")}`);
  const stackTags: ReadonlyMap<string, string> = new Map(Object.entries(options.stackTags ?? {}));

  const planned = resources.map((r) => ({ resource: r, props: normalizeInputs(r.inputs ?? {}) as Record<string, unknown> }));
  const stackUrn = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "stack";
  const violations: Violation[] = [];

  for (const policy of policies) {
    const configured = effectiveLevel(policy, config);
    if (configured === "disabled") continue;
    const level: Violation["level"] = configured === "remediate" ? "mandatory" : configured;
    const settings = effectiveSettings(policy, config);
    const getConfig = <T extends object>(): T => structuredClone(settings) as T;

    if (isResourcePolicy(policy) && policy.validateResource !== undefined) {
      const validations: ResourceValidation[] = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
      for (const { resource, props } of planned) {
        const id = resource.urn || resource.name;
        const report: ReportViolation = (message) => violations.push({ policy: policy.name, level, resource: id, message });
        for (const validate of validations) {
          const only = typeOfClass(validate);
          if (only !== undefined && only !== resource.type) continue;
          const proxied = unknownCheckingProxy(props) as Record<string, unknown>;
          const args: ResourceValidationArgs = {
            type: resource.type,
            props: proxied,
            urn: resource.urn,
            name: resource.name,
            opts: resourceOptions(resource.parent),
            stackTags,
            isType: (cls) => typeOfClass(cls) === resource.type,
            asType: ((cls: unknown) => (typeOfClass(cls) === resource.type ? proxied : undefined)) as ResourceValidationArgs["asType"],
            getConfig,
            notApplicable: throwNotApplicable,
          };
          run(policy.name, id, () => validate(args, report));
        }
      }
    }

    if (isStackPolicy(policy)) {
      const byUrn = new Map<string, PolicyResource>();
      const stackResources: PolicyResource[] = planned.map(({ resource, props }) => {
        const proxied = unknownCheckingProxy(props) as Record<string, unknown>;
        const r: PolicyResource = {
          type: resource.type,
          props: proxied,
          urn: resource.urn,
          name: resource.name,
          opts: resourceOptions(resource.parent),
          dependencies: [],
          propertyDependencies: {},
          isType: (cls) => typeOfClass(cls) === resource.type,
          asType: ((cls: unknown) => (typeOfClass(cls) === resource.type ? proxied : undefined)) as PolicyResource["asType"],
        };
        byUrn.set(resource.urn, r);
        return r;
      });
      planned.forEach(({ resource }, i) => {
        const r = stackResources[i];
        const parent = resource.parent !== undefined ? byUrn.get(resource.parent) : undefined;
        if (parent !== undefined) r.parent = parent;
        r.dependencies = (resource.dependencies ?? []).map((u) => byUrn.get(u)).filter((d): d is PolicyResource => d !== undefined);
        for (const [prop, urns] of Object.entries(resource.propertyDependencies ?? {})) {
          r.propertyDependencies[prop] = urns.map((u) => byUrn.get(u)).filter((d): d is PolicyResource => d !== undefined);
        }
      });
      const args: StackValidationArgs = { resources: stackResources, stackTags, getConfig, notApplicable: throwNotApplicable };
      const report: ReportViolation = (message, urn) =>
        violations.push({ policy: policy.name, level, resource: urn ?? stackUrn, message });
      run(policy.name, "the stack", () => policy.validateStack(args, report));
    }
  }
  return violations;
}
