/**
 * `migrate import` end to end: the realistic crontab fixture (13 docker jobs, 10 lines that are not imported, a
 * compose project and an env file) becomes an inventory whose every field is checked, whose secrets are not
 * copied, which validates, and which plans without a mandatory policy violation. The CLI runs as a child process.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { plan } from "../cli/plan";
import { hostFiles, run } from "../cli/commands/import";
import { parseInventory } from "../lib/inventory";
import { importCrontab, loadComposeFile, type ImportResult } from "../lib/import";
import { parse as parseDotenv } from "dotenv";

const ROOT = path.resolve(__dirname, "..");
const FIXTURES = path.join(__dirname, "fixtures", "import");
const CRONTAB = path.join(FIXTURES, "crontab");
const COMPOSE = path.join(FIXTURES, "docker-compose.yml");
const HOST = path.join(FIXTURES, "host");
const SOURCE = "tests/fixtures/import/crontab";

function importFixture(): ImportResult {
  const compose = loadComposeFile(fs.readFileSync(COMPOSE, "utf8"), COMPOSE, parseDotenv(fs.readFileSync(path.join(FIXTURES, ".env"), "utf8")));
  return importCrontab({
    text: fs.readFileSync(CRONTAB, "utf8"),
    source: SOURCE,
    path: CRONTAB,
    timezone: "Europe/Berlin",
    composeFiles: [compose],
    files: hostFiles(HOST, FIXTURES),
  });
}

const description = (line: number, what: string) => `Imported from ${SOURCE} line ${line}: ${what}`;

/** Every job of the fixture, every field, in file order. */
const EXPECTED_JOBS = [
  {
    name: "nightly-etl",
    description: description(12, "docker run registry.acme.internal/data/etl:2.4.1"),
    image: { repository: "data/etl", tag: "2.4.1" },
    command: ["python", "-m", "etl", "--date", "yesterday"],
    platform: "fargate",
    vcpu: 2,
    memory: 4096,
    timeout: "1h",
    schedule: "15 2 * * *",
    timezone: "Europe/Berlin",
    user: "1001:1001",
    environment: { S3_BUCKET: "acme-etl", LOG_LEVEL: "INFO", BATCH_SIZE: "500", DB_HOST: "db01.acme.internal" },
    secrets: { ETL_API_KEY: "/batch/nightly-etl/etl-api-key", DB_PASSWORD: "/batch/nightly-etl/db-password" },
  },
  {
    name: "nightly-etl-2",
    description: description(13, "docker run registry.acme.internal/data/etl:2.4.1"),
    image: { repository: "data/etl", tag: "2.4.1" },
    command: ["/bin/sh", "-c", "python -m etl --full"],
    platform: "fargate",
    vcpu: 1,
    memory: 2048,
    timeout: "1h",
    schedule: "0 1 * * 6",
    timezone: "Europe/Berlin",
    user: "1000:1000",
  },
  {
    name: "queue-drain",
    description: description(14, "docker run registry.acme.internal/ops/queue-drain:5.0.0"),
    image: { repository: "ops/queue-drain", tag: "5.0.0" },
    platform: "fargate",
    vcpu: 0.5,
    memory: 1024,
    timeout: "1h",
    schedule: "*/10 * * * *",
    timezone: "Europe/Berlin",
    user: "1000:1000",
  },
  {
    name: "report-generator",
    description: description(17, "docker compose run report-generator (registry.acme.internal/reports/generator:3.2.1)"),
    image: { repository: "reports/generator", tag: "3.2.1" },
    command: ["python", "generate_report.py", "--format", "pdf"],
    platform: "fargate",
    vcpu: 0.5,
    memory: 2048,
    timeout: "1h",
    schedule: "0 7,19 * * 1-5",
    timezone: "Europe/Berlin",
    user: "1002",
    environment: { REPORT_FORMAT: "pdf", SENDER: "reports@acme.example", REPORT_BUCKET: "acme-reports", SMTP_HOST: "smtp.acme.internal" },
    secrets: { SMTP_PASSWORD: "/batch/report-generator/smtp-password" },
    dependencies: ["db"],
  },
  {
    name: "pdf-renderer",
    description: description(18, "docker compose run pdf-renderer (built from ./renderer)"),
    image: { repository: "pdf-renderer", tag: "TODO-pin-version" },
    command: ["render", "--all"],
    platform: "fargate",
    vcpu: 2,
    memory: 6144,
    timeout: "1h",
    schedule: "45 4 * * *",
    timezone: "Europe/Berlin",
    user: "1000:1000",
    scratchPaths: ["/tmp", "/tmp/render"],
  },
  {
    name: "exporter",
    description: description(19, "docker run acme/exporter:2.0.0"),
    image: { repository: "acme/exporter", tag: "2.0.0" },
    command: ["export", "--bucket", "acme-reports"],
    platform: "fargate",
    vcpu: 1,
    memory: 2048,
    timeout: "1h",
    schedule: "20 1 * * *",
    timezone: "Europe/Berlin",
    user: "1000:1000",
    environment: { REPORT_BUCKET: "acme-reports" },
  },
  {
    name: "healthcheck-exporter",
    description: description(22, "docker run acme/healthcheck-exporter"),
    image: { repository: "acme/healthcheck-exporter", tag: "TODO-pin-version" },
    platform: "fargate",
    vcpu: 1,
    memory: 2048,
    timeout: "1h",
    schedule: "*/30 * * * *",
    timezone: "Europe/Berlin",
    user: "1000:1000",
  },
  {
    name: "cache-warmer",
    description: description(23, "docker run nginx:latest"),
    image: { repository: "nginx", tag: "TODO-pin-version" },
    command: ["/usr/local/bin/warm.sh"],
    platform: "fargate",
    vcpu: 1,
    memory: 2048,
    timeout: "1h",
    schedule: "30 3 * * 0",
    timezone: "Europe/Berlin",
    user: "1000:1000",
  },
  {
    name: "python",
    description: description(24, "docker run python:3.12-slim"),
    image: { repository: "python", tag: "3.12-slim" },
    command: ["python", "/app/sync.py"],
    platform: "fargate",
    vcpu: 1,
    memory: 2048,
    timeout: "45m",
    schedule: "0 * * * *",
    timezone: "Europe/Berlin",
    user: "1000:1000",
    environment: { LOG_LEVEL: "debug" },
    secrets: { API_TOKEN: "/batch/python/api-token" },
  },
  {
    name: "disk-audit",
    description: description(25, "docker run registry.acme.internal/ops/disk-audit:1.0.3"),
    image: { repository: "ops/disk-audit", tag: "1.0.3" },
    platform: "fargate",
    architecture: "arm64",
    vcpu: 1,
    memory: 2048,
    timeout: "1h",
    schedule: "0 5 1 * *",
    timezone: "Europe/Berlin",
    user: "1000:1000",
    scratchPaths: ["/tmp", "/scratch"],
  },
  {
    name: "invoicer",
    description: description(26, "docker run 123456789012.dkr.ecr.eu-central-1.amazonaws.com/billing/invoicer:3.1.0"),
    image: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/billing/invoicer:3.1.0",
    command: ["invoice", "--run", "end of day"],
    platform: "fargate",
    vcpu: 1,
    memory: 2048,
    timeout: "1h",
    schedule: "@daily",
    timezone: "Europe/Berlin",
    user: "1000:1000",
  },
  {
    name: "archiver",
    description: description(27, "docker run acme/archiver:0.9.2"),
    image: { repository: "acme/archiver", tag: "0.9.2" },
    command: ["archive", "--password", "REDACTED"],
    platform: "fargate",
    vcpu: 1,
    memory: 2048,
    timeout: "1h",
    schedule: "5 0 * * *",
    timezone: "Europe/Berlin",
    user: "1000:1000",
  },
  {
    name: "weekly-digest",
    description: description(30, "docker run acme/weekly-digest:1.2.0"),
    image: { repository: "acme/weekly-digest", tag: "1.2.0" },
    platform: "fargate",
    vcpu: 1,
    memory: 2048,
    timeout: "1h",
    schedule: "30 9 * * 1",
    timezone: "America/New_York",
    user: "1000:1000",
    secrets: { DATABASE_URL: "/batch/weekly-digest/database-url" },
  },
];

