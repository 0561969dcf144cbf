/**
 * Least privilege for the roles and policies the migration creates (job roles, execution roles, the scheduler's
 * role): no wildcard actions, no writes on every resource, and `iam:PassRole` only for named roles.
 * Checked: `aws.iam.Role` inline policies, `aws.iam.RolePolicy` and `aws.iam.Policy` documents.
 */
import * as aws from "@pulumi/aws";
import {
  PolicyConfigSchema,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";
import { ConfigSource, readConfig } from "./lib/config";
import { parsePolicyDocument, Statement, statementLabel } from "./lib/iam";
import { asArray, asString, at, globMatch, isUnknown } from "./lib/values";

/** One policy document of a resource, with a subject for messages. */
interface Document {
  subject: string;
  statements: Statement[];
}

type DocumentCheck = (doc: Document, args: ResourceValidationArgs, report: ReportViolation) => void;

function checkDocument(subject: string, raw: unknown, args: ResourceValidationArgs, report: ReportViolation, check: DocumentCheck): void {
  const parsed = parsePolicyDocument(raw);
  if (parsed.state === "ok") check({ subject, statements: parsed.statements }, args, report);
}

/** The same document check for role inline policies, role policies and managed policies. */
function documentValidations(check: DocumentCheck): ResourceValidation[] {
  return [
    validateResourceOfType(aws.iam.Role, (role, args, report) => {
      const inline = at(role, "inlinePolicies");
      if (isUnknown(inline)) return;
      (asArray(inline) ?? []).forEach((p, i) => {
        const name = asString(at(p, "name"));
        checkDocument(`IAM role "${args.name}" inline policy ${name ? `"${name}"` : `#${i}`}`, at(p, "policy"), args, report, check);
      });
    }),
    validateResourceOfType(aws.iam.RolePolicy, (policy, args, report) => {
      checkDocument(`IAM role policy "${args.name}"`, at(policy, "policy"), args, report, check);
    }),
    validateResourceOfType(aws.iam.Policy, (policy, args, report) => {
      checkDocument(`IAM policy "${args.name}"`, at(policy, "policy"), args, report, check);
    }),
  ];
}

function isAllow(s: Statement): boolean {
  return s.effect?.toLowerCase() === "allow";
}

function isWildcardAction(action: string): boolean {
  return action === "*" || /^[a-z0-9-]+:\*$/i.test(action);
}

const wildcardActionSchema: PolicyConfigSchema = {
  properties: {
    allowedWildcardActions: {
      type: "array",
      items: { type: "string" },
      default: [],
      description: "Service wildcards tolerated anyway, e.g. \"logs:*\" (exact, case-insensitive).",
    },
  },
};

interface WildcardActionConfig {
  allowedWildcardActions: string[];
}

export const iamNoWildcardActions: ResourceValidationPolicy = {
  name: "iam-no-wildcard-actions",
  description:
    "IAM policy statements that Allow must list actions: no Action '*' or 'service:*', and no Allow with NotAction, so that a " +
    "job role grants only what the job calls.",
  enforcementLevel: "mandatory",
  configSchema: wildcardActionSchema,
  validateResource: documentValidations((doc, args: ConfigSource, report) => {
    const cfg = readConfig<WildcardActionConfig>(wildcardActionSchema, args);
    const tolerated = new Set(cfg.allowedWildcardActions.map((a) => a.toLowerCase()));
    for (const s of doc.statements.filter(isAllow)) {
      const wild = s.action.values.filter((a) => isWildcardAction(a) && !tolerated.has(a.toLowerCase()));
      if (wild.length > 0) {
        report(
          `${doc.subject} ${statementLabel(s)} must list the actions it allows (found Action ${wild.map((a) => JSON.stringify(a)).join(", ")}). ` +
            `Replace the wildcard with the specific actions the job calls, e.g. "s3:GetObject".`,
        );
      }
      if (s.notAction.present) {
        report(
          `${doc.subject} ${statementLabel(s)} must not Allow with NotAction (found NotAction ${JSON.stringify(s.notAction.values)}), ` +
            `which allows every other action of every service. List the allowed actions under Action instead.`,
        );
      }
    }
  }),
};

export const DEFAULT_WILDCARD_RESOURCE_ACTIONS: readonly string[] = [
  "ecr:GetAuthorizationToken",
  "logs:DescribeLogGroups",
  "cloudwatch:PutMetricData",
  "cloudwatch:GetMetricData",
  "cloudwatch:ListMetrics",
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "sts:GetCallerIdentity",
  "ec2:Describe*",
  "batch:Describe*",
  "batch:List*",
  "secretsmanager:ListSecrets",
  "ssm:DescribeParameters",
  "s3:ListAllMyBuckets",
  "kms:ListAliases",
];

const wildcardResourceSchema: PolicyConfigSchema = {
  properties: {
    wildcardResourceActions: {
      type: "array",
      items: { type: "string" },
      default: [...DEFAULT_WILDCARD_RESOURCE_ACTIONS],
      description:
        "Actions allowed on Resource '*' (AWS offers no resource-level permission for them); '*' in an entry matches any run of characters.",
    },
  },
};

interface WildcardResourceConfig {
  wildcardResourceActions: string[];
}

export const iamNoWildcardResourceWrites: ResourceValidationPolicy = {
  name: "iam-no-wildcard-resource-writes",
  description:
    "IAM policy statements that Allow on Resource '*' (or with NotResource) may only carry actions AWS requires on '*' " +
    "(an allow-list of read-only calls such as ecr:GetAuthorizationToken, logs:DescribeLogGroups); every other action names its ARNs.",
  enforcementLevel: "mandatory",
  configSchema: wildcardResourceSchema,
  validateResource: documentValidations((doc, args, report) => {
    const cfg = readConfig<WildcardResourceConfig>(wildcardResourceSchema, args);
    const allowed = (action: string) => cfg.wildcardResourceActions.some((p) => globMatch(p, action, { ignoreCase: true }));
    for (const s of doc.statements.filter(isAllow)) {
      if (s.action.unknown) continue;
      const everywhere = s.resource.values.includes("*") || s.notResource.present;
      if (!everywhere) continue;
      const offending = s.action.values.filter((a) => !allowed(a));
      if (offending.length === 0 && !s.notAction.present) continue;
      const found = s.notResource.present ? `NotResource ${JSON.stringify(s.notResource.values)}` : `Resource "*"`;
      report(
        `${doc.subject} ${statementLabel(s)} must name the resources of ${offending.length ? offending.map((a) => JSON.stringify(a)).join(", ") : "its actions"} ` +
          `(found ${found}). List the ARNs (bucket, queue, secret, log group...) the job touches; only actions AWS requires on "*" ` +
          `may keep Resource "*".`,
      );
    }
  }),
};

/** A role ARN without wildcards: arn:<partition>:iam::<account>:role/<path/>name. */
const NAMED_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[^*?]+$/;

export const iamPassRoleScoped: ResourceValidationPolicy = {
  name: "iam-pass-role-scoped",
  description:
    "IAM statements that allow iam:PassRole (directly or through a wildcard) must name the role ARNs they pass, with no '*': " +
    "otherwise whoever holds the policy can hand any role, including an administrator's, to a job.",
  enforcementLevel: "mandatory",
  validateResource: documentValidations((doc, _args, report) => {
    for (const s of doc.statements.filter(isAllow)) {
      const coversPassRole = (a: string) => globMatch(a, "iam:PassRole", { ignoreCase: true });
      const passes =
        s.action.values.some(coversPassRole) || (s.notAction.present && !s.notAction.unknown && !s.notAction.values.some(coversPassRole));
      if (!passes) continue;
      if (s.notResource.present) {
        report(
          `${doc.subject} ${statementLabel(s)} must allow iam:PassRole only on named role ARNs (found NotResource ${JSON.stringify(s.notResource.values)}). ` +
            `List the role ARNs under Resource.`,
        );
        continue;
      }
      if (s.resource.unknown) continue;
      const bad = s.resource.values.filter((r) => !NAMED_ROLE_ARN.test(r));
      if (bad.length > 0 || !s.resource.present) {
        report(
          `${doc.subject} ${statementLabel(s)} must allow iam:PassRole only on named role ARNs without '*' ` +
            `(found Resource ${bad.length ? bad.map((r) => JSON.stringify(r)).join(", ") : "nothing"}). ` +
            `Pass the job and execution roles' ARNs (e.g. role.arn), optionally with an iam:PassedToService condition.`,
        );
      }
    }
  }),
};

export const iamPolicies: ResourceValidationPolicy[] = [iamNoWildcardActions, iamNoWildcardResourceWrites, iamPassRoleScoped];
