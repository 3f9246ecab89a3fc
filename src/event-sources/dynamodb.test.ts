/**
 * The stream poller with DynamoDB's flavour, in-process (shared/reference/event-sources.md §2–3,
 * esm-recorded.json dynamodb_*): an in-memory stream of GetRecords records, a scripted function, a
 * real SQLite checkpoint store and a clock the tests move.
 */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ManualClock } from "../clock/manual-clock.js";
import type { MappingRecord } from "../services/lambda/event-source-mappings.js";
import { SqliteStore } from "../store/sqlite.js";
import { DYNAMODB, dynamodbReader } from "./dynamodb.js";
import { compileFilters } from "./filter.js";
import { type Answer, type Call, elapse, FUNCTION_ARN, harness, type Harness, mapping, until } from "./poller-harness.js";
import type { StreamPosition, StreamRecord } from "./stream-poller.js";

const STREAM = "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2024-01-01T00:00:00.000";
const SHARD = "shardId-00000001704067200000-0a1b2c3d";
const DLQ = "arn:aws:sqs:us-east-1:000000000000:failures";

type Image = Record<string, Record<string, unknown>>;
interface Change {
  name: "INSERT" | "MODIFY" | "REMOVE";
  id: string;
  newImage?: Image;
  oldImage?: Image;
  ttl?: boolean;
}

/** A DynamoDB stream in memory, shaped as services/dynamodb/streams.ts serves the pollers: one shard, 21-digit sequence numbers, `data` the GetRecords record's JSON. */
class FakeDynamoStreams {
  readonly records: StreamRecord[] = [];
  gone = false;
  private seq = 0;
  private readonly listeners = new Set<(arn: string, shardId: string) => void>();

  constructor(private readonly clock: ManualClock) {}

  put(change: Change, arrival = this.clock.now()): StreamRecord {
    const sequenceNumber = String(++this.seq).padStart(21, "0");
    const record = {
      awsRegion: "us-east-1",
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(arrival / 1000),
        Keys: { id: { S: change.id } },
        ...(change.newImage ? { NewImage: change.newImage } : {}),
        ...(change.oldImage ? { OldImage: change.oldImage } : {}),
        SequenceNumber: sequenceNumber,
        SizeBytes: 20,
        StreamViewType: "NEW_AND_OLD_IMAGES",
      },
      eventID: sequenceNumber.slice(-8).padStart(32, "e"),
      eventName: change.name,
      eventSource: "aws:dynamodb",
      eventVersion: "1.1",
      // As GetRecords (and so the reader) spells it: the Streams API model's Identity shape.
      ...(change.ttl ? { userIdentity: { PrincipalId: "dynamodb.amazonaws.com", Type: "Service" } } : {}),
    };
    const r: StreamRecord = { sequenceNumber, approximateArrivalTimestamp: arrival, data: Buffer.from(JSON.stringify(record)), partitionKey: change.id };
    this.records.push(r);
    for (const l of this.listeners) l(STREAM, SHARD);
    return r;
  }

  /** An item written: INSERT with its image. */
  insert(id: string, attrs: Image = {}, arrival?: number): StreamRecord {
    return this.put({ name: "INSERT", id, newImage: { id: { S: id }, ...attrs } }, arrival);
  }

  streamByArn(arn: string) {
    return arn === STREAM && !this.gone ? { shards: [{ shardId: SHARD }] } : undefined;
  }

  async readShard(_arn: string, _shardId: string, from: StreamPosition, limit: number) {
    const start = "after" in from ? this.records.findIndex((r) => r.sequenceNumber > from.after) : 0;
    return { records: start < 0 ? [] : this.records.slice(start, start + limit), millisBehindLatest: 0 };
  }

  latestSequence() {
    return this.records.at(-1)?.sequenceNumber;
  }

  onAppend(listener: (arn: string, shardId: string) => void) {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}

