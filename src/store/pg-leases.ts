/**
 * LeaseStore on PostgreSQL: each operation is one statement, atomic on the lease's row, so nodes
 * racing for a lease are decided by the row (the insert, or the update whose WHERE still holds once
 * it has the row lock): exactly one of them gets it.
 */
import type { PgDb } from "./pg-db.js";
import type { LeaseStore } from "./lease-store.js";

export const PG_LEASE_TABLES = `
  CREATE TABLE leases (
    name text PRIMARY KEY,
    holder text NOT NULL,
    expires bigint NOT NULL
  );`;

export class PgLeaseStore implements LeaseStore {
  constructor(
    private readonly db: PgDb,
    private readonly nodeId: string,
  ) {}

  async acquire(name: string, now: number, ttlMs: number): Promise<boolean> {
    const changed = await this.db.run(
      `INSERT INTO leases (name, holder, expires) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
       WHERE leases.holder = excluded.holder OR leases.expires <= $4`,
      [name, this.nodeId, now + ttlMs, now],
    );
    return changed === 1;
  }

  async renew(names: string[], now: number, ttlMs: number): Promise<string[]> {
    if (names.length === 0) return [];
    const rows = await this.db.query<{ name: string }>("UPDATE leases SET expires = $1 WHERE name = ANY($2::text[]) AND holder = $3 RETURNING name", [now + ttlMs, names, this.nodeId]);
    const kept = new Set(rows.map((r) => r.name));
    return names.filter((n) => kept.has(n));
  }

  async release(name: string): Promise<void> {
    await this.db.run("DELETE FROM leases WHERE name = $1 AND holder = $2", [name, this.nodeId]);
  }

  async holder(name: string, now: number): Promise<string | undefined> {
    const [row] = await this.db.query<{ holder: string }>("SELECT holder FROM leases WHERE name = $1 AND expires > $2", [name, now]);
    return row?.holder;
  }
}
