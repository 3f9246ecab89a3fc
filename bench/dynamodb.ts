/**
 * DynamoDB (issue 18), side by side in one run: Flint (durable: SQLite, each write answered after its
 * commit) and dynalite (in memory, in a process of its own), with the same keep-alive SigV4 client
 * for both, next to a bare Node HTTP echo taking the same request bodies:
 * - PutItem, GetItem, Query (pages of 100 items) and UpdateItem (ADD to a counter) from 8 clients,
 *   BENCH_SECONDS each, the two servers in alternating turns;
 * - GetItem latency at concurrency 1;
 * - item change → handler start through a DynamoDB stream mapping (Flint only: dynalite has no
 *   streams), one PutItem at a time on an idle table, the handler (Node.js) reporting when it started.
 * `npm run build && node dist/bench/dynamodb.js` (also `BENCH_SUITES=dynamodb npm run bench`);
 * `BENCH_DDB=api` or `stream` runs one part.
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { REGION, ROOT, TEST_CREDENTIALS, startFlint, type FlintProcess } from "../test/harness/flint.js";
import { createFunction } from "../test/harness/functions.js";
import { createExecutionRole } from "../test/harness/permissions.js";
import { sdkClient } from "../test/harness/sqs-clients.js";
import { zipFixture } from "../test/harness/zip.js";
import { SignedClient, type Target } from "./lib/client.js";
import { summarize, table } from "./lib/stats.js";
import { startBaseline } from "./lib/baseline.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLIENTS = 8;
const KEYS = 1000;
const LATENCY_SAMPLES = Number(process.env.BENCH_DDB_SAMPLES ?? 200);
const TABLE = "bench";
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** dynalite in a Node process of its own (as Flint is), in memory, tables ACTIVE at once. */
async function startDynaliteProcess(): Promise<{ port: number; stop(): void }> {
  const code = "require('dynalite')({createTableMs:0,deleteTableMs:0,updateTableMs:0}).listen(0,'127.0.0.1',function(){console.log(this.address().port)})";
  const child = spawn(process.execPath, ["-e", code], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) => child.stdout!.once("data", (d) => resolve(Number(String(d).trim()))));
  return { port, stop: () => child.kill() };
}

