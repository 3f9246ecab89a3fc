/**
 * SnsStore on the SQLite database of `sqlite.ts` (same file and handle, tables from its
 * migrations). A message row lives while deliveries of it are pending; delivery sequence numbers
 * come from AUTOINCREMENT, so they order deliveries across restarts and are never reused.
 */
import type Database from "better-sqlite3";
import type { GroupCommit } from "./group-commit.js";
import type { Delivery, DeliveryKind, NewDelivery, StoredMessage, SubscriptionRecord, TopicRecord } from "../services/sns/model.js";
import type { SnsDedupEntry, SnsStore } from "./sns-store.js";

export const SNS_TABLES = `
  CREATE TABLE sns_topics (
    arn TEXT PRIMARY KEY,
    record TEXT NOT NULL
  );
  CREATE TABLE sns_subscriptions (
    arn TEXT PRIMARY KEY,
    topic_arn TEXT NOT NULL,
    record TEXT NOT NULL
  );
  CREATE INDEX sns_subscriptions_by_topic ON sns_subscriptions (topic_arn);
  CREATE TABLE sns_messages (
    message_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  );
  CREATE TABLE sns_deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    subscription_arn TEXT NOT NULL,
    message_id TEXT,
    attempts INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    order_key TEXT
  );
  CREATE INDEX sns_deliveries_by_message ON sns_deliveries (message_id);
  CREATE INDEX sns_deliveries_by_subscription ON sns_deliveries (subscription_arn);
  CREATE TABLE sns_dedup (
    topic_arn TEXT NOT NULL,
    dedup_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sequence_number TEXT,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (topic_arn, dedup_id)
  );
  CREATE INDEX sns_dedup_by_expiry ON sns_dedup (expires_at);
  CREATE TABLE sns_signing (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    private_key TEXT NOT NULL,
    certificate TEXT NOT NULL
  );`;

interface DeliveryRow {
  seq: number;
  kind: string;
  subscription_arn: string;
  message_id: string | null;
  attempts: number;
  due_at: number;
  order_key: string | null;
}

const fromRow = (r: DeliveryRow): Delivery => ({
  seq: r.seq,
  kind: r.kind as DeliveryKind,
  subscriptionArn: r.subscription_arn,
  ...(r.message_id !== null ? { messageId: r.message_id } : {}),
  attempts: r.attempts,
  dueAt: r.due_at,
  ...(r.order_key !== null ? { orderKey: r.order_key } : {}),
});

export class SqliteSnsStore implements SnsStore {
  private readonly stmts;

  constructor(
    private readonly db: Database.Database,
    /** Publishes share one fsync per turn of the event loop; deleting topics and subscriptions keeps its order with them. */
    private readonly commits: GroupCommit,
  ) {
    this.stmts = {
      listTopics: db.prepare<[], { record: string }>("SELECT record FROM sns_topics ORDER BY arn"),
      putTopic: db.prepare("INSERT INTO sns_topics (arn, record) VALUES (?, ?) ON CONFLICT(arn) DO UPDATE SET record = excluded.record"),
      deleteTopic: db.prepare("DELETE FROM sns_topics WHERE arn = ?"),
      topicSubscriptions: db.prepare<[string], { arn: string }>("SELECT arn FROM sns_subscriptions WHERE topic_arn = ?"),
      deleteTopicDedup: db.prepare("DELETE FROM sns_dedup WHERE topic_arn = ?"),
      listSubscriptions: db.prepare<[], { record: string }>("SELECT record FROM sns_subscriptions ORDER BY rowid"),
      putSubscription: db.prepare("INSERT INTO sns_subscriptions (arn, topic_arn, record) VALUES (?, ?, ?) ON CONFLICT(arn) DO UPDATE SET record = excluded.record"),
      deleteSubscription: db.prepare("DELETE FROM sns_subscriptions WHERE arn = ?"),
      subscriptionMessages: db.prepare<[string], { message_id: string }>("SELECT DISTINCT message_id FROM sns_deliveries WHERE subscription_arn = ? AND message_id IS NOT NULL"),
      deleteSubscriptionDeliveries: db.prepare("DELETE FROM sns_deliveries WHERE subscription_arn = ?"),
      insertMessage: db.prepare("INSERT INTO sns_messages (message_id, record) VALUES (?, ?)"),
      getMessage: db.prepare<[string], { record: string }>("SELECT record FROM sns_messages WHERE message_id = ?"),
      deleteUnreferenced: db.prepare("DELETE FROM sns_messages WHERE message_id = ? AND NOT EXISTS (SELECT 1 FROM sns_deliveries WHERE message_id = ?)"),
      insertDelivery: db.prepare("INSERT INTO sns_deliveries (kind, subscription_arn, message_id, attempts, due_at, order_key) VALUES (?, ?, ?, ?, ?, ?)"),
      pending: db.prepare<[], DeliveryRow>("SELECT * FROM sns_deliveries ORDER BY seq"),
      retry: db.prepare("UPDATE sns_deliveries SET attempts = ?, due_at = ? WHERE seq = ?"),
      deliveryMessage: db.prepare<[number], { message_id: string | null }>("SELECT message_id FROM sns_deliveries WHERE seq = ?"),
      deleteDelivery: db.prepare("DELETE FROM sns_deliveries WHERE seq = ?"),
      insertDedup: db.prepare("INSERT OR REPLACE INTO sns_dedup (topic_arn, dedup_id, message_id, sequence_number, expires_at) VALUES (?, ?, ?, ?, ?)"),
      findDedup: db.prepare<[string, string, number], { message_id: string; sequence_number: string | null }>(
        "SELECT message_id, sequence_number FROM sns_dedup WHERE topic_arn = ? AND dedup_id = ? AND expires_at > ?",
      ),
      expireDedup: db.prepare("DELETE FROM sns_dedup WHERE expires_at <= ?"),
      signingKey: db.prepare<[], { private_key: string; certificate: string }>("SELECT private_key, certificate FROM sns_signing WHERE id = 1"),
      putSigningKey: db.prepare("INSERT OR REPLACE INTO sns_signing (id, private_key, certificate) VALUES (1, ?, ?)"),
    };
  }

