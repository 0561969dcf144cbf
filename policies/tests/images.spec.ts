import * as aws from "@pulumi/aws";
import * as assert from "assert";
import { jobImageAllowedRegistry, jobImageVersionTag } from "../images";
import { parseImage } from "../lib/images";
import { IMAGE, jobDefinition, REGISTRY } from "./fixtures";
import { assertHasViolation, assertNoViolations, resourceArgs, UNKNOWN } from "./harness";

const jd = (image: unknown, config?: Record<string, unknown>) =>
  resourceArgs(aws.batch.JobDefinition, jobDefinition({ container: { image } }), { name: "etl-job", config });

describe("parseImage", () => {
  it("splits registry, repository, tag and digest", () => {
    assert.deepStrictEqual(parseImage(IMAGE), { registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", repository: "etl", tag: "1.4.2", digest: undefined });
    assert.deepStrictEqual(parseImage("localhost:5000/a/b"), { registry: "localhost:5000", repository: "a/b", tag: undefined, digest: undefined });
    assert.deepStrictEqual(parseImage("python:3.11-slim"), { registry: "docker.io", repository: "python", tag: "3.11-slim", digest: undefined });
    assert.strictEqual(parseImage(`ghcr.io/o/app@sha256:${"a".repeat(64)}`).digest, `sha256:${"a".repeat(64)}`);
  });
});

describe("job-image-version-tag", () => {
  it("accepts a version tag", () => assertNoViolations(jobImageVersionTag, jd(IMAGE)));
  it("accepts a digest", () => assertNoViolations(jobImageVersionTag, jd(`${REGISTRY}/etl@sha256:${"0".repeat(64)}`)));
  it("accepts a tag plus digest", () => assertNoViolations(jobImageVersionTag, jd(`${IMAGE}@sha256:${"f".repeat(64)}`)));
  it("rejects :latest", () => assertHasViolation(jobImageVersionTag, jd(IMAGE.replace("1.4.2", "latest")), 'must not use the moving tag ":latest"'));
  it("rejects :LATEST in any case", () => assertHasViolation(jobImageVersionTag, jd("repo:Latest"), "moving tag"));
  it("rejects a missing tag", () => assertHasViolation(jobImageVersionTag, jd(IMAGE.replace(":1.4.2", "")), "which pulls \":latest\""));
  it("rejects a missing tag with a registry port", () => assertHasViolation(jobImageVersionTag, jd("registry:5000/app"), "must be pinned"));
  it("rejects a malformed digest", () => assertHasViolation(jobImageVersionTag, jd("app@sha256:abc"), "64 hex digits"));
  it("rejects a missing image", () => assertHasViolation(jobImageVersionTag, jd(undefined), "must name a container image (found nothing)"));
  it("honours forbiddenTags", () => assertHasViolation(jobImageVersionTag, jd("app:stable", { forbiddenTags: ["latest", "stable"] }), ':stable"'));
  it("skips an unknown image", () => assertNoViolations(jobImageVersionTag, jd(UNKNOWN)));
  it("skips unknown container properties", () =>
    assertNoViolations(jobImageVersionTag, resourceArgs(aws.batch.JobDefinition, jobDefinition({ props: { containerProperties: UNKNOWN } }))));
  it("checks every node of a multi-node job", () =>
    assertHasViolation(
      jobImageVersionTag,
      resourceArgs(
        aws.batch.JobDefinition,
        jobDefinition({
          props: {
            type: "multinode",
            containerProperties: undefined,
            nodeProperties: JSON.stringify({ mainNode: 0, numNodes: 2, nodeRangeProperties: [{ targetNodes: "0:", container: { image: "app:latest" } }] }),
          },
        }),
        { name: "mpi" },
      ),
      'Job definition "mpi" (nodeProperties.nodeRangeProperties[0].container) image must not use',
    ));
  it("does not apply to other resource types", () => assertNoViolations(jobImageVersionTag, resourceArgs(aws.ecr.Repository, { image: "x:latest" })));
});

describe("job-image-allowed-registry", () => {
  it("accepts a private ECR registry by default", () => assertNoViolations(jobImageAllowedRegistry, jd(IMAGE)));
  it("rejects Docker Hub", () => assertHasViolation(jobImageAllowedRegistry, jd("python:3.11"), 'found registry "docker.io"'));
  it("rejects ECR Public by default", () => assertHasViolation(jobImageAllowedRegistry, jd("public.ecr.aws/org/app:1.0"), '"public.ecr.aws"'));
  it("accepts a configured registry", () =>
    assertNoViolations(jobImageAllowedRegistry, jd("ghcr.io/org/app:1.0", { allowedRegistries: ["ghcr.io"] })));
  it("restricts to the configured account when private ECR is not blanket-allowed", () =>
    assertHasViolation(
      jobImageAllowedRegistry,
      jd("999999999999.dkr.ecr.eu-west-1.amazonaws.com/app:1.0", {
        allowedRegistries: ["123456789012.dkr.ecr.*.amazonaws.com"],
        allowAnyPrivateEcr: false,
      }),
      'must come from "123456789012.dkr.ecr.*.amazonaws.com"',
    ));
  it("skips an unknown image", () => assertNoViolations(jobImageAllowedRegistry, jd(UNKNOWN)));
});
