/**
 * `docker run` and the command lines around it for `migrate import`: Docker's option syntax, the options that
 * matter to a job, findings for what Batch does differently, wrappers (sudo, env, timeout, flock, sh -c) and the
 * other commands of a line.
 */
import * as assert from "node:assert/strict";
import { parseByteSize, parseDockerCommand } from "../lib/import/docker-cli";
import { containerFromDockerRun, mountOption, volumeMount } from "../lib/import/docker-run";
import { analyzeCommand, parseTimeoutDuration, unwrap, type HostFiles, type LineContainer } from "../lib/import/line";
import type { ContainerSpec } from "../lib/import/types";

const NO_FILES: HostFiles = { locate: (p) => `/host${p}`, read: () => undefined, fallbackDir: "/crontab-dir" };

function run(words: string): ContainerSpec {
  const command = parseDockerCommand(words.split(" "));
  assert.equal(command.kind, "run");
  return containerFromDockerRun(command as Extract<typeof command, { kind: "run" }>, (p) => ({ path: `/resolved/${p}`, shownPath: p }));
}

function line(command: string, variables: Record<string, string> = {}, files: HostFiles = NO_FILES): LineContainer {
  const r = analyzeCommand({ command, variables, files, composeFiles: [] });
  assert.equal(r.kind, "container", r.kind === "skip" ? r.reason : "");
  return r as LineContainer;
}

function skipReason(command: string, variables: Record<string, string> = {}): string {
  const r = analyzeCommand({ command, variables, files: NO_FILES, composeFiles: [] });
  assert.equal(r.kind, "skip");
  return (r as { reason: string }).reason;
}

const messages = (spec: { findings: { level: string; message: string }[] }, level: "todo" | "note") =>
  spec.findings.filter((f) => f.level === level).map((f) => f.message);

describe("import: Docker's option syntax", () => {
  it("reads long options with a space or =, booleans with =false, short clusters and attached values", () => {
    const c = parseDockerCommand(["docker", "run", "-itu", "1000", "--rm=false", "-e=K=V", "-eA=1", "--name", "x", "--user=2", "img:1", "cmd", "-x"]);
    assert.equal(c.kind, "run");
    if (c.kind !== "run") return;
    assert.deepEqual(c.options.map((o) => `${o.name}=${o.value}`), ["interactive=true", "tty=true", "user=1000", "rm=false", "env=K=V", "env=A=1", "name=x", "user=2"]);
    assert.equal(c.image, "img:1");
    assert.deepEqual(c.args, ["cmd", "-x"], "options after the image belong to the command");
  });

  it("ends the options at --", () => {
    const c = parseDockerCommand(["docker", "run", "--rm", "--", "img:1", "--rm"]);
    assert.ok(c.kind === "run" && c.image === "img:1" && c.args[0] === "--rm");
  });

  it("knows the aliases --net and docker container run, any path to the binary, and global options", () => {
    const c = parseDockerCommand(["/usr/local/bin/docker", "--context", "prod", "container", "run", "--net", "host", "img:1"]);
    assert.ok(c.kind === "run");
    if (c.kind !== "run") return;
    assert.deepEqual(c.globals.map((g) => g.name), ["context"]);
    assert.deepEqual(c.options.map((o) => o.name), ["network"]);
  });

  it("refuses what Docker refuses", () => {
    const cases: [string[], string][] = [
      [["docker", "run", "--bogus", "img"], 'unknown docker run option "--bogus"'],
      [["docker", "run", "-Z", "img"], 'unknown docker run option "-Z"'],
      [["docker", "run", "-itZ", "img"], 'unknown docker run option "-Z" (in "-itZ")'],
      [["docker", "run", "--rm"], "docker run has no image"],
      [["docker", "run", "--name"], 'docker run option "--name" needs a value'],
      [["docker", "run", "--rm=maybe", "x"], 'docker run option "--rm" takes no value (found "maybe")'],
      [["docker"], "docker is called without a command"],
      [["docker", "compose", "run", "--rm"], "docker compose run has no service"],
      [["docker-compose", "--bogus", "run", "x"], 'unknown docker-compose option "--bogus"'],
      [["podman", "run", "x"], '"podman" is not the docker or docker-compose program'],
    ];
    for (const [words, message] of cases) {
      assert.throws(() => parseDockerCommand(words), (err: Error) => err.name === "DockerArgsError" && err.message === message, words.join(" "));
    }
  });

  it("tells other Docker commands apart, with the reason they are not jobs", () => {
    const other = (words: string) => {
      const c = parseDockerCommand(words.split(" "));
      assert.equal(c.kind, "other");
      return c as { command: string; reason: string };
    };
    assert.match(other("docker exec web php artisan").reason, /^docker exec runs a command in a container that is already running/);
    assert.match(other("docker start nightly").reason, /^docker start starts an existing container whose settings are not in the crontab/);
    assert.match(other("docker compose up -d").reason, /^docker compose up starts long-running services/);
    assert.deepEqual(other("docker system prune -af"), {
      kind: "other",
      command: "docker system prune",
      reason: "docker system prune maintains the Docker host: Batch needs no such maintenance (images are pulled per job, containers are removed)",
    });
    assert.match(other("docker image rm x").reason, /^docker image rm maintains the Docker host/);
    assert.match(other("docker stats").reason, /^docker stats is not a one-off container run/);
  });

  it("reads compose run lines of both programs", () => {
    const c = parseDockerCommand(["docker-compose", "-f", "a.yml", "-p", "proj", "run", "-T", "--rm", "-e", "X=1", "svc", "do", "--it"]);
    assert.ok(c.kind === "compose-run");
    if (c.kind !== "compose-run") return;
    assert.deepEqual([c.program, c.service, c.args], ["docker-compose", "svc", ["do", "--it"]]);
    assert.deepEqual(c.globals.map((g) => `${g.name}=${g.value}`), ["file=a.yml", "project-name=proj"]);
  });

  it("reads byte sizes as Docker does", () => {
    assert.equal(parseByteSize("512m"), 512 * 1024 ** 2);
    assert.equal(parseByteSize("1.5g"), 1.5 * 1024 ** 3);
    assert.equal(parseByteSize("2GiB"), 2 * 1024 ** 3);
    assert.equal(parseByteSize("64KB"), 64 * 1024);
    assert.equal(parseByteSize("1048576"), 1048576);
    assert.equal(parseByteSize("5 MB"), 5 * 1024 ** 2);
    assert.equal(parseByteSize("ten"), undefined);
    assert.equal(parseByteSize("5x"), undefined);
  });
});