type EventRecord = { eventName: string; dynamodb: { Keys: Image; NewImage?: Image; OldImage?: Image; SequenceNumber: string } } & Record<string, unknown>;
const recordsOf = (call: Call) => call.event.Records as unknown as EventRecord[];
/** Each record of an invocation as `<eventName> <id>`. */
const namesOf = (call: Call) => recordsOf(call).map((r) => `${r.eventName} ${r.dynamodb.Keys.id!.S}`);
const seen = (h: Harness) => h.calls.flatMap(namesOf);

describe("stream poller (DynamoDB streams)", () => {
  let dir: string;
  let store: SqliteStore;
  let clock: ManualClock;
  let streams: FakeDynamoStreams;
  let h: Harness;

  const start = async (over: Partial<MappingRecord> = {}, answer?: Harness["answer"]) => {
    h = harness(clock, store.mappings, { sqs: undefined as never, streams: { dynamodb: { source: dynamodbReader(streams), flavour: DYNAMODB } } });
    if (answer) h.answer = answer;
    const m = mapping({ eventSourceArn: STREAM, source: "dynamodb", batchSize: 100, startingPosition: "TRIM_HORIZON", stateTransitionReason: "User action", ...over });
    await h.pollers.apply(m.uuid, m);
    return m;
  };
  const checkpoint = async (m: MappingRecord) => (await store.mappings.checkpoints(m.uuid)).get(SHARD);

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flint-ddb-poller-"));
    store = SqliteStore.open(dir);
    clock = new ManualClock();
    streams = new FakeDynamoStreams(clock);
  });
  afterEach(async () => {
    await h?.pollers.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("the event is AWS's: the GetRecords record with eventSourceARN, members in AWS's order", async () => {
    streams.insert("a", { n: { N: "1" } });
    streams.put({ name: "MODIFY", id: "a", oldImage: { id: { S: "a" }, n: { N: "1" } }, newImage: { id: { S: "a" }, n: { N: "2" } } });
    streams.put({ name: "REMOVE", id: "a", oldImage: { id: { S: "a" }, n: { N: "2" } } });
    await start();
    await until(clock, () => seen(h).length === 3, "3 records");
    assert.equal(h.calls.length, 1);
    assert.deepEqual(Object.keys(h.calls[0]!.event), ["Records"]);
    const [insert, modify, remove] = recordsOf(h.calls[0]!);
    assert.deepEqual(Object.keys(insert!), ["eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb", "eventSourceARN"]);
    assert.deepEqual(insert, {
      eventID: JSON.parse(streams.records[0]!.data.toString()).eventID,
      eventName: "INSERT",
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: "us-east-1",
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(streams.records[0]!.approximateArrivalTimestamp / 1000),
        Keys: { id: { S: "a" } },
        NewImage: { id: { S: "a" }, n: { N: "1" } },
        SequenceNumber: streams.records[0]!.sequenceNumber,
        SizeBytes: 20,
        StreamViewType: "NEW_AND_OLD_IMAGES",
      },
      eventSourceARN: STREAM,
    });
    assert.deepEqual(modify!.dynamodb.OldImage, { id: { S: "a" }, n: { N: "1" } });
    assert.deepEqual(modify!.dynamodb.NewImage, { id: { S: "a" }, n: { N: "2" } });
    assert.equal(remove!.eventName, "REMOVE");
    assert.equal("NewImage" in remove!.dynamodb, false);
    assert.equal("userIdentity" in remove!, false);
  });

  test("a TTL deletion carries userIdentity, before eventSourceARN", async () => {
    streams.put({ name: "REMOVE", id: "expired", oldImage: { id: { S: "expired" } }, ttl: true });
    await start();
    await until(clock, () => h.calls.length === 1, "the TTL record");
    const r = recordsOf(h.calls[0]!)[0]!;
    assert.deepEqual(r.userIdentity, { type: "Service", principalId: "dynamodb.amazonaws.com" });
    assert.deepEqual(Object.keys(r.userIdentity as object), ["type", "principalId"]);
    assert.deepEqual(Object.keys(r).slice(-3), ["dynamodb", "userIdentity", "eventSourceARN"]);
  });

  test("LATEST skips what the stream held when the mapping started; a restart resumes from the checkpoint", async () => {
    streams.insert("before");
    const m = await start({ startingPosition: "LATEST" });
    await until(clock, () => h.pollers.running().length === 1, "poller running");
    await elapse(clock, 100);
    streams.insert("after");
    await until(clock, () => seen(h).includes("INSERT after"), "after");
    await h.pollers.close();
    streams.insert("while-stopped");
    await start({ startingPosition: "LATEST" });
    await until(clock, () => seen(h).includes("INSERT while-stopped"), "while-stopped");
    await elapse(clock, 1_000);
    assert.deepEqual(seen(h), ["INSERT while-stopped"]);
    assert.equal((await checkpoint(m))?.sequence, streams.latestSequence());
  });

  test("a checkpoint ahead of what this node knows of the stream's end resumes there (another node's appends), never from the start", async () => {
    for (let i = 0; i < 4; i++) streams.insert(`r${i}`);
    const m = await start({ batchSize: 2 });
    await until(clock, () => seen(h).length === 4, "4 records");
    await h.pollers.close();
    h.calls.length = 0;
    // This node's cached newest sequence lags: the stream reads on past it.
    streams.insert("r4");
    const real = streams.latestSequence.bind(streams);
    streams.latestSequence = () => streams.records[1]!.sequenceNumber;
    await start({ batchSize: 2 });
    await until(clock, () => seen(h).includes("INSERT r4"), "r4");
    await elapse(clock, 500);
    assert.deepEqual(seen(h), ["INSERT r4"]);
    streams.latestSequence = real;
    assert.equal((await checkpoint(m))?.sequence, streams.records[4]!.sequenceNumber);
  });

  test("filters on dynamodb.NewImage and eventName drop records, and the checkpoint moves past them", async () => {
    streams.insert("a", { status: { S: "open" } });
    streams.insert("b", { status: { S: "closed" } });
    streams.put({ name: "MODIFY", id: "b", oldImage: { id: { S: "b" }, status: { S: "closed" } }, newImage: { id: { S: "b" }, status: { S: "open" } } });
    streams.put({ name: "REMOVE", id: "a", oldImage: { id: { S: "a" }, status: { S: "open" } } });
    streams.insert("c", { status: { S: "open" } });
    const pattern = { eventName: ["INSERT", "MODIFY"], dynamodb: { NewImage: { status: { S: ["open"] } } } };
    const m = await start({ batchSize: 1, filters: [{ Pattern: JSON.stringify(pattern) }] });
    await until(clock, async () => (await checkpoint(m))?.sequence === streams.latestSequence(), "the checkpoint at the end");
    assert.deepEqual(seen(h), ["INSERT a", "MODIFY b", "INSERT c"]);
    // exists works on leaves: `presentKey: [{exists: false}]` matches every record (AWS, recorded by
    // LocalStack's exists_false_filter: both items delivered); naming the type matches those without it.
    await h.pollers.close();
    h.calls.length = 0;
    streams.insert("d", { presentKey: { S: "x" } });
    streams.insert("e");
    await start({ uuid: "00000000-0000-4000-8000-000000000002", batchSize: 1, startingPosition: "LATEST", filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { presentKey: { S: [{ exists: false }] } } } }) }] });
    await elapse(clock, 100);
    streams.insert("f", { presentKey: { S: "y" } });
    streams.insert("g");
    await until(clock, () => seen(h).includes("INSERT g"), "g");
    await elapse(clock, 1_000);
    assert.deepEqual(seen(h), ["INSERT g"]);
  });

  test("retries exhausted: the on-failure record is AWS's DDBStreamBatchInfo, arrival times in whole seconds", async () => {
    const first = streams.insert("bad-1", {}, clock.now() + 1_234);
    const last = streams.insert("bad-2", {}, clock.now() + 2_567);
    clock.advance(3_000);
    await start({ maximumRetryAttempts: 1, onFailure: DLQ }, (e) => (namesOf({ requestId: "", event: e }).includes("INSERT good") ? "ok" : "throw"));
    await until(clock, () => h.delivered.length === 1, "on-failure record");
    assert.equal(h.calls.length, 2, "the first attempt and 1 retry");
    const { destination, record } = h.delivered[0]!;
    assert.equal(destination, DLQ);
    assert.deepEqual(Object.keys(record), ["requestContext", "responseContext", "version", "timestamp", "DDBStreamBatchInfo"]);
    assert.deepEqual(record.requestContext, { requestId: h.calls[1]!.requestId, functionArn: FUNCTION_ARN, condition: "RetryAttemptsExhausted", approximateInvokeCount: 2 });
    assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" });
    assert.match(String(record.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(record.DDBStreamBatchInfo, {
      shardId: SHARD,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: "2024-01-01T00:00:01Z",
      approximateArrivalOfLastRecord: "2024-01-01T00:00:02Z",
      batchSize: 2,
      streamArn: STREAM,
    });
    streams.insert("good");
    await until(clock, () => seen(h).includes("INSERT good"), "the shard moves on");
  });

  test("BisectBatchOnFunctionError isolates one poison record; the others succeed once each, in order per item", async () => {
    for (let i = 0; i < 8; i++) streams.insert(i === 5 ? "poison" : `r${i}`);
    await start({ bisectBatchOnFunctionError: true, maximumRetryAttempts: 1, onFailure: DLQ }, (e) => (namesOf({ requestId: "", event: e }).includes("INSERT poison") ? "throw" : "ok"));
    await until(clock, () => h.delivered.length === 1, "on-failure record");
    await elapse(clock, 2_000);
    const info = h.delivered[0]!.record.DDBStreamBatchInfo as Record<string, unknown>;
    assert.equal(info.batchSize, 1);
    assert.equal(info.startSequenceNumber, streams.records[5]!.sequenceNumber);
    const succeeded = h.calls.filter((c) => !namesOf(c).includes("INSERT poison")).flatMap(namesOf);
    assert.deepEqual(succeeded, ["INSERT r0", "INSERT r1", "INSERT r2", "INSERT r3", "INSERT r4", "INSERT r6", "INSERT r7"]);
  });

  test("ReportBatchItemFailures: the batch is retried from the lowest failed SequenceNumber", async () => {
    const records = ["a", "b", "c", "d"].map((id) => streams.insert(id));
    await start({ functionResponseTypes: ["ReportBatchItemFailures"] }, (e, n) => {
      // The item identifier is the record's dynamodb.SequenceNumber.
      const seqs = (e.Records as unknown as EventRecord[]).map((r) => r.dynamodb.SequenceNumber);
      return n === 0 ? { failures: [seqs[3]!, seqs[1]!] } : "ok";
    });
    await until(clock, () => h.calls.length === 2, "the retry");
    assert.deepEqual(h.calls.map(namesOf), [
      ["INSERT a", "INSERT b", "INSERT c", "INSERT d"],
      ["INSERT b", "INSERT c", "INSERT d"],
    ]);
    assert.equal(recordsOf(h.calls[1]!)[0]!.dynamodb.SequenceNumber, records[1]!.sequenceNumber);
    await elapse(clock, 1_000);
    assert.equal(h.calls.length, 2);
  });

  test("ReportBatchItemFailures until the retries run out: the on-failure record covers the failed record on (AWS-recorded: dynamodb_report_batch_item_failures)", async () => {
    // As LocalStack's AWS-validated test: 6 items, BatchSize 3, MaximumRetryAttempts 3, the last one failing.
    for (let i = 0; i < 6; i++) streams.insert(`testId${i}`, { should_fail: { BOOL: i === 5 } });
    await start({ batchSize: 3, maximumRetryAttempts: 3, onFailure: DLQ, functionResponseTypes: ["ReportBatchItemFailures"] }, (e) => ({
      failures: (e.Records as unknown as EventRecord[]).filter((r) => r.dynamodb.NewImage!.should_fail!.BOOL).map((r) => r.dynamodb.SequenceNumber),
    }));
    await until(clock, () => h.delivered.length === 1, "on-failure record");
    const { record } = h.delivered[0]!;
    assert.deepEqual(record.requestContext, { requestId: h.calls.at(-1)!.requestId, functionArn: FUNCTION_ARN, condition: "RetryAttemptsExhausted", approximateInvokeCount: 4 });
    assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: "$LATEST", functionError: null });
    const info = record.DDBStreamBatchInfo as Record<string, unknown>;
    assert.equal(info.batchSize, 1);
    assert.equal(info.startSequenceNumber, streams.records[5]!.sequenceNumber);
    assert.equal(info.endSequenceNumber, streams.records[5]!.sequenceNumber);
    assert.deepEqual(seen(h).filter((n) => n !== "INSERT testId5"), ["INSERT testId0", "INSERT testId1", "INSERT testId2", "INSERT testId3", "INSERT testId4"]);
    assert.equal(seen(h).filter((n) => n === "INSERT testId5").length, 4);
  });

  test("tumbling windows: state passes between invocations and each window ends with a final one", async () => {
    const t0 = clock.now(); // 2024-01-01T00:00:00Z
    streams.insert("a", {}, t0 + 1_000);
    streams.insert("b", {}, t0 + 2_000);
    streams.insert("c", {}, t0 + 61_000);
    const count = (e: Call["event"]) => ({ respond: { state: { n: ((e.state as { n?: number }).n ?? 0) + e.Records.length } } });
    await start({ batchSize: 1, tumblingWindowInSeconds: 60 }, count);
    await until(clock, () => h.calls.some((c) => c.event.isFinalInvokeForWindow), "the first window's final invocation");
    const [a, b, final] = h.calls.map((c) => c.event);
    assert.deepEqual(a!.window, { start: "2024-01-01T00:00:00.000Z", end: "2024-01-01T00:01:00.000Z" });
    assert.deepEqual(Object.keys(a!), ["Records", "window", "state", "shardId", "eventSourceARN", "isFinalInvokeForWindow", "isWindowTerminatedEarly"]);
    assert.deepEqual(a!.state, {});
    assert.equal(a!.shardId, SHARD);
    assert.equal(a!.eventSourceARN, STREAM);
    assert.deepEqual(b!.state, { n: 1 });
    assert.deepEqual(final!.Records, []);
    assert.deepEqual(final!.state, { n: 2 });
    await until(clock, () => seen(h).includes("INSERT c"), "c");
    assert.deepEqual(h.calls.at(-1)!.event.state, {});
  });

  test("ParallelizationFactor keeps the order of each item's changes", async () => {
    for (let i = 0; i < 60; i++) {
      const id = `k${i % 6}`;
      if (i < 6) streams.insert(id, { v: { N: String(i) } });
      else streams.put({ name: "MODIFY", id, newImage: { id: { S: id }, v: { N: String(i) } }, oldImage: { id: { S: id }, v: { N: String(i - 6) } } });
    }
    await start({ batchSize: 4, parallelizationFactor: 3 }, async (): Promise<Answer> => {
      await new Promise((r) => setImmediate(r));
      return "ok";
    });
    await until(clock, () => seen(h).length === 60, "60 records");
    const all = h.calls.flatMap(recordsOf);
    for (let k = 0; k < 6; k++) {
      const versions = all.filter((r) => r.dynamodb.Keys.id!.S === `k${k}`).map((r) => Number(r.dynamodb.NewImage!.v!.N));
      assert.deepEqual(versions, [...versions].sort((x, y) => x - y));
      assert.equal(versions.length, 10);
    }
  });

  test("batches stay under 6 MB, measured as JSON (not base64)", async () => {
    const big = "x".repeat(800_000);
    for (let i = 0; i < 10; i++) streams.insert(`big${i}`, { blob: { S: big } });
    await start();
    await until(clock, () => seen(h).length === 10, "10 records");
    assert.deepEqual(h.calls.map((c) => c.event.Records.length), [7, 3]);
    for (const c of h.calls) assert.ok(Buffer.byteLength(JSON.stringify(c.event)) <= 6 * 1024 * 1024);
  });

  test("a stream that disappears is reported", async () => {
    await start();
    await elapse(clock, 100);
    streams.gone = true;
    await until(clock, () => h.reports.some((r) => r.stateTransitionReason !== undefined), "a report");
    const r = h.reports.find((r) => r.stateTransitionReason !== undefined)!;
    assert.equal(r.stateTransitionReason, `Stream not found: ${STREAM}`);
    assert.equal(r.lastProcessingResult, `PROBLEM: Stream not found: ${STREAM}`);
  });
});

