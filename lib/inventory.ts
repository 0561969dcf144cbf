/**
 * The job inventory: one YAML file (default `jobs.yaml`) with one entry per on-premise cron job. It is the
 * guide's inventory spreadsheet made executable. `loadInventory` reads and validates it, applies the stack's
 * per-job overrides and returns typed job specs, or throws a `ConfigError` listing every problem at once.
 *
 * The fields are documented in docs/inventory.md.
 */
import * as fs from "node:fs";
import * as YAML from "yaml";
import { z } from "zod";
import { ConfigError } from "./errors";
import { checkFargatePair, FARGATE_VCPUS } from "./fargate";
import { checkBuild, checkSharedBuilds, ImageBuildSpec } from "./image-build";
import { ECR_REPOSITORY_NAME, IMAGE_TAG, parseImageReference, unpinnedReason, withTag } from "./images";
import { formatIssue, Path } from "./schema";
import { looksLikeSecretName, parseSecretReference, SecretReference } from "./secrets";
import { assertTimeZone } from "./cron";
import { checkSchedule } from "./schedule-check";

export const PLATFORMS = ["fargate", "fargate-spot", "ec2", "ec2-spot"] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Fargate and Fargate Spot run on Fargate; the others on EC2 container instances. */
export function isFargatePlatform(platform: Platform): boolean {
  return platform === "fargate" || platform === "fargate-spot";
}

export const ARCHITECTURES = ["x86_64", "arm64"] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/** Job names become parts of resource names (job definitions, log groups, roles): lower case, digits, dashes. */
export const JOB_NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const IAM_ACTION = /^[a-z0-9-]+:[A-Za-z0-9*]+$/;
const ABSOLUTE_PATH = /^\/[A-Za-z0-9._/-]*$/;

export interface ImageFromRepository {
  kind: "repository";
  /** ECR repository name, as in the inventory; the stack creates it (prefixed with the environment). */
  repository: string;
  tag: string;
  /** Built from a directory of the project and pushed by the stack (see lib/image-build.ts); absent: pushed by hand. */
  build?: ImageBuildSpec;
}
export interface ImageFromReference {
  kind: "reference";
  /** A full image reference pinned by tag or digest. */
  reference: string;
}
export type ImageSpec = ImageFromRepository | ImageFromReference;

export interface Permission {
  actions: string[];
  resources: string[];
}

/** A validated job, with the stack's overrides applied. */
export interface JobSpec {
  name: string;
  description?: string;
  owner?: string;
  image: ImageSpec;
  command?: string[];
  platform: Platform;
  architecture: Architecture;
  vcpu: number;
  /** MiB */
  memory: number;
  timeoutSeconds: number;
  /** Unix crontab expression as written on-premise. */
  schedule?: string;
  /** IANA time zone the schedule is written in. */
  timezone: string;
  /** Minutes after the scheduled time within which EventBridge Scheduler may start the job (1-1440); absent: on time. */
  flexibleWindowMinutes?: number;
  environment: Record<string, string>;
  secrets: Record<string, SecretReference>;
  retry: { attempts: number; exitCodes: number[] };
  user: string;
  readonlyRootFilesystem: boolean;
  /** Writable scratch mounts when the root file system is read-only. */
  scratchPaths: string[];
  ephemeralStorageGiB?: number;
  permissions: Permission[];
  dependencies: string[];
  typicalDurationMinutes?: number;
  onPremCostPerRun?: number;
  enabled: boolean;
  /** Name of a job whose success starts this one. */
  after?: string;
}

export interface Inventory {
  jobs: JobSpec[];
}

/** Durations: seconds as a number, or `90s`, `45m`, `2h`, `1h30m`. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value > 0 ? value : undefined;
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value.trim());
  if (!m || value.trim() === "") return undefined;
  const seconds = Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  return seconds > 0 ? seconds : undefined;
}

const timeZoneProblems = new Map<string, string | undefined>();

/**
 * Why `tz` is not a time zone EventBridge Scheduler accepts (an IANA name spelled as in the database), or
 * undefined. Cached: inventories repeat a handful of zones.
 */
