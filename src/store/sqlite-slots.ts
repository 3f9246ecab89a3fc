/**
 * Concurrency slots on SQLite. One node owns a SQLite file, so the gate counts in memory and does
 * not use this part (`shared` is false); it keeps the slot contract whole on both stores.
 */
import type Database from "better-sqlite3";
import type { SlotHolder, SlotSignal, SlotStore } from "./slot-store.js";

/** Listeners per database file: the stores of one file in this process are the only "nodes" it has. */
const listeners = new Map<string, Set<(signal: SlotSignal) => void>>();

export const SLOT_TABLES = `
  CREATE TABLE concurrency_slots (
    scope TEXT NOT NULL,
    node TEXT NOT NULL,
    count INTEGER NOT NULL,
    lease_until INTEGER NOT NULL,
    PRIMARY KEY (scope, node)
  );`;

export class SqliteSlotStore implements SlotStore {
  readonly shared = false;
  private readonly stmts;

  constructor(
    private readonly db: Database.Database,
    readonly node: string,
  ) {
    this.stmts = {
      dropExpired: db.prepare("DELETE FROM concurrency_slots WHERE scope = ? AND lease_until <= ?"),
      sums: db.prepare<[string, string, string], { total: number; mine: number; others: number }>(
        "SELECT coalesce(sum(count), 0) AS total, coalesce(sum(CASE WHEN node = ? THEN count END), 0) AS mine, count(CASE WHEN node <> ? AND count > 0 THEN 1 END) AS others FROM concurrency_slots WHERE scope = ?",
      ),
      upsert: db.prepare(
        "INSERT INTO concurrency_slots (scope, node, count, lease_until) VALUES (?, ?, ?, ?) ON CONFLICT (scope, node) DO UPDATE SET count = excluded.count, lease_until = excluded.lease_until",
      ),
      release: db.prepare("UPDATE concurrency_slots SET count = max(count - ?, 0) WHERE scope = ? AND node = ?"),
      renew: db.prepare<[number, string, number], { scope: string; count: number }>(
        "UPDATE concurrency_slots SET lease_until = ? WHERE node = ? AND lease_until > ? RETURNING scope, count",
      ),
      releaseAll: db.prepare("DELETE FROM concurrency_slots WHERE node = ?"),
      holders: db.prepare<[string, number], { node: string; count: number; lease_until: number }>(
        "SELECT node, count, lease_until FROM concurrency_slots WHERE scope = ? AND lease_until > ? AND count > 0 ORDER BY node",
      ),
    };
  }

  async acquire(scope: string, limit: number, want: number, now: number, ttlMs: number): Promise<{ granted: number; held: number; others: number }> {
    return this.db.transaction(() => {
      this.stmts.dropExpired.run(scope, now);
      const { total, mine, others } = this.stmts.sums.get(this.node, this.node, scope)!;
      const granted = Math.max(0, Math.min(want, limit - total));
      this.stmts.upsert.run(scope, this.node, mine + granted, now + ttlMs);
      return { granted, held: mine + granted, others };
    })();
  }

  async release(scope: string, n: number): Promise<void> {
    this.stmts.release.run(n, scope, this.node);
  }

  async renew(now: number, ttlMs: number): Promise<Map<string, number>> {
    return new Map(this.stmts.renew.all(now + ttlMs, this.node, now).map((r) => [r.scope, r.count]));
  }

  /** When the store closes: this node's slots go back at once. */
  releaseAll(): void {
    this.stmts.releaseAll.run(this.node);
  }

  async signal(signal: SlotSignal): Promise<void> {
    for (const fn of listeners.get(this.db.name) ?? []) queueMicrotask(() => fn(signal));
  }

  async onSignal(fn: (signal: SlotSignal) => void): Promise<() => void> {
    let set = listeners.get(this.db.name);
    if (!set) listeners.set(this.db.name, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) listeners.delete(this.db.name);
    };
  }

  async holders(scope: string, now: number): Promise<SlotHolder[]> {
    return this.stmts.holders.all(scope, now).map((r) => ({ node: r.node, count: r.count, leaseUntil: r.lease_until }));
  }
}