describe("DynamoDB filter patterns (LocalStack's AWS-validated test_dynamodb_event_filter cases)", () => {
  const event = (name: "INSERT" | "MODIFY" | "REMOVE", newImage: Image) =>
    DYNAMODB.eventRecord(mapping({ eventSourceArn: STREAM, source: "dynamodb" }), SHARD, {
      sequenceNumber: "000000000000000000001",
      approximateArrivalTimestamp: Date.UTC(2024, 0, 1),
      partitionKey: "id",
      data: Buffer.from(JSON.stringify({ awsRegion: "us-east-1", dynamodb: { ApproximateCreationDateTime: 1704067200, Keys: { id: newImage.id }, NewImage: newImage, SequenceNumber: "000000000000000000001", SizeBytes: 20, StreamViewType: "NEW_AND_OLD_IMAGES" }, eventID: "e".repeat(32), eventName: name, eventSource: "aws:dynamodb", eventVersion: "1.1" })),
    }, "");
  /** How many of the records the pattern lets through. */
  const passing = (pattern: unknown, ...records: Record<string, unknown>[]) => {
    const f = compileFilters({ Filters: [{ Pattern: JSON.stringify(pattern) }] })!;
    return records.filter((r) => f.matches(DYNAMODB.filterView(r))).length;
  };

  test("eventName, content with and without the type key, exists, numeric on strings, prefix, ApproximateCreationDateTime", () => {
    const one = { id: { S: "id_value_1" }, presentKey: { S: "presentValue" } };
    const two = { id: { S: "id_value_2" } };
    assert.equal(passing({ eventName: ["INSERT"] }, event("INSERT", one), event("MODIFY", one)), 1);
    assert.equal(passing({ eventName: ["INSERT", "MODIFY"] }, event("INSERT", one), event("MODIFY", one)), 2);
    assert.equal(passing({ dynamodb: { NewImage: { presentKey: { S: ["presentValue"] } } } }, event("INSERT", one), event("INSERT", two)), 1);
    // Omitting the type key does not match.
    assert.equal(passing({ dynamodb: { NewImage: { presentKey: ["presentValue"] } } }, event("INSERT", one), event("INSERT", two)), 0);
    assert.equal(passing({ dynamodb: { NewImage: { presentKey: { S: [{ exists: true }] } } } }, event("INSERT", one), event("INSERT", two)), 1);
    assert.equal(passing({ dynamodb: { NewImage: { presentKey: [{ exists: false }] } } }, event("INSERT", two), event("INSERT", one)), 2);
    // Numbers are strings in DynamoDB JSON: numeric never matches them; anything-but does.
    const n42 = { id: { S: "a" }, numericFilter: { N: "42" } };
    const n101 = { id: { S: "b" }, numericFilter: { N: "101" } };
    assert.equal(passing({ dynamodb: { NewImage: { numericFilter: { N: [{ numeric: [">", 100] }, { "anything-but": "101" }] } } } }, event("INSERT", n42), event("INSERT", n101)), 1);
    assert.equal(passing({ dynamodb: { NewImage: { prefix: { S: [{ prefix: "us-1" }] } } } }, event("INSERT", { id: { S: "a" }, prefix: { S: "us-1-other-suffix" } }), event("INSERT", { id: { S: "b" }, prefix: { S: "other-suffix" } })), 1);
    // Only TTL deletions (AWS's documented pattern): userIdentity is filterable.
    const ttl = { ...event("REMOVE", one), userIdentity: { type: "Service", principalId: "dynamodb.amazonaws.com" } };
    assert.equal(passing({ userIdentity: { type: ["Service"], principalId: ["dynamodb.amazonaws.com"] } }, ttl, event("REMOVE", one), event("INSERT", two)), 1);
    // ApproximateCreationDateTime is a number (epoch seconds).
    assert.equal(passing({ dynamodb: { ApproximateCreationDateTime: [{ numeric: [">", 0] }] } }, event("INSERT", one), event("INSERT", two)), 2);
  });
});
