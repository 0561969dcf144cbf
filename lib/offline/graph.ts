/**
 * The stack as a picture: a Mermaid flowchart of an offline plan. Nodes are the resources a reader of the
 * architecture cares about (network, compute environments, queues, job definitions, repositories and image
 * builds, schedules, event rules, alarms, topics, ...), grouped by the component that declares them. Edges are
 * found, not declared: a resource links to another when one of its inputs contains the other's mocked identity
 * (ARN, id, URL, digest, physical name), so resource types added later link up without changes here.
 *
 * Plumbing that would crowd the picture (IAM, log groups, lifecycle and access policies, keys, the dashboard) is
 * left out; an EventBridge target is drawn as the edge from its rule to what it targets.
 */
import type { PlannedResource, ProgramRun } from "./run";

/** Resource types left out of the picture. A prefix ending in `/` covers a whole module. */
const HIDDEN: readonly string[] = [
  "pulumi:providers:",
  "aws:iam/",
  "aws:kms/",
  "aws:cloudwatch/logGroup:",
  "aws:cloudwatch/queryDefinition:",
  "aws:cloudwatch/dashboard:",
  "aws:ecr/lifecyclePolicy:",
  "aws:sns/topicPolicy:",
  "aws:sns/topicSubscription:",
  "aws:sqs/queuePolicy:",
  "aws:scheduler/scheduleGroup:",
];

/** Types drawn as an edge between two other resources: `[input naming the source, input naming the target]`. */
const CONNECTORS: Record<string, [string, string]> = {
  "aws:cloudwatch/eventTarget:EventTarget": ["rule", "arn"],
};

/** Input keys that never hold a reference to another resource (`tags` as AWS tags; an image's list of tags is searched). */
const SKIPPED_KEYS = new Set(["description", "alarmDescription", "name", "namePrefix"]);
const TAG_KEYS = new Set(["tags", "tagsAll"]);

/** Ids that AWS generates (`sg-0a1b...`, `subnet-...`, `vpce-...`): as unique as an ARN. */
const CLOUD_ID = /^[a-z]{2,12}-[0-9a-f]{8,}$/;

/** State keys whose values identify a resource as strongly as its ARN (unique by construction). */
const STRONG_KEYS = /^(arn|arnPrefix|.*Arn|.*Url|url|digest|ref|vpcId|.*SubnetIds)$/;

/** Titles of the groups, by component type (the last part of its type token). */
const GROUP_TITLES: Record<string, string> = {
  Network: "Network",
  ImageRepository: "Images",
  ImageBuild: "Images",
  BatchEnvironment: "Compute",
  BatchJob: "Jobs",
  JobSchedules: "Schedules",
  JobSchedule: "Schedules",
  Monitoring: "Monitoring",
};

/** Groups in the order the flowchart lists them; others follow in plan order. */
const GROUP_ORDER = ["Network", "Compute", "Jobs", "Images", "Schedules", "Monitoring"];

type Shape = "box" | "cylinder" | "stadium" | "hexagon" | "subroutine";

