/**
 * Rules over the whole stack: job failures reach someone, job queues have compute to run on, and every taggable
 * resource says which project, environment and owner it belongs to.
 */
import * as aws from "@pulumi/aws";
import { PolicyConfigSchema, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { readConfig } from "./lib/config";
import { admits, Admits, matchersAt } from "./lib/eventPattern";
import { dependsOn, indexByName, referencedName, refersTo, StackResource, toStackResource } from "./lib/references";
import { asArray, asBoolean, asString, at, Dict, isDict, isUnknown, parseJsonProperty, plain, show, typeToken } from "./lib/values";

const T = {
  jobDefinition: typeToken(aws.batch.JobDefinition),
  jobQueue: typeToken(aws.batch.JobQueue),
  computeEnvironment: typeToken(aws.batch.ComputeEnvironment),
  eventRule: typeToken(aws.cloudwatch.EventRule),
  eventTarget: typeToken(aws.cloudwatch.EventTarget),
  metricAlarm: typeToken(aws.cloudwatch.MetricAlarm),
  schedule: typeToken(aws.scheduler.Schedule),
  topic: typeToken(aws.sns.Topic),
};

// ---------------------------------------------------------------------------------------------------------------
// job-failure-alerts

/** The event pattern every failure rule must admit. */
const FAILURE_EVENT = { source: "aws.batch", detailType: "Batch Job State Change", status: "FAILED" };

const PATTERN_EXAMPLE =
  `{ "source": ["aws.batch"], "detail-type": ["Batch Job State Change"], "detail": { "status": ["FAILED"] } }`;

function both(a: Admits, b: Admits): Admits {
  if (a === "no" || b === "no") return "no";
  return a === "unknown" || b === "unknown" ? "unknown" : "yes";
}

/** A rule filter on a batch resource (detail.jobQueue / detail.jobDefinition) applied to one resource. */
function filterAdmits(matchers: unknown[] | undefined, target: StackResource, arnKind: string): Admits {
  if (matchers === undefined) return "yes";
  let unknown = false;
  for (const m of matchers) {
    if (typeof m === "string" && !isUnknown(m)) {
      const r = refersTo(m, target, arnKind);
      if (r === "yes") return "yes";
      if (r === "unknown") unknown = true;
    } else {
      // Content filters (prefix, wildcard, ...) on ARNs this policy cannot compute: give the benefit of the doubt.
      unknown = true;
    }
  }
  return unknown ? "unknown" : "no";
}

interface FailureRule {
  rule: StackResource;
  pattern: Dict;
}

/** Which (job definition, job queue) pairs the stack's schedules and event targets submit. */
function submissions(resources: StackResource[], jds: StackResource[], queues: StackResource[]): Map<string, Set<string>> {
  const byJd = new Map<string, Set<string>>();
  // A reference that carries a resource's exact name (the usual case: an ARN of a named job definition or queue)
  // is found by lookup; anything else (auto-names, unknowns) by comparing with every candidate.
  const byName = new Map([
    ["job-definition", indexByName(jds)],
    ["job-queue", indexByName(queues)],
  ]);
  const match = (ref: unknown, candidates: StackResource[], arnKind: string, source: StackResource, prop: string): StackResource[] => {
    const name = typeof ref === "string" ? referencedName(ref, arnKind) : undefined;
    const named = name === undefined ? undefined : byName.get(arnKind)?.get(name);
    if (named !== undefined) return named;
    return candidates.filter((c) => {
      const r = refersTo(ref, c, arnKind);
      return r === "yes" || (r === "unknown" && dependsOn(source, c, prop));
    });
  };
  const pair = (source: StackResource, jdRef: unknown, queueRef: unknown, jdProp: string, queueProp: string) => {
    const matchedJds = match(jdRef, jds, "job-definition", source, jdProp);
    const matchedQueues = match(queueRef, queues, "job-queue", source, queueProp);
    for (const jd of matchedJds) {
      const set = byJd.get(jd.urn) ?? new Set<string>();
      matchedQueues.forEach((q) => set.add(q.urn));
      byJd.set(jd.urn, set);
    }
  };
  for (const r of resources) {
    if (r.type === T.schedule) {
      const arn = asString(at(r.props, "target", "arn")) ?? "";
      if (!arn.endsWith(":batch:submitJob")) continue;
      const input = parseJsonProperty(at(r.props, "target", "input"));
      if (input.state !== "ok") continue;
      const field = (pascal: string, camel: string) => at(input.value, pascal) ?? at(input.value, camel);
      pair(r, field("JobDefinition", "jobDefinition"), field("JobQueue", "jobQueue"), "target", "target");
    } else if (r.type === T.eventTarget && isDict(at(r.props, "batchTarget"))) {
      pair(r, at(r.props, "batchTarget", "jobDefinition"), at(r.props, "arn"), "batchTarget", "arn");
    }
  }
  return byJd;
}

const alertsSchema: PolicyConfigSchema = {
  properties: {
    requireMonitoring: {
      type: "boolean",
      default: false,
      description:
        "Report job definitions even when the stack has no monitoring resources yet (no EventRule, SNS topic or MetricAlarm). " +
        "Default: the rule applies once monitoring exists.",
    },
  },
};

interface AlertsConfig {
  requireMonitoring: boolean;
}

export const jobFailureAlerts: StackValidationPolicy = {
  name: "job-failure-alerts",
  description:
    "Once the stack has monitoring, every job definition must have a failure alert path: an enabled aws.cloudwatch.EventRule on " +
    "the default event bus, with a target, whose eventPattern matches source 'aws.batch', detail-type 'Batch Job State Change' " +
    "and status FAILED, for all job queues or the job's queue. A cron job that fails on AWS otherwise fails silently (AWS Batch publishes no failed-job metric).",
  enforcementLevel: "advisory",
  configSchema: alertsSchema,
  validateStack: (args, report) => {
    const cfg = readConfig<AlertsConfig>(alertsSchema, args);
    const resources = args.resources.map(toStackResource);
    const jds = resources.filter((r) => r.type === T.jobDefinition);
    if (jds.length === 0) return;
    const monitoring = resources.some((r) => r.type === T.eventRule || r.type === T.topic || r.type === T.metricAlarm);
    if (!monitoring && !cfg.requireMonitoring) return;

    const queues = resources.filter((r) => r.type === T.jobQueue);
    const targets = resources.filter((r) => r.type === T.eventTarget);
    const failureRules: FailureRule[] = [];
    const untargeted: string[] = [];
    for (const rule of resources.filter((r) => r.type === T.eventRule)) {
      const enabled = asBoolean(at(rule.props, "isEnabled"));
      const state = asString(at(rule.props, "state"))?.toUpperCase();
      if (enabled === false || state === "DISABLED") continue;
      const bus = asString(at(rule.props, "eventBusName"));
      if (bus !== undefined && bus !== "default" && !bus.endsWith(":event-bus/default")) continue; // AWS Batch events go to the default bus
      const parsed = parseJsonProperty(at(rule.props, "eventPattern"));
      if (parsed.state === "unknown") return; // a rule we cannot read yet may be the alert path
      if (parsed.state !== "ok" || !isDict(parsed.value)) continue;
      const pattern = parsed.value;
      const matches = [
        admits(matchersAt(pattern, ["source"]), FAILURE_EVENT.source),
        admits(matchersAt(pattern, ["detail-type"]), FAILURE_EVENT.detailType),
        admits(matchersAt(pattern, ["detail", "status"]), FAILURE_EVENT.status),
      ].reduce(both);
      if (matches === "no") continue;
      const targeted = targets.some((t) => dependsOn(t, rule, "rule") || refersTo(at(t.props, "rule"), rule) !== "no");
      if (!targeted) {
        untargeted.push(rule.name);
        continue;
      }
      failureRules.push({ rule, pattern });
    }

    const submitted = submissions(resources, jds, queues);
    for (const jd of jds) {
      const known = [...(submitted.get(jd.urn) ?? [])];
      const jdQueues = known.length ? queues.filter((q) => known.includes(q.urn)) : queues;
      const covered = failureRules.some(({ pattern }) => {
        const byDefinition = filterAdmits(matchersAt(pattern, ["detail", "jobDefinition"]), jd, "job-definition");
        const queueMatchers = matchersAt(pattern, ["detail", "jobQueue"]);
        const byQueue = jdQueues.length
          ? jdQueues.map((q) => filterAdmits(queueMatchers, q, "job-queue")).reduce(both)
          : queueMatchers === undefined
            ? "yes"
            : "unknown";
        return both(byDefinition, byQueue) !== "no";
      });
      if (covered) continue;
      let found: string;
      if (failureRules.length > 0) {
        found = `failure rules ${failureRules.map((f) => `"${f.rule.name}"`).join(", ")} only for other job queues or definitions`;
      } else if (untargeted.length > 0) {
        found = `failure rules ${untargeted.map((n) => `"${n}"`).join(", ")} without a target`;
      } else {
        found = "no EventRule for failed AWS Batch jobs";
      }
      report(
        `Job definition "${jd.name}" must have a failure alert path (found ${found}). Add an aws.cloudwatch.EventRule with eventPattern ` +
          `${PATTERN_EXAMPLE} (add "jobQueue": [<queue ARN>] under detail to narrow it) and an aws.cloudwatch.EventTarget sending it to an SNS topic.`,
        jd.urn,
      );
    }
  },
};

// ---------------------------------------------------------------------------------------------------------------
// job-queue-compute-environment

function isFargateEnvironment(ce: StackResource): boolean | undefined {
  const type = asString(at(ce.props, "computeResources", "type"))?.toUpperCase();
  return type === undefined ? undefined : type.startsWith("FARGATE");
}

export const jobQueueComputeEnvironment: StackValidationPolicy = {
  name: "job-queue-compute-environment",
  description:
    "Every AWS Batch job queue must list in computeEnvironmentOrders at least one compute environment of this stack (by its ARN), " +
    "and not mix Fargate with EC2/Spot environments; otherwise jobs wait in RUNNABLE forever.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const resources = args.resources.map(toStackResource);
    const environments = resources.filter((r) => r.type === T.computeEnvironment);
    for (const queue of resources.filter((r) => r.type === T.jobQueue)) {
      const rawOrders = at(queue.props, "computeEnvironmentOrders");
      if (isUnknown(rawOrders)) continue;
      const orders = asArray(rawOrders) ?? [];
      const fix = `Set computeEnvironmentOrders: [{ order: 1, computeEnvironment: <compute environment>.arn }].`;
      if (orders.length === 0) {
        report(`Job queue "${queue.name}" must reference a compute environment (found computeEnvironmentOrders: ${show(rawOrders)}). ${fix}`, queue.urn);
        continue;
      }
      const refs = orders.map((o) => at(o, "computeEnvironment"));
      const viaDependency = environments.filter((ce) => dependsOn(queue, ce, "computeEnvironmentOrders"));
      const viaReference = environments.filter((ce) => refs.some((ref) => refersTo(ref, ce, "compute-environment") === "yes"));
      const matched = [...new Set([...viaDependency, ...viaReference])];
      if (matched.length === 0) {
        if (refs.some((ref) => typeof ref !== "string" || isUnknown(ref))) continue; // not known yet
        report(
          `Job queue "${queue.name}" must reference a compute environment of this stack (found ${refs.map((r) => show(r)).join(", ")}, ` +
            `${environments.length ? `none of ${environments.map((e) => `"${e.name}"`).join(", ")}` : "and the stack has no compute environment"}). ${fix}`,
          queue.urn,
        );
        continue;
      }
      const kinds = new Set(matched.map(isFargateEnvironment).filter((k) => k !== undefined));
      if (kinds.size > 1) {
        report(
          `Job queue "${queue.name}" must not mix Fargate and EC2/Spot compute environments (found ${matched
            .map((e) => `"${e.name}" (${asString(at(e.props, "computeResources", "type"))})`)
            .join(", ")}). Use one queue per platform.`,
          queue.urn,
        );
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------------------------
// required-tags

export const DEFAULT_TAGGABLE_TYPES: readonly string[] = [
  aws.batch.JobDefinition,
  aws.batch.ComputeEnvironment,
  aws.batch.JobQueue,
  aws.batch.SchedulingPolicy,
  aws.ecr.Repository,
  aws.cloudwatch.LogGroup,
  aws.cloudwatch.EventRule,
  aws.cloudwatch.MetricAlarm,
  aws.iam.Role,
  aws.iam.Policy,
  aws.sns.Topic,
  aws.sqs.Queue,
  aws.scheduler.ScheduleGroup,
  aws.ec2.SecurityGroup,
  aws.kms.Key,
  aws.secretsmanager.Secret,
  aws.s3.Bucket,
].map(typeToken);

const tagsSchema: PolicyConfigSchema = {
  properties: {
    requiredTags: {
      type: "array",
      items: { type: "string" },
      default: ["Project", "Environment", "Owner"],
      description: "Tag keys every taggable resource must carry with a non-empty value (case-sensitive).",
    },
    taggableTypes: {
      type: "array",
      items: { type: "string" },
      default: [...DEFAULT_TAGGABLE_TYPES],
      description: "Type tokens checked even when their inputs have no 'tags' key (any aws: resource with a 'tags' key is checked too).",
    },
    ignoredTypes: {
      type: "array",
      items: { type: "string" },
      default: [],
      description: "Type tokens never checked.",
    },
  },
};

interface TagsConfig {
  requiredTags: string[];
  taggableTypes: string[];
  ignoredTypes: string[];
}

/** `defaultTags.tags` of an aws provider's inputs (an object, or a JSON string as providers receive it). */
function providerDefaultTags(props: unknown): Dict {
  let defaults: unknown = at(props, "defaultTags");
  if (typeof defaults === "string") {
    const parsed = parseJsonProperty(defaults);
    defaults = parsed.state === "ok" ? parsed.value : undefined;
  }
  const tags = at(defaults, "tags");
  return isDict(tags) ? tags : {};
}

export const requiredTags: StackValidationPolicy = {
  name: "required-tags",
  description:
    "Every taggable AWS resource (inputs with a 'tags' key, or a known taggable type) must carry the Project, Environment and Owner " +
    "tags (keys configurable, case-sensitive), from its own tags or the aws provider's defaultTags, for cost allocation and ownership.",
  enforcementLevel: "mandatory",
  configSchema: tagsSchema,
  validateStack: (args, report) => {
    const cfg = readConfig<TagsConfig>(tagsSchema, args);
    const providers = args.resources.filter((r) => r.type === "pulumi:providers:aws");
    const soleProviderTags = providers.length === 1 ? providerDefaultTags(plain(providers[0].props)) : {};
    const taggable = new Set(cfg.taggableTypes);
    const ignored = new Set(cfg.ignoredTypes);
    for (const resource of args.resources as PolicyResource[]) {
      if (!resource.type.startsWith("aws:") || ignored.has(resource.type)) continue;
      const props = (plain(resource.props) ?? {}) as Dict;
      if (!("tags" in props) && !taggable.has(resource.type)) continue;
      const own = props.tags;
      if (isUnknown(own)) continue;
      const inherited = resource.provider ? providerDefaultTags(plain(resource.provider.props)) : soleProviderTags;
      const tagsAll = isDict(props.tagsAll) ? props.tagsAll : {};
      const tags: Dict = { ...inherited, ...tagsAll, ...(isDict(own) ? own : {}) };
      const missing = cfg.requiredTags.filter((k) => {
        const v = tags[k];
        return !isUnknown(v) && (typeof v !== "string" || v.trim() === "");
      });
      if (missing.length === 0) continue;
      const present = Object.keys(tags);
      report(
        `Resource "${resource.name}" (${resource.type}) must carry the tags ${cfg.requiredTags.join(", ")} ` +
          `(missing ${missing.join(", ")}; found ${present.length ? present.join(", ") : "no tags"}). ` +
          `Add them to the resource's tags (merged in one place in the component) or to the aws provider's defaultTags.`,
        resource.urn,
      );
    }
  },
};

export const stackPolicies: StackValidationPolicy[] = [jobFailureAlerts, jobQueueComputeEnvironment, requiredTags];
