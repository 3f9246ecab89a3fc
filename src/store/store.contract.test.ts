/**
 * One contract, every implementation: each part's suite (`contract/*.ts`) runs against the embedded
 * SQLite store and the PostgreSQL store, as BullMQ's backends share one conformance suite. Each test
 * gets a fresh, empty store: a new SQLite file, or a new schema in this file's PostgreSQL database.
 */
import { after, before, describe } from "node:test";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { SqliteStore } from "./sqlite.js";
import { PgStore } from "./postgres.js";
import type { Store } from "./store.js";
import { testDatabase, type TestDatabase } from "../../test/harness/postgres.js";
import { CONTRACTS, type FreshStore } from "./contract/index.js";

describe("SQLite store", () => {
  let dir = "";
  before(async () => void (dir = await mkdtemp(path.join(os.tmpdir(), "flint-contract-"))));
  after(() => rm(dir, { recursive: true, force: true }));
  const files = new WeakMap<Store, string>();
  const fresh: FreshStore = async (t) => {
    const file = path.join(dir, `${randomBytes(6).toString("hex")}.db`);
    const store: Store = new SqliteStore(file);
    files.set(store, file);
    t.after(() => store.close());
    return store;
  };
  fresh.node = async (t, of) => {
    const store = new SqliteStore(files.get(of)!);
    // A test may close a node itself (a node leaving the cluster).
    t.after(() => store.close().catch(() => {}));
    return store;
  };
  for (const contract of CONTRACTS) contract(fresh);
});

describe("PostgreSQL store", () => {
  let db: TestDatabase | undefined;
  before(async () => void (db = await testDatabase()));
  after(() => db?.close());
  const fresh: FreshStore = async (t) => {
    const schema = `s_${randomBytes(6).toString("hex")}`;
    const url = new URL(db!.url);
    url.searchParams.set("options", `-c search_path=${schema}`);
    const admin = await PgStore.connectOnly(db!.url);
    await admin.run(`CREATE SCHEMA ${schema}`);
    await admin.close();
    const store = await PgStore.open(url.toString());
    t.after(() => store.close());
    return store;
  };
  fresh.node = async (t, of) => {
    const store = await PgStore.open((of as PgStore).db.url);
    // A test may close a node itself (a node leaving the cluster).
    t.after(() => store.close().catch(() => {}));
    return store;
  };
  for (const contract of CONTRACTS) contract(fresh);
});
