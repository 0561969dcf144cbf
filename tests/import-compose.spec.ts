/**
 * `docker compose run` for `migrate import`: interpolation, the service's fields, the run line's overrides,
 * findings, errors, and how the compose file of a line is found.
 */
import * as assert from "node:assert/strict";
import { containerFromComposeRun, interpolate, loadComposeFile, mergedService, type ComposeFile } from "../lib/import/compose";
import { parseDockerCommand } from "../lib/import/docker-cli";
import { analyzeCommand, type HostFiles, type LineContainer } from "../lib/import/line";
import type { ContainerSpec } from "../lib/import/types";

function compose(text: string, dotEnv: Record<string, string> = {}, file = "/p/docker-compose.yml"): ComposeFile {
  return loadComposeFile(text, file, dotEnv);
}

function runService(files: ComposeFile[], line: string, shellEnv: Record<string, string> = {}): ContainerSpec {
  const command = parseDockerCommand(line.split(" "));
  assert.equal(command.kind, "compose-run");
  return containerFromComposeRun({
    command: command as Extract<typeof command, { kind: "compose-run" }>,
    files,
    shellEnv: (n) => shellEnv[n],
    resolvePath: (p) => ({ path: `/resolved/${p}`, shownPath: p }),
  });
}

const todos = (s: ContainerSpec) => s.findings.filter((f) => f.level === "todo").map((f) => f.message);
const notes = (s: ContainerSpec) => s.findings.filter((f) => f.level === "note").map((f) => f.message);

describe("import: compose interpolation", () => {
  const vars: Record<string, string> = { A: "1", EMPTY: "" };
  const i = (text: string) => interpolate(text, (n) => vars[n]);

  it("follows Compose's forms", () => {
    assert.deepEqual(i("${A}-$A-$$A"), { value: "1-1-$A", unresolved: [] });
    assert.equal(i("${B:-dflt}").value, "dflt");
    assert.equal(i("${EMPTY:-dflt}").value, "dflt");
    assert.equal(i("${EMPTY-dflt}").value, "");
    assert.equal(i("${A:+alt}").value, "alt");
    assert.equal(i("${B+alt}").value, "");
    assert.equal(i("${B:-${A}}").value, "1", "defaults are interpolated too");
    assert.equal(i("price: 5$").value, "price: 5$");
  });

  it("keeps unset references as written and lists them", () => {
    assert.deepEqual(i("${B}/$C/${D:?needed}"), { value: "${B}/$C/${D:?needed}", unresolved: ["${B}", "$C", "${D:?needed}"] });
    assert.deepEqual(i("${B:-$C}"), { value: "$C", unresolved: ["$C"] });
    assert.deepEqual(i("${unclosed"), { value: "${unclosed", unresolved: [] });
  });
});

describe("import: compose files", () => {
  it("refuses YAML errors and files without services", () => {
    assert.throws(() => compose("services: [\n"), /^ComposeError: \/p\/docker-compose\.yml: not valid YAML: /);
    assert.throws(() => compose("version: '3'\n"), /^ComposeError: \/p\/docker-compose\.yml: has no "services" mapping, so it is not a compose file$/);
  });

  it("follows anchors and merge keys", () => {
    const c = compose("x: &d\n  user: '7'\nservices:\n  a:\n    <<: *d\n    image: a:1\n");
    assert.deepEqual(c.services.a, { user: "7", image: "a:1" });
  });

  it("merges several files: later keys win, environment variables are merged", () => {
    const base = compose("services:\n  a:\n    image: a:1\n    environment: [A=1, B=1]\n    user: '1'\n");
    const override = compose("services:\n  a:\n    environment:\n      B: 2\n      C: 3\n    user: '2'\n", {}, "/p/override.yml");
    assert.deepEqual(mergedService([base, override], "a"), { image: "a:1", environment: { A: "1", B: "2", C: "3" }, user: "2" });
    assert.equal(mergedService([base], "nope"), undefined);
  });
});

