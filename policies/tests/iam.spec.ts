import * as aws from "@pulumi/aws";
import { iamNoWildcardActions, iamNoWildcardResourceWrites, iamPassRoleScoped } from "../iam";
import { EXECUTION_ROLE_ARN, EXECUTION_STATEMENTS, policyDocument } from "./fixtures";
import { assertHasViolation, assertNoViolations, resourceArgs, UNKNOWN } from "./harness";

type Statement = Record<string, unknown>;
const role = (statements: Statement[], config?: Record<string, unknown>) =>
  resourceArgs(aws.iam.Role, { assumeRolePolicy: "{}", inlinePolicies: [{ name: "job", policy: policyDocument(statements) }] }, { name: "etl-job", config });
const rolePolicy = (statements: Statement[]) => resourceArgs(aws.iam.RolePolicy, { role: "etl-job", policy: policyDocument(statements) }, { name: "etl-submit" });
const managed = (statements: Statement[]) => resourceArgs(aws.iam.Policy, { policy: { Version: "2012-10-17", Statement: statements } }, { name: "etl-policy" });

describe("iam-no-wildcard-actions", () => {
  it("accepts listed actions", () => assertNoViolations(iamNoWildcardActions, role(EXECUTION_STATEMENTS)));
  it("rejects Action *", () =>
    assertHasViolation(iamNoWildcardActions, role([{ Effect: "Allow", Action: "*", Resource: "*" }]), 'IAM role "etl-job" inline policy "job" statement 0 must list the actions it allows (found Action "*")'));
  it("rejects service:* in a role policy", () =>
    assertHasViolation(iamNoWildcardActions, rolePolicy([{ Effect: "Allow", Action: ["s3:*"], Resource: "arn:aws:s3:::etl/*" }]), 'IAM role policy "etl-submit" statement 0 must list'));
  it("rejects service:* in a managed policy document object", () =>
    assertHasViolation(iamNoWildcardActions, managed([{ Sid: "All", Effect: "Allow", Action: "S3:*", Resource: "arn:aws:s3:::etl" }]), 'IAM policy "etl-policy" statement 0 ("All")'));
  it("rejects Allow with NotAction", () =>
    assertHasViolation(iamNoWildcardActions, role([{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }]), "must not Allow with NotAction"));
  it("ignores Deny statements", () => assertNoViolations(iamNoWildcardActions, role([{ Effect: "Deny", Action: "*", Resource: "*" }])));
  it("honours allowedWildcardActions", () =>
    assertNoViolations(iamNoWildcardActions, role([{ Effect: "Allow", Action: "logs:*", Resource: "arn:aws:logs:*:*:*" }], { allowedWildcardActions: ["logs:*"] })));
  it("skips an unknown document", () =>
    assertNoViolations(iamNoWildcardActions, resourceArgs(aws.iam.RolePolicy, { role: "r", policy: UNKNOWN })));
});

describe("iam-no-wildcard-resource-writes", () => {
  it("accepts read-only actions AWS requires on *", () => assertNoViolations(iamNoWildcardResourceWrites, role(EXECUTION_STATEMENTS)));
  it("accepts an allow-listed wildcard pattern", () =>
    assertNoViolations(iamNoWildcardResourceWrites, role([{ Effect: "Allow", Action: ["ec2:DescribeSubnets", "batch:DescribeJobs"], Resource: "*" }])));
  it("rejects a write on Resource *", () =>
    assertHasViolation(
      iamNoWildcardResourceWrites,
      role([{ Effect: "Allow", Action: ["s3:PutObject", "ecr:GetAuthorizationToken"], Resource: "*" }]),
      'statement 0 must name the resources of "s3:PutObject" (found Resource "*")',
    ));
  it("rejects NotResource", () =>
    assertHasViolation(iamNoWildcardResourceWrites, rolePolicy([{ Effect: "Allow", Action: "sqs:SendMessage", NotResource: "arn:aws:sqs:*:*:x" }]), "found NotResource"));
  it("honours wildcardResourceActions", () =>
    assertNoViolations(iamNoWildcardResourceWrites, role([{ Effect: "Allow", Action: "s3:PutObject", Resource: "*" }], { wildcardResourceActions: ["s3:Put*"] })));
  it("skips unknown resources", () =>
    assertNoViolations(iamNoWildcardResourceWrites, role([{ Effect: "Allow", Action: "s3:PutObject", Resource: UNKNOWN }])));
});

describe("iam-pass-role-scoped", () => {
  it("accepts named role ARNs", () => assertNoViolations(iamPassRoleScoped, rolePolicy([{ Effect: "Allow", Action: "iam:PassRole", Resource: [EXECUTION_ROLE_ARN] }])));
  it("rejects Resource *", () =>
    assertHasViolation(iamPassRoleScoped, rolePolicy([{ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }]), 'must allow iam:PassRole only on named role ARNs without \'*\' (found Resource "*")'));
  it("rejects a wildcard in the role name", () =>
    assertHasViolation(iamPassRoleScoped, rolePolicy([{ Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/etl-*" }]), '"arn:aws:iam::123456789012:role/etl-*"'));
  it("rejects PassRole granted through iam:*", () =>
    assertHasViolation(iamPassRoleScoped, managed([{ Effect: "Allow", Action: "iam:*", Resource: "*" }]), "iam:PassRole only on named role ARNs"));
  it("rejects PassRole granted through NotAction", () =>
    assertHasViolation(iamPassRoleScoped, managed([{ Effect: "Allow", NotAction: "s3:*", Resource: "*" }]), "iam:PassRole only on named role ARNs"));
  it("ignores statements that do not pass roles", () => assertNoViolations(iamPassRoleScoped, role(EXECUTION_STATEMENTS)));
  it("skips unknown role ARNs", () => assertNoViolations(iamPassRoleScoped, rolePolicy([{ Effect: "Allow", Action: "iam:PassRole", Resource: [UNKNOWN] }])));
});
