/**
 * FIFO queues: what a send must carry, deduplication (5-minute window, per queue or per message
 * group, by explicit id or SHA-256 of the body) and sequence numbers. Per-group ordering itself is
 * the store's `receivable` rule: nothing of a group is delivered while an earlier message of it is
 * in flight or not yet visible.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html
 */
import { createHash } from "node:crypto";
import { awsError } from "../../errors.js";
import type { QueueRecord } from "./model.js";
import type { SendMessageInput } from "./inputs.js";

export const DEDUP_WINDOW_MS = 5 * 60 * 1000;

/** Alphanumeric and punctuation, 1 to 128 characters. */
const ID_RE = /^[\x21-\x7E]{1,128}$/;

function checkId(name: "MessageGroupId" | "MessageDeduplicationId", value: string): void {
  if (!ID_RE.test(value)) {
    throw awsError("InvalidParameterValue", `Value ${value} for parameter ${name} is invalid. Reason: ${name} can only include alphanumeric and punctuation characters. 1 to 128 in length.`);
  }
}

const notForThisQueue = (name: string, value: string | number) =>
  awsError("InvalidParameterValue", `Value ${value} for parameter ${name} is invalid. Reason: The request include parameter that is not valid for this queue type.`);

/** Check the FIFO members of a send against the queue's type. */
export function checkFifoMembers(q: QueueRecord, input: SendMessageInput): void {
  if (!q.fifo) {
    if (input.MessageDeduplicationId !== undefined) throw notForThisQueue("MessageDeduplicationId", input.MessageDeduplicationId);
    // Standard queues accept a MessageGroupId (fair queues); it is kept and returned.
    if (input.MessageGroupId !== undefined) checkId("MessageGroupId", input.MessageGroupId);
    return;
  }
  if (input.DelaySeconds !== undefined && input.DelaySeconds !== 0) throw notForThisQueue("DelaySeconds", input.DelaySeconds);
  if (input.MessageGroupId === undefined) throw awsError("MissingParameter", "The request must contain the parameter MessageGroupId.");
  checkId("MessageGroupId", input.MessageGroupId);
  if (input.MessageDeduplicationId !== undefined) checkId("MessageDeduplicationId", input.MessageDeduplicationId);
  else if (!q.settings.contentBasedDeduplication) {
    throw awsError("InvalidParameterValue", "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
  }
}

/** The deduplication id of a FIFO send: explicit, or SHA-256 of the body (not its attributes). */
export function deduplicationId(input: SendMessageInput): string {
  return input.MessageDeduplicationId ?? createHash("sha256").update(input.MessageBody).digest("hex");
}

/** `""` for queue-wide deduplication, the group for per-group deduplication. */
export function dedupScope(q: QueueRecord, groupId: string): string {
  return q.settings.deduplicationScope === "messageGroup" ? groupId : "";
}

/**
 * A FIFO message's SequenceNumber: large, non-consecutive across queues, increasing within a group
 * (as AWS's 128-bit numbers are); derived from the store's sequence so it needs no storage.
 */
export function sequenceNumber(seq: number): string {
  return (10n ** 19n + BigInt(seq)).toString();
}
