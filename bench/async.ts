/**
 * Asynchronous invocation: how fast Flint accepts Event invokes (each 202 sent only after the event
 * is on disk, SQLite `synchronous = FULL`) with 8 keep-alive clients, next to SQS SendMessage on the
 * same store and a bare Node HTTP echo server; SQS consumers (receive then delete) on a backlog; SNS
 * fan-out to a queue; then the time from a 202 to the function starting.
 */
import { PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { REGION, TEST_CREDENTIALS, startFlint } from "../test/harness/flint.js";
import { createFunction } from "../test/harness/functions.js";
import { sdkClient } from "../test/harness/sqs-clients.js";
import { zipFixture } from "../test/harness/zip.js";
import { SignedClient, type Target } from "./lib/client.js";
import { summarize, table } from "./lib/stats.js";
import { startBaseline } from "./lib/baseline.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLIENTS = 8;
const LATENCY_SAMPLES = Number(process.env.BENCH_ASYNC_SAMPLES ?? 200);

/** `step` in a loop on each of `CLIENTS` clients until `seconds` have passed; resolves the seconds it took. */
async function closedLoop(seconds: number, step: () => Promise<void>): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) await step();
    }),
  );
  return (performance.now() - started) / 1000;
}

async function load(send: () => Promise<{ status: number; ms: number }>, expect: number, seconds: number) {
  const latencies: number[] = [];
  let errors = 0;
  const elapsed = await closedLoop(seconds, async () => {
    const r = await send();
    if (r.status !== expect) errors++;
    latencies.push(r.ms);
  });
  return { ...summarize(latencies), rps: latencies.length / elapsed, errors };
}

/** JSON-protocol SQS call; throws unless it succeeds. */
async function sqsCall(client: SignedClient, op: string, input: object): Promise<{ ms: number; json: { QueueUrl?: string; Messages?: { ReceiptHandle: string }[]; Attributes?: Record<string, string> } }> {
  const r = await client.post("/", Buffer.from(JSON.stringify(input)), { "x-amz-target": `AmazonSQS.${op}`, "content-type": "application/x-amz-json-1.0" });
  if (r.status !== 200) throw new Error(`${op}: ${r.status} ${r.body}`);
  return { ms: r.ms, json: JSON.parse(String(r.body)) };
}

/**
 * `CLIENTS` consumers of a queue holding a fresh backlog, each receiving up to `max` messages per
 * call and deleting them (DeleteMessage for one, DeleteMessageBatch for more).
 */
async function consume(client: SignedClient, max: number, seconds: number, backlog: number) {
  const QueueUrl = (await sqsCall(client, "CreateQueue", { QueueName: `bench-consume-${max}` })).json.QueueUrl!;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = c; i < backlog / 10; i += CLIENTS) {
        await sqsCall(client, "SendMessageBatch", { QueueUrl, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `m${j}`, MessageBody: `message ${i}.${j}` })) });
      }
    }),
  );
  const latencies: number[] = [];
  let messages = 0;
  const elapsed = await closedLoop(seconds, async () => {
    const r = await sqsCall(client, "ReceiveMessage", { QueueUrl, MaxNumberOfMessages: max });
    latencies.push(r.ms);
    const got = r.json.Messages ?? [];
    if (got.length === 0) throw new Error("the backlog ran out: raise it");
    const d =
      got.length === 1
        ? await sqsCall(client, "DeleteMessage", { QueueUrl, ReceiptHandle: got[0]!.ReceiptHandle })
        : await sqsCall(client, "DeleteMessageBatch", { QueueUrl, Entries: got.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) });
    latencies.push(d.ms);
    messages += got.length;
  });
  await sqsCall(client, "DeleteQueue", { QueueUrl });
  return { ...summarize(latencies), calls: latencies.length / elapsed, messages: messages / elapsed };
}

/**
 * SNS PublishBatch (10 messages, query protocol) from `CLIENTS` clients to a standard topic with one
 * SQS subscription; then how long until the queue holds every accepted message.
 */
