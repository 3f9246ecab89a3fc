/**
 * Concurrency counted across the nodes of a cluster, without a database round trip on a warm
 * invoke. Each node leases slots from the store (store/slot-store.ts) per scope: `fn:<name>` for a
 * reservation (or the provisioned share of an unreserved function), `account` for the pool unreserved
 * functions share. A slot a node leased stays with it after its invocation ends, idle, so the next
 * invocation takes it with no I/O; only when none is idle does the node ask the store, once for all
 * the invocations waiting then. Idle slots beyond what the node used in the last linger period go
 * back, so other nodes can have them. Leases are renewed every third of their time; a node that dies
 * stops renewing and its slots come back to the others when its leases run out.
 *
 * What this costs: a node's idle slots are another node's throttles for up to two linger periods
 * after it last used them. The sum over nodes never exceeds a limit. The account limit needs no scope
 * of its own: reservations, provisioned shares and the unreserved pool add up to at most the limit.
 */
import type { Clock, Timer } from "../clock/clock.js";
import type { FunctionRecord } from "../services/lambda/model.js";
import { provisionedShare } from "../services/lambda/registry.js";
import type { SlotStore } from "../store/slot-store.js";
import { ACCOUNT_LIMIT, RESERVED_LIMIT, throttled, type ConcurrencyGate, type ConcurrencyLimits, type Release } from "./concurrency.js";

export interface LeaseTimes {
  /** How long a node's slots outlive it. */
  ttlMs: number;
  /** How long idle slots stay with the node that used them. */
  lingerMs: number;
}

export const DEFAULT_LEASE_TIMES: LeaseTimes = { ttlMs: 10_000, lingerMs: 1_000 };

interface Waiter {
  /** Included in a request to the store: refused when that request leaves it without a slot. */
  asked: boolean;
  settle(got: boolean): void;
  fail(err: unknown): void;
}

/** One scope as this node holds it. */
interface Scope {
  readonly name: string;
  /** The limit the last invocation saw (settings change). */
  limit: number;
  /** Slots the store holds for this node. */
  held: number;
  /** Of those, running an invocation. */
  busy: number;
  /** The most busy at once since the last trim. */
  peak: number;
  readonly waiting: Waiter[];
  /** A request to the store is under way (one at a time per scope, so their answers stay in order). */
  io: boolean;
  /** Counts grants and give-backs, so that a renewal that crossed one does not undo it. */
  changes: number;
}

export class LeasedConcurrencyGate implements ConcurrencyGate {
  private readonly scopes = new Map<string, Scope>();
  private readonly timers: Timer[];
  private renewing = false;
  /** Store calls under way, which `stop` waits for. */
  private readonly calls = new Set<Promise<unknown>>();

  constructor(
    private readonly slots: SlotStore,
    private readonly limits: ConcurrencyLimits,
    private readonly clock: Clock,
    private readonly times: LeaseTimes = DEFAULT_LEASE_TIMES,
  ) {
    this.timers = [clock.every(times.lingerMs, () => this.trim()), clock.every(Math.max(1, Math.floor(times.ttlMs / 3)), () => void this.renew())];
  }

  acquire(record: FunctionRecord): Release | Promise<Release> {
    const reserved = record.reservedConcurrency;
    if (reserved !== undefined) return this.orThrottle(this.take(`fn:${record.name}`, reserved), RESERVED_LIMIT);
    const pool = () => this.orThrottle(this.take("account", this.limits.unreservedCapacity), ACCOUNT_LIMIT);
    // A function without a reservation runs in its provisioned share first, then in the shared pool.
    const share = provisionedShare(record);
    if (share === 0) return pool();
    const own = this.take(`fn:${record.name}`, share);
    if (typeof own === "function") return own;
    if (own === undefined) return pool();
    return own.then((r) => r ?? pool());
  }

  /**
   * Stop renewing (the node's leases then run out) and giving slots back, once the store calls under
   * way have ended; closing the store gives the node's slots back.
   */
  async stop(): Promise<void> {
    for (const t of this.timers) t.cancel();
    while (this.calls.size > 0) await Promise.allSettled([...this.calls]);
  }

  private call<T>(p: Promise<T>): Promise<T> {
    this.calls.add(p);
    void p.then(
      () => this.calls.delete(p),
      () => this.calls.delete(p),
    );
    return p;
  }

