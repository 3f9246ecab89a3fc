/**
 * The consuming side: ReceiveMessage (long polling, visibility timeout, redrive to a dead-letter
 * queue once a message was received maxReceiveCount times), receipt handles, DeleteMessage and
 * ChangeMessageVisibility.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
 */
import { randomUUID } from "node:crypto";
import { awsError } from "../../errors.js";
import { StateMachine } from "../../lib/state-machine.js";
import type { Claim, Move } from "../../store/queue-store.js";
import { MAX_VISIBILITY_TIMEOUT, redriveAllowed } from "./attributes.js";
import { sequenceNumber } from "./fifo.js";
import type { ReceiveMessageInput, ReceivedMessage } from "./inputs.js";
import { md5OfAttributes, selectAttributes } from "./message-attributes.js";
import { type MessageState, type QueueRecord, type StoredMessage, messageState } from "./model.js";
import type { QueueRegistry } from "./queues.js";

/**
 * A message's moves. Delayed and in-flight messages become visible as time passes (or by a visibility
 * change to 0); only a visible message is received; only an in-flight one changes visibility.
 * Deletion and redrive take a message out of its queue from any state.
 */
export const MESSAGE_TRANSITIONS = new StateMachine<MessageState>("sqs message", {
  delayed: ["visible"],
  visible: ["inflight"],
  inflight: ["inflight", "visible"],
});

const SYSTEM_ATTRIBUTES = [
  "SenderId",
  "SentTimestamp",
  "ApproximateReceiveCount",
  "ApproximateFirstReceiveTimestamp",
  "SequenceNumber",
  "MessageDeduplicationId",
  "MessageGroupId",
  "AWSTraceHeader",
  "DeadLetterQueueSourceArn",
] as const;

/**
 * A receive's nonce: 24 hex digits, 94 of their bits random (a v4 UUID's first 24 digits). Node
 * draws randomUUIDs from a buffered pool; randomBytes went to the kernel once per message received
 * (~5% of the server's CPU with an event source mapping draining a queue).
 */
const receiptNonce = () => randomUUID().replace(/-/g, "").slice(0, 24);

/** Receipt handle: the message's seq, the receipt nonce and the queue name, base64-encoded. */
function receiptHandle(q: QueueRecord, seq: number, nonce: string): string {
  return Buffer.from(`${seq}:${nonce}:${q.name}`).toString("base64");
}

function parseReceipt(q: QueueRecord, handle: string): { seq: number; nonce: string } {
  const m = /^(\d+):([0-9a-f]{24}):(.+)$/.exec(Buffer.from(handle, "base64").toString("utf8"));
  if (!m || m[3] !== q.name || Buffer.from(handle, "base64").toString("base64") !== handle) {
    throw awsError("ReceiptHandleIsInvalid", `The input receipt handle "${handle}" is not a valid receipt handle.`);
  }
  return { seq: Number(m[1]), nonce: m[2]! };
}

function checkVisibilityTimeout(timeout: number): void {
  if (timeout < 0 || timeout > MAX_VISIBILITY_TIMEOUT) {
    throw awsError("InvalidParameterValue", `Value ${timeout} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= ${MAX_VISIBILITY_TIMEOUT}, if provided.`);
  }
}

function systemAttributes(m: StoredMessage, requested: string[]): Record<string, string> | undefined {
  const all = requested.includes("All");
  const want = (name: string) => all || requested.includes(name);
  const values: Record<string, string | undefined> = {
    SenderId: m.senderId,
    SentTimestamp: String(m.sentAt),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: m.firstReceiveAt === undefined ? undefined : String(m.firstReceiveAt),
    SequenceNumber: m.dedupId === undefined ? undefined : sequenceNumber(m.seq),
    MessageDeduplicationId: m.dedupId,
    MessageGroupId: m.groupId,
    AWSTraceHeader: m.traceHeader,
    DeadLetterQueueSourceArn: m.deadLetterSourceArn,
  };
  const out: Record<string, string> = {};
  for (const name of SYSTEM_ATTRIBUTES) if (want(name) && values[name] !== undefined) out[name] = values[name]!;
  return Object.keys(out).length ? out : undefined;
}

function render(q: QueueRecord, m: StoredMessage, input: ReceiveMessageInput): ReceivedMessage {
  const out: ReceivedMessage = { MessageId: m.messageId, ReceiptHandle: receiptHandle(q, m.seq, m.receipt!), MD5OfBody: m.md5OfBody, Body: m.body };
  const attrs = systemAttributes(m, input.MessageSystemAttributeNames ?? []);
  if (attrs) out.Attributes = attrs;
  const selected = selectAttributes(m.attributes, input.MessageAttributeNames);
  const md5 = md5OfAttributes(selected);
  if (md5) {
    out.MD5OfMessageAttributes = md5;
    out.MessageAttributes = selected;
  }
  return out;
}

