/**
 * The pure schedule module: the exact JSON bodies AWS reads (SubmitJob input, IAM policies, the dead-letter
 * queue policy, the chain's event pattern), the switch, and the schedules planned from a crontab line.
 */
import * as assert from "node:assert/strict";
import {
  chainRolePolicy,
  deadLetterQueuePolicy,
  flexibleTimeWindow,
  jobDefinitionArnPrefix,
  jobSucceededPattern,
  planSchedules,
  retryPolicy,
  scheduleNameClashes,
  scheduleRolePolicy,
  submitJobInput,
  submitJobTargetArn,
  triggerState,
} from "../lib/schedule";
import { CronConversionError } from "../lib/cron";

const QUEUE = "arn:aws:batch:eu-central-1:123456789012:job-queue/dev-fargate";
const DEFINITION = "arn:aws:batch:eu-central-1:123456789012:job-definition/dev-report-generator:7";
const DLQ = "arn:aws:sqs:eu-central-1:123456789012:dev-batch-jobs-dlq";

describe("schedule: SubmitJob target", () => {
  it("uses the universal target of batch:submitJob", () => {
    assert.equal(submitJobTargetArn(), "arn:aws:scheduler:::aws-sdk:batch:submitJob");
    assert.equal(submitJobTargetArn("aws-cn"), "arn:aws-cn:scheduler:::aws-sdk:batch:submitJob");
  });

  it("sends JobName, JobQueue and JobDefinition (with its revision), in that order", () => {
    const input = submitJobInput({ jobName: "dev-report-generator", jobQueueArn: QUEUE, jobDefinitionArn: DEFINITION });
    assert.equal(
      JSON.stringify(input),
      `{"JobName":"dev-report-generator","JobQueue":"${QUEUE}","JobDefinition":"${DEFINITION}"}`,
    );
  });

  it("adds ShareIdentifier only for a fair-share queue", () => {
    const input = submitJobInput({ jobName: "dev-a", jobQueueArn: QUEUE, jobDefinitionArn: DEFINITION, shareIdentifier: "reports" });
    assert.deepEqual(input, { JobName: "dev-a", JobQueue: QUEUE, JobDefinition: DEFINITION, ShareIdentifier: "reports" });
    assert.equal("ShareIdentifier" in submitJobInput({ jobName: "dev-a", jobQueueArn: QUEUE, jobDefinitionArn: DEFINITION }), false);
  });
});

describe("schedule: job definition ARN prefix", () => {
  it("drops the revision", () => {
    assert.equal(jobDefinitionArnPrefix(DEFINITION), "arn:aws:batch:eu-central-1:123456789012:job-definition/dev-report-generator");
    assert.equal(
      jobDefinitionArnPrefix("arn:aws:batch:eu-central-1:123456789012:job-definition/dev-report-generator"),
      "arn:aws:batch:eu-central-1:123456789012:job-definition/dev-report-generator",
    );
  });

  it("refuses anything that is not a job definition ARN", () => {
    assert.throws(() => jobDefinitionArnPrefix(QUEUE), {
      message: `"${QUEUE}" is not a job definition ARN (arn:<partition>:batch:<region>:<account>:job-definition/<name>[:<revision>]): pass the job definition's arn output`,
    });
    assert.throws(() => jobDefinitionArnPrefix("dev-report-generator:7"), /is not a job definition ARN/);
  });
});

describe("schedule: IAM policies", () => {
  it("schedule role: SubmitJob on exactly that queue and every revision of that definition, SendMessage on the DLQ", () => {
    assert.deepEqual(scheduleRolePolicy({ jobQueueArn: QUEUE, jobDefinitionArn: DEFINITION, deadLetterQueueArn: DLQ }), {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "SubmitJob",
          Effect: "Allow",
          Action: "batch:SubmitJob",
          Resource: [QUEUE, "arn:aws:batch:eu-central-1:123456789012:job-definition/dev-report-generator:*"],
        },
        { Sid: "DeadLetter", Effect: "Allow", Action: "sqs:SendMessage", Resource: DLQ },
      ],
    });
  });

  it("chain role: only SubmitJob on that queue and definition", () => {
    assert.deepEqual(chainRolePolicy({ jobQueueArn: QUEUE, jobDefinitionArn: DEFINITION }), {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "SubmitJob",
          Effect: "Allow",
          Action: "batch:SubmitJob",
          Resource: [QUEUE, "arn:aws:batch:eu-central-1:123456789012:job-definition/dev-report-generator:*"],
        },
      ],
    });
  });

  it("the definition pattern cannot match another definition whose name starts the same", () => {
    const resource = (scheduleRolePolicy({ jobQueueArn: QUEUE, jobDefinitionArn: DEFINITION, deadLetterQueueArn: DLQ }).Statement[0].Resource as string[])[1];
    const glob = new RegExp(`^${resource.replace(/[.]/g, "\\.").replace("*", ".*")}$`);
    assert.ok(glob.test("arn:aws:batch:eu-central-1:123456789012:job-definition/dev-report-generator:8"));
    assert.ok(!glob.test("arn:aws:batch:eu-central-1:123456789012:job-definition/dev-report-generator-v2:1"));
  });
});

