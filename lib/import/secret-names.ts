/**
 * Which environment variables the import treats as secrets: their values are not copied into the inventory but
 * become `secrets` entries (an SSM parameter to create).
 *
 * A variable is a secret when its name looks like one to the inventory (`looksLikeSecretName`: PASSWORD,
 * SECRET, TOKEN, API_KEY, ...) or to the policy pack's `job-no-plaintext-secrets` (which also names AUTH_KEY,
 * CONNECTION_STRING, SIGNING_KEY, ENCRYPTION_KEY, case and `_` ignored), or when its value is shaped like a
 * credential (an AWS access key id, a private key, a URL with a password). The policy's lists live in
 * policies/secrets.ts; a test keeps the two in step.
 */
import { looksLikeSecretName } from "../secrets";

/** Name parts of the policy's default list that `looksLikeSecretName` does not already cover. */
export const EXTRA_SECRET_NAME_PARTS = ["AUTHKEY", "CONNECTIONSTRING", "SIGNINGKEY", "ENCRYPTIONKEY"] as const;

const SECRET_VALUE_SHAPES: readonly RegExp[] = [
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i,
];

function squash(s: string): string {
  return s.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

/** True when the variable's value must come from Secrets Manager or SSM instead of the job definition. */
export function isSecretVariable(name: string, value?: string): boolean {
  if (looksLikeSecretName(name)) return true;
  const squashed = squash(name);
  if (EXTRA_SECRET_NAME_PARTS.some((part) => squashed.includes(part))) return true;
  return value !== undefined && SECRET_VALUE_SHAPES.some((re) => re.test(value));
}
