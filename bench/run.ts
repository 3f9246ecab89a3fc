/**
 * `npm run bench`: warm invoke latency and throughput through the Lambda Invoke API next to a bare
 * Node HTTP echo server, and cold starts next to a bare `node -e 0`, all measured in the same run
 * (suite `core`); then the sandbox, burst, async, esm, http, cluster, dynamodb and console suites. `BENCH_SUITES=core` picks suites.
 * Prints Markdown tables (paste the latest into bench/RESULTS.md).
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import os from "node:os";
import { startFlint, TEST_CREDENTIALS, REGION } from "../test/harness/flint.js";
import { zipFixture } from "../test/harness/zip.js";
import { createFunction } from "../test/harness/functions.js";
import { SignedClient, type Target } from "./lib/client.js";
import { coldStart, interleaved } from "./lib/cold.js";
import { summarize, table } from "./lib/stats.js";
import { startBaseline } from "./lib/baseline.js";
import { load } from "./lib/load.js";
import { asyncBench } from "./async.js";
import { esmBench } from "./esm.js";
import { httpBench } from "./http.js";
import { burstBench } from "./burst.js";
import { sandboxBench } from "./sandbox.js";
import { clusterBench } from "./cluster.js";
import { metricsBench } from "./metrics.js";
import { metricPublishBench } from "./metric-publish.js";
import { dynamodbBench } from "./dynamodb.js";
import { consoleBench } from "./console.js";
import { hostLayout } from "../src/sandbox/cgroups/host.js";

const PAYLOAD = Buffer.from(JSON.stringify({ hello: "world", n: 42 }));
const WARM_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const COLD_SAMPLES = Number(process.env.BENCH_COLD ?? 25);

/** Time from spawn to exit of a bare process with a clean environment. */
async function processStart(file: string, args: string[]): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(file, args, { stdio: "ignore", env: { PATH: "/usr/bin:/bin" } });
    child.on("exit", () => resolve());
    child.on("error", reject);
  });
  return performance.now() - started;
}

async function coreBench(): Promise<string> {
  const flint = await startFlint({ args: ["--idle-timeout", "600"] });
  const baseline = await startBaseline();
  const out: string[] = [];
  try {
    const zip = await zipFixture("nodejs");
    // One full core (1,769 MB): what is measured is Flint, not Lambda's CPU allotment of small functions.
    const fn = await createFunction(flint, zip, "echo.handler", { MemorySize: 1769 });
    const flintTarget: Target = { host: "127.0.0.1", port: flint.port, ...TEST_CREDENTIALS, region: REGION };
    const baseTarget: Target = { ...flintTarget, port: baseline.port };
    const invokePath = `/2015-03-31/functions/${fn}/invocations`;

    const rows: (string | number)[][] = [];
    for (const concurrency of [1, 8]) {
      const fc = new SignedClient(flintTarget, concurrency);
      const bc = new SignedClient(baseTarget, concurrency);
      await load(fc, invokePath, concurrency, 1, PAYLOAD); // warm-up: environments created, JIT warm
      await load(bc, "/echo", concurrency, 1, PAYLOAD);
      const b = await load(bc, "/echo", concurrency, WARM_SECONDS, PAYLOAD);
      const f = await load(fc, invokePath, concurrency, WARM_SECONDS, PAYLOAD);
      rows.push([`bare Node HTTP echo`, concurrency, b.p50, b.p99, b.rps, b.errors]);
      rows.push([`Flint Invoke (Node echo fn, 1,769 MB)`, concurrency, f.p50, f.p99, f.rps, f.errors]);
      rows.push([`ratio Flint / baseline`, concurrency, f.p50 / b.p50, f.p99 / b.p99, f.rps / b.rps, ""]);
      fc.close();
      bc.close();
    }
    out.push(table("Warm invoke (keep-alive client, SigV4-signed requests)", ["target", "concurrency", "p50 ms", "p99 ms", "req/s", "errors"], rows));

    // Cold starts: each sample is the first invoke of a new function (a new environment).
    const client = new SignedClient(flintTarget, 1);
    const { cold, bare } = await interleaved(COLD_SAMPLES, {
      bare: () => processStart(process.execPath, ["-e", "0"]),
      cold: () => coldStart(flint, client, zip, "echo.handler", "nodejs20.x"),
    });
    client.close();
    const c = summarize(cold);
    const n = summarize(bare);
    out.push(
      table("Cold start (first invoke of a new environment, measured at the client; bare and Flint sampled in turn)", ["what", "samples", "p50 ms", "p99 ms", "mean ms"], [
        ["bare `node -e 0` (clean env)", n.n, n.p50, n.p99, n.mean],
        ["Flint cold invoke, Node echo fn", c.n, c.p50, c.p99, c.mean],
        ["ratio Flint / bare node", "", c.p50 / n.p50, c.p99 / n.p99, c.mean / n.mean],
      ]),
    );
  } finally {
    baseline.stop();
    await flint.stop();
  }
  return out.join("\n");
}

async function main() {
  const suites = (process.env.BENCH_SUITES ?? "core,sandbox,burst,async,esm,http,cluster,dynamodb,console").split(",");
  const isolation = process.getuid?.() === 0 ? "root" : "not root";
  const layout = hostLayout();
  // Figures from different hosts compare only through what each host's bare process start costs.
  const bare: number[] = [];
  for (let i = 0; i < 15; i++) bare.push(await processStart(process.execPath, ["-e", "0"]));
  process.stdout.write(
    `## ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}, ${isolation}\n\n` +
      `cgroup layout: ${"problem" in layout ? `none usable (${layout.problem})` : layout.label}; bare \`node -e 0\` (clean env) p50 ${summarize(bare).p50.toFixed(1)} ms over ${bare.length} runs\n\n`,
  );
  if (suites.includes("core")) process.stdout.write((await coreBench()) + "\n");
  if (suites.includes("sandbox")) process.stdout.write((await sandboxBench()) + "\n");
  if (suites.includes("burst")) process.stdout.write((await burstBench()) + "\n");
  if (suites.includes("async")) process.stdout.write((await asyncBench()) + "\n");
  if (suites.includes("esm")) process.stdout.write((await esmBench()) + "\n");
  if (suites.includes("http")) process.stdout.write((await httpBench()) + "\n");
  if (suites.includes("cluster")) process.stdout.write((await clusterBench()) + "\n");
  if (suites.includes("dynamodb")) process.stdout.write((await dynamodbBench()) + "\n");
  if (suites.includes("console")) process.stdout.write((await consoleBench()) + "\n");
  if (suites.includes("metrics")) process.stdout.write((await metricsBench()) + "\n");
  if (suites.includes("metric-publish")) process.stdout.write((await metricPublishBench()) + "\n");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
