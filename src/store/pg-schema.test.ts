/**
 * The PostgreSQL schema: the first node to start migrates it (nodes starting together take turns), and
 * a node refuses a database whose schema is newer than it knows, as `flint serve` says at start.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PG_MIGRATIONS, PgStore } from "./postgres.js";
import { SchemaTooNew } from "./pg-db.js";
import { testDatabase, type TestDatabase } from "../../test/harness/postgres.js";

let db: TestDatabase;
before(async () => void (db = await testDatabase()));
after(() => db.close());

test("three nodes starting at once on an empty database: one migrates, all open on the same schema", async () => {
  const stores = await Promise.all([PgStore.open(db.url), PgStore.open(db.url), PgStore.open(db.url)]);
  try {
    const [row] = await stores[0]!.db.query<{ version: number }>("SELECT version FROM flint_schema");
    assert.equal(row?.version, PG_MIGRATIONS.length);
    assert.equal((await stores[1]!.db.query("SELECT version FROM flint_schema")).length, 1);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
});

test("a schema newer than this Flint knows is refused, and flint serve says so and exits", async () => {
  const admin = await PgStore.connectOnly(db.url);
  try {
    await admin.run("UPDATE flint_schema SET version = $1", [PG_MIGRATIONS.length + 1]);
    await assert.rejects(PgStore.open(db.url), (err: Error) => err instanceof SchemaTooNew && /newer than this Flint knows/.test(err.message));
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "flint-schema-"));
    try {
      const cli = new URL("../cli/main.js", import.meta.url).pathname;
      const out = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, [cli, "serve", "--port", "0", "--data-dir", dataDir, "--store", db.url], { timeout: 60_000 }, (err, _stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stderr }));
        child.stdin?.end();
      });
      assert.notEqual(out.code, 0);
      assert.match(out.stderr, /newer than this Flint knows/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    // Nothing was changed by the refusal.
    const [row] = await admin.query<{ version: number }>("SELECT version FROM flint_schema");
    assert.equal(row?.version, PG_MIGRATIONS.length + 1);
  } finally {
    await admin.close();
  }
});
