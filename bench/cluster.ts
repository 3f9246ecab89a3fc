/**
 * Cluster mode (`BENCH_SUITES=cluster`): side by side in one run, warm invoke (c1, c8), Event enqueue
 * and SQS SendMessage (c8) on the embedded SQLite store, on one node on PostgreSQL, and on two nodes
 * on one PostgreSQL database with the clients spread over both; a bare Node HTTP echo as the floor.
 * Then failover: events leased to a node that is `kill -9`ed, and how long until a survivor runs them,
 * against the lease time.
 */
import { performance } from "node:perf_hooks";
import { PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { REGION, TEST_CREDENTIALS, startFlint, type FlintProcess } from "../test/harness/flint.js";
import { createFunction } from "../test/harness/functions.js";
import { testDatabase } from "../test/harness/postgres.js";
import { Barrier } from "../test/harness/parallel.js";
import { eventually } from "../test/harness/processes.js";
import { zipFixture } from "../test/harness/zip.js";
import { SignedClient, type Target } from "./lib/client.js";
import { startBaseline } from "./lib/baseline.js";
import { summarize, table } from "./lib/stats.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const PAYLOAD = Buffer.from(JSON.stringify({ hello: "world", n: 42 }));
/** The lease time nodes hold work for (src: the async queue's and the pollers' default). */
const LEASE_MS = 10_000;

type Call = (client: SignedClient) => Promise<{ status: number; ms: number }>;

/** `concurrency` workers for `seconds`, worker i on `clients[i % clients.length]` (clients spread over nodes). */
async function spread(clients: SignedClient[], concurrency: number, seconds: number, call: Call, expect: number) {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      const client = clients[i % clients.length]!;
      while (performance.now() < deadline) {
        const r = await call(client);
        if (r.status !== expect) errors++;
        latencies.push(r.ms);
      }
    }),
  );
  return { ...summarize(latencies), rps: latencies.length / ((performance.now() - started) / 1000), errors };
}

interface Setup {
  label: string;
  nodes: FlintProcess[];
  close(): Promise<void>;
}

async function measure(setup: Setup, zip: Buffer, rows: (string | number)[][]) {
  const [first] = setup.nodes as [FlintProcess];
  const fn = await createFunction(first, zip, "echo.handler", { MemorySize: 1769 });
  const events = await createFunction(first, zip, "noop.handler");
  await first.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: events, MaximumRetryAttempts: 0 }));
  const targets: Target[] = setup.nodes.map((n) => ({ host: "127.0.0.1", port: n.port, ...TEST_CREDENTIALS, region: REGION }));
  const sqs = new SignedClient(targets[0]!, 1, "sqs");
  const created = await sqs.post("/", Buffer.from(JSON.stringify({ QueueName: `bench-${Date.now()}` })), { "x-amz-target": "AmazonSQS.CreateQueue", "content-type": "application/x-amz-json-1.0" });
  const QueueUrl = (JSON.parse(String(created.body)) as { QueueUrl: string }).QueueUrl;
  sqs.close();
  const invokePath = `/2015-03-31/functions/${fn}/invocations`;
  const eventPath = `/2015-03-31/functions/${events}/invocations`;
  const send = Buffer.from(JSON.stringify({ QueueUrl, MessageBody: "x".repeat(100) }));
  for (const concurrency of [1, 8]) {
    const clients = targets.map((t) => new SignedClient(t, concurrency));
    await spread(clients, concurrency, 1, (c) => c.post(invokePath, PAYLOAD), 200);
    const r = await spread(clients, concurrency, SECONDS, (c) => c.post(invokePath, PAYLOAD), 200);
    rows.push([setup.label, "warm Invoke", concurrency, r.p50, r.p99, r.rps, r.errors]);
    clients.forEach((c) => c.close());
  }
  const eventClients = targets.map((t) => new SignedClient(t, 8));
  const e = await spread(eventClients, 8, SECONDS, (c) => c.post(eventPath, PAYLOAD, { "x-amz-invocation-type": "Event" }), 202);
  rows.push([setup.label, "Event enqueue", 8, e.p50, e.p99, e.rps, e.errors]);
  eventClients.forEach((c) => c.close());
  const sqsClients = targets.map((t) => new SignedClient(t, 8, "sqs"));
  const s = await spread(sqsClients, 8, SECONDS, (c) => c.post("/", send, { "x-amz-target": "AmazonSQS.SendMessage", "content-type": "application/x-amz-json-1.0" }), 200);
  rows.push([setup.label, "SQS SendMessage", 8, s.p50, s.p99, s.rps, s.errors]);
  sqsClients.forEach((c) => c.close());
}

