/**
 * The shell side of a crontab command: cron runs it with `/bin/sh -c`, so it is a list of simple commands joined
 * by `&&`, `||`, `;`, `|` or `&`, each with words, leading `NAME=value` assignments and redirections.
 *
 * Words are split by `shell-quote`. Before that, a small scanner that follows the quoting rules handles what
 * `shell-quote` does not model:
 * - command substitutions `$(...)`, `$((...))` and backquotes are replaced by markers, so that the words around
 *   them stay intact; their text is kept, since the host shell computed them at run time and Batch cannot;
 * - a file descriptor number before a redirection (`2>&1`, `2>>log`) is dropped: only the redirection matters;
 * - here-documents (`<<`) and process substitutions (`<(...)`, `>(...)`) are refused, as are unbalanced quotes;
 *   subshells and groups in parentheses are refused after splitting.
 *
 * Variable references (`$NAME`, `${NAME}`, `${NAME:-default}`) are kept as markers by the split and expanded
 * later by `expandWord`, once the caller knows which variables are set at that point of the line.
 */
import { parse as shellParse, type ParseEntry } from "shell-quote";

export class ShellSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShellSyntaxError";
  }
}

const VAR_OPEN = "\u0001";
const VAR_CLOSE = "\u0002";
const SUB_OPEN = "\u0003";
const SUB_CLOSE = "\u0004";

export interface Redirect {
  /** `>`, `>>`, `<`, `>&`, `&>`, `<<<`, ... */
  op: string;
  /** The file (or descriptor) it redirects to, as a raw word. */
  target: string;
}

/** One simple command. Words are raw: variable references and substitutions are still markers. */
export interface SimpleCommand {
  /** `NAME=value` words before the program. */
  assignments: string[];
  /** The program and its arguments. */
  words: string[];
  redirects: Redirect[];
  /** The operator between the previous command and this one (`&&`, `||`, `;`, `|`, `|&`, `&`); undefined for the first. */
  separator?: string;
  /** True when the command is followed by `&` (runs in the background). */
  background: boolean;
  /** Unquoted words with `*` or `?`, which the host shell would have matched against files. */
  globs: string[];
}

export interface ParsedLine {
  commands: SimpleCommand[];
  /** The text of each command substitution, by marker index. */
  substitutions: string[];
}

const REDIRECT_OPS = new Set([">", ">>", "<", ">&", "<&", ">|", "&>", "&>>", "<>", "<<<"]);
const SEPARATOR_OPS = new Set(["&&", "||", ";", "|", "|&", "&"]);

/** Index of the `)` closing a `$(` whose body starts at `from`, respecting quotes and nesting; -1 when unclosed. */
function findClosingParen(text: string, from: number): number {
  let depth = 1;
  let quote: string | null = null;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = null;
    } else if (c === "\\") {
      i++;
    } else if (quote === '"') {
      if (c === '"') quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === "(") {
      depth++;
    } else if (c === ")") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function findClosingBackquote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === "`") return i;
  }
  return -1;
}

