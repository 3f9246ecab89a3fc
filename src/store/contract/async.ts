/**
 * The contract of the asynchronous-invocation part: events, their timelines, and who holds each
 * event (its owner node and lease). Where nodes share the data (PostgreSQL), two stores on one
 * database are two nodes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { AsyncEvent, TimelineEntry } from "../async-store.js";
import { sharedTest, type FreshStore } from "./index.js";

const T = Date.UTC(2024, 0, 1);
const TTL = 10_000;

function event(requestId: string, at: number, over: Partial<AsyncEvent> = {}): AsyncEvent {
  return { requestId, functionName: "fn", payload: Buffer.from(`{"id":"${requestId}"}`), receivedAt: at, attempts: 0, throttles: 0, dueAt: at, ...over };
}

const entry = (kind: string, at: number, detail: Record<string, unknown> = {}): TimelineEntry => ({ at, kind, detail });
const ids = (events: AsyncEvent[]) => events.map((e) => e.requestId);

export function asyncContract(fresh: FreshStore): void {
  test("async: accept stores an event with its first entry; update and finish by its holder; timelines in order, pruned after the end", async (t) => {
    const s = await fresh(t);
    const e = event("r-1", T, { qualifier: "live", payload: Buffer.from([0, 1, 2, 255]) });
    await s.asyncEvents.accept(e, entry("accepted", T, { bytes: 4 }), T + TTL);
    await s.asyncEvents.accept(event("r-2", T + 1), entry("accepted", T + 1), T + TTL);
    assert.deepEqual(await s.asyncEvents.pending(), [e, event("r-2", T + 1)]);

    const retried: AsyncEvent = { ...e, attempts: 1, dueAt: T + 60_000, lastError: { executedVersion: "3", functionArn: "arn:fn", payload: "{}", functionError: "Unhandled" } };
    assert.equal(await s.asyncEvents.update(retried, [entry("attempt", T + 5, { attempt: 1 }), entry("retry", T + 5)]), true);
    assert.deepEqual((await s.asyncEvents.pending())[0], retried);
    assert.equal(await s.asyncEvents.finish("r-1", [entry("attempt", T + 70_000), entry("ended", T + 70_000, { outcome: "succeeded" })]), true);
    assert.equal(await s.asyncEvents.finish("r-1", [entry("ended", T + 70_001)]), false, "an ended event ends once");
    assert.equal(await s.asyncEvents.update(retried, [entry("retry", T + 70_002)]), false, "and is not brought back");
    assert.deepEqual(ids(await s.asyncEvents.pending()), ["r-2"]);
    assert.deepEqual((await s.asyncEvents.timeline("r-1")).map((x) => x.kind), ["accepted", "attempt", "retry", "attempt", "ended"]);
    assert.deepEqual((await s.asyncEvents.timeline("r-1"))[0], entry("accepted", T, { bytes: 4 }));

    await s.asyncEvents.pruneTimelines(T + 70_000);
    assert.equal((await s.asyncEvents.timeline("r-1")).length, 5, "ended at the cut-off: kept");
    await s.asyncEvents.pruneTimelines(T + 70_001);
    assert.deepEqual(await s.asyncEvents.timeline("r-1"), []);
    assert.equal((await s.asyncEvents.timeline("r-2")).length, 1, "a pending event's timeline stays");
  });

  test("async: claim takes due events whose lease expired, oldest first, up to the limit; renew keeps them held", async (t) => {
    const s = await fresh(t);
    for (let i = 0; i < 5; i++) await s.asyncEvents.accept(event(`r-${i}`, T + 4 - i), entry("accepted", T), T + TTL);
    await s.asyncEvents.accept(event("later", T + 10, { dueAt: T + 60_000 }), entry("accepted", T), T + TTL);
    assert.deepEqual(await s.asyncEvents.claim(T + 1, T + 1 + TTL, 10), [], "held by a live lease (its own node's too)");

    assert.equal(await s.asyncEvents.renew(T + 3 * TTL), 6);
    assert.deepEqual(await s.asyncEvents.claim(T + 2 * TTL, T + 3 * TTL, 10), [], "renewed");

    const first = await s.asyncEvents.claim(T + 3 * TTL, T + 4 * TTL, 3);
    assert.deepEqual(ids(first), ["r-4", "r-3", "r-2"], "oldest first, up to the limit, due ones only");
    assert.deepEqual(ids(await s.asyncEvents.claim(T + 3 * TTL, T + 4 * TTL, 10)), ["r-1", "r-0"]);
    assert.deepEqual(await s.asyncEvents.claim(T + 3 * TTL + 1, T + 4 * TTL, 10), [], "claimed ones are held again");
    assert.deepEqual(ids(await s.asyncEvents.claim(T + 60_000, T + 60_000 + TTL, 10)), ["r-4", "r-3", "r-2", "r-1", "r-0", "later"]);
    assert.equal(await s.asyncEvents.finish("r-4", [entry("ended", T + 60_001)]), true, "the claimer holds it");
  });

  test("async: recover after a restart takes what the last run held: every event on a single-node store, expired ones (due or not) on a shared one", async (t) => {
    const s = await fresh(t);
    await s.asyncEvents.accept(event("a", T), entry("accepted", T), T + TTL);
    await s.asyncEvents.accept(event("b", T + 1, { dueAt: T + 120_000 }), entry("accepted", T + 1), T + TTL);
    const restarted = await fresh.reopen(t, s);
    assert.notEqual(restarted.nodeId, s.nodeId);
    const early = await restarted.asyncEvents.recover(T + 1, T + 1 + TTL);
    assert.deepEqual(ids(early), fresh.nextNode ? [] : ["a", "b"]);
    const taken = fresh.nextNode ? await restarted.asyncEvents.recover(T + TTL, T + 2 * TTL) : early;
    assert.deepEqual(taken, [event("a", T), event("b", T + 1, { dueAt: T + 120_000 })], "durable, oldest first");
    assert.equal(await restarted.asyncEvents.finish("b", [entry("ended", T + TTL)]), true);
    assert.deepEqual((await restarted.asyncEvents.timeline("b")).map((x) => x.kind), ["accepted", "ended"]);
  });

  sharedTest(fresh)("async: two nodes claiming at once never both get an event", async (t) => {
    const a = await fresh(t);
    const b = await fresh.nextNode!(t, a);
    const n = 60;
    // Accepted with leases already expired, as if their node had died.
    await Promise.all(Array.from({ length: n }, (_, i) => a.asyncEvents.accept(event(`r-${i}`, T + i), entry("accepted", T), T)));
    const got = new Map<string, string[]>();
    for (let round = 0; round < 10; round++) {
      const claims = await Promise.all([a, b, a, b].map(async (node) => ({ node: node.nodeId, events: await node.asyncEvents.claim(T + n, T + TTL, 5) })));
      for (const c of claims) for (const e of c.events) got.set(e.requestId, [...(got.get(e.requestId) ?? []), c.node]);
    }
    assert.equal(got.size, n);
    for (const [id, holders] of got) assert.equal(holders.length, 1, `${id} claimed by ${holders.length} nodes`);
    // Each event's writes succeed on its claimer only.
    const results = await Promise.all([...got].flatMap(([id, [holder]]) => [a, b].map(async (node) => ({ ok: await node.asyncEvents.finish(id, [entry("ended", T + 2)]), mine: node.nodeId === holder }))));
    for (const r of results) assert.equal(r.ok, r.mine);
    assert.deepEqual(await a.asyncEvents.pending(), []);
  });

  sharedTest(fresh)("async: a dead node's events go to another after the lease; the stale holder's writes change nothing", async (t) => {
    const a = await fresh(t);
    const b = await fresh.nextNode!(t, a);
    await a.asyncEvents.accept(event("x", T), entry("accepted", T), T + TTL);
    await a.asyncEvents.accept(event("y", T + 1), entry("accepted", T + 1), T + TTL);
    assert.deepEqual(await b.asyncEvents.claim(T + TTL - 1, T + 2 * TTL, 10), [], "a holds them until its lease ends");
    assert.equal(await b.asyncEvents.renew(T + 5 * TTL), 0, "renewing holds only one's own");
    const taken = await b.asyncEvents.claim(T + TTL, T + 2 * TTL, 10);
    assert.deepEqual(ids(taken), ["x", "y"]);
    assert.equal(await a.asyncEvents.renew(T + 5 * TTL), 0, "a came back: nothing is its any more");

    assert.equal(await a.asyncEvents.update({ ...event("x", T), attempts: 1, dueAt: T + 99 }, [entry("retry", T + TTL + 1)]), false);
    assert.equal(await a.asyncEvents.finish("y", [entry("ended", T + TTL + 1)]), false);
    assert.deepEqual(await b.asyncEvents.pending(), [event("x", T), event("y", T + 1)], "unchanged");
    assert.deepEqual((await b.asyncEvents.timeline("y")).map((x) => x.kind), ["accepted"]);
    assert.equal(await b.asyncEvents.finish("y", [entry("ended", T + TTL + 2)]), true);
    assert.equal(await a.asyncEvents.finish("x", [entry("ended", T + TTL + 3)]), false);
    assert.equal(await b.asyncEvents.finish("x", [entry("ended", T + TTL + 3)]), true);
    assert.deepEqual((await a.asyncEvents.timeline("x")).map((x) => x.kind), ["accepted", "ended"]);
  });

  test("async: release gives up every event this node holds, claimable at once (due ones)", async (t) => {
    const s = await fresh(t);
    await s.asyncEvents.accept(event("r", T), entry("accepted", T), T + TTL);
    await s.asyncEvents.accept(event("later", T, { dueAt: T + 60_000 }), entry("accepted", T), T + TTL);
    await s.asyncEvents.release();
    assert.equal(await s.asyncEvents.renew(T + TTL), 0, "nothing held any more");
    assert.equal(await s.asyncEvents.finish("r", [entry("ended", T)]), false);
    assert.deepEqual(ids(await s.asyncEvents.claim(T + 1, T + TTL, 10)), ["r"]);
    assert.equal(await s.asyncEvents.finish("r", [entry("ended", T + 1)]), true);
  });

  test("async: concurrent accepts are all stored, each once", async (t) => {
    const s = await fresh(t);
    await Promise.all(Array.from({ length: 50 }, (_, i) => s.asyncEvents.accept(event(`c-${i}`, T + i), entry("accepted", T + i), T + TTL)));
    assert.deepEqual(ids(await s.asyncEvents.pending()), Array.from({ length: 50 }, (_, i) => `c-${i}`));
    await assert.rejects(s.asyncEvents.accept(event("c-0", T), entry("accepted", T), T + TTL), "a request id is accepted once");
    // Accepted together (one batch where the store batches): only the duplicate fails.
    const batch = Array.from({ length: 10 }, (_, i) => (i === 7 ? "c-1" : `d-${i}`));
    const together = await Promise.allSettled(batch.map((id) => s.asyncEvents.accept(event(id, T + 100), entry("accepted", T + 100), T + TTL)));
    assert.deepEqual(together.map((r) => r.status), batch.map((id) => (id === "c-1" ? "rejected" : "fulfilled")));
    assert.equal((await s.asyncEvents.pending()).length, 59);
    assert.equal((await s.asyncEvents.timeline("c-1")).length, 1, "the duplicate left no second entry");
  });
}
