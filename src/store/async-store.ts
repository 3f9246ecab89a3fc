/**
 * The asynchronous-invocation part of the persistence boundary: events accepted with
 * `InvocationType: Event` until they reach an end, and each event's timeline. Every write is durable
 * when its promise resolves; the 202 is sent only after `accept` resolved.
 */

/** An accepted event that has not reached an end yet. */
export interface AsyncEvent {
  requestId: string;
  functionName: string;
  /** The qualifier it was invoked with (undefined: unqualified, i.e. `$LATEST`). */
  qualifier?: string;
  payload: Buffer;
  /** Flint time it was accepted (epoch ms): its age counts from here. */
  receivedAt: number;
  /** Attempts that ran the function so far (throttled tries are not attempts). */
  attempts: number;
  /** Throttled tries in a row, for the backoff. */
  throttles: number;
  /** Flint time of the next try. */
  dueAt: number;
  /** The last function error, kept for the failure record. */
  lastError?: { executedVersion: string; functionArn: string; payload: string; functionError: string };
}

/** One line of an event's timeline. */
export interface TimelineEntry {
  at: number;
  /** accepted | attempt | throttled | retry | succeeded | destination | dead-letter | failed | dropped | recovered */
  kind: string;
  detail: Record<string, unknown>;
}

/**
 * Every event is held by one node at a time: its owner (the node's `Store.nodeId`) and a lease that
 * expires at `lease_until` (Flint time) unless the owner renews it. A node that dies stops renewing;
 * once its leases expire, another node's `claim` takes its events. Writes about an event name the
 * owner they expect, so a node that lost an event can neither bring it back nor end it twice.
 * Each store part acts as the node of the store it belongs to. An event nobody holds has lease 0,
 * so "claimable at `now`" is just `lease_until <= now`.
 */
export interface AsyncEventStore {
  /** Store a new event and its `accepted` entry, leased to this node until `leaseUntil`. */
  accept(event: AsyncEvent, entry: TimelineEntry, leaseUntil: number): Promise<void>;
  /**
   * What this node takes on start, leased to it until `leaseUntil`, oldest first, due or not: on a
   * store only one node uses (SQLite) every event, whoever held it being this node's previous run;
   * on a shared store the events whose lease expired by `now`.
   */
  recover(now: number, leaseUntil: number): Promise<AsyncEvent[]>;
  /**
   * Take up to `limit` events due by `now` whose lease expired (or that no node holds), oldest first,
   * leased to this node until `leaseUntil`. Two nodes claiming at once never get the same event.
   */
  claim(now: number, leaseUntil: number, limit: number): Promise<AsyncEvent[]>;
  /** Extend the lease of every event this node holds to `leaseUntil` (one write); resolves how many. */
  renew(leaseUntil: number): Promise<number>;
  /** A clean stop: give up every event this node holds, for other nodes to claim at once. */
  release(): Promise<void>;
  /** Every event not at an end, oldest first, whoever holds it (for tests and tools). */
  pending(): Promise<AsyncEvent[]>;
  /**
   * Save an event's new state (next try, attempts) and append to its timeline, if this node still
   * holds it; resolves false (and changes nothing) when another node took it.
   */
  update(event: AsyncEvent, entries: TimelineEntry[]): Promise<boolean>;
  /**
   * The event reached its end: remove it and append its last entries, in one transaction, if this
   * node still holds it; resolves false (and changes nothing) when another node took it.
   */
  finish(requestId: string, entries: TimelineEntry[]): Promise<boolean>;
  timeline(requestId: string): Promise<TimelineEntry[]>;
  /** Forget timelines of events that ended before `before` (Flint time). */
  pruneTimelines(before: number): Promise<void>;
}
