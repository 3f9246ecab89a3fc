/**
 * The contract of the leases part: work one node at a time must do, held by a node (`nodeId`) until
 * it expires. Two stores on one database are two nodes. A second SQLite store voids the leases in
 * its file when it opens (a SQLite file has one node: what it finds is a dead run's), so these tests
 * open every node before taking leases.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { FreshStore } from "./index.js";

const TTL = 10_000;
const T0 = 1_700_000_000_000;

export function leasesContract(fresh: FreshStore): void {
  test("leases: a free lease is taken, extended by its holder, refused to another node until it expires, then handed over", async (t) => {
    const a = await fresh(t);
    const b = await fresh.another(t, a);
    assert.notEqual(a.nodeId, b.nodeId);
    assert.equal(await a.leases.holder("mapping:1", T0), undefined);
    assert.equal(await a.leases.acquire("mapping:1", T0, TTL), true);
    assert.equal(await b.leases.holder("mapping:1", T0), a.nodeId);
    assert.equal(await b.leases.acquire("mapping:1", T0 + 5_000, TTL), false);
    // Taking it again extends it: now held until T0 + 5 s + TTL.
    assert.equal(await a.leases.acquire("mapping:1", T0 + 5_000, TTL), true);
    assert.equal(await b.leases.acquire("mapping:1", T0 + TTL, TTL), false);
    assert.equal(await b.leases.holder("mapping:1", T0 + 5_000 + TTL - 1), a.nodeId);
    assert.equal(await b.leases.holder("mapping:1", T0 + 5_000 + TTL), undefined, "expired at its expiry time");
    assert.equal(await b.leases.acquire("mapping:1", T0 + 5_000 + TTL, TTL), true);
    assert.equal(await a.leases.holder("mapping:1", T0 + 5_000 + TTL), b.nodeId);
    assert.equal(await a.leases.acquire("mapping:1", T0 + 5_000 + TTL + 1, TTL), false);
    // Leases are independent of each other.
    assert.equal(await a.leases.acquire("mapping:2", T0 + 5_000 + TTL + 1, TTL), true);
  });

  test("leases: renew extends only this node's, in the order asked; after losing one, renewing it returns nothing", async (t) => {
    const a = await fresh(t);
    const b = await fresh.another(t, a);
    assert.deepEqual(await a.leases.renew([], T0, TTL), []);
    for (const name of ["x", "y", "z"]) await a.leases.acquire(name, T0, TTL);
    await b.leases.acquire("w", T0, TTL);
    assert.deepEqual(await a.leases.renew(["z", "w", "unknown", "x"], T0 + 8_000, TTL), ["z", "x"]);
    // y was not renewed: it expires at T0 + TTL and b takes it; z and x hold until T0 + 8 s + TTL.
    assert.equal(await b.leases.acquire("y", T0 + TTL, TTL), true);
    assert.equal(await b.leases.acquire("z", T0 + TTL, TTL), false);
    assert.deepEqual(await a.leases.renew(["x", "y", "z"], T0 + TTL + 1, TTL), ["x", "z"]);
    assert.deepEqual(await b.leases.renew(["x", "y", "z"], T0 + TTL + 1, TTL), ["y"]);
    // A holder that missed its renewals keeps a lease nobody else took.
    assert.deepEqual(await a.leases.renew(["x"], T0 + 60_000, TTL), ["x"]);
    assert.equal(await b.leases.holder("x", T0 + 60_000), a.nodeId);
  });

  test("leases: release frees only the holder's lease, for another node to take at once", async (t) => {
    const a = await fresh(t);
    const b = await fresh.another(t, a);
    await a.leases.acquire("job", T0, TTL);
    await b.leases.release("job");
    assert.equal(await a.leases.holder("job", T0), a.nodeId, "a node cannot release another's lease");
    await a.leases.release("job");
    assert.equal(await a.leases.holder("job", T0), undefined);
    assert.equal(await b.leases.acquire("job", T0 + 1, TTL), true);
    await a.leases.release("never-held");
  });

  test("leases: two nodes racing for one lease: exactly one gets it", async (t) => {
    const a = await fresh(t);
    const b = await fresh.another(t, a);
    for (let round = 0; round < 5; round++) {
      const name = `race:${round}`;
      const tries = Array.from({ length: 8 }, (_, i) => {
        const node = i % 2 ? b : a;
        return node.leases.acquire(name, T0, TTL).then((won) => ({ node: node.nodeId, won }));
      });
      const winners = new Set((await Promise.all(tries)).filter((r) => r.won).map((r) => r.node));
      assert.equal(winners.size, 1, `round ${round}: one node holds it`);
      assert.equal(await a.leases.holder(name, T0), [...winners][0]);
    }
    // And for an expired one: its old holder's extension and the other node's take-over exclude each other.
    const expired = await Promise.all([a, b].map((node) => node.leases.acquire("race:0", T0 + TTL, TTL)));
    assert.equal(expired.filter(Boolean).length, 1);
    assert.equal(await a.leases.holder("race:0", T0 + TTL), expired[0] ? a.nodeId : b.nodeId);
  });

  test("leases: a holder that stops without releasing (a crash) keeps the lease until it expires", async (t) => {
    const a = await fresh(t);
    const b = await fresh.another(t, a);
    await a.leases.acquire("mapping:dead", T0, TTL);
    const dead = a.nodeId;
    await a.close();
    assert.equal(await b.leases.holder("mapping:dead", T0 + TTL - 1), dead);
    assert.equal(await b.leases.acquire("mapping:dead", T0 + TTL - 1, TTL), false);
    assert.equal(await b.leases.acquire("mapping:dead", T0 + TTL, TTL), true);
    assert.equal(await b.leases.holder("mapping:dead", T0 + TTL), b.nodeId);
  });
}
