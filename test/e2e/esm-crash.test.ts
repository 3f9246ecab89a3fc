/**
 * Event source mappings survive `kill -9`: a Kinesis mapping and an SQS mapping under load, the
 * server killed while batches are in flight and restarted on the same data dir. Every record put
 * and every message sent reaches the function; what reaches it twice is bounded by the batches
 * that were in flight (a Kinesis shard has one at a time; the SQS mapping at most its
 * MaximumConcurrency). The function reports each batch to a sink queue of the same server, whose
 * sends are durable too, then waits at a barrier the test controls: a known number of batches
 * finish before the kill and the next ones of both mappings are held in flight, whatever the
 * host's speed.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordsCommand, waitUntilStreamExists } from "@aws-sdk/client-kinesis";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { REGION, TEST_CREDENTIALS, startFlint, type FlintProcess } from "../harness/flint.js";
import { createFunction } from "../harness/functions.js";
import { createExecutionRole } from "../harness/permissions.js";
import { sdkClient } from "../harness/sqs-clients.js";
import { eventually } from "../harness/processes.js";
import { zipFixture } from "../harness/zip.js";
import { Barrier } from "../harness/parallel.js";

const RECORDS = 3000;
const SHARDS = 2;
const KINESIS_BATCH = 50;
const MESSAGES = 2000;
const SQS_CONCURRENCY = 5;
/** Batches that finish before the kill. */
const FINISHED = 20;

describe("event source mappings survive kill -9", () => {
  let dataDir: string;
  const servers: FlintProcess[] = [];
  let gate: Barrier | undefined;
  after(async () => {
    for (const s of servers) await s.stop({ cleanup: false }).catch(() => undefined);
    await gate?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test("a Kinesis and an SQS mapping under load, killed and restarted: nothing lost, duplicates bounded by the batches in flight", async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "flint-esm-crash-"));
    const first = await startFlint({ dataDir });
    servers.push(first);
    let sqs = sdkClient(first.endpoint);
    const kinesis = new KinesisClient({ endpoint: first.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    const role = await createExecutionRole(first.endpoint, [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }], "crash-role", ["AWSLambdaSQSQueueExecutionRole", "AWSLambdaKinesisExecutionRole"]);
    const sinkUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "crash-sink" }))).QueueUrl!;
    const sourceUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "crash-source", Attributes: { VisibilityTimeout: "30" } }))).QueueUrl!;
    // Held batches must not time out before the kill (a timed-out batch is retried: a repeat the bound does not count).
    gate = await Barrier.create();
    gate.admit(FINISHED);
    const fn = await createFunction(first, await zipFixture("nodejs"), "esm-sink.handler", { Role: role, Timeout: 30, Environment: { Variables: { SINK_QUEUE_URL: sinkUrl, GATE_PORT: String(gate.port) } } });
    await kinesis.send(new CreateStreamCommand({ StreamName: "crash-stream", ShardCount: SHARDS }));
    await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30, minDelay: 0.1, maxDelay: 0.5 }, { StreamName: "crash-stream" });
    const streamArn = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "crash-stream" }))).StreamDescriptionSummary!.StreamARN!;

    // Everything is written (and answered, so durable) before the mappings start reading.
    for (let i = 0; i < RECORDS; i += 500) {
      const out = await kinesis.send(new PutRecordsCommand({ StreamName: "crash-stream", Records: Array.from({ length: 500 }, (_, j) => ({ Data: Buffer.from(`k${i + j}`), PartitionKey: `p${i + j}` })) }));
      assert.equal(out.FailedRecordCount, 0);
    }
    for (let i = 0; i < MESSAGES; i += 10) {
      const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: sourceUrl, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: String(j), MessageBody: `s${i + j}` })) }));
      assert.equal(out.Failed?.length ?? 0, 0);
    }
    kinesis.destroy();
    for (const input of [
      { FunctionName: fn, EventSourceArn: streamArn, StartingPosition: "TRIM_HORIZON", BatchSize: KINESIS_BATCH },
      { FunctionName: fn, EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:crash-source", BatchSize: 10, ScalingConfig: { MaximumConcurrency: SQS_CONCURRENCY } },
    ]) {
      const { UUID } = await first.lambda.send(new CreateEventSourceMappingCommand(input as never));
      await eventually(async () => (await first.lambda.send(new GetEventSourceMappingCommand({ UUID }))).State === "Enabled", 10_000, "mapping enabled");
    }

    const seen = new Map<string, number>();
    const drain = async () => {
      for (;;) {
        const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: sinkUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        const messages = out.Messages ?? [];
        if (messages.length === 0) return;
        for (const m of messages) for (const r of (JSON.parse(m.Body!) as { records: { text: string }[] }).records) seen.set(r.text, (seen.get(r.text) ?? 0) + 1);
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: sinkUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      }
    };
    const count = (prefix: string) => [...seen.keys()].filter((k) => k.startsWith(prefix)).length;
    // Kill once FINISHED batches have gone through and both mappings have batches held after them.
    const held = () => new Set(gate!.arrivals.slice(FINISHED));
    await eventually(() => held().has("aws:kinesis") && held().has("aws:sqs"), 120_000, "batches of both mappings in flight");
    await drain();
    assert.ok(count("k") < RECORDS && count("s") < MESSAGES, `killed before the end (${count("k")} records, ${count("s")} messages seen)`);
    sqs.destroy();
    await first.kill9();
    gate.release();

    const second = await startFlint({ dataDir });
    servers.push(second);
    sqs = sdkClient(second.endpoint);
    await eventually(async () => {
      await drain();
      return count("k") === RECORDS && count("s") === MESSAGES;
    }, 180_000, "every record and message delivered after the restart").catch((err: Error) => {
      throw new Error(`${err.message}: ${count("k")} of ${RECORDS} records, ${count("s")} of ${MESSAGES} messages\n${second.output().slice(-3000)}`);
    });
    sqs.destroy();
    const duplicates = (prefix: string) => [...seen].filter(([k, n]) => k.startsWith(prefix) && n > 1).reduce((sum, [, n]) => sum + n - 1, 0);
    assert.ok(duplicates("k") <= SHARDS * KINESIS_BATCH, `${duplicates("k")} Kinesis records repeated (in flight at most ${SHARDS * KINESIS_BATCH})`);
    assert.ok(duplicates("s") <= SQS_CONCURRENCY * 10, `${duplicates("s")} SQS messages repeated (in flight at most ${SQS_CONCURRENCY * 10})`);
  });
});
