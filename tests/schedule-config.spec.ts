/**
 * The configuration behind schedules: the stack settings for retries (declared in Pulumi.yaml, validated by
 * lib/settings.ts) and the inventory's `flexibleWindowMinutes`, with one test per rule asserting its message.
 */
import * as assert from "node:assert/strict";
import { ConfigError } from "../lib/errors";
import { validateInventory } from "../lib/inventory";
import { PROJECT_ROOT } from "../lib/offline/run";
import { readStackConfig } from "../lib/offline/stack-files";
import { parseSettings } from "../lib/settings";

const ctx = { project: "batch-migration", stack: "test", region: "eu-west-1" };
const minimal = { environment: "test", owner: "team-a" };

/** Asserts exactly one problem, naming `field` and ending with `message`. */
function assertOneProblem(found: string[], field: string, message: string): void {
  assert.equal(found.length, 1, found.join("\n"));
  assert.ok(found[0].includes(field), `${found[0]} should name ${field}`);
  assert.ok(found[0].endsWith(message), `${found[0]} should end with ${message}`);
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return [...err.problems];
  }
  return [];
}

describe("schedule settings", () => {
  it("default to retrying for an hour, 3 times", () => {
    assert.deepEqual(parseSettings(minimal, ctx).scheduleRetry, { maxEventAgeSeconds: 3600, retryAttempts: 3 });
  });

  it("are declared in Pulumi.yaml with the same defaults", () => {
    const { config } = readStackConfig(PROJECT_ROOT, "dev");
    assert.equal(config["batch-migration:scheduleMaxEventAgeSeconds"], "3600");
    assert.equal(config["batch-migration:scheduleRetryAttempts"], "3");
  });

  it("read values as Pulumi stores them, including the limits", () => {
    assert.deepEqual(parseSettings({ ...minimal, scheduleMaxEventAgeSeconds: "60", scheduleRetryAttempts: "0" }, ctx).scheduleRetry, {
      maxEventAgeSeconds: 60,
      retryAttempts: 0,
    });
    assert.deepEqual(parseSettings({ ...minimal, scheduleMaxEventAgeSeconds: 86400, scheduleRetryAttempts: 185 }, ctx).scheduleRetry, {
      maxEventAgeSeconds: 86400,
      retryAttempts: 185,
    });
  });

  it("refuses a maximum event age outside 60-86400 seconds", () => {
    for (const value of ["59", "86401"]) {
      const found = problems(() => parseSettings({ ...minimal, scheduleMaxEventAgeSeconds: value }, ctx));
      assertOneProblem(found, '"batch-migration:scheduleMaxEventAgeSeconds"', "must be 60-86400 seconds (EventBridge limits)");
    }
  });

  it("refuses retry attempts outside 0-185", () => {
    for (const value of ["-1", "186"]) {
      const found = problems(() => parseSettings({ ...minimal, scheduleRetryAttempts: value }, ctx));
      assertOneProblem(found, '"batch-migration:scheduleRetryAttempts"', "must be 0-185 (EventBridge limits)");
    }
  });
});

describe("inventory: flexibleWindowMinutes", () => {
  const job = (fields: Record<string, unknown>) => ({
    jobs: [{ name: "nightly", image: "public.ecr.aws/docker/library/python:3.12-slim", vcpu: 1, memory: 2048, timeout: "10m", user: "1000", ...fields }],
  });

  it("is absent by default and read when given", () => {
    assert.equal(validateInventory(job({ schedule: "0 2 * * *" }), "jobs.yaml").jobs[0].flexibleWindowMinutes, undefined);
    assert.equal(validateInventory(job({ schedule: "0 2 * * *", flexibleWindowMinutes: 1440 }), "jobs.yaml").jobs[0].flexibleWindowMinutes, 1440);
  });

  it("must be 1-1440 whole minutes", () => {
    for (const value of [0, 1441]) {
      const found = problems(() => validateInventory(job({ schedule: "0 2 * * *", flexibleWindowMinutes: value }), "jobs.yaml"));
      assertOneProblem(found, 'job "nightly": field "flexibleWindowMinutes"', "must be 1-1440 minutes (EventBridge Scheduler's flexible time window)");
    }
    const found = problems(() => validateInventory(job({ schedule: "0 2 * * *", flexibleWindowMinutes: 2.5 }), "jobs.yaml"));
    assertOneProblem(found, 'job "nightly": field "flexibleWindowMinutes"', "(whole minutes, e.g. 15)");
  });

  it("needs a schedule", () => {
    const found = problems(() => validateInventory(job({ flexibleWindowMinutes: 10 }), "jobs.yaml"));
    assertOneProblem(found, 'job "nightly": field "flexibleWindowMinutes"', "applies to a schedule, but the job has none: add a schedule or remove flexibleWindowMinutes");
  });
});
