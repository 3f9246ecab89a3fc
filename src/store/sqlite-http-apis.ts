/** HttpApiStore on the SQLite database of `sqlite.ts`: one row per API, its record as JSON. */
import type Database from "better-sqlite3";
import type { HttpApiRecord } from "../services/apigateway/http-api-model.js";
import type { HttpApiStore } from "./http-api-store.js";

export const HTTP_API_TABLES = `
  CREATE TABLE http_apis (
    api_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
  );`;

export class SqliteHttpApiStore implements HttpApiStore {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      list: db.prepare<[], { record: string }>("SELECT record FROM http_apis ORDER BY api_id"),
      put: db.prepare("INSERT INTO http_apis (api_id, record) VALUES (?, ?) ON CONFLICT(api_id) DO UPDATE SET record = excluded.record"),
      delete: db.prepare("DELETE FROM http_apis WHERE api_id = ?"),
    };
  }

  async listHttpApis(): Promise<HttpApiRecord[]> {
    return this.stmts.list.all().map((r) => JSON.parse(r.record) as HttpApiRecord);
  }

  async putHttpApi(record: HttpApiRecord): Promise<void> {
    this.stmts.put.run(record.apiId, JSON.stringify(record));
  }

  async deleteHttpApi(apiId: string): Promise<void> {
    this.stmts.delete.run(apiId);
  }
}
