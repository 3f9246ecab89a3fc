/** What only the SQLite logs file does: deletes a batch at a time between other work, and a bounded set of prepared statements. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { SqliteLogsStore } from "./sqlite-logs.js";
import type { StoredLogEvent } from "./logs-store.js";

const texts = (events: readonly StoredLogEvent[]) => events.map((e) => e.message);

async function fresh(t: { after(fn: () => unknown): void }): Promise<SqliteLogsStore> {
  const dir = await mkdtemp(path.join(tmpdir(), "flint-sqlite-logs-"));
  const store = new SqliteLogsStore(path.join(dir, "logs.db"));
  t.after(() => (store.close(), rm(dir, { recursive: true, force: true })));
  return store;
}

test("filters and tails of ever new shapes keep at most 64 prepared statements", async (t) => {
  const store = await fresh(t);
  await store.appendBatches([{ group: "g", stream: "s", events: [{ timestamp: 1, message: "hello" }] }], 1);
  for (let n = 1; n <= 100; n++) {
    const streams = Array.from({ length: n }, (_, i) => (i ? `other-${i}` : "s"));
    assert.equal((await store.filter("g", { streams, limit: 10 })).events.length, 1);
    assert.equal((await store.tail(["g", ...streams], 0, 1, 10)).length, 1);
  }
  assert.equal(store.shapedStatements, 64);
});

test("a deleted group or stream of many events is gone at once while its events go in batches, other work runs meanwhile, and a new one of its name starts empty", async (t) => {
  const logs = await fresh(t);
  const many = Array.from({ length: 25_000 }, (_, i) => ({ timestamp: i, message: `m${i}` }));
  await logs.appendBatches([{ group: "big", stream: "s", events: many }, { group: "big", stream: "t", events: many }], 1);
  let ran = 0;
  const counting = setInterval(() => ran++, 0);
  t.after(() => clearInterval(counting));
  const deletingStream = logs.deleteStream("big", "s");
  assert.equal(await logs.getStream("big", "s"), undefined, "gone before its events are");
  assert.equal(await deletingStream, true);
  assert.equal((await logs.filter("big", { limit: 30_000 })).events.length, 25_000);
  const deleting = logs.deleteGroup("big");
  assert.equal(await logs.getGroup("big"), undefined);
  await logs.appendBatches([{ group: "big", stream: "t", events: [{ timestamp: 5, message: "new" }] }], 2);
  assert.equal(await deleting, true);
  assert.ok(ran > 0, "timers ran while the events were deleted");
  assert.deepEqual(texts((await logs.filter("big", { limit: 10 })).events), ["new"]);
  const upTo = await logs.lastSeq();
  assert.deepEqual(texts(await logs.tail(["big"], 0, upTo, 10)), ["new"]);
});
