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

export interface AsyncEventStore {
  /** Store a new event and its `accepted` entry. */
  accept(event: AsyncEvent, entry: TimelineEntry): Promise<void>;
  /** Every event not at an end, oldest first (after a restart, all of them are due again). */
  pending(): Promise<AsyncEvent[]>;
  /** Save an event's new state (next try, attempts) and append to its timeline. */
  update(event: AsyncEvent, entries: TimelineEntry[]): Promise<void>;
  /** The event reached its end: remove it and append its last entries, in one transaction. */
  finish(requestId: string, entries: TimelineEntry[]): Promise<void>;
  timeline(requestId: string): Promise<TimelineEntry[]>;
  /** Forget timelines of events that ended before `before` (Flint time). */
  pruneTimelines(before: number): Promise<void>;
}
