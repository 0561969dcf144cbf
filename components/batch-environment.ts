import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ec2AssumeRolePolicy } from "../lib/iam";
import { Platform } from "../lib/inventory";
import { resourceTags, Tags } from "../lib/naming";

/** The kinds of compute environment, as AWS names their `computeResources.type`. */
export type ComputeKind = "FARGATE" | "FARGATE_SPOT" | "EC2" | "SPOT";

/**
 * Which compute environments serve each job platform, in order of preference. Spot platforms fall back to
 * on-demand capacity of the same kind when the Spot environment is at its limit.
 */
export const QUEUE_ORDER: Record<Platform, ComputeKind[]> = {
  fargate: ["FARGATE"],
  "fargate-spot": ["FARGATE_SPOT", "FARGATE"],
  ec2: ["EC2"],
  "ec2-spot": ["SPOT", "EC2"],
};

/**
 * Queue priorities. They matter where queues share a compute environment (the on-demand environment behind a
 * Spot queue's fallback): jobs that asked for on-demand capacity are placed first.
 */
export const QUEUE_PRIORITY: Record<Platform, number> = { fargate: 100, ec2: 100, "fargate-spot": 50, "ec2-spot": 50 };

/**
 * Reasons a job blocked at the head of a queue can be cancelled for, after `runnableTimeoutMinutes`.
 * https://docs.aws.amazon.com/batch/latest/userguide/job_stuck_in_runnable_time_limit_actions.html
 */
export const RUNNABLE_BLOCK_REASONS = [
  "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY",
  "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE",
  "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
] as const;

export interface BatchEnvironmentArgs {
  environment: string;
  /** Platforms the inventory uses; one queue is created for each. */
  platforms: Platform[];
  subnetIds: pulumi.Input<string[]>;
  securityGroupIds: pulumi.Input<string>[];
  /** Upper bound of every compute environment; they all scale to zero when idle. */
  maxVcpus: number;
  runnableTimeoutMinutes: number;
  /** EC2 instance types (`default_x86_64`, `m6i`, ...) for the EC2 and Spot environments. */
  instanceTypes: string[];
  partition: pulumi.Input<string>;
  tags: Tags;
}

export interface QueueInfo {
  name: string;
  arn: pulumi.Output<string>;
  /** Compute environments in order of preference. */
  computeKinds: ComputeKind[];
}

/**
 * Compute environments and job queues.
 *
 * Replacement strategy: compute environments are auto-named and replaced create-before-delete
 * (`deleteBeforeReplace: false`), and queues reference them by ARN. When a change forces a new compute
 * environment, Pulumi creates the new one, updates every queue to point at it, and deletes the old one last,
 * so the old environment never has to be deleted while a queue still holds it ("Cannot delete, found existing
 * JobQueue relationship", pulumi-aws#6233, terraform-aws-batch#5/#9). A fixed name would force
 * delete-before-replace and wedge exactly there. See docs/decisions.md.
 */
export class BatchEnvironment extends pulumi.ComponentResource {
  readonly queues: Partial<Record<Platform, QueueInfo>>;
  readonly computeEnvironmentArns: Partial<Record<ComputeKind, pulumi.Output<string>>>;

  constructor(name: string, args: BatchEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("batch-migration:batch:BatchEnvironment", name, {}, opts);
    const kinds = new Set<ComputeKind>();
    for (const p of args.platforms) QUEUE_ORDER[p].forEach((k) => kinds.add(k));
    const ordered = (["FARGATE", "FARGATE_SPOT", "EC2", "SPOT"] as ComputeKind[]).filter((k) => kinds.has(k));

    let instanceProfileArn: pulumi.Output<string> | undefined;
    if (kinds.has("EC2") || kinds.has("SPOT")) {
      const role = new aws.iam.Role(
        `${name}-instance-role`,
        {
          description: "ECS container instances of the Batch EC2 compute environments",
          assumeRolePolicy: JSON.stringify(ec2AssumeRolePolicy()),
          tags: resourceTags(args.tags, `${name}-instance-role`),
        },
        { parent: this },
      );
      new aws.iam.RolePolicyAttachment(
        `${name}-instance-role-ecs`,
        { role: role.name, policyArn: pulumi.interpolate`arn:${args.partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role` },
        { parent: this },
      );
      const profile = new aws.iam.InstanceProfile(
        `${name}-instance-profile`,
        { role: role.name, tags: resourceTags(args.tags, `${name}-instance-profile`) },
        { parent: this },
      );
      instanceProfileArn = profile.arn;
    }

    this.computeEnvironmentArns = {};
    for (const kind of ordered) {
      const suffix = `${kind.toLowerCase().replace("_", "-")}-ce`;
      const fargate = kind === "FARGATE" || kind === "FARGATE_SPOT";
      const computeResources: aws.types.input.batch.ComputeEnvironmentComputeResources = fargate
        ? { type: kind, maxVcpus: args.maxVcpus, subnets: args.subnetIds, securityGroupIds: args.securityGroupIds }
        : {
            type: kind,
            allocationStrategy: kind === "SPOT" ? "SPOT_PRICE_CAPACITY_OPTIMIZED" : "BEST_FIT_PROGRESSIVE",
            minVcpus: 0,
            maxVcpus: args.maxVcpus,
            instanceTypes: args.instanceTypes,
            instanceRole: instanceProfileArn,
            ec2Configurations: [{ imageType: "ECS_AL2023" }],
            subnets: args.subnetIds,
            securityGroupIds: args.securityGroupIds,
            tags: resourceTags(args.tags, `${name}-${suffix}-instance`),
          };
      const ce = new aws.batch.ComputeEnvironment(
        `${name}-${suffix}`,
        {
          type: "MANAGED",
          state: "ENABLED",
          computeResources,
          // EC2 environments update in place where AWS allows it; running jobs get time to finish.
          updatePolicy: fargate ? undefined : { terminateJobsOnUpdate: false, jobExecutionTimeoutMinutes: 30 },
          tags: resourceTags(args.tags, `${name}-${suffix}`),
        },
        { parent: this, deleteBeforeReplace: false },
      );
      this.computeEnvironmentArns[kind] = ce.arn;
    }

    this.queues = {};
    for (const platform of args.platforms) {
      const queueName = `${args.environment}-${platform}`;
      const computeKinds = QUEUE_ORDER[platform];
      const queue = new aws.batch.JobQueue(
        `${name}-${platform}-queue`,
        {
          name: queueName,
          state: "ENABLED",
          priority: QUEUE_PRIORITY[platform],
          computeEnvironmentOrders: computeKinds.map((kind, i) => ({ order: i + 1, computeEnvironment: this.computeEnvironmentArns[kind]! })),
          jobStateTimeLimitActions: RUNNABLE_BLOCK_REASONS.map((reason) => ({
            action: "CANCEL",
            state: "RUNNABLE",
            reason,
            maxTimeSeconds: args.runnableTimeoutMinutes * 60,
          })),
          tags: resourceTags(args.tags, queueName),
        },
        { parent: this },
      );
      this.queues[platform] = { name: queueName, arn: queue.arn, computeKinds };
    }

    this.registerOutputs({
      queueArns: Object.fromEntries(Object.entries(this.queues).map(([p, q]) => [p, q!.arn])),
      computeEnvironmentArns: this.computeEnvironmentArns,
    });
  }
}
