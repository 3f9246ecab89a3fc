/**
 * Concurrency across nodes: three gates, each on its own PgStore on one database (three nodes), with
 * one manual clock. Acquisitions are held (not released) unless a test says so, as invocations in
 * flight are. https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
 */
import { after, before, describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { ScaledClock } from "../clock/clock.js";
import { ManualClock } from "../clock/manual-clock.js";
import { AwsError } from "../errors.js";
import type { FunctionRecord } from "../services/lambda/model.js";
import { PgStore } from "../store/postgres.js";
import { testDatabase, type TestDatabase } from "../../test/harness/postgres.js";
import { ACCOUNT_LIMIT, RESERVED_LIMIT, type ConcurrencyLimits, type Release } from "./concurrency.js";
import { LeasedConcurrencyGate, type LeaseTimes } from "./leased-gate.js";

const TIMES: LeaseTimes = { ttlMs: 9_000, lingerMs: 1_000, reclaimMs: 100 };
const LIMITS: ConcurrencyLimits = { limit: 1000, unreservedCapacity: 4 };
/** Let the store's answers arrive. */
const settle = () => new Promise((r) => setTimeout(r, 50));

function fn(name: string, settings: Partial<FunctionRecord> = {}): FunctionRecord {
  return { name, provisioned: {}, ...settings } as FunctionRecord;
}

/** What each acquisition came to: a slot, or a throttle's Reason. */
async function outcome(slot: () => Release | Promise<Release>): Promise<Release | string> {
  try {
    return await slot();
  } catch (err) {
    if (err instanceof AwsError && err.code === "TooManyRequestsException") return String(err.extra.Reason);
    throw err;
  }
}

const granted = (outcomes: (Release | string)[]) => outcomes.filter((o) => typeof o === "function") as Release[];

describe("concurrency leased across nodes (PostgreSQL)", () => {
  let db: TestDatabase;
  before(async () => void (db = await testDatabase()));
  after(() => db.close());

  async function cluster(t: TestContext, nodes = 3) {
    const clock = new ManualClock();
    const stores = await Promise.all(Array.from({ length: nodes }, () => PgStore.open(db.url)));
    const gates = await Promise.all(stores.map((s) => LeasedConcurrencyGate.create(s.slots, LIMITS, clock, TIMES)));
    t.after(async () => {
      for (const g of gates) await g.stop();
      for (const s of stores) await s.close();
    });
    return { clock, stores, gates };
  }

  test("20 parallel invokes spread over 3 nodes against reserved concurrency 5: exactly 5 run, 15 throttled with the reserved Reason", async (t) => {
    const { stores, gates } = await cluster(t);
    const f = fn("reserved-5", { reservedConcurrency: 5 });
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => outcome(() => gates[i % 3]!.acquire(f))));
    assert.equal(granted(outcomes).length, 5);
    assert.deepEqual(outcomes.filter((o) => typeof o === "string"), Array(15).fill(RESERVED_LIMIT));
    const holders = await stores[0]!.slots.holders("fn:reserved-5", Date.UTC(2024, 0, 1));
    assert.equal(holders.reduce((sum, h) => sum + h.count, 0), 5);
  });

  test("a dead node's slots come back to the others when its lease runs out, not before", async (t) => {
    const { clock, gates } = await cluster(t);
    const f = fn("dies", { reservedConcurrency: 5 });
    const [dead, b, c] = gates as [LeasedConcurrencyGate, LeasedConcurrencyGate, LeasedConcurrencyGate];
    assert.equal(granted(await Promise.all(Array.from({ length: 5 }, () => outcome(() => dead.acquire(f))))).length, 5);
    void dead.stop(); // killed: its invocations never end, it renews nothing and answers no one
    clock.advance(TIMES.ttlMs - 1 - TIMES.reclaimMs);
    await settle();
    const refused = outcome(() => b.acquire(f));
    await settle();
    clock.advance(TIMES.reclaimMs); // b waited that long for the dead node to answer
    assert.equal(await refused, RESERVED_LIMIT);
    clock.advance(1);
    await settle();
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => outcome(() => (i % 2 ? b : c).acquire(f))));
    assert.equal(granted(outcomes).length, 5);
  });

  test("the living nodes' leases are renewed: their slots outlast the lease time", async (t) => {
    const { clock, gates } = await cluster(t);
    const f = fn("renewed", { reservedConcurrency: 2 });
    const [a, b] = gates as [LeasedConcurrencyGate, LeasedConcurrencyGate];
    granted([await outcome(() => a.acquire(f)), await outcome(() => a.acquire(f))]);
    for (let i = 0; i < 9; i++) {
      clock.advance(TIMES.ttlMs / 3);
      await settle();
    }
    assert.equal(await outcome(() => b.acquire(f)), RESERVED_LIMIT);
  });

  test("a node that stalled past its lease learns at its next renewal that its idle slots are gone", async (t) => {
    const { clock, gates } = await cluster(t, 1);
    const f = fn("stalled", { reservedConcurrency: 1 });
    // Node a's own clock stands still while b's runs: a's event loop was blocked past its lease.
    const stalledClock = new ManualClock(clock.now());
    const store = await PgStore.open(db.url);
    const a = await LeasedConcurrencyGate.create(store.slots, LIMITS, stalledClock, TIMES);
    t.after(async () => {
      await a.stop();
      await store.close();
    });
    const b = gates[0]!;
    (await a.acquire(f))();
    assert.deepEqual(a.holding("fn:stalled"), { held: 1, busy: 0 });
    clock.advance(TIMES.ttlMs);
    await settle();
    const onB = await outcome(() => b.acquire(f));
    assert.equal(typeof onB, "function");
    stalledClock.advance(TIMES.ttlMs / 3); // a wakes up and renews
    await settle();
    assert.deepEqual(a.holding("fn:stalled"), { held: 0, busy: 0 });
    assert.equal(await outcome(() => a.acquire(f)), RESERVED_LIMIT);
  });

  test("a warm invoke takes an idle slot with no store round trip; idle slots go back after the linger", async (t) => {
    const { clock, gates } = await cluster(t, 1);
    const f = fn("warm", { reservedConcurrency: 1 });
    const a = gates[0]!;
    (await a.acquire(f))();
    const warm = a.acquire(f);
    assert.equal(typeof warm, "function", "a slot at hand, not a promise");
    (warm as Release)();
    assert.deepEqual(a.holding("fn:warm"), { held: 1, busy: 0 });
    clock.advance(TIMES.lingerMs); // used in this period: kept
    await settle();
    assert.deepEqual(a.holding("fn:warm"), { held: 1, busy: 0 });
    clock.advance(TIMES.lingerMs); // idle for a whole period: given back
    await settle();
    assert.deepEqual(a.holding("fn:warm"), { held: 0, busy: 0 });
  });

  test("idle slots on one node never throttle another: refused, it has the holders give them back and asks again", async (t) => {
    const { gates } = await cluster(t);
    const f = fn("parked", { reservedConcurrency: 3 });
    const [a, b, c] = gates as [LeasedConcurrencyGate, LeasedConcurrencyGate, LeasedConcurrencyGate];
    const warmUp = granted(await Promise.all([outcome(() => a.acquire(f)), outcome(() => a.acquire(f)), outcome(() => c.acquire(f))]));
    for (const r of warmUp) r();
    assert.deepEqual(a.holding("fn:parked"), { held: 2, busy: 0 });
    // Within the linger (the clock stands still): b gets all three, a and c hand theirs over.
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => outcome(() => b.acquire(f))));
    assert.equal(granted(outcomes).length, 3);
    assert.deepEqual(outcomes.filter((o) => typeof o === "string"), [RESERVED_LIMIT, RESERVED_LIMIT]);
    assert.deepEqual(a.holding("fn:parked"), { held: 0, busy: 0 });
    assert.deepEqual(c.holding("fn:parked"), { held: 0, busy: 0 });
  });

  test("an invoke waiting for the store takes a slot that ends on its node meanwhile", async (t) => {
    const { gates } = await cluster(t, 1);
    const f = fn("handover", { reservedConcurrency: 2 });
    const a = gates[0]!;
    const first = await a.acquire(f);
    const second = a.acquire(f);
    assert.ok(second instanceof Promise, "no idle slot: the store is asked");
    first();
    assert.equal(typeof (await second), "function");
    await settle(); // the store's answer: a slot the node keeps idle
    assert.deepEqual(a.holding("fn:handover"), { held: 2, busy: 1 });
  });

  test("a node that alone runs its whole reservation throttles without asking the store", async (t) => {
    const { gates } = await cluster(t, 1);
    const f = fn("alone", { reservedConcurrency: 1 });
    await gates[0]!.acquire(f);
    assert.throws(() => gates[0]!.acquire(f), (err: AwsError) => err.extra.Reason === RESERVED_LIMIT);
  });

  test("unreserved functions share what the account leaves across nodes; the throttle says ConcurrentInvocationLimitExceeded", async (t) => {
    const { gates } = await cluster(t);
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => outcome(() => gates[i % 3]!.acquire(fn(`pool-${i % 4}`)))));
    assert.equal(granted(outcomes).length, LIMITS.unreservedCapacity);
    assert.deepEqual(outcomes.filter((o) => typeof o === "string"), Array(12 - LIMITS.unreservedCapacity).fill(ACCOUNT_LIMIT));
  });

  test("an unreserved function with provisioned concurrency runs its share first, then in the shared pool", async (t) => {
    const { gates } = await cluster(t, 2);
    const f = fn("provisioned", { provisioned: { "1": { qualifier: "1", requested: 2, lastModified: "" } } });
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => outcome(() => gates[i % 2]!.acquire(f))));
    assert.equal(granted(outcomes).length, 2 + LIMITS.unreservedCapacity);
    assert.deepEqual(outcomes.filter((o) => typeof o === "string"), Array(10 - 2 - LIMITS.unreservedCapacity).fill(ACCOUNT_LIMIT));
  });

  test("under churn on three nodes (slots taken, ended, lingering, given back, reclaimed) never more than K run at once", async (t) => {
    const clock = new ScaledClock();
    const stores = await Promise.all([1, 2, 3].map(() => PgStore.open(db.url)));
    const gates = await Promise.all(stores.map((s) => LeasedConcurrencyGate.create(s.slots, LIMITS, clock, { ttlMs: 2_000, lingerMs: 5, reclaimMs: 50 })));
    t.after(async () => {
      for (const g of gates) await g.stop();
      for (const s of stores) await s.close();
    });
    const K = 4;
    const f = fn("churn", { reservedConcurrency: K });
    let running = 0;
    let most = 0;
    let ran = 0;
    await Promise.all(
      Array.from({ length: 12 }, async (_, client) => {
        for (let i = 0; i < 25; i++) {
          const slot = await outcome(() => gates[(client + i) % 3]!.acquire(f));
          if (typeof slot === "string") continue;
          running++;
          ran++;
          most = Math.max(most, running);
          await new Promise((r) => setTimeout(r, Math.random() * 4));
          running--;
          slot();
        }
      }),
    );
    assert.ok(most <= K, `${most} ran at once`);
    assert.equal(most, K, "the reservation was used whole");
    assert.ok(ran > 0);
  });

  test("a reservation of 0 throttles at once, with no store round trip", async (t) => {
    const { gates } = await cluster(t, 1);
    assert.throws(() => gates[0]!.acquire(fn("off", { reservedConcurrency: 0 })), (err: AwsError) => err.extra.Reason === RESERVED_LIMIT);
  });
});
