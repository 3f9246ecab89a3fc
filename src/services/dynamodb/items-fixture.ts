/**
 * For the items tests: an ItemsService on a real store (SQLite in a temp dir, or PostgreSQL in a
 * database of its own), a ManualClock, and tables written straight into the store (the tables
 * service is not under test here).
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ManualClock } from "../../clock/manual-clock.js";
import { PgStore } from "../../store/postgres.js";
import { SqliteStore } from "../../store/sqlite.js";
import { testDatabase, type TestDatabase } from "../../../test/harness/postgres.js";
import { ItemsService, type TableLookup } from "./items.js";
import type { AttributeDefinition, IndexRecord, StoredStreamBody, StreamViewType, TableRecord } from "./model.js";
import { dynamoError } from "./dynamo-errors.js";

export const REGION = "us-east-1";
const ACCOUNT = "123456789012";

export interface TableSpec {
  name: string;
  hash: [string, "S" | "N" | "B"];
  range?: [string, "S" | "N" | "B"];
  indexes?: { name: string; kind: "global" | "local"; hash: [string, "S" | "N" | "B"]; range?: [string, "S" | "N" | "B"]; projection?: IndexRecord["Projection"] }[];
  stream?: StreamViewType;
  ttl?: string;
}

export class Fixture implements TableLookup {
  readonly tables = new Map<string, TableRecord>();
  readonly appended: { arn: string; sequence: number }[] = [];
  readonly clock = new ManualClock(Date.UTC(2026, 0, 1));
  items!: ItemsService;
  store!: SqliteStore | PgStore;
  private dir = "";
  private db: TestDatabase | undefined;

  static async open(kind: "sqlite" | "postgres" = "sqlite"): Promise<Fixture> {
    const f = new Fixture();
    if (kind === "postgres") {
      f.db = await testDatabase();
      f.store = await PgStore.open(f.db.url);
    } else {
      f.dir = await mkdtemp(path.join(tmpdir(), "flint-ddb-items-"));
      f.store = SqliteStore.open(f.dir);
    }
    f.items = new ItemsService({ tables: f, store: f.store.dynamodb, clock: f.clock, region: REGION, appended: (arn, sequence) => f.appended.push({ arn, sequence }) });
    return f;
  }

  async close(): Promise<void> {
    await this.store.close();
    if (this.db) await this.db.close();
    else await rm(this.dir, { recursive: true, force: true });
  }

  async resolve(nameOrArn: string): Promise<TableRecord> {
    const t = this.tables.get(nameOrArn) ?? [...this.tables.values()].find((x) => x.arn === nameOrArn);
    if (!t) throw dynamoError("ResourceNotFoundException", "Requested resource not found");
    return t;
  }

  all(): TableRecord[] {
    return [...this.tables.values()];
  }

  async table(spec: TableSpec): Promise<TableRecord> {
    const defs = new Map<string, AttributeDefinition>();
    const def = ([n, t]: [string, "S" | "N" | "B"]) => defs.set(n, { AttributeName: n, AttributeType: t });
    def(spec.hash);
    if (spec.range) def(spec.range);
    const schema = (h: [string, unknown], r?: [string, unknown]) => [
      { AttributeName: h[0], KeyType: "HASH" as const },
      ...(r ? [{ AttributeName: r[0], KeyType: "RANGE" as const }] : []),
    ];
    const indexes: IndexRecord[] = (spec.indexes ?? []).map((i) => {
      def(i.hash);
      if (i.range) def(i.range);
      return { IndexName: i.name, kind: i.kind, KeySchema: schema(i.hash, i.range), Projection: i.projection ?? { ProjectionType: "ALL" }, IndexStatus: i.kind === "global" ? "ACTIVE" : undefined };
    });
    const arn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${spec.name}`;
    const now = this.clock.now();
    const label = new Date(now).toISOString().slice(0, 23);
    const record: TableRecord = {
      name: spec.name,
      id: randomUUID(),
      arn,
      createdAt: now,
      status: "ACTIVE",
      keySchema: schema(spec.hash, spec.range),
      attributeDefinitions: [...defs.values()],
      billingMode: "PAY_PER_REQUEST",
      indexes,
      streams: spec.stream ? [{ arn: `${arn}/stream/${label}`, label, viewType: spec.stream, createdAt: now }] : [],
      ttl: spec.ttl ? { attributeName: spec.ttl, enabled: true } : undefined,
      tags: {},
      deletionProtection: false,
    };
    await this.store.dynamodb.insertTable(record);
    this.tables.set(spec.name, record);
    return record;
  }

  /** The table's stream records, parsed. */
  async records(table: TableRecord): Promise<StoredStreamBody[]> {
    const arn = table.streams[0]!.arn;
    const rows = await this.store.dynamodb.readStream(arn, 0, 0, 10000);
    return rows.map((r) => JSON.parse(r.record) as StoredStreamBody);
  }
}

/** The error a promise rejects with: its code, message and extra members. */
export async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; extra: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code: string; message: string; extra?: Record<string, unknown> };
    return { code: err.code, message: err.message, extra: err.extra ?? {} };
  }
  throw new Error("expected the call to fail");
}
