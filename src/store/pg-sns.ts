/**
 * SnsStore on PostgreSQL, shared by every node (twin of sqlite-sns.ts). Pending deliveries are held
 * by one node at a time (owner, lease_until). A lane (deliveries sharing an order key) changes hands
 * only under a transaction-scoped advisory lock on its key, which appends take too: so a lane's
 * deliveries are made by one node, in seq order, even while nodes publish to it and claim it at once.
 */
import type { PgDb, Sql } from "./pg-db.js";
import { ms } from "./pg-async.js";
import type { Delivery, NewDelivery, StoredMessage, SubscriptionRecord, TopicRecord } from "../services/sns/model.js";
import { laneIsFor, type SnsDedupEntry, type SnsStore } from "./sns-store.js";
import { fromRow, type DeliveryRow } from "./sns-rows.js";
import { PgRecordTable } from "./pg-records.js";

export const PG_SNS_TABLES = `
  CREATE TABLE sns_topics (
    arn text PRIMARY KEY,
    record text NOT NULL
  );
  CREATE TABLE sns_subscriptions (
    arn text PRIMARY KEY,
    topic_arn text NOT NULL,
    record text NOT NULL,
    seq bigserial NOT NULL
  );
  CREATE INDEX sns_subscriptions_by_topic ON sns_subscriptions (topic_arn);
  CREATE TABLE sns_messages (
    message_id text PRIMARY KEY,
    record text NOT NULL
  );
  CREATE TABLE sns_deliveries (
    seq bigserial PRIMARY KEY,
    kind text NOT NULL,
    subscription_arn text NOT NULL,
    message_id text,
    attempts integer NOT NULL,
    due_at bigint NOT NULL,
    order_key text,
    owner text,
    lease_until bigint NOT NULL DEFAULT 0
  );
  CREATE INDEX sns_deliveries_by_message ON sns_deliveries (message_id);
  CREATE INDEX sns_deliveries_by_subscription ON sns_deliveries (subscription_arn);
  CREATE INDEX sns_deliveries_by_owner ON sns_deliveries (owner);
  CREATE INDEX sns_deliveries_by_lease ON sns_deliveries (lease_until);
  CREATE INDEX sns_deliveries_by_order_key ON sns_deliveries (order_key, seq);
  CREATE TABLE sns_dedup (
    topic_arn text NOT NULL,
    dedup_id text NOT NULL,
    message_id text NOT NULL,
    sequence_number text,
    expires_at bigint NOT NULL,
    PRIMARY KEY (topic_arn, dedup_id)
  );
  CREATE INDEX sns_dedup_by_expiry ON sns_dedup (expires_at);
  CREATE TABLE sns_signing (
    id integer PRIMARY KEY CHECK (id = 1),
    private_key text NOT NULL,
    certificate text NOT NULL
  );`;

/** The advisory lock space of SNS lanes (the second key is the order key's hash). */
const LANE_LOCKS = 7245017;

const bySeq = (a: { seq: number }, b: { seq: number }) => a.seq - b.seq;

export class PgSnsStore implements SnsStore {
  private readonly topics: PgRecordTable<TopicRecord>;
  /** Listed in the order they were first stored. */
  private readonly subscriptions: PgRecordTable<SubscriptionRecord>;

  constructor(
    private readonly db: PgDb,
    /** The node this store is (`Store.nodeId`): the owner its leases are held under. */
    private readonly node: string,
  ) {
    this.topics = new PgRecordTable(db, { table: "sns_topics", key: "arn", columns: { arn: (t) => t.arn } });
    this.subscriptions = new PgRecordTable(db, { table: "sns_subscriptions", key: "arn", columns: { arn: (s) => s.arn, topic_arn: (s) => s.topicArn }, orderBy: "seq" });
  }

  listTopics(): Promise<TopicRecord[]> {
    return this.topics.list();
  }

  putTopic(topic: TopicRecord): Promise<void> {
    return this.topics.put(topic);
  }

  async deleteTopic(arn: string): Promise<void> {
    await this.db.tx(async (sql) => {
      const subs = await sql.query<{ arn: string }>("SELECT arn FROM sns_subscriptions WHERE topic_arn = $1", [arn]);
      for (const s of subs) await this.removeSubscription(sql, s.arn);
      await this.topics.delete(arn, sql);
      await sql.run("DELETE FROM sns_dedup WHERE topic_arn = $1", [arn]);
    });
  }

  listSubscriptions(): Promise<SubscriptionRecord[]> {
    return this.subscriptions.list();
  }

  async putSubscription(s: SubscriptionRecord, delivery?: NewDelivery, leaseUntil = 0): Promise<Delivery | undefined> {
    return this.db.tx(async (sql) => {
      await this.subscriptions.put(s, sql);
      if (!delivery) return undefined;
      const [held] = await this.insertDeliveries(sql, [delivery], leaseUntil);
      return held;
    });
  }

  async deleteSubscription(arn: string): Promise<void> {
    await this.db.tx((sql) => this.removeSubscription(sql, arn));
  }