/** How a resource type is drawn: its shape, its style class, and an optional detail line. */
interface Look {
  shape: Shape;
  cls: string;
  detail?: (r: PlannedResource) => string | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

const LOOKS: Record<string, Look> = {
  "awsx:ec2:Vpc": { shape: "box", cls: "network", detail: (r) => str(r.inputs.cidrBlock) },
  "aws:ec2/securityGroup:SecurityGroup": { shape: "box", cls: "network" },
  "aws:ec2/vpcEndpoint:VpcEndpoint": { shape: "box", cls: "network", detail: (r) => str(r.inputs.serviceName)?.split(".").slice(3).join(".") },
  "aws:batch/computeEnvironment:ComputeEnvironment": {
    shape: "hexagon",
    cls: "compute",
    detail: (r) => str((r.inputs.computeResources as Record<string, unknown> | undefined)?.type),
  },
  "aws:batch/jobQueue:JobQueue": { shape: "subroutine", cls: "compute", detail: (r) => (r.inputs.priority !== undefined ? `priority ${String(r.inputs.priority)}` : undefined) },
  "aws:batch/jobDefinition:JobDefinition": { shape: "box", cls: "job" },
  "aws:ecr/repository:Repository": { shape: "cylinder", cls: "image" },
  "docker-build:index:Image": {
    shape: "box",
    cls: "image",
    detail: (r) => {
      const tag = Array.isArray(r.inputs.tags) ? str(r.inputs.tags[0])?.split(":").pop() : undefined;
      const context = str((r.inputs.context as Record<string, unknown> | undefined)?.location);
      return [context, tag && `tag ${tag}`].filter(Boolean).join(", ") || undefined;
    },
  },
  "aws:scheduler/schedule:Schedule": {
    shape: "stadium",
    cls: "schedule",
    detail: (r) => [str(r.inputs.scheduleExpression), str(r.inputs.scheduleExpressionTimezone)].filter(Boolean).join(" ") || undefined,
  },
  "aws:cloudwatch/eventRule:EventRule": { shape: "stadium", cls: "alert" },
  "aws:cloudwatch/metricAlarm:MetricAlarm": { shape: "hexagon", cls: "alert" },
  "aws:sns/topic:Topic": { shape: "box", cls: "alert" },
  "aws:sqs/queue:Queue": { shape: "cylinder", cls: "alert" },
  "aws:budgets/budget:Budget": { shape: "hexagon", cls: "alert" },
};

const CLASS_DEFS: Record<string, string> = {
  network: "fill:#e8f1fb,stroke:#4a7ab7",
  compute: "fill:#fff4e0,stroke:#c98a1b",
  job: "fill:#e9f7ec,stroke:#3f8f55",
  image: "fill:#f3ecfa,stroke:#7d55b0",
  schedule: "fill:#e6f6f6,stroke:#2f8f8f",
  alert: "fill:#fdeceb,stroke:#c0453a",
};

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

function isHidden(type: string): boolean {
  return HIDDEN.some((prefix) => type.startsWith(prefix));
}

/** The last part of a type token: `JobQueue`, `Vpc`, `Image`. */
function shortType(type: string): string {
  return type.split(":").pop() ?? type;
}

/** Text inside a quoted Mermaid label. */
function escapeLabel(text: string): string {
  return text.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

function wrap(shape: Shape, label: string): string {
  const q = `"${label}"`;
  switch (shape) {
    case "cylinder":
      return `[(${q})]`;
    case "stadium":
      return `([${q}])`;
    case "hexagon":
      return `{{${q}}}`;
    case "subroutine":
      return `[[${q}]]`;
    default:
      return `[${q}]`;
  }
}

/**
 * Identities other resources may use to refer to `r`: strong ones (ARNs, URLs, digests, cloud ids) are found
 * anywhere in a text; weak ones (ids and names, which can be ordinary words) only as a whole value under a key
 * that names a resource (`rule`, `QueueName`, ...). Values `r` took from its own inputs are someone else's.
 */
function identities(r: PlannedResource): { strong: string[]; weak: string[] } {
  const strong: string[] = [];
  const weak: string[] = [];
  const found: Found[] = [];
  strings(r.inputs, "", undefined, found);
  const own = new Set(found.map((f) => f.text));
  const add = (list: string[], v: unknown) => {
    if (typeof v === "string" && v.length >= 6 && !list.includes(v)) list.push(v);
  };
  for (const [key, value] of Object.entries(r.state)) {
    if (key === "name" || key === "tags" || key === "tagsAll") continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      const candidate = typeof v === "object" && v !== null && "id" in v ? (v as { id: unknown }).id : v;
      if (typeof candidate !== "string" || own.has(candidate)) continue;
      if (STRONG_KEYS.test(key) || candidate.startsWith("arn:") || key === "routeTables") add(strong, candidate);
    }
  }
  if (r.custom) add(CLOUD_ID.test(r.id) || /^(arn:|https:\/\/)/.test(r.id) ? strong : weak, r.id);
  add(weak, str(r.state.name) ?? str(r.inputs.name));
  return { strong, weak: weak.filter((w) => !strong.includes(w)) };
}

/** Keys whose whole value may be a resource's id or name. */
const REFERENCE_KEY = /(^|[a-z])(name|Name|rule|Rule|queue|Queue|group|Group|repository|Repository|topic|Topic|id|Id|Definition|arn|Arn)$/;

/** Characters that continue an identifier: a match must not be preceded or followed by one. */
const IDENT = /[A-Za-z0-9_./-]/;

function occursIn(text: string, token: string): boolean {
  for (let i = text.indexOf(token); i >= 0; i = text.indexOf(token, i + 1)) {
    const before = i === 0 ? "" : text[i - 1];
    const after = text[i + token.length] ?? "";
    if (!IDENT.test(before) && !IDENT.test(after)) return true;
  }
  return false;
}

/** Maximal runs of identifier characters. */
const IDENT_RUN = /[A-Za-z0-9_./-]+/g;

/**
 * Narrows the tokens `occursIn` must try on a text, so that linking a plan is linear in its size rather than
 * tokens x strings. Where a token occurs as a whole identifier, each of its runs of identifier characters is a
 * whole run of the text (bounded by the token's own separators or by the text's), so a token is indexed by its
 * longest run and tried only on texts that have that run. Candidates come back as indexes into `tokens`, in order.
 */
function indexTokens(tokens: readonly string[]): { candidates(text: string): number[] } {
  const byRun = new Map<string, number[]>();
  const always: number[] = [];
  tokens.forEach((token, i) => {
    const longest = (token.match(IDENT_RUN) ?? []).reduce<string | undefined>((a, b) => (a === undefined || b.length > a.length ? b : a), undefined);
    if (longest === undefined) always.push(i);
    else if (byRun.has(longest)) byRun.get(longest)!.push(i);
    else byRun.set(longest, [i]);
  });
  return {
    candidates(text: string): number[] {
      const found = new Set(always);
      for (const run of text.match(IDENT_RUN) ?? []) for (const i of byRun.get(run) ?? []) found.add(i);
      return [...found].sort((a, b) => a - b);
    },
  };
}

/** A string found in a resource's inputs, with the object it sits in (for edge labels) and its key. */
interface Found {
  text: string;
  key: string;
  holder?: Record<string, unknown>;
}

/** Every string in a value, descending into JSON text (container properties, policies, event patterns). */
function strings(value: unknown, key: string, holder: Record<string, unknown> | undefined, out: Found[]): void {
  if (typeof value === "string") {
    const t = value.trim();
    if ((t.startsWith("{") || t.startsWith("[")) && t.length > 1) {
      try {
        strings(JSON.parse(t), key, holder, out);
        return;
      } catch {
        // not JSON: searched as text
      }
    }
    out.push({ text: value, key, holder });
  } else if (Array.isArray(value)) {
    for (const v of value) strings(v, key, holder, out);
  } else if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (SECRET_SIG in obj) return; // secrets are never searched or shown
    for (const [k, v] of Object.entries(obj)) {
      if (SKIPPED_KEYS.has(k) || (TAG_KEYS.has(k) && !Array.isArray(v))) continue;
      strings(v, k, obj, out);
    }
  }
}

