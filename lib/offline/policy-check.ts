/**
 * Runs the policy pack over an offline plan, as `pulumi preview --policy-pack policies
 * --policy-pack-config policies/config/<stack>.json` does over a real one, and renders the verdicts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluatePolicies, PolicyConfigFile, Violation } from "../../policies/evaluate";
import { ConfigError } from "../errors";
import type { ProgramRun } from "./run";

export interface PolicyReport {
  /** The policy config file applied, relative to the project root; undefined when the pack's defaults apply. */
  configFile?: string;
  violations: Violation[];
  mandatory: number;
  advisory: number;
}

/** The stack's policy config file (`policies/config/<stack>.json`) when it exists. */
export function defaultPolicyConfig(root: string, stack: string): string | undefined {
  const file = path.join(root, "policies", "config", `${stack}.json`);
  return fs.existsSync(file) ? file : undefined;
}

export function checkPolicies(run: ProgramRun, root: string, configFile?: string): PolicyReport {
  let config: PolicyConfigFile = {};
  if (configFile) {
    try {
      config = JSON.parse(fs.readFileSync(configFile, "utf8")) as PolicyConfigFile;
    } catch (err) {
      throw new ConfigError(configFile, [`cannot read the policy pack config: ${(err as Error).message}`]);
    }
  }
  const violations = evaluatePolicies(run.resources, { config });
  return {
    configFile: configFile ? path.relative(root, configFile) || configFile : undefined,
    violations,
    mandatory: violations.filter((v) => v.level === "mandatory").length,
    advisory: violations.filter((v) => v.level === "advisory").length,
  };
}

/** Violations grouped by resource, like the policy section of `pulumi preview`. */
export function renderPolicyReport(report: PolicyReport, run: ProgramRun): string {
  const source = report.configFile ? `config ${report.configFile}` : "default enforcement levels";
  const lines = [`Policies: aws-batch-migration (${source}): ${report.mandatory} mandatory, ${report.advisory} advisory violation(s)`];
  const byResource = new Map<string, Violation[]>();
  for (const v of report.violations) {
    const list = byResource.get(v.resource);
    if (list) list.push(v);
    else byResource.set(v.resource, [v]);
  }
  const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
  for (const [resource, list] of byResource) {
    const r = byUrn.get(resource);
    lines.push(`    ${r ? `${r.type}  ${r.name}` : resource}`);
    for (const v of list) lines.push(`      [${v.level}] ${v.policy}: ${v.message}`);
  }
  return lines.join("\n");
}
