/** The generic SQLite-to-PostgreSQL copy under `flint migrate`: values take their column's type, sequences move past the copied numbers. */
import { test } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import path from "node:path";
import { SqliteToPg, nonEmptyTables } from "./copy.js";
import { PgStore } from "./postgres.js";
import { SqliteStore } from "./sqlite.js";
import { databaseAndDir } from "../../test/harness/database-and-dir.js";

const fixture = databaseAndDir("flint-copy-");

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
