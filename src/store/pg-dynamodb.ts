/**
 * DynamoStore on PostgreSQL: the tables and columns of sqlite-dynamodb.ts, keys in bytea (which
 * PostgreSQL compares bytewise, as memcmp). Several nodes write one item at once, and the item may
 * not exist yet, so there is no row to lock: a write first takes a transaction-scoped advisory lock
 * per item it names (a hash of table id and key, in ascending order so two writes never wait for
 * each other in a cycle), then reads, decides and writes. A stream's sequences come from its
 * counter row (`ddb_streams.last_seq`), bumped in the write's transaction and locked until it
 * commits: sequences have no gaps or repeats across nodes, and commit in their order.
 */
import { createHash } from "node:crypto";
import type { PgDb, Sql } from "./pg-db.js";
import type { TableRecord } from "../services/dynamodb/model.js";
import { segmentHash, type DynamoStore, type IndexEntry, type IndexedItem, type ItemKey, type ItemWrite, type PutDecision, type QueryRequest, type ScanRequest, type StoredItem, type StoredStreamRecord, type WriteOutcome } from "./dynamodb-store.js";
import { decideAll, querySql, scanSql, streamCounts, toIndexed, toStored, toStreamRecord, type Change, type IndexedRow, type ItemRow, type StreamRow } from "./dynamodb-rows.js";

export const PG_DYNAMODB_TABLES = `
  CREATE TABLE ddb_tables (
    name text PRIMARY KEY,
    id text NOT NULL,
    record text NOT NULL
  );
  CREATE TABLE ddb_items (
    table_id text NOT NULL,
    hk bytea NOT NULL,
    rk bytea NOT NULL,
    seg bigint NOT NULL,
    item text NOT NULL,
    size integer NOT NULL,
    expires_at bigint,
    PRIMARY KEY (table_id, hk, rk)
  );
  CREATE INDEX ddb_items_scan ON ddb_items (table_id, seg, hk, rk);
  CREATE INDEX ddb_items_expiry ON ddb_items (table_id, expires_at) WHERE expires_at IS NOT NULL;
  CREATE TABLE ddb_index_entries (
    table_id text NOT NULL,
    idx text NOT NULL,
    hk bytea NOT NULL,
    rk bytea NOT NULL,
    item_hk bytea NOT NULL,
    item_rk bytea NOT NULL,
    seg bigint NOT NULL,
    PRIMARY KEY (table_id, idx, hk, rk, item_hk, item_rk)
  );
  CREATE INDEX ddb_index_entries_scan ON ddb_index_entries (table_id, idx, seg, hk, rk, item_hk, item_rk);
  CREATE INDEX ddb_index_entries_item ON ddb_index_entries (table_id, item_hk, item_rk);
  CREATE TABLE ddb_stream_records (
    stream text NOT NULL,
    seq bigint NOT NULL,
    at bigint NOT NULL,
    partition_key text NOT NULL,
    record text NOT NULL,
    PRIMARY KEY (stream, seq)
  );
  CREATE INDEX ddb_stream_records_at ON ddb_stream_records (at);
  CREATE TABLE ddb_streams (
    stream text PRIMARY KEY,
    last_seq bigint NOT NULL
  );`;

/** The advisory lock space of DynamoDB items (two-key form; the second key is the item's hash). */
const ITEM_LOCKS = 18;

/** A 32-bit signed hash of an item's table and key: what its advisory lock is taken on. */
function lockKey(table: string, key: ItemKey): number {
  const h = createHash("sha1").update(table).update("\0").update(String(key.hk.length)).update("\0").update(key.hk).update(key.rk).digest();
  return h.readInt32BE(0);
}

const GET = "SELECT hk, rk, item, size FROM ddb_items WHERE table_id = $1 AND hk = $2 AND rk = $3";
const GET_MANY = "SELECT i.hk, i.rk, i.item, i.size FROM unnest($2::bytea[], $3::bytea[]) AS k(hk, rk) JOIN ddb_items i ON i.table_id = $1 AND i.hk = k.hk AND i.rk = k.rk";

