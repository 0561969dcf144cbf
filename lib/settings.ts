/**
 * Per-stack settings, read from Pulumi config (`Pulumi.yaml` declares the scalar keys with their defaults;
 * `Pulumi.<stack>.yaml` sets them per environment) and validated before any resource is declared.
 */
import { z } from "zod";
import { ConfigError } from "./errors";
import { JobOverride, overrideSchema } from "./inventory";
import { formatIssue } from "./schema";

/** Retention values CloudWatch Logs accepts. https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const NAT_STRATEGIES = ["none", "single", "one-per-az"] as const;
export type NatStrategy = (typeof NAT_STRATEGIES)[number];

/** Interface endpoints that let jobs in private subnets pull images, write logs and read secrets without NAT. */
export const INTERFACE_ENDPOINT_SERVICES = ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm"] as const;

/**
 * Interface endpoints that ECS container instances need to register and report without NAT; only the EC2 and
 * EC2 Spot compute environments run such instances (Fargate needs none of them).
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html
 */
export const ECS_INSTANCE_ENDPOINT_SERVICES = ["ecs", "ecs-agent", "ecs-telemetry"] as const;

export interface NetworkSettings {
  mode: "create" | "existing";
  /** create: VPC CIDR block. */
  cidrBlock: string;
  /** create: number of availability zones (2 or 3). */
  availabilityZones: number;
  /** create: NAT gateways: none (endpoints only), single (one shared, dev) or one-per-az (prod). */
  natGateways: NatStrategy;
  /** Interface endpoints for ECR, CloudWatch Logs, Secrets Manager and SSM. */
  interfaceEndpoints: boolean;
  /** existing: VPC id and private subnet ids; route table ids for the S3 gateway endpoint (optional). */
  vpcId?: string;
  privateSubnetIds: string[];
  routeTableIds: string[];
}

export interface Settings {
  project: string;
  environment: string;
  owner: string;
  region: string;
  inventory: string;
  network: NetworkSettings;
  compute: {
    maxVcpus: number;
    /** Minutes a job may sit blocked at the head of a queue in RUNNABLE before it is cancelled. */
    runnableTimeoutMinutes: number;
    /** EC2 instance types for the EC2 and Spot compute environments. */
    instanceTypes: string[];
  };
  logRetentionDays: number;
  ecr: { keepVersions: number; untaggedExpiryDays: number };
  /** Protect stateful resources (ECR repositories, log groups) against deletion. */
  protect: boolean;
  schedulesEnabled: boolean;
  /** Addresses the stack's alert topic mails (each address confirms its subscription once). */
  alertEmails: string[];
  /** Monthly cost limit of the stack's budget, in USD (resources tagged with this project and environment). */
  monthlyBudgetUsd: number;
  /** Retries of a schedule's or chain's failed delivery to AWS Batch, before it goes to the dead-letter queue. */
  scheduleRetry: { maxEventAgeSeconds: number; retryAttempts: number };
  tags: Record<string, string>;
  jobOverrides: Record<string, JobOverride>;
}

/** Keys under the project namespace, as `pulumi config set <key>` writes them. */
const boolish = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);
const intish = z.union([z.number(), z.string().regex(/^-?\d+$/, "must be a whole number").transform(Number)]).pipe(z.number().int());
const json = <T extends z.ZodType>(schema: T) =>
  z.union([z.string().transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "must be a YAML mapping or list" });
      return z.NEVER;
    }
  }), z.unknown()]).pipe(schema);

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

