/**
 * What a job's triggers send to AWS, as plain data: the SubmitJob body an EventBridge Scheduler schedule passes to
 * AWS Batch, the schedule's and the chain rule's IAM policies, the dead-letter queue's policy, and the event
 * pattern that starts a chained job when the job before it succeeds. `components/job-schedule.ts` and
 * `components/job-chain.ts` declare the resources; everything AWS reads is built and unit-tested here.
 *
 * - Schedules call SubmitJob through Scheduler's universal target
 *   (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-universal.html): the target ARN names
 *   the SDK operation and `Input` holds the request, with the API's member names capitalized (`JobName`, ...).
 * - SubmitJob is authorized on the job queue and on the job definition with its revision
 *   (`job-definition/<name>:<revision>`), so a policy names the definition as `<definition ARN prefix>:*`: every
 *   revision of that one definition and nothing else
 *   (https://docs.aws.amazon.com/batch/latest/userguide/iam-example-restrict-job-submission.html).
 * - A schedule delivers to its dead-letter queue with its execution role
 *   (https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html); an EventBridge rule
 *   delivers as `events.amazonaws.com` and needs the queue policy to allow that rule.
 * - "Batch Job State Change" events carry the job definition's full ARN with its revision in
 *   `detail.jobDefinition` (https://docs.aws.amazon.com/batch/latest/userguide/batch_job_events.html).
 */
import type { JobDetail, JobStatus, SubmitJobRequest } from "@aws-sdk/client-batch";
import { convertCron } from "./cron";
import type { PolicyDocument, Statement } from "./iam";

/** A request type as EventBridge Scheduler's universal target reads it: the same members, capitalized. */
export type UniversalTargetInput<T> = { [K in keyof T as Capitalize<K & string>]: Exclude<T[K], undefined> };

/** The SubmitJob request a schedule sends. */
export type SubmitJobInput = UniversalTargetInput<Pick<SubmitJobRequest, "jobName" | "jobQueue" | "jobDefinition" | "shareIdentifier">>;

/** ARN of the universal target that calls AWS Batch SubmitJob. */
export function submitJobTargetArn(partition = "aws"): string {
  return `arn:${partition}:scheduler:::aws-sdk:batch:submitJob`;
}

export interface SubmitJobTarget {
  /** Name of the submitted jobs, as `aws batch list-jobs` shows them (letters, digits, `-`, `_`; up to 128). */
  jobName: string;
  jobQueueArn: string;
  /** Job definition ARN with its revision: every run uses exactly the revision the stack deployed. */
  jobDefinitionArn: string;
  /**
   * Fair-share identifier; only for a queue with a fair-share scheduling policy, where SubmitJob requires it
   * (and rejects it on any other queue). The stack's queues do not use fair share.
   */
  shareIdentifier?: string;
}

/** The SubmitJob body of a schedule's universal target (`target.input`, as JSON). */
export function submitJobInput(target: SubmitJobTarget): SubmitJobInput {
  const input: SubmitJobInput = { JobName: target.jobName, JobQueue: target.jobQueueArn, JobDefinition: target.jobDefinitionArn };
  if (target.shareIdentifier !== undefined) input.ShareIdentifier = target.shareIdentifier;
  return input;
}

const JOB_DEFINITION_ARN = /^(arn:[a-z-]+:batch:[a-z0-9-]+:\d{12}:job-definition\/[A-Za-z0-9_-]{1,128})(?::(\d+))?$/;

/**
 * `arn:aws:batch:<region>:<account>:job-definition/<name>`: a job definition ARN without its revision.
 * Throws for anything that is not a job definition ARN.
 */
export function jobDefinitionArnPrefix(jobDefinitionArn: string): string {
  const m = JOB_DEFINITION_ARN.exec(jobDefinitionArn);
  if (!m) {
    throw new Error(
      `"${jobDefinitionArn}" is not a job definition ARN (arn:<partition>:batch:<region>:<account>:job-definition/<name>[:<revision>]): ` +
        `pass the job definition's arn output`,
    );
  }
  return m[1];
}

