/**
 * Execution environment lifecycle: parallel environments for parallel invokes, warm reuse, idle
 * expiry, replacement on update, state across restarts, and no process left behind.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { AddPermissionCommand, GetFunctionCommand, GetPolicyCommand, InvokeCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2, CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { startFlint, type FlintProcess, ROLE, uniqueName } from "../harness/flint.js";
import { zipFixture, zipFiles } from "../harness/zip.js";
import { WAITER, createFunction, environmentsOf, invoke } from "../harness/functions.js";
import { Barrier, holdAndRelease, invokeInParallel } from "../harness/parallel.js";
import { PATIENCE_MS, alive, descendants, eventually } from "../harness/processes.js";

/** Environments of the function with this name that Flint holds, by state (from /_flint/health). */
async function environments(flint: FlintProcess): Promise<number> {
  const health = await (await fetch(`${flint.endpoint}/_flint/health`)).json();
  return Object.values(health.environments as Record<string, number>).reduce((a, b) => a + b, 0);
}

describe("execution environment lifecycle", () => {
  let flint: FlintProcess;
  let zip: Buffer;
  before(async () => {
    flint = await startFlint({ args: ["--idle-timeout", "1"] });
    zip = await zipFixture("nodejs");
  });
  after(() => flint.stop());

  test("an idle environment expires after the keep-alive and the next invoke is a cold start", async () => {
    const name = await createFunction(flint, zip, "counter.handler");
    const sent = Date.now();
    const first = (await invoke(flint, name)).payload.envId;
    // Warm after its invocation: none left before the 1 s keep-alive could be up is a failure (on a
    // host slow enough to get here later than that, expiry may rightly have come first).
    const warm = await environments(flint);
    assert.ok(warm >= 1 || Date.now() - sent >= 1000, `no environment ${Date.now() - sent} ms after the invoke was sent, within its keep-alive`);
    await eventually(async () => (await environments(flint)) === 0, PATIENCE_MS, "idle expiry");
    const again = await invoke(flint, name, {}, { tail: true });
    assert.notEqual(again.payload.envId, first);
    assert.equal(again.payload.invocations, 1);
    assert.match(again.log!, /Init Duration: /);
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
    await eventually(async () => (await flint.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration?.State === "Active", PATIENCE_MS, "Active");
    assert.deepEqual((await invoke(flint, name, { ok: 1 })).payload, { ok: 1 });
  });
});

describe("warm environments", () => {
  // The default keep-alive, so that only what a test does (not idle expiry) ends an environment.
  let flint: FlintProcess;
  before(async () => {
    flint = await startFlint();
  });
  after(() => flint.stop());

  test("parallel invokes get parallel environments, which are then reused warm", async () => {
    // Each burst is held at a gate until all four run: they are concurrent however slow the host.
    const name = await createFunction(flint, await zipFixture("nodejs"), "hold.handler");
    const burst = async () => {
      const barrier = await Barrier.create();
      try {
        const { executing, outcomes } = await holdAndRelease(barrier, 4, invokeInParallel(flint.endpoint, 4, { FunctionName: name, payload: { port: barrier.port } }));
        assert.equal(executing, 4, JSON.stringify(outcomes));
        return outcomes.map((o) => o.payload.envId as string);
      } finally {
        await barrier.close();
      }
    };
    const first = await burst();
    assert.equal(new Set(first).size, 4, "one environment per concurrent invocation");
    const second = await burst();
    assert.deepEqual(new Set(second), new Set(first), "the same four environments serve the next burst");
  });

  test("updating the configuration replaces warm environments", async () => {
    const name = await createFunction(flint, await zipFixture("nodejs"), "counter.handler");
    const before = (await invoke(flint, name)).payload.envId;
    assert.deepEqual(await environmentsOf(flint, name), { idle: 1 });
    await flint.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: "new" }));
    await waitUntilFunctionUpdatedV2({ client: flint.lambda, ...WAITER }, { FunctionName: name });
    const after = (await invoke(flint, name)).payload;
    assert.notEqual(after.envId, before);
    assert.equal(after.invocations, 1);
    await eventually(async () => JSON.stringify(await environmentsOf(flint, name)) === JSON.stringify({ idle: 1 }), PATIENCE_MS, "the old environment destroyed, the new one warm");
  });
});

