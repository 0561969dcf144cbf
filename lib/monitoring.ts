/**
 * Alerting, as plain data: the names, event patterns, input transformers, key and topic policies, and saved Logs
 * Insights queries that `components/monitoring.ts` declares. Everything here builds on signals AWS documents:
 *
 * - EventBridge events from AWS Batch (source `aws.batch`): "Batch Job State Change" whenever a submitted job
 *   changes state (https://docs.aws.amazon.com/batch/latest/userguide/batch_job_events.html; `detail` is the
 *   DescribeJobs JobDetail, `detail.jobQueue` the queue ARN), and "Batch Job Queue Blocked" when a RUNNABLE job
 *   blocks the head of a queue (https://docs.aws.amazon.com/batch/latest/userguide/batch-job-queue-blocked-events.html).
 *   A job whose attempt fails but which has attempts left goes back to RUNNABLE; FAILED is its final state.
 * - EventBridge's own rule metrics in `AWS/Events` (`TriggeredRules`, `Invocations`, `FailedInvocations`, dimension
 *   `RuleName`), Amazon SQS queue metrics in `AWS/SQS` (`ApproximateNumberOfMessagesVisible`, dimension `QueueName`).
 * - The jobs' container log lines in CloudWatch Logs (what the application writes; the sample job writes one JSON
 *   object per line with `event`, `job_id`, `job_queue`, and `job_metrics` lines in Embedded Metric Format).
 *
 * Not used: the guide's `AWS/Batch` `FailedJobs` alarm with a `JobQueue` dimension. AWS Batch documents job
 * metrics in `AWS/Batch` with a `JobQueueName` dimension, published best effort and "not for billing or audit",
 * and Container Insights metrics only when enabled per compute environment; the program alerts on events instead.
 */
import type { PolicyDocument, Statement } from "./iam";

/** Physical names of the stack's alerting resources: fixed, so the dashboard and runbooks can name them. */
export function alertNames(environment: string) {
  return {
    topic: `${environment}-batch-alerts`,
    keyAlias: `alias/${environment}-batch-alerts`,
    failedRule: `${environment}-batch-job-failed`,
    blockedRule: `${environment}-batch-queue-blocked`,
    dashboard: `${environment}-batch-jobs`,
  };
}

/** Budget name: budgets are per account, not per region, so the project is part of the name. */
export function budgetName(project: string, environment: string): string {
  return `${project}-${environment}-monthly`;
}

/** Folder of the saved Logs Insights queries in the console. */
export function queryFolder(project: string, environment: string): string {
  return `${project}/${environment}`;
}

export interface EventPattern {
  source: string[];
  "detail-type": string[];
  detail: Record<string, string[]>;
}

/** Jobs on this stack's queues that reached FAILED (after their last attempt, or cancelled while RUNNABLE). */
export function failedJobPattern(queueArns: readonly string[]): EventPattern {
  return {
    source: ["aws.batch"],
    "detail-type": ["Batch Job State Change"],
    detail: { status: ["FAILED"], jobQueue: [...queueArns] },
  };
}

/** A RUNNABLE job blocking the head of one of this stack's queues (no capacity, job too large: guide, Issue 1). */
export function queueBlockedPattern(queueArns: readonly string[]): EventPattern {
  return {
    source: ["aws.batch"],
    "detail-type": ["Batch Job Queue Blocked"],
    detail: { jobQueue: [...queueArns] },
  };
}

export interface InputTransformer {
  inputPaths: Record<string, string>;
  /** A JSON string literal: EventBridge sends SNS the text inside the quotes. */
  inputTemplate: string;
}

/** AWS Batch console page of a job (`<region>` and `<jobId>` are input transformer placeholders). */
const JOB_CONSOLE_LINK = "https://<region>.console.aws.amazon.com/batch/home?region=<region>#jobs/detail/<jobId>";

/**
 * The e-mail text for a failed job. Fields a job that never started does not have (log stream, exit code) come out
 * empty. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 */
export function failedJobMessage(environment: string): InputTransformer {
  const lines = [
    `[${environment}] AWS Batch job <jobName> FAILED`,
    "",
    "Queue: <jobQueue>",
    "Job definition: <jobDefinition>",
    "Reason: <statusReason>",
    "Exit code: <exitCode>",
    "Log stream: <logStream>",
    `Job: ${JOB_CONSOLE_LINK}`,
    "Time: <time>",
  ];
  return {
    inputPaths: {
      jobName: "$.detail.jobName",
      jobId: "$.detail.jobId",
      jobQueue: "$.detail.jobQueue",
      jobDefinition: "$.detail.jobDefinition",
      statusReason: "$.detail.statusReason",
      exitCode: "$.detail.container.exitCode",
      logStream: "$.detail.container.logStreamName",
      region: "$.region",
      time: "$.time",
    },
    inputTemplate: JSON.stringify(lines.join("\n")),
  };
}

/** The e-mail text for a blocked queue; the queue cancels the job after `runnableTimeoutMinutes`. */
export function queueBlockedMessage(environment: string, runnableTimeoutMinutes: number): InputTransformer {
  const lines = [
    `[${environment}] AWS Batch queue blocked by job <jobName> (RUNNABLE)`,
    "",
    "Queue: <jobQueue>",
    "Reason: <statusReason>",
    `The queue cancels the job after ${runnableTimeoutMinutes} minutes in RUNNABLE for this reason; jobs behind it wait.`,
    "Check the compute environment's maxvCpus, the job's vCPU/memory and the Fargate/EC2 capacity in the region.",
    `Job: ${JOB_CONSOLE_LINK}`,
    "Time: <time>",
  ];
  return {
    inputPaths: {
      jobName: "$.detail.jobName",
      jobId: "$.detail.jobId",
      jobQueue: "$.detail.jobQueue",
      statusReason: "$.detail.statusReason",
      region: "$.region",
      time: "$.time",
    },
    inputTemplate: JSON.stringify(lines.join("\n")),
  };
}

