/**
 * Reserved concurrency, the account limit and provisioned concurrency, driven with the AWS CLI v2 and
 * many parallel SDK clients. Invocations are held in flight at a barrier (harness/parallel.ts), so the
 * counts are exact and nothing depends on how long an invocation or a cold start takes.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateAliasCommand, GetAccountSettingsCommand, GetFunctionCommand, GetProvisionedConcurrencyConfigCommand,
  ListProvisionedConcurrencyConfigsCommand, PublishVersionCommand, PutFunctionConcurrencyCommand,
  PutProvisionedConcurrencyConfigCommand,
} from "@aws-sdk/client-lambda";
import { startFlint, type FlintProcess } from "../harness/flint.js";
import { createFunction, invoke } from "../harness/functions.js";
import { Barrier, holdAndRelease, invokeInParallel, type Settled } from "../harness/parallel.js";
import { PATIENCE_MS, eventually } from "../harness/processes.js";
import { signedFetch } from "../harness/signed-fetch.js";
import { zipFixture } from "../harness/zip.js";

const count = (outcomes: Settled[], pick: (s: Settled) => boolean) => outcomes.filter(pick).length;
const succeeded = (s: Settled) => s.status === 200 && s.code === undefined;
const throttled = (reason: string) => (s: Settled) => s.status === 429 && s.code === "TooManyRequestsException" && s.reason === reason;

/** The SDK's error for a call that must fail: code, HTTP status, message. */
async function refusal(call: Promise<unknown>): Promise<{ code: string; status: number; message: string; reason?: string }> {
  try {
    await call;
  } catch (err: any) {
    if (!err.$metadata) throw err;
    return { code: err.name, status: err.$metadata.httpStatusCode, message: err.message, reason: err.Reason };
  }
  assert.fail("the call succeeded");
}

describe("reserved concurrency", () => {
  let flint: FlintProcess;
  let zip: Buffer;
  before(async () => {
    flint = await startFlint();
    zip = await zipFixture("nodejs");
  });
  after(() => flint.stop());

  const cli = async (...args: string[]) => {
    const r = await flint.aws(args);
    assert.equal(r.code, 0, `aws ${args.join(" ")}\n${r.stderr}`);
    // The CLI prints nothing for an empty result.
    return r.stdout.trim() ? r.json() : {};
  };

  test("N parallel clients against reserved K: exactly K execute, N−K get 429 with AWS's Reason", async () => {
    const [K, N] = [3, 8];
    const name = await createFunction(flint, zip, "hold.handler");
    assert.deepEqual(await cli("lambda", "put-function-concurrency", "--function-name", name, "--reserved-concurrent-executions", String(K)), { ReservedConcurrentExecutions: K });
    assert.deepEqual(await cli("lambda", "get-function-concurrency", "--function-name", name), { ReservedConcurrentExecutions: K });
    assert.deepEqual((await flint.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Concurrency, { ReservedConcurrentExecutions: K });

    const barrier = await Barrier.create();
    try {
      const { executing, outcomes } = await holdAndRelease(barrier, N, invokeInParallel(flint.endpoint, N, { FunctionName: name, payload: { port: barrier.port } }));
      assert.equal(executing, K, "executing at once");
      assert.equal(count(outcomes, succeeded), K);
      assert.equal(count(outcomes, throttled("ReservedFunctionConcurrentInvocationLimitExceeded")), N - K);
      assert.equal(new Set(outcomes.filter(succeeded).map((s) => s.payload.envId)).size, K, "each in its own environment");
    } finally {
      await barrier.close();
    }
    // The slots are free again once those finished.
    const after = await Barrier.create();
    after.release();
    try {
      assert.equal((await invoke(flint, name, { port: after.port })).status, 200);
    } finally {
      await after.close();
    }
  });

  test("TooManyRequestsException on the wire: status, message and Reason as AWS sends them", async () => {
    const name = await createFunction(flint, zip, "echo.handler");
    await cli("lambda", "put-function-concurrency", "--function-name", name, "--reserved-concurrent-executions", "0");
    const res = await signedFetch(flint.endpoint, { method: "POST", path: `/2015-03-31/functions/${name}/invocations`, body: "{}" });
    assert.equal(res.status, 429);
    assert.equal(res.errorType, "TooManyRequestsException");
    // Lambda's model: Type, message (lower case) and Reason.
    assert.deepEqual(res.body, { Type: "User", message: "Rate Exceeded.", Reason: "ReservedFunctionConcurrentInvocationLimitExceeded" });
  });

  test("reserved concurrency 0 turns a function off until the reservation is deleted", async () => {
    const name = await createFunction(flint, zip, "echo.handler");
    assert.deepEqual(await cli("lambda", "put-function-concurrency", "--function-name", name, "--reserved-concurrent-executions", "0"), { ReservedConcurrentExecutions: 0 });
    const refused = await refusal(invoke(flint, name, { n: 1 }));
    assert.deepEqual(refused, { code: "TooManyRequestsException", status: 429, message: "Rate Exceeded.", reason: "ReservedFunctionConcurrentInvocationLimitExceeded" });
    // The CLI (which retries throttles itself) gives up with the same error.
    const viaCli = await flint.aws(["lambda", "invoke", "--function-name", name, "--cli-binary-format", "raw-in-base64-out", "--payload", "{}", "/dev/null"]);
    assert.notEqual(viaCli.code, 0);
    assert.match(viaCli.stderr, /TooManyRequestsException/);
    await cli("lambda", "delete-function-concurrency", "--function-name", name);
    assert.deepEqual(await cli("lambda", "get-function-concurrency", "--function-name", name), {});
    assert.deepEqual((await invoke(flint, name, { n: 2 })).payload, { n: 2 });
  });

  test("reservations and GetAccountSettings: at least 100 executions stay unreserved", async () => {
    const name = await createFunction(flint, zip, "echo.handler");
    const limits = async () => (await cli("lambda", "get-account-settings")).AccountLimit;
    const before = await limits();
    assert.equal(before.ConcurrentExecutions, 1000, "the default account limit");
    await cli("lambda", "put-function-concurrency", "--function-name", name, "--reserved-concurrent-executions", "250");
    assert.equal((await limits()).UnreservedConcurrentExecutions, before.UnreservedConcurrentExecutions - 250);
    const tooMuch = await flint.aws(["lambda", "put-function-concurrency", "--function-name", name, "--reserved-concurrent-executions", String(before.UnreservedConcurrentExecutions - 99)]);
    assert.notEqual(tooMuch.code, 0);
    assert.match(
      tooMuch.stderr,
      /InvalidParameterValueException\) when calling the PutFunctionConcurrency operation: Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of \[100\]\./,
    );
    // Deleting the function gives its reservation back.
    await cli("lambda", "delete-function", "--function-name", name);
    assert.equal((await limits()).UnreservedConcurrentExecutions, before.UnreservedConcurrentExecutions);
  });
});

