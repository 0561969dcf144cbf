import * as assert from "node:assert/strict";
import { looksLikeSecretName, parseSecretReference, secretIamResource, ssmParameterArn } from "../lib/secrets";

describe("secret references", () => {
  it("reads Secrets Manager ARNs, keeping JSON-key suffixes for valueFrom and the bare ARN for IAM", () => {
    const ref = parseSecretReference("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password::");
    assert.deepEqual(ref, {
      kind: "secretsmanager",
      valueFrom: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password::",
      secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
    });
  });
  it("grants partial Secrets Manager ARNs with AWS's six-character wildcard", () => {
    assert.equal(secretIamResource("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"), "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf");
    assert.equal(secretIamResource("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db"), "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-??????");
  });
  it("reads SSM parameter names and ARNs", () => {
    assert.deepEqual(parseSecretReference("prod/api-key"), { kind: "ssm", parameterName: "/prod/api-key" });
    const arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/prod/api-key";
    assert.deepEqual(parseSecretReference(arn), { kind: "ssm", parameterName: "/prod/api-key", parameterArn: arn });
    assert.equal(ssmParameterArn({ parameterName: "/prod/api-key" }, "aws-cn", "cn-north-1", "123456789012"), "arn:aws-cn:ssm:cn-north-1:123456789012:parameter/prod/api-key");
  });
  it("refuses anything else with the accepted forms", () => {
    assert.match(parseSecretReference("arn:aws:kms:eu-west-1:123456789012:key/x") as string, /is not a Secrets Manager secret ARN .* or an SSM parameter ARN/);
    assert.match(parseSecretReference("my secret") as string, /is not a Secrets Manager secret ARN or an SSM parameter name/);
  });
  it("recognizes secret-looking names", () => {
    for (const n of ["DB_PASSWORD", "api_key", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "SSH_PRIVATE_KEY", "CREDENTIALS"]) assert.ok(looksLikeSecretName(n), n);
    for (const n of ["LOG_LEVEL", "S3_BUCKET", "AUTHOR"]) assert.ok(!looksLikeSecretName(n), n);
  });
});
