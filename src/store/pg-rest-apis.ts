/** RestApiStore on PostgreSQL: one JSON row per REST API. */
import type { RestApiRecord } from "../services/apigateway/model.js";
import type { PgDb } from "./pg-db.js";
import { PgRecordTable } from "./pg-records.js";
import type { RestApiStore } from "./rest-api-store.js";

export const PG_REST_API_TABLES = `
  CREATE TABLE rest_apis (
    id text PRIMARY KEY,
    record text NOT NULL
  );`;

export class PgRestApiStore implements RestApiStore {
  private readonly apis: PgRecordTable<RestApiRecord>;

  constructor(db: PgDb) {
    this.apis = new PgRecordTable(db, { table: "rest_apis", key: "id", columns: { id: (r) => r.id } });
  }

  listRestApis(): Promise<RestApiRecord[]> {
    return this.apis.list();
  }

  putRestApi(record: RestApiRecord): Promise<void> {
    return this.apis.put(record);
  }

  deleteRestApi(id: string): Promise<void> {
    return this.apis.delete(id);
  }
}