  /** A subscription, its deliveries, and the messages only they still needed. */
  private async removeSubscription(sql: Sql, arn: string): Promise<void> {
    const gone = await sql.query<{ message_id: string | null }>("DELETE FROM sns_deliveries WHERE subscription_arn = $1 RETURNING message_id", [arn]);
    await this.subscriptions.delete(arn, sql);
    await this.dropUnreferenced(sql, [...new Set(gone.map((r) => r.message_id).filter((m) => m !== null))]);
  }

  /**
   * Delete the messages no delivery needs any more. Each message row is locked first, so that two
   * nodes removing its last two deliveries at once do not each see the other's and keep it: the
   * second waits, then sees the first's delete committed.
   */
  private async dropUnreferenced(sql: Sql, messageIds: string[]): Promise<void> {
    if (messageIds.length === 0) return;
    await sql.query("SELECT 1 FROM sns_messages WHERE message_id = ANY($1) ORDER BY message_id FOR UPDATE", [messageIds]);
    await sql.run(
      "DELETE FROM sns_messages m WHERE m.message_id = ANY($1) AND NOT EXISTS (SELECT 1 FROM sns_deliveries d WHERE d.message_id = m.message_id)",
      [messageIds],
    );
  }

  /**
   * Insert deliveries held by this node, except those behind a delivery of their lane this node
   * does not hold (stored held by nobody, for the lane's owner to claim). Resolves those it holds.
   */
  private async insertDeliveries(sql: Sql, deliveries: NewDelivery[], leaseUntil: number): Promise<Delivery[]> {
    const keys = [...new Set(deliveries.map((d) => d.orderKey).filter((k) => k !== undefined))].sort();
    const elsewhere = new Set<string>();
    if (keys.length) {
      for (const key of keys) await sql.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [LANE_LOCKS, key]);
      const rows = await sql.query<{ order_key: string }>(
        "SELECT DISTINCT order_key FROM sns_deliveries WHERE order_key = ANY($1) AND (owner IS NULL OR owner <> $2)",
        [keys, this.node],
      );
      for (const r of rows) elsewhere.add(r.order_key);
    }
    const held = deliveries.map((d) => d.orderKey === undefined || !elsewhere.has(d.orderKey));
    const rows = await sql.query<{ seq: number }>(
      `INSERT INTO sns_deliveries (kind, subscription_arn, message_id, attempts, due_at, order_key, owner, lease_until)
       SELECT kind, subscription_arn, message_id, attempts, due_at, order_key, owner, lease_until
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::bigint[], $6::text[], $7::text[], $8::bigint[]) WITH ORDINALITY
         AS t(kind, subscription_arn, message_id, attempts, due_at, order_key, owner, lease_until, i)
       ORDER BY i
       RETURNING seq`,
      [
        deliveries.map((d) => d.kind), deliveries.map((d) => d.subscriptionArn), deliveries.map((d) => d.messageId ?? null), deliveries.map((d) => d.attempts),
        deliveries.map((d) => ms(d.dueAt)), deliveries.map((d) => d.orderKey ?? null), held.map((h) => (h ? this.node : null)), held.map((h) => (h ? ms(leaseUntil) : 0)),
      ],
    );
    // Rows are numbered in the order inserted: the i-th smallest seq is the i-th delivery.
    const seqs = rows.map((r) => r.seq).sort((a, b) => a - b);
    return deliveries.flatMap((d, i) => (held[i] ? [{ ...d, seq: seqs[i]! }] : []));
  }

  async appendMessage(message: StoredMessage, deliveries: NewDelivery[], dedup: { dedupId: string; expiresAt: number } | undefined, leaseUntil: number): Promise<Delivery[]> {
    return this.db.tx(async (sql) => {
      if (dedup) {
        await sql.run(
          `INSERT INTO sns_dedup (topic_arn, dedup_id, message_id, sequence_number, expires_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (topic_arn, dedup_id) DO UPDATE SET message_id = excluded.message_id, sequence_number = excluded.sequence_number, expires_at = excluded.expires_at`,
          [message.topicArn, dedup.dedupId, message.messageId, message.sequenceNumber ?? null, ms(dedup.expiresAt)],
        );
      }
      if (deliveries.length === 0) return [];
      await sql.run("INSERT INTO sns_messages (message_id, record) VALUES ($1, $2)", [message.messageId, JSON.stringify(message)]);
      return this.insertDeliveries(sql, deliveries, leaseUntil);
    });
  }

  async findDedup(topicArn: string, dedupId: string, now: number): Promise<SnsDedupEntry | undefined> {
    const [r] = await this.db.query<{ message_id: string; sequence_number: string | null }>(
      "SELECT message_id, sequence_number FROM sns_dedup WHERE topic_arn = $1 AND dedup_id = $2 AND expires_at > $3",
      [topicArn, dedupId, ms(now)],
    );
    return r && { messageId: r.message_id, ...(r.sequence_number !== null ? { sequenceNumber: r.sequence_number } : {}) };
  }

  async expireDedup(now: number): Promise<void> {
    await this.db.run("DELETE FROM sns_dedup WHERE expires_at <= $1", [ms(now)]);
  }

  async getMessage(messageId: string): Promise<StoredMessage | undefined> {
    const [r] = await this.db.query<{ record: string }>("SELECT record FROM sns_messages WHERE message_id = $1", [messageId]);
    return r && (JSON.parse(r.record) as StoredMessage);
  }

  async pendingDeliveries(): Promise<Delivery[]> {
    return (await this.db.query<DeliveryRow>("SELECT * FROM sns_deliveries ORDER BY seq")).map(fromRow);
  }

  /** Other nodes may be alive and holding deliveries: a restart takes what nobody holds, as a claim without the due time. */
  recoverDeliveries(now: number, leaseUntil: number): Promise<Delivery[]> {
    return this.claim(now, leaseUntil, Number.MAX_SAFE_INTEGER, false);
  }

  claimDeliveries(now: number, leaseUntil: number, limit: number): Promise<Delivery[]> {
    return this.claim(now, leaseUntil, limit, true);
  }

  /**
   * Deliveries without a lane: the due ones nobody holds, rows other claims locked skipped. Lanes:
   * each under its advisory lock (tried, not waited for: another node is claiming or appending to
   * it), its free deliveries when this node holds its head or takes it whole (laneIsFor).
   */
  private claim(at: number, until: number, limit: number, dueOnly: boolean): Promise<Delivery[]> {
    const [now, leaseUntil] = [ms(at), ms(until)];
    return this.db.tx(async (sql) => {
      const taken = await sql.query<DeliveryRow>(
        `WITH picked AS (
           SELECT seq FROM sns_deliveries WHERE order_key IS NULL AND lease_until <= $1 ${dueOnly ? "AND due_at <= $1" : ""}
           ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED
         )
         UPDATE sns_deliveries d SET owner = $2, lease_until = $3 FROM picked WHERE d.seq = picked.seq RETURNING d.*`,
        [now, this.node, leaseUntil, limit],
      );
      const keys = await sql.query<{ order_key: string }>(
        "SELECT DISTINCT order_key FROM sns_deliveries WHERE order_key IS NOT NULL AND lease_until <= $1 LIMIT $2",
        [now, Math.max(0, limit - taken.length)],
      );
      for (const { order_key: key } of keys) {
        if (taken.length >= limit) break;
        const [lock] = await sql.query<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS ok", [LANE_LOCKS, key]);
        if (!lock!.ok) continue;
        const lane = await sql.query<DeliveryRow>("SELECT * FROM sns_deliveries WHERE order_key = $1 ORDER BY seq FOR UPDATE", [key]);
        if (!lane.length || !laneIsFor(lane[0]!, this.node, now, !dueOnly)) continue;
        const free = lane.filter((r) => r.lease_until <= now).map((r) => r.seq);
        const rows = await sql.query<DeliveryRow>("UPDATE sns_deliveries SET owner = $1, lease_until = $2 WHERE seq = ANY($3) RETURNING *", [this.node, leaseUntil, free]);
        taken.push(...rows);
      }
      return taken.sort(bySeq).map(fromRow);
    });
  }

  renewDeliveries(leaseUntil: number): Promise<number> {
    return this.db.run("UPDATE sns_deliveries SET lease_until = $1 WHERE owner = $2", [ms(leaseUntil), this.node]);
  }

  async releaseDeliveries(): Promise<void> {
    await this.db.run("UPDATE sns_deliveries SET owner = NULL, lease_until = 0 WHERE owner = $1", [this.node]);
  }

  async retryDelivery(seq: number, attempts: number, dueAt: number): Promise<boolean> {
    return (await this.db.run("UPDATE sns_deliveries SET attempts = $1, due_at = $2 WHERE seq = $3 AND owner = $4", [attempts, ms(dueAt), seq, this.node])) === 1;
  }

  finishDelivery(seq: number): Promise<boolean> {
    return this.db.tx(async (sql) => {
      const gone = await sql.query<{ message_id: string | null }>("DELETE FROM sns_deliveries WHERE seq = $1 AND owner = $2 RETURNING message_id", [seq, this.node]);
      if (gone.length === 0) return false;
      if (gone[0]!.message_id !== null) await this.dropUnreferenced(sql, [gone[0]!.message_id]);
      return true;
    });
  }

  async signingKey(): Promise<{ privateKey: string; certificate: string } | undefined> {
    const [r] = await this.db.query<{ private_key: string; certificate: string }>("SELECT private_key, certificate FROM sns_signing WHERE id = 1");
    return r && { privateKey: r.private_key, certificate: r.certificate };
  }

  async putSigningKey(key: { privateKey: string; certificate: string }): Promise<void> {
    await this.db.run(
      "INSERT INTO sns_signing (id, private_key, certificate) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET private_key = excluded.private_key, certificate = excluded.certificate",
      [key.privateKey, key.certificate],
    );
  }
}
