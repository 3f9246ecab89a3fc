import { test } from "node:test";
import assert from "node:assert/strict";
import { StartGate } from "./spares.js";

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("a start gate lets `slots` in at once and the next one in as each leaves, in order", async () => {
  const gate = new StartGate(2);
  const order: number[] = [];
  const leaves: (() => void)[] = [];
  const entering = [1, 2, 3, 4].map((n) => gate.enter().then((leave) => (order.push(n), leaves.push(leave))));
  await tick();
  assert.deepEqual(order, [1, 2], "two in, two waiting");
  leaves[0]!();
  await tick();
  assert.deepEqual(order, [1, 2, 3], "one left, the first waiting came in");
  leaves[0]!(); // leaving twice gives back one slot, not two
  await tick();
  assert.deepEqual(order, [1, 2, 3]);
  leaves[1]!();
  await Promise.all(entering);
  assert.deepEqual(order, [1, 2, 3, 4]);
  leaves[2]!();
  leaves[3]!();
  // Everyone left: the next two get in at once again.
  const again = await Promise.all([gate.enter(), gate.enter()]);
  assert.equal(again.length, 2);
});
