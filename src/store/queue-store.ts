/**
 * The SQS part of the persistence boundary. Every write is durable when its promise resolves (a
 * send is acknowledged only after that), and each method is one transaction. Selection rules that
 * need an index (what is receivable, in what order) are here; what to do with the result (redrive,
 * visibility, receipts) is the service's.
 */
import type { DedupEntry, NewMessage, QueueRecord, StoredMessage } from "../services/sqs/model.js";

/** A received message's new state. */
export interface Claim {
  seq: number;
  visibleAt: number;
  receipt: string;
  firstReceiveAt: number;
}

/** A message moved by a redrive policy (it keeps its id, timestamps and receive count). */
export interface Move {
  seq: number;
  toQueue: string;
  visibleAt: number;
  deadLetterSourceArn: string;
}

export interface MessageCounts {
  visible: number;
  inflight: number;
  delayed: number;
}

export interface QueueStore {
  listQueues(): Promise<QueueRecord[]>;
  /** Insert only; resolves false when a queue of that name exists. */
  insertQueue(queue: QueueRecord): Promise<boolean>;
  putQueue(queue: QueueRecord): Promise<void>;
  /** The queue, its messages and its deduplication entries. */
  deleteQueue(name: string): Promise<void>;

  /** Append messages (and FIFO deduplication entries, which get the new message's seq) in one transaction. */
  appendMessages(messages: NewMessage[], dedup?: (Omit<DedupEntry, "seq"> | undefined)[]): Promise<StoredMessage[]>;
  findDedup(queue: string, scope: string, dedupId: string, now: number): Promise<DedupEntry | undefined>;
  /**
   * Messages a receive may take, in send order: visible at `now` and sent after `sentAfter`
   * (retention). With `fifo`, a message whose group has one in flight is skipped, so each group is
   * delivered strictly in order.
   */
  receivable(queue: string, now: number, sentAfter: number, limit: number, fifo: boolean): Promise<StoredMessage[]>;
  /** Mark messages received and move others to dead-letter queues, in one transaction. */
  commitReceive(claims: Claim[], moves: Move[]): Promise<void>;
  getMessage(seq: number): Promise<StoredMessage | undefined>;
  deleteMessages(seqs: number[]): Promise<void>;
  setVisibleAt(seq: number, visibleAt: number): Promise<void>;
  /** Delete a queue's messages sent at or before `sentBefore`; resolves how many. */
  purge(queue: string, sentBefore: number): Promise<number>;
  counts(queue: string, now: number, sentAfter: number): Promise<MessageCounts>;
  /** When the next message that is not visible now becomes visible, if any. */
  nextVisibleAt(queue: string, now: number): Promise<number | undefined>;
  /** Forget deduplication entries that expired before `now`. */
  expireDedup(now: number): Promise<void>;
}
