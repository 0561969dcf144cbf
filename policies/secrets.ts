/**
 * Secrets in AWS Batch job definitions: they come from Secrets Manager or SSM Parameter Store through
 * `secrets[].valueFrom`, never as literal environment values (which are stored in the job definition, shown in the
 * console and in `describe-job-definitions`, and kept in the Pulumi state).
 */
import * as aws from "@pulumi/aws";
import { PolicyConfigSchema, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { readConfig } from "./lib/config";
import { forEachContainer } from "./lib/policy";
import { asArray, asString, at, isUnknown, show } from "./lib/values";

export const DEFAULT_SECRET_NAME_PATTERNS: readonly string[] = [
  "PASSWORD",
  "PASSWD",
  "SECRET",
  "TOKEN",
  "API_KEY",
  "APIKEY",
  "PRIVATE_KEY",
  "CREDENTIAL",
  "ACCESS_KEY",
  "AUTH_KEY",
  "CLIENT_SECRET",
  "CONNECTION_STRING",
  "SIGNING_KEY",
  "ENCRYPTION_KEY",
];

/** Upper case with everything but letters and digits removed: "dbPassword" and "DB_PASSWORD" both read "DBPASSWORD". */
function squash(s: string): string {
  return s.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

/** Values that are credentials whatever the variable is called. */
const SECRET_VALUE_SHAPES: { what: string; re: RegExp }[] = [
  { what: "an AWS access key id", re: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { what: "a private key", re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { what: "a URL with a password", re: /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i },
];

/** A Secrets Manager or SSM Parameter Store reference, as `valueFrom` takes it. */
const VALUE_FROM = /^(arn:aws[a-z-]*:(secretsmanager|ssm):[a-z0-9-]+:\d{12}:.+|\/?[A-Za-z0-9_.\-/]+)$/;

const secretsSchema: PolicyConfigSchema = {
  properties: {
    secretNamePatterns: {
      type: "array",
      items: { type: "string" },
      default: [...DEFAULT_SECRET_NAME_PATTERNS],
      description:
        "Environment variable names containing one of these (case and '_' ignored, so 'dbPassword' matches 'PASSWORD') must not " +
        "carry a literal value.",
    },
    allowedNames: {
      type: "array",
      items: { type: "string" },
      default: [],
      description: "Variable names exempt from the name check (exact, case-insensitive), e.g. 'TOKEN_ENDPOINT'.",
    },
  },
};

interface SecretsConfig {
  secretNamePatterns: string[];
  allowedNames: string[];
}

export const jobNoPlaintextSecrets: ResourceValidationPolicy = {
  name: "job-no-plaintext-secrets",
  description:
    "Job containers must not carry secrets as literal environment values (names such as *PASSWORD*, *TOKEN*, *API_KEY*, " +
    "configurable, or values shaped like keys); secrets come through secrets[].valueFrom from Secrets Manager or SSM, which needs " +
    "an executionRoleArn.",
  enforcementLevel: "mandatory",
  configSchema: secretsSchema,
  validateResource: validateResourceOfType(aws.batch.JobDefinition, (jd, args, report) => {
    const cfg = readConfig<SecretsConfig>(secretsSchema, args);
    const patterns = cfg.secretNamePatterns.map(squash).filter((p) => p !== "");
    const allowed = new Set(cfg.allowedNames.map((n) => n.toUpperCase()));
    forEachContainer(jd, args, report, ({ container, subject }) => {
      const env = asArray(container.props.environment) ?? [];
      for (const entry of env) {
        const name = asString(at(entry, "name"));
        const value = at(entry, "value");
        if (name === undefined || isUnknown(value) || typeof value !== "string" || value === "") continue;
        const fix = `Store it in Secrets Manager (or SSM SecureString) and pass it as secrets: [{ name: "${name}", valueFrom: <secret ARN> }].`;
        const shape = SECRET_VALUE_SHAPES.find((s) => s.re.test(value));
        if (shape !== undefined) {
          report(`${subject} environment variable "${name}" must not hold a literal secret (found ${shape.what}). ${fix}`);
          continue;
        }
        if (allowed.has(name.toUpperCase())) continue;
        const hit = patterns.find((p) => squash(name).includes(p));
        if (hit !== undefined) {
          report(
            `${subject} environment variable "${name}" looks like a secret and must not carry a literal value ` +
              `(found a ${value.length}-character value; the name matches "${hit}"). ${fix}`,
          );
        }
      }

      const secrets = asArray(container.props.secrets) ?? [];
      secrets.forEach((s, i) => {
        const valueFrom = at(s, "valueFrom");
        if (isUnknown(valueFrom)) return;
        const text = asString(valueFrom);
        if (text === undefined || !VALUE_FROM.test(text)) {
          report(
            `${subject} secrets[${i}].valueFrom must be a Secrets Manager secret ARN or an SSM parameter ARN or name (found ${show(valueFrom)}).`,
          );
        }
      });
      // ECS-style job definitions name the execution role on the task, not the container.
      if (secrets.length > 0 && !container.where.startsWith("ecsProperties")) {
        const role = container.props.executionRoleArn;
        if (!isUnknown(role) && (asString(role) ?? "") === "") {
          report(
            `${subject} must set executionRoleArn when it uses secrets (found ${show(role)}); the execution role is what reads them. ` +
              `Grant it secretsmanager:GetSecretValue / ssm:GetParameters on those secrets.`,
          );
        }
      }
    });
  }),
};

export const secretPolicies: ResourceValidationPolicy[] = [jobNoPlaintextSecrets];
