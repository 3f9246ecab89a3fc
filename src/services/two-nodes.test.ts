/**
 * Any node answers any call with the same result: two instances of each service, "node A" and "node
 * B", on one SQLite file opened twice with one change bus between them (as two nodes share one
 * PostgreSQL database). What A writes, B reads once the change notification is delivered; a long
 * poll or a stream reader on B wakes on A's send or append. (registry-cluster.test.ts runs the same
 * for functions on PostgreSQL too.)
 */
import { after, before, describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ManualClock } from "../clock/manual-clock.js";
import { delivered, until } from "../store/contract/changes.js";
import { SqliteStore } from "../store/sqlite.js";
import { SqsService } from "./sqs/service.js";
import { SnsService } from "./sns/service.js";
import type { CreateTopicInput } from "./sns/inputs.js";
import { KinesisService } from "./kinesis/service.js";
import { IamService } from "./iam/service.js";
import { FunctionRegistry } from "./lambda/registry.js";
import { EventSourceMappingService, type MappingRecord } from "./lambda/event-source-mappings.js";
import { decodeMapping } from "./lambda/event-source-mapping-inputs.js";
import { FunctionUrlService } from "./lambda/function-urls.js";
import { RestApisService } from "./apigateway/rest-apis.js";
import { HttpApisService } from "./apigateway/http-apis.js";
import type { FunctionRecord, FunctionVersion } from "./lambda/model.js";
import { closeBoth, sqliteTwoNodes } from "../../test/harness/two-nodes.js";

const ACCOUNT = { region: "us-east-1", accountId: "000000000000" };
const BASE = "http://localhost:9000";
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const ALLOW_LOGS = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "logs:*", Resource: "*" }] });

let dir = "";
before(async () => void (dir = await mkdtemp(path.join(os.tmpdir(), "flint-two-nodes-"))));
after(() => rm(dir, { recursive: true, force: true }));

/** Two stores on one new file, sharing one change bus: two nodes. */
function twoNodes(t: TestContext): [SqliteStore, SqliteStore] {
  return sqliteTwoNodes(t, path.join(dir, `${Math.random().toString(36).slice(2)}.db`));
}

/** One service made on each node, A's first; both closed (A then B) after the test. */
async function onBoth<S extends { close(): Promise<void> }>(t: TestContext, [a, b]: [SqliteStore, SqliteStore], make: (node: SqliteStore) => Promise<S>): Promise<[S, S]> {
  const onA = await make(a);
  const onB = await make(b);
  closeBoth(t, onA, onB);
  return [onA, onB];
}

/** Both nodes' function registries, with `fn` inserted on A. */
async function registriesWithFn(a: SqliteStore, b: SqliteStore, clock: ManualClock): Promise<[FunctionRegistry, FunctionRegistry]> {
  const registryA = await FunctionRegistry.load(ACCOUNT, a, clock);
  const registryB = await FunctionRegistry.load(ACCOUNT, b, clock);
  await registryA.insert(fnRecord());
  return [registryA, registryB];
}

/** A function `fn` (with its version 1) for the Lambda-side services to name. */
function fnRecord(): FunctionRecord {
  const version = (v: string) =>
    ({
      functionName: "fn", version: v, runtime: "python3.12", handler: "h.h", role: "arn:aws:iam::000000000000:role/r", description: "", timeout: 3, memorySize: 128,
      ephemeralStorage: 512, architectures: ["x86_64"], code: { id: "c", sha256: "s", size: 1 }, lastModified: "2024-01-01T00:00:00.000+0000", revisionId: `rev-${v}`, state: "Active",
    }) as unknown as FunctionVersion;
  return { name: "fn", latest: version("$LATEST"), tags: {}, createdAt: 0, nextVersion: 2, versions: { "1": version("1") }, aliases: {}, provisioned: {}, eventInvokeConfigs: {} } as FunctionRecord;
}

