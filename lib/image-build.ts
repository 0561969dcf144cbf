/**
 * Images that `pulumi up` builds from a directory of the project and pushes to the job's ECR repository (the
 * guide's Step 3, "Build and push Docker images to ECR", done by the stack instead of by hand).
 *
 * The inventory names the build under the job's image:
 *
 * ```yaml
 * image:
 *   repository: sample-job
 *   tag: v1.0.0
 *   build:
 *     context: examples/sample-job     # relative to the project directory
 *     dockerfile: Dockerfile           # relative to the context; default Dockerfile
 *     platform: linux/amd64            # default: from the job's architecture
 * ```
 *
 * This module holds the pure parts: the schema, the checks (the context exists and holds the Dockerfile, the
 * platform matches the job's architecture, jobs sharing a repository agree on what is built), and the values the
 * `ImageBuild` component passes to the build.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { DIGEST } from "./images";
import type { Architecture } from "./inventory";
import { describeIssue, formatPath } from "./schema";

/** Platforms AWS Batch runs containers on (Fargate and ECS-optimized EC2). */
export const BUILD_PLATFORMS = ["linux/amd64", "linux/arm64"] as const;
export type BuildPlatform = (typeof BUILD_PLATFORMS)[number];

/** The build platform each job architecture runs. */
export const PLATFORM_OF_ARCHITECTURE: Record<Architecture, BuildPlatform> = { x86_64: "linux/amd64", arm64: "linux/arm64" };

/** `image.build` in the inventory. */
export const buildSchema = z.strictObject({
  context: z.string().min(1, "must name a directory, e.g. examples/sample-job"),
  dockerfile: z.string().min(1, "must name a file inside the context, e.g. Dockerfile").optional(),
  platform: z.enum(BUILD_PLATFORMS).optional(),
});

/** A validated build: paths as written (relative, with forward slashes), the platform resolved. */
export interface ImageBuildSpec {
  /** Build context, relative to the project directory. */
  context: string;
  /** Dockerfile, relative to the context. */
  dockerfile: string;
  platform: BuildPlatform;
}

export interface BuildCheckContext {
  /** Directory relative contexts are resolved against: the Pulumi project directory. */
  projectRoot: string;
  /** The job's architecture, when it parsed. */
  architecture?: Architecture;
}

/** Normalises a relative path to forward slashes without `./` or a trailing slash. */
function normalise(p: string): string {
  const n = path.posix.normalize(p.replace(/\\/g, "/")).replace(/\/+$/, "");
  return n === "" ? "." : n;
}

/**
 * Checks a job's `image.build` (the value as written: the schema is applied here, so that each problem names its
 * own field). `fail(field, message)` receives each problem with its field path (`image.build.context`, ...).
 * Returns the spec when there was none.
 */
