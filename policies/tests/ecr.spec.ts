import * as aws from "@pulumi/aws";
import { ecrImmutableTags, ecrLifecyclePolicy, ecrScanOnPush } from "../ecr";
import { TAGS } from "./fixtures";
import { assertHasStackViolation, assertHasViolation, assertNoStackViolations, assertNoViolations, resourceArgs, stackArgs, UNKNOWN, urnOf } from "./harness";

const good = { name: "etl", imageScanningConfiguration: { scanOnPush: true }, imageTagMutability: "IMMUTABLE", tags: TAGS };
const repo = (props: Record<string, unknown>, config?: Record<string, unknown>) =>
  resourceArgs(aws.ecr.Repository, { ...good, ...props }, { name: "etl-repo", config });

describe("ecr-scan-on-push", () => {
  it("accepts scanOnPush", () => assertNoViolations(ecrScanOnPush, repo({})));
  it("rejects a missing scanning configuration", () =>
    assertHasViolation(ecrScanOnPush, repo({ imageScanningConfiguration: undefined }), 'ECR repository "etl-repo" must scan images on push (found imageScanningConfiguration.scanOnPush: nothing)'));
  it("rejects scanOnPush false", () => assertHasViolation(ecrScanOnPush, repo({ imageScanningConfiguration: { scanOnPush: false } }), "scanOnPush: false"));
  it("skips an unknown value", () => assertNoViolations(ecrScanOnPush, repo({ imageScanningConfiguration: { scanOnPush: UNKNOWN } })));
});

describe("ecr-immutable-tags", () => {
  it("accepts IMMUTABLE", () => assertNoViolations(ecrImmutableTags, repo({})));
  it("rejects the MUTABLE default", () =>
    assertHasViolation(ecrImmutableTags, repo({ imageTagMutability: undefined }), "must have immutable tags (found imageTagMutability: nothing, i.e. MUTABLE)"));
  it("rejects MUTABLE", () => assertHasViolation(ecrImmutableTags, repo({ imageTagMutability: "MUTABLE" }), '(found imageTagMutability: "MUTABLE")'));
  it("rejects exclusions by default", () => assertHasViolation(ecrImmutableTags, repo({ imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" }), "IMMUTABLE_WITH_EXCLUSION"));
  it("accepts exclusions when allowed", () =>
    assertNoViolations(ecrImmutableTags, repo({ imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" }, { allowExclusions: true })));
});

describe("ecr-lifecycle-policy", () => {
  const repoSpec = { type: aws.ecr.Repository, name: "etl-repo", props: good };
  const lifecycle = (repository: unknown, extra: Record<string, unknown> = {}) => ({
    type: aws.ecr.LifecyclePolicy,
    name: "etl-lifecycle",
    props: { repository, policy: "{}" },
    ...extra,
  });
  it("accepts a lifecycle policy naming the repository", () => assertNoStackViolations(ecrLifecyclePolicy, stackArgs([repoSpec, lifecycle("etl")])));
  it("accepts a lifecycle policy that depends on the repository", () =>
    assertNoStackViolations(
      ecrLifecyclePolicy,
      stackArgs([{ ...repoSpec, props: { ...good, name: undefined } }, lifecycle("etl-repo-4f3c2a1", { propertyDependencies: { repository: [urnOf(repoSpec)] } })]),
    ));
  it("accepts an auto-named repository referenced by its physical name", () =>
    assertNoStackViolations(ecrLifecyclePolicy, stackArgs([{ ...repoSpec, props: { ...good, name: undefined } }, lifecycle("etl-repo-4f3c2a1")])));
  it("rejects a repository without a lifecycle policy", () =>
    assertHasStackViolation(ecrLifecyclePolicy, stackArgs([repoSpec]), 'ECR repository "etl-repo" must have a lifecycle policy (found no aws.ecr.LifecyclePolicy in the stack)', urnOf(repoSpec)));
  it("rejects a lifecycle policy for another repository", () =>
    assertHasStackViolation(ecrLifecyclePolicy, stackArgs([repoSpec, lifecycle("other")]), 'found lifecycle policies only for "other"'));
  it("tolerates a lifecycle policy whose repository is unknown", () => assertNoStackViolations(ecrLifecyclePolicy, stackArgs([repoSpec, lifecycle(UNKNOWN)])));
});
