/**
 * SendMessage and SendMessageBatch: validate each message, then write every accepted message in one
 * durable transaction (which also deduplicates FIFO sends) before anything is acknowledged.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 */
import { randomUUID } from "node:crypto";
import { AwsError, awsError } from "../../errors.js";
import type { DedupEntry, NewMessage, QueueRecord } from "./model.js";
import { MAX_DELAY_SECONDS, MAX_MESSAGE_SIZE } from "./attributes.js";
import { DEDUP_WINDOW_MS, checkFifoMembers, dedupScope, deduplicationId, sequenceNumber } from "./fifo.js";
import type { SendMessageInput, SendMessageResult } from "./inputs.js";
import { attributesSize, md5Hex, md5OfAttributes, validateBody, validateMessageAttributes } from "./message-attributes.js";
import type { QueueRegistry } from "./queues.js";

/** Bytes a message counts for against MaximumMessageSize and the batch limit. */
export function messageSize(input: SendMessageInput): number {
  return Buffer.byteLength(input.MessageBody) + attributesSize(input.MessageAttributes ?? {});
}

/** Everything about one message that can be judged without the store. */
function checkMessage(q: QueueRecord, input: SendMessageInput): void {
  if (input.MessageBody === "") throw awsError("MissingParameter", "The request must contain the parameter MessageBody.");
  validateBody(input.MessageBody);
  validateMessageAttributes(input.MessageAttributes ?? {});
  validateMessageAttributes(input.MessageSystemAttributes ?? {}, true);
  if (messageSize(input) > q.settings.maximumMessageSize) {
    throw awsError("InvalidParameterValue", `One or more parameters are invalid. Reason: Message must be shorter than ${q.settings.maximumMessageSize} bytes.`);
  }
  const delay = input.DelaySeconds;
  if (delay !== undefined && (delay < 0 || delay > MAX_DELAY_SECONDS)) {
    throw awsError("InvalidParameterValue", `Value ${delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= ${MAX_DELAY_SECONDS}.`);
  }
  checkFifoMembers(q, input);
}

export function checkBatchSize(inputs: SendMessageInput[]): void {
  const total = inputs.reduce((n, i) => n + messageSize(i), 0);
  if (total > MAX_MESSAGE_SIZE) {
    throw awsError("BatchRequestTooLong", `Batch requests cannot be longer than ${MAX_MESSAGE_SIZE} bytes. You have sent ${total} bytes.`);
  }
}

function newMessage(reg: QueueRegistry, q: QueueRecord, input: SendMessageInput, now: number): NewMessage {
  const attributes = input.MessageAttributes ?? {};
  const system = input.MessageSystemAttributes ?? {};
  const m: NewMessage = {
    queue: q.name,
    messageId: randomUUID(),
    body: input.MessageBody,
    attributes,
    md5OfBody: md5Hex(input.MessageBody),
    sentAt: now,
    visibleAt: now + (input.DelaySeconds ?? q.settings.delaySeconds) * 1000,
    receiveCount: 0,
    senderId: reg.account.accountId,
  };
  const md5Attrs = md5OfAttributes(attributes);
  if (md5Attrs) m.md5OfAttributes = md5Attrs;
  const md5System = md5OfAttributes(system);
  if (md5System) m.md5OfSystemAttributes = md5System;
  if (system.AWSTraceHeader) m.traceHeader = system.AWSTraceHeader.StringValue!;
  if (input.MessageGroupId !== undefined) m.groupId = input.MessageGroupId;
  if (q.fifo) m.dedupId = deduplicationId(input);
  return m;
}

function result(q: QueueRecord, m: Pick<NewMessage, "messageId" | "md5OfBody" | "md5OfAttributes" | "md5OfSystemAttributes">, seq: number): SendMessageResult {
  const r: SendMessageResult = { MessageId: m.messageId, MD5OfMessageBody: m.md5OfBody };
  if (m.md5OfAttributes) r.MD5OfMessageAttributes = m.md5OfAttributes;
  if (m.md5OfSystemAttributes) r.MD5OfMessageSystemAttributes = m.md5OfSystemAttributes;
  if (q.fifo) r.SequenceNumber = sequenceNumber(seq);
  return r;
}

/**
 * Send messages to one queue; each outcome is a result or the AwsError its message failed with.
 * Resolves only after the accepted messages are durably stored.
 */
export async function sendMessages(reg: QueueRegistry, q: QueueRecord, inputs: SendMessageInput[]): Promise<(SendMessageResult | AwsError)[]> {
  const outcomes: (SendMessageResult | AwsError | undefined)[] = inputs.map((input) => {
    try {
      checkMessage(q, input);
      return undefined;
    } catch (err) {
      if (err instanceof AwsError) return err;
      throw err;
    }
  });
  const now = reg.clock.now();
  const pending: { index: number; message: NewMessage; dedup?: Omit<DedupEntry, "seq"> }[] = [];
  for (const [index, input] of inputs.entries()) {
    if (outcomes[index]) continue;
    const message = newMessage(reg, q, input, now);
    const dedup = q.fifo
      ? { queue: q.name, scope: dedupScope(q, message.groupId!), dedupId: message.dedupId!, messageId: message.messageId, expiresAt: now + DEDUP_WINDOW_MS }
      : undefined;
    pending.push({ index, message, dedup });
  }
  // A FIFO duplicate (of a stored message or of an earlier one in this batch) gets the first one's id and sequence number.
  const stored = await reg.store.appendMessages(
    pending.map((p) => p.message),
    pending.map((p) => p.dedup),
    now,
  );
  pending.forEach((p, i) => (outcomes[p.index] = result(q, { ...p.message, messageId: stored[i]!.messageId }, stored[i]!.seq)));
  if (stored.some((s, i) => s.messageId === pending[i]!.message.messageId)) reg.waiters.notify(q.name);
  return outcomes as (SendMessageResult | AwsError)[];
}