describe("SQS on two nodes", () => {
  /** SQS on both nodes, and a queue `name` made on A and delivered to B. */
  async function queueOnTwoNodes(t: TestContext, name: string) {
    const [a, b] = twoNodes(t);
    const clock = new ManualClock();
    const [sqsA, sqsB] = await onBoth(t, [a, b], (node) => SqsService.create(ACCOUNT, node.queues, clock, node.changes));
    const url = sqsA.urlOf(await sqsA.createQueue({ QueueName: name }), BASE);
    await delivered(a, b);
    return { a, b, sqsA, sqsB, url };
  }

  test("a queue made on A is on B; an attribute set on A is seen on B; a delete on A is seen on B", async (t) => {
    const { a, b, sqsA, sqsB, url } = await queueOnTwoNodes(t, "orders");
    assert.equal(sqsB.queue(url).name, "orders");
    // CreateQueue on B with the same attributes is the same queue, not a conflict.
    assert.equal((await sqsB.createQueue({ QueueName: "orders" })).name, "orders");

    await sqsA.setQueueAttributes(url, { VisibilityTimeout: "45" });
    await delivered(a, b);
    assert.equal(sqsB.queue(url).settings.visibilityTimeout, 45);

    await sqsA.deleteQueue(url);
    await delivered(a, b);
    assert.throws(() => sqsB.queue(url), { code: "QueueDoesNotExist" });
  });

  test("a queue made on A is used on B at once, before A's news reaches B: B reads the store on its miss", async (t) => {
    const [a, b] = twoNodes(t);
    const clock = new ManualClock();
    const [sqsA, sqsB] = await onBoth(t, [a, b], (node) => SqsService.create(ACCOUNT, node.queues, clock, node.changes));
    const url = sqsA.urlOf(await sqsA.createQueue({ QueueName: "fresh" }), BASE);
    // No turn has passed, so the notification (delivered on a later turn) has not reached B.
    assert.throws(() => sqsB.queue(url), { code: "QueueDoesNotExist" }, "B has not heard of the queue yet");
    assert.equal(sqsB.urlOf(await sqsB.getQueueUrl("fresh"), BASE), url);
    const sent = await sqsB.sendMessageBatch(url, [{ Id: "0", MessageBody: "hello from B" }]);
    assert.equal(sent.Successful.length, 1);
    assert.deepEqual((await sqsA.receiveMessage(url)).map((m) => m.Body), ["hello from B"]);
    // A dead-letter queue made on A a moment ago is a valid redrive target on B.
    const dlq = await sqsA.createQueue({ QueueName: "fresh-dlq" });
    assert.equal(sqsB.findByArn(sqsA.arnOf(dlq)), undefined, "B has not heard of the dead-letter queue yet");
    await sqsB.setQueueAttributes(url, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: sqsA.arnOf(dlq), maxReceiveCount: "3" }) });
    assert.equal((await sqsB.lookUpArn(sqsA.arnOf(dlq)))?.name, "fresh-dlq");
    // A queue no node made is still QueueDoesNotExist after the read.
    await assert.rejects(sqsB.sendMessage(`${BASE}/${ACCOUNT.accountId}/never-made`, { MessageBody: "x" }), { code: "QueueDoesNotExist" });
    await assert.rejects(sqsB.getQueueUrl("never-made"), { code: "QueueDoesNotExist" });
  });

  test("a long poll on B wakes on a send on A, without waiting out its WaitTimeSeconds", async (t) => {
    const { sqsA, sqsB, url } = await queueOnTwoNodes(t, "jobs");
    const polling = sqsB.receiveMessage(url, { WaitTimeSeconds: 20 });
    await new Promise((r) => setImmediate(r));
    await sqsA.sendMessage(url, { MessageBody: "hello from A" });
    // The clock never moves: only the notification can end B's wait.
    const received = await polling;
    assert.deepEqual(received.map((m) => m.Body), ["hello from A"]);
  });
});

