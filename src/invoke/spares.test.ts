import { test } from "node:test";
import assert from "node:assert/strict";
import { START_SLOTS, StartGate, startUnbound } from "./spares.js";
import type { SandboxDriver, SandboxShape } from "../sandbox/driver.js";

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

test("a start that fails before its sandbox exists gives its slot back (no cold start waits forever)", { timeout: 10_000 }, async () => {
  const failing = {
    runtimeApiTargets() {
      throw new Error("all 4096 sandbox uids are in use on this host");
    },
  } as unknown as SandboxDriver;
  const shape: SandboxShape = { family: "node", runtime: "nodejs20.x", memoryMb: 128, ephemeralStorageMb: 512, network: "default" };
  for (let i = 0; i < START_SLOTS + 2; i++) await assert.rejects(startUnbound(failing, shape), /sandbox uids/);
});
