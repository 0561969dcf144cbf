/**
 * ECR repositories holding the job images: scanned on push, tags that cannot be overwritten, and a lifecycle
 * policy so old images do not pile up.
 */
import * as aws from "@pulumi/aws";
import {
  PolicyConfigSchema,
  ResourceValidationPolicy,
  StackValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";
import { readConfig } from "./lib/config";
import { dependsOn, refersTo, StackResource, toStackResource } from "./lib/references";
import { asBoolean, asString, at, isUnknown, show, typeToken } from "./lib/values";

export const ecrScanOnPush: ResourceValidationPolicy = {
  name: "ecr-scan-on-push",
  description:
    "ECR repositories must scan images on push (imageScanningConfiguration.scanOnPush: true), so that known vulnerabilities in a " +
    "job image are reported before the image is scheduled.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecr.Repository, (repo, args, report) => {
    const raw = at(repo, "imageScanningConfiguration", "scanOnPush");
    if (isUnknown(raw)) return;
    if (asBoolean(raw) !== true) {
      report(
        `ECR repository "${args.name}" must scan images on push (found imageScanningConfiguration.scanOnPush: ${show(raw)}). ` +
          `Set imageScanningConfiguration: { scanOnPush: true }.`,
      );
    }
  }),
};

const immutableSchema: PolicyConfigSchema = {
  properties: {
    allowExclusions: {
      type: "boolean",
      default: false,
      description: "Also accept IMMUTABLE_WITH_EXCLUSION (immutable except tags matching imageTagMutabilityExclusionFilters).",
    },
  },
};

interface ImmutableConfig {
  allowExclusions: boolean;
}

export const ecrImmutableTags: ResourceValidationPolicy = {
  name: "ecr-immutable-tags",
  description:
    "ECR repositories must make tags immutable (imageTagMutability: IMMUTABLE), so that a version tag a job definition names " +
    "always means the same image.",
  enforcementLevel: "mandatory",
  configSchema: immutableSchema,
  validateResource: validateResourceOfType(aws.ecr.Repository, (repo, args, report) => {
    const cfg = readConfig<ImmutableConfig>(immutableSchema, args);
    const raw = at(repo, "imageTagMutability");
    if (isUnknown(raw)) return;
    const value = asString(raw)?.toUpperCase() ?? "MUTABLE";
    const ok = value === "IMMUTABLE" || (cfg.allowExclusions && value === "IMMUTABLE_WITH_EXCLUSION");
    if (!ok) {
      report(
        `ECR repository "${args.name}" must have immutable tags (found imageTagMutability: ${raw === undefined ? "nothing, i.e. MUTABLE" : show(raw)}). ` +
          `Set imageTagMutability: "IMMUTABLE" and push every build under a new version tag.`,
      );
    }
  }),
};

/** The lifecycle policies that target `repo`: "yes", or "unknown" when an unresolved policy might. */
function lifecycleCoverage(repo: StackResource, policies: StackResource[]): "yes" | "no" | "unknown" {
  let unknown = false;
  for (const lp of policies) {
    if (dependsOn(lp, repo, "repository")) return "yes";
    const ref = refersTo(lp.props.repository, repo);
    if (ref === "yes") return "yes";
    if (ref === "unknown") {
      if (lp.name.startsWith(repo.name) || (lp.parent !== undefined && lp.parent === repo.parent)) return "yes";
      unknown = true;
    }
  }
  return unknown ? "unknown" : "no";
}

export const ecrLifecyclePolicy: StackValidationPolicy = {
  name: "ecr-lifecycle-policy",
  description:
    "Every ECR repository must have an aws.ecr.LifecyclePolicy (e.g. keep the last N version tags, expire untagged images after " +
    "a few days), so that images pushed on every build do not accumulate storage cost.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const resources = args.resources.map(toStackResource);
    const repos = resources.filter((r) => r.type === typeToken(aws.ecr.Repository));
    const policies = resources.filter((r) => r.type === typeToken(aws.ecr.LifecyclePolicy));
    for (const repo of repos) {
      const coverage = lifecycleCoverage(repo, policies);
      if (coverage === "no") {
        const found = policies.length
          ? `lifecycle policies only for ${policies.map((p) => show(at(p.props, "repository"))).join(", ")}`
          : "no aws.ecr.LifecyclePolicy in the stack";
        report(
          `ECR repository "${repo.name}" must have a lifecycle policy (found ${found}). ` +
            `Add an aws.ecr.LifecyclePolicy with repository: <repository>.name that expires untagged and old images.`,
          repo.urn,
        );
      }
    }
  },
};

export const ecrPolicies: (ResourceValidationPolicy | StackValidationPolicy)[] = [ecrScanOnPush, ecrImmutableTags, ecrLifecyclePolicy];
