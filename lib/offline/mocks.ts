/**
 * Pulumi mocks for evaluating the program without the Pulumi engine or AWS: every registered resource is recorded
 * (type, name, inputs) and answered with realistic ids and ARNs derived from its name, so wiring between resources
 * (a queue referencing a compute environment's ARN, a policy naming a log group's ARN) can be checked offline.
 * Unknown data-source calls throw, so a new one is noticed and answered here on purpose.
 */
import type * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";

export const MOCK_ACCOUNT_ID = "123456789012";

export interface RecordedResource {
  type: string;
  name: string;
  custom: boolean;
  inputs: Record<string, unknown>;
  id: string;
  state: Record<string, unknown>;
}

function hex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

function service(type: string): string {
  return type.split(":")[1]?.split("/")[0] ?? "unknown";
}

/** Physical name: the explicit `name` input, else Pulumi's auto-name (logical name + 7 random characters). */
function physicalName(type: string, name: string, inputs: Record<string, unknown>): string {
  return typeof inputs.name === "string" ? inputs.name : `${name}-${hex(`${type}::${name}`, 7)}`;
}

/** The state the cloud would return for a newly created resource of this type. */
export function mockState(type: string, name: string, inputs: Record<string, unknown>, region: string, account: string): { id: string; state: Record<string, unknown> } {
  const phys = physicalName(type, name, inputs);
  const seed = `${type}::${name}`;
  const arn = (svc: string, resource: string) => `arn:aws:${svc}:${region}:${account}:${resource}`;
  const base = { ...inputs, name: phys, tagsAll: inputs.tags };
  switch (type) {
    case "awsx:ec2:Vpc": {
      const azs = Number(inputs.numberOfAvailabilityZones ?? 2);
      const specs = (inputs.subnetSpecs as { type: string }[] | undefined) ?? [];
      const isolated = specs.some((s) => s.type === "Isolated");
      const subnets = (kind: string) => Array.from({ length: azs }, (_, i) => `subnet-${hex(`${seed}:${kind}:${i}`, 17)}`);
      return {
        id: `vpc-${hex(seed, 17)}`,
        state: {
          vpcId: `vpc-${hex(seed, 17)}`,
          publicSubnetIds: subnets("public"),
          privateSubnetIds: isolated ? [] : subnets("private"),
          isolatedSubnetIds: isolated ? subnets("isolated") : [],
          routeTables: Array.from({ length: azs * 2 }, (_, i) => ({ id: `rtb-${hex(`${seed}:rtb:${i}`, 17)}` })),
        },
      };
    }
    case "aws:ec2/securityGroup:SecurityGroup": {
      const id = `sg-${hex(seed, 17)}`;
      return { id, state: { ...base, arn: arn("ec2", `security-group/${id}`) } };
    }
    case "aws:ec2/vpcEndpoint:VpcEndpoint": {
      const id = `vpce-${hex(seed, 17)}`;
      return { id, state: { ...base, arn: arn("ec2", `vpc-endpoint/${id}`) } };
    }
    case "aws:ecr/repository:Repository":
      return {
        id: phys,
        state: { ...base, arn: arn("ecr", `repository/${phys}`), registryId: account, repositoryUrl: `${account}.dkr.ecr.${region}.amazonaws.com/${phys}` },
      };
    case "docker-build:index:Image": {
      // A pushed build: its digest (stable per resource name), and `ref`, the first tag pinned by that digest.
      const digest = `sha256:${hex(seed, 64)}`;
      const tag = Array.isArray(inputs.tags) && typeof inputs.tags[0] === "string" ? inputs.tags[0] : undefined;
      const ref = tag ? `${tag}@${digest}` : "";
      return { id: ref || digest, state: { ...inputs, digest, ref, contextHash: hex(`${seed}:context`, 64) } };
    }
    case "aws:cloudwatch/logGroup:LogGroup":
      return { id: phys, state: { ...base, arn: arn("logs", `log-group:${phys}`) } };
    case "aws:iam/role:Role":
      return { id: phys, state: { ...base, arn: `arn:aws:iam::${account}:role/${phys}`, uniqueId: `AROA${hex(seed, 17).toUpperCase()}` } };
    case "aws:iam/instanceProfile:InstanceProfile":
      return { id: phys, state: { ...base, arn: `arn:aws:iam::${account}:instance-profile/${phys}` } };
    case "aws:iam/policy:Policy":
      return { id: `arn:aws:iam::${account}:policy/${phys}`, state: { ...base, arn: `arn:aws:iam::${account}:policy/${phys}` } };
    case "aws:batch/computeEnvironment:ComputeEnvironment":
      return { id: phys, state: { ...base, arn: arn("batch", `compute-environment/${phys}`), ecsClusterArn: arn("ecs", `cluster/${phys}`) } };
    case "aws:batch/jobQueue:JobQueue":
      return { id: arn("batch", `job-queue/${phys}`), state: { ...base, arn: arn("batch", `job-queue/${phys}`) } };
    case "aws:batch/jobDefinition:JobDefinition":
      return {
        id: arn("batch", `job-definition/${phys}:1`),
        state: { ...base, arn: arn("batch", `job-definition/${phys}:1`), arnPrefix: arn("batch", `job-definition/${phys}`), revision: 1 },
      };
    case "aws:batch/schedulingPolicy:SchedulingPolicy":
      return { id: arn("batch", `scheduling-policy/${phys}`), state: { ...base, arn: arn("batch", `scheduling-policy/${phys}`) } };
    case "aws:sqs/queue:Queue":
      return { id: `https://sqs.${region}.amazonaws.com/${account}/${phys}`, state: { ...base, arn: arn("sqs", phys), url: `https://sqs.${region}.amazonaws.com/${account}/${phys}` } };
    case "aws:sns/topic:Topic":
      return { id: arn("sns", phys), state: { ...base, arn: arn("sns", phys) } };
    case "aws:sns/topicSubscription:TopicSubscription":
      return { id: arn("sns", `${String(inputs.topic ?? phys).split(":").pop()}:${hex(seed, 8)}`), state: { ...base, arn: arn("sns", `${phys}:${hex(seed, 8)}`) } };
    case "aws:scheduler/scheduleGroup:ScheduleGroup":
      return { id: phys, state: { ...base, arn: arn("scheduler", `schedule-group/${phys}`) } };
    case "aws:scheduler/schedule:Schedule":
      return { id: `${String(inputs.groupName ?? "default")}/${phys}`, state: { ...base, arn: arn("scheduler", `schedule/${String(inputs.groupName ?? "default")}/${phys}`) } };
    case "aws:cloudwatch/eventRule:EventRule":
      return { id: phys, state: { ...base, arn: arn("events", `rule/${phys}`) } };
    case "aws:cloudwatch/eventTarget:EventTarget": {
      const targetId = String(inputs.targetId ?? hex(seed, 8));
      return { id: `${String(inputs.rule)}-${targetId}`, state: { ...inputs, targetId, eventBusName: inputs.eventBusName ?? "default" } };
    }
    case "aws:sqs/queuePolicy:QueuePolicy":
      return { id: String(inputs.queueUrl), state: { ...inputs } };
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return { id: phys, state: { ...base, arn: arn("cloudwatch", `alarm:${phys}`) } };
    case "aws:cloudwatch/dashboard:Dashboard":
      return { id: String(inputs.dashboardName ?? phys), state: { ...base, dashboardArn: `arn:aws:cloudwatch::${account}:dashboard/${String(inputs.dashboardName ?? phys)}` } };
    case "aws:kms/key:Key": {
      const id = `${hex(seed, 8)}-${hex(seed + "a", 4)}-${hex(seed + "b", 4)}-${hex(seed + "c", 4)}-${hex(seed + "d", 12)}`;
      return { id, state: { ...base, arn: arn("kms", `key/${id}`), keyId: id } };
    }
    case "aws:budgets/budget:Budget":
      return { id: `${account}:${phys}`, state: { ...base, arn: `arn:aws:budgets::${account}:budget/${phys}` } };
    default: {
      const svc = service(type);
      const kind = (type.split(":")[2] ?? "resource").replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase();
      return { id: `${phys}`, state: { ...base, arn: arn(svc, `${kind}/${phys}`) } };
    }
  }
}

