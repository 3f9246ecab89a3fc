/** Settings on PostgreSQL: one row per key. */
import type { PgDb } from "./pg-db.js";
import type { SettingsStore } from "./settings-store.js";

export const SETTINGS_TABLES = `
  CREATE TABLE settings (
    key text PRIMARY KEY,
    value text NOT NULL
  );`;

export class PgSettingsStore implements SettingsStore {
  constructor(private readonly db: PgDb) {}

  async get(key: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ value: string }>("SELECT value FROM settings WHERE key = $1", [key]);
    return row?.value;
  }

  async put(key: string, value: string): Promise<void> {
    await this.db.run("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value]);
  }

  async putIfAbsent(key: string, value: string): Promise<string> {
    // DO UPDATE with the stored value (not DO NOTHING) so RETURNING has the winner's row either way.
    const [row] = await this.db.query<{ value: string }>(
      "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = settings.value RETURNING value",
      [key, value],
    );
    return row!.value;
  }
}
