/**
 * Static checks for a job's Dockerfile, run before an image is built and pushed to ECR.
 *
 * `checkDockerfile` parses the text with `dockerfile-ast` and returns one message per problem
 * (an empty array when the Dockerfile passes). The rules:
 *
 * - every `FROM` pins a tag or digest: no missing tag, no `latest` (`scratch` and references to
 *   earlier stages are exempt; a `${VAR}` image is checked against its `ARG` default);
 * - the final stage sets a non-root `USER` (not `root`, not UID 0), numeric when
 *   `requireNumericUser` is set, since only a numeric UID can be verified without the
 *   image's /etc/passwd (Kubernetes `runAsNonRoot`, ECS/Batch `user`);
 * - no `ENV` or `ARG` whose name looks like a secret carries a value: such values are stored
 *   in the image's layers and history; secrets belong in the job definition's `secrets`
 *   (Secrets Manager `valueFrom`) or in `RUN --mount=type=secret` at build time;
 * - the build is multi-stage (at least two `FROM`), so build tools stay out of the final image.
 */
import { DockerfileParser, From, Instruction, Property } from "dockerfile-ast";

export interface DockerfileCheckOptions {
    /**
     * Require the final `USER` to be a numeric UID (optionally `UID:GID`), not a user name.
     * Default: false (a named non-root user passes).
     */
    requireNumericUser?: boolean;
}

/**
 * Environment or build-argument names that hold secrets. Names ending in `_FILE`, `_PATH`,
 * `_ARN` or `_NAME` point at a secret rather than hold it and are not matched.
 */
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|PASSPHRASE|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH)/i;
const SECRET_REFERENCE_SUFFIX = /_(FILE|PATH|ARN|NAME)$/i;

