/**
 * Reading resource properties that may be unknown.
 *
 * During `pulumi preview` the policy engine hands a policy the resource inputs wrapped in a proxy that throws when
 * a property whose value is not yet known (an output of another resource) is read. The policies here never want
 * that: an unknown value is simply not reported on. So they read the plain object behind the proxy and treat the
 * engine's "unknown" sentinels (and the Pulumi SDK's `Unknown`/`Output` objects, which a mocked program can hand the
 * offline evaluator) as unknown.
 */

/** Sentinels the policy engine puts in place of values that are unknown during preview (see `@pulumi/policy/proxy`). */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string (also the Pulumi RPC "unknown" value)
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
  "030794c1-ac77-496b-92df-f27374a8bd58", // asset
  "e48ece36-62e2-4504-bad9-02848725956a", // archive
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/** The string sentinel: what the offline evaluator substitutes for any unknown value. */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Property the policy engine's proxy answers with the wrapped object (`getSpecialProxyTarget` in `@pulumi/policy/proxy`). */
const PROXY_TARGET = "__getSpecialProxyTarget";

export type Dict = Record<string, unknown>;

/** True when `v` stands for a value that is not known yet. */
export function isUnknown(v: unknown): boolean {
  if (typeof v === "string") return UNKNOWN_SENTINELS.has(v);
  if (v !== null && typeof v === "object") {
    const o = v as Dict;
    return o.__pulumiUnknown === true || o.__pulumiOutput === true;
  }
  return false;
}

/** The plain object behind the policy engine's unknown-checking proxy (or the value itself). */
export function plain<T>(v: T): T {
  if (v !== null && typeof v === "object") {
    const target = (v as Dict)[PROXY_TARGET];
    if (target !== undefined && target !== null && typeof target === "object") return target as T;
  }
  return v;
}

export function isDict(v: unknown): v is Dict {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !isUnknown(v);
}

/** Reads `obj.a.b.c`; undefined when a step is missing, `UNKNOWN` (the sentinel) when a step is unknown. */
export function at(obj: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = plain(obj);
  for (const key of path) {
    if (isUnknown(cur)) return UNKNOWN_STRING;
    if (cur === null || cur === undefined || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return isUnknown(cur) ? UNKNOWN_STRING : cur;
}

/** True when the value or anything inside it is unknown. */
export function containsUnknown(v: unknown, seen: Set<unknown> = new Set()): boolean {
  if (isUnknown(v)) return true;
  if (v === null || typeof v !== "object" || seen.has(v)) return false;
  seen.add(v);
  const values = Array.isArray(v) ? v : Object.values(v as Dict);
  return values.some((x) => containsUnknown(x, seen));
}

/** A short, quoted rendering of a value for "(found ...)" in messages. */
export function show(v: unknown): string {
  if (v === undefined) return "nothing";
  if (isUnknown(v)) return "an unknown value";
  if (typeof v === "string") return JSON.stringify(v);
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** The value as a number when it is a number or a numeric string; undefined otherwise. */
export function asNumber(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && !isUnknown(v)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** The value as an array (unknown arrays and non-arrays give undefined). */
export function asArray(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

/** A known, non-empty string, or undefined. */
export function asString(v: unknown): string | undefined {
  return typeof v === "string" && !isUnknown(v) ? v : undefined;
}

/** `"true"`/`true` as true, `"false"`/`false` as false, anything else undefined. */
export function asBoolean(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  return undefined;
}

/** Result of parsing a JSON string property such as `containerProperties`. */
export type Parsed<T> =
  | { state: "ok"; value: T }
  | { state: "missing" }
  | { state: "unknown" }
  | { state: "invalid"; error: string };

/** Parses a property that the provider takes as a JSON string, accepting an already-parsed object too. */
export function parseJsonProperty(v: unknown): Parsed<unknown> {
  if (v === undefined || v === null || v === "") return { state: "missing" };
  if (isUnknown(v)) return { state: "unknown" };
  if (typeof v !== "string") return { state: "ok", value: plain(v) };
  try {
    return { state: "ok", value: JSON.parse(v) as unknown };
  } catch (e) {
    return { state: "invalid", error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Matches `value` against an AWS-style pattern in which `*` stands for any run of characters (and `?` for one
 * character when `questionMark` is set). Case-sensitive unless `ignoreCase`.
 */
export function globMatch(pattern: string, value: string, opts: { ignoreCase?: boolean; questionMark?: boolean } = {}): boolean {
  const escaped = pattern
    .split("")
    .map((ch) => {
      if (ch === "*") return ".*";
      if (ch === "?" && opts.questionMark) return ".";
      return ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("");
  return new RegExp(`^${escaped}$`, opts.ignoreCase ? "is" : "s").test(value);
}

/** The type token of a Pulumi resource class, e.g. "aws:ecr/repository:Repository". */
export function typeToken(resourceClass: object): string {
  const token = (resourceClass as { __pulumiType?: unknown }).__pulumiType;
  if (typeof token !== "string" || token === "") throw new Error("resource class has no __pulumiType");
  return token;
}
