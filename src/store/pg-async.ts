/**
 * AsyncEventStore on PostgreSQL, shared by every node: an event row lives from `accept` to `finish`,
 * held by one node at a time (owner, lease_until); its timeline outlives it. `claim` takes expired
 * leases with `FOR UPDATE SKIP LOCKED`, so nodes claiming at once split the events between them.
 */
import type { PgDb } from "./pg-db.js";
import type { AsyncEvent, AsyncEventStore, TimelineEntry } from "./async-store.js";
import { fromRow, type Row } from "./async-rows.js";

export const PG_ASYNC_TABLES = `
  CREATE TABLE async_events (
    request_id text PRIMARY KEY,
    function text NOT NULL,
    qualifier text,
    payload bytea NOT NULL,
    received_at bigint NOT NULL,
    attempts integer NOT NULL,
    throttles integer NOT NULL,
    due_at bigint NOT NULL,
    last_error text,
    owner text,
    lease_until bigint NOT NULL DEFAULT 0,
    seq bigserial NOT NULL
  );
  CREATE INDEX async_events_by_owner ON async_events (owner);
  CREATE INDEX async_events_by_lease ON async_events (lease_until);
  CREATE TABLE async_timeline (
    seq bigserial PRIMARY KEY,
    request_id text NOT NULL,
    at bigint NOT NULL,
    kind text NOT NULL,
    detail text NOT NULL,
    final boolean NOT NULL DEFAULT false
  );
  CREATE INDEX async_timeline_by_request ON async_timeline (request_id, seq);
  CREATE INDEX async_timeline_final ON async_timeline (final, at);`;

const COLUMNS = "request_id, function, qualifier, payload, received_at, attempts, throttles, due_at, last_error";

/** Flint time in whole milliseconds for a bigint column (a scaled clock reads fractions). */
export const ms = (t: number): number => Math.round(t);

/** Timeline entries as the arrays `unnest` reads (kinds, times, details). */
function entryArrays(entries: TimelineEntry[]): [number[], string[], string[]] {
  return [entries.map((e) => ms(e.at)), entries.map((e) => e.kind), entries.map((e) => JSON.stringify(e.detail))];
}

interface Accepted {
  event: AsyncEvent;
  entry: TimelineEntry;
  leaseUntil: number;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Accepts written at once, each batch one statement and one commit (one WAL flush). While this
 * many are being written, new accepts wait and go together in the next: under load batches grow,
 * and a lone accept is written at once. Two measured best (8 and 32 clients on a 2-core host: 1, 4
 * and 8 writers did as well or worse; a commit here costs one fdatasync, ~5 ms).
 */
const ACCEPT_WRITERS = 2;
const ACCEPT_BATCH = 500;

export class PgAsyncEventStore implements AsyncEventStore {
  private readonly waiting: Accepted[] = [];
  private writers = 0;

  constructor(
    private readonly db: PgDb,
    /** The node this store is (`Store.nodeId`): the owner its leases are held under. */
    private readonly node: string,
  ) {}