/** True when `name` looks like it holds a secret (e.g. `DB_PASSWORD`, `npm_token`, `API_KEY`). */
export function isSecretLikeName(name: string): boolean {
    return SECRET_NAME.test(name) && !SECRET_REFERENCE_SUFFIX.test(name);
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

function lineOf(instruction: Instruction): number {
    return instruction.getRange().start.line + 1;
}

/** Replaces `$NAME` / `${NAME}` with the defaults of the global `ARG`s; undefined when one has no default. */
function resolveImage(image: string, globalArgs: Map<string, string | null>): { resolved?: string; unresolved: string[] } {
    const unresolved: string[] = [];
    const resolved = image.replace(VARIABLE, (_match, braced: string | undefined, bare: string | undefined) => {
        const name = (braced ?? bare) as string;
        const value = globalArgs.get(name);
        if (value === undefined || value === null || value === "") {
            unresolved.push(name);
            return "";
        }
        return value;
    });
    return unresolved.length > 0 ? { unresolved } : { resolved, unresolved };
}

function checkFrom(from: From, earlierStages: Set<string>, globalArgs: Map<string, string | null>): string | undefined {
    const image = from.getImage();
    const line = lineOf(from);
    const fix = "pin a version tag (e.g. python:3.11.11-slim-bookworm) or a digest (image@sha256:...)";
    if (!image) {
        return `FROM on line ${line} must name an image (found none)`;
    }
    let name = from.getImageName();
    let tag = from.getImageTag();
    let digest = from.getImageDigest();
    if (image.includes("$")) {
        const { resolved, unresolved } = resolveImage(image, globalArgs);
        if (resolved === undefined) {
            return (
                `FROM ${image} on line ${line} must resolve to a pinned image ` +
                `(found ${unresolved.map((v) => `ARG ${v}`).join(", ")} with no default): give the ARG a default and ${fix}`
            );
        }
        const reparsed = DockerfileParser.parse(`FROM ${resolved}\n`).getFROMs()[0];
        name = reparsed?.getImageName() ?? resolved;
        tag = reparsed?.getImageTag() ?? null;
        digest = reparsed?.getImageDigest() ?? null;
    }
    if (name === "scratch" || (name !== null && earlierStages.has(name.toLowerCase()))) {
        return undefined;
    }
    if (digest) {
        return undefined;
    }
    if (!tag) {
        return `FROM ${image} on line ${line} must pin a tag or digest (found no tag, which means latest): ${fix}`;
    }
    if (tag.toLowerCase() === "latest") {
        return `FROM ${image} on line ${line} must pin a version tag or digest (found tag "latest"): ${fix}`;
    }
    return undefined;
}

function checkFinalUser(instructions: Instruction[], lastFrom: From, requireNumeric: boolean): string | undefined {
    const fromLine = lastFrom.getRange().start.line;
    const users = instructions.filter((i) => i.getKeyword() === "USER" && i.getRange().start.line > fromLine);
    const fix = "add e.g. USER 10001:10001 after creating that user and group";
    const user = users[users.length - 1];
    if (!user) {
        return `The final stage (FROM on line ${fromLine + 1}) must set a non-root USER (found none, so it runs as root): ${fix}`;
    }
    const value = (user.getArgumentsContent() ?? "").trim();
    const line = lineOf(user);
    const account = value.split(":")[0] ?? "";
    if (value.includes("$")) {
        return `The final stage's USER on line ${line} must be a literal non-root user (found "${value}", which cannot be verified): ${fix}`;
    }
    if (value === "") {
        return `The final stage's USER on line ${line} must name a non-root user (found an empty USER): ${fix}`;
    }
    if (account === "root" || /^0+$/.test(account)) {
        return `The final stage's USER on line ${line} must not be root (found "${value}"): ${fix}`;
    }
    if (requireNumeric && !/^\d+(:\d+)?$/.test(value)) {
        return (
            `The final stage's USER on line ${line} must be a numeric UID[:GID] so that runtimes can verify it is non-root ` +
            `(found "${value}"): use e.g. USER 10001:10001`
        );
    }
    return undefined;
}

function checkSecretProperty(keyword: "ENV" | "ARG", property: Property, line: number): string | undefined {
    const name = property.getName();
    const value = property.getValue();
    if (!isSecretLikeName(name) || value === null || value === "") {
        return undefined;
    }
    return (
        `${keyword} ${name} on line ${line} must not carry a secret value (found a value for a secret-like name; ` +
        `it is stored in the image): inject it at run time through the job definition's secrets (Secrets Manager valueFrom), ` +
        `or use RUN --mount=type=secret at build time`
    );
}

/** Checks a Dockerfile's text; returns the problems found, empty when it passes. */
export function checkDockerfile(text: string, options: DockerfileCheckOptions = {}): string[] {
    const problems: string[] = [];
    const dockerfile = DockerfileParser.parse(text);
    const froms = dockerfile.getFROMs();
    const instructions = dockerfile.getInstructions();

    const globalArgs = new Map<string, string | null>();
    for (const arg of dockerfile.getInitialARGs()) {
        const property = arg.getProperty();
        if (property) {
            globalArgs.set(property.getName(), property.getValue());
        }
    }

    const earlierStages = new Set<string>();
    for (const from of froms) {
        const problem = checkFrom(from, earlierStages, globalArgs);
        if (problem) {
            problems.push(problem);
        }
        const stage = from.getBuildStage();
        if (stage) {
            earlierStages.add(stage.toLowerCase());
        }
    }

    if (froms.length < 2) {
        problems.push(
            `The Dockerfile must be a multi-stage build with at least 2 FROM instructions (found ${froms.length}): ` +
                "install dependencies in a builder stage and COPY --from=builder only the results into a slim final stage",
        );
    }

    const lastFrom = froms[froms.length - 1];
    if (lastFrom) {
        const problem = checkFinalUser(instructions, lastFrom, options.requireNumericUser ?? false);
        if (problem) {
            problems.push(problem);
        }
    }

    for (const env of dockerfile.getENVs()) {
        for (const property of env.getProperties()) {
            const problem = checkSecretProperty("ENV", property, lineOf(env));
            if (problem) {
                problems.push(problem);
            }
        }
    }
    for (const arg of dockerfile.getARGs()) {
        const property = arg.getProperty();
        const problem = property ? checkSecretProperty("ARG", property, lineOf(arg)) : undefined;
        if (problem) {
            problems.push(problem);
        }
    }

    return problems;
}