async function fanOut(target: Target, sqsClient: SignedClient, seconds: number) {
  const sns = new SignedClient(target, CLIENTS, "sns");
  const form = (fields: Record<string, string>) => Buffer.from(new URLSearchParams({ Version: "2010-03-31", ...fields }).toString());
  const headers = { "content-type": "application/x-www-form-urlencoded" };
  const created = String((await sns.post("/", form({ Action: "CreateTopic", Name: "bench-fan-out" }), headers)).body);
  const TopicArn = /<TopicArn>([^<]+)</.exec(created)![1]!;
  const QueueUrl = (await sqsCall(sqsClient, "CreateQueue", { QueueName: "bench-fan-out" })).json.QueueUrl!;
  const subscribed = await sns.post("/", form({ Action: "Subscribe", TopicArn, Protocol: "sqs", Endpoint: `arn:aws:sqs:${REGION}:000000000000:bench-fan-out` }), headers);
  if (subscribed.status !== 200) throw new Error(`Subscribe: ${subscribed.status} ${subscribed.body}`);
  const entries: Record<string, string> = {};
  for (let j = 1; j <= 10; j++) Object.assign(entries, { [`PublishBatchRequestEntries.member.${j}.Id`]: `e${j}`, [`PublishBatchRequestEntries.member.${j}.Message`]: `hello ${j}` });
  const batch = form({ Action: "PublishBatch", TopicArn, ...entries });
  const r = await load(() => sns.post("/", batch, headers), 200, seconds);
  const accepted = (r.n - r.errors) * 10;
  const ended = performance.now();
  for (;;) {
    const attrs = await sqsCall(sqsClient, "GetQueueAttributes", { QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] });
    if (Number(attrs.json.Attributes?.ApproximateNumberOfMessages) >= accepted) break;
    if (performance.now() - ended > 120_000) throw new Error("SNS deliveries did not drain");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  sns.close();
  return { ...r, messages: accepted / seconds, drained: (performance.now() - ended) / 1000 };
}

