import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { dashboardBody, MAX_QUERY_LOG_GROUPS } from "../lib/dashboard";
import {
  alertKeyPolicy,
  alertNames,
  alertTopicPolicy,
  budgetName,
  failedJobMessage,
  failedJobPattern,
  InputTransformer,
  queryFolder,
  QUERIES,
  queueBlockedMessage,
  queueBlockedPattern,
} from "../lib/monitoring";
import { resourceTags, Tags } from "../lib/naming";

export interface MonitoredQueue {
  /** Queue name, e.g. `dev-fargate`. */
  name: string;
  arn: pulumi.Input<string>;
}

export interface MonitoredJob {
  name: string;
  /** The job's log group name (known before deployment: `/aws/batch/<env>/<job>`). */
  logGroupName: string;
  /** Name of the queue the job is submitted to. */
  queueName: string;
}

export interface MonitoringArgs {
  project: string;
  environment: string;
  region: string;
  account: pulumi.Input<string>;
  partition: pulumi.Input<string>;
  /** The stack's job queues: the alert rules match events of exactly these queues. */
  queues: MonitoredQueue[];
  /** The stack's jobs: one dashboard row and the saved queries' log groups. */
  jobs: MonitoredJob[];
  /** Addresses subscribed to the alert topic by e-mail; each must confirm the subscription AWS mails it. */
  alertEmails: string[];
  /** Monthly cost limit of the stack's budget, USD (tags Project and Environment of this stack). */
  monthlyBudgetUsd: number;
  /** The queues' RUNNABLE time limit, quoted in the blocked-queue message. */
  runnableTimeoutMinutes: number;
  /**
   * ARN of the schedules' dead-letter queue (SQS). When set, an alarm fires as soon as a message waits in it (a
   * scheduled run that never reached AWS Batch) and the dashboard shows its depth.
   */
  deadLetterQueueArn?: pulumi.Input<string>;
  /** Base tags; each resource adds its Name. */
  tags: Tags;
}

/** Logical-name suffix for an e-mail address: readable, and distinct for addresses that differ only in punctuation. */
export function emailSuffix(address: string): string {
  const slug = address.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return `${slug}-${createHash("sha256").update(address.toLowerCase()).digest("hex").slice(0, 6)}`;
}

/**
 * Alerts, dashboard, saved queries and budget of one stack.
 *
 * - An SNS topic encrypted with its own KMS key (rotation on), e-mail subscriptions, and a topic policy that lets
 *   only this account's EventBridge rules, CloudWatch alarms and budgets publish (see `lib/monitoring.ts`).
 * - EventBridge rules on AWS Batch events for this stack's queues: jobs that end FAILED, and queues blocked by a
 *   RUNNABLE job, each sent to the topic as a readable message.
 * - Alarms on metrics that exist: the rules' own `FailedInvocations` (an alert that could not be delivered) and,
 *   when given, the depth of the schedules' dead-letter queue.
 * - A dashboard, three saved Logs Insights queries, and a monthly budget with notifications at 100% and 150% of
 *   actual cost and 100% of forecast cost.
 */
