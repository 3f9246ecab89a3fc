/**
 * Publish and PublishBatch: validate each message, deduplicate FIFO publishes (5 minutes, by id or
 * SHA-256 of the message), pick the confirmed subscriptions whose filter policy it passes, and store
 * the message with one delivery per subscription before anything is acknowledged.
 * https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
import { createHash, randomUUID } from "node:crypto";
import { AwsError, awsError } from "../../errors.js";
import { DEDUP_WINDOW_MS } from "../sqs/fifo.js";
import { messageFor } from "./envelopes.js";
import { filterMatches } from "./filter-policy.js";
import type { MessageInput, PublishResult } from "./inputs.js";
import { attributesSize, storedAttributes, validateMessageAttributes } from "./message-attributes.js";
import type { Delivery, NewDelivery, StoredMessage, TopicRecord } from "./model.js";
import type { TopicRegistry } from "./topics.js";

export const MAX_MESSAGE_BYTES = 262_144;
const FIFO_ID = /^[\x21-\x7E]{1,128}$/;

const invalid = (message: string) => awsError("InvalidParameterException", `Invalid parameter: ${message}`);

/** The message of each protocol for MessageStructure=json: `default` and any protocol's own. */
function perProtocol(input: MessageInput): Record<string, string> | undefined {
  if (input.MessageStructure === undefined) return undefined;
  if (input.MessageStructure !== "json") throw invalid("MessageStructure");
  let doc: unknown;
  try {
    doc = JSON.parse(input.Message);
  } catch {
    throw invalid("Message Structure - JSON message body failed to parse");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw invalid("Message Structure - JSON message body failed to parse");
  if (typeof (doc as Record<string, unknown>).default !== "string") throw invalid("Message Structure - No default entry in JSON message body");
  return Object.fromEntries(Object.entries(doc).filter(([, v]) => typeof v === "string")) as Record<string, string>;
}

/** Everything about one message that can be judged without the store. */
export function checkMessage(topic: TopicRecord, input: MessageInput): void {
  if (input.Message === "") throw invalid("Empty message");
  if (input.Subject !== undefined && (input.Subject === "" || input.Subject.length > 100 || /[\x00-\x1F\x7F]/.test(input.Subject))) throw invalid("Subject");
  perProtocol(input);
  validateMessageAttributes(input.MessageAttributes ?? {});
  if (Buffer.byteLength(input.Message) + attributesSize(input.MessageAttributes ?? {}) > MAX_MESSAGE_BYTES) throw invalid("Message too long");
  const { MessageGroupId: group, MessageDeduplicationId: dedup } = input;
  if (!topic.fifo) {
    if (dedup !== undefined) throw invalid("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type");
    if (group !== undefined) throw invalid("MessageGroupId Reason: The request includes MessageGroupId parameter that is not valid for this topic type");
    return;
  }
  if (group === undefined) throw invalid("The MessageGroupId parameter is required for FIFO topics");
  if (!FIFO_ID.test(group)) throw invalid("MessageGroupId Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.");
  if (dedup !== undefined && !FIFO_ID.test(dedup)) {
    throw invalid("MessageDeduplicationId Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.");
  }
  if (dedup === undefined && topic.attributes.ContentBasedDeduplication !== "true") {
    throw invalid("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
  }
}

export interface PublishContext {
  reg: TopicRegistry;
  /** Hand stored deliveries to the delivery queue. */
  enqueue(deliveries: Delivery[]): void;
  /** Until when deliveries stored now are held by this node (their lease). */
  leaseUntil(): number;
  /** The next FIFO sequence number. */
  sequenceNumber(now: number): string;
}

function newMessage(topic: TopicRecord, input: MessageInput, now: number): StoredMessage {
  const m: StoredMessage = { messageId: randomUUID(), topicArn: topic.arn, message: input.Message, attributes: storedAttributes(input.MessageAttributes ?? {}), timestamp: now };
  const structured = perProtocol(input);
  if (structured) {
    m.perProtocol = structured;
    m.message = structured.default!;
  }
  if (input.Subject !== undefined) m.subject = input.Subject;
  if (topic.fifo) {
    m.groupId = input.MessageGroupId!;
    m.dedupId = input.MessageDeduplicationId ?? createHash("sha256").update(input.Message).digest("hex");
  }
  return m;
}

/** A delivery for each confirmed subscription whose filter policy the message passes. */
function deliveriesOf(ctx: PublishContext, topic: TopicRecord, m: StoredMessage): NewDelivery[] {
  return ctx.reg
    .subscriptionsOf(topic.arn)
    .filter((s) => !s.record.pending && (!s.filter || filterMatches(s.filter, { attributes: m.attributes, body: messageFor(m, s.record.protocol) })))
    .map((s) => ({
      kind: "notification",
      subscriptionArn: s.record.arn,
      messageId: m.messageId,
      attempts: 0,
      dueAt: m.timestamp,
      ...(topic.fifo ? { orderKey: `${s.record.arn}\n${m.groupId}` } : {}),
    }));
}

/**
 * Publish messages to one topic; each outcome is a result or the AwsError its message failed with.
 * Resolves only after every accepted message and its deliveries are durably stored.
 */
export async function publishMessages(ctx: PublishContext, topic: TopicRecord, inputs: MessageInput[]): Promise<(PublishResult | AwsError)[]> {
  const outcomes: (PublishResult | AwsError | undefined)[] = inputs.map((input) => {
    try {
      checkMessage(topic, input);
      return undefined;
    } catch (err) {
      if (err instanceof AwsError) return err;
      throw err;
    }
  });
  const write = async () => {
    const { store, clock } = ctx.reg;
    // A standard topic's messages are written without waiting for each other: one commit for a batch.
    const writes: Promise<void>[] = [];
    for (const [i, input] of inputs.entries()) {
      if (outcomes[i]) continue;
      const now = clock.now();
      const m = newMessage(topic, input, now);
      if (topic.fifo) {
        const seen = await store.findDedup(topic.arn, m.dedupId!, now);
        if (seen) {
          outcomes[i] = { MessageId: seen.messageId, ...(seen.sequenceNumber ? { SequenceNumber: seen.sequenceNumber } : {}) };
          continue;
        }
        m.sequenceNumber = ctx.sequenceNumber(now);
      }
      const stored = store.appendMessage(m, deliveriesOf(ctx, topic, m), topic.fifo ? { dedupId: m.dedupId!, expiresAt: now + DEDUP_WINDOW_MS } : undefined, ctx.leaseUntil()).then((deliveries) => {
        ctx.enqueue(deliveries);
        outcomes[i] = { MessageId: m.messageId, ...(m.sequenceNumber ? { SequenceNumber: m.sequenceNumber } : {}) };
      });
      // A FIFO message's deduplication check must see the one before it in the batch.
      if (topic.fifo) await stored;
      else writes.push(stored);
    }
    await Promise.all(writes);
  };
  // FIFO deduplication and sequence numbers read then write: one publish at a time per FIFO topic.
  await (topic.fifo ? ctx.reg.lock.run(topic.arn, write) : write());
  return outcomes as (PublishResult | AwsError)[];
}
