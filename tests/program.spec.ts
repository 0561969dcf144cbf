/**
 * The whole program, evaluated for the committed dev and prod stacks under the mocks: what each stack declares,
 * and how the resources are wired to each other.
 */
import * as assert from "node:assert/strict";
import type { ContainerProperties } from "@aws-sdk/client-batch";
import type { ProgramRun } from "../lib/offline/run";
import type { PolicyDocument } from "../lib/iam";
import { jsonInput, ofType, planStack, resource, T } from "./helpers/program";

describe("program: committed stacks", () => {
  let dev: ProgramRun;
  let prod: ProgramRun;

  before(async () => {
    dev = await planStack("dev");
    prod = await planStack("prod");
  });

  describe("job definitions", () => {
    it("carry resourceRequirements, never the deprecated vcpus/memory", () => {
      const c = jsonInput<ContainerProperties & Record<string, unknown>>(resource(prod, T.jobDef, "job-data-processor-definition"), "containerProperties");
      assert.deepEqual(c.resourceRequirements, [
        { type: "VCPU", value: "2" },
        { type: "MEMORY", value: "4096" },
      ]);
      assert.equal(c.vcpus, undefined);
      assert.equal(c.memory, undefined);
    });

    it("apply the dev stack's per-job size override", () => {
      const c = jsonInput<ContainerProperties>(resource(dev, T.jobDef, "job-data-processor-definition"), "containerProperties");
      assert.deepEqual(c.resourceRequirements, [
        { type: "VCPU", value: "1" },
        { type: "MEMORY", value: "2048" },
      ]);
    });

    it("run as the non-root user with a read-only root file system and a writable /tmp", () => {
      const c = jsonInput<ContainerProperties>(resource(dev, T.jobDef, "job-report-generator-definition"), "containerProperties");
      assert.equal(c.user, "1000:1000");
      assert.equal(c.readonlyRootFilesystem, true);
      assert.deepEqual(c.volumes, [{ name: "scratch-0" }]);
      assert.deepEqual(c.mountPoints, [{ sourceVolume: "scratch-0", containerPath: "/tmp", readOnly: false }]);
    });

    it("use the image from the stack's own ECR repository with the inventory's version tag", () => {
      const c = jsonInput<ContainerProperties>(resource(dev, T.jobDef, "job-data-processor-definition"), "containerProperties");
      const repo = resource(dev, T.repo, "repo-data-processor-ecr");
      assert.equal(c.image, `${String(repo.state.repositoryUrl)}:v1.0.0`);
      assert.equal(c.image, "123456789012.dkr.ecr.eu-central-1.amazonaws.com/dev/data-processor:v1.0.0");
    });

    it("inject secrets by valueFrom: Secrets Manager ARNs as written, SSM names as parameter ARNs", () => {
      const dp = jsonInput<ContainerProperties>(resource(dev, T.jobDef, "job-data-processor-definition"), "containerProperties");
      assert.deepEqual(dp.secrets, [
        { name: "DATABASE_PASSWORD", valueFrom: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:batch/data-processor/db-password-Ab12Cd" },
      ]);
      const rg = jsonInput<ContainerProperties>(resource(dev, T.jobDef, "job-report-generator-definition"), "containerProperties");
      assert.deepEqual(rg.secrets, [
        { name: "SMTP_PASSWORD", valueFrom: "arn:aws:ssm:eu-central-1:123456789012:parameter/batch/report-generator/smtp-password" },
      ]);
      assert.ok(!(rg.environment ?? []).some((e) => e.name === "SMTP_PASSWORD"));
    });

    it("log with awslogs to the job's own log group, whose retention follows the stack", () => {
      const c = jsonInput<ContainerProperties>(resource(dev, T.jobDef, "job-data-processor-definition"), "containerProperties");
      assert.deepEqual(c.logConfiguration, {
        logDriver: "awslogs",
        options: { "awslogs-group": "/aws/batch/dev/data-processor", "awslogs-region": "eu-central-1", "awslogs-stream-prefix": "data-processor" },
      });
      assert.equal(resource(dev, T.logGroup, "job-data-processor-logs").inputs.retentionInDays, 14);
      assert.equal(resource(prod, T.logGroup, "job-data-processor-logs").inputs.retentionInDays, 365);
    });

    it("wire the execution and job roles by ARN", () => {
      const c = jsonInput<ContainerProperties>(resource(dev, T.jobDef, "job-data-processor-definition"), "containerProperties");
      assert.equal(c.executionRoleArn, resource(dev, T.role, "job-data-processor-exec-role").state.arn);
      assert.equal(c.jobRoleArn, resource(dev, T.role, "job-data-processor-job-role").state.arn);
    });

    it("retry infrastructure failures and the job's retryable exit code, then exit on anything else", () => {
      const def = resource(dev, T.jobDef, "job-data-processor-definition");
      assert.deepEqual(def.inputs.retryStrategy, {
        attempts: 3,
        evaluateOnExits: [
          { action: "RETRY", onStatusReason: "Host EC2*" },
          { action: "RETRY", onReason: "CannotPullContainerError*" },
          { action: "RETRY", onExitCode: "75" },
          { action: "EXIT", onReason: "*" },
        ],
      });
      assert.deepEqual(def.inputs.timeout, { attemptDurationSeconds: 3600 });
      assert.equal(def.inputs.propagateTags, true);
      assert.deepEqual(def.inputs.platformCapabilities, ["FARGATE"]);
    });

    it("keep a fixed, environment-prefixed name and Fargate settings without a public IP", () => {
      const def = resource(dev, T.jobDef, "job-report-generator-definition");
      assert.equal(def.inputs.name, "dev-report-generator");
      const c = jsonInput<ContainerProperties>(def, "containerProperties");
      assert.deepEqual(c.networkConfiguration, { assignPublicIp: "DISABLED" });
      assert.deepEqual(c.fargatePlatformConfiguration, { platformVersion: "LATEST" });
      assert.deepEqual(c.runtimePlatform, { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" });
    });
  });

  describe("IAM", () => {
    it("lets the execution role pull only its repository, write only its log group, read only its secret", () => {
      const role = resource(dev, T.role, "job-data-processor-exec-role");
      const inline = role.inputs.inlinePolicies as { name: string; policy: string }[];
      const doc = JSON.parse(inline[0].policy) as PolicyDocument;
      const repoArn = resource(dev, T.repo, "repo-data-processor-ecr").state.arn;
      const logArn = resource(dev, T.logGroup, "job-data-processor-logs").state.arn;
      assert.deepEqual(doc.Statement, [
        { Sid: "EcrAuthorization", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        { Sid: "EcrPull", Effect: "Allow", Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], Resource: repoArn },
        { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${String(logArn)}:*` },
        {
          Sid: "ReadSecrets",
          Effect: "Allow",
          Action: "secretsmanager:GetSecretValue",
          Resource: ["arn:aws:secretsmanager:eu-central-1:123456789012:secret:batch/data-processor/db-password-Ab12Cd"],
        },
      ]);
    });

    it("lets the execution role read SSM parameters by exact ARN", () => {
      const role = resource(dev, T.role, "job-report-generator-exec-role");
      const doc = JSON.parse((role.inputs.inlinePolicies as { policy: string }[])[0].policy) as PolicyDocument;
      const ssm = doc.Statement.find((s) => s.Sid === "ReadParameters");
      assert.deepEqual(ssm, {
        Sid: "ReadParameters",
        Effect: "Allow",
        Action: "ssm:GetParameters",
        Resource: ["arn:aws:ssm:eu-central-1:123456789012:parameter/batch/report-generator/smtp-password"],
      });
    });

    it("gives the job role exactly the declared permissions", () => {
      const role = resource(dev, T.role, "job-data-processor-job-role");
      const doc = JSON.parse((role.inputs.inlinePolicies as { policy: string }[])[0].policy) as PolicyDocument;
      assert.deepEqual(doc.Statement, [
        {
          Sid: "Declared1",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:ListBucket"],
          Resource: ["arn:aws:s3:::acme-data-processing", "arn:aws:s3:::acme-data-processing/input/*"],
        },
        { Sid: "Declared2", Effect: "Allow", Action: ["s3:PutObject"], Resource: ["arn:aws:s3:::acme-data-processing/output/*"] },
      ]);
    });

    it("trusts only ECS tasks of this account", () => {
      const role = resource(dev, T.role, "job-data-processor-job-role");
      assert.deepEqual(jsonInput(role, "assumeRolePolicy"), {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "ecs-tasks.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
          },
        ],
      });
    });
  });

  describe("compute environments and queues", () => {
    it("create one compute environment per capacity kind the queues need, scaling to zero in private subnets", () => {
      const ces = ofType(dev, T.ce);
      assert.deepEqual(ces.map((c) => c.name), ["batch-fargate-ce", "batch-fargate-spot-ce"]);
      const subnets = dev.outputs.privateSubnetIds;
      const sg = resource(dev, T.sg, "network-jobs-sg").id;
      for (const ce of ces) {
        const cr = ce.inputs.computeResources as Record<string, unknown>;
        assert.equal(ce.inputs.type, "MANAGED");
        assert.equal(cr.maxVcpus, 16);
        assert.deepEqual(cr.subnets, subnets);
        assert.deepEqual(cr.securityGroupIds, [sg]);
      }
    });

    it("order the Spot queue Spot first, then on-demand, with lower priority than the on-demand queue", () => {
      const spot = resource(dev, T.queue, "batch-fargate-spot-queue");
      const fargateCe = resource(dev, T.ce, "batch-fargate-ce").state.arn;
      const spotCe = resource(dev, T.ce, "batch-fargate-spot-ce").state.arn;
      assert.deepEqual(spot.inputs.computeEnvironmentOrders, [
        { order: 1, computeEnvironment: spotCe },
        { order: 2, computeEnvironment: fargateCe },
      ]);
      assert.equal(spot.inputs.priority, 50);
      assert.equal(resource(dev, T.queue, "batch-fargate-queue").inputs.priority, 100);
      assert.equal(spot.inputs.name, "dev-fargate-spot");
    });

    it("cancel jobs blocked in RUNNABLE after the stack's time limit", () => {
      const q = resource(prod, T.queue, "batch-fargate-queue");
      assert.deepEqual(q.inputs.jobStateTimeLimitActions, [
        { action: "CANCEL", state: "RUNNABLE", reason: "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY", maxTimeSeconds: 3600 },
        { action: "CANCEL", state: "RUNNABLE", reason: "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE", maxTimeSeconds: 3600 },
        { action: "CANCEL", state: "RUNNABLE", reason: "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT", maxTimeSeconds: 3600 },
      ]);
    });

    it("replace compute environments create-before-delete, auto-named, so a queue never holds a deleted one", () => {
      for (const ce of ofType(prod, T.ce)) {
        assert.equal(ce.options.deleteBeforeReplace, false, ce.name);
        assert.equal(ce.inputs.name, undefined, `${ce.name} must be auto-named`);
      }
    });
  });

  describe("network", () => {
    it("dev: two AZs, one shared NAT gateway, S3 gateway endpoint on every route table, no interface endpoints", () => {
      const vpc = resource(dev, T.vpc, "network-vpc");
      assert.equal(vpc.inputs.numberOfAvailabilityZones, 2);
      assert.deepEqual(vpc.inputs.natGateways, { strategy: "Single" });
      const endpoints = ofType(dev, T.endpoint);
      assert.deepEqual(endpoints.map((e) => e.inputs.serviceName), ["com.amazonaws.eu-central-1.s3"]);
      const rtbs = (vpc.state.routeTables as { id: string }[]).map((t) => t.id);
      assert.deepEqual(endpoints[0].inputs.routeTableIds, rtbs);
      assert.equal(endpoints[0].inputs.vpcId, vpc.state.vpcId);
    });

    it("prod: three AZs, NAT per AZ, interface endpoints reachable only from the jobs' security group", () => {
      const vpc = resource(prod, T.vpc, "network-vpc");
      assert.equal(vpc.inputs.numberOfAvailabilityZones, 3);
      assert.deepEqual(vpc.inputs.natGateways, { strategy: "OnePerAz" });
      const services = ofType(prod, T.endpoint).map((e) => String(e.inputs.serviceName).replace("com.amazonaws.eu-central-1.", ""));
      assert.deepEqual(services, ["s3", "ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm"]);
      const jobsSg = resource(prod, T.sg, "network-jobs-sg").id;
      const endpointSg = resource(prod, T.sg, "network-endpoints-sg");
      assert.deepEqual(endpointSg.inputs.ingress, [{ description: "HTTPS from jobs", protocol: "tcp", fromPort: 443, toPort: 443, securityGroups: [jobsSg] }]);
      for (const e of ofType(prod, T.endpoint).filter((x) => x.inputs.vpcEndpointType === "Interface")) {
        assert.deepEqual(e.inputs.subnetIds, prod.outputs.privateSubnetIds);
        assert.equal(e.inputs.privateDnsEnabled, true);
      }
    });

    it("gives jobs a security group with no inbound rules", () => {
      assert.deepEqual(resource(dev, T.sg, "network-jobs-sg").inputs.ingress, []);
    });
  });

  describe("ECR", () => {
    it("scans on push, keeps tags immutable and expires old images", () => {
      const repo = resource(dev, T.repo, "repo-report-generator-ecr");
      assert.equal(repo.inputs.name, "dev/report-generator");
      assert.equal(repo.inputs.imageTagMutability, "IMMUTABLE");
      assert.deepEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
      const policy = jsonInput<{ rules: { selection: Record<string, unknown> }[] }>(resource(prod, T.lifecycle, "repo-report-generator-lifecycle"), "policy");
      assert.equal(policy.rules[0].selection.tagStatus, "untagged");
      assert.equal(policy.rules[0].selection.countNumber, 7);
      assert.equal(policy.rules[1].selection.countNumber, 50);
    });

    it("protects repositories and keeps log groups in prod only", () => {
      assert.equal(resource(prod, T.repo, "repo-data-processor-ecr").options.protect, true);
      assert.equal(resource(dev, T.repo, "repo-data-processor-ecr").options.protect, false);
      assert.equal(resource(prod, T.logGroup, "job-data-processor-logs").options.retainOnDelete, true);
      assert.equal(resource(dev, T.logGroup, "job-data-processor-logs").options.retainOnDelete, false);
    });
  });

  describe("tags, parents and outputs", () => {
    it("tags every taggable resource with project, environment and owner", () => {
      // AWS tags only: an image build's `tags` are its image tags.
      for (const r of prod.resources.filter((x) => x.custom && x.type.startsWith("aws:") && "tags" in x.inputs)) {
        const tags = r.inputs.tags as Record<string, string>;
        assert.equal(tags.Project, "batch-migration", r.name);
        assert.equal(tags.Environment, "prod", r.name);
        assert.ok(tags.Owner, r.name);
        assert.equal(tags.CostCenter, "batch-migration-prod", r.name);
      }
    });

    it("nests every resource under its component", () => {
      const job = dev.resources.find((r) => r.name === "job-data-processor")!;
      const children = dev.resources.filter((r) => r.parent === job.urn).map((r) => r.name);
      assert.deepEqual(children.sort(), ["job-data-processor-definition", "job-data-processor-exec-role", "job-data-processor-job-role", "job-data-processor-logs"]);
      assert.equal(
        resource(dev, T.jobDef, "job-data-processor-definition").urn,
        "urn:pulumi:dev::batch-migration::batch-migration:jobs:BatchJob$aws:batch/jobDefinition:JobDefinition::job-data-processor-definition",
      );
    });

    it("exports the VPC, queues, job definitions and repository URLs", () => {
      assert.equal(dev.outputs.vpcId, resource(dev, T.vpc, "network-vpc").state.vpcId);
      assert.deepEqual(dev.outputs.jobQueueArns, {
        "dev-fargate": "arn:aws:batch:eu-central-1:123456789012:job-queue/dev-fargate",
        "dev-fargate-spot": "arn:aws:batch:eu-central-1:123456789012:job-queue/dev-fargate-spot",
      });
      assert.deepEqual(Object.keys(dev.outputs.jobDefinitionArns as object), ["data-processor", "report-generator", "sample-job"]);
      assert.deepEqual(dev.outputs.repositoryUrls, {
        "data-processor": "123456789012.dkr.ecr.eu-central-1.amazonaws.com/dev/data-processor",
        "report-generator": "123456789012.dkr.ecr.eu-central-1.amazonaws.com/dev/report-generator",
        "sample-job": "123456789012.dkr.ecr.eu-central-1.amazonaws.com/dev/sample-job",
      });
    });
  });
});

describe("program: stack variants", () => {
  it("adds the ECS endpoints that EC2 container instances need when jobs run on EC2 behind interface endpoints", async () => {
    const run = await planStack("prod", { "batch-migration:jobOverrides": JSON.stringify({ "data-processor": { platform: "ec2" } }) });
    const services = ofType(run, T.endpoint).map((e) => String(e.inputs.serviceName).replace("com.amazonaws.eu-central-1.", ""));
    assert.deepEqual(services, ["s3", "ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm", "ecs", "ecs-agent", "ecs-telemetry"]);
  });

  it("uses an existing VPC by id and creates no VPC", async () => {
    const run = await planStack("dev", {
      "batch-migration:vpcMode": "existing",
      "batch-migration:existingVpc": JSON.stringify({
        vpcId: "vpc-0123456789abcdef0",
        privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        routeTableIds: ["rtb-0123456789abcdef0"],
      }),
    });
    assert.equal(ofType(run, T.vpc).length, 0);
    assert.equal(run.outputs.vpcId, "vpc-0123456789abcdef0");
    const ce = resource(run, T.ce, "batch-fargate-ce");
    assert.deepEqual((ce.inputs.computeResources as { subnets: string[] }).subnets, ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]);
    assert.deepEqual(resource(run, T.endpoint, "network-s3-endpoint").inputs.routeTableIds, ["rtb-0123456789abcdef0"]);
  });

  it("puts jobs in isolated subnets when there is no NAT and interface endpoints carry the traffic", async () => {
    const run = await planStack("dev", { "batch-migration:natGateways": "none", "batch-migration:interfaceEndpoints": "true" });
    const vpc = resource(run, T.vpc, "network-vpc");
    assert.deepEqual((vpc.inputs.subnetSpecs as { type: string }[]).map((s) => s.type), ["Public", "Isolated"]);
    assert.deepEqual(run.outputs.privateSubnetIds, vpc.state.isolatedSubnetIds);
  });

  it("creates EC2 and Spot environments with an instance profile for EC2 platforms", async () => {
    const run = await planStack("dev", {
      "batch-migration:jobOverrides": JSON.stringify({ "data-processor": { platform: "ec2" }, "report-generator": { platform: "ec2-spot" } }),
    });
    // sample-job stays on Fargate.
    assert.deepEqual(ofType(run, T.ce).map((c) => c.name), ["batch-fargate-ce", "batch-ec2-ce", "batch-spot-ce"]);
    const spot = resource(run, T.ce, "batch-spot-ce").inputs.computeResources as Record<string, unknown>;
    assert.equal(spot.allocationStrategy, "SPOT_PRICE_CAPACITY_OPTIMIZED");
    assert.equal(spot.spotIamFleetRole, undefined);
    assert.equal(spot.minVcpus, 0);
    const ec2 = resource(run, T.ce, "batch-ec2-ce").inputs.computeResources as Record<string, unknown>;
    assert.equal(ec2.allocationStrategy, "BEST_FIT_PROGRESSIVE");
    assert.equal(ec2.instanceRole, resource(run, "aws:iam/instanceProfile:InstanceProfile", "batch-instance-profile").state.arn);
    const def = resource(run, T.jobDef, "job-data-processor-definition");
    assert.deepEqual(def.inputs.platformCapabilities, ["EC2"]);
    const c = jsonInput<ContainerProperties>(def, "containerProperties");
    assert.equal(c.networkConfiguration, undefined);
    assert.equal(c.fargatePlatformConfiguration, undefined);
  });
});
