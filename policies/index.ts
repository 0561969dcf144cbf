/**
 * Entry point of the policy pack, run by the Pulumi CLI:
 *
 *   pulumi preview --policy-pack policies --policy-pack-config policies/config/<stack>.json
 *
 * This is the only module that constructs the PolicyPack (which starts the analyzer's gRPC server); everything
 * else imports the policies from `all.ts`.
 */
import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./all";

new PolicyPack("aws-batch-migration", {
  description: "Rules for moving on-premise Docker cron jobs to AWS Batch: images, containers, retries, logging, secrets, ECR, compute, IAM, schedules and tags.",
  displayName: "AWS Batch migration",
  provider: "aws",
  tags: ["aws", "batch", "migration"],
  enforcementLevel: "advisory",
  policies: allPolicies,
});
