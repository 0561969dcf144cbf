/**
 * `docker run` options turned into a `ContainerSpec`: what the job needs (image, command, environment, user,
 * sizes, platform, writable paths) and findings for what AWS Batch on Fargate does differently (volumes, host
 * networking, published ports, restart policies, privileged mode, devices, ...).
 *
 * Docker reference: https://docs.docker.com/reference/cli/docker/container/run/
 */
import { parse as parseCsv } from "csv-parse/sync";
import { DockerArgsError, parseByteSize, type DockerCommand, type ParsedOption } from "./docker-cli";
import type { ContainerSpec, EnvSource, Finding } from "./types";

/** Where an env file named on the crontab line is read from, and how to show it. */
export type PathResolver = (written: string) => { path: string; shownPath: string };

/**
 * Options that need no finding: Batch behaves the same, or the option only matters to the docker client. Every
 * other option without a case below (host tuning such as --ulimit, --shm-size, --cpu-shares, --dns, --pid) is
 * listed in one "not imported" note.
 */
const SILENT = new Set([
  "rm", "init", "pull", "quiet", "disable-content-trust", "help", "label", "label-file", "annotation", "health-cmd",
  "health-interval", "health-retries", "health-start-interval", "health-start-period", "health-timeout",
  "no-healthcheck", "sig-proxy", "detach-keys", "stop-signal", "stop-timeout", "tty", "interactive", "cidfile", "name",
]);

const DOCKER_SOCKETS = new Set(["/var/run/docker.sock", "/run/docker.sock"]);

/** Parses the value of `-e`: `KEY=VALUE`, or `KEY` (inherited from the docker command's environment). */
export function envFromSpec(spec: string, written: string): EnvSource {
  const eq = spec.indexOf("=");
  const name = eq >= 0 ? spec.slice(0, eq) : spec;
  if (name.trim() === "") throw new DockerArgsError(`${written} "${spec}" has no variable name`);
  const origin = `${written} ${name}`;
  return eq >= 0 ? { kind: "value", name, value: spec.slice(eq + 1), origin } : { kind: "inherit", name, origin };
}

function isHostPath(source: string): boolean {
  return source.startsWith("/") || source.startsWith(".") || source.startsWith("~");
}

/**
 * Finding (or scratch path) for one mount. `source` empty means an anonymous volume. Returns the scratch path
 * when the mount only gives the container an empty writable directory.
 */
export function mountFinding(written: string, type: string, source: string, target: string, readOnly: boolean): { finding?: Finding; scratch?: string } {
  if (type === "tmpfs") return { scratch: target };
  if (source === "" && type === "volume") {
    return {
      scratch: target,
      finding: { level: "note", message: `${written}: the anonymous volume ${target} becomes a scratch path (empty at every run)` },
    };
  }
  if (DOCKER_SOCKETS.has(source) || DOCKER_SOCKETS.has(target)) {
    return {
      finding: {
        level: "todo",
        message: `${written} gives the container the host's Docker socket: a Batch job cannot reach a Docker daemon; do the work without Docker, or start other jobs through the AWS Batch API`,
      },
    };
  }
  const access = readOnly ? " (read-only)" : "";
  if (type === "bind" || (type === "volume" && isHostPath(source))) {
    return {
      finding: {
        level: "todo",
        message:
          `${written} mounts the host directory ${source} at ${target}${access}: a Batch job has no host directories; ` +
          `read and write the files in S3 (and grant the bucket under permissions) or mount an EFS file system`,
      },
    };
  }
  return {
    finding: {
      level: "todo",
      message:
        `${written} mounts the Docker volume "${source}" at ${target}${access}: keep data that outlives a run in S3 or on EFS; ` +
        `if the directory is only scratch space, add ${target} to scratchPaths`,
    },
  };
}

/** `-v SOURCE:TARGET[:OPTIONS]` or `-v TARGET` (anonymous). */
export function volumeMount(spec: string, written: string): { finding?: Finding; scratch?: string } {
  const parts = spec.split(":");
  if (parts.length === 1) return mountFinding(written, "volume", "", parts[0], false);
  const [source, target, options = ""] = parts;
  return mountFinding(written, isHostPath(source) ? "bind" : "volume", source, target, options.split(",").includes("ro"));
}

