/**
 * CloudWatch Logs on PostgreSQL: every node reads and writes the same `log_*` tables. Events are
 * numbered by a sequence taken under one transaction-scoped advisory lock, so seq order is commit
 * order and a tail reading "after seq N" never misses an event another node commits later.
 * Table and column names are SQLite's (sqlite-logs.ts), which `flint migrate` relies on.
 */
import type { PgDb } from "./pg-db.js";
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
import { eventOf, groupOf, lastEventAfter, streamOf, type EventSql, type GroupSql, type StreamSql } from "./sqlite-logs.js";

/** The older design's one table (kept: a schema's history). */
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

/** That table (log group and stream names on every event) moved into the new ones. */
export const PG_LOG_TABLES = `
  ALTER TABLE log_events RENAME TO log_events_v1;
  DROP INDEX log_events_by_group;
  DROP INDEX log_events_by_time;
  CREATE TABLE log_groups (
    id bigserial PRIMARY KEY,
    name text COLLATE "C" NOT NULL UNIQUE,
    created_at bigint NOT NULL,
    retention_days integer,
    tags text NOT NULL,
    log_group_class text NOT NULL,
    kms_key_id text
  );
  CREATE TABLE log_streams (
    id bigserial PRIMARY KEY,
    group_id bigint NOT NULL,
    name text COLLATE "C" NOT NULL,
    created_at bigint NOT NULL,
    first_event_time bigint,
    last_event_time bigint,
    last_ingestion_time bigint,
    stored_bytes bigint NOT NULL DEFAULT 0,
    UNIQUE (group_id, name)
  );
  CREATE TABLE log_events (
    seq bigserial PRIMARY KEY,
    group_id bigint NOT NULL,
    stream_id bigint NOT NULL,
    timestamp bigint NOT NULL,
    ingestion_time bigint NOT NULL,
    message text NOT NULL
  );
  CREATE INDEX log_events_by_group ON log_events (group_id, timestamp, seq);
  CREATE INDEX log_events_by_stream ON log_events (stream_id, timestamp, seq);
  INSERT INTO log_groups (name, created_at, tags, log_group_class)
    SELECT log_group, min(timestamp), '{}', 'STANDARD' FROM log_events_v1 GROUP BY log_group;
  INSERT INTO log_streams (group_id, name, created_at, first_event_time, last_event_time, last_ingestion_time, stored_bytes)
    SELECT g.id, v.log_stream, min(v.timestamp), min(v.timestamp), max(v.timestamp), max(v.timestamp), sum(octet_length(v.message))
      FROM log_events_v1 v JOIN log_groups g ON g.name = v.log_group GROUP BY g.id, v.log_stream;
  INSERT INTO log_events (group_id, stream_id, timestamp, ingestion_time, message)
    SELECT s.group_id, s.id, v.timestamp, v.timestamp, v.message
      FROM log_events_v1 v JOIN log_groups g ON g.name = v.log_group JOIN log_streams s ON s.group_id = g.id AND s.name = v.log_stream
     ORDER BY v.seq;
  DROP TABLE log_events_v1;`;

/** Tails read a group's events by seq between two positions. */
export const PG_LOG_TAIL_INDEX = `CREATE INDEX log_events_by_group_seq ON log_events (group_id, seq);`;

/**
 * The advisory lock appends take (any constant no other part of Flint uses): one appender at a time.
 * Deletes of groups and streams take it too: an append on another node that has already found the
 * group commits before the delete reads, or finds it gone, so no event outlives its group.
 */
export const APPEND_LOCK = 0x6c6f6773;
const MIN = -Number.MAX_SAFE_INTEGER;
const MAX = Number.MAX_SAFE_INTEGER;
const DAY_MS = 86_400_000;
const GROUP_COLS = "name, created_at, retention_days, tags, log_group_class, kms_key_id";
const STREAM_COLS = "name, created_at, first_event_time, last_event_time, last_ingestion_time, stored_bytes";

