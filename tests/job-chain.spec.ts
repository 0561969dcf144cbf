/**
 * Job chains (`after:`) as the program declares them for the schedule test inventory (extract -> load ->
 * publish): the rule on the default bus, its target submitting the chained job, the target's role, the retry
 * policy and the shared dead-letter queue, and the rule's state under the rollback switch.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import type { PolicyDocument } from "../lib/iam";
import { summarize } from "../lib/offline/render";
import { PROJECT_ROOT, ProgramRun, runProgram } from "../lib/offline/run";
import { readStackConfig } from "../lib/offline/stack-files";
import { inlinePolicy, named, ofType, parseJson, planFixture, TYPES } from "./helpers/schedules";

describe("job chains", () => {
  let run: ProgramRun;

  before(async () => {
    run = await planFixture();
  });

  const definition = (job: string) => named(run, TYPES.jobDefinition, `job-${job}-definition`);

  it("starts load when extract succeeds: a rule on the default bus matching extract's definition", () => {
    const rule = named(run, TYPES.rule, "chain-load-rule");
    assert.equal(rule.inputs.eventBusName, undefined, "the default bus");
    assert.equal(rule.inputs.state, "ENABLED");
    assert.equal(rule.inputs.description, "Starts load when extract succeeds");
    assert.equal(
      rule.inputs.eventPattern,
      JSON.stringify({
        source: ["aws.batch"],
        "detail-type": ["Batch Job State Change"],
        detail: { status: ["SUCCEEDED"], jobDefinition: [{ prefix: `${String(definition("extract").state.arnPrefix)}:` }] },
      }),
    );
    assert.equal(
      parseJson<{ detail: { jobDefinition: { prefix: string }[] } }>(rule.inputs.eventPattern).detail.jobDefinition[0].prefix,
      "arn:aws:batch:eu-central-1:123456789012:job-definition/dev-extract:",
    );
  });

  it("chains on: publish starts when load succeeds", () => {
    const rule = named(run, TYPES.rule, "chain-publish-rule");
    const pattern = parseJson<{ detail: { jobDefinition: { prefix: string }[] } }>(rule.inputs.eventPattern);
    assert.equal(pattern.detail.jobDefinition[0].prefix, `${String(definition("load").state.arnPrefix)}:`);
    assert.equal((rule.inputs.tags as Record<string, string>).Owner, "reporting-team");
  });

  it("submits the chained job's definition to its own queue, retrying into the dead-letter queue", () => {
    const target = named(run, TYPES.target, "chain-load-target");
    const rule = named(run, TYPES.rule, "chain-load-rule");
    assert.equal(target.inputs.rule, rule.state.name);
    assert.equal(target.inputs.arn, named(run, TYPES.jobQueue, "batch-fargate-spot-queue").state.arn);
    assert.deepEqual(target.inputs.batchTarget, { jobDefinition: definition("load").state.arn, jobName: "dev-load" });
    assert.equal(target.inputs.roleArn, named(run, TYPES.role, "chain-load-role").state.arn);
    assert.deepEqual(target.inputs.retryPolicy, { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 3 });
    assert.deepEqual(target.inputs.deadLetterConfig, { arn: named(run, TYPES.queue, "schedules-dlq").state.arn });
  });

  it("uses a role that only EventBridge of this account assumes and that may submit only the chained job", () => {
    const role = named(run, TYPES.role, "chain-load-role");
    assert.deepEqual(parseJson(role.inputs.assumeRolePolicy), {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
        },
      ],
    });
    assert.deepEqual(inlinePolicy<PolicyDocument>(role), {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "SubmitJob",
          Effect: "Allow",
          Action: "batch:SubmitJob",
          Resource: [named(run, TYPES.jobQueue, "batch-fargate-spot-queue").state.arn, `${String(definition("load").state.arnPrefix)}:*`],
        },
      ],
    });
  });

  it("lets EventBridge deliver to the dead-letter queue for exactly the chain rules", () => {
    const dlq = named(run, TYPES.queue, "schedules-dlq");
    const doc = parseJson<PolicyDocument>(named(run, TYPES.queuePolicy, "schedules-dlq-policy").inputs.policy);
    const rules = ["chain-load-rule", "chain-publish-rule"].map((n) => named(run, TYPES.rule, n).state.arn as string).sort();
    const roles = ["schedule-cleanup-role", "schedule-extract-role"].map((n) => named(run, TYPES.role, n).state.arn as string).sort();
    assert.deepEqual(doc.Statement, [
      { Sid: "ScheduleDeliveries", Effect: "Allow", Principal: { AWS: roles }, Action: "sqs:SendMessage", Resource: dlq.state.arn },
      {
        Sid: "ChainDeliveries",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: dlq.state.arn,
        Condition: { ArnEquals: { "aws:SourceArn": rules } },
      },
      {
        Sid: "DenyOtherSenders",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "sqs:SendMessage",
        Resource: dlq.state.arn,
        Condition: { ArnNotEquals: { "aws:PrincipalArn": roles, "aws:SourceArn": rules } },
      },
    ]);
  });

  it("nests rule, target and role under the job's JobChain", () => {
    const chain = named(run, "batch-migration:schedules:JobChain", "chain-load");
    assert.equal(chain.parent, named(run, "batch-migration:schedules:JobSchedules", "schedules").urn);
    assert.deepEqual(run.resources.filter((r) => r.parent === chain.urn).map((r) => r.name).sort(), ["chain-load-role", "chain-load-rule", "chain-load-target"]);
  });

  it("creates no chain for jobs without after", () => {
    assert.deepEqual(ofType(run, TYPES.rule).filter((r) => r.name.startsWith("chain-")).map((r) => r.name).sort(), ["chain-load-rule", "chain-publish-rule"]);
    assert.equal(ofType(run, TYPES.target).filter((r) => r.name.startsWith("chain-")).length, 2);
  });

  it("a chained job disabled in jobOverrides has its rule DISABLED; the rest stays as it is", async () => {
    const off = await planFixture({}, { load: { enabled: false } });
    assert.equal(named(off, TYPES.rule, "chain-load-rule").inputs.state, "DISABLED");
    assert.equal(named(off, TYPES.rule, "chain-publish-rule").inputs.state, "ENABLED");
    for (const s of ofType(off, TYPES.schedule)) assert.equal(s.inputs.state, "ENABLED", s.name);
  });

  it("shows the rule's pattern in short in the offline plan", () => {
    const rule = named(run, TYPES.rule, "chain-load-rule");
    assert.equal(
      summarize(rule, new Map(run.resources.map((r) => [r.urn, r]))),
      "source=aws.batch detail-type=Batch Job State Change detail.status=SUCCEEDED detail.jobDefinition=prefix job-definition/dev-extract: | ENABLED",
    );
  });

  it("the rollback switch disables every chain rule", async () => {
    const off = await planFixture({ schedulesEnabled: "false" });
    for (const name of ["chain-load-rule", "chain-publish-rule"]) assert.equal(named(off, TYPES.rule, name).inputs.state, "DISABLED");
  });

  it("JobSchedules refuses a chained job whose predecessor it was not given", async () => {
    await assert.rejects(runProgram(readStackConfig(PROJECT_ROOT, "dev"), {}, path.join(__dirname, "fixtures", "schedules-unknown-after.ts")), {
      message: 'job "load": field "after" names "extract", which is not among the jobs given to JobSchedules: pass the job it follows too',
    });
  });
});
