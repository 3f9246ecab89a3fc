/**
 * The stream poller in-process (shared/reference/event-sources.md §2, Kinesis): an in-memory shard
 * log, a scripted function, a real SQLite checkpoint store and a clock the tests move.
 */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ManualClock } from "../clock/manual-clock.js";
import type { MappingRecord } from "../services/lambda/event-source-mappings.js";
import { SqliteStore } from "../store/sqlite.js";
import { KINESIS } from "./kinesis.js";
import { type Answer, type Call, elapse, FUNCTION_ARN, harness, type Harness, mapping, until } from "./poller-harness.js";
import type { StreamPosition, StreamRecord, StreamSource } from "./stream-poller.js";

const STREAM = "arn:aws:kinesis:us-east-1:000000000000:stream/clicks";
const DLQ = "arn:aws:sqs:us-east-1:000000000000:failures";

/** A Kinesis-like shard log in memory: sequence numbers are fixed-width digit strings, increasing across the stream. */
class FakeStream implements StreamSource {
  readonly log = new Map<string, StreamRecord[]>();
  gone = false;
  /** Kinesis's default retention, 24 hours. */
  retention = 24 * 3_600_000;
  private seq = 0;
  private readonly listeners = new Set<(arn: string, shardId: string) => void>();

  constructor(
    private readonly clock: ManualClock,
    shardIds: string[],
  ) {
    for (const id of shardIds) this.log.set(id, []);
  }

  retentionMs(): number {
    return this.retention;
  }

  put(shardId: string, data: string, partitionKey = "pk", arrival = this.clock.now()): StreamRecord {
    const r = { sequenceNumber: String(++this.seq).padStart(20, "0"), approximateArrivalTimestamp: arrival, data: Buffer.from(data), partitionKey };
    this.log.get(shardId)!.push(r);
    for (const l of this.listeners) l(STREAM, shardId);
    return r;
  }

  shards(arn: string) {
    return arn === STREAM && !this.gone ? [...this.log.keys()].map((shardId) => ({ shardId })) : undefined;
  }

  async read(_arn: string, shardId: string, from: StreamPosition, limit: number) {
    const all = this.log.get(shardId)!;
    const start = "after" in from ? all.findIndex((r) => r.sequenceNumber > from.after) : "atTimestampMs" in from ? all.findIndex((r) => r.approximateArrivalTimestamp >= from.atTimestampMs) : 0;
    const records = start < 0 ? [] : all.slice(start, start + limit);
    return { records, millisBehindLatest: 0 };
  }

  latestSequence(_arn: string, shardId: string) {
    return this.log.get(shardId)!.at(-1)?.sequenceNumber;
  }

