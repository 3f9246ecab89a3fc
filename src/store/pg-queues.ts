/**
 * QueueStore on PostgreSQL, for several nodes on one database. A receive claims with
 * `FOR UPDATE SKIP LOCKED`, so two nodes' receives never take one message; a FIFO queue's receives
 * and its sends each take a per-queue advisory lock for their transaction, so one group is never
 * walked by two receives at once, and sends commit in the order of their sequence numbers (a receive
 * never sees a group's later message before an earlier one commits). Sequence numbers come from a
 * bigserial, never reused, so neither is a deleted message's receipt handle.
 */
import type { DedupEntry, NewMessage, QueueRecord, StoredMessage } from "../services/sqs/model.js";
import type { PgDb, Sql } from "./pg-db.js";
import type { Claim, MessageCounts, Move, QueueStore, Redrive } from "./queue-store.js";
import { EXTRA_CANDIDATES, fromRow, toMeta, type Row } from "./queue-rows.js";
import { PgRecordTable } from "./pg-records.js";

export const PG_QUEUE_TABLES = `
  CREATE TABLE sqs_queues (
    name text PRIMARY KEY,
    record text NOT NULL
  );
  CREATE TABLE sqs_messages (
    seq bigserial PRIMARY KEY,
    queue text NOT NULL,
    message_id text NOT NULL,
    group_id text,
    sent_at bigint NOT NULL,
    visible_at bigint NOT NULL,
    receive_count integer NOT NULL DEFAULT 0,
    first_receive_at bigint,
    receipt text,
    body text NOT NULL,
    meta text NOT NULL
  );
  CREATE INDEX sqs_messages_by_queue ON sqs_messages (queue, seq);
  CREATE INDEX sqs_messages_by_visibility ON sqs_messages (queue, visible_at);
  CREATE INDEX sqs_messages_by_group ON sqs_messages (queue, group_id, seq) WHERE group_id IS NOT NULL;
  CREATE TABLE sqs_dedup (
    queue text NOT NULL,
    scope text NOT NULL,
    dedup_id text NOT NULL,
    message_id text NOT NULL,
    seq bigint NOT NULL,
    expires_at bigint NOT NULL,
    PRIMARY KEY (queue, scope, dedup_id)
  );
  CREATE INDEX sqs_dedup_by_expiry ON sqs_dedup (expires_at);`;

/** Advisory lock classes (the two-key space, apart from the migration lock's), keyed by queue name. */
const FIFO_SEND_LOCK = 7245101;
const FIFO_TAKE_LOCK = 7245102;

const LOCK = "SELECT pg_advisory_xact_lock($1, hashtext($2))";

/** The same selections as RECEIVABLE and GROUP_AFTER in sqlite-queues.ts, row-locked. */
const RECEIVABLE = {
  // Skips what another node's receive holds; resumes after the previous round's last message.
  standard: `SELECT * FROM sqs_messages WHERE queue = $1 AND visible_at <= $2 AND sent_at > $3 AND seq > $5
             ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED`,
  fifo: `SELECT * FROM sqs_messages m WHERE m.queue = $1 AND m.visible_at <= $2 AND m.sent_at > $3
           AND NOT EXISTS (SELECT 1 FROM sqs_messages f WHERE f.queue = $1 AND f.group_id = m.group_id
                             AND f.visible_at > $2 AND (f.receive_count > 0 OR f.seq < m.seq))
         ORDER BY m.seq LIMIT $4 FOR UPDATE OF m`,
};
const GROUP_AFTER = "SELECT * FROM sqs_messages WHERE queue = $1 AND group_id = $2 AND seq > $3 AND sent_at > $4 ORDER BY seq LIMIT $5 FOR UPDATE";

const CLAIM = `
  UPDATE sqs_messages m SET visible_at = c.visible_at, receipt = c.receipt, receive_count = m.receive_count + 1,
                            first_receive_at = COALESCE(m.first_receive_at, c.first_receive_at)
    FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[]) AS c(seq, visible_at, receipt, first_receive_at)
   WHERE m.seq = c.seq`;
