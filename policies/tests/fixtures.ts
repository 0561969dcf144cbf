/**
 * Happy-path inputs for the policy tests: resources as the program registers them (Pulumi input names, JSON-string
 * properties), each satisfying every policy. Tests change one property at a time.
 */
import * as aws from "@pulumi/aws";
import { PlannedResource } from "../evaluate";
import { typeOf } from "./harness";

export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";
export const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
export const IMAGE = `${REGISTRY}/etl:1.4.2`;
export const TAGS = { Project: "batch-migration", Environment: "prod", Owner: "data-platform" };
export const EXECUTION_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/etl-exec`;
export const JOB_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/etl-job`;
export const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/db/password-AbCdEf`;
export const QUEUE_ARN = `arn:aws:batch:${REGION}:${ACCOUNT}:job-queue/etl-queue`;
export const CE_ARN = `arn:aws:batch:${REGION}:${ACCOUNT}:compute-environment/etl-ce`;
export const JD_ARN = `arn:aws:batch:${REGION}:${ACCOUNT}:job-definition/etl-job:1`;

type Dict = Record<string, unknown>;

/** Container properties (AWS API shape) that satisfy every policy. */
export function container(overrides: Dict = {}): Dict {
  return {
    image: IMAGE,
    command: ["python", "etl.py"],
    user: "1000:1000",
    resourceRequirements: [
      { type: "VCPU", value: "1" },
      { type: "MEMORY", value: "2048" },
    ],
    executionRoleArn: EXECUTION_ROLE_ARN,
    jobRoleArn: JOB_ROLE_ARN,
    environment: [
      { name: "ENVIRONMENT", value: "production" },
      { name: "S3_BUCKET", value: "etl-data" },
    ],
    secrets: [{ name: "DATABASE_PASSWORD", valueFrom: SECRET_ARN }],
    logConfiguration: {
      logDriver: "awslogs",
      options: { "awslogs-group": "/batch/etl", "awslogs-region": REGION, "awslogs-stream-prefix": "etl" },
    },
    readonlyRootFilesystem: true,
    privileged: false,
    networkConfiguration: { assignPublicIp: "DISABLED" },
    fargatePlatformConfiguration: { platformVersion: "LATEST" },
    ...overrides,
  };
}

/** Job definition inputs that satisfy every policy; `container` overrides go into containerProperties. */
export function jobDefinition(opts: { container?: Dict; props?: Dict } = {}): Dict {
  return {
    name: "etl-job",
    type: "container",
    platformCapabilities: ["FARGATE"],
    containerProperties: JSON.stringify(container(opts.container)),
    retryStrategy: {
      attempts: 3,
      evaluateOnExits: [
        { action: "RETRY", onStatusReason: "Host EC2*" },
        { action: "EXIT", onReason: "*" },
      ],
    },
    timeout: { attemptDurationSeconds: 3600 },
    propagateTags: true,
    tags: TAGS,
    ...opts.props,
  };
}

export function computeEnvironment(overrides: Dict = {}, resources: Dict = {}): Dict {
  return {
    name: "etl-ce",
    type: "MANAGED",
    computeResources: {
      type: "FARGATE",
      maxVcpus: 16,
      subnets: ["subnet-0aaa", "subnet-0bbb"],
      securityGroupIds: ["sg-0ccc"],
      ...resources,
    },
    tags: TAGS,
    ...overrides,
  };
}

export function spotComputeEnvironment(resources: Dict = {}): Dict {
  return computeEnvironment(
    { name: "etl-spot-ce" },
    {
      type: "SPOT",
      minVcpus: 0,
      maxVcpus: 64,
      allocationStrategy: "SPOT_PRICE_CAPACITY_OPTIMIZED",
      instanceRole: `arn:aws:iam::${ACCOUNT}:instance-profile/ecsInstanceRole`,
      instanceTypes: ["optimal"],
      ...resources,
    },
  );
}

export function jobQueue(overrides: Dict = {}): Dict {
  return {
    name: "etl-queue",
    priority: 1,
    state: "ENABLED",
    computeEnvironmentOrders: [{ order: 1, computeEnvironment: CE_ARN }],
    tags: TAGS,
    ...overrides,
  };
}

export function policyDocument(statements: Dict[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** Statements a job's execution role needs: ECR pulls, its log group, its secret. */
export const EXECUTION_STATEMENTS: Dict[] = [
  { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
  {
    Effect: "Allow",
    Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/etl`,
  },
  { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/batch/etl:*` },
  { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: SECRET_ARN },
];

export function schedule(overrides: Dict = {}, target: Dict = {}): Dict {
  return {
    name: "etl-nightly",
    scheduleExpression: "cron(0 2 * * ? *)",
    scheduleExpressionTimezone: "Europe/Paris",
    flexibleTimeWindow: { mode: "OFF" },
    target: {
      arn: "arn:aws:scheduler:::aws-sdk:batch:submitJob",
      roleArn: `arn:aws:iam::${ACCOUNT}:role/etl-scheduler`,
      input: JSON.stringify({ JobName: "etl-nightly", JobQueue: QUEUE_ARN, JobDefinition: JD_ARN }),
      retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      deadLetterConfig: { arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:etl-dlq` },
      ...target,
    },
    ...overrides,
  };
}

