/**
 * The Monitoring component as the committed dev and prod stacks declare it, evaluated under the mocks: alert rules
 * matching the stack's real queues, their messages, the encrypted topic and who may publish to it, alarms, the
 * dashboard, saved queries and the budget.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { syntheticInventory } from "../bench/generate";
import type { PolicyDocument, Statement } from "../lib/iam";
import type { DashboardBody } from "../lib/dashboard";
import { MOCK_ACCOUNT_ID } from "../lib/offline/mocks";
import { PlannedResource, PROJECT_ROOT, ProgramRun, runProgram } from "../lib/offline/run";
import { readStackConfig } from "../lib/offline/stack-files";
import { jsonInput, ofType, planStack, resource, T } from "./helpers/program";
import { stackInput } from "./helpers/stack-inventory";

const M = {
  component: "batch-migration:monitoring:Monitoring",
  key: "aws:kms/key:Key",
  alias: "aws:kms/alias:Alias",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  rule: "aws:cloudwatch/eventRule:EventRule",
  target: "aws:cloudwatch/eventTarget:EventTarget",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  dashboard: "aws:cloudwatch/dashboard:Dashboard",
  query: "aws:cloudwatch/queryDefinition:QueryDefinition",
  budget: "aws:budgets/budget:Budget",
  sqs: "aws:sqs/queue:Queue",
} as const;

const queueArns = (run: ProgramRun) => ofType(run, T.queue).map((q) => q.state.arn as string);
const topicArn = (run: ProgramRun) => resource(run, M.topic, "monitoring-topic").state.arn as string;

interface Transformer {
  inputPaths: Record<string, string>;
  inputTemplate: string;
}

function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(/<([A-Za-z0-9_]+)>/g)].map((m) => m[1]))].sort();
}

describe("monitoring: committed stacks", () => {
  let dev: ProgramRun;
  let prod: ProgramRun;

  before(async () => {
    dev = await planStack("dev");
    prod = await planStack("prod");
  });

  describe("alert rules", () => {
    it("match FAILED job state changes of exactly the stack's queues, by their ARNs", () => {
      for (const run of [dev, prod]) {
        const rule = resource(run, M.rule, "monitoring-job-failed");
        assert.equal(rule.inputs.name, `${run.stack}-batch-job-failed`);
        assert.equal(rule.inputs.state, "ENABLED");
        assert.deepEqual(jsonInput(rule, "eventPattern"), {
          source: ["aws.batch"],
          "detail-type": ["Batch Job State Change"],
          detail: { status: ["FAILED"], jobQueue: queueArns(run) },
        });
      }
      assert.deepEqual(queueArns(dev), [
        "arn:aws:batch:eu-central-1:123456789012:job-queue/dev-fargate",
        "arn:aws:batch:eu-central-1:123456789012:job-queue/dev-fargate-spot",
      ]);
    });

    it("match blocked-queue events of exactly the stack's queues", () => {
      for (const run of [dev, prod]) {
        const rule = resource(run, M.rule, "monitoring-queue-blocked");
        assert.deepEqual(jsonInput(rule, "eventPattern"), {
          source: ["aws.batch"],
          "detail-type": ["Batch Job Queue Blocked"],
          detail: { jobQueue: queueArns(run) },
        });
      }
    });

    it("send both rules to the alert topic, after its policy lets EventBridge publish", () => {
      for (const run of [dev, prod]) {
        const policyUrn = resource(run, M.topicPolicy, "monitoring-topic-policy").urn;
        for (const name of ["monitoring-job-failed", "monitoring-queue-blocked"]) {
          const target = resource(run, M.target, `${name}-to-topic`);
          assert.equal(target.inputs.arn, topicArn(run));
          assert.equal(target.inputs.rule, resource(run, M.rule, name).inputs.name);
          assert.ok(target.options.dependsOn?.includes(policyUrn), `${name} target waits for the topic policy`);
        }
      }
    });

    it("turn a failed job into a readable message with queue, reason, log stream and a console link", () => {
      const target = resource(prod, M.target, "monitoring-job-failed-to-topic");
      const t = target.inputs.inputTransformer as Transformer;
      assert.deepEqual(t.inputPaths, {
        jobName: "$.detail.jobName",
        jobId: "$.detail.jobId",
        jobQueue: "$.detail.jobQueue",
        jobDefinition: "$.detail.jobDefinition",
        statusReason: "$.detail.statusReason",
        exitCode: "$.detail.container.exitCode",
        logStream: "$.detail.container.logStreamName",
        region: "$.region",
        time: "$.time",
      });
      assert.deepEqual(placeholders(t.inputTemplate), Object.keys(t.inputPaths).sort(), "every placeholder has a path and every path is used");
      const text = JSON.parse(t.inputTemplate) as string;
      assert.match(text, /^\[prod\] AWS Batch job <jobName> FAILED\n/);
      assert.match(text, /\nQueue: <jobQueue>\n/);
      assert.match(text, /\nReason: <statusReason>\n/);
      assert.match(text, /\nLog stream: <logStream>\n/);
      assert.match(text, /\nJob: https:\/\/<region>\.console\.aws\.amazon\.com\/batch\/home\?region=<region>#jobs\/detail\/<jobId>\n/);
    });

    it("tell what a blocked queue means, with the stack's RUNNABLE time limit", () => {
      for (const [run, minutes] of [[dev, 30], [prod, 60]] as const) {
        const t = resource(run, M.target, "monitoring-queue-blocked-to-topic").inputs.inputTransformer as Transformer;
        assert.deepEqual(placeholders(t.inputTemplate), Object.keys(t.inputPaths).sort());
        const text = JSON.parse(t.inputTemplate) as string;
        assert.match(text, new RegExp(`^\\[${run.stack}\\] AWS Batch queue blocked by job <jobName> \\(RUNNABLE\\)`));
        assert.match(text, new RegExp(`cancels the job after ${minutes} minutes in RUNNABLE`));
        assert.equal(t.inputPaths.statusReason, "$.detail.statusReason");
      }
    });
  });

  describe("topic and key", () => {
    it("encrypt the topic with the stack's own key, rotated yearly", () => {
      for (const run of [dev, prod]) {
        const key = resource(run, M.key, "monitoring-key");
        const topic = resource(run, M.topic, "monitoring-topic");
        assert.equal(topic.inputs.name, `${run.stack}-batch-alerts`);
        assert.equal(topic.inputs.kmsMasterKeyId, key.state.arn);
        assert.notEqual(topic.inputs.kmsMasterKeyId, "alias/aws/sns");
        assert.equal(key.inputs.enableKeyRotation, true);
        assert.equal(resource(run, M.alias, "monitoring-key-alias").inputs.name, `alias/${run.stack}-batch-alerts`);
      }
    });

    it("let this account's CloudWatch alarms, EventBridge and Budgets use the key", () => {
      const policy = jsonInput<PolicyDocument>(resource(prod, M.key, "monitoring-key"), "policy");
      const bySid = new Map(policy.Statement.map((s) => [s.Sid, s]));
      assert.deepEqual([...bySid.keys()], ["AccountAdministersKeyThroughIam", "CloudWatchAlarmsOfThisAccount", "EventBridgeRules", "BudgetsNotifications"]);
      assert.deepEqual(bySid.get("AccountAdministersKeyThroughIam")!.Principal, { AWS: `arn:aws:iam::${MOCK_ACCOUNT_ID}:root` });
      const cw = bySid.get("CloudWatchAlarmsOfThisAccount")!;
      assert.deepEqual(cw.Principal, { Service: "cloudwatch.amazonaws.com" });
      assert.deepEqual(cw.Action, ["kms:GenerateDataKey*", "kms:Decrypt"]);
      assert.deepEqual(cw.Condition, {
        StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID },
        ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:eu-central-1:${MOCK_ACCOUNT_ID}:alarm:*` },
      });
      // AWS does not support source conditions in the key policy for EventBridge delivery to encrypted topics.
      const events = bySid.get("EventBridgeRules")!;
      assert.deepEqual(events.Principal, { Service: "events.amazonaws.com" });
      assert.deepEqual(events.Action, ["kms:GenerateDataKey*", "kms:Decrypt"]);
      assert.equal(events.Condition, undefined);
      assert.deepEqual(bySid.get("BudgetsNotifications")!.Principal, { Service: "budgets.amazonaws.com" });
    });

    it("let only EventBridge, CloudWatch and Budgets of this account publish", () => {
      for (const run of [dev, prod]) {
        const policy = jsonInput<PolicyDocument>(resource(run, M.topicPolicy, "monitoring-topic-policy"), "policy");
        assert.equal(resource(run, M.topicPolicy, "monitoring-topic-policy").inputs.arn, topicArn(run));
        const services = policy.Statement.map((s: Statement) => (s.Principal as { Service: string }).Service);
        assert.deepEqual(services, ["events.amazonaws.com", "cloudwatch.amazonaws.com", "budgets.amazonaws.com"]);
        for (const s of policy.Statement) {
          assert.equal(s.Effect, "Allow");
          assert.equal(s.Action, "sns:Publish");
          assert.equal(s.Resource, topicArn(run));
          assert.equal(s.Condition?.StringEquals?.["aws:SourceAccount"], MOCK_ACCOUNT_ID, `${s.Sid} is limited to this account`);
        }
        assert.equal(policy.Statement[1].Condition?.ArnLike?.["aws:SourceArn"], `arn:aws:cloudwatch:eu-central-1:${MOCK_ACCOUNT_ID}:alarm:*`);
      }
    });

    it("subscribe the stack's alert e-mails", () => {
      const endpoints = (run: ProgramRun) => ofType(run, M.subscription).map((s) => {
        assert.equal(s.inputs.protocol, "email");
        assert.equal(s.inputs.topic, topicArn(run));
        return s.inputs.endpoint;
      });
      assert.deepEqual(endpoints(dev), ["batch-alerts-dev@example.com"]);
      assert.deepEqual(endpoints(prod), ["batch-alerts@example.com", "platform-oncall@example.com"]);
    });
  });

  describe("alarms", () => {
    it("alarm when a scheduled run waits in the schedules' dead-letter queue (AWS/SQS)", () => {
      for (const run of [dev, prod]) {
        const dlq = ofType(run, M.sqs).find((q) => /dlq/.test(q.name));
        assert.ok(dlq, "the stack has a dead-letter queue");
        const alarm = resource(run, M.alarm, "monitoring-dlq-not-empty");
        assert.equal(alarm.inputs.namespace, "AWS/SQS");
        assert.equal(alarm.inputs.metricName, "ApproximateNumberOfMessagesVisible");
        assert.deepEqual(alarm.inputs.dimensions, { QueueName: dlq.state.name });
        assert.equal(alarm.inputs.comparisonOperator, "GreaterThanThreshold");
        assert.equal(alarm.inputs.threshold, 0);
        assert.equal(alarm.inputs.treatMissingData, "notBreaching");
        assert.deepEqual(alarm.inputs.alarmActions, [topicArn(run)]);
      }
    });

    it("alarm when EventBridge cannot deliver an alert (AWS/Events FailedInvocations)", () => {
      for (const suffix of ["job-failed", "queue-blocked"]) {
        const alarm = resource(prod, M.alarm, `monitoring-${suffix}-undelivered`);
        assert.equal(alarm.inputs.namespace, "AWS/Events");
        assert.equal(alarm.inputs.metricName, "FailedInvocations");
        assert.deepEqual(alarm.inputs.dimensions, { RuleName: resource(prod, M.rule, `monitoring-${suffix}`).inputs.name });
        assert.deepEqual(alarm.inputs.alarmActions, [topicArn(prod)]);
      }
    });

    it("use no AWS/Batch metric", () => {
      for (const alarm of ofType(prod, M.alarm)) assert.notEqual(alarm.inputs.namespace, "AWS/Batch", alarm.name);
      assert.equal(ofType(prod, M.alarm).length, 3);
    });
  });

  describe("dashboard", () => {
    const body = (run: ProgramRun) => jsonInput<DashboardBody>(resource(run, M.dashboard, "monitoring-dashboard"), "dashboardBody");
    /** Log groups of the jobs the stack's inventory submits to `queue` (`<env>-<platform>`). */
    const logGroupsOf = (run: ProgramRun, queue: string) =>
      stackInput(run.stack)
        .inventory.jobs.filter((j) => `${run.stack}-${j.platform}` === queue)
        .map((j) => `/aws/batch/${run.stack}/${j.name}`);

    it("is valid JSON with widgets inside the 24-column grid, not overlapping", () => {
      for (const run of [dev, prod]) {
        const b = body(run);
        assert.equal(resource(run, M.dashboard, "monitoring-dashboard").inputs.dashboardName, `${run.stack}-batch-jobs`);
        const cells = new Set<string>();
        for (const w of b.widgets) {
          assert.ok(w.x >= 0 && w.x + w.width <= 24, JSON.stringify(w));
          for (let x = w.x; x < w.x + w.width; x++) {
            for (let y = w.y; y < w.y + w.height; y++) {
              assert.ok(!cells.has(`${x},${y}`), `widgets overlap at ${x},${y}`);
              cells.add(`${x},${y}`);
            }
          }
        }
      }
    });

    it("shows one outcome widget per queue over the log groups of that queue's jobs", () => {
      const b = body(dev);
      for (const queue of ["dev-fargate", "dev-fargate-spot"]) {
        const widgets = b.widgets.filter((w) => w.type === "log" && String(w.properties.title).startsWith(`Job outcomes on ${queue} `));
        assert.equal(widgets.length, 1, queue);
        const query = String(widgets[0].properties.query);
        const sources = [...query.matchAll(/SOURCE '([^']+)'/g)].map((m) => m[1]);
        assert.deepEqual(sources, logGroupsOf(dev, queue));
        assert.ok(sources.length > 0);
        for (const source of sources) assert.ok(ofType(dev, T.logGroup).some((g) => g.inputs.name === source), source);
        assert.match(query, /filter event in \["job_finished", "job_failed"\]/);
        assert.equal(widgets[0].properties.region, "eu-central-1");
      }
    });

    it("shows two widgets per job, reading only that job's log group", () => {
      const b = body(prod);
      const jobs = stackInput("prod").inventory.jobs.map((j) => j.name);
      assert.equal(b.widgets.filter((w) => / run duration /.test(String(w.properties.title))).length, jobs.length);
      for (const job of jobs) {
        const widgets = b.widgets.filter((w) => String(w.properties.title).startsWith(`${job}: `));
        assert.equal(widgets.length, 2, job);
        for (const w of widgets) assert.match(String(w.properties.query), new RegExp(`^SOURCE '/aws/batch/prod/${job}' \\| `));
      }
    });

    it("charts the alert rules' EventBridge metrics and the dead-letter queue depth", () => {
      const b = body(prod);
      const metrics = b.widgets.filter((w) => w.type === "metric").flatMap((w) => w.properties.metrics as unknown[][]);
      const ruleRows = metrics.filter((m) => m[0] === "AWS/Events");
      assert.deepEqual([...new Set(ruleRows.map((m) => m[3]))], ["prod-batch-job-failed", "prod-batch-queue-blocked"]);
      assert.deepEqual([...new Set(ruleRows.map((m) => m[1]))], ["TriggeredRules", "Invocations", "FailedInvocations"]);
      const dlq = ofType(prod, M.sqs).find((q) => /dlq/.test(q.name))!;
      assert.deepEqual(metrics.filter((m) => m[0] === "AWS/SQS").map((m) => m.slice(0, 4)), [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", dlq.state.name]]);
      assert.ok(!metrics.some((m) => m[0] === "AWS/Batch"));
    });
  });

  describe("saved queries", () => {
    it("save errors per job, slowest runs and run-hours over every job log group", () => {
      for (const run of [dev, prod]) {
        const groups = ofType(run, T.logGroup).map((g) => g.inputs.name);
        const queries = ofType(run, M.query);
        assert.deepEqual(queries.map((q) => q.inputs.name).sort(), [
          `batch-migration/${run.stack}/errors-per-job`,
          `batch-migration/${run.stack}/run-hours-per-job`,
          `batch-migration/${run.stack}/slowest-runs`,
        ]);
        for (const q of queries) assert.deepEqual(q.inputs.logGroupNames, groups, String(q.inputs.name));
      }
    });

    it("leave the log groups to the console when there are more than a query can read (50)", async () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "queries-")), "jobs.yaml");
      fs.writeFileSync(file, syntheticInventory(60));
      const big = await planStack("dev", { "batch-migration:inventory": file, "batch-migration:jobOverrides": "{}", "batch-migration:maxVcpus": "64" });
      const queries = ofType(big, M.query);
      assert.equal(queries.length, 3);
      for (const q of queries) assert.equal(q.inputs.logGroupNames, undefined, String(q.inputs.name));
    });

    it("read fields the job logs contain, not the guide's vcpus/jobStatus", () => {
      const byName = new Map(ofType(prod, M.query).map((q) => [String(q.inputs.name).split("/").pop(), String(q.inputs.queryString)]));
      assert.match(byName.get("errors-per-job")!, /event = "job_failed"/);
      assert.match(byName.get("slowest-runs")!, /filter event = "job_finished"/);
      assert.match(byName.get("slowest-runs")!, /duration_ms \/ 1000 as seconds/);
      assert.match(byName.get("run-hours-per-job")!, /^filter event = "job_metrics"/);
      assert.match(byName.get("run-hours-per-job")!, /Duration \/ 3600000 as hours/);
      assert.match(byName.get("run-hours-per-job")!, /sum\(RecordsProcessed\)/);
      for (const text of byName.values()) assert.doesNotMatch(text, /vcpus|jobStatus/);
    });
  });

  describe("budget", () => {
    it("limits the month's cost of resources tagged with both the project and the environment", () => {
      for (const [run, amount] of [[dev, "60.00"], [prod, "300.00"]] as const) {
        const budget = resource(run, M.budget, "monitoring-budget");
        assert.equal(budget.inputs.name, `batch-migration-${run.stack}-monthly`);
        assert.equal(budget.inputs.budgetType, "COST");
        assert.equal(budget.inputs.timeUnit, "MONTHLY");
        assert.equal(budget.inputs.limitUnit, "USD");
        assert.equal(budget.inputs.limitAmount, amount);
        assert.deepEqual(budget.inputs.filterExpression, {
          ands: [
            { tags: { key: "Project", values: ["batch-migration"], matchOptions: ["EQUALS"] } },
            { tags: { key: "Environment", values: [run.stack], matchOptions: ["EQUALS"] } },
          ],
        });
        assert.equal(budget.inputs.costFilters, undefined);
      }
    });

    it("notifies the topic at 100% and 150% of actual and 100% of forecast cost", () => {
      const budget = resource(prod, M.budget, "monitoring-budget");
      const notifications = budget.inputs.notifications as Record<string, unknown>[];
      assert.deepEqual(
        notifications.map((n) => [n.notificationType, n.threshold, n.thresholdType, n.comparisonOperator]),
        [
          ["ACTUAL", 100, "PERCENTAGE", "GREATER_THAN"],
          ["ACTUAL", 150, "PERCENTAGE", "GREATER_THAN"],
          ["FORECASTED", 100, "PERCENTAGE", "GREATER_THAN"],
        ],
      );
      for (const n of notifications) assert.deepEqual(n.subscriberSnsTopicArns, [topicArn(prod)]);
      assert.ok(budget.options.dependsOn?.includes(resource(prod, M.topicPolicy, "monitoring-topic-policy").urn));
    });
  });

  describe("stack wiring", () => {
    it("nests everything under the Monitoring component, tagged like the rest of the stack", () => {
      const component = resource(prod, M.component, "monitoring");
      const children = prod.resources.filter((r) => r.parent === component.urn);
      // key, alias, topic, topic policy, 2 rules, 2 targets, 3 alarms, dashboard, 3 queries, budget; one per e-mail
      assert.equal(children.length, 16 + stackInput("prod").settings.alertEmails.length);
      for (const r of children.filter((c) => "tags" in c.inputs)) {
        const tags = r.inputs.tags as Record<string, string>;
        assert.equal(tags.Project, "batch-migration", r.name);
        assert.equal(tags.Environment, "prod", r.name);
        assert.equal(tags.CostCenter, "batch-migration-prod", r.name);
        assert.ok(tags.Name, r.name);
      }
    });

    it("exports the topic ARN, dashboard name and budget name", () => {
      assert.equal(prod.outputs.alertTopicArn, topicArn(prod));
      assert.equal(prod.outputs.dashboardName, "prod-batch-jobs");
      assert.equal(prod.outputs.budgetName, "batch-migration-prod-monthly");
    });

    it("adds no log group, so prod's job logs stay the only, retained ones", () => {
      const groups = ofType(prod, T.logGroup);
      assert.equal(groups.length, stackInput("prod").inventory.jobs.length);
      for (const g of groups) assert.equal(g.options.retainOnDelete, true, g.name);
    });
  });
});

