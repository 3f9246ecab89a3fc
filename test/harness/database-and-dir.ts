/** A test file's fresh PostgreSQL database and temporary dir, for the whole file. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before } from "node:test";
import { testDatabase, type TestDatabase } from "./postgres.js";

/**
 * A fresh database and a new temporary dir (named from `prefix`), made before the file's tests; after
 * them the database is dropped, then the dir removed. Read `db` and `dir` in a test.
 */
export function databaseAndDir(prefix: string): { readonly db: TestDatabase; readonly dir: string } {
  const fixture = {} as { db: TestDatabase; dir: string };
  before(async () => {
    fixture.db = await testDatabase();
    fixture.dir = await mkdtemp(path.join(tmpdir(), prefix));
  });
  after(async () => {
    await fixture.db.close();
    await rm(fixture.dir, { recursive: true, force: true });
  });
  return fixture;
}
