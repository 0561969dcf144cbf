import * as aws from "@pulumi/aws";
import * as assert from "assert";
import { FARGATE_MEMORY_BY_VCPU } from "../lib/fargate";
import { jobFargateResourceSizes, jobResourceRequirements } from "../resources";
import { jobDefinition } from "./fixtures";
import { assertHasViolation, assertNoViolations, resourceArgs, runResourcePolicy, UNKNOWN } from "./harness";

const req = (vcpu: string, memory: string) => [
  { type: "VCPU", value: vcpu },
  { type: "MEMORY", value: memory },
];
const fargate = (container: Record<string, unknown>) => resourceArgs(aws.batch.JobDefinition, jobDefinition({ container }), { name: "etl-job" });
const ec2 = (container: Record<string, unknown>) =>
  resourceArgs(aws.batch.JobDefinition, jobDefinition({ container, props: { platformCapabilities: ["EC2"] } }), { name: "etl-job" });

describe("job-resource-requirements", () => {
  it("accepts VCPU and MEMORY requirements", () => assertNoViolations(jobResourceRequirements, fargate({})));
  it("rejects the deprecated vcpus field", () =>
    assertHasViolation(jobResourceRequirements, ec2({ vcpus: 2, resourceRequirements: [{ type: "MEMORY", value: "4096" }] }), 'must not use the deprecated "vcpus" field (found vcpus: 2)'));
  it("rejects the deprecated memory field", () => assertHasViolation(jobResourceRequirements, ec2({ memory: 4096 }), 'deprecated "memory" field (found memory: 4096)'));
  it("rejects missing requirements", () =>
    assertHasViolation(jobResourceRequirements, fargate({ resourceRequirements: undefined }), "resourceRequirements must include VCPU (found nothing)"));
  it("rejects a missing MEMORY", () =>
    assertHasViolation(jobResourceRequirements, fargate({ resourceRequirements: [{ type: "VCPU", value: "1" }] }), "must include MEMORY"));
  it("rejects a non-numeric value", () => assertHasViolation(jobResourceRequirements, fargate({ resourceRequirements: req("one", "2048") }), 'VCPU must be a positive number written as a string (found "one")'));
  it("rejects fractional vCPUs on EC2", () => assertHasViolation(jobResourceRequirements, ec2({ resourceRequirements: req("0.5", "1024") }), "must be a whole number on EC2"));
  it("rejects less than 4 MiB", () => assertHasViolation(jobResourceRequirements, ec2({ resourceRequirements: req("1", "2") }), "at least 4 MiB"));
  it("rejects container properties that are not JSON", () =>
    assertHasViolation(
      jobResourceRequirements,
      resourceArgs(aws.batch.JobDefinition, jobDefinition({ props: { containerProperties: "{image:" } }), { name: "etl-job" }),
      'Job definition "etl-job" containerProperties must be valid JSON',
    ));
  it("skips unknown requirements", () => assertNoViolations(jobResourceRequirements, fargate({ resourceRequirements: UNKNOWN })));
});

describe("job-fargate-resource-sizes", () => {
  it("accepts every pair of the AWS table", () => {
    for (const [vcpu, memories] of FARGATE_MEMORY_BY_VCPU) {
      for (const memory of memories) {
        assert.deepStrictEqual(runResourcePolicy(jobFargateResourceSizes, fargate({ resourceRequirements: req(String(vcpu), String(memory)) })), [], `${vcpu}/${memory}`);
      }
    }
  });
  it("has the documented table", () => {
    assert.deepStrictEqual(FARGATE_MEMORY_BY_VCPU.get(0.25), [512, 1024, 2048]);
    assert.deepStrictEqual(FARGATE_MEMORY_BY_VCPU.get(4)?.slice(0, 2), [8192, 9216]);
    assert.deepStrictEqual(FARGATE_MEMORY_BY_VCPU.get(8)?.slice(0, 2), [16384, 20480]);
    assert.strictEqual(FARGATE_MEMORY_BY_VCPU.get(16)?.at(-1), 122880);
  });
  it("rejects memory too small for the vCPUs", () =>
    assertHasViolation(jobFargateResourceSizes, fargate({ resourceRequirements: req("2", "2048") }), "MEMORY must be one Fargate offers with 2 vCPU: 4096-16384 in steps of 1024 MiB (found \"2048\")"));
  it("rejects memory off the step", () => assertHasViolation(jobFargateResourceSizes, fargate({ resourceRequirements: req("8", "18432") }), "16384-61440 in steps of 4096"));
  it("rejects a vCPU count Fargate does not offer", () => assertHasViolation(jobFargateResourceSizes, fargate({ resourceRequirements: req("3", "8192") }), 'VCPU must be one Fargate offers: 0.25, 0.5, 1, 2, 4, 8, 16, 32 (found "3")'));
  it("rejects a GPU", () =>
    assertHasViolation(jobFargateResourceSizes, fargate({ resourceRequirements: [...req("1", "2048"), { type: "GPU", value: "1" }] }), "must not request a GPU on Fargate"));
  it("does not apply to EC2 jobs", () => assertNoViolations(jobFargateResourceSizes, ec2({ resourceRequirements: req("3", "5000") })));
  it("skips unknown platform capabilities", () =>
    assertNoViolations(
      jobFargateResourceSizes,
      resourceArgs(aws.batch.JobDefinition, jobDefinition({ container: { resourceRequirements: req("3", "1") }, props: { platformCapabilities: UNKNOWN } })),
    ));
});