describe("the account concurrency limit", () => {
  let flint: FlintProcess;
  let zip: Buffer;
  before(async () => {
    // The smallest limit Flint accepts: 100 executions must stay unreserved, so one can be reserved.
    flint = await startFlint({ args: ["--concurrency-limit", "101"] });
    zip = await zipFixture("nodejs");
  });
  after(() => flint.stop());

  test("functions without a reservation share what the limit leaves; beyond it, ConcurrentInvocationLimitExceeded", async () => {
    const reserved = await createFunction(flint, zip, "echo.handler");
    await flint.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: reserved, ReservedConcurrentExecutions: 1 }));
    const { AccountLimit } = await flint.lambda.send(new GetAccountSettingsCommand({}));
    assert.equal(AccountLimit?.ConcurrentExecutions, 101);
    const shared = AccountLimit!.UnreservedConcurrentExecutions!;
    assert.equal(shared, 100);

    const name = await createFunction(flint, zip, "hold.handler");
    const N = shared + 4;
    const barrier = await Barrier.create();
    try {
      const run = invokeInParallel(flint.endpoint, N, { FunctionName: name, payload: { port: barrier.port } });
      await eventually(() => barrier.arrivals.length + run.settled.length >= N, 120_000, "every invoke executing or refused");
      // With the shared capacity taken, a function with its own reservation still runs.
      assert.deepEqual((await invoke(flint, reserved, { mine: true })).payload, { mine: true });
      const { executing, outcomes } = await holdAndRelease(barrier, N, run);
      assert.equal(executing, shared, "executing at once");
      assert.equal(count(outcomes, succeeded), shared);
      assert.equal(count(outcomes, throttled("ConcurrentInvocationLimitExceeded")), N - shared);
    } finally {
      await barrier.close();
    }
  });
});