const MOVE = `
  UPDATE sqs_messages m SET queue = v.to_queue, visible_at = v.visible_at, receipt = NULL, meta = v.meta
    FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[]) AS v(seq, to_queue, visible_at, meta)
   WHERE m.seq = v.seq`;

/** Appends in the order given; resolves the new seqs in that order. */
async function insertMessages(sql: Sql, messages: NewMessage[]): Promise<number[]> {
  if (!messages.length) return [];
  const rows = await sql.query<{ seq: number }>(
    `INSERT INTO sqs_messages (queue, message_id, group_id, sent_at, visible_at, body, meta)
     SELECT queue, message_id, group_id, sent_at, visible_at, body, meta
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[])
            WITH ORDINALITY AS m(queue, message_id, group_id, sent_at, visible_at, body, meta, n)
      ORDER BY n
     RETURNING seq`,
    [
      messages.map((m) => m.queue),
      messages.map((m) => m.messageId),
      messages.map((m) => m.groupId ?? null),
      messages.map((m) => m.sentAt),
      messages.map((m) => m.visibleAt),
      messages.map((m) => m.body),
      messages.map(toMeta),
    ],
  );
  // The sequence is drawn in insertion order, which ORDER BY n fixes; RETURNING's order is not promised.
  return rows.map((r) => r.seq).sort((a, b) => a - b);
}

export class PgQueueStore implements QueueStore {
  private readonly queues: PgRecordTable<QueueRecord>;

  constructor(private readonly db: PgDb) {
    this.queues = new PgRecordTable(db, { table: "sqs_queues", key: "name", columns: { name: (q) => q.name } });
  }

  listQueues(): Promise<QueueRecord[]> {
    return this.queues.list();
  }

  insertQueue(queue: QueueRecord): Promise<boolean> {
    return this.queues.insert(queue);
  }

  putQueue(queue: QueueRecord): Promise<void> {
    return this.queues.put(queue);
  }

  async deleteQueue(name: string): Promise<void> {
    await this.db.tx(async (sql) => {
      await this.queues.delete(name, sql);
      await sql.run("DELETE FROM sqs_messages WHERE queue = $1", [name]);
      await sql.run("DELETE FROM sqs_dedup WHERE queue = $1", [name]);
    });
  }

  async appendMessages(messages: NewMessage[], dedup: (Omit<DedupEntry, "seq"> | undefined)[], now: number): Promise<{ messageId: string; seq: number }[]> {
    // Without deduplication (a standard queue) one statement is the whole write. (Grouping sends into
    // shared commits, as async outcomes are, measured slower here: 650 sends/s against 1,550.)
    if (!dedup.some(Boolean)) return (await insertMessages(this.db, messages)).map((seq, i) => ({ messageId: messages[i]!.messageId, seq }));
    return this.db.tx(async (sql) => {
      // Under the queue's send lock no other node's send to it is between its dedup check and its write.
      for (const queue of [...new Set(messages.map((m) => m.queue))].sort()) await sql.query(LOCK, [FIFO_SEND_LOCK, queue]);
      const entries = dedup.filter((d) => d !== undefined);
      const stored = await sql.query<{ queue: string; scope: string; dedup_id: string; message_id: string; seq: number }>(
        `SELECT d.queue, d.scope, d.dedup_id, d.message_id, d.seq
           FROM sqs_dedup d JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(queue, scope, dedup_id)
             ON d.queue = k.queue AND d.scope = k.scope AND d.dedup_id = k.dedup_id
          WHERE d.expires_at > $4`,
        [entries.map((d) => d.queue), entries.map((d) => d.scope), entries.map((d) => d.dedupId), now],
      );
      const key = (d: Omit<DedupEntry, "seq">): string => JSON.stringify([d.queue, d.scope, d.dedupId]);
      const seen = new Map<string, { messageId: string; seq?: number }>(stored.map((r) => [JSON.stringify([r.queue, r.scope, r.dedup_id]), { messageId: r.message_id, seq: r.seq }]));
      // Each message resolves to itself (appended) or to the stored or earlier message it duplicates.
      const outcomes: { messageId: string; seq?: number }[] = [];
      const appended: { message: NewMessage; outcome: { messageId: string; seq?: number }; dedup?: Omit<DedupEntry, "seq"> }[] = [];
      messages.forEach((message, i) => {
        const d = dedup[i];
        const duplicate = d && seen.get(key(d));
        if (duplicate) return void outcomes.push(duplicate);
        const outcome = { messageId: message.messageId, seq: undefined as number | undefined };
        if (d && d.expiresAt > now) seen.set(key(d), outcome);
        outcomes.push(outcome);
        appended.push({ message, outcome, dedup: d });
      });
      const seqs = await insertMessages(sql, appended.map((a) => a.message));
      appended.forEach((a, i) => (a.outcome.seq = seqs[i]));
      // One entry per key, the last written winning, as one upsert after another would leave it.
      const written = [...new Map(appended.flatMap((a) => (a.dedup ? [[key(a.dedup), { ...a.dedup, seq: a.outcome.seq! }] as const] : []))).values()];
      if (written.length) {
        await sql.run(
          `INSERT INTO sqs_dedup (queue, scope, dedup_id, message_id, seq, expires_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])
           ON CONFLICT (queue, scope, dedup_id) DO UPDATE SET message_id = excluded.message_id, seq = excluded.seq, expires_at = excluded.expires_at`,
          [written.map((e) => e.queue), written.map((e) => e.scope), written.map((e) => e.dedupId), written.map((e) => e.messageId), written.map((e) => e.seq), written.map((e) => e.expiresAt)],
        );
      }
      return outcomes.map((o) => ({ messageId: o.messageId, seq: o.seq! }));
    });
  }

