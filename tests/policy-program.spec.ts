/**
 * The policy pack run offline against the resources the mocked program registers: the committed stacks pass,
 * and deliberately unsafe jobs are caught with exactly the expected violations.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { plan } from "../cli/plan";
import { checkPolicies, defaultPolicyConfig } from "../lib/offline/policy-check";
import { PROJECT_ROOT, runProgram } from "../lib/offline/run";
import { readStackConfig } from "../lib/offline/stack-files";
import { planStack } from "./helpers/program";

describe("policy pack against the program", () => {
  for (const stack of ["dev", "prod"]) {
    it(`${stack}: the committed stack has no mandatory violation under its policy config`, async () => {
      const run = await planStack(stack);
      const report = checkPolicies(run, PROJECT_ROOT, defaultPolicyConfig(PROJECT_ROOT, stack));
      assert.equal(report.configFile, `policies/config/${stack}.json`);
      assert.deepEqual(report.violations.filter((v) => v.level === "mandatory"), []);
    });
  }

  describe("deliberately unsafe jobs", () => {
    let found: { policy: string; job: string; level: string; message: string }[];

    before(async () => {
      const run = await runProgram(readStackConfig(PROJECT_ROOT, "prod"), {}, path.join(__dirname, "fixtures", "unsafe-program.ts"));
      const report = checkPolicies(run, PROJECT_ROOT, defaultPolicyConfig(PROJECT_ROOT, "prod"));
      found = report.violations
        .filter((v) => v.level === "mandatory")
        .map((v) => ({ policy: v.policy, job: v.resource.split("::").pop()!.replace(/^job-|-definition$/g, ""), level: v.level, message: v.message }));
    });

    it("yields exactly one mandatory violation per fault, on the faulty job", () => {
      assert.deepEqual(
        found.map((f) => `${f.policy} ${f.job}`).sort(),
        [
          "job-container-non-root-user root-user",
          "job-image-version-tag latest-image",
          "job-no-plaintext-secrets plaintext-password",
          "job-retry-strategy no-retries",
          "job-timeout no-timeout",
        ],
      );
    });

    it("explains each violation and its fix", () => {
      const by = (policy: string) => found.find((f) => f.policy === policy)!.message;
      assert.match(by("job-image-version-tag"), /latest/);
      assert.match(by("job-container-non-root-user"), /root/);
      assert.match(by("job-retry-strategy"), /attempts/);
      assert.match(by("job-no-plaintext-secrets"), /DB_PASSWORD/);
      assert.match(by("job-timeout"), /attemptDurationSeconds/);
    });
  });

  it("the plan command prints the verdicts and fails on a mandatory violation", async () => {
    const ok = await plan(["--stack", "dev"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Policies: aws-batch-migration \(config policies\/config\/dev\.json\): 0 mandatory/);
    const prod = await plan(["--stack", "prod", "--json"]);
    assert.equal(prod.code, 0, prod.stderr);
    assert.deepEqual((JSON.parse(prod.stdout) as { violations: unknown[] }).violations, []);
  });

  it("the plan command exits 1 and names the resource when a mandatory policy is violated", async () => {
    const strict = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "policy-")), "strict.json");
    fs.writeFileSync(strict, JSON.stringify({ "log-group-retention": { enforcementLevel: "mandatory", maxRetentionDays: 7 } }));
    const result = await plan(["--stack", "dev", "--policy-config", strict]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /[1-9]\d* mandatory/);
    assert.match(result.stdout, /aws:cloudwatch\/logGroup:LogGroup {2}job-data-processor-logs\n {6}\[mandatory\] log-group-retention: /);
    const json = await plan(["--stack", "dev", "--policy-config", strict, "--json"]);
    assert.equal(json.code, 1);
    const violations = (JSON.parse(json.stdout) as { violations: { policy: string; level: string; resource: string }[] }).violations;
    assert.ok(
      violations.some((v) => v.policy === "log-group-retention" && v.level === "mandatory" && /::job-data-processor-logs$/.test(v.resource)),
      JSON.stringify(violations),
    );
  });

  it("the plan command refuses an unreadable policy config", async () => {
    const result = await plan(["--stack", "dev", "--policy-config", "/nonexistent.json"]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^\/nonexistent\.json: 1 problem\n {2}- cannot read the policy pack config: ENOENT/);
  });
});