  onAppend(listener: (arn: string, shardId: string) => void) {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}

/** The data of each record of an invocation, as text. */
const dataOf = (call: Call) => call.event.Records.map((r) => Buffer.from((r.kinesis as { data: string }).data, "base64").toString("utf8"));
const seqOf = (call: Call) => call.event.Records.map((r) => (r.kinesis as { sequenceNumber: string }).sequenceNumber);
const shardOfCall = (call: Call) => String(call.event.Records[0]!.eventID).split(":")[0];
/** Every record's data the function saw succeed or fail, in invocation order. */
const seen = (h: Harness) => h.calls.flatMap(dataOf);

describe("stream poller (Kinesis)", () => {
  let dir: string;
  let store: SqliteStore;
  let clock: ManualClock;
  let stream: FakeStream;
  let h: Harness;

  const start = async (over: Partial<MappingRecord> = {}, answer?: Harness["answer"]) => {
    h = harness(clock, store.mappings, { sqs: undefined as never, streams: { kinesis: { source: stream, flavour: KINESIS } } });
    if (answer) h.answer = answer;
    const m = mapping({ eventSourceArn: STREAM, source: "kinesis", batchSize: 100, startingPosition: "TRIM_HORIZON", ...over });
    await h.pollers.apply(m.uuid, m);
    return m;
  };
  const stop = async () => h.pollers.close();
  const checkpoint = async (m: MappingRecord, shardId = "shardId-000000000000") => (await store.mappings.checkpoints(m.uuid)).get(shardId);

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flint-stream-poller-"));
    store = SqliteStore.open(dir);
    clock = new ManualClock();
    stream = new FakeStream(clock, ["shardId-000000000000"]);
  });
  afterEach(async () => {
    await stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("TRIM_HORIZON starts at the oldest record and reads in order, BatchSize at a time", async () => {
    for (let i = 0; i < 7; i++) stream.put("shardId-000000000000", `r${i}`);
    await start({ batchSize: 3 });
    await until(clock, () => seen(h).length === 7, "7 records");
    assert.deepEqual(h.calls.map(dataOf), [["r0", "r1", "r2"], ["r3", "r4", "r5"], ["r6"]]);
    const r = h.calls[0]!.event.Records[0]!;
    assert.equal(r.eventSource, "aws:kinesis");
    assert.equal(r.eventSourceARN, STREAM);
    assert.equal(r.eventID, `shardId-000000000000:${seqOf(h.calls[0]!)[0]}`);
  });

  test("LATEST skips what is in the shard at start, is fixed durably, and a restart neither skips nor replays", async () => {
    stream.put("shardId-000000000000", "before");
    const m = await start({ startingPosition: "LATEST" });
    await until(clock, () => h.calls.length === 0 && h.pollers.running().length === 1, "poller running");
    await elapse(clock, 100);
    stream.put("shardId-000000000000", "after-1");
    await until(clock, () => seen(h).includes("after-1"), "after-1");
    await stop();
    // Written while no poller runs: the restarted one reads them, and nothing before.
    stream.put("shardId-000000000000", "while-stopped");
    await start({ startingPosition: "LATEST" });
    await until(clock, () => seen(h).includes("while-stopped"), "while-stopped");
    await elapse(clock, 2_000);
    assert.deepEqual(seen(h), ["while-stopped"]);
    assert.equal((await checkpoint(m))?.sequence, stream.latestSequence(STREAM, "shardId-000000000000"));
  });

  test("LATEST on an empty shard: a restart before any record reads what arrived meanwhile", async () => {
    await start({ startingPosition: "LATEST" });
    await elapse(clock, 100);
    await stop();
    stream.put("shardId-000000000000", "first");
    await start({ startingPosition: "LATEST" });
    await until(clock, () => seen(h).length === 1, "first");
    assert.deepEqual(seen(h), ["first"]);
  });

  test("AT_TIMESTAMP starts at the first record that arrived at or after the timestamp", async () => {
    const t0 = clock.now();
    stream.put("shardId-000000000000", "old", "pk", t0 - 2_000);
    stream.put("shardId-000000000000", "at", "pk", t0);
    stream.put("shardId-000000000000", "new", "pk", t0 + 1_000);
    await start({ startingPosition: "AT_TIMESTAMP", startingPositionTimestamp: t0 / 1000 });
    await until(clock, () => seen(h).length === 2, "2 records");
    assert.deepEqual(seen(h), ["at", "new"]);
  });

  test("a new poller on the same store resumes from the checkpoint, repeating at most the batch in flight", async () => {
    for (let i = 0; i < 6; i++) stream.put("shardId-000000000000", `r${i}`);
    let release!: () => void;
    const held = new Promise<Answer>((r) => (release = () => r("ok")));
    await start({ batchSize: 2 }, (_e, n) => (n === 2 ? held : "ok"));
    await until(clock, () => h.calls.length === 3, "third batch in flight");
    const stopping = stop();
    release();
    await stopping;
    await start({ batchSize: 2 });
    await until(clock, () => seen(h).includes("r5"), "r5");
    // r4 and r5 were in flight when the first poller stopped: they may repeat, nothing before them.
    assert.deepEqual(seen(h), ["r4", "r5"]);
  });

  test("a batch failing when the poller stops is retried by the next one, and nothing after it is skipped", async () => {
    stream.put("shardId-000000000000", "bad");
    stream.put("shardId-000000000000", "next");
    await start({ batchSize: 1 }, () => "throw");
    await until(clock, () => h.calls.length >= 3, "retries");
    await stop();
    await start({ batchSize: 1 });
    await until(clock, () => seen(h).includes("next"), "next");
    assert.deepEqual(seen(h), ["bad", "next"]);
  });

  test("with ParallelizationFactor a new poller resumes where the last one's lanes all finished", async () => {
    for (let i = 0; i < 40; i++) stream.put("shardId-000000000000", `k${i % 4}:${i}`, `k${i % 4}`);
    await start({ batchSize: 5, parallelizationFactor: 2 });
    await until(clock, () => seen(h).length === 40, "40 records");
    await elapse(clock, 50);
    await stop();
    stream.put("shardId-000000000000", "k0:40", "k0");
    await start({ batchSize: 5, parallelizationFactor: 2 });
    await until(clock, () => seen(h).includes("k0:40"), "k0:40");
    await elapse(clock, 1_000);
    assert.deepEqual(seen(h), ["k0:40"]);
  });

  test("the batching window gathers records until BatchSize or its end", async () => {
    await start({ batchSize: 5, maximumBatchingWindowInSeconds: 3 });
    await elapse(clock, 100);
    stream.put("shardId-000000000000", "a");
    await elapse(clock, 1_000);
    stream.put("shardId-000000000000", "b");
    await elapse(clock, 1_000);
    assert.equal(h.calls.length, 0, "nothing before the window ends");
    await until(clock, () => h.calls.length === 1, "the window's batch");
    assert.deepEqual(dataOf(h.calls[0]!), ["a", "b"]);
    assert.ok(clock.now() >= Date.UTC(2024, 0, 1) + 3_000);
    // A full batch goes at once.
    const before = clock.now();
    for (let i = 0; i < 5; i++) stream.put("shardId-000000000000", `f${i}`);
    await until(clock, () => h.calls.length === 2, "the full batch");
    assert.deepEqual(dataOf(h.calls[1]!), ["f0", "f1", "f2", "f3", "f4"]);
    assert.ok(clock.now() - before < 1_000);
  });

  test("records stay in order per shard and a batch never spans shards", async () => {
    stream = new FakeStream(clock, ["shardId-000000000000", "shardId-000000000001"]);
    for (let i = 0; i < 50; i++) stream.put(`shardId-00000000000${i % 2}`, `${i % 2}:${i}`);
    await start({ batchSize: 7 });
    await until(clock, () => seen(h).length === 50, "50 records");
    for (const call of h.calls) assert.equal(new Set(dataOf(call).map((d) => d.split(":")[0])).size, 1);
    for (const shard of ["0", "1"]) {
      const order = seen(h).filter((d) => d.startsWith(`${shard}:`)).map((d) => Number(d.split(":")[1]));
      assert.deepEqual(order, [...order].sort((a, b) => a - b));
      assert.equal(order.length, 25);
    }
    assert.ok(h.calls.every((c) => shardOfCall(c) === `shardId-00000000000${dataOf(c)[0]![0]}`));
  });

  test("ParallelizationFactor runs batches of one shard at once, in order per partition key", async () => {
    for (let i = 0; i < 200; i++) stream.put("shardId-000000000000", `k${i % 8}:${i}`, `k${i % 8}`);
    await start({ batchSize: 5, parallelizationFactor: 4 }, async (): Promise<Answer> => {
      await new Promise((r) => setImmediate(r));
      return "ok";
    });
    await until(clock, () => seen(h).length === 200, "200 records");
    assert.ok(h.maxInFlight > 1, `${h.maxInFlight} at once`);
    for (let k = 0; k < 8; k++) {
      const order = seen(h).filter((d) => d.startsWith(`k${k}:`)).map((d) => Number(d.split(":")[1]));
      assert.deepEqual(order, [...order].sort((a, b) => a - b));
      assert.equal(order.length, 25);
    }
  });

  test("a failing batch blocks the shard and is retried until it succeeds", async () => {
    stream.put("shardId-000000000000", "a");
    await start({ batchSize: 1 }, (_e, n) => (n < 3 ? "throw" : "ok"));
    await until(clock, () => h.calls.length >= 1, "first attempt");
    stream.put("shardId-000000000000", "b");
    await until(clock, () => seen(h).includes("b"), "b");
    assert.deepEqual(seen(h), ["a", "a", "a", "a", "b"]);
    assert.equal(h.delivered.length, 0);
  });

  test("MaximumRetryAttempts exhausted: AWS's on-failure record, then the shard moves on", async () => {
    const first = stream.put("shardId-000000000000", "bad-1", "pk", clock.now() - 1_000);
    const last = stream.put("shardId-000000000000", "bad-2");
    const m = await start({ maximumRetryAttempts: 2, onFailure: DLQ }, (e) => (dataOf({ requestId: "", event: e }).includes("good") ? "ok" : "throw"));
    await until(clock, () => h.delivered.length === 1, "on-failure record");
    assert.equal(h.calls.length, 3, "the first attempt and 2 retries");
    const { destination, record } = h.delivered[0]!;
    assert.equal(destination, DLQ);
    assert.deepEqual(Object.keys(record), ["requestContext", "responseContext", "version", "timestamp", "KinesisBatchInfo"]);
    assert.deepEqual(record.requestContext, { requestId: h.calls[2]!.requestId, functionArn: FUNCTION_ARN, condition: "RetryAttemptsExhausted", approximateInvokeCount: 3 });
    assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" });
    assert.equal(record.version, "1.0");
    assert.match(String(record.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(record.KinesisBatchInfo, {
      shardId: "shardId-000000000000",
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.approximateArrivalTimestamp).toISOString(),
      approximateArrivalOfLastRecord: new Date(last.approximateArrivalTimestamp).toISOString(),
      batchSize: 2,
      streamArn: STREAM,
    });
    stream.put("shardId-000000000000", "good");
    await until(clock, async () => (await checkpoint(m))?.sequence === stream.latestSequence(STREAM, "shardId-000000000000"), "the checkpoint past good");
    assert.deepEqual(h.calls.at(-1)!.event.Records.length, 1);
  });

  test("retries exhausted through batchItemFailures: the record's functionError is null", async () => {
    const r = stream.put("shardId-000000000000", "bad");
    await start({ maximumRetryAttempts: 0, onFailure: DLQ, functionResponseTypes: ["ReportBatchItemFailures"] }, () => ({ failures: [r.sequenceNumber] }));
    await until(clock, () => h.delivered.length === 1, "on-failure record");
    const { record } = h.delivered[0]!;
    assert.deepEqual(record.requestContext, { requestId: h.calls[0]!.requestId, functionArn: FUNCTION_ARN, condition: "RetryAttemptsExhausted", approximateInvokeCount: 1 });
    assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: "$LATEST", functionError: null });
  });

  test("BisectBatchOnFunctionError isolates one poison record: only it reaches the destination", async () => {
    for (let i = 0; i < 8; i++) stream.put("shardId-000000000000", i === 5 ? "poison" : `r${i}`);
    await start({ bisectBatchOnFunctionError: true, maximumRetryAttempts: 1, onFailure: DLQ }, (e) => (dataOf({ requestId: "", event: e }).includes("poison") ? "throw" : "ok"));
    await until(clock, () => h.delivered.length === 1, "on-failure record");
    await elapse(clock, 2_000);
    assert.equal(h.delivered.length, 1);
    const info = h.delivered[0]!.record.KinesisBatchInfo as Record<string, unknown>;
    const poison = stream.log.get("shardId-000000000000")![5]!;
    assert.equal(info.batchSize, 1);
    assert.equal(info.startSequenceNumber, poison.sequenceNumber);
    assert.equal(info.endSequenceNumber, poison.sequenceNumber);
    // Every other record succeeded exactly once.
    const succeeded = h.calls.filter((c) => !dataOf(c).includes("poison")).flatMap(dataOf);
    assert.deepEqual(succeeded.sort(), ["r0", "r1", "r2", "r3", "r4", "r6", "r7"]);
  });

  test("MaximumRecordAgeInSeconds: records too old are given up on, without responseContext when never invoked", async () => {
    const old = stream.put("shardId-000000000000", "old", "pk", clock.now() - 120_000);
    await start({ maximumRecordAgeInSeconds: 60, onFailure: DLQ });
    await until(clock, () => h.delivered.length === 1, "on-failure record");
    const { record } = h.delivered[0]!;
    assert.equal(h.calls.length, 0);
    assert.equal((record.requestContext as Record<string, unknown>).condition, "RecordAgeExceeded");
    assert.equal((record.requestContext as Record<string, unknown>).approximateInvokeCount, 0);
    assert.equal("responseContext" in record, false);
    assert.equal((record.KinesisBatchInfo as Record<string, unknown>).startSequenceNumber, old.sequenceNumber);
  });

  test("with MaximumRecordAgeInSeconds -1, a failing batch is given up on when the stream lets its records go", async () => {
    stream.retention = 60_000;
    stream.put("shardId-000000000000", "bad");
    await start({ onFailure: DLQ }, () => "throw");
    await until(clock, () => h.delivered.length === 1, "on-failure record", { stepMs: 200 });
    assert.equal((h.delivered[0]!.record.requestContext as Record<string, unknown>).condition, "RecordAgeExceeded");
  });

  test("a stream deleted and made again under the same name is read from its start", async () => {
    const m = await start();
    stream.put("shardId-000000000000", "old-1");
    stream.put("shardId-000000000000", "old-2");
    await until(clock, () => seen(h).length === 2, "the old stream's records");
    await stop();
    stream = new FakeStream(clock, ["shardId-000000000000"]);
    stream.put("shardId-000000000000", "new-1");
    await start({ uuid: m.uuid });
    await until(clock, () => seen(h).includes("new-1"), "the new stream's first record");
  });

  test("MaximumRecordAgeInSeconds ends the retries of a failing batch, with the last response", async () => {
    stream.put("shardId-000000000000", "bad");
    await start({ maximumRecordAgeInSeconds: 60, onFailure: DLQ }, () => "throw");
    await until(clock, () => h.delivered.length === 1, "on-failure record", { stepMs: 200 });
    const { record } = h.delivered[0]!;
    const context = record.requestContext as Record<string, unknown>;
    assert.equal(context.condition, "RecordAgeExceeded");
    assert.equal(context.approximateInvokeCount, h.calls.length);
    assert.equal(context.requestId, h.calls.at(-1)!.requestId);
    assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" });
  });

  test("record age ends a bisected half: its record says it was invoked", async () => {
    stream.put("shardId-000000000000", "a");
    stream.put("shardId-000000000000", "b");
    await start({ bisectBatchOnFunctionError: true, maximumRecordAgeInSeconds: 60, onFailure: DLQ }, () => "throw");
    await until(clock, () => h.delivered.length === 2, "2 on-failure records", { stepMs: 200 });
    for (const { record } of h.delivered) {
      assert.equal((record.requestContext as Record<string, unknown>).condition, "RecordAgeExceeded");
      assert.ok(Number((record.requestContext as Record<string, unknown>).approximateInvokeCount) >= 1, JSON.stringify(record.requestContext));
      assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" });
    }
  });

  test("record age ends a batch only ever throttled: no responseContext, no invocations counted", async () => {
    stream.put("shardId-000000000000", "a");
    await start({ maximumRecordAgeInSeconds: 60, onFailure: DLQ }, () => "throttled");
    await until(clock, () => h.delivered.length === 1, "on-failure record", { stepMs: 200 });
    const { record } = h.delivered[0]!;
    assert.equal((record.requestContext as Record<string, unknown>).approximateInvokeCount, 0);
    assert.equal("responseContext" in record, false);
  });

  test("ReportBatchItemFailures resumes from the lowest failed sequence number", async () => {
    const records = ["a", "b", "c", "d", "e"].map((d) => stream.put("shardId-000000000000", d));
    await start({ functionResponseTypes: ["ReportBatchItemFailures"] }, (_e, n) => (n === 0 ? { failures: [records[3]!.sequenceNumber, records[2]!.sequenceNumber] } : "ok"));
    await until(clock, () => h.calls.length === 2, "the retry");
    assert.deepEqual(h.calls.map(dataOf), [["a", "b", "c", "d", "e"], ["c", "d", "e"]]);
  });

  test("tumbling windows pass state, end with a final invocation without records, and start at arrival-time boundaries", async () => {
    const t0 = clock.now(); // 2024-01-01T00:00:00Z, a window boundary
    stream.put("shardId-000000000000", "a", "pk", t0 + 1_000);
    stream.put("shardId-000000000000", "b", "pk", t0 + 2_000);
    stream.put("shardId-000000000000", "c", "pk", t0 + 31_000);
    const sum = (e: Call["event"]) => ({ respond: { state: { n: ((e.state as { n?: number }).n ?? 0) + e.Records.length } } });
    await start({ batchSize: 1, tumblingWindowInSeconds: 30 }, sum);
    await until(clock, () => h.calls.some((c) => c.event.isFinalInvokeForWindow), "the first window's final invocation");
    const [a, b, final] = h.calls.map((c) => c.event);
    assert.deepEqual(a!.window, { start: "2024-01-01T00:00:00.000Z", end: "2024-01-01T00:00:30.000Z" });
    assert.deepEqual(a!.state, {});
    assert.deepEqual(b!.state, { n: 1 });
    assert.equal(b!.isFinalInvokeForWindow, false);
    assert.deepEqual(final!.Records, []);
    assert.equal(final!.isFinalInvokeForWindow, true);
    assert.equal(final!.isWindowTerminatedEarly, false);
    assert.deepEqual(final!.state, { n: 2 });
    assert.equal(final!.shardId, "shardId-000000000000");
    assert.equal(final!.eventSourceARN, STREAM);
    await until(clock, () => seen(h).includes("c"), "c");
    const c = h.calls.at(-1)!.event;
    assert.deepEqual(c.window, { start: "2024-01-01T00:00:30.000Z", end: "2024-01-01T00:01:00.000Z" });
    assert.deepEqual(c.state, {});
  });

  test("a tumbling window's state survives a restart through the checkpoint", async () => {
    const t0 = clock.now();
    stream.put("shardId-000000000000", "a", "pk", t0 + 1_000);
    const sum = (e: Call["event"]) => ({ respond: { state: { n: ((e.state as { n?: number }).n ?? 0) + e.Records.length } } });
    await start({ tumblingWindowInSeconds: 30 }, sum);
    await until(clock, () => h.calls.length === 1, "a");
    await elapse(clock, 50);
    await stop();
    stream.put("shardId-000000000000", "b", "pk", clock.now());
    await start({ tumblingWindowInSeconds: 30 }, sum);
    await until(clock, () => h.calls.some((c) => c.event.isFinalInvokeForWindow), "the final invocation");
    assert.deepEqual(h.calls.map((c) => [dataOf(c), c.event.state]), [
      [["b"], { n: 1 }],
      [[], { n: 2 }],
    ]);
  });

  test("a tumbling window that ended while no poller ran gets its final invocation after the restart", async () => {
    stream.put("shardId-000000000000", "a", "pk", clock.now() + 1_000);
    const sum = (e: Call["event"]) => ({ respond: { state: { n: ((e.state as { n?: number }).n ?? 0) + e.Records.length } } });
    await start({ tumblingWindowInSeconds: 30 }, sum);
    await until(clock, () => h.calls.length === 1, "a");
    await elapse(clock, 50);
    await stop();
    clock.advance(60_000);
    await start({ tumblingWindowInSeconds: 30 }, sum);
    await until(clock, () => h.calls.length === 1, "the final invocation");
    assert.equal(h.calls[0]!.event.isFinalInvokeForWindow, true);
    assert.deepEqual(h.calls[0]!.event.state, { n: 1 });
    await elapse(clock, 2_000);
    assert.equal(h.calls.length, 1);
  });

  test("a shard that appears later is found and read", async () => {
    await start();
    await elapse(clock, 100);
    stream.log.set("shardId-000000000001", []);
    stream.put("shardId-000000000001", "new-shard");
    await until(clock, () => seen(h).includes("new-shard"), "the new shard's record");
  });

  test("filters drop records but the checkpoint moves past them", async () => {
    stream.put("shardId-000000000000", JSON.stringify({ kind: "keep", n: 1 }));
    stream.put("shardId-000000000000", JSON.stringify({ kind: "drop", n: 2 }));
    stream.put("shardId-000000000000", JSON.stringify({ kind: "keep", n: 3 }));
    const m = await start({ batchSize: 1, filters: [{ Pattern: JSON.stringify({ data: { kind: ["keep"] } }) }] });
    await until(clock, () => h.calls.length === 2, "2 kept");
    assert.deepEqual(seen(h).map((d) => JSON.parse(d).n), [1, 3]);
    stream.put("shardId-000000000000", JSON.stringify({ kind: "drop", n: 4 }));
    const last = stream.latestSequence(STREAM, "shardId-000000000000");
    await until(clock, async () => (await checkpoint(m))?.sequence === last, "the checkpoint past the dropped record");
    assert.equal(h.calls.length, 2);
  });

  test("throttles are retried without counting as retries", async () => {
    stream.put("shardId-000000000000", "a");
    await start({ maximumRetryAttempts: 0, onFailure: DLQ }, (_e, n) => (n < 5 ? "throttled" : "ok"));
    await until(clock, () => h.calls.length === 6, "the call after 5 throttles");
    await elapse(clock, 1_000);
    assert.equal(h.calls.length, 6);
    assert.equal(h.delivered.length, 0);
    assert.ok(h.reports.some((r) => r.lastProcessingResult === "PROBLEM: Function call throttled"));
    assert.equal(h.reports.at(-1)!.lastProcessingResult, "OK");
  });

  test("a stream that disappears is reported", async () => {
    await start();
    await elapse(clock, 100);
    stream.gone = true;
    await until(clock, () => h.reports.some((r) => r.stateTransitionReason !== undefined), "a report");
    const r = h.reports.find((r) => r.stateTransitionReason !== undefined)!;
    assert.equal(r.stateTransitionReason, `Stream not found: ${STREAM}`);
    assert.equal(r.lastProcessingResult, `PROBLEM: Stream not found: ${STREAM}`);
  });
});
