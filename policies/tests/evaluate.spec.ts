import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import * as assert from "assert";
import { policyNames } from "../all";
import { effectiveLevel, effectiveSettings, evaluatePolicies, normalizeInputs, PlannedResource, PolicyConfigFile, Violation } from "../evaluate";
import { jobImageAllowedRegistry } from "../images";
import { computeEnvironment, goodStack, jobDefinition, jobQueue } from "./fixtures";
import { typeOf, UNKNOWN } from "./harness";
import dev from "../config/dev.json";
import prod from "../config/prod.json";

const DEV = dev as PolicyConfigFile;
const PROD = prod as PolicyConfigFile;

function replace(stack: PlannedResource[], name: string, inputs: Record<string, unknown>): PlannedResource[] {
  return stack.map((r) => (r.name === name ? { ...r, inputs } : r));
}

const byPolicy = (violations: Violation[], policy: string) => violations.filter((v) => v.policy === policy);

describe("evaluatePolicies", () => {
  it("finds nothing in a compliant stack under the prod config", () => assert.deepStrictEqual(evaluatePolicies(goodStack(), { config: PROD }), []));
  it("finds nothing in a compliant stack under the dev config", () => assert.deepStrictEqual(evaluatePolicies(goodStack(), { config: DEV }), []));
  it("finds nothing in a compliant stack with the policies' defaults", () => assert.deepStrictEqual(evaluatePolicies(goodStack()), []));

  it("reports a violation with policy, level, resource URN and message", () => {
    const stack = replace(goodStack(), "etl-job", jobDefinition({ container: { user: "root" } }));
    const violations = evaluatePolicies(stack, { config: PROD });
    assert.deepStrictEqual(violations, [
      {
        policy: "job-container-non-root-user",
        level: "mandatory",
        resource: "urn:pulumi:prod::batch::aws:batch/jobDefinition:JobDefinition::etl-job",
        message: 'Job definition "etl-job" must not run as root (found user "root"). Set "user" to an unprivileged UID:GID such as "1000:1000".',
      },
    ]);
  });

  it("takes levels from the config: registry advisory in dev, mandatory in prod", () => {
    const stack = replace(goodStack(), "etl-job", jobDefinition({ container: { image: "python:3.11" } }));
    assert.deepStrictEqual(byPolicy(evaluatePolicies(stack, { config: DEV }), "job-image-allowed-registry").map((v) => v.level), ["advisory"]);
    assert.deepStrictEqual(byPolicy(evaluatePolicies(stack, { config: PROD }), "job-image-allowed-registry").map((v) => v.level), ["mandatory"]);
  });

  it("skips disabled policies", () => {
    const stack = replace(goodStack(), "etl-job", jobDefinition({ container: { image: "python:latest" } }));
    const violations = evaluatePolicies(stack, { config: { "job-image-version-tag": "disabled", "job-image-allowed-registry": { enforcementLevel: "disabled" } } });
    assert.deepStrictEqual(violations, []);
  });

  it("applies `all` to policies without their own entry", () => {
    const stack = replace(goodStack(), "etl-job", jobDefinition({ container: { image: "python:latest" } }));
    const violations = evaluatePolicies(stack, { config: { all: "advisory", "job-image-allowed-registry": "disabled" } });
    assert.deepStrictEqual(violations.map((v) => [v.policy, v.level]), [["job-image-version-tag", "advisory"]]);
    assert.deepStrictEqual(evaluatePolicies(stack, { config: { all: "disabled" } }), []);
  });

  it("reports remediate-level violations as mandatory, as the engine does", () => {
    const stack = replace(goodStack(), "etl-job", jobDefinition({ container: { image: "python:latest" } }));
    const violations = evaluatePolicies(stack, { config: { "job-image-version-tag": "remediate" } });
    assert.deepStrictEqual(byPolicy(violations, "job-image-version-tag").map((v) => v.level), ["mandatory"]);
  });

  it("merges config values over schema defaults", () => {
    const stack = replace(goodStack(), "etl-ce", computeEnvironment({}, { maxVcpus: 128 }));
    assert.strictEqual(byPolicy(evaluatePolicies(stack, { config: PROD }), "compute-max-vcpus").length, 0);
    assert.match(byPolicy(evaluatePolicies(stack, { config: DEV }), "compute-max-vcpus")[0].message, /at most 64 \(found 128\)/);
    assert.deepStrictEqual(effectiveSettings(jobImageAllowedRegistry, { "job-image-allowed-registry": { allowedRegistries: ["ghcr.io"] } }), {
      allowedRegistries: ["ghcr.io"],
      allowAnyPrivateEcr: true,
    });
    assert.strictEqual(effectiveLevel(jobImageAllowedRegistry, {}), "advisory");
  });

  it("reports stack violations on the resource they name", () => {
    const stack = goodStack().filter((r) => r.type !== typeOf(aws.ecr.LifecyclePolicy));
    const violations = evaluatePolicies(stack, { config: PROD });
    assert.deepStrictEqual(violations.map((v) => [v.policy, v.resource]), [["ecr-lifecycle-policy", "urn:pulumi:prod::batch::aws:ecr/repository:Repository::etl-repo"]]);
  });

  it("resolves dependencies given as URNs for stack policies", () => {
    const stack = goodStack();
    const ce = stack.find((r) => r.name === "etl-ce") as PlannedResource;
    const withDeps = replace(stack, "etl-ce", computeEnvironment({ name: undefined })).map((r) =>
      r.name === "etl-queue"
        ? { ...r, inputs: jobQueue({ computeEnvironmentOrders: [{ order: 1, computeEnvironment: "ce-from-mock" }] }), propertyDependencies: { computeEnvironmentOrders: [ce.urn] } }
        : r,
    );
    assert.deepStrictEqual(byPolicy(evaluatePolicies(withDeps, { config: PROD }), "job-queue-compute-environment"), []);
    const withoutDeps = withDeps.map((r) => (r.name === "etl-queue" ? { ...r, propertyDependencies: undefined } : r));
    assert.strictEqual(byPolicy(evaluatePolicies(withoutDeps, { config: PROD }), "job-queue-compute-environment").length, 1);
  });

  it("tolerates unknowns: Pulumi Unknown, Output and the engine sentinel", () => {
    const stack = replace(goodStack(), "etl-job", {
      ...jobDefinition(),
      containerProperties: pulumi.output("never read"),
      retryStrategy: UNKNOWN,
      timeout: { attemptDurationSeconds: pulumi.unknown },
    });
    const withUnknownTags = replace(stack, "etl-queue", jobQueue({ tags: UNKNOWN }));
    assert.deepStrictEqual(evaluatePolicies(withUnknownTags, { config: PROD }), []);
  });

  it("skips a policy that reads an unknown value through the engine's proxy", () => {
    const strict: ResourceValidationPolicy = {
      name: "strict-read",
      description: "reads props directly",
      enforcementLevel: "mandatory",
      validateResource: validateResourceOfType(aws.batch.JobDefinition, (jd, _args, report) => {
        if (jd.timeout === undefined) report("no timeout");
      }),
    };
    const stack = replace(goodStack(), "etl-job", { ...jobDefinition(), timeout: UNKNOWN });
    assert.deepStrictEqual(evaluatePolicies(stack, { policies: [strict] }), []);
  });

  it("passes validation args a policy can use", () => {
    const seen: string[] = [];
    const probe: ResourceValidationPolicy = {
      name: "probe",
      description: "records the args",
      enforcementLevel: "advisory",
      configSchema: { properties: { knob: { type: "integer", default: 1 } } },
      validateResource: (args, report) => {
        if (!args.isType(aws.batch.JobQueue)) args.notApplicable("only queues");
        const queue = args.asType(aws.batch.JobQueue);
        seen.push(`${args.type} ${args.name} ${args.urn} ${queue?.priority} ${JSON.stringify(args.getConfig())} ${args.opts.parent ?? "-"} ${args.stackTags.get("team")}`);
        report("seen");
      },
    };
    const violations = evaluatePolicies([{ type: typeOf(aws.batch.JobQueue), name: "q", urn: "", parent: "urn:parent", inputs: jobQueue() }], {
      policies: [probe],
      config: { probe: { knob: 5 } },
      stackTags: { team: "data" },
    });
    assert.deepStrictEqual(seen, ['aws:batch/jobQueue:JobQueue q  1 {"knob":5} urn:parent data']);
    assert.deepStrictEqual(violations, [{ policy: "probe", level: "advisory", resource: "q", message: "seen" }]);
  });

  it("runs a stack policy once and reports stack-wide violations on the stack", () => {
    let runs = 0;
    const whole: StackValidationPolicy = {
      name: "whole",
      description: "counts",
      enforcementLevel: "mandatory",
      validateStack: (args, report) => {
        runs += 1;
        report(`${args.resources.length} resources, parent ${args.resources[1].parent?.name}, deps ${args.resources[1].dependencies.map((d) => d.name)}`);
      },
    };
    const violations = evaluatePolicies(
      [
        { type: "pulumi:pulumi:Stack", name: "batch-prod", urn: "urn:stack", inputs: {} },
        { type: typeOf(aws.batch.JobQueue), name: "q", urn: "urn:q", inputs: {}, parent: "urn:stack", dependencies: ["urn:stack", "urn:missing"] },
      ],
      { policies: [whole] },
    );
    assert.strictEqual(runs, 1);
    assert.deepStrictEqual(violations, [{ policy: "whole", level: "mandatory", resource: "urn:stack", message: "2 resources, parent batch-prod, deps batch-prod" }]);
  });

  it("rejects an invalid config", () => {
    assert.throws(() => evaluatePolicies([], { config: { "no-such-policy": "mandatory" } }), /"no-such-policy" is not a policy of the pack/);
    assert.throws(() => evaluatePolicies([], { config: { "job-timeout": "blocking" as never } }), /enforcement level must be one of/);
    assert.throws(() => evaluatePolicies([], { config: { "job-timeout": { maxAttemptDurationSeconds: "1h" } } }), /job-timeout.maxAttemptDurationSeconds must be of type integer/);
    assert.throws(() => evaluatePolicies([], { config: { "job-timeout": { maxSeconds: 10 } } }), /job-timeout.maxSeconds is not a setting of this policy/);
  });

  it("names the policy and resource when a policy fails", () => {
    const broken: ResourceValidationPolicy = {
      name: "broken",
      description: "throws",
      validateResource: () => {
        throw new Error("boom");
      },
    };
    assert.throws(() => evaluatePolicies([{ type: "t", name: "n", urn: "urn:n", inputs: {} }], { policies: [broken] }), /policy "broken" failed on urn:n: boom/);
  });

  it("runs every policy of the pack", () => {
    assert.ok(policyNames.length >= 15);
  });
});

describe("normalizeInputs", () => {
  it("unwraps secrets, marks unknowns and drops undefined members", () => {
    const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "s" };
    assert.deepStrictEqual(normalizeInputs({ a: secret, b: [pulumi.output(1)], c: undefined, d: { e: null } }), { a: "s", b: [UNKNOWN], d: { e: null } });
  });
});
