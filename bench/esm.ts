/**
 * Event source mappings (issue 15), each next to its baseline in the same run:
 * - SQS → function: 8 producers send batches of 10 for BENCH_SECONDS while a mapping (BatchSize 10)
 *   runs a no-op function; messages/s sent, and processed (sent until the queue is empty), next to
 *   a bare Node echo taking the same requests; then send-to-handler-start on an idle queue.
 * - Kinesis: PutRecords of 500 from 8 clients (durable: each answered after its fsync) and
 *   GetRecords of the backlog, against Flint and against kinesalite (in-memory) in turns; then
 *   put-to-handler-start through a stream mapping.
 * `npm run build && node dist/bench/esm.js` (also `BENCH_SUITES=esm npm run bench`); `BENCH_ESM=sqs` or
 * `kinesis` runs one part.
 */
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand, UpdateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { REGION, TEST_CREDENTIALS, startFlint, type FlintProcess } from "../test/harness/flint.js";
import { createFunction } from "../test/harness/functions.js";
import { createExecutionRole } from "../test/harness/permissions.js";
import { sdkClient } from "../test/harness/sqs-clients.js";
import { zipFixture } from "../test/harness/zip.js";
import { SignedClient, type Target } from "./lib/client.js";
import { summarize, table } from "./lib/stats.js";
import { startBaseline } from "./lib/baseline.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const PRODUCERS = 8;
const LATENCY_SAMPLES = Number(process.env.BENCH_ESM_SAMPLES ?? 200);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `step` in a loop on each of `n` clients until `seconds` have passed; the seconds it took. */
async function closedLoop(n: number, seconds: number, step: () => Promise<void>): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: n }, async () => {
    while (performance.now() < deadline) await step();
  }));
  return (performance.now() - started) / 1000;
}

async function json(client: SignedClient, target: string, op: string, input: object, contentType: string): Promise<{ ms: number; body: any }> {
  const r = await client.post("/", Buffer.from(JSON.stringify(input)), { "x-amz-target": `${target}.${op}`, "content-type": contentType });
  if (r.status !== 200) throw new Error(`${op}: ${r.status} ${r.body}`);
  return { ms: r.ms, body: r.body.length ? JSON.parse(String(r.body)) : {} };
}
const sqsCall = (c: SignedClient, op: string, input: object) => json(c, "AmazonSQS", op, input, "application/x-amz-json-1.0");
const kinesisCall = (c: SignedClient, op: string, input: object) => json(c, "Kinesis_20131202", op, input, "application/x-amz-json-1.1");

/** An execution role that may read queues and streams and send to queues. */
async function pollingRole(flint: FlintProcess): Promise<string> {
  return createExecutionRole(flint.endpoint, [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }], "bench-esm-role", ["AWSLambdaSQSQueueExecutionRole", "AWSLambdaKinesisExecutionRole"]);
}

async function mapped(flint: FlintProcess, input: Record<string, unknown>): Promise<string> {
  const { UUID } = await flint.lambda.send(new CreateEventSourceMappingCommand(input as never));
  while ((await flint.lambda.send(new GetEventSourceMappingCommand({ UUID }))).State !== "Enabled") await sleep(20);
  return UUID!;
}

/** Reads `n` reports of esm-sink.js from `sinkUrl`: for each record text, when the handler started. */
async function sinkReports(sqs: ReturnType<typeof sdkClient>, sinkUrl: string, n: number): Promise<Map<string, number>> {
  const started = new Map<string, number>();
  const until = performance.now() + 60_000;
  while (started.size < n && performance.now() < until) {
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: sinkUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const m of got.Messages ?? []) {
      const report = JSON.parse(m.Body!) as { startedAt: number; records: { text: string }[] };
      for (const r of report.records) started.set(r.text, report.startedAt);
    }
    if (got.Messages?.length) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: sinkUrl, Entries: got.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }
  return started;
}