/** Replaces command substitutions by markers and drops descriptor numbers before redirections; checks quoting. */
function prepare(text: string): { text: string; substitutions: string[] } {
  const substitutions: string[] = [];
  let out = "";
  let quote: "'" | '"' | null = null;
  let wordStart = true;
  let i = 0;

  const substitution = (): boolean => {
    if (text[i] === "$" && text[i + 1] === "(") {
      const end = findClosingParen(text, i + 2);
      if (end < 0) throw new ShellSyntaxError(`"${text.slice(i, i + 20)}..." has no closing ")"`);
      substitutions.push(text.slice(i, end + 1));
      out += `${SUB_OPEN}${substitutions.length - 1}${SUB_CLOSE}`;
      i = end + 1;
      return true;
    }
    if (text[i] === "`") {
      const end = findClosingBackquote(text, i + 1);
      if (end < 0) throw new ShellSyntaxError("a backquote (`) has no closing backquote");
      substitutions.push(text.slice(i, end + 1));
      out += `${SUB_OPEN}${substitutions.length - 1}${SUB_CLOSE}`;
      i = end + 1;
      return true;
    }
    return false;
  };

  while (i < text.length) {
    const c = text[i];
    if (quote === "'") {
      out += c;
      if (c === "'") quote = null;
      i++;
      continue;
    }
    if (quote === '"') {
      if (c === "\\") {
        out += text.slice(i, i + 2);
        i += 2;
      } else if (c === '"') {
        out += c;
        quote = null;
        i++;
      } else if (!substitution()) {
        out += c;
        i++;
      }
      continue;
    }
    if (c === "\\") {
      out += text.slice(i, i + 2);
      i += 2;
      wordStart = false;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      out += c;
      i++;
      wordStart = false;
      continue;
    }
    if (c === "#" && wordStart) {
      out += text.slice(i);
      break;
    }
    if (substitution()) {
      wordStart = false;
      continue;
    }
    if ((c === "<" || c === ">") && text[i + 1] === "(") {
      throw new ShellSyntaxError(`process substitution "${c}(...)" is not supported`);
    }
    if (c === "<" && text[i + 1] === "<" && text[i + 2] !== "<") {
      throw new ShellSyntaxError("here-documents (<<) cannot be written on one crontab line");
    }
    if (wordStart && c >= "0" && c <= "9") {
      let j = i;
      while (j < text.length && text[j] >= "0" && text[j] <= "9") j++;
      if (text[j] === ">" || text[j] === "<") {
        i = j;
        continue;
      }
    }
    out += c;
    wordStart = c === " " || c === "\t" || "|&;()<>".includes(c);
    i++;
  }
  if (quote) throw new ShellSyntaxError(`a ${quote === "'" ? "single" : "double"} quote is not closed`);
  return { text: out, substitutions };
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Splits a command line into simple commands. Throws `ShellSyntaxError` for what cannot be followed. */
export function parseShellLine(text: string): ParsedLine {
  const prepared = prepare(text);
  let entries: ParseEntry[];
  try {
    entries = shellParse(prepared.text, (key: string) => (key === "" ? undefined : `${VAR_OPEN}${key}${VAR_CLOSE}`)) as ParseEntry[];
  } catch (err) {
    throw new ShellSyntaxError((err as Error).message);
  }

  const commands: SimpleCommand[] = [];
  let current: SimpleCommand = { assignments: [], words: [], redirects: [], background: false, globs: [] };
  const finish = (separator: string | undefined) => {
    if (current.words.length === 0 && current.assignments.length === 0 && current.redirects.length === 0) {
      if (separator !== undefined || commands.length > 0) {
        throw new ShellSyntaxError(`"${separator ?? ""}" has no command before it`);
      }
      return;
    }
    commands.push(current);
    current = { assignments: [], words: [], redirects: [], background: false, globs: [], separator };
  };

  for (let k = 0; k < entries.length; k++) {
    const entry = entries[k];
    if (typeof entry === "string") {
      if (current.words.length === 0 && ASSIGNMENT.test(entry)) current.assignments.push(entry);
      else current.words.push(entry);
      continue;
    }
    if ("comment" in entry) break;
    const op = entry.op as string;
    if (op === "glob") {
      const pattern = (entry as { pattern: string }).pattern;
      current.words.push(pattern);
      current.globs.push(pattern);
    } else if (REDIRECT_OPS.has(op)) {
      const target = entries[k + 1];
      if (typeof target !== "string" && !(typeof target === "object" && "op" in target && target.op === "glob")) {
        throw new ShellSyntaxError(`the redirection "${op}" has no file after it`);
      }
      current.redirects.push({ op, target: typeof target === "string" ? target : (target as { pattern: string }).pattern });
      k++;
    } else if (SEPARATOR_OPS.has(op)) {
      if (op === "&") current.background = true;
      finish(op);
    } else if (op === "(" || op === ")") {
      throw new ShellSyntaxError("subshells and groups in parentheses are not supported");
    } else {
      throw new ShellSyntaxError(`the shell operator "${op}" is not supported`);
    }
  }
  if (current.words.length > 0 || current.assignments.length > 0 || current.redirects.length > 0) {
    commands.push(current);
  } else if (current.separator !== undefined && current.separator !== "&" && current.separator !== ";") {
    throw new ShellSyntaxError(`the line ends with "${current.separator}"`);
  }
  if (commands.length === 0) throw new ShellSyntaxError("the command is empty");
  return { commands, substitutions: prepared.substitutions };
}

export interface ExpandedWord {
  value: string;
  /** Variable references that had no value, as written (`$DB_HOST`); they are kept in `value` as written. */
  unresolved: string[];
  /** Command substitutions in the word, as written; kept in `value` as written. */
  substitutions: string[];
}

/** `$NAME`, `$1`, `$?` for plain references; `${...}` for the others. */
function writtenReference(expr: string): string {
  return /^([A-Za-z_][A-Za-z0-9_]*|[0-9]|[*@#?$!-])$/.test(expr) ? `$${expr}` : `\${${expr}}`;
}

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[*@#?$!-])(?:(:?[-=+?])([\s\S]*))?$/;
const MARKER = new RegExp(`${VAR_OPEN}([^${VAR_CLOSE}]*)${VAR_CLOSE}|${SUB_OPEN}(\\d+)${SUB_CLOSE}`, "g");

/**
 * Expands the variable references and substitutions of a raw word. `lookup` gives the value of a variable or
 * undefined when it is not set. `${NAME:-default}`, `${NAME-default}`, `${NAME:=default}`, `${NAME:+alternative}`
 * and `${NAME:?message}` follow the shell's rules; references to unset variables and substitutions stay as
 * written and are listed.
 */
export function expandWord(word: string, lookup: (name: string) => string | undefined, substitutions: readonly string[]): ExpandedWord {
  const unresolved: string[] = [];
  const subs: string[] = [];
  const value = word.replace(MARKER, (_m, expr: string | undefined, sub: string | undefined) => {
    if (sub !== undefined) {
      const text = substitutions[Number(sub)] ?? "$(...)";
      subs.push(text);
      return text;
    }
    const written = writtenReference(expr!);
    const m = REFERENCE.exec(expr!);
    if (!m) {
      unresolved.push(written);
      return written;
    }
    const [, name, operator, operand] = m;
    const current = lookup(name);
    const set = operator?.startsWith(":") ? current !== undefined && current !== "" : current !== undefined;
    switch (operator?.replace(":", "")) {
      case "-":
      case "=":
        return set ? current! : operand;
      case "+":
        return set ? operand : "";
      case "?":
      default:
        if (set) return current!;
        unresolved.push(written);
        return written;
    }
  });
  return { value, unresolved, substitutions: subs };
}

/** A raw word as the crontab wrote it (markers turned back into `$NAME` and `$(...)`), for messages. */
export function displayWord(word: string, substitutions: readonly string[]): string {
  return word.replace(MARKER, (_m, expr: string | undefined, sub: string | undefined) => {
    if (sub !== undefined) return substitutions[Number(sub)] ?? "$(...)";
    return writtenReference(expr!);
  });
}