export class PgLogsStore implements LogsStore {
  constructor(private readonly db: PgDb) {}

  private async groupId(name: string): Promise<number | undefined> {
    const [row] = await this.db.query<{ id: number }>("SELECT id FROM log_groups WHERE name = $1", [name]);
    return row?.id;
  }

  private async streamId(group: string, name: string): Promise<number | undefined> {
    const [row] = await this.db.query<{ id: number }>("SELECT s.id FROM log_streams s JOIN log_groups g ON g.id = s.group_id WHERE g.name = $1 AND s.name = $2", [group, name]);
    return row?.id;
  }

  async createGroup(row: LogGroupRow): Promise<boolean> {
    return (
      (await this.db.run("INSERT INTO log_groups (name, created_at, retention_days, tags, log_group_class, kms_key_id) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING", [
        row.name,
        row.createdAt,
        row.retentionDays ?? null,
        JSON.stringify(row.tags),
        row.logGroupClass,
        row.kmsKeyId ?? null,
      ])) === 1
    );
  }

  async getGroup(name: string): Promise<LogGroupRow | undefined> {
    const [row] = await this.db.query<GroupSql>(`SELECT ${GROUP_COLS} FROM log_groups WHERE name = $1`, [name]);
    return row && groupOf(row);
  }

  async listGroups(query: { prefix?: string; contains?: string; after?: string; limit: number }): Promise<LogGroupRow[]> {
    const rows = await this.db.query<GroupSql>(
      `SELECT ${GROUP_COLS} FROM log_groups
        WHERE ($1::text IS NULL OR starts_with(name, $1)) AND ($2::text IS NULL OR strpos(name, $2) > 0) AND ($3::text IS NULL OR name > $3)
        ORDER BY name LIMIT $4`,
      [query.prefix ?? null, query.contains ?? null, query.after ?? null, query.limit],
    );
    return rows.map(groupOf);
  }

  async updateGroup(row: LogGroupRow): Promise<boolean> {
    return (
      (await this.db.run("UPDATE log_groups SET retention_days = $1, tags = $2, log_group_class = $3, kms_key_id = $4 WHERE name = $5", [
        row.retentionDays ?? null,
        JSON.stringify(row.tags),
        row.logGroupClass,
        row.kmsKeyId ?? null,
        row.name,
      ])) === 1
    );
  }

  async deleteGroup(name: string): Promise<boolean> {
    return this.db.tx(async (sql) => {
      await sql.query("SELECT pg_advisory_xact_lock($1)", [APPEND_LOCK]);
      const [row] = await sql.query<{ id: number }>("DELETE FROM log_groups WHERE name = $1 RETURNING id", [name]);
      if (!row) return false;
      await sql.run("DELETE FROM log_events WHERE group_id = $1", [row.id]);
      await sql.run("DELETE FROM log_streams WHERE group_id = $1", [row.id]);
      return true;
    });
  }

  async createStream(group: string, name: string, createdAt: number): Promise<boolean> {
    const n = await this.db.run("INSERT INTO log_streams (group_id, name, created_at) SELECT id, $2, $3 FROM log_groups WHERE name = $1 ON CONFLICT (group_id, name) DO NOTHING", [group, name, createdAt]);
    return n === 1;
  }

  async getStream(group: string, name: string): Promise<LogStreamRow | undefined> {
    const [row] = await this.db.query<StreamSql>(`SELECT ${STREAM_COLS.replace(/(\w+)/g, "s.$1")} FROM log_streams s JOIN log_groups g ON g.id = s.group_id WHERE g.name = $1 AND s.name = $2`, [group, name]);
    return row && streamOf(group, row);
  }

