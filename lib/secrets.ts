/**
 * Secret references in the inventory: a Secrets Manager secret ARN (optionally with a JSON key, version stage or
 * version id suffix) or an SSM Parameter Store parameter, by name (`/prod/api/key`) or ARN.
 *
 * Batch injects them into the container as environment variables through `secrets[].valueFrom`; the execution
 * role may read exactly these and nothing else.
 * https://docs.aws.amazon.com/batch/latest/userguide/specifying-sensitive-data.html
 */

export type SecretReference =
  | { kind: "secretsmanager"; valueFrom: string; secretArn: string }
  | { kind: "ssm"; parameterName: string; parameterArn?: string };

const SECRETS_MANAGER_ARN = /^arn:(aws|aws-cn|aws-us-gov):secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+(:.*)?$/;
const SSM_ARN = /^arn:(aws|aws-cn|aws-us-gov):ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9/_.-]+$/;
const SSM_NAME = /^\/?[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

/** Parses a reference; returns a problem message instead when it is neither form. */
export function parseSecretReference(value: string): SecretReference | string {
  if (value.startsWith("arn:")) {
    if (SECRETS_MANAGER_ARN.test(value)) {
      // arn:aws:secretsmanager:region:account:secret:name[-suffix][:json-key:version-stage:version-id]
      const parts = value.split(":");
      const secretArn = parts.slice(0, 7).join(":");
      return { kind: "secretsmanager", valueFrom: value, secretArn };
    }
    if (SSM_ARN.test(value)) {
      const name = value.slice(value.indexOf(":parameter") + ":parameter".length);
      return { kind: "ssm", parameterName: name, parameterArn: value };
    }
    return `"${value}" is not a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>) or an SSM parameter ARN`;
  }
  if (SSM_NAME.test(value)) {
    return { kind: "ssm", parameterName: value.startsWith("/") ? value : `/${value}` };
  }
  return `"${value}" is not a Secrets Manager secret ARN or an SSM parameter name such as /prod/api/key`;
}

/**
 * The IAM resource that grants `secretsmanager:GetSecretValue` on a secret. Secrets Manager appends six random
 * characters to a secret's ARN; a partial ARN without them needs the `-??????` wildcard to match.
 */
export function secretIamResource(secretArn: string): string {
  return /-[A-Za-z0-9]{6}$/.test(secretArn) ? secretArn : `${secretArn}-??????`;
}

/** The ARN of an SSM parameter in this account and region. */
export function ssmParameterArn(ref: { parameterName: string; parameterArn?: string }, partition: string, region: string, account: string): string {
  return ref.parameterArn ?? `arn:${partition}:ssm:${region}:${account}:parameter${ref.parameterName}`;
}

/**
 * Environment variable names that look like they hold a secret. A literal value under such a name belongs in
 * `secrets` (Secrets Manager or SSM), where Batch injects it without it appearing in the job definition.
 */
export const SECRET_NAME_PATTERN = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?|ACCESS_?KEY)/i;

export function looksLikeSecretName(name: string): boolean {
  return SECRET_NAME_PATTERN.test(name);
}