describe("schedule: dead-letter queue policy", () => {
  const roleA = "arn:aws:iam::123456789012:role/schedule-a-role-1234567";
  const roleB = "arn:aws:iam::123456789012:role/schedule-b-role-7654321";
  const rule = "arn:aws:events:eu-central-1:123456789012:rule/chain-load-rule-abcdef0";

  it("allows the schedule roles and the chain rules, and denies every other sender", () => {
    assert.deepEqual(deadLetterQueuePolicy({ queueArn: DLQ, scheduleRoleArns: [roleB, roleA, roleA], chainRuleArns: [rule] }), {
      Version: "2012-10-17",
      Statement: [
        { Sid: "ScheduleDeliveries", Effect: "Allow", Principal: { AWS: [roleA, roleB] }, Action: "sqs:SendMessage", Resource: DLQ },
        {
          Sid: "ChainDeliveries",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: DLQ,
          Condition: { ArnEquals: { "aws:SourceArn": [rule] } },
        },
        {
          Sid: "DenyOtherSenders",
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: "sqs:SendMessage",
          Resource: DLQ,
          Condition: { ArnNotEquals: { "aws:PrincipalArn": [roleA, roleB], "aws:SourceArn": [rule] } },
        },
      ],
    });
  });

  it("without chains it has no events.amazonaws.com grant and no source condition", () => {
    const policy = deadLetterQueuePolicy({ queueArn: DLQ, scheduleRoleArns: [roleA], chainRuleArns: [] });
    assert.deepEqual(policy.Statement.map((s) => s.Sid), ["ScheduleDeliveries", "DenyOtherSenders"]);
    assert.deepEqual(policy.Statement[1].Condition, { ArnNotEquals: { "aws:PrincipalArn": [roleA] } });
  });

  it("with chains only, it allows just the rules", () => {
    const policy = deadLetterQueuePolicy({ queueArn: DLQ, scheduleRoleArns: [], chainRuleArns: [rule] });
    assert.deepEqual(policy.Statement.map((s) => s.Sid), ["ChainDeliveries", "DenyOtherSenders"]);
    assert.deepEqual(policy.Statement[1].Condition, { ArnNotEquals: { "aws:SourceArn": [rule] } });
  });

  it("refuses a policy without senders", () => {
    assert.throws(() => deadLetterQueuePolicy({ queueArn: DLQ, scheduleRoleArns: [], chainRuleArns: [] }), {
      message: `dead-letter queue "${DLQ}": no schedule role or chain rule sends to it, so it needs no policy: create the policy only with senders`,
    });
  });
});

describe("schedule: chain event pattern", () => {
  it("matches SUCCEEDED state changes of any revision of the preceding job's definition", () => {
    assert.equal(
      JSON.stringify(jobSucceededPattern(DEFINITION)),
      JSON.stringify({
        source: ["aws.batch"],
        "detail-type": ["Batch Job State Change"],
        detail: { status: ["SUCCEEDED"], jobDefinition: [{ prefix: "arn:aws:batch:eu-central-1:123456789012:job-definition/dev-report-generator:" }] },
      }),
    );
  });

  it("matches the AWS Batch example event, and not a definition with a longer name", () => {
    // The detail fields of https://docs.aws.amazon.com/batch/latest/userguide/batch_job_events.html
    const event = {
      source: "aws.batch",
      "detail-type": "Batch Job State Change",
      detail: { jobName: "dev-report-generator", jobQueue: QUEUE, status: "SUCCEEDED", jobDefinition: DEFINITION.replace(/:7$/, ":12") },
    };
    const pattern = jobSucceededPattern(DEFINITION);
    const matches = (e: typeof event) =>
      pattern.source.includes(e.source as "aws.batch") &&
      pattern["detail-type"].includes(e["detail-type"] as "Batch Job State Change") &&
      pattern.detail.status.includes(e.detail.status as "SUCCEEDED") &&
      (pattern.detail.jobDefinition ?? []).some((m) => typeof m === "object" && e.detail.jobDefinition.startsWith(m.prefix));
    assert.ok(matches(event));
    assert.ok(!matches({ ...event, detail: { ...event.detail, status: "FAILED" } }));
    assert.ok(!matches({ ...event, detail: { ...event.detail, jobDefinition: DEFINITION.replace("dev-report-generator:7", "dev-report-generator-v2:1") } }));
  });
});

