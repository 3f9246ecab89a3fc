/**
 * Burst: from zero, 200 parallel invokes of a Node function that works 100 ms, against on-demand
 * environments and against a version with 200 provisioned. Prints time to first and last response,
 * environments created (cold starts, from /_flint/metrics), throttles and the creation rate.
 * Baseline in the same run: the same 200 requests against a bare Node HTTP server that waits 100 ms.
 */
import http from "node:http";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { GetProvisionedConcurrencyConfigCommand, PublishVersionCommand, PutProvisionedConcurrencyConfigCommand } from "@aws-sdk/client-lambda";
import { REGION, TEST_CREDENTIALS, startFlint, type FlintProcess } from "../test/harness/flint.js";
import { createFunction } from "../test/harness/functions.js";
import { zipFixture } from "../test/harness/zip.js";
import { SignedClient, type Target } from "./lib/client.js";
import { table } from "./lib/stats.js";

const BURST = Number(process.env.BENCH_BURST ?? 200);
const WORK_MS = 100;
const PAYLOAD = Buffer.from(JSON.stringify({ ms: WORK_MS }));

/** Machine-wide CPU time (busy, total) in clock ticks, from /proc/stat. */
function cpuTicks(): { busy: number; total: number } {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3]! - f[4]!, total };
}

interface BurstResult {
  firstMs: number;
  lastMs: number;
  ok: number;
  throttled: number;
  otherErrors: number;
  /** Share of the machine's CPU that was busy during the burst. */
  cpuBusy: number;
  environments: number;
}

async function fire(client: SignedClient, path: string): Promise<Omit<BurstResult, "environments">> {
  const cpu = cpuTicks();
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: BURST }, () => client.post(path, PAYLOAD).then((r) => ({ ...r, at: performance.now() - started }))));
  const cpuAfter = cpuTicks();
  const times = results.map((r) => r.at).sort((a, b) => a - b);
  const failed = results.find((r) => r.status !== 200 && r.status !== 429);
  if (failed) process.stderr.write(`burst: ${failed.status} ${failed.body.toString().slice(0, 300)}\n`);
  return {
    firstMs: times[0]!,
    lastMs: times.at(-1)!,
    ok: results.filter((r) => r.status === 200 && !r.body.includes("errorType")).length,
    throttled: results.filter((r) => r.status === 429).length,
    otherErrors: results.filter((r) => r.status !== 429 && (r.status !== 200 || r.body.includes("errorType"))).length,
    cpuBusy: (cpuAfter.busy - cpu.busy) / (cpuAfter.total - cpu.total),
  };
}

/** A metric's value from the Prometheus text, summed over the series whose labels include `match`. */
async function metric(flint: FlintProcess, name: string, match: string): Promise<number> {
  const text = await (await fetch(`${flint.endpoint}/_flint/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name}{`) && line.includes(match)) sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

async function baselineBurst(): Promise<Omit<BurstResult, "environments">> {
  const server = http.createServer((_req, res) => setTimeout(() => res.end("{}"), WORK_MS));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const client = new SignedClient({ host: "127.0.0.1", port, ...TEST_CREDENTIALS, region: REGION }, BURST);
  try {
    return await fire(client, "/burst");
  } finally {
    client.close();
    server.close();
  }
}

export async function burstBench(): Promise<string> {
  const flint = await startFlint({ args: ["--idle-timeout", "600", "--spares", "0", ...(process.env.BENCH_BURST_ARGS?.split(" ").filter(Boolean) ?? [])] });
  const target: Target = { host: "127.0.0.1", port: flint.port, ...TEST_CREDENTIALS, region: REGION };
  const rows: (string | number)[][] = [];
  const row = (what: string, r: BurstResult, rate: number | string) =>
    rows.push([what, r.firstMs, r.lastMs, r.ok, r.environments, r.throttled, r.otherErrors, `${(r.cpuBusy * 100).toFixed(0)}%`, rate]);
  try {
    const zip = await zipFixture("nodejs");
    const base = await baselineBurst();
    row(`bare Node HTTP server (waits ${WORK_MS} ms)`, { ...base, environments: 0 }, "");

    // On demand, from zero: every request may need a new environment.
    const onDemand = await createFunction(flint, zip, "slow.handler");
    let client = new SignedClient(target, BURST);
    const d = await fire(client, `/2015-03-31/functions/${onDemand}/invocations`);
    client.close();
    const created = await metric(flint, "flint_cold_starts_total", `function="${onDemand}"`);
    // Environments are created while requests wait; the last one is ready by the last response minus the work.
    row(`Flint on demand, from zero (--spares 0)`, { ...d, environments: created }, `${(created / ((d.lastMs - WORK_MS) / 1000)).toFixed(1)} env/s`);

    // Provisioned: 200 environments initialised before the burst.
    const provisioned = await createFunction(flint, zip, "slow.handler");
    const { Version } = await flint.lambda.send(new PublishVersionCommand({ FunctionName: provisioned }));
    const readyStarted = performance.now();
    await flint.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: provisioned, Qualifier: Version, ProvisionedConcurrentExecutions: BURST }));
    for (;;) {
      const c = await flint.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: provisioned, Qualifier: Version }));
      if (c.Status === "READY") break;
      if (c.Status === "FAILED") throw new Error(`provisioned concurrency failed: ${c.StatusReason}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const readySeconds = (performance.now() - readyStarted) / 1000;
    client = new SignedClient(target, BURST);
    const p = await fire(client, `/2015-03-31/functions/${provisioned}:${Version}/invocations`);
    client.close();
    const cold = await metric(flint, "flint_cold_starts_total", `function="${provisioned}"`);
    row(`Flint provisioned ${BURST} (READY after ${readySeconds.toFixed(1)} s)`, { ...p, environments: cold }, `${(BURST / readySeconds).toFixed(1)} env/s to READY`);
  } finally {
    await flint.stop();
  }
  return table(
    `Burst: ${BURST} parallel invokes of a Node function working ${WORK_MS} ms`,
    ["target", "first response ms", "last response ms", "ok", "cold starts", "throttled", "other errors", "CPU busy", "creation rate"],
    rows,
  );
}
