import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy } from "../lib/iam";
import { JobSpec } from "../lib/inventory";
import { jobResourceName, resourceTags, Tags } from "../lib/naming";
import {
  deadLetterQueuePolicy,
  flexibleTimeWindow,
  planSchedules,
  retryPolicy,
  scheduleNameClashes,
  scheduleRolePolicy,
  submitJobInput,
  submitJobTargetArn,
  TriggerRetry,
  TriggerState,
  triggerState,
} from "../lib/schedule";
import { JobChain } from "./job-chain";

/** SQS keeps messages at most 14 days; dead letters are kept that long. */
const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;

export interface JobScheduleArgs {
  /** The job; its `schedule` (a crontab line) and `timezone` become the schedules. */
  job: JobSpec & { schedule: string };
  /** Environment name; the submitted jobs are named `<environment>-<job>`. */
  environment: string;
  /** The stack's schedule group. */
  groupName: pulumi.Input<string>;
  /** Queue the job is submitted to. */
  jobQueueArn: pulumi.Input<string>;
  /** The job definition ARN with its revision; runs use exactly that revision. */
  jobDefinitionArn: pulumi.Input<string>;
  /** Fair-share identifier, only for a queue with a fair-share scheduling policy (none of the stack's queues). */
  shareIdentifier?: string;
  /** The stack's dead-letter queue. */
  deadLetterQueueArn: pulumi.Input<string>;
  /** ENABLED, or DISABLED by the rollback switch or the job's own `enabled: false`. */
  state: TriggerState;
  /** Retries of a failed submission (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html). */
  retry: TriggerRetry;
  /** This account: the only one whose scheduler may assume the role (`aws:SourceAccount`). */
  account: pulumi.Input<string>;
  /** `aws`, `aws-cn`, ...: the universal target's ARN. */
  partition: pulumi.Input<string>;
  /** The stack's base tags; the role also gets `Job` and the job's `Owner`. */
  tags: Tags;
}

/**
 * A job's crontab line as EventBridge Scheduler schedules: one schedule, or two where the line runs on days
 * matching either its day-of-month or its day-of-week field (both with the same target). Each schedule runs in
 * the job's time zone and calls SubmitJob through the universal target with an execution role that may submit
 * only this job and write only to the stack's dead-letter queue.
 */
export class JobSchedule extends pulumi.ComponentResource {
  /** Schedule names in the group, in order. */
  readonly scheduleNames: pulumi.Output<string>[];
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: JobScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("batch-migration:schedules:JobSchedule", name, {}, opts);
    const { job } = args;
    const jobName = jobResourceName(args.environment, job.name);
    const planned = planSchedules(job);

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `Submits the ${job.name} job on its schedule`,
        assumeRolePolicy: pulumi.output(args.account).apply((account) => JSON.stringify(assumeRolePolicy("scheduler.amazonaws.com", account))),
        inlinePolicies: [
          {
            name: "submit-job",
            policy: pulumi
              .all([args.jobQueueArn, args.jobDefinitionArn, args.deadLetterQueueArn])
              .apply(([jobQueueArn, jobDefinitionArn, deadLetterQueueArn]) =>
                JSON.stringify(scheduleRolePolicy({ jobQueueArn, jobDefinitionArn, deadLetterQueueArn })),
              ),
          },
        ],
        tags: resourceTags(args.tags, `${jobName}-schedule`, job.owner ? { Owner: job.owner, Job: job.name } : { Job: job.name }),
      },
      { parent: this },
    );

    const input = pulumi
      .all([args.jobQueueArn, args.jobDefinitionArn])
      .apply(([jobQueueArn, jobDefinitionArn]) =>
        JSON.stringify(submitJobInput({ jobName, jobQueueArn, jobDefinitionArn, shareIdentifier: args.shareIdentifier })),
      );
    const target: aws.types.input.scheduler.ScheduleTarget = {
      arn: pulumi.output(args.partition).apply(submitJobTargetArn),
      roleArn: role.arn,
      input,
      retryPolicy: retryPolicy(args.retry),
      deadLetterConfig: { arn: args.deadLetterQueueArn },
    };

    this.scheduleNames = planned.map(
      (p, i) =>
        new aws.scheduler.Schedule(
          i === 0 ? `${name}-cron` : `${name}-cron-${i + 1}`,
          {
            name: p.name,
            groupName: args.groupName,
            description: p.description,
            scheduleExpression: p.expression,
            scheduleExpressionTimezone: p.timezone,
            flexibleTimeWindow: flexibleTimeWindow(job.flexibleWindowMinutes),
            state: args.state,
            target,
          },
          { parent: this },
        ).name,
    );
    this.roleArn = role.arn;
    this.registerOutputs({ scheduleNames: this.scheduleNames, roleArn: this.roleArn });
  }
}

/** A job with the ARNs its triggers submit to. */
export interface TriggeredJob {
  job: JobSpec;
  jobQueueArn: pulumi.Input<string>;
  jobDefinitionArn: pulumi.Input<string>;
  /** Fair-share identifier of the job's queue, when it has a fair-share scheduling policy. */
  shareIdentifier?: string;
}

