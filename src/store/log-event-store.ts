/**
 * Function log events where every node reaches them (CloudWatch Logs-shaped: groups hold streams,
 * streams hold timestamped events). The embedded store has no log part: its one node writes log
 * files in the data dir (services/logs/log-store.ts).
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

export interface StoredLogEvent extends LogEvent {
  /** Position in the order events were stored: later appends have higher numbers. */
  seq: number;
  stream: string;
}

export interface LogEventStore {
  /** Append a batch of one stream's events, in order, in one write. */
  append(group: string, stream: string, events: readonly LogEvent[]): Promise<void>;
  /** Append several streams' batches, in order (each batch's events after the previous batch's), in one write. */
  appendBatches(batches: readonly LogBatch[]): Promise<void>;
  /** The group's streams, in byte order. */
  streams(group: string): Promise<string[]>;
  /** The group's events (or one stream's) stored after `after`, in stored order, at most `limit`. */
  read(group: string, options?: { stream?: string; after?: number; limit?: number }): Promise<StoredLogEvent[]>;
  /** Forget events timestamped before `before`; resolves how many went. */
  expire(before: number): Promise<number>;
}