export interface MockOptions {
  region: string;
  account?: string;
}

/** Creates mocks that append every registration to `sink`. */
export function createMocks(sink: RecordedResource[], options: MockOptions): pulumi.runtime.Mocks {
  const account = options.account ?? MOCK_ACCOUNT_ID;
  const region = options.region;
  return {
    newResource(args: pulumi.runtime.MockResourceArgs) {
      const inputs = (args.inputs ?? {}) as Record<string, unknown>;
      const { id, state } = args.custom === false && args.type !== "awsx:ec2:Vpc" ? { id: `${args.name}`, state: {} } : mockState(args.type, args.name, inputs, region, account);
      sink.push({ type: args.type, name: args.name, custom: args.custom ?? true, inputs, id, state });
      return { id, state };
    },
    call(args: pulumi.runtime.MockCallArgs) {
      switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return { accountId: account, arn: `arn:aws:iam::${account}:user/offline-plan`, userId: "AIDAOFFLINEPLAN", id: account };
        case "aws:index/getPartition:getPartition":
          return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
        case "aws:index/getRegion:getRegion":
          return { region, name: region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
          return { names: ["a", "b", "c"].map((z) => `${region}${z}`), zoneIds: ["az1", "az2", "az3"], id: region };
        case "aws:ecr/getAuthorizationToken:getAuthorizationToken": {
          // The `docker login` credentials of an image push: user AWS and a token valid for 12 hours.
          const registryId = String(args.inputs.registryId ?? account);
          const password = `offline-ecr-token-${hex(registryId, 16)}`;
          return {
            authorizationToken: Buffer.from(`AWS:${password}`).toString("base64"),
            expiresAt: "2030-01-01T12:00:00Z",
            id: region,
            password,
            proxyEndpoint: `https://${registryId}.dkr.ecr.${region}.amazonaws.com`,
            region,
            registryId,
            userName: "AWS",
          };
        }
        default:
          throw new Error(`the offline mocks do not know the data source "${args.token}": add an answer for it in lib/offline/mocks.ts`);
      }
    },
  };
}