/** Allows SubmitJob to exactly one job queue with exactly one job definition (any of its revisions). */
export function submitJobStatement(jobQueueArn: string, jobDefinitionArn: string): Statement {
  return {
    Sid: "SubmitJob",
    Effect: "Allow",
    Action: "batch:SubmitJob",
    Resource: [jobQueueArn, `${jobDefinitionArnPrefix(jobDefinitionArn)}:*`],
  };
}

export interface ScheduleRoleInputs {
  jobQueueArn: string;
  jobDefinitionArn: string;
  deadLetterQueueArn: string;
}

/** Execution role of a job's schedules: submit that job, and deliver undeliverable runs to the dead-letter queue. */
export function scheduleRolePolicy(inputs: ScheduleRoleInputs): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      submitJobStatement(inputs.jobQueueArn, inputs.jobDefinitionArn),
      { Sid: "DeadLetter", Effect: "Allow", Action: "sqs:SendMessage", Resource: inputs.deadLetterQueueArn },
    ],
  };
}

/**
 * Role of a chain rule's target: submit that job. (EventBridge writes to a rule target's dead-letter queue as
 * its service principal, allowed by the queue policy, not with this role.)
 */
export function chainRolePolicy(inputs: { jobQueueArn: string; jobDefinitionArn: string }): PolicyDocument {
  return { Version: "2012-10-17", Statement: [submitJobStatement(inputs.jobQueueArn, inputs.jobDefinitionArn)] };
}

export interface DeadLetterQueuePolicyInputs {
  queueArn: string;
  /** Execution roles of the stack's schedules. */
  scheduleRoleArns: string[];
  /** The stack's chain rules, whose targets deliver as `events.amazonaws.com`. */
  chainRuleArns: string[];
}

/**
 * Policy of the stack's dead-letter queue: the stack's schedule roles and chain rules may send to it, and no
 * one else may (an explicit Deny for every other sender, which a grant in an identity policy cannot override).
 * Throws when there is no sender: such a queue needs no policy.
 */
export function deadLetterQueuePolicy(inputs: DeadLetterQueuePolicyInputs): PolicyDocument {
  const roles = [...new Set(inputs.scheduleRoleArns)].sort();
  const rules = [...new Set(inputs.chainRuleArns)].sort();
  if (roles.length === 0 && rules.length === 0) {
    throw new Error(`dead-letter queue "${inputs.queueArn}": no schedule role or chain rule sends to it, so it needs no policy: create the policy only with senders`);
  }
  const statements: Statement[] = [];
  if (roles.length > 0) {
    statements.push({ Sid: "ScheduleDeliveries", Effect: "Allow", Principal: { AWS: roles }, Action: "sqs:SendMessage", Resource: inputs.queueArn });
  }
  if (rules.length > 0) {
    statements.push({
      Sid: "ChainDeliveries",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: inputs.queueArn,
      Condition: { ArnEquals: { "aws:SourceArn": rules } },
    });
  }
  // Deny when the sender is none of the roles (aws:PrincipalArn is the role ARN for a role session) and the
  // request comes from none of the rules; a key missing from the request makes ArnNotEquals true.
  const notSenders: Record<string, string[]> = {};
  if (roles.length > 0) notSenders["aws:PrincipalArn"] = roles;
  if (rules.length > 0) notSenders["aws:SourceArn"] = rules;
  statements.push({
    Sid: "DenyOtherSenders",
    Effect: "Deny",
    Principal: { AWS: "*" },
    Action: "sqs:SendMessage",
    Resource: inputs.queueArn,
    Condition: { ArnNotEquals: notSenders },
  });
  return { Version: "2012-10-17", Statement: statements };
}

/** An EventBridge content filter on one field (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html). */
export type EventMatcher<T> = T | { prefix: string };

/** An event pattern on AWS Batch job state changes; `detail` filters on fields of the job (`JobDetail`). */
export interface BatchJobStatePattern {
  source: ["aws.batch"];
  "detail-type": ["Batch Job State Change"];
  detail: { status: JobStatus[] } & { [K in keyof JobDetail]?: EventMatcher<string>[] };
}

/**
 * The pattern of a chain: the job of `jobDefinitionArn` (any revision, submitted from any queue, by a schedule,
 * a chain or by hand) has succeeded. `detail.jobDefinition` is the full ARN with the revision, so the prefix ends
 * with the `:` before the revision, which keeps `dev-export` from matching `dev-export-archive`.
 */
