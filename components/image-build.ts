import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { digestReference, dockerfileLocation, ImageBuildSpec, registryHost } from "../lib/image-build";

export interface ImageBuildArgs {
  /** URL of the ECR repository the image is pushed to (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`). */
  repositoryUrl: pulumi.Input<string>;
  /** Registry (account) id of that repository, for the ECR login token. */
  registryId: pulumi.Input<string>;
  /**
   * Version tag the image is pushed under (`<repositoryUrl>:<tag>`). The repository's tags are immutable: a changed
   * build context needs a new tag, or the push fails with "tag ... already exists".
   */
  tag: string;
  /**
   * What to build: the context and the Dockerfile (paths relative to the project directory, where `pulumi up`
   * runs; absolute paths would differ between machines and rebuild the image on each), and the platform, which
   * must match the job's architecture (https://docs.aws.amazon.com/batch/latest/userguide/fargate.html).
   */
  build: ImageBuildSpec;
  /**
   * Build during `pulumi preview` too, without pushing, so a broken Dockerfile fails the pull request's preview.
   * Needs a Docker engine wherever previews run. Default true.
   */
  buildOnPreview?: boolean;
  /**
   * Build caches to import and export (Docker's `--cache-from` / `--cache-to`). Default none. A registry cache
   * cannot live in the job's repository: its tags are immutable, and a cache tag is rewritten on every build.
   */
  cacheFrom?: pulumi.Input<pulumi.Input<dockerBuild.types.input.CacheFromArgs>[]>;
  cacheTo?: pulumi.Input<pulumi.Input<dockerBuild.types.input.CacheToArgs>[]>;
}

/**
 * Builds a job's image from a directory of the project with BuildKit and pushes it to the job's ECR repository
 * under the job's version tag, during `pulumi up`. This replaces the guide's Step 3 (`docker login`, `docker
 * build`, `docker tag`, `docker push` by hand). It needs a Docker engine where `pulumi up` runs.
 *
 * `imageReference` is `<repositoryUrl>@sha256:<digest>` of the pushed image: job definitions run it by digest, so
 * a job runs exactly the image this update built, and a change of the image's content changes the job
 * definition. The image is rebuilt when its context changes (`contextHash`).
 *
 * Pushed tags are kept when the resource is replaced or deleted (`retainOnDelete`): a previous job definition
 * revision, a job still queued, or a rollback may need the older image. The repository's lifecycle policy expires
 * old versions.
 */
export class ImageBuild extends pulumi.ComponentResource {
  /** `<repositoryUrl>@sha256:...`: what job definitions run. */
  readonly imageReference: pulumi.Output<string>;
  /** `sha256:...` of the pushed image. */
  readonly digest: pulumi.Output<string>;
  /** `<repositoryUrl>:<tag>`: the tag pushed. */
  readonly tagReference: pulumi.Output<string>;

  constructor(name: string, args: ImageBuildArgs, opts?: pulumi.ComponentResourceOptions) {
    super("batch-migration:images:ImageBuild", name, {}, opts);
    const repositoryUrl = pulumi.output(args.repositoryUrl);
    this.tagReference = pulumi.interpolate`${repositoryUrl}:${args.tag}`;

    // A short-lived (12 h) token for the push, fetched on every update; `docker login` of the guide's Step 3.
    const auth = aws.ecr.getAuthorizationTokenOutput({ registryId: args.registryId }, { parent: this });

    const image = new dockerBuild.Image(
      `${name}-image`,
      {
        context: { location: args.build.context },
        dockerfile: { location: dockerfileLocation(args.build) },
        platforms: [args.build.platform],
        tags: [this.tagReference],
        push: true,
        registries: [
          {
            address: repositoryUrl.apply(registryHost),
            username: auth.userName,
            password: pulumi.secret(auth.password),
          },
        ],
        labels: { "org.opencontainers.image.version": args.tag },
        buildOnPreview: args.buildOnPreview ?? true,
        cacheFrom: args.cacheFrom,
        cacheTo: args.cacheTo,
      },
      { parent: this, retainOnDelete: true },
    );

    this.digest = image.digest;
    // A preview builds without pushing, so a changed image may have no digest yet: the preview shows the job
    // definition with the version tag it is about to push, and `pulumi up` then runs it by the pushed digest.
    const dryRun = pulumi.runtime.isDryRun();
    this.imageReference = pulumi
      .all([repositoryUrl, image.digest, this.tagReference])
      .apply(([url, digest, tagReference]) => (dryRun && !digest ? tagReference : digestReference(url, digest, `image build "${name}"`)));
    this.registerOutputs({ imageReference: this.imageReference, digest: this.digest, tagReference: this.tagReference });
  }
}