/** Events leased to a node that dies: time from its `kill -9` until a survivor runs the first of them. */
async function failover(zip: Buffer): Promise<(string | number)[][]> {
  const db = await testDatabase();
  const barrier = await Barrier.create();
  const a = await startFlint({ args: ["--store", db.url] });
  const b = await startFlint({ args: ["--store", db.url], executionRole: false });
  const rows: (string | number)[][] = [];
  try {
    const fn = await createFunction(a, zip, "hold.handler", { Timeout: 60 });
    await a.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: fn, MaximumRetryAttempts: 0 }));
    // 50 events accepted by B: it starts some (held at the barrier) and keeps the rest leased.
    const client = new SignedClient({ host: "127.0.0.1", port: b.port, ...TEST_CREDENTIALS, region: REGION }, 8);
    for (let i = 0; i < 50; i++) await client.post(`/2015-03-31/functions/${fn}/invocations`, Buffer.from(JSON.stringify({ port: barrier.port })), { "x-amz-invocation-type": "Event" });
    client.close();
    await eventually(() => barrier.arrivals.length > 0, 60_000, "B running its events");
    const onB = new Set(barrier.arrivals);
    const killedAt = performance.now();
    await b.kill9();
    barrier.release();
    let resumedAt = 0;
    await eventually(() => {
      if (barrier.arrivals.some((env) => !onB.has(env))) resumedAt = performance.now();
      return resumedAt > 0;
    }, 6 * LEASE_MS, "a survivor running B's events");
    const ms = resumedAt - killedAt;
    rows.push(["time from kill -9 to a survivor running the dead node's first leased event", ms, LEASE_MS, ms / LEASE_MS]);
  } finally {
    await barrier.close();
    await a.stop();
    await b.stop();
    await db.close();
  }
  return rows;
}

export async function clusterBench(): Promise<string> {
  const zip = await zipFixture("nodejs");
  const rows: (string | number)[][] = [];
  const baseline = await startBaseline();
  try {
    const bc = new SignedClient({ host: "127.0.0.1", port: baseline.port, ...TEST_CREDENTIALS, region: REGION }, 8);
    for (const concurrency of [1, 8]) {
      const r = await spread([bc], concurrency, SECONDS, (c) => c.post("/echo", PAYLOAD), 200);
      rows.push(["bare Node HTTP echo", "POST", concurrency, r.p50, r.p99, r.rps, r.errors]);
    }
    bc.close();
  } finally {
    baseline.stop();
  }
  const sqlite = await startFlint({ args: ["--idle-timeout", "600"] });
  await measure({ label: "SQLite, one node", nodes: [sqlite], close: async () => {} }, zip, rows).finally(() => sqlite.stop());
  const db = await testDatabase();
  try {
    const one = await startFlint({ args: ["--store", db.url, "--idle-timeout", "600"] });
    await measure({ label: "PostgreSQL, one node", nodes: [one], close: async () => {} }, zip, rows).finally(() => one.stop());
    const n1 = await startFlint({ args: ["--store", db.url, "--idle-timeout", "600"] });
    const n2 = await startFlint({ args: ["--store", db.url, "--idle-timeout", "600"], executionRole: false });
    await measure({ label: "PostgreSQL, two nodes", nodes: [n1, n2], close: async () => {} }, zip, rows).finally(() => Promise.all([n1.stop(), n2.stop()]));
  } finally {
    await db.close();
  }
  const out = [table("Cluster: one store against another, same run (8 keep-alive clients for Event and SQS)", ["store", "what", "concurrency", "p50 ms", "p99 ms", "req/s", "errors"], rows)];
  out.push(table("Failover (lease time 10 s; target ≤ 2×)", ["what", "ms", "lease ms", "× lease"], await failover(zip)));
  return out.join("\n");
}
