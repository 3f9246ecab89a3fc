/** Which store a node runs on: the embedded SQLite file in its data dir, or a shared PostgreSQL database. */
import { PgStore } from "./postgres.js";
import { SqliteStore } from "./sqlite.js";
import type { Store } from "./store.js";

export async function openStore(options: { dataDir: string; store?: string }): Promise<Store> {
  return options.store ? PgStore.open(options.store) : SqliteStore.open(options.dataDir);
}
