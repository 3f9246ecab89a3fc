/**
 * Concurrency counted across the nodes of a cluster, without a database round trip on a warm
 * invoke. Each node leases slots from the store (store/slot-store.ts) per scope: `fn:<name>` for a
 * reservation (or the provisioned share of an unreserved function), `account` for the pool unreserved
 * functions share. A slot a node leased stays with it after its invocation ends, idle, so the next
 * invocation takes it with no I/O; only when none is idle does the node ask the store, once for all
 * the invocations waiting then. Idle slots beyond what the node used in the last linger period go
 * back. Leases are renewed every third of their time; a node that dies stops renewing and its slots
 * come back to the others when its leases run out. The sum over nodes never exceeds a limit.
 *
 * Idle slots must not throttle another node: when the store refuses a node slots while other nodes
 * hold some, it tells them (`wanted`), each gives its idle ones back at once and answers (`given`),
 * and the node asks once more, so a throttle means the limit is running, not parked. A throttle
 * then costs two store round trips and a signal's (bounded by `reclaimMs` when a node does not answer).
 *
 * The account limit needs no scope of its own: reservations, provisioned shares and the unreserved
 * pool add up to at most the limit.
 */
import type { Clock, Timer } from "../clock/clock.js";
import type { FunctionRecord } from "../services/lambda/model.js";
import { provisionedShare } from "../services/lambda/registry.js";
import type { SlotSignal, SlotStore } from "../store/slot-store.js";
import { ACCOUNT_LIMIT, RESERVED_LIMIT, throttled, type ConcurrencyGate, type ConcurrencyLimits, type Release } from "./concurrency.js";

export interface LeaseTimes {
  /** How long a node's slots outlive it. */
  ttlMs: number;
  /** How long idle slots stay with the node that used them. */
  lingerMs: number;
  /** How long a node refused slots waits for the holders to give idle ones back. */
  reclaimMs: number;
}

export const DEFAULT_LEASE_TIMES: LeaseTimes = { ttlMs: 10_000, lingerMs: 1_000, reclaimMs: 100 };

interface Waiter {
  /** Included in a request to the store: refused when that request leaves it without a slot. */
  asked: boolean;
  /** Already asked again after the other nodes gave their idle slots back. */
  retried: boolean;
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
  /** Nodes that want this scope's idle slots, answered once the store call under way ends. */
  readonly owed: string[];
  /** Refused, and waiting for the other nodes' idle slots: none idle here. */
  reclaiming: boolean;
}

export class LeasedConcurrencyGate implements ConcurrencyGate {
  private readonly scopes = new Map<string, Scope>();
  private readonly timers: Timer[];
  private renewing = false;
  /** Store calls under way, which `stop` waits for. */
  private readonly calls = new Set<Promise<unknown>>();
  /** Per scope being reclaimed: how many holders have yet to answer. */
  private readonly reclaims = new Map<string, { left: number; done(): void }>();
  private unlisten = () => {};
  private stopped = false;

  private constructor(
    private readonly slots: SlotStore,
    private readonly limits: ConcurrencyLimits,
    private readonly clock: Clock,
    private readonly times: LeaseTimes,
  ) {
    this.timers = [clock.every(times.lingerMs, () => this.trim()), clock.every(Math.max(1, Math.floor(times.ttlMs / 3)), () => void this.renew())];
  }

