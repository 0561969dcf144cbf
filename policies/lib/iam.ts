/**
 * IAM policy documents (JSON strings or `aws.iam.PolicyDocument` objects) as lists of statements.
 */
import { asArray, asString, at, isDict, isUnknown, parseJsonProperty, plain } from "./values";

/** A list-valued statement field: the known strings, and whether any part is unknown. */
export interface StringList {
  present: boolean;
  values: string[];
  unknown: boolean;
}

export interface Statement {
  index: number;
  sid?: string;
  /** "Allow" / "Deny"; undefined when unknown or missing. */
  effect?: string;
  action: StringList;
  notAction: StringList;
  resource: StringList;
  notResource: StringList;
}

export type ParsedDocument =
  | { state: "ok"; statements: Statement[] }
  | { state: "unknown" }
  | { state: "missing" }
  | { state: "invalid"; error: string };

function stringList(v: unknown): StringList {
  if (v === undefined || v === null) return { present: false, values: [], unknown: false };
  if (isUnknown(v)) return { present: true, values: [], unknown: true };
  const items = Array.isArray(v) ? v : [v];
  const values: string[] = [];
  let unknown = false;
  for (const item of items) {
    if (isUnknown(item)) unknown = true;
    else if (typeof item === "string") values.push(item);
  }
  return { present: true, values, unknown };
}

/** Parses a policy document given as JSON text or as an object. */
export function parsePolicyDocument(doc: unknown): ParsedDocument {
  const parsed = parseJsonProperty(plain(doc));
  if (parsed.state !== "ok") return parsed;
  const raw = at(parsed.value, "Statement");
  if (isUnknown(raw)) return { state: "unknown" };
  const list = asArray(raw) ?? (isDict(raw) ? [raw] : []);
  const statements = list.map((s, index): Statement => {
    const effect = at(s, "Effect");
    return {
      index,
      sid: asString(at(s, "Sid")),
      effect: isUnknown(effect) ? undefined : asString(effect),
      action: stringList(at(s, "Action")),
      notAction: stringList(at(s, "NotAction")),
      resource: stringList(at(s, "Resource")),
      notResource: stringList(at(s, "NotResource")),
    };
  });
  return { state: "ok", statements };
}

/** "Statement 0" or "Statement "Sid"". */
export function statementLabel(s: Statement): string {
  return s.sid ? `statement ${s.index} ("${s.sid}")` : `statement ${s.index}`;
}
