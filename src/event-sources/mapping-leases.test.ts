/**
 * Event source mappings across nodes, in-process: two nodes' pollers (two stores on one SQLite
 * file, as two PostgreSQL stores on one database would be) share the queues and streams; a clock
 * the tests move. A mapping is polled by the node holding its lease; when that node dies the other
 * takes it over after the lease time, from the checkpoints the dead one left.
 */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ManualClock } from "../clock/manual-clock.js";
import { SqsService } from "../services/sqs/service.js";
import { KinesisService } from "../services/kinesis/service.js";
import { SqliteStore } from "../store/sqlite.js";
import { KINESIS, kinesisReader } from "./kinesis.js";
import { MAPPING_LEASE_MS } from "./pollers.js";
import { type Call, elapse, harness, type Harness, mapping, until } from "./poller-harness.js";

const ACCOUNT = { region: "us-east-1", accountId: "000000000000" };
const QUEUE = "arn:aws:sqs:us-east-1:000000000000:orders";
const STREAM = "arn:aws:kinesis:us-east-1:000000000000:stream/clicks";

const bodies = (h: Harness) => h.calls.flatMap((c: Call) => c.event.Records.map((r) => r.body as string));
const kinesisData = (h: Harness) => h.calls.flatMap((c: Call) => c.event.Records.map((r) => Buffer.from((r.kinesis as { data: string }).data, "base64").toString("utf8")));

