/**
 * Store on embedded SQLite (better-sqlite3): one file in the data dir, WAL journal, schema migrated
 * by `user_version`. better-sqlite3 is synchronous and fast; the async interface costs a microtask.
 */
import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import path from "node:path";
import type { FunctionRecord } from "../services/lambda/model.js";
import type { QueueStore } from "./queue-store.js";
import { QUEUE_GROUP_INDEX, QUEUE_TABLES, SqliteQueueStore } from "./sqlite-queues.js";
import type { AsyncEventStore } from "./async-store.js";
import { ASYNC_LEASES, ASYNC_TABLES, SqliteAsyncEventStore } from "./sqlite-async.js";
import type { SnsStore } from "./sns-store.js";
import { SNS_LEASES, SNS_TABLES, SqliteSnsStore } from "./sqlite-sns.js";
import type { IamStore } from "./iam-store.js";
import { IAM_TABLES, SqliteIamStore } from "./sqlite-iam.js";
import type { MappingStore } from "./mapping-store.js";
import { MAPPING_TABLES, SqliteMappingStore } from "./sqlite-mappings.js";
import type { Store } from "./store.js";
import { GroupCommit } from "./group-commit.js";
import type { StreamStore } from "./stream-store.js";
import { SqliteStreamStore, STREAM_TABLES } from "./sqlite-streams.js";
import type { FunctionUrlStore } from "./function-url-store.js";
import { FUNCTION_URL_TABLES, SqliteFunctionUrlStore } from "./sqlite-function-urls.js";
import type { RestApiStore } from "./rest-api-store.js";
import { REST_API_TABLES, SqliteRestApiStore } from "./sqlite-rest-apis.js";
import type { HttpApiStore } from "./http-api-store.js";
import { HTTP_API_TABLES, SqliteHttpApiStore } from "./sqlite-http-apis.js";
import type { LeaseStore } from "./lease-store.js";
import { LEASE_TABLES, SqliteLeaseStore } from "./sqlite-leases.js";
import { LocalChangeBus, type LocalNode } from "./change-bus.js";
import { SLOT_TABLES, SqliteSlotStore } from "./sqlite-slots.js";
import type { DynamoStore } from "./dynamodb-store.js";
import { DYNAMODB_TABLES, SqliteDynamoStore } from "./sqlite-dynamodb.js";
import { SqliteMetricStore } from "./sqlite-metrics.js";
import { SqliteLogsStore } from "./sqlite-logs.js";

/** Append-only: each entry upgrades the schema by one version. */
const MIGRATIONS: string[] = [
  `CREATE TABLE functions (
     name TEXT PRIMARY KEY,
     record TEXT NOT NULL
   );
   CREATE TABLE function_code (
     name TEXT NOT NULL,
     code_id TEXT NOT NULL,
     PRIMARY KEY (name, code_id)
   );
   CREATE INDEX function_code_by_code ON function_code (code_id);`,
  QUEUE_TABLES,
  ASYNC_TABLES,
  SNS_TABLES,
  QUEUE_GROUP_INDEX,
  IAM_TABLES,
  STREAM_TABLES,
  MAPPING_TABLES,
  FUNCTION_URL_TABLES,
  REST_API_TABLES,
  HTTP_API_TABLES,
  LEASE_TABLES,
  SLOT_TABLES,
  ASYNC_LEASES,
  SNS_LEASES,
  DYNAMODB_TABLES,
];


export class SqliteStore implements Store {
  readonly nodeId = randomUUID();
  private readonly db: Database.Database;
  private readonly commits: GroupCommit;
  private readonly stmts;
  readonly queues: QueueStore;
  readonly asyncEvents: AsyncEventStore;
  readonly sns: SnsStore;
  readonly iam: IamStore;
  readonly mappings: MappingStore;
  readonly streams: StreamStore;
  readonly dynamodb: DynamoStore;
  readonly metrics: SqliteMetricStore;
  readonly functionUrls: FunctionUrlStore;
  readonly restApis: RestApiStore;
  readonly httpApis: HttpApiStore;
  readonly leases: LeaseStore;
  readonly changes: LocalNode;
  readonly slots: SqliteSlotStore;
  readonly logs: SqliteLogsStore;

