import { test } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { GroupCommit } from "./group-commit.js";
import { SqliteStreamStore, STREAM_TABLES } from "./sqlite-streams.js";
import type { Stream } from "../services/kinesis/model.js";

const stream = (name: string): Stream => ({
  name,
  arn: `arn:aws:kinesis:us-east-1:123456789012:stream/${name}`,
  mode: "PROVISIONED",
  status: "ACTIVE",
  retentionHours: 24,
  createdAt: 1,
  tags: {},
  shards: [0, 1].map((index) => ({ index, shardId: `shardId-00000000000${index}`, startingHashKey: "0", endingHashKey: "1", startingSequenceNumber: "0" })),
});
const rec = (s: string) => ({ partitionKey: s, data: Buffer.from(s) });

function open() {
  const db = new Database(":memory:");
  db.exec(STREAM_TABLES);
  return { db, store: new SqliteStreamStore(db, new GroupCommit(db)) };
}

test("appends of one turn share a commit and number each shard's records in issue order", async () => {
  const { db, store } = open();
  try {
    assert.equal(await store.insertStream(stream("s")), true);
    assert.equal(await store.insertStream(stream("s")), false);
    const [a, b, c] = await Promise.all([store.append("s", 0, [rec("a1"), rec("a2")], 10), store.append("s", 1, [rec("b1")], 10), store.append("s", 0, [rec("c1")], 11)]);
    assert.deepEqual([a, b, c], [[1, 2], [1], [3]]);
    assert.deepEqual((await store.read("s", 0, 1, 0, 10, 1 << 20)).map((r) => r.partitionKey), ["a2", "c1"]);
    assert.deepEqual(await store.latest("s", 0), { seq: 3, arrival: 11 });
    // The byte budget stops a read, but never before its first record.
    assert.deepEqual((await store.read("s", 0, 0, 0, 10, 1)).map((r) => r.seq), [1]);
    assert.deepEqual((await store.listStreams()).map((s) => [s.name, s.shards.map((x) => x.shardId)]), [["s", ["shardId-000000000000", "shardId-000000000001"]]]);
  } finally {
    db.close();
  }
});

test("trimming deletes records past retention but keeps each shard's newest, so sequences never repeat", async () => {
  const { db, store } = open();
  try {
    await store.insertStream(stream("t"));
    await store.append("t", 0, [rec("old1"), rec("old2")], 100);
    await store.append("t", 0, [rec("new")], 200);
    await store.append("t", 1, [rec("gone")], 100);
    assert.equal(await store.trim("t", 150), 2);
    assert.deepEqual((await store.read("t", 0, 0, 150, 10, 1 << 20)).map((r) => r.partitionKey), ["new"]);
    assert.deepEqual(await store.latest("t", 1), { seq: 1, arrival: 100 }, "the newest of shard 1 stays, hidden by retention");
    assert.deepEqual(await store.read("t", 1, 0, 150, 10, 1 << 20), []);
    assert.deepEqual(await store.append("t", 1, [rec("next")], 300), [2]);
    assert.equal(await store.firstAtOrAfter("t", 0, 150), 3);
    await store.deleteStream("t");
    assert.deepEqual(await store.listStreams(), []);
    assert.equal(await store.latest("t", 0), undefined);
  } finally {
    db.close();
  }
});
