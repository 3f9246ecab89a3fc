/**
 * The contract of the slots part: concurrency slots leased to nodes. Two stores on one database are
 * two nodes; the sum of their unexpired counts never exceeds a scope's limit.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { SlotSignal } from "../slot-store.js";
import type { FreshStore } from "./index.js";

const T = Date.UTC(2026, 0, 1);
const TTL = 10_000;

export function slotsContract(fresh: FreshStore): void {
  test("slots: grants up to the limit, counted across nodes, per scope; held is this node's count", async (t) => {
    const a = await fresh(t);
    const b = await fresh(t, a);
    assert.deepEqual(await a.slots.acquire("fn:f", 5, 3, T, TTL), { granted: 3, held: 3, others: 0 });
    assert.deepEqual(await b.slots.acquire("fn:f", 5, 3, T, TTL), { granted: 2, held: 2, others: 1 });
    assert.deepEqual(await a.slots.acquire("fn:f", 5, 1, T, TTL), { granted: 0, held: 3, others: 1 });
    assert.deepEqual(await a.slots.acquire("account", 2, 1, T, TTL), { granted: 1, held: 1, others: 0 });
    const holders = await a.slots.holders("fn:f", T);
    assert.deepEqual(
      holders,
      [
        { node: a.nodeId, count: 3, leaseUntil: T + TTL },
        { node: b.nodeId, count: 2, leaseUntil: T + TTL },
      ].sort((x, y) => Buffer.compare(Buffer.from(x.node), Buffer.from(y.node))),
    );
    // A lowered limit grants nothing until enough are given back.
    assert.deepEqual(await b.slots.acquire("fn:f", 4, 1, T, TTL), { granted: 0, held: 2, others: 1 });
  });

  test("slots: racing grants on two nodes never exceed the limit in sum, and reach it", async (t) => {
    const a = await fresh(t);
    const b = await fresh(t, a);
    const asks = Array.from({ length: 40 }, (_, i) => ((i % 2 ? a : b).slots.acquire("fn:racy", 7, 1 + (i % 3), T, TTL)));
    const results = await Promise.all(asks);
    assert.equal(results.reduce((sum, r) => sum + r.granted, 0), 7);
    const holders = await a.slots.holders("fn:racy", T);
    assert.equal(holders.reduce((sum, h) => sum + h.count, 0), 7);
  });

  test("slots: a release gives slots back to every node; releasing more than held stops at zero", async (t) => {
    const a = await fresh(t);
    const b = await fresh(t, a);
    await a.slots.acquire("fn:f", 3, 3, T, TTL);
    await a.slots.release("fn:f", 2);
    assert.deepEqual(await b.slots.acquire("fn:f", 3, 3, T, TTL), { granted: 2, held: 2, others: 1 });
    await a.slots.release("fn:f", 5);
    assert.deepEqual(await a.slots.holders("fn:f", T), [{ node: b.nodeId, count: 2, leaseUntil: T + TTL }]);
    assert.deepEqual(await a.slots.acquire("fn:f", 3, 3, T, TTL), { granted: 1, held: 1, others: 1 });
  });

  test("slots: an expired lease counts for nothing; its node learns it lost the slots", async (t) => {
    const a = await fresh(t);
    const b = await fresh(t, a);
    await a.slots.acquire("fn:f", 4, 4, T, 1_000);
    assert.deepEqual(await b.slots.acquire("fn:f", 4, 1, T + 999, TTL), { granted: 0, held: 0, others: 1 });
    assert.deepEqual(await b.slots.acquire("fn:f", 4, 3, T + 1_000, TTL), { granted: 3, held: 3, others: 0 });
    assert.deepEqual(await a.slots.holders("fn:f", T + 1_000), [{ node: b.nodeId, count: 3, leaseUntil: T + 1_000 + TTL }]);
    assert.deepEqual(await a.slots.renew(T + 1_000, TTL), new Map());
    assert.deepEqual(await a.slots.acquire("fn:f", 4, 4, T + 1_000, TTL), { granted: 1, held: 1, others: 1 });
  });

  test("slots: renew extends this node's live leases only, and names what they hold", async (t) => {
    const a = await fresh(t);
    const b = await fresh(t, a);
    await a.slots.acquire("fn:f", 2, 2, T, 1_000);
    await a.slots.acquire("account", 9, 4, T, 1_000);
    await b.slots.acquire("fn:g", 1, 1, T, 1_000);
    assert.deepEqual(await a.slots.renew(T + 500, 1_000), new Map([["fn:f", 2], ["account", 4]]));
    assert.deepEqual(await b.slots.acquire("fn:f", 2, 1, T + 1_200, TTL), { granted: 0, held: 0, others: 1 });
    assert.deepEqual(await a.slots.holders("fn:g", T + 1_200), []);
    assert.deepEqual(await a.slots.holders("account", T + 1_200), [{ node: a.nodeId, count: 4, leaseUntil: T + 1_500 }]);
  });

  test("slots: a signal reaches every node sharing the store, the sender too", async (t) => {
    const a = await fresh(t);
    const b = await fresh(t, a);
    const heard: { by: string; signal: SlotSignal }[] = [];
    const done = new Promise<void>((resolve) => {
      const hear = (by: string) => (signal: SlotSignal) => {
        heard.push({ by, signal });
        if (heard.length === 2) resolve();
      };
      void Promise.all([a.slots.onSignal(hear("a")), b.slots.onSignal(hear("b"))]).then(async (stops) => {
        await a.slots.signal({ kind: "wanted", scope: "fn:f", from: a.nodeId });
        t.after(() => stops.forEach((stop) => stop()));
      });
    });
    await done;
    const wanted = { kind: "wanted", scope: "fn:f", from: a.nodeId };
    assert.deepEqual(heard.sort((x, y) => x.by.localeCompare(y.by)), [{ by: "a", signal: wanted }, { by: "b", signal: wanted }]);
  });

  test("slots: closing a node gives its slots back at once", async (t) => {
    const a = await fresh(t);
    const b = await fresh(t, a);
    await b.slots.acquire("fn:f", 3, 3, T, TTL);
    await b.close();
    assert.deepEqual(await a.slots.acquire("fn:f", 3, 3, T, TTL), { granted: 3, held: 3, others: 0 });
  });
}
