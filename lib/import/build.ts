/**
 * An inventory job from a crontab entry and the container its command starts.
 *
 * Decisions (docs/import.md explains them to users):
 * - Name: the container's `--name`, else the compose service, else the image's last path part; lower-cased,
 *   every run of other characters turned into one dash, prefixed with `--name-prefix`, at most 40 characters,
 *   made unique with `-2`, `-3`, ...
 * - Image: images in a private ECR registry stay full references. Every other image becomes
 *   `{ repository, tag }`: the stack creates that ECR repository and the image is pushed there (the policy pack
 *   wants images from ECR). An image without a tag, or tagged `latest`, gets the placeholder tag
 *   `TODO-pin-version`, which validates and plans but names no image, and a TODO: the import succeeds and the
 *   job cannot run an unknown version by accident.
 * - User: `-u` when it is not root. Without `-u` (the image's USER, often root) or with root, `1000:1000` and a
 *   TODO: the inventory and the policy pack refuse root, and only the image's owner knows its user.
 * - Sizes: see sizing.ts (1 vCPU / 2048 MiB without limits).
 * - Timeout: a `timeout` wrapper's duration, else 1h, between 60 s and 24 h (the policy pack's ceiling).
 * - Environment: values as Docker would set them; secret-looking variables (secret-names.ts) become `secrets`
 *   entries naming an SSM parameter `/batch/<job>/<variable-in-kebab-case>` to create.
 */
import { parse as parseDotenv } from "dotenv";
import { convertCron, runsSkippedByDaylightSaving } from "../cron";
import { ECR_REPOSITORY_NAME, IMAGE_TAG, parseImageReference, DIGEST } from "../images";
import { isRootUser, JOB_NAME } from "../inventory";
import type { CrontabEntry } from "./crontab";
import type { HostFiles, LineContainer } from "./line";
import { isSecretOption } from "./redact";
import { isSecretVariable } from "./secret-names";
import { fargateSize } from "./sizing";
import type { ContainerSpec, Finding } from "./types";

/** Tag written for an image that has no version tag; valid for the inventory, and obviously not a real version. */
export const PLACEHOLDER_TAG = "TODO-pin-version";
/** User written when the host gave none, or root. */
export const PLACEHOLDER_USER = "1000:1000";
export const DEFAULT_TIMEOUT_SECONDS = 3600;
/** The policy pack's `job-timeout` ceiling (maxAttemptDurationSeconds in policies/config). */
export const MAX_TIMEOUT_SECONDS = 86_400;
const MIN_TIMEOUT_SECONDS = 60;
const MAX_SCRATCH_PATHS = 5;
/** Written instead of a command argument that looks like a secret. */
export const REDACTED_ARGUMENT = "REDACTED";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ABSOLUTE_PATH = /^\/[A-Za-z0-9._/-]*$/;
const USER_VALUE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/;
const PRIVATE_ECR = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** A job as the inventory file holds it, fields in the order they are written. */
export interface InventoryJob {
  name: string;
  description: string;
  image: string | { repository: string; tag: string };
  command?: string[];
  platform: "fargate";
  architecture?: "arm64";
  vcpu: number;
  memory: number;
  timeout: string;
  schedule: string;
  timezone: string;
  user: string;
  environment?: Record<string, string>;
  secrets?: Record<string, string>;
  scratchPaths?: string[];
  dependencies?: string[];
}

/** A secret the user creates before the first run. */
export interface SecretToCreate {
  job: string;
  variable: string;
  /** SSM parameter name. */
  parameter: string;
  line: number;
  /** Where the value came from (`-e DB_PASSWORD`, `--env-file /opt/app/.env`, ...). */
  origin: string;
}

export interface ImportedJob {
  line: number;
  /** TODOs and notes exclude the secrets to create, listed in `secrets`. */
  /** How the name was chosen, e.g. `--name nightly_etl`. */
  nameSource: string;
  job: InventoryJob;
  todos: string[];
  notes: string[];
  secrets: SecretToCreate[];
}

/** A reason the entry cannot become a job. */
export class BuildSkip extends Error {}

export interface BuildContext {
  files: HostFiles;
  /** `--timezone`; UTC when undefined. */
  defaultTimezone?: string;
  namePrefix: string;
  /** Names already given; the new name is added. */
  takenNames: Set<string>;
  /** Shown in descriptions, e.g. "crontab". */
  source: string;
}

