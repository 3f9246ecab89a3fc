/** Packages on a store nodes share: a node that never saw an upload runs the package from the store. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CodeStore } from "./code.js";
import { PgStore } from "../../store/postgres.js";
import { SqliteStore } from "../../store/sqlite.js";
import type { Store } from "../../store/store.js";
import { zipFiles } from "../../../test/harness/zip.js";
import { testDatabase, type TestDatabase } from "../../../test/harness/postgres.js";

let db: TestDatabase;
const dirs: string[] = [];
before(async () => void (db = await testDatabase()));
after(async () => {
  await db.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "flint-code-shared-"));
  dirs.push(dir);
  return dir;
}

test("a node with an empty data dir unpacks a package uploaded through another node; a package no function uses leaves the shared store", async (t) => {
  const [a, b] = [await PgStore.open(db.url), await PgStore.open(db.url)];
  t.after(() => Promise.all([a.close(), b.close()]));
  const uploader = await CodeStore.create(await dataDir(), a.blobs);
  const zip = await zipFiles({ "index.mjs": "export const handler = async () => 'hi';", "bin/run": { content: "#!/bin/sh\n", mode: 0o755 } });
  const code = await uploader.inspect(zip);
  await uploader.save(zip, code);

  const otherDir = await dataDir();
  const other = await CodeStore.create(otherDir, b.blobs);
  const dir = await other.extract(code);
  assert.equal(await readFile(path.join(dir, "index.mjs"), "utf8"), "export const handler = async () => 'hi';");
  assert.deepEqual(await readFile(await other.localZip(code)), zip);

  await uploader.remove(code);
  assert.equal(await b.blobs.has(code.id), false);
  const third = await CodeStore.create(await dataDir(), b.blobs);
  await assert.rejects(third.extract(code), /in no store/);
});

test("on SQLite a package stays in the data dir only: nothing is copied into the database", async (t) => {
  const dir = await dataDir();
  const store: Store = SqliteStore.open(dir);
  t.after(() => store.close());
  assert.equal(store.blobs, undefined);
  const code = await CodeStore.create(dir, store.blobs);
  const zip = await zipFiles({ "index.mjs": "export const handler = async () => 1;" });
  const ref = await code.inspect(zip);
  await code.save(zip, ref);
  await code.extract(ref);
  assert.deepEqual((await readdir(path.join(dir, "code"))).sort(), [ref.id, `${ref.id}.zip`]);
});
