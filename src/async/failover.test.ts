/**
 * Two nodes' AsyncInvocations on one PostgreSQL database, on one manual clock: a node that dies with
 * events accepted (some running, some waiting) hands them to the other once its leases expire, and
 * every event reaches exactly one end, even when the dead node's runs come back late.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { ManualClock } from "../clock/manual-clock.js";
import { PgStore } from "../store/postgres.js";
import { testDatabase, type TestDatabase } from "../../test/harness/postgres.js";
import { AsyncInvocations, type ExecuteOutcome, type FinalOutcome } from "./queue.js";

const TTL = 10_000;
let db: TestDatabase;
before(async () => void (db = await testDatabase()));
after(() => db.close());

const completed = (): ExecuteOutcome => ({ kind: "completed", executedVersion: "$LATEST", functionArn: "arn:aws:lambda:us-east-1:000000000000:function:fn", payload: Buffer.from("null") });

/** One node: its store, its queue, the runs it started and the ends it recorded. */
async function node(url: string, clock: ManualClock, execute: (requestId: string) => Promise<ExecuteOutcome>) {
  const store = await PgStore.open(url);
  const runs: string[] = [];
  const ends: FinalOutcome[] = [];
  const events = new AsyncInvocations({
    store: store.asyncEvents,
    clock,
    execute: (_fn, _q, requestId) => (runs.push(requestId), execute(requestId)),
    settings: () => ({ maximumRetryAttempts: 2, maximumEventAgeMs: 6 * 3_600_000 }),
    deliver: async () => {},
    concurrencyPerFunction: 4,
    metrics: { received() {}, attempted() {}, sendFailed() {}, ended: (_fn, _q, outcome) => void ends.push(outcome) },
    leaseTtlMs: TTL,
  });
  return { store, events, runs, ends };
}

/** Move Flint time in steps, letting each step's store round trips finish, until `done` holds. */
async function advanceUntil(clock: ManualClock, stepMs: number, maxMs: number, done: () => boolean): Promise<void> {
  for (let step = 0; !done(); step++) {
    assert.ok(step < 300 && step * stepMs <= maxMs, `not done after ${step} steps`);
    clock.advance(stepMs);
    await sleep(20);
  }
}

test("a dead node's events, running or waiting, are claimed by the survivor after the lease, and each ends exactly once", async (t) => {
  // Node A dies as a frozen process does (kill -STOP, a partition): its time stops, so its timers
  // never fire and it renews nothing, and the runs it started do not return until it thaws.
  const clockA = new ManualClock();
  const clock = new ManualClock();
  const hung: (() => void)[] = [];
  const a = await node(db.url, clockA, () => new Promise((resolve) => hung.push(() => resolve(completed()))));
  const b = await node(db.url, clock, async () => completed());
  t.after(async () => {
    await b.events.close();
    await Promise.all([a.store.close(), b.store.close()]);
  });

  const fromA = Array.from({ length: 10 }, (_, i) => `a-${i}`);
  const fromB = Array.from({ length: 5 }, (_, i) => `b-${i}`);
  for (const id of fromA) await a.events.accept("fn", undefined, id, Buffer.from("{}"));
  for (const id of fromB) await b.events.accept("fn", undefined, id, Buffer.from("{}"));
  await advanceUntil(clock, 0, 0, () => b.ends.length === 5 && a.runs.length === 4);
  assert.deepEqual(b.runs, fromB, "each node runs what it accepted, at once");

  // A is frozen from here: four of its events are mid-run, six wait in its memory.
  clock.advance(TTL - 1);
  await sleep(100);
  await b.events.tend();
  assert.deepEqual(b.runs, fromB, "nothing is claimed while A's leases last");

  await advanceUntil(clock, TTL / 10, 3 * TTL, () => b.ends.length === 15);
  assert.deepEqual([...b.runs.slice(5)].sort(), [...fromA].sort(), "B ran each of A's events once");
  assert.deepEqual(await b.store.asyncEvents.pending(), []);
  const timeline = await b.events.timeline("a-0");
  assert.deepEqual(timeline.map((e) => e.kind), ["accepted", "recovered", "attempt", "ended"]);

  // A thaws and stops: its runs come back late, its writes change nothing, it records no end of its own.
  const aClosed = a.events.close();
  for (const resume of hung) resume();
  await aClosed;
  assert.deepEqual(a.ends, []);
  assert.equal(a.runs.length, 4, "A started none of the events it had lost");
  for (const id of [...fromA, ...fromB]) {
    const ends = (await b.events.timeline(id)).filter((e) => e.kind === "ended");
    assert.equal(ends.length, 1, `${id} ended ${ends.length} times`);
  }
});

test("a live node keeps its events past the lease time by renewing them: nobody else claims them", async (t) => {
  const clock = new ManualClock();
  const hung: (() => void)[] = [];
  const a = await node(db.url, clock, () => new Promise((resolve) => hung.push(() => resolve(completed()))));
  const b = await node(db.url, clock, async () => completed());
  t.after(async () => {
    for (const resume of hung) resume();
    await Promise.all([a.events.close(), b.events.close()]);
    await Promise.all([a.store.close(), b.store.close()]);
  });
  await a.events.accept("fn", undefined, "long", Buffer.from("{}"));
  await advanceUntil(clock, 0, 0, () => a.runs.length === 1);
  for (let i = 0; i < 12; i++) {
    clock.advance(TTL / 4);
    await sleep(30);
  }
  assert.deepEqual(b.runs, [], "three lease times later, still A's");
  hung[0]!();
  await advanceUntil(clock, 0, 0, () => a.ends.length === 1);
  assert.deepEqual(a.ends, ["succeeded"]);
});
