/**
 * Every policy of the pack, in the order they are documented. `index.ts` builds the PolicyPack from this list; the
 * offline evaluator and the tests import it without starting the policy server.
 */
import type { Policies } from "@pulumi/policy";
import { computePolicies } from "./compute";
import { containerPolicies } from "./containers";
import { ecrPolicies } from "./ecr";
import { iamPolicies } from "./iam";
import { imagePolicies } from "./images";
import { loggingPolicies } from "./logging";
import { resourcePolicies } from "./resources";
import { retryPolicies } from "./retries";
import { schedulePolicies } from "./schedules";
import { secretPolicies } from "./secrets";
import { stackPolicies } from "./stack";
import { timeoutPolicies } from "./timeouts";

export const allPolicies: Policies = [
  ...imagePolicies,
  ...containerPolicies,
  ...retryPolicies,
  ...timeoutPolicies,
  ...resourcePolicies,
  ...loggingPolicies,
  ...secretPolicies,
  ...ecrPolicies,
  ...computePolicies,
  ...iamPolicies,
  ...schedulePolicies,
  ...stackPolicies,
];

/** The policy names, in pack order. */
export const policyNames: readonly string[] = allPolicies.map((p) => p.name);