export function checkBuild(value: unknown, ctx: BuildCheckContext, fail: (field: string, message: string) => void): ImageBuildSpec | undefined {
  let ok = true;
  const report = (field: string, message: string) => {
    ok = false;
    fail(field === "" ? "image.build" : `image.build.${field}`, message);
  };
  const parsed = buildSchema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) report(formatPath(issue.path), describeIssue(issue));
    return undefined;
  }
  const raw = parsed.data;

  const context = normalise(raw.context);
  const dockerfile = normalise(raw.dockerfile ?? "Dockerfile");
  const contextDir = path.resolve(ctx.projectRoot, context);

  if (path.isAbsolute(raw.context) || /^[A-Za-z]:[\\/]/.test(raw.context)) {
    report("context", `"${raw.context}" must be a path relative to the project directory, such as examples/sample-job (an absolute path differs between machines)`);
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw.context)) {
    report("context", `"${raw.context}" must be a directory of the project, not a URL: check the job's code into the repository and name its directory`);
  } else if (!isDirectory(contextDir)) {
    report("context", `"${raw.context}" is not a directory (looked for ${contextDir}): the build context is relative to the project directory`);
  } else if (path.isAbsolute(dockerfile) || dockerfile === ".." || dockerfile.startsWith("../")) {
    report("dockerfile", `"${raw.dockerfile}" must be a path inside the build context ${context}, such as Dockerfile or docker/Dockerfile`);
  } else if (!isFile(path.join(contextDir, dockerfile))) {
    const hint = raw.dockerfile === undefined ? "add a Dockerfile there or set image.build.dockerfile to the file's path inside the context" : "check the path: it is relative to the context";
    report("dockerfile", `"${dockerfile}" not found in the build context ${context}: ${hint}`);
  }

  const expected = ctx.architecture ? PLATFORM_OF_ARCHITECTURE[ctx.architecture] : undefined;
  if (raw.platform !== undefined && expected !== undefined && raw.platform !== expected) {
    report(
      "platform",
      `"${raw.platform}" does not match the job's architecture "${ctx.architecture}" (which runs ${expected}): the container would fail with "exec format error"; ` +
        `set architecture to match or build for ${expected}`,
    );
  }
  if (!ok) return undefined;
  return { context, dockerfile, platform: raw.platform ?? expected ?? "linux/amd64" };
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** What `checkSharedBuilds` needs of a job. */
export interface BuiltImageJob {
  name: string;
  image: { kind: "repository"; repository: string; tag: string; build?: ImageBuildSpec } | { kind: "reference" };
}

/**
 * Jobs may share a repository. When one of them builds it, all must name the same tag and the same build: the
 * stack builds each repository once, and a version tag in an immutable repository holds exactly one image.
 */
export function checkSharedBuilds(jobs: readonly BuiltImageJob[]): string[] {
  const problems: string[] = [];
  const byRepo = new Map<string, { name: string; tag: string; build?: ImageBuildSpec }[]>();
  for (const job of jobs) {
    if (job.image.kind !== "repository") continue;
    const list = byRepo.get(job.image.repository) ?? [];
    list.push({ name: job.name, tag: job.image.tag, build: job.image.build });
    byRepo.set(job.image.repository, list);
  }
  for (const [repository, users] of byRepo) {
    const builder = users.find((u) => u.build !== undefined);
    if (!builder || users.length < 2) continue;
    for (const other of users) {
      if (other === builder) continue;
      const sameTag = other.tag === builder.tag;
      const sameBuild = other.build === undefined || JSON.stringify(other.build) === JSON.stringify(builder.build);
      if (!sameTag) {
        problems.push(
          `job "${other.name}": field "image.tag" "${other.tag}" differs from "${builder.tag}", which job "${builder.name}" builds into repository "${repository}": ` +
            `jobs sharing a built repository run the same version; use tag "${builder.tag}" (check the stack's jobOverrides imageTag too) or a repository of its own`,
        );
      } else if (!sameBuild) {
        problems.push(
          `job "${other.name}": field "image.build" differs from job "${builder.name}"'s build of repository "${repository}" ${builder.tag}: ` +
            `one version tag holds one image; give both jobs the same build or separate repositories`,
        );
      }
    }
  }
  return problems;
}

/** `123456789012.dkr.ecr.eu-central-1.amazonaws.com` of a repository URL: the registry the build logs in to. */
export function registryHost(repositoryUrl: string): string {
  return repositoryUrl.split("/")[0];
}

/** The Dockerfile's location as the build tool takes it: relative to the project directory, like the context. */
export function dockerfileLocation(build: ImageBuildSpec): string {
  return build.context === "." ? build.dockerfile : path.posix.join(build.context, build.dockerfile);
}

/**
 * The reference a job definition runs: the repository pinned by the pushed image's digest
 * (`<repositoryUrl>@sha256:...`), so a job always runs exactly the image this update built and pushed.
 */
export function digestReference(repositoryUrl: string, digest: string, what: string): string {
  if (!DIGEST.test(digest)) {
    throw new Error(
      `${what}: the image build returned digest "${digest}" instead of sha256:<64 hex digits>; the image was not pushed. ` +
        `Check that the build has push: true and that the registry login succeeded`,
    );
  }
  return `${repositoryUrl}@${digest}`;
}
