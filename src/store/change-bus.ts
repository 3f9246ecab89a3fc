/**
 * How the nodes of one cluster tell each other that a record changed, so a registry kept in memory
 * stays a cache of the store ("State is shared unless it is a cache", ARCHITECTURE.md). A service
 * publishes after a committed write; every other node's subscribers hear the topic and key and
 * reload from the store. A node never hears its own changes: it already applied them.
 *
 * Delivery is at most once per notification, so a subscriber must treat a message as "look again",
 * never as the change itself; when notifications may have been missed (a lost connection), the bus
 * delivers RELOAD_ALL. On PostgreSQL this is LISTEN/NOTIFY (pg-changes.ts); on SQLite, one node owns
 * the file and `LocalChangeBus` has nobody else to tell, unless a test joins two nodes to one bus.
 */

export interface ChangeBus {
  /** Tell the other nodes that `key` of `topic` changed (after the change committed). */
  publish(topic: string, key: string): Promise<void>;
  /** Hear the other nodes' changes of `topic`: a key, or RELOAD_ALL (a returned promise counts as the delivery's work). */
  subscribe(topic: string, fn: (key: string) => void | Promise<void>): void;
  /** True while nobody else can hear (a SQLite store alone): a publish on the hot path may be skipped. */
  readonly alone?: boolean;
}

/** The key that means "anything of this topic may have changed". */
export const RELOAD_ALL = "*";

/**
 * The subscribers of one node. Each delivery calls every subscriber of its topic at once; ordering
 * is the subscriber's business (CacheSync reloads one at a time). `idle()` resolves when everything
 * delivered so far has been applied.
 */
export class Subscribers {
  private readonly byTopic = new Map<string, ((key: string) => void | Promise<void>)[]>();
  private readonly inFlight = new Set<Promise<void>>();

  add(topic: string, fn: (key: string) => void | Promise<void>): void {
    const list = this.byTopic.get(topic);
    if (list) list.push(fn);
    else this.byTopic.set(topic, [fn]);
  }

  get topics(): string[] {
    return [...this.byTopic.keys()];
  }

  deliver(topic: string, key: string): void {
    for (const fn of this.byTopic.get(topic) ?? []) {
      const done = (async () => fn(key))()
        .catch((err) => console.error(`flint: applying another node's change to ${topic} ${key}:`, err))
        .finally(() => this.inFlight.delete(done));
      this.inFlight.add(done);
    }
  }

  /** Resolves when every delivery made so far has been applied (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }
}

/**
 * The change bus of nodes in one process: each `join()` is one node. A store opened alone joins a
 * bus of its own, so its publishes reach nobody and cost nothing; two stores on one SQLite file that
 * share a bus behave as two nodes (tests). Delivery is on a later turn, as over a network.
 */
export class LocalChangeBus {
  private readonly nodes = new Set<LocalNode>();

  join(): LocalNode {
    const node = new LocalNode(this.nodes);
    this.nodes.add(node);
    return node;
  }
}

export class LocalNode implements ChangeBus {
  readonly subscribers = new Subscribers();

  constructor(private readonly peers: Set<LocalNode>) {}

  get alone(): boolean {
    return this.peers.size < 2;
  }

  async publish(topic: string, key: string): Promise<void> {
    for (const peer of this.peers) if (peer !== this) setImmediate(() => peer.subscribers.deliver(topic, key));
  }

  subscribe(topic: string, fn: (key: string) => void | Promise<void>): void {
    this.subscribers.add(topic, fn);
  }

  /** Resolves when everything delivered to this node so far has been applied. */
  idle(): Promise<void> {
    return this.subscribers.idle();
  }

  /** Leave the bus (the store closed). */
  leave(): void {
    this.peers.delete(this);
  }
}

/**
 * One cached registry's side of the bus. A local write runs through `write`, which tells the other
 * nodes once it succeeded. Another node's change runs `reload`, coalesced: one reload at a time, and
 * one more after it when changes came meanwhile (a reload reads everything, so one run covers every
 * change before it started). `reread` takes a snapshot of the store that no local write overlapped,
 * so a reload never puts back a record this node was changing or deleting.
 */
export class CacheSync {
  /** Bumped when a local write starts and when it ends: a read that saw it unchanged overlapped none. */
  private writes = 0;
  /** Local writes running now, and who waits for them all to end. */
  private active = 0;
  private quiet: (() => void)[] = [];
  private dirty = false;
  private running: Promise<void> | undefined;
  /** Reloads started so far; a reload's number is its count when it started. */
  private started = 0;
  /** Lookups that missed, each waiting for the reload numbered `after` (or a later one) to end. */
  private misses: { after: number; resolve: () => void; reject: (err: unknown) => void }[] = [];

