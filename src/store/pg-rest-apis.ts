/** RestApiStore on PostgreSQL: one JSON row per REST API. */
import type { RestApiRecord } from "../services/apigateway/model.js";
import type { PgDb } from "./pg-db.js";
import type { RestApiStore } from "./rest-api-store.js";

export const PG_REST_API_TABLES = `
  CREATE TABLE rest_apis (
    id text PRIMARY KEY,
    record text NOT NULL
  );`;

export class PgRestApiStore implements RestApiStore {
  constructor(private readonly db: PgDb) {}

  async listRestApis(): Promise<RestApiRecord[]> {
    const rows = await this.db.query<{ record: string }>('SELECT record FROM rest_apis ORDER BY id COLLATE "C"');
    return rows.map((r) => JSON.parse(r.record) as RestApiRecord);
  }

  async putRestApi(record: RestApiRecord): Promise<void> {
    await this.db.run("INSERT INTO rest_apis (id, record) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET record = excluded.record", [record.id, JSON.stringify(record)]);
  }

  async deleteRestApi(id: string): Promise<void> {
    await this.db.run("DELETE FROM rest_apis WHERE id = $1", [id]);
  }
}
