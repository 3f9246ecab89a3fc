/**
 * FunctionUrlStore on the SQLite database of `sqlite.ts`. URL configs change rarely: each write is
 * its own statement.
 */
import type Database from "better-sqlite3";
import type { FunctionUrlRecord } from "../services/lambda/function-urls.js";
import type { FunctionUrlStore } from "./function-url-store.js";

export const FUNCTION_URL_TABLES = `
  CREATE TABLE function_urls (
    url_id TEXT PRIMARY KEY,
    function_name TEXT NOT NULL,
    record TEXT NOT NULL
  );
  CREATE INDEX function_urls_by_function ON function_urls (function_name);`;

export class SqliteFunctionUrlStore implements FunctionUrlStore {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      list: db.prepare<[], { record: string }>("SELECT record FROM function_urls ORDER BY url_id"),
      put: db.prepare("INSERT INTO function_urls (url_id, function_name, record) VALUES (?, ?, ?) ON CONFLICT(url_id) DO UPDATE SET function_name = excluded.function_name, record = excluded.record"),
      delete: db.prepare("DELETE FROM function_urls WHERE url_id = ?"),
      deleteOf: db.prepare("DELETE FROM function_urls WHERE function_name = ?"),
    };
  }

  async listUrls(): Promise<FunctionUrlRecord[]> {
    return this.stmts.list.all().map((r) => JSON.parse(r.record) as FunctionUrlRecord);
  }

  async putUrl(record: FunctionUrlRecord): Promise<void> {
    this.stmts.put.run(record.urlId, record.functionName, JSON.stringify(record));
  }

  async deleteUrl(urlId: string): Promise<void> {
    this.stmts.delete.run(urlId);
  }

  async deleteUrlsOf(functionName: string): Promise<void> {
    this.stmts.deleteOf.run(functionName);
  }
}
