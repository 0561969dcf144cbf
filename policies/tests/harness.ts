/**
 * Test helpers for policies, in the style of pulumi-policy-aws ("awsguard"): build the validation args the policy
 * engine would pass for a resource class and its props, run a policy, and assert on the violation messages.
 * Props are wrapped in the engine's unknown-checking proxy, so the policies are tested against what they receive
 * during `pulumi preview`.
 */
import * as assert from "assert";
import {
  EnforcementLevel,
  Policy,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
  unknownCheckingProxy,
} from "@pulumi/policy";
import { schemaDefaults } from "../lib/config";
import { UNKNOWN_STRING } from "../lib/values";

/** A value that is not known yet, as the engine passes it during preview. */
export const UNKNOWN = UNKNOWN_STRING;

type ResourceClass = { __pulumiType?: string } & (abstract new (...args: never[]) => unknown);

export function typeOf(resourceClass: unknown): string {
  const token = (resourceClass as { __pulumiType?: unknown }).__pulumiType;
  if (typeof token !== "string") throw new Error("not a Pulumi resource class");
  return token;
}

class NotApplicable extends Error {}

const OPTIONS: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

export interface ArgsOptions {
  name?: string;
  urn?: string;
  /** Policy settings as `getConfig()` returns them (the policy's schema defaults are merged by the policy itself). */
  config?: Record<string, unknown>;
}

/** Validation args for a resource of `resourceClass` (or a raw type token) with these props. */
export function resourceArgs(resourceClass: ResourceClass | string, props: Record<string, unknown>, opts: ArgsOptions = {}): ResourceValidationArgs {
  const type = typeof resourceClass === "string" ? resourceClass : typeOf(resourceClass);
  const name = opts.name ?? "test";
  const proxied = unknownCheckingProxy(props) as Record<string, unknown>;
  const config = opts.config ?? {};
  return {
    type,
    props: proxied,
    urn: opts.urn ?? `urn:pulumi:test::batch::${type}::${name}`,
    name,
    opts: OPTIONS,
    stackTags: new Map(),
    isType: (cls) => typeOf(cls) === type,
    asType: ((cls: unknown) => (typeOf(cls) === type ? proxied : undefined)) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => structuredClone(config) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

/** The messages a resource policy reports for these args (none when it does not apply). */
export function runResourcePolicy(policy: ResourceValidationPolicy, args: ResourceValidationArgs): string[] {
  const messages: string[] = [];
  const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  for (const validate of validations) {
    try {
      const result = validate(args, (message) => messages.push(message));
      if (result instanceof Promise) throw new Error("asynchronous policies are not expected");
    } catch (e) {
      if (!(e instanceof NotApplicable)) throw e;
    }
  }
  return messages;
}

export function assertHasViolation(policy: ResourceValidationPolicy, args: ResourceValidationArgs, substring: string): void {
  const messages = runResourcePolicy(policy, args);
  assert.ok(
    messages.some((m) => m.includes(substring)),
    `expected a "${policy.name}" violation containing ${JSON.stringify(substring)}; got ${messages.length ? messages.map((m) => `\n  - ${m}`).join("") : "none"}`,
  );
}

export function assertNoViolations(policy: ResourceValidationPolicy, args: ResourceValidationArgs): void {
  const messages = runResourcePolicy(policy, args);
  assert.deepStrictEqual(messages, [], `expected no "${policy.name}" violations`);
}

/** A resource of a stack for stack-policy tests. */
export interface StackResourceSpec {
  type: ResourceClass | string;
  name: string;
  props: Record<string, unknown>;
  urn?: string;
  parent?: string;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
  provider?: { type: string; name: string; urn: string; props: Record<string, unknown> };
}

export function urnOf(spec: { type: ResourceClass | string; name: string }): string {
  const type = typeof spec.type === "string" ? spec.type : typeOf(spec.type);
  return `urn:pulumi:test::batch::${type}::${spec.name}`;
}

/** Stack validation args over these resources (dependencies given as URNs are resolved to the resources). */
export function stackArgs(specs: StackResourceSpec[], config: Record<string, unknown> = {}): StackValidationArgs {
  const byUrn = new Map<string, PolicyResource>();
  const resources = specs.map((spec) => {
    const type = typeof spec.type === "string" ? spec.type : typeOf(spec.type);
    const proxied = unknownCheckingProxy(spec.props) as Record<string, unknown>;
    const r: PolicyResource = {
      type,
      props: proxied,
      urn: spec.urn ?? urnOf(spec),
      name: spec.name,
      opts: spec.parent ? { ...OPTIONS, parent: spec.parent } : OPTIONS,
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => typeOf(cls) === type,
      asType: ((cls: unknown) => (typeOf(cls) === type ? proxied : undefined)) as PolicyResource["asType"],
      ...(spec.provider ? { provider: spec.provider } : {}),
    };
    byUrn.set(r.urn, r);
    return r;
  });
  specs.forEach((spec, i) => {
    const resolve = (urns: string[] = []) => urns.map((u) => byUrn.get(u)).filter((r): r is PolicyResource => r !== undefined);
    resources[i].dependencies = resolve(spec.dependencies);
    for (const [k, urns] of Object.entries(spec.propertyDependencies ?? {})) resources[i].propertyDependencies[k] = resolve(urns);
    if (spec.parent) resources[i].parent = byUrn.get(spec.parent);
  });
  return {
    resources,
    stackTags: new Map(),
    getConfig: <T extends object>() => structuredClone(config) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

export interface StackViolation {
  message: string;
  urn?: string;
}

export function runStackPolicy(policy: StackValidationPolicy, args: StackValidationArgs): StackViolation[] {
  const out: StackViolation[] = [];
  try {
    const result = policy.validateStack(args, (message, urn) => out.push({ message, urn }));
    if (result instanceof Promise) throw new Error("asynchronous policies are not expected");
  } catch (e) {
    if (!(e instanceof NotApplicable)) throw e;
  }
  return out;
}

export function assertHasStackViolation(policy: StackValidationPolicy, args: StackValidationArgs, substring: string, urn?: string): void {
  const found = runStackPolicy(policy, args);
  assert.ok(
    found.some((v) => v.message.includes(substring) && (urn === undefined || v.urn === urn)),
    `expected a "${policy.name}" violation containing ${JSON.stringify(substring)}${urn ? ` on ${urn}` : ""}; got ${
      found.length ? found.map((v) => `\n  - ${v.message} (${v.urn ?? "stack"})`).join("") : "none"
    }`,
  );
}

export function assertNoStackViolations(policy: StackValidationPolicy, args: StackValidationArgs): void {
  const found = runStackPolicy(policy, args);
  assert.deepStrictEqual(found.map((v) => v.message), [], `expected no "${policy.name}" violations`);
}

/** The policy's level and settings defaults, for tests of the metadata. */
export function policyDefaults(policy: Policy): { level: EnforcementLevel | undefined; settings: Record<string, unknown> } {
  return { level: policy.enforcementLevel, settings: schemaDefaults(policy.configSchema) };
}
