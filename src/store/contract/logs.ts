/** The contract of the logs part (function log events every node of a shared store reaches). */
import assert from "node:assert/strict";
import { sharedTest, type FreshStore } from "./index.js";

export function logsContract(fresh: FreshStore): void {
  sharedTest(fresh)("logs: batches append in order; read by group, by stream, after a position, with a limit", async (t) => {
    const s = await fresh(t);
    await s.logs!.append("/aws/lambda/f", "s2", [{ timestamp: 10, message: "one" }, { timestamp: 5, message: "two" }]);
    await s.logs!.append("/aws/lambda/f", "S1", [{ timestamp: 7, message: "three" }]);
    await s.logs!.append("/aws/lambda/g", "s1", [{ timestamp: 1, message: "other function" }]);
    await s.logs!.append("/aws/lambda/f", "s2", []);
    const all = await s.logs!.read("/aws/lambda/f");
    assert.deepEqual(all.map((e) => [e.stream, e.timestamp, e.message]), [["s2", 10, "one"], ["s2", 5, "two"], ["S1", 7, "three"]]);
    assert.ok(all[0]!.seq < all[1]!.seq && all[1]!.seq < all[2]!.seq);
    assert.deepEqual((await s.logs!.read("/aws/lambda/f", { after: all[0]!.seq })).map((e) => e.message), ["two", "three"]);
    assert.deepEqual((await s.logs!.read("/aws/lambda/f", { stream: "S1" })).map((e) => e.message), ["three"]);
    assert.deepEqual((await s.logs!.read("/aws/lambda/f", { limit: 1 })).map((e) => e.message), ["one"]);
    assert.deepEqual(await s.logs!.streams("/aws/lambda/f"), ["S1", "s2"]);
    assert.deepEqual(await s.logs!.streams("/aws/lambda/none"), []);
  });

  sharedTest(fresh)("logs: several streams' batches in one write keep their order, each in its group and stream", async (t) => {
    const s = await fresh(t);
    await s.logs!.appendBatches([
      { group: "g1", stream: "a", events: [{ timestamp: 3, message: "a1" }, { timestamp: 1, message: "a2" }] },
      { group: "g2", stream: "b", events: [{ timestamp: 2, message: "b1" }] },
      { group: "g1", stream: "c", events: [] },
      { group: "g1", stream: "a", events: [{ timestamp: 4, message: "a3" }] },
    ]);
    assert.deepEqual((await s.logs!.read("g1")).map((e) => [e.stream, e.timestamp, e.message]), [["a", 3, "a1"], ["a", 1, "a2"], ["a", 4, "a3"]]);
    assert.deepEqual((await s.logs!.read("g2")).map((e) => [e.stream, e.message]), [["b", "b1"]]);
    await s.logs!.appendBatches([]);
  });

  sharedTest(fresh)("logs: expire forgets events older than the retention, and only those", async (t) => {
    const s = await fresh(t);
    await s.logs!.append("g", "s", [{ timestamp: 100, message: "old" }, { timestamp: 200, message: "new" }]);
    assert.equal(await s.logs!.expire(150), 1);
    assert.deepEqual((await s.logs!.read("g")).map((e) => e.message), ["new"]);
  });

  sharedTest(fresh)("logs: two nodes appending at once lose nothing, each batch stays in order, and either node reads all", async (t) => {
    const a = await fresh(t);
    const b = await fresh.another(t, a);
    const batch = (node: string, i: number) => Array.from({ length: 5 }, (_, j) => ({ timestamp: i, message: `${node}-${i}-${j}` }));
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).logs!.append("g", `stream-${i % 2}`, batch(i % 2 ? "a" : "b", i))));
    for (const node of [a, b]) {
      const events = await node.logs!.read("g");
      assert.equal(events.length, 100);
      for (let i = 0; i < 20; i++) {
        const mine = events.filter((e) => e.timestamp === i).map((e) => e.message);
        assert.deepEqual(mine, batch(i % 2 ? "a" : "b", i).map((e) => e.message));
      }
    }
  });
}
