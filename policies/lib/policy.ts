/**
 * Small helpers shared by the policy modules.
 */
import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { containerSubject, JobContainer, jobContainers } from "./jobDefinition";

/** What a per-container check receives. */
export interface ContainerCheck {
  container: JobContainer;
  /** `Job definition "name"` (plus the container's place for multi-container jobs), for messages. */
  subject: string;
  report: ReportViolation;
}

/**
 * Runs `check` for every container of a job definition. Job definitions whose container properties are unknown
 * (preview) or not valid JSON are skipped: `job-resource-requirements` reports invalid JSON once.
 */
export function forEachContainer(props: unknown, args: ResourceValidationArgs, report: ReportViolation, check: (c: ContainerCheck) => void): void {
  const parsed = jobContainers(props);
  if (parsed.state !== "ok") return;
  for (const container of parsed.containers) {
    check({ container, subject: containerSubject(args.name, container, parsed.containers), report });
  }
}
