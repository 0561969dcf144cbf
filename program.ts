/**
 * The program: reads the stack's settings and the job inventory, validates both before declaring anything, then
 * composes the components. `index.ts` (what `pulumi up` runs) and the offline plan both call it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { BatchEnvironment } from "./components/batch-environment";
import { BatchJob } from "./components/batch-job";
import { ImageBuild } from "./components/image-build";
import { ImageRepository } from "./components/image-repository";
import { JobSchedules } from "./components/job-schedule";
import { Monitoring } from "./components/monitoring";
import { Network } from "./components/network";
import { ConfigError } from "./lib/errors";
import { Inventory, isFargatePlatform, loadInventory, Platform, PLATFORMS } from "./lib/inventory";
import { baseTags, logGroupName, repositoryName } from "./lib/naming";
import { scheduleNameClashes } from "./lib/schedule";
import { parseSettings, Settings } from "./lib/settings";

export interface StackInput {
  settings: Settings;
  inventory: Inventory;
  /** Absolute path of the inventory file. */
  inventoryPath: string;
}

/**
 * Reads and validates the stack's config and its inventory. Throws a `ConfigError` with every problem found;
 * nothing has been declared at that point.
 */
export function loadStackInput(): StackInput {
  const project = pulumi.getProject();
  const prefix = `${project}:`;
  const all = pulumi.runtime.allConfig();
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
  }
  const settings = parseSettings(raw, { project, stack: pulumi.getStack(), region: all["aws:region"] });
  const inventoryPath = path.resolve(__dirname, settings.inventory);
  const inventory = loadInventory(inventoryPath, settings.jobOverrides, { projectRoot: __dirname });
  checkCombination(settings, inventory, path.relative(__dirname, inventoryPath) || inventoryPath);
  return { settings, inventory, inventoryPath };
}

/** Rules that need both the stack settings and the inventory. */
function checkCombination(settings: Settings, inventory: Inventory, source: string): void {
  const problems: string[] = [];
  if (settings.network.mode === "create" && settings.network.natGateways === "none" && !settings.network.interfaceEndpoints) {
    problems.push(
      `stack config "natGateways" is "none" but "interfaceEndpoints" is false: jobs in isolated subnets could not pull images or write logs; enable interfaceEndpoints or use a NAT strategy`,
    );
  }
  for (const job of inventory.jobs) {
    if (job.vcpu > settings.compute.maxVcpus) {
      problems.push(`job "${job.name}": field "vcpu" ${job.vcpu} exceeds the stack's maxVcpus ${settings.compute.maxVcpus}: the job would wait in RUNNABLE forever; raise maxVcpus or lower vcpu`);
    }
  }
  problems.push(...scheduleNameClashes(inventory.jobs));
  if (problems.length > 0) throw new ConfigError(source, problems);
}

export interface StackOutputs {
  vpcId: pulumi.Output<string>;
  privateSubnetIds: pulumi.Output<string[]>;
  jobSecurityGroupId: pulumi.Output<string>;
  jobQueueArns: Record<string, pulumi.Output<string>>;
  jobDefinitionArns: Record<string, pulumi.Output<string>>;
  repositoryUrls: Record<string, pulumi.Output<string>>;
  logGroupNames: Record<string, pulumi.Output<string>>;
  alertTopicArn: pulumi.Output<string>;
  dashboardName: pulumi.Output<string>;
  budgetName: pulumi.Output<string>;
  scheduleGroupName: pulumi.Output<string>;
  /** Job name -> names of its EventBridge Scheduler schedules (two where a crontab line splits). */
  scheduleNames: Record<string, pulumi.Output<string[]>>;
  deadLetterQueueUrl: pulumi.Output<string>;
}

