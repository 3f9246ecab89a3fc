/**
 * CloudWatch Logs on both stores: log groups hold log streams, streams hold timestamped events.
 * The SQLite store keeps them in a database file of their own beside the main one (log writes never
 * wait behind the main file's fsyncs); PostgreSQL in its `log_*` tables. Services talk to this
 * interface only (services/logs/). Replaces log-event-store.ts (the older, file-beside-store design).
 *
 * Times are epoch milliseconds. Names are compared and ordered as bytes (`COLLATE "C"` on PostgreSQL).
 */
export interface LogEvent {
  timestamp: number;
  message: string;
}

/** A batch of one stream's events. */
export interface LogBatch {
  group: string;
  stream: string;
  events: readonly LogEvent[];
}

export interface LogGroupRow {
  name: string;
  /** Epoch ms. */
  createdAt: number;
  /** PutRetentionPolicy's days; undefined: kept forever. */
  retentionDays?: number;
  tags: Record<string, string>;
  /** `STANDARD` | `INFREQUENT_ACCESS` | `DELIVERY`. */
  logGroupClass: string;
  kmsKeyId?: string;
}

export interface LogStreamRow {
  group: string;
  name: string;
  createdAt: number;
  /** Earliest and latest event timestamps in the stream; undefined while it has none. */
  firstEventTime?: number;
  lastEventTime?: number;
  lastIngestionTime?: number;
  storedBytes: number;
}

export interface StoredLogEvent extends LogEvent {
  /** Position in the order events were stored: later appends have higher numbers, unique per store. */
  seq: number;
  stream: string;
  /** Epoch ms at which the store accepted it. */
  ingestionTime: number;
}

/** A tailed event names its group too: a tail reads several. */
export interface TailedLogEvent extends StoredLogEvent {
  group: string;
}

/** A place in a (timestamp, seq) ordered read: strictly after (or, reading backward, before) it. */
export interface EventCursor {
  timestamp: number;
  seq: number;
}

export interface FilterQuery {
  /** Only these streams (exact names), or only streams whose name starts with `streamPrefix`. */
  streams?: readonly string[];
  streamPrefix?: string;
  /** Inclusive start, exclusive end (epoch ms), on event timestamps. */
  start?: number;
  end?: number;
  /** Resume strictly after this (timestamp, seq). */
  after?: EventCursor;
  /** Most events to return. */
  limit: number;
  /**
   * Literal substrings every matching message contains (case-sensitive), taken from the filter
   * pattern, which the store checks in the database (instr/strpos) before `match` is asked.
   * One inner array is an OR of its strings; the outer array is an AND (an empty inner array
   * narrows nothing).
   */
  mustContain?: readonly (readonly string[])[];
  /** The whole filter pattern's decision on a candidate message. */
  match?: (message: string) => boolean;
  /**
   * Most stored events to examine in this call: a read that reaches it stops and says where
   * (`scannedTo`), as CloudWatch returns a page with fewer (even no) events and a token.
   */
  scanLimit?: number;
  /**
   * Bounds on `match`'s work in this call, as `scanLimit` bounds the database's: once it has been
   * asked about `bytes` characters of messages, or `now()` reaches `until`, the read stops after the
   * event in hand and says where (`scannedTo`). A pattern's match costs up to its text times its
   * NFA's states, so a count of events alone would let one call hold the event loop for seconds.
   */
  matchBudget?: { bytes: number; until: number; now: () => number };
}

export interface FilterPage {
  events: StoredLogEvent[];
  /** Set when the read stopped before the end of the range: resume after it. */
  scannedTo?: EventCursor;
}

/** appendBatches' answer: written, or (refusing to create) which part of a batch's place was missing. */
export type AppendOutcome = "appended" | "noGroup" | "noStream";

export interface LogsStore {
  // ---- groups
  /** Insert; false when a group of that name exists. */
  createGroup(row: LogGroupRow): Promise<boolean>;
  getGroup(name: string): Promise<LogGroupRow | undefined>;
  /** Groups in name order after `after` (exclusive), at most `limit`; `prefix` or `contains` (a substring, case-sensitive) narrow it. */
  listGroups(query: { prefix?: string; contains?: string; after?: string; limit: number }): Promise<LogGroupRow[]>;
  /** Replace a group's retention, tags, class or key; false when it does not exist. */
  updateGroup(row: LogGroupRow): Promise<boolean>;
  /**
   * Delete a group with its streams and events; false when it did not exist. The group is gone for
   * every reader at once; its events may go a batch at a time after.
   */
  deleteGroup(name: string): Promise<boolean>;

  // ---- streams
  /** Insert; false when that stream exists. The group must exist (the caller checks). */
  createStream(group: string, name: string, createdAt: number): Promise<boolean>;
  getStream(group: string, name: string): Promise<LogStreamRow | undefined>;
  /**
   * A group's streams. `order: "name"`: by name (`prefix` narrows, `after` is a name);
   * `order: "lastEvent"`: by lastEventTime then name (`after` is `${lastEventTime}:${name}`).
   */
  listStreams(group: string, query: { order: "name" | "lastEvent"; descending: boolean; prefix?: string; after?: string; limit: number }): Promise<LogStreamRow[]>;
  /** Delete a stream with its events (as deleteGroup: at once for readers); false when it did not exist. */
  deleteStream(group: string, name: string): Promise<boolean>;

