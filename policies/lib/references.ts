/**
 * Cross-resource references for stack policies: does a property value (an ARN or a name) or a recorded dependency
 * point at a given resource of the stack?
 *
 * A real `pulumi preview` gives stack policies each resource's outputs (with `arn`) and its dependencies; the
 * offline evaluator, fed by a mocked program, has only inputs and whatever ARNs the mocks produced. So a
 * reference is matched, in order, by dependency, by the target's `arn` output, and by name: the target's `name`
 * input, its logical name, or its logical name plus Pulumi's auto-name suffix, as the last segment of an ARN or as
 * the value itself.
 */
import type { PolicyResource } from "@pulumi/policy";
import { asString, Dict, isUnknown, plain } from "./values";

/** A stack resource with plain props and dependencies as URNs. */
export interface StackResource {
  type: string;
  name: string;
  urn: string;
  props: Dict;
  parent?: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
}

export function toStackResource(r: PolicyResource): StackResource {
  const propertyDependencies: Record<string, string[]> = {};
  for (const [k, deps] of Object.entries(r.propertyDependencies ?? {})) {
    propertyDependencies[k] = (deps ?? []).map((d) => d.urn);
  }
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: (plain(r.props) ?? {}) as Dict,
    parent: r.parent?.urn ?? r.opts?.parent,
    dependencies: (r.dependencies ?? []).map((d) => d.urn),
    propertyDependencies,
  };
}

/** True when `from` records a dependency on `to` (through `property`, or at all when no property is given). */
export function dependsOn(from: StackResource, to: StackResource, property?: string): boolean {
  if (property !== undefined) {
    const deps = from.propertyDependencies[property];
    if (deps !== undefined && deps.includes(to.urn)) return true;
  }
  return from.dependencies.includes(to.urn);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const candidateCache = new WeakMap<StackResource, { exact: string[]; autoNamed?: RegExp }>();

/** Names the resource may have in AWS (computed once per resource: stack rules ask for every pair). */
function candidateNames(target: StackResource): { exact: string[]; autoNamed?: RegExp } {
  const cached = candidateCache.get(target);
  if (cached !== undefined) return cached;
  const names = computeCandidateNames(target);
  candidateCache.set(target, names);
  return names;
}

function computeCandidateNames(target: StackResource): { exact: string[]; autoNamed?: RegExp } {
  const exact: string[] = [];
  const given = asString(target.props.name);
  if (given !== undefined && given !== "") exact.push(given);
  exact.push(target.name);
  const prefix = asString(target.props.namePrefix);
  const autoNamed =
    given === undefined
      ? new RegExp(`^(${escapeRe(target.name)}-[0-9a-f]{7}${prefix ? `|${escapeRe(prefix)}.+` : ""})$`)
      : undefined;
  return { exact, autoNamed };
}

/**
 * How `value` relates to `target`: "yes" when it names it, "no" when it names something else, "unknown" when the
 * value is not known yet (preview) or missing.
 *
 * @param arnKind the resource part of the target's ARN before the name, e.g. "compute-environment", "job-queue".
 */
export function refersTo(value: unknown, target: StackResource, arnKind?: string): "yes" | "no" | "unknown" {
  if (value === undefined || value === null || isUnknown(value)) return "unknown";
  const text = asString(value);
  if (text === undefined) return "unknown";
  if (text === asString(target.props.arn)) return "yes";
  const name = referencedName(text, arnKind);
  if (name === undefined) return "no";
  const { exact, autoNamed } = candidateNames(target);
  if (exact.includes(name)) return "yes";
  if (autoNamed !== undefined && autoNamed.test(name)) return "yes";
  return "no";
}

/**
 * The resource name a reference carries: the name part of an ARN of the given kind (without a job definition's
 * revision), or the text itself; undefined for an ARN of another kind.
 */
export function referencedName(text: string, arnKind?: string): string | undefined {
  if (!text.startsWith("arn:")) return text;
  const resource = text.split(":").slice(5).join(":");
  const slash = resource.indexOf("/");
  if (slash < 0) return undefined;
  if (arnKind !== undefined && resource.slice(0, slash) !== arnKind) return undefined;
  const name = resource.slice(slash + 1);
  return arnKind === "job-definition" ? name.replace(/:\d+$/, "") : name;
}

/** The names each resource may have in AWS, for finding the resource a reference names without a scan. */
export function indexByName(resources: StackResource[]): Map<string, StackResource[]> {
  const index = new Map<string, StackResource[]>();
  for (const r of resources) {
    for (const name of candidateNames(r).exact) index.set(name, [...(index.get(name) ?? []), r]);
  }
  return index;
}
