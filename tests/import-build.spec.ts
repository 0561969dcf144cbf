/**
 * Building inventory jobs for `migrate import`: names, images and placeholder tags, Fargate sizes, users,
 * timeouts, environment and secrets, writable paths, redaction of secrets in what is shown, and the YAML output.
 */
import * as assert from "node:assert/strict";
import * as YAML from "yaml";
import { DEFAULT_SECRET_NAME_PATTERNS } from "../policies/secrets";
import { parseInventory } from "../lib/inventory";
import { importCrontab, type ImportResult } from "../lib/import";
import { BuildSkip, formatDuration, imageBaseName, inventoryImage, jobName, PLACEHOLDER_TAG } from "../lib/import/build";
import type { HostFiles } from "../lib/import/line";
import { redact } from "../lib/import/redact";
import { wrap } from "../lib/import/render";
import { isSecretVariable } from "../lib/import/secret-names";
import { fargateSize } from "../lib/import/sizing";

function files(map: Record<string, string> = {}): HostFiles {
  return { locate: (p) => `/copy${p}`, read: (p) => map[p], fallbackDir: "/dir" };
}

function importText(text: string, options: { files?: HostFiles; timezone?: string; namePrefix?: string } = {}): ImportResult {
  return importCrontab({ text, source: "crontab", files: options.files ?? files(), timezone: options.timezone ?? "UTC", namePrefix: options.namePrefix });
}

/** The one job of a one-line crontab. */
function only(line: string, options: Parameters<typeof importText>[1] = {}) {
  const r = importText(`${line}\n`, options);
  assert.equal(r.jobs.length, 1, r.skipped.map((s) => s.reason).join("; "));
  return r.jobs[0];
}

describe("import: job names", () => {
  it("lower-cases and turns other characters into single dashes", () => {
    const taken = new Set<string>();
    assert.equal(jobName("Nightly_ETL.v2", "", taken), "nightly-etl-v2");
    assert.equal(jobName("__report__", "", taken), "report");
    assert.equal(jobName("etl", "billing-", taken), "billing-etl");
  });

  it("starts with a letter and has at least two characters", () => {
    const taken = new Set<string>();
    assert.equal(jobName("2fa-sync", "", taken), "job-2fa-sync");
    assert.equal(jobName("x", "", taken), "x-job");
    assert.equal(jobName("---", "", taken), "job");
  });

  it("keeps to 40 characters and makes names unique", () => {
    const taken = new Set<string>();
    const long = "a-very-long-container-name-that-goes-on-and-on";
    assert.equal(jobName(long, "", taken), "a-very-long-container-name-that-goes-on");
    assert.equal(jobName(long, "", taken), "a-very-long-container-name-that-goes-o-2");
    assert.equal(jobName("etl", "", taken), "etl");
    assert.equal(jobName("etl", "", taken), "etl-2");
    assert.equal(jobName("ETL", "", taken), "etl-3");
  });

  it("comes from --name, else the compose service, else the image", () => {
    assert.equal(only("0 1 * * * docker run --name Nightly_Sync acme/sync:1.0").job.name, "nightly-sync");
    assert.equal(only("0 1 * * * docker run registry:5000/team/data-loader:1.0").job.name, "data-loader");
    assert.equal(only("0 1 * * * docker run --name $NAME acme/sync:1.0").nameSource, "image acme/sync:1.0", "a name that needs the shell is not used");
    assert.equal(imageBaseName("ghcr.io/org/tool@sha256:" + "a".repeat(64)), "tool");
  });

  it("applies --name-prefix and checks it", () => {
    assert.equal(only("0 1 * * * docker run acme/sync:1.0", { namePrefix: "billing-" }).job.name, "billing-sync");
    assert.throws(() => importText("", { timezone: "Europe/Berlinn" }), /^ImportOptionError: --timezone: unknown time zone "Europe\/Berlinn"/);
    assert.throws(() => importText("", { namePrefix: "Billing" }), /^ImportOptionError: --name-prefix "Billing" must start with a lower-case letter and hold only lower-case letters, digits and dashes$/);
    assert.throws(() => importText("", { namePrefix: "a".repeat(21) }), /is too long: job names have at most 40 characters$/);
  });
});