/** Declares every resource of the stack. */
export function defineStack(input: StackInput): StackOutputs {
  const { settings, inventory } = input;
  const tags = baseTags(settings);
  const identity = aws.getCallerIdentityOutput();
  const partition = aws.getPartitionOutput().partition;

  const platforms = PLATFORMS.filter((p) => inventory.jobs.some((j) => j.platform === p));
  const network = new Network("network", {
    settings: settings.network,
    region: settings.region,
    ec2Instances: platforms.some((p) => !isFargatePlatform(p)),
    tags,
  });

  const repositories = new Map<string, ImageRepository>();
  for (const job of inventory.jobs) {
    if (job.image.kind !== "repository" || repositories.has(job.image.repository)) continue;
    const repo = job.image.repository;
    repositories.set(
      repo,
      new ImageRepository(`repo-${repo.replace(/[^a-z0-9-]/g, "-")}`, {
        repositoryName: repositoryName(settings.environment, repo),
        keepVersions: settings.ecr.keepVersions,
        untaggedExpiryDays: settings.ecr.untaggedExpiryDays,
        protect: settings.protect,
        tags,
      }),
    );
  }

  const batch = new BatchEnvironment("batch", {
    environment: settings.environment,
    platforms,
    subnetIds: network.privateSubnetIds,
    securityGroupIds: [network.jobSecurityGroupId],
    maxVcpus: settings.compute.maxVcpus,
    runnableTimeoutMinutes: settings.compute.runnableTimeoutMinutes,
    instanceTypes: settings.compute.instanceTypes,
    partition,
    tags,
  });

  // Images the stack builds and pushes itself (`image.build`), once per repository; their jobs run them by digest.
  const builds = new Map<string, ImageBuild>();
  const jobs = new Map<string, BatchJob>();
  for (const job of inventory.jobs) {
    const repo = job.image.kind === "repository" ? repositories.get(job.image.repository)! : undefined;
    let image = job.image.kind === "repository" ? pulumi.interpolate`${repo!.repositoryUrl}:${job.image.tag}` : pulumi.output(job.image.reference);
    if (job.image.kind === "repository" && job.image.build) {
      const { repository, tag, build } = job.image;
      const built =
        builds.get(repository) ??
        new ImageBuild(`build-${repository.replace(/[^a-z0-9-]/g, "-")}`, { repositoryUrl: repo!.repositoryUrl, registryId: repo!.registryId, tag, build });
      builds.set(repository, built);
      image = built.imageReference;
    }
    jobs.set(
      job.name,
      new BatchJob(`job-${job.name}`, {
        job,
        environment: settings.environment,
        image,
        repositoryArn: repo?.arn,
        region: settings.region,
        account: identity.accountId,
        partition,
        logRetentionDays: settings.logRetentionDays,
        retainLogs: settings.protect,
        tags,
      }),
    );
  }

  const schedules = new JobSchedules("schedules", {
    environment: settings.environment,
    jobs: inventory.jobs.map((job) => ({ job, jobQueueArn: batch.queues[job.platform]!.arn, jobDefinitionArn: jobs.get(job.name)!.jobDefinitionArn })),
    schedulesEnabled: settings.schedulesEnabled,
    retry: settings.scheduleRetry,
    account: identity.accountId,
    partition,
    tags,
  });

  // Alerts, dashboard, saved queries and budget, over the queues, jobs and schedules declared above.
  const monitoring = new Monitoring("monitoring", {
    project: settings.project,
    environment: settings.environment,
    region: settings.region,
    account: identity.accountId,
    partition,
    queues: platforms.map((p: Platform) => ({ name: batch.queues[p]!.name, arn: batch.queues[p]!.arn })),
    jobs: inventory.jobs.map((job) => ({ name: job.name, logGroupName: logGroupName(settings.environment, job.name), queueName: batch.queues[job.platform]!.name })),
    alertEmails: settings.alertEmails,
    monthlyBudgetUsd: settings.monthlyBudgetUsd,
    runnableTimeoutMinutes: settings.compute.runnableTimeoutMinutes,
    deadLetterQueueArn: schedules.deadLetterQueueArn,
    tags,
  });

  const byKey = <T>(entries: Iterable<[string, T]>) => Object.fromEntries(entries) as Record<string, T>;
  return {
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    jobSecurityGroupId: network.jobSecurityGroupId,
    jobQueueArns: byKey(platforms.map((p: Platform) => [batch.queues[p]!.name, batch.queues[p]!.arn])),
    jobDefinitionArns: byKey([...jobs].map(([n, j]) => [n, j.jobDefinitionArn])),
    repositoryUrls: byKey([...repositories].map(([n, r]) => [n, r.repositoryUrl])),
    logGroupNames: byKey([...jobs].map(([n, j]) => [n, j.logGroupName])),
    alertTopicArn: monitoring.topicArn,
    dashboardName: monitoring.dashboardName,
    budgetName: monitoring.budgetName,
    scheduleGroupName: schedules.groupName,
    scheduleNames: schedules.scheduleNames(),
    deadLetterQueueUrl: schedules.deadLetterQueueUrl,
  };
}
