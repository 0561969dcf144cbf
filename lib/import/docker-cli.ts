/**
 * Arguments of the Docker CLI as the CLI itself reads them (spf13/pflag): `--name value`, `--name=value`,
 * boolean `--rm` or `--rm=false`, short flags `-e K=V`, `-eK=V`, `-e=K=V` and clusters such as `-it` or `-itu 1000`
 * (a short flag that takes a value ends the cluster). `--` ends the options. Options stop at the first positional
 * argument (the image of `docker run`, the service of `docker compose run`): what follows is the command.
 *
 * An unknown option is an error, as it is for Docker: guessing whether it takes a value would shift every
 * argument after it. The option lists follow the Docker CLI reference (`docker container run`, `docker compose run`).
 */

export class DockerArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DockerArgsError";
  }
}

interface OptionSpec {
  /** Long names; the first is the canonical one. */
  names: string[];
  short?: string;
  takesValue: boolean;
}

export interface ParsedOption {
  /** Canonical long name, e.g. "env" for `-e`. */
  name: string;
  /** The value, or "true"/"false" for a boolean. */
  value: string;
  /** The option as written, e.g. "-e". */
  written: string;
  /** True for a boolean option (`--rm`), false for one that takes a value. */
  boolean: boolean;
}

type OptionTable = Map<string, OptionSpec>;

function table(valued: string[], booleans: string[]): OptionTable {
  const map: OptionTable = new Map();
  const add = (entry: string, takesValue: boolean) => {
    // "e/env" = short e, long env; "network|net" = long aliases.
    const [short, longs] = entry.includes("/") ? entry.split("/") : [undefined, entry];
    const spec: OptionSpec = { names: longs.split("|"), short, takesValue };
    for (const name of spec.names) map.set(`--${name}`, spec);
    if (short) map.set(`-${short}`, spec);
  };
  valued.forEach((e) => add(e, true));
  booleans.forEach((e) => add(e, false));
  return map;
}

/** `docker [OPTIONS] COMMAND`. */
const DOCKER_GLOBAL = table(
  ["config", "c/context", "H/host", "l/log-level", "tlscacert", "tlscert", "tlskey"],
  ["D/debug", "tls", "tlsverify"],
);

/** `docker run [OPTIONS] IMAGE [COMMAND] [ARG...]`. */
const DOCKER_RUN = table(
  [
    "add-host", "annotation", "a/attach", "blkio-weight", "blkio-weight-device", "cap-add", "cap-drop", "cgroup-parent",
    "cgroupns", "cidfile", "cpu-count", "cpu-percent", "cpu-period", "cpu-quota", "cpu-rt-period", "cpu-rt-runtime",
    "c/cpu-shares", "cpus", "cpuset-cpus", "cpuset-mems", "detach-keys", "device", "device-cgroup-rule",
    "device-read-bps", "device-read-iops", "device-write-bps", "device-write-iops", "dns", "dns-option|dns-opt",
    "dns-search", "domainname", "entrypoint", "e/env", "env-file", "expose", "gpus", "group-add", "health-cmd",
    "health-interval", "health-retries", "health-start-interval", "health-start-period", "health-timeout",
    "h/hostname", "io-maxbandwidth", "io-maxiops", "ip", "ip6", "ipc", "isolation", "kernel-memory", "l/label",
    "label-file", "link", "link-local-ip", "log-driver", "log-opt", "mac-address", "m/memory", "memory-reservation",
    "memory-swap", "memory-swappiness", "mount", "name", "network|net", "network-alias|net-alias", "oom-score-adj",
    "pid", "pids-limit", "platform", "p/publish", "pull", "restart", "runtime", "security-opt", "shm-size",
    "stop-signal", "stop-timeout", "storage-opt", "sysctl", "tmpfs", "ulimit", "u/user", "userns", "uts",
    "v/volume", "volume-driver", "volumes-from", "w/workdir",
  ],
  [
    "d/detach", "disable-content-trust", "help", "init", "i/interactive", "no-healthcheck", "oom-kill-disable",
    "privileged", "P/publish-all", "q/quiet", "read-only", "rm", "sig-proxy", "t/tty", "use-api-socket",
  ],
);