/** `--mount type=bind,source=/a,target=/b,readonly` (a CSV record of key=value fields, as Docker reads it). */
export function mountOption(spec: string, written: string): { finding?: Finding; scratch?: string } {
  let fields: string[];
  try {
    fields = (parseCsv(spec, { relax_quotes: true }) as string[][])[0] ?? [];
  } catch {
    throw new DockerArgsError(`${written}: cannot read the mount "${spec}"`);
  }
  const values: Record<string, string> = {};
  for (const field of fields) {
    const eq = field.indexOf("=");
    values[(eq >= 0 ? field.slice(0, eq) : field).trim().toLowerCase()] = eq >= 0 ? field.slice(eq + 1) : "true";
  }
  const target = values.target ?? values.destination ?? values.dst;
  if (!target) throw new DockerArgsError(`${written}: the mount "${spec}" has no target`);
  const type = values.type ?? "volume";
  const readOnly = ["readonly", "ro"].some((k) => k in values && values[k] !== "false" && values[k] !== "0");
  return mountFinding(written, type, values.source ?? values.src ?? "", target, readOnly);
}

/** Shows an option as written, e.g. `-v /a:/b` or `--privileged`. */
function shown(o: ParsedOption): string {
  if (o.boolean) return o.value === "true" ? o.written : `${o.written}=false`;
  return `${o.written} ${o.value}`;
}

function cpusValue(value: string, written: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new DockerArgsError(`${written} must be a positive number of CPUs (found "${value}")`);
  return n;
}

function memoryValue(value: string, written: string): number {
  const bytes = parseByteSize(value);
  if (bytes === undefined || bytes <= 0) throw new DockerArgsError(`${written} must be a size such as 512m or 2g (found "${value}")`);
  return bytes;
}

/** Docker's default CFS period, used when `--cpu-quota` comes without `--cpu-period`. */
const DEFAULT_CPU_PERIOD = 100_000;

