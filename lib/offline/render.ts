/**
 * Renders an offline plan the way `pulumi preview` shows one: the resource tree (type and name, children nested
 * under their component), a one-line summary of the settings that matter for the key resources, and the stack
 * outputs.
 */
import type { PlannedResource, ProgramRun } from "./run";

type Summarizer = (inputs: Record<string, unknown>, all: Map<string, PlannedResource>) => string | undefined;

function parseJson(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== "string") return undefined;
  try {
    return JSON.parse(value) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Finds the resource whose mocked ARN is `arn`, for readable references. */
function nameByArn(all: Map<string, PlannedResource>, arn: unknown): string {
  for (const r of all.values()) if (r.state.arn === arn) return r.name;
  return String(arn);
}

/** An event pattern in one line: `field=value|value` per filtered field, ARNs shortened to their resource part. */
function summarizePattern(pattern: Record<string, unknown>, prefix = ""): string {
  const short = (v: unknown): string => {
    if (typeof v === "string") return v.startsWith("arn:") ? v.split(":").slice(5).join(":") : v;
    if (v !== null && typeof v === "object") return Object.entries(v).map(([op, x]) => `${op} ${short(x)}`).join(" ");
    return String(v);
  };
  return Object.entries(pattern)
    .map(([key, value]) => {
      const path = prefix ? `${prefix}.${key}` : key;
      if (Array.isArray(value)) return `${path}=${value.map(short).join("|")}`;
      if (value !== null && typeof value === "object") return summarizePattern(value as Record<string, unknown>, path);
      return `${path}=${short(value)}`;
    })
    .join(" ");
}

const SUMMARIES: Record<string, Summarizer> = {
  "aws:batch/jobDefinition:JobDefinition": (inputs) => {
    const c = parseJson(inputs.containerProperties) ?? {};
    const req = (c.resourceRequirements as { type: string; value: string }[] | undefined) ?? [];
    const vcpu = req.find((r) => r.type === "VCPU")?.value;
    const mem = req.find((r) => r.type === "MEMORY")?.value;
    const retry = inputs.retryStrategy as { attempts?: number } | undefined;
    const timeout = inputs.timeout as { attemptDurationSeconds?: number } | undefined;
    const platform = (inputs.platformCapabilities as string[] | undefined)?.join(",");
    return `${String(c.image)} | ${vcpu} vCPU, ${mem} MiB, ${platform} | user ${String(c.user)} | ${retry?.attempts ?? 1} attempts | timeout ${timeout?.attemptDurationSeconds ?? "none"}s`;
  },
  "aws:batch/jobQueue:JobQueue": (inputs, all) => {
    const orders = (inputs.computeEnvironmentOrders as { order: number; computeEnvironment: string }[] | undefined) ?? [];
    const ces = orders
      .slice()
      .sort((a, b) => a.order - b.order)
      .map((o) => nameByArn(all, o.computeEnvironment));
    return `${String(inputs.name)} | priority ${String(inputs.priority)} | ${ces.join(" -> ")}`;
  },
  "aws:batch/computeEnvironment:ComputeEnvironment": (inputs) => {
    const cr = (inputs.computeResources ?? {}) as Record<string, unknown>;
    const strategy = cr.allocationStrategy ? ` ${String(cr.allocationStrategy)}` : "";
    return `${String(cr.type)}${strategy} | ${String(cr.minVcpus ?? 0)}-${String(cr.maxVcpus)} vCPU`;
  },
  "aws:ecr/repository:Repository": (inputs) => {
    const scan = (inputs.imageScanningConfiguration as { scanOnPush?: boolean } | undefined)?.scanOnPush;
    return `${String(inputs.name)} | tags ${String(inputs.imageTagMutability)} | scan on push ${scan ? "on" : "off"}`;
  },
  "aws:cloudwatch/logGroup:LogGroup": (inputs) => `${String(inputs.name)} | retention ${String(inputs.retentionInDays)} days`,
  "aws:scheduler/schedule:Schedule": (inputs) => {
    const description = typeof inputs.description === "string" ? ` | ${inputs.description}` : "";
    return `${String(inputs.scheduleExpression)} ${String(inputs.scheduleExpressionTimezone ?? "UTC")} | ${String(inputs.state ?? "ENABLED")}${description}`;
  },
  "aws:cloudwatch/eventRule:EventRule": (inputs) => {
    const state = String(inputs.state ?? (inputs.isEnabled === false ? "DISABLED" : "ENABLED"));
    const pattern = parseJson(inputs.eventPattern);
    const what = pattern ? summarizePattern(pattern) : typeof inputs.scheduleExpression === "string" ? inputs.scheduleExpression : "";
    return `${what} | ${state}`;
  },
  "aws:ec2/vpcEndpoint:VpcEndpoint": (inputs) => `${String(inputs.serviceName)} (${String(inputs.vpcEndpointType)})`,
  "awsx:ec2:Vpc": (inputs) => {
    const nat = (inputs.natGateways as { strategy?: string } | undefined)?.strategy;
    return `${String(inputs.cidrBlock)} | ${String(inputs.numberOfAvailabilityZones)} AZs | NAT ${String(nat)}`;
  },
};

export function summarize(resource: PlannedResource, all: Map<string, PlannedResource>): string | undefined {
  const fn = SUMMARIES[resource.type];
  return fn ? fn(resource.inputs, all) : undefined;
}

function formatValue(value: unknown): string {
  return JSON.stringify(value, null, 2).split("\n").join("\n    ");
}

/** Text rendering of a plan. */
export function renderPlan(run: ProgramRun): string {
  const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
  const children = new Map<string | undefined, PlannedResource[]>();
  for (const r of run.resources) {
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  const rows: { tree: string; type: string; name: string; note: string }[] = [];
  const walk = (r: PlannedResource, prefix: string, last: boolean, root: boolean) => {
    const branch = root ? "" : `${prefix}${last ? "└─ " : "├─ "}`;
    const flags = [r.options.protect ? "protected" : "", r.options.retainOnDelete ? "retained on delete" : ""].filter(Boolean).join(", ");
    const summary = summarize(r, byUrn);
    const note = [summary, flags ? `[${flags}]` : ""].filter(Boolean).join(" ");
    rows.push({ tree: branch, type: r.type, name: r.name, note });
    const kids = children.get(r.urn) ?? [];
    kids.forEach((k, i) => walk(k, root ? "" : `${prefix}${last ? "   " : "│  "}`, i === kids.length - 1, false));
  };
  const roots = children.get(undefined) ?? [];
  roots.forEach((r, i) => walk(r, "", i === roots.length - 1, true));

  const typeWidth = Math.max(...rows.map((r) => r.tree.length + r.type.length)) + 2;
  const nameWidth = Math.max(...rows.map((r) => r.name.length)) + 2;
  const lines = [`Previewing update (${run.stack}), offline: mocked provider, nothing is created`, ""];
  lines.push(`     ${"Type".padEnd(typeWidth)}${"Name".padEnd(nameWidth)}Plan`);
  for (const row of rows) {
    lines.push(` +   ${(row.tree + row.type).padEnd(typeWidth)}${row.name.padEnd(nameWidth)}create${row.note ? `  ${row.note}` : ""}`);
  }
  lines.push("", "Outputs:");
  // Sorted by name, as `pulumi preview` lists them.
  for (const k of Object.keys(run.outputs).sort()) lines.push(`    ${k}: ${formatValue(run.outputs[k])}`);
  const custom = run.resources.filter((r) => r.custom).length;
  lines.push("", "Resources:", `    + ${run.resources.length} to create (${custom} cloud resources, ${run.resources.length - custom} components and stack)`);
  return lines.join("\n");
}

/** The machine-readable plan: `{stack, resources: [{type, name, parent, inputs}], outputs}`. */
export function planJson(run: ProgramRun): Record<string, unknown> {
  return {
    stack: run.stack,
    project: run.project,
    resources: run.resources.map((r) => ({
      type: r.type,
      name: r.name,
      urn: r.urn,
      parent: r.parent ?? null,
      inputs: r.inputs,
      options: r.options,
    })),
    outputs: run.outputs,
  };
}
