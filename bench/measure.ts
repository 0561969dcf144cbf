/**
 * One measurement in a fresh process, printed as JSON: `measure.ts <program|policies|plan> <inventory file>`.
 * - program: evaluate the Pulumi program for the dev stack under the mocks
 * - policies: the same, then the policy pack over the registered resources (timed alone)
 * - plan: the whole `plan --json` command in-process
 */
import { plan } from "../cli/plan";
import { checkPolicies, defaultPolicyConfig } from "../lib/offline/policy-check";
import { PROJECT_ROOT, runProgram } from "../lib/offline/run";
import { readStackConfig } from "../lib/offline/stack-files";

async function main(): Promise<void> {
  const [what, inventory] = process.argv.slice(2);
  const stackConfig = readStackConfig(PROJECT_ROOT, "dev");
  const overrides = { "batch-migration:inventory": inventory, "batch-migration:jobOverrides": "{}", "batch-migration:maxVcpus": "64" };
  let ms: number;
  let resources = 0;
  if (what === "plan") {
    const start = performance.now();
    const result = await plan(["--stack", "dev", "--inventory", inventory, "--json"]);
    ms = performance.now() - start;
    if (result.code !== 0) throw new Error(`plan failed: ${result.stderr}`);
    resources = (JSON.parse(result.stdout) as { resources: unknown[] }).resources.length;
  } else {
    const start = performance.now();
    const run = await runProgram(stackConfig, overrides);
    ms = performance.now() - start;
    resources = run.resources.length;
    if (what === "policies") {
      const t = performance.now();
      const report = checkPolicies(run, PROJECT_ROOT, defaultPolicyConfig(PROJECT_ROOT, "dev"));
      ms = performance.now() - t;
      if (report.mandatory > 0) throw new Error(`unexpected mandatory violations: ${report.violations[0].message}`);
    }
  }
  process.stdout.write(JSON.stringify({ what, ms, resources, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + "\n");
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
