/**
 * Compute sizing of AWS Batch job definitions: `resourceRequirements` rather than the deprecated `vcpus`/`memory`
 * fields, and vCPU/memory pairs that Fargate accepts.
 */
import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { describeMemory, FARGATE_MEMORY_BY_VCPU } from "./lib/fargate";
import { containerSubject, JobContainer, jobContainers, jobPlatform } from "./lib/jobDefinition";
import { asArray, asNumber, asString, at, isUnknown, show } from "./lib/values";

/** The values of a container's `resourceRequirements`, by type (VCPU, MEMORY, GPU). */
export interface Requirements {
  /** Raw values by upper-cased type. */
  values: Map<string, unknown>;
  /** True when the list or an entry is unknown. */
  unknown: boolean;
  /** True when `resourceRequirements` is present as a list. */
  present: boolean;
}

export function readRequirements(container: JobContainer): Requirements {
  const raw = container.props.resourceRequirements;
  const values = new Map<string, unknown>();
  if (isUnknown(raw)) return { values, unknown: true, present: true };
  const list = asArray(raw);
  if (list === undefined) return { values, unknown: false, present: false };
  let unknown = false;
  for (const entry of list) {
    const type = at(entry, "type");
    const value = at(entry, "value");
    if (isUnknown(type) || isUnknown(value)) {
      unknown = true;
      continue;
    }
    const t = asString(type)?.toUpperCase();
    if (t !== undefined) values.set(t, value);
  }
  return { values, unknown, present: true };
}

const EXAMPLE = `resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "2048" }]`;

export const jobResourceRequirements: ResourceValidationPolicy = {
  name: "job-resource-requirements",
  description:
    "Job containers must size themselves with resourceRequirements (VCPU and MEMORY) and not the deprecated 'vcpus'/'memory' " +
    "fields, which Fargate rejects and AWS no longer documents; the container properties must be valid JSON.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.batch.JobDefinition, (jd, args, report) => {
    const parsed = jobContainers(jd);
    if (parsed.state === "invalid") {
      report(`Job definition "${args.name}" ${parsed.property} must be valid JSON (found a parse error: ${parsed.error}). Build it with JSON.stringify.`);
      return;
    }
    if (parsed.state !== "ok") return;
    const platform = jobPlatform(jd);
    for (const container of parsed.containers) {
      const subject = containerSubject(args.name, container, parsed.containers);
      for (const field of ["vcpus", "memory"] as const) {
        const v = container.props[field];
        if (v !== undefined && v !== null) {
          report(
            `${subject} must not use the deprecated "${field}" field (found ${field}: ${show(v)}). ` +
              `Move the value into resourceRequirements, e.g. ${EXAMPLE}.`,
          );
        }
      }
      // ECS-style containers may leave sizing to the task; node and single containers must size themselves.
      if (container.where.startsWith("ecsProperties")) continue;
      const req = readRequirements(container);
      if (req.unknown) continue;
      for (const type of ["VCPU", "MEMORY"]) {
        const raw = req.values.get(type);
        if (raw === undefined) {
          report(`${subject} resourceRequirements must include ${type} (found ${show(container.props.resourceRequirements)}). Use ${EXAMPLE}.`);
          continue;
        }
        const n = asNumber(raw);
        if (n === undefined || n <= 0) {
          report(`${subject} resourceRequirements ${type} must be a positive number written as a string (found ${show(raw)}), e.g. ${EXAMPLE}.`);
          continue;
        }
        if (platform === "EC2" && type === "VCPU" && !Number.isInteger(n)) {
          report(`${subject} resourceRequirements VCPU must be a whole number on EC2 (found ${show(raw)}). Fractional vCPUs exist only on Fargate.`);
        }
        if (type === "MEMORY" && n < 4) {
          report(`${subject} resourceRequirements MEMORY must be at least 4 MiB (found ${show(raw)}).`);
        }
      }
    }
  }),
};

export const jobFargateResourceSizes: ResourceValidationPolicy = {
  name: "job-fargate-resource-sizes",
  description:
    "Fargate job definitions must request a vCPU/memory pair Fargate offers (0.25 vCPU: 512, 1024 or 2048 MiB; 0.5: 1024-4096; " +
    "1: 2048-8192; 2: 4096-16384; 4: 8192-30720, in 1024 steps; 8: 16384-61440 in 4096 steps; 16: 32768-122880 in 8192 steps; " +
    "32: 61440, 122880 or 249856) and no GPU; " +
    "other pairs fail at job submission, not at deployment.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.batch.JobDefinition, (jd, args, report) => {
    if (jobPlatform(jd) !== "FARGATE") return;
    const parsed = jobContainers(jd);
    if (parsed.state !== "ok") return;
    for (const container of parsed.containers.filter((c) => c.single)) {
      const subject = containerSubject(args.name, container, parsed.containers);
      const req = readRequirements(container);
      if (req.unknown) continue;
      if (req.values.has("GPU")) {
        report(`${subject} must not request a GPU on Fargate (found GPU ${show(req.values.get("GPU"))}). Run GPU jobs on an EC2 compute environment.`);
      }
      const vcpu = asNumber(req.values.get("VCPU"));
      const memory = asNumber(req.values.get("MEMORY"));
      if (vcpu === undefined || memory === undefined) continue; // reported by job-resource-requirements
      const allowed = FARGATE_MEMORY_BY_VCPU.get(vcpu);
      if (allowed === undefined) {
        report(
          `${subject} VCPU must be one Fargate offers: ${[...FARGATE_MEMORY_BY_VCPU.keys()].join(", ")} (found ${show(req.values.get("VCPU"))}). ` +
            `Round up to the next offered size.`,
        );
      } else if (!allowed.includes(memory)) {
        report(
          `${subject} MEMORY must be one Fargate offers with ${vcpu} vCPU: ${describeMemory(allowed)} MiB (found ${show(req.values.get("MEMORY"))}). ` +
            `Round up to the next allowed value.`,
        );
      }
    }
  }),
};

export const resourcePolicies: ResourceValidationPolicy[] = [jobResourceRequirements, jobFargateResourceSizes];
