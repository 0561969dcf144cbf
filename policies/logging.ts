/**
 * Logs of AWS Batch jobs: sent to CloudWatch Logs with the awslogs driver, into log groups that expire.
 */
import * as aws from "@pulumi/aws";
import { PolicyConfigSchema, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { readConfig } from "./lib/config";
import { forEachContainer } from "./lib/policy";
import { asNumber, asString, at, isUnknown, show } from "./lib/values";

/** Values CloudWatch Logs accepts for `retentionInDays` (0 means "never expire"). */
export const CLOUDWATCH_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const awslogsSchema: PolicyConfigSchema = {
  properties: {
    requireLogGroup: {
      type: "boolean",
      default: true,
      description:
        "Also require logConfiguration.options[\"awslogs-group\"], so that logs go to a log group the stack manages (with retention) " +
        "instead of the shared /aws/batch/job group, which never expires.",
    },
  },
};

interface AwslogsConfig {
  requireLogGroup: boolean;
}

export const jobAwslogsDriver: ResourceValidationPolicy = {
  name: "job-awslogs-driver",
  description:
    "Job containers must send logs to CloudWatch Logs with the 'awslogs' log driver, into a log group the stack manages " +
    "(options 'awslogs-group'), so that the output of every run can be read after the container is gone.",
  enforcementLevel: "mandatory",
  configSchema: awslogsSchema,
  validateResource: validateResourceOfType(aws.batch.JobDefinition, (jd, args, report) => {
    const cfg = readConfig<AwslogsConfig>(awslogsSchema, args);
    forEachContainer(jd, args, report, ({ container, subject }) => {
      const driver = at(container.props, "logConfiguration", "logDriver");
      if (isUnknown(driver)) return;
      if (asString(driver) !== "awslogs") {
        report(
          `${subject} logConfiguration.logDriver must be "awslogs" (found ${show(driver)}). Set logConfiguration to ` +
            `{ logDriver: "awslogs", options: { "awslogs-group": <log group name>, "awslogs-stream-prefix": <job name> } }.`,
        );
        return;
      }
      if (!cfg.requireLogGroup) return;
      const group = at(container.props, "logConfiguration", "options", "awslogs-group");
      if (isUnknown(group)) return;
      if (asString(group) === undefined || asString(group) === "") {
        report(
          `${subject} logConfiguration.options must name "awslogs-group" (found ${show(group)}); otherwise logs go to /aws/batch/job, ` +
            `which never expires. Create an aws.cloudwatch.LogGroup with retentionInDays and pass its name.`,
        );
      }
    });
  }),
};

const retentionSchema: PolicyConfigSchema = {
  properties: {
    maxRetentionDays: {
      type: "integer",
      minimum: 1,
      default: 3653,
      description: "Largest allowed retentionInDays (default: the CloudWatch maximum of 10 years).",
    },
  },
};

interface RetentionConfig {
  maxRetentionDays: number;
}

export const logGroupRetention: ResourceValidationPolicy = {
  name: "log-group-retention",
  description:
    "CloudWatch log groups must set retentionInDays to a value CloudWatch accepts (not 0, which keeps logs forever), so that job " +
    "logs do not accumulate cost without bound.",
  enforcementLevel: "mandatory",
  configSchema: retentionSchema,
  validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, args, report) => {
    const cfg = readConfig<RetentionConfig>(retentionSchema, args);
    const subject = `Log group "${args.name}"`;
    const raw = at(group, "retentionInDays");
    if (isUnknown(raw)) return;
    const days = asNumber(raw);
    if (days === undefined || days === 0) {
      report(`${subject} must set retentionInDays (found ${show(raw)}, which keeps logs forever). Set e.g. retentionInDays: 30.`);
    } else if (!CLOUDWATCH_RETENTION_DAYS.includes(days)) {
      report(`${subject} retentionInDays must be one of ${CLOUDWATCH_RETENTION_DAYS.join(", ")} (found ${days}).`);
    } else if (days > cfg.maxRetentionDays) {
      report(`${subject} retentionInDays must be at most ${cfg.maxRetentionDays} (found ${days}). Lower it or archive logs to S3.`);
    }
  }),
};

export const loggingPolicies: ResourceValidationPolicy[] = [jobAwslogsDriver, logGroupRetention];
