import * as aws from "@pulumi/aws";
import { scheduleDeadLetterQueue, scheduleRetryPolicy, scheduleTimezone } from "../schedules";
import { schedule } from "./fixtures";
import { assertHasViolation, assertNoViolations, resourceArgs, UNKNOWN } from "./harness";

const args = (overrides: Record<string, unknown> = {}, target: Record<string, unknown> = {}, config?: Record<string, unknown>) =>
  resourceArgs(aws.scheduler.Schedule, schedule(overrides, target), { name: "etl-nightly", config });

describe("schedule-timezone", () => {
  it("accepts a time zone", () => assertNoViolations(scheduleTimezone, args()));
  it("rejects a cron schedule without one", () =>
    assertHasViolation(scheduleTimezone, args({ scheduleExpressionTimezone: undefined }), 'Schedule "etl-nightly" must set scheduleExpressionTimezone for "cron(0 2 * * ? *)" (found nothing, i.e. UTC)'));
  it("rejects an empty time zone", () => assertHasViolation(scheduleTimezone, args({ scheduleExpressionTimezone: "" }), "must set scheduleExpressionTimezone"));
  it("does not require one for rate()", () => assertNoViolations(scheduleTimezone, args({ scheduleExpression: "rate(1 hour)", scheduleExpressionTimezone: undefined })));
  it("skips an unknown time zone", () => assertNoViolations(scheduleTimezone, args({ scheduleExpressionTimezone: UNKNOWN })));
});

describe("schedule-dead-letter-queue", () => {
  it("accepts a dead-letter queue", () => assertNoViolations(scheduleDeadLetterQueue, args()));
  it("rejects a missing dead-letter queue", () =>
    assertHasViolation(scheduleDeadLetterQueue, args({}, { deadLetterConfig: undefined }), "must set target.deadLetterConfig.arn (found nothing)"));
  it("skips an unknown queue ARN", () => assertNoViolations(scheduleDeadLetterQueue, args({}, { deadLetterConfig: { arn: UNKNOWN } })));
});

describe("schedule-retry-policy", () => {
  it("accepts a retry policy", () => assertNoViolations(scheduleRetryPolicy, args()));
  it("rejects a missing retry policy", () => assertHasViolation(scheduleRetryPolicy, args({}, { retryPolicy: undefined }), "must set target.retryPolicy (found nothing)"));
  it("rejects a missing maximumRetryAttempts", () =>
    assertHasViolation(scheduleRetryPolicy, args({}, { retryPolicy: { maximumEventAgeInSeconds: 600 } }), "must set target.retryPolicy.maximumRetryAttempts (found nothing)"));
  it("rejects a missing maximumEventAgeInSeconds", () =>
    assertHasViolation(scheduleRetryPolicy, args({}, { retryPolicy: { maximumRetryAttempts: 0 } }), "must set target.retryPolicy.maximumEventAgeInSeconds"));
  it("honours maxEventAgeSeconds", () =>
    assertHasViolation(scheduleRetryPolicy, args({}, {}, { maxEventAgeSeconds: 600 }), "maximumEventAgeInSeconds must be at most 600 (found 3600)"));
});
