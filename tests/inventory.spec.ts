/**
 * The job inventory: the committed sample, and one test per validation rule asserting its message.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../lib/errors";
import { isRootUser, JobOverride, loadInventory, parseDuration, validateInventory } from "../lib/inventory";

const base = () => ({
  name: "nightly-export",
  image: { repository: "exporter", tag: "v1.4.2" },
  command: ["python", "export.py"],
  vcpu: 1,
  memory: 2048,
  timeout: "45m",
  user: "1000:1000",
});

/** Validates one job (after applying `change`) and returns the problems, or [] when valid. */
function problems(change: Record<string, unknown> = {}, overrides: Record<string, JobOverride> = {}, extra: Record<string, unknown> = {}): string[] {
  try {
    validateInventory({ jobs: [{ ...base(), ...change }], ...extra }, "jobs.yaml", overrides);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return [...err.problems];
  }
}

function expectProblem(change: Record<string, unknown>, expected: string, overrides: Record<string, JobOverride> = {}): void {
  const found = problems(change, overrides);
  assert.ok(
    found.some((p) => p.includes(expected)),
    `expected a problem containing\n  ${expected}\nfound:\n  ${found.join("\n  ") || "(none)"}`,
  );
}

describe("inventory: the committed sample", () => {
  it("loads the guide's two jobs and the sample job with defaults applied", () => {
    const inv = loadInventory(path.join(__dirname, "..", "jobs.yaml"));
    assert.deepEqual(
      inv.jobs.map((j) => j.name),
      ["data-processor", "report-generator", "sample-job"],
    );
    const dp = inv.jobs[0];
    assert.deepEqual(dp.image, { kind: "repository", repository: "data-processor", tag: "v1.0.0" });
    assert.equal(dp.timeoutSeconds, 3600);
    assert.equal(dp.timezone, "Europe/Berlin");
    assert.equal(dp.user, "1000:1000");
    assert.equal(dp.owner, "data-team");
    assert.deepEqual(dp.retry, { attempts: 3, exitCodes: [75] });
    assert.deepEqual(dp.dependencies, ["PostgreSQL"]);
    assert.equal(dp.secrets.DATABASE_PASSWORD.kind, "secretsmanager");
    assert.deepEqual(inv.jobs[1].secrets.SMTP_PASSWORD, { kind: "ssm", parameterName: "/batch/report-generator/smtp-password" });
  });

  it("applies defaults for fields a job leaves out", () => {
    const inv = validateInventory({ jobs: [base()] }, "jobs.yaml");
    const job = inv.jobs[0];
    assert.equal(job.platform, "fargate");
    assert.equal(job.timezone, "UTC");
    assert.equal(job.readonlyRootFilesystem, true);
    assert.deepEqual(job.scratchPaths, ["/tmp"]);
    assert.deepEqual(job.retry, { attempts: 3, exitCodes: [] });
    assert.equal(job.enabled, true);
  });

  it("accepts a full image reference pinned by tag or digest", () => {
    assert.deepEqual(problems({ image: "public.ecr.aws/acme/exporter:1.2.3" }), []);
    assert.deepEqual(problems({ image: `registry.example.com:5000/acme/exporter@sha256:${"a".repeat(64)}` }), []);
  });

  it("reports a missing file with the config key that points at it", () => {
    assert.throws(() => loadInventory("/nonexistent/jobs.yaml"), /cannot read the job inventory \(file not found\): create it or set the stack's "inventory" config/);
  });

  it("reports YAML syntax errors", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "inv-")), "jobs.yaml");
    fs.writeFileSync(file, "jobs:\n  - name: [unclosed\n");
    assert.throws(() => loadInventory(file), /YAML syntax/);
  });
});