describe("event source mappings across nodes", () => {
  let dir: string;
  let clock: ManualClock;
  /** Node A's store and node B's, on one database. */
  let storeA: SqliteStore;
  let storeB: SqliteStore;
  let sqs: SqsService;
  let kinesis: KinesisService;
  let a: Harness;
  let b: Harness;

  const node = (store: SqliteStore) =>
    harness(clock, store.mappings, { sqs, streams: { kinesis: { source: kinesisReader(kinesis), flavour: KINESIS } }, leases: store.leases });
  /** Both nodes are told of the mapping, as every node is. */
  const applyBoth = async (over: Parameters<typeof mapping>[0]) => {
    const m = mapping(over);
    await a.pollers.apply(m.uuid, m);
    await b.pollers.apply(m.uuid, m);
    return m;
  };
  const pollingNodes = () => [a, b].filter((h) => h.pollers.running().length > 0);
  /** Run the clock until `condition`, checking at every step that no two nodes poll at once. */
  const exclusivelyUntil = (condition: () => boolean | Promise<boolean>, what: string) =>
    until(clock, async () => {
      assert.ok(pollingNodes().length <= 1, "two nodes poll one mapping");
      return condition();
    }, what);
  const queueEmpty = async () => {
    const q = await sqs.getQueueAttributes(QUEUE, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]);
    return Number(q.ApproximateNumberOfMessages) === 0 && Number(q.ApproximateNumberOfMessagesNotVisible) === 0;
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flint-mapping-leases-"));
    clock = new ManualClock();
    // Both nodes open before either takes a lease (a SQLite store voids the leases it finds on opening).
    storeA = SqliteStore.open(dir);
    storeB = SqliteStore.open(dir);
    sqs = await SqsService.create(ACCOUNT, storeB.queues, clock);
    await sqs.createQueue({ QueueName: "orders", Attributes: { VisibilityTimeout: "30" } });
    kinesis = await KinesisService.create({ account: ACCOUNT, store: storeB.streams, clock, iteratorSecret: "test-secret" });
    await kinesis.createStream({ StreamName: "clicks", ShardCount: 1, StreamMode: "PROVISIONED" });
    await elapse(clock, 100);
    a = node(storeA);
    b = node(storeB);
  });
  afterEach(async () => {
    await a.pollers.close();
    await b.pollers.close();
    await sqs.close();
    await kinesis.close();
    await storeA.close();
    await storeB.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("one node polls a mapping; when it dies the other takes it over once the lease has expired", async () => {
    const m = await applyBoth({ eventSourceArn: QUEUE, source: "sqs" });
    assert.deepEqual(pollingNodes(), [a], "the first to take the lease polls");
    assert.equal(await storeB.leases.holder(`mapping:${m.uuid}`, clock.now()), storeA.nodeId);
    for (const body of ["1", "2", "3"]) await sqs.sendMessage(QUEUE, { MessageBody: body });
    await exclusivelyUntil(queueEmpty, "the first messages handled");
    // Renewed all along: many lease times later A still polls, and B has done nothing.
    await elapse(clock, 5 * MAPPING_LEASE_MS, 100);
    assert.deepEqual(pollingNodes(), [a]);
    assert.deepEqual([bodies(a).sort(), b.calls.length], [["1", "2", "3"], 0]);

    // A dies: it renews nothing more (its store is gone), and releases nothing.
    await storeA.close();
    const died = clock.now();
    await exclusivelyUntil(() => pollingNodes()[0] === b, "B polling");
    const after = clock.now() - died;
    assert.ok(after > MAPPING_LEASE_MS / 2 && after <= MAPPING_LEASE_MS + MAPPING_LEASE_MS / 3 + 10, `taken over ${after} ms after the death`);
    assert.equal(a.pollers.running().length, 0, "A stopped once its lease expired");
    assert.equal(await storeB.leases.holder(`mapping:${m.uuid}`, clock.now()), storeB.nodeId);
    await sqs.sendMessage(QUEUE, { MessageBody: "4" });
    await exclusivelyUntil(queueEmpty, "the message sent after the death handled");
    assert.deepEqual(bodies(b), ["4"]);
  });

  test("a node that stops gracefully hands its mappings over at once", async () => {
    const m = await applyBoth({ eventSourceArn: QUEUE, source: "sqs" });
    assert.deepEqual(pollingNodes(), [a]);
    await a.pollers.close();
    assert.equal(await storeB.leases.holder(`mapping:${m.uuid}`, clock.now()), undefined, "released");
    const stopped = clock.now();
    await until(clock, () => pollingNodes()[0] === b, "B polling");
    assert.ok(clock.now() - stopped <= MAPPING_LEASE_MS / 3 + 10);
  });

  test("a disabled mapping is polled nowhere and its lease is free; enabled again, one node takes it", async () => {
    const m = await applyBoth({ eventSourceArn: QUEUE, source: "sqs" });
    await a.pollers.apply(m.uuid, { ...m, enabled: false });
    await b.pollers.apply(m.uuid, { ...m, enabled: false });
    await elapse(clock, 2 * MAPPING_LEASE_MS, 100);
    assert.deepEqual(pollingNodes(), []);
    assert.equal(await storeB.leases.holder(`mapping:${m.uuid}`, clock.now()), undefined);
    await b.pollers.apply(m.uuid, m);
    await a.pollers.apply(m.uuid, m);
    assert.deepEqual(pollingNodes(), [b]);
    await elapse(clock, 2 * MAPPING_LEASE_MS, 100);
    assert.deepEqual(pollingNodes(), [b]);
  });

  test("a Kinesis mapping's survivor resumes from the dead node's last checkpoint", async () => {
    const put = (data: string) => kinesis.putRecord({ StreamName: "clicks", record: { partitionKey: "pk", data: Buffer.from(data) } });
    const m = await applyBoth({ eventSourceArn: STREAM, source: "kinesis", batchSize: 100, startingPosition: "TRIM_HORIZON" });
    assert.deepEqual(pollingNodes(), [a]);
    for (const d of ["r1", "r2", "r3"]) await put(d);
    const checkpointed = async () => (await storeB.mappings.checkpoints(m.uuid)).get("shardId-000000000000")?.sequence;
    const last = (await put("r4")).SequenceNumber;
    await exclusivelyUntil(async () => (await checkpointed()) === last, "A's checkpoint after r4");
    assert.deepEqual(kinesisData(a), ["r1", "r2", "r3", "r4"]);

    await storeA.close();
    // A's poller keeps running until its lease expires, but without its store it can checkpoint
    // nothing: what it may still read is read again by B (the bounded duplicates of a failover).
    for (const d of ["r5", "r6"]) await put(d);
    await exclusivelyUntil(() => kinesisData(b).includes("r6"), "B reading r6");
    assert.deepEqual(kinesisData(b).slice(0, 2), ["r5", "r6"], "B resumes right after A's last checkpoint");
    assert.ok(!kinesisData(b).some((d) => ["r1", "r2", "r3", "r4"].includes(d)), "nothing A checkpointed is read again");
    await exclusivelyUntil(async () => (await checkpointed()) !== last, "B's checkpoint");
  });
});