describe("import: images", () => {
  it("keeps images of a private ECR registry as references", () => {
    const ecr = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app";
    assert.deepEqual(inventoryImage(`${ecr}:1.2.3`), { image: `${ecr}:1.2.3`, findings: [] });
    assert.deepEqual(inventoryImage(`${ecr}@sha256:${"b".repeat(64)}`).image, `${ecr}@sha256:${"b".repeat(64)}`);
    const untagged = inventoryImage(ecr);
    assert.equal(untagged.image, `${ecr}:${PLACEHOLDER_TAG}`);
    assert.match(untagged.findings[0].message, /without a tag \(so :latest\): the tag TODO-pin-version stands in for the version the host ran/);
    assert.match(inventoryImage(`${ecr}:latest`).findings[0].message, /tagged "latest", which moves under the job/);
  });

  it("turns every other image into the ECR repository the stack creates, with the push commands", () => {
    assert.deepEqual(inventoryImage("postgres:16.4").image, { repository: "postgres", tag: "16.4" });
    assert.deepEqual(inventoryImage("docker.io/library/postgres:16.4").image, { repository: "postgres", tag: "16.4" });
    assert.deepEqual(inventoryImage("registry.acme.internal:5000/team/app:2.0").image, { repository: "team/app", tag: "2.0" });
    assert.deepEqual(inventoryImage("localhost/app:1").image, { repository: "app", tag: "1" });
    const { findings } = inventoryImage("ghcr.io/org/tool:3.1");
    assert.equal(
      findings[0].message,
      'image from ghcr.io: the stack creates the ECR repository "org/tool" (prefixed with the environment); push the image there before the first run: ' +
        "docker pull ghcr.io/org/tool:3.1 && docker tag ghcr.io/org/tool:3.1 <account>.dkr.ecr.<region>.amazonaws.com/<environment>/org/tool:3.1 && docker push <that name>",
    );
  });

  it("uses the placeholder tag for untagged, latest and digest-only images", () => {
    assert.deepEqual(inventoryImage("acme/app").image, { repository: "acme/app", tag: PLACEHOLDER_TAG });
    assert.deepEqual(inventoryImage("acme/app:Latest").image, { repository: "acme/app", tag: PLACEHOLDER_TAG });
    const digest = inventoryImage(`acme/app@sha256:${"c".repeat(64)}`);
    assert.deepEqual(digest.image, { repository: "acme/app", tag: PLACEHOLDER_TAG });
    assert.match(digest.findings[0].message, /pinned by digest sha256:c+; ECR repositories of the stack are addressed by tag/);
    assert.deepEqual(inventoryImage(`acme/app:1.0@sha256:${"c".repeat(64)}`).image, { repository: "acme/app", tag: "1.0" });
  });

  it("refuses references that cannot be pushed to ECR", () => {
    assert.throws(() => inventoryImage("Acme/App:1"), (e: Error) => e instanceof BuildSkip && e.message === 'image "Acme/App:1": "Acme/App" is not a valid ECR repository name (lower-case letters, digits, ".", "_", "-", "/")');
    assert.throws(() => inventoryImage("acme/app:-bad"), /"-bad" is not a valid Docker tag/);
    assert.throws(() => inventoryImage("acme/app@sha256:short"), /the digest is not of the form sha256:<64 hex digits>/);
  });

  it("skips a line whose image needs a variable the crontab does not set", () => {
    const r = importText("0 1 * * * docker run registry.acme.internal/app:$VERSION\n");
    assert.equal(r.jobs.length, 0);
    assert.match(r.skipped[0].reason, /^the image "registry\.acme\.internal\/app:\$VERSION" depends on a variable or command the crontab does not set/);
    assert.equal(importText("VERSION=1.4\n0 1 * * * docker run registry.acme.internal/app:$VERSION\n").jobs[0].job.image.toString(), "[object Object]");
  });
});

