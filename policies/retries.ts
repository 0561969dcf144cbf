/**
 * Retry strategies of AWS Batch job definitions.
 *
 * AWS Batch evaluates `evaluateOnExit` entries in order and applies the first whose conditions all match; when none
 * matches, the job is RETRIED. A strategy therefore needs a last entry that matches everything with action EXIT, or
 * every application failure (bad input, a bug) is re-run until the attempts run out. Infrastructure failures (the
 * Spot or EC2 host going away: status reason "Host EC2 (instance i-...) terminated.") are the ones worth retrying.
 * https://docs.aws.amazon.com/batch/latest/userguide/job_retries.html
 */
import * as aws from "@pulumi/aws";
import { PolicyConfigSchema, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { readConfig } from "./lib/config";
import { asArray, asNumber, asString, at, isUnknown, show } from "./lib/values";

/** AWS limits: 1-10 attempts, up to 5 evaluateOnExit entries. */
export const MAX_ATTEMPTS = 10;
export const MAX_EVALUATE_ON_EXIT = 5;

/** A status reason AWS Batch reports when the instance under a job goes away. */
export const HOST_FAILURE_STATUS_REASON = "Host EC2 (instance i-0123456789abcdef0) terminated.";

const REASON_PATTERN = /^[A-Za-z0-9.: \t]{0,511}\*?$/;
const EXIT_CODE_PATTERN = /^[0-9]{0,511}\*?$/;

type Field = "onStatusReason" | "onReason" | "onExitCode";
const FIELDS: Field[] = ["onStatusReason", "onReason", "onExitCode"];

interface Condition {
  index: number;
  action: string | undefined;
  /** Given conditions (known values only). */
  on: Partial<Record<Field, string>>;
  unknown: boolean;
}

function readConditions(list: unknown[]): Condition[] {
  return list.map((entry, index) => {
    const action = at(entry, "action");
    const on: Partial<Record<Field, string>> = {};
    let unknown = isUnknown(action);
    for (const f of FIELDS) {
      const v = at(entry, f);
      if (isUnknown(v)) unknown = true;
      else if (typeof v === "string" && v !== "") on[f] = v;
    }
    return { index, action: asString(action)?.toUpperCase(), on, unknown };
  });
}

/** A pattern that ends in `*` matches by prefix; otherwise exactly. */
function patternMatches(pattern: string, value: string | undefined): boolean {
  if (pattern === "*") return true;
  if (value === undefined) return false;
  return pattern.endsWith("*") ? value.startsWith(pattern.slice(0, -1)) : value === pattern;
}

function matchesEverything(c: Condition): boolean {
  const given = Object.values(c.on);
  return given.length > 0 && given.every((v) => v === "*");
}

function matchesHostFailure(c: Condition): boolean {
  const given = FIELDS.filter((f) => c.on[f] !== undefined);
  if (given.length === 0) return false;
  return given.every((f) => patternMatches(c.on[f] as string, f === "onStatusReason" ? HOST_FAILURE_STATUS_REASON : undefined));
}

function describe(c: Condition): string {
  const parts = FIELDS.filter((f) => c.on[f] !== undefined).map((f) => `${f}: ${JSON.stringify(c.on[f])}`);
  return `{ action: ${JSON.stringify(c.action ?? "")}${parts.length ? ", " + parts.join(", ") : ""} }`;
}

const retrySchema: PolicyConfigSchema = {
  properties: {
    minAttempts: {
      type: "integer",
      minimum: 1,
      maximum: MAX_ATTEMPTS,
      default: 2,
      description: "Smallest allowed retryStrategy.attempts (AWS allows 1-10).",
    },
  },
};

interface RetryConfig {
  minAttempts: number;
}

export const jobRetryStrategy: ResourceValidationPolicy = {
  name: "job-retry-strategy",
  description:
    "Job definitions must have a retryStrategy with at least 2 attempts (configurable) whose evaluateOnExits retry infrastructure " +
    "failures (action RETRY on onStatusReason 'Host EC2*') and end with a catch-all EXIT (e.g. onReason '*'), in at most 5 " +
    "entries. Without the final EXIT, AWS Batch retries every failure, including application errors.",
  enforcementLevel: "mandatory",
  configSchema: retrySchema,
  validateResource: validateResourceOfType(aws.batch.JobDefinition, (jd, args, report) => {
    const cfg = readConfig<RetryConfig>(retrySchema, args);
    const subject = `Job definition "${args.name}"`;
    const strategy = at(jd, "retryStrategy");
    if (isUnknown(strategy)) return;
    const example =
      `e.g. retryStrategy: { attempts: ${Math.max(cfg.minAttempts, 3)}, evaluateOnExits: [{ action: "RETRY", onStatusReason: "Host EC2*" }, ` +
      `{ action: "EXIT", onReason: "*" }] }`;
    if (strategy === undefined || strategy === null) {
      report(`${subject} must set a retryStrategy (found nothing). Add one that retries host failures and exits on anything else, ${example}.`);
      return;
    }

    const attemptsRaw = at(strategy, "attempts");
    if (!isUnknown(attemptsRaw)) {
      const attempts = asNumber(attemptsRaw);
      if (attempts === undefined || !Number.isInteger(attempts) || attempts < cfg.minAttempts) {
        report(
          `${subject} retryStrategy.attempts must be at least ${cfg.minAttempts} (found ${show(attemptsRaw)}), ` +
            `so that a job lost with its host runs again. Set attempts between ${cfg.minAttempts} and ${MAX_ATTEMPTS}.`,
        );
      } else if (attempts > MAX_ATTEMPTS) {
        report(`${subject} retryStrategy.attempts must be at most ${MAX_ATTEMPTS} (found ${attempts}), the AWS Batch limit.`);
      }
    }

    const exitsRaw = at(strategy, "evaluateOnExits");
    if (isUnknown(exitsRaw)) return;
    const list = asArray(exitsRaw) ?? [];
    if (list.length === 0) {
      report(
        `${subject} retryStrategy.evaluateOnExits must retry host failures and end with a catch-all EXIT (found ${show(exitsRaw)}); ` +
          `without it every failure is retried. Add ${example.replace(/^e\.g\. /, "")}.`,
      );
      return;
    }
    if (list.length > MAX_EVALUATE_ON_EXIT) {
      report(
        `${subject} retryStrategy.evaluateOnExits must have at most ${MAX_EVALUATE_ON_EXIT} entries (found ${list.length}), the AWS Batch limit. ` +
          `Merge conditions with trailing '*' patterns.`,
      );
    }
    const conditions = readConditions(list);
    if (conditions.some((c) => c.unknown)) return;

    for (const c of conditions) {
      const where = `${subject} retryStrategy.evaluateOnExits[${c.index}]`;
      if (c.action !== "RETRY" && c.action !== "EXIT") {
        report(`${where}.action must be "RETRY" or "EXIT" (found ${show(at(list[c.index], "action"))}).`);
      }
      if (Object.keys(c.on).length === 0) {
        report(`${where} must set onStatusReason, onReason or onExitCode (found ${describe(c)}).`);
      }
      for (const f of FIELDS) {
        const v = c.on[f];
        if (v === undefined) continue;
        const ok = f === "onExitCode" ? EXIT_CODE_PATTERN.test(v) : REASON_PATTERN.test(v);
        if (!ok) {
          report(
            `${where}.${f} must be a pattern AWS Batch accepts (found ${JSON.stringify(v)}): ` +
              (f === "onExitCode"
                ? "digits, optionally ending with '*'."
                : "letters, digits, '.', ':' and spaces, optionally ending with '*' (e.g. \"Host EC2*\")."),
          );
        }
      }
    }

    const last = conditions[conditions.length - 1];
    if (!(last.action === "EXIT" && matchesEverything(last))) {
      report(
        `${subject} retryStrategy.evaluateOnExits must end with a catch-all EXIT such as { action: "EXIT", onReason: "*" } ` +
          `(found last entry ${describe(last)}); when no entry matches, AWS Batch retries the job, so application errors are re-run.`,
      );
    }
    conditions.slice(0, -1).forEach((c) => {
      if (matchesEverything(c)) {
        report(
          `${subject} retryStrategy.evaluateOnExits[${c.index}] must not match every failure before the last entry (found ${describe(c)}); ` +
            `the entries after it never apply. Keep the catch-all last.`,
        );
      }
    });

    const firstForHost = conditions.find(matchesHostFailure);
    if (firstForHost === undefined || firstForHost.action !== "RETRY") {
      report(
        `${subject} retryStrategy.evaluateOnExits must retry infrastructure failures with { action: "RETRY", onStatusReason: "Host EC2*" } ` +
          `before any other entry that matches them (found ${firstForHost ? `${describe(firstForHost)} first` : "no entry matching a host failure"}).`,
      );
    }
  }),
};

export const retryPolicies: ResourceValidationPolicy[] = [jobRetryStrategy];
