import * as aws from "@pulumi/aws";
import { jobFailureAlerts, jobQueueComputeEnvironment, requiredTags } from "../stack";
import {
  CE_ARN,
  computeEnvironment,
  FAILURE_PATTERN,
  jobDefinition,
  jobQueue,
  QUEUE_ARN,
  REGION,
  ACCOUNT,
  schedule,
  spotComputeEnvironment,
  TAGS,
} from "./fixtures";
import {
  assertHasStackViolation,
  assertNoStackViolations,
  stackArgs,
  StackResourceSpec,
  UNKNOWN,
  urnOf,
} from "./harness";

const jd: StackResourceSpec = { type: aws.batch.JobDefinition, name: "etl-job", props: jobDefinition() };
const queue: StackResourceSpec = { type: aws.batch.JobQueue, name: "etl-queue", props: jobQueue() };
const ce: StackResourceSpec = { type: aws.batch.ComputeEnvironment, name: "etl-ce", props: computeEnvironment() };
const nightly: StackResourceSpec = { type: aws.scheduler.Schedule, name: "etl-nightly", props: schedule() };
const topic: StackResourceSpec = { type: aws.sns.Topic, name: "etl-alerts", props: { name: "etl-alerts", tags: TAGS } };
const rule = (pattern: unknown, props: Record<string, unknown> = {}): StackResourceSpec => ({
  type: aws.cloudwatch.EventRule,
  name: "etl-failed",
  props: { name: "etl-failed", eventPattern: typeof pattern === "string" ? pattern : JSON.stringify(pattern), tags: TAGS, ...props },
});
const target: StackResourceSpec = {
  type: aws.cloudwatch.EventTarget,
  name: "etl-failed-to-sns",
  props: { rule: "etl-failed", arn: `arn:aws:sns:${REGION}:${ACCOUNT}:etl-alerts` },
};

describe("job-failure-alerts", () => {
  it("accepts a FAILED rule for the job's queue with a target", () =>
    assertNoStackViolations(jobFailureAlerts, stackArgs([jd, queue, ce, nightly, topic, rule(FAILURE_PATTERN), target])));
  it("accepts a rule for every queue", () => {
    const { jobQueue: _q, ...detail } = FAILURE_PATTERN.detail;
    assertNoStackViolations(jobFailureAlerts, stackArgs([jd, queue, topic, rule({ ...FAILURE_PATTERN, detail }), target]));
  });
  it("accepts a rule naming the job definition", () =>
    assertNoStackViolations(
      jobFailureAlerts,
      stackArgs([jd, queue, topic, rule({ ...FAILURE_PATTERN, detail: { status: ["FAILED"], jobDefinition: [{ prefix: "arn:aws:batch" }] } }), target]),
    ));
  it("does not apply before monitoring exists", () => assertNoStackViolations(jobFailureAlerts, stackArgs([jd, queue, ce])));
  it("applies without monitoring when requireMonitoring is set", () =>
    assertHasStackViolation(jobFailureAlerts, stackArgs([jd, queue, ce], { requireMonitoring: true }), "(found no EventRule for failed AWS Batch jobs)"));
  it("rejects a job without a failure rule once monitoring exists", () =>
    assertHasStackViolation(
      jobFailureAlerts,
      stackArgs([jd, queue, topic]),
      'Job definition "etl-job" must have a failure alert path (found no EventRule for failed AWS Batch jobs)',
      urnOf(jd),
    ));
  it("rejects a rule on SUCCEEDED only", () =>
    assertHasStackViolation(
      jobFailureAlerts,
      stackArgs([jd, queue, topic, rule({ ...FAILURE_PATTERN, detail: { status: ["SUCCEEDED"] } }), target]),
      "found no EventRule for failed AWS Batch jobs",
    ));
  it("rejects a rule for another source", () =>
    assertHasStackViolation(jobFailureAlerts, stackArgs([jd, queue, topic, rule({ ...FAILURE_PATTERN, source: ["aws.ecs"] }), target]), "found no EventRule"));
  it("rejects a rule without a target", () =>
    assertHasStackViolation(jobFailureAlerts, stackArgs([jd, queue, topic, rule(FAILURE_PATTERN)]), 'failure rules "etl-failed" without a target'));
  it("rejects a rule on a custom event bus", () =>
    assertHasStackViolation(jobFailureAlerts, stackArgs([jd, queue, topic, rule(FAILURE_PATTERN, { eventBusName: "jobs" }), target]), "found no EventRule"));
  it("rejects a disabled rule", () =>
    assertHasStackViolation(jobFailureAlerts, stackArgs([jd, queue, topic, rule(FAILURE_PATTERN, { state: "DISABLED" }), target]), "found no EventRule"));
  it("rejects a rule for another queue than the one the job is scheduled on", () => {
    const other = `arn:aws:batch:${REGION}:${ACCOUNT}:job-queue/other-queue`;
    const otherQueue: StackResourceSpec = { type: aws.batch.JobQueue, name: "other-queue", props: jobQueue({ name: "other-queue" }) };
    assertHasStackViolation(
      jobFailureAlerts,
      stackArgs([jd, queue, otherQueue, nightly, topic, rule({ ...FAILURE_PATTERN, detail: { status: ["FAILED"], jobQueue: [other] } }), target]),
      'found failure rules "etl-failed" only for other job queues or definitions',
    );
  });
  it("reads job queues from EventBridge batch targets too", () => {
    const batchTarget: StackResourceSpec = {
      type: aws.cloudwatch.EventTarget,
      name: "etl-cron-target",
      props: { rule: "etl-cron", arn: QUEUE_ARN, batchTarget: { jobDefinition: "etl-job", jobName: "etl" } },
    };
    assertNoStackViolations(jobFailureAlerts, stackArgs([jd, queue, batchTarget, topic, rule(FAILURE_PATTERN), target]));
  });
  it("tolerates an unknown event pattern", () => assertNoStackViolations(jobFailureAlerts, stackArgs([jd, queue, topic, rule(UNKNOWN), target])));
});