describe("provisioned concurrency and the account limit", () => {
  let flint: FlintProcess;
  let zip: Buffer;
  before(async () => {
    flint = await startFlint({ args: ["--concurrency-limit", "101"] });
    zip = await zipFixture("nodejs");
  });
  after(() => flint.stop());

  test("provisioned concurrency of an unreserved function is its own: a saturated shared pool does not throttle it", async () => {
    const mine = await createFunction(flint, zip, "echo.handler");
    const { Version } = await flint.lambda.send(new PublishVersionCommand({ FunctionName: mine }));
    await flint.lambda.send(new CreateAliasCommand({ FunctionName: mine, Name: "live", FunctionVersion: Version }));
    await flint.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: mine, Qualifier: "live", ProvisionedConcurrentExecutions: 1 }));
    await eventually(async () => (await flint.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: mine, Qualifier: "live" }))).Status === "READY", PATIENCE_MS, "READY");
    const shared = (await flint.lambda.send(new GetAccountSettingsCommand({}))).AccountLimit!.UnreservedConcurrentExecutions!;
    assert.equal(shared, 100, "the provisioned execution left the shared pool");

    const other = await createFunction(flint, zip, "hold.handler");
    const N = shared + 2;
    const barrier = await Barrier.create();
    try {
      const run = invokeInParallel(flint.endpoint, N, { FunctionName: other, payload: { port: barrier.port } });
      await eventually(() => barrier.arrivals.length + run.settled.length >= N, 120_000, "every invoke executing or refused");
      // The shared pool is full; the provisioned function still runs in its own share.
      assert.deepEqual((await invoke(flint, mine, { mine: true }, { qualifier: "live" })).payload, { mine: true });
      const { executing, outcomes } = await holdAndRelease(barrier, N, run);
      assert.equal(executing, shared);
      assert.equal(count(outcomes, throttled("ConcurrentInvocationLimitExceeded")), N - shared);
    } finally {
      await barrier.close();
    }
  });

});

describe("provisioning", () => {
  let flint: FlintProcess;
  let zip: Buffer;
  before(async () => {
    flint = await startFlint();
    zip = await zipFixture("nodejs");
  });
  after(() => flint.stop());

  test("configuration changes while provisioned environments start do not start more of them", async () => {
    const name = await createFunction(flint, zip, "echo.handler");
    const { Version } = await flint.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await flint.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "live", FunctionVersion: Version }));
    await flint.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: "live", ProvisionedConcurrentExecutions: 2 }));
    // Each of these reconciles the function's provisioned environments while the first two start.
    await flint.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "other", FunctionVersion: Version }));
    await flint.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "third", FunctionVersion: Version }));
    await eventually(async () => (await flint.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: "live" }))).Status === "READY", PATIENCE_MS, "READY");
    const text = await (await fetch(`${flint.endpoint}/_flint/metrics`)).text();
    const envs = [...text.matchAll(new RegExp(`^flint_environments\\{function="${name}",version="${Version}",state="([a-z]+)"\\} (\\d+)$`, "gm"))].map((m) => [m[1], Number(m[2])]);
    assert.deepEqual(Object.fromEntries(envs), { idle: 2, provisioned: 2 });
  });
});