async function sqsBench(flint: FlintProcess, role: string, zip: Buffer, baseline: Target): Promise<string[]> {
  const target: Target = { host: "127.0.0.1", port: flint.port, ...TEST_CREDENTIALS, region: REGION };
  const client = new SignedClient(target, PRODUCERS, "sqs");
  const base = new SignedClient(baseline, PRODUCERS);
  const sqs = sdkClient(flint.endpoint);
  const out: string[] = [];
  try {
    const noop = await createFunction(flint, zip, "noop.handler", { Role: role, MemorySize: 1769, Timeout: 30 });
    const QueueUrl = (await sqsCall(client, "CreateQueue", { QueueName: "bench-esm" })).body.QueueUrl as string;
    const uuid = await mapped(flint, { FunctionName: noop, EventSourceArn: `arn:aws:sqs:${REGION}:000000000000:bench-esm`, BatchSize: 10 });
    const entries = Array.from({ length: 10 }, (_, j) => ({ Id: `m${j}`, MessageBody: `message ${j}` }));
    const batch = Buffer.from(JSON.stringify({ QueueUrl, Entries: entries }));
    const headers = { "x-amz-target": "AmazonSQS.SendMessageBatch", "content-type": "application/x-amz-json-1.0" };
    const remaining = async () => {
      const { body } = await sqsCall(client, "GetQueueAttributes", { QueueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] });
      return Number(body.Attributes.ApproximateNumberOfMessages) + Number(body.Attributes.ApproximateNumberOfMessagesNotVisible);
    };
    // Warm-up: environments up, JIT warm; then the queue drained.
    await closedLoop(PRODUCERS, 1, async () => void (await client.post("/", batch, headers)));
    while ((await remaining()) > 0) await sleep(250);
    const b: number[] = [];
    const baseElapsed = await closedLoop(PRODUCERS, SECONDS, async () => void b.push((await base.post("/echo", batch)).ms));
    const sent: number[] = [];
    const started = performance.now();
    const elapsed = await closedLoop(PRODUCERS, SECONDS, async () => {
      const r = await client.post("/", batch, headers);
      if (r.status !== 200) throw new Error(`SendMessageBatch: ${r.status}`);
      sent.push(r.ms);
    });
    const leftAtEnd = await remaining();
    // Counting a large backlog costs the server: asked four times a second.
    while ((await remaining()) > 0) await sleep(250);
    const drainedAt = (performance.now() - started) / 1000;
    const messages = sent.length * 10;
    // The mapping alone: a backlog sent while it is disabled, then drained with nobody sending.
    await flint.lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: false }));
    while ((await flint.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State !== "Disabled") await sleep(20);
    let backlog = 0;
    const alone: number[] = [];
    const aloneElapsed = await closedLoop(PRODUCERS, SECONDS, async () => {
      alone.push((await client.post("/", batch, headers)).ms);
      backlog += 10;
    });
    const drainStarted = performance.now();
    await flint.lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: true }));
    while ((await remaining()) > 0) await sleep(250);
    const drainSeconds = (performance.now() - drainStarted) / 1000;
    const bs = summarize(b);
    const ss = summarize(sent);
    const as = summarize(alone);
    out.push(
      table(
        `SQS → function: ${PRODUCERS} producers sending batches of 10 for ${SECONDS} s while a mapping (BatchSize 10) runs a no-op function (1,769 MB); processed = every message sent, deleted after its batch succeeded, over the time until the queue was empty (${leftAtEnd} left when the producers stopped, empty after ${drainedAt.toFixed(1)} s)`,
        ["what", "p50 ms", "p99 ms", "requests/s", "messages/s"],
        [
          ["bare Node HTTP echo (same requests)", bs.p50, bs.p99, bs.n / baseElapsed, (bs.n * 10) / baseElapsed],
          ["Flint SendMessageBatch, mapping disabled (the backlog)", as.p50, as.p99, as.n / aloneElapsed, backlog / aloneElapsed],
          ["Flint SendMessageBatch while the mapping runs (sent)", ss.p50, ss.p99, ss.n / elapsed, messages / elapsed],
          ["Flint mapping (processed while sent)", "", "", "", messages / drainedAt],
          [`Flint mapping draining a backlog of ${backlog} alone`, "", "", "", backlog / drainSeconds],
        ],
      ),
    );

    // Send to handler start on an idle queue: one message at a time, the handler reports when it started.
    const sink = (await sqs.send(new CreateQueueCommand({ QueueName: "bench-esm-sink" }))).QueueUrl!;
    const timed = await createFunction(flint, zip, "esm-sink.handler", { Role: role, MemorySize: 1769, Timeout: 30, Environment: { Variables: { SINK_QUEUE_URL: sink } } });
    await sqsCall(client, "CreateQueue", { QueueName: "bench-esm-idle" });
    const idleUrl = `http://127.0.0.1:${flint.port}/000000000000/bench-esm-idle`;
    await mapped(flint, { FunctionName: timed, EventSourceArn: `arn:aws:sqs:${REGION}:000000000000:bench-esm-idle`, BatchSize: 1 });
    const one = new SignedClient(target, 1, "sqs");
    await sqsCall(one, "SendMessage", { QueueUrl: idleUrl, MessageBody: "warm" });
    await sinkReports(sqs, sink, 1);
    const sentAt = new Map<string, number>();
    const sendMs: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      sentAt.set(`s${i}`, now());
      sendMs.push((await sqsCall(one, "SendMessage", { QueueUrl: idleUrl, MessageBody: `s${i}` })).ms);
      await sleep(20);
    }
    const startedAt = await sinkReports(sqs, sink, LATENCY_SAMPLES);
    const lags = [...sentAt].filter(([k]) => startedAt.has(k)).map(([k, t]) => startedAt.get(k)! - t);
    const l = summarize(lags);
    const s = summarize(sendMs);
    out.push(
      table("SQS → function on an idle queue: from SendMessage leaving the client to the handler starting (warm environment, one message at a time, BatchSize 1)", ["what", "samples", "p50 ms", "p99 ms", "mean ms"], [
        ["SendMessage answered (for scale)", s.n, s.p50, s.p99, s.mean],
        ["send → handler start", l.n, l.p50, l.p99, l.mean],
      ]),
    );
    one.close();
  } finally {
    client.close();
    base.close();
    sqs.destroy();
  }
  return out;
}