describe("job-queue-compute-environment", () => {
  it("accepts a queue on a stack compute environment (by ARN)", () => assertNoStackViolations(jobQueueComputeEnvironment, stackArgs([queue, ce])));
  it("accepts a queue that depends on the compute environment", () =>
    assertNoStackViolations(
      jobQueueComputeEnvironment,
      stackArgs([
        { ...queue, props: jobQueue({ computeEnvironmentOrders: [{ order: 1, computeEnvironment: "arn:aws:batch:x:1:compute-environment/etl-ce-1a2b3c4" }] }), propertyDependencies: { computeEnvironmentOrders: [urnOf(ce)] } },
        { ...ce, props: computeEnvironment({ name: undefined }) },
      ]),
    ));
  it("accepts the arn output of a compute environment", () =>
    assertNoStackViolations(
      jobQueueComputeEnvironment,
      stackArgs([
        { ...queue, props: jobQueue({ computeEnvironmentOrders: [{ order: 1, computeEnvironment: "arn:aws:batch:eu-west-1:1:compute-environment/x" }] }) },
        { ...ce, props: { ...computeEnvironment(), arn: "arn:aws:batch:eu-west-1:1:compute-environment/x" } },
      ]),
    ));
  it("rejects a queue without compute environments", () =>
    assertHasStackViolation(jobQueueComputeEnvironment, stackArgs([{ ...queue, props: jobQueue({ computeEnvironmentOrders: [] }) }, ce]), 'Job queue "etl-queue" must reference a compute environment (found computeEnvironmentOrders: [])', urnOf(queue)));
  it("rejects a queue on a compute environment outside the stack", () =>
    assertHasStackViolation(
      jobQueueComputeEnvironment,
      stackArgs([{ ...queue, props: jobQueue({ computeEnvironmentOrders: [{ order: 1, computeEnvironment: CE_ARN.replace("etl-ce", "legacy-ce") }] }) }, ce]),
      'must reference a compute environment of this stack (found "arn:aws:batch:eu-west-1:123456789012:compute-environment/legacy-ce", none of "etl-ce")',
    ));
  it("rejects mixing Fargate and Spot", () =>
    assertHasStackViolation(
      jobQueueComputeEnvironment,
      stackArgs([
        { ...queue, props: jobQueue({ computeEnvironmentOrders: [{ order: 1, computeEnvironment: CE_ARN }, { order: 2, computeEnvironment: "etl-spot-ce" }] }) },
        ce,
        { type: aws.batch.ComputeEnvironment, name: "etl-spot-ce", props: spotComputeEnvironment() },
      ]),
      "must not mix Fargate and EC2/Spot compute environments",
    ));
  it("tolerates unknown compute environment ARNs", () =>
    assertNoStackViolations(jobQueueComputeEnvironment, stackArgs([{ ...queue, props: jobQueue({ computeEnvironmentOrders: [{ order: 1, computeEnvironment: UNKNOWN }] }) }])));
});

