/**
 * Queue names, URLs and ARNs as AWS forms them: `arn:aws:sqs:<region>:<account>:<name>` and
 * `<endpoint>/<account>/<name>`. A queue is named by its URL on the wire; in-process callers
 * (async invoke, SNS, event sources) may also name it by ARN.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html
 */
import { awsError } from "../../errors.js";

export interface Account {
  region: string;
  accountId: string;
}

const NAME_RE = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_NAME_RE = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

export const queueArn = (acct: Account, name: string) => `arn:aws:sqs:${acct.region}:${acct.accountId}:${name}`;

/** The queue URL for a client that reached Flint at `baseUrl` (scheme, host and port). */
export const queueUrl = (baseUrl: string, acct: Account, name: string) => `${baseUrl.replace(/\/+$/, "")}/${acct.accountId}/${name}`;

export function validateQueueName(name: string, fifo: boolean): void {
  if (fifo ? FIFO_NAME_RE.test(name) : NAME_RE.test(name)) return;
  throw awsError(
    "InvalidParameterValue",
    fifo
      ? "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length."
      : "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
  );
}

/** A queue's name from its ARN, or undefined when the ARN is not an SQS queue of this account and region. */
export function nameFromArn(acct: Account, arn: string): string | undefined {
  const m = /^arn:aws[a-zA-Z-]*:sqs:([^:]+):(\d{12}):([^:/]+)$/.exec(arn);
  return m && m[1] === acct.region && m[2] === acct.accountId ? m[3] : undefined;
}

/**
 * The account and name a QueueUrl names (any host: the one the client used, AWS's
 * `sqs.<region>.amazonaws.com`, or a path alone); undefined when it is not a queue URL.
 */
export function queueOfUrl(url: string): { accountId: string; name: string } | undefined {
  let path = url;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    try {
      path = new URL(url).pathname;
    } catch {
      return undefined;
    }
  }
  const m = /^\/?(\d{12})\/([^/]+)\/?$/.exec(path);
  if (!m) return undefined;
  try {
    return { accountId: m[1]!, name: decodeURIComponent(m[2]!) };
  } catch {
    return undefined;
  }
}

/**
 * The queue a QueueUrl or an ARN names. The name is all that matters once the account matches, as
 * in AWS.
 */
export function nameFromRef(acct: Account, ref: string): string {
  if (ref.startsWith("arn:")) {
    const name = nameFromArn(acct, ref);
    if (name) return name;
    throw awsError("QueueDoesNotExist", "The specified queue does not exist.");
  }
  const queue = queueOfUrl(ref);
  if (!queue) throw awsError("InvalidParameterValue", `Value ${ref} for parameter QueueUrl is invalid. Reason: Invalid URL.`);
  if (queue.accountId !== acct.accountId) throw awsError("QueueDoesNotExist", "The specified queue does not exist.");
  return queue.name;
}
