/** The Kinesis service in-process, on a real SQLite store and a clock the tests move. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ManualClock } from "../../clock/manual-clock.js";
import { SqliteStore } from "../../store/sqlite.js";
import type { StreamStore } from "../../store/stream-store.js";
import { OPERATIONS } from "../../api/kinesis/operations.js";
import { compareSequence, evenRanges, MAX_HASH_KEY } from "./keys.js";
import { KinesisService } from "./service.js";

const ACCOUNT = { region: "us-east-1", accountId: "123456789012" };
const ARN = (name: string) => `arn:aws:kinesis:us-east-1:123456789012:stream/${name}`;
const data = (s: string) => Buffer.from(s);
const md5 = (s: string) => BigInt(`0x${createHash("md5").update(s).digest("hex")}`);

describe("Kinesis service", () => {
  let dir: string;
  let store: SqliteStore;
  let clock: ManualClock;
  let kinesis: KinesisService;

  const open = (streams: StreamStore = store.streams) => KinesisService.create({ account: ACCOUNT, store: streams, clock, iteratorSecret: "test-secret" });
  const call = async (op: string, members: Record<string, unknown>) => OPERATIONS[op]!(kinesis, members);
  /** Create a stream and let it become ACTIVE. */
  const create = async (name: string, shards = 1) => {
    await kinesis.createStream({ StreamName: name, ShardCount: shards, StreamMode: "PROVISIONED" });
    clock.advance(1000);
  };
  const put = (name: string, partitionKey: string, body = partitionKey, explicitHashKey?: string) =>
    kinesis.putRecord({ StreamName: name, record: { partitionKey, data: data(body), ...(explicitHashKey ? { explicitHashKey } : {}) } });
  const iterator = async (name: string, ShardIteratorType: string, more: Record<string, unknown> = {}, ShardId = "shardId-000000000000") =>
    (await kinesis.getShardIterator({ StreamName: name, ShardId, ShardIteratorType: ShardIteratorType as "LATEST", ...more })).ShardIterator;
  const bodies = async (it: string, Limit?: number) => (await kinesis.getRecords({ ShardIterator: it, Limit })).Records.map((r) => Buffer.from(r.Data, "base64").toString());

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flint-kinesis-"));
    store = SqliteStore.open(dir);
    clock = new ManualClock();
    kinesis = await open();
  });
  afterEach(async () => {
    await kinesis.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("a stream is CREATING, then ACTIVE; it is named by StreamName or StreamARN", async () => {
    await kinesis.createStream({ StreamName: "orders", ShardCount: 2, StreamMode: "PROVISIONED" });
    assert.equal((await kinesis.describeStreamSummary({ StreamName: "orders" })).StreamDescriptionSummary.StreamStatus, "CREATING");
    await assert.rejects(put("orders", "k"), { code: "ResourceNotFoundException", message: "Stream orders under account 123456789012 not found." });
    clock.advance(50);
    const d = (await kinesis.describeStream({ StreamARN: ARN("orders") })).StreamDescription;
    assert.equal(d.StreamStatus, "ACTIVE");
    assert.equal(d.StreamARN, ARN("orders"));
    assert.deepEqual(d.StreamModeDetails, { StreamMode: "PROVISIONED" });
    assert.equal(d.RetentionPeriodHours, 24);
    assert.deepEqual(
      d.Shards.map((s) => [s.ShardId, s.HashKeyRange.StartingHashKey, s.HashKeyRange.EndingHashKey]),
      [
        ["shardId-000000000000", "0", "170141183460469231731687303715884105727"],
        ["shardId-000000000001", "170141183460469231731687303715884105728", "340282366920938463463374607431768211455"],
      ],
    );
    await assert.rejects(create("orders"), { code: "ResourceInUseException", message: "Stream orders under account 123456789012 already exists." });
    await assert.rejects(kinesis.describeStream({ StreamARN: "arn:aws:kinesis:us-east-1:999999999999:stream/orders" }), { message: "Stream orders under account 999999999999 not found." });
    await assert.rejects(kinesis.describeStream({ StreamName: "other", StreamARN: ARN("orders") }), { code: "InvalidArgumentException" });
  });

  test("a stream still CREATING when the server stopped becomes ACTIVE after the restart", async () => {
    await kinesis.createStream({ StreamName: "early", ShardCount: 1, StreamMode: "PROVISIONED" });
    await kinesis.close();
    kinesis = await open();
    assert.equal(kinesis.streamByArn(ARN("early"))?.status, "CREATING");
    clock.advance(50);
    assert.equal(kinesis.streamByArn(ARN("early"))?.status, "ACTIVE");
    await put("early", "k");
  });

  test("an on-demand stream starts with 4 shards; shards split the hash-key space evenly", async () => {
    await kinesis.createStream({ StreamName: "od", StreamMode: "ON_DEMAND" });
    const d = (await kinesis.describeStream({ StreamName: "od" })).StreamDescription;
    assert.equal(d.Shards.length, 4);
    assert.deepEqual(d.StreamModeDetails, { StreamMode: "ON_DEMAND" });
    const ranges = evenRanges(3);
    assert.equal(ranges[2]!.endingHashKey, MAX_HASH_KEY.toString());
    for (let i = 1; i < 3; i++) assert.equal(BigInt(ranges[i]!.startingHashKey), BigInt(ranges[i - 1]!.endingHashKey) + 1n);
  });

  test("a partition key's MD5 picks the shard whose range holds it; ExplicitHashKey overrides it", async () => {
    await create("h", 4);
    const shards = (await kinesis.describeStream({ StreamName: "h" })).StreamDescription.Shards;
    const holding = (hash: bigint) => shards.find((s) => BigInt(s.HashKeyRange.StartingHashKey) <= hash && hash <= BigInt(s.HashKeyRange.EndingHashKey))!.ShardId;
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const r = await put("h", `key-${i}`);
      assert.equal(r.ShardId, holding(md5(`key-${i}`)));
      seen.add(r.ShardId);
    }
    assert.equal(seen.size, 4, "40 keys reach every shard");
    assert.equal((await put("h", "any", "x", "0")).ShardId, "shardId-000000000000");
    assert.equal((await put("h", "any", "x", MAX_HASH_KEY.toString())).ShardId, "shardId-000000000003");
    assert.equal((await put("h", "any", "x", shards[2]!.HashKeyRange.StartingHashKey)).ShardId, "shardId-000000000002");
    await assert.rejects(put("h", "any", "x", (MAX_HASH_KEY + 1n).toString()), { code: "InvalidArgumentException", message: /ExplicitHashKey must be in the range: \[0, 2\^128-1\]/ });
  });

  test("sequence numbers are 56 digits and strictly increase within a shard, so strings order them", async () => {
    await create("seq");
    const seqs: string[] = [];
    for (let i = 0; i < 12; i++) seqs.push((await put("seq", "same")).SequenceNumber);
    const batch = await kinesis.putRecords({ StreamName: "seq", records: Array.from({ length: 5 }, (_, i) => ({ partitionKey: `p${i}`, data: data(`b${i}`) })) });
    seqs.push(...batch.Records.map((r) => ("SequenceNumber" in r ? r.SequenceNumber : "")));
    for (const s of seqs) assert.match(s, /^\d{56}$/);
    for (let i = 1; i < seqs.length; i++) {
      assert.ok(seqs[i - 1]! < seqs[i]!, `${seqs[i - 1]} < ${seqs[i]}`);
      assert.equal(compareSequence(seqs[i - 1]!, seqs[i]!), -1);
    }
    assert.equal(compareSequence("9", "10"), -1);
    assert.deepEqual(await bodies(await iterator("seq", "TRIM_HORIZON")), [...Array.from({ length: 12 }, () => "same"), "b0", "b1", "b2", "b3", "b4"]);
  });

  test("every iterator type starts where AWS starts it", async () => {
    await create("it");
    const first = await put("it", "k", "one");
    clock.advance(1000);
    const mark = clock.now();
    const second = await put("it", "k", "two");
    const latest = await iterator("it", "LATEST");
    await put("it", "k", "three");
    assert.deepEqual(await bodies(await iterator("it", "TRIM_HORIZON")), ["one", "two", "three"]);
    assert.deepEqual(await bodies(latest), ["three"]);
    assert.deepEqual(await bodies(await iterator("it", "AT_SEQUENCE_NUMBER", { StartingSequenceNumber: second.SequenceNumber })), ["two", "three"]);
    assert.deepEqual(await bodies(await iterator("it", "AFTER_SEQUENCE_NUMBER", { StartingSequenceNumber: first.SequenceNumber })), ["two", "three"]);
    assert.deepEqual(await bodies(await iterator("it", "AT_TIMESTAMP", { Timestamp: mark })), ["two", "three"]);
    clock.advance(1);
    assert.deepEqual(await bodies(await iterator("it", "AT_TIMESTAMP", { Timestamp: clock.now() })), []);
    // The shard's starting sequence number is before its first record.
    const start = (await kinesis.describeStream({ StreamName: "it" })).StreamDescription.Shards[0]!.SequenceNumberRange.StartingSequenceNumber;
    assert.deepEqual(await bodies(await iterator("it", "AT_SEQUENCE_NUMBER", { StartingSequenceNumber: start })), ["one", "two", "three"]);

    await assert.rejects(iterator("it", "AT_SEQUENCE_NUMBER"), { code: "InvalidArgumentException", message: /Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber\.$/ });
    await assert.rejects(iterator("it", "LATEST", { StartingSequenceNumber: first.SequenceNumber }), { message: /Request specified LATEST and also a StartingSequenceNumber\.$/ });
    await assert.rejects(iterator("it", "AT_TIMESTAMP"), { message: /Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP/ });
    await assert.rejects(iterator("it", "AT_TIMESTAMP", { Timestamp: clock.now() + 1 }), { message: /cannot be greater than the currentTimestampInMillis/ });
    await assert.rejects(iterator("it", "AT_SEQUENCE_NUMBER", { StartingSequenceNumber: "12345" }), {
      message: "StartingSequenceNumber 12345 used in GetShardIterator on shard shardId-000000000000 in stream it under account 123456789012 is invalid.",
    });
    await assert.rejects(iterator("it", "TRIM_HORIZON", {}, "shardId-000000000001"), { code: "ResourceNotFoundException", message: "Shard shardId-000000000001 in stream it under account 123456789012 does not exist" });
  });

  test("a sequence number of another shard is refused as AWS refuses it", async () => {
    await create("two", 2);
    const r = await put("two", "x", "x", MAX_HASH_KEY.toString());
    await assert.rejects(iterator("two", "AT_SEQUENCE_NUMBER", { StartingSequenceNumber: r.SequenceNumber }), {
      message: "Invalid StartingSequenceNumber. It encodes shardId-000000000001, while it was used in a call to a shard with shardId-000000000000",
    });
  });

  test("GetRecords pages by Limit and continues with NextShardIterator; MillisBehindLatest says how far the tip is", async () => {
    await create("pg");
    for (let i = 0; i < 5; i++) await put("pg", "k", `r${i}`);
    clock.advance(2000);
    const page1 = await kinesis.getRecords({ ShardIterator: await iterator("pg", "TRIM_HORIZON"), Limit: 2 });
    assert.deepEqual(page1.Records.map((r) => Buffer.from(r.Data, "base64").toString()), ["r0", "r1"]);
    assert.equal(page1.MillisBehindLatest, 2000);
    const page2 = await kinesis.getRecords({ ShardIterator: page1.NextShardIterator, Limit: 10 });
    assert.deepEqual(page2.Records.map((r) => Buffer.from(r.Data, "base64").toString()), ["r2", "r3", "r4"]);
    assert.equal(page2.MillisBehindLatest, 0);
    const page3 = await kinesis.getRecords({ ShardIterator: page2.NextShardIterator });
    assert.deepEqual(page3.Records, []);
    await put("pg", "k", "r5");
    assert.deepEqual(await bodies(page3.NextShardIterator), ["r5"]);
    assert.equal(page1.Records[0]!.ApproximateArrivalTimestamp, (clock.now() - 2000) / 1000);
  });

  test("an iterator expires 300 s after it was issued; a tampered one is invalid", async () => {
    await create("exp");
    await put("exp", "k", "a");
    const it = await iterator("exp", "TRIM_HORIZON");
    clock.advance(300_000);
    const { NextShardIterator } = await kinesis.getRecords({ ShardIterator: it });
    clock.advance(1);
    await assert.rejects(kinesis.getRecords({ ShardIterator: it }), {
      code: "ExpiredIteratorException",
      message: /^Iterator expired\. The iterator was created at time Mon Jan 01 00:00:01 UTC 2024 while right now it is Mon Jan 01 00:05:01 UTC 2024 which is further in the future than the tolerated delay of 300000 milliseconds\.$/,
    });
    assert.deepEqual(await bodies(NextShardIterator), [], "the next iterator is issued afresh");
    const raw = Buffer.from(NextShardIterator, "base64");
    raw[raw.length - 2] ^= 1;
    await assert.rejects(kinesis.getRecords({ ShardIterator: raw.toString("base64") }), { code: "InvalidArgumentException", message: "Invalid ShardIterator." });
    await assert.rejects(kinesis.getRecords({ ShardIterator: "bm90IGFuIGl0ZXJhdG9y" }), { message: "Invalid ShardIterator." });
  });

  test("an iterator issued before a restart still reads; one of a deleted and recreated stream does not", async () => {
    await create("rs");
    await put("rs", "k", "a");
    const it = await iterator("rs", "TRIM_HORIZON");
    await kinesis.close();
    kinesis = await open();
    assert.deepEqual(await bodies(it), ["a"]);
    await kinesis.deleteStream({ StreamName: "rs" });
    await create("rs");
    await assert.rejects(kinesis.getRecords({ ShardIterator: it }), { code: "ResourceNotFoundException" });
    assert.deepEqual(await bodies(await iterator("rs", "TRIM_HORIZON")), [], "the old stream's records went with it");
  });

  test("records older than the retention period are trimmed; sequences keep increasing after", async () => {
    await create("ret");
    await put("ret", "k", "old");
    clock.advance(23 * 3_600_000);
    await put("ret", "k", "newer");
    clock.advance(3_600_000 + 1);
    assert.deepEqual(await bodies(await iterator("ret", "TRIM_HORIZON")), ["newer"], "hidden before the sweep");
    clock.advance(23 * 3_600_000);
    await kinesis.sweep();
    assert.deepEqual(await bodies(await iterator("ret", "TRIM_HORIZON")), []);
    const before = kinesis.latestSequence(ARN("ret"), "shardId-000000000000")!;
    const next = await put("ret", "k", "fresh");
    assert.equal(compareSequence(before, next.SequenceNumber), -1);
    assert.deepEqual(await bodies(await iterator("ret", "TRIM_HORIZON")), ["fresh"]);

    await kinesis.increaseRetention({ StreamName: "ret", RetentionPeriodHours: 48 });
    assert.equal((await kinesis.describeStreamSummary({ StreamName: "ret" })).StreamDescriptionSummary.RetentionPeriodHours, 48);
    await assert.rejects(kinesis.increaseRetention({ StreamName: "ret", RetentionPeriodHours: 30 }), { message: /can not be shorter than existing retention period \(48 hours\)\. Use DecreaseRetentionPeriod API\.$/ });
    await assert.rejects(kinesis.decreaseRetention({ StreamName: "ret", RetentionPeriodHours: 12 }), { message: "Minimum allowed retention period is 24 hours. Requested retention period (12 hours) is too short." });
    await kinesis.decreaseRetention({ StreamName: "ret", RetentionPeriodHours: 24 });
  });

  test("PutRecords reports a shard's failed write per entry and stores the rest", async () => {
    const failing: StreamStore = Object.create(store.streams) as StreamStore;
    failing.append = (stream, shard, records, arrival) => (shard === 1 ? Promise.reject(new Error("disk on fire")) : store.streams.append(stream, shard, records, arrival));
    await kinesis.close();
    kinesis = await open(failing);
    await create("pf", 2);
    const error = console.error;
    console.error = () => {};
    const r = await kinesis
      .putRecords({
        StreamName: "pf",
        records: [
          { partitionKey: "a", data: data("low"), explicitHashKey: "1" },
          { partitionKey: "b", data: data("high"), explicitHashKey: MAX_HASH_KEY.toString() },
          { partitionKey: "c", data: data("low2"), explicitHashKey: "2" },
        ],
      })
      .finally(() => (console.error = error));
    assert.equal(r.FailedRecordCount, 1);
    assert.deepEqual(r.Records[1], { ErrorCode: "InternalFailure", ErrorMessage: "Internal service failure." });
    assert.equal("ShardId" in r.Records[0]! && r.Records[0].ShardId, "shardId-000000000000");
    assert.deepEqual(await bodies(await iterator("pf", "TRIM_HORIZON")), ["low", "low2"]);
  });

  test("requests are validated with AWS's messages", async () => {
    await assert.rejects(call("CreateStream", { StreamName: "bad name!", ShardCount: 0 }), {
      code: "ValidationException",
      message:
        "2 validation errors detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1; Value 'bad name!' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    });
    await assert.rejects(call("CreateStream", { StreamName: "s" }), { message: "1 validation error detected: Value null at 'shardCount' failed to satisfy constraint: Member must not be null" });
    await create("v");
    await assert.rejects(call("PutRecord", { StreamName: "v", PartitionKey: "", Data: Buffer.alloc(1024 * 1024 + 1).toString("base64") }), {
      message:
        "2 validation errors detected: Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1; Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]' at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576",
    });
    await assert.rejects(call("PutRecords", { StreamName: "v", Records: [{ Data: "YQ==" }] }), {
      message: "1 validation error detected: Value null at 'records.1.member.partitionKey' failed to satisfy constraint: Member must not be null",
    });
    await assert.rejects(call("PutRecords", { StreamName: "v", Records: Array.from({ length: 501 }, () => ({ Data: "", PartitionKey: "k" })) }), {
      message: /^1 validation error detected: Value '\[(com\.amazonaws\.kinesis\.v20131202\.PutRecordsRequestEntry@c965e310, ){500}com\.amazonaws\.kinesis\.v20131202\.PutRecordsRequestEntry@c965e310\]' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500$/,
    });
    await assert.rejects(call("GetRecords", { ShardIterator: "x", Limit: 10001 }), { message: /Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000/ });
    await assert.rejects(call("GetShardIterator", { StreamName: "v", ShardId: "shardId-000000000000", ShardIteratorType: "OLDEST" }), {
      message: /Member must satisfy enum value set: \[AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP\]/,
    });
    await assert.rejects(call("DescribeStream", { StreamName: 7 }), { code: "SerializationException" });
    await assert.rejects(call("DescribeStream", {}), { code: "InvalidArgumentException" });
  });

  test("DescribeStream, ListShards and ListStreams page as AWS pages them", async () => {
    await create("p", 5);
    const d = (await kinesis.describeStream({ StreamName: "p", Limit: 2, ExclusiveStartShardId: "shardId-000000000000" })).StreamDescription;
    assert.deepEqual(d.Shards.map((s) => s.ShardId), ["shardId-000000000001", "shardId-000000000002"]);
    assert.equal(d.HasMoreShards, true);
    const first = await kinesis.listShards({ StreamName: "p", MaxResults: 3 });
    assert.equal(first.Shards.length, 3);
    const rest = await kinesis.listShards({ NextToken: first.NextToken!, MaxResults: 3 });
    assert.deepEqual(rest.Shards.map((s) => s.ShardId), ["shardId-000000000003", "shardId-000000000004"]);
    assert.equal(rest.NextToken, undefined);
    await assert.rejects(kinesis.listShards({ StreamName: "p", NextToken: first.NextToken! }), { message: "NextToken and StreamName cannot be provided together." });
    assert.deepEqual((await kinesis.listShards({ StreamName: "p", ShardFilter: { Type: "AFTER_SHARD_ID", ShardId: "shardId-000000000003" } })).Shards.map((s) => s.ShardId), ["shardId-000000000004"]);

    await create("a");
    await create("b");
    const page = kinesis.listStreams({ Limit: 2 });
    assert.deepEqual(page.StreamNames, ["a", "b"]);
    assert.equal(page.HasMoreStreams, true);
    assert.deepEqual(page.StreamSummaries.map((s) => s.StreamARN), [ARN("a"), ARN("b")]);
    assert.deepEqual(kinesis.listStreams({ NextToken: page.NextToken }).StreamNames, ["p"]);
    assert.deepEqual(kinesis.listStreams({ ExclusiveStartStreamName: "a" }).StreamNames, ["b", "p"]);
  });

  test("tags are added, listed in key order and removed, on the stream or its ARN", async () => {
    await create("t");
    await call("AddTagsToStream", { StreamName: "t", Tags: { team: "flint", env: "dev" } });
    await call("TagResource", { ResourceARN: ARN("t"), Tags: { cost: "1" } });
    assert.deepEqual(await call("ListTagsForStream", { StreamName: "t", Limit: 2 }), {
      Tags: [
        { Key: "cost", Value: "1" },
        { Key: "env", Value: "dev" },
      ],
      HasMoreTags: true,
    });
    await call("RemoveTagsFromStream", { StreamARN: ARN("t"), TagKeys: ["env", "cost"] });
    assert.deepEqual(await call("ListTagsForResource", { ResourceARN: ARN("t") }), { Tags: [{ Key: "team", Value: "flint" }] });
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]));
    await assert.rejects(call("AddTagsToStream", { StreamName: "t", Tags: many }), { code: "InvalidArgumentException", message: /cannot have more than 50 tags/ });
  });

  test("pollers read shards by ARN from any position, learn the tip, and hear of durable appends", async () => {
    await create("poll", 2);
    const heard: string[] = [];
    const stop = kinesis.onAppend((arn, shard) => heard.push(`${arn} ${shard}`));
    const info = kinesis.streamByArn(ARN("poll"))!;
    assert.deepEqual(
      { ...info, shards: info.shards.map((s) => s.shardId) },
      { arn: ARN("poll"), name: "poll", status: "ACTIVE", shards: ["shardId-000000000000", "shardId-000000000001"], retentionHours: 24 },
    );
    assert.equal(kinesis.streamByArn(ARN("nope")), undefined);
    assert.equal(kinesis.latestSequence(ARN("poll"), "shardId-000000000000"), undefined);
    const a = await put("poll", "x", "a", "0");
    clock.advance(10);
    const b = await put("poll", "x", "b", "0");
    assert.deepEqual(heard, [`${ARN("poll")} shardId-000000000000`, `${ARN("poll")} shardId-000000000000`]);
    assert.equal(kinesis.latestSequence(ARN("poll"), "shardId-000000000000"), b.SequenceNumber);
    const read = (from: Parameters<KinesisService["readShard"]>[2], limit = 10) => kinesis.readShard(ARN("poll"), "shardId-000000000000", from, limit);
    assert.deepEqual((await read({ trimHorizon: true })).records.map((r) => r.data.toString()), ["a", "b"]);
    assert.deepEqual((await read({ after: a.SequenceNumber })).records.map((r) => r.sequenceNumber), [b.SequenceNumber]);
    assert.deepEqual((await read({ at: a.SequenceNumber })).records.map((r) => r.partitionKey), ["x", "x"]);
    assert.deepEqual((await read({ atTimestampMs: clock.now() })).records.map((r) => r.data.toString()), ["b"]);
    const one = await read({ trimHorizon: true }, 1);
    assert.equal(one.records[0]!.approximateArrivalTimestamp, clock.now() - 10);
    assert.equal(one.millisBehindLatest, 10);
    stop();
    await put("poll", "x", "c");
    assert.equal(heard.length, 2);
    await assert.rejects(kinesis.readShard(ARN("poll"), "shardId-000000000009", { trimHorizon: true }, 1), { code: "ResourceNotFoundException" });
  });
});