describe("import: the realistic crontab fixture", () => {
  let result: ImportResult;
  let yamlDoc: YAML.Document;
  const todos = (name: string) => result.jobs.find((j) => j.job.name === name)!.todos;
  const notes = (name: string) => result.jobs.find((j) => j.job.name === name)!.notes;

  before(() => {
    result = importFixture();
    yamlDoc = YAML.parseDocument(result.yaml);
  });

  it("reads it as a user crontab", () => {
    assert.equal(result.format, "user");
  });

  it("writes every docker job with every field", () => {
    assert.deepEqual(yamlDoc.toJS(), { version: 1, jobs: EXPECTED_JOBS });
  });

  it("moves secret-looking variables to secrets and never writes their values", () => {
    assert.deepEqual(
      result.secrets.map((s) => `${s.job} ${s.variable} ${s.parameter} ${s.origin}`),
      [
        "nightly-etl ETL_API_KEY /batch/nightly-etl/etl-api-key --env-file /opt/etl/etl.env",
        "nightly-etl DB_PASSWORD /batch/nightly-etl/db-password -e DB_PASSWORD",
        'report-generator SMTP_PASSWORD /batch/report-generator/smtp-password service "report-generator" environment SMTP_PASSWORD',
        "python API_TOKEN /batch/python/api-token -e API_TOKEN",
        "weekly-digest DATABASE_URL /batch/weekly-digest/database-url --env DATABASE_URL",
      ],
    );
    for (const value of ["s3cr3t-db-pass", "k-123456", "tok_live_abc123", "pw123", "hunter2"]) {
      assert.ok(!result.yaml.includes(value), `the output must not contain ${value}`);
    }
    assert.match(result.yaml, /# crontab line 24: 0 \* \* \* \* timeout 45m docker run --rm -e API_TOKEN=\*\*\* -e LOG_LEVEL=debug/);
    assert.match(result.yaml, /--env DATABASE_URL=postgres:\/\/reporter:\*\*\*@db01\/reports/);
    assert.match(result.yaml, /TODO: create the secret DB_PASSWORD \(from -e DB_PASSWORD\): aws ssm put-parameter --type SecureString --name\n\s+# {3}\/batch\/nightly-etl\/db-password/);
  });

  it("lists every line that is not imported, with the reason, in the output and the result", () => {
    const reasons = result.skipped.map((s) => [s.line, s.reason] as const);
    assert.deepEqual(reasons.map(([line]) => line), [33, 34, 35, 36, 37, 38, 39, 40, 41, 42]);
    const reason = (line: number) => reasons.find(([l]) => l === line)![1];
    assert.match(reason(33), /^not a docker job: runs \/usr\/local\/bin\/backup\.sh/);
    assert.match(reason(34), /"@reboot" runs once when the host boots/);
    assert.match(reason(35), /^not a job: docker exec runs a command in a container that is already running/);
    assert.match(reason(36), /^not a job: docker system prune maintains the Docker host/);
    assert.match(reason(37), /unescaped "%" \(column 44\).*write "\\%" for a literal percent sign/);
    assert.match(reason(38), /^not a docker job: runs curl/);
    assert.match(reason(39), /schedule "0 0 31 2 \*": day-of-month "31" never occurs in month "2"/);
    assert.match(reason(40), /^starts 2 containers on one line/);
    assert.match(reason(41), /the line ends with "\\": cron does not continue lines/);
    assert.match(reason(42), /^not a crontab entry: expected five time fields and a command \(found 1 word\)/);
    assert.match(result.yaml, /# Crontab lines not imported \(10\):\n# - line 33: 0 3 \* \* \* \/usr\/local\/bin\/backup\.sh > \/dev\/null 2>&1\n# {3}reason: not a docker job/);
    assert.ok(result.yaml.endsWith("and a command (found 1 word)\n"));
  });

  it("notes the crontab settings Batch does not have", () => {
    assert.deepEqual(result.notes.map((n) => n.line), [2, 3, 4]);
    assert.match(result.notes[0].message, /^SHELL=\/bin\/bash is ignored/);
    assert.match(result.notes[1].message, /^PATH is ignored/);
    assert.match(result.notes[2].message, /^MAILTO=ops@acme\.example: cron mails the output/);
    assert.match(result.yaml, /# Crontab settings:\n# - line 2: SHELL=\/bin\/bash is ignored/);
  });

  it("writes a TODO for every placeholder and every difference that needs a decision", () => {
    assert.ok(todos("healthcheck-exporter").some((t) => /acme\/healthcheck-exporter, without a tag \(so :latest\): the tag TODO-pin-version stands in/.test(t)));
    assert.ok(todos("cache-warmer").some((t) => /nginx:latest, tagged "latest"/.test(t)));
    assert.ok(todos("pdf-renderer").some((t) => /built on the host from \.\/renderer and has no image/.test(t)));
    assert.ok(todos("queue-drain").some((t) => /the host gave no user.*1000:1000 is a placeholder/.test(t)));
    assert.ok(todos("nightly-etl-2").some((t) => /ran as root \(user root\)/.test(t)));
    assert.ok(todos("nightly-etl-2").some((t) => /replaced the image's ENTRYPOINT with \/bin\/sh/.test(t)));
    assert.ok(todos("nightly-etl").some((t) => /-v \/srv\/etl\/input:\/data\/input:ro mounts the host directory .* S3 .* EFS/.test(t)));
    assert.ok(todos("report-generator").some((t) => /volume report-cache:\/cache mounts the Docker volume "report-cache"/.test(t)));
    assert.ok(todos("report-generator").some((t) => /compose starts db before the job \(depends_on\)/.test(t)));
    assert.ok(todos("report-generator").some((t) => /environment LANG: LANG takes its value from the docker command's environment/.test(t)));
    assert.ok(todos("python").some((t) => /-e SLACK_CHANNEL: SLACK_CHANNEL takes its value/.test(t)));
    assert.ok(todos("disk-audit").some((t) => /--privileged: privileged containers are not available on Fargate/.test(t)));
    assert.ok(todos("archiver").some((t) => /the argument after --password looks like a secret and is written as REDACTED/.test(t)));
    assert.ok(todos("archiver").some((t) => /-e ARCHIVE_DATE: the value of ARCHIVE_DATE \("\$\(date \+%F\)"\) depends on \$\(date \+%F\)/.test(t)));
    assert.deepEqual(todos("invoicer").length, 1, "only the user is left to decide for the ECR image");
  });

  it("notes what Batch does differently", () => {
    assert.ok(notes("nightly-etl").some((n) => n === "the host wrote the output to /var/log/etl.log; on Batch it goes to the job's CloudWatch Logs group"));
    assert.ok(notes("nightly-etl").some((n) => n === "--cpus 1.5: rounded up to 2 vCPU, the next Fargate size"));
    assert.ok(notes("nightly-etl").some((n) => n === "--memory 3g: rounded up to 4096 MiB, the next memory size Fargate allows with 2 vCPU"));
    assert.ok(notes("nightly-etl").some((n) => /runs at times that do not exist when clocks go forward \(2025-03-30 02:15\)/.test(n)));
    assert.ok(notes("healthcheck-exporter").some((n) => /^--network host: the job gets its own network interface/.test(n)));
    assert.ok(notes("cache-warmer").some((n) => /^-d: the container ran detached/.test(n)));
    assert.ok(notes("cache-warmer").some((n) => /^--restart on-failure: the restart policy is not imported/.test(n)));
    assert.ok(notes("cache-warmer").some((n) => n === "-p 8080:80: a Batch job publishes no ports; nothing can connect to it"));
    assert.ok(notes("queue-drain").some((n) => /^flock \/tmp\/drain\.lock: .* Batch starts every scheduled run/.test(n)));
    assert.ok(notes("exporter").some((n) => /^bash -lc: the login shell read the user's profile/.test(n)));
    assert.ok(notes("report-generator").some((n) => n === "the host discarded the output (> /dev/null); on Batch it goes to CloudWatch Logs"));
    assert.ok(notes("pdf-renderer").some((n) => /^cannot read \/opt\/reports\/docker-compose\.yml .*service "pdf-renderer" is taken from .*docker-compose\.yml$/.test(n)));
    assert.ok(notes("python").some((n) => /^image from Docker Hub: the stack creates the ECR repository "python"/.test(n)));
    assert.ok(notes("invoicer").every((n) => !/ECR repository/.test(n)), "an image already in ECR needs no push");
  });

  it("puts each job's crontab line, TODOs and notes in the comment above it", () => {
    const jobs = yamlDoc.get("jobs") as YAML.YAMLSeq;
    // Read back, the comment above the first item belongs to the sequence.
    const first = jobs.commentBefore ?? "";
    assert.match(first, /^ crontab line 12: 15 2 \* \* \* cd \/opt\/etl && \/usr\/bin\/docker run --rm --name nightly_etl/);
    assert.match(first, /\n name from --name nightly_etl\n TODO: -v \/srv\/etl\/input/);
    const second = (jobs.items[1] as YAML.YAMLMap).commentBefore ?? "";
    assert.match(second, /^ crontab line 13: 0 1 \* \* 6 docker run --rm --name nightly-etl -u root --entrypoint \/bin\/sh/);
    assert.match(second, /\n name from --name nightly-etl\n TODO: the host replaced the image's ENTRYPOINT/);
    assert.match(second, /\n note: no CPU or memory limit on the host/);
    assert.match(yamlDoc.commentBefore ?? "", /Crontab format: user/);
    assert.match(yamlDoc.commentBefore ?? "", /Review the 29 TODO comments below/);
  });

  it("round trip: the written inventory validates and plans on the dev and prod stacks without a mandatory violation", async () => {
    const inventory = parseInventory(result.yaml, "imported.yaml");
    assert.deepEqual(inventory.jobs.map((j) => j.name), EXPECTED_JOBS.map((j) => j.name));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "import-plan-"));
    const file = path.join(dir, "jobs.yaml");
    fs.writeFileSync(file, result.yaml);
    for (const stack of ["dev", "prod"]) {
      const planned = await plan(["--stack", stack, "--inventory", file]);
      assert.equal(planned.code, 0, planned.stderr);
      assert.match(planned.stdout, /Policies: aws-batch-migration .*: 0 mandatory/);
      assert.match(planned.stdout, /job-weekly-digest-definition/);
    }
  });
});

describe("import: the system crontab fixture", () => {
  let result: ImportResult;
  before(() => {
    const file = path.join(FIXTURES, "system.crontab");
    result = importCrontab({ text: fs.readFileSync(file, "utf8"), source: "system.crontab", timezone: "Europe/Paris", files: hostFiles(HOST, FIXTURES) });
  });

  it("detects the user column and imports the docker lines", () => {
    assert.equal(result.format, "system");
    assert.match(result.formatReason, /every entry has a user name after the schedule \(root, deploy, backup\)/);
    assert.deepEqual(YAML.parse(result.yaml).jobs, [
      {
        name: "cleanup",
        description: "Imported from system.crontab line 5: docker run acme/cleanup:1.0.0",
        image: { repository: "acme/cleanup", tag: "1.0.0" },
        command: ["--days", "30"],
        platform: "fargate",
        vcpu: 1,
        memory: 2048,
        timeout: "1h",
        schedule: "0 2 * * *",
        timezone: "Europe/Paris",
        user: "1000:1000",
      },
      {
        name: "db-backup",
        description: "Imported from system.crontab line 6: docker run postgres:16.4",
        image: { repository: "postgres", tag: "16.4" },
        command: ["pg_dumpall", "--file=/backup/all.sql"],
        platform: "fargate",
        vcpu: 1,
        memory: 2048,
        timeout: "1h",
        schedule: "30 2 * * *",
        timezone: "Europe/Paris",
        user: "1000:1000",
        environment: { PGHOST: "db01.acme.internal" },
        secrets: { PGPASSWORD: "/batch/db-backup/pgpassword" },
      },
    ]);
    assert.deepEqual(result.skipped.map((s) => [s.line, s.reason]), [[4, "not a docker job: runs run-parts (only docker run and docker compose run lines become jobs)"]]);
    assert.ok(result.jobs[0].notes.includes("the host ran the docker command as deploy; inside the container the job runs as 1000:1000"));
    assert.deepEqual(result.warnings, [], "--timezone was given");
  });

  it("without --timezone, warns that the schedules are read in UTC", () => {
    const text = fs.readFileSync(path.join(FIXTURES, "system.crontab"), "utf8");
    const utc = importCrontab({ text, source: "system.crontab", files: hostFiles(HOST, FIXTURES) });
    assert.deepEqual(utc.jobs.map((j) => j.job.timezone), ["UTC", "UTC"]);
    assert.match(utc.warnings[0], /^2 jobs without CRON_TZ are scheduled in UTC, but cron ran them in the host's local time zone: import again with --timezone/);
  });
});

describe("import: the CLI", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "import-cli-"));
  });

  /** The CLI as a user runs it: a child process through the migrate dispatcher. */
  function cli(args: string[], input?: string) {
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "cli/migrate.ts", "import", ...args], {
      cwd: ROOT,
      encoding: "utf8",
      input,
      env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** The command's `run` in this process, with what it prints captured (for the many exit-code cases). */
  async function runHere(args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const write = { stdout: process.stdout.write, stderr: process.stderr.write };
    process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      const code = await run(args);
      return { code, stdout: out.join(""), stderr: err.join("") };
    } finally {
      process.stdout.write = write.stdout;
      process.stderr.write = write.stderr;
    }
  }

  const fixtureArgs = [path.relative(ROOT, CRONTAB), "--compose", path.relative(ROOT, COMPOSE), "--root", path.relative(ROOT, HOST), "--timezone", "Europe/Berlin"];

  it("child process: writes the inventory with -o, prints warnings on stderr and exits 0", () => {
    const out = path.join(dir, "jobs.yaml");
    const r = cli([...fixtureArgs, "-o", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "");
    const written = fs.readFileSync(out, "utf8");
    assert.deepEqual(YAML.parse(written).jobs.map((j: { name: string }) => j.name), EXPECTED_JOBS.map((j) => j.name));
    assert.match(r.stderr, /^import: read tests\/fixtures\/import\/crontab as a user crontab/);
    assert.match(r.stderr, /\nimport: note: line 2: SHELL=\/bin\/bash is ignored/);
    assert.match(r.stderr, /\nimport: skipped line 33: not a docker job: runs \/usr\/local\/bin\/backup\.sh/);
    assert.match(r.stderr, /\nimport: warning: job "cache-warmer" \(line 23\): the host ran nginx:latest, tagged "latest"/);
    assert.match(r.stderr, /\nimport: warning: 5 variables look like secrets; their values were not copied\. Create these SSM parameters/);
    assert.match(r.stderr, /\n {2}aws ssm put-parameter --type SecureString --name \/batch\/nightly-etl\/db-password --value '<DB_PASSWORD as on the host>' {4}# job nightly-etl, -e DB_PASSWORD\n/);
    assert.match(r.stderr, /\nimport: wrote .*jobs\.yaml: 13 jobs, 29 TODOs to review, 10 lines not imported\n$/);
    assert.ok(!r.stderr.includes("s3cr3t-db-pass") && !r.stderr.includes("tok_live_abc123"));
  });

  it("child process: reads standard input for -, writes standard output without -o", () => {
    const r = cli(["-", "--no-system", "--name-prefix", "ops-"], "0 1 * * * docker run --rm -u 100 acme/tool:1.0 run\n");
    assert.equal(r.code, 0, r.stderr);
    const written = YAML.parse(r.stdout);
    assert.equal(written.jobs[0].name, "ops-tool");
    assert.equal(written.jobs[0].user, "100");
    assert.match(r.stderr, /^import: read standard input as a user crontab \(--no-system was given\)/);
  });

  it("child process: exits 1 without a stack trace when the crontab cannot be read", () => {
    const missing = cli(["no/such/crontab"]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "import: cannot read the crontab no/such/crontab: no such file\n");
  });

  it("refuses to overwrite an existing file without --force (exit 2) and overwrites with it", async () => {
    const out = path.join(dir, "jobs.yaml");
    fs.writeFileSync(out, "keep me\n");
    const refused = await runHere([...fixtureArgs, "-o", out]);
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, `import: ${out} exists: pass --force to overwrite it\n`);
    assert.equal(fs.readFileSync(out, "utf8"), "keep me\n");
    const forced = await runHere([...fixtureArgs, "-o", out, "--force"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(fs.readFileSync(out, "utf8"), /^# Job inventory imported from/);
  });

  it("exits 1 naming the file when the inventory cannot be written", async () => {
    const out = path.join(dir, "no-such-dir", "jobs.yaml");
    const r = await runHere([...fixtureArgs, "-o", out]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, new RegExp(`\nimport: cannot write ${out.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: ENOENT: no such file or directory, open '[^']+'\n$`));
  });

  it("exits 2 on usage errors, with the usage", async () => {
    for (const [args, message] of [
      [[], /^import: the crontab file is required\n\nusage: npm run migrate -- import/],
      [["a", "b"], /^import: expected one crontab file, found 2: a b\n/],
      [["x", "--system", "--no-system"], /^import: --system and --no-system exclude each other\n/],
      [["x", "--bogus"], /^import: Unknown option '--bogus'/],
      [["x", "-o", ""], /^import: --output needs a file name\n/],
      [[path.relative(ROOT, CRONTAB), "--timezone", "Mars/Olympus"], /^import: --timezone: unknown time zone "Mars\/Olympus": use an IANA time zone name/],
      [[path.relative(ROOT, CRONTAB), "--name-prefix", "Ops_"], /^import: --name-prefix "Ops_" must start with a lower-case letter/],
    ] as const) {
      const r = await runHere([...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const help = await runHere(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: npm run migrate -- import <crontab> \[options\]/);
  });

  it("exits 1 when a compose file cannot be read or nothing can be imported", async () => {
    const compose = await runHere([path.relative(ROOT, CRONTAB), "--compose", "no/such/compose.yml"]);
    assert.equal(compose.code, 1);
    assert.equal(compose.stderr, "import: cannot read the compose file no/such/compose.yml: no such file\n");
    const badCompose = path.join(dir, "compose.yml");
    fs.writeFileSync(badCompose, "version: '3'\n");
    const notCompose = await runHere([path.relative(ROOT, CRONTAB), "--compose", badCompose]);
    assert.equal(notCompose.code, 1);
    assert.equal(notCompose.stderr, `import: ${badCompose}: has no "services" mapping, so it is not a compose file\n`);
    const crontab = path.join(dir, "crontab");
    fs.writeFileSync(crontab, "0 3 * * * /usr/local/bin/backup.sh\n");
    const nothing = await runHere([crontab]);
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, /import: skipped line 1: not a docker job/);
    assert.match(nothing.stderr, /import: no docker run or docker compose run line in .*crontab could be imported: nothing to write\n$/);
  });
});
