/**
 * Global index work after UpdateTable (a new index's backfill, a deleted one's drop) done by one
 * node at a time, the holder of the lease `dynamodb-index:<table id>:<index>`. Every node looks for
 * tables with an index CREATING or DELETING on each tick; the node that takes the lease does the
 * work and renews the lease until it is done. A node that dies stops renewing, and after the lease
 * time another node takes the work up again from the start (a backfill may run again: it re-puts
 * each item as stored). With one node (no lease store) the work just runs.
 */
import type { Clock, Timer } from "../../clock/clock.js";
import type { LeaseStore } from "../../store/lease-store.js";
import type { IndexRecord, TableRecord } from "./model.js";

export const INDEX_LEASE_MS = 10_000;

export interface IndexWorkDeps {
  clock: Clock;
  leases?: LeaseStore;
  /** The tables this node knows now (the tables service's cache). */
  tables(): Iterable<TableRecord>;
  /** Do one index's work and record it done in the table. */
  run(table: TableRecord, index: IndexRecord): Promise<void>;
}

const leaseName = (t: TableRecord, ix: IndexRecord) => `dynamodb-index:${t.id}:${ix.IndexName}`;

export class IndexWork {
  /** The work this node does now, by lease name. */
  private readonly running = new Map<string, Promise<void>>();
  private ticking?: Promise<void>;
  /** A tick asked for while one runs: the tables it looks at may have changed since. */
  private again = false;
  private readonly timer: Timer;

  constructor(private readonly deps: IndexWorkDeps) {
    // Every third of the lease time, on the Flint clock the leases are timed by.
    this.timer = deps.clock.every(Math.round(INDEX_LEASE_MS / 3), () => void this.tick());
  }

  /** Renew the leases of the work running here, and take up the work no live node holds. */
  tick(): Promise<void> {
    if (this.ticking) {
      this.again = true;
      return this.ticking;
    }
    const run = async () => {
      do {
        this.again = false;
        await this.takeUp();
      } while (this.again);
    };
    return (this.ticking = run().finally(() => (this.ticking = undefined)));
  }

  private async takeUp(): Promise<void> {
    const { clock, leases } = this.deps;
    try {
      const now = clock.now();
      // A lease lost meanwhile does not stop the work: running twice is wasted, not wrong.
      if (leases && this.running.size) await leases.renew([...this.running.keys()], now, INDEX_LEASE_MS);
      for (const t of this.deps.tables()) {
        for (const ix of t.indexes) {
          if (ix.IndexStatus !== "CREATING" && ix.IndexStatus !== "DELETING") continue;
          const name = leaseName(t, ix);
          if (this.running.has(name)) continue;
          if (leases && !(await leases.acquire(name, now, INDEX_LEASE_MS))) continue;
          // The lease is left to expire when the work is done: by then every node knows it is.
          const work = this.deps
            .run(t, ix)
            .catch((err) => console.error(`flint: dynamodb index ${ix.IndexName} of ${t.name}:`, err))
            .finally(() => this.running.delete(name));
          this.running.set(name, work);
        }
      }
    } catch (err) {
      console.error("flint: dynamodb index work leases:", (err as Error).message);
    }
  }

  /** Resolves once no work is running here (tests; close). */
  async idle(): Promise<void> {
    while (this.ticking || this.running.size) await Promise.all([this.ticking, ...this.running.values()]);
  }

  get busy(): boolean {
    return this.ticking !== undefined || this.running.size > 0;
  }

  async close(): Promise<void> {
    this.timer.cancel();
    await this.idle();
  }
}
