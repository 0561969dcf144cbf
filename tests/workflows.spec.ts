/**
 * The GitHub Actions workflows: schema-valid (action-validator), and wired to what exists in the repository
 * (stacks, policy pack, policy config files), with OIDC credentials and the concurrency rules the deployment
 * relies on.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { validateWorkflow } from "@action-validator/core";
import * as YAML from "yaml";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const STACKS = ["dev", "prod"];

type Scalar = string | number | boolean | null;

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    with?: Record<string, Scalar>;
    env?: Record<string, Scalar>;
}

interface Concurrency {
    group: string;
    "cancel-in-progress"?: boolean | string;
}

interface Job {
    name?: string;
    needs?: string | string[];
    if?: string;
    environment?: string | { name: string; url?: string };
    concurrency?: string | Concurrency;
    permissions?: string | Record<string, string>;
    env?: Record<string, Scalar>;
    strategy?: { matrix?: Record<string, unknown>; "fail-fast"?: boolean };
    steps?: Step[];
}

interface Workflow {
    name?: string;
    on: Record<string, unknown>;
    concurrency?: string | Concurrency;
    permissions?: string | Record<string, string>;
    env?: Record<string, Scalar>;
    jobs: Record<string, Job>;
}

interface LoadedWorkflow {
    file: string;
    text: string;
    workflow: Workflow;
}

function load(file: string): LoadedWorkflow {
    const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
    return { file, text, workflow: YAML.parse(text) as Workflow };
}

/** The values a job runs with: one entry per matrix combination (one empty entry without a matrix). */
function matrixEntries(job: Job): Record<string, Scalar>[] {
    const matrix = job.strategy?.matrix;
    if (!matrix) return [{}];
    const include = (matrix.include as Record<string, Scalar>[] | undefined) ?? [];
    const axes = Object.entries(matrix).filter(([key]) => key !== "include" && key !== "exclude");
    let entries: Record<string, Scalar>[] = [{}];
    for (const [key, values] of axes) {
        assert.ok(Array.isArray(values), `matrix.${key} must be a list`);
        entries = entries.flatMap((entry) => (values as Scalar[]).map((value) => ({ ...entry, [key]: value })));
    }
    if (axes.length === 0) return include;
    return [...entries, ...include.filter((extra) => !entries.some((e) => e.stack === extra.stack))];
}

