import { test } from "node:test";
import assert from "node:assert/strict";
import { ScaledClock } from "./clock.js";

test("a scaled timer never runs before its Flint time has passed, even when the event loop lags", async () => {
  const clock = new ScaledClock(10);
  const early: number[] = [];
  const alive = setInterval(() => {}, 1000); // Flint's timers do not keep the process alive
  await Promise.all(
    Array.from({ length: 200 }, (_, i) => {
      const due = clock.now() + 50 + i;
      // Block the loop a little between timers so their start times are stale.
      const until = performance.now() + 0.2;
      while (performance.now() < until);
      return new Promise<void>((resolve) =>
        clock.after(50 + i, () => {
          if (clock.now() < due) early.push(due - clock.now());
          resolve();
        }),
      );
    }),
  );
  clearInterval(alive);
  assert.deepEqual(early, []);
});

test("a timer can be cancelled", async () => {
  const clock = new ScaledClock(100);
  let ran = false;
  clock.after(100, () => (ran = true)).cancel();
  clock.after(1, () => undefined);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(ran, false);
});
