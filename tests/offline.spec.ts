/**
 * The offline machinery itself: the mocks' answers, and reading stack files the way the Pulumi CLI does.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createMocks, mockState, RecordedResource } from "../lib/offline/mocks";
import { readStackConfig, SECRET_PLACEHOLDER } from "../lib/offline/stack-files";

describe("offline mocks", () => {
  it("record every registration and answer with realistic ids and ARNs", async () => {
    const sink: RecordedResource[] = [];
    const mocks = createMocks(sink, { region: "eu-west-1" });
    const answer = await mocks.newResource({ type: "aws:batch/jobQueue:JobQueue", name: "q", inputs: { name: "dev-fargate" }, custom: true });
    assert.equal(answer.state.arn, "arn:aws:batch:eu-west-1:123456789012:job-queue/dev-fargate");
    assert.equal(sink.length, 1);
    assert.deepEqual(sink[0].inputs, { name: "dev-fargate" });
  });
  it("auto-name resources without a name the way Pulumi does, deterministically", () => {
    const a = mockState("aws:iam/role:Role", "job-x-exec-role", {}, "eu-west-1", "123456789012");
    const b = mockState("aws:iam/role:Role", "job-x-exec-role", {}, "eu-west-1", "123456789012");
    assert.match(String(a.state.arn), /^arn:aws:iam::123456789012:role\/job-x-exec-role-[0-9a-f]{7}$/);
    assert.deepEqual(a, b);
  });
  it("answer the known data sources and throw on any other", () => {
    const mocks = createMocks([], { region: "eu-west-1" });
    assert.equal((mocks.call({ token: "aws:index/getCallerIdentity:getCallerIdentity", inputs: {} }) as { accountId: string }).accountId, "123456789012");
    assert.equal((mocks.call({ token: "aws:index/getPartition:getPartition", inputs: {} }) as { partition: string }).partition, "aws");
    assert.throws(() => mocks.call({ token: "aws:ec2/getAmi:getAmi", inputs: {} }), /the offline mocks do not know the data source "aws:ec2\/getAmi:getAmi": add an answer for it/);
  });
});

describe("stack files", () => {
  function project(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-"));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
  }

  it("overlays the stack's values on the project's declared defaults and namespaces keys", () => {
    const dir = project({
      "Pulumi.yaml": "name: demo\nruntime: nodejs\nconfig:\n  size:\n    type: integer\n    default: 2\n  mode:\n    type: string\n    default: a\n",
      "Pulumi.dev.yaml": "config:\n  aws:region: us-east-2\n  demo:mode: b\n  demo:tags:\n    Team: x\n",
    });
    const c = readStackConfig(dir, "dev");
    assert.equal(c.project, "demo");
    assert.deepEqual(c.config, { "demo:size": "2", "demo:mode": "b", "aws:region": "us-east-2", "demo:tags": '{"Team":"x"}' });
  });
  it("keeps encrypted values secret and never decrypts them", () => {
    const dir = project({ "Pulumi.yaml": "name: demo\nruntime: nodejs\n", "Pulumi.prod.yaml": "config:\n  demo:apiKey:\n    secure: AAABAKx0\n" });
    const c = readStackConfig(dir, "prod");
    assert.equal(c.config["demo:apiKey"], SECRET_PLACEHOLDER);
    assert.deepEqual(c.secretKeys, ["demo:apiKey"]);
  });
  it("names the known stacks when the stack file is missing", () => {
    const dir = project({ "Pulumi.yaml": "name: demo\nruntime: nodejs\n", "Pulumi.a.yaml": "config: {}\n", "Pulumi.b.yaml": "config: {}\n" });
    assert.throws(() => readStackConfig(dir, "c"), /Pulumi\.c\.yaml not found: known stacks are a, b/);
  });
  it("reports YAML errors in stack files", () => {
    const dir = project({ "Pulumi.yaml": "name: demo\nruntime: nodejs\n", "Pulumi.x.yaml": "config: [\n" });
    assert.throws(() => readStackConfig(dir, "x"), /Pulumi\.x\.yaml: 1 problem[\s\S]*YAML syntax/);
  });
});
