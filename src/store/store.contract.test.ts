/**
 * One contract, every implementation: each part's suite (`contract/*.ts`) runs against the embedded
 * SQLite store and the PostgreSQL store, as BullMQ's backends share one conformance suite. Each test
 * gets a fresh, empty store: a new SQLite file, or a new schema in this file's PostgreSQL database.
 */
import { after, before, describe, type TestContext } from "node:test";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { SqliteStore } from "./sqlite.js";
import { LocalChangeBus } from "./change-bus.js";
import { PgStore } from "./postgres.js";
import type { Store } from "./store.js";
import { testDatabase, type TestDatabase } from "../../test/harness/postgres.js";
import { CONTRACTS, type FreshStore } from "./contract/index.js";

/**
 * A FreshStore: each store at a new location from `create`; given `sameAs`, another node at that
 * store's location (and, on SQLite, on its change bus); reopened at its own.
 */
function freshStores<L>(create: () => Promise<L>, open: (location: L) => Promise<Store>, severalNodes: boolean): FreshStore {
  const where = new WeakMap<Store, L>();
  const closed = new WeakSet<Store>();
  const close = async (store: Store): Promise<void> => {
    if (closed.has(store)) return;
    closed.add(store);
    await store.close();
  };
  const at = async (t: TestContext, location: L): Promise<Store> => {
    const store = await open(location);
    where.set(store, location);
    t.after(() => close(store));
    return store;
  };
  return Object.assign(async (t: TestContext, sameAs?: Store) => at(t, sameAs ? where.get(sameAs)! : await create()), {
    reopen: async (t: TestContext, store: Store) => (await close(store), at(t, where.get(store)!)),
    nextNode: severalNodes ? (t: TestContext, store: Store) => at(t, where.get(store)!) : undefined,
    another: (t: TestContext, store: Store) => at(t, where.get(store)!),
  });
}

describe("SQLite store", () => {
  let dir = "";
  before(async () => void (dir = await mkdtemp(path.join(os.tmpdir(), "flint-contract-"))));
  after(() => rm(dir, { recursive: true, force: true }));
  const fresh = freshStores(
    async () => ({ file: path.join(dir, `${randomBytes(6).toString("hex")}.db`), bus: new LocalChangeBus() }),
    async ({ file, bus }) => new SqliteStore(file, bus),
    false,
  );
  for (const contract of CONTRACTS) contract(fresh);
});

describe("PostgreSQL store", () => {
  let db: TestDatabase | undefined;
  before(async () => void (db = await testDatabase()));
  after(() => db?.close());
  const fresh = freshStores(
    async () => {
      const schema = `s_${randomBytes(6).toString("hex")}`;
      const url = new URL(db!.url);
      url.searchParams.set("options", `-c search_path=${schema}`);
      const admin = await PgStore.connectOnly(db!.url);
      await admin.run(`CREATE SCHEMA ${schema}`);
      await admin.close();
      return url.toString();
    },
    (url) => PgStore.open(url),
    true,
  );
  for (const contract of CONTRACTS) contract(fresh);
});