describe("inventory: validation rules", () => {
  it("requires at least one job", () => {
    assert.throws(() => validateInventory({ jobs: [] }, "jobs.yaml"), /inventory: field "jobs" must list at least one job/);
  });
  it("requires the sizing fields", () => expectProblem({ vcpu: undefined }, 'job "nightly-export": field "vcpu" is required'));
  it("refuses unknown fields (typos)", () => expectProblem({ memroy: 4096 }, 'job "nightly-export": has unknown field "memroy"'));
  it("names the allowed platforms", () =>
    expectProblem({ platform: "lambda" }, 'field "platform" must be one of "fargate", "fargate-spot", "ec2", "ec2-spot"'));
  it("checks job names", () => expectProblem({ name: "Nightly_Export" }, 'field "name": "Nightly_Export" must be 2-40 characters of lower-case letters'));
  it("refuses duplicate names", () => {
    assert.throws(
      () => validateInventory({ jobs: [base(), base()] }, "jobs.yaml"),
      /job "nightly-export": field "name" is used by job #1 too: job names must be unique/,
    );
  });
  it("refuses :latest", () => expectProblem({ image: "acme/exporter:latest" }, 'field "image": "acme/exporter:latest" uses the tag "latest"'));
  it("refuses untagged images", () => expectProblem({ image: "acme/exporter" }, 'field "image": "acme/exporter" has no tag: add a version tag'));
  it("refuses latest as a repository tag", () => expectProblem({ image: { repository: "exporter", tag: "latest" } }, 'field "image.tag": "latest" changes under the job'));
  it("checks ECR repository names", () => expectProblem({ image: { repository: "Exporter", tag: "v1" } }, 'field "image.repository": "Exporter" is not a valid ECR repository name'));
  it("checks Fargate memory against the vCPU", () =>
    expectProblem({ vcpu: 1, memory: 1024 }, 'field "memory": 1024 MiB cannot be combined with 1 vCPU on Fargate: use 2048-8192 in steps of 1024 MiB'));
  it("checks Fargate vCPU sizes", () => expectProblem({ vcpu: 3, memory: 8192 }, 'field "vcpu": 3 vCPU is not a Fargate size: use one of 0.25, 0.5, 1, 2, 4, 8, 16'));
  it("refuses fractional vCPUs on EC2", () => expectProblem({ platform: "ec2", vcpu: 0.5 }, 'field "vcpu": 0.5 must be a whole number of vCPUs on EC2'));
  it("refuses ephemeral storage on EC2", () =>
    expectProblem({ platform: "ec2-spot", ephemeralStorageGiB: 50 }, 'field "ephemeralStorageGiB": is only available on Fargate'));
  it("bounds ephemeral storage", () => expectProblem({ ephemeralStorageGiB: 500 }, 'field "ephemeralStorageGiB" must be 21-200 GiB'));
  it("parses timeouts", () => expectProblem({ timeout: "soon" }, 'field "timeout": "soon" is not a duration'));
  it("enforces the 60 s minimum timeout", () => expectProblem({ timeout: 30 }, "30s is below AWS Batch's minimum of 60 seconds"));
  it("validates time zones", () => expectProblem({ timezone: "Mars/Olympus" }, 'field "timezone": unknown time zone "Mars/Olympus": use an IANA time zone name'));
  it("requires the IANA spelling of a time zone", () =>
    expectProblem({ timezone: "europe/berlin" }, 'field "timezone": time zone "europe/berlin" is not spelled as in the IANA database: use "Europe/Berlin"'));
  it("validates cron schedules through the converter", () => expectProblem({ schedule: "@reboot" }, 'field "schedule": "@reboot"'));
  it("refuses secret-looking environment variables with literal values", () =>
    expectProblem({ environment: { DB_PASSWORD: "hunter2" } }, 'field "environment.DB_PASSWORD": looks like a secret but has a literal value'));
  it("refuses the reserved AWS_BATCH prefix", () => expectProblem({ environment: { AWS_BATCH_X: "1" } }, "uses the AWS_BATCH prefix"));
  it("refuses invalid environment names", () => expectProblem({ environment: { "MY-VAR": "1" } }, 'field "environment.MY-VAR": is not a valid environment variable name'));
  it("refuses secrets that are neither Secrets Manager nor SSM", () =>
    expectProblem({ secrets: { TOKEN: "arn:aws:s3:::bucket/key" } }, 'field "secrets.TOKEN": "arn:aws:s3:::bucket/key" is not a Secrets Manager secret ARN'));
  it("refuses a name set both as environment and secret", () =>
    expectProblem({ environment: { API_URL: "x" }, secrets: { API_URL: "/x/y" } }, 'field "secrets.API_URL": is also set under environment'));
  for (const user of ["root", "0", "0:0", "0:1000", ""]) {
    it(`refuses the root user ${JSON.stringify(user)}`, () => expectProblem({ user }, "runs the container as root"));
  }
  it("bounds retry attempts", () => expectProblem({ retry: { attempts: 11 } }, 'field "retry.attempts" must be between 1 and 10'));
  it("refuses exit code 0 as retryable", () => expectProblem({ retry: { attempts: 3, exitCodes: [0] } }, "exit codes to retry must be 1-255"));
  it("limits retryable exit codes to what fits in 5 rules", () =>
    expectProblem({ retry: { attempts: 3, exitCodes: [1, 2, 3] } }, "at most 2 retryable exit codes fit in the retry strategy's 5 conditions"));
  it("refuses wildcard actions", () =>
    expectProblem({ permissions: [{ actions: ["s3:*"], resources: ["arn:aws:s3:::b/*"] }] }, 'field "permissions[0].actions": "s3:*" grants every action'));
  it("refuses wildcard resources", () =>
    expectProblem({ permissions: [{ actions: ["s3:GetObject"], resources: ["*"] }] }, 'field "permissions[0].resources": "*" grants access to every resource'));
  it("requires ARNs as resources", () =>
    expectProblem({ permissions: [{ actions: ["s3:GetObject"], resources: ["my-bucket"] }] }, '"my-bucket" must be an ARN'));
  it("checks scratch paths", () => expectProblem({ scratchPaths: ["tmp"] }, 'field "scratchPaths[0]": "tmp" must be an absolute path'));
  it("refuses a job chained after itself", () => expectProblem({ after: "nightly-export" }, 'field "after": a job cannot run after itself'));
  it("refuses a chain to an unknown job", () => expectProblem({ after: "missing" }, 'field "after" names "missing", which is not a job in the inventory'));
  it("refuses chain cycles", () => {
    const jobs = [
      { ...base(), name: "a-job", after: "b-job" },
      { ...base(), name: "b-job", after: "a-job" },
    ];
    assert.throws(() => validateInventory({ jobs }, "jobs.yaml"), /forms a cycle \(a-job -> b-job -> a-job\)/);
  });
  it("refuses defaults for per-job fields", () => {
    assert.throws(() => validateInventory({ defaults: { name: "x" }, jobs: [base()] }, "jobs.yaml"), /defaults: field "name" cannot have a default/);
  });
  it("reports every problem of every job at once", () => {
    const found = problems({ platform: "lambda", user: "root", image: "x:latest", timezone: "Nowhere" });
    assert.equal(found.length, 4, found.join("\n"));
  });
});

