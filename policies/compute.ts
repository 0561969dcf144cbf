/**
 * AWS Batch compute: managed compute environments that scale to zero, stay inside the VPC's subnets with bounded
 * capacity, use Spot without a Spot Fleet role, and Fargate jobs without public IPs.
 */
import * as aws from "@pulumi/aws";
import { PolicyConfigSchema, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { readConfig } from "./lib/config";
import { jobContainers, jobPlatform } from "./lib/jobDefinition";
import { asArray, asNumber, asString, at, isUnknown, show } from "./lib/values";

/** computeResources.type, upper-cased; undefined when missing or unknown. */
function resourceType(ce: unknown): string | undefined {
  return asString(at(ce, "computeResources", "type"))?.toUpperCase();
}

function hasComputeResources(ce: unknown): boolean {
  const cr = at(ce, "computeResources");
  return cr !== undefined && cr !== null && !isUnknown(cr);
}

export const computeManaged: ResourceValidationPolicy = {
  name: "compute-managed",
  description:
    "Batch compute environments must be MANAGED, so that AWS Batch launches, scales and replaces the instances (or Fargate " +
    "capacity) instead of the team running a fleet as on premise.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.batch.ComputeEnvironment, (ce, args, report) => {
    const raw = at(ce, "type");
    if (isUnknown(raw)) return;
    if (asString(raw)?.toUpperCase() !== "MANAGED") {
      report(
        `Compute environment "${args.name}" must be MANAGED (found type: ${show(raw)}). ` +
          `Set type: "MANAGED" with computeResources (e.g. type "FARGATE" or "SPOT").`,
      );
    }
  }),
};

export const computeScaleToZero: ResourceValidationPolicy = {
  name: "compute-scale-to-zero",
  description:
    "Managed compute environments must scale to zero between jobs (computeResources.minVcpus 0 or unset), so that cron-style " +
    "workloads pay nothing while idle.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.batch.ComputeEnvironment, (ce, args, report) => {
    if (!hasComputeResources(ce)) return;
    const raw = at(ce, "computeResources", "minVcpus");
    if (isUnknown(raw) || raw === undefined || raw === null) return;
    const min = asNumber(raw);
    if (min !== 0) {
      const fargate = resourceType(ce)?.startsWith("FARGATE") ?? false;
      report(
        `Compute environment "${args.name}" must scale to zero (found computeResources.minVcpus: ${show(raw)}). ` +
          (fargate ? `Remove minVcpus: it does not apply to Fargate.` : `Set minVcpus: 0 (or leave it unset).`),
      );
    }
  }),
};

export const computeSubnets: ResourceValidationPolicy = {
  name: "compute-subnets",
  description:
    "Managed compute environments must name their subnets and security groups (computeResources.subnets and securityGroupIds), " +
    "so that jobs run in the project's private subnets behind known rules rather than the default VPC.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.batch.ComputeEnvironment, (ce, args, report) => {
    if (!hasComputeResources(ce)) return;
    for (const field of ["subnets", "securityGroupIds"] as const) {
      const raw = at(ce, "computeResources", field);
      if (isUnknown(raw)) continue;
      const list = asArray(raw);
      if (list === undefined || list.length === 0) {
        report(
          `Compute environment "${args.name}" must set computeResources.${field} (found ${show(raw)}). ` +
            (field === "subnets"
              ? `Pass the VPC's private subnet ids (with a NAT gateway or VPC endpoints for ECR, logs and S3).`
              : `Pass a security group that allows only the egress the jobs need.`),
        );
      }
    }
  }),
};

const maxVcpusSchema: PolicyConfigSchema = {
  properties: {
    maxVcpusCeiling: {
      type: "integer",
      minimum: 1,
      default: 256,
      description: "Largest allowed computeResources.maxVcpus: the cost ceiling of one compute environment.",
    },
  },
};

interface MaxVcpusConfig {
  maxVcpusCeiling: number;
}