  async listStreams(group: string, query: { order: "name" | "lastEvent"; descending: boolean; prefix?: string; after?: string; limit: number }): Promise<LogStreamRow[]> {
    const id = await this.groupId(group);
    if (id === undefined) return [];
    const dir = query.descending ? "DESC" : "ASC";
    const beyond = query.descending ? "<" : ">";
    let rows: StreamSql[];
    if (query.order === "name") {
      rows = await this.db.query<StreamSql>(
        `SELECT ${STREAM_COLS} FROM log_streams WHERE group_id = $1 AND ($2::text IS NULL OR starts_with(name, $2)) AND ($3::text IS NULL OR name ${beyond} $3)
          ORDER BY name ${dir} LIMIT $4`,
        [id, query.prefix ?? null, query.after ?? null, query.limit],
      );
    } else {
      const after = query.after === undefined ? undefined : lastEventAfter(query.after);
      rows = await this.db.query<StreamSql>(
        `SELECT ${STREAM_COLS} FROM log_streams WHERE group_id = $1 AND ($2::bigint IS NULL OR (coalesce(last_event_time, 0), name) ${beyond} ($2::bigint, $3::text))
          ORDER BY coalesce(last_event_time, 0) ${dir}, name ${dir} LIMIT $4`,
        [id, after?.time ?? null, after?.name ?? null, query.limit],
      );
    }
    return rows.map((r) => streamOf(group, r));
  }

  async deleteStream(group: string, name: string): Promise<boolean> {
    return this.db.tx(async (sql) => {
      await sql.query("SELECT pg_advisory_xact_lock($1)", [APPEND_LOCK]);
      const [row] = await sql.query<{ id: number }>("DELETE FROM log_streams s USING log_groups g WHERE g.id = s.group_id AND g.name = $1 AND s.name = $2 RETURNING s.id", [group, name]);
      if (!row) return false;
      await sql.run("DELETE FROM log_events WHERE stream_id = $1", [row.id]);
      return true;
    });
  }

  async appendBatches(batches: readonly LogBatch[], ingestionTime: number, missing: "create" | "refuse" = "create"): Promise<AppendOutcome> {
    if (!batches.length) return "appended";
    const groups = batches.map((b) => b.group);
    const streams = batches.map((b) => b.stream);
    const events = batches.flatMap((b) => b.events.map((e) => [b.group, b.stream, e.timestamp, e.message] as const));
    const column = <I extends 0 | 1 | 2 | 3>(i: I) => events.map((e) => e[i]);
    return this.db.tx(async (sql): Promise<AppendOutcome> => {
      await sql.query("SELECT pg_advisory_xact_lock($1)", [APPEND_LOCK]);
      if (missing === "refuse") {
        // KEY SHARE locks make a concurrent delete of the group or stream wait for this write (whose
        // events it then deletes too), or, when the delete came first, leave nothing to find here.
        for (const { group, stream } of batches) {
          const [g] = await sql.query<{ id: number }>("SELECT id FROM log_groups WHERE name = $1 FOR KEY SHARE", [group]);
          if (!g) return "noGroup";
          const [s] = await sql.query<{ id: number }>("SELECT id FROM log_streams WHERE group_id = $1 AND name = $2 FOR KEY SHARE", [g.id, stream]);
          if (!s) return "noStream";
        }
      }
      await sql.run("INSERT INTO log_groups (name, created_at, tags, log_group_class) SELECT DISTINCT unnest($1::text[]), $2::bigint, '{}', 'STANDARD' ON CONFLICT (name) DO NOTHING", [groups, ingestionTime]);
      await sql.run(
        `INSERT INTO log_streams (group_id, name, created_at)
           SELECT DISTINCT g.id, x.s, $3::bigint FROM unnest($1::text[], $2::text[]) AS x(g, s) JOIN log_groups g ON g.name = x.g
         ON CONFLICT (group_id, name) DO NOTHING`,
        [groups, streams, ingestionTime],
      );
      if (!events.length) return "appended";
      const args = [column(0), column(1), column(2), column(3), ingestionTime];
      // unnest WITH ORDINALITY keeps the batches' order in the sequence.
      await sql.run(
        `INSERT INTO log_events (group_id, stream_id, timestamp, ingestion_time, message)
           SELECT s.group_id, s.id, e.t, $5::bigint, e.m
             FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) WITH ORDINALITY AS e(g, s, t, m, i)
             JOIN log_groups g ON g.name = e.g JOIN log_streams s ON s.group_id = g.id AND s.name = e.s
            ORDER BY e.i`,
        args,
      );
      await sql.run(
        `UPDATE log_streams s SET first_event_time = LEAST(s.first_event_time, x.first), last_event_time = GREATEST(s.last_event_time, x.last),
                last_ingestion_time = $5::bigint, stored_bytes = s.stored_bytes + x.bytes
           FROM (SELECT e.g, e.s, min(e.t) AS first, max(e.t) AS last, sum(octet_length(e.m)) AS bytes
                   FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) AS e(g, s, t, m) GROUP BY e.g, e.s) x, log_groups g
          WHERE g.name = x.g AND s.group_id = g.id AND s.name = x.s`,
        args,
      );
      return "appended";
    });
  }

