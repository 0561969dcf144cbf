import * as aws from "@pulumi/aws";
import { jobNoPlaintextSecrets } from "../secrets";
import { jobDefinition } from "./fixtures";
import { assertHasViolation, assertNoViolations, resourceArgs, runResourcePolicy, UNKNOWN } from "./harness";
import * as assert from "assert";

const jd = (container: Record<string, unknown>, config?: Record<string, unknown>) =>
  resourceArgs(aws.batch.JobDefinition, jobDefinition({ container }), { name: "etl-job", config });
const env = (name: string, value: unknown, config?: Record<string, unknown>) => jd({ environment: [{ name, value }] }, config);

describe("job-no-plaintext-secrets", () => {
  it("accepts plain configuration and secrets by valueFrom", () => assertNoViolations(jobNoPlaintextSecrets, jd({})));
  for (const name of ["DB_PASSWORD", "PASSWD", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "STRIPE_API_KEY", "apiKey", "SSH_PRIVATE_KEY", "GCP_CREDENTIALS", "AWS_ACCESS_KEY_ID"]) {
    it(`rejects a literal ${name}`, () => assertHasViolation(jobNoPlaintextSecrets, env(name, "s3cr3t-value"), `environment variable "${name}" looks like a secret`));
  }
  it("does not print the value", () => {
    const messages = runResourcePolicy(jobNoPlaintextSecrets, env("DB_PASSWORD", "hunter2"));
    assert.ok(messages.length === 1 && !messages[0].includes("hunter2") && messages[0].includes("found a 7-character value"));
  });
  it("accepts an empty value", () => assertNoViolations(jobNoPlaintextSecrets, env("DB_PASSWORD", "")));
  it("skips an unknown value", () => assertNoViolations(jobNoPlaintextSecrets, env("DB_PASSWORD", UNKNOWN)));
  it("honours allowedNames", () => assertNoViolations(jobNoPlaintextSecrets, env("TOKEN_ENDPOINT", "https://auth/token", { allowedNames: ["token_endpoint"] })));
  it("honours secretNamePatterns", () => assertHasViolation(jobNoPlaintextSecrets, env("PIN_CODE", "1234", { secretNamePatterns: ["PIN"] }), 'the name matches "PIN"'));
  it("rejects an AWS access key id under any name", () => assertHasViolation(jobNoPlaintextSecrets, env("KEY_ID", "AKIAABCDEFGHIJKLMNOP"), "(found an AWS access key id)"));
  it("rejects a URL with a password under any name", () =>
    assertHasViolation(jobNoPlaintextSecrets, env("DATABASE_URL", "postgres://etl:pw@db:5432/etl"), '"DATABASE_URL" must not hold a literal secret (found a URL with a password)'));
  it("rejects a private key under any name", () =>
    assertHasViolation(jobNoPlaintextSecrets, env("SIGNER", "-----BEGIN RSA PRIVATE KEY-----\nabc"), "(found a private key)"));
  it("rejects a secret without valueFrom", () =>
    assertHasViolation(jobNoPlaintextSecrets, jd({ secrets: [{ name: "DB_PASSWORD" }] }), "secrets[0].valueFrom must be a Secrets Manager secret ARN or an SSM parameter ARN or name (found nothing)"));
  it("accepts an SSM parameter name", () => assertNoViolations(jobNoPlaintextSecrets, jd({ secrets: [{ name: "API_KEY", valueFrom: "/prod/api/key" }] })));
  it("rejects secrets without an execution role", () =>
    assertHasViolation(jobNoPlaintextSecrets, jd({ executionRoleArn: undefined }), "must set executionRoleArn when it uses secrets (found nothing)"));
});
