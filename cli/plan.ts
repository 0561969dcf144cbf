/**
 * `npm run plan -- --stack dev [--json] [--inventory FILE] [--prices FILE]`
 *
 * The offline plan: evaluates the Pulumi program for a stack under mocks (no Pulumi CLI, no AWS credentials) and
 * prints the resources it would create, nested under their components, the stack outputs and the jobs' estimated
 * monthly compute cost (lib/cost.ts). Then it runs the policy pack over them with the stack's policy config and,
 * like `pulumi preview`, exits 1 when a mandatory policy
 * is violated. Invalid input prints every problem on stderr and exits 1, with no plan. `--graph FILE` also writes the
 * stack as a Mermaid flowchart (lib/offline/graph.ts; docs/architecture.md shows the committed stacks').
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { costJson, renderCostTable } from "../lib/cost";
import { isConfigError } from "../lib/errors";
import { priceTableFor, stackCostReport } from "../lib/offline/cost-report";
import { checkPolicies, defaultPolicyConfig, renderPolicyReport } from "../lib/offline/policy-check";
import { planJson, renderPlan } from "../lib/offline/render";
import { toMermaid } from "../lib/offline/graph";
import { PROJECT_ROOT, runProgram } from "../lib/offline/run";
import { readStackConfig } from "../lib/offline/stack-files";

const USAGE = `usage: npm run plan -- --stack <name> [--json] [--inventory FILE] [--policy-config FILE] [--prices FILE] [--graph FILE]

  --stack NAME           stack to plan (reads Pulumi.yaml and Pulumi.<NAME>.yaml)
  --json                 print one JSON object {stack, resources, outputs, violations, cost} instead of the tree
  --inventory FILE       plan another job inventory with the stack's settings
  --policy-config FILE   policy pack config (default: policies/config/<stack>.json)
  --prices FILE          JSON price table whose regions replace the built-in ones (see lib/prices.ts)
  --graph FILE           also write the stack as a Mermaid flowchart to FILE (e.g. stack.mmd)`;

export interface PlanResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the plan command; returns what it prints instead of printing, so tests can call it in-process. */
export async function plan(argv: string[]): Promise<PlanResult> {
  let values: { stack?: string; json?: boolean; inventory?: string; "policy-config"?: string; prices?: string; graph?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        stack: { type: "string" },
        json: { type: "boolean" },
        inventory: { type: "string" },
        "policy-config": { type: "string" },
        prices: { type: "string" },
        graph: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (err) {
    return { code: 2, stdout: "", stderr: `plan: ${(err as Error).message}\n${USAGE}\n` };
  }
  if (values.help) return { code: 0, stdout: `${USAGE}\n`, stderr: "" };
  if (!values.stack) return { code: 2, stdout: "", stderr: `plan: --stack is required\n${USAGE}\n` };

  try {
    const stackConfig = readStackConfig(PROJECT_ROOT, values.stack);
    const prices = priceTableFor(values.prices);
    const overrides: Record<string, string> = {};
    let note = "";
    if (values.inventory) {
      overrides[`${stackConfig.project}:inventory`] = path.resolve(values.inventory);
      // The stack's per-job overrides belong to the stack's own inventory; another inventory is planned as written.
      if (stackConfig.config[`${stackConfig.project}:jobOverrides`] !== undefined) {
        overrides[`${stackConfig.project}:jobOverrides`] = "{}";
        note = `note: the stack's jobOverrides are not applied to ${values.inventory}\n`;
      }
    }
    const run = await runProgram(stackConfig, overrides);
    const cost = stackCostReport(stackConfig, overrides, prices, PROJECT_ROOT);
    const policyConfig = values["policy-config"] ? path.resolve(values["policy-config"]) : defaultPolicyConfig(PROJECT_ROOT, values.stack);
    const policies = checkPolicies(run, PROJECT_ROOT, policyConfig);
    // Written last, so that a plan that fails leaves no graph behind.
    if (values.graph) {
      try {
        fs.writeFileSync(path.resolve(values.graph), toMermaid(run));
      } catch (err) {
        return { code: 1, stdout: "", stderr: `plan: cannot write the graph to ${values.graph}: ${(err as Error).message}\n` };
      }
      note += `graph: wrote ${values.graph}\n`;
    }
    const stdout = values.json
      ? JSON.stringify({ ...planJson(run), violations: policies.violations, cost: costJson(cost) }, null, 2)
      : `${renderPlan(run)}\n\n${renderCostTable(cost)}\n\n${renderPolicyReport(policies, run)}`;
    return { code: policies.mandatory > 0 ? 1 : 0, stdout: `${stdout}\n`, stderr: note };
  } catch (err) {
    return { code: 1, stdout: "", stderr: `${userMessage(err)}\n` };
  }
}

/** The message of an error the user can act on; anything else is an internal error worth its stack. */
function userMessage(err: unknown): string {
  if (isConfigError(err)) return err.message;
  if (err instanceof Error && (err as { __pulumiRunError?: boolean }).__pulumiRunError) return err.message;
  if (err instanceof Error) return `internal error: ${err.stack ?? err.message}`;
  return String(err);
}

if (require.main === module) {
  plan(process.argv.slice(2)).then(
    (result) => {
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      process.exitCode = result.code;
    },
    (err: unknown) => {
      process.stderr.write(`plan: ${userMessage(err)}\n`);
      process.exitCode = 1;
    },
  );
}
