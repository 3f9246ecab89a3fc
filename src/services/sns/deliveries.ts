/**
 * The durable delivery queue: every delivery a Publish (or Subscribe) stored is attempted until it
 * is made or its policy gives up, with the waits in Flint time (clock/), and removed from the store
 * only then, so a crash repeats a delivery but never loses one. Deliveries sharing an order key
 * (a FIFO topic's subscription and message group) are made one after another, retries included.
 *
 * Deliveries are claimed, not copied (sns-store.ts): this node makes those it holds, renews their
 * leases every third of the lease time and then claims those nobody holds any more (a node died).
 * A delivery another node took while this one stalled is dropped at this node's next write, with
 * the rest of its lane (the lane went with it).
 */
import type { Clock, Timer } from "../../clock/clock.js";
import type { SnsStore } from "../../store/sns-store.js";
import type { Delivery } from "./model.js";

/** What one attempt came to: made, or failed with the wait before the next try (none: give up). */
export type AttemptOutcome = { done: true } | { done: false; error: string; retryInMs?: number };

/** An attempt that failed for a reason of Flint's own (the store) is tried again after this long. */
const UNEXPECTED_RETRY_MS = 20_000;
/** A dead node's deliveries are claimed by the others within about this long (plus a third of it). */
export const DEFAULT_LEASE_TTL_MS = 10_000;
/** Deliveries claimed per claim; `tend` claims again while batches come back full and this node has fewer than CLAIM_BACKLOG waiting. */
const CLAIM_BATCH = 256;
/** A node with this many deliveries waiting leaves the rest to the other nodes for now. */
const CLAIM_BACKLOG = 4_096;

export interface DeliveryDeps {
  store: SnsStore;
  clock: Clock;
  /** Make one attempt; `delivery.attempts` counts those made before it. */
  attempt(delivery: Delivery): Promise<AttemptOutcome>;
  /** The policy gave up or the failure is not retried: dead-letter queue, or a log line. */
  giveUp(delivery: Delivery, error: string): Promise<void>;
  /** How long a delivery stays held by this node without a renewal (Flint ms); default DEFAULT_LEASE_TTL_MS. */
  leaseTtlMs?: number;
}

export class DeliveryQueue {
  /** Per order key, the deliveries waiting; the first is the one being attempted or waited for. */
  private readonly lanes = new Map<string, Delivery[]>();
  private readonly timers = new Map<number, Timer>();
  /** Seqs queued and not finished: a publish racing `recover()` must not queue its deliveries twice. */
  private readonly queued = new Set<number>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;
  private tending = false;
  private readonly leaseTtlMs: number;
  private readonly leases: Timer;

  constructor(private readonly deps: DeliveryDeps) {
    this.leaseTtlMs = deps.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
    this.leases = deps.clock.every(this.leaseTtlMs / 3, () => void this.tend());
  }

  /** When a delivery stored now stops being this node's unless renewed. */
  leaseUntil(): number {
    return this.deps.clock.now() + this.leaseTtlMs;
  }

  /** Take deliveries a previous run left in the store (on a shared store, those no live node holds). */
  async recover(): Promise<number> {
    const taken = await this.deps.store.recoverDeliveries(this.deps.clock.now(), this.leaseUntil());
    this.add(taken);
    return taken.length;
  }

  /** Renew the leases of what this node holds, then claim what nobody holds any more. */
  async tend(): Promise<void> {
    if (this.tending) return;
    this.tending = true;
    try {
      const now = this.deps.clock.now();
      await this.deps.store.renewDeliveries(now + this.leaseTtlMs);
      // Closing: keep what is being attempted here, take nothing new.
      while (!this.closed && this.pendingCount() < CLAIM_BACKLOG) {
        const claimed = await this.deps.store.claimDeliveries(now, now + this.leaseTtlMs, CLAIM_BATCH);
        this.add(claimed);
        if (claimed.length < CLAIM_BATCH) break;
      }
    } catch (err) {
      console.error("flint: sns delivery leases:", (err as Error).message);
    } finally {
      this.tending = false;
    }
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
      if (await this.deps.store.retryDelivery(d.seq, d.attempts, d.dueAt)) return this.schedule(key, d);
      return this.lost(key);
    }
    if (!outcome.done) await this.deps.giveUp({ ...d, attempts: d.attempts + 1 }, outcome.error);
    if (!(await this.deps.store.finishDelivery(d.seq))) return this.lost(key);
    this.queued.delete(d.seq);
    const lane = this.lanes.get(key)!;
    lane.shift();
    if (lane.length) this.schedule(key, lane[0]!);
    else this.lanes.delete(key);
  }

  /**
   * This node no longer holds the delivery: its subscription went, or another node took the lane
   * while this one stalled past its lease (that node makes them now).
   */
  private lost(key: string): void {
    const lane = this.lanes.get(key) ?? [];
    for (const d of lane) {
      this.queued.delete(d.seq);
      this.timers.get(d.seq)?.cancel();
      this.timers.delete(d.seq);
    }
    this.lanes.delete(key);
  }

  /** Resolves once no attempt is running (attempts started meanwhile included): for tests. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all(this.inFlight);
  }

  /**
   * Stop attempting; attempts in progress finish (their leases renewed meanwhile), then everything
   * else this node held is given up: other nodes claim it at once, or the next start does.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
    this.leases.cancel();
    while (this.tending) await new Promise((r) => setImmediate(r));
    await this.deps.store.releaseDeliveries().catch((err) => console.error("flint: sns delivery leases:", (err as Error).message));
  }
}
