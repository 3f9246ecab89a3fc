/**
 * DynamoStore on the SQLite database of `sqlite.ts` (same file, same handle, tables from its
 * migrations). Keys are BLOBs, which SQLite compares with memcmp: the primary key (table, hk, rk)
 * is a partition's items in sort key order, and `seg` (the partition key's segment hash) beside it
 * orders a Scan. A write's reads, decisions and writes run inside one group-commit write: the one
 * connection runs nothing else meanwhile, so read-decide-write is atomic without locks; every
 * decision is made before anything is written, so an atomic write's refusal writes nothing. A stream's next sequence is one past its newest
 * record, which trimming never deletes.
 */
import type Database from "better-sqlite3";
import type { GroupCommit } from "./group-commit.js";
import type { TableRecord } from "../services/dynamodb/model.js";
import { segmentHash, type DynamoStore, type IndexEntry, type IndexedItem, type ItemKey, type ItemWrite, type QueryRequest, type ScanRequest, type StoredItem, type StoredStreamRecord, type WriteOutcome } from "./dynamodb-store.js";
import { decideAll, querySql, scanSql, toIndexed, toStored, toStreamRecord, type Change, type IndexedRow, type ItemRow, type StreamRow } from "./dynamodb-rows.js";

export const DYNAMODB_TABLES = `
  CREATE TABLE ddb_tables (
    name TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    record TEXT NOT NULL
  );
  CREATE TABLE ddb_items (
    table_id TEXT NOT NULL,
    hk BLOB NOT NULL,
    rk BLOB NOT NULL,
    seg INTEGER NOT NULL,
    item TEXT NOT NULL,
    size INTEGER NOT NULL,
    expires_at INTEGER,
    PRIMARY KEY (table_id, hk, rk)
  );
  CREATE INDEX ddb_items_scan ON ddb_items (table_id, seg, hk, rk);
  CREATE INDEX ddb_items_expiry ON ddb_items (table_id, expires_at) WHERE expires_at IS NOT NULL;
  CREATE TABLE ddb_index_entries (
    table_id TEXT NOT NULL,
    idx TEXT NOT NULL,
    hk BLOB NOT NULL,
    rk BLOB NOT NULL,
    item_hk BLOB NOT NULL,
    item_rk BLOB NOT NULL,
    seg INTEGER NOT NULL,
    PRIMARY KEY (table_id, idx, hk, rk, item_hk, item_rk)
  ) WITHOUT ROWID;
  CREATE INDEX ddb_index_entries_scan ON ddb_index_entries (table_id, idx, seg, hk, rk, item_hk, item_rk);
  CREATE INDEX ddb_index_entries_item ON ddb_index_entries (table_id, item_hk, item_rk);
  CREATE TABLE ddb_stream_records (
    stream TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    partition_key TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (stream, seq)
  );
  CREATE INDEX ddb_stream_records_at ON ddb_stream_records (at);`;

export class SqliteDynamoStore implements DynamoStore {
  private readonly stmts;
  /** Query and Scan statements by their text: a few shapes, each prepared once. */
  private readonly reads = new Map<string, Database.Statement<unknown[], IndexedRow>>();