/** `docker compose [OPTIONS] COMMAND` and `docker-compose [OPTIONS] COMMAND`. */
const COMPOSE_GLOBAL = table(
  ["f/file", "p/project-name", "project-directory", "env-file", "profile", "ansi", "progress", "parallel", "H/host", "log-level", "tlscacert", "tlscert", "tlskey"],
  ["compatibility", "dry-run", "all-resources", "verbose", "no-ansi", "tls", "tlsverify", "skip-hostname-check"],
);

/** `docker compose run [OPTIONS] SERVICE [COMMAND] [ARGS...]`. */
const COMPOSE_RUN = table(
  ["cap-add", "cap-drop", "entrypoint", "e/env", "env-from-file", "l/label", "name", "p/publish", "pull", "u/user", "v/volume", "w/workdir"],
  ["build", "d/detach", "i/interactive", "T/no-TTY", "no-build", "no-deps", "quiet-pull", "quiet-build", "remove-orphans", "rm", "P/service-ports", "t/tty", "use-aliases"],
);

/**
 * Reads options until the first positional argument. Returns the options in order and the remaining arguments
 * (the positional one first). Throws `DockerArgsError` for an unknown option or a missing value.
 */
export function parseOptions(args: readonly string[], options: OptionTable, what: string): { options: ParsedOption[]; rest: string[] } {
  const parsed: ParsedOption[] = [];
  let i = 0;
  const needValue = (written: string): string => {
    if (i + 1 >= args.length) throw new DockerArgsError(`${what} option "${written}" needs a value`);
    i++;
    return args[i];
  };
  for (; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") return { options: parsed, rest: args.slice(i + 1) };
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const written = eq >= 0 ? arg.slice(0, eq) : arg;
      const spec = options.get(written);
      if (!spec) throw new DockerArgsError(`unknown ${what} option "${written}"`);
      let value: string;
      if (spec.takesValue) value = eq >= 0 ? arg.slice(eq + 1) : needValue(written);
      else value = eq >= 0 ? arg.slice(eq + 1) : "true";
      if (!spec.takesValue && !/^(true|false|1|0|t|f|TRUE|FALSE|True|False)$/.test(value)) {
        throw new DockerArgsError(`${what} option "${written}" takes no value (found "${value}")`);
      }
      parsed.push({ name: spec.names[0], value: spec.takesValue ? value : String(/^(true|1|t)$/i.test(value)), written, boolean: !spec.takesValue });
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const written = `-${arg[j]}`;
        const spec = options.get(written);
        if (!spec) throw new DockerArgsError(`unknown ${what} option "${written}"${arg.length > 2 ? ` (in "${arg}")` : ""}`);
        if (spec.takesValue) {
          let value = arg.slice(j + 1);
          if (value.startsWith("=")) value = value.slice(1);
          if (value === "" && j === arg.length - 1) value = needValue(written);
          parsed.push({ name: spec.names[0], value, written, boolean: false });
          break;
        }
        parsed.push({ name: spec.names[0], value: "true", written, boolean: true });
      }
      continue;
    }
    return { options: parsed, rest: args.slice(i) };
  }
  return { options: parsed, rest: [] };
}

export type DockerCommand =
  | { kind: "run"; globals: ParsedOption[]; options: ParsedOption[]; image: string; args: string[] }
  | { kind: "compose-run"; globals: ParsedOption[]; options: ParsedOption[]; service: string; args: string[]; program: string }
  /** Any other Docker command, with the reason it is not a job. */
  | { kind: "other"; command: string; reason: string };

const MANAGEMENT = new Set(["system", "image", "container", "volume", "network", "builder"]);
const MAINTENANCE = new Set(["prune", "rm", "rmi", "pull", "push", "build", "login", "logout", "logs", "stop", "kill", "restart", "ps", "images", "tag", "save", "load", "inspect", "cp", "commit", "wait", "down", "pause", "unpause"]);

