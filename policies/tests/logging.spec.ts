import * as aws from "@pulumi/aws";
import { jobAwslogsDriver, logGroupRetention } from "../logging";
import { jobDefinition, REGION } from "./fixtures";
import { assertHasViolation, assertNoViolations, resourceArgs, UNKNOWN } from "./harness";

const jd = (logConfiguration: unknown, config?: Record<string, unknown>) =>
  resourceArgs(aws.batch.JobDefinition, jobDefinition({ container: { logConfiguration } }), { name: "etl-job", config });
const group = (props: Record<string, unknown>, config?: Record<string, unknown>) =>
  resourceArgs(aws.cloudwatch.LogGroup, { name: "/batch/etl", ...props }, { name: "etl-logs", config });

describe("job-awslogs-driver", () => {
  it("accepts awslogs with a log group", () =>
    assertNoViolations(jobAwslogsDriver, jd({ logDriver: "awslogs", options: { "awslogs-group": "/batch/etl", "awslogs-region": REGION } })));
  it("rejects a missing log configuration", () => assertHasViolation(jobAwslogsDriver, jd(undefined), 'logConfiguration.logDriver must be "awslogs" (found nothing)'));
  it("rejects another driver", () => assertHasViolation(jobAwslogsDriver, jd({ logDriver: "splunk" }), '(found "splunk")'));
  it("rejects awslogs without a log group", () =>
    assertHasViolation(jobAwslogsDriver, jd({ logDriver: "awslogs" }), 'logConfiguration.options must name "awslogs-group" (found nothing)'));
  it("accepts awslogs without a log group when requireLogGroup is off", () =>
    assertNoViolations(jobAwslogsDriver, jd({ logDriver: "awslogs" }, { requireLogGroup: false })));
  it("skips an unknown log group name", () => assertNoViolations(jobAwslogsDriver, jd({ logDriver: "awslogs", options: { "awslogs-group": UNKNOWN } })));
});

describe("log-group-retention", () => {
  it("accepts 30 days", () => assertNoViolations(logGroupRetention, group({ retentionInDays: 30 })));
  it("rejects a missing retention", () => assertHasViolation(logGroupRetention, group({}), 'Log group "etl-logs" must set retentionInDays (found nothing, which keeps logs forever)'));
  it("rejects 0", () => assertHasViolation(logGroupRetention, group({ retentionInDays: 0 }), "(found 0, which keeps logs forever)"));
  it("rejects a value CloudWatch does not accept", () => assertHasViolation(logGroupRetention, group({ retentionInDays: 10 }), "retentionInDays must be one of 1, 3, 5, 7, 14"));
  it("honours maxRetentionDays", () => assertHasViolation(logGroupRetention, group({ retentionInDays: 365 }, { maxRetentionDays: 30 }), "at most 30 (found 365)"));
  it("skips an unknown retention", () => assertNoViolations(logGroupRetention, group({ retentionInDays: UNKNOWN })));
});
