import * as aws from "@pulumi/aws";
import { jobRetryStrategy } from "../retries";
import { jobDefinition } from "./fixtures";
import { assertHasViolation, assertNoViolations, resourceArgs, UNKNOWN } from "./harness";

const HOST = { action: "RETRY", onStatusReason: "Host EC2*" };
const EXIT_ALL = { action: "EXIT", onReason: "*" };

const jd = (retryStrategy: unknown, config?: Record<string, unknown>) =>
  resourceArgs(aws.batch.JobDefinition, jobDefinition({ props: { retryStrategy } }), { name: "etl-job", config });

describe("job-retry-strategy", () => {
  it("accepts host retries then a catch-all EXIT", () => assertNoViolations(jobRetryStrategy, jd({ attempts: 3, evaluateOnExits: [HOST, EXIT_ALL] })));
  it("accepts lower-case actions and other catch-all fields", () =>
    assertNoViolations(jobRetryStrategy, jd({ attempts: 2, evaluateOnExits: [{ action: "retry", onStatusReason: "Host EC2*" }, { action: "exit", onExitCode: "*" }] })));
  it("accepts extra retry conditions in between", () =>
    assertNoViolations(
      jobRetryStrategy,
      jd({ attempts: 3, evaluateOnExits: [HOST, { action: "RETRY", onReason: "CannotPullContainerError*" }, { action: "EXIT", onStatusReason: "*" }] }),
    ));
  it("rejects a missing strategy", () => assertHasViolation(jobRetryStrategy, jd(undefined), "must set a retryStrategy (found nothing)"));
  it("rejects too few attempts", () =>
    assertHasViolation(jobRetryStrategy, jd({ attempts: 1, evaluateOnExits: [HOST, EXIT_ALL] }), "retryStrategy.attempts must be at least 2 (found 1)"));
  it("rejects missing attempts", () => assertHasViolation(jobRetryStrategy, jd({ evaluateOnExits: [HOST, EXIT_ALL] }), "attempts must be at least 2 (found nothing)"));
  it("honours minAttempts", () =>
    assertHasViolation(jobRetryStrategy, jd({ attempts: 2, evaluateOnExits: [HOST, EXIT_ALL] }, { minAttempts: 3 }), "at least 3 (found 2)"));
  it("rejects more than 10 attempts", () => assertHasViolation(jobRetryStrategy, jd({ attempts: 11, evaluateOnExits: [HOST, EXIT_ALL] }), "at most 10 (found 11)"));
  it("rejects a strategy without evaluateOnExits", () =>
    assertHasViolation(jobRetryStrategy, jd({ attempts: 3 }), "evaluateOnExits must retry host failures and end with a catch-all EXIT (found nothing)"));
  it("rejects the guide's EXIT on exit code 0 as the last entry", () =>
    assertHasViolation(
      jobRetryStrategy,
      jd({ attempts: 3, evaluateOnExits: [HOST, { action: "EXIT", onExitCode: "0" }] }),
      'must end with a catch-all EXIT such as { action: "EXIT", onReason: "*" } (found last entry { action: "EXIT", onExitCode: "0" })',
    ));
  it("rejects a catch-all RETRY at the end", () =>
    assertHasViolation(jobRetryStrategy, jd({ attempts: 3, evaluateOnExits: [HOST, { action: "RETRY", onReason: "*" }] }), "must end with a catch-all EXIT"));
  it("rejects a missing host-failure retry", () =>
    assertHasViolation(
      jobRetryStrategy,
      jd({ attempts: 3, evaluateOnExits: [EXIT_ALL] }),
      'must retry infrastructure failures with { action: "RETRY", onStatusReason: "Host EC2*" } before any other entry that matches them (found { action: "EXIT", onReason: "*" } first)',
    ));
  it("rejects a host retry shadowed by an earlier EXIT", () =>
    assertHasViolation(jobRetryStrategy, jd({ attempts: 3, evaluateOnExits: [{ action: "EXIT", onStatusReason: "Host*" }, HOST, EXIT_ALL] }), "before any other entry"));
  it("rejects a host retry narrowed by an exit code", () =>
    assertHasViolation(jobRetryStrategy, jd({ attempts: 3, evaluateOnExits: [{ ...HOST, onExitCode: "137" }, EXIT_ALL] }), "must retry infrastructure failures"));
  it("rejects a match-all entry before the last", () =>
    assertHasViolation(jobRetryStrategy, jd({ attempts: 3, evaluateOnExits: [HOST, { action: "EXIT", onReason: "*" }, EXIT_ALL] }), "evaluateOnExits[1] must not match every failure"));
  it("rejects more than 5 entries", () =>
    assertHasViolation(
      jobRetryStrategy,
      jd({ attempts: 3, evaluateOnExits: [HOST, HOST, HOST, HOST, HOST, EXIT_ALL] }),
      "must have at most 5 entries (found 6)",
    ));
  it("rejects an unknown action", () =>
    assertHasViolation(jobRetryStrategy, jd({ attempts: 3, evaluateOnExits: [HOST, { action: "IGNORE", onReason: "x" }, EXIT_ALL] }), '.action must be "RETRY" or "EXIT" (found "IGNORE")'));
  it("rejects an entry without conditions", () =>
    assertHasViolation(jobRetryStrategy, jd({ attempts: 3, evaluateOnExits: [HOST, { action: "EXIT" }, EXIT_ALL] }), "must set onStatusReason, onReason or onExitCode"));
  it("rejects a pattern AWS does not accept", () =>
    assertHasViolation(
      jobRetryStrategy,
      jd({ attempts: 3, evaluateOnExits: [{ action: "RETRY", onStatusReason: "Host EC2 (instance*" }, EXIT_ALL] }),
      'onStatusReason must be a pattern AWS Batch accepts (found "Host EC2 (instance*")',
    ));
  it("rejects a non-numeric exit code", () =>
    assertHasViolation(jobRetryStrategy, jd({ attempts: 3, evaluateOnExits: [HOST, { action: "EXIT", onExitCode: "1x" }, EXIT_ALL] }), 'onExitCode must be a pattern'));
  it("skips an unknown strategy", () => assertNoViolations(jobRetryStrategy, jd(UNKNOWN)));
  it("skips unknown conditions", () => assertNoViolations(jobRetryStrategy, jd({ attempts: 3, evaluateOnExits: UNKNOWN })));
});