export function timeZoneProblem(tz: string): string | undefined {
  if (!timeZoneProblems.has(tz)) {
    try {
      assertTimeZone(tz);
      timeZoneProblems.set(tz, undefined);
    } catch (err) {
      timeZoneProblems.set(tz, (err as Error).message);
    }
  }
  return timeZoneProblems.get(tz);
}

const ROOT_USERS = new Set(["root", "0", "0:0", "root:root"]);

export function isRootUser(user: string): boolean {
  const u = user.trim();
  return u === "" || ROOT_USERS.has(u) || /^(0|root):/.test(u);
}

const duration = z.union([z.string(), z.number()]);
const imageObject = z.strictObject({ repository: z.string(), tag: z.string(), build: z.unknown().optional() });

const retrySchema = z.strictObject({
  attempts: z.number().int().min(1, "must be between 1 and 10 (AWS Batch limit)").max(10, "must be between 1 and 10 (AWS Batch limit)").default(3),
  exitCodes: z
    .array(z.number().int().min(1, "exit codes to retry must be 1-255 (0 is success)").max(255, "exit codes to retry must be 1-255"))
    .max(2, "at most 2 retryable exit codes fit in the retry strategy's 5 conditions")
    .default([]),
});

const permissionSchema = z.strictObject({
  actions: z.array(z.string()).min(1),
  resources: z.array(z.string()).min(1),
});

/** Fields a job may take; `defaults` may set the shared subset. */
const jobShape = {
  name: z.string(),
  description: z.string().optional(),
  owner: z.string().min(1).optional(),
  image: z.union([z.string(), imageObject], { error: 'must be "registry/name:tag" or { repository, tag, build? }' }),
  command: z.array(z.string(), { error: "must be a list of strings, e.g. [python, app.py]" }).min(1).optional(),
  platform: z.enum(PLATFORMS).default("fargate"),
  architecture: z.enum(ARCHITECTURES).default("x86_64"),
  vcpu: z.number().positive(),
  memory: z.number().int().positive(),
  timeout: duration,
  schedule: z.string().optional(),
  timezone: z.string().default("UTC"),
  flexibleWindowMinutes: z
    .number()
    .int("whole minutes, e.g. 15")
    .min(1, "must be 1-1440 minutes (EventBridge Scheduler's flexible time window)")
    .max(1440, "must be 1-1440 minutes (EventBridge Scheduler's flexible time window)")
    .optional(),
  environment: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}),
  secrets: z.record(z.string(), z.string()).default({}),
  retry: retrySchema.default({ attempts: 3, exitCodes: [] }),
  user: z.union([z.string(), z.number().transform(String)]),
  readonlyRootFilesystem: z.boolean().default(true),
  scratchPaths: z.array(z.string()).max(5).default(["/tmp"]),
  ephemeralStorageGiB: z.number().int().min(21, "must be 21-200 GiB (Fargate limits)").max(200, "must be 21-200 GiB (Fargate limits)").optional(),
  permissions: z.array(permissionSchema).default([]),
  dependencies: z.array(z.string()).default([]),
  typicalDurationMinutes: z.number().positive().optional(),
  onPremCostPerRun: z.number().nonnegative().optional(),
  enabled: z.boolean().default(true),
  after: z.string().optional(),
};

type JobShape = typeof jobShape;
type RawJob = { [K in keyof JobShape]: z.output<JobShape[K]> };

/**
 * Parses each field on its own, so that one bad field does not hide the problems of the others: every problem
 * of a job is reported in one run.
 */
