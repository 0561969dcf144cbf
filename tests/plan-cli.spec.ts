/**
 * The offline plan command: text and JSON output for the committed stacks, and its error paths.
 */
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { plan } from "../cli/plan";

const ROOT = path.join(__dirname, "..");

function tempInventory(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-")), "jobs.yaml");
  fs.writeFileSync(file, text);
  return file;
}

describe("plan command", () => {
  it("prints the resource tree with components and their children, and the outputs", async () => {
    const result = await plan(["--stack", "dev"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /pulumi:pulumi:Stack\s+batch-migration-dev/);
    assert.match(result.stdout, /├─ batch-migration:jobs:BatchJob\s+job-data-processor/);
    assert.match(result.stdout, /│  └─ aws:batch\/jobDefinition:JobDefinition\s+job-data-processor-definition\s+create\s+123456789012\.dkr\.ecr\.eu-central-1\.amazonaws\.com\/dev\/data-processor:v1\.0\.0 \| 1 vCPU, 2048 MiB, FARGATE/);
    assert.match(result.stdout, /dev-fargate-spot \| priority 50 \| batch-fargate-spot-ce -> batch-fargate-ce/);
    assert.match(result.stdout, /Outputs:\n\s+alertTopicArn: "arn:aws:sns:[\s\S]*\n\s+vpcId: "vpc-/);
  });

  it("--json prints {stack, resources: [{type, name, parent, inputs}], outputs}", async () => {
    const result = await plan(["--stack", "prod", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const doc = JSON.parse(result.stdout) as { stack: string; resources: { type: string; name: string; parent: string | null; inputs: Record<string, unknown> }[]; outputs: Record<string, unknown> };
    assert.equal(doc.stack, "prod");
    const defs = doc.resources.filter((r) => r.type === "aws:batch/jobDefinition:JobDefinition");
    assert.deepEqual(defs.map((d) => d.name).sort(), ["job-data-processor-definition", "job-report-generator-definition", "job-sample-job-definition"]);
    for (const def of defs) {
      const c = JSON.parse(def.inputs.containerProperties as string) as Record<string, unknown>;
      const sample = def.name === "job-sample-job-definition"; // its image's user, and no secrets
      assert.ok(Array.isArray(c.resourceRequirements));
      assert.equal(c.user, sample ? "10001:10001" : "1000:1000");
      assert.equal((c.logConfiguration as { logDriver: string }).logDriver, "awslogs");
      if (!sample) assert.ok((c.secrets as { valueFrom: string }[])[0].valueFrom.startsWith("arn:aws:"));
      assert.equal((def.inputs.retryStrategy as { evaluateOnExits: { action: string }[] }).evaluateOnExits.at(-1)!.action, "EXIT");
      assert.match(String(def.parent), /batch-migration:jobs:BatchJob::job-/);
    }
    assert.deepEqual(doc.outputs.jobDefinitionArns, Object.fromEntries(
      ["data-processor", "report-generator", "sample-job"].map((job) => [job, `arn:aws:batch:eu-central-1:123456789012:job-definition/prod-${job}:1`]),
    ));
  });

  it("--inventory plans another inventory with the stack's settings", async () => {
    const file = tempInventory(`jobs:\n  - name: cleanup\n    image: public.ecr.aws/acme/cleanup:2.0.1\n    vcpu: 0.25\n    memory: 512\n    timeout: 10m\n    user: "65534"\n    platform: fargate-spot\n`);
    const result = await plan(["--stack", "dev", "--inventory", file, "--json"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /the stack's jobOverrides are not applied/);
    const doc = JSON.parse(result.stdout) as { resources: { type: string; name: string }[] };
    assert.deepEqual(doc.resources.filter((r) => r.type === "aws:batch/jobDefinition:JobDefinition").map((r) => r.name), ["job-cleanup-definition"]);
    assert.equal(doc.resources.filter((r) => r.type === "aws:ecr/repository:Repository").length, 0, "an external image needs no repository");
  });

  it("an invalid inventory prints every problem on stderr, exits 1 and prints no plan", async () => {
    const file = tempInventory(`jobs:\n  - name: bad\n    image: nginx:latest\n    vcpu: 1\n    memory: 100\n    timeout: 1h\n    user: root\n`);
    const result = await plan(["--stack", "dev", "--inventory", file]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /2 problems|3 problems/);
    assert.match(result.stderr, /job "bad": field "image": "nginx:latest" uses the tag "latest"/);
    assert.match(result.stderr, /job "bad": field "memory": 100 MiB cannot be combined with 1 vCPU on Fargate/);
    assert.match(result.stderr, /job "bad": field "user": "root" runs the container as root/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  });

  it("an unknown stack names the known ones", async () => {
    const result = await plan(["--stack", "staging"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Pulumi\.staging\.yaml not found: known stacks are dev, prod/);
  });

  it("usage errors exit 2", async () => {
    const missing = await plan([]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stdout, "");
    assert.match(missing.stderr, /^plan: --stack is required\nusage: npm run plan -- --stack <name>/);
    const help = await plan(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: npm run plan -- --stack <name>/);
    const unknown = await plan(["--stack", "dev", "--colour"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown option '--colour'/);
  });

  it("runs as a command: exit code and streams", () => {
    const file = tempInventory("jobs: []\n");
    const child = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "cli/plan.ts", "--stack", "dev", "--inventory", file], { cwd: ROOT, encoding: "utf8" });
    assert.equal(child.status, 1);
    assert.match(child.stderr, /inventory: field "jobs" must list at least one job/);
    const ok = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", "cli/plan.ts", "--stack", "dev"], { cwd: ROOT, encoding: "utf8" });
    assert.match(ok, /Resources:\n\s+\+ \d+ to create/);
  });
});
