/**
 * HTTP triggers and response streaming (issue 16), each next to its baselines in the same run:
 * - Warm requests from keep-alive clients at concurrency 1 and 8 to a Node.js echo function through
 *   a function URL, an HTTP API route and a REST API route (path forms), next to Flint's own Invoke
 *   and a bare Node HTTP echo.
 * - Streaming: time from the function's write to the client's read of each chunk (function and
 *   client share the host's clock), through a URL in RESPONSE_STREAM mode and InvokeWithResponseStream;
 *   100 MB streamed through each, with the server's RSS growth, next to a bare Node server streaming
 *   the same bytes.
 * `npm run build && node dist/bench/http.js` (also `BENCH_SUITES=http npm run bench`).
 */
import http from "node:http";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { AddPermissionCommand } from "@aws-sdk/client-lambda";
import { ApiGatewayV2Client, CreateApiCommand } from "@aws-sdk/client-apigatewayv2";
import { APIGatewayClient, CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, GetResourcesCommand, PutIntegrationCommand, PutMethodCommand } from "@aws-sdk/client-api-gateway";
import { ACCOUNT, REGION, TEST_CREDENTIALS, startFlint, type FlintProcess } from "../test/harness/flint.js";
import { createFunction } from "../test/harness/functions.js";
import { zipFixture } from "../test/harness/zip.js";
import { createUrl } from "../test/harness/function-urls.js";
import { SignedClient, type Target } from "./lib/client.js";
import { summarize, table } from "./lib/stats.js";
import { startBaseline } from "./lib/baseline.js";
import { load } from "./lib/load.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const MEGABYTES = Number(process.env.BENCH_STREAM_MB ?? 100);
const PAYLOAD = Buffer.from(JSON.stringify({ hello: "world", n: 42 }));
const now = () => performance.timeOrigin + performance.now();

const clientConfig = (flint: FlintProcess) => ({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS });

/** A public function URL on `fn`: its path form. */
async function functionUrl(flint: FlintProcess, fn: string, mode: "BUFFERED" | "RESPONSE_STREAM"): Promise<string> {
  const url = await createUrl(flint, fn, { invokeMode: mode });
  return `/_aws/lambda-url/${url.id}/`;
}

/** API Gateway may invoke `fn` for every API of the account. */
async function allowApiGateway(flint: FlintProcess, fn: string): Promise<void> {
  await flint.lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: "apigateway", Action: "lambda:InvokeFunction", Principal: "apigateway.amazonaws.com", SourceArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:*` }));
}

async function httpApi(flint: FlintProcess, fnArn: string): Promise<string> {
  const api = await new ApiGatewayV2Client(clientConfig(flint)).send(new CreateApiCommand({ Name: "bench", ProtocolType: "HTTP", Target: fnArn }));
  return `/_aws/execute-api/${api.ApiId}/echo`;
}

async function restApi(flint: FlintProcess, fnArn: string): Promise<string> {
  const client = new APIGatewayClient(clientConfig(flint));
  const api = await client.send(new CreateRestApiCommand({ name: "bench" }));
  const root = (await client.send(new GetResourcesCommand({ restApiId: api.id }))).items!.find((r) => r.path === "/")!;
  const proxy = await client.send(new CreateResourceCommand({ restApiId: api.id, parentId: root.id, pathPart: "{proxy+}" }));
  await client.send(new PutMethodCommand({ restApiId: api.id, resourceId: proxy.id, httpMethod: "ANY", authorizationType: "NONE" }));
  await client.send(
    new PutIntegrationCommand({ restApiId: api.id, resourceId: proxy.id, httpMethod: "ANY", type: "AWS_PROXY", integrationHttpMethod: "POST", uri: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${fnArn}/invocations` }),
  );
  await client.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "bench" }));
  return `/_aws/execute-api/${api.id}/bench/echo`;
}

