/**
 * CloudWatch Logs on the embedded store: a SQLite file of its own (`<data>/logs.db`, WAL) beside
 * flint.db, so that a function printing fast never makes the main file's writers wait behind its
 * commits. Table and column names are PostgreSQL's (pg-log-events.ts): `flint migrate` copies them as
 * they are (store/copy.ts). SQLite's default collation compares UTF-8 bytes: names order as bytes.
 */
import Database from "better-sqlite3";
import {
  filterInChunks,
  plainEnd,
  roundSpan,
  type AppendOutcome,
  type EventCursor,
  type FilterPage,
  type FilterQuery,
  type LogBatch,
  type LogGroupRow,
  type LogStreamRow,
  type LogsStore,
  type StoredLogEvent,
  type TailedLogEvent,
} from "./logs-store.js";

/** Append-only: each entry upgrades the logs file's schema by one version. */
const MIGRATIONS = [
  `CREATE TABLE log_groups (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL,
     retention_days INTEGER,
     tags TEXT NOT NULL,
     log_group_class TEXT NOT NULL,
     kms_key_id TEXT
   );
   CREATE TABLE log_streams (
     id INTEGER PRIMARY KEY,
     group_id INTEGER NOT NULL,
     name TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     first_event_time INTEGER,
     last_event_time INTEGER,
     last_ingestion_time INTEGER,
     stored_bytes INTEGER NOT NULL DEFAULT 0,
     UNIQUE (group_id, name)
   );
   CREATE TABLE log_events (
     seq INTEGER PRIMARY KEY,
     group_id INTEGER NOT NULL,
     stream_id INTEGER NOT NULL,
     timestamp INTEGER NOT NULL,
     ingestion_time INTEGER NOT NULL,
     message TEXT NOT NULL
   );
   CREATE INDEX log_events_by_group ON log_events (group_id, timestamp, seq);
   CREATE INDEX log_events_by_stream ON log_events (stream_id, timestamp, seq);`,
  // Tails read a group's events by seq between two positions.
  `CREATE INDEX log_events_by_group_seq ON log_events (group_id, seq);`,
  // Groups' and streams' ids are never reused (AUTOINCREMENT): a deleted one's events go in batches
  // after its row, and must never be taken for a new group's or stream's of the same id.
  `CREATE TABLE log_groups_v3 (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL,
     retention_days INTEGER,
     tags TEXT NOT NULL,
     log_group_class TEXT NOT NULL,
     kms_key_id TEXT
   );
   INSERT INTO log_groups_v3 SELECT id, name, created_at, retention_days, tags, log_group_class, kms_key_id FROM log_groups;
   DROP TABLE log_groups;
   ALTER TABLE log_groups_v3 RENAME TO log_groups;
   CREATE TABLE log_streams_v3 (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     group_id INTEGER NOT NULL,
     name TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     first_event_time INTEGER,
     last_event_time INTEGER,
     last_ingestion_time INTEGER,
     stored_bytes INTEGER NOT NULL DEFAULT 0,
     UNIQUE (group_id, name)
   );
   INSERT INTO log_streams_v3 SELECT id, group_id, name, created_at, first_event_time, last_event_time, last_ingestion_time, stored_bytes FROM log_streams;
   DROP TABLE log_streams;
   ALTER TABLE log_streams_v3 RENAME TO log_streams;`,
  // Nor are events' seqs (AUTOINCREMENT): a tail that read up to the last seq starts after it, and
  // would miss new events numbered below it after the newest ones were deleted.
  `CREATE TABLE log_events_v4 (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     group_id INTEGER NOT NULL,
     stream_id INTEGER NOT NULL,
     timestamp INTEGER NOT NULL,
     ingestion_time INTEGER NOT NULL,
     message TEXT NOT NULL
   );
   INSERT INTO log_events_v4 SELECT seq, group_id, stream_id, timestamp, ingestion_time, message FROM log_events;
   DROP TABLE log_events;
   ALTER TABLE log_events_v4 RENAME TO log_events;
   CREATE INDEX log_events_by_group ON log_events (group_id, timestamp, seq);
   CREATE INDEX log_events_by_stream ON log_events (stream_id, timestamp, seq);
   CREATE INDEX log_events_by_group_seq ON log_events (group_id, seq);`,
];

