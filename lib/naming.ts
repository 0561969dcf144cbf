/**
 * Names and tags. Every resource carries the same base tags, merged in one place: `{ Name, ...base, ...specific }`.
 */
import type { Settings } from "./settings";

/** Tag keys the policy pack requires on every taggable resource. */
export const REQUIRED_TAG_KEYS = ["Project", "Environment", "Owner"] as const;

export type Tags = Record<string, string>;

/** The stack's base tags: project, environment, owner, the stack's own tags. */
export function baseTags(settings: Pick<Settings, "project" | "environment" | "owner" | "tags">): Tags {
  return {
    Project: settings.project,
    Environment: settings.environment,
    Owner: settings.owner,
    ManagedBy: "pulumi",
    ...settings.tags,
  };
}

/** Tags for one resource: a Name, the base tags and anything specific (e.g. the job's own owner). */
export function resourceTags(base: Tags, name: string, specific: Tags = {}): Tags {
  return { Name: name, ...base, ...specific };
}

/** `dev-data-processor`: the physical name of per-job resources that AWS users look up by name. */
export function jobResourceName(environment: string, job: string): string {
  return `${environment}-${job}`;
}

/** `dev/data-processor`: ECR repositories are namespaced per environment so stacks can share an account. */
export function repositoryName(environment: string, repository: string): string {
  return `${environment}/${repository}`;
}

/** `/aws/batch/dev/data-processor` */
export function logGroupName(environment: string, job: string): string {
  return `/aws/batch/${environment}/${job}`;
}
