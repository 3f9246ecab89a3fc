/** Log events on PostgreSQL: one row per event, numbered by a sequence in the order they were stored. */
import type { PgDb } from "./pg-db.js";
import type { LogBatch, LogEvent, LogEventStore, StoredLogEvent } from "./log-event-store.js";

export const LOG_TABLES = `
  CREATE TABLE log_events (
    seq bigserial PRIMARY KEY,
    log_group text NOT NULL,
    log_stream text NOT NULL,
    timestamp bigint NOT NULL,
    message text NOT NULL
  );
  CREATE INDEX log_events_by_group ON log_events (log_group, seq);
  CREATE INDEX log_events_by_time ON log_events (timestamp);`;

export class PgLogEventStore implements LogEventStore {
  constructor(private readonly db: PgDb) {}

  append(group: string, stream: string, events: readonly LogEvent[]): Promise<void> {
    return this.appendBatches([{ group, stream, events }]);
  }

  async appendBatches(batches: readonly LogBatch[]): Promise<void> {
    const rows = batches.flatMap((b) => b.events.map((e) => [b.group, b.stream, e.timestamp, e.message] as const));
    if (rows.length === 0) return;
    // One statement for all of them; unnest keeps their order in the sequence.
    await this.db.run(
      "INSERT INTO log_events (log_group, log_stream, timestamp, message) SELECT g, s, t, m FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) WITH ORDINALITY AS e(g, s, t, m, i) ORDER BY i",
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3])],
    );
  }

  async streams(group: string): Promise<string[]> {
    const rows = await this.db.query<{ s: string }>('SELECT DISTINCT log_stream COLLATE "C" AS s FROM log_events WHERE log_group = $1 ORDER BY 1', [group]);
    return rows.map((r) => r.s);
  }

  async read(group: string, options: { stream?: string; after?: number; limit?: number } = {}): Promise<StoredLogEvent[]> {
    const rows = await this.db.query<{ seq: number; log_stream: string; timestamp: number; message: string }>(
      `SELECT seq, log_stream, timestamp, message FROM log_events
        WHERE log_group = $1 AND seq > $2 AND ($3::text IS NULL OR log_stream = $3)
        ORDER BY seq LIMIT $4`,
      [group, options.after ?? 0, options.stream ?? null, options.limit ?? null],
    );
    return rows.map((r) => ({ seq: r.seq, stream: r.log_stream, timestamp: r.timestamp, message: r.message }));
  }

  async expire(before: number): Promise<number> {
    return this.db.run("DELETE FROM log_events WHERE timestamp < $1", [before]);
  }
}
