/**
 * Small named values every node of a shared store must agree on (the Flint clock, the generated
 * root credentials). The embedded store has no settings part: its one node keeps them as files in
 * the data dir.
 */
export interface SettingsStore {
  get(key: string): Promise<string | undefined>;
  /** Insert or replace. */
  put(key: string, value: string): Promise<void>;
  /** Store `value` unless `key` has one already; resolves the value stored (the first writer's). */
  putIfAbsent(key: string, value: string): Promise<string>;
}
