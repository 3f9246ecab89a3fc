/**
 * QueueStore on the SQLite database of `sqlite.ts` (same file, same handle, tables from its
 * migrations). Sequence numbers come from AUTOINCREMENT so a deleted message's seq, and so its
 * receipt handles, are never reused.
 */
import type Database from "better-sqlite3";
import type { GroupCommit } from "./group-commit.js";
import type { DedupEntry, NewMessage, QueueRecord, StoredMessage } from "../services/sqs/model.js";
import type { Claim, MessageCounts, Move, QueueStore, Redrive } from "./queue-store.js";
import { EXTRA_CANDIDATES, fromRow, toMeta, type Row } from "./queue-rows.js";

export const QUEUE_TABLES = `
  CREATE TABLE sqs_queues (
    name TEXT PRIMARY KEY,
    record TEXT NOT NULL
  );
  CREATE TABLE sqs_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    message_id TEXT NOT NULL,
    group_id TEXT,
    sent_at INTEGER NOT NULL,
    visible_at INTEGER NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    first_receive_at INTEGER,
    receipt TEXT,
    body TEXT NOT NULL,
    meta TEXT NOT NULL
  );
  CREATE INDEX sqs_messages_by_queue ON sqs_messages (queue, seq);
  CREATE INDEX sqs_messages_by_visibility ON sqs_messages (queue, visible_at);
  CREATE TABLE sqs_dedup (
    queue TEXT NOT NULL,
    scope TEXT NOT NULL,
    dedup_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (queue, scope, dedup_id)
  );
  CREATE INDEX sqs_dedup_by_expiry ON sqs_dedup (expires_at);`;

/**
 * What a receive may take, oldest first. `+visible_at` keeps the planner on the (queue, seq) index,
 * which yields messages in order and stops at the limit; without table statistics it would take the
 * visibility index instead and sort every visible message of the queue for each receive (8 ms at a
 * backlog of 40,000 messages, FIFO 130 ms). A FIFO message waits while its group has one in flight
 * or an older one not yet visible.
 */
export const RECEIVABLE = {
  standard: "SELECT * FROM sqs_messages WHERE queue = @queue AND +visible_at <= @now AND sent_at > @after ORDER BY seq LIMIT @limit",
  fifo: `SELECT * FROM sqs_messages m WHERE m.queue = @queue AND +m.visible_at <= @now AND m.sent_at > @after
           AND NOT EXISTS (SELECT 1 FROM sqs_messages f WHERE f.queue = @queue AND f.group_id = m.group_id
                             AND f.visible_at > @now AND (f.receive_count > 0 OR f.seq < m.seq))
         ORDER BY m.seq LIMIT @limit`,
};

/** FIFO: a group's messages in order (a migration after QUEUE_TABLES), for GROUP_AFTER. */
export const QUEUE_GROUP_INDEX = "CREATE INDEX sqs_messages_by_group ON sqs_messages (queue, group_id, seq) WHERE group_id IS NOT NULL;";

/** A FIFO group's messages after `seq`, in order, within retention. */
export const GROUP_AFTER = "SELECT * FROM sqs_messages WHERE queue = @queue AND group_id = @group AND seq > @seq AND sent_at > @after ORDER BY seq LIMIT @limit";

export class SqliteQueueStore implements QueueStore {
  private readonly stmts;

