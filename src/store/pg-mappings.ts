/**
 * MappingStore on PostgreSQL: a mapping is one row, each of its checkpoints one row beside it, as
 * on SQLite (sqlite-mappings.ts). A checkpoint is written by the node holding the mapping's lease
 * (`mapping:<uuid>`, lease-store.ts), so a node that takes a mapping over resumes from the last
 * checkpoint its previous holder committed.
 */
import type { MappingRecord } from "../services/lambda/event-source-mappings.js";
import type { PgDb } from "./pg-db.js";
import type { Checkpoint, MappingStore } from "./mapping-store.js";
import { PgRecordTable } from "./pg-records.js";

export const PG_MAPPING_TABLES = `
  CREATE TABLE event_source_mappings (
    uuid text PRIMARY KEY,
    record text NOT NULL
  );
  CREATE TABLE esm_checkpoints (
    uuid text NOT NULL,
    position text NOT NULL,
    sequence text,
    extra text,
    PRIMARY KEY (uuid, position)
  );`;

export class PgMappingStore implements MappingStore {
  private readonly mappings: PgRecordTable<MappingRecord>;

  constructor(private readonly db: PgDb) {
    this.mappings = new PgRecordTable(db, { table: "event_source_mappings", key: "uuid", columns: { uuid: (r) => r.uuid } });
  }

  listMappings(): Promise<MappingRecord[]> {
    return this.mappings.list();
  }

  putMapping(record: MappingRecord): Promise<void> {
    return this.mappings.put(record);
  }

  async deleteMapping(uuid: string): Promise<void> {
    await this.db.tx(async (sql) => {
      await this.mappings.delete(uuid, sql);
      await sql.run("DELETE FROM esm_checkpoints WHERE uuid = $1", [uuid]);
    });
  }

  async checkpoints(uuid: string): Promise<Map<string, Checkpoint>> {
    const rows = await this.db.query<{ position: string; sequence: string | null; extra: string | null }>("SELECT position, sequence, extra FROM esm_checkpoints WHERE uuid = $1", [uuid]);
    const out = new Map<string, Checkpoint>();
    for (const row of rows) {
      out.set(row.position, { ...(row.sequence !== null ? { sequence: row.sequence } : {}), ...(row.extra !== null ? { extra: row.extra } : {}) });
    }
    return out;
  }

  async putCheckpoint(uuid: string, position: string, checkpoint: Checkpoint): Promise<void> {
    await this.db.run(
      "INSERT INTO esm_checkpoints (uuid, position, sequence, extra) VALUES ($1, $2, $3, $4) ON CONFLICT (uuid, position) DO UPDATE SET sequence = excluded.sequence, extra = excluded.extra",
      [uuid, position, checkpoint.sequence ?? null, checkpoint.extra ?? null],
    );
  }
}
