/**
 * The SNS part of the persistence boundary: topics, subscriptions, and published messages with the
 * deliveries still owed to their subscriptions. Every write is durable when its promise resolves (a
 * Publish is acknowledged only after that); a message is kept while any delivery of it is pending.
 */
import type { Delivery, NewDelivery, StoredMessage, SubscriptionRecord, TopicRecord } from "../services/sns/model.js";

export interface SnsDedupEntry {
  messageId: string;
  sequenceNumber?: string;
}

export interface SnsStore {
  listTopics(): Promise<TopicRecord[]>;
  putTopic(topic: TopicRecord): Promise<void>;
  /** The topic, its subscriptions and their pending deliveries. */
  deleteTopic(arn: string): Promise<void>;

  listSubscriptions(): Promise<SubscriptionRecord[]>;
  /** Insert or replace a subscription, with a delivery (its confirmation request) in the same transaction. */
  putSubscription(subscription: SubscriptionRecord, delivery?: NewDelivery): Promise<Delivery | undefined>;
  /** The subscription and its pending deliveries. */
  deleteSubscription(arn: string): Promise<void>;

  /**
   * Store a message with its deliveries (none: only its FIFO deduplication entry), and for a FIFO
   * topic its deduplication entry, which expires at `dedup.expiresAt`, in one transaction.
   */
  appendMessage(message: StoredMessage, deliveries: NewDelivery[], dedup?: { dedupId: string; expiresAt: number }): Promise<Delivery[]>;
  findDedup(topicArn: string, dedupId: string, now: number): Promise<SnsDedupEntry | undefined>;
  expireDedup(now: number): Promise<void>;
  getMessage(messageId: string): Promise<StoredMessage | undefined>;

  /** Every pending delivery, in the order they were created. */
  pendingDeliveries(): Promise<Delivery[]>;
  /** Record a failed attempt and when the next one is due. */
  retryDelivery(seq: number, attempts: number, dueAt: number): Promise<void>;
  /** The delivery is done (made, or given up); its message goes with its last delivery. */
  finishDelivery(seq: number): Promise<void>;

  /** The key pair and certificate SNS signs messages with, created on first use. */
  signingKey(): Promise<{ privateKey: string; certificate: string } | undefined>;
  putSigningKey(key: { privateKey: string; certificate: string }): Promise<void>;
}
