import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { containerProperties, platformCapability, retryStrategy } from "../lib/container";
import { assumeRolePolicy, executionRolePolicy, jobRolePolicy } from "../lib/iam";
import { JobSpec } from "../lib/inventory";
import { jobResourceName, logGroupName, resourceTags, Tags } from "../lib/naming";
import { secretIamResource, ssmParameterArn } from "../lib/secrets";

export interface BatchJobArgs {
  job: JobSpec;
  environment: string;
  /** Full image reference the job runs (tag or digest). */
  image: pulumi.Input<string>;
  /** ARN of the stack's ECR repository the image comes from; omitted for images from elsewhere. */
  repositoryArn?: pulumi.Input<string>;
  region: string;
  account: pulumi.Input<string>;
  partition: pulumi.Input<string>;
  logRetentionDays: number;
  /** Keep the log group when the stack is destroyed (prod). */
  retainLogs: boolean;
  tags: Tags;
}

/**
 * One job: its log group, execution role (pull the image, write logs, read exactly its own secrets), job role
 * (exactly the permissions the inventory declares), and job definition.
 *
 * The job definition keeps a fixed name (`<env>-<job>`), so `aws batch submit-job --job-definition dev-job` always
 * means the newest revision: an update registers a new revision and deregisters the old one.
 */
export class BatchJob extends pulumi.ComponentResource {
  readonly jobDefinitionArn: pulumi.Output<string>;
  readonly jobDefinitionName: string;
  readonly logGroupName: pulumi.Output<string>;
  readonly executionRoleArn: pulumi.Output<string>;
  readonly jobRoleArn: pulumi.Output<string>;

  constructor(name: string, args: BatchJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("batch-migration:jobs:BatchJob", name, {}, opts);
    const { job } = args;
    const tags = resourceTags(args.tags, jobResourceName(args.environment, job.name), job.owner ? { Owner: job.owner, Job: job.name } : { Job: job.name });

    const logs = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: logGroupName(args.environment, job.name), retentionInDays: args.logRetentionDays, tags },
      { parent: this, retainOnDelete: args.retainLogs },
    );

    const secretArns = Object.values(job.secrets).flatMap((s) => (s.kind === "secretsmanager" ? [s.secretArn] : []));
    const parameterArns = pulumi
      .all([args.partition, args.account])
      .apply(([partition, account]) =>
        Object.values(job.secrets).flatMap((s) => (s.kind === "ssm" ? [ssmParameterArn(s, partition, args.region, account)] : [])),
      );
    const secretValueFrom = pulumi.all([args.partition, args.account]).apply(([partition, account]) =>
      Object.fromEntries(
        Object.entries(job.secrets).map(([env, s]) => [env, s.kind === "secretsmanager" ? s.valueFrom : ssmParameterArn(s, partition, args.region, account)]),
      ),
    );

    const trust = pulumi.output(args.account).apply((account) => JSON.stringify(assumeRolePolicy("ecs-tasks.amazonaws.com", account)));
    const executionRole = new aws.iam.Role(
      `${name}-exec-role`,
      {
        description: `Starts the ${job.name} job: pulls its image, writes its logs, reads its secrets`,
        assumeRolePolicy: trust,
        inlinePolicies: [
          {
            name: "job-execution",
            policy: pulumi.all([args.repositoryArn, logs.arn, parameterArns]).apply(([repositoryArn, logGroupArn, params]) =>
              JSON.stringify(
                executionRolePolicy({ repositoryArn, logGroupArn, secretArns: secretArns.map(secretIamResource), parameterArns: params }),
              ),
            ),
          },
        ],
        tags,
      },
      { parent: this },
    );

    const declared = jobRolePolicy(job.permissions);
    const jobRole = new aws.iam.Role(
      `${name}-job-role`,
      {
        description: `Runs the ${job.name} job with exactly its declared permissions`,
        assumeRolePolicy: trust,
        inlinePolicies: declared ? [{ name: "job-permissions", policy: JSON.stringify(declared) }] : [],
        tags,
      },
      { parent: this },
    );

    this.jobDefinitionName = jobResourceName(args.environment, job.name);
    const definition = new aws.batch.JobDefinition(
      `${name}-definition`,
      {
        name: this.jobDefinitionName,
        type: "container",
        platformCapabilities: [platformCapability(job)],
        containerProperties: pulumi
          .all([args.image, executionRole.arn, jobRole.arn, logs.name, secretValueFrom])
          .apply(([image, executionRoleArn, jobRoleArn, logGroup, valueFrom]) =>
            JSON.stringify(
              containerProperties(job, { image, executionRoleArn, jobRoleArn, logGroupName: logGroup, region: args.region, secretValueFrom: valueFrom }),
            ),
          ),
        retryStrategy: retryStrategy(job),
        timeout: { attemptDurationSeconds: job.timeoutSeconds },
        propagateTags: true,
        tags,
      },
      { parent: this },
    );

    this.jobDefinitionArn = definition.arn;
    this.logGroupName = logs.name;
    this.executionRoleArn = executionRole.arn;
    this.jobRoleArn = jobRole.arn;
    this.registerOutputs({ jobDefinitionArn: this.jobDefinitionArn, logGroupName: this.logGroupName });
  }
}
