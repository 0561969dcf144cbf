/**
 * Views of an `aws.batch.JobDefinition`'s inputs: the containers it runs (from the `containerProperties`,
 * `nodeProperties` or `ecsProperties` JSON strings) and the platform it targets.
 */
import { asArray, asString, at, Dict, isDict, isUnknown, parseJsonProperty, plain } from "./values";

/** One container of a job definition and where it was found. */
export interface JobContainer {
  /** Where the container sits, e.g. `containerProperties` or `nodeProperties.nodeRangeProperties[0].container`. */
  where: string;
  /** The container's properties (AWS API shape, camelCase). */
  props: Dict;
  /** True for the `containerProperties` of a single-container job (the shape resource sizing applies to). */
  single: boolean;
}

export type JobContainers =
  | { state: "ok"; containers: JobContainer[] }
  /** Some container property string is not known yet (preview): nothing can be said. */
  | { state: "unknown" }
  /** No container-based properties (e.g. an EKS job definition). */
  | { state: "none" }
  | { state: "invalid"; property: string; error: string };

/** The containers of a job definition's inputs. */
export function jobContainers(inputs: unknown): JobContainers {
  const props = plain(inputs) as Dict;
  const containers: JobContainer[] = [];
  let found = false;

  const container = parseJsonProperty(props.containerProperties);
  if (container.state === "unknown") return { state: "unknown" };
  if (container.state === "invalid") return { state: "invalid", property: "containerProperties", error: container.error };
  if (container.state === "ok") {
    found = true;
    if (isDict(container.value)) containers.push({ where: "containerProperties", props: container.value, single: true });
  }

  const nodes = parseJsonProperty(props.nodeProperties);
  if (nodes.state === "unknown") return { state: "unknown" };
  if (nodes.state === "invalid") return { state: "invalid", property: "nodeProperties", error: nodes.error };
  if (nodes.state === "ok") {
    found = true;
    const ranges = asArray(at(nodes.value, "nodeRangeProperties")) ?? [];
    ranges.forEach((range, i) => {
      const c = at(range, "container");
      if (isDict(c)) containers.push({ where: `nodeProperties.nodeRangeProperties[${i}].container`, props: c, single: false });
    });
  }

  const ecs = parseJsonProperty(props.ecsProperties);
  if (ecs.state === "unknown") return { state: "unknown" };
  if (ecs.state === "invalid") return { state: "invalid", property: "ecsProperties", error: ecs.error };
  if (ecs.state === "ok") {
    found = true;
    const tasks = asArray(at(ecs.value, "taskProperties")) ?? [];
    tasks.forEach((task, i) => {
      (asArray(at(task, "containers")) ?? []).forEach((c, j) => {
        if (isDict(c)) containers.push({ where: `ecsProperties.taskProperties[${i}].containers[${j}]`, props: c, single: false });
      });
    });
  }

  return found ? { state: "ok", containers } : { state: "none" };
}

export type Platform = "FARGATE" | "EC2" | "unknown";

/** The platform the job definition targets: `platformCapabilities` of `["FARGATE"]` or (default) EC2. */
export function jobPlatform(inputs: unknown): Platform {
  const caps = at(inputs, "platformCapabilities");
  if (isUnknown(caps)) return "unknown";
  const list = asArray(caps);
  if (list === undefined) return "EC2";
  if (list.some((c) => isUnknown(c))) return "unknown";
  return list.some((c) => asString(c)?.toUpperCase() === "FARGATE") ? "FARGATE" : "EC2";
}

/** "Job definition "name"" plus the container's place when the job has more than one container. */
export function containerSubject(resourceName: string, c: JobContainer, all: JobContainer[]): string {
  return all.length > 1 || !c.single ? `Job definition "${resourceName}" (${c.where})` : `Job definition "${resourceName}"`;
}