function parseFields(job: Record<string, unknown>): { value: Partial<RawJob>; issues: z.core.$ZodIssue[] } {
  const value: Record<string, unknown> = {};
  const issues: z.core.$ZodIssue[] = [];
  const unknown = Object.keys(job).filter((k) => !(k in jobShape));
  if (unknown.length > 0) {
    issues.push({ code: "unrecognized_keys", keys: unknown, path: [], message: "", input: job } as z.core.$ZodIssue);
  }
  for (const [key, schema] of Object.entries(jobShape) as [keyof JobShape, z.ZodType][]) {
    const parsed = schema.safeParse(job[key]);
    if (parsed.success) {
      if (parsed.data !== undefined) value[key] = parsed.data;
    } else {
      for (const issue of parsed.error.issues) issues.push({ ...issue, path: [key, ...issue.path] } as z.core.$ZodIssue);
    }
  }
  return { value: value as Partial<RawJob>, issues };
}

export const DEFAULTABLE_FIELDS = [
  "owner",
  "platform",
  "architecture",
  "timeout",
  "timezone",
  "environment",
  "retry",
  "user",
  "readonlyRootFilesystem",
  "scratchPaths",
] as const;

const inventorySchema = z.strictObject({
  version: z.literal(1).optional(),
  defaults: z.record(z.string(), z.unknown()).optional(),
  jobs: z.array(z.unknown()).min(1, "must list at least one job"),
});

/** Per-job settings a stack may override (e.g. a smaller size or another image tag in dev). */
export const overrideSchema = z.strictObject({
  imageTag: z.string().optional(),
  vcpu: z.number().positive().optional(),
  memory: z.number().int().positive().optional(),
  timeout: duration.optional(),
  platform: z.enum(PLATFORMS).optional(),
  enabled: z.boolean().optional(),
  retryAttempts: z.number().int().min(1).max(10).optional(),
});
export type JobOverride = z.output<typeof overrideSchema>;

/** Reads and validates an inventory file. */
export function loadInventory(file: string, overrides: Record<string, JobOverride> = {}, options: InventoryOptions = {}): Inventory {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (err as Error).message;
    throw new ConfigError(file, [`cannot read the job inventory (${reason}): create it or set the stack's "inventory" config to its path`]);
  }
  return parseInventory(text, file, overrides, options);
}

/** Parses and validates inventory YAML text; `source` names the file in messages. */
export function parseInventory(text: string, source: string, overrides: Record<string, JobOverride> = {}, options: InventoryOptions = {}): Inventory {
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(source, doc.errors.map((e) => `YAML syntax: ${e.message.split("\n")[0]}`));
  }
  return validateInventory(doc.toJS(), source, overrides, options);
}

export interface InventoryOptions {
  /** Directory that `image.build.context` paths are relative to: the Pulumi project directory. Default: the working directory. */
  projectRoot?: string;
}

