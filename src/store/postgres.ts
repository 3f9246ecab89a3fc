/**
 * Store on PostgreSQL (`--store postgres://…`): several Flint nodes share one database, which is the
 * cluster's distributed engine (its replication and failover are PostgreSQL's own). Each part is a
 * `pg-*.ts` file; the schema is migrated on start by `flint_schema`'s version, one node at a time.
 */
import { randomUUID } from "node:crypto";
import type { FunctionRecord } from "../services/lambda/model.js";
import { PgDb, type Sql } from "./pg-db.js";
import { PG_STREAM_TABLES, PgStreamStore } from "./pg-streams.js";
import { PG_MAPPING_TABLES, PgMappingStore } from "./pg-mappings.js";
import { PG_LEASE_TABLES, PgLeaseStore } from "./pg-leases.js";
import { PgChangeBus } from "./pg-changes.js";
import { PG_SLOT_TABLES, PgSlotStore } from "./pg-slots.js";
import { PG_ASYNC_TABLES, PgAsyncEventStore } from "./pg-async.js";
import { PG_SNS_TABLES, PgSnsStore } from "./pg-sns.js";
import type { Store } from "./store.js";
import { BLOB_TABLES, PgBlobStore } from "./pg-blobs.js";
import { LOG_TABLES, PG_LOG_TABLES, PG_LOG_TAIL_INDEX, PgLogsStore } from "./pg-log-events.js";
import { PgSettingsStore, SETTINGS_TABLES } from "./pg-settings.js";
import { PG_QUEUE_TABLES, PgQueueStore } from "./pg-queues.js";
import { PG_IAM_TABLES, PgIamStore } from "./pg-iam.js";
import { PG_FUNCTION_URL_TABLES, PgFunctionUrlStore } from "./pg-function-urls.js";
import { PG_REST_API_TABLES, PgRestApiStore } from "./pg-rest-apis.js";
import { PG_HTTP_API_TABLES, PgHttpApiStore } from "./pg-http-apis.js";
import { PG_DYNAMODB_TABLES, PgDynamoStore } from "./pg-dynamodb.js";
import { PG_METRIC_TABLES, PgMetricStore } from "./pg-metrics.js";

const FUNCTION_TABLES = `
  CREATE TABLE functions (
    name text PRIMARY KEY,
    record text NOT NULL
  );
  CREATE TABLE function_code (
    name text NOT NULL,
    code_id text NOT NULL,
    PRIMARY KEY (name, code_id)
  );
  CREATE INDEX function_code_by_code ON function_code (code_id);`;

/** Append-only: each entry upgrades the schema by one version. */
export const PG_MIGRATIONS: string[] = [
  FUNCTION_TABLES,
  PG_STREAM_TABLES,
  PG_MAPPING_TABLES,
  PG_LEASE_TABLES,
  BLOB_TABLES,
  LOG_TABLES,
  SETTINGS_TABLES,
  PG_IAM_TABLES,
  PG_FUNCTION_URL_TABLES,
  PG_REST_API_TABLES,
  PG_HTTP_API_TABLES,
  PG_QUEUE_TABLES,
  PG_SLOT_TABLES,
  PG_ASYNC_TABLES,
  PG_SNS_TABLES,
  PG_DYNAMODB_TABLES,
  PG_METRIC_TABLES,
  PG_LOG_TABLES,
  PG_LOG_TAIL_INDEX,
];

export class PgStore implements Store {
  readonly queues: Store["queues"];
  readonly asyncEvents: Store["asyncEvents"];
  readonly sns: Store["sns"];
  readonly iam: Store["iam"];
  readonly mappings: PgMappingStore;
  readonly streams: PgStreamStore;
  readonly dynamodb: PgDynamoStore;
  readonly metrics: PgMetricStore;
  readonly leases: PgLeaseStore;
  readonly functionUrls: Store["functionUrls"];
  readonly restApis: Store["restApis"];
  readonly httpApis: Store["httpApis"];
  readonly blobs: PgBlobStore;
  readonly logs: PgLogsStore;
  readonly settings: PgSettingsStore;
  readonly slots: PgSlotStore;

