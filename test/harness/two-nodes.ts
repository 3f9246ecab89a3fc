/**
 * Two nodes on one store, as a cluster's nodes share one database: one SQLite file opened twice with
 * one change bus between them, or two PostgreSQL stores on one database (whose bus is LISTEN/NOTIFY).
 * Both are closed, A then B, after the test.
 */
import type { TestContext } from "node:test";
import { LocalChangeBus } from "../../src/store/change-bus.js";
import { PgStore } from "../../src/store/postgres.js";
import { SqliteStore } from "../../src/store/sqlite.js";

/** Close both after the test, A then B. */
export function closeBoth(t: TestContext, a: { close(): Promise<void> }, b: { close(): Promise<void> }): void {
  t.after(async () => {
    await a.close();
    await b.close();
  });
}

/** Two stores on the SQLite file `file`, sharing one change bus. */
export function sqliteTwoNodes(t: TestContext, file: string): [SqliteStore, SqliteStore] {
  const bus = new LocalChangeBus();
  const a = new SqliteStore(file, bus);
  const b = new SqliteStore(file, bus);
  closeBoth(t, a, b);
  return [a, b];
}

/** Two stores on the PostgreSQL database at `url`. */
export async function pgTwoNodes(t: TestContext, url: string): Promise<[PgStore, PgStore]> {
  const a = await PgStore.open(url);
  const b = await PgStore.open(url);
  closeBoth(t, a, b);
  return [a, b];
}
