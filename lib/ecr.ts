/**
 * ECR lifecycle policy: untagged images expire after a number of days; only the newest N tagged images are kept.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html
 * ECR evaluates rules by priority; a rule with tagStatus "any" must come last, so tagged images are counted with
 * a wildcard pattern instead.
 */
export interface LifecycleRule {
  rulePriority: number;
  description: string;
  selection: {
    tagStatus: "tagged" | "untagged" | "any";
    tagPatternList?: string[];
    countType: "imageCountMoreThan" | "sinceImagePushed";
    countUnit?: "days";
    countNumber: number;
  };
  action: { type: "expire" };
}

export function lifecyclePolicy(keepVersions: number, untaggedExpiryDays: number): { rules: LifecycleRule[] } {
  return {
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images after ${untaggedExpiryDays} days`,
        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untaggedExpiryDays },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `Keep the newest ${keepVersions} tagged images`,
        selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: keepVersions },
        action: { type: "expire" },
      },
    ],
  };
}
