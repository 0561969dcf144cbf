/**
 * Images built and pushed by the stack (`image.build` in the inventory): the validation of the build, and what the
 * program declares for the committed sample job under the mocks (the build's inputs, the registry login, the job
 * definition running the pushed image by digest).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ContainerProperties } from "@aws-sdk/client-batch";
import { plan } from "../cli/plan";
import { checkBuild, checkSharedBuilds, digestReference, dockerfileLocation, ImageBuildSpec, registryHost } from "../lib/image-build";
import { validateInventory } from "../lib/inventory";
import { ConfigError } from "../lib/errors";
import type { PlannedResource, ProgramRun } from "../lib/offline/run";
import { jsonInput, ofType, planStack, resource, T } from "./helpers/program";

const ROOT = path.join(__dirname, "..");
const IMAGE = "docker-build:index:Image";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** The value inside a secret as the mocks record it. */
function unsecret(value: unknown): unknown {
  return value !== null && typeof value === "object" && SECRET_SIG in value ? (value as Record<string, unknown>).value : value;
}

function buildProblems(value: unknown, architecture?: "x86_64" | "arm64"): { spec?: ImageBuildSpec; problems: string[] } {
  const problems: string[] = [];
  const spec = checkBuild(value, { projectRoot: ROOT, architecture }, (field, message) => problems.push(`${field}: ${message}`));
  return { spec, problems };
}

function job(name: string, image: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, image, vcpu: 1, memory: 2048, timeout: "1h", user: "10001:10001", ...extra };
}

function inventoryProblems(jobs: Record<string, unknown>[]): string[] {
  try {
    validateInventory({ jobs }, "jobs.yaml", {}, { projectRoot: ROOT });
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return [...err.problems];
  }
}