describe("import: Fargate sizes", () => {
  const cpus = (value: number) => ({ value, written: `--cpus ${value}` });
  const mem = (mib: number) => ({ bytes: mib * 1024 * 1024, written: `--memory ${mib}m` });
  const size = (c?: number, m?: number) => {
    const s = fargateSize(c === undefined ? undefined : cpus(c), m === undefined ? undefined : mem(m));
    return [s.vcpu, s.memory, ...s.findings.map((f) => `${f.level}: ${f.message}`)];
  };

  it("defaults to 1 vCPU / 2048 MiB without limits, and says so", () => {
    assert.deepEqual(size(), [1, 2048, "note: no CPU or memory limit on the host (the container could use the whole machine): sized 1 vCPU / 2048 MiB as a starting point; measure a run (docker stats) and adjust"]);
  });

  it("rounds CPUs up to a Fargate size, with the smallest memory of that size", () => {
    assert.deepEqual(size(0.25), [0.25, 512, "note: no memory limit on the host: 512 MiB, the smallest Fargate allows with 0.25 vCPU; measure a run and adjust"]);
    assert.deepEqual(size(3).slice(0, 3), [4, 8192, "note: --cpus 3: rounded up to 4 vCPU, the next Fargate size"]);
    assert.deepEqual(size(40).slice(0, 3), [16, 32768, "todo: --cpus 40: Fargate's largest size is 16 vCPU; the job gets 16"]);
  });

  it("rounds memory up to a value Fargate allows with the vCPU count", () => {
    assert.deepEqual(size(1, 3000), [1, 3072, "note: --memory 3000m: rounded up to 3072 MiB, the next memory size Fargate allows with 1 vCPU"]);
    assert.deepEqual(size(2, 8192), [2, 8192]);
    assert.deepEqual(size(undefined, 512), [
      1, 2048,
      "note: --memory 512m: rounded up to 2048 MiB, the next memory size Fargate allows with 1 vCPU",
      "note: no CPU limit on the host: 1 vCPU as a starting point; measure a run and adjust",
    ]);
  });

  it("raises the vCPU count when the memory needs it", () => {
    assert.deepEqual(size(undefined, 10240), [2, 10240, "note: --memory 10240m: Fargate allows 10 GiB only with 2 vCPU or more, so the job gets 2 vCPU"]);
    assert.deepEqual(size(0.25, 3072), [0.5, 3072, "note: --memory 3072m: Fargate allows 3 GiB only with 0.5 vCPU or more, so the job gets 0.5 vCPU instead of 0.25"]);
    assert.deepEqual(size(8, 70000), [16, 73728,
      "note: --memory 70000m: Fargate allows 70000 MiB only with 16 vCPU or more, so the job gets 16 vCPU instead of 8",
      "note: --memory 70000m: rounded up to 73728 MiB, the next memory size Fargate allows with 16 vCPU",
    ]);
    assert.deepEqual(size(undefined, 200000), [16, 122880, "todo: --memory 200000m: more than Fargate's largest size allows (120 GiB); the job gets 120 GiB"]);
  });
});

