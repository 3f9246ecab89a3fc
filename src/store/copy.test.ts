/** The generic SQLite-to-PostgreSQL copy under `flint migrate`: values take their column's type, sequences move past the copied numbers. */
import { test } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { SqliteToPg, nonEmptyTables } from "./copy.js";
import { PgStore } from "./postgres.js";
import { SqliteStore } from "./sqlite.js";
import { RESOLUTIONS, type MetricKey } from "./metric-store.js";
import { ofStatistics, ofValue, percentile } from "../services/cloudwatch/aggregate.js";
import { databaseAndDir } from "../../test/harness/database-and-dir.js";

const fixture = databaseAndDir("flint-copy-");

/** A new schema of the fixture's database, as its own `postgres://` URL: a store there starts empty. */
async function emptySchema(): Promise<string> {
  const schema = `c_${randomBytes(6).toString("hex")}`;
  const admin = await PgStore.connectOnly(fixture.db.url);
  await admin.run(`CREATE SCHEMA ${schema}`);
  await admin.close();
  const url = new URL(fixture.db.url);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.toString();
}

test("rows are copied with booleans, bytes and text as PostgreSQL types them; a serial column's sequence continues after them; what has no place is named", async (t) => {
  const { db, dir } = fixture;
  await SqliteStore.open(dir).close();
  const raw = new Database(path.join(dir, "flint.db"));
  raw.exec(`CREATE TABLE copy_probe (id INTEGER PRIMARY KEY, flag INTEGER NOT NULL, data BLOB, note TEXT, gone TEXT);
            CREATE TABLE only_here (x TEXT); INSERT INTO only_here VALUES ('left');`);
  const insert = raw.prepare("INSERT INTO copy_probe (id, flag, data, note, gone) VALUES (?, ?, ?, ?, ?)");
  for (let i = 1; i <= 1500; i++) insert.run(i * 2, i % 2, i === 7 ? null : Buffer.from([i % 256, 0, 255]), `note ${i}`, i === 3 ? "value" : null);
  raw.close();

  const store = await PgStore.open(db.url);
  t.after(() => store.close());
  await store.db.run("CREATE TABLE copy_probe (id bigserial PRIMARY KEY, flag boolean NOT NULL, data bytea, note text)");
  const copier = await SqliteToPg.open(dir, store.db);
  t.after(() => copier.close());
  const plan = await copier.plan();
  // (Parts not yet on PostgreSQL are missing too, empty here.)
  assert.deepEqual(plan.missingTables.filter((m) => m.rows > 0), [{ table: "only_here", rows: 1 }]);
  assert.deepEqual(plan.missingColumns, [{ table: "copy_probe", column: "gone" }]);
  assert.deepEqual(plan.tables.find((p) => p.table === "copy_probe"), { table: "copy_probe", columns: ["id", "flag", "data", "note"], rows: 1500 });
  assert.deepEqual(await nonEmptyTables(store.db), []);

  await copier.copy(plan);
  const rows = await store.db.query<{ id: number; flag: boolean; data: Buffer | null; note: string }>("SELECT id, flag, data, note FROM copy_probe ORDER BY id");
  assert.equal(rows.length, 1500);
  assert.deepEqual(rows[0], { id: 2, flag: true, data: Buffer.from([1, 0, 255]), note: "note 1" });
  assert.equal(rows[6]!.data, null);
  assert.equal(rows[1]!.flag, false);
  const [next] = await store.db.query<{ id: number }>("INSERT INTO copy_probe (flag) VALUES (true) RETURNING id");
  assert.equal(next!.id, 3001);
  assert.deepEqual(await nonEmptyTables(store.db), ["copy_probe"]);
});