describe("monitoring: without a dead-letter queue", () => {
  let run: ProgramRun;
  const find = (type: string, name: string): PlannedResource => resource(run, type, name);

  before(async () => {
    run = await runProgram(readStackConfig(PROJECT_ROOT, "dev"), {}, path.join(__dirname, "fixtures", "monitoring-only.ts"));
  });

  it("creates no dead-letter alarm and no SQS widget", () => {
    assert.deepEqual(ofType(run, M.alarm).map((a) => a.name).sort(), ["alerts-job-failed-undelivered", "alerts-queue-blocked-undelivered"]);
    const body = jsonInput<DashboardBody>(find(M.dashboard, "alerts-dashboard"), "dashboardBody");
    assert.ok(!JSON.stringify(body).includes("AWS/SQS"));
  });

  it("skips the outcome widget of a queue without jobs and subscribes nobody", () => {
    const body = jsonInput<DashboardBody>(find(M.dashboard, "alerts-dashboard"), "dashboardBody");
    const titles = body.widgets.map((w) => String(w.properties.title ?? ""));
    assert.ok(titles.some((t) => t.startsWith("Job outcomes on test-fargate ")));
    assert.ok(!titles.some((t) => t.startsWith("Job outcomes on test-ec2 ")));
    assert.equal(ofType(run, M.subscription).length, 0);
    assert.equal(find(M.budget, "alerts-budget").inputs.limitAmount, "25.00");
  });
});
