/**
 * `docker compose run SERVICE` resolved through the compose file: the service's image (or build context),
 * command, entrypoint, environment and env files, user, sizes (`cpus`, `mem_limit`, `deploy.resources.limits`),
 * platform and mounts, overridden by the options of the `run` line, as Compose applies them
 * (https://docs.docker.com/reference/compose-file/services/, https://docs.docker.com/reference/cli/docker/compose/run/).
 *
 * Values are interpolated like Compose does (`${VAR}`, `$VAR`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?message}`, `${VAR:+alternative}`, `$$` for a literal `$`), from the environment of the compose command
 * (crontab variables) and then the project's `.env` file. When several files are given (`-f a.yml -f b.yml`),
 * a later file's service keys replace the earlier ones, except `environment`, whose variables are merged.
 * `extends` and `include` are not followed.
 */
import * as path from "node:path";
import { parse as shellParse } from "shell-quote";
import * as YAML from "yaml";
import { parseByteSize, type DockerCommand } from "./docker-cli";
import { envFromSpec, mountFinding, volumeMount } from "./docker-run";
import type { ContainerSpec, EnvSource, Finding } from "./types";

export class ComposeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ComposeError";
  }
}

/** A compose file as read, before interpolation. */
export interface ComposeFile {
  /** Where the import read it. */
  path: string;
  /** Its directory (the project directory): env files and `.env` are relative to it. */
  dir: string;
  services: Record<string, Record<string, unknown>>;
  /** Variables of the project's `.env` file, used for interpolation only. */
  dotEnv: Record<string, string>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parses a compose file. Throws `ComposeError` for YAML errors or a file without services. */
export function loadComposeFile(text: string, file: string, dotEnv: Record<string, string> = {}): ComposeFile {
  const doc = YAML.parseDocument(text, { merge: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ComposeError(`${file}: not valid YAML: ${doc.errors[0].message.split("\n")[0]}`);
  }
  const data: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (!isRecord(data) || !isRecord(data.services)) {
    throw new ComposeError(`${file}: has no "services" mapping, so it is not a compose file`);
  }
  const services: Record<string, Record<string, unknown>> = {};
  for (const [name, service] of Object.entries(data.services)) {
    services[name] = isRecord(service) ? service : {};
  }
  return { path: file, dir: path.dirname(file), services, dotEnv };
}

/** Compose interpolation of one string. References without a value are kept as written and listed. */
export function interpolate(text: string, lookup: (name: string) => string | undefined): { value: string; unresolved: string[] } {
  const unresolved: string[] = [];
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== "$") {
      out += c;
      i++;
      continue;
    }
    if (text[i + 1] === "$") {
      out += "$";
      i += 2;
      continue;
    }
    if (text[i + 1] === "{") {
      let depth = 1;
      let j = i + 2;
      while (j < text.length && depth > 0) {
        if (text[j] === "{") depth++;
        else if (text[j] === "}") depth--;
        if (depth > 0) j++;
      }
      if (depth > 0) {
        out += text.slice(i);
        break;
      }
      const expr = text.slice(i + 2, j);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(expr);
      const written = text.slice(i, j + 1);
      if (!m) {
        unresolved.push(written);
        out += written;
      } else {
        const [, name, operator, operand = ""] = m;
        const current = lookup(name);
        const set = operator?.startsWith(":") ? current !== undefined && current !== "" : current !== undefined;
        const inner = () => {
          const r = interpolate(operand, lookup);
          unresolved.push(...r.unresolved);
          return r.value;
        };
        switch (operator?.replace(":", "")) {
          case "-":
            out += set ? current! : inner();
            break;
          case "+":
            out += set ? inner() : "";
            break;
          default:
            if (set) out += current!;
            else {
              unresolved.push(written);
              out += written;
            }
        }
      }
      i = j + 1;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (!m) {
      out += c;
      i++;
      continue;
    }
    const current = lookup(m[0]);
    if (current === undefined) {
      unresolved.push(`$${m[0]}`);
      out += `$${m[0]}`;
    } else {
      out += current;
    }
    i += 1 + m[0].length;
  }
  return { value: out, unresolved };
}

/** Interpolates every string in a value (mapping values and list items; keys stay as written). */
function interpolateDeep(value: unknown, lookup: (name: string) => string | undefined, unresolved: string[]): unknown {
  if (typeof value === "string") {
    const r = interpolate(value, lookup);
    unresolved.push(...r.unresolved);
    return r.value;
  }
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, lookup, unresolved));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, lookup, unresolved)]));
  return value;
}

