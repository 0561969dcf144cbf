/**
 * A small reading of EventBridge event patterns: does a pattern admit a given value at a given path?
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
 */
import { Dict, globMatch, isDict, isUnknown } from "./values";

/** "yes": the pattern admits the value; "no": it excludes it; "unknown": a matcher this reader does not evaluate. */
export type Admits = "yes" | "no" | "unknown";

/** The matcher list at `path` (e.g. ["detail", "status"]); undefined when the pattern does not filter on it. */
export function matchersAt(pattern: Dict, path: string[]): unknown[] | undefined {
  let cur: unknown = pattern;
  for (const key of path) {
    if (!isDict(cur)) return undefined;
    cur = cur[key];
  }
  if (cur === undefined) return undefined;
  return Array.isArray(cur) ? cur : [cur];
}

function one(matcher: unknown, value: string): Admits {
  if (isUnknown(matcher)) return "unknown";
  if (typeof matcher === "string") return matcher === value ? "yes" : "no";
  if (!isDict(matcher)) return "no";
  if (typeof matcher.prefix === "string") return value.startsWith(matcher.prefix) ? "yes" : "no";
  if (typeof matcher.suffix === "string") return value.endsWith(matcher.suffix) ? "yes" : "no";
  if (typeof matcher.wildcard === "string") return globMatch(matcher.wildcard, value) ? "yes" : "no";
  if (typeof matcher["equals-ignore-case"] === "string") {
    return matcher["equals-ignore-case"].toLowerCase() === value.toLowerCase() ? "yes" : "no";
  }
  if (matcher["anything-but"] !== undefined) {
    const but = matcher["anything-but"];
    if (typeof but === "string") return but === value ? "no" : "yes";
    if (Array.isArray(but)) return but.includes(value) ? "no" : "yes";
    return "unknown";
  }
  if (matcher.exists === true) return "yes";
  if (matcher.exists === false) return "no";
  return "unknown";
}

/** Whether the matchers admit `value` (no matchers: admitted). */
export function admits(matchers: unknown[] | undefined, value: string): Admits {
  if (matchers === undefined) return "yes";
  let unknown = false;
  for (const m of matchers) {
    const r = one(m, value);
    if (r === "yes") return "yes";
    if (r === "unknown") unknown = true;
  }
  return unknown ? "unknown" : "no";
}
