import * as assert from "node:assert/strict";
import { executionRolePolicy, jobRolePolicy } from "../lib/iam";

describe("IAM documents", () => {
  it("omit ECR statements for images outside the stack's registry and secret statements without secrets", () => {
    const doc = executionRolePolicy({ logGroupArn: "arn:aws:logs:eu-west-1:1:log-group:/x:*", secretArns: [], parameterArns: [] });
    assert.deepEqual(doc.Statement, [{ Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: "arn:aws:logs:eu-west-1:1:log-group:/x:*" }]);
  });
  it("give a job without declared permissions no policy at all", () => {
    assert.equal(jobRolePolicy([]), undefined);
  });
});
