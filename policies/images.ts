/**
 * Container images of AWS Batch job definitions: pinned versions and trusted registries.
 */
import * as aws from "@pulumi/aws";
import { PolicyConfigSchema, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { readConfig } from "./lib/config";
import { DIGEST, parseImage, PRIVATE_ECR_REGISTRY } from "./lib/images";
import { forEachContainer } from "./lib/policy";
import { globMatch, isUnknown, show } from "./lib/values";

const versionTagSchema: PolicyConfigSchema = {
  properties: {
    forbiddenTags: {
      type: "array",
      items: { type: "string" },
      default: ["latest"],
      description: "Tags that move between builds and so do not identify a version (compared case-insensitively).",
    },
  },
};

interface VersionTagConfig {
  forbiddenTags: string[];
}

/**
 * A job definition's image names a version: a tag other than a moving one such as `latest`, or a digest. An
 * untagged reference pulls `:latest`, so a re-run after a push runs different code than the one tested.
 */
export const jobImageVersionTag: ResourceValidationPolicy = {
  name: "job-image-version-tag",
  description:
    "Job definition images must be pinned to a version tag or a sha256 digest (no ':latest', no missing tag), so that " +
    "every run of a scheduled job uses the image that was tested.",
  enforcementLevel: "mandatory",
  configSchema: versionTagSchema,
  validateResource: validateResourceOfType(aws.batch.JobDefinition, (jd, args, report) => {
    const cfg = readConfig<VersionTagConfig>(versionTagSchema, args);
    const forbidden = new Set(cfg.forbiddenTags.map((t) => t.toLowerCase()));
    forEachContainer(jd, args, report, ({ container, subject }) => {
      const image = container.props.image;
      if (isUnknown(image)) return;
      if (typeof image !== "string" || image.trim() === "") {
        report(`${subject} must name a container image (found ${show(image)}). Set "image" to "<registry>/<repository>:<version>".`);
        return;
      }
      const ref = parseImage(image);
      if (ref.digest !== undefined) {
        if (!DIGEST.test(ref.digest)) {
          report(`${subject} image digest must be "sha256:" followed by 64 hex digits (found ${show(image)}). Copy the digest from "docker inspect" or the ECR console.`);
        }
        return;
      }
      if (ref.tag === undefined || ref.tag === "") {
        report(
          `${subject} image must be pinned to a version tag or a digest (found ${show(image)}, which pulls ":latest"). ` +
            `Push the image with a version tag such as ":1.4.2" (or use its "@sha256:..." digest) and reference that.`,
        );
        return;
      }
      if (forbidden.has(ref.tag.toLowerCase())) {
        report(
          `${subject} image must not use the moving tag ":${ref.tag}" (found ${show(image)}). ` +
            `Reference a version tag such as ":1.4.2" or an "@sha256:..." digest.`,
        );
      }
    });
  }),
};

const registrySchema: PolicyConfigSchema = {
  properties: {
    allowedRegistries: {
      type: "array",
      items: { type: "string" },
      default: [],
      description:
        "Registry hosts images may come from, e.g. \"123456789012.dkr.ecr.eu-west-1.amazonaws.com\" ('*' matches any run of characters). " +
        "Empty: any private ECR registry (see allowAnyPrivateEcr).",
    },
    allowAnyPrivateEcr: {
      type: "boolean",
      default: true,
      description: "Accept any private ECR registry (<account>.dkr.ecr.<region>.amazonaws.com) when allowedRegistries does not name the host.",
    },
  },
};

interface RegistryConfig {
  allowedRegistries: string[];
  allowAnyPrivateEcr: boolean;
}

/**
 * Images come from the stack's own ECR registry, where they are scanned on push, cannot be overwritten, and are
 * pulled without credentials leaving the account.
 */
export const jobImageAllowedRegistry: ResourceValidationPolicy = {
  name: "job-image-allowed-registry",
  description:
    "Job definition images must come from an allowed registry (by default a private ECR registry; set allowedRegistries to the " +
    "stack's <account>.dkr.ecr.<region>.amazonaws.com), where images are scanned on push and tags are immutable.",
  enforcementLevel: "advisory",
  configSchema: registrySchema,
  validateResource: validateResourceOfType(aws.batch.JobDefinition, (jd, args, report) => {
    const cfg = readConfig<RegistryConfig>(registrySchema, args);
    forEachContainer(jd, args, report, ({ container, subject }) => {
      const image = container.props.image;
      if (typeof image !== "string" || image.trim() === "" || isUnknown(image)) return;
      const { registry } = parseImage(image);
      const named = cfg.allowedRegistries.some((r) => globMatch(r, registry, { ignoreCase: true }));
      const ecr = cfg.allowAnyPrivateEcr && PRIVATE_ECR_REGISTRY.test(registry.toLowerCase());
      if (named || ecr) return;
      const allowed = [
        ...cfg.allowedRegistries,
        ...(cfg.allowAnyPrivateEcr ? ["<account>.dkr.ecr.<region>.amazonaws.com"] : []),
      ];
      report(
        `${subject} image must come from ${allowed.length ? allowed.map((a) => `"${a}"`).join(" or ") : "an allowed registry"} ` +
          `(found registry "${registry}" in ${show(image)}). Push the image to the stack's ECR repository (or an ECR pull-through cache) and reference it there.`,
      );
    });
  }),
};

export const imagePolicies: ResourceValidationPolicy[] = [jobImageVersionTag, jobImageAllowedRegistry];
