/**
 * Leases in the persistence boundary: work that one node at a time must do (an event source
 * mapping's poller, first) is named, and held by the node (`Store.nodeId`) that took the lease
 * until it expires. A holder renews well before expiry; a node that dies stops renewing, and after
 * the lease time any other node may take the work over. Times are the caller's clock (epoch ms);
 * the database row is the only truth about who holds what.
 */
export interface LeaseStore {
  /**
   * Take `name` for this node until `now + ttlMs` when it is free, expired or already this node's
   * (then it is extended); resolves whether this node holds it now.
   */
  acquire(name: string, now: number, ttlMs: number): Promise<boolean>;
  /** Extend this node's leases among `names` to `now + ttlMs`; resolves those still this node's. */
  renew(names: string[], now: number, ttlMs: number): Promise<string[]>;
  /** Give up `name` if this node holds it, so another node may take it at once. */
  release(name: string): Promise<void>;
  /** The node holding `name` at `now`; undefined when free or expired. */
  holder(name: string, now: number): Promise<string | undefined>;
}
