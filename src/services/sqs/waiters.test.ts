import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../clock/manual-clock.js";
import { LocalChangeBus } from "../../store/change-bus.js";
import { QueueWaiters } from "./waiters.js";

test("a notification between looking at the queue and waiting is not lost", async () => {
  const waiters = new QueueWaiters(new ManualClock());
  const seen = waiters.generation("q");
  waiters.notify("q"); // a send lands after the receive found nothing, before it waits
  await waiters.wait("q", 20_000, seen); // resolves without the clock moving
});

test("a wait ends on notify, on its time, on abort and on close", async () => {
  const clock = new ManualClock();
  const waiters = new QueueWaiters(clock);
  const order: string[] = [];
  const notified = waiters.wait("a", 20_000, waiters.generation("a")).then(() => order.push("notified"));
  const timed = waiters.wait("b", 5_000, waiters.generation("b")).then(() => order.push("timed"));
  const abort = new AbortController();
  const aborted = waiters.wait("c", 20_000, waiters.generation("c"), abort.signal).then(() => order.push("aborted"));
  const closed = waiters.wait("d", 20_000, waiters.generation("d")).then(() => order.push("closed"));
  waiters.notify("a");
  await notified;
  clock.advance(5_000);
  await timed;
  abort.abort();
  await aborted;
  waiters.close();
  await closed;
  assert.deepEqual(order, ["notified", "timed", "aborted", "closed"]);
  await waiters.wait("e", 20_000, 0); // closed: never waits
});

test("a wait on another node ends when this node notifies the queue; its own other queues sleep on", async () => {
  const clock = new ManualClock();
  const bus = new LocalChangeBus();
  const nodeA = new QueueWaiters(clock, bus.join());
  const nodeB = new QueueWaiters(clock, bus.join());
  let otherWoke = false;
  void nodeB.wait("other", 20_000, nodeB.generation("other")).then(() => (otherWoke = true));
  const waiting = nodeB.wait("q", 20_000, nodeB.generation("q"));
  nodeA.notify("q");
  await waiting; // the clock never moves
  await new Promise((r) => setImmediate(r));
  assert.equal(otherWoke, false);
  nodeB.close();
});