/** Prepared statements of varying shapes kept at most (each holds SQLite memory until finalized). */
const SHAPED_KEPT = 64;

/** Events one delete statement removes: between batches other requests run (the event loop is not held for a big group). */
const DELETE_BATCH = 10_000;

export interface GroupSql {
  name: string;
  created_at: number;
  retention_days: number | null;
  tags: string;
  log_group_class: string;
  kms_key_id: string | null;
}
export interface StreamSql {
  name: string;
  created_at: number;
  first_event_time: number | null;
  last_event_time: number | null;
  last_ingestion_time: number | null;
  stored_bytes: number;
}
export interface EventSql {
  seq: number;
  stream: string;
  timestamp: number;
  ingestion_time: number;
  message: string;
}

export const groupOf = (r: GroupSql): LogGroupRow => ({
  name: r.name,
  createdAt: r.created_at,
  ...(r.retention_days != null && { retentionDays: r.retention_days }),
  tags: JSON.parse(r.tags) as Record<string, string>,
  logGroupClass: r.log_group_class,
  ...(r.kms_key_id != null && { kmsKeyId: r.kms_key_id }),
});

export const streamOf = (group: string, r: StreamSql): LogStreamRow => ({
  group,
  name: r.name,
  createdAt: r.created_at,
  ...(r.first_event_time != null && { firstEventTime: r.first_event_time }),
  ...(r.last_event_time != null && { lastEventTime: r.last_event_time }),
  ...(r.last_ingestion_time != null && { lastIngestionTime: r.last_ingestion_time }),
  storedBytes: r.stored_bytes,
});

export const eventOf = (r: EventSql): StoredLogEvent => ({ seq: r.seq, stream: r.stream, timestamp: r.timestamp, ingestionTime: r.ingestion_time, message: r.message });

/** `after` of listStreams' lastEvent order, `${lastEventTime}:${name}`: streams without events sort as 0. */
export function lastEventAfter(after: string): { time: number; name: string } {
  const colon = after.indexOf(":");
  return { time: Number(after.slice(0, colon)) || 0, name: after.slice(colon + 1) };
}

const DAY_MS = 86_400_000;

/** Values for a statement's `@p1`, `@p2`… (better-sqlite3 binds a value used twice only by name). */
const params = (...values: unknown[]): Record<string, unknown> => Object.fromEntries(values.map((v, i) => [`p${i + 1}`, v]));

