/**
 * Topic names and ARNs as AWS forms them: `arn:aws:sns:<region>:<account>:<topic>`, and a
 * subscription's ARN is its topic's ARN and a UUID: `…:<topic>:<uuid>`.
 * https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html
 */
import { awsError } from "../../errors.js";

export interface Account {
  region: string;
  accountId: string;
}

const NAME_RE = /^[A-Za-z0-9_-]{1,256}$/;
const FIFO_NAME_RE = /^[A-Za-z0-9_-]{1,251}\.fifo$/;
const ARN_RE = /^arn:aws[a-zA-Z-]*:sns:([^:]*):([^:]*):([^:]+)(?::([^:]+))?$/;

export const topicArn = (acct: Account, name: string) => `arn:aws:sns:${acct.region}:${acct.accountId}:${name}`;

export function validateTopicName(name: string, fifo: boolean): void {
  if (fifo && !FIFO_NAME_RE.test(name)) {
    throw awsError(
      "InvalidParameterException",
      "Invalid parameter: Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.",
    );
  }
  if (!fifo && !NAME_RE.test(name)) throw awsError("InvalidParameterException", "Invalid parameter: Topic Name");
}

/**
 * The parts of an SNS ARN: a topic (`resource`) and, for a subscription, its id. An ARN of another
 * region is not reachable here; one of another account is not this account's to use.
 */
function parse(acct: Account, arn: string, parameter: string): { topic: string; id?: string } {
  const m = ARN_RE.exec(arn);
  if (!m || m[1] !== acct.region) throw awsError("InvalidParameterException", `Invalid parameter: ${parameter}`);
  if (m[2] !== acct.accountId) throw awsError("AuthorizationErrorException", `User is not authorized to access ${arn}`);
  return m[4] === undefined ? { topic: m[3]! } : { topic: m[3]!, id: m[4] };
}

/** A topic ARN of this account and region (the topic may not exist). */
export function checkTopicArn(acct: Account, arn: string, parameter = "TopicArn"): string {
  const parsed = parse(acct, arn, parameter);
  if (parsed.id !== undefined) throw awsError("InvalidParameterException", `Invalid parameter: ${parameter}`);
  return arn;
}

/** A subscription ARN of this account and region; its topic's ARN. */
export function checkSubscriptionArn(acct: Account, arn: string): string {
  const count = arn.split(":").length;
  if (count < 6) throw awsError("InvalidParameterException", `Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not ${count}`);
  const parsed = parse(acct, arn, "SubscriptionArn");
  if (parsed.id === undefined) throw awsError("InvalidParameterException", "Invalid parameter: SubscriptionId");
  return topicArn(acct, parsed.topic);
}
