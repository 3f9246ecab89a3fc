/** The contract of the Kinesis part: streams, shards and each shard's append-only log of records. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Stream } from "../../services/kinesis/model.js";
import type { FreshStore } from "./index.js";

const stream = (name: string, shards = 2): Stream => ({
  name,
  arn: `arn:aws:kinesis:us-east-1:123456789012:stream/${name}`,
  mode: "PROVISIONED",
  status: "CREATING",
  retentionHours: 24,
  createdAt: 1_700_000_000_000,
  tags: { team: "core" },
  shards: Array.from({ length: shards }, (_, index) => ({
    index,
    shardId: `shardId-00000000000${index}`,
    ...(index > 0 ? { parentShardId: "shardId-000000000000" } : {}),
    startingHashKey: String(index * 100),
    endingHashKey: String(index * 100 + 99),
    startingSequenceNumber: `4959${index}`,
  })),
});
const rec = (key: string, data: Buffer | string = key) => ({ partitionKey: key, data: Buffer.isBuffer(data) ? data : Buffer.from(data) });
const ALL = Number.MAX_SAFE_INTEGER;

export function streamsContract(fresh: FreshStore): void {
  test("streams: insert only once, list in byte order of names with their shards, put changes the stream's own fields, delete forgets its records", async (t) => {
    const s = await fresh(t);
    assert.equal(await s.streams.insertStream(stream("b")), true);
    assert.equal(await s.streams.insertStream(stream("b", 1)), false);
    await s.streams.insertStream(stream("a", 1));
    await s.streams.insertStream(stream("B", 1));
    const listed = await s.streams.listStreams();
    assert.deepEqual(listed.map((x) => x.name), ["B", "a", "b"]);
    assert.deepEqual(listed[2], stream("b"));
    await s.streams.putStream({ ...stream("b", 0), status: "ACTIVE", retentionHours: 48, tags: {} });
    const b = (await s.streams.listStreams()).find((x) => x.name === "b")!;
    assert.deepEqual([b.status, b.retentionHours, b.tags, b.shards.length], ["ACTIVE", 48, {}, 2]);
    await s.streams.append("b", 0, [rec("k")], 10);
    await s.streams.deleteStream("b");
    assert.deepEqual((await s.streams.listStreams()).map((x) => x.name), ["B", "a"]);
    assert.equal(await s.streams.latest("b", 0), undefined);
    // A stream made again under the name starts its shards from the beginning.
    await s.streams.insertStream(stream("b"));
    assert.deepEqual(await s.streams.append("b", 0, [rec("k")], 20), [1]);
  });

  test("streams: appends number each shard's records from 1 in order; reads go after a sequence, within retention, a limit and a byte budget", async (t) => {
    const s = await fresh(t);
    await s.streams.insertStream(stream("s"));
    const binary = Buffer.from([0, 1, 2, 255, 0, 128]);
    assert.deepEqual(await s.streams.append("s", 0, [rec("a1", binary), { ...rec("a2"), explicitHashKey: "42" }], 10), [1, 2]);
    assert.deepEqual(await s.streams.append("s", 1, [rec("b1")], 10), [1]);
    assert.deepEqual(await s.streams.append("s", 0, [rec("c1", "ccc"), rec("c2", "dddd")], 20), [3, 4]);
    const all = await s.streams.read("s", 0, 0, 0, 10, ALL);
    assert.deepEqual(all.map((r) => [r.seq, r.arrival, r.partitionKey]), [[1, 10, "a1"], [2, 10, "a2"], [3, 20, "c1"], [4, 20, "c2"]]);
    assert.ok(Buffer.isBuffer(all[0]!.data) && all[0]!.data.equals(binary), "data comes back byte for byte");
    assert.deepEqual((await s.streams.read("s", 0, 2, 0, 10, ALL)).map((r) => r.seq), [3, 4]);
    assert.deepEqual((await s.streams.read("s", 0, 0, 15, 10, ALL)).map((r) => r.seq), [3, 4], "older than retention is hidden");
    assert.deepEqual((await s.streams.read("s", 0, 0, 0, 2, ALL)).map((r) => r.seq), [1, 2]);
    assert.deepEqual(await s.streams.read("s", 0, 4, 0, 10, ALL), []);
    // The byte budget: records while their total fits, stopping at the first that does not, never before the first.
    assert.deepEqual((await s.streams.read("s", 0, 0, 0, 10, 1)).map((r) => r.seq), [1]);
    assert.deepEqual((await s.streams.read("s", 0, 2, 0, 10, 3)).map((r) => r.seq), [3]);
    assert.deepEqual((await s.streams.read("s", 0, 2, 0, 10, 7)).map((r) => r.seq), [3, 4]);
    assert.deepEqual((await s.streams.read("s", 0, 0, 0, 10, 8 + 3)).map((r) => r.seq), [1, 2, 3]);
    assert.deepEqual(await s.streams.latest("s", 0), { seq: 4, arrival: 20 });
    assert.deepEqual(await s.streams.latest("s", 1), { seq: 1, arrival: 10 });
    assert.equal(await s.streams.firstAtOrAfter("s", 0, 11), 3);
    assert.equal(await s.streams.firstAtOrAfter("s", 0, 10), 1);
    assert.equal(await s.streams.firstAtOrAfter("s", 0, 21), undefined);
  });

  test("streams: trimming deletes records past retention but keeps each shard's newest, so sequences never repeat", async (t) => {
    const s = await fresh(t);
    await s.streams.insertStream(stream("t"));
    await s.streams.append("t", 0, [rec("old1"), rec("old2")], 100);
    await s.streams.append("t", 0, [rec("new")], 200);
    await s.streams.append("t", 1, [rec("gone")], 100);
    assert.equal(await s.streams.trim("t", 150), 2);
    assert.deepEqual((await s.streams.read("t", 0, 0, 0, 10, ALL)).map((r) => r.partitionKey), ["new"]);
    assert.deepEqual(await s.streams.latest("t", 1), { seq: 1, arrival: 100 }, "the newest of shard 1 stays, hidden by retention");
    assert.deepEqual(await s.streams.read("t", 1, 0, 150, 10, ALL), []);
    assert.deepEqual(await s.streams.append("t", 1, [rec("next")], 300), [2]);
    assert.equal(await s.streams.firstAtOrAfter("t", 0, 150), 3);
    assert.equal(await s.streams.trim("t", 150), 1, "shard 1's old newest goes once a newer record follows it");
    assert.deepEqual((await s.streams.read("t", 1, 0, 0, 10, ALL)).map((r) => r.partitionKey), ["next"]);
  });

  test("streams: concurrent appends to one shard from two nodes number every record once, with no gaps", async (t) => {
    const a = await fresh(t);
    const b = await fresh.another(t, a);
    await a.streams.insertStream(stream("busy"));
    const appends = Array.from({ length: 40 }, (_, i) => {
      const node = i % 2 ? b : a;
      return node.streams.append("busy", 0, [rec(`r${i}-1`), rec(`r${i}-2`), rec(`r${i}-3`)], 1000 + i);
    });
    const other = a.streams.append("busy", 1, [rec("elsewhere")], 1000);
    const results = await Promise.all(appends);
    assert.deepEqual(await other, [1]);
    for (const seqs of results) assert.deepEqual(seqs, [seqs[0]!, seqs[0]! + 1, seqs[0]! + 2], "one append's records are contiguous");
    const numbered = results.flat().sort((x, y) => x - y);
    assert.deepEqual(numbered, Array.from({ length: 120 }, (_, i) => i + 1));
    const stored = await b.streams.read("busy", 0, 0, 0, 1000, ALL);
    assert.deepEqual(stored.map((r) => r.seq), numbered);
    // Each record is stored under the sequence its append was told.
    results.forEach((seqs, i) => assert.equal(stored[seqs[0]! - 1]!.partitionKey, `r${i}-1`));
  });

  test("streams: appended records are durable, seen by a store reopened after close", async (t) => {
    const s = await fresh(t);
    await s.streams.insertStream(stream("d"));
    await s.streams.append("d", 1, [rec("kept", "payload")], 5);
    await s.close();
    const again = await fresh.another(t, s);
    assert.deepEqual((await again.streams.listStreams()).map((x) => x.name), ["d"]);
    const [r] = await again.streams.read("d", 1, 0, 0, 10, ALL);
    assert.deepEqual([r?.seq, r?.arrival, r?.partitionKey, r?.data.toString()], [1, 5, "kept", "payload"]);
    assert.deepEqual(await again.streams.append("d", 1, [rec("next")], 6), [2]);
  });
}
