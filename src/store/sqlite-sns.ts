/**
 * SnsStore on the SQLite database of `sqlite.ts` (same file and handle, tables from its
 * migrations). A message row lives while deliveries of it are pending; delivery sequence numbers
 * come from AUTOINCREMENT, so they order deliveries across restarts and are never reused.
 */
import type Database from "better-sqlite3";
import type { GroupCommit } from "./group-commit.js";
import type { Delivery, NewDelivery, StoredMessage, SubscriptionRecord, TopicRecord } from "../services/sns/model.js";
import { laneIsFor, type SnsDedupEntry, type SnsStore } from "./sns-store.js";
import { fromRow, type DeliveryRow } from "./sns-rows.js";

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

/** Each pending delivery held by one node at a time (sns-store.ts): its owner and lease expiry. */
export const SNS_LEASES = `
  ALTER TABLE sns_deliveries ADD COLUMN owner TEXT;
  ALTER TABLE sns_deliveries ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX sns_deliveries_by_owner ON sns_deliveries (owner);
  CREATE INDEX sns_deliveries_by_order_key ON sns_deliveries (order_key, seq);`;

export class SqliteSnsStore implements SnsStore {
  private readonly stmts;

  constructor(
    private readonly db: Database.Database,
    /** Publishes share one fsync per turn of the event loop; deleting topics and subscriptions keeps its order with them. */
    private readonly commits: GroupCommit,
    /** The node this store is (`Store.nodeId`): the owner its leases are held under. */
    private readonly node: string,
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
      insertDelivery: db.prepare("INSERT INTO sns_deliveries (kind, subscription_arn, message_id, attempts, due_at, order_key, owner, lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
      laneHeldElsewhere: db.prepare<[string, string], { seq: number }>("SELECT seq FROM sns_deliveries WHERE order_key = ? AND (owner IS NULL OR owner <> ?) LIMIT 1"),
      pending: db.prepare<[], DeliveryRow>("SELECT * FROM sns_deliveries ORDER BY seq"),
      free: db.prepare<[number], DeliveryRow>("SELECT * FROM sns_deliveries WHERE lease_until <= ? ORDER BY seq"),
      laneHead: db.prepare<[string], DeliveryRow>("SELECT * FROM sns_deliveries WHERE order_key = ? ORDER BY seq LIMIT 1"),
      lease: db.prepare("UPDATE sns_deliveries SET owner = ?, lease_until = ? WHERE seq = ?"),
      leaseAll: db.prepare("UPDATE sns_deliveries SET owner = ?, lease_until = ?"),
      renew: db.prepare("UPDATE sns_deliveries SET lease_until = ? WHERE owner = ?"),
      release: db.prepare("UPDATE sns_deliveries SET owner = NULL, lease_until = 0 WHERE owner = ?"),
      retry: db.prepare("UPDATE sns_deliveries SET attempts = ?, due_at = ? WHERE seq = ? AND owner = ?"),
      deliveryMessage: db.prepare<[number, string], { message_id: string | null }>("SELECT message_id FROM sns_deliveries WHERE seq = ? AND owner = ?"),
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

  async putSubscription(s: SubscriptionRecord, delivery?: NewDelivery, leaseUntil = 0): Promise<Delivery | undefined> {
    return this.db.transaction(() => {
      this.stmts.putSubscription.run(s.arn, s.topicArn, JSON.stringify(s));
      return delivery && this.insertDelivery(delivery, leaseUntil);
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

  /** Stored held by this node, unless its lane has deliveries this node does not hold: then held by nobody. */
  private insertDelivery(d: NewDelivery, leaseUntil: number): Delivery | undefined {
    const held = d.orderKey === undefined || !this.stmts.laneHeldElsewhere.get(d.orderKey, this.node);
    const seq = Number(
      this.stmts.insertDelivery.run(d.kind, d.subscriptionArn, d.messageId ?? null, d.attempts, d.dueAt, d.orderKey ?? null, held ? this.node : null, held ? leaseUntil : 0).lastInsertRowid,
    );
    return held ? { ...d, seq } : undefined;
  }

  appendMessage(message: StoredMessage, deliveries: NewDelivery[], dedup: { dedupId: string; expiresAt: number } | undefined, leaseUntil: number): Promise<Delivery[]> {
    return this.commits.run(() => {
      if (dedup) this.stmts.insertDedup.run(message.topicArn, dedup.dedupId, message.messageId, message.sequenceNumber ?? null, dedup.expiresAt);
      if (deliveries.length === 0) return [];
      this.stmts.insertMessage.run(message.messageId, JSON.stringify(message));
      return deliveries.map((d) => this.insertDelivery(d, leaseUntil)).filter((d) => d !== undefined);
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

  /** Only this node uses the file: whatever a previous run held is this node's now. */
  recoverDeliveries(_now: number, leaseUntil: number): Promise<Delivery[]> {
    return this.commits.run(() => {
      this.stmts.leaseAll.run(this.node, leaseUntil);
      return this.stmts.pending.all().map(fromRow);
    });
  }

  claimDeliveries(now: number, leaseUntil: number, limit: number): Promise<Delivery[]> {
    return this.commits.run(() => {
      const lanes = new Map<string, boolean>();
      const mayTake = (r: DeliveryRow): boolean => {
        if (r.order_key === null) return r.due_at <= now;
        let ok = lanes.get(r.order_key);
        if (ok === undefined) lanes.set(r.order_key, (ok = laneIsFor(this.stmts.laneHead.get(r.order_key)!, this.node, now)));
        return ok;
      };
      const taken: Delivery[] = [];
      for (const r of this.stmts.free.all(now)) {
        if (taken.length >= limit) break;
        if (!mayTake(r)) continue;
        this.stmts.lease.run(this.node, leaseUntil, r.seq);
        taken.push(fromRow(r));
      }
      return taken;
    });
  }

  renewDeliveries(leaseUntil: number): Promise<number> {
    return this.commits.run(() => this.stmts.renew.run(leaseUntil, this.node).changes);
  }

  releaseDeliveries(): Promise<void> {
    return this.commits.run(() => void this.stmts.release.run(this.node));
  }

  retryDelivery(seq: number, attempts: number, dueAt: number): Promise<boolean> {
    return this.commits.run(() => this.stmts.retry.run(attempts, dueAt, seq, this.node).changes === 1);
  }

  finishDelivery(seq: number): Promise<boolean> {
    return this.commits.run(() => {
      const row = this.stmts.deliveryMessage.get(seq, this.node);
      if (!row) return false;
      this.stmts.deleteDelivery.run(seq);
      if (row.message_id) this.stmts.deleteUnreferenced.run(row.message_id, row.message_id);
      return true;
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
