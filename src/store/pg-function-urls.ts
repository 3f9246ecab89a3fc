/** FunctionUrlStore on PostgreSQL: one row per URL config, each write its own statement. */
import type { FunctionUrlRecord } from "../services/lambda/function-urls.js";
import type { FunctionUrlStore } from "./function-url-store.js";
import type { PgDb } from "./pg-db.js";

export const PG_FUNCTION_URL_TABLES = `
  CREATE TABLE function_urls (
    url_id text PRIMARY KEY,
    function_name text NOT NULL,
    record text NOT NULL
  );
  CREATE INDEX function_urls_by_function ON function_urls (function_name);`;

export class PgFunctionUrlStore implements FunctionUrlStore {
  constructor(private readonly db: PgDb) {}

  async listUrls(): Promise<FunctionUrlRecord[]> {
    const rows = await this.db.query<{ record: string }>('SELECT record FROM function_urls ORDER BY url_id COLLATE "C"');
    return rows.map((r) => JSON.parse(r.record) as FunctionUrlRecord);
  }

  async putUrl(record: FunctionUrlRecord): Promise<void> {
    await this.db.run(
      "INSERT INTO function_urls (url_id, function_name, record) VALUES ($1, $2, $3) ON CONFLICT (url_id) DO UPDATE SET function_name = excluded.function_name, record = excluded.record",
      [record.urlId, record.functionName, JSON.stringify(record)],
    );
  }

  async deleteUrl(urlId: string): Promise<void> {
    await this.db.run("DELETE FROM function_urls WHERE url_id = $1", [urlId]);
  }

  async deleteUrlsOf(functionName: string): Promise<void> {
    await this.db.run("DELETE FROM function_urls WHERE function_name = $1", [functionName]);
  }
}
