/**
 * A fresh PostgreSQL database per test file. `scripts/run-tests.mjs` starts one throwaway server for the
 * whole run and names it in `FLINT_TEST_PG`; a file run on its own starts its own server.
 */
import pg from "pg";
import { randomBytes } from "node:crypto";

interface Server {
  url: string;
  stop(): Promise<void>;
}

export interface TestDatabase {
  /** A `postgres://` URL of an empty database of its own. */
  url: string;
  /** Drop the database (and stop the server if this file started it). */
  close(): Promise<void>;
}

async function server(): Promise<Server> {
  const shared = process.env.FLINT_TEST_PG;
  if (shared) return { url: shared, stop: async () => {} };
  // dist/test/harness → the repository's scripts/.
  const script = new URL("../../../scripts/postgres.mjs", import.meta.url).href;
  const { startPostgres } = (await import(script)) as { startPostgres(): Promise<Server> };
  return startPostgres();
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function testDatabase(): Promise<TestDatabase> {
  const srv = await server();
  const name = `t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: srv.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: withDatabase(srv.url, name),
    close: async () => {
      const c = new pg.Client({ connectionString: srv.url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      await srv.stop();
    },
  };
}
