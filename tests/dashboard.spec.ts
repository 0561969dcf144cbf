/**
 * The dashboard body builder on its own: layout, one widget per queue and two per job, optional dead-letter queue,
 * and the limits of Logs Insights sources.
 */
import * as assert from "node:assert/strict";
import { DashboardInput, dashboardBody, logsQuery, MAX_JOBS_WITH_WIDGETS } from "../lib/dashboard";

const input: DashboardInput = {
  environment: "qa",
  region: "eu-west-1",
  failedRule: "qa-batch-job-failed",
  blockedRule: "qa-batch-queue-blocked",
  queues: [
    { name: "qa-fargate", logGroups: ["/aws/batch/qa/a", "/aws/batch/qa/b"] },
    { name: "qa-ec2", logGroups: ["/aws/batch/qa/c"] },
    { name: "qa-ec2-spot", logGroups: [] },
  ],
  jobs: [
    { name: "a", logGroup: "/aws/batch/qa/a", queue: "qa-fargate" },
    { name: "b", logGroup: "/aws/batch/qa/b", queue: "qa-fargate" },
    { name: "c", logGroup: "/aws/batch/qa/c", queue: "qa-ec2" },
  ],
};

describe("dashboard body", () => {
  it("round-trips through JSON and keeps every widget in the grid without overlaps", () => {
    const body = JSON.parse(JSON.stringify(dashboardBody(input))) as ReturnType<typeof dashboardBody>;
    const taken = new Set<string>();
    for (const w of body.widgets) {
      assert.ok(w.width > 0 && w.height > 0 && w.x + w.width <= 24);
      for (let x = w.x; x < w.x + w.width; x++) for (let y = w.y; y < w.y + w.height; y++) {
        assert.ok(!taken.has(`${x}/${y}`), `overlap at ${x}/${y}`);
        taken.add(`${x}/${y}`);
      }
      if (w.type !== "text") assert.equal(w.properties.region, "eu-west-1");
    }
  });

  it("has one outcome widget per queue with jobs, reading exactly that queue's log groups", () => {
    const outcomes = dashboardBody(input).widgets.filter((w) => String(w.properties.title).startsWith("Job outcomes on "));
    assert.deepEqual(outcomes.map((w) => w.properties.title), [
      "Job outcomes on qa-fargate (attempts, from job log lines)",
      "Job outcomes on qa-ec2 (attempts, from job log lines)",
    ]);
    assert.match(String(outcomes[0].properties.query), /^SOURCE '\/aws\/batch\/qa\/a' \| SOURCE '\/aws\/batch\/qa\/b' \| filter /);
  });

  it("has a recent-lines and a duration widget per job", () => {
    const titles = dashboardBody(input).widgets.map((w) => String(w.properties.title ?? ""));
    for (const job of ["a", "b", "c"]) {
      assert.ok(titles.includes(`${job}: recent lines (${job === "c" ? "qa-ec2" : "qa-fargate"})`), job);
      assert.ok(titles.includes(`${job}: run duration in seconds (job_metrics lines)`), job);
    }
  });

  it("charts the dead-letter queue only when there is one", () => {
    const without = JSON.stringify(dashboardBody(input));
    assert.ok(!without.includes("AWS/SQS"));
    const withDlq = dashboardBody({ ...input, deadLetterQueue: "qa-batch-jobs-dlq" });
    const sqs = withDlq.widgets.filter((w) => JSON.stringify(w.properties.metrics ?? []).includes("AWS/SQS"));
    assert.equal(sqs.length, 1);
    assert.deepEqual((sqs[0].properties.metrics as unknown[][])[0].slice(0, 4), ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "qa-batch-jobs-dlq"]);
  });

  it("refuses a Logs Insights query without log groups or with more than 50", () => {
    assert.throws(() => logsQuery([], "fields @message"), /needs at least one log group/);
    const many = Array.from({ length: 51 }, (_, i) => `/g/${i}`);
    assert.throws(() => logsQuery(many, "fields @message"), /reads at most 50 log groups \(found 51\)/);
    assert.equal(logsQuery(["/g/1"], "fields @message"), "SOURCE '/g/1' | fields @message");
  });

  it("splits a queue with more than 50 jobs over several outcome widgets and caps per-job widgets for large inventories", () => {
    const groups = Array.from({ length: 120 }, (_, i) => `/aws/batch/qa/j${i}`);
    const big = dashboardBody({
      ...input,
      queues: [{ name: "qa-fargate", logGroups: groups }],
      jobs: groups.map((g, i) => ({ name: `j${i}`, logGroup: g, queue: "qa-fargate" })),
    });
    const outcomes = big.widgets.filter((w) => String(w.properties.title).startsWith("Job outcomes on qa-fargate"));
    assert.deepEqual(
      outcomes.map((w) => (String(w.properties.query).match(/SOURCE/g) ?? []).length),
      [50, 50, 20],
    );
    assert.match(String(outcomes[2].properties.title), /part 3 of 3/);
    const perJob = big.widgets.filter((w) => /^j\d+: /.test(String(w.properties.title)));
    assert.equal(perJob.length, 2 * MAX_JOBS_WITH_WIDGETS);
    assert.ok(big.widgets.some((w) => w.type === "text" && String(w.properties.markdown).includes(`first ${MAX_JOBS_WITH_WIDGETS} of 120 jobs`)));
    assert.ok(big.widgets.length <= 500);
  });
});
