/**
 * One crontab command, read as the shell runs it, down to the container it starts.
 *
 * The command may be a list (`cd /opt/app && docker run ...`, `... || notify`), have redirections
 * (`>> /var/log/x 2>&1`), and call Docker through wrappers: `sudo`, `env`, `nice`, `ionice`, `timeout` (its
 * duration becomes the job's timeout), `flock`, `exec`, `chronic`, and `sh -c '...'` / `bash -c '...'` (the
 * string is read the same way). Exactly one `docker run` or `docker compose run` (also `docker-compose run`,
 * `docker container run`, any path to the binary) makes the line a job; everything else on the line becomes a
 * finding. Lines without one, or with several, are skipped with the reason.
 *
 * Variables: `$NAME` on the line is expanded from the crontab's variables and from assignments earlier on the
 * line (`export A=1; ...`, `A=1 docker ...` for the docker command's environment); references to anything else
 * are kept as written and reported. `-e NAME` (without a value) takes the value from that same environment.
 */
import * as path from "node:path";
import { parse as parseDotenv } from "dotenv";
import { ComposeError, containerFromComposeRun, loadComposeFile, type ComposeFile } from "./compose";
import { DockerArgsError, dockerProgram, parseDockerCommand, type DockerCommand } from "./docker-cli";
import { containerFromDockerRun, type PathResolver } from "./docker-run";
import { displayWord, expandWord, parseShellLine, ShellSyntaxError, type SimpleCommand } from "./shell";
import type { ContainerSpec, Finding } from "./types";

/** Access to the files the crontab names, as they are on the host. */
export interface HostFiles {
  /** Where the import reads a host path (below `--root`). */
  locate(hostPath: string): string;
  /** The text of a file the import reads, or undefined when it does not exist or cannot be read. */
  read(localPath: string): string | undefined;
  /** Directory relative paths are resolved in when the line gives no directory and the crontab sets no HOME. */
  fallbackDir: string;
}

export interface LineInput {
  /** The command, as cron hands it to the shell. */
  command: string;
  /** Crontab variables in effect. */
  variables: Record<string, string>;
  files: HostFiles;
  /** Compose files given with `--compose`. */
  composeFiles: readonly ComposeFile[];
}

/** A line that starts one container. */
export interface LineContainer {
  kind: "container";
  spec: ContainerSpec;
  /** Environment of the docker command: what `-e NAME` reads. */
  clientEnv: Record<string, string>;
  /** References without a value and command substitutions on the docker command, as written. */
  unresolved: string[];
  substitutions: string[];
  /** Unquoted glob patterns among the arguments. */
  globs: string[];
  /** From a `timeout` wrapper. */
  timeoutSeconds?: number;
  /** Host user the docker command ran as (`sudo -u`). */
  sudoUser?: string;
  /** Findings about the line itself (other commands, redirections, wrappers). */
  findings: Finding[];
}

export type LineResult = LineContainer | { kind: "skip"; reason: string };

class SkipLine extends Error {}

type Directory = { kind: "host"; dir: string } | { kind: "local"; dir: string };

interface ShellState {
  /** Variables the shell has at this point (crontab variables, assignments). */
  vars: Record<string, string>;
  cwd?: Directory;
}

const MAX_NESTING = 2;

/** GNU `timeout` durations: a number with an optional s, m, h or d suffix. */
export function parseTimeoutDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "" | "s" | "m" | "h" | "d"];
}