  private constructor(
    readonly db: PgDb,
    readonly nodeId: string,
    readonly changes: PgChangeBus,
  ) {
    this.queues = new PgQueueStore(db);
    this.iam = new PgIamStore(db);
    this.functionUrls = new PgFunctionUrlStore(db);
    this.restApis = new PgRestApiStore(db);
    this.httpApis = new PgHttpApiStore(db);
    this.mappings = new PgMappingStore(db);
    this.streams = new PgStreamStore(db);
    this.dynamodb = new PgDynamoStore(db);
    this.metrics = new PgMetricStore(db);
    this.leases = new PgLeaseStore(db, this.nodeId);
    this.blobs = new PgBlobStore(db);
    this.logs = new PgLogsStore(db);
    this.settings = new PgSettingsStore(db);
    this.slots = new PgSlotStore(db, this.nodeId);
    this.asyncEvents = new PgAsyncEventStore(db, this.nodeId);
    this.sns = new PgSnsStore(db, this.nodeId);
  }

  /** A bare connection (for administration: schemas, migration tools); the caller closes it. */
  static connectOnly(url: string): Promise<PgDb> {
    return PgDb.connect(url, 2);
  }

  /** Connect and migrate; throws SchemaTooNew on a database a newer Flint migrated. */
  static async open(url: string): Promise<PgStore> {
    const db = await PgDb.connect(url);
    try {
      await db.migrate(PG_MIGRATIONS);
      const nodeId = randomUUID();
      return new PgStore(db, nodeId, await PgChangeBus.open(db, nodeId));
    } catch (err) {
      await db.close();
      throw err;
    }
  }

  async getFunction(name: string): Promise<FunctionRecord | undefined> {
    const [row] = await this.db.query<{ record: string }>("SELECT record FROM functions WHERE name = $1", [name]);
    return row ? (JSON.parse(row.record) as FunctionRecord) : undefined;
  }

  async listFunctions(): Promise<FunctionRecord[]> {
    const rows = await this.db.query<{ record: string }>("SELECT record FROM functions ORDER BY name COLLATE \"C\"");
    return rows.map((r) => (JSON.parse(r.record) as FunctionRecord));
  }

  async putFunction(record: FunctionRecord, codeIds: readonly string[]): Promise<void> {
    await this.db.tx(async (sql) => {
      await sql.run("INSERT INTO functions (name, record) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET record = excluded.record", [record.name, JSON.stringify(record)]);
      await this.writeCodeRefs(sql, record.name, codeIds);
    });
  }

  async insertFunction(record: FunctionRecord, codeIds: readonly string[]): Promise<boolean> {
    return this.db.tx(async (sql) => {
      const inserted = (await sql.run("INSERT INTO functions (name, record) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", [record.name, JSON.stringify(record)])) === 1;
      if (inserted) await this.writeCodeRefs(sql, record.name, codeIds);
      return inserted;
    });
  }

  private async writeCodeRefs(sql: Sql, name: string, codeIds: readonly string[]): Promise<void> {
    await sql.run("DELETE FROM function_code WHERE name = $1", [name]);
    const ids = [...new Set(codeIds)];
    if (ids.length) await sql.run("INSERT INTO function_code (name, code_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING", [name, ids]);
  }

  async deleteFunction(name: string): Promise<void> {
    await this.db.tx(async (sql) => {
      await sql.run("DELETE FROM functions WHERE name = $1", [name]);
      await sql.run("DELETE FROM function_code WHERE name = $1", [name]);
    });
  }

  async codeInUse(codeId: string): Promise<boolean> {
    const [row] = await this.db.query<{ n: number }>("SELECT count(*)::int AS n FROM function_code WHERE code_id = $1", [codeId]);
    return (row?.n ?? 0) > 0;
  }

  async close(): Promise<void> {
    await this.slots.releaseAll().catch((err) => console.error("flint: postgres: giving concurrency slots back:", (err as Error).message));
    await this.db.close();
  }
}