  // ---- events
  /**
   * Append batches in order, in one write, at `ingestionTime`. A batch's missing group and stream are
   * created with `missing: "create"` (function logs: Lambda creates them); with `"refuse"`
   * (PutLogEvents) nothing is written and the answer names what was missing, checked in the same
   * write, so an append racing a DeleteLogGroup or DeleteLogStream on another node never brings
   * them back. Each stream's first/last event times, last ingestion time and stored bytes are kept
   * up to date.
   */
  appendBatches(batches: readonly LogBatch[], ingestionTime: number, missing?: "create" | "refuse"): Promise<AppendOutcome>;
  /**
   * One stream's events within [start, end), in (timestamp, seq) order: the first `limit` after
   * `from`, or, `backward`, the last `limit` before it (still returned oldest first).
   */
  readStream(group: string, stream: string, query: { start?: number; end?: number; from?: EventCursor; backward: boolean; limit: number }): Promise<StoredLogEvent[]>;
  /** A group's events, interleaved in (timestamp, seq) order, as FilterLogEvents reads them. */
  filter(group: string, query: FilterQuery): Promise<FilterPage>;
  /**
   * Events stored after `afterSeq` and at most `upTo` (in stored order) in any of `groups`: what live
   * tails and `flint logs --follow` read. Seq order is commit order on both stores, so a tail never
   * skips an event committed after it read a higher seq; a tail that read `lastSeq()` as `upTo` and
   * got fewer than `limit` events starts its next read after `upTo`, so a quiet group's tail never
   * rereads what a busy store wrote meanwhile.
   */
  tail(groups: readonly string[], afterSeq: number, upTo: number, limit: number): Promise<TailedLogEvent[]>;
  /** The highest seq stored so far (0 when none): where a tail starts. */
  lastSeq(): Promise<number>;
  /**
   * Apply every group's retention (or only `group`'s) at `now`: events older than its days go.
   * Resolves how many went.
   */
  expire(now: number, group?: string): Promise<number>;
}

/** Stored events one filter query examines at most in one database round (the rest waits for the next). */
const FILTER_CHUNK = 20_000;

/**
 * One round of a filter read, a store's part of `filterInChunks`: the events after `from` within the
 * query's range that pass its stream and `mustContain` tests, among the next `chunk` stored events
 * of the group in (timestamp, seq) order, at most `want` of them (all when undefined); `end` is the
 * last of those `chunk` (undefined when the range has fewer left, so this round read to its end).
 * `plain`: the query narrows nothing, so every event read is returned and `chunk` and `want` are
 * one LIMIT, without first finding where the chunk ends.
 */
export type FilterRound = (round: { from?: EventCursor; chunk: number; want?: number; plain: boolean }) => Promise<{ candidates: StoredLogEvent[]; end?: EventCursor }>;

/**
 * FilterLogEvents' reading, the same on both stores: rounds of at most FILTER_CHUNK stored events,
 * their candidates (already narrowed in the database) asked `match`, until `limit` events matched,
 * the range ended, `scanLimit` stored events were examined, or `match` spent its `matchBudget`.
 * Without `match` the database stops at `limit` itself.
 */
export async function filterInChunks(query: FilterQuery, round: FilterRound): Promise<FilterPage> {
  const events: StoredLogEvent[] = [];
  const plain = !query.match && !query.streams && query.streamPrefix === undefined && !(query.mustContain ?? []).some((any) => any.length);
  let from = query.after;
  let budget = query.scanLimit ?? Infinity;
  let matchBytes = 0;
  const spent = (bytes: number) => !!query.matchBudget && ((matchBytes += bytes) >= query.matchBudget.bytes || query.matchBudget.now() >= query.matchBudget.until);
  for (;;) {
    const chunk = Math.min(budget, FILTER_CHUNK);
    const { candidates, end } = await round({ ...(from && { from }), chunk, ...(!query.match && { want: query.limit - events.length }), plain });
    for (const e of candidates) {
      const matched = !query.match || query.match(e.message);
      if (matched) events.push(e);
      if (events.length >= query.limit || (query.match && spent(e.message.length))) return { events, scannedTo: { timestamp: e.timestamp, seq: e.seq } };
    }
    if (!end) return { events };
    budget -= chunk;
    if (budget <= 0) return { events, scannedTo: end };
    from = end;
  }
}

/** A plain round's end: its last event when it read a whole chunk (more may follow), else none. */
export function plainEnd(events: readonly StoredLogEvent[], chunk: number): EventCursor | undefined {
  const last = events.length === chunk ? events.at(-1) : undefined;
  return last && { timestamp: last.timestamp, seq: last.seq };
}

/**
 * A round's bounds on the timestamp column alone, besides the exact (timestamp, seq) ones: what lets
 * either database read just the round's stretch of the (group, timestamp, seq) index.
 */
export function roundSpan(start: number, end: number, after: EventCursor, upTo: EventCursor): { low: number; high: number } {
  return { low: Math.max(start, after.timestamp), high: Math.min(end - 1, upTo.timestamp) };
}