describe("inventory: stack overrides", () => {
  it("applies size, tag and platform overrides", () => {
    const inv = validateInventory({ jobs: [base()] }, "jobs.yaml", { "nightly-export": { vcpu: 2, memory: 4096, imageTag: "v1.5.0", platform: "fargate-spot", retryAttempts: 5 } });
    const job = inv.jobs[0];
    assert.equal(job.vcpu, 2);
    assert.equal(job.memory, 4096);
    assert.deepEqual(job.image, { kind: "repository", repository: "exporter", tag: "v1.5.0" });
    assert.equal(job.platform, "fargate-spot");
    assert.equal(job.retry.attempts, 5);
  });
  it("re-tags a full image reference", () => {
    const inv = validateInventory({ jobs: [{ ...base(), image: "ghcr.io/acme/exporter:1.0.0" }] }, "jobs.yaml", { "nightly-export": { imageTag: "1.1.0" } });
    assert.deepEqual(inv.jobs[0].image, { kind: "reference", reference: "ghcr.io/acme/exporter:1.1.0" });
  });
  it("says when a bad value comes from the stack's overrides", () =>
    expectProblem({}, 'field "memory": 512 MiB cannot be combined with 1 vCPU on Fargate: use 2048-8192 in steps of 1024 MiB (value from the stack\'s jobOverrides)', {
      "nightly-export": { memory: 512 },
    }));
  it("refuses overrides for jobs that are not in the inventory", () =>
    expectProblem({}, 'stack config "jobOverrides": job "nightly-exprot" is not in the inventory (jobs: nightly-export)', { "nightly-exprot": { vcpu: 2 } }));
});

describe("inventory: helpers", () => {
  it("parses durations", () => {
    assert.equal(parseDuration("90s"), 90);
    assert.equal(parseDuration("45m"), 2700);
    assert.equal(parseDuration("1h30m"), 5400);
    assert.equal(parseDuration(600), 600);
    assert.equal(parseDuration("1.5h"), undefined);
    assert.equal(parseDuration(0), undefined);
  });
  it("recognizes root users", () => {
    assert.equal(isRootUser("root:root"), true);
    assert.equal(isRootUser("1000"), false);
    assert.equal(isRootUser("appuser:appgroup"), false);
  });
});
