/**
 * EventBridge Scheduler schedules that replace the crontab: an explicit time zone (crontabs ran in the host's local
 * time), and failed deliveries that are retried and then kept in a dead-letter queue instead of silently dropped.
 */
import * as aws from "@pulumi/aws";
import { PolicyConfigSchema, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { readConfig } from "./lib/config";
import { asNumber, asString, at, isDict, isUnknown, show } from "./lib/values";

export const scheduleTimezone: ResourceValidationPolicy = {
  name: "schedule-timezone",
  description:
    "Schedules with cron() or at() expressions must set scheduleExpressionTimezone (e.g. 'Europe/Paris'): without it they run in " +
    "UTC, an hour or more off from the on-premise crontab, and drift at daylight-saving changes.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.scheduler.Schedule, (schedule, args, report) => {
    const expression = at(schedule, "scheduleExpression");
    if (isUnknown(expression)) return;
    if (asString(expression)?.trim().startsWith("rate(")) return; // rate() runs at fixed intervals: no time zone.
    const tz = at(schedule, "scheduleExpressionTimezone");
    if (isUnknown(tz)) return;
    if ((asString(tz) ?? "").trim() === "") {
      report(
        `Schedule "${args.name}" must set scheduleExpressionTimezone for ${show(expression)} (found ${show(tz)}, i.e. UTC). ` +
          `Set the time zone the crontab ran in, e.g. scheduleExpressionTimezone: "Europe/Paris".`,
      );
    }
  }),
};

export const scheduleDeadLetterQueue: ResourceValidationPolicy = {
  name: "schedule-dead-letter-queue",
  description:
    "Schedules must set target.deadLetterConfig.arn (an SQS queue), so that a run EventBridge Scheduler could not deliver to AWS " +
    "Batch (throttling, a bad job queue, missing permissions) is kept and can be alerted on instead of being lost.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.scheduler.Schedule, (schedule, args, report) => {
    const arn = at(schedule, "target", "deadLetterConfig", "arn");
    if (isUnknown(arn)) return;
    if ((asString(arn) ?? "") === "") {
      report(
        `Schedule "${args.name}" must set target.deadLetterConfig.arn (found ${show(arn)}). ` +
          `Create an aws.sqs.Queue, allow the scheduler role sqs:SendMessage on it, and set target.deadLetterConfig: { arn: queue.arn }.`,
      );
    }
  }),
};

const retrySchema: PolicyConfigSchema = {
  properties: {
    maxEventAgeSeconds: {
      type: "integer",
      minimum: 60,
      maximum: 86400,
      default: 86400,
      description: "Largest allowed target.retryPolicy.maximumEventAgeInSeconds (AWS: 60-86400).",
    },
  },
};

interface ScheduleRetryConfig {
  maxEventAgeSeconds: number;
}

export const scheduleRetryPolicy: ResourceValidationPolicy = {
  name: "schedule-retry-policy",
  description:
    "Schedules must set target.retryPolicy (maximumRetryAttempts and maximumEventAgeInSeconds), so that how long a failed " +
    "delivery is retried is a decision (a run delivered hours late may overlap the next one) rather than the 24 h / 185 attempts default.",
  enforcementLevel: "mandatory",
  configSchema: retrySchema,
  validateResource: validateResourceOfType(aws.scheduler.Schedule, (schedule, args, report) => {
    const cfg = readConfig<ScheduleRetryConfig>(retrySchema, args);
    const policy = at(schedule, "target", "retryPolicy");
    if (isUnknown(policy)) return;
    const example = `target.retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 }`;
    if (!isDict(policy)) {
      report(`Schedule "${args.name}" must set target.retryPolicy (found ${show(policy)}). Set e.g. ${example}.`);
      return;
    }
    const attempts = at(policy, "maximumRetryAttempts");
    if (!isUnknown(attempts) && asNumber(attempts) === undefined) {
      report(`Schedule "${args.name}" must set target.retryPolicy.maximumRetryAttempts (found ${show(attempts)}). Set e.g. ${example}.`);
    }
    const age = at(policy, "maximumEventAgeInSeconds");
    if (isUnknown(age)) return;
    const seconds = asNumber(age);
    if (seconds === undefined) {
      report(`Schedule "${args.name}" must set target.retryPolicy.maximumEventAgeInSeconds (found ${show(age)}). Set e.g. ${example}.`);
    } else if (seconds > cfg.maxEventAgeSeconds) {
      report(
        `Schedule "${args.name}" target.retryPolicy.maximumEventAgeInSeconds must be at most ${cfg.maxEventAgeSeconds} (found ${seconds}), ` +
          `so that a late run does not overlap the next one.`,
      );
    }
  }),
};

export const schedulePolicies: ResourceValidationPolicy[] = [scheduleTimezone, scheduleDeadLetterQueue, scheduleRetryPolicy];