const configSchema = z.strictObject({
  environment: z.string().regex(/^[a-z][a-z0-9-]{0,15}$/, "must be 1-16 lower-case letters, digits or dashes, e.g. dev or prod"),
  owner: z.string().min(1, "must name the owning team (used in the Owner tag)"),
  inventory: z.string().default("jobs.yaml"),
  vpcMode: z.enum(["create", "existing"]).default("create"),
  vpcCidr: z.string().regex(CIDR, "must be an IPv4 CIDR block such as 10.20.0.0/16").default("10.0.0.0/16"),
  availabilityZones: intish.pipe(z.number().min(2, "must be 2 or 3: Batch needs subnets in at least 2 AZs").max(3, "must be 2 or 3")).default(2),
  natGateways: z.enum(NAT_STRATEGIES).default("single"),
  interfaceEndpoints: boolish.default(false),
  existingVpc: json(
    z.strictObject({
      vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC id such as vpc-0123456789abcdef0"),
      privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "must be subnet ids such as subnet-0123456789abcdef0")).min(2, "must list at least 2 private subnets in different AZs"),
      routeTableIds: z.array(z.string().regex(/^rtb-[0-9a-f]{8,17}$/, "must be route table ids such as rtb-0123456789abcdef0")).default([]),
    }),
  ).optional(),
  maxVcpus: intish.pipe(z.number().min(1).max(10000)).default(16),
  runnableTimeoutMinutes: intish.pipe(z.number().min(10, "must be 10-1440 minutes (AWS allows 600-86400 seconds)").max(1440, "must be 10-1440 minutes (AWS allows 600-86400 seconds)")).default(30),
  instanceTypes: json(z.array(z.string().min(1)).min(1)).default(["default_x86_64"]),
  logRetentionDays: intish
    .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), `must be one of CloudWatch's retention values: ${LOG_RETENTION_DAYS.join(", ")}`)
    .default(14),
  ecrKeepVersions: intish.pipe(z.number().min(1).max(1000)).default(20),
  ecrUntaggedExpiryDays: intish.pipe(z.number().min(1).max(365)).default(7),
  protect: boolish.default(false),
  schedulesEnabled: boolish.default(true),
  alertEmails: json(
    z
      .array(z.email("must be an e-mail address such as ops@example.com"))
      .max(50, "must list at most 50 addresses: subscribe a distribution list instead")
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        for (const address of list) {
          if (seen.has(address.toLowerCase())) ctx.addIssue({ code: "custom", message: `lists "${address}" twice: remove one` });
          seen.add(address.toLowerCase());
        }
      }),
  ).default([]),
  monthlyBudgetUsd: z
    .union([z.number(), z.string().regex(/^\d+$/).transform(Number)], { error: "must be a whole number of USD, e.g. 100" })
    .pipe(z.number().int("must be a whole number of USD, e.g. 100").min(1, "must be a whole number of USD, at least 1").max(1_000_000, "must be at most 1000000 USD"))
    .default(100),
  scheduleMaxEventAgeSeconds: intish
    .pipe(z.number().min(60, "must be 60-86400 seconds (EventBridge limits)").max(86400, "must be 60-86400 seconds (EventBridge limits)"))
    .default(3600),
  scheduleRetryAttempts: intish.pipe(z.number().min(0, "must be 0-185 (EventBridge limits)").max(185, "must be 0-185 (EventBridge limits)")).default(3),
  tags: json(z.record(z.string().regex(TAG_KEY, "is not a valid tag key"), z.string().max(256))).default({}),
  jobOverrides: json(z.record(z.string(), overrideSchema)).default({}),
});

/**
 * Validates raw config values (strings as Pulumi stores them, or already-typed values) for a project.
 * `raw` maps keys without the namespace (`environment`, `maxVcpus`, ...) to values.
 */
export function parseSettings(raw: Record<string, unknown>, context: { project: string; stack: string; region?: string }): Settings {
  const source = `stack "${context.stack}" config`;
  const problems: string[] = [];
  if (!context.region) problems.push('"aws:region" is not set: run `pulumi config set aws:region <region>` for this stack');
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [key, ...rest] = issue.path;
      problems.push(formatIssue(issue, () => ({ where: "config", field: key === undefined ? [] : [`${context.project}:${String(key)}`, ...rest] })));
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(source, problems);
  const c = parsed.data;
  if (c.vpcMode === "existing" && !c.existingVpc) {
    throw new ConfigError(source, [`"${context.project}:existingVpc" is required when vpcMode is "existing": set vpcId and privateSubnetIds`]);
  }
  return {
    project: context.project,
    environment: c.environment,
    owner: c.owner,
    region: context.region!,
    inventory: c.inventory,
    network: {
      mode: c.vpcMode,
      cidrBlock: c.vpcCidr,
      availabilityZones: c.availabilityZones,
      natGateways: c.natGateways,
      interfaceEndpoints: c.interfaceEndpoints,
      vpcId: c.existingVpc?.vpcId,
      privateSubnetIds: c.existingVpc?.privateSubnetIds ?? [],
      routeTableIds: c.existingVpc?.routeTableIds ?? [],
    },
    compute: {
      maxVcpus: c.maxVcpus,
      runnableTimeoutMinutes: c.runnableTimeoutMinutes,
      instanceTypes: c.instanceTypes,
    },
    logRetentionDays: c.logRetentionDays,
    ecr: { keepVersions: c.ecrKeepVersions, untaggedExpiryDays: c.ecrUntaggedExpiryDays },
    protect: c.protect,
    schedulesEnabled: c.schedulesEnabled,
    alertEmails: c.alertEmails,
    monthlyBudgetUsd: c.monthlyBudgetUsd,
    scheduleRetry: { maxEventAgeSeconds: c.scheduleMaxEventAgeSeconds, retryAttempts: c.scheduleRetryAttempts },
    tags: c.tags,
    jobOverrides: c.jobOverrides,
  };
}

/** The keys `parseSettings` understands, for reading them from Pulumi config. */
export const SETTING_KEYS = Object.keys(configSchema.shape);