  async readStream(group: string, stream: string, query: { start?: number; end?: number; from?: EventCursor; backward: boolean; limit: number }): Promise<StoredLogEvent[]> {
    const id = await this.streamId(group, stream);
    if (id === undefined) return [];
    const from = query.from ?? { timestamp: query.backward ? MAX : MIN, seq: 0 };
    const rows = await this.db.query<EventSql>(
      `SELECT seq, $1::text AS stream, timestamp, ingestion_time, message FROM log_events
        WHERE stream_id = $2 AND timestamp >= $3 AND timestamp < $4 AND (timestamp, seq) ${query.backward ? "<" : ">"} ($5::bigint, $6::bigint)
        ORDER BY timestamp ${query.backward ? "DESC" : ""}, seq ${query.backward ? "DESC" : ""} LIMIT $7`,
      [stream, id, query.start ?? MIN, query.end ?? MAX, from.timestamp, from.seq, query.limit],
    );
    const events = rows.map(eventOf);
    return query.backward ? events.reverse() : events;
  }

  async filter(group: string, query: FilterQuery): Promise<FilterPage> {
    const gid = await this.groupId(group);
    if (gid === undefined) return { events: [] };
    const start = query.start ?? MIN;
    const end = query.end ?? MAX;
    // Events are read without their stream's row (a join the planner may order badly): names are looked up after.
    const names = new Map<number, string>();
    let streamIds: number[] | undefined;
    if (query.streams || query.streamPrefix !== undefined) {
      const rows = await this.db.query<{ id: number; name: string }>(
        query.streams ? "SELECT id, name FROM log_streams WHERE group_id = $1 AND name = ANY($2::text[])" : "SELECT id, name FROM log_streams WHERE group_id = $1 AND starts_with(name, $2)",
        [gid, query.streams ?? query.streamPrefix],
      );
      for (const r of rows) names.set(r.id, r.name);
      streamIds = rows.map((r) => r.id);
    }
    return filterInChunks(query, async ({ from, chunk, want, plain }) => {
      // Only the bounds that bound anything are written: with placeholders of ±2^53 the planner,
      // before statistics exist (a bulk load just now), sorted the whole group instead of reading
      // the (group, timestamp, seq) index in order.
      const params: unknown[] = [gid];
      const p = (v: unknown) => `$${params.push(v)}`;
      const bounds = (low: number, high: number, below?: EventCursor) =>
        [
          low > MIN ? `AND e.timestamp >= ${p(low)}` : "",
          high < MAX - 1 ? `AND e.timestamp <= ${p(high)}` : "",
          from ? `AND (e.timestamp, e.seq) > (${p(from.timestamp)}::bigint, ${p(from.seq)}::bigint)` : "",
          below ? `AND (e.timestamp, e.seq) <= (${p(below.timestamp)}::bigint, ${p(below.seq)}::bigint)` : "",
        ].join(" ");
      const [last] = plain
        ? []
        : await this.db.query<EventCursor>(
            `SELECT e.timestamp, e.seq FROM log_events e WHERE e.group_id = $1 ${bounds(start, end - 1)} ORDER BY e.timestamp, e.seq LIMIT 1 OFFSET ${p(chunk - 1)}`,
            params.slice(),
          );
      params.length = 1;
      const { low, high } = roundSpan(start, end, from ?? { timestamp: MIN, seq: 0 }, last ?? { timestamp: MAX, seq: 0 });
      const where = bounds(low, high, last);
      const streams = streamIds ? `AND e.stream_id = ANY(${p(streamIds)}::bigint[])` : "";
      const contains = (query.mustContain ?? [])
        .filter((any) => any.length)
        .map((any) => `AND (${any.map((literal) => `strpos(e.message, ${p(literal)}) > 0`).join(" OR ")})`)
        .join(" ");
      const limit = plain ? Math.min(chunk, want!) : (want ?? null);
      const rows = await this.db.query<Omit<EventSql, "stream"> & { stream_id: number }>(
        `SELECT e.seq, e.stream_id, e.timestamp, e.ingestion_time, e.message FROM log_events e
          WHERE e.group_id = $1 ${where} ${streams} ${contains}
          ORDER BY e.timestamp, e.seq LIMIT ${p(limit)}`,
        params,
      );
      const unnamed = [...new Set(rows.map((r) => r.stream_id))].filter((id) => !names.has(id));
      if (unnamed.length) {
        for (const r of await this.db.query<{ id: number; name: string }>("SELECT id, name FROM log_streams WHERE id = ANY($1::bigint[])", [unnamed])) names.set(r.id, r.name);
      }
      const events = rows.map((r) => eventOf({ ...r, stream: names.get(r.stream_id)! }));
      const stop = plain ? plainEnd(events, chunk) : last && { timestamp: last.timestamp, seq: last.seq };
      return { candidates: events, ...(stop && { end: stop }) };
    });
  }

