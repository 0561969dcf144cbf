/**
 * Crontab lines are shown in the output (comments) and on stderr; secret values on them must not be. Redaction
 * works on the blank-separated pieces of the line as written and masks:
 * - the value of `NAME=value` when the name looks like a secret (`DB_PASSWORD=...`, `-e API_TOKEN=...`);
 * - the value after an option whose name looks like a secret (`--password x`, `--api-key=x`);
 * - the password of a URL (`postgres://user:secret@host`).
 * This is for display only; the line is parsed elsewhere.
 */
import { isSecretVariable } from "./secret-names";

const MASK = "***";
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)([^/\s@]+)(@)/gi;

/** True for an option such as `--password`, `--db-token`, `--api-key` (not for `-p`: too ambiguous). */
export function isSecretOption(word: string): boolean {
  const m = /^--?([A-Za-z][A-Za-z0-9_-]*)$/.exec(word);
  return m !== null && m[1].length > 1 && isSecretVariable(m[1].replace(/-/g, "_"));
}

/**
 * Masks one piece; `afterSecretOption` when the previous piece was a secret-looking option. `openQuote` is the quote
 * of a masked value that the piece leaves open (`'TOKEN=two words'` split at the blank).
 */
function redactPiece(piece: string, afterSecretOption: boolean): { text: string; openQuote?: string } {
  if (afterSecretOption && !piece.startsWith("-")) return { text: MASK };
  const out = piece.replace(URL_PASSWORD, `$1${MASK}$3`);
  // NAME=value, "NAME=value", --password=value, --env=NAME=value, -e=NAME=value
  let rest = out;
  let offset = 0;
  const quote = /^["']/.test(out) ? out[0] : "";
  if (quote) {
    rest = out.slice(1);
    offset = 1;
  }
  for (;;) {
    const m = /^(--?)?([A-Za-z_][A-Za-z0-9_-]*)=/.exec(rest);
    if (!m) return { text: out };
    if (isSecretVariable(m[2].replace(/-/g, "_"))) {
      const value = rest.slice(m[0].length);
      const closed = quote === "" || value.includes(quote);
      return { text: `${out.slice(0, offset + m[0].length)}${MASK}${quote}`, openQuote: closed ? undefined : quote };
    }
    if (m[1] === undefined) return { text: out };
    rest = rest.slice(m[0].length);
    offset += m[0].length;
  }
}

/** The text with secret values masked; spacing is kept. */
export function redact(text: string): string {
  const parts = text.split(/(\s+)/);
  let secretOption = false;
  let openQuote: string | undefined;
  const out: string[] = [];
  for (const part of parts) {
    if (openQuote !== undefined) {
      // Still inside a masked quoted value: drop everything up to its closing quote.
      const end = part.indexOf(openQuote);
      if (end < 0) continue;
      out.push(part.slice(end + 1));
      openQuote = undefined;
      continue;
    }
    if (/^\s*$/.test(part)) {
      out.push(part);
      continue;
    }
    const redacted = redactPiece(part, secretOption);
    out.push(redacted.text);
    openQuote = redacted.openQuote;
    secretOption = isSecretOption(part.replace(/^["']|["']$/g, ""));
  }
  return out.join("");
}
