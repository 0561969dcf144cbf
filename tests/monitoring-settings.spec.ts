/**
 * The stack settings Monitoring reads: `alertEmails` and `monthlyBudgetUsd`, their defaults, the committed
 * stacks' values, and each rule's message.
 */
import * as assert from "node:assert/strict";
import { ConfigError } from "../lib/errors";
import { parseSettings } from "../lib/settings";
import { stackInput } from "./helpers/stack-inventory";

const ctx = { project: "batch-migration", stack: "test", region: "eu-central-1" };
const minimal = { environment: "test", owner: "team-a" };

/** Asserts that exactly one problem is reported and that it contains every fragment (the key, the field, the fix). */
function expectProblem(raw: Record<string, unknown>, ...fragments: string[]): void {
  const found = problems(raw);
  assert.equal(found.length, 1, found.join("\n"));
  for (const fragment of fragments) assert.ok(found[0].includes(fragment), `expected "${fragment}" in: ${found[0]}`);
}

function problems(raw: Record<string, unknown>): string[] {
  try {
    parseSettings({ ...minimal, ...raw }, ctx);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return [...err.problems];
  }
  return assert.fail("expected a ConfigError");
}

describe("monitoring settings", () => {
  it("default to no e-mail and a 100 USD budget", () => {
    const s = parseSettings(minimal, ctx);
    assert.deepEqual(s.alertEmails, []);
    assert.equal(s.monthlyBudgetUsd, 100);
  });

  it("read values as Pulumi stores them (JSON list, number as text)", () => {
    const s = parseSettings({ ...minimal, alertEmails: '["a@example.com","b@example.org"]', monthlyBudgetUsd: "250" }, ctx);
    assert.deepEqual(s.alertEmails, ["a@example.com", "b@example.org"]);
    assert.equal(s.monthlyBudgetUsd, 250);
  });

  it("are set in the committed stacks", () => {
    assert.deepEqual(stackInput("dev").settings.alertEmails, ["batch-alerts-dev@example.com"]);
    assert.equal(stackInput("dev").settings.monthlyBudgetUsd, 60);
    assert.equal(stackInput("prod").settings.alertEmails.length, 2);
    assert.equal(stackInput("prod").settings.monthlyBudgetUsd, 300);
  });

  it("refuse an address that is not an e-mail address, naming its position", () => {
    expectProblem({ alertEmails: ["ops@example.com", "not-an-address"] }, "batch-migration:alertEmails", "[1]", "must be an e-mail address such as ops@example.com");
  });

  it("refuse the same address twice, in any case", () => {
    expectProblem({ alertEmails: ["ops@example.com", "OPS@example.com"] }, "batch-migration:alertEmails", 'lists "OPS@example.com" twice: remove one');
  });

  it("refuse a single address instead of a list", () => {
    expectProblem({ alertEmails: "ops@example.com" }, "batch-migration:alertEmails", "must be an array");
  });

  it("refuse a budget below 1 USD, a fraction, text or an absurd amount", () => {
    expectProblem({ monthlyBudgetUsd: 0 }, "batch-migration:monthlyBudgetUsd", "must be a whole number of USD, at least 1");
    expectProblem({ monthlyBudgetUsd: "12.5" }, "batch-migration:monthlyBudgetUsd", "must be a whole number");
    expectProblem({ monthlyBudgetUsd: "lots" }, "batch-migration:monthlyBudgetUsd", "must be a whole number");
    expectProblem({ monthlyBudgetUsd: 2_000_000 }, "batch-migration:monthlyBudgetUsd", "must be at most 1000000 USD");
  });
});
