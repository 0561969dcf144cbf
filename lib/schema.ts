/**
 * Turning schema-library issues into one-line problems that name the place, the field, what is wrong and the fix.
 */
import { z } from "zod";

export type Path = readonly PropertyKey[];

/** `a.b[0].c` */
export function formatPath(path: Path): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** The text of one issue, without its location. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (/received undefined/.test(issue.message)) return "is required";
      return `must be ${article(issue.expected)} (${issue.message.replace(/^Invalid input: /, "")})`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "unrecognized_keys":
      return `has unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}: check the spelling against the documented fields`;
    // Messages a schema sets itself are kept; the library's defaults are rephrased.
    case "too_small":
      return issue.origin === "array" && issue.message.startsWith("Too small") ? `must have at least ${String(issue.minimum)} item(s)` : issue.message;
    case "too_big":
      return issue.origin === "array" && issue.message.startsWith("Too big") ? `must have at most ${String(issue.maximum)} item(s)` : issue.message;
    default:
      return issue.message;
  }
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

/**
 * Formats an issue with a caller-supplied location prefix. `locate` maps the issue path to a location such as
 * `job "data-processor"` plus the remaining field path.
 */
export function formatIssue(issue: z.core.$ZodIssue, locate: (path: Path) => { where: string; field: Path }): string {
  const { where, field } = locate(issue.path);
  const fieldText = field.length > 0 ? `field "${formatPath(field)}" ` : "";
  return `${where}: ${fieldText}${describeIssue(issue)}`.replace(/\s+$/, "");
}