async function readItems(sql: Sql, table: string, keys: ItemKey[]): Promise<ItemRow[]> {
  if (keys.length === 1) return sql.query<ItemRow>(GET, [table, keys[0]!.hk, keys[0]!.rk]);
  return sql.query<ItemRow>(GET_MANY, [table, keys.map((k) => k.hk), keys.map((k) => k.rk)]);
}

const itemId = (table: string, hk: Buffer, rk: Buffer) => `${table}\u0000${hk.toString("hex")}\u0000${rk.toString("hex")}`;

export class PgDynamoStore implements DynamoStore {
  constructor(private readonly db: PgDb) {}

  async listTables(): Promise<TableRecord[]> {
    const rows = await this.db.query<{ record: string }>('SELECT record FROM ddb_tables ORDER BY name COLLATE "C"');
    return rows.map((r) => JSON.parse(r.record) as TableRecord);
  }

  async insertTable(table: TableRecord): Promise<boolean> {
    return (await this.db.run("INSERT INTO ddb_tables (name, id, record) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING", [table.name, table.id, JSON.stringify(table)])) === 1;
  }

  async putTable(table: TableRecord): Promise<void> {
    await this.db.run("UPDATE ddb_tables SET id = $2, record = $3 WHERE name = $1", [table.name, table.id, JSON.stringify(table)]);
  }

  async deleteTable(name: string, id: string): Promise<void> {
    await this.db.tx(async (sql) => {
      await sql.run("DELETE FROM ddb_tables WHERE name = $1 AND id = $2", [name, id]);
      await sql.run("DELETE FROM ddb_items WHERE table_id = $1", [id]);
      await sql.run("DELETE FROM ddb_index_entries WHERE table_id = $1", [id]);
    });
  }

  async dropIndex(table: string, index: string): Promise<void> {
    await this.db.run("DELETE FROM ddb_index_entries WHERE table_id = $1 AND idx = $2", [table, index]);
  }

  async putIndexEntries(table: string, index: string, entries: { item: ItemKey; entry: IndexEntry | undefined }[]): Promise<void> {
    if (!entries.length) return;
    await this.db.tx(async (sql) => {
      await sql.run(
        "DELETE FROM ddb_index_entries e USING unnest($3::bytea[], $4::bytea[]) AS k(hk, rk) WHERE e.table_id = $1 AND e.idx = $2 AND e.item_hk = k.hk AND e.item_rk = k.rk",
        [table, index, entries.map((e) => e.item.hk), entries.map((e) => e.item.rk)],
      );
      const present = entries.filter((e) => e.entry);
      if (present.length) {
        await sql.run(
          `INSERT INTO ddb_index_entries (table_id, idx, hk, rk, item_hk, item_rk, seg)
           SELECT $1, $2, * FROM unnest($3::bytea[], $4::bytea[], $5::bytea[], $6::bytea[], $7::bigint[]) ON CONFLICT DO NOTHING`,
          [table, index, present.map((e) => e.entry!.hk), present.map((e) => e.entry!.rk), present.map((e) => e.item.hk), present.map((e) => e.item.rk), present.map((e) => segmentHash(e.entry!.hk))],
        );
      }
    });
  }

  async getItem(table: string, key: ItemKey): Promise<StoredItem | undefined> {
    const [row] = await this.db.query<ItemRow>(GET, [table, key.hk, key.rk]);
    return row && toStored(row);
  }

  async getItems(table: string, keys: ItemKey[]): Promise<StoredItem[]> {
    if (!keys.length) return [];
    return (await readItems(this.db, table, keys)).map(toStored);
  }

  write(writes: ItemWrite[], atomic: boolean): Promise<WriteOutcome[]> {
    if (!writes.length) return Promise.resolve([]);
    return this.db.tx(async (sql) => {
      const locks = [...new Set(writes.map((w) => lockKey(w.table, w.key)))].sort((a, b) => a - b);
      // unnest yields the keys in the array's (ascending) order, and each lock is taken in turn.
      await sql.query("SELECT pg_advisory_xact_lock($1, k) FROM unnest($2::int[]) AS k", [ITEM_LOCKS, locks]);
      // Read only once every lock is held: what is read is what the last writer of each item committed.
      const stored = new Map<string, StoredItem>();
      const byTable = new Map<string, ItemKey[]>();
      for (const w of writes) byTable.set(w.table, [...(byTable.get(w.table) ?? []), w.key]);
      for (const [table, keys] of byTable) for (const r of await readItems(sql, table, keys)) stored.set(itemId(table, r.hk, r.rk), toStored(r));
      const { outcomes, changes } = decideAll(writes, atomic, (table, key) => stored.get(itemId(table, key.hk, key.rk)));
      if (changes.length) await this.apply(sql, changes);
      return outcomes;
    });
  }