/** Take what is receivable now: claim up to `max`, moving over-received messages to the dead-letter queue. */
async function takeNow(reg: QueueRegistry, q: QueueRecord, max: number, visibilityMs: number): Promise<StoredMessage[]> {
  const now = reg.clock.now();
  const policy = q.settings.redrivePolicy;
  const dlq = policy && reg.byArn(policy.deadLetterTargetArn);
  const redrive = dlq && redriveAllowed(dlq, reg.arn(q)) ? dlq : undefined;
  const { taken, moved } = await reg.store.take(q.name, now, now - q.settings.messageRetentionPeriod * 1000, max, q.fifo, (m): Claim | Move => {
    if (redrive && m.receiveCount >= policy!.maxReceiveCount) return { seq: m.seq, toQueue: redrive.name, visibleAt: now, deadLetterSourceArn: reg.arn(q) };
    MESSAGE_TRANSITIONS.move(messageState(m, now), "inflight");
    return { seq: m.seq, visibleAt: now + visibilityMs, receipt: receiptNonce(), firstReceiveAt: m.firstReceiveAt ?? now };
  });
  if (moved) reg.waiters.notify(redrive!.name);
  return taken;
}

/**
 * Receive up to MaxNumberOfMessages. With a wait (WaitTimeSeconds, or the queue's
 * ReceiveMessageWaitTimeSeconds) it returns as soon as at least one message is taken, or empty when
 * the wait ends, `signal` aborts (the caller went away), the queue is deleted or the service closes.
 */
export async function receiveMessages(reg: QueueRegistry, ref: string, input: ReceiveMessageInput, signal?: AbortSignal): Promise<ReceivedMessage[]> {
  let q = await reg.resolve(ref);
  const max = input.MaxNumberOfMessages ?? 1;
  if (max < 1 || max > 10) {
    throw awsError("InvalidParameterValue", `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`);
  }
  if (input.VisibilityTimeout !== undefined) checkVisibilityTimeout(input.VisibilityTimeout);
  const wait = input.WaitTimeSeconds ?? q.settings.receiveMessageWaitTimeSeconds;
  if (wait < 0 || wait > 20) {
    throw awsError("InvalidParameterValue", `Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`);
  }
  const deadline = reg.clock.now() + wait * 1000;
  for (;;) {
    if (signal?.aborted || reg.waiters.isClosed) return [];
    const current = q;
    const visibilityMs = (input.VisibilityTimeout ?? current.settings.visibilityTimeout) * 1000;
    const seen = reg.waiters.generation(q.name);
    const taken = await takeNow(reg, current, max, visibilityMs);
    if (taken.length) return taken.map((m) => render(current, m, input));
    const now = reg.clock.now();
    // A service closing meanwhile may have closed its store too.
    if (now >= deadline || reg.waiters.isClosed) return [];
    const next = await reg.store.nextVisibleAt(q.name, now);
    await reg.waiters.wait(q.name, Math.min(deadline, next ?? deadline) - now, seen, signal);
    const again = reg.get(q.name);
    if (!again) return [];
    q = again;
  }
}

/**
 * Delete by receipt handle. A message already gone, or a handle older than the newest receive,
 * succeeds without deleting anything, as AWS documents.
 */
export async function deleteMessage(reg: QueueRegistry, q: QueueRecord, handle: string): Promise<void> {
  const { seq, nonce } = parseReceipt(q, handle);
  await reg.store.deleteByReceipt(q.name, seq, nonce);
}

export async function changeVisibility(reg: QueueRegistry, q: QueueRecord, handle: string, timeout: number): Promise<void> {
  checkVisibilityTimeout(timeout);
  const { seq, nonce } = parseReceipt(q, handle);
  await reg.store.changeVisibility(q.name, seq, nonce, (m) => {
    if (!m) {
      throw awsError("InvalidParameterValue", `Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`);
    }
    const now = reg.clock.now();
    // Only a message in flight changes visibility; whose visibility lapsed must be received again.
    const state = messageState(m, now);
    if (state !== "inflight") throw awsError("MessageNotInflight", "The message referred to isn't in flight.");
    MESSAGE_TRANSITIONS.move(state, timeout === 0 ? "visible" : "inflight");
    return now + timeout * 1000;
  });
  // Waiting receives recompute when the next message becomes visible.
  reg.waiters.notify(q.name);
}