export interface AccountScope {
  partition: string;
  region: string;
  account: string;
}

/**
 * Key policy of the alert topic's KMS key. The AWS managed key `alias/aws/sns` cannot be used: its key policy cannot
 * be changed, and EventBridge, CloudWatch and Budgets can publish to an encrypted topic only when the key policy
 * grants them `kms:GenerateDataKey*` and `kms:Decrypt`
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
 *
 * - The account administers the key through IAM (the default key policy statement).
 * - CloudWatch: limited to this account's alarms with `aws:SourceAccount` / `aws:SourceArn`.
 * - EventBridge: no condition. The same page states that `aws:SourceAccount`, `aws:SourceArn` and
 *   `aws:SourceOrgID` in a KMS key policy are not supported for EventBridge-to-encrypted-topic delivery: with them,
 *   every event would be dropped. The topic policy limits publishing to this account's rules instead.
 * - Budgets: no condition; which keys Budgets sends with its KMS requests is not documented, and a condition it does
 *   not satisfy drops the notification silently. The topic policy limits it to this account.
 */
export function alertKeyPolicy(scope: AccountScope): PolicyDocument {
  const { partition, region, account } = scope;
  const useKey = ["kms:GenerateDataKey*", "kms:Decrypt"];
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministersKeyThroughIam",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${account}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "CloudWatchAlarmsOfThisAccount",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: useKey,
        Resource: "*",
        Condition: {
          StringEquals: { "aws:SourceAccount": account },
          ArnLike: { "aws:SourceArn": `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        },
      },
      { Sid: "EventBridgeRules", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: useKey, Resource: "*" },
      { Sid: "BudgetsNotifications", Effect: "Allow", Principal: { Service: "budgets.amazonaws.com" }, Action: useKey, Resource: "*" },
    ],
  };
}

/**
 * Topic policy: EventBridge rules, CloudWatch alarms and budgets of this account may publish; nothing else is
 * granted (principals of the account still publish when their own IAM policy allows `sns:Publish`).
 * Budgets: https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html
 */
export function alertTopicPolicy(topicArn: string, scope: AccountScope): PolicyDocument {
  const { partition, region, account } = scope;
  const publish = (sid: string, service: string, condition: Statement["Condition"]): Statement => ({
    Sid: sid,
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sns:Publish",
    Resource: topicArn,
    Condition: condition,
  });
  return {
    Version: "2012-10-17",
    Statement: [
      publish("EventBridgeRulesOfThisAccount", "events.amazonaws.com", { StringEquals: { "aws:SourceAccount": account } }),
      publish("CloudWatchAlarmsOfThisAccount", "cloudwatch.amazonaws.com", {
        StringEquals: { "aws:SourceAccount": account },
        ArnLike: { "aws:SourceArn": `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
      }),
      publish("BudgetsOfThisAccount", "budgets.amazonaws.com", { StringEquals: { "aws:SourceAccount": account } }),
    ],
  };
}

/**
 * Saved CloudWatch Logs Insights queries over the jobs' log groups. What they can see: the lines the containers
 * write (one JSON object per line is parsed into fields). What they cannot see: Batch job states, vCPUs, memory,
 * platform or price (none of that is in container logs), jobs that fail before the container starts (image pull,
 * capacity, RUNNABLE timeout: those are in the FAILED alerts), and anything a job does not log.
 */
export const QUERIES = {
  /** Error lines per log group: structured ERROR/job_failed lines, and tracebacks of jobs that log plain text. */
  errorsPerJob: {
    name: "errors-per-job",
    query: [
      "fields @timestamp, @log, @logStream, @message",
      '| filter level in ["ERROR", "CRITICAL"] or event = "job_failed" or @message like /(?i)(traceback|exception)/',
      "| stats count(*) as errors, latest(@message) as lastError by @log",
      "| sort errors desc",
    ].join("\n"),
  },
  /** The 20 slowest successful runs, from the sample job's `job_finished` line (`duration_ms`). */
  slowestRuns: {
    name: "slowest-runs",
    query: [
      "fields @timestamp, @log, job_id, job_attempt, job_queue, duration_ms / 1000 as seconds, records_processed",
      '| filter event = "job_finished"',
      "| sort seconds desc",
      "| limit 20",
    ].join("\n"),
  },
  /**
   * The guide's cost-tracking query (Appendix C) rewritten for what the logs hold. The guide's version reads
   * `vcpus`, `memory` and `jobStatus` fields that no container log line carries. This one sums the run time the
   * jobs report in their `job_metrics` lines (EMF `Duration` in milliseconds, `RecordsProcessed`) per log group
   * and outcome; multiply the run-hours by the job's hourly rate from `npm run plan` for dollars. It undercounts:
   * start-up and image pull (billed by Fargate), attempts killed before they log, and jobs without these lines.
   */
  runHours: {
    name: "run-hours-per-job",
    query: [
      'filter event = "job_metrics"',
      "| fields Duration / 3600000 as hours, Duration / 1000 as seconds",
      "| stats count(*) as runs, sum(hours) as runHours, avg(seconds) as avgSeconds, max(seconds) as maxSeconds, sum(RecordsProcessed) as records by @log, outcome",
      "| sort runHours desc",
    ].join("\n"),
  },
} as const;
