/**
 * What an SQS queue and a message are, as stored. Field names of inputs and outputs keep AWS's
 * casing; stored records use Flint's.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/Welcome.html
 */

/** A custom message attribute as AWS models it; binary values as bytes. */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

export type MessageAttributes = Record<string, MessageAttributeValue>;

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** Queue settings, typed; each has the AWS attribute name in `attributes.ts`. */
export interface QueueSettings {
  delaySeconds: number;
  maximumMessageSize: number;
  messageRetentionPeriod: number;
  receiveMessageWaitTimeSeconds: number;
  visibilityTimeout: number;
  policy?: string;
  redrivePolicy?: RedrivePolicy;
  /** Kept as the JSON text the caller set (validated). */
  redriveAllowPolicy?: string;
  kmsMasterKeyId?: string;
  kmsDataKeyReusePeriodSeconds: number;
  sqsManagedSseEnabled: boolean;
  /** FIFO only. */
  contentBasedDeduplication: boolean;
  deduplicationScope: "queue" | "messageGroup";
  fifoThroughputLimit: "perQueue" | "perMessageGroupId";
}

/** A message move task's status, as ListMessageMoveTasks reports it. */
export type MoveTaskStatus = "RUNNING" | "COMPLETED" | "CANCELLING" | "CANCELLED" | "FAILED";

/**
 * A message move task (dead-letter queue redrive), kept on its source queue's record: the queue's
 * most recent tasks, newest first. Counts are as of the running node's last progress save.
 */
export interface MoveTaskRecord {
  taskId: string;
  status: MoveTaskStatus;
  /** Absent: each message goes back to the queue it was dead-lettered from. */
  destinationArn?: string;
  /** As given; absent when the caller left the rate to the system. */
  maxPerSecond?: number;
  moved: number;
  toMove: number;
  failureReason?: string;
  /** Epoch ms. */
  started: number;
}

export interface QueueRecord {
  name: string;
  fifo: boolean;
  /** Epoch seconds, as AWS reports CreatedTimestamp. */
  created: number;
  lastModified: number;
  settings: QueueSettings;
  tags: Record<string, string>;
  /** Message move tasks whose source is this queue, newest first (at most MAX_LISTED_TASKS). */
  moveTasks?: MoveTaskRecord[];
}

/** A message as stored; `seq` orders a queue (and, for FIFO, each message group). */
export interface StoredMessage {
  seq: number;
  queue: string;
  messageId: string;
  body: string;
  attributes: MessageAttributes;
  /** `AWSTraceHeader`, the one system attribute a sender may set. */
  traceHeader?: string;
  md5OfBody: string;
  md5OfAttributes?: string;
  md5OfSystemAttributes?: string;
  /** Epoch ms. */
  sentAt: number;
  /** Epoch ms when the message can next be received (delay, then visibility timeout). */
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  /** The nonce of the newest receipt handle; only it can delete the message. */
  receipt?: string;
  senderId: string;
  groupId?: string;
  dedupId?: string;
  /** Set when the message was moved here by a redrive policy. */
  deadLetterSourceArn?: string;
}

/** What a send stores; the store assigns `seq`. */
export type NewMessage = Omit<StoredMessage, "seq">;

/** A deduplication id seen on a FIFO queue in the last 5 minutes, and the message it produced. */
export interface DedupEntry {
  queue: string;
  /** `""` for queue scope, the message group id for message-group scope. */
  scope: string;
  dedupId: string;
  messageId: string;
  seq: number;
  expiresAt: number;
}

/** A message's state, derived from its timestamps; `transitions` in service.ts lists the moves. */
export type MessageState = "delayed" | "visible" | "inflight";

export function messageState(m: Pick<StoredMessage, "visibleAt" | "receiveCount">, now: number): MessageState {
  if (m.visibleAt <= now) return "visible";
  return m.receiveCount > 0 ? "inflight" : "delayed";
}