  take(queue: string, now: number, sentAfter: number, max: number, fifo: boolean, decide: (m: StoredMessage) => Claim | Move): Promise<{ taken: StoredMessage[]; moved: number }> {
    return this.db.tx(async (sql) => {
      if (fifo) await sql.query(LOCK, [FIFO_TAKE_LOCK, queue]);
      const taken: StoredMessage[] = [];
      let moved = 0;
      // Decisions are written in one statement each before the next read that must see them.
      let claims: Claim[] = [];
      let moves: (Move & { meta: string })[] = [];
      const apply = (row: Row): void => {
        const m = fromRow(row);
        const d = decide(m);
        if ("toQueue" in d) {
          moves.push({ ...d, meta: toMeta({ ...m, deadLetterSourceArn: d.deadLetterSourceArn }) });
          moved++;
        } else {
          claims.push(d);
          taken.push({ ...m, receipt: d.receipt, receiveCount: m.receiveCount + 1, firstReceiveAt: d.firstReceiveAt, visibleAt: d.visibleAt });
        }
      };
      const write = async (): Promise<void> => {
        if (claims.length) await sql.run(CLAIM, [claims.map((c) => c.seq), claims.map((c) => c.visibleAt), claims.map((c) => c.receipt), claims.map((c) => c.firstReceiveAt)]);
        if (moves.length) await sql.run(MOVE, [moves.map((v) => v.seq), moves.map((v) => v.toQueue), moves.map((v) => v.visibleAt), moves.map((v) => v.meta)]);
        claims = [];
        moves = [];
      };
      // FIFO: each group's messages in order, as many of one group as fit before the next group's.
      const walked = new Set<string>();
      const walkGroup = async (head: Row): Promise<void> => {
        apply(head);
        for (let after = head.seq; taken.length < max; ) {
          const limit = max - taken.length + EXTRA_CANDIDATES;
          const rows = await sql.query<Row>(GROUP_AFTER, [queue, head.group_id, after, sentAfter, limit]);
          for (const row of rows) {
            // A message not visible (in flight, or moved back by a visibility change) holds the rest.
            if (row.visible_at > now || taken.length >= max) return;
            apply(row);
            after = row.seq;
          }
          if (rows.length < limit) return;
        }
      };
      for (let last = 0; ; ) {
        await write();
        // A standard receive locks what it reads until it commits, out of other receives' reach:
        // it reads no more than it may take (a redrive costs a round). FIFO receives hold the queue anyway.
        const limit = max - taken.length + (fifo ? EXTRA_CANDIDATES : 0);
        const rows = await sql.query<Row>(fifo ? RECEIVABLE.fifo : RECEIVABLE.standard, fifo ? [queue, now, sentAfter, limit] : [queue, now, sentAfter, limit, last]);
        const before = { taken: taken.length, moved };
        for (const row of rows) {
          if (taken.length >= max) break;
          last = row.seq;
          if (!fifo) apply(row);
          else if (!walked.has(row.group_id!)) {
            walked.add(row.group_id!);
            await walkGroup(row);
          }
        }
        // Another round only when there may be more, as in sqlite-queues.ts.
        const more = fifo ? taken.length > before.taken || moved > before.moved : moved > before.moved;
        if (taken.length >= max || rows.length < limit || !more) {
          await write();
          return { taken, moved };
        }
      }
    });
  }