/** `nightly_ETL.v2` -> `nightly-etl-v2`, valid for the inventory and unique among `taken`. */
export function jobName(base: string, prefix: string, taken: Set<string>): string {
  let name = `${prefix}${base}`.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  if (!/^[a-z]/.test(name)) name = `job-${name}`.replace(/-+$/, "");
  if (name.length < 2) name = `${name}-job`;
  const fit = (n: string, room: number) => n.slice(0, 40 - room).replace(/-+$/, "");
  name = fit(name, 0);
  if (!taken.has(name)) {
    taken.add(name);
    return name;
  }
  for (let k = 2; ; k++) {
    const candidate = `${fit(name, String(k).length + 1)}-${k}`;
    if (!taken.has(candidate)) {
      taken.add(candidate);
      return candidate;
    }
  }
}

/** The last path part of an image without tag or digest: `registry:5000/team/etl:1.2` -> `etl`. */
export function imageBaseName(image: string): string {
  const name = parseImageReference(image).name;
  return name.slice(name.lastIndexOf("/") + 1);
}

/** Seconds as the inventory writes durations: `1h`, `1h30m`, `45m`, `90s`. */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s ? `${s}s` : ""}` || "0s";
}

/** Splits a reference into registry host and repository path (Docker's rule: a first part with "." or ":", or "localhost"). */
function splitRegistry(name: string): { registry?: string; path: string } {
  const slash = name.indexOf("/");
  if (slash > 0) {
    const first = name.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost") return { registry: first, path: name.slice(slash + 1) };
  }
  return { path: name };
}

/** The inventory image for a host image reference, with findings. Throws `BuildSkip` when it cannot be one. */
export function inventoryImage(reference: string): { image: InventoryJob["image"]; findings: Finding[] } {
  const findings: Finding[] = [];
  const ref = parseImageReference(reference);
  const { registry, path } = splitRegistry(ref.name);
  let tag = ref.tag;
  const placeholder = (why: string) => {
    findings.push({
      level: "todo",
      message: `the host ran ${reference}, ${why}: the tag ${PLACEHOLDER_TAG} stands in for the version the host ran; find it (docker image inspect ${reference} on the host) and set that version tag`,
    });
    return PLACEHOLDER_TAG;
  };
  if (ref.digest !== undefined && !DIGEST.test(ref.digest)) throw new BuildSkip(`image "${reference}": the digest is not of the form sha256:<64 hex digits>`);
  if (tag !== undefined && tag !== "" && !IMAGE_TAG.test(tag)) throw new BuildSkip(`image "${reference}": "${tag}" is not a valid Docker tag`);

  if (registry !== undefined && PRIVATE_ECR.test(registry)) {
    if (ref.digest !== undefined) return { image: reference, findings };
    if (tag === undefined || tag === "" || tag.toLowerCase() === "latest") {
      tag = placeholder(tag ? 'tagged "latest", which moves under the job' : "without a tag (so :latest)");
    }
    return { image: `${ref.name}:${tag}`, findings };
  }

  const repository = registry === undefined || registry === "docker.io" || registry === "index.docker.io" || registry === "registry-1.docker.io"
    ? path.replace(/^library\//, "")
    : path;
  if (!ECR_REPOSITORY_NAME.test(repository)) {
    throw new BuildSkip(`image "${reference}": "${repository}" is not a valid ECR repository name (lower-case letters, digits, ".", "_", "-", "/")`);
  }
  if (tag === undefined || tag === "" || tag.toLowerCase() === "latest") {
    tag = ref.digest !== undefined
      ? placeholder(`pinned by digest ${ref.digest}; ECR repositories of the stack are addressed by tag`)
      : placeholder(tag ? 'tagged "latest", which moves under the job' : "without a tag (so :latest)");
  }
  const from = registry ?? "Docker Hub";
  findings.push({
    level: "note",
    message:
      `image from ${from}: the stack creates the ECR repository "${repository}" (prefixed with the environment); push the image there before the first run: ` +
      `docker pull ${reference} && docker tag ${reference} <account>.dkr.ecr.<region>.amazonaws.com/<environment>/${repository}:${tag} && docker push <that name>`,
  });
  return { image: { repository, tag }, findings };
}

/** `linux/arm64` -> arm64. */
function architecture(platform: string | undefined, findings: Finding[]): "arm64" | undefined {
  if (platform === undefined) return undefined;
  const [os, arch] = platform.toLowerCase().split("/");
  if (os === "linux" && (arch === "arm64" || arch === "aarch64")) return "arm64";
  if (os === "linux" && (arch === "amd64" || arch === "x86_64")) return undefined;
  findings.push({ level: "todo", message: `platform ${platform}: Fargate runs linux/amd64 and linux/arm64 only; the job is written for linux/amd64` });
  return undefined;
}

interface EnvValue {
  value?: string;
  origin: string;
}

/** Variables of an env file. Docker's own format keeps quotes and "#" literally; dotenv rules are used, and differences noted. */
function readEnvFile(text: string): { values: Record<string, string>; bare: string[]; quirks: boolean } {
  const values = parseDotenv(text);
  const bare: string[] = [];
  let quirks = false;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*$/.exec(line);
    if (m) bare.push(m[1]);
    else if (/^[^=]+=\s*["']/.test(line) || /=.*\s#/.test(line)) quirks = true;
  }
  return { values, bare, quirks };
}

function ssmParameterName(job: string, variable: string): string {
  return `/batch/${job}/${variable.toLowerCase().replace(/_/g, "-")}`;
}

/** Resolves the environment sources in Docker's order; returns the final variables and findings. */
function resolveEnvironment(spec: ContainerSpec, line: LineContainer, files: HostFiles, findings: Finding[]): Map<string, EnvValue> {
  const env = new Map<string, EnvValue>();
  const inherit = (name: string, origin: string) => {
    const value = line.clientEnv[name];
    env.set(name, value === undefined ? { origin } : { value, origin });
  };
  for (const source of spec.env) {
    if (source.kind === "value") env.set(source.name, { value: source.value, origin: source.origin });
    else if (source.kind === "inherit") inherit(source.name, source.origin);
    else {
      const text = files.read(source.path);
      if (text === undefined) {
        if (source.required) {
          findings.push({
            level: "todo",
            message: `cannot read the env file ${source.shownPath} (looked at ${source.path}), so its variables are missing: copy it (see --root) and import again, or add them by hand`,
          });
        }
        continue;
      }
      const read = readEnvFile(text);
      for (const [name, value] of Object.entries(read.values)) env.set(name, { value, origin: source.origin });
      for (const name of read.bare) inherit(name, `${source.origin} ${name}`);
      if (read.quirks && source.dockerFormat) {
        findings.push({
          level: "note",
          message: `${source.origin}: docker run keeps quotes and "# ..." in env file values literally; the import read the values with dotenv rules (quotes and trailing comments removed): check them`,
        });
      }
    }
  }
  return env;
}

/** Builds the job. Throws `BuildSkip` when the entry cannot become one. */
export function buildJob(entry: CrontabEntry, line: LineContainer, ctx: BuildContext): ImportedJob {
  const { spec } = line;
  const findings: Finding[] = [...line.findings, ...spec.findings];
  const unknown = [...line.unresolved, ...spec.unresolved, ...line.substitutions];
  const unknownIn = (value: string) => unknown.filter((u) => value.includes(u));
  const hasUnresolved = (value: string) => unknownIn(value).length > 0;

  // Image.
  let image: InventoryJob["image"];
  let shownImage: string;
  if (spec.image !== undefined) {
    if (hasUnresolved(spec.image) || /\$\{?[A-Za-z_]/.test(spec.image)) {
      throw new BuildSkip(`the image "${spec.image}" depends on a variable or command the crontab does not set: write the image reference on the line or set the variable in the crontab`);
    }
    const planned = inventoryImage(spec.image);
    image = planned.image;
    findings.push(...planned.findings);
    shownImage = spec.image;
  } else {
    const repository = jobName(spec.service ?? "app", "", new Set());
    image = { repository, tag: PLACEHOLDER_TAG };
    shownImage = `built from ${spec.buildContext}`;
    findings.push({
      level: "todo",
      message:
        `service "${spec.service}" is built on the host from ${spec.buildContext} and has no image: build it, push it to the ECR repository "${repository}" the stack creates, and set the tag (${PLACEHOLDER_TAG} is a placeholder); ` +
        `or copy the build context into the project and let the stack build it (image.build, docs/inventory.md)`,
    });
  }

  // Name.
  let base: string;
  let nameSource: string;
  if (spec.containerName !== undefined && !hasUnresolved(spec.containerName)) {
    base = spec.containerName;
    nameSource = `--name ${spec.containerName}`;
  } else if (spec.service !== undefined) {
    base = spec.service;
    nameSource = `compose service ${spec.service}`;
  } else {
    base = imageBaseName(spec.image!);
    nameSource = `image ${spec.image}`;
  }
  const name = jobName(base, ctx.namePrefix, ctx.takenNames);

  // Command, with the entrypoint the host replaced.
  let command = spec.command;
  if (spec.entrypoint !== undefined) {
    const shown = spec.entrypoint.length === 0 ? '""' : spec.entrypoint.join(" ");
    command = [...spec.entrypoint, ...(spec.command ?? [])];
    findings.push({
      level: "todo",
      message:
        `the host replaced the image's ENTRYPOINT with ${shown}; a job definition can only set the command, which is written ` +
        `as the entrypoint followed by its arguments: right if the image has no ENTRYPOINT (docker image inspect -f '{{.Config.Entrypoint}}' IMAGE), otherwise change the image`,
    });
  }
  if (command !== undefined) {
    command = command.map((arg, k) => {
      if (k > 0 && isSecretOption(command![k - 1]) && !arg.startsWith("-")) {
        findings.push({
          level: "todo",
          message: `the argument after ${command![k - 1]} looks like a secret and is written as ${REDACTED_ARGUMENT}: have the program read it from an environment variable and list that variable under secrets`,
        });
        return REDACTED_ARGUMENT;
      }
      const eq = /^(--?[A-Za-z][A-Za-z0-9_-]*)=/.exec(arg);
      if (eq && isSecretOption(eq[1])) {
        findings.push({
          level: "todo",
          message: `the value of ${eq[1]} looks like a secret and is written as ${REDACTED_ARGUMENT}: have the program read it from an environment variable and list that variable under secrets`,
        });
        return `${eq[1]}=${REDACTED_ARGUMENT}`;
      }
      if (hasUnresolved(arg)) {
        findings.push({
          level: "todo",
          message: `the argument "${arg}" depends on ${unknownIn(arg).join(", ")}, which the host computed when the job ran; Batch passes it literally: compute it inside the container or write the value`,
        });
      }
      return arg;
    });
    if (command.length === 0) command = undefined;
  }
  if (line.globs.length > 0) {
    findings.push({ level: "note", message: `the host shell matched ${line.globs.join(", ")} against the files of its directory; Batch passes the pattern as it is` });
  }

  // Sizes and platform.
  const size = fargateSize(spec.cpus, spec.memory);
  findings.push(...size.findings);
  const arch = architecture(spec.platform, findings);

  // Timeout.
  let timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
  if (line.timeoutSeconds !== undefined) {
    timeoutSeconds = Math.ceil(line.timeoutSeconds);
    if (timeoutSeconds < MIN_TIMEOUT_SECONDS) {
      findings.push({ level: "note", message: `timeout ${formatDuration(timeoutSeconds)} on the host: AWS Batch's shortest timeout is 60 s` });
      timeoutSeconds = MIN_TIMEOUT_SECONDS;
    } else if (timeoutSeconds > MAX_TIMEOUT_SECONDS) {
      findings.push({ level: "todo", message: `timeout ${formatDuration(timeoutSeconds)} on the host: the stack's policy allows at most 24h per attempt; the job gets 24h` });
      timeoutSeconds = MAX_TIMEOUT_SECONDS;
    }
  } else {
    findings.push({ level: "note", message: "no timeout on the host: 1h is a starting point; set a few times the typical run time" });
  }

  // Schedule and time zone.
  const timezone = entry.timezone?.name ?? ctx.defaultTimezone ?? "UTC";
  if (convertCron(entry.schedule).expressions.length > 1) {
    findings.push({
      level: "note",
      message: `"${entry.schedule}" restricts both day-of-month and day-of-week (cron runs on days matching either): it becomes two EventBridge schedules, and on a day matching both the job starts twice`,
    });
  }
  if (timezone !== "UTC") {
    const skipped = runsSkippedByDaylightSaving(entry.schedule, timezone);
    if (skipped.length > 0) {
      findings.push({
        level: "note",
        message: `in ${timezone}, runs at times that do not exist when clocks go forward (${skipped.slice(0, 2).join(", ")}${skipped.length > 2 ? ", ..." : ""}) are skipped by EventBridge Scheduler; cron ran them right after the change`,
      });
    }
  }

  // User.
  let user = PLACEHOLDER_USER;
  if (spec.user === undefined) {
    findings.push({
      level: "todo",
      message: `the host gave no user, so the container ran as the image's USER (root unless the Dockerfile sets one); Batch jobs here must not run as root: ${PLACEHOLDER_USER} is a placeholder; set the image's non-root UID:GID (docker image inspect -f '{{.Config.User}}' IMAGE)`,
    });
  } else if (hasUnresolved(spec.user)) {
    findings.push({ level: "todo", message: `the user "${spec.user}" depends on ${unknownIn(spec.user).join(", ")}, which the host computed: ${PLACEHOLDER_USER} is a placeholder; set the UID:GID the job runs as` });
  } else if (isRootUser(spec.user)) {
    findings.push({
      level: "todo",
      message: `the container ran as root (user ${spec.user}); Batch jobs here must not: ${PLACEHOLDER_USER} is a placeholder; make the image work as a non-root user and set its UID:GID`,
    });
  } else if (!USER_VALUE.test(spec.user)) {
    findings.push({ level: "todo", message: `the user "${spec.user}" is not a user name or UID[:GID]: ${PLACEHOLDER_USER} is a placeholder` });
  } else {
    user = spec.user;
  }
  const hostUser = line.sudoUser ?? entry.user;
  if (hostUser !== undefined) {
    findings.push({ level: "note", message: `the host ran the docker command as ${hostUser}; inside the container the job runs as ${user}` });
  }

  // Environment and secrets.
  const environment: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  const toCreate: SecretToCreate[] = [];
  for (const [variable, { value, origin }] of resolveEnvironment(spec, line, ctx.files, findings)) {
    if (!ENV_NAME.test(variable)) {
      findings.push({ level: "todo", message: `${origin}: "${variable}" is not a valid environment variable name for a job definition: not imported` });
      continue;
    }
    if (variable.startsWith("AWS_BATCH")) {
      findings.push({ level: "todo", message: `${origin}: AWS Batch reserves the AWS_BATCH prefix: ${variable} is not imported` });
      continue;
    }
    if (isSecretVariable(variable, value) && value !== "") {
      const parameter = ssmParameterName(name, variable);
      secrets[variable] = parameter;
      toCreate.push({ job: name, variable, parameter, line: entry.line, origin });
      continue;
    }
    if (value === undefined) {
      findings.push({
        level: "todo",
        message: `${origin}: ${variable} takes its value from the docker command's environment, which does not set it (cron passes HOME, LOGNAME, SHELL, PATH and the crontab's variables): set its value under environment`,
      });
      continue;
    }
    if (hasUnresolved(value)) {
      findings.push({
        level: "todo",
        message: `${origin}: the value of ${variable} ("${value}") depends on ${unknownIn(value).join(", ")}, which the host computed when the job ran: not imported; set the value under environment`,
      });
      continue;
    }
    environment[variable] = value;
  }

  // Writable paths.
  let scratchPaths: string[] | undefined;
  if (spec.scratchPaths.length > 0) {
    const paths = [...new Set(["/tmp", ...spec.scratchPaths.map((p) => p.replace(/\/+$/, "") || "/")])];
    const valid = paths.filter((p) => ABSOLUTE_PATH.test(p) && p !== "/");
    const invalid = paths.filter((p) => !valid.includes(p));
    if (invalid.length > 0) findings.push({ level: "todo", message: `scratch paths ${invalid.join(", ")} cannot be job mounts: not imported` });
    if (valid.length > MAX_SCRATCH_PATHS) {
      findings.push({ level: "todo", message: `more than ${MAX_SCRATCH_PATHS} writable paths (${valid.join(", ")}): the inventory takes ${MAX_SCRATCH_PATHS}; the rest are not imported` });
    }
    scratchPaths = valid.slice(0, MAX_SCRATCH_PATHS);
  }

  const job: InventoryJob = {
    name,
    description: `Imported from ${ctx.source} line ${entry.line}: ${spec.via} ${spec.service !== undefined ? `${spec.service} (${shownImage})` : shownImage}`,
    image,
    ...(command !== undefined ? { command } : {}),
    platform: "fargate",
    ...(arch !== undefined ? { architecture: arch } : {}),
    vcpu: size.vcpu,
    memory: size.memory,
    timeout: formatDuration(timeoutSeconds),
    schedule: entry.schedule,
    timezone,
    user,
    ...(Object.keys(environment).length > 0 ? { environment } : {}),
    ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
    ...(scratchPaths !== undefined ? { scratchPaths } : {}),
    ...(spec.dependsOn.length > 0 ? { dependencies: spec.dependsOn } : {}),
  };
  if (!JOB_NAME.test(job.name)) throw new Error(`internal: job name "${job.name}" is not valid`);

  return {
    line: entry.line,
    nameSource,
    job,
    todos: findings.filter((f) => f.level === "todo").map((f) => f.message),
    notes: findings.filter((f) => f.level === "note").map((f) => f.message),
    secrets: toCreate,
  };
}