describe("import: docker compose run", () => {
  const project = compose(
    [
      "services:",
      "  app:",
      "    image: ${REGISTRY:-docker.io}/team/app:${TAG}",
      "    command: python run.py --mode 'full run'",
      "    entrypoint: [/entry.sh]",
      "    user: '1005:1005'",
      "    platform: linux/arm64",
      "    read_only: true",
      "    env_file:",
      "      - app.env",
      "      - path: optional.env",
      "        required: false",
      "    environment:",
      "      - A=from-service",
      "      - FROM_SHELL",
      "    cpus: 4",
      "    mem_limit: 8g",
      "    deploy: {resources: {limits: {cpus: '1.5', memory: 3g}}}",
      "    tmpfs: /run",
      "    volumes:",
      "      - ./data:/data",
      "      - type: volume",
      "        source: cache",
      "        target: /cache",
      "        read_only: true",
      "      - type: tmpfs",
      "        target: /scratch",
      "    depends_on:",
      "      db: {condition: service_healthy}",
      "  db:",
      "    image: postgres:16",
    ].join("\n"),
    { TAG: "from-dotenv", REGISTRY: "dotenv-registry" },
  );

  it("takes the service's fields, interpolated from the shell first, then the project's .env", () => {
    const s = runService([project], "docker compose run app", { REGISTRY: "registry.acme.internal" });
    assert.equal(s.via, "docker compose run");
    assert.equal(s.service, "app");
    assert.equal(s.image, "registry.acme.internal/team/app:from-dotenv");
    assert.deepEqual(s.command, ["python", "run.py", "--mode", "full run"]);
    assert.deepEqual(s.entrypoint, ["/entry.sh"]);
    assert.equal(s.user, "1005:1005");
    assert.equal(s.platform, "linux/arm64");
    assert.equal(s.readOnly, true);
    assert.deepEqual(s.cpus, { value: 1.5, written: 'service "app" deploy.resources.limits.cpus: 1.5' }, "deploy limits win over cpus");
    assert.deepEqual(s.memory, { bytes: 3 * 1024 ** 3, written: 'service "app" deploy.resources.limits.memory: 3g' });
    assert.deepEqual(s.scratchPaths, ["/scratch", "/run"]);
    assert.deepEqual(s.dependsOn, ["db"]);
    assert.deepEqual(s.unresolved, []);
  });

  it("orders the environment as Compose applies it: env_file, environment, then the run line's -e", () => {
    const s = runService([project], "docker compose run -e A=from-run -e B app");
    assert.deepEqual(s.env, [
      { kind: "file", path: "/p/app.env", shownPath: "app.env", origin: 'service "app" env_file app.env', required: true, dockerFormat: false },
      { kind: "file", path: "/p/optional.env", shownPath: "optional.env", origin: 'service "app" env_file optional.env', required: false, dockerFormat: false },
      { kind: "value", name: "A", value: "from-service", origin: 'service "app" environment A' },
      { kind: "inherit", name: "FROM_SHELL", origin: 'service "app" environment FROM_SHELL' },
      { kind: "value", name: "A", value: "from-run", origin: "-e A" },
      { kind: "inherit", name: "B", origin: "-e B" },
    ]);
  });

  it("lets the run line override name, user, entrypoint and command, and drop dependencies", () => {
    const s = runService([project], "docker compose run --no-deps --name one-off -u 2000 --entrypoint /bin/sh app -c true");
    assert.equal(s.containerName, "one-off");
    assert.equal(s.user, "2000");
    assert.deepEqual(s.entrypoint, ["/bin/sh"]);
    assert.deepEqual(s.command, ["-c", "true"]);
    assert.deepEqual(s.dependsOn, []);
    assert.ok(!todos(s).some((t) => /depends_on/.test(t)));
  });

  it("writes TODOs and notes for what Batch does differently", () => {
    const s = runService([project], "docker compose run -d -w /srv -v /host:/in -p 80:80 --cap-add NET_ADMIN app");
    assert.deepEqual(todos(s), [
      'service "app" volume ./data:/data mounts the host directory ./data at /data: a Batch job has no host directories; read and write the files in S3 (and grant the bucket under permissions) or mount an EFS file system',
      'service "app" volume cache:/cache mounts the Docker volume "cache" at /cache (read-only): keep data that outlives a run in S3 or on EFS; if the directory is only scratch space, add /cache to scratchPaths',
      "-w /srv: Batch starts the command in the image's WORKDIR: set WORKDIR /srv in the image",
      "-v /host:/in mounts the host directory /host at /in: a Batch job has no host directories; read and write the files in S3 (and grant the bucket under permissions) or mount an EFS file system",
      "--cap-add NET_ADMIN: Fargate adds no Linux capability except SYS_PTRACE",
      "compose starts db before the job (depends_on); Batch starts only the job: point it at a managed or always-on service (listed under dependencies)",
    ]);
    assert.deepEqual(notes(s), [
      "-d: the container ran detached; a Batch job lasts until the container exits, within the timeout",
      "-p 80:80: a Batch job publishes no ports",
    ]);
  });

  it("writes findings for the service's own host settings", () => {
    const c = compose(
      [
        "services:",
        "  s:",
        "    image: s:1",
        "    privileged: true",
        "    devices: [/dev/fuse]",
        "    cap_add: [SYS_ADMIN, SYS_PTRACE]",
        "    network_mode: host",
        "    working_dir: /w",
        "    restart: always",
        "    secrets: [db_password]",
        "    configs: [{source: app_config, target: /etc/app.conf}]",
        "    extends: {service: base}",
        "    gpus: all",
        "    logging: {driver: syslog}",
        "    extra_hosts: ['db:10.0.0.5']",
        "    ports: ['8080:80']",
      ].join("\n"),
    );
    const s = runService([c], "docker compose run --service-ports s");
    assert.deepEqual(todos(s), [
      'service "s" privileged: privileged containers are not available on Fargate (and the stack\'s policies refuse them)',
      'service "s" devices /dev/fuse: host devices are not available on Fargate',
      'service "s" cap_add SYS_ADMIN: Fargate adds no Linux capability except SYS_PTRACE',
      'service "s" working_dir /w: Batch starts the command in the image\'s WORKDIR: set WORKDIR /w in the image',
      'service "s" secrets db_password: Compose mounts it as a file (/run/secrets/db_password); Batch injects secrets as environment variables: store it in Secrets Manager or SSM, list it under secrets, and read it from the environment',
      'service "s" configs app_config: Compose mounts it as the file /etc/app.conf; a Batch job gets no such file: build it into the image or read it from S3',
      'service "s" uses extends, which the import does not follow: add what the base service sets',
      'service "s" gpus: Fargate has no GPUs',
    ]);
    assert.deepEqual(notes(s), [
      'service "s" network_mode host: the job gets its own network interface in the stack\'s VPC; services the host reached on localhost are not there',
      'service "s" restart always: not imported; Batch retries per the job\'s retry settings',
      'service "s" logging: the job\'s output goes to its CloudWatch Logs group (awslogs driver)',
      'service "s" extra_hosts/links: names are resolved by the VPC\'s DNS on Batch; make them resolvable there or use addresses',
      "--service-ports (8080:80): a Batch job publishes no ports",
    ]);
  });

  it("a service built on the host has a build context and no image", () => {
    const c = compose("services:\n  b:\n    build: {context: ./src, dockerfile: Dockerfile.job}\n  c:\n    build: ./c\n");
    assert.deepEqual([runService([c], "docker compose run b").image, runService([c], "docker compose run b").buildContext], [undefined, "./src"]);
    assert.equal(runService([c], "docker compose run c").buildContext, "./c");
  });

  it("lists references nothing sets, for the job builder", () => {
    const c = compose("services:\n  a:\n    image: a:1\n    environment:\n      URL: http://${HOST}:${PORT:-80}\n");
    assert.deepEqual(runService([c], "docker compose run a").unresolved, ["${HOST}"]);
  });

  it("refuses unknown services, services without image or build, and bad sizes", () => {
    assert.throws(() => runService([project], "docker compose run nope"), /^ComposeError: service "nope" is not defined in \/p\/docker-compose\.yml \(services: app, db\)$/);
    const bad = (service: string) => compose(`services:\n  x:\n${service}`);
    assert.throws(() => runService([bad("    user: '1'\n")], "docker compose run x"), /^ComposeError: service "x" has neither "image" nor "build" in \/p\/docker-compose\.yml$/);
    assert.throws(() => runService([bad("    image: x:1\n    cpus: lots\n")], "docker compose run x"), /^ComposeError: service "x" cpus must be a positive number of CPUs \(found "lots"\)$/);
    assert.throws(() => runService([bad("    image: x:1\n    mem_limit: big\n")], "docker compose run x"), /^ComposeError: service "x" mem_limit must be a size such as 512m or 2g \(found "big"\)$/);
    assert.throws(() => runService([bad("    image: x:1\n    command: {a: 1}\n")], "docker compose run x"), /^ComposeError: service "x" command must be a string or a list/);
  });
});

