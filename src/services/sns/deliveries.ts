/**
 * The durable delivery queue: every delivery a Publish (or Subscribe) stored is attempted until it
 * is made or its policy gives up, with the waits in Flint time (clock/), and removed from the store
 * only then, so a crash repeats a delivery but never loses one. Deliveries sharing an order key
 * (a FIFO topic's subscription and message group) are made one after another, retries included.
 */
import type { Clock, Timer } from "../../clock/clock.js";
import type { SnsStore } from "../../store/sns-store.js";
import type { Delivery } from "./model.js";

/** What one attempt came to: made, or failed with the wait before the next try (none: give up). */
export type AttemptOutcome = { done: true } | { done: false; error: string; retryInMs?: number };

/** An attempt that failed for a reason of Flint's own (the store) is tried again after this long. */
const UNEXPECTED_RETRY_MS = 20_000;

export interface DeliveryDeps {
  store: SnsStore;
  clock: Clock;
  /** Make one attempt; `delivery.attempts` counts those made before it. */
  attempt(delivery: Delivery): Promise<AttemptOutcome>;
  /** The policy gave up or the failure is not retried: dead-letter queue, or a log line. */
  giveUp(delivery: Delivery, error: string): Promise<void>;
}

export class DeliveryQueue {
  /** Per order key, the deliveries waiting; the first is the one being attempted or waited for. */
  private readonly lanes = new Map<string, Delivery[]>();
  private readonly timers = new Map<number, Timer>();
  /** Seqs queued and not finished: a publish racing `recover()` must not queue its deliveries twice. */
  private readonly queued = new Set<number>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly deps: DeliveryDeps) {}

  /** Take deliveries a previous run left in the store. */
  async recover(): Promise<number> {
    const pending = await this.deps.store.pendingDeliveries();
    this.add(pending);
    return pending.length;
  }

  /** Queue stored deliveries, in seq order. */
  add(deliveries: Delivery[]): void {
    for (const d of deliveries) {
      if (this.queued.has(d.seq)) continue;
      this.queued.add(d.seq);
      const key = d.orderKey ?? `#${d.seq}`;
      const lane = this.lanes.get(key);
      if (lane) lane.push(d);
      else {
        this.lanes.set(key, [d]);
        this.schedule(key, d);
      }
    }
  }

  /** Deliveries not made yet (for tests and health). */
  pendingCount(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.length;
    return n;
  }

  private schedule(key: string, d: Delivery): void {
    if (this.closed) return;
    const wait = d.dueAt - this.deps.clock.now();
    if (wait <= 0) return this.track(this.run(key, d));
    this.timers.set(
      d.seq,
      this.deps.clock.after(wait, () => {
        this.timers.delete(d.seq);
        this.track(this.run(key, d));
      }),
    );
  }

  private track(p: Promise<void>): void {
    const tracked = p.catch((err) => console.error("flint: sns delivery failed:", err)).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private async run(key: string, d: Delivery): Promise<void> {
    const outcome = await this.deps.attempt(d).catch((err: Error): AttemptOutcome => ({ done: false, error: err.message, retryInMs: UNEXPECTED_RETRY_MS }));
    if (!outcome.done && outcome.retryInMs !== undefined) {
      d.attempts++;
      d.dueAt = this.deps.clock.now() + outcome.retryInMs;
      await this.deps.store.retryDelivery(d.seq, d.attempts, d.dueAt);
      return this.schedule(key, d);
    }
    if (!outcome.done) await this.deps.giveUp({ ...d, attempts: d.attempts + 1 }, outcome.error);
    await this.deps.store.finishDelivery(d.seq);
    this.queued.delete(d.seq);
    const lane = this.lanes.get(key)!;
    lane.shift();
    if (lane.length) this.schedule(key, lane[0]!);
    else this.lanes.delete(key);
  }

  /** Resolves once no attempt is running (attempts started meanwhile included): for tests. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all(this.inFlight);
  }

  /** Stop attempting; attempts in progress finish, everything else stays stored for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }
}