  constructor(
    private readonly bus: ChangeBus,
    private readonly topic: string,
    private readonly reload: () => Promise<void>,
  ) {
    bus.subscribe(topic, () => this.again());
  }

  /** Reload once more after any reload running now (which may have read the store before the change). */
  private again(): Promise<void> {
    this.dirty = true;
    return (this.running ??= this.drain());
  }

  /**
   * A lookup missed: before it becomes NotFound, read the store again, since another node's write
   * may have committed before its news arrived (a client that creates on node A and uses the record
   * on node B at once). Resolves once the next reload to start has been applied (however many more
   * changes keep the loop going), and rejects with its error if it failed. Alone (one node on its
   * own store), the cache is the whole store and this costs nothing.
   */
  missed(): Promise<void> {
    if (this.bus.alone) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.misses.push({ after: this.started + 1, resolve, reject });
      void this.again();
    });
  }

  /**
   * What `get` finds in the cache, or, when it finds nothing or something `stale` says may be old
   * (a state the request would be refused in), what it finds once the store was read again
   * (missed()). A hit costs nothing.
   */
  async lookUp<T>(get: () => T | undefined, stale?: (found: T) => boolean): Promise<T | undefined> {
    const found = get();
    if (found !== undefined && !stale?.(found)) return found;
    await this.missed();
    return get();
  }

  private async drain(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        const n = ++this.started;
        let failure: { err: unknown } | undefined;
        await this.reload().catch((err) => {
          failure = { err };
          console.error(`flint: reloading ${this.topic} from the store:`, err);
        });
        const served = this.misses.filter((m) => m.after <= n);
        this.misses = this.misses.filter((m) => m.after > n);
        for (const m of served) {
          if (failure) m.reject(failure.err);
          else m.resolve();
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  /**
   * Run a local write (its store write and its cache update, in either order); once it succeeded,
   * tell the other nodes. A bus failure is logged, not thrown: the write itself committed.
   */
  async write<T>(key: string, fn: () => Promise<T>): Promise<T> {
    this.writes++;
    this.active++;
    let result: T;
    try {
      result = await fn();
    } finally {
      this.writes++;
      if (--this.active === 0) for (const resume of this.quiet.splice(0)) resume();
    }
    await this.bus.publish(this.topic, key).catch((err) => console.error(`flint: telling other nodes about ${this.topic} ${key}:`, err));
    return result;
  }

  /**
   * Read from the store and `apply` it in the same turn, once no local write overlapped the read
   * (never call it from inside `write`: it waits for the writes to end).
   */
  async reread<T>(fetch: () => Promise<T>, apply: (value: T) => void): Promise<void> {
    for (;;) {
      if (this.active > 0) {
        await new Promise<void>((resume) => this.quiet.push(resume));
        continue;
      }
      const before = this.writes;
      const value = await fetch();
      if (before !== this.writes) continue;
      apply(value);
      return;
    }
  }
}

/**
 * Publishes a key at most once at a time, and once more after it when asked meanwhile: a burst of
 * SQS sends or Kinesis appends costs the bus two messages, and no listener misses the last one.
 */
export class CoalescedPublisher {
  /** Keys with a publish on its way; true when another is due after it. */
  private readonly telling = new Map<string, boolean>();

  constructor(
    private readonly bus: ChangeBus,
    private readonly topic: string,
  ) {}

  publish(key: string): void {
    if (this.bus.alone) return;
    if (this.telling.has(key)) return void this.telling.set(key, true);
    this.telling.set(key, false);
    void this.bus
      .publish(this.topic, key)
      .catch((err) => console.error(`flint: telling other nodes about ${this.topic} ${key}:`, err))
      .finally(() => {
        const again = this.telling.get(key);
        this.telling.delete(key);
        if (again) this.publish(key);
      });
  }
}

/** The bus of a node with no others (the default for a service built without one). */
export function aloneBus(): ChangeBus {
  return new LocalChangeBus().join();
}