describe("SNS on two nodes", () => {
  /** SNS on both nodes; what either node delivers to an SQS queue is in `sent` (message bodies). */
  async function snsOnTwoNodes(t: TestContext) {
    const [a, b] = twoNodes(t);
    const clock = new ManualClock();
    const sent: string[] = [];
    const targets = { sqs: { sendMessage: async (_arn: string, input: { MessageBody: string }) => void sent.push(input.MessageBody) }, invokeAsync: async () => {} };
    const [snsA, snsB] = await onBoth(t, [a, b], (node) => SnsService.create(ACCOUNT, node.sns, clock, { targets, endpoint: () => BASE, changes: node.changes }));
    return { a, b, snsA, snsB, sent };
  }

  test("a topic and a subscription made on A are on B; unsubscribing and deleting on A are seen on B", async (t) => {
    const { a, b, snsA, snsB } = await snsOnTwoNodes(t);
    const topic = await snsA.createTopic({ Name: "events" });
    const sub = await snsA.subscribe({ TopicArn: topic.arn, Protocol: "sqs", Endpoint: "arn:aws:sqs:us-east-1:000000000000:q", Attributes: { FilterPolicy: JSON.stringify({ kind: ["order"] }) } });
    await delivered(a, b);
    assert.equal((await snsB.getTopicAttributes(topic.arn)).TopicArn, topic.arn);
    assert.equal((await snsB.getSubscriptionAttributes(sub)).FilterPolicy, JSON.stringify({ kind: ["order"] }));

    await snsA.unsubscribe(sub, true);
    await delivered(a, b);
    await assert.rejects(snsB.getSubscriptionAttributes(sub), { message: "Subscription does not exist" });
    await snsA.deleteTopic(topic.arn);
    await delivered(a, b);
    await assert.rejects(snsB.getTopicAttributes(topic.arn), { message: "Topic does not exist" });
  });

  test("topics and subscriptions made on A are used on B at once, before A's news reaches B: B reads the store on its miss", async (t) => {
    const { a, b, snsA, snsB, sent } = await snsOnTwoNodes(t);
    const QUEUE = "arn:aws:sqs:us-east-1:000000000000:q";
    // No turn passes between A's write and B's call, so the notification (delivered on a later turn) has not reached B.
    const topicOnA = async (name: string, more: Omit<CreateTopicInput, "Name"> = {}) => {
      const { arn } = await snsA.createTopic({ Name: name, ...more });
      assert.ok(!snsB.listTopics().topics.some((x) => x.arn === arn), `B has not heard of topic ${name} yet`);
      return arn;
    };
    const subscriptionOnA = async (topicArn: string, endpoint: string) => {
      const arn = await snsA.subscribe({ TopicArn: topicArn, Protocol: endpoint.startsWith("http") ? "http" : "sqs", Endpoint: endpoint, ReturnSubscriptionArn: true });
      assert.ok(!snsB.listSubscriptions().subscriptions.some((x) => x.Endpoint === endpoint), `B has not heard of the subscription to ${endpoint} yet`);
      return arn;
    };
    const storedTopic = async (arn: string) => (await a.sns.listTopics()).find((x) => x.arn === arn);
    const storedSubscription = async (arn: string) => (await a.sns.listSubscriptions()).find((x) => x.arn === arn);

    assert.equal((await snsB.getTopicAttributes(await topicOnA("get"))).DisplayName, "");
    const renamed = await topicOnA("set");
    await snsB.setTopicAttributes(renamed, "DisplayName", "named on B");
    assert.equal((await storedTopic(renamed))?.attributes.DisplayName, "named on B");
    assert.match(await snsB.subscribe({ TopicArn: await topicOnA("subscribe"), Protocol: "sqs", Endpoint: QUEUE }), /:subscribe:/);
    assert.deepEqual((await snsB.listSubscriptionsByTopic(await topicOnA("list"))).subscriptions, []);
    const tagged = await topicOnA("tag");
    await snsB.tagResource(tagged, [{ Key: "team", Value: "b" }]);
    assert.deepEqual((await storedTopic(tagged))?.tags, { team: "b" });
    await snsB.untagResource(await topicOnA("untag"), ["team"]);
    assert.deepEqual(await snsB.listTagsForResource(await topicOnA("tags")), []);
    const deleted = await topicOnA("delete");
    await snsB.deleteTopic(deleted);
    assert.equal(await storedTopic(deleted), undefined, "B deleted the topic it had not heard of");

    // A publish on B reaches the subscription A made with the topic.
    const news = await topicOnA("news");
    await subscriptionOnA(news, `${QUEUE}-news`);
    await snsB.publish({ TopicArn: news, Message: "by TopicArn" });
    await snsB.publish({ TargetArn: await topicOnA("target"), Message: "by TargetArn" });
    assert.equal((await snsB.publishBatch(await topicOnA("batch"), [{ Id: "0", Message: "in a batch" }])).Successful.length, 1);
    await until(() => sent.some((body) => body.includes("by TopicArn")), "B's delivery to A's subscription");

    // Subscriptions: the SubscribeURL may reach B first; B reads, sets and unsubscribes what A subscribed.
    const web = await subscriptionOnA(news, "http://127.0.0.1:1/hook");
    const token = (await a.sns.listSubscriptions()).find((x) => x.arn === web)!.token!;
    assert.equal(await snsB.confirmSubscription(news, token, false, false), web);
    assert.equal((await storedSubscription(web))?.pending, false);
    assert.equal((await snsB.getSubscriptionAttributes(await subscriptionOnA(news, `${QUEUE}-get`))).TopicArn, news);
    const raw = await subscriptionOnA(news, `${QUEUE}-set`);
    await snsB.setSubscriptionAttributes(raw, "RawMessageDelivery", "true");
    assert.equal((await storedSubscription(raw))?.attributes.RawMessageDelivery, "true");
    const gone = await subscriptionOnA(news, `${QUEUE}-gone`);
    await snsB.unsubscribe(gone, true);
    assert.equal(await storedSubscription(gone), undefined, "B unsubscribed the subscription it had not heard of");

    // Made again on B at once, a topic or subscription is the one A made, not a second one over it.
    const again = await topicOnA("again", { Attributes: { DisplayName: "from A" }, Tags: [{ Key: "team", Value: "a" }] });
    assert.equal((await snsB.createTopic({ Name: "again", Attributes: { DisplayName: "from A" } })).arn, again);
    assert.deepEqual((await storedTopic(again))?.tags, { team: "a" }, "B kept A's tags");
    await assert.rejects(snsB.createTopic({ Name: "again", Attributes: { DisplayName: "from B" } }), { message: /Topic already exists with different attributes/ });
    const once = await subscriptionOnA(news, `${QUEUE}-once`);
    assert.equal(await snsB.subscribe({ TopicArn: news, Protocol: "sqs", Endpoint: `${QUEUE}-once` }), once);

    // What no node made is still refused after the read.
    const never = `arn:aws:sns:us-east-1:${ACCOUNT.accountId}:never-made`;
    await assert.rejects(snsB.getTopicAttributes(never), { queryCode: "NotFound", message: "Topic does not exist" });
    await assert.rejects(snsB.publish({ TopicArn: never, Message: "x" }), { queryCode: "NotFound", message: "Topic does not exist" });
    await assert.rejects(snsB.listTagsForResource(never), { queryCode: "ResourceNotFound" });
    await assert.rejects(snsB.getSubscriptionAttributes(`${news}:00000000-0000-0000-0000-000000000000`), { queryCode: "NotFound", message: "Subscription does not exist" });
    await assert.rejects(snsB.confirmSubscription(news, "never-sent", false, false), { message: "Invalid parameter: Token" });
    // Each node has made its deliveries and applied the other's news before it closes.
    await Promise.all([snsA.deliveriesIdle(), snsB.deliveriesIdle()]);
    await delivered(a, b);
    await delivered(b, a);
  });
});

