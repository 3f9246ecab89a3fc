/**
 * Kinesis event source mappings end to end: a real `flint serve`, streams written with the SDK's
 * Kinesis client (over HTTP/2, its default), mappings made with the Lambda SDK, and `esm-sink.js`
 * reporting every batch it gets to a sink queue (and failing when a record asks it to).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordCommand, PutRecordsCommand, waitUntilStreamExists } from "@aws-sdk/client-kinesis";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { REGION, TEST_CREDENTIALS, startFlint, uniqueName, type FlintProcess } from "../harness/flint.js";
import { createFunction } from "../harness/functions.js";
import { sdkClient } from "../harness/sqs-clients.js";
import { createExecutionRole } from "../harness/permissions.js";
import { eventually } from "../harness/processes.js";
import { zipFixture } from "../harness/zip.js";

interface Report {
  requestId: string;
  startedAt: number;
  records: { id: string; shard: string; key: string; text: string }[];
  sample: Record<string, any>;
  window?: { start: string; end: string };
  state?: { count?: number };
  isFinalInvokeForWindow?: boolean;
}

describe("Kinesis event source mappings", () => {
  let flint: FlintProcess;
  let sqs: SQSClient;
  let kinesis: KinesisClient;
  let zip: Buffer;
  let role: string;

  before(async () => {
    flint = await startFlint();
    sqs = sdkClient(flint.endpoint);
    kinesis = new KinesisClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    zip = await zipFixture("nodejs");
    role = await createExecutionRole(flint.endpoint, [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }], uniqueName("esm-role"), ["AWSLambdaKinesisExecutionRole"]);
  });
  after(async () => {
    sqs.destroy();
    kinesis.destroy();
    await flint.stop();
  });

  const stream = async (shards = 1) => {
    const name = uniqueName("stream");
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30, minDelay: 0.1, maxDelay: 0.5 }, { StreamName: name });
    const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    return { name, arn: StreamDescriptionSummary!.StreamARN! };
  };
  const queue = async () => {
    const name = uniqueName("q");
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    return { url: QueueUrl!, arn: `arn:aws:sqs:${REGION}:000000000000:${name}` };
  };
  /** Every message on a queue so far (deleted as read). */
  const drainQueue = async (url: string, into: string[]) => {
    for (;;) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      const messages = out.Messages ?? [];
      if (messages.length === 0) return;
      for (const m of messages) into.push(m.Body!);
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
  };
  const sinkFunction = async () => {
    const sink = await queue();
    const name = await createFunction(flint, zip, "esm-sink.handler", { Role: role, Timeout: 30, Environment: { Variables: { SINK_QUEUE_URL: sink.url } } });
    const reports: Report[] = [];
    const until = async (check: (r: Report[]) => boolean, what: string, ms = 60_000) => {
      const bodies: string[] = [];
      await eventually(async () => {
        await drainQueue(sink.url, bodies);
        reports.push(...bodies.splice(0).map((b) => JSON.parse(b) as Report));
        return check(reports);
      }, ms, what);
    };
    return { name, reports, until };
  };
  const map = async (input: Record<string, unknown>) => {
    const out = await flint.lambda.send(new CreateEventSourceMappingCommand(input as never));
    await eventually(async () => (await flint.lambda.send(new GetEventSourceMappingCommand({ UUID: out.UUID }))).State === "Enabled", 10_000, "mapping enabled");
    return out;
  };
  const put = (name: string, texts: string[], key = (i: number) => `k${i}`) =>
    kinesis.send(new PutRecordsCommand({ StreamName: name, Records: texts.map((t, i) => ({ Data: Buffer.from(t), PartitionKey: key(i) })) }));
  const texts = (reports: Report[]) => reports.flatMap((r) => r.records.map((x) => x.text));

  test("records arrive as AWS's Kinesis event; TRIM_HORIZON reads what was there, LATEST only what comes after", async () => {
    const s = await stream();
    await put(s.name, ["before-1", "before-2"]);
    const fromStart = await sinkFunction();
    const fromNow = await sinkFunction();
    await map({ FunctionName: fromStart.name, EventSourceArn: s.arn, StartingPosition: "TRIM_HORIZON", BatchSize: 10 });
    await map({ FunctionName: fromNow.name, EventSourceArn: s.arn, StartingPosition: "LATEST", BatchSize: 10 });
    await put(s.name, ["after-1"]);
    await fromStart.until((r) => texts(r).length >= 3, "three records from the start");
    await fromNow.until((r) => texts(r).length >= 1, "the record put after");
    assert.deepEqual(texts(fromStart.reports), ["before-1", "before-2", "after-1"]);
    assert.deepEqual(texts(fromNow.reports), ["after-1"]);
    const record = fromStart.reports[0]!.sample;
    assert.deepEqual(Object.keys(record).sort(), ["awsRegion", "eventID", "eventName", "eventSource", "eventSourceARN", "eventVersion", "invokeIdentityArn", "kinesis"]);
    assert.equal(record.eventSource, "aws:kinesis");
    assert.equal(record.eventName, "aws:kinesis:record");
    assert.equal(record.eventVersion, "1.0");
    assert.equal(record.invokeIdentityArn, role);
    assert.equal(record.eventSourceARN, s.arn);
    assert.equal(record.eventID, `shardId-000000000000:${record.kinesis.sequenceNumber}`);
    assert.deepEqual(Object.keys(record.kinesis).sort(), ["approximateArrivalTimestamp", "data", "kinesisSchemaVersion", "partitionKey", "sequenceNumber"]);
    assert.equal(Buffer.from(record.kinesis.data, "base64").toString(), "before-1");
    assert.equal(typeof record.kinesis.approximateArrivalTimestamp, "number");
  });

  test("AT_TIMESTAMP starts at the first record at or after the time", async () => {
    const s = await stream();
    await put(s.name, ["old"]);
    await new Promise((r) => setTimeout(r, 1100));
    const at = Date.now() / 1000;
    await new Promise((r) => setTimeout(r, 50));
    await put(s.name, ["new"]);
    const fn = await sinkFunction();
    await map({ FunctionName: fn.name, EventSourceArn: s.arn, StartingPosition: "AT_TIMESTAMP", StartingPositionTimestamp: new Date(at * 1000) });
    await fn.until((r) => texts(r).includes("new"), "the record after the timestamp");
    assert.deepEqual(texts(fn.reports), ["new"]);
  });

  test("order per shard across 4 shards with 10,000 records; LastProcessingResult OK", async () => {
    const s = await stream(4);
    const fn = await sinkFunction();
    const m = await map({ FunctionName: fn.name, EventSourceArn: s.arn, StartingPosition: "TRIM_HORIZON", BatchSize: 500 });
    for (let i = 0; i < 10_000; i += 500) await put(s.name, Array.from({ length: 500 }, (_, j) => String(i + j)), (j) => `key-${(i + j) % 97}`);
    await fn.until((r) => new Set(texts(r)).size === 10_000, "10,000 records", 120_000);
    // Per shard, the invocations saw its records in sequence order.
    const shards = new Set(fn.reports.flatMap((r) => r.records.map((x) => x.shard)));
    assert.equal(shards.size, 4);
    for (const shard of shards) {
      const seen = [...fn.reports].sort((a, b) => a.startedAt - b.startedAt).flatMap((r) => r.records.filter((x) => x.shard === shard).map((x) => BigInt(x.id)));
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1]! < seen[i]!, `${shard}: ${seen[i - 1]} before ${seen[i]}`);
    }
    assert.equal((await flint.lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))).LastProcessingResult, "OK");
    // What `flint mappings` reads: the IteratorAge of each of the 4 shards.
    const status = (await (await fetch(`${flint.endpoint}/_flint/mappings`)).json()) as { EventSourceMappings: { UUID: string; Lag: { Shards: { ShardId: string; IteratorAgeMilliseconds: number }[] } }[] };
    const ages = status.EventSourceMappings.find((x) => x.UUID === m.UUID)!.Lag.Shards;
    assert.deepEqual(ages.map((x) => x.ShardId).sort(), ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003"]);
    assert.ok(ages.every((x) => Number.isFinite(x.IteratorAgeMilliseconds) && x.IteratorAgeMilliseconds >= 0));
  });

  test("ParallelizationFactor: batches of one shard run at once, order kept per partition key", async () => {
    const s = await stream();
    const fn = await sinkFunction();
    await map({ FunctionName: fn.name, EventSourceArn: s.arn, StartingPosition: "TRIM_HORIZON", BatchSize: 5, ParallelizationFactor: 4 });
    const records = Array.from({ length: 200 }, (_, i) => `${i % 8}:${i}`);
    await put(s.name, records, (i) => `key-${i % 8}`);
    await fn.until((r) => texts(r).length >= 200, "200 records");
    const order = new Map<string, number[]>();
    for (const r of [...fn.reports].sort((a, b) => a.startedAt - b.startedAt)) for (const x of r.records) (order.get(x.key) ?? order.set(x.key, []).get(x.key)!).push(Number(x.text.split(":")[1]));
    for (const [key, seq] of order) assert.deepEqual(seq, [...seq].sort((a, b) => a - b), `${key} in order`);
    assert.ok(fn.reports.some((r) => new Set(r.records.map((x) => x.key)).size < 8), "batches split by lane");
  });

  test("bisect isolates the one poison record; retries exhausted go to the SQS on-failure destination with AWS's record", async () => {
    const s = await stream();
    const fn = await sinkFunction();
    const failures = await queue();
    const m = await map({
      FunctionName: fn.name,
      EventSourceArn: s.arn,
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 8,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: failures.arn } },
    });
    const records = ["r0", "r1", "r2", "poison: fail", "r4", "r5", "r6", "r7"];
    await put(s.name, records, () => "same");
    const onFailure: string[] = [];
    await eventually(async () => {
      await drainQueue(failures.url, onFailure);
      return onFailure.length >= 1;
    }, 60_000, "an on-failure record");
    await fn.until((r) => ["r0", "r1", "r2", "r4", "r5", "r6", "r7"].every((t) => texts(r).includes(t)), "every other record delivered");
    const record = JSON.parse(onFailure[0]!);
    assert.deepEqual(Object.keys(record), ["requestContext", "responseContext", "version", "timestamp", "KinesisBatchInfo"]);
    assert.deepEqual(Object.keys(record.requestContext), ["requestId", "functionArn", "condition", "approximateInvokeCount"]);
    assert.equal(record.requestContext.condition, "RetryAttemptsExhausted");
    assert.equal(record.requestContext.functionArn, `arn:aws:lambda:${REGION}:000000000000:function:${fn.name}`);
    assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" });
    assert.equal(record.version, "1.0");
    assert.match(record.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const info = record.KinesisBatchInfo;
    assert.deepEqual(Object.keys(info), ["shardId", "startSequenceNumber", "endSequenceNumber", "approximateArrivalOfFirstRecord", "approximateArrivalOfLastRecord", "batchSize", "streamArn"]);
    assert.equal(info.batchSize, 1, "only the poison record is given up on");
    assert.equal(info.startSequenceNumber, info.endSequenceNumber);
    assert.equal(info.streamArn, s.arn);
    const poisonSeq = fn.reports.flatMap((r) => r.records).find((x) => x.text === "poison: fail")!.id;
    assert.equal(info.startSequenceNumber, poisonSeq);
    assert.equal(onFailure.length, 1);
    await eventually(async () => (await flint.lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))).LastProcessingResult === "OK", 10_000, "LastProcessingResult OK");
  });

  test("a failing batch blocks its shard until MaximumRecordAgeInSeconds; then RecordAgeExceeded", async () => {
    const s = await stream();
    const fn = await sinkFunction();
    const failures = await queue();
    await map({ FunctionName: fn.name, EventSourceArn: s.arn, StartingPosition: "TRIM_HORIZON", BatchSize: 10, MaximumRecordAgeInSeconds: 60, DestinationConfig: { OnFailure: { Destination: failures.arn } } });
    await put(s.name, ["stuck: fail"]);
    await fn.until((r) => texts(r).filter((t) => t === "stuck: fail").length >= 3, "retries of the blocked batch");
    await put(s.name, ["behind it"]);
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(!texts(fn.reports).includes("behind it"), "nothing passes a failing batch");
    const onFailure: string[] = [];
    await eventually(async () => {
      await drainQueue(failures.url, onFailure);
      return onFailure.length >= 1;
    }, 90_000, "the record given up on for its age");
    assert.equal(JSON.parse(onFailure[0]!).requestContext.condition, "RecordAgeExceeded");
    await fn.until((r) => texts(r).includes("behind it"), "the shard moves on");
  });

  test("ReportBatchItemFailures resumes from the lowest failed sequence number", async () => {
    const s = await stream();
    const fn = await sinkFunction();
    await map({ FunctionName: fn.name, EventSourceArn: s.arn, StartingPosition: "TRIM_HORIZON", BatchSize: 10, FunctionResponseTypes: ["ReportBatchItemFailures"], MaximumRetryAttempts: 1 });
    await put(s.name, ["a", "b", "c partial", "d", "e"]);
    await fn.until((r) => r.length >= 2, "the retry");
    assert.deepEqual(fn.reports[0]!.records.map((x) => x.text), ["a", "b", "c partial", "d", "e"]);
    assert.deepEqual(fn.reports[1]!.records.map((x) => x.text), ["c partial", "d", "e"]);
  });

  test("TumblingWindowInSeconds passes state between invocations and ends each window with a final one", async () => {
    const s = await stream();
    const fn = await sinkFunction();
    await map({ FunctionName: fn.name, EventSourceArn: s.arn, StartingPosition: "TRIM_HORIZON", BatchSize: 2, TumblingWindowInSeconds: 2 });
    await put(s.name, ["t1", "t2", "t3", "t4", "t5"]);
    await fn.until((r) => r.filter((x) => x.isFinalInvokeForWindow).reduce((n, x) => n + (x.state?.count ?? 0), 0) >= 5, "final invocations counting every record", 30_000);
    // Each record once, and each window's count is what its batches saw.
    assert.deepEqual(texts(fn.reports).sort(), ["t1", "t2", "t3", "t4", "t5"]);
    const batches = fn.reports.filter((r) => !r.isFinalInvokeForWindow);
    assert.ok(batches.every((r) => r.window && r.records.length <= 2));
    assert.ok(batches.some((r) => (r.state?.count ?? 0) > 0), "state carried into a later invocation");
    const final = fn.reports.find((r) => r.isFinalInvokeForWindow)!;
    assert.equal(final.records.length, 0);
    assert.ok(final.window!.start < final.window!.end);
  });

  test("filters on data: only matching records reach the function", async () => {
    const s = await stream();
    const fn = await sinkFunction();
    await map({ FunctionName: fn.name, EventSourceArn: s.arn, StartingPosition: "TRIM_HORIZON", FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ data: { status: ["ACTIVE"] } }) }] } });
    const records = [{ status: "ACTIVE", n: 1 }, { status: "INACTIVE", n: 2 }, { status: "ACTIVE", n: 3 }].map((r) => JSON.stringify(r));
    await put(s.name, [...records, "not json"]);
    await fn.until((r) => texts(r).length >= 2, "the matching records");
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(texts(fn.reports), [records[0], records[2]]);
  });

  test("PutRecord one at a time reaches the function", async () => {
    const s = await stream();
    const fn = await sinkFunction();
    await map({ FunctionName: fn.name, EventSourceArn: s.arn, StartingPosition: "LATEST", BatchSize: 1 });
    for (let i = 0; i < 5; i++) await kinesis.send(new PutRecordCommand({ StreamName: s.name, PartitionKey: "p", Data: Buffer.from(`one-${i}`) }));
    await fn.until((r) => texts(r).length >= 5, "five records");
    assert.deepEqual(texts(fn.reports), ["one-0", "one-1", "one-2", "one-3", "one-4"]);
  });
});
