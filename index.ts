/**
 * Entry point of `pulumi up` / `pulumi preview`. Validation errors are raised as `pulumi.RunError`, which the
 * Pulumi CLI prints as a plain message (every problem, naming the job and the field) without a stack trace.
 */
import * as pulumi from "@pulumi/pulumi";
import { isConfigError } from "./lib/errors";
import { defineStack, loadStackInput, StackInput } from "./program";

function load(): StackInput {
  try {
    return loadStackInput();
  } catch (err) {
    if (isConfigError(err)) throw new pulumi.RunError(err.message);
    throw err;
  }
}

const stack = defineStack(load());

export const vpcId = stack.vpcId;
export const privateSubnetIds = stack.privateSubnetIds;
export const jobSecurityGroupId = stack.jobSecurityGroupId;
export const jobQueueArns = stack.jobQueueArns;
export const jobDefinitionArns = stack.jobDefinitionArns;
export const repositoryUrls = stack.repositoryUrls;
export const logGroupNames = stack.logGroupNames;
export const alertTopicArn = stack.alertTopicArn;
export const dashboardName = stack.dashboardName;
export const budgetName = stack.budgetName;
export const scheduleGroupName = stack.scheduleGroupName;
export const scheduleNames = stack.scheduleNames;
export const deadLetterQueueUrl = stack.deadLetterQueueUrl;
