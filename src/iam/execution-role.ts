/**
 * Whether Lambda may take a role as a function's execution role: the role exists in this account
 * under that ARN, and its trust policy lets `lambda.amazonaws.com` call `sts:AssumeRole`.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
 */
import { awsError } from "../errors.js";
import { type Authorizer, serviceIdentity } from "./authorizer.js";
import type { Identity } from "./types.js";
import type { RoleRecord } from "../services/iam/model.js";

/** What is wrong with `roleArn` as an execution role, or undefined when Lambda may assume it. */
export function executionRoleProblem(iam: { findRole(name: string): RoleRecord | undefined }, authorizer: Authorizer, accountId: string, roleArn: string): string | undefined {
  const role = iam.findRole(roleArn.slice(roleArn.lastIndexOf("/") + 1));
  if (!role || role.arn !== roleArn || roleArn.split(":")[4] !== accountId) return "no such role";
  const decision = authorizer.decide(LAMBDA, { action: "sts:AssumeRole", resource: role.arn }, {}, { name: `trust policy of ${role.arn}`, kind: "resource", document: role.assumeRolePolicyDocument, trust: true });
  return decision.allowed ? undefined : "its trust policy does not let lambda.amazonaws.com assume it";
}

const LAMBDA = serviceIdentity("lambda.amazonaws.com");

/**
 * The check CreateFunction and UpdateFunctionConfiguration make of a role, as the authorizer's mode
 * has it: `enforce` refuses with AWS's error, `report` logs what it would refuse, `off` checks nothing.
 */
export function executionRoleCheck(iam: { findRole(name: string): RoleRecord | undefined }, authorizer: Authorizer, accountId: string, log: (line: string) => void = (line) => console.error(line)): (roleArn: string) => void {
  return (roleArn) => {
    if (authorizer.mode === "off") return;
    const problem = executionRoleProblem(iam, authorizer, accountId, roleArn);
    if (!problem) return;
    if (authorizer.mode === "enforce") throw awsError("InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda.");
    log(`flint: iam report: would refuse execution role ${roleArn}: ${problem}`);
  };
}

/** The actions an event source mapping's poller needs on its source, and AWS's refusal when the role lacks one. */
const POLL_NEEDS: Record<string, { actions: string[]; refusal: (arn: string) => string }> = {
  sqs: { actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], refusal: () => "The provided execution role does not have permissions to call ReceiveMessage on SQS" },
  kinesis: {
    actions: ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:ListShards"],
    refusal: (arn) => `Cannot access stream ${arn}. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListShards Actions on your stream in IAM.`,
  },
  dynamodb: {
    actions: ["dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"],
    refusal: (arn) => `Cannot access stream ${arn}. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.`,
  },
};

/**
 * The check CreateEventSourceMapping (and an update that changes the function) makes of the
 * function's execution role: may a session of it read the source? `enforce` refuses with AWS's
 * error, `report` logs, `off` checks nothing.
 */
export function mappingRoleCheck(authorizer: Authorizer, session: (roleArn: string, functionName: string) => Identity): (m: { source: string; eventSourceArn: string; functionName: string }, roleArn: string) => void {
  return (m, roleArn) => {
    const needs = POLL_NEEDS[m.source];
    if (!needs || authorizer.mode === "off") return;
    const denial = authorizer.check(session(roleArn, m.functionName), needs.actions.map((action) => ({ action, resource: m.eventSourceArn })));
    if (denial) throw awsError("InvalidParameterValueException", needs.refusal(m.eventSourceArn));
  };
}