/** Events of `fn` that have reached their end, from Flint's metrics. */
async function eventsEnded(endpoint: string, fn: string): Promise<number> {
  const text = await (await fetch(`${endpoint}/_flint/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^flint_async_events_total\{([^}]*)\} (\d+)/gm)) if (m[1]!.includes(`function="${fn}"`)) n += Number(m[2]);
  return n;
}

/** Wait until every accepted event has run (so the next row is measured on a quiet server); seconds waited. */
async function drain(endpoint: string, fn: string, accepted: number): Promise<number> {
  const started = performance.now();
  while ((await eventsEnded(endpoint, fn)) < accepted) {
    if (performance.now() - started > 120_000) throw new Error(`accepted events did not drain: ${await eventsEnded(endpoint, fn)} of ${accepted}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return (performance.now() - started) / 1000;
}

export async function asyncBench(): Promise<string> {
  // Events are accepted much faster than one function runs them: keep the backlog from competing.
  const flint = await startFlint({ args: ["--async-concurrency", "2"] });
  const baseline = await startBaseline();
  const out: string[] = [];
  try {
    const target: Target = { host: "127.0.0.1", port: flint.port, ...TEST_CREDENTIALS, region: REGION };
    const zip = await zipFixture("nodejs");
    const fn = await createFunction(flint, zip, "echo.handler", { MemorySize: 1769 });
    const event = Buffer.from(JSON.stringify({ hello: "world", n: 42 }));

    const base = new SignedClient({ ...target, port: baseline.port }, CLIENTS);
    const lambda = new SignedClient(target, CLIENTS);
    const sqsClient = new SignedClient(target, CLIENTS, "sqs");
    const sqs = sdkClient(flint.endpoint);
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "bench" }))).QueueUrl!;
    const sendMessage = Buffer.from(JSON.stringify({ QueueUrl: queueUrl, MessageBody: "hello world 42" }));
    const sqsHeaders = { "x-amz-target": "AmazonSQS.SendMessage", "content-type": "application/x-amz-json-1.0" };
    const eventHeaders = { "x-amz-invocation-type": "Event" };
    const invokePath = `/2015-03-31/functions/${fn}/invocations`;

    // Warm-up, then measure.
    await load(() => base.post("/echo", event), 200, 1);
    const warm = await load(() => lambda.post(invokePath, event, eventHeaders), 202, 1);
    await load(() => sqsClient.post("/", sendMessage, sqsHeaders), 200, 1);
    const b = await load(() => base.post("/echo", event), 200, SECONDS);
    await drain(flint.endpoint, fn, warm.n - warm.errors);
    const e = await load(() => lambda.post(invokePath, event, eventHeaders), 202, SECONDS);
    // The events just accepted are still running: measure SQS once they are done.
    const drained = await drain(flint.endpoint, fn, warm.n - warm.errors + e.n - e.errors);
    const q = await load(() => sqsClient.post("/", sendMessage, sqsHeaders), 200, SECONDS);
    out.push(
      table(
        `Durable enqueue, ${CLIENTS} keep-alive clients, ${SECONDS} s each (SQLite WAL, synchronous = FULL); the accepted events had all run ${drained.toFixed(1)} s after the load ended`,
        ["what", "p50 ms", "p99 ms", "accepted/s", "errors"],
        [
          ["bare Node HTTP echo", b.p50, b.p99, b.rps, b.errors],
          ["Flint Invoke, InvocationType Event (202)", e.p50, e.p99, e.rps, e.errors],
          ["Flint SQS SendMessage (JSON protocol)", q.p50, q.p99, q.rps, q.errors],
        ],
      ),
    );
    const single = await consume(sqsClient, 1, SECONDS, 30_000);
    const batched = await consume(sqsClient, 10, SECONDS, 100_000);
    out.push(
      table(
        `SQS consumers: ${CLIENTS} keep-alive clients on a backlog (30,000 and 100,000 messages), each receiving then deleting what it got (JSON protocol), ${SECONDS} s each`,
        ["what", "p50 ms per call", "p99 ms per call", "calls/s", "messages/s"],
        [
          ["ReceiveMessage (1 message) + DeleteMessage", single.p50, single.p99, single.calls, single.messages],
          ["ReceiveMessage (10 messages) + DeleteMessageBatch", batched.p50, batched.p99, batched.calls, batched.messages],
        ],
      ),
    );
    const fan = await fanOut(target, sqsClient, SECONDS);
    out.push(
      table(
        `SNS fan-out: ${CLIENTS} keep-alive clients publishing batches of 10 to a topic with one SQS subscription (query protocol), ${SECONDS} s; every accepted message was in the queue ${fan.drained.toFixed(1)} s after the load ended`,
        ["what", "p50 ms", "p99 ms", "calls/s", "messages/s", "errors"],
        [["PublishBatch (10 messages)", fan.p50, fan.p99, fan.rps, fan.messages, fan.errors]],
      ),
    );
    base.close();
    lambda.close();
    sqsClient.close();

    // From the 202 to the function starting: the function reports when it ran; the OnSuccess record carries it.
    const timed = await createFunction(flint, zip, "started-at.handler", { MemorySize: 1769 });
    const records = (await sqs.send(new CreateQueueCommand({ QueueName: "bench-started" }))).QueueUrl!;
    await flint.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: timed, DestinationConfig: { OnSuccess: { Destination: `arn:aws:sqs:${REGION}:000000000000:bench-started` } } }));
    const one = new SignedClient(target, 1);
    await one.post(`/2015-03-31/functions/${timed}/invocations`, Buffer.from("{}")); // a warm environment
    // Epoch times with sub-millisecond resolution, comparable across processes of this machine.
    const now = () => performance.timeOrigin + performance.now();
    const sentAt = new Map<string, number>();
    const acceptedAt = new Map<string, number>();
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      sentAt.set(String(i), now());
      const r = await one.post(`/2015-03-31/functions/${timed}/invocations`, Buffer.from(JSON.stringify({ i })), eventHeaders);
      acceptedAt.set(String(i), now());
      if (r.status !== 202) throw new Error(`event refused: ${r.status}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    one.close();
    const delays: number[] = [];
    const fromSend: number[] = [];
    while (delays.length < LATENCY_SAMPLES) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: records, MaxNumberOfMessages: 10, WaitTimeSeconds: 5 }));
      if (!got.Messages?.length) break;
      for (const m of got.Messages) {
        const record = JSON.parse(m.Body!);
        const i = String(record.requestPayload.i);
        if (!acceptedAt.has(i)) continue;
        delays.push(record.responsePayload.startedAt - acceptedAt.get(i)!);
        fromSend.push(record.responsePayload.startedAt - sentAt.get(i)!);
      }
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: records, Entries: got.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
    sqs.destroy();
    const d = summarize(delays);
    const s = summarize(fromSend);
    out.push(
      table("Event to function start (warm environment, one event at a time; negative: the function started before the client had its 202)", ["measured from", "samples", "p50 ms", "p99 ms", "mean ms"], [
        ["the 202 at the client", d.n, d.p50, d.p99, d.mean],
        ["the request leaving the client", s.n, s.p50, s.p99, s.mean],
      ]),
    );
  } finally {
    baseline.stop();
    await flint.stop();
  }
  return out.join("\n");
}