  async tail(groups: readonly string[], afterSeq: number, upTo: number, limit: number): Promise<TailedLogEvent[]> {
    if (!groups.length) return [];
    const rows = await this.db.query<EventSql & { grp: string }>(
      `SELECT e.seq, g.name AS grp, s.name AS stream, e.timestamp, e.ingestion_time, e.message
         FROM log_events e JOIN log_streams s ON s.id = e.stream_id JOIN log_groups g ON g.id = e.group_id
        WHERE e.seq > $1 AND e.seq <= $2 AND e.group_id IN (SELECT id FROM log_groups WHERE name = ANY($3::text[])) ORDER BY e.seq LIMIT $4`,
      [afterSeq, upTo, groups, limit],
    );
    return rows.map((r) => ({ ...eventOf(r), group: r.grp }));
  }

  async lastSeq(): Promise<number> {
    const [row] = await this.db.query<{ seq: number | null }>("SELECT max(seq) AS seq FROM log_events");
    return row?.seq ?? 0;
  }

  async expire(now: number, group?: string): Promise<number> {
    const cutoff = "$1::bigint - g.retention_days::bigint * $2::bigint";
    const which = "g.retention_days IS NOT NULL AND ($3::text IS NULL OR g.name = $3)";
    return this.db.tx(async (sql) => {
      const gone = await sql.run(`DELETE FROM log_events e USING log_groups g WHERE ${which} AND e.group_id = g.id AND e.timestamp < ${cutoff}`, [now, DAY_MS, group ?? null]);
      await sql.run(
        `UPDATE log_streams s SET first_event_time = (SELECT min(e.timestamp) FROM log_events e WHERE e.stream_id = s.id)
           FROM log_groups g WHERE ${which} AND s.group_id = g.id AND s.first_event_time < ${cutoff}`,
        [now, DAY_MS, group ?? null],
      );
      return gone;
    });
  }
}