async function call(client: SignedClient, op: string, input: object): Promise<{ ms: number; status: number; body: any }> {
  const r = await client.post("/", Buffer.from(JSON.stringify(input)), { "x-amz-target": `DynamoDB_20120810.${op}`, "content-type": "application/x-amz-json-1.0" });
  return { ms: r.ms, status: r.status, body: r.body.length ? JSON.parse(String(r.body)) : {} };
}
async function must(client: SignedClient, op: string, input: object): Promise<any> {
  const r = await call(client, op, input);
  if (r.status !== 200) throw new Error(`${op}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

const payload = "x".repeat(100);
const rand = (n: number) => Math.floor(Math.random() * n);
/** The four operations' request bodies (fresh keys for puts, random existing ones otherwise). */
const OPS: Record<string, () => object> = {
  PutItem: () => ({ TableName: TABLE, Item: { pk: { S: `p${rand(1e9)}` }, sk: { N: "0" }, data: { S: payload } } }),
  GetItem: () => ({ TableName: TABLE, Key: { pk: { S: `g${rand(KEYS)}` }, sk: { N: "0" } } }),
  "Query (100 items)": () => ({ TableName: TABLE, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": { S: "q" } }, Limit: 100 }),
  UpdateItem: () => ({ TableName: TABLE, Key: { pk: { S: `g${rand(KEYS)}` }, sk: { N: "0" } }, UpdateExpression: "ADD hits :one", ExpressionAttributeValues: { ":one": { N: "1" } } }),
};
const opName = (label: string) => label.split(" ")[0]!;

async function prepare(client: SignedClient): Promise<void> {
  await must(client, "CreateTable", {
    TableName: TABLE,
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
    BillingMode: "PAY_PER_REQUEST",
  });
  while ((await must(client, "DescribeTable", { TableName: TABLE })).Table.TableStatus !== "ACTIVE") await sleep(20);
  const puts: object[] = [];
  for (let i = 0; i < KEYS; i++) puts.push({ PutRequest: { Item: { pk: { S: `g${i}` }, sk: { N: "0" }, data: { S: payload } } } });
  for (let i = 0; i < 100; i++) puts.push({ PutRequest: { Item: { pk: { S: "q" }, sk: { N: String(i) }, data: { S: payload } } } });
  const batches: object[][] = [];
  for (let i = 0; i < puts.length; i += 25) batches.push(puts.slice(i, i + 25));
  await Promise.all(Array.from({ length: CLIENTS }, async (_, w) => {
    for (let b = w; b < batches.length; b += CLIENTS) {
      let items: any = { [TABLE]: batches[b] };
      while (Object.keys(items).length) items = (await must(client, "BatchWriteItem", { RequestItems: items })).UnprocessedItems ?? {};
    }
  }));
}

/** `concurrency` closed loops of `op` for `seconds`: latency percentiles, requests/s, non-200 answers. */
async function run(client: SignedClient, label: string, concurrency: number, seconds: number) {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const r = await call(client, opName(label), OPS[label]!());
      if (r.status !== 200) errors++;
      latencies.push(r.ms);
    }
  }));
  return { ...summarize(latencies), rps: latencies.length / ((performance.now() - started) / 1000), errors };
}

async function streamLatency(flint: FlintProcess): Promise<string> {
  const sqs = sdkClient(flint.endpoint);
  const client = new SignedClient({ host: "127.0.0.1", port: flint.port, ...TEST_CREDENTIALS, region: REGION }, 1, "dynamodb");
  try {
    const role = await createExecutionRole(flint.endpoint, [
      { Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" },
      { Effect: "Allow", Action: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"], Resource: "*" },
    ], "bench-ddb-role");
    const sink = (await sqs.send(new CreateQueueCommand({ QueueName: "bench-ddb-sink" }))).QueueUrl!;
    const zip = await zipFixture("nodejs");
    const fn = await createFunction(flint, zip, "esm-ddb-sink.handler", { Role: role, MemorySize: 1769, Timeout: 30, Environment: { Variables: { SINK_QUEUE_URL: sink } } });
    await must(client, "CreateTable", {
      TableName: "bench-timed",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
    });
    let streamArn = "";
    for (;;) {
      const t = (await must(client, "DescribeTable", { TableName: "bench-timed" })).Table;
      streamArn = t.LatestStreamArn;
      if (t.TableStatus === "ACTIVE") break;
      await sleep(20);
    }
    const { UUID } = await flint.lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: streamArn, StartingPosition: "LATEST", BatchSize: 1 }));
    while ((await flint.lambda.send(new GetEventSourceMappingCommand({ UUID }))).State !== "Enabled") await sleep(20);
    /** Reads the sink until `keys` have reported: for each item key, when its handler started. */
    const startedAt = new Map<string, number>();
    const reports = async (n: number) => {
      const until = performance.now() + 60_000;
      while (startedAt.size < n && performance.now() < until) {
        const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: sink, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        for (const m of got.Messages ?? []) {
          const report = JSON.parse(m.Body!) as { startedAt: number; records: any[] };
          for (const r of report.records) startedAt.set(r.dynamodb.Keys.pk.S, report.startedAt);
        }
        if (got.Messages?.length) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: sink, Entries: got.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      }
    };
    // Warm-up: the environment is created; LATEST has started.
    for (let i = 0; i < 60 && !startedAt.has("warm"); i++) {
      await must(client, "PutItem", { TableName: "bench-timed", Item: { pk: { S: "warm" }, n: { N: String(i) } } });
      await reports(1);
    }
    startedAt.clear();
    const sentAt = new Map<string, number>();
    const putMs: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      sentAt.set(`k${i}`, now());
      putMs.push((await call(client, "PutItem", { TableName: "bench-timed", Item: { pk: { S: `k${i}` } } })).ms);
      await sleep(20);
    }
    await reports(LATENCY_SAMPLES);
    const lags = [...sentAt].filter(([k]) => startedAt.has(k)).map(([k, t]) => startedAt.get(k)! - t);
    const l = summarize(lags);
    const p = summarize(putMs);
    return table("DynamoDB stream → function on an idle table: from PutItem leaving the client to the handler starting (warm environment, one item at a time, BatchSize 1, StartingPosition LATEST)", ["what", "samples", "p50 ms", "p99 ms", "mean ms"], [
      ["PutItem answered (durable, for scale)", p.n, p.p50, p.p99, p.mean],
      ["item change → handler start", l.n, l.p50, l.p99, l.mean],
    ]);
  } finally {
    client.close();
    sqs.destroy();
  }
}

export async function dynamodbBench(): Promise<string> {
  const flint = await startFlint({ args: ["--idle-timeout", "600"] });
  const dynalite = await startDynaliteProcess();
  const baseline = await startBaseline();
  const out: string[] = [];
  try {
    const base: Target = { host: "127.0.0.1", port: flint.port, ...TEST_CREDENTIALS, region: REGION };
    const servers = [
      { label: "dynalite 4.0.0 (in-memory)", target: { ...base, port: dynalite.port } },
      { label: "Flint (SQLite, durable)", target: base },
    ];
    const parts = (process.env.BENCH_DDB ?? "api,stream").split(",");
    if (parts.includes("stream") && !parts.includes("api")) return await streamLatency(flint);
    const clients = servers.map((s) => new SignedClient(s.target, CLIENTS, "dynamodb"));
    const echo = new SignedClient({ ...base, port: baseline.port }, CLIENTS, "dynamodb");
    try {
      await Promise.all(clients.map(prepare));
      const rows: (string | number)[][] = [];
      for (const label of Object.keys(OPS)) {
        // Warm-up on both, then each measured in turn.
        for (const c of clients) await run(c, label, CLIENTS, 1);
        const results = [];
        for (const c of clients) results.push(await run(c, label, CLIENTS, SECONDS));
        const [d, f] = results as [Awaited<ReturnType<typeof run>>, Awaited<ReturnType<typeof run>>];
        rows.push([label, servers[0]!.label, d.p50, d.p99, d.rps, d.errors]);
        rows.push([label, servers[1]!.label, f.p50, f.p99, f.rps, f.errors]);
        rows.push([label, "Flint ÷ dynalite", "", "", (f.rps / d.rps).toFixed(2) + "×", ""]);
      }
      // The bare echo taking GetItem's body: the floor of this client and this host.
      const body = Buffer.from(JSON.stringify(OPS.GetItem!()));
      const e0 = { latencies: [] as number[], n: 0 };
      const deadline = performance.now() + SECONDS * 1000;
      const started = performance.now();
      await Promise.all(Array.from({ length: CLIENTS }, async () => {
        while (performance.now() < deadline) {
          const r = await echo.post("/echo", body);
          e0.latencies.push(r.ms);
        }
      }));
      const e = summarize(e0.latencies);
      rows.push(["(GetItem body)", "bare Node HTTP echo", e.p50, e.p99, e0.latencies.length / ((performance.now() - started) / 1000), 0]);
      out.push(table(`DynamoDB API, ${CLIENTS} keep-alive clients for ${SECONDS} s each (SigV4-signed; items of ~120 bytes; Query reads a 100-item page; UpdateItem ADDs to one of ${KEYS} items)`, ["operation", "server", "p50 ms", "p99 ms", "req/s", "errors"], rows));

      const single: (string | number)[][] = [];
      for (const [i, c] of [...clients.entries()]) {
        const one = new SignedClient(servers[i]!.target, 1, "dynamodb");
        await run(one, "GetItem", 1, 1);
        const r = await run(one, "GetItem", 1, SECONDS);
        single.push([servers[i]!.label, r.n, r.p50, r.p99, r.rps]);
        one.close();
        void c;
      }
      out.push(table(`GetItem at concurrency 1 (${SECONDS} s)`, ["server", "requests", "p50 ms", "p99 ms", "req/s"], single));
    } finally {
      for (const c of clients) c.close();
      echo.close();
    }
    if (parts.includes("stream")) out.push(await streamLatency(flint));
    return out.join("\n");
  } finally {
    baseline.stop();
    dynalite.stop();
    await flint.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await dynamodbBench());
}