  /** A gate that hears the other nodes before it grants anything (so it answers their `wanted`). */
  static async create(slots: SlotStore, limits: ConcurrencyLimits, clock: Clock, times: LeaseTimes = DEFAULT_LEASE_TIMES): Promise<LeasedConcurrencyGate> {
    const gate = new LeasedConcurrencyGate(slots, limits, clock, times);
    try {
      gate.unlisten = await slots.onSignal((signal) => gate.heard(signal));
    } catch (err) {
      await gate.stop();
      throw err;
    }
    return gate;
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
    this.stopped = true;
    for (const t of this.timers) t.cancel();
    this.unlisten();
    for (const r of this.reclaims.values()) r.done();
    // Shutting down: an invocation still waiting for a slot is throttled.
    for (const s of this.scopes.values()) for (const w of s.waiting.splice(0)) w.settle(false);
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
      s = { name, limit, held: 0, busy: 0, peak: 0, waiting: [], io: false, changes: 0, owed: [], reclaiming: false };
      this.scopes.set(name, s);
    }
    s.limit = limit;
    if (s.busy < s.held && s.busy < limit && s.waiting.length === 0) return this.start(s);
    // This node alone runs the whole limit: no need to ask.
    if (s.busy >= limit) return undefined;
    const scope = s;
    return new Promise<boolean>((settle, fail) => {
      scope.waiting.push({ asked: false, retried: false, settle, fail });
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
    if (this.stopped) return void s.waiting.splice(0).forEach((w) => w.settle(false));
    s.io = true;
    for (const w of s.waiting) w.asked = true;
    const want = s.waiting.length;
    this.call(this.slots.acquire(s.name, s.limit, want, this.clock.now(), this.times.ttlMs)).then(
      ({ held, others }) => {
        s.changes++;
        s.held = held;
        while (s.waiting.length > 0 && s.busy < s.held && s.busy < s.limit) {
          s.waiting.shift()!.settle(true);
          s.busy++;
          if (s.busy > s.peak) s.peak = s.busy;
        }
        // The store had no more for those it was asked for: they ask once more after the other
        // nodes gave their idle slots back, or are throttled. Later arrivals ask again.
        const refused: Waiter[] = [];
        while (s.waiting[0]?.asked) refused.push(s.waiting.shift()!);
        const again = others > 0 ? refused.filter((w) => !w.retried) : [];
        for (const w of refused) if (!again.includes(w)) w.settle(false);
        if (again.length === 0) return this.ioDone(s);
        for (const w of again) {
          w.retried = true;
          w.asked = false;
        }
        s.waiting.unshift(...again);
        void this.reclaim(s, others).then(() => this.ioDone(s));
      },
      (err: unknown) => {
        for (const w of s.waiting.splice(0)) w.fail(err);
        this.ioDone(s);
      },
    );
  }

  /** A store call for `s` ended: answer the nodes that wanted its idle slots meanwhile, then ask for waiters. */
  private ioDone(s: Scope): void {
    s.io = false;
    const owed = s.owed.splice(0);
    if (owed.length > 0) this.giveBack(s, s.held - s.busy, owed);
    if (!s.io) this.ask(s);
  }

  /** Give `n` idle slots back to the store, then tell the nodes `to` that wanted them. */
  private giveBack(s: Scope, n: number, to: string[]): void {
    const answer = () => {
      for (const node of to) this.send({ kind: "given", scope: s.name, from: this.slots.node, to: node });
    };
    if (n <= 0) return answer();
    s.held -= n;
    s.changes++;
    s.io = true;
    this.call(this.slots.release(s.name, n))
      .catch((err: unknown) => {
        // Not given back: the store keeps counting them until a renewal corrects this node's count.
        console.error("flint: concurrency: giving slots back:", (err as Error).message);
      })
      .then(() => {
        answer();
        this.ioDone(s);
      });
  }

  /** Tell the scope's other holders this node wants slots; resolves when they all answered, or after `reclaimMs`. */
  private async reclaim(s: Scope, holders: number): Promise<void> {
    s.reclaiming = true;
    await new Promise<void>((resolve) => {
      const done = () => {
        timer.cancel();
        this.reclaims.delete(s.name);
        resolve();
      };
      const timer = this.clock.after(this.times.reclaimMs, done);
      this.reclaims.set(s.name, { left: holders, done });
      this.call(this.slots.signal({ kind: "wanted", scope: s.name, from: this.slots.node })).catch(done);
    });
    s.reclaiming = false;
  }

  private heard(signal: SlotSignal): void {
    if (signal.from === this.slots.node || this.stopped) return;
    if (signal.kind === "given") {
      const r = signal.to === this.slots.node ? this.reclaims.get(signal.scope) : undefined;
      if (r && --r.left <= 0) r.done();
      return;
    }
    const s = this.scopes.get(signal.scope);
    if (!s || s.held === 0) return; // not a holder: not waited for
    if (s.reclaiming) this.giveBack(s, 0, [signal.from]);
    else if (s.io) s.owed.push(signal.from);
    else this.giveBack(s, s.held - s.busy, [signal.from]);
  }

  private send(signal: SlotSignal): void {
    this.call(this.slots.signal(signal)).catch((err: unknown) => console.error("flint: concurrency: signalling other nodes:", (err as Error).message));
  }

  /** Give back idle slots beyond the most this node ran at once since the last trim. */
  private trim(): void {
    for (const s of this.scopes.values()) {
      const surplus = s.held - Math.max(s.peak, s.busy);
      s.peak = s.busy;
      if (s.io) continue;
      if (surplus > 0) this.giveBack(s, surplus, []);
      else if (s.held === 0 && s.busy === 0 && s.waiting.length === 0) this.scopes.delete(s.name);
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
