/**
 * The shell side of crontab commands for `migrate import`: splitting into simple commands, redirections,
 * command substitutions, variable expansion, and the constructs that are refused.
 */
import * as assert from "node:assert/strict";
import { displayWord, expandWord, parseShellLine } from "../lib/import/shell";

const words = (text: string) => parseShellLine(text).commands.map((c) => c.words.map((w) => displayWord(w, parseShellLine(text).substitutions)));

describe("import: shell command lines", () => {
  it("splits lists on && || ; | and & and records the separators", () => {
    const { commands } = parseShellLine("cd /opt && docker run a:1 || notify; echo done | logger & true");
    assert.deepEqual(commands.map((c) => [c.separator, c.words[0], c.background]), [
      [undefined, "cd", false],
      ["&&", "docker", false],
      ["||", "notify", false],
      [";", "echo", false],
      ["|", "logger", true],
      ["&", "true", false],
    ]);
  });

  it("follows quotes and escapes", () => {
    assert.deepEqual(words(`docker run a:1 sh -c 'echo "$HOME" | x' "two words" it\\'s`), [["docker", "run", "a:1", "sh", "-c", 'echo "$HOME" | x', "two words", "it's"]]);
  });

  it("separates leading assignments from the program", () => {
    const [c] = parseShellLine("A=1 B='x y' docker run -e C=2 a:1").commands;
    assert.deepEqual(c.assignments, ["A=1", "B=x y"]);
    assert.deepEqual(c.words, ["docker", "run", "-e", "C=2", "a:1"]);
  });

  it("reads redirections, dropping the descriptor number", () => {
    const [c] = parseShellLine("docker run a:1 >> /var/log/a.log 2>&1 < in.txt").commands;
    assert.deepEqual(c.words, ["docker", "run", "a:1"]);
    assert.deepEqual(c.redirects, [{ op: ">>", target: "/var/log/a.log" }, { op: ">&", target: "1" }, { op: "<", target: "in.txt" }]);
    assert.deepEqual(parseShellLine("docker run a:1 &>/dev/null").commands[0].redirects, [{ op: "&>", target: "/dev/null" }]);
  });

  it("keeps a number that is an argument before a spaced redirection", () => {
    const [c] = parseShellLine("docker run a:1 sleep 2 > out").commands;
    assert.deepEqual(c.words, ["docker", "run", "a:1", "sleep", "2"]);
  });

  it("stops at a comment", () => {
    assert.deepEqual(words("docker run a:1 # $(not run)"), [["docker", "run", "a:1"]]);
  });

  it("keeps command substitutions as words and lists their text", () => {
    const parsed = parseShellLine('docker run -e D=$(date +%F) -u "$(id -u):`id -g`" a:1');
    assert.deepEqual(parsed.substitutions, ["$(date +%F)", "$(id -u)", "`id -g`"]);
    assert.deepEqual(words('docker run -e D=$(date +%F) -u "$(id -u):`id -g`" a:1'), [["docker", "run", "-e", "D=$(date +%F)", "-u", "$(id -u):`id -g`", "a:1"]]);
  });

  it("records unquoted glob patterns", () => {
    assert.deepEqual(parseShellLine("docker run a:1 process *.csv '*.txt'").commands[0].globs, ["*.csv"]);
  });

  it("refuses what it cannot follow, saying what", () => {
    const cases: [string, RegExp][] = [
      [`docker run "a`, /^a double quote is not closed$/],
      [`docker run 'a`, /^a single quote is not closed$/],
      ["cat <<EOF", /^here-documents \(<<\) cannot be written on one crontab line$/],
      ["diff <(a) b", /^process substitution "<\(\.\.\.\)" is not supported$/],
      ["tee >(gzip) x", /^process substitution ">\(\.\.\.\)" is not supported$/],
      ["(cd /x && docker run a:1)", /^subshells and groups in parentheses are not supported$/],
      ["docker run a:1 &&", /^the line ends with "&&"$/],
      ["&& docker run a:1", /^"&&" has no command before it$/],
      ["docker run a:1 >", /^the redirection ">" has no file after it$/],
      ["echo $(date", /^"\$\(date\.\.\." has no closing "\)"$/],
      ["echo `date", /^a backquote \(`\) has no closing backquote$/],
      ["echo ${}", /^Bad substitution/],
      ["  ", /^the command is empty$/],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => parseShellLine(text), (err: Error) => err.name === "ShellSyntaxError" && message.test(err.message), text);
    }
  });
});

describe("import: variable expansion", () => {
  const vars: Record<string, string> = { A: "1", EMPTY: "", HOME: "/home/deploy" };
  const expand = (text: string) => {
    const parsed = parseShellLine(`x ${text}`);
    return expandWord(parsed.commands[0].words[1], (n) => vars[n], parsed.substitutions);
  };

  it("expands set variables in all spellings", () => {
    assert.equal(expand("$A").value, "1");
    assert.equal(expand("${A}x").value, "1x");
    assert.equal(expand('"$HOME/bin"').value, "/home/deploy/bin");
    assert.equal(expand("'$A'").value, "$A");
  });

  it("follows the default, alternative and error forms", () => {
    assert.equal(expand("${B:-dflt}").value, "dflt");
    assert.equal(expand("${A:-dflt}").value, "1");
    assert.equal(expand("${EMPTY:-dflt}").value, "dflt");
    assert.equal(expand("${EMPTY-dflt}").value, "");
    assert.equal(expand("${B:=x}").value, "x");
    assert.equal(expand("${A:+alt}").value, "alt");
    assert.equal(expand("${B:+alt}").value, "");
    assert.equal(expand("${A:?missing}").value, "1");
  });

  it("keeps unset references as written and lists them", () => {
    assert.deepEqual(expand("$DB_HOST:5432"), { value: "$DB_HOST:5432", unresolved: ["$DB_HOST"], substitutions: [] });
    assert.deepEqual(expand("${B:?missing}"), { value: "${B:?missing}", unresolved: ["${B:?missing}"], substitutions: [] });
    assert.deepEqual(expand("$1").unresolved, ["$1"]);
  });

  it("lists the substitutions of a word", () => {
    assert.deepEqual(expand("D=$(date +%F)"), { value: "D=$(date +%F)", unresolved: [], substitutions: ["$(date +%F)"] });
  });
});
