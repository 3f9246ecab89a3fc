/**
 * Moving a single-node installation onto PostgreSQL (`flint migrate`): every row of the data dir's
 * SQLite store copied, table by table, into a PostgreSQL store that holds no Flint data. Both schemas
 * use the same table and column names, so the copy is generic: it goes in the SQLite migrations'
 * order (parents before the rows that point at them), converts each value to its PostgreSQL
 * column's type, and moves sequences past the copied numbers. A SQLite table or column with data the
 * PostgreSQL schema has no place for is refused unless the caller accepts leaving it behind.
 */
import Database from "better-sqlite3";
import path from "node:path";
import type { PgDb, Sql } from "./pg-db.js";
import { SqliteStore } from "./sqlite.js";

export interface CopyPlan {
  /** Tables both stores have, in copy order, with the columns copied. */
  tables: { table: string; columns: string[]; rows: number }[];
  /** SQLite tables the PostgreSQL schema lacks, with how many rows they hold. */
  missingTables: { table: string; rows: number }[];
  /** SQLite columns (holding values) the PostgreSQL table lacks. */
  missingColumns: { table: string; column: string }[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const quote = (name: string) => {
  if (!NAME.test(name)) throw new Error(`unexpected table or column name '${name}'`);
  return `"${name}"`;
};

/** Tables of `db`'s current schema that hold rows (its own bookkeeping, flint_schema, aside). */
export async function nonEmptyTables(db: PgDb): Promise<string[]> {
  const tables = await db.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'flint_schema' ORDER BY table_name",
  );
  const full: string[] = [];
  for (const { table_name } of tables) if ((await db.query(`SELECT 1 FROM ${quote(table_name)} LIMIT 1`)).length) full.push(table_name);
  return full;
}

interface PgColumn {
  table_name: string;
  column_name: string;
  data_type: string;
  column_default: string | null;
  is_identity: string;
}

export class SqliteToPg {
  private constructor(
    private readonly source: Database.Database,
    private readonly target: PgDb,
  ) {}

  /**
   * One of the data dir's store files (`flint.db`, the logs' `logs.db` or the CloudWatch metrics'
   * `metrics.db`, all named as PostgreSQL names them), brought up to this Flint's schema, then
   * opened read-only.
   */
  static async open(dataDir: string, target: PgDb, file: "flint.db" | "logs.db" | "metrics.db" = "flint.db"): Promise<SqliteToPg> {
    await SqliteStore.open(dataDir).close();
    return new SqliteToPg(new Database(path.join(dataDir, file), { readonly: true, fileMustExist: true }), target);
  }

  close(): void {
    this.source.close();
  }

  private sourceTables(): string[] {
    // sqlite_master lists tables in the order the migrations created them.
    return this.source.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid").all().map((r) => r.name);
  }

  private async targetColumns(): Promise<Map<string, PgColumn[]>> {
    const rows = await this.target.query<PgColumn>(
      "SELECT table_name, column_name, data_type, column_default, is_identity FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
    );
    const out = new Map<string, PgColumn[]>();
    for (const r of rows) out.set(r.table_name, [...(out.get(r.table_name) ?? []), r]);
    return out;
  }

  async plan(): Promise<CopyPlan> {
    const target = await this.targetColumns();
    const plan: CopyPlan = { tables: [], missingTables: [], missingColumns: [] };
    for (const table of this.sourceTables()) {
      const rows = this.source.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${quote(table)}`).get()!.n;
      const columns = target.get(table);
      if (!columns) {
        plan.missingTables.push({ table, rows });
        continue;
      }
      const names = new Set(columns.map((c) => c.column_name));
      const copied: string[] = [];
      for (const { name } of this.source.prepare<[string], { name: string }>("SELECT name FROM pragma_table_info(?)").all(table)) {
        if (names.has(name)) copied.push(name);
        else if (this.source.prepare(`SELECT 1 FROM ${quote(table)} WHERE ${quote(name)} IS NOT NULL LIMIT 1`).get()) plan.missingColumns.push({ table, column: name });
      }
      plan.tables.push({ table, columns: copied, rows });
    }
    return plan;
  }

  /** Copy every planned row in one transaction: the target ends with all of them or none. */
  async copy(plan: CopyPlan): Promise<void> {
    const target = await this.targetColumns();
    await this.target.tx(async (sql) => {
      for (const { table, columns } of plan.tables) {
        const types = new Map(target.get(table)!.map((c) => [c.column_name, c.data_type]));
        const convert = columns.map((c) => converter(types.get(c)!));
        const perInsert = Math.max(1, Math.min(1000, Math.floor(30_000 / columns.length)));
        let batch: unknown[][] = [];
        const flush = async () => {
          if (!batch.length) return;
          const values = batch.map((_, i) => `(${columns.map((_, j) => `$${i * columns.length + j + 1}`).join(", ")})`).join(", ");
          await sql.run(`INSERT INTO ${quote(table)} (${columns.map(quote).join(", ")}) OVERRIDING SYSTEM VALUE VALUES ${values}`, batch.flat());
          batch = [];
        };
        const select = this.source.prepare(`SELECT ${columns.map(quote).join(", ")} FROM ${quote(table)}`).raw(true);
        for (const row of select.iterate() as IterableIterator<unknown[]>) {
          batch.push(row.map((v, j) => convert[j]!(v)));
          if (batch.length >= perInsert) await flush();
        }
        await flush();
        for (const c of target.get(table)!) if (c.is_identity === "YES" || c.column_default?.startsWith("nextval(")) await advanceSequence(sql, table, c.column_name);
      }
    });
  }
}

/** A SQLite value as its PostgreSQL column takes it (SQLite keeps booleans as 0/1 and has no bytea). */
function converter(pgType: string): (v: unknown) => unknown {
  if (pgType === "boolean") return (v) => (v === null ? null : Boolean(v));
  if (pgType === "bytea") return (v) => (v === null || Buffer.isBuffer(v) ? v : Buffer.from(String(v)));
  if (pgType === "text" || pgType === "character varying" || pgType === "json" || pgType === "jsonb") return (v) => (Buffer.isBuffer(v) ? v.toString("utf8") : v === null ? null : typeof v === "string" ? v : String(v));
  return (v) => v;
}

async function advanceSequence(sql: Sql, table: string, column: string): Promise<void> {
  const [seq] = await sql.query<{ s: string | null }>("SELECT pg_get_serial_sequence($1, $2) AS s", [table, column]);
  if (!seq?.s) return;
  await sql.query(`SELECT setval($1, max(${quote(column)})) FROM ${quote(table)} HAVING max(${quote(column)}) IS NOT NULL`, [seq.s]);
}