export class Monitoring extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;
  readonly keyArn: pulumi.Output<string>;
  readonly dashboardName: pulumi.Output<string>;
  readonly budgetName: pulumi.Output<string>;
  readonly failedJobRuleArn: pulumi.Output<string>;
  readonly queueBlockedRuleArn: pulumi.Output<string>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("batch-migration:monitoring:Monitoring", name, {}, opts);
    if (!(args.monthlyBudgetUsd > 0)) throw new Error(`Monitoring "${name}": monthlyBudgetUsd must be a positive amount (found ${args.monthlyBudgetUsd})`);
    const names = alertNames(args.environment);
    const tag = (resourceName: string) => resourceTags(args.tags, resourceName);
    const scope = pulumi.all([args.partition, args.account]).apply(([partition, account]) => ({ partition, account, region: args.region }));

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the ${args.environment} AWS Batch alert topic; usable by this account's EventBridge, CloudWatch and Budgets`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: scope.apply((s) => JSON.stringify(alertKeyPolicy(s))),
        tags: tag(names.keyAlias.replace("alias/", "")),
      },
      { parent: this },
    );
    new aws.kms.Alias(`${name}-key-alias`, { name: names.keyAlias, targetKeyId: key.keyId }, { parent: this });

    const topic = new aws.sns.Topic(
      `${name}-topic`,
      { name: names.topic, displayName: `AWS Batch ${args.environment}`, kmsMasterKeyId: key.arn, tags: tag(names.topic) },
      { parent: this },
    );
    const topicPolicy = new aws.sns.TopicPolicy(
      `${name}-topic-policy`,
      { arn: topic.arn, policy: pulumi.all([topic.arn, scope]).apply(([arn, s]) => JSON.stringify(alertTopicPolicy(arn, s))) },
      { parent: this },
    );
    for (const address of args.alertEmails) {
      new aws.sns.TopicSubscription(`${name}-email-${emailSuffix(address)}`, { topic: topic.arn, protocol: "email", endpoint: address }, { parent: this });
    }

    const queueArns = pulumi.all(args.queues.map((q) => q.arn));
    const rule = (suffix: string, ruleName: string, description: string, pattern: pulumi.Input<string>, message: InputTransformer) => {
      const r = new aws.cloudwatch.EventRule(
        `${name}-${suffix}`,
        { name: ruleName, description, eventPattern: pattern, state: "ENABLED", tags: tag(ruleName) },
        { parent: this },
      );
      new aws.cloudwatch.EventTarget(
        `${name}-${suffix}-to-topic`,
        { rule: r.name, arn: topic.arn, inputTransformer: message },
        { parent: this, dependsOn: [topicPolicy] },
      );
      return r;
    };
    const failedRule = rule(
      "job-failed",
      names.failedRule,
      `AWS Batch jobs of the ${args.environment} queues that end FAILED`,
      queueArns.apply((arns) => JSON.stringify(failedJobPattern(arns))),
      failedJobMessage(args.environment),
    );
    const blockedRule = rule(
      "queue-blocked",
      names.blockedRule,
      `A RUNNABLE job blocks one of the ${args.environment} queues`,
      queueArns.apply((arns) => JSON.stringify(queueBlockedPattern(arns))),
      queueBlockedMessage(args.environment, args.runnableTimeoutMinutes),
    );

    // Source: EventBridge rule metrics in AWS/Events (FailedInvocations, dimension RuleName): an alert EventBridge
    // matched but could not deliver to the topic (e.g. the key policy no longer lets it encrypt).
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
    for (const [suffix, r] of [["job-failed", failedRule], ["queue-blocked", blockedRule]] as const) {
      const alarmName = `${args.environment}-batch-${suffix}-alert-undelivered`;
      new aws.cloudwatch.MetricAlarm(
        `${name}-${suffix}-undelivered`,
        {
          name: alarmName,
          alarmDescription: `EventBridge matched a ${suffix === "job-failed" ? "failed job" : "blocked queue"} but could not deliver the alert to the topic`,
          namespace: "AWS/Events",
          metricName: "FailedInvocations",
          dimensions: { RuleName: r.name },
          statistic: "Sum",
          period: 300,
          evaluationPeriods: 1,
          threshold: 0,
          comparisonOperator: "GreaterThanThreshold",
          treatMissingData: "notBreaching",
          alarmActions: [topic.arn],
          tags: tag(alarmName),
        },
        { parent: this },
      );
    }

    let deadLetterQueueName: pulumi.Output<string> | undefined;
    if (args.deadLetterQueueArn !== undefined) {
      deadLetterQueueName = pulumi.output(args.deadLetterQueueArn).apply((arn) => arn.split(":").pop() ?? arn);
      const alarmName = `${args.environment}-batch-schedule-dlq-not-empty`;
      // Source: Amazon SQS metrics in AWS/SQS (ApproximateNumberOfMessagesVisible, dimension QueueName): a scheduled
      // run that EventBridge could not submit to AWS Batch after its retries waits here.
      // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
      new aws.cloudwatch.MetricAlarm(
        `${name}-dlq-not-empty`,
        {
          name: alarmName,
          alarmDescription: "A scheduled run could not be submitted to AWS Batch and waits in the schedules' dead-letter queue",
          namespace: "AWS/SQS",
          metricName: "ApproximateNumberOfMessagesVisible",
          dimensions: { QueueName: deadLetterQueueName },
          statistic: "Maximum",
          period: 300,
          evaluationPeriods: 1,
          threshold: 0,
          comparisonOperator: "GreaterThanThreshold",
          treatMissingData: "notBreaching",
          alarmActions: [topic.arn],
          okActions: [topic.arn],
          tags: tag(alarmName),
        },
        { parent: this },
      );
    }

    const queueOf = new Map(args.jobs.map((j) => [j.name, j.queueName]));
    const dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: names.dashboard,
        dashboardBody: pulumi.output(deadLetterQueueName).apply((dlq) =>
          JSON.stringify(
            dashboardBody({
              environment: args.environment,
              region: args.region,
              failedRule: names.failedRule,
              blockedRule: names.blockedRule,
              queues: args.queues.map((q) => ({ name: q.name, logGroups: args.jobs.filter((j) => queueOf.get(j.name) === q.name).map((j) => j.logGroupName) })),
              jobs: args.jobs.map((j) => ({ name: j.name, logGroup: j.logGroupName, queue: j.queueName })),
              deadLetterQueue: dlq,
            }),
          ),
        ),
      },
      { parent: this },
    );

    const logGroups = args.jobs.map((j) => j.logGroupName);
    if (logGroups.length > 0) {
      // A Logs Insights query reads at most 50 log groups; with more jobs the saved queries carry none, and the
      // console asks for them (the stack's groups share the prefix /aws/batch/<env>/).
      const queryLogGroups = logGroups.length <= MAX_QUERY_LOG_GROUPS ? logGroups : undefined;
      for (const q of Object.values(QUERIES)) {
        new aws.cloudwatch.QueryDefinition(
          `${name}-query-${q.name}`,
          { name: `${queryFolder(args.project, args.environment)}/${q.name}`, queryString: q.query, logGroupNames: queryLogGroups },
          { parent: this },
        );
      }
    }

    const budget = new aws.budgets.Budget(
      `${name}-budget`,
      {
        name: budgetName(args.project, args.environment),
        budgetType: "COST",
        limitAmount: args.monthlyBudgetUsd.toFixed(2),
        limitUnit: "USD",
        timeUnit: "MONTHLY",
        // Both tags must match (AND). The older `costFilters` form, {TagKeyValue: ["user:Project$p",
        // "user:Environment$e"]}, ORs the values of one filter and would count other projects' resources of the
        // same environment. The tags count only once activated as cost allocation tags (docs/monitoring.md).
        filterExpression: {
          ands: [
            { tags: { key: "Project", values: [args.project], matchOptions: ["EQUALS"] } },
            { tags: { key: "Environment", values: [args.environment], matchOptions: ["EQUALS"] } },
          ],
        },
        notifications: [
          { notificationType: "ACTUAL", comparisonOperator: "GREATER_THAN", threshold: 100, thresholdType: "PERCENTAGE", subscriberSnsTopicArns: [topic.arn] },
          // The migration guide's rollback criterion: costs exceed the budget by more than 50%.
          { notificationType: "ACTUAL", comparisonOperator: "GREATER_THAN", threshold: 150, thresholdType: "PERCENTAGE", subscriberSnsTopicArns: [topic.arn] },
          { notificationType: "FORECASTED", comparisonOperator: "GREATER_THAN", threshold: 100, thresholdType: "PERCENTAGE", subscriberSnsTopicArns: [topic.arn] },
        ],
        tags: tag(budgetName(args.project, args.environment)),
      },
      // Budgets checks that it may publish to the topic when it saves the notifications.
      { parent: this, dependsOn: [topicPolicy] },
    );

    this.topicArn = topic.arn;
    this.keyArn = key.arn;
    this.dashboardName = dashboard.dashboardName;
    this.budgetName = budget.name;
    this.failedJobRuleArn = failedRule.arn;
    this.queueBlockedRuleArn = blockedRule.arn;
    this.registerOutputs({
      topicArn: this.topicArn,
      dashboardName: this.dashboardName,
      budgetName: this.budgetName,
      failedJobRuleArn: this.failedJobRuleArn,
      queueBlockedRuleArn: this.queueBlockedRuleArn,
    });
  }
}