/** PutRecords of 500 from `clients` for `seconds`, then GetRecords of what was put, shard by shard. */
async function kinesisLoad(target: Target, stream: string, clients: number, seconds: number) {
  const client = new SignedClient(target, clients, "kinesis");
  try {
    await kinesisCall(client, "CreateStream", { StreamName: stream, ShardCount: 4 });
    for (;;) {
      const { body } = await kinesisCall(client, "DescribeStreamSummary", { StreamName: stream });
      if (body.StreamDescriptionSummary.StreamStatus === "ACTIVE") break;
      await sleep(50);
    }
    const data = Buffer.alloc(100, "x").toString("base64");
    const records = (c: number, i: number) => Array.from({ length: 500 }, (_, j) => ({ Data: data, PartitionKey: `k${c}-${i}-${j}` }));
    const put: number[] = [];
    let failed = 0;
    let i = 0;
    const elapsed = await closedLoop(clients, seconds, async () => {
      const r = await kinesisCall(client, "PutRecords", { StreamName: stream, Records: records(0, i++) });
      failed += r.body.FailedRecordCount;
      put.push(r.ms);
    });
    // Read everything back, shard by shard, 10,000 at a time.
    const { body: shards } = await kinesisCall(client, "ListShards", { StreamName: stream });
    const gets: number[] = [];
    let read = 0;
    const readStarted = performance.now();
    await Promise.all(
      (shards.Shards as { ShardId: string }[]).map(async ({ ShardId }) => {
        let it = (await kinesisCall(client, "GetShardIterator", { StreamName: stream, ShardId, ShardIteratorType: "TRIM_HORIZON" })).body.ShardIterator;
        for (;;) {
          const r = await kinesisCall(client, "GetRecords", { ShardIterator: it, Limit: 10000 });
          gets.push(r.ms);
          read += r.body.Records.length;
          it = r.body.NextShardIterator;
          if (r.body.Records.length === 0 || r.body.MillisBehindLatest === 0 && r.body.Records.length < 10000) break;
        }
      }),
    );
    const readSeconds = (performance.now() - readStarted) / 1000;
    const p = summarize(put);
    const g = summarize(gets);
    return { put: p, putRecords: (put.length * 500 - failed) / elapsed, failed, get: g, read, readRecords: read / readSeconds };
  } finally {
    client.close();
  }
}

