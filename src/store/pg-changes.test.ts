/** The PostgreSQL change bus after its listening connection dies: notifications meanwhile are lost, so every subscriber reloads everything. */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import type { PgStore } from "./postgres.js";
import { RELOAD_ALL } from "./change-bus.js";
import { testDatabase } from "../../test/harness/postgres.js";
import { pgTwoNodes } from "../../test/harness/two-nodes.js";
import { until } from "./contract/changes.js";
import { ManualClock } from "../clock/manual-clock.js";
import { QueueWaiters } from "../services/sqs/waiters.js";

/** Two nodes on a new database of the test's own, dropped after the test. */
async function twoNodesOnNewDatabase(t: TestContext): Promise<[PgStore, PgStore]> {
  const db = await testDatabase();
  t.after(() => db.close());
  return pgTwoNodes(t, db.url);
}

test("after the listener's connection is killed and comes back, every subscriber hears RELOAD_ALL, then changes again", async (t) => {
  const [a, b] = await twoNodesOnNewDatabase(t);
  const functions: string[] = [];
  const queues: string[] = [];
  b.changes.subscribe("functions", (key) => void functions.push(key));
  b.changes.subscribe("queues", (key) => void queues.push(key));
  const error = console.error;
  console.error = () => {};
  t.after(() => void (console.error = error));
  // Both nodes' listeners LISTEN on the same channel; kill them all: B's must come back by itself.
  const killed = await a.db.run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()");
  assert.ok(killed >= 1);
  await until(() => functions.includes(RELOAD_ALL) && queues.includes(RELOAD_ALL), "RELOAD_ALL after the reconnect");
  await a.changes.publish("functions", "after");
  await until(() => functions.includes("after"), "a change after the reconnect");
});

test("an SQS long poll waiting on node B ends when node A's send notifies the queue, over NOTIFY", async (t) => {
  const [a, b] = await twoNodesOnNewDatabase(t);
  const clock = new ManualClock();
  const nodeA = new QueueWaiters(clock, a.changes);
  const nodeB = new QueueWaiters(clock, b.changes);
  const waiting = nodeB.wait("jobs", 20_000, nodeB.generation("jobs"));
  nodeA.notify("jobs");
  await waiting; // the clock never moves: only the notification ends it
  nodeA.close();
  nodeB.close();
});