  constructor(
    db: Database.Database,
    /**
     * Every message write (send, receive, delete, visibility, purge, queue deletion) shares one fsync
     * per turn of the event loop with the others of that turn. What reads before it writes (a
     * receive, a visibility change) reads inside its write, so it sees every write before it.
     */
    private readonly commits: GroupCommit,
  ) {
    this.stmts = {
      listQueues: db.prepare<[], { record: string }>("SELECT record FROM sqs_queues ORDER BY name"),
      insertQueue: db.prepare("INSERT INTO sqs_queues (name, record) VALUES (?, ?) ON CONFLICT(name) DO NOTHING"),
      putQueue: db.prepare("INSERT INTO sqs_queues (name, record) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET record = excluded.record"),
      deleteQueue: db.prepare("DELETE FROM sqs_queues WHERE name = ?"),
      deleteQueueMessages: db.prepare("DELETE FROM sqs_messages WHERE queue = ?"),
      deleteQueueDedup: db.prepare("DELETE FROM sqs_dedup WHERE queue = ?"),
      insertMessage: db.prepare(
        "INSERT INTO sqs_messages (queue, message_id, group_id, sent_at, visible_at, receive_count, first_receive_at, receipt, body, meta) VALUES (?, ?, ?, ?, ?, 0, NULL, NULL, ?, ?)",
      ),
      insertDedup: db.prepare(
        "INSERT INTO sqs_dedup (queue, scope, dedup_id, message_id, seq, expires_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET message_id = excluded.message_id, seq = excluded.seq, expires_at = excluded.expires_at",
      ),
      findDedup: db.prepare<[string, string, string, number], { message_id: string; seq: number }>(
        "SELECT message_id, seq FROM sqs_dedup WHERE queue = ? AND scope = ? AND dedup_id = ? AND expires_at > ?",
      ),
      expireDedup: db.prepare("DELETE FROM sqs_dedup WHERE expires_at <= ?"),
      receivable: db.prepare<{ queue: string; now: number; after: number; limit: number }, Row>(RECEIVABLE.standard),
      receivableFifo: db.prepare<{ queue: string; now: number; after: number; limit: number }, Row>(RECEIVABLE.fifo),
      groupAfter: db.prepare<{ queue: string; group: string | null; seq: number; after: number; limit: number }, Row>(GROUP_AFTER),
      claim: db.prepare(
        "UPDATE sqs_messages SET visible_at = ?, receipt = ?, receive_count = receive_count + 1, first_receive_at = COALESCE(first_receive_at, ?) WHERE seq = ?",
      ),
      move: db.prepare("UPDATE sqs_messages SET queue = ?, visible_at = ?, receipt = NULL, meta = json_set(meta, '$.deadLetterSourceArn', ?) WHERE seq = ?"),
      get: db.prepare<[number], Row>("SELECT * FROM sqs_messages WHERE seq = ?"),
      deleteByReceipt: db.prepare("DELETE FROM sqs_messages WHERE seq = ? AND queue = ? AND receipt = ?"),
      deleteMessage: db.prepare("DELETE FROM sqs_messages WHERE seq = ?"),
      setVisibleAt: db.prepare("UPDATE sqs_messages SET visible_at = ? WHERE seq = ?"),
      purge: db.prepare("DELETE FROM sqs_messages WHERE queue = ? AND sent_at <= ?"),
      counts: db.prepare<{ queue: string; now: number; after: number }, { visible: number | null; inflight: number | null; delayed: number | null }>(
        `SELECT SUM(visible_at <= @now) AS visible,
                SUM(visible_at > @now AND receive_count > 0) AS inflight,
                SUM(visible_at > @now AND receive_count = 0) AS delayed
           FROM sqs_messages WHERE queue = @queue AND sent_at > @after`,
      ),
      nextVisible: db.prepare<[string, number], { at: number | null }>("SELECT MIN(visible_at) AS at FROM sqs_messages WHERE queue = ? AND visible_at > ?"),
    };
  }

  async listQueues(): Promise<QueueRecord[]> {
    return this.stmts.listQueues.all().map((r) => JSON.parse(r.record) as QueueRecord);
  }

  async insertQueue(queue: QueueRecord): Promise<boolean> {
    return this.stmts.insertQueue.run(queue.name, JSON.stringify(queue)).changes === 1;
  }

  async putQueue(queue: QueueRecord): Promise<void> {
    this.stmts.putQueue.run(queue.name, JSON.stringify(queue));
  }

  deleteQueue(name: string): Promise<void> {
    return this.commits.run(() => {
      this.stmts.deleteQueue.run(name);
      this.stmts.deleteQueueMessages.run(name);
      this.stmts.deleteQueueDedup.run(name);
    });
  }

  appendMessages(messages: NewMessage[], dedup: (Omit<DedupEntry, "seq"> | undefined)[], now: number): Promise<{ messageId: string; seq: number }[]> {
    return this.commits.run(() =>
      messages.map((m, i) => {
        const d = dedup[i];
        const seen = d && this.stmts.findDedup.get(d.queue, d.scope, d.dedupId, now);
        if (seen) return { messageId: seen.message_id, seq: seen.seq };
        const seq = Number(this.stmts.insertMessage.run(m.queue, m.messageId, m.groupId ?? null, m.sentAt, m.visibleAt, m.body, toMeta(m)).lastInsertRowid);
        if (d) this.stmts.insertDedup.run(d.queue, d.scope, d.dedupId, d.messageId, seq, d.expiresAt);
        return { messageId: m.messageId, seq };
      }),
    );
  }