describe("import: docker run options", () => {
  it("reads name, user, sizes, platform, read-only and the command", () => {
    const s = run("docker run --name etl -u 1001:1001 --cpus 1.5 -m 3g --platform linux/arm64 --read-only img:1 python app.py");
    assert.equal(s.containerName, "etl");
    assert.equal(s.user, "1001:1001");
    assert.deepEqual(s.cpus, { value: 1.5, written: "--cpus 1.5" });
    assert.deepEqual(s.memory, { bytes: 3 * 1024 ** 3, written: "-m 3g" });
    assert.equal(s.platform, "linux/arm64");
    assert.equal(s.readOnly, true);
    assert.deepEqual(s.command, ["python", "app.py"]);
    assert.equal(run("docker run img:1").command, undefined, "no arguments: the image's CMD");
  });

  it("derives CPUs from --cpu-quota and --cpu-period", () => {
    assert.deepEqual(run("docker run --cpu-quota 150000 img:1").cpus, { value: 1.5, written: "--cpu-quota 150000" });
    assert.deepEqual(run("docker run --cpu-quota 50000 --cpu-period 25000 img:1").cpus?.value, 2);
  });

  it("refuses sizes Docker refuses", () => {
    assert.throws(() => run("docker run --cpus abc img"), /^DockerArgsError: --cpus must be a positive number of CPUs \(found "abc"\)$/);
    assert.throws(() => run("docker run --cpus 0 img"), /--cpus must be a positive number/);
    assert.throws(() => run("docker run -m 10x img"), /^DockerArgsError: -m must be a size such as 512m or 2g \(found "10x"\)$/);
    assert.throws(() => run("docker run -e =x img"), /^DockerArgsError: -e "=x" has no variable name$/);
  });

  it("keeps the environment in Docker's order: env files first, then -e", () => {
    const s = run("docker run -e A=1 --env-file app.env -e B --env C=x=y img:1");
    assert.deepEqual(s.env, [
      { kind: "file", path: "/resolved/app.env", shownPath: "app.env", origin: "--env-file app.env", required: true, dockerFormat: true },
      { kind: "value", name: "A", value: "1", origin: "-e A" },
      { kind: "inherit", name: "B", origin: "-e B" },
      { kind: "value", name: "C", value: "x=y", origin: "--env C" },
    ]);
  });

  it("turns --tmpfs, tmpfs mounts and anonymous volumes into scratch paths", () => {
    const s = run("docker run --tmpfs /run:rw,size=64m --mount type=tmpfs,target=/cache -v /work img:1");
    assert.deepEqual(s.scratchPaths, ["/run", "/cache", "/work"]);
    assert.deepEqual(messages(s, "note"), ["-v /work: the anonymous volume /work becomes a scratch path (empty at every run)"]);
  });

  it("writes a TODO for host directories, Docker volumes, the Docker socket and shared volumes", () => {
    assert.match(volumeMount("/srv/in:/in:ro", "-v /srv/in:/in:ro").finding!.message, /^-v \/srv\/in:\/in:ro mounts the host directory \/srv\/in at \/in \(read-only\): .*S3.*EFS/);
    assert.match(volumeMount("./data:/data", "-v ./data:/data").finding!.message, /mounts the host directory \.\/data at \/data: /);
    assert.match(volumeMount("cache:/cache", "-v cache:/cache").finding!.message, /mounts the Docker volume "cache" at \/cache: .* add \/cache to scratchPaths/);
    assert.match(volumeMount("/var/run/docker.sock:/var/run/docker.sock", "-v sock").finding!.message, /gives the container the host's Docker socket/);
    assert.match(mountOption("type=bind,src=/a,dst=/b,readonly", "--mount x").finding!.message, /mounts the host directory \/a at \/b \(read-only\)/);
    assert.match(mountOption('type=volume,"source=my vol",target=/v', "--mount y").finding!.message, /the Docker volume "my vol" at \/v/);
    assert.throws(() => mountOption("type=bind,source=/a", "--mount z"), /--mount z: the mount "type=bind,source=\/a" has no target/);
    const s = run("docker run --volumes-from data --use-api-socket img:1");
    assert.match(messages(s, "todo")[0], /^--volumes-from data shares the volumes of another container/);
    assert.match(messages(s, "todo")[1], /^--use-api-socket gives the container the host's Docker socket/);
  });

  it("writes a TODO for privileged mode, devices, GPUs, capabilities, the entrypoint and the working directory", () => {
    const s = run("docker run --privileged --device /dev/sda --gpus all --cap-add NET_ADMIN --cap-add SYS_PTRACE --entrypoint /bin/sh -w /app img:1");
    assert.deepEqual(messages(s, "todo"), [
      "--privileged: privileged containers are not available on Fargate (and the stack's policies refuse them): find the capability the job needs and remove the need",
      "--device /dev/sda: host devices are not available on Fargate",
      "--gpus all: Fargate has no GPUs; a GPU job needs an EC2 compute environment with GPU instances, which the stack does not create",
      "--cap-add NET_ADMIN: Fargate adds no Linux capability except SYS_PTRACE",
      "-w /app: Batch starts the command in the image's WORKDIR: set WORKDIR /app in the image (or use absolute paths)",
    ]);
    assert.deepEqual(s.entrypoint, ["/bin/sh"]);
    assert.deepEqual(run("docker run --entrypoint= img:1").entrypoint, []);
  });

  it("notes networking, ports, restart policies, detaching, logging and host tuning", () => {
    const s = run("docker run -d --network host -p 80:80 -P --expose 9000 --restart always --add-host db:10.0.0.5 --log-driver syslog --ulimit nofile=1024 --shm-size 1g --cap-drop ALL --rm --init -t img:1");
    assert.deepEqual(messages(s, "note"), [
      "-d: the container ran detached, so cron's job ended at once; a Batch job lasts until the container exits, within the timeout",
      "--network host: the job gets its own network interface in the stack's VPC; services the host reached on localhost are not there: point the job at their network addresses",
      "--restart always: the restart policy is not imported; Batch retries a failed attempt per the job's retry settings (host failures by default, plus retry.exitCodes)",
      "--add-host db:10.0.0.5: names are resolved by the VPC's DNS on Batch; make the name resolvable there (e.g. a Route 53 private zone) or use the address",
      "--log-driver syslog: the job's output goes to its CloudWatch Logs group (awslogs driver)",
      "-p 80:80, -P, --expose 9000: a Batch job publishes no ports; nothing can connect to it",
      "not imported (no equivalent for a Fargate job): --ulimit nofile=1024, --shm-size 1g, --cap-drop ALL",
    ]);
    assert.deepEqual(messages(run("docker run --network backend img:1"), "note"), [
      '--network backend: the job runs in the stack\'s VPC subnets; containers on the Docker network "backend" cannot be reached by name',
    ]);
    assert.deepEqual(messages(run("docker run -H tcp://h:2375 img:1".replace("run -H tcp://h:2375", "-H tcp://h:2375 run")), "note"), [
      "-H tcp://h:2375: the container ran on another Docker host; the job runs on Batch",
    ]);
  });
});

describe("import: wrappers in front of docker", () => {
  it("sudo: options, the user, assignments, and whether the environment is kept", () => {
    const u = unwrap(["sudo", "-u", "app", "-H", "LANG=C", "docker", "run", "x"]);
    assert.deepEqual([u.words[0], u.sudoUser, u.env, u.sudoResetsEnv], ["docker", "app", { LANG: "C" }, true]);
    assert.equal(unwrap(["sudo", "-E", "docker"]).sudoResetsEnv, false);
    assert.equal(unwrap(["sudo", "-nE", "docker"]).sudoResetsEnv, false);
    assert.equal(unwrap(["sudo", "--preserve-env=A", "docker"]).sudoResetsEnv, false);
  });

  it("env: -i, -u, assignments and -C", () => {
    const u = unwrap(["env", "-i", "A=1", "B=2", "-u", "X", "docker"]);
    assert.equal(u.clearEnv, true);
    assert.deepEqual(u.env, { A: "1", B: "2" });
    assert.equal(unwrap(["env", "-C", "/opt/app", "docker"]).cwd, "/opt/app");
    assert.equal(skipReason("env -S 'a b' docker run x:1"), "env -S is not supported: write the command without it");
  });

  it("nice, ionice, exec, chronic and nohup are stepped over", () => {
    assert.deepEqual(unwrap(["nice", "-n", "10", "ionice", "-c", "3", "exec", "chronic", "nohup", "docker", "run"]).words, ["docker", "run"]);
    assert.deepEqual(unwrap(["nice", "-10", "docker"]).words, ["docker"]);
  });

  it("timeout: its duration becomes the job's timeout", () => {
    assert.equal(unwrap(["timeout", "-k", "30s", "--signal=TERM", "2h", "docker"]).timeoutSeconds, 7200);
    assert.equal(unwrap(["timeout", "0", "docker"]).timeoutSeconds, undefined, "0 means no timeout");
    assert.equal(parseTimeoutDuration("1.5h"), 5400);
    assert.equal(parseTimeoutDuration("90"), 90);
    assert.equal(parseTimeoutDuration("1d"), 86400);
    assert.equal(parseTimeoutDuration("2w"), undefined);
    assert.equal(skipReason("timeout docker run x:1"), 'timeout needs a duration such as 2h or 90m before the command (found "docker")');
  });

  it("flock: the lock is noted, and -c runs a command string", () => {
    const l = line("flock -n /tmp/x.lock -c 'docker run --rm x:1'");
    assert.equal(l.spec.image, "x:1");
    assert.match(l.findings[0].message, /^flock \/tmp\/x\.lock: on the host a run was skipped or waited/);
    assert.equal(line("flock -w 10 /tmp/x.lock docker run x:1").spec.image, "x:1");
  });

  it("sh -c and bash -lc: the string is read as a command line, with the same variables", () => {
    const l = line("/bin/bash -lc 'cd /srv && docker run -e B=$A x:1'", { A: "from-crontab" });
    assert.deepEqual(l.spec.env, [{ kind: "value", name: "B", value: "from-crontab", origin: "-e B" }]);
    assert.match(l.findings[0].message, /^bash -lc: the login shell read the user's profile/);
    assert.equal(line("sh -e -c 'docker run x:1'").spec.image, "x:1");
    assert.equal(skipReason(`sh -c "sh -c 'sh -c \\"docker run x:1\\"'"`), "the command nests shells (sh -c) too deeply to follow");
    assert.match(skipReason("sh -c 'backup.sh'"), /^not a docker job: runs backup\.sh/);
  });
});

describe("import: the commands of a line", () => {
  it("uses cd for relative paths, assignments and exports for -e NAME", () => {
    const files: HostFiles = { locate: (p) => `/root-copy${p}`, read: () => undefined, fallbackDir: "/crontab-dir" };
    const l = line("cd /opt/app && export A=1; B=2; C=3 docker run --env-file .env -e A -e B -e C x:1", {}, files);
    assert.deepEqual(l.spec.env[0], { kind: "file", path: "/root-copy/opt/app/.env", shownPath: ".env", origin: "--env-file .env", required: true, dockerFormat: true });
    assert.deepEqual(l.clientEnv, { A: "1", B: "2", C: "3" });
    assert.deepEqual(l.findings, []);
  });

  it("resolves relative paths against HOME, then the crontab's directory", () => {
    const files: HostFiles = { locate: (p) => `/root-copy${p}`, read: () => undefined, fallbackDir: "/crontab-dir" };
    const file = (l: LineContainer) => (l.spec.env[0] as { path: string }).path;
    assert.equal(file(line("docker run --env-file app.env x:1", { HOME: "/home/deploy" }, files)), "/root-copy/home/deploy/app.env");
    assert.equal(file(line("docker run --env-file ~/app.env x:1", { HOME: "/home/deploy" }, files)), "/root-copy/home/deploy/app.env");
    assert.equal(file(line("docker run --env-file app.env x:1", {}, files)), "/crontab-dir/app.env");
    assert.equal(file(line("cd sub && docker run --env-file app.env x:1", {}, files)), "/crontab-dir/sub/app.env");
  });

  it("expands variables from the crontab and lists the unknown ones and substitutions", () => {
    const l = line('docker run -e HOST=$DB_HOST -e D="$(date +%F)" $REGISTRY/app:1', { REGISTRY: "registry.acme.internal" });
    assert.equal(l.spec.image, "registry.acme.internal/app:1");
    assert.deepEqual(l.unresolved, ["$DB_HOST"]);
    assert.deepEqual(l.substitutions, ["$(date +%F)"]);
  });

  it("finds the container among other commands and writes what the others did", () => {
    const l = line("docker pull x:1 && notify-start && docker run x:1 >> /var/log/x.log 2>&1 || mail -s failed ops; rm -f /tmp/x");
    assert.deepEqual(l.findings.map((f) => `${f.level}: ${f.message}`), [
      'todo: "notify-start" runs before the container on the host; Batch runs only the container: move it into the image, or into a job this one runs after',
      'note: "mail -s failed ops" runs when the container fails; on Batch a failed job raises the stack\'s failure alerts',
      'todo: "rm -f /tmp/x" runs after the container on the host; Batch runs only the container: move it into the image, or into a job that runs after this one',
      "note: the host wrote the output to /var/log/x.log; on Batch it goes to the job's CloudWatch Logs group",
    ]);
  });

  it("writes what pipes, standard input, sourcing and background runs mean", () => {
    assert.match(line("docker run x:1 | gzip > out.gz").findings[0].message, /^the output is piped into "gzip" on the host/);
    assert.match(line("cat in.csv | docker run -i x:1").findings[0].message, /^the container reads the output of "cat in\.csv" on its standard input/);
    assert.match(line("docker run -i x:1 < /data/in.csv").findings[0].message, /^the container's standard input comes from \/data\/in\.csv on the host/);
    assert.match(line(". /opt/app/env.sh && docker run x:1").findings[0].message, /^"\. \/opt\/app\/env\.sh" loads variables the import does not read/);
    assert.match(line("docker run x:1 &").findings[0].message, /^the command ran in the background/);
    assert.match(line("docker run x:1 > /dev/null").findings[0].message, /^the host discarded the output/);
    assert.deepEqual(line("docker login -u ci registry.acme.internal && docker run x:1").findings.map((f) => f.message), [
      '"docker login -u ci registry.acme.internal": Batch pulls images from ECR with the job\'s execution role; no login is needed',
    ]);
  });

  it("notes that sudo and env -i change what -e NAME reads", () => {
    assert.match(line("sudo docker run -e A x:1").findings[0].message, /^sudo without -E resets the environment/);
    assert.match(line("env -i A=1 docker run -e A x:1").findings[0].message, /^env -i cleared the environment/);
    assert.deepEqual(line("env -i A=1 docker run -e A x:1", { B: "2" }).clientEnv, { A: "1" });
    assert.deepEqual(line("sudo docker run -e A=1 x:1").findings, [], "nothing inherited, nothing to say");
  });

  it("skips lines that are not one container, with the reason", () => {
    assert.equal(skipReason("/usr/local/bin/backup.sh --all"), "not a docker job: runs /usr/local/bin/backup.sh (only docker run and docker compose run lines become jobs)");
    assert.match(skipReason("docker run a:1 && docker compose run b"), /^starts 2 containers on one line/);
    assert.match(skipReason("docker exec web true"), /^not a job: docker exec runs a command/);
    assert.match(skipReason("docker run --bogus a:1"), /^unknown docker run option "--bogus"$/);
    assert.match(skipReason("(docker run a:1)"), /^cannot read the command: subshells and groups in parentheses are not supported$/);
    assert.match(skipReason("docker compose run svc"), /^no compose file defines service "svc": pass the project's compose file with --compose$/);
  });
});