  moveMessages(queue: string, now: number, sentAfter: number, max: number, place: (m: StoredMessage) => Redrive): Promise<{ moved: number; failure?: string; queues: string[] }> {
    return this.db.tx(async (sql) => {
      // Locked, and skipping what a receive holds, so neither takes a message the other moves.
      const rows = await sql.query<Row>(RECEIVABLE.standard, [queue, now, sentAfter, max, 0]);
      const appended: NewMessage[] = [];
      const gone: number[] = [];
      let failure: string | undefined;
      for (const row of rows) {
        const to = place(fromRow(row));
        if ("failure" in to) {
          failure = to.failure;
          break;
        }
        appended.push(to.message);
        gone.push(row.seq);
      }
      // A FIFO destination's sends hold its send lock, so its sequence numbers commit in order.
      for (const q of [...new Set(appended.filter((m) => m.groupId !== undefined).map((m) => m.queue))].sort()) await sql.query(LOCK, [FIFO_SEND_LOCK, q]);
      await insertMessages(sql, appended);
      if (gone.length) await sql.run("DELETE FROM sqs_messages WHERE seq = ANY($1::bigint[])", [gone]);
      return { moved: gone.length, ...(failure !== undefined ? { failure } : {}), queues: [...new Set(appended.map((m) => m.queue))] };
    });
  }

  async deleteByReceipt(queue: string, seq: number, nonce: string): Promise<void> {
    await this.db.run("DELETE FROM sqs_messages WHERE seq = $1 AND queue = $2 AND receipt = $3", [seq, queue, nonce]);
  }

  async changeVisibility(queue: string, seq: number, nonce: string, next: (m: StoredMessage | undefined) => number): Promise<void> {
    await this.db.tx(async (sql) => {
      const [r] = await sql.query<Row>("SELECT * FROM sqs_messages WHERE seq = $1 FOR UPDATE", [seq]);
      const at = next(r && r.queue === queue && r.receipt === nonce ? fromRow(r) : undefined);
      await sql.run("UPDATE sqs_messages SET visible_at = $1 WHERE seq = $2", [at, seq]);
    });
  }

  purge(queue: string, sentBefore: number): Promise<number> {
    return this.db.run("DELETE FROM sqs_messages WHERE queue = $1 AND sent_at <= $2", [queue, sentBefore]);
  }

  async counts(queue: string, now: number, sentAfter: number): Promise<MessageCounts> {
    const [r] = await this.db.query<MessageCounts>(
      `SELECT count(*) FILTER (WHERE visible_at <= $2) AS visible,
              count(*) FILTER (WHERE visible_at > $2 AND receive_count > 0) AS inflight,
              count(*) FILTER (WHERE visible_at > $2 AND receive_count = 0) AS delayed
         FROM sqs_messages WHERE queue = $1 AND sent_at > $3`,
      [queue, now, sentAfter],
    );
    return { visible: r?.visible ?? 0, inflight: r?.inflight ?? 0, delayed: r?.delayed ?? 0 };
  }

  async nextVisibleAt(queue: string, now: number): Promise<number | undefined> {
    const [r] = await this.db.query<{ at: number | null }>("SELECT min(visible_at) AS at FROM sqs_messages WHERE queue = $1 AND visible_at > $2", [queue, now]);
    return r?.at ?? undefined;
  }

  async expireDedup(now: number): Promise<void> {
    await this.db.run("DELETE FROM sqs_dedup WHERE expires_at <= $1", [now]);
  }
}