describe("provisioned concurrency", () => {
  let flint: FlintProcess;
  let zip: Buffer;
  before(async () => {
    // Idle environments expire after a second here; provisioned ones must not.
    flint = await startFlint({ args: ["--idle-timeout", "1"] });
    zip = await zipFixture("nodejs");
  });
  after(() => flint.stop());

  const provisionedStatus = async (name: string, qualifier: string) =>
    flint.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: qualifier }));
  const environments = async () => ((await (await fetch(`${flint.endpoint}/_flint/health`)).json()) as { environments: Record<string, number> }).environments;

  test("an alias reaches READY, serves without an Init Duration, spills over to on-demand, and is never reclaimed", async () => {
    const name = await createFunction(flint, zip, "hold.handler");
    const { Version } = await flint.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await flint.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "live", FunctionVersion: Version }));

    const put = await flint.aws(["lambda", "put-provisioned-concurrency-config", "--function-name", name, "--qualifier", "live", "--provisioned-concurrent-executions", "2"]);
    assert.equal(put.code, 0, put.stderr);
    assert.equal(put.json().Status, "IN_PROGRESS");
    assert.equal(put.json().RequestedProvisionedConcurrentExecutions, 2);
    await eventually(async () => (await provisionedStatus(name, "live")).Status === "READY", PATIENCE_MS, "READY");
    const ready = await provisionedStatus(name, "live");
    assert.equal(ready.AvailableProvisionedConcurrentExecutions, 2);
    assert.equal(ready.AllocatedProvisionedConcurrentExecutions, 2);
    const listed = await flint.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: name }));
    assert.deepEqual(listed.ProvisionedConcurrencyConfigs?.map((c) => [c.FunctionArn?.split(":").pop(), c.Status]), [["live", "READY"]]);

    // Four at once through the alias: two run in the provisioned environments, two spill over to on-demand ones.
    const barrier = await Barrier.create();
    let provisionedEnvs: string[];
    try {
      const run = invokeInParallel(flint.endpoint, 4, { FunctionName: name, Qualifier: "live", LogType: "Tail", payload: { port: barrier.port } });
      const { executing, outcomes } = await holdAndRelease(barrier, 4, run);
      assert.equal(executing, 4);
      assert.equal(count(outcomes, succeeded), 4);
      const provisioned = outcomes.filter((s) => s.payload.initType === "provisioned-concurrency");
      const onDemand = outcomes.filter((s) => s.payload.initType === "on-demand");
      assert.equal(provisioned.length, 2);
      assert.equal(onDemand.length, 2);
      for (const s of provisioned) assert.doesNotMatch(s.log!, /Init Duration/, "a provisioned environment was initialised before the invocation");
      for (const s of onDemand) assert.match(s.log!, /Init Duration: [\d.]+ ms/, "a spill-over invocation is a cold start");
      assert.ok(outcomes.every((s) => s.executedVersion === Version));
      provisionedEnvs = provisioned.map((s) => s.payload.envId).sort();
    } finally {
      await barrier.close();
    }

    // Idle expiry takes the on-demand environments and leaves the provisioned ones initialised.
    await eventually(async () => (await environments()).provisioned === 2 && Object.entries(await environments()).filter(([k]) => k !== "provisioned").reduce((n, [, v]) => n + v, 0) === 2, PATIENCE_MS, "only the provisioned environments left");
    const passing = await Barrier.create();
    passing.release();
    try {
      const again = [];
      for (let i = 0; i < 2; i++) again.push(await invoke(flint, name, { port: passing.port }, { qualifier: "live", tail: true }));
      for (const r of again) {
        assert.equal(r.payload.initType, "provisioned-concurrency");
        assert.doesNotMatch(r.log!, /Init Duration/);
        assert.ok(provisionedEnvs.includes(r.payload.envId), "served by one of the same provisioned environments");
      }
      // $LATEST has no provisioned concurrency: its environments start on demand.
      const latest = await invoke(flint, name, { port: passing.port }, { tail: true });
      assert.equal(latest.payload.initType, "on-demand");
      assert.equal(latest.executedVersion, "$LATEST");
      assert.match(latest.log!, /Init Duration/);
    } finally {
      await passing.close();
    }
  });

  test("invalid configurations get AWS's errors", async () => {
    const name = await createFunction(flint, zip, "echo.handler");
    const { Version } = await flint.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    const putConfig = (Qualifier: string, n: number) =>
      flint.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier, ProvisionedConcurrentExecutions: n }));

    assert.deepEqual(await refusal(putConfig("$LATEST", 1)), {
      code: "InvalidParameterValueException",
      status: 400,
      message: "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
      reason: undefined,
    });
    assert.deepEqual(await refusal(putConfig("7", 1)), {
      code: "ResourceNotFoundException",
      status: 404,
      message: `Function not found: arn:aws:lambda:us-east-1:000000000000:function:${name}:7`,
      reason: undefined,
    });
    assert.deepEqual(await refusal(putConfig("nosuchalias", 1)), {
      code: "ResourceNotFoundException",
      status: 404,
      message: `Cannot find alias arn: arn:aws:lambda:us-east-1:000000000000:function:${name}:nosuchalias`,
      reason: undefined,
    });
    // Provisioned environments count against the function's reservation.
    await flint.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 2 }));
    assert.deepEqual(await refusal(putConfig(Version!, 3)), {
      code: "InvalidParameterValueException",
      status: 400,
      message: "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function",
      reason: undefined,
    });
    const viaCli = await flint.aws(["lambda", "put-provisioned-concurrency-config", "--function-name", name, "--qualifier", "$LATEST", "--provisioned-concurrent-executions", "1"]);
    assert.notEqual(viaCli.code, 0);
    assert.match(viaCli.stderr, /InvalidParameterValueException\) when calling the PutProvisionedConcurrencyConfig operation: Provisioned Concurrency Configs cannot be applied to unpublished function versions\./);
  });
});
