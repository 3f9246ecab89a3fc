/**
 * GET /_flint/metrics: Prometheus text with per function and version invocations, errors, throttles,
 * durations, init durations, cold starts, concurrent executions and environments by state.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { PublishVersionCommand, PutFunctionConcurrencyCommand, PutProvisionedConcurrencyConfigCommand, GetProvisionedConcurrencyConfigCommand } from "@aws-sdk/client-lambda";
import { startFlint, type FlintProcess } from "../harness/flint.js";
import { createFunction, invoke } from "../harness/functions.js";
import { PATIENCE_MS, eventually } from "../harness/processes.js";
import { zipFixture } from "../harness/zip.js";

/** Every sample of the exposition as `name{labels}` → value. */
async function scrape(flint: FlintProcess): Promise<{ contentType: string; samples: Map<string, number> }> {
  const res = await fetch(`${flint.endpoint}/_flint/metrics`);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const i = line.lastIndexOf(" ");
    samples.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return { contentType: res.headers.get("content-type") ?? "", samples };
}

const series = (name: string, labels: Record<string, string>) => `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}}`;

describe("metrics", () => {
  let flint: FlintProcess;
  let zip: Buffer;
  before(async () => {
    flint = await startFlint();
    zip = await zipFixture("nodejs");
  });
  after(() => flint.stop());

  test("invocations, errors, cold starts and durations are counted per function and version", async () => {
    const ok = await createFunction(flint, zip, "echo.handler");
    const bad = await createFunction(flint, zip, "throw.handler");
    for (let i = 0; i < 3; i++) await invoke(flint, ok, { i });
    for (let i = 0; i < 2; i++) await invoke(flint, bad, {});
    const { contentType, samples } = await scrape(flint);
    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    const okL = { function: ok, version: "$LATEST" };
    const badL = { function: bad, version: "$LATEST" };
    assert.equal(samples.get(series("flint_invocations_total", okL)), 3);
    assert.equal(samples.get(series("flint_errors_total", okL)), undefined, "no error series for a function that never failed");
    assert.equal(samples.get(series("flint_invocations_total", badL)), 2);
    assert.equal(samples.get(series("flint_errors_total", badL)), 2);
    assert.equal(samples.get(series("flint_cold_starts_total", okL)), 1);
    assert.equal(samples.get(series("flint_init_duration_seconds_count", okL)), 1);
    assert.equal(samples.get(series("flint_duration_seconds_count", okL)), 3);
    assert.ok(samples.get(series("flint_duration_seconds_sum", okL))! > 0);
    assert.equal(samples.get(series("flint_duration_seconds_bucket", { le: "+Inf", ...okL })), 3);
    assert.equal(samples.get(series("flint_concurrent_executions", okL)), 0);
    assert.equal(samples.get(series("flint_environments", { ...okL, state: "idle" })), 1);
  });

  test("throttles are counted with their Reason, and provisioned environments by version", async () => {
    const name = await createFunction(flint, zip, "echo.handler");
    await flint.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 0 }));
    await assert.rejects(invoke(flint, name), { name: "TooManyRequestsException" });
    await flint.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 5 }));
    const { Version } = await flint.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await flint.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: Version, ProvisionedConcurrentExecutions: 2 }));
    await eventually(async () => (await flint.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: Version }))).Status === "READY", PATIENCE_MS, "READY");
    await invoke(flint, name, {}, { qualifier: Version });
    const { samples } = await scrape(flint);
    assert.equal(samples.get(series("flint_throttles_total", { function: name, version: "$LATEST", reason: "ReservedFunctionConcurrentInvocationLimitExceeded" })), 1);
    assert.equal(samples.get(series("flint_environments", { function: name, version: Version!, state: "provisioned" })), 2);
    assert.equal(samples.get(series("flint_invocations_total", { function: name, version: Version! })), 1);
    assert.equal(samples.get(series("flint_cold_starts_total", { function: name, version: Version! })), undefined, "a provisioned environment serves without a cold start");
  });
});