export const FAILURE_PATTERN = {
  source: ["aws.batch"],
  "detail-type": ["Batch Job State Change"],
  detail: { status: ["FAILED"], jobQueue: [QUEUE_ARN] },
};

function planned(cls: unknown, name: string, inputs: Dict, extra: Partial<PlannedResource> = {}): PlannedResource {
  const type = typeOf(cls);
  return { type, name, urn: `urn:pulumi:prod::batch::${type}::${name}`, inputs, ...extra };
}

/** A whole stack as a mocked program would register it, satisfying every policy under the prod config. */
export function goodStack(): PlannedResource[] {
  return [
    planned(aws.ecr.Repository, "etl-repo", {
      name: "etl",
      imageScanningConfiguration: { scanOnPush: true },
      imageTagMutability: "IMMUTABLE",
      tags: TAGS,
    }),
    planned(aws.ecr.LifecyclePolicy, "etl-repo-lifecycle", {
      repository: "etl",
      policy: JSON.stringify({
        rules: [{ rulePriority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 }, action: { type: "expire" } }],
      }),
    }),
    planned(aws.cloudwatch.LogGroup, "etl-logs", { name: "/batch/etl", retentionInDays: 30, tags: TAGS }),
    planned(aws.iam.Role, "etl-exec", {
      name: "etl-exec",
      assumeRolePolicy: policyDocument([{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }]),
      inlinePolicies: [{ name: "execution", policy: policyDocument(EXECUTION_STATEMENTS) }],
      tags: TAGS,
    }),
    planned(aws.iam.RolePolicy, "etl-scheduler-submit", {
      role: "etl-scheduler",
      policy: policyDocument([
        { Effect: "Allow", Action: "batch:SubmitJob", Resource: [QUEUE_ARN, `arn:aws:batch:${REGION}:${ACCOUNT}:job-definition/etl-job`] },
        { Effect: "Allow", Action: "sqs:SendMessage", Resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:etl-dlq` },
        { Effect: "Allow", Action: "iam:PassRole", Resource: [EXECUTION_ROLE_ARN, JOB_ROLE_ARN] },
      ]),
    }),
    planned(aws.batch.ComputeEnvironment, "etl-ce", computeEnvironment()),
    planned(aws.batch.JobQueue, "etl-queue", jobQueue()),
    planned(aws.batch.JobDefinition, "etl-job", jobDefinition()),
    planned(aws.sqs.Queue, "etl-dlq", { name: "etl-dlq", tags: TAGS }),
    planned(aws.scheduler.Schedule, "etl-nightly", schedule()),
    planned(aws.sns.Topic, "etl-alerts", { name: "etl-alerts", tags: TAGS }),
    planned(aws.cloudwatch.EventRule, "etl-failed", { name: "etl-failed", eventPattern: JSON.stringify(FAILURE_PATTERN), tags: TAGS }),
    planned(aws.cloudwatch.EventTarget, "etl-failed-to-sns", { rule: "etl-failed", arn: `arn:aws:sns:${REGION}:${ACCOUNT}:etl-alerts` }),
  ];
}
