/** RestApiStore on the SQLite database of `sqlite.ts`: one JSON row per REST API. */
import type Database from "better-sqlite3";
import type { RestApiRecord } from "../services/apigateway/model.js";
import type { RestApiStore } from "./rest-api-store.js";

export const REST_API_TABLES = `
  CREATE TABLE rest_apis (
    id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  );`;

export class SqliteRestApiStore implements RestApiStore {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      list: db.prepare<[], { record: string }>("SELECT record FROM rest_apis ORDER BY id"),
      put: db.prepare("INSERT INTO rest_apis (id, record) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET record = excluded.record"),
      delete: db.prepare("DELETE FROM rest_apis WHERE id = ?"),
    };
  }

  async listRestApis(): Promise<RestApiRecord[]> {
    return this.stmts.list.all().map((r) => JSON.parse(r.record) as RestApiRecord);
  }

  async putRestApi(record: RestApiRecord): Promise<void> {
    this.stmts.put.run(record.id, JSON.stringify(record));
  }

  async deleteRestApi(id: string): Promise<void> {
    this.stmts.delete.run(id);
  }
}
