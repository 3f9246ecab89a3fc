/**
 * DynamoDB Streams in-process: the API operations (members in, members out) and the pollers'
 * reader, over a stream log kept as the store keeps it and a table list as the tables service
 * gives it, on a clock the tests move.
 */
import { after, before, beforeEach, afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { SqliteStore } from "../../store/sqlite.js";
import { PgStore } from "../../store/postgres.js";
import { testDatabase, type TestDatabase } from "../../../test/harness/postgres.js";
import { ManualClock } from "../../clock/manual-clock.js";
import { LocalChangeBus, type ChangeBus } from "../../store/change-bus.js";
import type { DynamoStore, StoredStreamRecord } from "../../store/dynamodb-store.js";
import { DYNAMODB } from "../../event-sources/dynamodb.js";
import { STREAMS_OPERATIONS } from "../../api/dynamodb/streams-operations.js";
import type { StoredStreamBody, TableRecord, TableStream } from "./model.js";
import { DynamoStreamsService, formatSequence, ITERATOR_TTL_MS, RETENTION_MS, shardIdOf, type ShardIteratorType, type StreamTables } from "./streams.js";

const REGION = "us-east-1";
const TABLE_ARN = (name: string) => `arn:aws:dynamodb:us-east-1:123456789012:table/${name}`;

/** The stream part of a DynamoStore: per-stream dense sequences from 1, trimmed as the contract says. */
class FakeStreamLog {
  readonly rows = new Map<string, StoredStreamRecord[]>();

  append(stream: string, at: number, partitionKey: string, record: string): number {
    const list = this.rows.get(stream) ?? [];
    this.rows.set(stream, list);
    const sequence = (list[list.length - 1]?.sequence ?? 0) + 1;
    list.push({ sequence, at, partitionKey, record });
    return sequence;
  }

  asStore(): DynamoStore {
    const store: Pick<DynamoStore, "readStream" | "latestInStream" | "trimStreams"> = {
      readStream: async (stream, after, since, limit) => (this.rows.get(stream) ?? []).filter((r) => r.sequence > after && r.at >= since).slice(0, limit),
      latestInStream: async (stream) => {
        const last = this.rows.get(stream)?.at(-1);
        return last ? { sequence: last.sequence, at: last.at } : undefined;
      },
      trimStreams: async (before) => {
        let n = 0;
        for (const [stream, list] of this.rows) {
          const kept = list.filter((r, i) => r.at >= before || i === list.length - 1);
          n += list.length - kept.length;
          this.rows.set(stream, kept);
        }
        return n;
      },
    };
    return store as DynamoStore;
  }
}

/** The tables service as the streams read it. */
class FakeTables implements StreamTables {
  readonly tables: TableRecord[] = [];
  find(name: string) {
    return this.tables.find((t) => t.name === name || t.arn === name);
  }
  async lookup(name: string) {
    return this.find(name);
  }
  all() {
    return this.tables;
  }
  byStreamArn(arn: string) {
    for (const table of this.tables) {
      const stream = table.streams.find((s) => s.arn === arn);
      if (stream) return { table, stream };
    }
    return undefined;
  }
  async resolveStream(arn: string) {
    return this.byStreamArn(arn);
  }
}

const label = (ms: number) => new Date(ms).toISOString().slice(0, -1);

describe("DynamoDB Streams", () => {
  let clock: ManualClock;
  let log: FakeStreamLog;
  let tables: FakeTables;
  let streams: DynamoStreamsService;
  const services: DynamoStreamsService[] = [];

  const open = async (changes?: ReturnType<LocalChangeBus["join"]>) => {
    const s = await DynamoStreamsService.create({ tables, store: log.asStore(), clock, region: REGION, iteratorSecret: "test-secret", changes });
    services.push(s);
    return s;
  };
  const call = (op: string, members: Record<string, unknown>) => STREAMS_OPERATIONS[op]!(streams, members) as Promise<any>;

  /** A table with an enabled stream of that view type; resolves the stream. */
  const table = (name: string, viewType: TableStream["viewType"] = "NEW_AND_OLD_IMAGES", range = false): TableStream => {
    const now = clock.now();
    const stream: TableStream = { arn: `${TABLE_ARN(name)}/stream/${label(now)}`, label: label(now), viewType, createdAt: now };
    tables.tables.push({
      name,
      id: `id-${name}`,
      arn: TABLE_ARN(name),
      createdAt: now,
      status: "ACTIVE",
      keySchema: [{ AttributeName: "pk", KeyType: "HASH" }, ...(range ? [{ AttributeName: "sk", KeyType: "RANGE" as const }] : [])],
      attributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      billingMode: "PAY_PER_REQUEST",
      indexes: [],
      streams: [stream],
      tags: {},
      deletionProtection: false,
    });
    return stream;
  };

  /** What the items service does on a write: append the stored record, then tell the streams. */
  const write = (stream: TableStream, pk: string, eventName: StoredStreamBody["eventName"] = "INSERT", extra: Partial<StoredStreamBody> = {}, into = streams) => {
    const body: StoredStreamBody = {
      eventID: `${pk}`.padEnd(32, "0").slice(0, 32),
      eventName,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(clock.now() / 1000),
        Keys: { pk: { S: pk } },
        ...(eventName !== "REMOVE" ? { NewImage: { pk: { S: pk }, v: { N: "1" } } } : {}),
        ...(eventName !== "INSERT" ? { OldImage: { pk: { S: pk } } } : {}),
        SizeBytes: 10 + pk.length,
        StreamViewType: stream.viewType,
      },
      ...extra,
    };
    const seq = log.append(stream.arn, clock.now(), pk, JSON.stringify(body));
    into.appended(stream.arn, seq);
    return seq;
  };

  const iterator = async (stream: TableStream, ShardIteratorType: string, SequenceNumber?: string) =>
    (await call("GetShardIterator", { StreamArn: stream.arn, ShardId: shardIdOf(stream.arn), ShardIteratorType, ...(SequenceNumber ? { SequenceNumber } : {}) })).ShardIterator as string;
  const keys = async (it: string, Limit?: number) => {
    const out = await call("GetRecords", { ShardIterator: it, ...(Limit ? { Limit } : {}) });
    return { pks: (out.Records as any[]).map((r) => r.dynamodb.Keys.pk.S as string), next: out.NextShardIterator as string | undefined, out };
  };

  beforeEach(async () => {
    clock = new ManualClock(Date.UTC(2026, 11, 5, 12, 0, 0, 123));
    log = new FakeStreamLog();
    tables = new FakeTables();
    streams = await open();
  });
  afterEach(async () => {
    for (const s of services.splice(0)) await s.close();
  });

  test("the shard id is derived from the ARN alone; sequence numbers are 21 digits", () => {
    const arn = `${TABLE_ARN("t")}/stream/2026-12-05T12:00:00.123`;
    const id = shardIdOf(arn);
    assert.match(id, /^shardId-\d{20}-[0-9a-f]{8}$/);
    assert.equal(id, shardIdOf(arn));
    assert.equal(id.slice(8, 28), String(Date.UTC(2026, 11, 5, 12, 0, 0, 123)).padStart(20, "0"));
    assert.notEqual(shardIdOf(`${TABLE_ARN("u")}/stream/2026-12-05T12:00:00.123`), id);
    assert.equal(formatSequence(42), "000000000000000000042");
  });

  test("ListStreams lists every table's streams, filters by table, pages, and drops disabled ones after 24 h", async () => {
    const a = table("alpha");
    const b = table("beta");
    clock.advance(1000);
    // beta's stream is disabled and a new one enabled.
    b.disabledAt = clock.now();
    const b2: TableStream = { arn: `${TABLE_ARN("beta")}/stream/${label(clock.now())}`, label: label(clock.now()), viewType: "KEYS_ONLY", createdAt: clock.now() };
    tables.find("beta")!.streams.push(b2);

    const all = await call("ListStreams", {});
    assert.deepEqual(all, {
      Streams: [
        { StreamArn: a.arn, TableName: "alpha", StreamLabel: a.label },
        { StreamArn: b.arn, TableName: "beta", StreamLabel: b.label },
        { StreamArn: b2.arn, TableName: "beta", StreamLabel: b2.label },
      ],
    });
    assert.deepEqual((await call("ListStreams", { TableName: "beta" })).Streams.map((s: any) => s.StreamArn), [b.arn, b2.arn]);

    const first = await call("ListStreams", { Limit: 2 });
    assert.equal(first.Streams.length, 2);
    assert.equal(first.LastEvaluatedStreamArn, b.arn);
    const second = await call("ListStreams", { Limit: 2, ExclusiveStartStreamArn: first.LastEvaluatedStreamArn });
    assert.deepEqual(second, { Streams: [{ StreamArn: b2.arn, TableName: "beta", StreamLabel: b2.label }] });

    clock.advance(RETENTION_MS);
    assert.deepEqual((await call("ListStreams", {})).Streams.map((s: any) => s.StreamArn), [a.arn, b2.arn]);
    await assert.rejects(call("DescribeStream", { StreamArn: b.arn }), { code: "ResourceNotFoundException", message: `Requested resource not found: Stream: ${b.arn} not found` });

    await assert.rejects(call("ListStreams", { TableName: "nope" }), { code: "ResourceNotFoundException", message: "Requested resource not found: Table: nope not found" });
    await assert.rejects(call("ListStreams", { Limit: 0 }), {
      code: "ValidationException",
      message: "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    });
  });

  test("DescribeStream: the stream, its key schema and its one shard, closed once the stream is disabled", async () => {
    const s = table("orders", "NEW_IMAGE", true);
    const created = s.createdAt;
    const d = (await call("DescribeStream", { StreamArn: s.arn })).StreamDescription;
    assert.deepEqual(d, {
      StreamArn: s.arn,
      StreamLabel: s.label,
      StreamStatus: "ENABLED",
      StreamViewType: "NEW_IMAGE",
      CreationRequestDateTime: created / 1000,
      TableName: "orders",
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      Shards: [{ ShardId: shardIdOf(s.arn), SequenceNumberRange: { StartingSequenceNumber: "000000000000000000001" } }],
    });
    assert.deepEqual((await call("DescribeStream", { StreamArn: s.arn, ExclusiveStartShardId: shardIdOf(s.arn) })).StreamDescription.Shards, []);

    tables.find("orders")!.status = "CREATING";
    assert.equal((await call("DescribeStream", { StreamArn: s.arn })).StreamDescription.StreamStatus, "ENABLING");
    tables.find("orders")!.status = "ACTIVE";

    write(s, "a");
    write(s, "b");
    s.disabledAt = clock.now();
    const closed = (await call("DescribeStream", { StreamArn: s.arn })).StreamDescription;
    assert.equal(closed.StreamStatus, "DISABLED");
    assert.deepEqual(closed.Shards[0].SequenceNumberRange, { StartingSequenceNumber: "000000000000000000001", EndingSequenceNumber: "000000000000000000002" });

    const missing = `${TABLE_ARN("orders")}/stream/2020-01-01T00:00:00.000`;
    await assert.rejects(call("DescribeStream", { StreamArn: missing }), { code: "ResourceNotFoundException", message: `Requested resource not found: Stream: ${missing} not found` });
    await assert.rejects(call("DescribeStream", {}), {
      code: "ValidationException",
      message: "1 validation error detected: Value null at 'streamArn' failed to satisfy constraint: Member must not be null",
    });
  });

  test("GetRecords returns AWS's record shape", async () => {
    const s = table("orders");
    const it = await iterator(s, "TRIM_HORIZON");
    assert.ok(it.startsWith(`${s.arn}|1|`), it);
    write(s, "a");
    write(s, "a", "MODIFY");
    write(s, "a", "REMOVE", { userIdentity: { type: "Service", principalId: "dynamodb.amazonaws.com" } });
    const { out } = await keys(it);
    const at = Math.floor(clock.now() / 1000);
    assert.deepEqual(out.Records[0], {
      eventID: "a".padEnd(32, "0"),
      eventName: "INSERT",
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: REGION,
      dynamodb: {
        ApproximateCreationDateTime: at,
        Keys: { pk: { S: "a" } },
        NewImage: { pk: { S: "a" }, v: { N: "1" } },
        SequenceNumber: "000000000000000000001",
        SizeBytes: 11,
        StreamViewType: "NEW_AND_OLD_IMAGES",
      },
    });
    assert.deepEqual(Object.keys(out.Records[0]), ["eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb"]);
    assert.deepEqual(Object.keys(out.Records[1].dynamodb), ["ApproximateCreationDateTime", "Keys", "NewImage", "OldImage", "SequenceNumber", "SizeBytes", "StreamViewType"]);
    assert.deepEqual(out.Records[2].dynamodb.OldImage, { pk: { S: "a" } });
    assert.equal(out.Records[2].dynamodb.NewImage, undefined);
    // The Streams API model's Identity shape (what the SDKs read), not the Lambda event's lowercase form.
    assert.deepEqual(out.Records[2].userIdentity, { PrincipalId: "dynamodb.amazonaws.com", Type: "Service" });
    assert.deepEqual(Object.keys(out.Records[2].userIdentity), ["PrincipalId", "Type"]);
    assert.equal(out.Records[2].dynamodb.SequenceNumber, "000000000000000000003");
    assert.ok(out.NextShardIterator.startsWith(`${s.arn}|1|`));
  });

  test("iterator types: TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER", async () => {
    const s = table("orders");
    for (const pk of ["a", "b", "c"]) write(s, pk);
    assert.deepEqual((await keys(await iterator(s, "TRIM_HORIZON"))).pks, ["a", "b", "c"]);
    const latest = await iterator(s, "LATEST");
    assert.deepEqual((await keys(await iterator(s, "AT_SEQUENCE_NUMBER", formatSequence(2)))).pks, ["b", "c"]);
    assert.deepEqual((await keys(await iterator(s, "AFTER_SEQUENCE_NUMBER", formatSequence(2)))).pks, ["c"]);
    const empty = await keys(latest);
    assert.deepEqual(empty.pks, []);
    write(s, "d");
    assert.deepEqual((await keys(latest)).pks, ["d"]);
    assert.deepEqual((await keys(empty.next!)).pks, ["d"]);
    // An iterator past the end reads what comes later.
    assert.deepEqual((await keys(await iterator(s, "AFTER_SEQUENCE_NUMBER", formatSequence(4)))).pks, []);
  });

  test("GetShardIterator refuses what AWS refuses", async () => {
    const s = table("orders");
    const shard = shardIdOf(s.arn);
    await assert.rejects(call("GetShardIterator", { StreamArn: s.arn, ShardId: shard, ShardIteratorType: "AT_SEQUENCE_NUMBER" }), { code: "ValidationException" });
    await assert.rejects(call("GetShardIterator", { StreamArn: s.arn, ShardId: shard, ShardIteratorType: "LATEST", SequenceNumber: formatSequence(1) }), { code: "ValidationException" });
    await assert.rejects(call("GetShardIterator", { StreamArn: s.arn, ShardId: shard, ShardIteratorType: "SOMEWHERE" }), {
      code: "ValidationException",
      message:
        "1 validation error detected: Value 'SOMEWHERE' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]",
    });
    await assert.rejects(call("GetShardIterator", { StreamArn: s.arn, ShardId: "shardId-00000000000000000000-00000000", ShardIteratorType: "LATEST" }), {
      code: "ResourceNotFoundException",
      message: "Requested resource not found: Shard does not exist",
    });
    const other = `${TABLE_ARN("nope")}/stream/2026-01-01T00:00:00.000`;
    await assert.rejects(call("GetShardIterator", { StreamArn: other, ShardId: shard, ShardIteratorType: "LATEST" }), {
      code: "ResourceNotFoundException",
      message: `Requested resource not found: Stream: ${other} not found`,
    });
    await assert.rejects(call("GetShardIterator", {}), {
      code: "ValidationException",
      message:
        "3 validation errors detected: Value null at 'streamArn' failed to satisfy constraint: Member must not be null; Value null at 'shardId' failed to satisfy constraint: Member must not be null; Value null at 'shardIteratorType' failed to satisfy constraint: Member must not be null",
    });
    await assert.rejects(call("GetShardIterator", { StreamArn: s.arn, ShardId: shard, ShardIteratorType: "AT_SEQUENCE_NUMBER", SequenceNumber: "12" }), {
      code: "ValidationException",
      message: "1 validation error detected: Value '12' at 'sequenceNumber' failed to satisfy constraint: Member must have length greater than or equal to 21",
    });
  });

  test("GetRecords: Limit, 1 MB pages, a tampered iterator, expiry after 15 minutes", async () => {
    const s = table("orders");
    for (let i = 0; i < 5; i++) write(s, `k${i}`);
    const first = await keys(await iterator(s, "TRIM_HORIZON"), 2);
    assert.deepEqual(first.pks, ["k0", "k1"]);
    const second = await keys(first.next!, 2);
    assert.deepEqual(second.pks, ["k2", "k3"]);
    assert.deepEqual((await keys(second.next!)).pks, ["k4"]);

    await assert.rejects(call("GetRecords", { ShardIterator: "x", Limit: 1001 }), {
      code: "ValidationException",
      message: "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000",
    });
    const it = await iterator(s, "TRIM_HORIZON");
    const tampered = it.replace(/\|1\|(.)/, (_, c) => `|1|${c === "A" ? "B" : "A"}`);
    await assert.rejects(call("GetRecords", { ShardIterator: tampered }), { code: "ValidationException" });
    await assert.rejects(call("GetRecords", { ShardIterator: "garbage" }), { code: "ValidationException" });

    clock.advance(ITERATOR_TTL_MS);
    assert.equal((await keys(it)).pks.length, 5);
    clock.advance(1);
    await assert.rejects(call("GetRecords", { ShardIterator: it }), { code: "ExpiredIteratorException" });

    // About 1 MB a call: big records are split over calls, each call returns at least one.
    const big = table("big");
    const blob = "x".repeat(300 * 1024);
    for (let i = 0; i < 5; i++) write(big, `b${i}`, "INSERT", {});
    for (const row of log.rows.get(big.arn)!) {
      const body = JSON.parse(row.record) as StoredStreamBody;
      body.dynamodb.NewImage = { pk: body.dynamodb.Keys.pk!, blob: { S: blob } };
      row.record = JSON.stringify(body);
    }
    const page1 = await keys(await iterator(big, "TRIM_HORIZON"));
    assert.deepEqual(page1.pks, ["b0", "b1", "b2"]);
    assert.deepEqual((await keys(page1.next!)).pks, ["b3", "b4"]);
  });

  test("members of the wrong JSON type are a SerializationException; a disabled stream with no records is closed at once", async () => {
    const s = table("orders");
    await assert.rejects(call("GetRecords", { ShardIterator: 12 }), { code: "SerializationException" });
    await assert.rejects(call("DescribeStream", { StreamArn: s.arn, Limit: "1" }), { code: "SerializationException" });
    s.disabledAt = clock.now();
    const latest = await keys(await iterator(s, "LATEST"));
    assert.deepEqual(latest.pks, []);
    assert.equal(latest.next, undefined);
    const d = (await call("DescribeStream", { StreamArn: s.arn })).StreamDescription;
    assert.equal(d.StreamStatus, "DISABLED");
    assert.ok(d.Shards[0].SequenceNumberRange.EndingSequenceNumber);
  });

  test("a disabled stream's shard is closed: no NextShardIterator once read to its end", async () => {
    const s = table("orders");
    write(s, "a");
    write(s, "b");
    const it = await iterator(s, "TRIM_HORIZON");
    s.disabledAt = clock.now();
    const first = await keys(it, 1);
    assert.deepEqual(first.pks, ["a"]);
    assert.ok(first.next);
    const last = await keys(first.next!);
    assert.deepEqual(last.pks, ["b"]);
    assert.equal(last.next, undefined);
    assert.equal("NextShardIterator" in last.out, false);
  });

  test("retention: records older than 24 h are trimmed; an older position is TrimmedDataAccessException", async () => {
    const s = table("orders");
    write(s, "old1");
    write(s, "old2");
    const horizon = await iterator(s, "TRIM_HORIZON");
    clock.advance(RETENTION_MS / 2);
    write(s, "new");
    clock.advance(RETENTION_MS / 2 + 1);
    // Past retention, not yet swept: hidden, and a position before them is trimmed.
    await assert.rejects(iterator(s, "AT_SEQUENCE_NUMBER", formatSequence(1)), { code: "TrimmedDataAccessException" });
    // (An iterator this old has expired first.)
    await assert.rejects(call("GetRecords", { ShardIterator: horizon }), { code: "ExpiredIteratorException" });
    assert.deepEqual((await keys(await iterator(s, "TRIM_HORIZON"))).pks, ["new"]);
    // The sweeper (every minute) deletes them.
    clock.advance(60_000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(log.rows.get(s.arn)!.map((r) => r.sequence), [3]);
    await assert.rejects(iterator(s, "AFTER_SEQUENCE_NUMBER", formatSequence(1)), { code: "TrimmedDataAccessException" });
    assert.deepEqual((await keys(await iterator(s, "AFTER_SEQUENCE_NUMBER", formatSequence(2)))).pks, ["new"]);
    assert.deepEqual((await keys(await iterator(s, "TRIM_HORIZON"))).pks, ["new"]);
  });

  test("an iterator issued before records were trimmed fails with TrimmedDataAccessException", async () => {
    const s = table("orders");
    write(s, "a");
    clock.advance(RETENTION_MS - ITERATOR_TTL_MS / 2);
    const it = await iterator(s, "TRIM_HORIZON");
    clock.advance(ITERATOR_TTL_MS / 2 + 1);
    await assert.rejects(call("GetRecords", { ShardIterator: it }), { code: "TrimmedDataAccessException" });
  });

  test("the pollers' reader: shards, positions, data as the GetRecords record, latest and appends", async () => {
    const s = table("orders");
    const heard: string[] = [];
    const off = streams.onAppend((arn, shardId) => heard.push(`${arn === s.arn}:${shardId}`));
    assert.equal(streams.latestSequence(s.arn, shardIdOf(s.arn)), undefined);
    const info = streams.streamByArn(s.arn)!;
    assert.deepEqual(info.shards, [{ shardId: shardIdOf(s.arn) }]);
    assert.equal(info.retentionHours, 24);
    assert.equal(streams.streamByArn(`${s.arn}x`), undefined);

    write(s, "a");
    clock.advance(5000);
    write(s, "b");
    write(s, "c");
    assert.deepEqual(heard, Array(3).fill(`true:${shardIdOf(s.arn)}`));
    off();
    write(s, "d");
    assert.equal(heard.length, 3);
    assert.equal(streams.latestSequence(s.arn, shardIdOf(s.arn)), formatSequence(4));

    const all = await streams.readShard(s.arn, shardIdOf(s.arn), { trimHorizon: true }, 2);
    assert.deepEqual(
      all.records.map((r) => [r.sequenceNumber, r.partitionKey]),
      [
        [formatSequence(1), "a"],
        [formatSequence(2), "b"],
      ],
    );
    assert.equal(all.records[0]!.approximateArrivalTimestamp, clock.now() - 5000);
    assert.equal(all.millisBehindLatest, 0);
    const rec = JSON.parse(all.records[0]!.data.toString("utf8"));
    const api = (await keys(await iterator(s, "TRIM_HORIZON"), 1)).out.Records[0];
    assert.deepEqual(rec, api);

    const after = await streams.readShard(s.arn, shardIdOf(s.arn), { after: formatSequence(2) }, 100);
    assert.deepEqual(after.records.map((r) => r.partitionKey), ["c", "d"]);
    const byTime = await streams.readShard(s.arn, shardIdOf(s.arn), { atTimestampMs: clock.now() }, 100);
    assert.deepEqual(byTime.records.map((r) => r.partitionKey), ["b", "c", "d"]);

    // A position older than retention reads on from what is kept, without an error.
    clock.advance(RETENTION_MS - 1000);
    write(s, "e");
    clock.advance(2000);
    const kept = await streams.readShard(s.arn, shardIdOf(s.arn), { after: formatSequence(0) }, 100);
    assert.deepEqual(kept.records.map((r) => r.partitionKey), ["e"]);
  });

  test("a TTL record: GetRecords spells userIdentity { PrincipalId, Type }; the Lambda event built from the reader's record spells it { type, principalId }", async () => {
    const s = table("orders");
    write(s, "a", "REMOVE", { userIdentity: { type: "Service", principalId: "dynamodb.amazonaws.com" } });
    const { records } = await streams.readShard(s.arn, shardIdOf(s.arn), { trimHorizon: true }, 10);
    assert.deepEqual(JSON.parse(records[0]!.data.toString("utf8")).userIdentity, { PrincipalId: "dynamodb.amazonaws.com", Type: "Service" });
    const mapping = { eventSourceArn: s.arn } as Parameters<typeof DYNAMODB.eventRecord>[0];
    const event = DYNAMODB.eventRecord(mapping, shardIdOf(s.arn), records[0]!, "arn:aws:iam::000000000000:role/r") as Record<string, unknown>;
    assert.deepEqual(event.userIdentity, { type: "Service", principalId: "dynamodb.amazonaws.com" });
    assert.deepEqual(Object.keys(event.userIdentity as object), ["type", "principalId"]);
  });

  test("millisBehindLatest: how far the last record read is from the newest", async () => {
    const s = table("orders");
    write(s, "a");
    clock.advance(3000);
    write(s, "b");
    const r = await streams.readShard(s.arn, shardIdOf(s.arn), { trimHorizon: true }, 1);
    assert.equal(r.millisBehindLatest, 3000);
  });

  test("LATEST survives a restart: the newest sequence is loaded from the store", async () => {
    const s = table("orders");
    write(s, "a");
    write(s, "b");
    const again = await open();
    assert.equal(again.latestSequence(s.arn, shardIdOf(s.arn)), formatSequence(2));
    const it = (await again.getShardIterator({ StreamArn: s.arn, ShardId: shardIdOf(s.arn), ShardIteratorType: "LATEST" })).ShardIterator;
    assert.deepEqual((await again.getRecords({ ShardIterator: it })).Records, []);
    // And an iterator from one node works on another (same secret).
    const fromFirst = await iterator(s, "TRIM_HORIZON");
    assert.equal((await again.getRecords({ ShardIterator: fromFirst })).Records.length, 2);
  });

  test("an append on one node wakes the pollers of another and moves its LATEST", async () => {
    const bus = new LocalChangeBus();
    const one = bus.join();
    const two = bus.join();
    const s = table("orders");
    const a = await open(one);
    const b = await open(two);
    const heard: string[] = [];
    b.onAppend((arn) => heard.push(arn));
    write(s, "x", "INSERT", {}, a);
    await new Promise((resolve) => setImmediate(resolve));
    await two.idle();
    assert.deepEqual(heard, [s.arn]);
    assert.equal(b.latestSequence(s.arn, shardIdOf(s.arn)), formatSequence(1));
  });
});


/** A real store as the service gets it: its DynamoDB part and its change bus. */
interface Node {
  dynamodb: DynamoStore;
  changes: ChangeBus;
  close(): Promise<void>;
}

/** The same service on real stores: appends made by item writes, the sweep, a restart. */
function storeTests(name: string, twoNodes: boolean, nodes: () => Promise<{ one: Node; two?: Node; close(): Promise<void> }>): void {
  describe(`DynamoDB Streams on ${name}`, () => {
    let cluster: { one: Node; two?: Node; close(): Promise<void> };
    let clock: ManualClock;
    let tables: FakeTables;
    let stream: TableStream;
    const services: DynamoStreamsService[] = [];

    const open = async (node = cluster.one) => {
      const s = await DynamoStreamsService.create({ tables, store: node.dynamodb, clock, region: REGION, iteratorSecret: "test-secret", changes: node.changes });
      services.push(s);
      return s;
    };

    /** An item write with its stream record, as the items service makes it; resolves the sequence. */
    const put = async (streams: DynamoStreamsService, pk: string, node = cluster.one) => {
      const body: StoredStreamBody = {
        eventID: "e".repeat(32),
        eventName: "INSERT",
        dynamodb: { ApproximateCreationDateTime: Math.floor(clock.now() / 1000), Keys: { pk: { S: pk } }, SizeBytes: 3 + pk.length, StreamViewType: "KEYS_ONLY" },
      };
      const item = JSON.stringify({ pk: { S: pk } });
      const [outcome] = await node.dynamodb.write(
        [
          {
            table: "id-t",
            key: { hk: Buffer.from(pk), rk: Buffer.alloc(0) },
            decide: () => ({ put: { item, size: 3 + pk.length, indexes: [] }, stream: { stream: stream.arn, at: clock.now(), partitionKey: pk, record: JSON.stringify(body) } }),
          },
        ],
        false,
      );
      streams.appended(stream.arn, outcome!.sequence!);
      return outcome!.sequence!;
    };

    beforeEach(async () => {
      cluster = await nodes();
      clock = new ManualClock(Date.UTC(2026, 11, 5, 12, 0, 0, 0));
      tables = new FakeTables();
      const now = clock.now();
      // A stream ARN of its own per test: the PostgreSQL database is shared by this file's tests.
      const table = `t${Math.random().toString(36).slice(2, 10)}`;
      stream = { arn: `${TABLE_ARN(table)}/stream/${label(now)}`, label: label(now), viewType: "KEYS_ONLY", createdAt: now };
      tables.tables.push({
        name: table,
        id: "id-t",
        arn: TABLE_ARN(table),
        createdAt: now,
        status: "ACTIVE",
        keySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        attributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        billingMode: "PAY_PER_REQUEST",
        indexes: [],
        streams: [stream],
        tags: {},
        deletionProtection: false,
      });
    });
    afterEach(async () => {
      for (const s of services.splice(0)) await s.close();
      await cluster.close();
    });

    test("writes are read back in order, from any iterator type, and LATEST survives a restart", async () => {
      const streams = await open();
      const shardId = shardIdOf(stream.arn);
      assert.deepEqual([await put(streams, "a"), await put(streams, "b"), await put(streams, "c")], [1, 2, 3]);
      const it = (type: ShardIteratorType, SequenceNumber?: string) => streams.getShardIterator({ StreamArn: stream.arn, ShardId: shardId, ShardIteratorType: type, SequenceNumber });
      const pks = async (p: Promise<{ ShardIterator: string }>) => (await streams.getRecords({ ShardIterator: (await p).ShardIterator })).Records.map((r) => r.dynamodb.Keys.pk);
      assert.deepEqual(await pks(it("TRIM_HORIZON")), [{ S: "a" }, { S: "b" }, { S: "c" }]);
      assert.deepEqual(await pks(it("AFTER_SEQUENCE_NUMBER", formatSequence(1))), [{ S: "b" }, { S: "c" }]);
      assert.deepEqual(await pks(it("LATEST")), []);
      const page = await streams.getRecords({ ShardIterator: (await it("TRIM_HORIZON")).ShardIterator, Limit: 1 });
      assert.deepEqual(page.Records[0]!.dynamodb, { ApproximateCreationDateTime: clock.now() / 1000, Keys: { pk: { S: "a" } }, SequenceNumber: formatSequence(1), SizeBytes: 4, StreamViewType: "KEYS_ONLY" });

      await streams.close();
      const again = await open();
      assert.equal(again.latestSequence(stream.arn, shardId), formatSequence(3));
      assert.equal(await put(again, "d"), 4);
      const read = await again.readShard(stream.arn, shardId, { after: formatSequence(2) }, 10);
      assert.deepEqual(read.records.map((r) => r.partitionKey), ["c", "d"]);
    });

    test("the sweep deletes records past 24 h, keeping the newest; older positions are trimmed", async () => {
      const streams = await open();
      const shardId = shardIdOf(stream.arn);
      await put(streams, "a");
      await put(streams, "b");
      clock.advance(RETENTION_MS + 1);
      await streams.sweep();
      assert.deepEqual((await cluster.one.dynamodb.readStream(stream.arn, 0, 0, 10)).map((r) => r.sequence), [2]);
      await assert.rejects(streams.getShardIterator({ StreamArn: stream.arn, ShardId: shardId, ShardIteratorType: "AT_SEQUENCE_NUMBER", SequenceNumber: formatSequence(1) }), {
        code: "TrimmedDataAccessException",
      });
      await put(streams, "c");
      const horizon = await streams.getShardIterator({ StreamArn: stream.arn, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" });
      assert.deepEqual((await streams.getRecords(horizon)).Records.map((r) => r.dynamodb.SequenceNumber), [formatSequence(3)]);
    });

    if (!twoNodes) return;
    test("an append on one node wakes the other node's readers, whose LATEST moves", async () => {
      const one = await open(cluster.one);
      const two = await open(cluster.two!);
      const heard = new Promise<string>((resolve) => two.onAppend((arn) => resolve(arn)));
      await put(one, "x");
      assert.equal(await heard, stream.arn);
      assert.equal(two.latestSequence(stream.arn, shardIdOf(stream.arn)), formatSequence(1));
      const read = await two.readShard(stream.arn, shardIdOf(stream.arn), { trimHorizon: true }, 10);
      assert.deepEqual(read.records.map((r) => r.partitionKey), ["x"]);
    });
  });
}

storeTests("the SQLite store", false, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "flint-ddb-streams-"));
  const store = SqliteStore.open(dir);
  return {
    one: store,
    close: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe("on PostgreSQL", () => {
  let db: TestDatabase | undefined;
  before(async () => void (db = await testDatabase()));
  after(() => db?.close());
  storeTests("two nodes of one PostgreSQL database", true, async () => {
    const one = await PgStore.open(db!.url);
    const two = await PgStore.open(db!.url);
    return {
      one,
      two,
      close: async () => {
        await one.close();
        await two.close();
      },
    };
  });
});
