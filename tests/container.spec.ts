import * as assert from "node:assert/strict";
import { containerProperties, platformCapability, retryStrategy } from "../lib/container";
import { lifecyclePolicy } from "../lib/ecr";
import { validateInventory } from "../lib/inventory";

const job = (extra: Record<string, unknown> = {}) =>
  validateInventory(
    { jobs: [{ name: "etl", image: "public.ecr.aws/a/etl:1.0.0", vcpu: 2, memory: 4096, timeout: "1h", user: "1000", ...extra }] },
    "jobs.yaml",
  ).jobs[0];

const refs = {
  image: "public.ecr.aws/a/etl:1.0.0",
  executionRoleArn: "arn:aws:iam::1:role/exec",
  jobRoleArn: "arn:aws:iam::1:role/job",
  logGroupName: "/aws/batch/dev/etl",
  region: "eu-west-1",
  secretValueFrom: { DB_PASSWORD: "arn:aws:ssm:eu-west-1:1:parameter/db" },
};

describe("container properties", () => {
  it("sorts environment variables and secrets, and omits an unset command", () => {
    const c = containerProperties(job({ environment: { B: "2", A: "1" }, secrets: { DB_PASSWORD: "/db" } }), refs);
    assert.deepEqual(c.environment, [
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ]);
    assert.deepEqual(c.secrets, [{ name: "DB_PASSWORD", valueFrom: "arn:aws:ssm:eu-west-1:1:parameter/db" }]);
    assert.ok(!("command" in c));
    assert.deepEqual(c.linuxParameters, { initProcessEnabled: true });
  });
  it("sets Fargate ephemeral storage and ARM64 when asked", () => {
    const c = containerProperties(job({ ephemeralStorageGiB: 50, architecture: "arm64" }), refs);
    assert.deepEqual(c.ephemeralStorage, { sizeInGiB: 50 });
    assert.deepEqual(c.runtimePlatform, { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" });
  });
  it("leaves out Fargate-only settings on EC2, and scratch volumes with a writable root file system", () => {
    const c = containerProperties(job({ platform: "ec2", readonlyRootFilesystem: false }), refs);
    for (const key of ["fargatePlatformConfiguration", "networkConfiguration", "runtimePlatform", "ephemeralStorage", "volumes", "mountPoints"]) {
      assert.ok(!(key in c), key);
    }
    assert.equal(c.readonlyRootFilesystem, false);
    assert.equal(platformCapability({ platform: "ec2-spot" }), "EC2");
    assert.equal(platformCapability({ platform: "fargate-spot" }), "FARGATE");
  });
  it("never uses the deprecated vcpus/memory fields", () => {
    const c = containerProperties(job(), refs) as Record<string, unknown>;
    assert.equal(c.vcpus, undefined);
    assert.equal(c.memory, undefined);
    assert.deepEqual(c.resourceRequirements, [
      { type: "VCPU", value: "2" },
      { type: "MEMORY", value: "4096" },
    ]);
  });
});

describe("retry strategy", () => {
  it("retries infrastructure failures and ends with a catch-all EXIT", () => {
    assert.deepEqual(retryStrategy({ retry: { attempts: 2, exitCodes: [] } }), {
      attempts: 2,
      evaluateOnExits: [
        { action: "RETRY", onStatusReason: "Host EC2*" },
        { action: "RETRY", onReason: "CannotPullContainerError*" },
        { action: "EXIT", onReason: "*" },
      ],
    });
  });
  it("adds the job's retryable exit codes before the catch-all, within AWS's 5 rules", () => {
    const s = retryStrategy({ retry: { attempts: 5, exitCodes: [75, 111] } });
    assert.equal(s.evaluateOnExits.length, 5);
    assert.deepEqual(s.evaluateOnExits.slice(2), [
      { action: "RETRY", onExitCode: "75" },
      { action: "RETRY", onExitCode: "111" },
      { action: "EXIT", onReason: "*" },
    ]);
  });
});

describe("ECR lifecycle policy", () => {
  it("expires untagged images first, then keeps the newest tagged ones", () => {
    const rules = lifecyclePolicy(10, 3).rules.map((r) => ({
      rulePriority: r.rulePriority,
      tagStatus: r.selection.tagStatus,
      countType: r.selection.countType,
      countNumber: r.selection.countNumber,
    }));
    assert.deepEqual(rules, [
      { rulePriority: 1, tagStatus: "untagged", countType: "sinceImagePushed", countNumber: 3 },
      { rulePriority: 2, tagStatus: "tagged", countType: "imageCountMoreThan", countNumber: 10 },
    ]);
  });
});