describe("schedule: switch, window, retries", () => {
  it("is ENABLED only when both the stack switch and the job are on", () => {
    assert.equal(triggerState(true, true), "ENABLED");
    assert.equal(triggerState(false, true), "DISABLED");
    assert.equal(triggerState(true, false), "DISABLED");
    assert.equal(triggerState(false, false), "DISABLED");
  });

  it("runs on time without a window, else in a flexible window", () => {
    assert.deepEqual(flexibleTimeWindow(), { mode: "OFF" });
    assert.deepEqual(flexibleTimeWindow(15), { mode: "FLEXIBLE", maximumWindowInMinutes: 15 });
  });

  it("maps the stack's retry settings to the retry policy", () => {
    assert.deepEqual(retryPolicy({ maxEventAgeSeconds: 3600, retryAttempts: 3 }), { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 3 });
  });
});

describe("schedule: planned schedules", () => {
  it("one schedule for a plain crontab line, named after the job, described with zone and line", () => {
    assert.deepEqual(planSchedules({ name: "report-generator", schedule: "0 7,19 * * *", timezone: "Europe/Berlin" }), [
      {
        name: "report-generator",
        expression: "cron(0 7,19 * * ? *)",
        timezone: "Europe/Berlin",
        description: 'At 07:00 and 19:00 (Europe/Berlin; crontab "0 7,19 * * *")',
      },
    ]);
  });

  it("two schedules when day-of-month and day-of-week both restrict the day", () => {
    const planned = planSchedules({ name: "extract", schedule: "0 0 1,15 * 5", timezone: "Europe/Berlin" });
    assert.deepEqual(planned.map((p) => [p.name, p.expression]), [
      ["extract", "cron(0 0 1,15 * ? *)"],
      ["extract-2", "cron(0 0 ? * 6 *)"],
    ]);
    assert.match(planned[0].description, /; schedule 1 of 2: a day matching both submits the job twice\)$/);
    assert.match(planned[1].description, /; schedule 2 of 2: a day matching both submits the job twice\)$/);
  });

  it("keeps descriptions within Scheduler's 512 characters", () => {
    const odd = (n: number, from: number) => Array.from({ length: n }, (_, i) => from + i * 2).join(",");
    const line = `${odd(30, 1)} ${odd(12, 1)} ${odd(15, 2)} 1,3,5,7,9,11 1,3,5`;
    for (const p of planSchedules({ name: "busy", schedule: line, timezone: "America/Argentina/Buenos_Aires" })) {
      assert.equal(p.description.length, 512);
      assert.ok(p.description.endsWith("..."));
    }
  });

  it("refuses a line the inventory would have refused", () => {
    assert.throws(() => planSchedules({ name: "x", schedule: "@reboot", timezone: "UTC" }), CronConversionError);
  });
});

describe("schedule: schedule names in the group", () => {
  it("refuses a split line whose second schedule is another job's schedule", () => {
    const problems = scheduleNameClashes([
      { name: "etl", schedule: "0 0 1,15 * 5", timezone: "UTC" },
      { name: "etl-2", schedule: "0 6 * * *", timezone: "UTC" },
    ]);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /job "etl-2": field "schedule" needs the schedule name "etl-2", which job "etl" also uses/);
  });
  it("accepts the same names when no line splits, or when the other job has no schedule", () => {
    assert.deepEqual(
      scheduleNameClashes([
        { name: "etl", schedule: "0 0 * * *", timezone: "UTC" },
        { name: "etl-2", schedule: "0 6 * * *", timezone: "UTC" },
      ]),
      [],
    );
    assert.deepEqual(
      scheduleNameClashes([
        { name: "etl", schedule: "0 0 1,15 * 5", timezone: "UTC" },
        { name: "etl-2", timezone: "UTC" },
      ]),
      [],
    );
  });
});
