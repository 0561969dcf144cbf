/**
 * Test helpers around the offline program run: evaluate a committed stack (optionally with config overrides)
 * under the shared mocks, then find resources by type and name.
 */
import * as assert from "node:assert/strict";
import { PlannedResource, PROJECT_ROOT, ProgramRun, runProgram } from "../../lib/offline/run";
import { readStackConfig } from "../../lib/offline/stack-files";

export async function planStack(stack: string, overrides: Record<string, string> = {}): Promise<ProgramRun> {
  return runProgram(readStackConfig(PROJECT_ROOT, stack), overrides);
}

export function ofType(run: ProgramRun, type: string): PlannedResource[] {
  return run.resources.filter((r) => r.type === type);
}

export function resource(run: ProgramRun, type: string, name: string): PlannedResource {
  const found = run.resources.find((r) => r.type === type && r.name === name);
  assert.ok(found, `no ${type} named ${name}; have: ${ofType(run, type).map((r) => r.name).join(", ")}`);
  return found;
}

/** Parses a JSON-string input (container properties, policy documents, event patterns). */
export function jsonInput<T = Record<string, unknown>>(r: PlannedResource, key: string): T {
  const value = r.inputs[key];
  assert.equal(typeof value, "string", `${r.name}.${key} should be a JSON string`);
  return JSON.parse(value as string) as T;
}

export const T = {
  vpc: "awsx:ec2:Vpc",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  repo: "aws:ecr/repository:Repository",
  lifecycle: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
  ce: "aws:batch/computeEnvironment:ComputeEnvironment",
  queue: "aws:batch/jobQueue:JobQueue",
  jobDef: "aws:batch/jobDefinition:JobDefinition",
  role: "aws:iam/role:Role",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
} as const;