/** Validates an already-parsed inventory object. */
export function validateInventory(data: unknown, source: string, overrides: Record<string, JobOverride> = {}, options: InventoryOptions = {}): Inventory {
  const problems: string[] = [];
  const top = inventorySchema.safeParse(data ?? {});
  if (!top.success) {
    for (const issue of top.error.issues) {
      problems.push(formatIssue(issue, (path) => ({ where: "inventory", field: path })));
    }
    throw new ConfigError(source, problems);
  }
  const defaults = top.data.defaults ?? {};
  for (const key of Object.keys(defaults)) {
    if (!(DEFAULTABLE_FIELDS as readonly string[]).includes(key)) {
      problems.push(`defaults: field "${key}" cannot have a default: allowed are ${DEFAULTABLE_FIELDS.join(", ")}`);
    }
  }

  const rawJobs = top.data.jobs;
  const names = rawJobs.map((j, i) => (isRecord(j) && typeof j.name === "string" ? j.name : `#${i + 1}`));
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    if (seen.has(name)) problems.push(`job "${name}": field "name" is used by job #${seen.get(name)! + 1} too: job names must be unique`);
    else seen.set(name, i);
  });

  for (const key of Object.keys(overrides)) {
    if (!seen.has(key)) {
      problems.push(`stack config "jobOverrides": job "${key}" is not in the inventory (jobs: ${names.join(", ")})`);
    }
  }

  const jobs: JobSpec[] = [];
  rawJobs.forEach((raw, i) => {
    const name = names[i];
    const where = `job "${name}"`;
    if (!isRecord(raw)) {
      problems.push(`${where}: must be a mapping of fields (name, image, vcpu, memory, ...)`);
      return;
    }
    const merged = applyOverride({ ...pick(defaults, DEFAULTABLE_FIELDS), ...raw, environment: mergeEnv(defaults.environment, raw.environment) }, overrides[name]);
    const jobProblems: string[] = [];
    const fields = parseFields(merged.job);
    for (const issue of fields.issues) {
      jobProblems.push(formatIssue(issue, (path: Path) => ({ where, field: path })) + overrideNote(path0(issue.path), merged.overridden));
    }
    const spec = checkJob(
      fields.value,
      (field, message) => jobProblems.push(`${where}: field "${field}": ${message}${overrideNote(field, merged.overridden)}`),
      options.projectRoot ?? process.cwd(),
    );
    problems.push(...jobProblems);
    if (spec && jobProblems.length === 0) jobs.push(spec);
  });

  problems.push(...checkChains(jobs), ...checkSharedBuilds(jobs));
  if (problems.length > 0) throw new ConfigError(source, problems);
  return { jobs };
}

function path0(path: readonly PropertyKey[]): string {
  return path.length > 0 ? String(path[0]) : "";
}

function overrideNote(field: string, overridden: Set<string>): string {
  return overridden.has(field) ? " (value from the stack's jobOverrides)" : "";
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function pick(obj: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => keys.includes(k)));
}

function mergeEnv(defaults: unknown, own: unknown): unknown {
  if (own === undefined) return defaults;
  if (isRecord(defaults) && isRecord(own)) return { ...defaults, ...own };
  return own;
}

function applyOverride(job: Record<string, unknown>, override: JobOverride | undefined): { job: Record<string, unknown>; overridden: Set<string> } {
  const overridden = new Set<string>();
  if (!override) return { job, overridden };
  const out = { ...job };
  const set = (field: string, value: unknown) => {
    out[field] = value;
    overridden.add(field);
  };
  if (override.imageTag !== undefined) {
    if (typeof out.image === "string") set("image", withTag(out.image, override.imageTag));
    else if (isRecord(out.image)) set("image", { ...out.image, tag: override.imageTag });
  }
  if (override.vcpu !== undefined) set("vcpu", override.vcpu);
  if (override.memory !== undefined) set("memory", override.memory);
  if (override.timeout !== undefined) set("timeout", override.timeout);
  if (override.platform !== undefined) set("platform", override.platform);
  if (override.enabled !== undefined) set("enabled", override.enabled);
  if (override.retryAttempts !== undefined) set("retry", { ...(isRecord(out.retry) ? out.retry : {}), attempts: override.retryAttempts });
  return { job: out, overridden };
}

/**
 * Rules that need more than one field, or knowledge of AWS. Works on whatever fields parsed, so it reports its
 * problems next to the schema's; returns the spec only when the job is complete and no problem was reported.
 */
