/**
 * Execution environment lifecycle: parallel environments for parallel invokes, warm reuse, idle
 * expiry, replacement on update, state across restarts, and no process left behind.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { GetFunctionCommand, InvokeCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2, CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { startFlint, type FlintProcess, ROLE, uniqueName } from "../harness/flint.js";
import { zipFixture, zipFiles } from "../harness/zip.js";
import { createFunction, invoke } from "../harness/functions.js";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function eventually(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("execution environment lifecycle", () => {
  let flint: FlintProcess;
  let zip: Buffer;
  before(async () => {
    flint = await startFlint({ args: ["--idle-timeout", "1"] });
    zip = await zipFixture("nodejs");
  });
  after(() => flint.stop());

  test("parallel invokes get parallel environments, which are then reused warm", async () => {
    const name = await createFunction(flint, zip, "slow.handler");
    const burst = async () => (await Promise.all([1, 2, 3, 4].map(() => invoke(flint, name, { ms: 300 })))).map((r) => r.payload.pid as number);
    const first = await burst();
    assert.equal(new Set(first).size, 4, "one environment per concurrent invocation");
    const second = await burst();
    assert.deepEqual(new Set(second), new Set(first), "the same four environments serve the next burst");
  });

  test("an idle environment expires after the keep-alive and the next invoke is a cold start", async () => {
    const name = await createFunction(flint, zip, "counter.handler");
    const pid = (await invoke(flint, name)).payload.pid;
    assert.ok(alive(pid));
    await eventually(() => !alive(pid), 6000);
    const again = await invoke(flint, name, {}, { tail: true });
    assert.notEqual(again.payload.pid, pid);
    assert.equal(again.payload.invocations, 1);
    assert.match(again.log!, /Init Duration: /);
  });

  test("updating the configuration replaces warm environments", async () => {
    const name = await createFunction(flint, zip, "counter.handler");
    const before = (await invoke(flint, name)).payload.pid;
    await flint.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: "new" }));
    await waitUntilFunctionUpdatedV2({ client: flint.lambda, maxWaitTime: 20, minDelay: 0.1, maxDelay: 0.3 }, { FunctionName: name });
    const after = (await invoke(flint, name)).payload;
    assert.notEqual(after.pid, before);
    assert.equal(after.invocations, 1);
    await eventually(() => !alive(before));
  });

  test("a Pending function refuses invocations with ResourceConflictException", async () => {
    // A package big enough that unpacking it takes a while: incompressible files.
    const files: Record<string, Buffer> = { "echo.js": Buffer.from("exports.handler = async (e) => e;") };
    for (let i = 0; i < 20; i++) files[`blob-${i}.bin`] = randomBytes(2 * 1024 * 1024);
    const name = uniqueName("pending");
    const created = await flint.lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Handler: "echo.handler", Role: ROLE, Code: { ZipFile: await zipFiles(files) } }));
    assert.equal(created.State, "Pending");
    await assert.rejects(flint.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from("{}") })), (err: any) => {
      assert.equal(err.name, "ResourceConflictException");
      assert.equal(err.$metadata.httpStatusCode, 409);
      assert.equal(err.message, "The operation cannot be performed at this time. The function is currently in the following state: Pending");
      return true;
    });
    await eventually(async () => (await flint.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration?.State === "Active", 20_000);
    assert.deepEqual((await invoke(flint, name, { ok: 1 })).payload, { ok: 1 });
  });
});

describe("state across restarts", () => {
  test("functions, tags and code survive a restart; shutdown leaves no environment running", async () => {
    const first = await startFlint();
    const dataDir = first.dataDir;
    const zip = await zipFixture("nodejs");
    const name = await createFunction(first, zip, "counter.handler", { Tags: { keep: "me" }, Environment: { Variables: { KEEP_ME: "1" } } });
    const pid = (await invoke(first, name)).payload.pid;
    assert.equal(await first.stop({ cleanup: false }), 0);
    assert.equal(alive(pid), false, "graceful shutdown ends every environment");

    const second = await startFlint({ dataDir });
    try {
      const got = await second.lambda.send(new GetFunctionCommand({ FunctionName: name }));
      assert.equal(got.Configuration?.State, "Active");
      assert.deepEqual(got.Tags, { keep: "me" });
      assert.deepEqual(got.Configuration?.Environment?.Variables, { KEEP_ME: "1" });
      const r = await invoke(second, name);
      assert.equal(r.payload.invocations, 1);
    } finally {
      await second.stop();
    }
  });

  test("environments die with a server killed by SIGKILL", async () => {
    const flint = await startFlint();
    try {
      const name = await createFunction(flint, await zipFixture("nodejs"), "counter.handler");
      const pid = (await invoke(flint, name)).payload.pid;
      await flint.kill9();
      await eventually(() => !alive(pid));
    } finally {
      await flint.stop();
    }
  });
});