function otherReason(command: string, sub: string): string {
  if (sub === "exec") {
    return `${command} runs a command in a container that is already running on the host; a Batch job starts its own container: write it as a docker run of that container's image`;
  }
  if (sub === "start") {
    return `${command} starts an existing container whose settings are not in the crontab: find them with docker inspect and write the line as docker run`;
  }
  if (sub === "up") {
    return `${command} starts long-running services, not a one-off job: use docker compose run SERVICE for a job`;
  }
  if (MAINTENANCE.has(sub) || MANAGEMENT.has(sub)) {
    return `${command} maintains the Docker host: Batch needs no such maintenance (images are pulled per job, containers are removed)`;
  }
  return `${command} is not a one-off container run (docker run or docker compose run)`;
}

/** True for `docker`, `/usr/bin/docker`, `docker-compose`, ... */
export function dockerProgram(word: string): "docker" | "docker-compose" | undefined {
  const base = word.slice(word.lastIndexOf("/") + 1);
  if (base === "docker") return "docker";
  if (base === "docker-compose") return "docker-compose";
  return undefined;
}

/**
 * Reads a Docker CLI invocation: `words[0]` is `docker` or `docker-compose` (any path). Throws
 * `DockerArgsError` when Docker itself would refuse the arguments.
 */
export function parseDockerCommand(words: readonly string[]): DockerCommand {
  const program = dockerProgram(words[0]);
  if (!program) throw new DockerArgsError(`"${words[0]}" is not the docker or docker-compose program`);
  if (program === "docker-compose") return parseCompose(words.slice(1), "docker-compose");

  const global = parseOptions(words.slice(1), DOCKER_GLOBAL, "docker");
  let [sub, ...rest] = global.rest;
  if (sub === undefined) throw new DockerArgsError("docker is called without a command");
  if (sub === "container" && rest[0] === "run") [sub, ...rest] = rest;
  if (sub === "compose") {
    const compose = parseCompose(rest, "docker compose");
    return compose.kind === "compose-run" ? { ...compose, globals: [...global.options, ...compose.globals] } : compose;
  }
  if (sub !== "run") {
    // Management commands name their action next: `docker system prune`, `docker image rm`.
    const managed = MANAGEMENT.has(sub) && rest[0] !== undefined && !rest[0].startsWith("-");
    const command = managed ? `docker ${sub} ${rest[0]}` : `docker ${sub}`;
    return { kind: "other", command, reason: otherReason(command, managed ? rest[0] : sub) };
  }
  const run = parseOptions(rest, DOCKER_RUN, "docker run");
  const [image, ...args] = run.rest;
  if (image === undefined) throw new DockerArgsError("docker run has no image");
  return { kind: "run", globals: global.options, options: run.options, image, args };
}

function parseCompose(words: string[], program: string): DockerCommand {
  const global = parseOptions(words, COMPOSE_GLOBAL, program);
  const [sub, ...rest] = global.rest;
  if (sub === undefined) throw new DockerArgsError(`${program} is called without a command`);
  if (sub !== "run") return { kind: "other", command: `${program} ${sub}`, reason: otherReason(`${program} ${sub}`, sub) };
  const run = parseOptions(rest, COMPOSE_RUN, `${program} run`);
  const [service, ...args] = run.rest;
  if (service === undefined) throw new DockerArgsError(`${program} run has no service`);
  return { kind: "compose-run", globals: global.options, options: run.options, service, args, program };
}

/**
 * Docker's byte sizes (`--memory`, `mem_limit`): a number with an optional unit b, k, m, g, t, p (binary
 * multiples, case-insensitive, optionally followed by "i" and/or "b": "512m", "1.5g", "2GiB", "1048576").
 * Returns bytes, or undefined when the text is not a size.
 */
export function parseByteSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$/i.exec(text.trim());
  if (!m) return undefined;
  const exponent = m[2] ? "kmgtp".indexOf(m[2].toLowerCase()) + 1 : 0;
  return Math.round(Number(m[1]) * 1024 ** exponent);
}
