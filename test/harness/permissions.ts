/**
 * Granting permissions the way AWS's documentation and tutorials do, for tests whose resources talk
 * to each other under IAM enforcement: a queue policy that lets an SNS topic send to it, a function
 * permission that lets a topic invoke it, an execution role with the policy a function's own calls
 * need.
 * https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
 */
import { AddPermissionCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { GetQueueAttributesCommand, SetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { ACCOUNT, LAMBDA_TRUST_POLICY, REGION, TEST_CREDENTIALS, uniqueName } from "./flint.js";

export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: unknown;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** The statement a queue policy needs for `topicArn` to deliver to the queue `queueArn` (as the SNS console writes it). */
export function topicToQueueStatement(queueArn: string, topicArn: string): Statement {
  return {
    Sid: `sns-${topicArn.slice(topicArn.lastIndexOf(":") + 1)}`.replace(/[^A-Za-z0-9-]/g, "-"),
    Effect: "Allow",
    Principal: { Service: "sns.amazonaws.com" },
    Action: "sqs:SendMessage",
    Resource: queueArn,
    Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
  };
}

/**
 * Let the SNS topic `topicArn` send to the queue at `queueUrl` (a subscription, or a subscription's
 * dead-letter queue): adds a statement to the queue's `Policy`, keeping the ones already there.
 */
export async function allowTopicToQueue(sqs: SQSClient, queueUrl: string, topicArn: string): Promise<void> {
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn", "Policy"] }));
  const queueArn = Attributes.QueueArn!;
  const policy: { Version: string; Statement: Statement[] } = Attributes.Policy ? JSON.parse(Attributes.Policy) : { Version: "2012-10-17", Statement: [] };
  if (!Array.isArray(policy.Statement)) policy.Statement = [policy.Statement];
  policy.Statement.push(topicToQueueStatement(queueArn, topicArn));
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: JSON.stringify(policy) } }));
}

/** Let the SNS topic `topicArn` invoke the function (`aws lambda add-permission`, as Lambda's SNS tutorial does). */
export async function allowSnsToFunction(lambda: LambdaClient, functionName: string, topicArn: string, qualifier?: string): Promise<void> {
  await lambda.send(
    new AddPermissionCommand({
      FunctionName: functionName,
      ...(qualifier ? { Qualifier: qualifier } : {}),
      StatementId: uniqueName("sns"),
      Action: "lambda:InvokeFunction",
      Principal: "sns.amazonaws.com",
      SourceArn: topicArn,
    }),
  );
}

/**
 * Create an execution role Lambda may assume, with AWSLambdaBasicExecutionRole (and the other AWS
 * managed service-role policies named, such as AWSLambdaSQSQueueExecutionRole) and an inline
 * policy of `statements` (what the function's own calls need); resolves with its ARN.
 */
export async function createExecutionRole(endpoint: string, statements: Statement[], name = uniqueName("fn-role"), managed: string[] = []): Promise<string> {
  const iam = new IAMClient({ endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  try {
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY }));
    for (const policy of ["AWSLambdaBasicExecutionRole", ...managed]) {
      await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: `arn:aws:iam::aws:policy/service-role/${policy}` }));
    }
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "function", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: statements }) }));
    return Role?.Arn ?? `arn:aws:iam::${ACCOUNT}:role/${name}`;
  } finally {
    iam.destroy();
  }
}
