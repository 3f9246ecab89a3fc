/**
 * Scaling: environments are created in parallel and bounded by the scaling rate; a function whose
 * init is slow does not hold up other functions' cold starts; idle environments scale to zero.
 * Slow inits and running invocations are held at gates the tests open, not timed.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startFlint, type FlintProcess } from "../harness/flint.js";
import { createFunction, environmentsOf as environments, invoke } from "../harness/functions.js";
import { Barrier, invokeInParallel } from "../harness/parallel.js";
import { PATIENCE_MS, eventually, settlesWithin } from "../harness/processes.js";
import { zipFixture } from "../harness/zip.js";

describe("scaling", () => {
  let flint: FlintProcess;
  let zip: Buffer;
  before(async () => {
    // A scaling rate of 10 environments per 10 s per function, and a short keep-alive.
    flint = await startFlint({ args: ["--scaling-rate", "10", "--idle-timeout", "2"] });
    zip = await zipFixture("nodejs");
  });
  after(() => flint.stop());

  test("a slow init does not hold up another function's cold start", async () => {
    const gate = await Barrier.create();
    try {
      const slow = await createFunction(flint, zip, "gated-init.handler", { Environment: { Variables: { INIT_GATE_PORT: String(gate.port) } } });
      const quick = await createFunction(flint, zip, "echo.handler");
      const slowCalls = Promise.all([1, 2, 3].map(() => invoke(flint, slow)));
      // Three inits of the slow function are running, and stay at the gate until the test opens it.
      await Promise.race([gate.arrived(3), slowCalls]);
      assert.equal(gate.arrivals.length, 3, "three slow inits running");
      const quickOut = await settlesWithin(invoke(flint, quick, { ok: true }), "the quick cold start while three slow inits wait");
      assert.deepEqual(quickOut.payload, { ok: true });
      gate.release();
      for (const r of await slowCalls) assert.equal(r.functionError, undefined, r.raw);
    } finally {
      await gate.close();
    }
  });

  test("a burst from zero creates environments in parallel up to the scaling rate, and the rest are throttled with AWS's Reason", async () => {
    // Every invocation that gets an environment keeps it (held at the barrier), so each one took a
    // token: 10 in the bucket, and one more for each second the burst took to arrive.
    const name = await createFunction(flint, zip, "hold.handler");
    const barrier = await Barrier.create();
    try {
      const sent = Date.now();
      const burst = invokeInParallel(flint.endpoint, 25, { FunctionName: name, payload: { port: barrier.port } });
      const refused = () => burst.settled.filter((s) => s.code !== undefined).length;
      await eventually(() => barrier.arrivals.length + refused() >= 25, PATIENCE_MS, "every invoke running or refused");
      const seconds = Math.floor((Date.now() - sent) / 1000);
      barrier.release();
      const outcomes = await burst.all;
      const ok = outcomes.filter((o) => o.status === 200);
      const throttled = outcomes.filter((o) => o.status === 429);
      assert.equal(ok.length + throttled.length, 25, JSON.stringify(outcomes.filter((o) => o.status !== 200 && o.status !== 429)));
      assert.ok(ok.length >= 10 && ok.length <= 10 + seconds, `${ok.length} ran in a burst of ${seconds} s`);
      assert.equal(new Set(ok.map((o) => o.payload.envId)).size, ok.length, "each running invoke had its own environment");
      for (const t of throttled) {
        assert.equal(t.code, "TooManyRequestsException");
        assert.equal(t.reason, "FunctionInvocationRateLimitExceeded");
      }
    } finally {
      await barrier.close();
    }
  });

  test("idle environments scale to zero", async () => {
    const name = await createFunction(flint, zip, "slow.handler");
    const sent = Date.now();
    await Promise.all([1, 2, 3].map(() => invoke(flint, name, { ms: 300 })));
    // Idle after their invocations, unless the 2 s keep-alive may already be up (a host that slow).
    const idle = (await environments(flint, name)).idle ?? 0;
    assert.ok(idle >= 1 || Date.now() - sent >= 2000, `no idle environment ${Date.now() - sent} ms after the invokes were sent, within the keep-alive`);
    await eventually(async () => Object.entries(await environments(flint, name)).every(([, n]) => n === 0), PATIENCE_MS, "no environment left");
  });
});