/** A function answering as a REST API's proxy integration must (`{statusCode, body}`), allowed to API Gateway; its ARN. */
async function proxyEcho(flint: FlintProcess): Promise<string> {
  const fn = await createFunction(flint, await zipFixture("nodejs"), "echo-body.handler", { MemorySize: 1769 });
  await allowApiGateway(flint, fn);
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn}`;
}

async function triggersBench(flint: FlintProcess, baselinePort: number): Promise<string> {
  const fn = await createFunction(flint, await zipFixture("nodejs"), "echo.handler", { MemorySize: 1769 });
  const fnArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn}`;
  await allowApiGateway(flint, fn);
  const targets: [string, string][] = [
    ["Flint Invoke", `/2015-03-31/functions/${fn}/invocations`],
    ["function URL", await functionUrl(flint, fn, "BUFFERED")],
    ["HTTP API route (payload 2.0)", await httpApi(flint, fnArn)],
    // A REST API answers 502 for a result that is not a proxy response (echo's event is not): its function answers the body back.
    ["REST API {proxy+} route (echo-body)", await restApi(flint, await proxyEcho(flint))],
  ];
  const flintTarget: Target = { host: "127.0.0.1", port: flint.port, ...TEST_CREDENTIALS, region: REGION };
  const rows: (string | number)[][] = [];
  for (const concurrency of [1, 8]) {
    const bare = new SignedClient({ ...flintTarget, port: baselinePort }, concurrency);
    await load(bare, "/echo", concurrency, 1, PAYLOAD);
    const b = await load(bare, "/echo", concurrency, SECONDS, PAYLOAD);
    bare.close();
    rows.push(["bare Node HTTP echo", concurrency, b.p50, b.p99, b.rps, b.errors, ""]);
    let invoke: { p50: number; rps: number } | undefined;
    for (const [label, path] of targets) {
      const client = new SignedClient(flintTarget, concurrency);
      await load(client, path, concurrency, 1, PAYLOAD);
      const r = await load(client, path, concurrency, SECONDS, PAYLOAD);
      client.close();
      invoke ??= r;
      const ratio = label === "Flint Invoke" ? "" : `p50 ×${(r.p50 / invoke.p50).toFixed(2)}, req/s ×${(r.rps / invoke.rps).toFixed(2)}`;
      rows.push([label, concurrency, r.p50, r.p99, r.rps, r.errors, ratio]);
    }
  }
  return table("HTTP triggers: warm requests to a Node.js echo function (1,769 MB), keep-alive clients", ["target", "concurrency", "p50 ms", "p99 ms", "req/s", "errors", "vs Invoke"], rows);
}

/** The server's resident memory, in MB. */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

interface Streamed {
  ms: number;
  bytes: number;
  /** Client read time minus the function's write time, per tick. */
  lags: number[];
  rssGrowthMb: number;
}

/**
 * A streamed answer read as it arrives, with the server's RSS sampled meanwhile when `watch` is its
 * pid. `frames`: the body is InvokeWithResponseStream's event stream, whose PayloadChunks carry the
 * bytes. Small payloads are the function's write times, one per line.
 */