describe("state across restarts", () => {
  test("functions, tags, policies and code survive a restart; shutdown leaves no environment running", async () => {
    const first = await startFlint();
    const dataDir = first.dataDir;
    const zip = await zipFixture("nodejs");
    const name = await createFunction(first, zip, "counter.handler", { Tags: { keep: "me" }, Environment: { Variables: { KEEP_ME: "1" } } });
    await first.lambda.send(new AddPermissionCommand({ FunctionName: name, StatementId: "keep", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com" }));
    await invoke(first, name);
    const started = descendants(first.child.pid!);
    assert.ok(started.length > 0);
    assert.equal(await first.stop({ cleanup: false }), 0);
    await eventually(() => started.every((p) => !alive(p)), PATIENCE_MS, "graceful shutdown ends every environment and spare");

    const second = await startFlint({ dataDir });
    try {
      const got = await second.lambda.send(new GetFunctionCommand({ FunctionName: name }));
      assert.equal(got.Configuration?.State, "Active");
      assert.deepEqual(got.Tags, { keep: "me" });
      assert.deepEqual(got.Configuration?.Environment?.Variables, { KEEP_ME: "1" });
      const policy = await second.lambda.send(new GetPolicyCommand({ FunctionName: name }));
      assert.deepEqual(JSON.parse(policy.Policy!).Statement.map((s: { Sid: string }) => s.Sid), ["keep"]);
      const r = await invoke(second, name);
      assert.equal(r.payload.invocations, 1);
    } finally {
      await second.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test("Ctrl-C at a terminal (SIGINT to the whole process group) shuts down cleanly, leaving nothing behind", async () => {
    const flint = await startFlint({ ownProcessGroup: true });
    try {
      const name = await createFunction(flint, await zipFixture("nodejs"), "counter.handler");
      await invoke(flint, name);
      const started = descendants(flint.child.pid!);
      assert.ok(started.length > 0);
      assert.equal(await flint.interrupt(), 0, flint.output());
      assert.doesNotMatch(flint.output(), /Traceback|KeyboardInterrupt|EBUSY/, "every helper outlived the signal and did its part of the shutdown");
      await eventually(() => started.every((p) => !alive(p)), PATIENCE_MS, "every process of the server ended");
      const mounts = readFileSync("/proc/self/mountinfo", "utf8");
      assert.ok(!mounts.includes(`flint-sandbox-${flint.child.pid}-`), "no mount left");
      assert.deepEqual(readdirSync(tmpdir()).filter((d) => d.startsWith(`flint-sandbox-${flint.child.pid}-`)), []);
    } finally {
      await rm(flint.dataDir, { recursive: true, force: true });
    }
  });

  test("a server whose output nobody reads any more keeps serving and still shuts down cleanly", async () => {
    const flint = await startFlint();
    try {
      // As when the terminal or the `| tee` that read the server's output is gone: every write fails (EPIPE).
      flint.child.stdout!.destroy();
      flint.child.stderr!.destroy();
      const name = await createFunction(flint, await zipFixture("nodejs"), "counter.handler");
      assert.equal((await invoke(flint, name)).payload.invocations, 1);
      const started = descendants(flint.child.pid!);
      assert.equal(await flint.stop({ cleanup: false }), 0, "shut down by SIGTERM with exit code 0, not killed by an EPIPE");
      await eventually(() => started.every((p) => !alive(p)), PATIENCE_MS, "every process of the server ended");
      assert.ok(!readFileSync("/proc/self/mountinfo", "utf8").includes(`flint-sandbox-${flint.child.pid}-`), "no mount left");
      assert.deepEqual(readdirSync(tmpdir()).filter((d) => d.startsWith(`flint-sandbox-${flint.child.pid}-`)), []);
    } finally {
      await flint.stop();
    }
  });

  test("environments die with a server killed by SIGKILL", async () => {
    const flint = await startFlint();
    try {
      const name = await createFunction(flint, await zipFixture("nodejs"), "counter.handler");
      await invoke(flint, name);
      const started = descendants(flint.child.pid!);
      assert.ok(started.length > 0);
      await flint.kill9();
      await eventually(() => started.every((p) => !alive(p)), PATIENCE_MS, "environments dead");
      // What a killed server left on the host (mounts, images, cgroups) goes at the next start.
      const next = await startFlint({ dataDir: flint.dataDir });
      await next.stop({ cleanup: false });
      assert.deepEqual(readdirSync(tmpdir()).filter((d) => d.startsWith(`flint-sandbox-${flint.child.pid}-`)), []);
    } finally {
      await flint.stop();
    }
  });
});
