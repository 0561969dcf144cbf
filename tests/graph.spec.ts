/**
 * The stack as a Mermaid flowchart (`npm run plan -- --graph FILE`): the diagram of the committed dev stack parses
 * with Mermaid's own parser, its nodes and edges are the stack's wiring, edges to resource types the module does
 * not know are found from their inputs, and plumbing and secrets stay out of it.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { JSDOM } from "jsdom";
import { plan } from "../cli/plan";
import { toMermaid } from "../lib/offline/graph";
import type { PlannedResource, ProgramRun } from "../lib/offline/run";
import { planStack } from "./helpers/program";

type Mermaid = { parse(text: string): Promise<unknown> };

/**
 * Mermaid's parser, loaded in Node: its sanitizer (DOMPurify) needs a DOM when the module loads, so a jsdom
 * window is global for that moment only. No browser is involved.
 */
async function loadMermaid(): Promise<Mermaid> {
  const g = globalThis as Record<string, unknown>;
  const had = { window: g.window, document: g.document };
  const dom = new JSDOM("");
  g.window = dom.window;
  g.document = dom.window.document;
  try {
    return (await import("mermaid")).default as unknown as Mermaid;
  } finally {
    g.window = had.window;
    g.document = had.document;
    if (had.window === undefined) delete g.window;
    if (had.document === undefined) delete g.document;
  }
}

/** `from --> to` lines of a flowchart, by node id, with their labels. */
function edges(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => l.includes("-->"))
    .map((l) => l.trim());
}