interface Unwrapped {
  /** The words from the program on (wrappers removed). */
  words: string[];
  /** Variables the wrappers add to the program's environment. */
  env: Record<string, string>;
  /** `env -i`: the program's environment starts empty. */
  clearEnv: boolean;
  /** `sudo` without -E resets the environment. */
  sudoResetsEnv: boolean;
  sudoUser?: string;
  cwd?: string;
  timeoutSeconds?: number;
  /** `sh -c STRING` / `bash -c STRING`: the string to read as a command line. */
  shellString?: string;
  findings: Finding[];
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/;

/** Skips a wrapper's options; `withValue` lists the options that take the next word. */
function skipOptions(words: string[], i: number, withValue: Set<string>, onOption?: (opt: string, value?: string) => void): number {
  while (i < words.length && words[i].startsWith("-") && words[i] !== "-") {
    const w = words[i];
    if (w === "--") return i + 1;
    const eq = w.indexOf("=");
    if (w.startsWith("--") && eq > 0) {
      onOption?.(w.slice(0, eq), w.slice(eq + 1));
      i++;
    } else if (withValue.has(w)) {
      onOption?.(w, words[i + 1]);
      i += 2;
    } else if (!w.startsWith("--") && w.length > 2 && withValue.has(w.slice(0, 2))) {
      onOption?.(w.slice(0, 2), w.slice(2));
      i++;
    } else {
      onOption?.(w);
      i++;
    }
  }
  return i;
}

/** Removes wrappers such as `sudo -u app`, `env A=1`, `timeout 2h`, `nice -n 10` in front of the program. */
export function unwrap(words: string[]): Unwrapped {
  const out: Unwrapped = { words, env: {}, clearEnv: false, sudoResetsEnv: false, findings: [] };
  let i = 0;
  for (;;) {
    const program = words[i];
    if (program === undefined) break;
    const base = program.slice(program.lastIndexOf("/") + 1);
    if (base === "sudo") {
      let preserve = false;
      i = skipOptions(words, i + 1, new Set(["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U", "--user", "--group", "--chdir", "--prompt"]), (opt, value) => {
        if (opt === "-u" || opt === "--user") out.sudoUser = value;
        if (opt === "-D" || opt === "--chdir") out.cwd = value;
        if (opt === "-E" || opt.startsWith("--preserve-env") || (/^-[A-Za-z]+$/.test(opt) && opt.includes("E"))) preserve = true;
      });
      while (i < words.length && ASSIGNMENT.test(words[i])) {
        const [, name, value] = ASSIGNMENT.exec(words[i])!;
        out.env[name] = value;
        i++;
      }
      if (!preserve) out.sudoResetsEnv = true;
      continue;
    }
    if (base === "env") {
      i = skipOptions(words, i + 1, new Set(["-u", "--unset", "-C", "--chdir", "-S", "--split-string"]), (opt, value) => {
        if (opt === "-i" || opt === "--ignore-environment" || opt === "-") out.clearEnv = true;
        if (opt === "-C" || opt === "--chdir") out.cwd = value;
        if (opt === "-S" || opt === "--split-string") throw new SkipLine(`env ${opt} is not supported: write the command without it`);
        if ((opt === "-u" || opt === "--unset") && value !== undefined) delete out.env[value];
      });
      while (i < words.length && ASSIGNMENT.test(words[i])) {
        const [, name, value] = ASSIGNMENT.exec(words[i])!;
        out.env[name] = value;
        i++;
      }
      continue;
    }
    if (base === "nice") {
      i = skipOptions(words, i + 1, new Set(["-n", "--adjustment"]));
      continue;
    }
    if (base === "ionice") {
      i = skipOptions(words, i + 1, new Set(["-c", "-n", "--class", "--classdata"]));
      continue;
    }
    if (base === "exec" || base === "chronic" || base === "nohup") {
      i = skipOptions(words, i + 1, new Set());
      continue;
    }
    if (base === "timeout") {
      i = skipOptions(words, i + 1, new Set(["-s", "-k", "--signal", "--kill-after"]));
      const seconds = words[i] === undefined ? undefined : parseTimeoutDuration(words[i]);
      if (seconds === undefined) throw new SkipLine(`timeout needs a duration such as 2h or 90m before the command (found "${words[i] ?? ""}")`);
      if (seconds > 0) out.timeoutSeconds = seconds;
      i++;
      continue;
    }
    if (base === "flock") {
      let command: string | undefined;
      i = skipOptions(words, i + 1, new Set(["-w", "--timeout", "-E", "--conflict-exit-code", "-c", "--command"]), (opt, value) => {
        if (opt === "-c" || opt === "--command") command = value;
      });
      const lock = words[i];
      out.findings.push({
        level: "note",
        message: `flock ${lock ?? ""}: on the host a run was skipped or waited while the previous one held the lock; Batch starts every scheduled run, even while the previous one still runs`,
      });
      i++;
      if (command === undefined && words[i] === "-c") {
        command = words[i + 1];
        i = words.length;
      }
      if (command !== undefined) {
        out.shellString = command;
        out.words = [];
        return out;
      }
      continue;
    }
    if (["sh", "bash", "dash", "ash", "zsh", "ksh"].includes(base)) {
      // sh [-options] -c STRING [NAME [ARGS]]
      let j = i + 1;
      let string: string | undefined;
      while (j < words.length && words[j].startsWith("-") && string === undefined) {
        const opt = words[j];
        if (opt === "-o" || opt === "+o") {
          j += 2;
          continue;
        }
        if (/^-[A-Za-z]*c[A-Za-z]*$/.test(opt)) {
          string = words[j + 1];
          if (opt.includes("l")) out.findings.push({ level: "note", message: `${base} ${opt}: the login shell read the user's profile, which may set variables the import does not see` });
        }
        j++;
      }
      if (string !== undefined) {
        out.shellString = string;
        out.words = [];
        return out;
      }
      break;
    }
    break;
  }
  out.words = words.slice(i);
  return out;
}

/** How a host path of the line maps to a file the import reads. */
function pathResolver(cwd: Directory | undefined, state: ShellState, files: HostFiles): PathResolver {
  return (written: string) => {
    const home = state.vars.HOME;
    let host: string | undefined;
    if (written.startsWith("/")) host = written;
    else if (written.startsWith("~/") && home?.startsWith("/")) host = path.posix.join(home, written.slice(2));
    else if (cwd?.kind === "host") host = path.posix.resolve(cwd.dir, written);
    else if (cwd === undefined && home?.startsWith("/")) host = path.posix.resolve(home, written);
    if (host !== undefined) return { path: files.locate(host), shownPath: written };
    return { path: path.resolve(cwd?.dir ?? files.fallbackDir, written), shownPath: written };
  };
}

function changeDirectory(current: Directory | undefined, target: string, state: ShellState, files: HostFiles): Directory {
  if (target.startsWith("/")) return { kind: "host", dir: target };
  const home = state.vars.HOME;
  if (target === "~" || target.startsWith("~/")) {
    if (home?.startsWith("/")) return { kind: "host", dir: path.posix.join(home, target.slice(1)) };
    return { kind: "local", dir: path.resolve(files.fallbackDir, target.slice(2)) };
  }
  if (current?.kind === "host") return { kind: "host", dir: path.posix.resolve(current.dir, target) };
  if (current === undefined && home?.startsWith("/")) return { kind: "host", dir: path.posix.resolve(home, target) };
  return { kind: "local", dir: path.resolve(current?.dir ?? files.fallbackDir, target) };
}

/** Reads `.env`-style text (dotenv rules). */
function readDotenv(files: HostFiles, localPath: string): Record<string, string> {
  const text = files.read(localPath);
  return text === undefined ? {} : parseDotenv(text);
}

function loadCompose(files: HostFiles, localPath: string, envFile?: string): ComposeFile | undefined {
  const text = files.read(localPath);
  if (text === undefined) return undefined;
  const dotEnv = readDotenv(files, envFile ?? path.join(path.dirname(localPath), ".env"));
  return loadComposeFile(text, localPath, dotEnv);
}

const COMPOSE_DEFAULT_NAMES = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];
const COMPOSE_OVERRIDE_NAMES = ["compose.override.yaml", "compose.override.yml", "docker-compose.override.yml", "docker-compose.override.yaml"];

