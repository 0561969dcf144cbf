import * as aws from "@pulumi/aws";
import { computeManaged, computeMaxVcpus, computeScaleToZero, computeSpotAllocation, computeSubnets, jobNoPublicIp } from "../compute";
import { computeEnvironment, jobDefinition, spotComputeEnvironment } from "./fixtures";
import { assertHasViolation, assertNoViolations, resourceArgs, UNKNOWN } from "./harness";

const ce = (props: Record<string, unknown>, config?: Record<string, unknown>) => resourceArgs(aws.batch.ComputeEnvironment, props, { name: "etl-ce", config });

describe("compute-managed", () => {
  it("accepts MANAGED", () => assertNoViolations(computeManaged, ce(computeEnvironment())));
  it("rejects UNMANAGED", () =>
    assertHasViolation(computeManaged, ce(computeEnvironment({ type: "UNMANAGED", computeResources: undefined })), 'Compute environment "etl-ce" must be MANAGED (found type: "UNMANAGED")'));
  it("skips an unknown type", () => assertNoViolations(computeManaged, ce(computeEnvironment({ type: UNKNOWN }))));
});

describe("compute-scale-to-zero", () => {
  it("accepts Fargate without minVcpus", () => assertNoViolations(computeScaleToZero, ce(computeEnvironment())));
  it("accepts Spot with minVcpus 0", () => assertNoViolations(computeScaleToZero, ce(spotComputeEnvironment())));
  it("rejects minVcpus above 0", () => assertHasViolation(computeScaleToZero, ce(spotComputeEnvironment({ minVcpus: 4 })), "must scale to zero (found computeResources.minVcpus: 4). Set minVcpus: 0"));
  it("tells Fargate users to drop minVcpus", () => assertHasViolation(computeScaleToZero, ce(computeEnvironment({}, { minVcpus: 2 })), "Remove minVcpus"));
  it("does not apply to unmanaged environments", () => assertNoViolations(computeScaleToZero, ce({ type: "UNMANAGED" })));
});

describe("compute-subnets", () => {
  it("accepts subnets and security groups", () => assertNoViolations(computeSubnets, ce(computeEnvironment())));
  it("rejects missing subnets", () => assertHasViolation(computeSubnets, ce(computeEnvironment({}, { subnets: [] })), "must set computeResources.subnets (found [])"));
  it("rejects missing security groups", () =>
    assertHasViolation(computeSubnets, ce(computeEnvironment({}, { securityGroupIds: undefined })), "must set computeResources.securityGroupIds (found nothing)"));
  it("skips unknown subnets", () => assertNoViolations(computeSubnets, ce(computeEnvironment({}, { subnets: UNKNOWN }))));
});

describe("compute-max-vcpus", () => {
  it("accepts 16", () => assertNoViolations(computeMaxVcpus, ce(computeEnvironment())));
  it("rejects above the ceiling", () => assertHasViolation(computeMaxVcpus, ce(computeEnvironment({}, { maxVcpus: 1024 })), "maxVcpus must be at most 256 (found 1024)"));
  it("honours maxVcpusCeiling", () => assertHasViolation(computeMaxVcpus, ce(computeEnvironment({}, { maxVcpus: 128 }), { maxVcpusCeiling: 64 }), "at most 64 (found 128)"));
  it("rejects a missing maxVcpus", () => assertHasViolation(computeMaxVcpus, ce(computeEnvironment({}, { maxVcpus: undefined })), "to a positive number (found nothing)"));
});

describe("compute-spot-allocation", () => {
  it("accepts SPOT_PRICE_CAPACITY_OPTIMIZED", () => assertNoViolations(computeSpotAllocation, ce(spotComputeEnvironment())));
  it("accepts SPOT_CAPACITY_OPTIMIZED", () => assertNoViolations(computeSpotAllocation, ce(spotComputeEnvironment({ allocationStrategy: "SPOT_CAPACITY_OPTIMIZED" }))));
  it("rejects the BEST_FIT default", () =>
    assertHasViolation(computeSpotAllocation, ce(spotComputeEnvironment({ allocationStrategy: undefined })), 'allocationStrategy must be "SPOT_CAPACITY_OPTIMIZED" or "SPOT_PRICE_CAPACITY_OPTIMIZED" (found nothing, i.e. BEST_FIT)'));
  it("rejects BEST_FIT_PROGRESSIVE", () => assertHasViolation(computeSpotAllocation, ce(spotComputeEnvironment({ allocationStrategy: "BEST_FIT_PROGRESSIVE" })), '(found "BEST_FIT_PROGRESSIVE")'));
  it("rejects a Spot Fleet role", () =>
    assertHasViolation(computeSpotAllocation, ce(spotComputeEnvironment({ spotIamFleetRole: "arn:aws:iam::123456789012:role/fleet" })), "must not set computeResources.spotIamFleetRole"));
  it("does not apply to Fargate Spot", () => assertNoViolations(computeSpotAllocation, ce(computeEnvironment({}, { type: "FARGATE_SPOT" }))));
});

describe("job-no-public-ip", () => {
  const jd = (container: Record<string, unknown>, props: Record<string, unknown> = {}) =>
    resourceArgs(aws.batch.JobDefinition, jobDefinition({ container, props }), { name: "etl-job" });
  it("accepts DISABLED", () => assertNoViolations(jobNoPublicIp, jd({})));
  it("accepts the default", () => assertNoViolations(jobNoPublicIp, jd({ networkConfiguration: undefined })));
  it("rejects ENABLED", () =>
    assertHasViolation(jobNoPublicIp, jd({ networkConfiguration: { assignPublicIp: "ENABLED" } }), 'must not assign a public IP (found containerProperties.networkConfiguration.assignPublicIp: "ENABLED")'));
  it("does not apply to EC2 jobs", () => assertNoViolations(jobNoPublicIp, jd({ networkConfiguration: { assignPublicIp: "ENABLED" } }, { platformCapabilities: ["EC2"] })));
});
