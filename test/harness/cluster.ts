/**
 * Several real `flint serve` nodes on one PostgreSQL database (cluster mode), each with its own data
 * dir, listener and execution environments, as a user runs them: `flint serve --store postgres://…`.
 */
import { rm } from "node:fs/promises";
import { startFlint, type FlintProcess, type StartOptions } from "./flint.js";
import { testDatabase, type TestDatabase } from "./postgres.js";

export interface Cluster {
  /** The database every node shares. */
  url: string;
  nodes: FlintProcess[];
  /** Start one more node (or restart one, given its data dir) on the same database. */
  start(opts?: StartOptions): Promise<FlintProcess>;
  /** Start a stopped or killed node again on its data dir; it takes the old one's place in `nodes`. */
  restart(node: FlintProcess): Promise<FlintProcess>;
  /** Which node (its /_flint/health `node`) is each running process. */
  nodeIdOf(node: FlintProcess): Promise<string>;
  stop(): Promise<void>;
}

/** `n` nodes on a fresh database: the first migrates it and makes the tests' execution role, then the rest join. */
export async function startCluster(n: number, opts: StartOptions = {}): Promise<Cluster> {
  const db: TestDatabase = await testDatabase();
  const nodes: FlintProcess[] = [];
  const start = async (o: StartOptions = {}) => {
    const node = await startFlint({ ...opts, ...o, args: ["--store", db.url, ...(opts.args ?? []), ...(o.args ?? [])] });
    nodes.push(node);
    return node;
  };
  try {
    await start();
    await Promise.all(Array.from({ length: n - 1 }, () => start({ executionRole: false })));
  } catch (err) {
    await Promise.all(nodes.map((node) => node.stop()));
    await db.close();
    throw err;
  }
  const restarted: string[] = [];
  return {
    url: db.url,
    nodes,
    start,
    restart: async (node) => {
      const again = await startFlint({ ...opts, dataDir: node.dataDir, executionRole: false, args: ["--store", db.url, ...(opts.args ?? [])] });
      nodes[nodes.indexOf(node)] = again;
      restarted.push(node.dataDir);
      return again;
    },
    nodeIdOf: async (node) => ((await (await fetch(`${node.endpoint}/_flint/health`)).json()) as { node: string }).node,
    stop: async () => {
      await Promise.all(nodes.map((node) => node.stop()));
      await Promise.all(restarted.map((dir) => rm(dir, { recursive: true, force: true })));
      await db.close();
    },
  };
}