describe("import: finding the compose file of a line", () => {
  const text = (service: string, image: string) => `services:\n  ${service}:\n    image: ${image}\n`;
  function files(map: Record<string, string>): HostFiles {
    return { locate: (p) => `/copy${p}`, read: (p) => map[p], fallbackDir: "/crontab-dir" };
  }
  const image = (r: ReturnType<typeof analyzeCommand>) => (r.kind === "container" ? (r as LineContainer).spec.image : r.reason);

  it("uses the -f files of the line when they can be read", () => {
    const host = files({ "/copy/srv/a.yml": text("job", "from-f:1") });
    const given = [compose(text("job", "from-option:1"), {}, "given.yml")];
    assert.equal(image(analyzeCommand({ command: "docker compose -f /srv/a.yml run job", variables: {}, files: host, composeFiles: given })), "from-f:1");
  });

  it("falls back to the --compose file that defines the service, with a note", () => {
    const given = [compose(text("job", "from-option:1"), {}, "given.yml"), compose(text("other", "o:1"), {}, "other.yml")];
    const r = analyzeCommand({ command: "docker compose -f /srv/a.yml run job", variables: {}, files: files({}), composeFiles: given }) as LineContainer;
    assert.equal(r.spec.image, "from-option:1");
    assert.equal(r.findings[0].message, 'cannot read /srv/a.yml (looked at /copy/srv/a.yml): service "job" is taken from given.yml');
  });

  it("finds compose.yaml and its override file in the line's directory, with the project's .env", () => {
    const host = files({
      "/copy/opt/app/compose.yaml": "services:\n  job:\n    image: app:${TAG}\n    user: '1'\n",
      "/copy/opt/app/compose.override.yaml": "services:\n  job:\n    user: '2'\n",
      "/copy/opt/app/.env": "TAG=7.1\n",
    });
    const r = analyzeCommand({ command: "cd /opt/app && docker compose run job", variables: {}, files: host, composeFiles: [] }) as LineContainer;
    assert.equal(r.spec.image, "app:7.1");
    assert.equal(r.spec.user, "2");
    const withDir = analyzeCommand({ command: "docker compose --project-directory /opt/app run job", variables: {}, files: host, composeFiles: [] });
    assert.equal(image(withDir), "app:7.1");
  });

  it("skips the line when the file cannot be found or the service is ambiguous", () => {
    assert.equal(
      image(analyzeCommand({ command: "docker compose -f /srv/a.yml run job", variables: {}, files: files({}), composeFiles: [] })),
      "cannot read the compose file /srv/a.yml (looked at /copy/srv/a.yml): pass it with --compose, or --root with a copy of the host's files",
    );
    const two = [compose(text("job", "a:1"), {}, "a.yml"), compose(text("job", "b:1"), {}, "b.yml")];
    assert.match(image(analyzeCommand({ command: "docker compose run job", variables: {}, files: files({}), composeFiles: two }))!, /^service "job" is defined in several --compose files \(a\.yml, b\.yml\)/);
    assert.equal(
      image(analyzeCommand({ command: "docker compose run job", variables: {}, files: files({}), composeFiles: [compose(text("web", "w:1"))] })),
      'no compose file defines service "job" (the --compose files define web): pass the project\'s compose file with --compose',
    );
  });
});