/** Reads the options of a `docker run`. Throws `DockerArgsError` when Docker would refuse a value. */
export function containerFromDockerRun(command: Extract<DockerCommand, { kind: "run" }>, resolvePath: PathResolver): ContainerSpec {
  const spec: ContainerSpec = {
    via: "docker run",
    image: command.image,
    command: command.args.length > 0 ? command.args : undefined,
    env: [],
    readOnly: false,
    scratchPaths: [],
    dependsOn: [],
    unresolved: [],
    findings: [],
  };
  const findings = spec.findings;
  const envFiles: EnvSource[] = [];
  const envValues: EnvSource[] = [];
  const notImported: string[] = [];
  const ports: string[] = [];
  let quota: number | undefined;
  let period: number | undefined;

  for (const global of command.globals) {
    if (global.name === "host" || global.name === "context") {
      findings.push({ level: "note", message: `${global.written} ${global.value}: the container ran on another Docker host; the job runs on Batch` });
    }
  }

  for (const o of command.options) {
    const { name, value, written } = o;
    const on = value !== "false";
    switch (name) {
      case "env":
        envValues.push(envFromSpec(value, written));
        break;
      case "env-file": {
        const file = resolvePath(value);
        envFiles.push({ kind: "file", path: file.path, shownPath: file.shownPath, origin: `--env-file ${value}`, required: true, dockerFormat: true });
        break;
      }
      case "name":
        spec.containerName = value;
        break;
      case "user":
        spec.user = value;
        break;
      case "cpus":
        spec.cpus = { value: cpusValue(value, written), written: `${written} ${value}` };
        break;
      case "cpu-quota":
        quota = Number(value);
        break;
      case "cpu-period":
        period = Number(value);
        break;
      case "memory":
        spec.memory = { bytes: memoryValue(value, written), written: `${written} ${value}` };
        break;
      case "platform":
        spec.platform = value;
        break;
      case "read-only":
        spec.readOnly = on;
        break;
      case "entrypoint":
        spec.entrypoint = value === "" ? [] : [value];
        break;
      case "workdir":
        findings.push({
          level: "todo",
          message: `${written} ${value}: Batch starts the command in the image's WORKDIR: set WORKDIR ${value} in the image (or use absolute paths)`,
        });
        break;
      case "tmpfs":
        spec.scratchPaths.push(value.split(":")[0]);
        break;
      case "volume": {
        const m = volumeMount(value, `${written} ${value}`);
        if (m.scratch) spec.scratchPaths.push(m.scratch);
        if (m.finding) findings.push(m.finding);
        break;
      }
      case "mount": {
        const m = mountOption(value, `${written} ${value}`);
        if (m.scratch) spec.scratchPaths.push(m.scratch);
        if (m.finding) findings.push(m.finding);
        break;
      }
      case "volumes-from":
        findings.push({ level: "todo", message: `${written} ${value} shares the volumes of another container on the host: put shared data in S3 or on EFS` });
        break;
      case "network":
        findings.push({
          level: "note",
          message: value === "host"
            ? `${written} host: the job gets its own network interface in the stack's VPC; services the host reached on localhost are not there: point the job at their network addresses`
            : value === "none"
              ? `${written} none: the job runs in the stack's VPC subnets with network access`
              : `${written} ${value}: the job runs in the stack's VPC subnets; containers on the Docker network "${value}" cannot be reached by name`,
        });
        break;
      case "link":
      case "add-host":
        findings.push({
          level: "note",
          message: `${written} ${value}: names are resolved by the VPC's DNS on Batch; make the name resolvable there (e.g. a Route 53 private zone) or use the address`,
        });
        break;
      case "publish":
      case "expose":
        ports.push(`${written} ${value}`);
        break;
      case "publish-all":
        if (on) ports.push(written);
        break;
      case "restart":
        if (value !== "no") {
          findings.push({
            level: "note",
            message: `${written} ${value}: the restart policy is not imported; Batch retries a failed attempt per the job's retry settings (host failures by default, plus retry.exitCodes)`,
          });
        }
        break;
      case "detach":
        if (on) {
          findings.push({
            level: "note",
            message: `${written}: the container ran detached, so cron's job ended at once; a Batch job lasts until the container exits, within the timeout`,
          });
        }
        break;
      case "privileged":
        if (on) {
          findings.push({
            level: "todo",
            message: `${written}: privileged containers are not available on Fargate (and the stack's policies refuse them): find the capability the job needs and remove the need`,
          });
        }
        break;
      case "device":
        findings.push({ level: "todo", message: `${written} ${value}: host devices are not available on Fargate` });
        break;
      case "gpus":
        findings.push({ level: "todo", message: `${written} ${value}: Fargate has no GPUs; a GPU job needs an EC2 compute environment with GPU instances, which the stack does not create` });
        break;
      case "cap-add":
        if (value.toUpperCase().replace(/^CAP_/, "") !== "SYS_PTRACE") {
          findings.push({ level: "todo", message: `${written} ${value}: Fargate adds no Linux capability except SYS_PTRACE` });
        }
        break;
      case "use-api-socket":
        if (on) findings.push(mountFinding(written, "bind", "/var/run/docker.sock", "/var/run/docker.sock", false).finding!);
        break;
      case "log-driver":
      case "log-opt":
        findings.push({ level: "note", message: `${written} ${value}: the job's output goes to its CloudWatch Logs group (awslogs driver)` });
        break;
      default:
        // Host tuning and anything else without a Batch counterpart, unless it needs no mention.
        if (!SILENT.has(name)) notImported.push(shown(o));
    }
  }

  if (spec.cpus === undefined && quota !== undefined && quota > 0) {
    const p = period !== undefined && period > 0 ? period : DEFAULT_CPU_PERIOD;
    spec.cpus = { value: quota / p, written: `--cpu-quota ${quota}${period ? ` --cpu-period ${period}` : ""}` };
  }
  if (ports.length > 0) {
    findings.push({ level: "note", message: `${ports.join(", ")}: a Batch job publishes no ports; nothing can connect to it` });
  }
  if (notImported.length > 0) {
    findings.push({ level: "note", message: `not imported (no equivalent for a Fargate job): ${notImported.join(", ")}` });
  }
  // Docker reads the env files first, then -e options, which win.
  spec.env = [...envFiles, ...envValues];
  return spec;
}