export interface JobSchedulesArgs {
  /** Environment name: the group is `<environment>-batch-jobs`, the dead-letter queue `<environment>-batch-jobs-dlq`. */
  environment: string;
  /** Every job of the inventory; those with a `schedule` get schedules, those with `after` a chain. */
  jobs: TriggeredJob[];
  /**
   * The stack's rollback switch. False disables every schedule and chain rule (state DISABLED) and changes
   * nothing else, so `pulumi up` with it flipped is a pure state change.
   */
  schedulesEnabled: boolean;
  /** Retries of a failed submission before it goes to the dead-letter queue (stack settings). */
  retry: TriggerRetry;
  /** This account: the only one whose scheduler and EventBridge may assume the roles. */
  account: pulumi.Input<string>;
  /** `aws`, `aws-cn`, ...: the universal target's ARN. */
  partition: pulumi.Input<string>;
  /** The stack's base tags. */
  tags: Tags;
}

/**
 * Everything that starts jobs on AWS, replacing the crontab: one schedule group per stack, the schedules of
 * every scheduled job (`JobSchedule`), the chains of every job that runs after another (`JobChain`), and one
 * encrypted dead-letter queue for the runs that could not be submitted, writable only by those triggers.
 */
export class JobSchedules extends pulumi.ComponentResource {
  readonly groupName: pulumi.Output<string>;
  readonly deadLetterQueueArn: pulumi.Output<string>;
  readonly deadLetterQueueUrl: pulumi.Output<string>;
  readonly deadLetterQueueName: pulumi.Output<string>;
  /** Job name -> its schedules, for scheduled jobs. */
  readonly schedules: Record<string, JobSchedule>;
  /** Job name -> its chain, for jobs that run after another. */
  readonly chains: Record<string, JobChain>;

  constructor(name: string, args: JobSchedulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("batch-migration:schedules:JobSchedules", name, {}, opts);
    const groupName = `${args.environment}-batch-jobs`;
    const group = new aws.scheduler.ScheduleGroup(`${name}-group`, { name: groupName, tags: resourceTags(args.tags, groupName) }, { parent: this });

    const queueName = `${args.environment}-batch-jobs-dlq`;
    const dlq = new aws.sqs.Queue(
      `${name}-dlq`,
      {
        name: queueName,
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
        tags: resourceTags(args.tags, queueName),
      },
      { parent: this },
    );

    const clashes = scheduleNameClashes(args.jobs.map((j) => j.job));
    if (clashes.length > 0) throw new Error(clashes.join("\n"));
    const byName = new Map(args.jobs.map((j) => [j.job.name, j]));
    this.schedules = {};
    this.chains = {};
    for (const entry of args.jobs) {
      const { job } = entry;
      const state = triggerState(args.schedulesEnabled, job.enabled);
      if (job.schedule !== undefined) {
        this.schedules[job.name] = new JobSchedule(
          `schedule-${job.name}`,
          {
            job: { ...job, schedule: job.schedule },
            environment: args.environment,
            groupName: group.name,
            jobQueueArn: entry.jobQueueArn,
            jobDefinitionArn: entry.jobDefinitionArn,
            shareIdentifier: entry.shareIdentifier,
            deadLetterQueueArn: dlq.arn,
            state,
            retry: args.retry,
            account: args.account,
            partition: args.partition,
            tags: args.tags,
          },
          { parent: this },
        );
      }
      if (job.after !== undefined) {
        const before = byName.get(job.after);
        if (!before) throw new Error(`job "${job.name}": field "after" names "${job.after}", which is not among the jobs given to JobSchedules: pass the job it follows too`);
        this.chains[job.name] = new JobChain(
          `chain-${job.name}`,
          {
            job: { ...job, after: job.after },
            environment: args.environment,
            afterJobDefinitionArn: before.jobDefinitionArn,
            jobQueueArn: entry.jobQueueArn,
            jobDefinitionArn: entry.jobDefinitionArn,
            deadLetterQueueArn: dlq.arn,
            state,
            retry: args.retry,
            account: args.account,
            tags: args.tags,
          },
          { parent: this },
        );
      }
    }

    const scheduleRoles = Object.values(this.schedules).map((s) => s.roleArn);
    const chainRules = Object.values(this.chains).map((c) => c.ruleArn);
    if (scheduleRoles.length + chainRules.length > 0) {
      new aws.sqs.QueuePolicy(
        `${name}-dlq-policy`,
        {
          queueUrl: dlq.url,
          policy: pulumi
            .all([dlq.arn, pulumi.all(scheduleRoles), pulumi.all(chainRules)])
            .apply(([queueArn, scheduleRoleArns, chainRuleArns]) => JSON.stringify(deadLetterQueuePolicy({ queueArn, scheduleRoleArns, chainRuleArns }))),
        },
        { parent: this },
      );
    }

    this.groupName = group.name;
    this.deadLetterQueueArn = dlq.arn;
    this.deadLetterQueueUrl = dlq.url;
    this.deadLetterQueueName = dlq.name;
    this.registerOutputs({
      groupName: this.groupName,
      deadLetterQueueArn: this.deadLetterQueueArn,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
      scheduleNames: this.scheduleNames(),
    });
  }

  /** Job name -> the names of its schedules. */
  scheduleNames(): Record<string, pulumi.Output<string[]>> {
    return Object.fromEntries(Object.entries(this.schedules).map(([job, s]) => [job, pulumi.all(s.scheduleNames)]));
  }
}