  constructor(
    private readonly db: Database.Database,
    private readonly commits: GroupCommit,
  ) {
    this.stmts = {
      tables: db.prepare<[], { record: string }>("SELECT record FROM ddb_tables ORDER BY name"),
      insertTable: db.prepare("INSERT INTO ddb_tables (name, id, record) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING"),
      putTable: db.prepare("UPDATE ddb_tables SET id = ?, record = ? WHERE name = ?"),
      deleteTable: db.prepare("DELETE FROM ddb_tables WHERE name = ? AND id = ?"),
      deleteItems: db.prepare("DELETE FROM ddb_items WHERE table_id = ?"),
      deleteEntries: db.prepare("DELETE FROM ddb_index_entries WHERE table_id = ?"),
      dropIndex: db.prepare("DELETE FROM ddb_index_entries WHERE table_id = ? AND idx = ?"),
      get: db.prepare<[string, Buffer, Buffer], ItemRow>("SELECT hk, rk, item, size FROM ddb_items WHERE table_id = ? AND hk = ? AND rk = ?"),
      putItem: db.prepare(
        "INSERT INTO ddb_items (table_id, hk, rk, seg, item, size, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(table_id, hk, rk) DO UPDATE SET item = excluded.item, size = excluded.size, expires_at = excluded.expires_at",
      ),
      deleteItem: db.prepare("DELETE FROM ddb_items WHERE table_id = ? AND hk = ? AND rk = ?"),
      // (Left to itself the planner walks the table's every entry by the scan index.)
      clearEntries: db.prepare("DELETE FROM ddb_index_entries INDEXED BY ddb_index_entries_item WHERE table_id = ? AND item_hk = ? AND item_rk = ?"),
      clearEntry: db.prepare("DELETE FROM ddb_index_entries INDEXED BY ddb_index_entries_item WHERE table_id = ? AND idx = ? AND item_hk = ? AND item_rk = ?"),
      addEntry: db.prepare("INSERT OR REPLACE INTO ddb_index_entries (table_id, idx, hk, rk, item_hk, item_rk, seg) VALUES (?, ?, ?, ?, ?, ?, ?)"),
      stats: db.prepare<[string], { count: number; bytes: number }>("SELECT count(*) AS count, coalesce(sum(size), 0) AS bytes FROM ddb_items WHERE table_id = ?"),
      setExpiresAt: db.prepare("UPDATE ddb_items SET expires_at = ? WHERE table_id = ? AND hk = ? AND rk = ?"),
      expired: db.prepare<[string, number, number], ItemKey>(
        "SELECT hk, rk FROM ddb_items WHERE table_id = ? AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at, hk, rk LIMIT ?",
      ),
      latest: db.prepare<[string], { seq: number; at: number }>("SELECT seq, at FROM ddb_stream_records WHERE stream = ? ORDER BY seq DESC LIMIT 1"),
      append: db.prepare("INSERT INTO ddb_stream_records (stream, seq, at, partition_key, record) VALUES (?, ?, ?, ?, ?)"),
      readStream: db.prepare<[string, number, number, number], StreamRow>(
        "SELECT seq, at, partition_key, record FROM ddb_stream_records WHERE stream = ? AND seq > ? AND at >= ? ORDER BY seq LIMIT ?",
      ),
      trim: db.prepare(
        "DELETE FROM ddb_stream_records WHERE at < ? AND seq < (SELECT max(r.seq) FROM ddb_stream_records r WHERE r.stream = ddb_stream_records.stream)",
      ),
    };
  }

  async listTables(): Promise<TableRecord[]> {
    return this.stmts.tables.all().map((r) => JSON.parse(r.record) as TableRecord);
  }

  insertTable(table: TableRecord): Promise<boolean> {
    return this.commits.run(() => this.stmts.insertTable.run(table.name, table.id, JSON.stringify(table)).changes === 1);
  }

  putTable(table: TableRecord): Promise<void> {
    return this.commits.run(() => void this.stmts.putTable.run(table.id, JSON.stringify(table), table.name));
  }

  deleteTable(name: string, id: string): Promise<void> {
    return this.commits.run(() => {
      this.stmts.deleteTable.run(name, id);
      this.stmts.deleteItems.run(id);
      this.stmts.deleteEntries.run(id);
    });
  }

  dropIndex(table: string, index: string): Promise<void> {
    return this.commits.run(() => void this.stmts.dropIndex.run(table, index));
  }

  putIndexEntries(table: string, index: string, entries: { item: ItemKey; entry: IndexEntry | undefined }[]): Promise<void> {
    return this.commits.run(() => {
      for (const { item, entry } of entries) {
        this.stmts.clearEntry.run(table, index, item.hk, item.rk);
        if (entry) this.stmts.addEntry.run(table, index, entry.hk, entry.rk, item.hk, item.rk, segmentHash(entry.hk));
      }
    });
  }