test("DynamoDB tables, items (an empty sort key too), index entries and stream records are copied; the next stream record numbers after the copied ones", async (t) => {
  const sub = path.join(fixture.dir, "dynamodb");
  await mkdir(sub);
  const source = SqliteStore.open(sub);
  const table = { name: "moved", id: "tid", arn: "arn:aws:dynamodb:us-east-1:123456789012:table/moved", createdAt: 1, status: "ACTIVE", keySchema: [{ AttributeName: "pk", KeyType: "HASH" }], attributeDefinitions: [{ AttributeName: "pk", AttributeType: "B" }], billingMode: "PAY_PER_REQUEST", indexes: [], streams: [], tags: {}, deletionProtection: false } as const;
  await source.dynamodb.insertTable({ ...table, keySchema: [...table.keySchema], attributeDefinitions: [...table.attributeDefinitions], indexes: [], streams: [] });
  const stream = "arn:aws:dynamodb:us-east-1:123456789012:table/moved/stream/2026-01-01T00:00:00.000";
  for (const hk of [Buffer.from([0x80, 0]), Buffer.from("a")]) {
    await source.dynamodb.write([{ table: "tid", key: { hk, rk: Buffer.alloc(0) }, decide: () => ({ put: { item: `{"k":"${hk.toString("hex")}"}`, size: 5, indexes: [{ index: "g", hk: Buffer.from("g"), rk: hk }], expiresAt: 99 }, stream: { stream, at: 7, partitionKey: hk.toString("hex"), record: "{}" } }) }], false);
  }
  await source.close();

  const store = await PgStore.open(await emptySchema());
  t.after(() => store.close());
  const copier = await SqliteToPg.open(sub, store.db);
  t.after(() => copier.close());
  const plan = await copier.plan();
  assert.deepEqual(plan.missingTables.filter((m) => m.table.startsWith("ddb_")), []);
  assert.deepEqual(plan.missingColumns, []);
  await copier.copy(plan);

  const d = store.dynamodb;
  assert.deepEqual((await d.listTables()).map((x) => x.name), ["moved"]);
  assert.deepEqual(await d.getItem("tid", { hk: Buffer.from("a"), rk: Buffer.alloc(0) }), { hk: Buffer.from("a"), rk: Buffer.alloc(0), item: '{"k":"61"}', size: 5 });
  assert.deepEqual((await d.query({ table: "tid", index: "g", hk: Buffer.from("g"), forward: true, limit: 5 })).map((i) => i.hk), [Buffer.from("a"), Buffer.from([0x80, 0])]);
  assert.equal((await d.scan({ table: "tid", segment: 0, totalSegments: 1, limit: 5 })).length, 2);
  assert.equal((await d.expired("tid", 100, 5)).length, 2);
  const [o] = await d.write([{ table: "tid", key: { hk: Buffer.from("b"), rk: Buffer.alloc(0) }, decide: () => ({ delete: true, stream: { stream, at: 8, partitionKey: "62", record: "{}" } }) }], false);
  assert.equal(o!.sequence, 3);
});

test("CloudWatch metrics are copied at every resolution, percentiles' histograms too; a series written after continues the numbering", async (t) => {
  const sub = path.join(fixture.dir, "metrics");
  await mkdir(sub);
  const T = Date.UTC(2026, 0, 1, 12, 0, 0) / 1000;
  const duration: MetricKey = { namespace: "AWS/Lambda", name: "Duration", dimensions: [{ Name: "FunctionName", Value: "moved" }] };
  const source = SqliteStore.open(sub);
  await source.metrics.write([1, 2, 3, 50].map((v, i) => ({ key: duration, at: T + i * 30, unit: "Milliseconds", value: ofValue(v) })));
  await source.metrics.write([{ key: { namespace: "App", name: "Orders", dimensions: [] }, at: T, unit: "Count", value: ofStatistics(3, 12, 2, 6) }]);
  const before = await Promise.all(RESOLUTIONS.map((r) => source.metrics.read(duration, r.seconds, T - 3600, T + 3600, true)));
  await source.close();

  const store = await PgStore.open(await emptySchema());
  t.after(() => store.close());
  const copier = await SqliteToPg.open(sub, store.db, "metrics.db");
  t.after(() => copier.close());
  const plan = await copier.plan();
  assert.deepEqual(plan.missingTables, []);
  assert.deepEqual(plan.missingColumns, []);
  assert.deepEqual(plan.tables.map((p) => [p.table, p.rows]), [["metric_series", 2], ["metric_points", 4 + 2 + 1 + 3]]);
  await copier.copy(plan);

  const after = await Promise.all(RESOLUTIONS.map((r) => store.metrics.read(duration, r.seconds, T - 3600, T + 3600, true)));
  assert.deepEqual(after, before);
  assert.equal(after[0]!.length, 4);
  assert.equal(percentile(after[2]![0]!.value, 100), 50);
  assert.deepEqual((await store.metrics.list({}, 10)).metrics.map((m) => m.name).sort(), ["Duration", "Orders"]);
  await store.metrics.write([{ key: { ...duration, name: "Errors" }, at: T, unit: "Count", value: ofValue(1) }]);
  assert.deepEqual((await store.metrics.list({}, 10)).metrics.map((m) => m.name), ["Duration", "Orders", "Errors"]);
});
