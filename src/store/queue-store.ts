/**
 * The SQS part of the persistence boundary. Every write is durable when its promise resolves (a
 * send is acknowledged only after that), and each method is one transaction. Selection rules that
 * need an index (what is receivable, in what order) are here; what to do with the result (redrive,
 * visibility, receipts) is the service's, passed in as a function that runs inside the transaction,
 * so a receive, delete or visibility change needs no lock and concurrent ones share a commit.
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

/** Where a message move task puts one message: a new message, or why it cannot be moved. */
export type Redrive = { message: NewMessage } | { failure: string };

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

  /**
   * Append messages in one transaction, each with its FIFO deduplication entry if it has one (the
   * entry gets the new message's seq). A message whose deduplication key is stored and unexpired at
   * `now`, also by an earlier message of the same call, is not appended: it resolves the stored
   * message's id and seq instead. Checked inside the write, so concurrent sends need no lock.
   */
  appendMessages(messages: NewMessage[], dedup: (Omit<DedupEntry, "seq"> | undefined)[], now: number): Promise<{ messageId: string; seq: number }[]>;
  /**
   * Receive, in one transaction: walk the messages a receive may take, in send order (visible at
   * `now`, sent after `sentAfter` for retention; with `fifo`, none of a group that has one in flight
   * or an older one not yet visible, and each group's messages together, as many as fit, before the
   * next group's, as AWS does), and let `decide` claim or move each until `max` are claimed.
   * Moved messages do not count; the walk goes on past them. Resolves, once durable, the claimed
   * messages as stored after their claim and how many were moved. `decide` runs inside the
   * transaction: if it throws, nothing of this receive is stored.
   */
  take(queue: string, now: number, sentAfter: number, max: number, fifo: boolean, decide: (m: StoredMessage) => Claim | Move): Promise<{ taken: StoredMessage[]; moved: number }>;
  /**
   * A message move task's step, in one transaction: walk the oldest messages of `queue` that are
   * visible at `now` (sent after `sentAfter`), at most `max`, and for each let `place` give the new
   * message to append (to another queue) in its place, which deletes it. The first message `place`
   * refuses stops the walk and stays where it is; the moves before it are kept. Resolves, once
   * durable, how many moved, the refusal's reason if any, and the destination queues written to.
   */
  moveMessages(queue: string, now: number, sentAfter: number, max: number, place: (m: StoredMessage) => Redrive): Promise<{ moved: number; failure?: string; queues: string[] }>;
  /** Delete the message `seq` of `queue` if `nonce` is its newest receipt; otherwise change nothing. */
  deleteByReceipt(queue: string, seq: number, nonce: string): Promise<void>;
  /**
   * Set the visibility of the message `seq` of `queue` whose newest receipt is `nonce`: `next` gets
   * it (undefined when there is none) and returns when it becomes visible, or throws to change nothing.
   */
  changeVisibility(queue: string, seq: number, nonce: string, next: (m: StoredMessage | undefined) => number): Promise<void>;
  /** Delete a queue's messages sent at or before `sentBefore`; resolves how many. */
  purge(queue: string, sentBefore: number): Promise<number>;
  counts(queue: string, now: number, sentAfter: number): Promise<MessageCounts>;
  /** When the next message that is not visible now becomes visible, if any. */
  nextVisibleAt(queue: string, now: number): Promise<number | undefined>;
  /** Forget deduplication entries that expired before `now`. */
  expireDedup(now: number): Promise<void>;
}
