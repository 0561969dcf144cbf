/**
 * Evaluates the Pulumi program under mocks, inside a real root stack resource, exactly as `pulumi preview` runs
 * `index.ts`, and returns every resource it registered (with its parent and resource options) and the stack
 * outputs. No Pulumi CLI, engine or AWS credentials are involved.
 */
import * as path from "node:path";
import { createMocks, RecordedResource } from "./mocks";
import type { StackConfig } from "./stack-files";

export interface PlannedResource {
  /** Pulumi type token, e.g. `aws:batch/jobDefinition:JobDefinition`. */
  type: string;
  name: string;
  urn: string;
  /** URN of the parent; undefined for the root stack resource. */
  parent?: string;
  custom: boolean;
  inputs: Record<string, unknown>;
  /** The mocked provider's answer (ids, ARNs). */
  state: Record<string, unknown>;
  id: string;
  options: { protect?: boolean; deleteBeforeReplace?: boolean; retainOnDelete?: boolean; dependsOn?: string[]; ignoreChanges?: string[] };
}

export interface ProgramRun {
  stack: string;
  project: string;
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
}

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const PROGRAM = path.join(PROJECT_ROOT, "index.ts");

interface Captured {
  type: string;
  name: string;
  parentKey?: string;
  options: PlannedResource["options"];
}

const key = (type: string, name: string) => `${type}::${name}`;

/**
 * Runs the program for a stack's config. `overrides` replaces config values (e.g. another inventory path).
 * Throws what the program throws (a `pulumi.RunError` for invalid input).
 */
export async function runProgram(stackConfig: StackConfig, overrides: Record<string, string> = {}, programPath = PROGRAM): Promise<ProgramRun> {
  // The Pulumi SDK captures a stack trace for every resource (with an unlimited depth, to find the user's source
  // position) and for every internal promise. Under ts-node each capture is source-mapped frame by frame, which
  // dominated the run time of large programs, and the mocks have no use for source positions. So while the program
  // runs, a trace is just the error's own line; OFFLINE_PLAN_STACK_TRACES=1 keeps full traces for debugging.
  const prepareStackTrace = Error.prepareStackTrace;
  const stackTraceLimit = Error.stackTraceLimit;
  if (process.env.OFFLINE_PLAN_STACK_TRACES !== "1") {
    Error.prepareStackTrace = (error: Error) => `${error.name}: ${error.message}`;
    Error.stackTraceLimit = 0;
  }
  try {
    return await evaluate(stackConfig, overrides, programPath);
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    Error.stackTraceLimit = stackTraceLimit;
  }
}

async function evaluate(stackConfig: StackConfig, overrides: Record<string, string>, programPath: string): Promise<ProgramRun> {
  // Loaded lazily so that the mocks are installed before any resource module is evaluated.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
  const config = { ...stackConfig.config, ...overrides };
  const region = config["aws:region"] ?? "us-east-1";
  const recorded: RecordedResource[] = [];
  const captured = new Map<string, Captured>();

  pulumi.runtime.setAllConfig(config, stackConfig.secretKeys);
  await pulumi.runtime.setMocks(createMocks(recorded, { region }), stackConfig.project, stackConfig.stack, false);

  // Validate first, outside the stack: invalid input throws its ConfigError here, before anything is declared,
  // and without the engine's error logging.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require(path.join(PROJECT_ROOT, "program")) as typeof import("../../program")).loadStackInput();

  const outputs = await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      const parent = args.opts.parent as { __pulumiType?: string; __name?: string } | undefined;
      const dependsOn = args.opts.dependsOn;
      const deps = (Array.isArray(dependsOn) ? dependsOn : dependsOn ? [dependsOn] : []) as unknown as { __pulumiType?: string; __name?: string }[];
      captured.set(key(args.type, args.name), {
        type: args.type,
        name: args.name,
        parentKey: parent?.__pulumiType ? key(parent.__pulumiType, parent.__name ?? "") : undefined,
        options: {
          protect: args.opts.protect,
          deleteBeforeReplace: (args.opts as import("@pulumi/pulumi").CustomResourceOptions).deleteBeforeReplace,
          retainOnDelete: args.opts.retainOnDelete,
          ignoreChanges: args.opts.ignoreChanges,
          dependsOn: deps.filter((d) => d && d.__pulumiType).map((d) => key(d.__pulumiType!, d.__name ?? "")),
        },
      });
      return undefined;
    });
    delete require.cache[require.resolve(programPath)];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(programPath) as Record<string, unknown>;
  });

  // Let every outstanding registration (including the stack's outputs) finish before the next run replaces the
  // mocks; otherwise its late answers would hit the next run's monitor.
  await pulumi.runtime.disconnect();

  const stackKey = key("pulumi:pulumi:Stack", `${stackConfig.project}-${stackConfig.stack}`);
  const byKey = new Map<string, RecordedResource>();
  for (const r of recorded) byKey.set(key(r.type, r.name), r);

  const urns = new Map<string, string>();
  const urnOf = (k: string): string => {
    const cached = urns.get(k);
    if (cached) return cached;
    const r = byKey.get(k);
    const c = captured.get(k);
    const type = r?.type ?? c?.type ?? k.split("::")[0];
    const name = r?.name ?? c?.name ?? k.split("::")[1];
    const chain: string[] = [type];
    let parent = k === stackKey ? undefined : (c?.parentKey ?? stackKey);
    while (parent && parent !== stackKey) {
      chain.unshift(parent.split("::")[0]);
      parent = captured.get(parent)?.parentKey ?? stackKey;
    }
    const urn = `urn:pulumi:${stackConfig.stack}::${stackConfig.project}::${chain.join("$")}::${name}`;
    urns.set(k, urn);
    return urn;
  };

  const resources: PlannedResource[] = recorded.map((r) => {
    const k = key(r.type, r.name);
    const c = captured.get(k);
    const parentKey = k === stackKey ? undefined : (c?.parentKey ?? stackKey);
    return {
      type: r.type,
      name: r.name,
      urn: urnOf(k),
      parent: parentKey ? urnOf(parentKey) : undefined,
      custom: r.custom,
      inputs: r.inputs,
      state: r.state,
      id: r.id,
      options: { ...(c?.options ?? {}), dependsOn: c?.options.dependsOn?.map(urnOf) },
    };
  });

  return { stack: stackConfig.stack, project: stackConfig.project, resources, outputs: (outputs ?? {}) as Record<string, unknown> };
}
