/**
 * The SNS part of the persistence boundary: topics, subscriptions, and published messages with the
 * deliveries still owed to their subscriptions. Every write is durable when its promise resolves (a
 * Publish is acknowledged only after that); a message is kept while any delivery of it is pending.
 *
 * Each pending delivery is held by one node at a time (its owner, `Store.nodeId`, and a lease that
 * expires at `lease_until`, Flint time, unless renewed), as async events are (async-store.ts). A
 * delivery is stored held by the node that stored it, except behind an earlier delivery of the same
 * order key that another node holds: then it waits, held by nobody, for that lane's owner to claim
 * it, so one node makes a lane's deliveries, in order. Each store part acts as its store's node.
 * A delivery nobody holds has lease 0, so "free at `now`" is just `lease_until <= now`.
 */
import type { Delivery, NewDelivery, StoredMessage, SubscriptionRecord, TopicRecord } from "../services/sns/model.js";

export interface SnsDedupEntry {
  messageId: string;
  sequenceNumber?: string;
}

/**
 * May `node` take the free deliveries of a lane whose first delivery is `head`? Yes when it holds
 * the head (they wait behind it), or when nobody holds the head and it is due, or `anyTime` (a
 * restart), taking the lane whole.
 */
export function laneIsFor(head: { owner: string | null; lease_until: number; due_at: number }, node: string, now: number, anyTime = false): boolean {
  const free = head.lease_until <= now;
  return free ? anyTime || head.due_at <= now : head.owner === node;
}

export interface SnsStore {
  listTopics(): Promise<TopicRecord[]>;
  putTopic(topic: TopicRecord): Promise<void>;
  /** The topic, its subscriptions and their pending deliveries. */
  deleteTopic(arn: string): Promise<void>;

  listSubscriptions(): Promise<SubscriptionRecord[]>;
  /**
   * Insert or replace a subscription, with a delivery (its confirmation request) in the same
   * transaction, held by this node until `leaseUntil`.
   */
  putSubscription(subscription: SubscriptionRecord, delivery?: NewDelivery, leaseUntil?: number): Promise<Delivery | undefined>;
  /** The subscription and its pending deliveries. */
  deleteSubscription(arn: string): Promise<void>;

  /**
   * Store a message with its deliveries (none: only its FIFO deduplication entry), and for a FIFO
   * topic its deduplication entry, which expires at `dedup.expiresAt`, in one transaction. Resolves
   * the deliveries this node holds (until `leaseUntil`) and so is to make now.
   */
  appendMessage(message: StoredMessage, deliveries: NewDelivery[], dedup: { dedupId: string; expiresAt: number } | undefined, leaseUntil: number): Promise<Delivery[]>;
  findDedup(topicArn: string, dedupId: string, now: number): Promise<SnsDedupEntry | undefined>;
  expireDedup(now: number): Promise<void>;
  getMessage(messageId: string): Promise<StoredMessage | undefined>;

  /** Every pending delivery, whoever holds it, in the order they were created (for tests and tools). */
  pendingDeliveries(): Promise<Delivery[]>;
  /**
   * What this node takes on start, held until `leaseUntil`, in seq order, due or not: on a store
   * only one node uses (SQLite) every delivery; on a shared one those nobody holds at `now`.
   */
  recoverDeliveries(now: number, leaseUntil: number): Promise<Delivery[]>;
  /**
   * Take up to `limit` deliveries nobody holds at `now`, held by this node until `leaseUntil`, in
   * seq order: those due, and those whose lane (order key) this node holds or takes whole. Two
   * nodes claiming at once never get the same delivery, nor parts of one lane.
   */
  claimDeliveries(now: number, leaseUntil: number, limit: number): Promise<Delivery[]>;
  /** Extend the lease of every delivery this node holds to `leaseUntil` (one write); resolves how many. */
  renewDeliveries(leaseUntil: number): Promise<number>;
  /** A clean stop: give up every delivery this node holds, for other nodes to claim at once. */
  releaseDeliveries(): Promise<void>;
  /** Record a failed attempt and when the next one is due; false (nothing changed) when this node no longer holds it. */
  retryDelivery(seq: number, attempts: number, dueAt: number): Promise<boolean>;
  /**
   * The delivery is done (made, or given up); its message goes with its last delivery. False
   * (nothing changed) when this node no longer holds it.
   */
  finishDelivery(seq: number): Promise<boolean>;

  /** The key pair and certificate SNS signs messages with, created on first use. */
  signingKey(): Promise<{ privateKey: string; certificate: string } | undefined>;
  putSigningKey(key: { privateKey: string; certificate: string }): Promise<void>;
}
