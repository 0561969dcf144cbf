/**
 * IAM policy documents, as plain data. Every statement names its resources; the only `Resource: "*"` is
 * `ecr:GetAuthorizationToken`, which AWS does not allow to be scoped.
 */
import type { Permission } from "./inventory";

export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  /** Absent only in trust policies, where the principal is the subject. */
  Resource?: string | string[];
  Principal?: Record<string, string | string[]>;
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}

/**
 * Trust policy for a service principal, limited to callers from this account (the confused-deputy guard AWS
 * recommends for service roles).
 */
export function assumeRolePolicy(service: string, account: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": account } },
      },
    ],
  };
}

/** The EC2 instance role trust policy (EC2 does not send aws:SourceAccount). */
export function ec2AssumeRolePolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };
}

export interface ExecutionRoleInputs {
  /** ECR repository the job's image comes from; omitted for images outside this stack's ECR. */
  repositoryArn?: string;
  logGroupArn: string;
  secretArns: string[];
  parameterArns: string[];
}

/**
 * What ECS needs to start the job's container: pull its image, write its log stream, and read exactly the
 * secrets the job declares.
 */
export function executionRolePolicy(inputs: ExecutionRoleInputs): PolicyDocument {
  const statements: Statement[] = [];
  if (inputs.repositoryArn) {
    statements.push(
      { Sid: "EcrAuthorization", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      {
        Sid: "EcrPull",
        Effect: "Allow",
        Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        Resource: inputs.repositoryArn,
      },
    );
  }
  statements.push({
    Sid: "WriteLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: `${inputs.logGroupArn.replace(/:\*$/, "")}:*`,
  });
  if (inputs.secretArns.length > 0) {
    statements.push({ Sid: "ReadSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: [...inputs.secretArns].sort() });
  }
  if (inputs.parameterArns.length > 0) {
    statements.push({ Sid: "ReadParameters", Effect: "Allow", Action: "ssm:GetParameters", Resource: [...inputs.parameterArns].sort() });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** The job's own permissions, exactly as declared in the inventory; undefined when it declares none. */
export function jobRolePolicy(permissions: Permission[]): PolicyDocument | undefined {
  if (permissions.length === 0) return undefined;
  return {
    Version: "2012-10-17",
    Statement: permissions.map((p, i) => ({
      Sid: `Declared${i + 1}`,
      Effect: "Allow",
      Action: [...p.actions],
      Resource: [...p.resources],
    })),
  };
}