async function kinesisBench(flint: FlintProcess, role: string, zip: Buffer): Promise<string[]> {
  const out: string[] = [];
  const require = createRequire(import.meta.url);
  const kinesalite = require("kinesalite") as (opts: object) => { listen(port: number, host: string, cb: () => void): void; close(cb: () => void): void; address(): AddressInfo };
  const peer = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((resolve) => peer.listen(0, "127.0.0.1", resolve));
  try {
    const flintTarget: Target = { host: "127.0.0.1", port: flint.port, ...TEST_CREDENTIALS, region: REGION };
    const peerTarget: Target = { ...flintTarget, port: peer.address().port };
    // In turns, twice each, so that the host's drift falls on both.
    const rows: Record<"flint" | "kinesalite", Awaited<ReturnType<typeof kinesisLoad>>[]> = { flint: [], kinesalite: [] };
    for (let round = 0; round < 2; round++) {
      rows.flint.push(await kinesisLoad(flintTarget, `bench-${round}`, PRODUCERS, SECONDS));
      rows.kinesalite.push(await kinesisLoad(peerTarget, `bench-${round}`, PRODUCERS, SECONDS));
    }
    const best = (rs: typeof rows.flint) => rs.reduce((a, b) => (b.putRecords > a.putRecords ? b : a));
    const f = best(rows.flint);
    const k = best(rows.kinesalite);
    out.push(
      table(
        `Kinesis: PutRecords of 500 records (100 bytes) from ${PRODUCERS} clients for ${SECONDS} s onto 4 shards, then GetRecords (Limit 10,000) of everything put, shard by shard; the better of 2 alternating rounds each. Flint answers each PutRecords after its fsync (durable); kinesalite keeps records in memory`,
        ["what", "PutRecords p50 ms", "p99 ms", "records/s put", "failed", "GetRecords p50 ms", "records/s read"],
        [
          ["kinesalite 3.3.3 (in-memory)", k.put.p50, k.put.p99, k.putRecords, k.failed, k.get.p50, k.readRecords],
          ["Flint (SQLite, synchronous = FULL)", f.put.p50, f.put.p99, f.putRecords, f.failed, f.get.p50, f.readRecords],
          ["Flint ÷ kinesalite", "", "", (f.putRecords / k.putRecords).toFixed(2) + "×", "", "", (f.readRecords / k.readRecords).toFixed(2) + "×"],
        ],
      ),
    );
  } finally {
    await new Promise<void>((resolve) => peer.close(() => resolve()));
  }

  // Put to handler start through a stream mapping: one record at a time on an idle stream.
  const sqs = sdkClient(flint.endpoint);
  const client = new SignedClient({ host: "127.0.0.1", port: flint.port, ...TEST_CREDENTIALS, region: REGION }, 1, "kinesis");
  try {
    const sink = (await sqs.send(new CreateQueueCommand({ QueueName: "bench-kinesis-sink" }))).QueueUrl!;
    const timed = await createFunction(flint, zip, "esm-sink.handler", { Role: role, MemorySize: 1769, Timeout: 30, Environment: { Variables: { SINK_QUEUE_URL: sink } } });
    await kinesisCall(client, "CreateStream", { StreamName: "bench-timed", ShardCount: 1 });
    let arn = "";
    for (;;) {
      const { body } = await kinesisCall(client, "DescribeStreamSummary", { StreamName: "bench-timed" });
      arn = body.StreamDescriptionSummary.StreamARN;
      if (body.StreamDescriptionSummary.StreamStatus === "ACTIVE") break;
      await sleep(50);
    }
    await mapped(flint, { FunctionName: timed, EventSourceArn: arn, StartingPosition: "LATEST", BatchSize: 1 });
    await kinesisCall(client, "PutRecord", { StreamName: "bench-timed", PartitionKey: "k", Data: Buffer.from("warm").toString("base64") });
    await sinkReports(sqs, sink, 1);
    const sentAt = new Map<string, number>();
    const putMs: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      sentAt.set(`p${i}`, now());
      putMs.push((await kinesisCall(client, "PutRecord", { StreamName: "bench-timed", PartitionKey: "k", Data: Buffer.from(`p${i}`).toString("base64") })).ms);
      await sleep(20);
    }
    const startedAt = await sinkReports(sqs, sink, LATENCY_SAMPLES);
    const lags = [...sentAt].filter(([key]) => startedAt.has(key)).map(([key, t]) => startedAt.get(key)! - t);
    const l = summarize(lags);
    const p = summarize(putMs);
    out.push(
      table("Kinesis → function on an idle stream: from PutRecord leaving the client to the handler starting (warm environment, one record at a time, BatchSize 1)", ["what", "samples", "p50 ms", "p99 ms", "mean ms"], [
        ["PutRecord answered (durable, for scale)", p.n, p.p50, p.p99, p.mean],
        ["put → handler start", l.n, l.p50, l.p99, l.mean],
      ]),
    );
  } finally {
    client.close();
    sqs.destroy();
  }
  return out;
}

export async function esmBench(): Promise<string> {
  // BENCH_ESM_PROFILE=DIR: the server writes a V8 CPU profile there (lib/cpu-profile.cjs).
  const profile = process.env.BENCH_ESM_PROFILE;
  const env = profile ? { NODE_OPTIONS: `--require ${fileURLToPath(new URL("../../bench/lib/cpu-profile.cjs", import.meta.url))}`, BENCH_CPU_PROFILE_DIR: profile, BENCH_CPU_PROFILE_NAME: "esm" } : undefined;
  const flint = await startFlint({ args: ["--idle-timeout", "600"], ...(env ? { env } : {}) });
  const baseline = await startBaseline();
  try {
    const zip = await zipFixture("nodejs");
    const role = await pollingRole(flint);
    const baseTarget: Target = { host: "127.0.0.1", port: baseline.port, ...TEST_CREDENTIALS, region: REGION };
    const parts = (process.env.BENCH_ESM ?? "sqs,kinesis").split(",");
    const out = [...(parts.includes("sqs") ? await sqsBench(flint, role, zip, baseTarget) : []), ...(parts.includes("kinesis") ? await kinesisBench(flint, role, zip) : [])];
    return out.join("\n");
  } finally {
    baseline.stop();
    await flint.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await esmBench());
}