describe("import: users, timeouts, schedules", () => {
  it("keeps a non-root -u and writes a placeholder with a TODO otherwise", () => {
    assert.equal(only("0 1 * * * docker run -u app:app a/b:1").job.user, "app:app");
    for (const [user, todo] of [
      ["", /^the host gave no user, so the container ran as the image's USER/],
      ["-u root", /^the container ran as root \(user root\)/],
      ["-u 0:0", /^the container ran as root \(user 0:0\)/],
      ["--user=0", /^the container ran as root \(user 0\)/],
      ['-u "$(id -u):$(id -g)"', /^the user "\$\(id -u\):\$\(id -g\)" depends on \$\(id -u\), \$\(id -g\), which the host computed: 1000:1000 is a placeholder/],
      ["-u 'a b'", /^the user "a b" is not a user name or UID\[:GID\]: 1000:1000 is a placeholder/],
    ] as const) {
      const job = only(`0 1 * * * docker run ${user} a/b:1`);
      assert.equal(job.job.user, "1000:1000", user);
      assert.ok(job.todos.some((t) => todo.test(t)), `${user}: ${job.todos.join(" | ")}`);
    }
  });

  it("notes the host user of a system crontab or of sudo -u", () => {
    assert.ok(only("0 1 * * * sudo -u batch docker run -u 5 a/b:1").notes.includes("the host ran the docker command as batch; inside the container the job runs as 5"));
  });

  it("takes the timeout from a timeout wrapper, between 60 s and 24 h, else 1h", () => {
    assert.equal(formatDuration(5400), "1h30m");
    assert.equal(formatDuration(90), "1m30s");
    assert.equal(formatDuration(7200), "2h");
    assert.equal(only("0 1 * * * timeout 1.5h docker run a/b:1").job.timeout, "1h30m");
    const short = only("0 1 * * * timeout 10s docker run a/b:1");
    assert.equal(short.job.timeout, "1m");
    assert.ok(short.notes.includes("timeout 10s on the host: AWS Batch's shortest timeout is 60 s"));
    const long = only("0 1 * * * timeout 3d docker run a/b:1");
    assert.equal(long.job.timeout, "24h");
    assert.ok(long.todos.includes("timeout 72h on the host: the stack's policy allows at most 24h per attempt; the job gets 24h"));
    assert.ok(only("0 1 * * * docker run a/b:1").notes.includes("no timeout on the host: 1h is a starting point; set a few times the typical run time"));
  });

  it("notes schedules that become two EventBridge schedules, and daylight saving gaps only outside UTC", () => {
    assert.ok(only("0 2 1,15 * 5 docker run a/b:1").notes.some((n) => /^"0 2 1,15 \* 5" restricts both day-of-month and day-of-week .* it becomes two EventBridge schedules/.test(n)));
    assert.ok(!only("30 2 * * * docker run a/b:1").notes.some((n) => /clocks go forward/.test(n)));
    assert.ok(only("30 2 * * * docker run a/b:1", { timezone: "Europe/Berlin" }).notes.some((n) => /^in Europe\/Berlin, runs at times that do not exist when clocks go forward \(2025-03-30 02:30\)/.test(n)));
  });

  it("maps --platform to the architecture", () => {
    assert.equal(only("0 1 * * * docker run --platform linux/arm64/v8 a/b:1").job.architecture, "arm64");
    assert.equal(only("0 1 * * * docker run --platform linux/amd64 a/b:1").job.architecture, undefined);
    const windows = only("0 1 * * * docker run --platform windows/amd64 a/b:1");
    assert.ok(windows.todos.includes("platform windows/amd64: Fargate runs linux/amd64 and linux/arm64 only; the job is written for linux/amd64"));
  });
});

describe("import: environment and secrets", () => {
  it("takes -e NAME from the crontab's variables and writes a TODO when nothing sets it", () => {
    const job = only("0 1 * * * docker run -e LEVEL -e MISSING -e EMPTY= a/b:1", {});
    assert.deepEqual(job.job.environment, { EMPTY: "" });
    assert.ok(job.todos.some((t) => /^-e LEVEL: LEVEL takes its value from the docker command's environment, which does not set it/.test(t)));
    const withVar = importText("LEVEL=debug\n0 1 * * * docker run -e LEVEL a/b:1\n").jobs[0];
    assert.deepEqual(withVar.job.environment, { LEVEL: "debug" });
  });

  it("moves secret-looking names and credential-shaped values to SSM parameters named after the job", () => {
    const job = only(
      "0 1 * * * docker run --name sync -e DB_PASSWORD=x -e githubToken=y -e SIGNING_KEY=z -e URL=https://u:p@h/ -e KEY_ID=AKIAIOSFODNN7EXAMPLE -e PLAIN=1 -e API_KEY a/b:1",
    );
    assert.deepEqual(job.job.environment, { PLAIN: "1" });
    assert.deepEqual(job.job.secrets, {
      DB_PASSWORD: "/batch/sync/db-password",
      githubToken: "/batch/sync/githubtoken",
      SIGNING_KEY: "/batch/sync/signing-key",
      URL: "/batch/sync/url",
      KEY_ID: "/batch/sync/key-id",
      API_KEY: "/batch/sync/api-key",
    });
    assert.deepEqual(job.secrets.map((s) => s.origin), ["-e DB_PASSWORD", "-e githubToken", "-e SIGNING_KEY", "-e URL", "-e KEY_ID", "-e API_KEY"]);
  });

  it("covers every name pattern of the policy pack's job-no-plaintext-secrets", () => {
    for (const pattern of DEFAULT_SECRET_NAME_PATTERNS) {
      assert.ok(isSecretVariable(`APP_${pattern}`), pattern);
    }
    assert.ok(!isSecretVariable("LOG_LEVEL", "debug"));
    assert.ok(isSecretVariable("KEY", "-----BEGIN RSA PRIVATE KEY-----"));
  });

  it("does not import invalid names, the AWS_BATCH prefix or values the host computed", () => {
    const job = only("0 1 * * * docker run -e MY-VAR=1 -e AWS_BATCH_X=2 -e DAY=$(date +\\%u) -e HOST=$HOSTNAME a/b:1");
    assert.equal(job.job.environment, undefined);
    assert.deepEqual(job.todos.filter((t) => t.startsWith("-e ")), [
      '-e MY-VAR: "MY-VAR" is not a valid environment variable name for a job definition: not imported',
      "-e AWS_BATCH_X: AWS Batch reserves the AWS_BATCH prefix: AWS_BATCH_X is not imported",
      '-e DAY: the value of DAY ("$(date +%u)") depends on $(date +%u), which the host computed when the job ran: not imported; set the value under environment',
      '-e HOST: the value of HOST ("$HOSTNAME") depends on $HOSTNAME, which the host computed when the job ran: not imported; set the value under environment',
    ]);
  });

  it("reads env files with dotenv rules, takes bare names from the environment and notes Docker's differences", () => {
    const envFiles = files({ "/copy/opt/app.env": '# settings\nA=1\nexport B="two words"\nC=x # comment\nLEVEL\nTOKEN=t\n' });
    const job = importText("LEVEL=info\n0 1 * * * docker run --env-file /opt/app.env -e A=override a/b:1\n", { files: envFiles }).jobs[0];
    assert.deepEqual(job.job.environment, { A: "override", B: "two words", C: "x", LEVEL: "info" });
    assert.deepEqual(job.job.secrets, { TOKEN: "/batch/b-job/token" });
    assert.ok(job.notes.some((n) => /^--env-file \/opt\/app\.env: docker run keeps quotes and "# \.\.\." in env file values literally/.test(n)));
  });

  it("writes a TODO when an env file cannot be read", () => {
    const job = only("0 1 * * * docker run --env-file /opt/missing.env a/b:1");
    assert.ok(job.todos.includes("cannot read the env file /opt/missing.env (looked at /copy/opt/missing.env), so its variables are missing: copy it (see --root) and import again, or add them by hand"));
  });
});

describe("import: command arguments", () => {
  it("redacts the values of secret-looking options and writes TODOs", () => {
    const job = only("0 1 * * * docker run a/b:1 sync --api-key abc --token=xyz --no-password --verbose");
    assert.deepEqual(job.job.command, ["sync", "--api-key", "REDACTED", "--token=REDACTED", "--no-password", "--verbose"]);
    assert.equal(job.todos.filter((t) => /looks like a secret and is written as REDACTED/.test(t)).length, 2);
  });

  it("writes TODOs for arguments the host shell computed, and notes globs", () => {
    const job = only("0 1 * * * docker run a/b:1 run --since $LAST_RUN *.csv");
    assert.deepEqual(job.job.command, ["run", "--since", "$LAST_RUN", "*.csv"]);
    assert.ok(job.todos.some((t) => /^the argument "\$LAST_RUN" depends on \$LAST_RUN, which the host computed when the job ran; Batch passes it literally/.test(t)));
    assert.ok(job.notes.includes("the host shell matched *.csv against the files of its directory; Batch passes the pattern as it is"));
  });

  it("writes the entrypoint in front of the command, with a TODO", () => {
    const job = only('0 1 * * * docker run --entrypoint "" a/b:1 /bin/run');
    assert.deepEqual(job.job.command, ["/bin/run"]);
    assert.ok(job.todos.some((t) => /^the host replaced the image's ENTRYPOINT with ""/.test(t)));
  });
});

describe("import: writable paths", () => {
  it("adds /tmp to the scratch paths and keeps at most five", () => {
    const job = only("0 1 * * * docker run --tmpfs /a --tmpfs /b/ --tmpfs /c --tmpfs /d --tmpfs /e --tmpfs /tmp a/b:1");
    assert.deepEqual(job.job.scratchPaths, ["/tmp", "/a", "/b", "/c", "/d"]);
    assert.ok(job.todos.includes("more than 5 writable paths (/tmp, /a, /b, /c, /d, /e): the inventory takes 5; the rest are not imported"));
    const odd = only("0 1 * * * docker run --tmpfs '/my dir' a/b:1");
    assert.deepEqual(odd.job.scratchPaths, ["/tmp"]);
    assert.ok(odd.todos.includes("scratch paths /my dir cannot be job mounts: not imported"));
  });
});

describe("import: what is shown", () => {
  it("masks secret values on crontab lines", () => {
    assert.equal(
      redact("0 1 * * * DB_PASSWORD=x docker run -e API_TOKEN=abc --env=SECRET_KEY=k -e 'MY_TOKEN=q r' -e LEVEL=1 a:1 --password p --db postgres://u:pw@h/d"),
      "0 1 * * * DB_PASSWORD=*** docker run -e API_TOKEN=*** --env=SECRET_KEY=*** -e 'MY_TOKEN=***' -e LEVEL=1 a:1 --password *** --db postgres://u:***@h/d",
    );
    assert.equal(redact("--api-key=abc"), "--api-key=***");
    assert.equal(redact("--no-password --verbose"), "--no-password --verbose");
    assert.equal(redact('-e "DB_PASSWORD=a b c" next'), '-e "DB_PASSWORD=***" next');
    assert.equal(redact("-e=TOKEN=x --name=etl"), "-e=TOKEN=*** --name=etl");
  });

  it("never shows secret values in the output, the skipped lines included", () => {
    const r = importText("0 1 * * * docker run -e DB_PASSWORD=hunter2 a/b:1\n0 2 * * * backup --password hunter3\n");
    assert.ok(!r.yaml.includes("hunter2") && !r.yaml.includes("hunter3"));
    assert.equal(r.skipped[0].text, "0 2 * * * backup --password ***");
  });

  it("wraps comment lines and indents the continuation", () => {
    assert.deepEqual(wrap("a ".repeat(70).trim(), "", "  "), ["a ".repeat(58).trim(), `  ${"a ".repeat(12).trim()}`]);
  });

  it("writes a valid inventory with a header, a comment per job and no footer when nothing was skipped", () => {
    const r = importText("0 1 * * * docker run -u 5 a/b:1\n");
    const doc = YAML.parseDocument(r.yaml);
    assert.match(doc.commentBefore ?? "", /^ Job inventory imported from crontab by `npm run migrate -- import` \(docs\/import\.md\)\.\n Crontab format: user/);
    assert.equal(doc.comment, null);
    assert.deepEqual(parseInventory(r.yaml, "x").jobs.map((j) => j.name), ["b-job"], "names have at least two characters");
  });

  it("counts TODOs including the secrets to create", () => {
    const r = importText("0 1 * * * docker run -u 5 -e API_TOKEN a/b:1\n");
    assert.match(r.yaml, /# Review the 1 TODO comment below/);
    assert.match(r.yaml, /# TODO: create the secret API_TOKEN \(from -e API_TOKEN\): aws ssm put-parameter --type SecureString --name\n {2}# {3}\/batch\/b-job\/api-token --value '<API_TOKEN as on the host>'/);
  });
});
