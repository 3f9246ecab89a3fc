/**
 * AsyncEventStore on the SQLite database of `sqlite.ts` (same file and handle, tables from its
 * migrations). An event row lives from `accept` to `finish`; its timeline outlives it.
 */
import type Database from "better-sqlite3";
import type { GroupCommit } from "./group-commit.js";
import type { AsyncEvent, AsyncEventStore, TimelineEntry } from "./async-store.js";
import { fromRow, type Row } from "./async-rows.js";

export const ASYNC_TABLES = `
  CREATE TABLE async_events (
    request_id TEXT PRIMARY KEY,
    function TEXT NOT NULL,
    qualifier TEXT,
    payload BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    throttles INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    last_error TEXT
  );
  CREATE TABLE async_timeline (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    final INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX async_timeline_by_request ON async_timeline (request_id, seq);
  CREATE INDEX async_timeline_final ON async_timeline (final, at);`;

/** Each event held by one node at a time (async-store.ts): its owner and lease expiry. */
export const ASYNC_LEASES = `
  ALTER TABLE async_events ADD COLUMN owner TEXT;
  ALTER TABLE async_events ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX async_events_by_owner ON async_events (owner);`;

export class SqliteAsyncEventStore implements AsyncEventStore {
  private readonly stmts;

  constructor(
    db: Database.Database,
    /** Accepted events share one fsync per turn of the event loop. */
    private readonly commits: GroupCommit,
    /** The node this store is (`Store.nodeId`): the owner its leases are held under. */
    private readonly node: string,
  ) {
    this.stmts = {
      insert: db.prepare(
        "INSERT INTO async_events (request_id, function, qualifier, payload, received_at, attempts, throttles, due_at, last_error, owner, lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      update: db.prepare("UPDATE async_events SET attempts = ?, throttles = ?, due_at = ?, last_error = ? WHERE request_id = ? AND owner = ?"),
      delete: db.prepare("DELETE FROM async_events WHERE request_id = ? AND owner = ?"),
      pending: db.prepare<[], Row>("SELECT * FROM async_events ORDER BY received_at, rowid"),
      claimable: db.prepare<[number, number, number], Row>(
        "SELECT * FROM async_events WHERE lease_until <= ? AND due_at <= ? ORDER BY received_at, rowid LIMIT ?",
      ),
      lease: db.prepare("UPDATE async_events SET owner = ?, lease_until = ? WHERE request_id = ?"),
      leaseAll: db.prepare("UPDATE async_events SET owner = ?, lease_until = ?"),
      renew: db.prepare("UPDATE async_events SET lease_until = ? WHERE owner = ?"),
      release: db.prepare("UPDATE async_events SET owner = NULL, lease_until = 0 WHERE owner = ?"),
      log: db.prepare("INSERT INTO async_timeline (request_id, at, kind, detail, final) VALUES (?, ?, ?, ?, ?)"),
      timeline: db.prepare<[string], { at: number; kind: string; detail: string }>("SELECT at, kind, detail FROM async_timeline WHERE request_id = ? ORDER BY seq"),
      prune: db.prepare(
        "DELETE FROM async_timeline WHERE request_id IN (SELECT request_id FROM async_timeline WHERE final = 1 AND at < ?)",
      ),
    };
  }

  private log(requestId: string, entries: TimelineEntry[], final = false): void {
    for (const e of entries) this.stmts.log.run(requestId, e.at, e.kind, JSON.stringify(e.detail), final ? 1 : 0);
  }

  accept(e: AsyncEvent, entry: TimelineEntry, leaseUntil: number): Promise<void> {
    return this.commits.run(() => {
      this.stmts.insert.run(e.requestId, e.functionName, e.qualifier ?? null, e.payload, e.receivedAt, e.attempts, e.throttles, e.dueAt, e.lastError ? JSON.stringify(e.lastError) : null, this.node, leaseUntil);
      this.log(e.requestId, [entry]);
    });
  }

  /** Only this node uses the file: whatever a previous run held is this node's now. */
  recover(_now: number, leaseUntil: number): Promise<AsyncEvent[]> {
    return this.commits.run(() => {
      this.stmts.leaseAll.run(this.node, leaseUntil);
      return this.stmts.pending.all().map(fromRow);
    });
  }

  claim(now: number, leaseUntil: number, limit: number): Promise<AsyncEvent[]> {
    return this.commits.run(() => {
      const rows = this.stmts.claimable.all(now, now, limit);
      for (const r of rows) this.stmts.lease.run(this.node, leaseUntil, r.request_id);
      return rows.map(fromRow);
    });
  }

  renew(leaseUntil: number): Promise<number> {
    return this.commits.run(() => this.stmts.renew.run(leaseUntil, this.node).changes);
  }

  release(): Promise<void> {
    return this.commits.run(() => void this.stmts.release.run(this.node));
  }

  async pending(): Promise<AsyncEvent[]> {
    return this.stmts.pending.all().map(fromRow);
  }

  update(e: AsyncEvent, entries: TimelineEntry[]): Promise<boolean> {
    const [attempts, throttles, dueAt, lastError] = [e.attempts, e.throttles, e.dueAt, e.lastError ? JSON.stringify(e.lastError) : null];
    return this.commits.run(() => {
      if (this.stmts.update.run(attempts, throttles, dueAt, lastError, e.requestId, this.node).changes === 0) return false;
      this.log(e.requestId, entries);
      return true;
    });
  }

  finish(requestId: string, entries: TimelineEntry[]): Promise<boolean> {
    return this.commits.run(() => {
      if (this.stmts.delete.run(requestId, this.node).changes === 0) return false;
      this.log(requestId, entries, true);
      return true;
    });
  }

  async timeline(requestId: string): Promise<TimelineEntry[]> {
    return this.stmts.timeline.all(requestId).map((r) => ({ at: r.at, kind: r.kind, detail: JSON.parse(r.detail) }));
  }

  async pruneTimelines(before: number): Promise<void> {
    this.stmts.prune.run(before);
  }
}
