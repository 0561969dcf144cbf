import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy } from "../lib/iam";
import { JobSpec } from "../lib/inventory";
import { jobResourceName, resourceTags, Tags } from "../lib/naming";
import { chainRolePolicy, jobSucceededPattern, retryPolicy, TriggerRetry, TriggerState } from "../lib/schedule";

export interface JobChainArgs {
  /** The chained job; `after` names the job it follows. */
  job: JobSpec & { after: string };
  /** Environment name; the submitted jobs are named `<environment>-<job>`. */
  environment: string;
  /** Job definition ARN of the job it follows: its successful runs start this job. */
  afterJobDefinitionArn: pulumi.Input<string>;
  /** Queue this job is submitted to. */
  jobQueueArn: pulumi.Input<string>;
  /** This job's definition ARN, with its revision. */
  jobDefinitionArn: pulumi.Input<string>;
  /** The stack's dead-letter queue; its policy must allow this chain's rule (see `JobSchedules`). */
  deadLetterQueueArn: pulumi.Input<string>;
  /** ENABLED, or DISABLED by the rollback switch or the job's own `enabled: false`. */
  state: TriggerState;
  /** Retries of a failed submission (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_RetryPolicy.html). */
  retry: TriggerRetry;
  /** This account: the only one whose EventBridge may assume the role (`aws:SourceAccount`). */
  account: pulumi.Input<string>;
  /** The stack's base tags; rule and role also get `Job` and the job's `Owner`. */
  tags: Tags;
}

/**
 * A job chain, the AWS form of `job-a && job-b` in a crontab: an EventBridge rule on the default bus that matches
 * "Batch Job State Change" events of the preceding job with status SUCCEEDED, and a target that submits this job
 * to its queue with a role that may submit only this job. Failed submissions are retried, then sent to the
 * stack's dead-letter queue.
 */
export class JobChain extends pulumi.ComponentResource {
  readonly ruleArn: pulumi.Output<string>;
  readonly ruleName: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: JobChainArgs, opts?: pulumi.ComponentResourceOptions) {
    super("batch-migration:schedules:JobChain", name, {}, opts);
    const { job } = args;
    const jobName = jobResourceName(args.environment, job.name);
    const specific: Tags = job.owner ? { Owner: job.owner, Job: job.name } : { Job: job.name };

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `Submits the ${job.name} job when ${job.after} succeeds`,
        assumeRolePolicy: pulumi.output(args.account).apply((account) => JSON.stringify(assumeRolePolicy("events.amazonaws.com", account))),
        inlinePolicies: [
          {
            name: "submit-job",
            policy: pulumi
              .all([args.jobQueueArn, args.jobDefinitionArn])
              .apply(([jobQueueArn, jobDefinitionArn]) => JSON.stringify(chainRolePolicy({ jobQueueArn, jobDefinitionArn }))),
          },
        ],
        tags: resourceTags(args.tags, `${jobName}-chain`, specific),
      },
      { parent: this },
    );

    const rule = new aws.cloudwatch.EventRule(
      `${name}-rule`,
      {
        description: `Starts ${job.name} when ${job.after} succeeds`,
        eventPattern: pulumi.output(args.afterJobDefinitionArn).apply((arn) => JSON.stringify(jobSucceededPattern(arn))),
        state: args.state,
        tags: resourceTags(args.tags, `${jobName}-chain`, specific),
      },
      { parent: this },
    );

    new aws.cloudwatch.EventTarget(
      `${name}-target`,
      {
        rule: rule.name,
        targetId: "submit-job",
        arn: args.jobQueueArn,
        roleArn: role.arn,
        batchTarget: { jobDefinition: args.jobDefinitionArn, jobName },
        retryPolicy: retryPolicy(args.retry),
        deadLetterConfig: { arn: args.deadLetterQueueArn },
      },
      { parent: this },
    );

    this.ruleArn = rule.arn;
    this.ruleName = rule.name;
    this.roleArn = role.arn;
    this.registerOutputs({ ruleArn: this.ruleArn, roleArn: this.roleArn });
  }
}
