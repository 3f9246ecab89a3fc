/**
 * MappingStore on the SQLite database of `sqlite.ts`. Mappings change rarely (their own
 * transactions); checkpoints move with every batch, so they ride the group commit.
 */
import type Database from "better-sqlite3";
import type { MappingRecord } from "../services/lambda/event-source-mappings.js";
import type { GroupCommit } from "./group-commit.js";
import type { Checkpoint, MappingStore } from "./mapping-store.js";

export const MAPPING_TABLES = `
  CREATE TABLE event_source_mappings (
    uuid TEXT PRIMARY KEY,
    record TEXT NOT NULL
  );
  CREATE TABLE esm_checkpoints (
    uuid TEXT NOT NULL,
    position TEXT NOT NULL,
    sequence TEXT,
    extra TEXT,
    PRIMARY KEY (uuid, position)
  );`;

export class SqliteMappingStore implements MappingStore {
  private readonly stmts;

  constructor(
    db: Database.Database,
    private readonly commits: GroupCommit,
  ) {
    this.stmts = {
      list: db.prepare<[], { record: string }>("SELECT record FROM event_source_mappings ORDER BY uuid"),
      put: db.prepare("INSERT INTO event_source_mappings (uuid, record) VALUES (?, ?) ON CONFLICT(uuid) DO UPDATE SET record = excluded.record"),
      delete: db.prepare("DELETE FROM event_source_mappings WHERE uuid = ?"),
      deleteCheckpoints: db.prepare("DELETE FROM esm_checkpoints WHERE uuid = ?"),
      checkpoints: db.prepare<[string], { position: string; sequence: string | null; extra: string | null }>("SELECT position, sequence, extra FROM esm_checkpoints WHERE uuid = ?"),
      putCheckpoint: db.prepare(
        "INSERT INTO esm_checkpoints (uuid, position, sequence, extra) VALUES (?, ?, ?, ?) ON CONFLICT(uuid, position) DO UPDATE SET sequence = excluded.sequence, extra = excluded.extra",
      ),
    };
  }

  async listMappings(): Promise<MappingRecord[]> {
    return this.stmts.list.all().map((r) => JSON.parse(r.record) as MappingRecord);
  }

  async putMapping(record: MappingRecord): Promise<void> {
    await this.commits.run(() => this.stmts.put.run(record.uuid, JSON.stringify(record)));
  }

  async deleteMapping(uuid: string): Promise<void> {
    await this.commits.run(() => {
      this.stmts.delete.run(uuid);
      this.stmts.deleteCheckpoints.run(uuid);
    });
  }

  async checkpoints(uuid: string): Promise<Map<string, Checkpoint>> {
    const out = new Map<string, Checkpoint>();
    for (const row of this.stmts.checkpoints.all(uuid)) {
      out.set(row.position, { ...(row.sequence !== null ? { sequence: row.sequence } : {}), ...(row.extra !== null ? { extra: row.extra } : {}) });
    }
    return out;
  }

  async putCheckpoint(uuid: string, position: string, checkpoint: Checkpoint): Promise<void> {
    await this.commits.run(() => this.stmts.putCheckpoint.run(uuid, position, checkpoint.sequence ?? null, checkpoint.extra ?? null));
  }
}