  accept(event: AsyncEvent, entry: TimelineEntry, leaseUntil: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ event, entry, leaseUntil, resolve, reject });
      this.writeWaiting();
    });
  }

  private writeWaiting(): void {
    while (this.writers < ACCEPT_WRITERS && this.waiting.length) {
      const batch = this.waiting.splice(0, ACCEPT_BATCH);
      this.writers++;
      void this.insert(batch)
        .then(
          () => batch.forEach((a) => a.resolve()),
          // One bad event (a request id accepted twice) must not fail the others: write them alone.
          async (err) => {
            if (batch.length === 1) return batch[0]!.reject(err);
            await Promise.all(batch.map((a) => this.insert([a]).then(a.resolve, a.reject)));
          },
        )
        .finally(() => {
          this.writers--;
          this.writeWaiting();
        });
    }
  }

  /** Events and their first timeline entries, in one statement: one round trip, one commit. */
  private async insert(batch: Accepted[]): Promise<void> {
    const col = <T>(f: (a: Accepted) => T) => batch.map(f);
    await this.db.run(
      `WITH event AS (
         INSERT INTO async_events (${COLUMNS}, owner, lease_until)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::bigint[], $6::int[], $7::int[], $8::bigint[], $9::text[], $10::text[], $11::bigint[])
       )
       INSERT INTO async_timeline (request_id, at, kind, detail) SELECT * FROM unnest($1::text[], $12::bigint[], $13::text[], $14::text[])`,
      [
        col((a) => a.event.requestId), col((a) => a.event.functionName), col((a) => a.event.qualifier ?? null), col((a) => a.event.payload), col((a) => ms(a.event.receivedAt)),
        col((a) => a.event.attempts), col((a) => a.event.throttles), col((a) => ms(a.event.dueAt)), col((a) => (a.event.lastError ? JSON.stringify(a.event.lastError) : null)),
        col(() => this.node), col((a) => ms(a.leaseUntil)), col((a) => ms(a.entry.at)), col((a) => a.entry.kind), col((a) => JSON.stringify(a.entry.detail)),
      ],
    );
  }

  /** Other nodes may be alive and holding their events: take only what nobody holds, due or not. */
  recover(now: number, leaseUntil: number): Promise<AsyncEvent[]> {
    return this.take("lease_until <= $1", [ms(now)], leaseUntil);
  }

  claim(now: number, leaseUntil: number, limit: number): Promise<AsyncEvent[]> {
    return this.take("lease_until <= $1 AND due_at <= $1", [ms(now)], leaseUntil, limit);
  }

  /** Lease the rows `where` selects to this node; rows another claim has locked are skipped, not waited for. */
  private async take(where: string, params: unknown[], leaseUntil: number, limit?: number): Promise<AsyncEvent[]> {
    const n = params.length;
    const rows = await this.db.query<Row>(
      `WITH picked AS (
         SELECT request_id FROM async_events WHERE ${where} ORDER BY received_at, seq ${limit !== undefined ? `LIMIT $${n + 3}` : ""} FOR UPDATE SKIP LOCKED
       )
       UPDATE async_events e SET owner = $${n + 1}, lease_until = $${n + 2} FROM picked WHERE e.request_id = picked.request_id
       RETURNING ${COLUMNS.split(", ").map((c) => `e.${c}`).join(", ")}, e.seq`,
      [...params, this.node, ms(leaseUntil), ...(limit !== undefined ? [limit] : [])],
    );
    // RETURNING keeps no order: oldest first again.
    return (rows as (Row & { seq: number })[]).sort((a, b) => a.received_at - b.received_at || a.seq - b.seq).map(fromRow);
  }

  renew(leaseUntil: number): Promise<number> {
    return this.db.run("UPDATE async_events SET lease_until = $1 WHERE owner = $2", [ms(leaseUntil), this.node]);
  }

  async release(): Promise<void> {
    await this.db.run("UPDATE async_events SET owner = NULL, lease_until = 0 WHERE owner = $1", [this.node]);
  }

  async pending(): Promise<AsyncEvent[]> {
    return (await this.db.query<Row>(`SELECT ${COLUMNS} FROM async_events ORDER BY received_at, seq`)).map(fromRow);
  }

  /** Shares a commit with the other updates and finishes in flight (PgDb.grouped). */
  async update(e: AsyncEvent, entries: TimelineEntry[]): Promise<boolean> {
    const [rows] = await this.db.grouped("async", (sql) => sql.query<{ n: number }>(
      `WITH event AS (
         UPDATE async_events SET attempts = $1, throttles = $2, due_at = $3, last_error = $4 WHERE request_id = $5 AND owner = $6 RETURNING request_id
       ), log AS (
         INSERT INTO async_timeline (request_id, at, kind, detail) SELECT event.request_id, t.at, t.kind, t.detail
         FROM event, unnest($7::bigint[], $8::text[], $9::text[]) WITH ORDINALITY AS t(at, kind, detail, i) ORDER BY t.i
       )
       SELECT count(*)::int AS n FROM event`,
      [e.attempts, e.throttles, ms(e.dueAt), e.lastError ? JSON.stringify(e.lastError) : null, e.requestId, this.node, ...entryArrays(entries)],
    ));
    return rows!.n === 1;
  }

  /** Shares a commit with the other updates and finishes in flight (PgDb.grouped). */
  async finish(requestId: string, entries: TimelineEntry[]): Promise<boolean> {
    const [rows] = await this.db.grouped("async", (sql) => sql.query<{ n: number }>(
      `WITH event AS (
         DELETE FROM async_events WHERE request_id = $1 AND owner = $2 RETURNING request_id
       ), log AS (
         INSERT INTO async_timeline (request_id, at, kind, detail, final) SELECT event.request_id, t.at, t.kind, t.detail, true
         FROM event, unnest($3::bigint[], $4::text[], $5::text[]) WITH ORDINALITY AS t(at, kind, detail, i) ORDER BY t.i
       )
       SELECT count(*)::int AS n FROM event`,
      [requestId, this.node, ...entryArrays(entries)],
    ));
    return rows!.n === 1;
  }

  async timeline(requestId: string): Promise<TimelineEntry[]> {
    const rows = await this.db.query<{ at: number; kind: string; detail: string }>("SELECT at, kind, detail FROM async_timeline WHERE request_id = $1 ORDER BY seq", [requestId]);
    return rows.map((r) => ({ at: r.at, kind: r.kind, detail: JSON.parse(r.detail) }));
  }

  async pruneTimelines(before: number): Promise<void> {
    await this.db.run("DELETE FROM async_timeline WHERE request_id IN (SELECT request_id FROM async_timeline WHERE final AND at < $1)", [ms(before)]);
  }
}