export class SqliteLogsStore implements LogsStore {
  private readonly db: Database.Database;
  private readonly stmts;
  /**
   * Filter and tail statements by their shape (how many stream names or groups, which narrowing, how
   * many literals), the most recently used first out of SHAPED_KEPT: shapes vary with every request.
   */
  private readonly shaped = new Map<string, Database.Statement>();

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    const current = this.db.pragma("user_version", { simple: true }) as number;
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
    const db = this.db;
    const groupCols = "name, created_at, retention_days, tags, log_group_class, kms_key_id";
    const streamCols = "name, created_at, first_event_time, last_event_time, last_ingestion_time, stored_bytes";
    this.stmts = {
      insertGroup: db.prepare("INSERT INTO log_groups (name, created_at, retention_days, tags, log_group_class, kms_key_id) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING"),
      getGroup: db.prepare<[string], GroupSql>(`SELECT ${groupCols} FROM log_groups WHERE name = ?`),
      groupId: db.prepare<[string], { id: number }>("SELECT id FROM log_groups WHERE name = ?"),
      listGroups: db.prepare<[Record<string, unknown>], GroupSql>(
        `SELECT ${groupCols} FROM log_groups
          WHERE (@p1 IS NULL OR substr(name, 1, length(@p1)) = @p1) AND (@p2 IS NULL OR instr(name, @p2) > 0) AND (@p3 IS NULL OR name > @p3)
          ORDER BY name LIMIT @p4`,
      ),
      updateGroup: db.prepare("UPDATE log_groups SET retention_days = ?, tags = ?, log_group_class = ?, kms_key_id = ? WHERE name = ?"),
      deleteGroupEvents: db.prepare(`DELETE FROM log_events WHERE seq IN (SELECT seq FROM log_events WHERE group_id = ? LIMIT ${DELETE_BATCH})`),
      deleteGroupStreams: db.prepare("DELETE FROM log_streams WHERE group_id = ?"),
      deleteGroup: db.prepare("DELETE FROM log_groups WHERE id = ?"),
      insertStream: db.prepare("INSERT INTO log_streams (group_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (group_id, name) DO NOTHING"),
      getStream: db.prepare<[number, string], StreamSql & { id: number }>(`SELECT id, ${streamCols} FROM log_streams WHERE group_id = ? AND name = ?`),
      streamsByName: db.prepare<[Record<string, unknown>], StreamSql>(
        `SELECT ${streamCols} FROM log_streams
          WHERE group_id = @p1 AND (@p2 IS NULL OR substr(name, 1, length(@p2)) = @p2)
            AND (@p3 IS NULL OR (CASE WHEN @p4 THEN name < @p3 ELSE name > @p3 END))
          ORDER BY CASE WHEN @p4 THEN NULL ELSE name END, name DESC LIMIT @p5`,
      ),
      streamsByLastEvent: db.prepare<[Record<string, unknown>], StreamSql>(
        `SELECT ${streamCols} FROM log_streams
          WHERE group_id = @p1 AND (@p2 IS NULL OR (CASE WHEN @p5 THEN (coalesce(last_event_time, 0), name) < (@p2, @p3) ELSE (coalesce(last_event_time, 0), name) > (@p2, @p3) END))
          ORDER BY CASE WHEN @p5 THEN -coalesce(last_event_time, 0) ELSE coalesce(last_event_time, 0) END,
                   CASE WHEN @p5 THEN NULL ELSE name END, name DESC LIMIT @p4`,
      ),
      deleteStreamEvents: db.prepare(`DELETE FROM log_events WHERE seq IN (SELECT seq FROM log_events WHERE stream_id = ? LIMIT ${DELETE_BATCH})`),
      deleteStream: db.prepare("DELETE FROM log_streams WHERE id = ?"),
      insertEvent: db.prepare("INSERT INTO log_events (group_id, stream_id, timestamp, ingestion_time, message) VALUES (?, ?, ?, ?, ?)"),
      touchStream: db.prepare(
        `UPDATE log_streams SET first_event_time = min(coalesce(first_event_time, @p1), @p1), last_event_time = max(coalesce(last_event_time, @p2), @p2),
           last_ingestion_time = @p3, stored_bytes = stored_bytes + @p4 WHERE id = @p5`,
      ),
      readForward: db.prepare<[Record<string, unknown>], EventSql>(
        `SELECT seq, @p1 AS stream, timestamp, ingestion_time, message FROM log_events
          WHERE stream_id = @p2 AND timestamp >= @p3 AND timestamp < @p4 AND (timestamp, seq) > (@p5, @p6)
          ORDER BY timestamp, seq LIMIT @p7`,
      ),
      readBackward: db.prepare<[Record<string, unknown>], EventSql>(
        `SELECT seq, @p1 AS stream, timestamp, ingestion_time, message FROM log_events
          WHERE stream_id = @p2 AND timestamp >= @p3 AND timestamp < @p4 AND (timestamp, seq) < (@p5, @p6)
          ORDER BY timestamp DESC, seq DESC LIMIT @p7`,
      ),
      chunkEnd: db.prepare<[Record<string, unknown>], EventCursor>(
        `SELECT timestamp, seq FROM log_events
          WHERE group_id = @p1 AND timestamp >= @p2 AND timestamp < @p3 AND (timestamp, seq) > (@p4, @p5)
          ORDER BY timestamp, seq LIMIT 1 OFFSET @p6`,
      ),
      lastSeq: db.prepare<[], { seq: number | null }>("SELECT max(seq) AS seq FROM log_events"),
      retained: db.prepare<[Record<string, unknown>], { id: number; retention_days: number }>("SELECT id, retention_days FROM log_groups WHERE retention_days IS NOT NULL AND (@p1 IS NULL OR name = @p1)"),
      expire: db.prepare(`DELETE FROM log_events WHERE seq IN (SELECT seq FROM log_events WHERE group_id = ? AND timestamp < ? LIMIT ${DELETE_BATCH})`),
      refirst: db.prepare("UPDATE log_streams SET first_event_time = (SELECT min(timestamp) FROM log_events WHERE stream_id = log_streams.id) WHERE group_id = ? AND first_event_time < ?"),
    };
  }

  async createGroup(row: LogGroupRow): Promise<boolean> {
    return this.stmts.insertGroup.run(row.name, row.createdAt, row.retentionDays ?? null, JSON.stringify(row.tags), row.logGroupClass, row.kmsKeyId ?? null).changes === 1;
  }

  async getGroup(name: string): Promise<LogGroupRow | undefined> {
    const row = this.stmts.getGroup.get(name);
    return row && groupOf(row);
  }

  async listGroups(query: { prefix?: string; contains?: string; after?: string; limit: number }): Promise<LogGroupRow[]> {
    return this.stmts.listGroups.all(params(query.prefix ?? null, query.contains ?? null, query.after ?? null, query.limit)).map(groupOf);
  }

  async updateGroup(row: LogGroupRow): Promise<boolean> {
    return this.stmts.updateGroup.run(row.retentionDays ?? null, JSON.stringify(row.tags), row.logGroupClass, row.kmsKeyId ?? null, row.name).changes === 1;
  }

  async deleteGroup(name: string): Promise<boolean> {
    const id = this.db.transaction(() => {
      const id = this.stmts.groupId.get(name)?.id;
      if (id === undefined) return undefined;
      this.stmts.deleteGroupStreams.run(id);
      this.stmts.deleteGroup.run(id);
      return id;
    })();
    if (id === undefined) return false;
    await this.inBatches(this.stmts.deleteGroupEvents, id);
    return true;
  }

  /** Run a delete of at most DELETE_BATCH events until it deletes fewer, letting other work run between; resolves how many went. */
  private async inBatches(stmt: Database.Statement, ...args: unknown[]): Promise<number> {
    let gone = 0;
    for (;;) {
      const n = stmt.run(...args).changes;
      gone += n;
      if (n < DELETE_BATCH) return gone;
      await new Promise(setImmediate);
    }
  }

  async createStream(group: string, name: string, createdAt: number): Promise<boolean> {
    const id = this.stmts.groupId.get(group)?.id;
    return id !== undefined && this.stmts.insertStream.run(id, name, createdAt).changes === 1;
  }

  async getStream(group: string, name: string): Promise<LogStreamRow | undefined> {
    const id = this.stmts.groupId.get(group)?.id;
    const row = id === undefined ? undefined : this.stmts.getStream.get(id, name);
    return row && streamOf(group, row);
  }

  async listStreams(group: string, query: { order: "name" | "lastEvent"; descending: boolean; prefix?: string; after?: string; limit: number }): Promise<LogStreamRow[]> {
    const id = this.stmts.groupId.get(group)?.id;
    if (id === undefined) return [];
    const desc = query.descending ? 1 : 0;
    if (query.order === "name") {
      return this.stmts.streamsByName.all(params(id, query.prefix ?? null, query.after ?? null, desc, query.limit)).map((r) => streamOf(group, r));
    }
    const after = query.after === undefined ? undefined : lastEventAfter(query.after);
    return this.stmts.streamsByLastEvent.all(params(id, after?.time ?? null, after?.name ?? null, query.limit, desc)).map((r) => streamOf(group, r));
  }

  async deleteStream(group: string, name: string): Promise<boolean> {
    const sid = this.db.transaction(() => {
      const gid = this.stmts.groupId.get(group)?.id;
      const sid = gid === undefined ? undefined : this.stmts.getStream.get(gid, name)?.id;
      if (sid !== undefined) this.stmts.deleteStream.run(sid);
      return sid;
    })();
    if (sid === undefined) return false;
    await this.inBatches(this.stmts.deleteStreamEvents, sid);
    return true;
  }

  async appendBatches(batches: readonly LogBatch[], ingestionTime: number, missing: "create" | "refuse" = "create"): Promise<AppendOutcome> {
    return this.db.transaction((): AppendOutcome => {
      if (missing === "refuse") {
        for (const { group, stream } of batches) {
          const gid = this.stmts.groupId.get(group)?.id;
          if (gid === undefined) return "noGroup";
          if (!this.stmts.getStream.get(gid, stream)) return "noStream";
        }
      }
      for (const { group, stream, events } of batches) {
        this.stmts.insertGroup.run(group, ingestionTime, null, "{}", "STANDARD", null);
        const gid = this.stmts.groupId.get(group)!.id;
        this.stmts.insertStream.run(gid, stream, ingestionTime);
        const sid = this.stmts.getStream.get(gid, stream)!.id;
        if (!events.length) continue;
        let first = Infinity;
        let last = -Infinity;
        let bytes = 0;
        for (const e of events) {
          this.stmts.insertEvent.run(gid, sid, e.timestamp, ingestionTime, e.message);
          first = Math.min(first, e.timestamp);
          last = Math.max(last, e.timestamp);
          bytes += Buffer.byteLength(e.message);
        }
        this.stmts.touchStream.run(params(first, last, ingestionTime, bytes, sid));
      }
      return "appended";
    })();
  }

  async readStream(group: string, stream: string, query: { start?: number; end?: number; from?: EventCursor; backward: boolean; limit: number }): Promise<StoredLogEvent[]> {
    const gid = this.stmts.groupId.get(group)?.id;
    const sid = gid === undefined ? undefined : this.stmts.getStream.get(gid, stream)?.id;
    if (sid === undefined) return [];
    const from = query.from ?? (query.backward ? { timestamp: Number.MAX_SAFE_INTEGER, seq: 0 } : { timestamp: -Number.MAX_SAFE_INTEGER, seq: 0 });
    const read = query.backward ? this.stmts.readBackward : this.stmts.readForward;
    const rows = read.all(params(stream, sid, query.start ?? -Number.MAX_SAFE_INTEGER, query.end ?? Number.MAX_SAFE_INTEGER, from.timestamp, from.seq, query.limit)).map(eventOf);
    return query.backward ? rows.reverse() : rows;
  }

  async filter(group: string, query: FilterQuery): Promise<FilterPage> {
    const gid = this.stmts.groupId.get(group)?.id;
    if (gid === undefined) return { events: [] };
    const start = query.start ?? -Number.MAX_SAFE_INTEGER;
    const end = query.end ?? Number.MAX_SAFE_INTEGER;
    const literals = (query.mustContain ?? []).filter((any) => any.length);
    const streams = query.streams ? `AND s.name IN (${query.streams.map(() => "?").join(", ")})` : query.streamPrefix !== undefined ? "AND substr(s.name, 1, length(?)) = ?" : "";
    const contains = literals.map((any) => `AND (${any.map(() => "instr(e.message, ?) > 0").join(" OR ")})`).join(" ");
    const sql = `SELECT e.seq, s.name AS stream, e.timestamp, e.ingestion_time, e.message
        FROM log_events e JOIN log_streams s ON s.id = e.stream_id
       WHERE e.group_id = ? AND e.timestamp >= ? AND e.timestamp <= ? AND (e.timestamp, e.seq) > (?, ?) AND (e.timestamp, e.seq) <= (?, ?)
         ${streams} ${contains}
       ORDER BY e.timestamp, e.seq LIMIT ?`;
    const stmt = this.statement(sql);
    const narrowing = [
      ...(query.streams ?? (query.streamPrefix !== undefined ? [query.streamPrefix, query.streamPrefix] : [])),
      ...literals.flat(),
    ];
    const candidates = stmt as Database.Statement<unknown[], EventSql>;
    return filterInChunks(query, async ({ from, chunk, want, plain }) => {
      // Each round blocks the event loop while SQLite reads; other requests go between rounds.
      await new Promise(setImmediate);
      const after = from ?? { timestamp: -Number.MAX_SAFE_INTEGER, seq: 0 };
      const last = plain ? undefined : this.stmts.chunkEnd.get(params(gid, start, end, after.timestamp, after.seq, chunk - 1));
      const upTo = last ?? { timestamp: Number.MAX_SAFE_INTEGER, seq: 0 };
      const { low, high } = roundSpan(start, end, after, upTo);
      const limit = plain ? Math.min(chunk, want!) : (want ?? -1);
      const events = candidates.all(gid, low, high, after.timestamp, after.seq, upTo.timestamp, upTo.seq, ...narrowing, limit).map(eventOf);
      const stop = plain ? plainEnd(events, chunk) : last && { timestamp: last.timestamp, seq: last.seq };
      return { candidates: events, ...(stop && { end: stop }) };
    });
  }

  async tail(groups: readonly string[], afterSeq: number, upTo: number, limit: number): Promise<TailedLogEvent[]> {
    if (!groups.length) return [];
    const sql = `SELECT e.seq, g.name AS grp, s.name AS stream, e.timestamp, e.ingestion_time, e.message
        FROM log_groups g JOIN log_events e ON e.group_id = g.id JOIN log_streams s ON s.id = e.stream_id
       WHERE g.name IN (${groups.map(() => "?").join(", ")}) AND e.seq > ? AND e.seq <= ? ORDER BY e.seq LIMIT ?`;
    const stmt = this.statement(sql);
    const rows = (stmt as Database.Statement<unknown[], EventSql & { grp: string }>).all(...groups, afterSeq, upTo, limit);
    return rows.map((r) => ({ ...eventOf(r), group: r.grp }));
  }

  /** The prepared statement of `sql`, kept among the SHAPED_KEPT most recently used. */
  private statement(sql: string): Database.Statement {
    let stmt = this.shaped.get(sql);
    if (stmt) this.shaped.delete(sql);
    else stmt = this.db.prepare(sql);
    this.shaped.set(sql, stmt);
    if (this.shaped.size > SHAPED_KEPT) this.shaped.delete(this.shaped.keys().next().value!);
    return stmt;
  }

  /** How many shaped statements are kept (for tests of the bound). */
  get shapedStatements(): number {
    return this.shaped.size;
  }

  async lastSeq(): Promise<number> {
    return this.stmts.lastSeq.get()?.seq ?? 0;
  }

  async expire(now: number, group?: string): Promise<number> {
    let gone = 0;
    for (const g of this.stmts.retained.all(params(group ?? null))) {
      const cutoff = now - g.retention_days * DAY_MS;
      gone += await this.inBatches(this.stmts.expire, g.id, cutoff);
      this.stmts.refirst.run(g.id, cutoff);
    }
    return gone;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
