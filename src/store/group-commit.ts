/**
 * Group commit on the one SQLite connection. With `synchronous = FULL` every commit waits for an
 * fsync of the WAL (~0.3 ms here, with the event loop blocked), so a write per transaction caps a
 * busy queue at a few thousand sends a second. Writes handed to `run` in the same turn of the event
 * loop execute together, in the order they were issued, in one transaction at the end of that turn:
 * one fsync makes all of them durable. Each promise settles only after that commit.
 *
 * Each write runs in its own savepoint, so one that throws is undone alone and rejects alone while
 * the rest commit. A write must not depend on an earlier write of the same turn having committed;
 * callers that read before they write (FIFO deduplication) serialise on a lock across the await.
 */
import type Database from "better-sqlite3";

interface Pending {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit {
  private pending: Pending[] = [];
  /** Transaction control, prepared once (better-sqlite3's `transaction()` builds a wrapper per call). */
  private readonly tx;

  constructor(private readonly db: Database.Database) {
    const stmt = (sql: string) => db.prepare(sql);
    this.tx = { begin: stmt("BEGIN"), commit: stmt("COMMIT"), rollback: stmt("ROLLBACK"), savepoint: stmt("SAVEPOINT w"), release: stmt("RELEASE w"), undo: stmt("ROLLBACK TO w") };
  }

  /** Run `write` in the next group transaction; resolves with its result once that is on disk. */
  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.pending.push({ write, resolve: resolve as (value: unknown) => void, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  /** Commit what is pending now (before the connection closes) instead of at the end of the turn. */
  flush(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const { tx } = this;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; err: unknown })[] = [];
    try {
      tx.begin.run();
      for (const w of batch) {
        // Each write in its own savepoint, undone on its own when it throws.
        tx.savepoint.run();
        try {
          const value = w.write();
          tx.release.run();
          outcomes.push({ ok: true, value });
        } catch (err) {
          // An I/O error can end the whole transaction; then the commit below fails for all.
          if (!this.db.inTransaction) throw err;
          tx.undo.run();
          tx.release.run();
          outcomes.push({ ok: false, err });
        }
      }
      tx.commit.run();
    } catch (err) {
      // The commit itself failed (disk full, I/O error): none of the batch is stored.
      if (this.db.inTransaction) tx.rollback.run();
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => {
      const o = outcomes[i]!;
      if (o.ok) w.resolve(o.value);
      else w.reject(o.err);
    });
  }
}
