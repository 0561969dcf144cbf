/**
 * Helpers of the schedule and chain specs: run the program for a committed stack (optionally with the schedule
 * test inventory), find resources, and list every input that differs between two runs.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { PlannedResource, ProgramRun } from "../../lib/offline/run";
import { PROJECT_ROOT, runProgram } from "../../lib/offline/run";
import { readStackConfig } from "../../lib/offline/stack-files";

export const FIXTURE_INVENTORY = path.join(__dirname, "..", "fixtures", "schedules.jobs.yaml");

export const TYPES = {
  schedule: "aws:scheduler/schedule:Schedule",
  group: "aws:scheduler/scheduleGroup:ScheduleGroup",
  queue: "aws:sqs/queue:Queue",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
  rule: "aws:cloudwatch/eventRule:EventRule",
  target: "aws:cloudwatch/eventTarget:EventTarget",
  role: "aws:iam/role:Role",
  jobQueue: "aws:batch/jobQueue:JobQueue",
  jobDefinition: "aws:batch/jobDefinition:JobDefinition",
} as const;

const runs = new Map<string, Promise<ProgramRun>>();

/**
 * Runs the program for a committed stack; `config` overrides keys (without the project prefix). Runs are
 * deterministic, so each stack and config is evaluated once per test process; callers must not modify the result.
 */
export function plan(stack: string, config: Record<string, string> = {}): Promise<ProgramRun> {
  const stackConfig = readStackConfig(PROJECT_ROOT, stack);
  const overrides = Object.fromEntries(Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `${stackConfig.project}:${k}`, v]));
  const key = JSON.stringify([stack, Object.entries(overrides).sort()]);
  let run = runs.get(key);
  if (!run) {
    // One run at a time: each installs its own mocks and config in the Pulumi runtime.
    const previous = [...runs.values()].pop() ?? Promise.resolve(undefined);
    run = previous.catch(() => undefined).then(() => runProgram(stackConfig, overrides));
    runs.set(key, run);
  }
  return run;
}

/** Runs the dev stack with the schedule test inventory (the dev stack's jobOverrides replaced by `jobOverrides`). */
export function planFixture(config: Record<string, string> = {}, jobOverrides: Record<string, unknown> = {}): Promise<ProgramRun> {
  return plan("dev", { inventory: FIXTURE_INVENTORY, jobOverrides: JSON.stringify(jobOverrides), ...config });
}

export function ofType(run: ProgramRun, type: string): PlannedResource[] {
  return run.resources.filter((r) => r.type === type);
}

export function named(run: ProgramRun, type: string, name: string): PlannedResource {
  const found = run.resources.find((r) => r.type === type && r.name === name);
  assert.ok(found, `no ${type} named ${name}; have: ${ofType(run, type).map((r) => r.name).join(", ")}`);
  return found;
}

export function parseJson<T = Record<string, unknown>>(value: unknown): T {
  assert.equal(typeof value, "string", `expected a JSON string, found ${JSON.stringify(value)}`);
  return JSON.parse(value as string) as T;
}

/** The one inline policy document of a role. */
export function inlinePolicy<T = Record<string, unknown>>(role: PlannedResource): T {
  const policies = role.inputs.inlinePolicies as { name: string; policy: string }[];
  assert.equal(policies.length, 1, `${role.name} should have one inline policy`);
  return parseJson<T>(policies[0].policy);
}

/**
 * Every difference between two runs: resources only in one, and each input key (and resource option, parent)
 * whose value differs, as `type name.key: before -> after`, sorted.
 */
export function differences(before: ProgramRun, after: ProgramRun): string[] {
  const a = new Map(before.resources.map((r) => [r.urn, r]));
  const b = new Map(after.resources.map((r) => [r.urn, r]));
  const out: string[] = [];
  for (const urn of new Set([...a.keys(), ...b.keys()])) {
    const ra = a.get(urn);
    const rb = b.get(urn);
    if (!ra || !rb) {
      out.push(`${urn}: ${ra ? "removed" : "added"}`);
      continue;
    }
    for (const key of new Set([...Object.keys(ra.inputs), ...Object.keys(rb.inputs)])) {
      if (!isDeepStrictEqual(ra.inputs[key], rb.inputs[key])) {
        out.push(`${ra.type} ${ra.name}.${key}: ${JSON.stringify(ra.inputs[key])} -> ${JSON.stringify(rb.inputs[key])}`);
      }
    }
    if (!isDeepStrictEqual(ra.options, rb.options)) out.push(`${ra.type} ${ra.name} options`);
    if (ra.parent !== rb.parent) out.push(`${ra.type} ${ra.name} parent`);
  }
  return out.sort();
}
