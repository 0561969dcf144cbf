import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { lifecyclePolicy } from "../lib/ecr";
import { resourceTags, Tags } from "../lib/naming";

export interface ImageRepositoryArgs {
  /** Repository name in ECR (`dev/data-processor`). Fixed, so that build pipelines can push to it by name. */
  repositoryName: string;
  /** Tagged images to keep; older ones expire. */
  keepVersions: number;
  /** Days after which untagged images expire. */
  untaggedExpiryDays: number;
  /** Protect the repository against deletion (prod): `pulumi destroy` then fails instead of deleting images. */
  protect: boolean;
  tags: Tags;
}

/**
 * An ECR repository for one job image: scan on push, immutable tags (a version tag always means the same image),
 * encryption at rest, and a lifecycle policy that keeps the newest version tags and expires untagged images.
 */
export class ImageRepository extends pulumi.ComponentResource {
  readonly repositoryUrl: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** Account id of the registry that holds the repository. */
  readonly registryId: pulumi.Output<string>;
  readonly repositoryName: string;

  constructor(name: string, args: ImageRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("batch-migration:images:ImageRepository", name, {}, opts);
    const repo = new aws.ecr.Repository(
      `${name}-ecr`,
      {
        name: args.repositoryName,
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "AES256" }],
        forceDelete: false,
        tags: resourceTags(args.tags, args.repositoryName),
      },
      { parent: this, protect: args.protect },
    );
    new aws.ecr.LifecyclePolicy(
      `${name}-lifecycle`,
      {
        repository: repo.name,
        policy: JSON.stringify(lifecyclePolicy(args.keepVersions, args.untaggedExpiryDays)),
      },
      { parent: this },
    );
    this.repositoryUrl = repo.repositoryUrl;
    this.arn = repo.arn;
    this.registryId = repo.registryId;
    this.repositoryName = args.repositoryName;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl, arn: this.arn });
  }
}
