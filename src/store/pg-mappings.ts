/**
 * MappingStore on PostgreSQL: a mapping is one row, each of its checkpoints one row beside it, as
 * on SQLite (sqlite-mappings.ts). A checkpoint is written by the node holding the mapping's lease
 * (`mapping:<uuid>`, lease-store.ts), so a node that takes a mapping over resumes from the last
 * checkpoint its previous holder committed.
 */
import type { MappingRecord } from "../services/lambda/event-source-mappings.js";
import type { PgDb } from "./pg-db.js";
import type { Checkpoint, MappingStore } from "./mapping-store.js";

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
  constructor(private readonly db: PgDb) {}

  async listMappings(): Promise<MappingRecord[]> {
    const rows = await this.db.query<{ record: string }>('SELECT record FROM event_source_mappings ORDER BY uuid COLLATE "C"');
    return rows.map((r) => JSON.parse(r.record) as MappingRecord);
  }

  async putMapping(record: MappingRecord): Promise<void> {
    await this.db.run("INSERT INTO event_source_mappings (uuid, record) VALUES ($1, $2) ON CONFLICT (uuid) DO UPDATE SET record = excluded.record", [record.uuid, JSON.stringify(record)]);
  }

  async deleteMapping(uuid: string): Promise<void> {
    await this.db.tx(async (sql) => {
      await sql.run("DELETE FROM event_source_mappings WHERE uuid = $1", [uuid]);
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
