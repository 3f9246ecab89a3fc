/**
 * Concurrency slots leased to nodes: how reserved and account concurrency hold across the nodes of a
 * cluster without a database round trip on every invocation (invoke/leased-gate.ts). A scope is
 * `fn:<name>` (a function's reservation, or the provisioned share of one without) or `account` (the
 * pool unreserved functions share). Each node holds a count of a scope's slots under a lease; the
 * sum of the unexpired counts never exceeds the scope's limit, and a dead node's slots come back
 * when its lease runs out.
 */

/** One node's unexpired slots of a scope. */
export interface SlotHolder {
  node: string;
  count: number;
  leaseUntil: number;
}

/**
 * What nodes tell each other about a scope: `wanted` when the store refused a node slots (holders
 * give their idle ones back), `given` in answer (how many went back, maybe 0), addressed `to` the
 * node that wanted them.
 */
export interface SlotSignal {
  kind: "wanted" | "given";
  scope: string;
  from: string;
  to?: string;
}

export interface SlotStore {
  /** This node: the store's `nodeId`. */
  readonly node: string;
  /**
   * Whether other nodes share these slots. On a one-node store (SQLite) the gate counts in memory
   * and never calls the store.
   */
  readonly shared: boolean;
  /**
   * Grant this node up to `want` more of `scope`'s slots, at once and atomically with every other
   * node's grants, so that the unexpired counts of all nodes sum to at most `limit`; expired leases
   * count for nothing (and are dropped). `granted` may be 0. `held` is this node's count afterwards
   * (fewer than it believed if its own lease had run out); `others` how many other nodes hold
   * unexpired slots of the scope. The lease runs to `now + ttlMs`.
   */
  acquire(scope: string, limit: number, want: number, now: number, ttlMs: number): Promise<{ granted: number; held: number; others: number }>;
  /** Give `n` of this node's slots of `scope` back. */
  release(scope: string, n: number): Promise<void>;
  /**
   * Extend this node's unexpired leases to `now + ttlMs`; returns the scopes they hold and their
   * counts. A lease that already ran out is not renewed: its slots may be another node's now.
   */
  renew(now: number, ttlMs: number): Promise<Map<string, number>>;
  /** Tell every node sharing the store, this one included. */
  signal(signal: SlotSignal): Promise<void>;
  /** Hear every node's signals; resolves once listening, to a function that stops it. */
  onSignal(fn: (signal: SlotSignal) => void): Promise<() => void>;
  /** The nodes holding unexpired slots of `scope` at `now`, in byte order of node. */
  holders(scope: string, now: number): Promise<SlotHolder[]>;
}
