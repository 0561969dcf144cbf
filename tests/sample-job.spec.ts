/**
 * Runs the sample job's own Python test suite (`python3 -m unittest discover`) so that `npm test` covers it.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const JOB_DIR = path.resolve(__dirname, "..", "examples", "sample-job");
const PYTHON = process.env.PYTHON ?? "python3";

/** Number of `def test_...` methods in the suite, which unittest must report as run. */
function countTestMethods(dir: string): number {
    return fs
        .readdirSync(dir)
        .filter((file) => /^test.*\.py$/.test(file))
        .map((file) => fs.readFileSync(path.join(dir, file), "utf8").match(/^\s+def test_\w+\(/gm)?.length ?? 0)
        .reduce((a, b) => a + b, 0);
}

describe("sample job (examples/sample-job)", () => {
    it("passes its unittest suite with every test method run", function () {
        this.timeout(120_000);
        const expected = countTestMethods(path.join(JOB_DIR, "tests"));
        assert.ok(expected >= 20, `expected at least 20 test methods in examples/sample-job/tests (found ${expected})`);

        const result = spawnSync(PYTHON, ["-m", "unittest", "discover"], {
            cwd: JOB_DIR,
            encoding: "utf8",
            timeout: 110_000,
            env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
        });
        const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;

        assert.equal(result.error, undefined, `could not run ${PYTHON}: ${String(result.error)}`);
        assert.equal(result.status, 0, `python3 -m unittest discover exited ${result.status}:\n${output}`);
        const ran = /^Ran (\d+) tests? in [\d.]+s$/m.exec(output);
        assert.ok(ran, `no "Ran N tests" line in the unittest output:\n${output}`);
        assert.equal(Number(ran[1]), expected, `unittest ran ${ran[1]} tests, the suite defines ${expected}:\n${output}`);
        assert.match(output, /^OK$/m);
    });
});