  async listTopics(): Promise<TopicRecord[]> {
    return this.stmts.listTopics.all().map((r) => JSON.parse(r.record) as TopicRecord);
  }

  async putTopic(topic: TopicRecord): Promise<void> {
    this.stmts.putTopic.run(topic.arn, JSON.stringify(topic));
  }

  deleteTopic(arn: string): Promise<void> {
    return this.commits.run(() => {
      for (const { arn: sub } of this.stmts.topicSubscriptions.all(arn)) this.removeSubscription(sub);
      this.stmts.deleteTopic.run(arn);
      this.stmts.deleteTopicDedup.run(arn);
    });
  }

  async listSubscriptions(): Promise<SubscriptionRecord[]> {
    return this.stmts.listSubscriptions.all().map((r) => JSON.parse(r.record) as SubscriptionRecord);
  }

  async putSubscription(s: SubscriptionRecord, delivery?: NewDelivery): Promise<Delivery | undefined> {
    return this.db.transaction(() => {
      this.stmts.putSubscription.run(s.arn, s.topicArn, JSON.stringify(s));
      return delivery && this.insertDelivery(delivery);
    })();
  }

  deleteSubscription(arn: string): Promise<void> {
    return this.commits.run(() => this.removeSubscription(arn));
  }

  /** A subscription, its deliveries, and the messages only they still needed. */
  private removeSubscription(arn: string): void {
    const messages = this.stmts.subscriptionMessages.all(arn);
    this.stmts.deleteSubscriptionDeliveries.run(arn);
    this.stmts.deleteSubscription.run(arn);
    for (const { message_id } of messages) this.stmts.deleteUnreferenced.run(message_id, message_id);
  }

  private insertDelivery(d: NewDelivery): Delivery {
    const seq = Number(this.stmts.insertDelivery.run(d.kind, d.subscriptionArn, d.messageId ?? null, d.attempts, d.dueAt, d.orderKey ?? null).lastInsertRowid);
    return { ...d, seq };
  }

  appendMessage(message: StoredMessage, deliveries: NewDelivery[], dedup?: { dedupId: string; expiresAt: number }): Promise<Delivery[]> {
    return this.commits.run(() => {
      if (dedup) this.stmts.insertDedup.run(message.topicArn, dedup.dedupId, message.messageId, message.sequenceNumber ?? null, dedup.expiresAt);
      if (deliveries.length === 0) return [];
      this.stmts.insertMessage.run(message.messageId, JSON.stringify(message));
      return deliveries.map((d) => this.insertDelivery(d));
    });
  }

  async findDedup(topicArn: string, dedupId: string, now: number): Promise<SnsDedupEntry | undefined> {
    const r = this.stmts.findDedup.get(topicArn, dedupId, now);
    return r && { messageId: r.message_id, ...(r.sequence_number !== null ? { sequenceNumber: r.sequence_number } : {}) };
  }

  async expireDedup(now: number): Promise<void> {
    this.stmts.expireDedup.run(now);
  }

  async getMessage(messageId: string): Promise<StoredMessage | undefined> {
    const r = this.stmts.getMessage.get(messageId);
    return r && (JSON.parse(r.record) as StoredMessage);
  }

  async pendingDeliveries(): Promise<Delivery[]> {
    return this.stmts.pending.all().map(fromRow);
  }

  retryDelivery(seq: number, attempts: number, dueAt: number): Promise<void> {
    return this.commits.run(() => void this.stmts.retry.run(attempts, dueAt, seq));
  }

  finishDelivery(seq: number): Promise<void> {
    return this.commits.run(() => {
      const messageId = this.stmts.deliveryMessage.get(seq)?.message_id;
      this.stmts.deleteDelivery.run(seq);
      if (messageId) this.stmts.deleteUnreferenced.run(messageId, messageId);
    });
  }

  async signingKey(): Promise<{ privateKey: string; certificate: string } | undefined> {
    const r = this.stmts.signingKey.get();
    return r && { privateKey: r.private_key, certificate: r.certificate };
  }

  async putSigningKey(key: { privateKey: string; certificate: string }): Promise<void> {
    this.stmts.putSigningKey.run(key.privateKey, key.certificate);
  }
}
