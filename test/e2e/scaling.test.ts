/**
 * Scaling: environments are created in parallel and bounded by the scaling rate; a function whose
 * init is slow does not hold up other functions' cold starts; idle environments scale to zero.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startFlint, type FlintProcess } from "../harness/flint.js";
import { createFunction, environmentsOf as environments, invoke } from "../harness/functions.js";
import { invokeInParallel } from "../harness/parallel.js";
import { eventually } from "../harness/processes.js";
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
    const slow = await createFunction(flint, zip, "slow-init.handler", { Timeout: 30, Environment: { Variables: { SLOW_INIT_MS: "4000" } } });
    const quick = await createFunction(flint, zip, "echo.handler");
    const order: string[] = [];
    const slowCalls = Promise.all([1, 2, 3].map(() => invoke(flint, slow).then(() => order.push("slow"))));
    // The slow function's environments are initialising when the other function's cold start begins.
    // (An on-demand environment is busy from the moment its first invocation waits on its init.)
    await eventually(async () => ((await environments(flint, slow)).busy ?? 0) === 3, 10_000, "three slow inits running");
    const quickOut = await invoke(flint, quick, { ok: true });
    order.push("quick");
    assert.deepEqual(quickOut.payload, { ok: true });
    await slowCalls;
    assert.equal(order[0], "quick", `the quick cold start finished first: ${order.join(", ")}`);
  });

  test("a burst from zero creates environments in parallel up to the scaling rate, and the rest are throttled with AWS's Reason", async () => {
    const name = await createFunction(flint, zip, "slow.handler");
    const burst = invokeInParallel(flint.endpoint, 25, { FunctionName: name, payload: { ms: 1500 } });
    const outcomes = await burst.all;
    const ok = outcomes.filter((o) => o.status === 200);
    const throttled = outcomes.filter((o) => o.status === 429);
    assert.equal(ok.length + throttled.length, 25, JSON.stringify(outcomes.filter((o) => o.status !== 200 && o.status !== 429)));
    // The bucket holds 10 and refills at one per second: 10 or 11 environments in the burst's first instants.
    assert.ok(ok.length >= 10 && ok.length <= 12, `${ok.length} ran`);
    assert.equal(new Set(ok.map((o) => o.payload.envId)).size, ok.length, "each running invoke had its own environment");
    for (const t of throttled) {
      assert.equal(t.code, "TooManyRequestsException");
      assert.equal(t.reason, "FunctionInvocationRateLimitExceeded");
    }
  });

  test("idle environments scale to zero", async () => {
    const name = await createFunction(flint, zip, "slow.handler");
    await Promise.all([1, 2, 3].map(() => invoke(flint, name, { ms: 300 })));
    assert.ok(((await environments(flint, name)).idle ?? 0) >= 1);
    await eventually(async () => Object.entries(await environments(flint, name)).every(([, n]) => n === 0), 15_000, "no environment left");
  });
});
