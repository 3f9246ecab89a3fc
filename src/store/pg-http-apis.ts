/** HttpApiStore on PostgreSQL: one row per API, its record as JSON. */
import type { HttpApiRecord } from "../services/apigateway/http-api-model.js";
import type { HttpApiStore } from "./http-api-store.js";
import type { PgDb } from "./pg-db.js";
import { PgRecordTable } from "./pg-records.js";

export const PG_HTTP_API_TABLES = `
  CREATE TABLE http_apis (
    api_id text PRIMARY KEY,
    record text NOT NULL
  );`;

export class PgHttpApiStore implements HttpApiStore {
  private readonly apis: PgRecordTable<HttpApiRecord>;

  constructor(db: PgDb) {
    this.apis = new PgRecordTable(db, { table: "http_apis", key: "api_id", columns: { api_id: (r) => r.apiId } });
  }

  listHttpApis(): Promise<HttpApiRecord[]> {
    return this.apis.list();
  }

  putHttpApi(record: HttpApiRecord): Promise<void> {
    return this.apis.put(record);
  }

  deleteHttpApi(apiId: string): Promise<void> {
    return this.apis.delete(apiId);
  }
}