function nodeId(text: string, labelPart: string): string {
  const line = text.split("\n").find((l) => !l.includes("-->") && l.includes(labelPart));
  assert.ok(line, `no node labelled ${labelPart}`);
  return line.trim().split(/[[({]/)[0];
}

function linked(text: string, from: string, to: string, label?: string): boolean {
  const a = nodeId(text, from);
  const b = nodeId(text, to);
  return edges(text).some((e) => e === `${a} -->${label ? `|"${label}"|` : ""} ${b}`);
}

const MERMAID_PARSE_TIMEOUT = 120_000;

describe("graph: the committed dev stack as a Mermaid flowchart", () => {
  let mermaid: Mermaid;
  let dev: ProgramRun;
  let text: string;

  before(async function () {
    this.timeout(MERMAID_PARSE_TIMEOUT);
    mermaid = await loadMermaid();
    dev = await planStack("dev");
    text = toMermaid(dev);
  });

  it("parses as a flowchart with Mermaid's parser", async () => {
    assert.deepEqual(await mermaid.parse(text), { diagramType: "flowchart-v2", config: {} });
    await assert.rejects(mermaid.parse(`${text}\n  A -->`), /Parse error/, "the parser does reject a broken diagram");
  });

  it("groups the resources by the component that declares them", () => {
    const groups = text.split("\n").filter((l) => l.trim().startsWith("subgraph")).map((l) => l.trim().replace(/^subgraph \S+\["(.*)"\]$/, "$1"));
    for (const g of ["Network", "Compute", "Jobs", "Images"]) assert.ok(groups.includes(g), `group ${g} in ${groups.join(", ")}`);
    assert.equal(groups.length, new Set(groups).size, "one group per title");
  });

  it("draws the network, the compute environments, the queues with their order, and the job definitions", () => {
    assert.ok(linked(text, "SecurityGroup<br/>network-jobs-sg", "Vpc<br/>network-vpc"));
    assert.ok(linked(text, "ComputeEnvironment<br/>batch-fargate-ce", "Vpc<br/>network-vpc"), "subnets of the VPC");
    assert.ok(linked(text, "ComputeEnvironment<br/>batch-fargate-ce", "SecurityGroup<br/>network-jobs-sg"));
    assert.ok(linked(text, "JobQueue<br/>dev-fargate-spot", "ComputeEnvironment<br/>batch-fargate-spot-ce", "order 1"));
    assert.ok(linked(text, "JobQueue<br/>dev-fargate-spot", "ComputeEnvironment<br/>batch-fargate-ce", "order 2"));
    assert.ok(linked(text, "JobQueue<br/>dev-fargate<br/>", "ComputeEnvironment<br/>batch-fargate-ce", "order 1"));
    for (const job of ["dev-data-processor", "dev-report-generator", "dev-sample-job"]) nodeId(text, `JobDefinition<br/>${job}`);
    assert.match(text, /ComputeEnvironment<br\/>batch-fargate-spot-ce<br\/>FARGATE_SPOT/);
  });

  it("links job definitions to their repositories, and the built image to the repository it is pushed to", () => {
    assert.ok(linked(text, "JobDefinition<br/>dev-data-processor", "Repository<br/>dev/data-processor"));
    assert.ok(linked(text, "JobDefinition<br/>dev-sample-job", "Image<br/>build-sample-job-image"), "by digest");
    assert.ok(linked(text, "Image<br/>build-sample-job-image", "Repository<br/>dev/sample-job"), "by tag");
  });

  it("links schedules, event rules and alarms when the stack has them", () => {
    const types = new Set(dev.resources.map((r) => r.type));
    if (types.has("aws:scheduler/schedule:Schedule")) {
      const schedule = dev.resources.find((r) => r.type === "aws:scheduler/schedule:Schedule" && r.name.includes("sample-job"))!;
      const id = nodeId(text, `Schedule<br/>${String(schedule.inputs.name)}<br/>`);
      const targets = edges(text).filter((e) => e.startsWith(`${id} -->`)).map((e) => e.split(" ").pop());
      assert.ok(targets.includes(nodeId(text, "JobDefinition<br/>dev-sample-job")), "the schedule submits the job definition");
      assert.ok(targets.includes(nodeId(text, "JobQueue<br/>dev-fargate<br/>")), "to the job's queue");
    }
    const rules = dev.resources.filter((r) => r.type === "aws:cloudwatch/eventRule:EventRule");
    const targets = dev.resources.filter((r) => r.type === "aws:cloudwatch/eventTarget:EventTarget");
    for (const target of targets) {
      const rule = rules.find((r) => r.inputs.name === target.inputs.rule);
      const topic = dev.resources.find((r) => r.state.arn === target.inputs.arn);
      if (!rule || !topic) continue;
      assert.ok(linked(text, `EventRule<br/>${String(rule.inputs.name)}`, `${topic.type.split(":").pop()}<br/>${String(topic.inputs.name ?? topic.name)}`, "target"));
    }
  });

  it("leaves out IAM, log groups and lifecycle policies", () => {
    assert.doesNotMatch(text, /Role<br\/>|LogGroup<br\/>|LifecyclePolicy<br\/>/);
  });

  it("docs/architecture.md shows a diagram of this stack that parses", async () => {
    const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "architecture.md"), "utf8");
    const block = /```mermaid\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(block, "a mermaid block");
    assert.deepEqual(await mermaid.parse(block), { diagramType: "flowchart-v2", config: {} });
    assert.match(block, /JobDefinition<br\/>dev-sample-job/);
  });
});

function resource(type: string, name: string, inputs: Record<string, unknown>, state: Record<string, unknown>, parent = "urn:stack"): PlannedResource {
  return { type, name, urn: `urn:${name}`, parent, custom: true, inputs, state, id: String(state.id ?? name), options: {} };
}

/** A small hand-made plan: a topic, a function of a type the graph module has no entry for, a role and a secret. */
function syntheticRun(): ProgramRun {
  const topicArn = "arn:aws:sns:eu-central-1:123456789012:alerts";
  const fnArn = "arn:aws:lambda:eu-central-1:123456789012:function:notify";
  const dlqArn = "arn:aws:sqs:eu-central-1:123456789012:batch-jobs-dlq";
  return {
    stack: "test",
    project: "p",
    outputs: {},
    resources: [
      { type: "pulumi:pulumi:Stack", name: "p-test", urn: "urn:stack", custom: false, inputs: {}, state: {}, id: "", options: {} },
      resource("aws:sns/topic:Topic", "topic", { name: "alerts" }, { id: topicArn, arn: topicArn, name: "alerts" }),
      resource(
        "aws:lambda/function:Function",
        "notify",
        { name: 'notify "quoted"', environment: { variables: { TOPIC: topicArn } }, deadLetterConfig: { targetArn: dlqArn } },
        { id: "notify", arn: fnArn, name: "notify" },
      ),
      resource("aws:iam/role:Role", "role", { name: "notify-role" }, { id: "notify-role", arn: "arn:aws:iam::123456789012:role/notify-role" }),
      resource("aws:cloudwatch/eventRule:EventRule", "rule", { name: "every-hour", scheduleExpression: "rate(1 hour)" }, { id: "every-hour", arn: "arn:aws:events:eu-central-1:123456789012:rule/every-hour" }),
      resource(
        "aws:cloudwatch/eventRule:EventRule",
        "other-rule",
        { name: "every-day", scheduleExpression: "rate(1 day)", description: `mentions ${fnArn} in prose` },
        { id: "every-day", arn: "arn:aws:events:eu-central-1:123456789012:rule/every-day" },
      ),
      resource("aws:cloudwatch/eventTarget:EventTarget", "rule-target", { rule: "every-hour", arn: fnArn }, { id: "every-hour-1" }),
      resource(
        "aws:ssm/parameter:Parameter",
        "secret-param",
        { name: "/p/secret", value: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: topicArn } },
        { id: "/p/secret", arn: "arn:aws:ssm:eu-central-1:123456789012:parameter/p/secret" },
      ),
      resource(
        "aws:sqs/queue:Queue",
        "queue-a",
        { name: "batch-jobs" },
        { id: "https://sqs.eu-central-1.amazonaws.com/123456789012/batch-jobs", arn: "arn:aws:sqs:eu-central-1:123456789012:batch-jobs" },
      ),
      resource("aws:sqs/queue:Queue", "queue-b", { name: "batch-jobs-dlq" }, { id: "https://sqs.eu-central-1.amazonaws.com/123456789012/batch-jobs-dlq", arn: dlqArn }),
      resource("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", { name: "dlq-alarm", dimensions: { QueueName: "batch-jobs-dlq" }, alarmActions: [topicArn] }, { id: "dlq-alarm" }),
    ],
  };
}

describe("graph: links found from inputs", () => {
  let mermaid: Mermaid;
  let text: string;

  before(async function () {
    this.timeout(MERMAID_PARSE_TIMEOUT);
    mermaid = await loadMermaid();
    text = toMermaid(syntheticRun());
  });

  it("links a resource type it has no entry for, by the ARN in its inputs", async () => {
    assert.ok(linked(text, "Function<br/>notify", "Topic<br/>alerts"));
    assert.match(text, /Function<br\/>notify #quot;quoted#quot;/, "quotes in labels are escaped");
    await mermaid.parse(text);
  });

  it("draws an EventBridge target as the edge from its rule to what it targets", () => {
    assert.ok(linked(text, "EventRule<br/>every-hour", "Function<br/>notify", "target"));
    assert.doesNotMatch(text, /EventTarget<br\/>/);
  });

  it("matches names only as whole values of keys that name a resource, and ARNs only as whole identifiers", () => {
    assert.ok(linked(text, "MetricAlarm<br/>dlq-alarm", 'Queue<br/>batch-jobs-dlq"'), "QueueName dimension");
    assert.ok(linked(text, "MetricAlarm<br/>dlq-alarm", "Topic<br/>alerts"));
    assert.ok(linked(text, "Function<br/>notify", 'Queue<br/>batch-jobs-dlq"'), "dead-letter ARN");
    const queueA = nodeId(text, 'Queue<br/>batch-jobs"');
    assert.deepEqual(edges(text).filter((e) => e.endsWith(` ${queueA}`)), [], "batch-jobs is a prefix of batch-jobs-dlq, not a reference to it");
  });

  it("skips descriptions, secrets and hidden types", () => {
    const otherRule = nodeId(text, "EventRule<br/>every-day");
    assert.deepEqual(edges(text).filter((e) => e.startsWith(`${otherRule} `)), [], "an ARN in a description is prose, not a link");
    assert.ok(!edges(text).some((e) => e.startsWith(`${nodeId(text, "Parameter<br/>/p/secret")} `)), "a secret input is not searched");
    assert.doesNotMatch(text, /Role<br\/>/);
  });
});

describe("graph: plan --graph", () => {
  it("writes the flowchart and still prints the plan", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "graph-")), "dev.mmd");
    const result = await plan(["--stack", "dev", "--graph", file]);
    assert.match(result.stdout, /Previewing update \(dev\)/);
    assert.match(result.stderr, new RegExp(`graph: wrote ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    const text = fs.readFileSync(file, "utf8");
    assert.match(text, /^flowchart LR\n/);
    assert.match(text, /JobDefinition<br\/>dev-sample-job/);
  });

  it("writes no graph when the plan fails", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "graph-")), "dev.mmd");
    const result = await plan(["--stack", "dev", "--graph", file, "--policy-config", path.join(os.tmpdir(), "no-such-policy-config.json")]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /no-such-policy-config\.json: 1 problem[\s\S]*cannot read the policy pack config: ENOENT/);
    assert.doesNotMatch(result.stderr, /graph: wrote/);
    assert.equal(fs.existsSync(file), false, "a failed plan leaves no graph behind");
  });

  it("reports a graph file it cannot write", async () => {
    const result = await plan(["--stack", "dev", "--graph", path.join(os.tmpdir(), "no-such-dir-for-graph", "x", "dev.mmd")]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^plan: cannot write the graph to .*dev\.mmd: ENOENT/);
  });
});
