/**
 * A preview builds a changed image without pushing it, so the build has no digest yet: the job definition is then
 * previewed with the version tag, while an update without a digest is an error (the image was not pushed).
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";

const REPO = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/dev/sample-job";

async function imageReference(dryRun: boolean): Promise<string> {
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => ({ id: a.name, state: a.type === "docker-build:index:Image" ? { ...a.inputs, digest: "" } : a.inputs }),
      call: (a) => {
        if (a.token === "aws:ecr/getAuthorizationToken:getAuthorizationToken") return { userName: "AWS", password: "token", proxyEndpoint: `https://${REPO.split("/")[0]}` };
        throw new Error(`unexpected invoke ${a.token}`);
      },
    },
    "batch-migration",
    "dev",
    dryRun,
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ImageBuild } = require("../components/image-build") as typeof import("../components/image-build");
  const build = new ImageBuild(`build-${dryRun ? "preview" : "update"}`, {
    repositoryUrl: REPO,
    registryId: "123456789012",
    tag: "v1.0.0",
    build: { context: "examples/sample-job", dockerfile: "Dockerfile", platform: "linux/amd64" },
  });
  return new Promise<string>((resolve, reject) => {
    build.imageReference.apply((ref) => resolve(ref));
    setTimeout(() => reject(new Error("imageReference never resolved")), 5000);
  });
}

describe("image build without a digest", () => {
  it("previews the job definition with the version tag", async () => {
    assert.equal(await imageReference(true), `${REPO}:v1.0.0`);
  });

  it("refuses an update whose build pushed nothing", async () => {
    const unhandled: unknown[] = [];
    const onRejection = (err: unknown) => unhandled.push(err);
    process.on("unhandledRejection", onRejection);
    try {
      await assert.rejects(
        Promise.race([imageReference(false), new Promise((_, reject) => setTimeout(() => reject(unhandled[0] ?? new Error("no error")), 1500))]),
        /the image build returned digest "" instead of sha256:<64 hex digits>; the image was not pushed/,
      );
    } finally {
      process.off("unhandledRejection", onRejection);
    }
  });
});
