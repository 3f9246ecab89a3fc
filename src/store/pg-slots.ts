/**
 * Concurrency slots on PostgreSQL, shared by every node. A grant is one round trip: a function
 * (`flint_acquire_slots`) takes the scope's advisory lock, drops expired leases, and grants what the
 * limit leaves, in the one transaction of its statement. Releases and renewals touch only this node's
 * rows; a release only lowers the sum, so it needs no lock. Signals between nodes are NOTIFYs.
 */
import type { PgDb } from "./pg-db.js";
import type { SlotHolder, SlotSignal, SlotStore } from "./slot-store.js";

const CHANNEL = "flint_slots";

// The two-key advisory lock space (class 17, the scope's hash) never meets the one-key locks
// (migrations). Inside a volatile PL/pgSQL function each statement reads a fresh snapshot, so after
// the lock the sums include every grant committed before it. The count grows by what is granted
// (not set to a sum read earlier), so a release of this node's committing meanwhile is not undone.
export const PG_SLOT_TABLES = `
  CREATE TABLE concurrency_slots (
    scope text NOT NULL,
    node text NOT NULL,
    count integer NOT NULL,
    lease_until bigint NOT NULL,
    PRIMARY KEY (scope, node)
  );
  CREATE FUNCTION flint_acquire_slots(p_scope text, p_node text, p_limit integer, p_want integer, p_now bigint, p_ttl bigint, OUT granted integer, OUT held integer, OUT others integer)
  LANGUAGE plpgsql VOLATILE AS $$
  DECLARE
    total integer;
  BEGIN
    PERFORM pg_advisory_xact_lock(17, hashtext(p_scope));
    DELETE FROM concurrency_slots WHERE scope = p_scope AND lease_until <= p_now;
    SELECT coalesce(sum(count), 0), count(*) FILTER (WHERE node <> p_node AND count > 0) INTO total, others
      FROM concurrency_slots WHERE scope = p_scope;
    granted := greatest(0, least(p_want, p_limit - total));
    INSERT INTO concurrency_slots (scope, node, count, lease_until) VALUES (p_scope, p_node, granted, p_now + p_ttl)
      ON CONFLICT (scope, node) DO UPDATE SET count = concurrency_slots.count + excluded.count, lease_until = excluded.lease_until
      RETURNING count INTO held;
  END $$;`;

export class PgSlotStore implements SlotStore {
  readonly shared = true;

  constructor(
    private readonly db: PgDb,
    readonly node: string,
  ) {}

  async acquire(scope: string, limit: number, want: number, now: number, ttlMs: number): Promise<{ granted: number; held: number; others: number }> {
    const [row] = await this.db.query<{ granted: number; held: number; others: number }>("SELECT granted, held, others FROM flint_acquire_slots($1, $2, $3, $4, $5, $6)", [
      scope,
      this.node,
      limit,
      want,
      now,
      ttlMs,
    ]);
    return { granted: row!.granted, held: row!.held, others: row!.others };
  }

  async release(scope: string, n: number): Promise<void> {
    await this.db.run("UPDATE concurrency_slots SET count = greatest(count - $1, 0) WHERE scope = $2 AND node = $3", [n, scope, this.node]);
  }

  async renew(now: number, ttlMs: number): Promise<Map<string, number>> {
    const rows = await this.db.query<{ scope: string; count: number }>(
      "UPDATE concurrency_slots SET lease_until = $1 WHERE node = $2 AND lease_until > $3 RETURNING scope, count",
      [now + ttlMs, this.node, now],
    );
    return new Map(rows.map((r) => [r.scope, r.count]));
  }

  async signal(signal: SlotSignal): Promise<void> {
    await this.db.notify(CHANNEL, JSON.stringify(signal));
  }

  onSignal(fn: (signal: SlotSignal) => void): Promise<() => void> {
    return this.db.listen(CHANNEL, (payload) => fn(JSON.parse(payload) as SlotSignal));
  }

  async holders(scope: string, now: number): Promise<SlotHolder[]> {
    const rows = await this.db.query<{ node: string; count: number; lease_until: number }>(
      `SELECT node, count, lease_until FROM concurrency_slots WHERE scope = $1 AND lease_until > $2 AND count > 0 ORDER BY node COLLATE "C"`,
      [scope, now],
    );
    return rows.map((r) => ({ node: r.node, count: r.count, leaseUntil: r.lease_until }));
  }

  /** At a graceful shutdown: this node's slots go back at once instead of when its leases run out. */
  async releaseAll(): Promise<void> {
    await this.db.run("DELETE FROM concurrency_slots WHERE node = $1", [this.node]);
  }
}
