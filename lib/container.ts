/**
 * Job definition bodies, as plain data typed with the AWS SDK's own types so that a misspelled or deprecated
 * field does not compile. The BatchJob component resolves the ARNs and passes them in.
 */
import type { ContainerProperties, KeyValuePair, Secret } from "@aws-sdk/client-batch";
import { isFargatePlatform, type JobSpec } from "./inventory";

export interface ContainerRefs {
  /** Full image reference (`<account>.dkr.ecr.<region>.amazonaws.com/dev/app:v1.0.0` or `...@sha256:...`). */
  image: string;
  executionRoleArn: string;
  jobRoleArn: string;
  logGroupName: string;
  region: string;
  /** `valueFrom` per secret name, already resolved to ARNs. */
  secretValueFrom: Record<string, string>;
}

/** `FARGATE` or `EC2`, for the job definition's platformCapabilities. */
export function platformCapability(job: Pick<JobSpec, "platform">): "FARGATE" | "EC2" {
  return isFargatePlatform(job.platform) ? "FARGATE" : "EC2";
}

/** vCPU as AWS expects it in resourceRequirements: "0.25", "1", "16". */
function vcpuValue(vcpu: number): string {
  return String(vcpu);
}

/**
 * Container properties of the job definition. Resources are given as `resourceRequirements`, never the deprecated
 * `vcpus`/`memory` fields; secrets come by `valueFrom`; logs go to the job's own log group via `awslogs`.
 */
export function containerProperties(job: JobSpec, refs: ContainerRefs): ContainerProperties {
  const environment: KeyValuePair[] = Object.keys(job.environment)
    .sort()
    .map((name) => ({ name, value: job.environment[name] }));
  const secrets: Secret[] = Object.keys(job.secrets)
    .sort()
    .map((name) => ({ name, valueFrom: refs.secretValueFrom[name] }));

  const props: ContainerProperties = {
    image: refs.image,
    command: job.command,
    user: job.user,
    readonlyRootFilesystem: job.readonlyRootFilesystem,
    resourceRequirements: [
      { type: "VCPU", value: vcpuValue(job.vcpu) },
      { type: "MEMORY", value: String(job.memory) },
    ],
    executionRoleArn: refs.executionRoleArn,
    jobRoleArn: refs.jobRoleArn,
    environment,
    secrets,
    linuxParameters: { initProcessEnabled: true },
    logConfiguration: {
      logDriver: "awslogs",
      options: {
        "awslogs-group": refs.logGroupName,
        "awslogs-region": refs.region,
        "awslogs-stream-prefix": job.name,
      },
    },
  };
  if (job.scratchPaths.length > 0) {
    props.volumes = job.scratchPaths.map((_, i) => ({ name: `scratch-${i}` }));
    props.mountPoints = job.scratchPaths.map((containerPath, i) => ({ sourceVolume: `scratch-${i}`, containerPath, readOnly: false }));
  }
  if (isFargatePlatform(job.platform)) {
    props.fargatePlatformConfiguration = { platformVersion: "LATEST" };
    props.networkConfiguration = { assignPublicIp: "DISABLED" };
    props.runtimePlatform = { operatingSystemFamily: "LINUX", cpuArchitecture: job.architecture === "arm64" ? "ARM64" : "X86_64" };
    if (job.ephemeralStorageGiB !== undefined) props.ephemeralStorage = { sizeInGiB: job.ephemeralStorageGiB };
  }
  if (props.command === undefined) delete props.command;
  return props;
}

/** One rule of the retry strategy, in the Pulumi input shape (`evaluateOnExits`). */
export interface RetryRule {
  action: "RETRY" | "EXIT";
  onStatusReason?: string;
  onReason?: string;
  onExitCode?: string;
}

export interface RetryStrategyInput {
  attempts: number;
  evaluateOnExits: RetryRule[];
}

/**
 * Retry infrastructure failures, never application failures, unless the job declares retryable exit codes:
 * - `Host EC2*`: the instance was reclaimed (Spot interruption) or failed.
 * - `CannotPullContainerError*`: a transient registry or network failure while pulling the image.
 * - the job's own retryable exit codes (e.g. 75, EX_TEMPFAIL).
 * - a final catch-all EXIT, because AWS Batch retries a failure that matches no rule.
 * AWS allows at most 5 rules. https://docs.aws.amazon.com/batch/latest/userguide/job_retries.html
 */
export function retryStrategy(job: Pick<JobSpec, "retry">): RetryStrategyInput {
  const rules: RetryRule[] = [
    { action: "RETRY", onStatusReason: "Host EC2*" },
    { action: "RETRY", onReason: "CannotPullContainerError*" },
    ...job.retry.exitCodes.map((code): RetryRule => ({ action: "RETRY", onExitCode: String(code) })),
    { action: "EXIT", onReason: "*" },
  ];
  return { attempts: job.retry.attempts, evaluateOnExits: rules };
}