  /** `bus`: share one with another SqliteStore on the same file to make them two nodes (tests). */
  constructor(file: string, bus = new LocalChangeBus()) {
    this.changes = bus.join();
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma("foreign_keys = ON");
    this.migrate();
    this.commits = new GroupCommit(this.db);
    this.queues = new SqliteQueueStore(this.db, this.commits);
    this.asyncEvents = new SqliteAsyncEventStore(this.db, this.commits, this.nodeId);
    this.sns = new SqliteSnsStore(this.db, this.commits, this.nodeId);
    this.iam = new SqliteIamStore(this.db);
    this.mappings = new SqliteMappingStore(this.db, this.commits);
    this.streams = new SqliteStreamStore(this.db, this.commits);
    this.dynamodb = new SqliteDynamoStore(this.db, this.commits);
    this.metrics = new SqliteMetricStore(fileBeside(file, "metrics"));
    this.functionUrls = new SqliteFunctionUrlStore(this.db);
    this.restApis = new SqliteRestApiStore(this.db);
    this.httpApis = new SqliteHttpApiStore(this.db);
    this.leases = new SqliteLeaseStore(this.db, this.nodeId);
    this.slots = new SqliteSlotStore(this.db, this.nodeId);
    this.logs = new SqliteLogsStore(fileBeside(file, "logs"));
    this.stmts = {
      get: this.db.prepare<[string], { record: string }>("SELECT record FROM functions WHERE name = ?"),
      list: this.db.prepare<[], { record: string }>("SELECT record FROM functions ORDER BY name"),
      upsert: this.db.prepare("INSERT INTO functions (name, record) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET record = excluded.record"),
      insert: this.db.prepare("INSERT INTO functions (name, record) VALUES (?, ?) ON CONFLICT(name) DO NOTHING"),
      delete: this.db.prepare("DELETE FROM functions WHERE name = ?"),
      clearCode: this.db.prepare("DELETE FROM function_code WHERE name = ?"),
      addCode: this.db.prepare("INSERT OR IGNORE INTO function_code (name, code_id) VALUES (?, ?)"),
      codeInUse: this.db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM function_code WHERE code_id = ?"),
    };
  }

  static open(dataDir: string): SqliteStore {
    return new SqliteStore(path.join(dataDir, "flint.db"));
  }

  private migrate(): void {
    const current = this.db.pragma("user_version", { simple: true }) as number;
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  private writeCodeRefs(name: string, codeIds: readonly string[]): void {
    this.stmts.clearCode.run(name);
    for (const id of codeIds) this.stmts.addCode.run(name, id);
  }

  async getFunction(name: string): Promise<FunctionRecord | undefined> {
    const row = this.stmts.get.get(name);
    return row ? (JSON.parse(row.record) as FunctionRecord) : undefined;
  }

  async listFunctions(): Promise<FunctionRecord[]> {
    return this.stmts.list.all().map((r) => (JSON.parse(r.record) as FunctionRecord));
  }

  async putFunction(record: FunctionRecord, codeIds: readonly string[]): Promise<void> {
    this.db.transaction(() => {
      this.stmts.upsert.run(record.name, JSON.stringify(record));
      this.writeCodeRefs(record.name, codeIds);
    })();
  }

  async insertFunction(record: FunctionRecord, codeIds: readonly string[]): Promise<boolean> {
    return this.db.transaction(() => {
      const inserted = this.stmts.insert.run(record.name, JSON.stringify(record)).changes === 1;
      if (inserted) this.writeCodeRefs(record.name, codeIds);
      return inserted;
    })();
  }

  async deleteFunction(name: string): Promise<void> {
    this.db.transaction(() => {
      this.stmts.delete.run(name);
      this.stmts.clearCode.run(name);
    })();
  }

  async codeInUse(codeId: string): Promise<boolean> {
    return (this.stmts.codeInUse.get(codeId)?.n ?? 0) > 0;
  }

  /** Idempotent: a second close finds nothing to do. */
  async close(): Promise<void> {
    if (!this.db.open) return;
    this.changes.leave();
    this.commits.flush();
    this.slots.releaseAll();
    this.db.close();
    this.metrics.close();
    this.logs.close();
  }
}

/**
 * Metrics and logs live in files of their own beside the main one (`<data>/metrics.db`,
 * `<data>/logs.db` beside `flint.db`; `x.metrics.db` beside another `x.db`), so their writes never
 * wait behind the main file's commits.
 */
function fileBeside(file: string, part: "metrics" | "logs"): string {
  if (file === ":memory:") return file;
  const base = path.basename(file);
  return path.join(path.dirname(file), base === "flint.db" ? `${part}.db` : `${base.replace(/\.db$/, "")}.${part}.db`);
}
