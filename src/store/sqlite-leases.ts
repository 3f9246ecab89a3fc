/**
 * LeaseStore on the SQLite database of `sqlite.ts`. A SQLite file is one node's store, so leases
 * found in it when it opens were held by an earlier run of that node, which is gone: they are
 * voided, and the restarted node takes its work back at once instead of after the lease time.
 * Each operation is one statement, its own transaction (leases change a few times per lease time).
 */
import type Database from "better-sqlite3";
import type { LeaseStore } from "./lease-store.js";

export const LEASE_TABLES = `
  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires INTEGER NOT NULL
  );`;

export class SqliteLeaseStore implements LeaseStore {
  private readonly stmts;

  constructor(
    private readonly db: Database.Database,
    private readonly nodeId: string,
  ) {
    db.prepare("DELETE FROM leases").run();
    this.stmts = {
      acquire: db.prepare<[{ name: string; holder: string; expires: number; now: number }]>(
        "INSERT INTO leases (name, holder, expires) VALUES (@name, @holder, @expires) ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires WHERE leases.holder = excluded.holder OR leases.expires <= @now",
      ),
      renew: db.prepare<[number, string, string]>("UPDATE leases SET expires = ? WHERE name = ? AND holder = ?"),
      release: db.prepare<[string, string]>("DELETE FROM leases WHERE name = ? AND holder = ?"),
      holder: db.prepare<[string, number], { holder: string }>("SELECT holder FROM leases WHERE name = ? AND expires > ?"),
    };
  }

  async acquire(name: string, now: number, ttlMs: number): Promise<boolean> {
    return this.stmts.acquire.run({ name, holder: this.nodeId, expires: now + ttlMs, now }).changes === 1;
  }

  async renew(names: string[], now: number, ttlMs: number): Promise<string[]> {
    return this.db.transaction(() => names.filter((name) => this.stmts.renew.run(now + ttlMs, name, this.nodeId).changes === 1))();
  }

  async release(name: string): Promise<void> {
    this.stmts.release.run(name, this.nodeId);
  }

  async holder(name: string, now: number): Promise<string | undefined> {
    return this.stmts.holder.get(name, now)?.holder;
  }
}
