/**
 * Time to Live: every few seconds of Flint time, each table with TTL enabled loses the items whose
 * TTL attribute (a Number, epoch seconds) has passed. Each deletion is a write that checks the item
 * is still expired (it may have been updated since), and its REMOVE stream record names the DynamoDB
 * service as who deleted it. Reads do not hide expired items the sweeper has not reached, as in AWS.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html
 */
import type { Clock, Timer } from "../../clock/clock.js";
import type { DynamoStore } from "../../store/dynamodb-store.js";
import { keysOf } from "./item-keys.js";
import type { TableRecord } from "./model.js";
import { announce, planWrite } from "./write-plan.js";

export interface TtlSweeperDeps {
  tables: { all(): TableRecord[] };
  store: DynamoStore;
  clock: Clock;
  appended?: (streamArn: string, sequence: number) => void;
  /** Flint ms between sweeps; default 5000. */
  intervalMs?: number;
  /** Items deleted per table per round; default 100 (a sweep goes on while rounds come back full). */
  batch?: number;
}

export class TtlSweeper {
  private timer: Timer | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly deps: TtlSweeperDeps) {}

  start(): void {
    this.timer ??= this.deps.clock.every(this.deps.intervalMs ?? 5000, () => {
      void this.sweep().catch(() => undefined);
    });
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** One sweep over every table with TTL enabled; resolves how many items it deleted. Sweeps do not overlap. */
  sweep(): Promise<number> {
    this.running ??= this.sweepTables().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepTables(): Promise<number> {
    let deleted = 0;
    for (const table of this.deps.tables.all()) {
      if (!table.ttl?.enabled || table.status === "DELETING") continue;
      deleted += await this.sweepTable(table);
    }
    return deleted;
  }

  private async sweepTable(table: TableRecord): Promise<number> {
    const batch = this.deps.batch ?? 100;
    const keys = keysOf(table);
    let deleted = 0;
    for (;;) {
      const now = this.deps.clock.now();
      const nowSeconds = Math.floor(now / 1000);
      const expired = await this.deps.store.expired(table.id, nowSeconds, batch);
      if (expired.length === 0) return deleted;
      const plans = expired.map((key) => planWrite(table, keys, key, { kind: "expire", nowSeconds }, now, false));
      const outcomes = await this.deps.store.write(
        plans.map((p) => p.write),
        false,
      );
      announce(outcomes, this.deps.appended);
      const done = outcomes.filter((o) => "delete" in o.decision).length;
      deleted += done;
      // Keys the store still calls expired but that were not (an update moved them): stop for this round.
      if (expired.length < batch || done === 0) return deleted;
    }
  }
}