/** `environment` as a mapping (a list of `KEY=VALUE` / `KEY` or a mapping); null means "from the shell". */
function environmentMap(value: unknown): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      const text = String(item);
      const eq = text.indexOf("=");
      if (eq >= 0) out[text.slice(0, eq)] = text.slice(eq + 1);
      else out[text] = null;
    }
  } else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) out[k] = v === null || v === undefined ? null : String(v);
  }
  return out;
}

/** The service from one or more files, later files replacing keys (environment merged). */
export function mergedService(files: readonly ComposeFile[], service: string): Record<string, unknown> | undefined {
  let merged: Record<string, unknown> | undefined;
  for (const file of files) {
    const own = file.services[service];
    if (!own) continue;
    if (!merged) {
      merged = { ...own };
      continue;
    }
    const environment = own.environment !== undefined && merged.environment !== undefined
      ? { ...environmentMap(merged.environment), ...environmentMap(own.environment) }
      : own.environment ?? merged.environment;
    merged = { ...merged, ...own, ...(environment !== undefined ? { environment } : {}) };
  }
  return merged;
}

/** Splits a command written as one string into words, as Compose does (shell words, no expansion). */
function commandWords(value: unknown, what: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === "string") {
    try {
      return shellParse(value, (key: string) => `$${key}`).map((entry) => {
        if (typeof entry === "string") return entry;
        if ("op" in entry) return entry.op === "glob" ? (entry as { pattern: string }).pattern : entry.op;
        return `#${entry.comment}`;
      });
    } catch (err) {
      throw new ComposeError(`${what} "${value}" cannot be split into words: ${(err as Error).message}`);
    }
  }
  throw new ComposeError(`${what} must be a string or a list (found ${JSON.stringify(value)})`);
}

function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Compose CPU counts: a number or a string such as "0.5". */
function cpuCount(value: unknown, what: string): { value: number; written: string } | undefined {
  if (value === undefined || value === null) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new ComposeError(`${what} must be a positive number of CPUs (found ${JSON.stringify(value)})`);
  return { value: n, written: `${what}: ${value}` };
}

function byteSize(value: unknown, what: string): { bytes: number; written: string } | undefined {
  if (value === undefined || value === null) return undefined;
  const bytes = typeof value === "number" ? value : parseByteSize(String(value));
  if (bytes === undefined || bytes <= 0) throw new ComposeError(`${what} must be a size such as 512m or 2g (found ${JSON.stringify(value)})`);
  return { bytes, written: `${what}: ${value}` };
}

export interface ComposeRunInput {
  command: Extract<DockerCommand, { kind: "compose-run" }>;
  /** The files that define the project, in `-f` order. */
  files: readonly ComposeFile[];
  /** Variables of the environment the compose command runs in (crontab variables and assignments). */
  shellEnv: (name: string) => string | undefined;
  /** Where an `--env-from-file` named on the run line is read. */
  resolvePath: (written: string) => { path: string; shownPath: string };
}

/**
 * The container a `docker compose run` starts. Throws `ComposeError` when the service is not defined or a value
 * cannot be read, `DockerArgsError` for a bad option value.
 */