  take(queue: string, now: number, sentAfter: number, max: number, fifo: boolean, decide: (m: StoredMessage) => Claim | Move): Promise<{ taken: StoredMessage[]; moved: number }> {
    return this.commits.run(() => {
      const taken: StoredMessage[] = [];
      let moved = 0;
      const apply = (row: Row): void => {
        const m = fromRow(row);
        const d = decide(m);
        if ("toQueue" in d) {
          this.stmts.move.run(d.toQueue, d.visibleAt, d.deadLetterSourceArn, d.seq);
          moved++;
        } else {
          this.stmts.claim.run(d.visibleAt, d.receipt, d.firstReceiveAt, d.seq);
          taken.push({ ...m, receipt: d.receipt, receiveCount: m.receiveCount + 1, firstReceiveAt: d.firstReceiveAt, visibleAt: d.visibleAt });
        }
      };
      // FIFO: each group's messages in order, as many of one group as fit before the next group's
      // (AWS "attempts to return as many messages with the same message group ID as possible").
      const walked = new Set<string>();
      const walkGroup = (head: Row): void => {
        apply(head);
        for (let after = head.seq; taken.length < max; ) {
          const limit = max - taken.length + EXTRA_CANDIDATES;
          const rows = this.stmts.groupAfter.all({ queue, group: head.group_id, seq: after, after: sentAfter, limit });
          for (const row of rows) {
            // A message not visible (in flight, or moved back by a visibility change) holds the rest.
            if (row.visible_at > now || taken.length >= max) return;
            apply(row);
            after = row.seq;
          }
          if (rows.length < limit) return;
        }
      };
      for (;;) {
        const limit = max - taken.length + EXTRA_CANDIDATES;
        const rows = (fifo ? this.stmts.receivableFifo : this.stmts.receivable).all({ queue, now, after: sentAfter, limit });
        const before = { taken: taken.length, moved };
        for (const row of rows) {
          if (taken.length >= max) break;
          if (!fifo) apply(row);
          else if (!walked.has(row.group_id!)) {
            walked.add(row.group_id!);
            walkGroup(row);
          }
        }
        // Another round only when there may be more: on a standard queue when this one moved
        // messages (they left room); on a FIFO queue when it took or moved any (the groups it
        // walked have nothing more to give, so the next round reaches other groups).
        const more = fifo ? taken.length > before.taken || moved > before.moved : moved > before.moved;
        if (taken.length >= max || rows.length < limit || !more) return { taken, moved };
      }
    });
  }

  deleteByReceipt(queue: string, seq: number, nonce: string): Promise<void> {
    return this.commits.run(() => void this.stmts.deleteByReceipt.run(seq, queue, nonce));
  }

  changeVisibility(queue: string, seq: number, nonce: string, next: (m: StoredMessage | undefined) => number): Promise<void> {
    return this.commits.run(() => {
      const r = this.stmts.get.get(seq);
      this.stmts.setVisibleAt.run(next(r && r.queue === queue && r.receipt === nonce ? fromRow(r) : undefined), seq);
    });
  }

  moveMessages(queue: string, now: number, sentAfter: number, max: number, place: (m: StoredMessage) => Redrive): Promise<{ moved: number; failure?: string; queues: string[] }> {
    return this.commits.run(() => {
      const queues = new Set<string>();
      let moved = 0;
      for (const row of this.stmts.receivable.all({ queue, now, after: sentAfter, limit: max })) {
        const to = place(fromRow(row));
        if ("failure" in to) return { moved, failure: to.failure, queues: [...queues] };
        const m = to.message;
        this.stmts.insertMessage.run(m.queue, m.messageId, m.groupId ?? null, m.sentAt, m.visibleAt, m.body, toMeta(m));
        this.stmts.deleteMessage.run(row.seq);
        queues.add(m.queue);
        moved++;
      }
      return { moved, queues: [...queues] };
    });
  }

  purge(queue: string, sentBefore: number): Promise<number> {
    return this.commits.run(() => this.stmts.purge.run(queue, sentBefore).changes);
  }

  async counts(queue: string, now: number, sentAfter: number): Promise<MessageCounts> {
    const r = this.stmts.counts.get({ queue, now, after: sentAfter });
    return { visible: r?.visible ?? 0, inflight: r?.inflight ?? 0, delayed: r?.delayed ?? 0 };
  }

  async nextVisibleAt(queue: string, now: number): Promise<number | undefined> {
    return this.stmts.nextVisible.get(queue, now)?.at ?? undefined;
  }

  async expireDedup(now: number): Promise<void> {
    this.stmts.expireDedup.run(now);
  }
}