function streamRequest(o: { port: number; path: string; headers?: Record<string, string>; body?: Buffer; frames: boolean; watch?: number }): Promise<Streamed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const before = o.watch ? rssMb(o.watch) : 0;
    let peak = before;
    const sampler = o.watch ? setInterval(() => (peak = Math.max(peak, rssMb(o.watch!))), 5) : undefined;
    const lags: number[] = [];
    let bytes = 0;
    let pending: Buffer = Buffer.alloc(0);
    const payload = (data: Buffer) => {
      bytes += data.length;
      if (data.length < 64) for (const line of data.toString().split("\n")) if (line) lags.push(now() - Number(line));
    };
    const headers = o.headers ?? (o.body ? { "content-type": "application/json", "content-length": String(o.body.length) } : {});
    const req = http.request({ host: "127.0.0.1", port: o.port, path: o.path, method: o.body ? "POST" : "GET", headers }, (res) => {
      res.on("data", (d: Buffer) => {
        if (!o.frames) return payload(d);
        pending = pending.length ? Buffer.concat([pending, d]) : d;
        while (pending.length >= 12 && pending.length >= pending.readUInt32BE(0)) {
          const total = pending.readUInt32BE(0);
          const headersLength = pending.readUInt32BE(4);
          if (pending.subarray(12, 12 + headersLength).includes("PayloadChunk")) payload(pending.subarray(12 + headersLength, total - 4));
          pending = pending.subarray(total);
        }
      });
      res.on("end", () => {
        clearInterval(sampler);
        resolve({ ms: performance.now() - started, bytes, lags, rssGrowthMb: peak - before });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(o.body);
  });
}

/** A streaming function (`handler` of stream-bench.js) with a RESPONSE_STREAM URL, and how to stream through either path. */
async function streamingTarget(flint: FlintProcess, handler: string) {
  const fn = await createFunction(flint, await zipFixture("nodejs"), handler, { MemorySize: 1769 });
  const urlPath = await functionUrl(flint, fn, "RESPONSE_STREAM");
  const invokePath = `/2021-11-15/functions/${fn}/response-streaming-invocations`;
  // InvokeWithResponseStream is signed: the benchmark client's signer gives the headers for a plain http.request.
  const signer = new SignedClient({ host: "127.0.0.1", port: flint.port, ...TEST_CREDENTIALS, region: REGION }, 1);
  return {
    url: (event: unknown, watch?: number) => streamRequest({ port: flint.port, path: urlPath, body: Buffer.from(JSON.stringify(event)), frames: false, watch }),
    invoke: (event: unknown, watch?: number) => {
      const body = Buffer.from(JSON.stringify(event));
      return streamRequest({ port: flint.port, path: invokePath, headers: signer.headers("POST", invokePath, body), body, frames: true, watch });
    },
  };
}

async function streamingBench(flint: FlintProcess, baselinePort: number): Promise<string> {
  const plain = await streamingTarget(flint, "stream-bench.handler");
  const tuned = await streamingTarget(flint, "stream-bench.buffered1mb");
  const ticks = { ticks: 50, gapMs: 20 };
  const lag = (label: string, r: Streamed) => [label, summarize(r.lags).n, summarize(r.lags).p50, summarize(r.lags).p99];
  const lagRows = [lag("function URL (RESPONSE_STREAM)", await plain.url(ticks)), lag("InvokeWithResponseStream", await plain.invoke(ticks))];
  const runs = 3;
  const pid = flint.child.pid!;
  const series: [string, (watch: number) => Promise<Streamed>][] = [
    ["Flint function URL (RESPONSE_STREAM)", (w) => plain.url({ megabytes: MEGABYTES }, w)],
    ["Flint InvokeWithResponseStream", (w) => plain.invoke({ megabytes: MEGABYTES }, w)],
    ["Flint function URL, function's highWaterMark 1 MiB", (w) => tuned.url({ megabytes: MEGABYTES }, w)],
    ["Flint InvokeWithResponseStream, highWaterMark 1 MiB", (w) => tuned.invoke({ megabytes: MEGABYTES }, w)],
  ];
  // One unmeasured pass: the server's heap and JIT settle before RSS growth is measured.
  for (const [, run] of series) await run(pid);
  const bare: Streamed[] = [];
  const flintRuns: Streamed[][] = series.map(() => []);
  for (let i = 0; i < runs; i++) {
    bare.push(await streamRequest({ port: baselinePort, path: `/stream?megabytes=${MEGABYTES}`, frames: false }));
    for (const [k, [, run]] of series.entries()) flintRuns[k]!.push(await run(pid));
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const bulkRow = (label: string, rs: Streamed[], rss: boolean) => [
    label,
    rs.length,
    rs.every((r) => r.bytes === MEGABYTES * 1024 * 1024) ? "yes" : `no (${rs.map((r) => r.bytes).join(", ")})`,
    median(rs.map((r) => r.ms)),
    median(rs.map((r) => (MEGABYTES * 1.048576) / (r.ms / 1000))),
    rss ? Math.max(...rs.map((r) => r.rssGrowthMb)) : "",
  ];
  return [
    table("Streaming: time from the function's write to the client's read of each chunk (50 chunks 20 ms apart)", ["path", "chunks", "p50 ms", "p99 ms"], lagRows),
    table(`Streaming ${MEGABYTES} MB in 64 KB writes (after one unmeasured pass; median of ${runs}, runs interleaved; server RSS growth: the largest over the runs)`, ["path", "runs", "all bytes", "ms", "MB/s", "server RSS growth MB"], [
      bulkRow("bare Node HTTP server, 64 KB writes", bare, false),
      ...series.map(([label], k) => bulkRow(label, flintRuns[k]!, true)),
    ]),
  ].join("\n");
}

export async function httpBench(): Promise<string> {
  // BENCH_HTTP_PROFILE=DIR: the server writes a V8 CPU profile there (lib/cpu-profile.cjs).
  const profile = process.env.BENCH_HTTP_PROFILE;
  const env = profile ? { NODE_OPTIONS: `--require ${fileURLToPath(new URL("../../bench/lib/cpu-profile.cjs", import.meta.url))}`, BENCH_CPU_PROFILE_DIR: profile, BENCH_CPU_PROFILE_NAME: "http" } : undefined;
  const flint = await startFlint({ args: ["--idle-timeout", "600"], ...(env ? { env } : {}) });
  const baseline = await startBaseline();
  try {
    const parts = (process.env.BENCH_HTTP ?? "triggers,streaming").split(",");
    const out: string[] = [];
    if (parts.includes("triggers")) out.push(await triggersBench(flint, baseline.port));
    if (parts.includes("streaming")) out.push(await streamingBench(flint, baseline.port));
    return out.join("\n");
  } finally {
    baseline.stop();
    await flint.stop();
  }
}

if (process.argv[1]?.endsWith("/bench/http.js")) {
  httpBench().then(
    (text) => process.stdout.write(text + "\n"),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