function checkJob(raw: Partial<RawJob>, report: (field: string, message: string) => void, projectRoot: string): JobSpec | undefined {
  let ok = true;
  const fail = (field: string, message: string) => {
    ok = false;
    report(field, message);
  };

  if (raw.name !== undefined && !JOB_NAME.test(raw.name)) {
    fail("name", `"${raw.name}" must be 2-40 characters of lower-case letters, digits and dashes, starting with a letter`);
  }

  let image: ImageSpec | undefined;
  if (typeof raw.image === "string") {
    const reason = unpinnedReason(parseImageReference(raw.image));
    if (reason) fail("image", `"${raw.image}" ${reason}`);
    else image = { kind: "reference", reference: raw.image };
  } else if (raw.image !== undefined) {
    if (!ECR_REPOSITORY_NAME.test(raw.image.repository)) {
      fail("image.repository", `"${raw.image.repository}" is not a valid ECR repository name (lower case letters, digits, ".", "_", "-", "/")`);
    }
    if (raw.image.tag.toLowerCase() === "latest") {
      fail("image.tag", '"latest" changes under the job without a deployment: use a version tag such as v1.2.0');
    } else if (!IMAGE_TAG.test(raw.image.tag)) {
      fail("image.tag", `"${raw.image.tag}" is not a valid Docker tag (letters, digits, "_", "." and "-", at most 128 characters)`);
    }
    const build = raw.image.build === undefined ? undefined : checkBuild(raw.image.build, { projectRoot, architecture: raw.architecture }, fail);
    image = { kind: "repository", repository: raw.image.repository, tag: raw.image.tag, ...(build ? { build } : {}) };
  }

  const fargate = raw.platform !== undefined && isFargatePlatform(raw.platform);
  if (fargate && raw.vcpu !== undefined && raw.memory !== undefined) {
    const pair = checkFargatePair(raw.vcpu, raw.memory);
    if (pair) fail(FARGATE_VCPUS.includes(raw.vcpu) ? "memory" : "vcpu", pair);
  } else if (raw.platform !== undefined && !fargate) {
    if (raw.vcpu !== undefined && !Number.isInteger(raw.vcpu)) fail("vcpu", `${raw.vcpu} must be a whole number of vCPUs on EC2 (fractions are for Fargate only)`);
    if (raw.memory !== undefined && raw.memory < 4) fail("memory", "must be at least 4 MiB");
    if (raw.ephemeralStorageGiB !== undefined) {
      fail("ephemeralStorageGiB", `is only available on Fargate: on ${raw.platform}, size the instance volume in a launch template or use platform fargate`);
    }
  }

  const timeoutSeconds = raw.timeout === undefined ? undefined : parseDuration(raw.timeout);
  if (raw.timeout !== undefined) {
    if (timeoutSeconds === undefined) fail("timeout", `"${raw.timeout}" is not a duration: use seconds or a form like 45m, 2h, 1h30m`);
    else if (timeoutSeconds < 60) fail("timeout", `${timeoutSeconds}s is below AWS Batch's minimum of 60 seconds`);
    else if (timeoutSeconds > 14 * 24 * 3600) fail("timeout", "must be at most 14 days (336h)");
  }

  const zoneProblem = raw.timezone === undefined ? undefined : timeZoneProblem(raw.timezone);
  if (zoneProblem) fail("timezone", zoneProblem);
  if (raw.schedule !== undefined) {
    const problem = checkSchedule(raw.schedule);
    if (problem) fail("schedule", problem);
  }

  const environment = raw.environment ?? {};
  for (const [name, value] of Object.entries(environment)) {
    if (!ENV_NAME.test(name)) fail(`environment.${name}`, "is not a valid environment variable name (letters, digits, underscores)");
    else if (name.startsWith("AWS_BATCH")) fail(`environment.${name}`, "uses the AWS_BATCH prefix, which AWS Batch reserves");
    else if (looksLikeSecretName(name) && value !== "") {
      fail(`environment.${name}`, "looks like a secret but has a literal value: store it in Secrets Manager or SSM and list it under secrets");
    }
  }
  const secrets: Record<string, SecretReference> = {};
  for (const [name, value] of Object.entries(raw.secrets ?? {})) {
    if (!ENV_NAME.test(name)) {
      fail(`secrets.${name}`, "is not a valid environment variable name (letters, digits, underscores)");
      continue;
    }
    if (name in environment) fail(`secrets.${name}`, "is also set under environment: keep it in one place");
    const ref = parseSecretReference(value);
    if (typeof ref === "string") fail(`secrets.${name}`, ref);
    else secrets[name] = ref;
  }

  if (raw.user !== undefined) {
    if (isRootUser(raw.user)) {
      fail("user", `"${raw.user}" runs the container as root: set the non-root UID[:GID] the image runs as, e.g. "1000:1000"`);
    } else if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/.test(raw.user)) {
      fail("user", `"${raw.user}" must be a user name or UID, optionally with :group or :GID`);
    }
  }

  (raw.scratchPaths ?? []).forEach((p, i) => {
    if (!ABSOLUTE_PATH.test(p) || p === "/") fail(`scratchPaths[${i}]`, `"${p}" must be an absolute path below / such as /tmp`);
  });

  (raw.permissions ?? []).forEach((perm, i) => {
    for (const action of perm.actions) {
      if (action === "*" || /:\*$/.test(action)) {
        fail(`permissions[${i}].actions`, `"${action}" grants every action: list the actions the job calls, e.g. s3:GetObject`);
      } else if (!IAM_ACTION.test(action)) {
        fail(`permissions[${i}].actions`, `"${action}" is not an IAM action of the form service:Action`);
      }
    }
    for (const resource of perm.resources) {
      if (resource === "*") fail(`permissions[${i}].resources`, '"*" grants access to every resource: list the ARNs the job uses');
      else if (!resource.startsWith("arn:")) fail(`permissions[${i}].resources`, `"${resource}" must be an ARN`);
    }
  });

  if (raw.after !== undefined && raw.after === raw.name) fail("after", "a job cannot run after itself");
  if (raw.flexibleWindowMinutes !== undefined && raw.schedule === undefined) {
    fail("flexibleWindowMinutes", "applies to a schedule, but the job has none: add a schedule or remove flexibleWindowMinutes");
  }

  const r = raw as RawJob;
  if (!ok || !image || timeoutSeconds === undefined || r.name === undefined || r.vcpu === undefined || r.memory === undefined || r.user === undefined) {
    return undefined;
  }
  return {
    name: r.name,
    description: r.description,
    owner: r.owner,
    image,
    command: r.command,
    platform: r.platform,
    architecture: r.architecture,
    vcpu: r.vcpu,
    memory: r.memory,
    timeoutSeconds,
    schedule: r.schedule,
    timezone: r.timezone,
    flexibleWindowMinutes: r.flexibleWindowMinutes,
    environment: r.environment,
    secrets,
    retry: r.retry,
    user: r.user,
    readonlyRootFilesystem: r.readonlyRootFilesystem,
    scratchPaths: r.readonlyRootFilesystem ? r.scratchPaths : [],
    ephemeralStorageGiB: r.ephemeralStorageGiB,
    permissions: r.permissions,
    dependencies: r.dependencies,
    typicalDurationMinutes: r.typicalDurationMinutes,
    onPremCostPerRun: r.onPremCostPerRun,
    enabled: r.enabled,
    after: r.after,
  };
}

/** `after` must name a job in the inventory and chains must not loop. */
function checkChains(jobs: JobSpec[]): string[] {
  const problems: string[] = [];
  const byName = new Map(jobs.map((j) => [j.name, j]));
  for (const job of jobs) {
    if (job.after !== undefined && job.after !== job.name && !byName.has(job.after)) {
      problems.push(`job "${job.name}": field "after" names "${job.after}", which is not a job in the inventory`);
    }
  }
  const reported = new Set<string>();
  for (const start of jobs) {
    const path: string[] = [];
    let current: JobSpec | undefined = start;
    while (current?.after !== undefined && !path.includes(current.name)) {
      path.push(current.name);
      current = byName.get(current.after);
    }
    if (current && path.includes(current.name)) {
      const cycle = [...path.slice(path.indexOf(current.name)), current.name];
      const key = [...cycle].sort().join(",");
      if (!reported.has(key)) {
        reported.add(key);
        problems.push(`job "${start.name}": field "after" forms a cycle (${cycle.join(" -> ")}): one job in the chain needs a schedule instead`);
      }
    }
  }
  return problems;
}