describe("required-tags", () => {
  it("accepts tagged resources", () => assertNoStackViolations(requiredTags, stackArgs([jd, queue, ce])));
  it("rejects a missing tag", () =>
    assertHasStackViolation(
      requiredTags,
      stackArgs([{ ...queue, props: jobQueue({ tags: { Project: "p", Environment: "prod" } }) }]),
      'Resource "etl-queue" (aws:batch/jobQueue:JobQueue) must carry the tags Project, Environment, Owner (missing Owner; found Project, Environment)',
      urnOf(queue),
    ));
  it("rejects an empty tag value", () =>
    assertHasStackViolation(requiredTags, stackArgs([{ ...queue, props: jobQueue({ tags: { ...TAGS, Owner: "" } }) }]), "(missing Owner;"));
  it("is case-sensitive", () =>
    assertHasStackViolation(requiredTags, stackArgs([{ ...queue, props: jobQueue({ tags: { project: "p", environment: "e", owner: "o" } }) }]), "missing Project, Environment, Owner"));
  it("checks known taggable types without a tags key", () =>
    assertHasStackViolation(requiredTags, stackArgs([{ type: aws.cloudwatch.LogGroup, name: "logs", props: { retentionInDays: 7 } }]), "found no tags"));
  it("checks any aws resource that has a tags key", () =>
    assertHasStackViolation(requiredTags, stackArgs([{ type: "aws:efs/fileSystem:FileSystem", name: "fs", props: { tags: {} } }]), 'Resource "fs"'));
  it("skips untaggable resources and components", () =>
    assertNoStackViolations(
      requiredTags,
      stackArgs([
        { type: aws.scheduler.Schedule, name: "s", props: schedule() },
        { type: "batch-migration:index:CronJob", name: "job", props: { tags: {} } },
      ]),
    ));
  it("accepts tags from the provider's defaultTags", () =>
    assertNoStackViolations(
      requiredTags,
      stackArgs([
        {
          ...queue,
          props: jobQueue({ tags: { Owner: "data" } }),
          provider: { type: "pulumi:providers:aws", name: "aws", urn: "urn:provider", props: { defaultTags: JSON.stringify({ tags: { Project: "p", Environment: "e" } }) } },
        },
      ]),
    ));
  it("accepts tags from the stack's only aws provider", () =>
    assertNoStackViolations(
      requiredTags,
      stackArgs([
        { type: "pulumi:providers:aws", name: "aws", props: { region: REGION, defaultTags: { tags: TAGS } } },
        { ...queue, props: jobQueue({ tags: undefined }) },
      ]),
    ));
  it("honours requiredTags", () =>
    assertHasStackViolation(requiredTags, stackArgs([queue], { requiredTags: ["CostCenter"] }), "must carry the tags CostCenter (missing CostCenter"));
  it("honours ignoredTypes", () =>
    assertNoStackViolations(requiredTags, stackArgs([{ ...queue, props: jobQueue({ tags: {} }) }], { ignoredTypes: ["aws:batch/jobQueue:JobQueue"] })));
  it("tolerates unknown tags", () => assertNoStackViolations(requiredTags, stackArgs([{ ...queue, props: jobQueue({ tags: UNKNOWN }) }])));
  it("tolerates an unknown tag value", () => assertNoStackViolations(requiredTags, stackArgs([{ ...queue, props: jobQueue({ tags: { ...TAGS, Owner: UNKNOWN } }) }])));
});
