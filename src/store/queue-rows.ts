/**
 * What both queue stores (sqlite-queues.ts, pg-queues.ts) share: a row of sqs_messages, how a
 * message's non-column parts are kept in its `meta` column, and how a row becomes a StoredMessage.
 */
import type { MessageAttributes, NewMessage, StoredMessage } from "../services/sqs/model.js";

/** Candidates read per round beyond what is wanted, so redriven messages do not cost a round each. */
export const EXTRA_CANDIDATES = 10;

export interface Row {
  seq: number;
  queue: string;
  message_id: string;
  group_id: string | null;
  sent_at: number;
  visible_at: number;
  receive_count: number;
  first_receive_at: number | null;
  receipt: string | null;
  body: string;
  meta: string;
}

/** What is not a column: attributes (binary values base64), digests and provenance. */
type Meta = Pick<StoredMessage, "md5OfBody" | "md5OfAttributes" | "md5OfSystemAttributes" | "traceHeader" | "senderId" | "dedupId" | "deadLetterSourceArn"> & {
  attributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
};

export function toMeta(m: NewMessage): string {
  const attributes: Meta["attributes"] = Object.fromEntries(
    Object.entries(m.attributes).map(([name, v]) => [
      name,
      v.BinaryValue ? { DataType: v.DataType, BinaryValue: Buffer.from(v.BinaryValue).toString("base64") } : { DataType: v.DataType, StringValue: v.StringValue },
    ]),
  );
  const meta: Meta = {
    attributes,
    md5OfBody: m.md5OfBody,
    md5OfAttributes: m.md5OfAttributes,
    md5OfSystemAttributes: m.md5OfSystemAttributes,
    traceHeader: m.traceHeader,
    senderId: m.senderId,
    dedupId: m.dedupId,
    deadLetterSourceArn: m.deadLetterSourceArn,
  };
  return JSON.stringify(meta);
}

export function fromRow(r: Row): StoredMessage {
  const meta = JSON.parse(r.meta) as Meta;
  const attributes: MessageAttributes = Object.fromEntries(
    Object.entries(meta.attributes).map(([name, v]) => [
      name,
      v.BinaryValue !== undefined ? { DataType: v.DataType, BinaryValue: Buffer.from(v.BinaryValue, "base64") } : { DataType: v.DataType, StringValue: v.StringValue },
    ]),
  );
  const m: StoredMessage = {
    seq: r.seq,
    queue: r.queue,
    messageId: r.message_id,
    body: r.body,
    attributes,
    md5OfBody: meta.md5OfBody,
    sentAt: r.sent_at,
    visibleAt: r.visible_at,
    receiveCount: r.receive_count,
    senderId: meta.senderId,
  };
  if (meta.md5OfAttributes) m.md5OfAttributes = meta.md5OfAttributes;
  if (meta.md5OfSystemAttributes) m.md5OfSystemAttributes = meta.md5OfSystemAttributes;
  if (meta.traceHeader !== undefined) m.traceHeader = meta.traceHeader;
  if (meta.dedupId !== undefined) m.dedupId = meta.dedupId;
  if (meta.deadLetterSourceArn !== undefined) m.deadLetterSourceArn = meta.deadLetterSourceArn;
  if (r.group_id !== null) m.groupId = r.group_id;
  if (r.first_receive_at !== null) m.firstReceiveAt = r.first_receive_at;
  if (r.receipt !== null) m.receipt = r.receipt;
  return m;
}