  /** Slots this node holds for a scope, and how many of them run: for tests and metrics. */
  holding(scope: string): { held: number; busy: number } {
    const s = this.scopes.get(scope);
    return { held: s?.held ?? 0, busy: s?.busy ?? 0 };
  }

  private orThrottle(slot: Release | undefined | Promise<Release | undefined>, reason: string): Release | Promise<Release> {
    if (typeof slot === "function") return slot;
    if (slot === undefined) throw throttled(reason);
    return slot.then((r) => {
      if (!r) throw throttled(reason);
      return r;
    });
  }

  /** A slot of `scope`: at once from this node's idle ones, or asked of the store; undefined when the limit is reached. */
  private take(name: string, limit: number): Release | undefined | Promise<Release | undefined> {
    let s = this.scopes.get(name);
    if (!s) {
      s = { name, limit, held: 0, busy: 0, peak: 0, waiting: [], io: false, changes: 0 };
      this.scopes.set(name, s);
    }
    s.limit = limit;
    if (s.busy < s.held && s.busy < limit && s.waiting.length === 0) return this.start(s);
    // This node alone runs the whole limit: no need to ask.
    if (s.busy >= limit) return undefined;
    const scope = s;
    return new Promise<boolean>((settle, fail) => {
      scope.waiting.push({ asked: false, settle, fail });
      this.ask(scope);
    }).then((got) => (got ? this.releaser(scope) : undefined));
  }

  private start(s: Scope): Release {
    s.busy++;
    if (s.busy > s.peak) s.peak = s.busy;
    return this.releaser(s);
  }

  private releaser(s: Scope): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The slot passes to an invocation waiting for one on this node, or stays idle.
      const next = s.busy <= Math.min(s.held, s.limit) ? s.waiting.shift() : undefined;
      if (next) next.settle(true);
      else s.busy--;
    };
  }

  /** One request to the store for every invocation waiting (unless one is under way). */
  private ask(s: Scope): void {
    if (s.io || s.waiting.length === 0) return;
    s.io = true;
    for (const w of s.waiting) w.asked = true;
    const want = s.waiting.length;
    this.call(this.slots.acquire(s.name, s.limit, want, this.clock.now(), this.times.ttlMs)).then(
      ({ held }) => {
        s.io = false;
        s.changes++;
        s.held = held;
        while (s.waiting.length > 0 && s.busy < s.held && s.busy < s.limit) {
          s.waiting.shift()!.settle(true);
          s.busy++;
          if (s.busy > s.peak) s.peak = s.busy;
        }
        // The store had no more: those it was asked for are throttled; later arrivals ask again.
        while (s.waiting[0]?.asked) s.waiting.shift()!.settle(false);
        this.ask(s);
      },
      (err: unknown) => {
        s.io = false;
        for (const w of s.waiting.splice(0)) w.fail(err);
      },
    );
  }

  /** Give back idle slots beyond the most this node ran at once since the last trim. */
  private trim(): void {
    for (const s of this.scopes.values()) {
      const surplus = s.held - Math.max(s.peak, s.busy);
      s.peak = s.busy;
      if (s.io) continue;
      if (surplus > 0) {
        s.held -= surplus;
        s.changes++;
        s.io = true;
        this.call(this.slots.release(s.name, surplus)).then(
          () => {
            s.io = false;
            this.ask(s);
          },
          (err: unknown) => {
            // Not given back: the store keeps counting them until the lease runs out, which is safe.
            s.io = false;
            console.error("flint: concurrency: giving slots back:", (err as Error).message);
            this.ask(s);
          },
        );
      } else if (s.held === 0 && s.busy === 0 && s.waiting.length === 0) {
        this.scopes.delete(s.name);
      }
    }
  }

  /**
   * Extend this node's leases, and take the store's counts as the truth: a scope whose lease ran out
   * anyway (a long pause) holds nothing now, and slots a failed give-back left counted are given back
   * at the next trim.
   */
  private async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    const before = new Map([...this.scopes.values()].map((s) => [s, s.changes]));
    try {
      const live = await this.call(this.slots.renew(this.clock.now(), this.times.ttlMs));
      for (const [s, changes] of before) {
        if (!s.io && s.changes === changes) s.held = live.get(s.name) ?? 0;
      }
    } catch (err) {
      console.error("flint: concurrency: renewing slot leases:", (err as Error).message);
    } finally {
      this.renewing = false;
    }
  }
}
