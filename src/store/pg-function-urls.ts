/** FunctionUrlStore on PostgreSQL: one row per URL config, each write its own statement. */
import type { FunctionUrlRecord } from "../services/lambda/function-urls.js";
import type { FunctionUrlStore } from "./function-url-store.js";
import type { PgDb } from "./pg-db.js";
import { PgRecordTable } from "./pg-records.js";

export const PG_FUNCTION_URL_TABLES = `
  CREATE TABLE function_urls (
    url_id text PRIMARY KEY,
    function_name text NOT NULL,
    record text NOT NULL
  );
  CREATE INDEX function_urls_by_function ON function_urls (function_name);`;

export class PgFunctionUrlStore implements FunctionUrlStore {
  private readonly urls: PgRecordTable<FunctionUrlRecord>;

  constructor(private readonly db: PgDb) {
    this.urls = new PgRecordTable(db, {
      table: "function_urls",
      key: "url_id",
      columns: { url_id: (r) => r.urlId, function_name: (r) => r.functionName },
      replaces: ["function_name"],
    });
  }

  listUrls(): Promise<FunctionUrlRecord[]> {
    return this.urls.list();
  }

  putUrl(record: FunctionUrlRecord): Promise<void> {
    return this.urls.put(record);
  }

  deleteUrl(urlId: string): Promise<void> {
    return this.urls.delete(urlId);
  }

  async deleteUrlsOf(functionName: string): Promise<void> {
    await this.db.run("DELETE FROM function_urls WHERE function_name = $1", [functionName]);
  }
}
