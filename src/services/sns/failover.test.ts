/**
 * Two nodes' SNS delivery queues on one PostgreSQL database: a node that freezes with deliveries
 * in flight (plain ones and a FIFO lane) hands them to the other once its leases expire; each is
 * made once, the lane in order, and the frozen node's late results change nothing.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { ManualClock } from "../../clock/manual-clock.js";
import { PgStore } from "../../store/postgres.js";
import { testDatabase, type TestDatabase } from "../../../test/harness/postgres.js";
import { type AttemptOutcome, DeliveryQueue } from "./deliveries.js";
import type { Delivery, NewDelivery } from "./model.js";

const TTL = 10_000;
const TOPIC = "arn:aws:sns:us-east-1:000000000000:t";
let db: TestDatabase;
before(async () => void (db = await testDatabase()));
after(() => db.close());

async function node(clock: ManualClock, attempt: (d: Delivery) => Promise<AttemptOutcome>) {
  const store = await PgStore.open(db.url);
  const made: Delivery[] = [];
  const queue = new DeliveryQueue({
    store: store.sns, clock, leaseTtlMs: TTL, giveUp: async () => {},
    attempt: (d) => attempt(d).then((o) => (made.push(d), o)),
  });
  /** Publish one message to `subs` the way publish.ts does: stored, then what this node holds queued. */
  const publish = async (id: string, subs: string[], orderKey?: string) => {
    const deliveries: NewDelivery[] = subs.map((s) => ({ kind: "notification", subscriptionArn: `${TOPIC}:${s}`, messageId: id, attempts: 0, dueAt: clock.now(), ...(orderKey ? { orderKey } : {}) }));
    queue.add(await store.sns.appendMessage({ messageId: id, topicArn: TOPIC, message: id, attributes: {}, timestamp: clock.now() }, deliveries, undefined, queue.leaseUntil()));
  };
  return { store, queue, made, publish };
}

test("a frozen node's deliveries, plain and in a FIFO lane, are made once by the other node after the lease, the lane in order", async (t) => {
  const clockA = new ManualClock();
  const clock = new ManualClock();
  const hung: (() => void)[] = [];
  const a = await node(clockA, () => new Promise((resolve) => hung.push(() => resolve({ done: true }))));
  const b = await node(clock, async () => ({ done: true }));
  t.after(async () => {
    await b.queue.close();
    await Promise.all([a.store.close(), b.store.close()]);
  });

  for (let i = 0; i < 6; i++) await a.publish(`plain-${i}`, ["s1"]);
  for (let i = 0; i < 4; i++) await a.publish(`fifo-${i}`, ["q"], "q/g");
  // B publishes behind A's lane (stored for the lane's holder) and outside it (its own at once).
  for (let i = 4; i < 6; i++) await b.publish(`fifo-${i}`, ["q"], "q/g");
  await b.publish("b-plain", ["s1", "s2"]);
  await sleep(50);
  assert.equal(hung.length, 7, "A attempts its plain deliveries and its lane's first");
  assert.deepEqual(b.made.map((d) => d.messageId), ["b-plain", "b-plain"]);

  clock.advance(TTL - 1);
  await b.queue.tend();
  assert.equal(b.made.length, 2, "nothing is claimed while A's leases last");
  for (let i = 0; i < 40 && b.made.length < 14; i++) {
    clock.advance(TTL / 10);
    await sleep(20);
  }
  const taken = b.made.slice(2).map((d) => d.messageId!);
  assert.deepEqual(taken.filter((m) => m.startsWith("plain")).sort(), Array.from({ length: 6 }, (_, i) => `plain-${i}`));
  assert.deepEqual(taken.filter((m) => m.startsWith("fifo")), Array.from({ length: 6 }, (_, i) => `fifo-${i}`), "the lane whole, in order");
  await b.queue.idle();
  assert.deepEqual(await b.store.sns.pendingDeliveries(), []);
  assert.equal(await b.store.sns.getMessage("fifo-0"), undefined);

  // A thaws and stops: its late results change nothing and it starts none of what it lost.
  const aClosed = a.queue.close();
  for (const resume of hung) resume();
  await aClosed;
  assert.equal(a.made.length, 7);
  assert.deepEqual(await b.store.sns.pendingDeliveries(), []);
});
