/**
 * Stack settings: defaults from Pulumi.yaml, the committed stacks, and one test per rule asserting its message.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { ConfigError } from "../lib/errors";
import { PROJECT_ROOT } from "../lib/offline/run";
import { readStackConfig } from "../lib/offline/stack-files";
import { parseSettings } from "../lib/settings";
import { planStack } from "./helpers/program";

const ctx = { project: "batch-migration", stack: "test", region: "eu-west-1" };
const minimal = { environment: "test", owner: "team-a" };

function expectProblem(raw: Record<string, unknown>, expected: string, context = ctx): void {
  try {
    parseSettings(raw, context);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.ok(err.problems.some((p) => p.includes(expected)), `expected ${expected}\nfound:\n${err.problems.join("\n")}`);
    return;
  }
  assert.fail(`expected a problem containing ${expected}`);
}

describe("settings", () => {
  it("applies defaults", () => {
    const s = parseSettings(minimal, ctx);
    assert.equal(s.inventory, "jobs.yaml");
    assert.equal(s.network.mode, "create");
    assert.equal(s.network.natGateways, "single");
    assert.equal(s.compute.maxVcpus, 16);
    assert.deepEqual(s.compute.instanceTypes, ["default_x86_64"]);
    assert.equal(s.logRetentionDays, 14);
    assert.equal(s.schedulesEnabled, true);
  });

  it("reads config values as Pulumi stores them (strings and JSON)", () => {
    const s = parseSettings({ ...minimal, maxVcpus: "64", protect: "true", tags: '{"CostCenter":"42"}', instanceTypes: '["m6i","c6i"]' }, ctx);
    assert.equal(s.compute.maxVcpus, 64);
    assert.equal(s.protect, true);
    assert.deepEqual(s.tags, { CostCenter: "42" });
    assert.deepEqual(s.compute.instanceTypes, ["m6i", "c6i"]);
  });

  it("reads the committed stacks with Pulumi.yaml's defaults", () => {
    const dev = readStackConfig(PROJECT_ROOT, "dev");
    assert.equal(dev.config["aws:region"], "eu-central-1");
    assert.equal(dev.config["batch-migration:inventory"], "jobs.yaml", "default from Pulumi.yaml");
    assert.equal(dev.config["batch-migration:natGateways"], "single");
    const prod = readStackConfig(PROJECT_ROOT, "prod");
    assert.equal(prod.config["batch-migration:natGateways"], "one-per-az");
    assert.equal(prod.config["batch-migration:protect"], "true");
  });

  it("requires aws:region", () => expectProblem(minimal, '"aws:region" is not set', { ...ctx, region: undefined as unknown as string }));
  it("requires the owner", () => expectProblem({ environment: "dev" }, 'config: field "batch-migration:owner" is required'));
  it("checks the environment name", () => expectProblem({ ...minimal, environment: "Prod!" }, "must be 1-16 lower-case letters"));
  it("names the NAT strategies", () => expectProblem({ ...minimal, natGateways: "many" }, 'must be one of "none", "single", "one-per-az"'));
  it("checks the CIDR block", () => expectProblem({ ...minimal, vpcCidr: "10.0.0.0" }, "must be an IPv4 CIDR block"));
  it("bounds availability zones", () => expectProblem({ ...minimal, availabilityZones: "1" }, "must be 2 or 3"));
  it("accepts only CloudWatch retention values", () => expectProblem({ ...minimal, logRetentionDays: "10" }, "must be one of CloudWatch's retention values"));
  it("bounds the RUNNABLE time limit to what AWS allows", () => expectProblem({ ...minimal, runnableTimeoutMinutes: "5" }, "must be 10-1440 minutes"));
  it("refuses unknown keys", () => expectProblem({ ...minimal, maxVcpu: "4" }, 'unknown field "maxVcpu"'));
  it("requires existingVpc for vpcMode existing", () => expectProblem({ ...minimal, vpcMode: "existing" }, '"batch-migration:existingVpc" is required when vpcMode is "existing"'));
  it("checks existing subnet ids", () =>
    expectProblem({ ...minimal, vpcMode: "existing", existingVpc: JSON.stringify({ vpcId: "vpc-0123456789abcdef0", privateSubnetIds: ["subnet-1"] }) }, "must be subnet ids"));
  it("checks per-job override fields", () => expectProblem({ ...minimal, jobOverrides: JSON.stringify({ a: { cpu: 2 } }) }, 'unknown field "cpu"'));
});

describe("settings combined with the inventory", () => {
  it("refuses isolated subnets without interface endpoints", async () => {
    await assert.rejects(planStack("dev", { "batch-migration:natGateways": "none" }), /"natGateways" is "none" but "interfaceEndpoints" is false/);
  });
  it("refuses a job larger than the compute environments", async () => {
    await assert.rejects(planStack("prod", { "batch-migration:maxVcpus": "1" }), /job "data-processor": field "vcpu" 2 exceeds the stack's maxVcpus 1/);
  });
  it("refuses two jobs that would share a schedule name in the stack's group", async () => {
    const inventory = path.join(__dirname, "fixtures", "schedule-clash.jobs.yaml");
    await assert.rejects(
      planStack("dev", { "batch-migration:inventory": inventory, "batch-migration:jobOverrides": "{}" }),
      /job "etl-2": field "schedule" needs the schedule name "etl-2", which job "etl" also uses/,
    );
  });
});
