import * as aws from "@pulumi/aws";
import { jobTimeout } from "../timeouts";
import { jobDefinition } from "./fixtures";
import { assertHasViolation, assertNoViolations, resourceArgs, UNKNOWN } from "./harness";

const jd = (timeout: unknown, config?: Record<string, unknown>) =>
  resourceArgs(aws.batch.JobDefinition, jobDefinition({ props: { timeout } }), { name: "etl-job", config });

describe("job-timeout", () => {
  it("accepts one hour", () => assertNoViolations(jobTimeout, jd({ attemptDurationSeconds: 3600 })));
  it("accepts exactly 24 hours", () => assertNoViolations(jobTimeout, jd({ attemptDurationSeconds: 86400 })));
  it("rejects a missing timeout", () => assertHasViolation(jobTimeout, jd(undefined), "must set timeout.attemptDurationSeconds (found nothing)"));
  it("rejects an empty timeout", () => assertHasViolation(jobTimeout, jd({}), "must set timeout.attemptDurationSeconds"));
  it("rejects more than 24 hours", () => assertHasViolation(jobTimeout, jd({ attemptDurationSeconds: 90000 }), "must be at most 86400 (found 90000)"));
  it("rejects less than 60 seconds", () => assertHasViolation(jobTimeout, jd({ attemptDurationSeconds: 30 }), "must be at least 60 (found 30)"));
  it("honours maxAttemptDurationSeconds", () =>
    assertHasViolation(jobTimeout, jd({ attemptDurationSeconds: 7200 }, { maxAttemptDurationSeconds: 3600 }), "at most 3600 (found 7200)"));
  it("skips an unknown timeout", () => assertNoViolations(jobTimeout, jd({ attemptDurationSeconds: UNKNOWN })));
});