export function jobSucceededPattern(jobDefinitionArn: string): BatchJobStatePattern {
  return {
    source: ["aws.batch"],
    "detail-type": ["Batch Job State Change"],
    detail: { status: ["SUCCEEDED"], jobDefinition: [{ prefix: `${jobDefinitionArnPrefix(jobDefinitionArn)}:` }] },
  };
}

export type TriggerState = "ENABLED" | "DISABLED";

/**
 * State of a job's schedules and chain rule: DISABLED when the stack's rollback switch (`schedulesEnabled`) is
 * off or the job itself is disabled. It is the only input that depends on the switch.
 */
export function triggerState(schedulesEnabled: boolean, jobEnabled: boolean): TriggerState {
  return schedulesEnabled && jobEnabled ? "ENABLED" : "DISABLED";
}

/** Scheduler's `flexibleTimeWindow`: OFF runs at the minute; FLEXIBLE starts somewhere in the window. */
export type FlexibleTimeWindow = { mode: "OFF" } | { mode: "FLEXIBLE"; maximumWindowInMinutes: number };

export function flexibleTimeWindow(minutes?: number): FlexibleTimeWindow {
  return minutes === undefined ? { mode: "OFF" } : { mode: "FLEXIBLE", maximumWindowInMinutes: minutes };
}

/** How long and how often a failed delivery to AWS Batch is retried before it goes to the dead-letter queue. */
export interface TriggerRetry {
  /** 60-86400 seconds. */
  maxEventAgeSeconds: number;
  /** 0-185. */
  retryAttempts: number;
}

export function retryPolicy(retry: TriggerRetry): { maximumEventAgeInSeconds: number; maximumRetryAttempts: number } {
  return { maximumEventAgeInSeconds: retry.maxEventAgeSeconds, maximumRetryAttempts: retry.retryAttempts };
}

/** One EventBridge Scheduler schedule of a job. */
export interface PlannedSchedule {
  /** Schedule name in the stack's group: the job's name, `-2` for the second expression of a split line. */
  name: string;
  /** `cron(...)` expression, evaluated in `timezone`. */
  expression: string;
  timezone: string;
  description: string;
}

/**
 * Problems with schedule names two jobs would both use. Names are unique within a schedule group, and the second
 * schedule of a split line is `<job>-2`, which is also the first schedule of a job named `<job>-2` (the names
 * `migrate import` gives repeated crontab commands): AWS would refuse the second one with a ConflictException.
 */
export function scheduleNameClashes(jobs: readonly { name: string; schedule?: string; timezone: string }[]): string[] {
  const owner = new Map<string, string>();
  const problems: string[] = [];
  for (const job of jobs) {
    if (job.schedule === undefined) continue;
    for (const { name } of planSchedules({ name: job.name, schedule: job.schedule, timezone: job.timezone })) {
      const other = owner.get(name);
      if (other === undefined) {
        owner.set(name, job.name);
      } else {
        problems.push(
          `job "${job.name}": field "schedule" needs the schedule name "${name}", which job "${other}" also uses in the stack's schedule group: ` +
            `a crontab line that runs on days of the month or days of the week gets a second schedule "<job>-2"; rename one of the jobs`,
        );
      }
    }
  }
  return problems;
}

/** Scheduler's limit on a schedule description. */
const MAX_DESCRIPTION = 512;

/**
 * The schedules of a job's crontab line: one, or two when the line runs on days matching either its day-of-month
 * or its day-of-week field (see `convertCron`). Throws `CronConversionError` for a line the inventory would
 * have refused.
 */
export function planSchedules(job: { name: string; schedule: string; timezone: string }): PlannedSchedule[] {
  const { expressions, description } = convertCron(job.schedule);
  const base = `${description} (${job.timezone}; crontab "${job.schedule}"`;
  return expressions.map((expression, i) => {
    const part = expressions.length > 1 ? `; schedule ${i + 1} of ${expressions.length}: a day matching both submits the job twice` : "";
    const text = `${base}${part})`;
    return {
      name: i === 0 ? job.name : `${job.name}-${i + 1}`,
      expression,
      timezone: job.timezone,
      description: text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 3)}...` : text,
    };
  });
}