export const computeMaxVcpus: ResourceValidationPolicy = {
  name: "compute-max-vcpus",
  description:
    "Managed compute environments must bound computeResources.maxVcpus (at most a configurable ceiling, default 256), so that a " +
    "burst of submitted jobs or a retry loop cannot scale cost without limit.",
  enforcementLevel: "mandatory",
  configSchema: maxVcpusSchema,
  validateResource: validateResourceOfType(aws.batch.ComputeEnvironment, (ce, args, report) => {
    if (!hasComputeResources(ce)) return;
    const cfg = readConfig<MaxVcpusConfig>(maxVcpusSchema, args);
    const raw = at(ce, "computeResources", "maxVcpus");
    if (isUnknown(raw)) return;
    const max = asNumber(raw);
    if (max === undefined || max <= 0) {
      report(`Compute environment "${args.name}" must set computeResources.maxVcpus to a positive number (found ${show(raw)}).`);
    } else if (max > cfg.maxVcpusCeiling) {
      report(
        `Compute environment "${args.name}" computeResources.maxVcpus must be at most ${cfg.maxVcpusCeiling} (found ${max}). ` +
          `Lower it, or raise maxVcpusCeiling in the policy pack config if the budget allows.`,
      );
    }
  }),
};

const spotSchema: PolicyConfigSchema = {
  properties: {
    allowedAllocationStrategies: {
      type: "array",
      items: { type: "string" },
      default: ["SPOT_CAPACITY_OPTIMIZED", "SPOT_PRICE_CAPACITY_OPTIMIZED"],
      description: "Allocation strategies accepted for SPOT compute environments (ones that need no Spot Fleet role).",
    },
  },
};

interface SpotConfig {
  allowedAllocationStrategies: string[];
}

export const computeSpotAllocation: ResourceValidationPolicy = {
  name: "compute-spot-allocation",
  description:
    "SPOT compute environments must use SPOT_CAPACITY_OPTIMIZED or SPOT_PRICE_CAPACITY_OPTIMIZED and set no spotIamFleetRole: " +
    "these strategies need no Spot Fleet role and are interrupted less often than BEST_FIT (the default).",
  enforcementLevel: "mandatory",
  configSchema: spotSchema,
  validateResource: validateResourceOfType(aws.batch.ComputeEnvironment, (ce, args, report) => {
    if (resourceType(ce) !== "SPOT") return;
    const cfg = readConfig<SpotConfig>(spotSchema, args);
    const allowed = cfg.allowedAllocationStrategies.map((s) => s.toUpperCase());
    const strategy = at(ce, "computeResources", "allocationStrategy");
    if (!isUnknown(strategy)) {
      const value = asString(strategy)?.toUpperCase() ?? "BEST_FIT";
      if (!allowed.includes(value)) {
        report(
          `Compute environment "${args.name}" computeResources.allocationStrategy must be ${allowed.map((a) => `"${a}"`).join(" or ")} ` +
            `(found ${strategy === undefined ? "nothing, i.e. BEST_FIT" : show(strategy)}).`,
        );
      }
    }
    const role = at(ce, "computeResources", "spotIamFleetRole");
    if (!isUnknown(role) && role !== undefined && role !== null && role !== "") {
      report(
        `Compute environment "${args.name}" must not set computeResources.spotIamFleetRole (found ${show(role)}). ` +
          `Remove it (and the Spot Fleet role) with a SPOT_*_OPTIMIZED allocation strategy.`,
      );
    }
  }),
};

export const jobNoPublicIp: ResourceValidationPolicy = {
  name: "job-no-public-ip",
  description:
    "Fargate job definitions must not assign a public IP (networkConfiguration.assignPublicIp ENABLED): jobs run in private subnets " +
    "and reach AWS through a NAT gateway or VPC endpoints, with no address reachable from the internet.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.batch.JobDefinition, (jd, args, report) => {
    if (jobPlatform(jd) !== "FARGATE") return;
    const parsed = jobContainers(jd);
    if (parsed.state !== "ok") return;
    for (const c of parsed.containers) {
      const raw = at(c.props, "networkConfiguration", "assignPublicIp");
      if (isUnknown(raw)) continue;
      if (asString(raw)?.toUpperCase() === "ENABLED") {
        report(
          `Job definition "${args.name}" must not assign a public IP (found ${c.where}.networkConfiguration.assignPublicIp: ${show(raw)}). ` +
            `Set it to "DISABLED" and run the compute environment in private subnets with a NAT gateway or VPC endpoints.`,
        );
      }
    }
  }),
};

export const computePolicies: ResourceValidationPolicy[] = [
  computeManaged,
  computeScaleToZero,
  computeSubnets,
  computeMaxVcpus,
  computeSpotAllocation,
  jobNoPublicIp,
];