  /**
   * Store the changes in two statements whatever their number (round trips are what a write costs):
   * each item's last change with its old index entries gone and, when one stream is written, that
   * stream's counter; then the new index entries and every stream record in order.
   */
  private async apply(sql: Sql, changes: Change[]): Promise<void> {
    const last = new Map<string, Change>();
    for (const c of changes) last.set(itemId(c.table, c.key.hk, c.key.rk), c);
    const finals = [...last.values()];
    const puts = finals.filter((c): c is Change & { decision: PutDecision } => "put" in c.decision);
    const deletes = finals.filter((c) => "delete" in c.decision);
    const keyArrays = (cs: Change[]) => [cs.map((c) => c.table), cs.map((c) => c.key.hk), cs.map((c) => c.key.rk)];
    const counts = [...streamCounts(changes)];
    // Counters in name order: two writes to the same streams never wait for each other in a cycle.
    // One stream (the usual case) is counted in the first statement; several each in their own, first.
    const next = new Map<string, number>();
    const count = async (text: string, params: unknown[], stream: string, n: number) => {
      const [row] = await sql.query<{ last_seq: number | null }>(text, params);
      next.set(stream, row!.last_seq! - n + 1);
    };
    const COUNTER = (p: number) =>
      `INSERT INTO ddb_streams (stream, last_seq) VALUES ($${p}, (SELECT coalesce(max(seq), 0) FROM ddb_stream_records WHERE stream = $${p}) + $${p + 1})
       ON CONFLICT (stream) DO UPDATE SET last_seq = ddb_streams.last_seq + $${p + 1} RETURNING last_seq`;
    if (counts.length > 1) for (const [stream, n] of counts) await count(COUNTER(1), [stream, n], stream, n);
    // The statement's parts touch different tables, or different rows of one (an item is put or deleted, not both).
    const first = `WITH gone AS (
        DELETE FROM ddb_index_entries e USING unnest($1::text[], $2::bytea[], $3::bytea[]) AS k(t, hk, rk) WHERE e.table_id = k.t AND e.item_hk = k.hk AND e.item_rk = k.rk
      ), dropped AS (
        DELETE FROM ddb_items i USING unnest($4::text[], $5::bytea[], $6::bytea[]) AS k(t, hk, rk) WHERE i.table_id = k.t AND i.hk = k.hk AND i.rk = k.rk
      ), stored AS (
        INSERT INTO ddb_items (table_id, hk, rk, seg, item, size, expires_at)
        SELECT * FROM unnest($7::text[], $8::bytea[], $9::bytea[], $10::bigint[], $11::text[], $12::integer[], $13::bigint[])
        ON CONFLICT (table_id, hk, rk) DO UPDATE SET item = excluded.item, size = excluded.size, expires_at = excluded.expires_at
      )${counts.length === 1 ? `, counter AS (${COUNTER(14)}) SELECT last_seq FROM counter` : " SELECT NULL AS last_seq"}`;
    const params = [
      ...keyArrays(finals),
      ...keyArrays(deletes),
      ...keyArrays(puts),
      puts.map((c) => segmentHash(c.key.hk)),
      puts.map((c) => c.decision.put.item),
      puts.map((c) => c.decision.put.size),
      puts.map((c) => c.decision.put.expiresAt ?? null),
    ];
    if (counts.length === 1) await count(first, [...params, ...counts[0]!], counts[0]![0], counts[0]![1]);
    else await sql.query(first, params);

    const records = changes.filter((c) => c.decision.stream);
    for (const c of records) {
      const stream = c.decision.stream!.stream;
      c.outcome.sequence = next.get(stream)!;
      next.set(stream, c.outcome.sequence + 1);
    }
    const entries = puts.flatMap((c) => c.decision.put.indexes.map((e) => ({ c, e })));
    const r = records.map((c) => c.decision.stream!);
    const ENTRIES = `INSERT INTO ddb_index_entries (table_id, idx, hk, rk, item_hk, item_rk, seg)
      SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[], $5::bytea[], $6::bytea[], $7::bigint[]) ON CONFLICT DO NOTHING`;
    const RECORDS = (p: number) => `INSERT INTO ddb_stream_records (stream, seq, at, partition_key, record)
      SELECT * FROM unnest($${p}::text[], $${p + 1}::bigint[], $${p + 2}::bigint[], $${p + 3}::text[], $${p + 4}::text[])`;
    const entryParams = [entries.map((x) => x.c.table), entries.map((x) => x.e.index), entries.map((x) => x.e.hk), entries.map((x) => x.e.rk), entries.map((x) => x.c.key.hk), entries.map((x) => x.c.key.rk), entries.map((x) => segmentHash(x.e.hk))];
    const recordParams = [r.map((x) => x.stream), records.map((c) => c.outcome.sequence), r.map((x) => x.at), r.map((x) => x.partitionKey), r.map((x) => x.record)];
    if (entries.length && records.length) await sql.run(`WITH appended AS (${RECORDS(8)}) ${ENTRIES}`, [...entryParams, ...recordParams]);
    else if (entries.length) await sql.run(ENTRIES, entryParams);
    else if (records.length) await sql.run(RECORDS(1), recordParams);
  }

