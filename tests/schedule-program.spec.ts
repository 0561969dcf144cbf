/**
 * The schedules as the program declares them, evaluated under the mocks for the committed dev and prod stacks and
 * for the schedule test inventory: one schedule per crontab line (two where it splits), the SubmitJob target
 * pointing at the real queue and job definition, the execution role, the dead-letter queue, and the rollback
 * switch, which changes nothing but the schedules' and chain rules' state.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { convertCron } from "../lib/cron";
import { loadInventory } from "../lib/inventory";
import { PROJECT_ROOT, ProgramRun } from "../lib/offline/run";
import type { PolicyDocument } from "../lib/iam";
import type { SubmitJobInput } from "../lib/schedule";
import { differences, inlinePolicy, named, ofType, parseJson, plan, planFixture, TYPES } from "./helpers/schedules";

type ScheduleTarget = {
  arn: string;
  roleArn: string;
  input: string;
  retryPolicy: { maximumEventAgeInSeconds: number; maximumRetryAttempts: number };
  deadLetterConfig: { arn: string };
};

const target = (run: ProgramRun, name: string) => named(run, TYPES.schedule, name).inputs.target as ScheduleTarget;

describe("schedules: committed stacks", () => {
  let dev: ProgramRun;
  let prod: ProgramRun;

  before(async () => {
    dev = await plan("dev");
    prod = await plan("prod");
  });

  for (const stack of ["dev", "prod"]) {
    it(`${stack}: one schedule per line of every scheduled job, in the stack's group`, () => {
      const run = stack === "dev" ? dev : prod;
      const scheduled = loadInventory(path.join(PROJECT_ROOT, "jobs.yaml")).jobs.filter((j) => j.schedule !== undefined);
      assert.ok(scheduled.some((j) => j.name === "report-generator"));
      const expected = scheduled.flatMap((j) => convertCron(j.schedule!).expressions.map((_, i) => (i === 0 ? j.name : `${j.name}-${i + 1}`)));
      const schedules = ofType(run, TYPES.schedule);
      assert.deepEqual(schedules.map((s) => s.inputs.name).sort(), expected.sort());
      const groups = ofType(run, TYPES.group);
      assert.equal(groups.length, 1);
      assert.equal(groups[0].inputs.name, `${stack}-batch-jobs`);
      for (const s of schedules) assert.equal(s.inputs.groupName, `${stack}-batch-jobs`, String(s.inputs.name));
    });
  }

  it("report-generator runs at 07:00 and 19:00 Berlin time, on time, enabled", () => {
    const s = named(dev, TYPES.schedule, "schedule-report-generator-cron");
    assert.equal(s.inputs.name, "report-generator");
    assert.equal(s.inputs.scheduleExpression, "cron(0 7,19 * * ? *)");
    assert.equal(s.inputs.scheduleExpressionTimezone, "Europe/Berlin");
    assert.equal(s.inputs.description, 'At 07:00 and 19:00 (Europe/Berlin; crontab "0 7,19 * * *")');
    assert.deepEqual(s.inputs.flexibleTimeWindow, { mode: "OFF" });
    assert.equal(s.inputs.state, "ENABLED");
  });

  it("submits the job's real definition to its real queue through the universal target", () => {
    for (const [run, env] of [[dev, "dev"], [prod, "prod"]] as const) {
      const t = target(run, "schedule-report-generator-cron");
      assert.equal(t.arn, "arn:aws:scheduler:::aws-sdk:batch:submitJob");
      const queue = named(run, TYPES.jobQueue, "batch-fargate-spot-queue");
      const definition = named(run, TYPES.jobDefinition, "job-report-generator-definition");
      assert.deepEqual(parseJson<SubmitJobInput>(t.input), {
        JobName: `${env}-report-generator`,
        JobQueue: queue.state.arn,
        JobDefinition: definition.state.arn,
      });
      assert.equal(queue.state.arn, `arn:aws:batch:eu-central-1:123456789012:job-queue/${env}-fargate-spot`);
      assert.equal(definition.state.arn, `arn:aws:batch:eu-central-1:123456789012:job-definition/${env}-report-generator:1`);
    }
  });

  it("runs as a role that only the scheduler of this account assumes and that may submit only this job", () => {
    const role = named(dev, TYPES.role, "schedule-report-generator-role");
    assert.equal(target(dev, "schedule-report-generator-cron").roleArn, role.state.arn);
    assert.deepEqual(parseJson(role.inputs.assumeRolePolicy), {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "scheduler.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
        },
      ],
    });
    const dlq = named(dev, TYPES.queue, "schedules-dlq");
    assert.deepEqual(inlinePolicy<PolicyDocument>(role), {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "SubmitJob",
          Effect: "Allow",
          Action: "batch:SubmitJob",
          Resource: [
            named(dev, TYPES.jobQueue, "batch-fargate-spot-queue").state.arn,
            named(dev, TYPES.jobDefinition, "job-report-generator-definition").state.arnPrefix + ":*",
          ],
        },
        { Sid: "DeadLetter", Effect: "Allow", Action: "sqs:SendMessage", Resource: dlq.state.arn },
      ],
    });
    assert.equal((role.inputs.tags as Record<string, string>).Job, "report-generator");
  });

  it("retries failed submissions as the stack settings say, then sends them to the dead-letter queue", () => {
    const dlq = named(dev, TYPES.queue, "schedules-dlq");
    for (const s of ofType(dev, TYPES.schedule)) {
      const t = s.inputs.target as ScheduleTarget;
      assert.deepEqual(t.retryPolicy, { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 3 }, s.name);
      assert.deepEqual(t.deadLetterConfig, { arn: dlq.state.arn }, s.name);
    }
  });

  it("keeps dead letters encrypted for 14 days, sent only by the stack's schedule roles", () => {
    const dlq = named(prod, TYPES.queue, "schedules-dlq");
    assert.equal(dlq.inputs.name, "prod-batch-jobs-dlq");
    assert.equal(dlq.inputs.sqsManagedSseEnabled, true);
    assert.equal(dlq.inputs.messageRetentionSeconds, 1209600);
    const policy = named(prod, TYPES.queuePolicy, "schedules-dlq-policy");
    assert.equal(policy.inputs.queueUrl, dlq.state.url);
    const doc = parseJson<PolicyDocument>(policy.inputs.policy);
    const roles = ofType(prod, TYPES.role).filter((r) => r.name.startsWith("schedule-")).map((r) => r.state.arn as string).sort();
    assert.ok(roles.length > 0);
    assert.deepEqual(doc.Statement.map((s) => s.Sid), ["ScheduleDeliveries", "DenyOtherSenders"]);
    assert.deepEqual(doc.Statement[0].Principal, { AWS: roles });
    assert.deepEqual(doc.Statement[1].Condition, { ArnNotEquals: { "aws:PrincipalArn": roles } });
    for (const s of doc.Statement) assert.equal(s.Resource, dlq.state.arn);
  });

  it("nests each job's schedules and role under its JobSchedule, under the stack's JobSchedules", () => {
    const top = named(dev, "batch-migration:schedules:JobSchedules", "schedules");
    const job = named(dev, "batch-migration:schedules:JobSchedule", "schedule-report-generator");
    assert.equal(job.parent, top.urn);
    assert.deepEqual(
      dev.resources.filter((r) => r.parent === job.urn).map((r) => r.name).sort(),
      ["schedule-report-generator-cron", "schedule-report-generator-role"],
    );
    assert.deepEqual(
      dev.resources.filter((r) => r.parent === top.urn && r.custom).map((r) => r.name).sort(),
      ["schedules-dlq", "schedules-dlq-policy", "schedules-group"],
    );
  });

  it("exports the group, the schedule names per job and the dead-letter queue URL", () => {
    assert.equal(dev.outputs.scheduleGroupName, "dev-batch-jobs");
    assert.equal(dev.outputs.deadLetterQueueUrl, "https://sqs.eu-central-1.amazonaws.com/123456789012/dev-batch-jobs-dlq");
    const names = dev.outputs.scheduleNames as Record<string, string[]>;
    assert.deepEqual(names["report-generator"], ["report-generator"]);
    assert.deepEqual(Object.values(names).flat().sort(), ofType(dev, TYPES.schedule).map((s) => s.inputs.name).sort());
  });

  it("takes the retry policy from the stack settings", async () => {
    const run = await plan("dev", { scheduleMaxEventAgeSeconds: "7200", scheduleRetryAttempts: "0" });
    for (const s of ofType(run, TYPES.schedule)) {
      assert.deepEqual((s.inputs.target as ScheduleTarget).retryPolicy, { maximumEventAgeInSeconds: 7200, maximumRetryAttempts: 0 });
    }
  });
});

describe("schedules: split lines, flexible windows, time zones", () => {
  let run: ProgramRun;

  before(async () => {
    run = await planFixture();
  });

  it("splits `0 0 1,15 * 5` into two schedules with the same target", () => {
    const first = named(run, TYPES.schedule, "schedule-extract-cron");
    const second = named(run, TYPES.schedule, "schedule-extract-cron-2");
    assert.deepEqual([first.inputs.name, first.inputs.scheduleExpression], ["extract", "cron(0 0 1,15 * ? *)"]);
    assert.deepEqual([second.inputs.name, second.inputs.scheduleExpression], ["extract-2", "cron(0 0 ? * 6 *)"]);
    assert.deepEqual(first.inputs.target, second.inputs.target);
    assert.deepEqual(parseJson<SubmitJobInput>((first.inputs.target as ScheduleTarget).input), {
      JobName: "dev-extract",
      JobQueue: named(run, TYPES.jobQueue, "batch-fargate-queue").state.arn,
      JobDefinition: named(run, TYPES.jobDefinition, "job-extract-definition").state.arn,
    });
    for (const s of [first, second]) {
      assert.equal(s.inputs.scheduleExpressionTimezone, "Europe/Berlin");
      assert.match(String(s.inputs.description), /a day matching both submits the job twice\)$/);
    }
  });

  it("uses the inventory's flexible window and time zone", () => {
    assert.deepEqual(named(run, TYPES.schedule, "schedule-extract-cron").inputs.flexibleTimeWindow, { mode: "FLEXIBLE", maximumWindowInMinutes: 15 });
    const cleanup = named(run, TYPES.schedule, "schedule-cleanup-cron");
    assert.equal(cleanup.inputs.scheduleExpression, "cron(30 3 ? * 2-6 *)");
    assert.equal(cleanup.inputs.scheduleExpressionTimezone, "America/New_York");
    assert.deepEqual(cleanup.inputs.flexibleTimeWindow, { mode: "OFF" });
  });

  it("gives chained jobs without a schedule no schedule, and exports the names per job", () => {
    assert.deepEqual(run.outputs.scheduleNames, { extract: ["extract", "extract-2"], cleanup: ["cleanup"] });
    assert.equal(ofType(run, TYPES.schedule).length, 3);
  });
});

describe("schedules: the rollback switch", () => {
  const expected = (run: ProgramRun, from: string, to: string, only?: (name: string) => boolean) =>
    [...ofType(run, TYPES.schedule), ...ofType(run, TYPES.rule).filter((r) => r.name.startsWith("chain-"))]
      .filter((r) => !only || only(r.name))
      .map((r) => `${r.type} ${r.name}.state: "${from}" -> "${to}"`)
      .sort();

  it("schedulesEnabled=false changes only the state of every schedule (committed dev stack)", async () => {
    const on = await plan("dev");
    const off = await plan("dev", { schedulesEnabled: "false" });
    assert.ok(ofType(on, TYPES.schedule).length > 0);
    assert.deepEqual(differences(on, off), expected(on, "ENABLED", "DISABLED"));
    assert.deepEqual(off.outputs, on.outputs);
  });

  it("schedulesEnabled=false changes only the state of every schedule and chain rule (with chains)", async () => {
    const on = await planFixture();
    const off = await planFixture({ schedulesEnabled: "false" });
    assert.equal(ofType(on, TYPES.rule).filter((r) => r.name.startsWith("chain-")).length, 2);
    assert.deepEqual(differences(on, off), expected(on, "ENABLED", "DISABLED"));
    assert.deepEqual(differences(off, on), expected(on, "DISABLED", "ENABLED"));
  });

  it("a job disabled in the stack's jobOverrides has only its own schedules disabled", async () => {
    const on = await planFixture();
    const off = await planFixture({}, { extract: { enabled: false } });
    assert.deepEqual(differences(on, off), expected(on, "ENABLED", "DISABLED", (n) => n.startsWith("schedule-extract-")));
    assert.equal(differences(on, off).length, 2);
  });
});
