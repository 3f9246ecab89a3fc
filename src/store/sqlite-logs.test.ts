/** What only the SQLite logs file does: a bounded set of prepared statements. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { SqliteLogsStore } from "./sqlite-logs.js";

test("filters and tails of ever new shapes keep at most 64 prepared statements", async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), "flint-sqlite-logs-"));
  const store = new SqliteLogsStore(path.join(dir, "logs.db"));
  t.after(() => (store.close(), rm(dir, { recursive: true, force: true })));
  await store.appendBatches([{ group: "g", stream: "s", events: [{ timestamp: 1, message: "hello" }] }], 1);
  for (let n = 1; n <= 100; n++) {
    const streams = Array.from({ length: n }, (_, i) => (i ? `other-${i}` : "s"));
    assert.equal((await store.filter("g", { streams, limit: 10 })).events.length, 1);
    assert.equal((await store.tail(["g", ...streams], 0, 1, 10)).length, 1);
  }
  assert.equal(store.shapedStatements, 64);
});
