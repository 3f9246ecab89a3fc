/**
 * A PostgreSQL table of JSON records, one row per id: the record as JSON text in a `record` column,
 * beside the columns it is keyed and looked up by. Lists come in the byte order of the key (COLLATE
 * "C", the order SQLite's BINARY collation gives the same tables) unless the table says otherwise.
 * Every statement runs on the database, or on a transaction's `Sql` where one is given.
 */
import type { PgDb, Sql } from "./pg-db.js";

export interface RecordTableSpec<T> {
  table: string;
  /** The primary key: what a put conflicts on, a delete matches and (by default) a list is ordered by. */
  key: string;
  /** The columns an insert writes before `record`, each read from the record, in order. */
  columns: Record<string, (record: T) => unknown>;
  /** Which of `columns` a put that replaces a row sets again (`record` always is); none by default. */
  replaces?: readonly string[];
  /** What a list is ordered by, where not the key's byte order. */
  orderBy?: string;
}

export class PgRecordTable<T> {
  private readonly listSql: string;
  private readonly putSql: string;
  private readonly insertSql: string;
  private readonly deleteSql: string;
  private readonly columns: ((record: T) => unknown)[];

  constructor(
    private readonly db: PgDb,
    spec: RecordTableSpec<T>,
  ) {
    const names = [...Object.keys(spec.columns), "record"];
    const insert = `INSERT INTO ${spec.table} (${names.join(", ")}) VALUES (${names.map((_, i) => `$${i + 1}`).join(", ")}) ON CONFLICT (${spec.key})`;
    const replaced = [...(spec.replaces ?? []), "record"];
    this.listSql = `SELECT record FROM ${spec.table} ORDER BY ${spec.orderBy ?? `${spec.key} COLLATE "C"`}`;
    this.putSql = `${insert} DO UPDATE SET ${replaced.map((c) => `${c} = excluded.${c}`).join(", ")}`;
    this.insertSql = `${insert} DO NOTHING`;
    this.deleteSql = `DELETE FROM ${spec.table} WHERE ${spec.key} = $1`;
    this.columns = Object.values(spec.columns);
  }

  async list(sql: Sql = this.db): Promise<T[]> {
    const rows = await sql.query<{ record: string }>(this.listSql);
    return rows.map((r) => JSON.parse(r.record) as T);
  }

  /** Insert the record, or replace the row it conflicts with on the key. */
  async put(record: T, sql: Sql = this.db): Promise<void> {
    await sql.run(this.putSql, this.params(record));
  }

  /** Insert the record unless a row has its key: whether it was inserted. */
  async insert(record: T, sql: Sql = this.db): Promise<boolean> {
    return (await sql.run(this.insertSql, this.params(record))) === 1;
  }

  /** Delete the row whose key is `key`. */
  async delete(key: string, sql: Sql = this.db): Promise<void> {
    await sql.run(this.deleteSql, [key]);
  }

  private params(record: T): unknown[] {
    return [...this.columns.map((column) => column(record)), JSON.stringify(record)];
  }
}