/** Replaces `${{ matrix.x }}` and `${{ env.X }}` with their values; fails on any other expression. */
function expand(value: Scalar | undefined, matrix: Record<string, Scalar>, env: Record<string, Scalar>, what: string): string {
    const text = String(value ?? "");
    const expanded = text.replace(/\$\{\{\s*(matrix|env)\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}/g, (match, scope: string, key: string) => {
        const source = scope === "matrix" ? matrix : env;
        assert.ok(key in source, `${what}: ${match} has no value`);
        return String(source[key]);
    });
    assert.ok(!expanded.includes("${{"), `${what} must be a path, optionally with \${{ matrix.x }} or \${{ env.X }} (found "${text}")`);
    return expanded;
}

function lines(value: string): string[] {
    return value
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter((s) => s !== "");
}

function needsOf(job: Job): string[] {
    return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

/** Every job that `job` waits for, directly or not. */
function upstream(workflow: Workflow, jobId: string, seen = new Set<string>()): Set<string> {
    for (const need of needsOf(workflow.jobs[jobId] as Job)) {
        if (!seen.has(need)) {
            seen.add(need);
            upstream(workflow, need, seen);
        }
    }
    return seen;
}

function permission(workflow: Workflow, job: Job, scope: string): string | undefined {
    const perms = job.permissions ?? workflow.permissions;
    if (perms === undefined) return undefined;
    if (typeof perms === "string") return perms === "write-all" ? "write" : perms === "read-all" ? "read" : undefined;
    return perms[scope];
}

interface PulumiStep {
    jobId: string;
    job: Job;
    step: Step;
    stepIndex: number;
    matrix: Record<string, Scalar>;
    stack: string;
}

/** Every `pulumi/actions` step, once per matrix entry, with the stack it operates on. */
function pulumiSteps(workflow: Workflow): PulumiStep[] {
    const out: PulumiStep[] = [];
    for (const [jobId, job] of Object.entries(workflow.jobs)) {
        (job.steps ?? []).forEach((step, stepIndex) => {
            if (!step.uses?.startsWith("pulumi/actions@")) return;
            for (const matrix of matrixEntries(job)) {
                const stackName = String(step.with?.["stack-name"] ?? "");
                const fromMatrix = /\bmatrix\.stack\b/.test(stackName);
                const fromEnv = /\benv\.STACK\b/.test(stackName);
                assert.ok(
                    fromMatrix || fromEnv || STACKS.includes(stackName),
                    `${jobId}: stack-name must name the stack through matrix.stack, env.STACK or literally (found "${stackName}")`,
                );
                const stack = String(fromMatrix ? matrix.stack : fromEnv ? job.env?.STACK : stackName);
                out.push({ jobId, job, step, stepIndex, matrix, stack });
            }
        });
    }
    return out;
}

function concurrencyOf(value: string | Concurrency | undefined): Concurrency | undefined {
    if (value === undefined) return undefined;
    return typeof value === "string" ? { group: value } : value;
}

const preview = load("preview.yml");
const deploy = load("deploy.yml");
const all = [preview, deploy];

describe("GitHub workflows", () => {
    for (const { file, text } of all) {
        it(`${file} is a valid workflow according to action-validator`, () => {
            const state = validateWorkflow(text);
            assert.equal(state.actionType, "workflow");
            assert.deepEqual(state.errors, [], `${file}: ${JSON.stringify(state.errors, null, 2)}`);
        });
    }

    describe("what the workflows reference exists in the repository", () => {
        for (const { file, workflow } of all) {
            it(`${file}: every stack it deploys or previews has a Pulumi.<stack>.yaml in the repository root`, () => {
                const stacks = [...new Set(pulumiSteps(workflow).map((s) => s.stack))].sort();
                assert.deepEqual(stacks, [...STACKS].sort(), `${file} must operate on the stacks ${STACKS.join(", ")}`);
                const missing = stacks.filter((stack) => !fs.existsSync(path.join(ROOT, `Pulumi.${stack}.yaml`)));
                assert.deepEqual(missing, [], `${file} uses stacks without a stack config file: ${missing.map((s) => `Pulumi.${s}.yaml`).join(", ")}`);
                assert.ok(fs.existsSync(path.join(ROOT, "Pulumi.yaml")), "Pulumi.yaml (the project file) must exist in the repository root");
            });

            it(`${file}: the policy pack folder it runs holds PulumiPolicy.yaml`, () => {
                for (const { jobId, step, matrix, job } of pulumiSteps(workflow)) {
                    const packs = lines(expand(step.with?.policyPacks, matrix, job.env ?? {}, `${jobId} policyPacks`));
                    assert.deepEqual(packs, ["policies"], `${jobId}: policyPacks must run the project's pack "policies"`);
                    for (const pack of packs) {
                        const manifest = path.join(ROOT, pack, "PulumiPolicy.yaml");
                        assert.ok(fs.existsSync(manifest), `${jobId}: policy pack "${pack}" has no PulumiPolicy.yaml (looked for ${path.relative(ROOT, manifest)})`);
                    }
                }
            });

            it(`${file}: each stack's policy config file exists and belongs to that stack`, () => {
                for (const { jobId, step, matrix, job, stack } of pulumiSteps(workflow)) {
                    const configs = lines(expand(step.with?.policyPackConfigs, matrix, job.env ?? {}, `${jobId} policyPackConfigs`));
                    assert.deepEqual(configs, [`policies/config/${stack}.json`], `${jobId} (${stack}): policyPackConfigs must be the stack's own file`);
                    for (const config of configs) {
                        const file = path.join(ROOT, config);
                        assert.ok(fs.existsSync(file), `${jobId} (${stack}): policy config ${config} does not exist`);
                        assert.doesNotThrow(() => JSON.parse(fs.readFileSync(file, "utf8")) as unknown, `${config} must be JSON`);
                    }
                }
            });
        }
    });

    describe("preview.yml", () => {
        const { workflow } = preview;

        it("runs on pull requests", () => {
            assert.ok("pull_request" in workflow.on, "preview.yml must run on pull_request");
            assert.ok(!("push" in workflow.on) && !("pull_request_target" in workflow.on));
        });

        it("has one concurrency group per pull request that cancels runs in progress", () => {
            const concurrency = concurrencyOf(workflow.concurrency);
            assert.ok(concurrency, "preview.yml must set a workflow-level concurrency");
            assert.match(concurrency.group, /github\.event\.pull_request\.number|github\.head_ref/);
            assert.equal(concurrency["cancel-in-progress"], true);
        });

        it("previews dev and prod in a matrix with the policy pack, commenting on the pull request", () => {
            const steps = pulumiSteps(workflow);
            assert.deepEqual(steps.map((s) => s.stack).sort(), ["dev", "prod"]);
            assert.equal(new Set(steps.map((s) => s.jobId)).size, 1, "one matrix job previews every stack");
            for (const { step, job } of steps) {
                assert.equal(step.uses, "pulumi/actions@v6");
                assert.equal(step.with?.command, "preview");
                assert.equal(step.with?.["comment-on-pr"], true);
                assert.equal(job.strategy?.["fail-fast"], false);
            }
        });

        it("runs npm ci and npm test before any preview", () => {
            for (const { jobId } of pulumiSteps(workflow)) {
                const before = [...upstream(workflow, jobId)].flatMap((id) => workflow.jobs[id]?.steps ?? []);
                const runs = before.map((s) => s.run?.trim());
                assert.ok(runs.includes("npm ci") && runs.includes("npm test"), `${jobId} must need a job that runs npm ci and npm test`);
            }
        });
    });

    describe("deploy.yml", () => {
        const { workflow, text } = deploy;
        const byStack = new Map(pulumiSteps(workflow).map((s) => [s.stack, s]));

        it("runs on pushes to main and by hand, deploying only main", () => {
            const push = workflow.on.push as { branches?: string[] } | undefined;
            assert.deepEqual(push?.branches, ["main"]);
            assert.ok("workflow_dispatch" in workflow.on);
            for (const { jobId, job } of byStack.values()) {
                assert.equal(job.if, "github.ref == 'refs/heads/main'", `${jobId} must deploy only main`);
            }
        });

        it("runs pulumi up with the policy pack for dev, then prod", () => {
            const dev = byStack.get("dev");
            const prod = byStack.get("prod");
            assert.ok(dev && prod, "deploy.yml must update dev and prod");
            for (const { step } of [dev, prod]) {
                assert.equal(step.uses, "pulumi/actions@v6");
                assert.equal(step.with?.command, "up");
            }
            assert.notEqual(dev.jobId, prod.jobId);
            assert.ok(needsOf(prod.job).includes(dev.jobId), `${prod.jobId} must need ${dev.jobId}`);
            const devUpstream = upstream(workflow, dev.jobId);
            const runs = [...devUpstream].flatMap((id) => workflow.jobs[id]?.steps ?? []).map((s) => s.run?.trim());
            assert.ok(runs.includes("npm ci") && runs.includes("npm test"), "dev must be deployed after the tests pass");
        });

        it("deploys prod through the production environment, whose reviewers are set in the repository settings", () => {
            const prod = byStack.get("prod");
            assert.ok(prod);
            const environment = prod.job.environment;
            assert.equal(typeof environment === "string" ? environment : environment?.name, "production");
            assert.match(text, /required reviewers/i, "deploy.yml must say that production's required reviewers are configured in the settings");
        });

        it("serialises updates per stack and never cancels one in progress", () => {
            const groups = new Set<string>();
            for (const { jobId, job, stack } of byStack.values()) {
                const concurrency = concurrencyOf(job.concurrency);
                assert.ok(concurrency, `${jobId} must set a job-level concurrency`);
                assert.equal(concurrency["cancel-in-progress"], false, `${jobId}: an update must never be cancelled midway`);
                assert.ok(concurrency.group.includes(stack), `${jobId}: the concurrency group must name the stack (found "${concurrency.group}")`);
                groups.add(concurrency.group);
            }
            assert.equal(groups.size, byStack.size, "each stack needs its own concurrency group");
            const top = concurrencyOf(workflow.concurrency);
            assert.ok(top === undefined || top["cancel-in-progress"] !== true, "a workflow-level cancel-in-progress would cancel updates");
        });
    });

    describe("credentials, caching and toolchain", () => {
        for (const { file, text, workflow } of all) {
            it(`${file}: uses no long-lived AWS keys`, () => {
                assert.ok(!text.includes("AWS_SECRET_ACCESS_KEY"), `${file} must not mention AWS_SECRET_ACCESS_KEY`);
                assert.ok(!text.includes("AWS_ACCESS_KEY_ID"), `${file} must not mention AWS_ACCESS_KEY_ID`);
                assert.ok(!/aws-(secret-)?access-key/.test(text), `${file} must not pass access keys to configure-aws-credentials`);
            });

            it(`${file}: assumes an AWS role by OIDC before every Pulumi step, with id-token: write`, () => {
                for (const { jobId, job, stepIndex } of pulumiSteps(workflow)) {
                    const steps = job.steps ?? [];
                    const credentials = steps.findIndex((s) => s.uses === "aws-actions/configure-aws-credentials@v4");
                    assert.ok(credentials >= 0 && credentials < stepIndex, `${jobId} must configure AWS credentials before the Pulumi step`);
                    assert.match(String(steps[credentials]?.with?.["role-to-assume"]), /^\$\{\{\s*vars[.[]/, `${jobId}: role-to-assume must come from a repository variable`);
                    assert.ok(steps[credentials]?.with?.["aws-region"], `${jobId}: aws-region is required`);
                    assert.equal(permission(workflow, job, "id-token"), "write", `${jobId} needs permissions: id-token: write`);
                }
                assert.notEqual(permission(workflow, { steps: [] }, "id-token"), "write", "id-token: write belongs on the jobs that need it, not the workflow");
            });

            it(`${file}: logs in to Pulumi Cloud with PULUMI_ACCESS_TOKEN or to the backend in PULUMI_BACKEND_URL`, () => {
                for (const { jobId, step } of pulumiSteps(workflow)) {
                    assert.equal(step.env?.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}", `${jobId}: PULUMI_ACCESS_TOKEN must come from the secret`);
                    assert.equal(step.with?.["cloud-url"], "${{ vars.PULUMI_BACKEND_URL }}", `${jobId}: cloud-url must come from vars.PULUMI_BACKEND_URL`);
                }
                assert.match(text, /PULUMI_BACKEND_URL.*self-managed/, `${file} must document the self-managed backend option`);
            });

            it(`${file}: caches Pulumi plugins and sets up Node 20 with the npm cache in every job`, () => {
                for (const { jobId, job, stepIndex } of pulumiSteps(workflow)) {
                    const cache = (job.steps ?? []).findIndex((s) => s.uses?.startsWith("actions/cache@") && s.with?.path === "~/.pulumi/plugins");
                    assert.ok(cache >= 0 && cache < stepIndex, `${jobId} must restore ~/.pulumi/plugins before the Pulumi step`);
                    assert.match(String(job.steps?.[cache]?.with?.key), /hashFiles\('package-lock\.json'\)/);
                }
                for (const [jobId, job] of Object.entries(workflow.jobs)) {
                    const node = (job.steps ?? []).find((s) => s.uses?.startsWith("actions/setup-node@"));
                    assert.ok(node, `${jobId} must set up Node`);
                    assert.equal(String(node.with?.["node-version"]), "20", `${jobId} must use Node 20`);
                    assert.equal(node.with?.cache, "npm", `${jobId} must cache npm`);
                    const runs = (job.steps ?? []).map((s) => s.run?.trim());
                    assert.ok(runs.includes("npm ci"), `${jobId} must install with npm ci`);
                }
            });

            it(`${file}: pins every action to a major version`, () => {
                for (const [jobId, job] of Object.entries(workflow.jobs)) {
                    for (const step of job.steps ?? []) {
                        if (step.uses) assert.match(step.uses, /^[\w.-]+\/[\w.-]+@(v\d+|[0-9a-f]{40})$/, `${jobId}: ${step.uses}`);
                    }
                }
            });
        }
    });
});
