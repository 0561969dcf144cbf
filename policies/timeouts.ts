/**
 * Attempt timeouts of AWS Batch job definitions. Without one, a hung job holds its compute (and blocks the next
 * scheduled run) forever; a cron host at least had a reboot.
 */
import * as aws from "@pulumi/aws";
import { PolicyConfigSchema, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { readConfig } from "./lib/config";
import { asNumber, at, isUnknown, show } from "./lib/values";

/** AWS Batch's smallest attempt timeout. */
export const MIN_ATTEMPT_SECONDS = 60;

const timeoutSchema: PolicyConfigSchema = {
  properties: {
    maxAttemptDurationSeconds: {
      type: "integer",
      minimum: MIN_ATTEMPT_SECONDS,
      default: 86400,
      description: "Largest allowed timeout.attemptDurationSeconds (default 24 hours).",
    },
  },
};

interface TimeoutConfig {
  maxAttemptDurationSeconds: number;
}

export const jobTimeout: ResourceValidationPolicy = {
  name: "job-timeout",
  description:
    "Job definitions must set timeout.attemptDurationSeconds, at least 60 (the AWS minimum) and at most a configurable maximum " +
    "(default 24 hours), so that a hung job is stopped instead of holding compute and overlapping the next run.",
  enforcementLevel: "mandatory",
  configSchema: timeoutSchema,
  validateResource: validateResourceOfType(aws.batch.JobDefinition, (jd, args, report) => {
    const cfg = readConfig<TimeoutConfig>(timeoutSchema, args);
    const subject = `Job definition "${args.name}"`;
    const raw = at(jd, "timeout", "attemptDurationSeconds");
    if (isUnknown(raw)) return;
    const seconds = asNumber(raw);
    if (seconds === undefined) {
      report(
        `${subject} must set timeout.attemptDurationSeconds (found ${show(raw)}). ` +
          `Set it to a little above the job's longest normal run, at most ${cfg.maxAttemptDurationSeconds} seconds.`,
      );
    } else if (seconds < MIN_ATTEMPT_SECONDS) {
      report(`${subject} timeout.attemptDurationSeconds must be at least ${MIN_ATTEMPT_SECONDS} (found ${seconds}), the AWS Batch minimum.`);
    } else if (seconds > cfg.maxAttemptDurationSeconds) {
      report(
        `${subject} timeout.attemptDurationSeconds must be at most ${cfg.maxAttemptDurationSeconds} (found ${seconds}). ` +
          `Lower it to a little above the job's longest normal run, or split the job.`,
      );
    }
  }),
};

export const timeoutPolicies: ResourceValidationPolicy[] = [jobTimeout];
