import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { checkDockerfile, isSecretLikeName } from "../lib/dockerfile-check";

const SAMPLE_DOCKERFILE = path.resolve(__dirname, "..", "examples", "sample-job", "Dockerfile");

/** A Dockerfile that passes every rule; each failing case below changes one thing. */
const GOOD = [
    "FROM python:3.11.11-slim-bookworm AS builder",
    "RUN python -m venv /opt/venv",
    "FROM python:3.11.11-slim-bookworm",
    "COPY --from=builder /opt/venv /opt/venv",
    "USER 10001:10001",
    'ENTRYPOINT ["python", "-m", "app"]',
    "",
].join("\n");

function only(problems: string[]): string {
    assert.equal(problems.length, 1, `expected exactly one problem, found:\n${problems.join("\n")}`);
    return problems[0] as string;
}

describe("checkDockerfile", () => {
    describe("the sample job's Dockerfile", () => {
        const text = fs.readFileSync(SAMPLE_DOCKERFILE, "utf8");

        it("passes every rule, including the numeric USER", () => {
            assert.deepEqual(checkDockerfile(text, { requireNumericUser: true }), []);
        });

        it("pins the slim base image in every stage and runs the final stage as 10001:10001", () => {
            const froms = text.split("\n").filter((line) => /^FROM\s/i.test(line));
            assert.equal(froms.length, 2);
            for (const from of froms) {
                assert.match(from, /^FROM python:3\.11\.\d+-slim-bookworm(@sha256:[a-f0-9]{64})? AS \w+$/);
            }
            assert.match(text, /^USER 10001:10001$/m);
            assert.match(text, /^ENTRYPOINT \["python", "-m", "sample_job"\]$/m);
        });
    });

    it("accepts the reference Dockerfile", () => {
        assert.deepEqual(checkDockerfile(GOOD, { requireNumericUser: true }), []);
    });

    describe("pinned base images", () => {
        it("rejects a FROM without a tag", () => {
            const problem = only(checkDockerfile(GOOD.replace("FROM python:3.11.11-slim-bookworm\n", "FROM python\n")));
            assert.match(problem, /^FROM python on line 3 must pin a tag or digest \(found no tag, which means latest\)/);
        });

        it("rejects the latest tag", () => {
            const problem = only(checkDockerfile(GOOD.replace("FROM python:3.11.11-slim-bookworm AS", "FROM python:latest AS")));
            assert.match(problem, /^FROM python:latest on line 1 must pin a version tag or digest \(found tag "latest"\)/);
        });

        it("accepts a digest, scratch, a registry with a port and a reference to an earlier stage", () => {
            const digest = "python@sha256:" + "a".repeat(64);
            const text = [
                `FROM ${digest} AS builder`,
                "FROM registry.example.com:5000/team/base:2024.06 AS base",
                "FROM builder AS tested",
                "FROM scratch",
                "USER 10001",
            ].join("\n");
            assert.deepEqual(checkDockerfile(text), []);
        });

        it("checks an image given by an ARG against the ARG's default", () => {
            const pinned = "ARG BASE=python:3.11.11-slim-bookworm\nFROM ${BASE} AS builder\nFROM $BASE\nUSER 10001\n";
            assert.deepEqual(checkDockerfile(pinned), []);

            const unpinned = only(checkDockerfile("ARG BASE=python\nFROM ${BASE} AS builder\nFROM python:3.11.11\nUSER 10001\n"));
            assert.match(unpinned, /^FROM \$\{BASE\} on line 2 must pin a tag or digest/);

            const noDefault = only(checkDockerfile("ARG BASE\nFROM ${BASE} AS builder\nFROM python:3.11.11\nUSER 10001\n"));
            assert.match(noDefault, /^FROM \$\{BASE\} on line 2 must resolve to a pinned image \(found ARG BASE with no default\)/);
        });
    });

    describe("non-root USER in the final stage", () => {
        it("rejects a final stage without USER, even when an earlier stage has one", () => {
            const text = GOOD.replace("RUN python", "USER 10001\nRUN python").replace("USER 10001:10001\n", "");
            const problem = only(checkDockerfile(text));
            assert.match(problem, /^The final stage \(FROM on line 4\) must set a non-root USER \(found none, so it runs as root\)/);
        });

        for (const user of ["root", "0", "0:0", "root:root", "000"]) {
            it(`rejects USER ${user}`, () => {
                const problem = only(checkDockerfile(GOOD.replace("USER 10001:10001", `USER ${user}`)));
                assert.equal(
                    problem,
                    `The final stage's USER on line 5 must not be root (found "${user}"): add e.g. USER 10001:10001 after creating that user and group`,
                );
            });
        }

        it("rejects switching back to root after a non-root USER", () => {
            const problem = only(checkDockerfile(GOOD.replace("USER 10001:10001", "USER 10001:10001\nRUN id\nUSER root")));
            assert.match(problem, /USER on line 7 must not be root \(found "root"\)/);
        });

        it("rejects a USER that is a variable, since it cannot be verified", () => {
            const problem = only(checkDockerfile(GOOD.replace("USER 10001:10001", "USER ${APP_UID}")));
            assert.match(problem, /USER on line 5 must be a literal non-root user \(found "\$\{APP_UID\}", which cannot be verified\)/);
        });

        it("accepts a named user by default and rejects it when a numeric UID is required", () => {
            const named = GOOD.replace("USER 10001:10001", "USER app");
            assert.deepEqual(checkDockerfile(named), []);
            const problem = only(checkDockerfile(named, { requireNumericUser: true }));
            assert.match(problem, /USER on line 5 must be a numeric UID\[:GID\] so that runtimes can verify it is non-root \(found "app"\)/);
        });
    });

    describe("no secrets in ENV or ARG", () => {
        it("rejects an ENV with a secret-like name and a value", () => {
            const problem = only(checkDockerfile(GOOD.replace("USER 10001:10001", "ENV PATH=/opt/venv/bin:$PATH DB_PASSWORD=hunter2\nUSER 10001:10001")));
            assert.match(problem, /^ENV DB_PASSWORD on line 5 must not carry a secret value \(found a value for a secret-like name; it is stored in the image\)/);
            assert.ok(!problem.includes("hunter2"), "the message must not repeat the secret");
        });

        it("rejects an ARG with a secret-like name and a default value", () => {
            const problem = only(checkDockerfile(GOOD.replace("RUN python", "ARG NPM_TOKEN=npm_abc123\nRUN python")));
            assert.match(problem, /^ARG NPM_TOKEN on line 2 must not carry a secret value/);
            assert.match(problem, /RUN --mount=type=secret/);
        });

        it("accepts secret-like names without a value and names that point at a secret", () => {
            const text = GOOD.replace(
                "RUN python",
                "ARG GITHUB_TOKEN\nARG API_KEY=\nENV DB_PASSWORD_FILE=/run/secrets/db TOKEN_SECRET_ARN=arn:aws:secretsmanager:x\nRUN python",
            );
            assert.deepEqual(checkDockerfile(text), []);
        });

        it("recognises common secret names", () => {
            for (const name of ["AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "api_key", "APIKEY", "GH_TOKEN", "PRIVATE_KEY", "DB_PASSWD", "BASIC_AUTH", "GPG_PASSPHRASE"]) {
                assert.ok(isSecretLikeName(name), name);
            }
            for (const name of ["PATH", "PYTHONUNBUFFERED", "PIP_NO_CACHE_DIR", "PASSWORD_FILE", "TOKEN_ARN", "LANG"]) {
                assert.ok(!isSecretLikeName(name), name);
            }
        });
    });

    describe("multi-stage build", () => {
        it("rejects a single-stage Dockerfile", () => {
            const problem = only(checkDockerfile("FROM python:3.11.11-slim-bookworm\nUSER 10001\n"));
            assert.equal(
                problem,
                "The Dockerfile must be a multi-stage build with at least 2 FROM instructions (found 1): " +
                    "install dependencies in a builder stage and COPY --from=builder only the results into a slim final stage",
            );
        });

        it("reports an empty Dockerfile", () => {
            assert.match(only(checkDockerfile("")), /at least 2 FROM instructions \(found 0\)/);
        });
    });

    it("reports every problem at once", () => {
        const text = "FROM python\nENV API_TOKEN=abc\n";
        const problems = checkDockerfile(text);
        assert.equal(problems.length, 4, problems.join("\n"));
    });
});