interface Edge {
  from: string;
  to: string;
  labels: Set<string>;
}

/** The Mermaid flowchart of a planned stack. */
export function toMermaid(run: ProgramRun): string {
  const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
  const stackUrn = run.resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn;
  const drawable = (r: PlannedResource) => (r.custom || Object.keys(r.state).length > 0) && r.type !== "pulumi:pulumi:Stack";
  const candidates = run.resources.filter((r) => drawable(r));
  const nodes = candidates.filter((r) => !isHidden(r.type) && !(r.type in CONNECTORS));

  // Node ids: readable and unique.
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const r of nodes) {
    const base = `${shortType(r.type)}_${r.name}`.replace(/[^A-Za-z0-9_]/g, "_");
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    ids.set(r.urn, id);
  }

  // Identity -> resources. Weak identities that name more than one resource are dropped.
  const strong = new Map<string, string>();
  const weak = new Map<string, string[]>();
  for (const r of candidates) {
    const idents = identities(r);
    for (const s of idents.strong) strong.set(s, r.urn);
    for (const w of idents.weak) weak.set(w, [...(weak.get(w) ?? []), r.urn]);
  }
  const tokens = [...strong].sort((a, b) => b[0].length - a[0].length);
  const tokenIndex = indexTokens(tokens.map(([token]) => token));
  const names = new Map<string, string>();
  for (const [w, urns] of weak) if (urns.length === 1 && !strong.has(w)) names.set(w, urns[0]);

  const referenced = (value: unknown, key = ""): { urn: string; found: Found }[] => {
    const found: Found[] = [];
    strings(value, key, undefined, found);
    const out: { urn: string; found: Found }[] = [];
    for (const f of found) {
      for (const i of tokenIndex.candidates(f.text)) {
        const [token, urn] = tokens[i];
        if (occursIn(f.text, token)) out.push({ urn, found: f });
      }
      const named = REFERENCE_KEY.test(f.key) ? names.get(f.text) : undefined;
      if (named) out.push({ urn: named, found: f });
    }
    return out;
  };

  const edges = new Map<string, Edge>();
  const addEdge = (fromUrn: string, toUrn: string, label?: string) => {
    const from = ids.get(fromUrn);
    const to = ids.get(toUrn);
    if (!from || !to || from === to) return;
    const k = `${from}->${to}`;
    const edge = edges.get(k) ?? { from, to, labels: new Set<string>() };
    if (label) edge.labels.add(label);
    edges.set(k, edge);
  };

  for (const r of candidates) {
    const connector = CONNECTORS[r.type];
    if (connector) {
      const sources = referenced(r.inputs[connector[0]], connector[0]);
      const targets = referenced(r.inputs[connector[1]], connector[1]);
      for (const s of sources) for (const t of targets) addEdge(s.urn, t.urn, "target");
      continue;
    }
    if (!ids.has(r.urn)) continue;
    for (const { urn, found } of referenced(r.inputs)) {
      const order = found.holder?.order;
      addEdge(r.urn, urn, typeof order === "number" ? `order ${order}` : undefined);
    }
  }

  // Groups: the top-level component each node belongs to, by type.
  const groupOf = (r: PlannedResource): string | undefined => {
    let top: PlannedResource | undefined;
    for (let p = r.parent ? byUrn.get(r.parent) : undefined; p && p.urn !== stackUrn; p = p.parent ? byUrn.get(p.parent) : undefined) top = p;
    if (!top) return undefined;
    const t = shortType(top.type);
    return GROUP_TITLES[t] ?? t;
  };
  const groups = new Map<string | undefined, PlannedResource[]>();
  for (const r of nodes) {
    const g = groupOf(r);
    const members = groups.get(g);
    if (members) members.push(r);
    else groups.set(g, [r]);
  }

  const nodeLine = (r: PlannedResource, indent: string): string => {
    const look = LOOKS[r.type] ?? { shape: "box" as Shape, cls: "" };
    const display = str(r.inputs.name) ?? r.name;
    const detail = look.detail?.(r);
    const label = [shortType(r.type), display, detail].filter((x): x is string => Boolean(x)).map(escapeLabel).join("<br/>");
    return `${indent}${ids.get(r.urn)}${wrap(look.shape, label)}${look.cls ? `:::${look.cls}` : ""}`;
  };

  const lines = ["flowchart LR", `  %% ${run.project} ${run.stack}: offline plan (npm run plan -- --stack ${run.stack} --graph FILE)`];
  const rank = (title: string) => (GROUP_ORDER.includes(title) ? GROUP_ORDER.indexOf(title) : GROUP_ORDER.length);
  const titled = [...groups].filter((g): g is [string, PlannedResource[]] => g[0] !== undefined).sort((a, b) => rank(a[0]) - rank(b[0]));
  for (const [title, members] of titled) {
    lines.push(`  subgraph g_${title.replace(/[^A-Za-z0-9_]/g, "_")}["${escapeLabel(title)}"]`);
    for (const r of members) lines.push(nodeLine(r, "    "));
    lines.push("  end");
  }
  for (const r of groups.get(undefined) ?? []) lines.push(nodeLine(r, "  "));
  for (const e of edges.values()) {
    const label = [...e.labels].join(", ");
    lines.push(`  ${e.from} -->${label ? `|"${escapeLabel(label)}"|` : ""} ${e.to}`);
  }
  for (const [cls, style] of Object.entries(CLASS_DEFS)) lines.push(`  classDef ${cls} ${style}`);
  return `${lines.join("\n")}\n`;
}
