/** HttpApiStore on PostgreSQL: one row per API, its record as JSON. */
import type { HttpApiRecord } from "../services/apigateway/http-api-model.js";
import type { HttpApiStore } from "./http-api-store.js";
import type { PgDb } from "./pg-db.js";

export const PG_HTTP_API_TABLES = `
  CREATE TABLE http_apis (
    api_id text PRIMARY KEY,
    record text NOT NULL
  );`;

export class PgHttpApiStore implements HttpApiStore {
  constructor(private readonly db: PgDb) {}

  async listHttpApis(): Promise<HttpApiRecord[]> {
    const rows = await this.db.query<{ record: string }>('SELECT record FROM http_apis ORDER BY api_id COLLATE "C"');
    return rows.map((r) => JSON.parse(r.record) as HttpApiRecord);
  }

  async putHttpApi(record: HttpApiRecord): Promise<void> {
    await this.db.run("INSERT INTO http_apis (api_id, record) VALUES ($1, $2) ON CONFLICT (api_id) DO UPDATE SET record = excluded.record", [record.apiId, JSON.stringify(record)]);
  }

  async deleteHttpApi(apiId: string): Promise<void> {
    await this.db.run("DELETE FROM http_apis WHERE api_id = $1", [apiId]);
  }
}
