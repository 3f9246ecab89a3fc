/** The contract of the event source mappings part: mapping records and each one's checkpoints. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { MappingRecord } from "../../services/lambda/event-source-mappings.js";
import type { FreshStore } from "./index.js";

const mapping = (uuid: string, batchSize = 10): MappingRecord => ({
  uuid,
  eventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/s",
  source: "kinesis",
  functionName: "fn",
  enabled: true,
  state: "Enabled",
  stateTransitionReason: "USER_INITIATED",
  lastModified: 1,
  created: 1,
  batchSize,
  maximumBatchingWindowInSeconds: 0,
  functionResponseTypes: [],
  tags: { k: "v" },
});

export function mappingsContract(fresh: FreshStore): void {
  test("mappings: put inserts or replaces, list in byte order of UUIDs, delete forgets the mapping and its checkpoints", async (t) => {
    const s = await fresh(t);
    await s.mappings.putMapping(mapping("b-uuid"));
    await s.mappings.putMapping(mapping("a-uuid"));
    await s.mappings.putMapping(mapping("B-uuid"));
    await s.mappings.putMapping(mapping("b-uuid", 100));
    assert.deepEqual((await s.mappings.listMappings()).map((m) => [m.uuid, m.batchSize]), [["B-uuid", 10], ["a-uuid", 10], ["b-uuid", 100]]);
    assert.deepEqual((await s.mappings.listMappings())[2], mapping("b-uuid", 100));
    await s.mappings.putCheckpoint("b-uuid", "shard-0", { sequence: "5" });
    await s.mappings.putCheckpoint("a-uuid", "shard-0", { sequence: "7" });
    await s.mappings.deleteMapping("b-uuid");
    assert.deepEqual((await s.mappings.listMappings()).map((m) => m.uuid), ["B-uuid", "a-uuid"]);
    assert.equal((await s.mappings.checkpoints("b-uuid")).size, 0);
    assert.deepEqual(await s.mappings.checkpoints("a-uuid"), new Map([["shard-0", { sequence: "7" }]]));
  });

  test("mappings: a checkpoint per position, replaced by the next, with what is absent left out", async (t) => {
    const s = await fresh(t);
    await s.mappings.putMapping(mapping("m"));
    assert.deepEqual(await s.mappings.checkpoints("m"), new Map());
    await s.mappings.putCheckpoint("m", "shardId-000000000000", { sequence: "1" });
    await s.mappings.putCheckpoint("m", "shardId-000000000001", { extra: '{"window":1}' });
    await s.mappings.putCheckpoint("m", "shardId-000000000000", { sequence: "49590", extra: '{"state":{}}' });
    await s.mappings.putCheckpoint("m", "shardId-000000000002", {});
    assert.deepEqual(
      await s.mappings.checkpoints("m"),
      new Map([
        ["shardId-000000000000", { sequence: "49590", extra: '{"state":{}}' }],
        ["shardId-000000000001", { extra: '{"window":1}' }],
        ["shardId-000000000002", {}],
      ]),
    );
    await s.mappings.putCheckpoint("m", "shardId-000000000000", {});
    assert.deepEqual((await s.mappings.checkpoints("m")).get("shardId-000000000000"), {});
  });

  test("mappings: checkpoints written at once from two nodes all land, and each node sees the other's", async (t) => {
    const a = await fresh(t);
    const b = await fresh.another(t, a);
    await a.mappings.putMapping(mapping("m"));
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? b : a).mappings.putCheckpoint("m", `shard-${i}`, { sequence: String(i) })));
    // The same position from both nodes: one of the two writes is what remains.
    await Promise.all([a.mappings.putCheckpoint("m", "shard-0", { sequence: "100" }), b.mappings.putCheckpoint("m", "shard-0", { sequence: "200" })]);
    for (const node of [a, b]) {
      const seen = await node.mappings.checkpoints("m");
      assert.equal(seen.size, 20);
      for (let i = 1; i < 20; i++) assert.deepEqual(seen.get(`shard-${i}`), { sequence: String(i) });
      assert.ok(["100", "200"].includes(seen.get("shard-0")!.sequence!));
    }
    assert.deepEqual((await b.mappings.listMappings()).map((m) => m.uuid), ["m"]);
  });

  test("mappings: mappings and checkpoints are durable, seen by a store reopened after close", async (t) => {
    const s = await fresh(t);
    await s.mappings.putMapping(mapping("m"));
    await s.mappings.putCheckpoint("m", "shard-0", { sequence: "42", extra: "{}" });
    await s.close();
    const again = await fresh.another(t, s);
    assert.deepEqual(await again.mappings.listMappings(), [mapping("m")]);
    assert.deepEqual(await again.mappings.checkpoints("m"), new Map([["shard-0", { sequence: "42", extra: "{}" }]]));
  });
}