  async getItem(table: string, key: ItemKey): Promise<StoredItem | undefined> {
    const row = this.stmts.get.get(table, key.hk, key.rk);
    return row && toStored(row);
  }

  async getItems(table: string, keys: ItemKey[]): Promise<StoredItem[]> {
    const out: StoredItem[] = [];
    for (const k of keys) {
      const row = this.stmts.get.get(table, k.hk, k.rk);
      if (row) out.push(toStored(row));
    }
    return out;
  }

  write(writes: ItemWrite[], atomic: boolean): Promise<WriteOutcome[]> {
    return this.commits.run(() => {
      const { outcomes, changes } = decideAll(writes, atomic, (table, key) => {
        const row = this.stmts.get.get(table, key.hk, key.rk);
        return row && toStored(row);
      });
      // A statement that throws undoes all of them: the group commit runs each write in its own savepoint.
      for (const c of changes) this.apply(c);
      return outcomes;
    });
  }

  private apply(c: Change): void {
    const { hk, rk } = c.key;
    const d = c.decision;
    this.stmts.clearEntries.run(c.table, hk, rk);
    if ("put" in d) {
      this.stmts.putItem.run(c.table, hk, rk, segmentHash(hk), d.put.item, d.put.size, d.put.expiresAt ?? null);
      for (const e of d.put.indexes) this.stmts.addEntry.run(c.table, e.index, e.hk, e.rk, hk, rk, segmentHash(e.hk));
    } else this.stmts.deleteItem.run(c.table, hk, rk);
    if (d.stream) {
      const s = d.stream;
      const seq = (this.stmts.latest.get(s.stream)?.seq ?? 0) + 1;
      this.stmts.append.run(s.stream, seq, s.at, s.partitionKey, s.record);
      c.outcome.sequence = seq;
    }
  }

  private prepared(text: string): Database.Statement<unknown[], IndexedRow> {
    let stmt = this.reads.get(text);
    if (!stmt) this.reads.set(text, (stmt = this.db.prepare<unknown[], IndexedRow>(text)));
    return stmt;
  }

  async query(q: QueryRequest): Promise<IndexedItem[]> {
    const { text, params } = querySql(q, () => "?");
    return this.prepared(text).all(...params).map((r) => toIndexed(r, q.hk));
  }

  async scan(q: ScanRequest): Promise<IndexedItem[]> {
    const { text, params } = scanSql(q, () => "?");
    return this.prepared(text).all(...params).map((r) => toIndexed(r));
  }

  async tableStats(table: string): Promise<{ count: number; bytes: number }> {
    return this.stmts.stats.get(table)!;
  }

  setExpiresAt(table: string, items: { key: ItemKey; expiresAt: number | undefined }[]): Promise<void> {
    return this.commits.run(() => {
      for (const { key, expiresAt } of items) this.stmts.setExpiresAt.run(expiresAt ?? null, table, key.hk, key.rk);
    });
  }

  async expired(table: string, nowSeconds: number, limit: number): Promise<ItemKey[]> {
    return this.stmts.expired.all(table, nowSeconds, limit).map((r) => ({ hk: r.hk, rk: r.rk }));
  }

  async readStream(stream: string, after: number, since: number, limit: number): Promise<StoredStreamRecord[]> {
    return this.stmts.readStream.all(stream, after, since, limit).map(toStreamRecord);
  }

  async latestInStream(stream: string): Promise<{ sequence: number; at: number } | undefined> {
    const row = this.stmts.latest.get(stream);
    return row && { sequence: row.seq, at: row.at };
  }

  trimStreams(before: number): Promise<number> {
    return this.commits.run(() => this.stmts.trim.run(before).changes);
  }
}