  async query(q: QueryRequest): Promise<IndexedItem[]> {
    const { text, params } = querySql(q, (n) => `$${n}`);
    return (await this.db.query<IndexedRow>(text, params)).map((r) => toIndexed(r, q.hk));
  }

  async scan(q: ScanRequest): Promise<IndexedItem[]> {
    const { text, params } = scanSql(q, (n) => `$${n}`);
    return (await this.db.query<IndexedRow>(text, params)).map((r) => toIndexed(r));
  }

  async tableStats(table: string): Promise<{ count: number; bytes: number }> {
    const [row] = await this.db.query<{ count: number; bytes: number }>("SELECT count(*) AS count, coalesce(sum(size), 0) AS bytes FROM ddb_items WHERE table_id = $1", [table]);
    return row!;
  }

  async setExpiresAt(table: string, items: { key: ItemKey; expiresAt: number | undefined }[]): Promise<void> {
    if (!items.length) return;
    await this.db.run(
      "UPDATE ddb_items i SET expires_at = u.at FROM unnest($2::bytea[], $3::bytea[], $4::bigint[]) AS u(hk, rk, at) WHERE i.table_id = $1 AND i.hk = u.hk AND i.rk = u.rk",
      [table, items.map((i) => i.key.hk), items.map((i) => i.key.rk), items.map((i) => i.expiresAt ?? null)],
    );
  }

  async expired(table: string, nowSeconds: number, limit: number): Promise<ItemKey[]> {
    return this.db.query<ItemKey>(
      "SELECT hk, rk FROM ddb_items WHERE table_id = $1 AND expires_at IS NOT NULL AND expires_at <= $2 ORDER BY expires_at, hk, rk LIMIT $3",
      [table, nowSeconds, limit],
    );
  }

  async readStream(stream: string, after: number, since: number, limit: number): Promise<StoredStreamRecord[]> {
    const rows = await this.db.query<StreamRow>(
      "SELECT seq, at, partition_key, record FROM ddb_stream_records WHERE stream = $1 AND seq > $2 AND at >= $3 ORDER BY seq LIMIT $4",
      [stream, after, since, limit],
    );
    return rows.map(toStreamRecord);
  }

  async latestInStream(stream: string): Promise<{ sequence: number; at: number } | undefined> {
    const [row] = await this.db.query<{ seq: number; at: number }>("SELECT seq, at FROM ddb_stream_records WHERE stream = $1 ORDER BY seq DESC LIMIT 1", [stream]);
    return row && { sequence: row.seq, at: row.at };
  }

  async trimStreams(before: number): Promise<number> {
    return this.db.run(
      "DELETE FROM ddb_stream_records r WHERE r.at < $1 AND r.seq < (SELECT max(x.seq) FROM ddb_stream_records x WHERE x.stream = r.stream)",
      [before],
    );
  }
}