export function containerFromComposeRun(input: ComposeRunInput): ContainerSpec {
  const { command, files } = input;
  const service = command.service;
  const raw = mergedService(files, service);
  const fileNames = files.map((f) => f.path).join(", ");
  if (!raw) {
    const known = [...new Set(files.flatMap((f) => Object.keys(f.services)))];
    throw new ComposeError(`service "${service}" is not defined in ${fileNames} (services: ${known.join(", ") || "none"})`);
  }
  const project = files[files.length - 1];
  const dotEnv = Object.assign({}, ...files.map((f) => f.dotEnv)) as Record<string, string>;
  const lookup = (name: string) => input.shellEnv(name) ?? dotEnv[name];
  const unresolved: string[] = [];
  const svc = interpolateDeep(raw, lookup, unresolved) as Record<string, unknown>;
  const where = `service "${service}"`;
  const findings: Finding[] = [];

  const spec: ContainerSpec = {
    via: "docker compose run",
    service,
    image: typeof svc.image === "string" && svc.image !== "" ? svc.image : undefined,
    command: commandWords(svc.command, `${where} command`),
    entrypoint: commandWords(svc.entrypoint, `${where} entrypoint`),
    env: [],
    user: svc.user !== undefined && svc.user !== null ? String(svc.user) : undefined,
    platform: typeof svc.platform === "string" ? svc.platform : undefined,
    readOnly: svc.read_only === true,
    scratchPaths: [],
    dependsOn: [],
    unresolved: [...new Set(unresolved)],
    findings,
  };
  if (spec.image === undefined) {
    const build = svc.build;
    const context = typeof build === "string" ? build : isRecord(build) && typeof build.context === "string" ? build.context : undefined;
    if (context === undefined) throw new ComposeError(`${where} has neither "image" nor "build" in ${fileNames}`);
    spec.buildContext = context;
  }

  // Environment: env_file, then environment, then the -e options of the run line.
  const env: EnvSource[] = [];
  for (const item of list(svc.env_file)) {
    const entry = isRecord(item) ? item : { path: item };
    const written = String(entry.path);
    env.push({
      kind: "file",
      path: path.resolve(project.dir, written),
      shownPath: written,
      origin: `${where} env_file ${written}`,
      required: entry.required !== false,
      dockerFormat: false,
    });
  }
  for (const [name, value] of Object.entries(environmentMap(svc.environment))) {
    env.push(value === null
      ? { kind: "inherit", name, origin: `${where} environment ${name}` }
      : { kind: "value", name, value, origin: `${where} environment ${name}` });
  }

  // Sizes: deploy.resources.limits, else the service-level cpus / mem_limit.
  const limits = isRecord(svc.deploy) && isRecord(svc.deploy.resources) && isRecord(svc.deploy.resources.limits) ? svc.deploy.resources.limits : {};
  spec.cpus = cpuCount(limits.cpus, `${where} deploy.resources.limits.cpus`) ?? cpuCount(svc.cpus, `${where} cpus`);
  spec.memory = byteSize(limits.memory, `${where} deploy.resources.limits.memory`) ?? byteSize(svc.mem_limit, `${where} mem_limit`);

  for (const volume of list(svc.volumes)) {
    let m: { finding?: Finding; scratch?: string };
    if (typeof volume === "string") m = volumeMount(volume, `${where} volume ${volume}`);
    else if (isRecord(volume)) {
      const type = String(volume.type ?? "volume");
      const source = volume.source === undefined ? "" : String(volume.source);
      const target = String(volume.target ?? "");
      m = mountFinding(`${where} volume ${source ? `${source}:` : ""}${target}`, type, source, target, volume.read_only === true);
    } else continue;
    if (m.scratch) spec.scratchPaths.push(m.scratch);
    if (m.finding) findings.push(m.finding);
  }
  for (const t of list(svc.tmpfs)) spec.scratchPaths.push(String(t).split(":")[0]);

  if (svc.privileged === true) {
    findings.push({ level: "todo", message: `${where} privileged: privileged containers are not available on Fargate (and the stack's policies refuse them)` });
  }
  for (const device of list(svc.devices)) {
    findings.push({ level: "todo", message: `${where} devices ${typeof device === "string" ? device : JSON.stringify(device)}: host devices are not available on Fargate` });
  }
  for (const cap of list(svc.cap_add)) {
    if (String(cap).toUpperCase().replace(/^CAP_/, "") !== "SYS_PTRACE") {
      findings.push({ level: "todo", message: `${where} cap_add ${String(cap)}: Fargate adds no Linux capability except SYS_PTRACE` });
    }
  }
  if (typeof svc.network_mode === "string") {
    findings.push({
      level: "note",
      message: svc.network_mode === "host"
        ? `${where} network_mode host: the job gets its own network interface in the stack's VPC; services the host reached on localhost are not there`
        : `${where} network_mode ${svc.network_mode}: the job runs in the stack's VPC subnets`,
    });
  }
  if (typeof svc.working_dir === "string") {
    findings.push({ level: "todo", message: `${where} working_dir ${svc.working_dir}: Batch starts the command in the image's WORKDIR: set WORKDIR ${svc.working_dir} in the image` });
  }
  if (svc.restart !== undefined && svc.restart !== "no") {
    findings.push({ level: "note", message: `${where} restart ${String(svc.restart)}: not imported; Batch retries per the job's retry settings` });
  }
  for (const item of list(svc.secrets)) {
    const name = isRecord(item) ? String(item.source) : String(item);
    const target = isRecord(item) && typeof item.target === "string" ? item.target : name;
    findings.push({
      level: "todo",
      message: `${where} secrets ${name}: Compose mounts it as a file (${target.startsWith("/") ? target : `/run/secrets/${target}`}); Batch injects secrets as environment variables: store it in Secrets Manager or SSM, list it under secrets, and read it from the environment`,
    });
  }
  for (const item of list(svc.configs)) {
    const name = isRecord(item) ? String(item.source) : String(item);
    const target = isRecord(item) && typeof item.target === "string" ? item.target : `/${name}`;
    findings.push({
      level: "todo",
      message: `${where} configs ${name}: Compose mounts it as the file ${target}; a Batch job gets no such file: build it into the image or read it from S3`,
    });
  }
  if (svc.extends !== undefined) {
    findings.push({ level: "todo", message: `${where} uses extends, which the import does not follow: add what the base service sets` });
  }
  if (svc.gpus !== undefined) {
    findings.push({ level: "todo", message: `${where} gpus: Fargate has no GPUs` });
  }
  if (isRecord(svc.logging)) {
    findings.push({ level: "note", message: `${where} logging: the job's output goes to its CloudWatch Logs group (awslogs driver)` });
  }
  if (svc.extra_hosts !== undefined || svc.links !== undefined || svc.external_links !== undefined) {
    findings.push({ level: "note", message: `${where} extra_hosts/links: names are resolved by the VPC's DNS on Batch; make them resolvable there or use addresses` });
  }
  const dependsOn = Array.isArray(svc.depends_on) ? svc.depends_on.map(String) : isRecord(svc.depends_on) ? Object.keys(svc.depends_on) : [];

  // The run line's options override the service.
  const runEnv: EnvSource[] = [];
  let noDeps = false;
  let servicePorts = false;
  const ports: string[] = [];
  for (const o of command.options) {
    const { name, value, written } = o;
    switch (name) {
      case "env":
        runEnv.push(envFromSpec(value, written));
        break;
      case "env-from-file": {
        const file = input.resolvePath(value);
        runEnv.push({ kind: "file", path: file.path, shownPath: file.shownPath, origin: `--env-from-file ${value}`, required: true, dockerFormat: false });
        break;
      }
      case "name":
        spec.containerName = value;
        break;
      case "user":
        spec.user = value;
        break;
      case "entrypoint":
        spec.entrypoint = commandWords(value, `${written}`);
        break;
      case "workdir":
        findings.push({ level: "todo", message: `${written} ${value}: Batch starts the command in the image's WORKDIR: set WORKDIR ${value} in the image` });
        break;
      case "volume": {
        const m = volumeMount(value, `${written} ${value}`);
        if (m.scratch) spec.scratchPaths.push(m.scratch);
        if (m.finding) findings.push(m.finding);
        break;
      }
      case "publish":
        ports.push(`${written} ${value}`);
        break;
      case "service-ports":
        servicePorts = value === "true";
        break;
      case "no-deps":
        noDeps = value === "true";
        break;
      case "detach":
        if (value === "true") {
          findings.push({ level: "note", message: `${written}: the container ran detached; a Batch job lasts until the container exits, within the timeout` });
        }
        break;
      case "cap-add":
        if (value.toUpperCase().replace(/^CAP_/, "") !== "SYS_PTRACE") {
          findings.push({ level: "todo", message: `${written} ${value}: Fargate adds no Linux capability except SYS_PTRACE` });
        }
        break;
      default:
        break;
    }
  }
  if (servicePorts && svc.ports !== undefined) ports.push(`--service-ports (${list(svc.ports).map(String).join(", ")})`);
  if (ports.length > 0) findings.push({ level: "note", message: `${ports.join(", ")}: a Batch job publishes no ports` });
  if (command.args.length > 0) spec.command = command.args;
  spec.env = [...env, ...runEnv];
  if (!noDeps && dependsOn.length > 0) {
    spec.dependsOn = dependsOn;
    findings.push({
      level: "todo",
      message: `compose starts ${dependsOn.join(", ")} before the job (depends_on); Batch starts only the job: point it at a managed or always-on service (listed under dependencies)`,
    });
  }
  for (const g of command.globals) {
    if (g.name === "profile" || g.name === "project-name" || g.name === "project-directory" || g.name === "file" || g.name === "env-file") continue;
    if (g.name === "host" || g.name === "context") {
      findings.push({ level: "note", message: `${g.written} ${g.value}: the container ran on another Docker host` });
    }
  }
  return spec;
}