/**
 * The compose files of a `docker compose run` line: the `-f` files when they can be read; else the `--compose`
 * files that define the service (exactly one); else the default file (and its override file) in the project
 * directory (`--project-directory` or the line's `cd`), as Compose finds it.
 */
function composeFilesFor(
  command: Extract<DockerCommand, { kind: "compose-run" }>,
  input: LineInput,
  resolve: PathResolver,
  cwd: Directory | undefined,
  state: ShellState,
  findings: Finding[],
): ComposeFile[] {
  const { files } = input;
  const named = command.globals.filter((g) => g.name === "file").map((g) => resolve(g.value));
  const envFileOption = command.globals.find((g) => g.name === "env-file");
  const envFile = envFileOption ? resolve(envFileOption.value).path : undefined;
  const unreadable: string[] = [];
  if (named.length > 0) {
    const loaded = named.map((f) => loadCompose(files, f.path, envFile));
    if (loaded.every((f) => f !== undefined)) return loaded as ComposeFile[];
    named.forEach((f, k) => {
      if (!loaded[k]) unreadable.push(`${f.shownPath} (looked at ${f.path})`);
    });
  }
  const defining = input.composeFiles.filter((f) => f.services[command.service] !== undefined);
  if (defining.length === 1) {
    if (unreadable.length > 0) findings.push({ level: "note", message: `cannot read ${unreadable.join(", ")}: service "${command.service}" is taken from ${defining[0].path}` });
    return defining;
  }
  if (defining.length > 1) {
    throw new SkipLine(
      `service "${command.service}" is defined in several --compose files (${defining.map((f) => f.path).join(", ")}): ` +
        `run the import once per compose project, or name the file with -f on the crontab line`,
    );
  }
  if (unreadable.length > 0) {
    throw new SkipLine(`cannot read the compose file ${unreadable.join(", ")}: pass it with --compose, or --root with a copy of the host's files`);
  }
  const projectDirOption = command.globals.find((g) => g.name === "project-directory");
  const dir = projectDirOption ? changeDirectory(cwd, projectDirOption.value, state, files) : cwd;
  if (dir !== undefined) {
    const local = (name: string) => (dir.kind === "host" ? files.locate(path.posix.join(dir.dir, name)) : path.join(dir.dir, name));
    for (const name of COMPOSE_DEFAULT_NAMES) {
      const main = loadCompose(files, local(name), envFile);
      if (!main) continue;
      const result = [main];
      for (const overrideName of COMPOSE_OVERRIDE_NAMES) {
        const override = loadCompose(files, local(overrideName), envFile);
        if (override) {
          result.push(override);
          break;
        }
      }
      return result;
    }
  }
  const given = input.composeFiles.length > 0 ? ` (the --compose files define ${[...new Set(input.composeFiles.flatMap((f) => Object.keys(f.services)))].join(", ")})` : "";
  throw new SkipLine(`no compose file defines service "${command.service}"${given}: pass the project's compose file with --compose`);
}