describe("image build: the inventory's image.build", () => {
  it("resolves the defaults: Dockerfile in the context, the platform of the job's architecture", () => {
    assert.deepEqual(buildProblems({ context: "examples/sample-job" }, "x86_64"), {
      spec: { context: "examples/sample-job", dockerfile: "Dockerfile", platform: "linux/amd64" },
      problems: [],
    });
    assert.equal(buildProblems({ context: "examples/sample-job" }, "arm64").spec?.platform, "linux/arm64");
    assert.equal(buildProblems({ context: "./examples/sample-job/", platform: "linux/amd64" }, "x86_64").spec?.context, "examples/sample-job");
  });

  it("reports a context that is not a directory of the project", () => {
    assert.deepEqual(buildProblems({ context: "examples/sample-jobs" }).problems, [
      `image.build.context: "examples/sample-jobs" is not a directory (looked for ${path.join(ROOT, "examples/sample-jobs")}): the build context is relative to the project directory`,
    ]);
    assert.match(buildProblems({ context: "examples/sample-job/Dockerfile" }).problems[0], /^image\.build\.context: .* is not a directory/);
    assert.match(buildProblems({ context: ROOT }).problems[0], /^image\.build\.context: ".*" must be a path relative to the project directory/);
    assert.match(buildProblems({ context: "https://github.com/acme/job.git" }).problems[0], /must be a directory of the project, not a URL/);
  });

  it("reports a Dockerfile missing from the context, or outside it", () => {
    assert.deepEqual(buildProblems({ context: "examples" }).problems, [
      `image.build.dockerfile: "Dockerfile" not found in the build context examples: add a Dockerfile there or set image.build.dockerfile to the file's path inside the context`,
    ]);
    assert.deepEqual(buildProblems({ context: "examples/sample-job", dockerfile: "Dockerfile.prod" }).problems, [
      `image.build.dockerfile: "Dockerfile.prod" not found in the build context examples/sample-job: check the path: it is relative to the context`,
    ]);
    assert.match(buildProblems({ context: "examples/sample-job", dockerfile: "../sample-job/Dockerfile" }).problems[0], /must be a path inside the build context/);
    assert.deepEqual(buildProblems({ context: "examples", dockerfile: "sample-job/Dockerfile" }).spec, {
      context: "examples",
      dockerfile: "sample-job/Dockerfile",
      platform: "linux/amd64",
    });
  });

  it("reports a platform that the job's architecture cannot run, and unknown platforms or fields", () => {
    assert.match(buildProblems({ context: "examples/sample-job", platform: "linux/arm64" }, "x86_64").problems[0], /^image\.build\.platform: "linux\/arm64" does not match the job's architecture "x86_64"/);
    assert.deepEqual(buildProblems({ context: "examples/sample-job", platform: "linux/386" }).problems, ['image.build.platform: must be one of "linux/amd64", "linux/arm64"']);
    assert.match(buildProblems({ context: "examples/sample-job", colour: "red" }).problems[0], /^image\.build: has unknown field "colour"/);
    assert.deepEqual(buildProblems({}).problems, ["image.build.context: is required"]);
    assert.match(buildProblems("examples/sample-job").problems[0], /^image\.build: must be an object/);
  });

  it("names the job and the field in the inventory's problems, all at once", () => {
    const problems = inventoryProblems([
      job("built", { repository: "built", tag: "v1", build: { context: "examples/nothing-here", platform: "linux/arm64" } }),
      job("not-built", { repository: "other", tag: "v1", build: { dockerfile: "Dockerfile" } }),
    ]);
    assert.deepEqual(problems, [
      `job "built": field "image.build.context": "examples/nothing-here" is not a directory (looked for ${path.join(ROOT, "examples/nothing-here")}): the build context is relative to the project directory`,
      `job "built": field "image.build.platform": "linux/arm64" does not match the job's architecture "x86_64" (which runs linux/amd64): the container would fail with "exec format error"; set architecture to match or build for linux/amd64`,
      `job "not-built": field "image.build.context": is required`,
    ]);
  });

  it("keeps the build in the job's image spec, and a tag override of the stack applies to what is built", () => {
    const inv = validateInventory(
      { jobs: [job("sample", { repository: "sample-job", tag: "v1.0.0", build: { context: "examples/sample-job" } }, { architecture: "arm64" })] },
      "jobs.yaml",
      { sample: { imageTag: "v1.0.1-rc1" } },
      { projectRoot: ROOT },
    );
    assert.deepEqual(inv.jobs[0].image, {
      kind: "repository",
      repository: "sample-job",
      tag: "v1.0.1-rc1",
      build: { context: "examples/sample-job", dockerfile: "Dockerfile", platform: "linux/arm64" },
    });
  });

  it("lets jobs share a built repository only with the same tag and build", () => {
    const build = { context: "examples/sample-job" };
    assert.deepEqual(
      inventoryProblems([job("job-a", { repository: "shared", tag: "v1", build }), job("job-b", { repository: "shared", tag: "v1" }), job("job-c", { repository: "shared", tag: "v1", build })]),
      [],
    );
    assert.deepEqual(inventoryProblems([job("job-a", { repository: "shared", tag: "v1", build }), job("job-b", { repository: "shared", tag: "v2" })]), [
      `job "job-b": field "image.tag" "v2" differs from "v1", which job "job-a" builds into repository "shared": jobs sharing a built repository run the same version; use tag "v1" (check the stack's jobOverrides imageTag too) or a repository of its own`,
    ]);
    const other = checkSharedBuilds([
      { name: "a", image: { kind: "repository", repository: "shared", tag: "v1", build: { context: "x", dockerfile: "Dockerfile", platform: "linux/amd64" } } },
      { name: "b", image: { kind: "repository", repository: "shared", tag: "v1", build: { context: "y", dockerfile: "Dockerfile", platform: "linux/amd64" } } },
    ]);
    assert.match(other[0], /^job "b": field "image.build" differs from job "a"'s build of repository "shared" v1/);
  });

  it("derives the registry, the Dockerfile location and the digest reference", () => {
    assert.equal(registryHost("123456789012.dkr.ecr.eu-central-1.amazonaws.com/dev/sample-job"), "123456789012.dkr.ecr.eu-central-1.amazonaws.com");
    assert.equal(dockerfileLocation({ context: "examples/sample-job", dockerfile: "Dockerfile", platform: "linux/amd64" }), "examples/sample-job/Dockerfile");
    assert.equal(dockerfileLocation({ context: ".", dockerfile: "docker/Dockerfile", platform: "linux/amd64" }), "docker/Dockerfile");
    const digest = `sha256:${"ab".repeat(32)}`;
    assert.equal(digestReference("host/dev/app", digest, "x"), `host/dev/app@${digest}`);
    assert.throws(() => digestReference("host/dev/app", "", 'image build "build-app"'), /image build "build-app": the image build returned digest "" instead of sha256:<64 hex digits>; the image was not pushed/);
  });
});

describe("image build: the committed sample job under the mocks", () => {
  let dev: ProgramRun;
  let image: PlannedResource;
  let repo: PlannedResource;

  before(async () => {
    dev = await planStack("dev");
    image = resource(dev, IMAGE, "build-sample-job-image");
    repo = resource(dev, T.repo, "repo-sample-job-ecr");
  });

  it("builds the sample job's context with its Dockerfile for the job's platform", () => {
    assert.deepEqual(image.inputs.context, { location: "examples/sample-job" });
    assert.deepEqual(image.inputs.dockerfile, { location: "examples/sample-job/Dockerfile" });
    assert.deepEqual(image.inputs.platforms, ["linux/amd64"]);
    assert.deepEqual(image.inputs.labels, { "org.opencontainers.image.version": "v1.0.0" });
    assert.equal(image.inputs.buildOnPreview, true);
  });

  it("pushes it to the job's ECR repository under the version tag only", () => {
    assert.equal(image.inputs.push, true);
    assert.deepEqual(image.inputs.tags, [`${String(repo.state.repositoryUrl)}:v1.0.0`]);
    assert.deepEqual(image.inputs.tags, ["123456789012.dkr.ecr.eu-central-1.amazonaws.com/dev/sample-job:v1.0.0"]);
  });

  it("logs in to the repository's registry with an ECR authorization token, kept secret", () => {
    const registries = image.inputs.registries as Record<string, unknown>;
    assert.ok(SECRET_SIG in registries, "the registry credentials are a secret");
    assert.deepEqual(unsecret(registries), [
      { address: "123456789012.dkr.ecr.eu-central-1.amazonaws.com", username: "AWS", password: "offline-ecr-token-2a33349e7e606a8a" },
    ]);
  });

  it("keeps pushed tags when the build is replaced or deleted, and nests it under its component", () => {
    assert.equal(image.options.retainOnDelete, true);
    assert.equal(image.parent, dev.resources.find((r) => r.type === "batch-migration:images:ImageBuild" && r.name === "build-sample-job")?.urn);
    assert.equal(ofType(dev, IMAGE).length, 1, "only the sample job is built by the stack");
  });

  it("runs the job definition on the pushed image by digest, not by tag", () => {
    const digest = String(image.state.digest);
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(image.state.ref, `${String(repo.state.repositoryUrl)}:v1.0.0@${digest}`);
    const c = jsonInput<ContainerProperties>(resource(dev, T.jobDef, "job-sample-job-definition"), "containerProperties");
    assert.equal(c.image, `${String(repo.state.repositoryUrl)}@${digest}`);
    assert.equal(c.user, "10001:10001");
  });

  it("lets the job's execution role pull from that repository only", () => {
    const role = resource(dev, T.role, "job-sample-job-exec-role");
    const doc = JSON.parse((role.inputs.inlinePolicies as { policy: string }[])[0].policy) as { Statement: { Sid: string; Resource: unknown }[] };
    assert.equal(doc.Statement.find((s) => s.Sid === "EcrPull")?.Resource, repo.state.arn);
  });

  it("leaves jobs with prebuilt images on their version tag", () => {
    const c = jsonInput<ContainerProperties>(resource(dev, T.jobDef, "job-data-processor-definition"), "containerProperties");
    assert.equal(c.image, "123456789012.dkr.ecr.eu-central-1.amazonaws.com/dev/data-processor:v1.0.0");
  });
});

describe("image build: other inventories", () => {
  function tempInventory(text: string): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "image-build-")), "jobs.yaml");
    fs.writeFileSync(file, text);
    return file;
  }

  it("builds once per repository for an arm64 job and the job sharing its image, both by digest", async () => {
    const file = tempInventory(
      [
        "jobs:",
        "  - name: arm-job",
        "    image: { repository: sample-job, tag: v2.0.0, build: { context: examples/sample-job } }",
        "    architecture: arm64",
        "    vcpu: 1",
        "    memory: 2048",
        "    timeout: 10m",
        '    user: "10001:10001"',
        "  - name: arm-job-csv",
        "    image: { repository: sample-job, tag: v2.0.0, build: { context: examples/sample-job } }",
        "    architecture: arm64",
        "    vcpu: 1",
        "    memory: 2048",
        "    timeout: 10m",
        '    user: "10001:10001"',
        "    environment: { OUTPUT_FORMAT: csv }",
        "",
      ].join("\n"),
    );
    const run = await planStack("dev", { "batch-migration:inventory": file, "batch-migration:jobOverrides": "{}" });
    const images = ofType(run, IMAGE);
    assert.deepEqual(images.map((i) => i.name), ["build-sample-job-image"]);
    assert.deepEqual(images[0].inputs.platforms, ["linux/arm64"]);
    const expected = `123456789012.dkr.ecr.eu-central-1.amazonaws.com/dev/sample-job@${String(images[0].state.digest)}`;
    for (const name of ["arm-job", "arm-job-csv"]) {
      const def = resource(run, T.jobDef, `job-${name}-definition`);
      const c = jsonInput<ContainerProperties>(def, "containerProperties");
      assert.equal(c.image, expected, name);
      assert.deepEqual(c.runtimePlatform, { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" });
    }
  });

  it("the plan command prints the build's problems and no plan", async () => {
    const file = tempInventory(
      'jobs:\n  - name: lost\n    image: { repository: lost, tag: v1, build: { context: jobs/lost } }\n    vcpu: 1\n    memory: 2048\n    timeout: 10m\n    user: "1000"\n',
    );
    const result = await plan(["--stack", "dev", "--inventory", file]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /job "lost": field "image\.build\.context": "jobs\/lost" is not a directory \(looked for .*jobs\/lost\): the build context is relative to the project directory/);
  });
});