describe("Kinesis on two nodes", () => {
  test("a stream made and activated on A is on B; B's readers wake on A's append and its LATEST moves; a delete on A is seen on B", async (t) => {
    const [a, b] = twoNodes(t);
    const clock = new ManualClock();
    const [kA, kB] = await onBoth(t, [a, b], (node) => KinesisService.create({ account: ACCOUNT, store: node.streams, clock, iteratorSecret: "s", changes: node.changes }));
    await kA.createStream({ StreamName: "clicks", ShardCount: 1, StreamMode: "PROVISIONED" });
    await delivered(a, b);
    assert.equal((await kB.describeStreamSummary({ StreamName: "clicks" })).StreamDescriptionSummary.StreamStatus, "CREATING");
    clock.advance(1000);
    await new Promise((r) => setTimeout(r, 10));
    await delivered(a, b);
    assert.equal((await kB.describeStreamSummary({ StreamName: "clicks" })).StreamDescriptionSummary.StreamStatus, "ACTIVE");

    const arn = kB.streamByArn("arn:aws:kinesis:us-east-1:000000000000:stream/clicks")!.arn;
    const woken: string[] = [];
    kB.onAppend((streamArn, shardId) => void woken.push(`${streamArn} ${shardId}`));
    const put = await kA.putRecord({ StreamName: "clicks", record: { partitionKey: "k", data: Buffer.from("x") } });
    await delivered(a, b);
    assert.deepEqual(woken, [`${arn} ${put.ShardId}`]);
    assert.equal(kB.latestSequence(arn, put.ShardId), put.SequenceNumber);

    await kA.deleteStream({ StreamName: "clicks" });
    await delivered(a, b);
    await assert.rejects(kB.describeStreamSummary({ StreamName: "clicks" }), { code: "ResourceNotFoundException" });
  });

  /** Hold back the news of A's changes from `node` until the returned function delivers it (a slow network). */
  function holdNews(node: SqliteStore): () => void {
    const subscribers = node.changes.subscribers;
    const deliver = subscribers.deliver.bind(subscribers);
    const held: [string, string][] = [];
    subscribers.deliver = (topic, key) => void held.push([topic, key]);
    return () => {
      subscribers.deliver = deliver;
      for (const [topic, key] of held) deliver(topic, key);
    };
  }

  test("a stream made and activated on A is used on B at once, before A's news reaches B: B reads the store on its miss", async (t) => {
    const [a, b] = twoNodes(t);
    const clock = new ManualClock();
    const [kA, kB] = await onBoth(t, [a, b], (node) => KinesisService.create({ account: ACCOUNT, store: node.streams, clock, iteratorSecret: "s", changes: node.changes }));
    const arn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
    const stored = async (name: string) => (await a.streams.listStreams()).find((s) => s.name === name)?.status;
    /** A's timer activates `name`: resolves once the store says so. */
    const activateOnA = async (name: string) => {
      clock.advance(1000);
      while ((await stored(name)) !== "ACTIVE") await new Promise((r) => setTimeout(r, 2));
    };
    const create = (name: string) => kA.createStream({ StreamName: name, ShardCount: 1, StreamMode: "PROVISIONED" });
    const record = (body: string) => ({ partitionKey: "k", data: Buffer.from(body) });
    const release = holdNews(b);

    // B has not heard of each stream when it is first asked about it.
    await create("described");
    await activateOnA("described");
    assert.equal(kB.streamByArn(arn("described")), undefined, "B has not heard of the stream yet");
    assert.equal((await kB.describeStream({ StreamName: "described" })).StreamDescription.StreamStatus, "ACTIVE");

    await create("put");
    await activateOnA("put");
    assert.equal(kB.streamByArn(arn("put")), undefined, "B has not heard of the stream yet");
    const put = await kB.putRecord({ StreamARN: arn("put"), record: record("from B") });
    const fromB = await kA.getShardIterator({ StreamName: "put", ShardId: put.ShardId, ShardIteratorType: "TRIM_HORIZON" });
    assert.deepEqual((await kA.getRecords(fromB)).Records.map((r) => Buffer.from(r.Data, "base64").toString()), ["from B"]);

    await create("read");
    await activateOnA("read");
    await kA.putRecord({ StreamName: "read", record: record("from A") });
    const fromA = await kA.getShardIterator({ StreamName: "read", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" });
    assert.equal(kB.streamByArn(arn("read")), undefined, "B has not heard of the stream yet");
    assert.deepEqual((await kB.getRecords(fromA)).Records.map((r) => Buffer.from(r.Data, "base64").toString()), ["from A"]);

    // B holds a stream as CREATING after A activated it: B reads it again before refusing.
    await create("late");
    assert.equal((await kB.describeStreamSummary({ StreamName: "late" })).StreamDescriptionSummary.StreamStatus, "CREATING");
    await assert.rejects(kB.putRecord({ StreamName: "late", record: record("too soon") }), { code: "ResourceNotFoundException" }, "the store says CREATING too");
    await activateOnA("late");
    assert.equal(kB.streamByArn(arn("late"))?.status, "CREATING", "B still holds the stream as CREATING");
    await kB.putRecord({ StreamName: "late", record: record("from B") });
    assert.equal((await kB.describeStreamSummary({ StreamName: "late" })).StreamDescriptionSummary.StreamStatus, "ACTIVE");

    // An event source mapping's source check on B finds a stream made on A a moment ago.
    await create("mapped");
    assert.equal(kB.streamByArn(arn("mapped")), undefined, "B has not heard of the stream yet");
    assert.equal(await kB.exists(arn("mapped")), true);
    assert.equal(await kB.exists(arn("never-made")), false);

    // A stream no node made is still not found after the read.
    await assert.rejects(kB.describeStream({ StreamName: "never-made" }), { code: "ResourceNotFoundException", message: "Stream never-made under account 000000000000 not found." });
    await assert.rejects(kB.putRecord({ StreamName: "never-made", record: record("x") }), { code: "ResourceNotFoundException" });
    release();
    await delivered(a, b);
    assert.deepEqual(kB.listStreams({}).StreamNames, ["described", "late", "mapped", "put", "read"]);
  });
});

describe("IAM on two nodes", () => {
  test("users, access keys, roles and managed policies made on A are on B, and so are their deletions", async (t) => {
    const [a, b] = twoNodes(t);
    const clock = new ManualClock();
    const iamA = await IamService.create(ACCOUNT, a.iam, clock, a.changes);
    const iamB = await IamService.create(ACCOUNT, b.iam, clock, b.changes);
    await iamA.createUser({ UserName: "alice" });
    const key = await iamA.createAccessKey("alice");
    const role = await iamA.createRole({ RoleName: "worker", AssumeRolePolicyDocument: TRUST });
    const { policy } = await iamA.policies.create({ PolicyName: "logs", PolicyDocument: ALLOW_LOGS });
    await iamA.attachPolicy("role", "worker", policy.arn);
    await delivered(a, b);
    assert.equal(iamB.accessKeyOwner(key.accessKeyId)?.user.name, "alice");
    assert.equal(iamB.getRole("worker").arn, role.arn);
    assert.deepEqual(iamB.policiesOf(iamB.getRole("worker")).identity.map((p) => p.document), [ALLOW_LOGS]);

    await iamA.deleteAccessKey("alice", key.accessKeyId);
    await iamA.deleteUser("alice");
    await iamA.detachPolicy("role", "worker", policy.arn);
    await iamA.policies.delete(policy.arn);
    await delivered(a, b);
    assert.equal(iamB.accessKeyOwner(key.accessKeyId), undefined);
    assert.throws(() => iamB.getUser("alice"), { message: "The user with name alice cannot be found." });
    assert.deepEqual(iamB.policiesOf(iamB.getRole("worker")).identity, []);
    assert.throws(() => iamB.policies.get(policy.arn), { message: `Policy ${policy.arn} was not found.` });
  });
});

describe("Lambda's mappings and URLs on two nodes", () => {
  test("a mapping made on A is on B and B's pollers are told; a delete on A stops them on B", async (t) => {
    const [a, b] = twoNodes(t);
    const clock = new ManualClock();
    const [registryA, registryB] = await registriesWithFn(a, b, clock);
    await delivered(a, b);
    const queue = "arn:aws:sqs:us-east-1:000000000000:q";
    const deps = { account: ACCOUNT, clock, source: () => ({ fifo: false }) };
    const mA = await EventSourceMappingService.create({ ...deps, registry: registryA, store: a.mappings, changes: a.changes });
    const mB = await EventSourceMappingService.create({ ...deps, registry: registryB, store: b.mappings, changes: b.changes });
    const heard: [string, MappingRecord | undefined][] = [];
    mB.listener = (uuid, record) => void heard.push([uuid, record]);
    const made = await mA.createEventSourceMapping(decodeMapping({ FunctionName: "fn", EventSourceArn: queue, BatchSize: 5 }));
    await mA.idle();
    await delivered(a, b);
    const uuid = made.UUID as string;
    assert.equal(mB.getEventSourceMapping(uuid).BatchSize, 5);
    assert.equal(mB.getEventSourceMapping(uuid).State, "Enabled");
    // Told once of the new settings; settling Creating → Enabled changes no setting.
    assert.deepEqual(heard.map(([u, r]) => [u, r?.batchSize]), [[uuid, 5]]);

    await mA.deleteEventSourceMapping(uuid);
    await delivered(a, b);
    assert.deepEqual(heard.at(-1), [uuid, undefined]);
    assert.throws(() => mB.getEventSourceMapping(uuid), { code: "ResourceNotFoundException" });
  });

  test("a function URL made on A is found on B by its id; deleted on A, it is gone on B", async (t) => {
    const [a, b] = twoNodes(t);
    const clock = new ManualClock();
    const [registryA, registryB] = await registriesWithFn(a, b, clock);
    const urlsA = await FunctionUrlService.create({ registry: registryA, store: a.functionUrls, port: () => 9000, changes: a.changes });
    const urlsB = await FunctionUrlService.create({ registry: registryB, store: b.functionUrls, port: () => 9000, changes: b.changes });
    const made = await urlsA.createFunctionUrlConfig("fn", undefined, { authType: "NONE" });
    await delivered(a, b);
    const id = String(made.FunctionUrl).slice("http://".length, "http://".length + 32);
    assert.equal(urlsB.find(id)?.functionName, "fn");
    await urlsA.deleteFunctionUrlConfig("fn", undefined);
    await delivered(a, b);
    assert.equal(urlsB.find(id), undefined);
  });
});

describe("API Gateway on two nodes", () => {
  test("REST and HTTP APIs made on A are on B, changes too; deleted on A, they are gone on B", async (t) => {
    const [a, b] = twoNodes(t);
    const clock = new ManualClock();
    const restA = await RestApisService.create(ACCOUNT, a.restApis, clock, a.changes);
    const restB = await RestApisService.create(ACCOUNT, b.restApis, clock, b.changes);
    const httpA = await HttpApisService.create({ account: ACCOUNT, store: a.httpApis, clock, changes: a.changes });
    const httpB = await HttpApisService.create({ account: ACCOUNT, store: b.httpApis, clock, changes: b.changes });
    const rest = await restA.createRestApi({ name: "shop" });
    const http = await httpA.createApi({ name: "q", protocolType: "HTTP" });
    await delivered(a, b);
    assert.equal(restB.find(rest.id)?.name, "shop");
    assert.equal(httpB.get(http.apiId).name, "q");

    await restA.change(rest.id, (api) => void (api.description = "updated on A"));
    await httpA.updateApi(http.apiId, { name: "renamed" });
    await delivered(a, b);
    assert.equal(restB.find(rest.id)?.description, "updated on A");
    assert.equal(httpB.get(http.apiId).name, "renamed");

    await restA.deleteRestApi(rest.id);
    await httpA.deleteApi(http.apiId);
    await delivered(a, b);
    assert.equal(restB.find(rest.id), undefined);
    assert.throws(() => httpB.get(http.apiId), { code: "NotFoundException" });
  });
});