type Classified =
  | { kind: "docker"; command: DockerCommand; unwrapped: Unwrapped }
  | { kind: "nested"; result: LineResult; unwrapped: Unwrapped }
  | { kind: "cd"; target?: string }
  | { kind: "assign"; vars: Record<string, string> }
  | { kind: "source"; file: string }
  | { kind: "other"; program: string };

/** A word list as written, for messages. */
function shown(words: string[], substitutions: readonly string[]): string {
  return words.map((w) => displayWord(w, substitutions)).join(" ");
}

/** Reads one command line; `depth` counts `sh -c` nesting. */
export function analyzeCommand(input: LineInput, depth = 0, inherited?: ShellState): LineResult {
  try {
    return analyze(input, depth, inherited);
  } catch (err) {
    if (err instanceof SkipLine || err instanceof ShellSyntaxError || err instanceof DockerArgsError || err instanceof ComposeError) {
      return { kind: "skip", reason: err instanceof ShellSyntaxError ? `cannot read the command: ${err.message}` : err.message };
    }
    throw err;
  }
}

function analyze(input: LineInput, depth: number, inherited?: ShellState): LineResult {
  const parsed = parseShellLine(input.command);
  const subs = parsed.substitutions;
  const state: ShellState = inherited ? { vars: { ...inherited.vars }, cwd: inherited.cwd } : { vars: { ...input.variables } };
  const lookup = (name: string) => state.vars[name];
  const expandAll = (words: string[]) => words.map((w) => expandWord(w, lookup, subs));

  // First pass: classify every simple command, tracking the directory and the variables in order.
  const classified: { command: SimpleCommand; what: Classified; state: ShellState }[] = [];
  for (const command of parsed.commands) {
    const before: ShellState = { vars: { ...state.vars }, cwd: state.cwd };
    const words = expandAll(command.words).map((w) => w.value);
    const assignments = command.assignments.map((a) => expandWord(a, lookup, subs).value);
    let what: Classified;
    if (words.length === 0) {
      const vars: Record<string, string> = {};
      for (const a of assignments) {
        const [, name, value] = ASSIGNMENT.exec(a)!;
        vars[name] = value;
      }
      Object.assign(state.vars, vars);
      what = { kind: "assign", vars };
    } else if (words[0] === "cd") {
      what = { kind: "cd", target: words[1] };
      state.cwd = changeDirectory(state.cwd, words[1] ?? "~", state, input.files);
    } else if (words[0] === "export") {
      const vars: Record<string, string> = {};
      for (const w of words.slice(1)) {
        const m = ASSIGNMENT.exec(w);
        if (m) vars[m[1]] = m[2];
      }
      Object.assign(state.vars, vars);
      what = { kind: "assign", vars };
    } else if (words[0] === "." || words[0] === "source") {
      what = { kind: "source", file: words[1] ?? "" };
    } else {
      const unwrapped = unwrap(words);
      if (unwrapped.shellString !== undefined) {
        if (depth >= MAX_NESTING) throw new SkipLine("the command nests shells (sh -c) too deeply to follow");
        const nestedState: ShellState = { vars: { ...state.vars, ...unwrapped.env }, cwd: unwrapped.cwd ? changeDirectory(state.cwd, unwrapped.cwd, state, input.files) : state.cwd };
        what = { kind: "nested", result: analyzeCommand({ ...input, command: unwrapped.shellString }, depth + 1, nestedState), unwrapped };
      } else if (unwrapped.words.length > 0 && dockerProgram(unwrapped.words[0])) {
        what = { kind: "docker", command: parseDockerCommand(unwrapped.words), unwrapped };
      } else {
        what = { kind: "other", program: unwrapped.words[0] ?? words[0] };
      }
    }
    classified.push({ command, what, state: before });
  }

  const isContainer = (c: Classified) =>
    (c.kind === "docker" && c.command.kind !== "other") || (c.kind === "nested" && c.result.kind === "container");
  const containers = classified.filter((c) => isContainer(c.what));
  if (containers.length === 0) {
    const nestedSkip = classified.find((c) => c.what.kind === "nested" && c.what.result.kind === "skip");
    const docker = classified.find((c) => c.what.kind === "docker");
    if (docker && docker.what.kind === "docker" && docker.what.command.kind === "other") {
      throw new SkipLine(`not a job: ${docker.what.command.reason}`);
    }
    if (nestedSkip && nestedSkip.what.kind === "nested" && nestedSkip.what.result.kind === "skip") {
      throw new SkipLine(nestedSkip.what.result.reason);
    }
    const programs = classified.flatMap((c) => (c.what.kind === "other" ? [c.what.program] : []));
    throw new SkipLine(`not a docker job: runs ${programs.length > 0 ? programs.join(", ") : "no docker command"} (only docker run and docker compose run lines become jobs)`);
  }
  if (containers.length > 1) {
    throw new SkipLine(
      `starts ${containers.length} containers on one line: split it into one crontab line per container, or import them separately and chain the jobs with "after"`,
    );
  }

  const index = classified.findIndex((c) => isContainer(c.what));
  const target = classified[index];
  const findings: Finding[] = [];

  // The other commands on the line.
  classified.forEach((c, k) => {
    if (k === index) return;
    const text = shown([...c.command.assignments, ...c.command.words], subs);
    const next = classified[k + 1]?.command.separator;
    if (k < index) {
      if (c.what.kind === "cd" || c.what.kind === "assign") return;
      if (c.what.kind === "docker" && c.what.command.kind === "other") {
        if (/^docker(-compose| compose)? pull$/.test(c.what.command.command)) return; // Batch pulls the image for every run.
        if (/ login$/.test(c.what.command.command)) {
          findings.push({ level: "note", message: `"${text}": Batch pulls images from ECR with the job's execution role; no login is needed` });
          return;
        }
      }
      if (c.what.kind === "source") {
        findings.push({
          level: "todo",
          message: `"${text}" loads variables the import does not read: add those the job needs under environment (or secrets)`,
        });
        return;
      }
      if (next === "|" || next === "|&") {
        findings.push({ level: "todo", message: `the container reads the output of "${text}" on its standard input; a Batch job has none: do that work inside the container` });
        return;
      }
      findings.push({
        level: "todo",
        message: `"${text}" runs before the container on the host; Batch runs only the container: move it into the image, or into a job this one runs after`,
      });
      return;
    }
    const separator = c.command.separator;
    const after = k === index + 1 ? separator : undefined;
    if (after === "|" || after === "|&") {
      findings.push({ level: "note", message: `the output is piped into "${text}" on the host; on Batch it goes to CloudWatch Logs: do that processing inside the container if it matters` });
    } else if (after === "||") {
      findings.push({ level: "note", message: `"${text}" runs when the container fails; on Batch a failed job raises the stack's failure alerts` });
    } else {
      findings.push({ level: "todo", message: `"${text}" runs after the container on the host; Batch runs only the container: move it into the image, or into a job that runs after this one` });
    }
  });

  if (target.what.kind === "nested") {
    const nested = target.what.result as LineContainer;
    return {
      ...nested,
      timeoutSeconds: nested.timeoutSeconds ?? target.what.unwrapped.timeoutSeconds,
      sudoUser: nested.sudoUser ?? target.what.unwrapped.sudoUser,
      findings: [...target.what.unwrapped.findings, ...findings, ...nested.findings],
    };
  }
  if (target.what.kind !== "docker") throw new Error("unreachable");
  const { command: docker, unwrapped } = target.what;

  // The environment of the docker command, and where its relative paths point.
  const at = target.state;
  const atLookup = (name: string) => at.vars[name];
  const prefix: Record<string, string> = {};
  for (const a of target.command.assignments) {
    const [, name, value] = ASSIGNMENT.exec(expandWord(a, atLookup, subs).value)!;
    prefix[name] = value;
  }
  const clientEnv = unwrapped.clearEnv ? { ...unwrapped.env } : { ...at.vars, ...prefix, ...unwrapped.env };
  const cwd = unwrapped.cwd ? changeDirectory(at.cwd, unwrapped.cwd, at, input.files) : at.cwd;
  const resolve = pathResolver(cwd, at, input.files);

  const expanded = target.command.words.map((w) => expandWord(w, atLookup, subs));
  const unresolved = [...new Set(expanded.flatMap((e) => e.unresolved))];
  const substitutions = [...new Set(expanded.flatMap((e) => e.substitutions))];


  for (const r of target.command.redirects) {
    const file = displayWord(r.target, subs);
    if (r.op === "<" || r.op === "<<<" || r.op === "<>") {
      findings.push({ level: "todo", message: `the container's standard input comes from ${r.op === "<<<" ? "a here-string" : file} on the host; a Batch job has no standard input: read the data inside the container (e.g. from S3)` });
    } else if (r.op === ">&" && /^\d+$/.test(file)) {
      continue;
    } else if (file === "/dev/null") {
      findings.push({ level: "note", message: "the host discarded the output (> /dev/null); on Batch it goes to CloudWatch Logs" });
    } else {
      findings.push({ level: "note", message: `the host wrote the output to ${file}; on Batch it goes to the job's CloudWatch Logs group` });
    }
  }
  if (target.command.background) {
    findings.push({ level: "note", message: "the command ran in the background (&); a Batch job runs until the container exits" });
  }

  let spec: ContainerSpec;
  if (docker.kind === "run") {
    spec = containerFromDockerRun(docker, resolve);
  } else if (docker.kind === "compose-run") {
    const composeFiles = composeFilesFor(docker, input, resolve, cwd, at, findings);
    spec = containerFromComposeRun({ command: docker, files: composeFiles, shellEnv: (n) => clientEnv[n], resolvePath: resolve });
  } else {
    throw new Error("unreachable");
  }

  if (spec.env.some((e) => e.kind === "inherit")) {
    if (unwrapped.sudoResetsEnv) {
      findings.push({
        level: "note",
        message: "sudo without -E resets the environment, so on the host -e NAME saw only what sudo keeps (env_keep); the import used the crontab's variables",
      });
    }
    if (unwrapped.clearEnv) {
      findings.push({ level: "note", message: "env -i cleared the environment, so -e NAME saw only the variables given to env" });
    }
  }

  return {
    kind: "container",
    spec,
    clientEnv,
    unresolved,
    substitutions,
    globs: target.command.globs.map((g) => displayWord(g, subs)),
    timeoutSeconds: unwrapped.timeoutSeconds,
    sudoUser: unwrapped.sudoUser,
    findings: [...unwrapped.findings, ...findings],
  };
}
