/** The SQS service in-process, on a real SQLite store and a clock the tests move. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ManualClock } from "../../clock/manual-clock.js";
import { SqliteStore } from "../../store/sqlite.js";
import { SqsService } from "./service.js";
import { until } from "../../store/contract/changes.js";

const ACCOUNT = { region: "us-east-1", accountId: "123456789012" };
const BASE = "http://localhost:9000";
const settle = () => new Promise((r) => setImmediate(r));

describe("SQS service", () => {
  let dir: string;
  let store: SqliteStore;
  let clock: ManualClock;
  let sqs: SqsService;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flint-sqs-"));
    store = SqliteStore.open(dir);
    clock = new ManualClock();
    sqs = await SqsService.create(ACCOUNT, store.queues, clock);
  });
  afterEach(async () => {
    await sqs.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const create = async (name: string, Attributes?: Record<string, string>) => sqs.urlOf(await sqs.createQueue({ QueueName: name, Attributes }), BASE);

  test("queue URLs and ARNs are formed as AWS forms them, and either names the queue", async () => {
    const url = await create("orders");
    assert.equal(url, "http://localhost:9000/123456789012/orders");
    const q = sqs.queue("arn:aws:sqs:us-east-1:123456789012:orders");
    assert.equal(sqs.arnOf(q), "arn:aws:sqs:us-east-1:123456789012:orders");
    assert.equal(sqs.queue("https://sqs.us-east-1.amazonaws.com/123456789012/orders").name, "orders");
    assert.throws(() => sqs.queue("http://localhost:9000/999999999999/orders"), { code: "QueueDoesNotExist" });
    assert.throws(() => sqs.queue("http://localhost:9000/nope"), { code: "InvalidParameterValueException" });
  });

  test("CreateQueue is idempotent for the same attributes and refuses different ones", async () => {
    await create("q", { VisibilityTimeout: "40" });
    await create("q", { VisibilityTimeout: "40" });
    await create("q");
    await assert.rejects(create("q", { VisibilityTimeout: "41" }), { code: "QueueNameExists", queryCode: "QueueAlreadyExists", message: /attribute VisibilityTimeout/ });
  });

  test("queue names and attribute values are validated", async () => {
    await assert.rejects(create("has space"), { message: "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length" });
    await assert.rejects(create("x".repeat(81)), { code: "InvalidParameterValueException" });
    await assert.rejects(create("plain.fifo"), { code: "InvalidParameterValueException" });
    await assert.rejects(create("nofifo", { FifoQueue: "true" }), { message: /must end with .fifo suffix/ });
    await assert.rejects(create("q", { VisibilityTimeout: "43201" }), { code: "InvalidAttributeValue", message: "Invalid value for the parameter VisibilityTimeout." });
    await assert.rejects(create("q", { DelaySeconds: "-1" }), { code: "InvalidAttributeValue" });
    await assert.rejects(create("q", { MessageRetentionPeriod: "59" }), { code: "InvalidAttributeValue" });
    await assert.rejects(create("q", { Bogus: "1" }), { code: "InvalidAttributeName", message: "Unknown Attribute Bogus." });
    await assert.rejects(create("q", { ContentBasedDeduplication: "true" }), { code: "InvalidAttributeName" });
    await assert.rejects(create("q", { RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:none","maxReceiveCount":3}' }), {
      message: /Dead letter target does not exist/,
    });
  });

  test("send, receive, delete; the receipt handle is what deletes", async () => {
    const url = await create("q");
    const sent = await sqs.sendMessage(url, { MessageBody: "hello", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } });
    assert.equal(sent.MD5OfMessageBody, "5d41402abc4b2a76b9719d911017c592");
    assert.ok(sent.MD5OfMessageAttributes);
    const [m] = await sqs.receiveMessage(url, { MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] });
    assert.equal(m!.Body, "hello");
    assert.equal(m!.MessageId, sent.MessageId);
    assert.equal(m!.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
    assert.equal(m!.Attributes!.ApproximateReceiveCount, "1");
    assert.equal(m!.Attributes!.SentTimestamp, String(clock.now()));
    assert.deepEqual(await sqs.receiveMessage(url), []);
    await assert.rejects(sqs.deleteMessage(url, "not-a-handle"), { code: "ReceiptHandleIsInvalid" });
    await sqs.deleteMessage(url, m!.ReceiptHandle);
    await sqs.deleteMessage(url, m!.ReceiptHandle); // deleting twice succeeds
    clock.advance(31_000);
    assert.deepEqual(await sqs.receiveMessage(url), []);
  });

  test("an unacknowledged message comes back after its visibility timeout, with a new receipt", async () => {
    const url = await create("q", { VisibilityTimeout: "10" });
    await sqs.sendMessage(url, { MessageBody: "m" });
    const [first] = await sqs.receiveMessage(url);
    clock.advance(9_999);
    assert.deepEqual(await sqs.receiveMessage(url), []);
    assert.equal((await sqs.getQueueAttributes(url, ["ApproximateNumberOfMessagesNotVisible"])).ApproximateNumberOfMessagesNotVisible, "1");
    clock.advance(1);
    const [second] = await sqs.receiveMessage(url, { MessageSystemAttributeNames: ["ApproximateReceiveCount"] });
    assert.equal(second!.MessageId, first!.MessageId);
    assert.equal(second!.Attributes!.ApproximateReceiveCount, "2");
    assert.notEqual(second!.ReceiptHandle, first!.ReceiptHandle);
    // The older receipt no longer deletes (AWS: the request succeeds, the message stays).
    await sqs.deleteMessage(url, first!.ReceiptHandle);
    assert.equal((await sqs.getQueueAttributes(url, ["ApproximateNumberOfMessagesNotVisible"])).ApproximateNumberOfMessagesNotVisible, "1");
    await assert.rejects(sqs.changeMessageVisibility(url, first!.ReceiptHandle, 5), { code: "InvalidParameterValueException", message: /Message does not exist or is not available/ });
  });

  test("ChangeMessageVisibility extends, releases, and refuses a message not in flight", async () => {
    const url = await create("q", { VisibilityTimeout: "10" });
    await sqs.sendMessage(url, { MessageBody: "m" });
    const [m] = await sqs.receiveMessage(url);
    await sqs.changeMessageVisibility(url, m!.ReceiptHandle, 100);
    clock.advance(50_000);
    assert.deepEqual(await sqs.receiveMessage(url), []);
    await sqs.changeMessageVisibility(url, m!.ReceiptHandle, 0);
    const [again] = await sqs.receiveMessage(url, { VisibilityTimeout: 1 });
    clock.advance(2_000);
    await assert.rejects(sqs.changeMessageVisibility(url, again!.ReceiptHandle, 30), { code: "MessageNotInflight", queryCode: "AWS.SimpleQueueService.MessageNotInflight" });
    await assert.rejects(sqs.changeMessageVisibility(url, again!.ReceiptHandle, 43_201), { message: /VisibilityTimeout is invalid/ });
  });

  test("delays: per message and per queue, counted as delayed until due", async () => {
    const url = await create("q", { DelaySeconds: "5" });
    await sqs.sendMessage(url, { MessageBody: "queue delay" });
    await sqs.sendMessage(url, { MessageBody: "no delay", DelaySeconds: 0 });
    await assert.rejects(sqs.sendMessage(url, { MessageBody: "x", DelaySeconds: 901 }), { message: /DelaySeconds must be >= 0 and <= 900/ });
    const counts = await sqs.getQueueAttributes(url, ["All"]);
    assert.equal(counts.ApproximateNumberOfMessages, "1");
    assert.equal(counts.ApproximateNumberOfMessagesDelayed, "1");
    assert.deepEqual((await sqs.receiveMessage(url, { MaxNumberOfMessages: 10 })).map((m) => m.Body), ["no delay"]);
    clock.advance(5_000);
    assert.deepEqual((await sqs.receiveMessage(url, { MaxNumberOfMessages: 10 })).map((m) => m.Body), ["queue delay"]);
  });

  test("a long poll returns as soon as a message arrives", async () => {
    const url = await create("q");
    const polling = sqs.receiveMessage(url, { WaitTimeSeconds: 20 });
    await settle();
    await sqs.sendMessage(url, { MessageBody: "arrived" });
    assert.deepEqual((await polling).map((m) => m.Body), ["arrived"]);
  });

  test("a long poll wakes when a delayed message becomes visible, and ends empty at its wait", async () => {
    const url = await create("q");
    await sqs.sendMessage(url, { MessageBody: "later", DelaySeconds: 5 });
    let timers = clock.pending;
    const polling = sqs.receiveMessage(url, { WaitTimeSeconds: 20 });
    await until(() => clock.pending > timers, "the receive waiting");
    clock.advance(5_000);
    assert.deepEqual((await polling).map((m) => m.Body), ["later"]);
    timers = clock.pending;
    const empty = sqs.receiveMessage(url, { WaitTimeSeconds: 20 });
    await until(() => clock.pending > timers, "the receive waiting");
    clock.advance(20_000);
    assert.deepEqual(await empty, []);
  });

  test("a long poll ends when its caller goes away or the service closes", async () => {
    const url = await create("q");
    const abort = new AbortController();
    const polling = sqs.receiveMessage(url, { WaitTimeSeconds: 20 }, abort.signal);
    await settle();
    abort.abort();
    assert.deepEqual(await polling, []);
    await sqs.sendMessage(url, { MessageBody: "still there" });
    const closing = sqs.receiveMessage(url, { WaitTimeSeconds: 20, MaxNumberOfMessages: 1 });
    assert.deepEqual((await closing).map((m) => m.Body), ["still there"]);
  });

  test("redrive: after maxReceiveCount receives the message moves to the dead-letter queue", async () => {
    const dlqUrl = await create("dlq");
    const url = await create("work", { VisibilityTimeout: "1", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: sqs.arnOf(sqs.queue(dlqUrl)), maxReceiveCount: "2" }) });
    assert.deepEqual((await sqs.listDeadLetterSourceQueues(dlqUrl)).queues.map((q) => q.name), ["work"]);
    const sent = await sqs.sendMessage(url, { MessageBody: "poison", MessageAttributes: { a: { DataType: "Number", StringValue: "1" } } });
    for (let i = 1; i <= 2; i++) {
      const [m] = await sqs.receiveMessage(url, { MessageSystemAttributeNames: ["ApproximateReceiveCount"] });
      assert.equal(m!.Attributes!.ApproximateReceiveCount, String(i));
      clock.advance(1_000);
    }
    assert.deepEqual(await sqs.receiveMessage(url), []);
    const [dead] = await sqs.receiveMessage(dlqUrl, { MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"] });
    assert.equal(dead!.MessageId, sent.MessageId);
    assert.equal(dead!.Body, "poison");
    assert.equal(dead!.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
    assert.equal(dead!.Attributes!.DeadLetterQueueSourceArn, "arn:aws:sqs:us-east-1:123456789012:work");
    assert.equal(dead!.Attributes!.ApproximateReceiveCount, "3");
  });

  test("a dead-letter queue's RedriveAllowPolicy is enforced", async () => {
    const dlqUrl = await create("closed-dlq", { RedriveAllowPolicy: '{"redrivePermission":"denyAll"}' });
    const arn = sqs.arnOf(sqs.queue(dlqUrl));
    await assert.rejects(create("src", { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 1 }) }), { message: /does not have permission/ });
    const fifoDlq = await create("d.fifo", { FifoQueue: "true" });
    await assert.rejects(create("std", { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: sqs.arnOf(sqs.queue(fifoDlq)), maxReceiveCount: 1 }) }), { message: /same type/ });
  });

  test("FIFO: a group is delivered in order, and held while one of its messages is in flight", async () => {
    const url = await create("orders.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
    for (const body of ["a1", "b1", "a2", "a3", "b2"]) await sqs.sendMessage(url, { MessageBody: body, MessageGroupId: body[0]! });
    const first = await sqs.receiveMessage(url, { MaxNumberOfMessages: 1 });
    assert.deepEqual(first.map((m) => m.Body), ["a1"]);
    // a is held by a1 in flight; b is free.
    assert.deepEqual((await sqs.receiveMessage(url, { MaxNumberOfMessages: 10 })).map((m) => m.Body), ["b1", "b2"]);
    assert.deepEqual(await sqs.receiveMessage(url, { MaxNumberOfMessages: 10 }), []);
    await sqs.deleteMessage(url, first[0]!.ReceiptHandle);
    const rest = await sqs.receiveMessage(url, { MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["All"] });
    assert.deepEqual(rest.map((m) => m.Body), ["a2", "a3"]);
    assert.equal(rest[0]!.Attributes!.MessageGroupId, "a");
    assert.ok(BigInt(rest[0]!.Attributes!.SequenceNumber!) < BigInt(rest[1]!.Attributes!.SequenceNumber!));
  });

  test("concurrent sends, receives, deletes and visibility changes share commits: no message reaches two receivers, no duplicate is stored twice", async () => {
    const url = await create("busy");
    for (let i = 0; i < 50; i++) await sqs.sendMessage(url, { MessageBody: `m${i}` });
    // Twelve receives issued together run in one transaction, one after the other.
    const got = (await Promise.all(Array.from({ length: 12 }, () => sqs.receiveMessage(url, { MaxNumberOfMessages: 10 })))).flat();
    assert.deepEqual(got.map((m) => m.Body).sort(), Array.from({ length: 50 }, (_, i) => `m${i}`).sort());
    // A visibility change on a deleted message fails alone; the deletes and the other change beside it commit.
    const [kept, gone, ...rest] = got;
    const outcomes = await Promise.allSettled([
      ...[gone!, ...rest].map((m) => sqs.deleteMessage(url, m.ReceiptHandle)),
      sqs.changeMessageVisibility(url, gone!.ReceiptHandle, 0),
      sqs.changeMessageVisibility(url, kept!.ReceiptHandle, 0),
    ]);
    assert.deepEqual(
      outcomes.map((o) => (o.status === "rejected" ? (o.reason as { code: string }).code : "ok")),
      [...Array(49).fill("ok"), "InvalidParameterValueException", "ok"],
    );
    assert.deepEqual((await sqs.receiveMessage(url, { MaxNumberOfMessages: 10 })).map((m) => m.Body), [kept!.Body]);
    clock.advance(31_000);
    assert.deepEqual((await sqs.receiveMessage(url, { MaxNumberOfMessages: 10 })).map((m) => m.Body), [kept!.Body]);

    // FIFO: concurrent receives never split a group between receivers.
    const fifo = await create("busy.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
    for (const body of ["a1", "b1", "a2", "c1", "b2", "a3"]) await sqs.sendMessage(fifo, { MessageBody: body, MessageGroupId: body[0]! });
    const batches = await Promise.all(Array.from({ length: 4 }, () => sqs.receiveMessage(fifo, { MaxNumberOfMessages: 2 })));
    // As many of one group as fit, in order; a group in flight gives nothing more to the next receiver.
    assert.deepEqual(
      batches.map((b) => b.map((m) => m.Body)),
      [["a1", "a2"], ["b1", "b2"], ["c1"], []],
    );

    // FIFO sends of one deduplication id issued together: one message, whose id and sequence number all get.
    const dup = await create("dup.fifo", { FifoQueue: "true" });
    const sends = await Promise.all(Array.from({ length: 5 }, (_, i) => sqs.sendMessage(dup, { MessageBody: `b${i}`, MessageGroupId: "g", MessageDeduplicationId: "same" })));
    assert.equal(new Set(sends.map((r) => `${r.MessageId} ${r.SequenceNumber}`)).size, 1);
    assert.deepEqual((await sqs.receiveMessage(dup, { MaxNumberOfMessages: 10 })).map((m) => m.Body), ["b0"]);
  });

  test("FIFO: a receive returns as many messages of one group as fit, in order, before another group's", async () => {
    const url = await create("groups.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true", VisibilityTimeout: "5" });
    const send = async (bodies: string[]) => {
      for (const body of bodies) await sqs.sendMessage(url, { MessageBody: body, MessageGroupId: body[0]! });
    };
    await send(["a1", "b1", "a2", "b2", "a3", "c1"]);
    const bodies = async (max: number) => (await sqs.receiveMessage(url, { MaxNumberOfMessages: max })).map((m) => m.Body);
    assert.deepEqual(await bodies(4), ["a1", "a2", "a3", "b1"]);
    assert.deepEqual(await bodies(10), ["c1"]);
    clock.advance(5_000);
    assert.deepEqual(await bodies(10), ["a1", "a2", "a3", "b1", "b2", "c1"]);
    // A group's messages far behind other groups' are still found.
    clock.advance(5_000);
    const many = Array.from({ length: 30 }, (_, i) => `x${i}`);
    await send([...many, "a4"]);
    assert.deepEqual(await bodies(10), ["a1", "a2", "a3", "a4", "b1", "b2", "c1", "x0", "x1", "x2"]);
    // A visibility change puts a1 back while a2 is still in flight: the group waits for a2.
    clock.advance(5_000);
    const again = await sqs.receiveMessage(url, { MaxNumberOfMessages: 2 });
    assert.deepEqual(again.map((m) => m.Body), ["a1", "a2"]);
    await sqs.changeMessageVisibility(url, again[0]!.ReceiptHandle, 0);
    assert.deepEqual(await bodies(10), ["b1", "b2", "c1", ...many.slice(0, 7)]);
  });

  test("FIFO: redrive inside a receive moves an over-received message and goes on with its group", async () => {
    const dlq = await create("dead.fifo", { FifoQueue: "true" });
    const url = await create("work.fifo", {
      FifoQueue: "true",
      ContentBasedDeduplication: "true",
      VisibilityTimeout: "1",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: sqs.arnOf(sqs.queue(dlq)), maxReceiveCount: 1 }),
    });
    for (const body of ["a1", "a2", "b1"]) await sqs.sendMessage(url, { MessageBody: body, MessageGroupId: body[0]! });
    assert.deepEqual((await sqs.receiveMessage(url, { MaxNumberOfMessages: 1 })).map((m) => m.Body), ["a1"]);
    clock.advance(1_000);
    assert.deepEqual((await sqs.receiveMessage(url, { MaxNumberOfMessages: 2 })).map((m) => m.Body), ["a2", "b1"]);
    assert.deepEqual((await sqs.receiveMessage(dlq, { MaxNumberOfMessages: 10 })).map((m) => m.Body), ["a1"]);
  });

  test("FIFO: deduplication by id or content within 5 minutes, per queue or per group", async () => {
    const url = await create("d.fifo", { FifoQueue: "true" });
    await assert.rejects(sqs.sendMessage(url, { MessageBody: "x", MessageGroupId: "g" }), { message: /ContentBasedDeduplication enabled or MessageDeduplicationId/ });
    await assert.rejects(sqs.sendMessage(url, { MessageBody: "x", MessageDeduplicationId: "d" }), { code: "MissingRequiredParameterException", queryCode: "MissingParameter" });
    await assert.rejects(sqs.sendMessage(url, { MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d", DelaySeconds: 5 }), { message: /not valid for this queue type/ });
    const one = await sqs.sendMessage(url, { MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d" });
    const two = await sqs.sendMessage(url, { MessageBody: "y", MessageGroupId: "g", MessageDeduplicationId: "d" });
    assert.equal(two.MessageId, one.MessageId);
    assert.equal(two.SequenceNumber, one.SequenceNumber);
    assert.equal(two.MD5OfMessageBody, "415290769594460e2e485922904f345d"); // its own body's digest, which SDKs check
    const batch = await sqs.sendMessageBatch(url, [
      { Id: "a", MessageBody: "z", MessageGroupId: "g", MessageDeduplicationId: "e" },
      { Id: "b", MessageBody: "z", MessageGroupId: "g", MessageDeduplicationId: "e" },
    ]);
    assert.equal(batch.Successful[0]!.MessageId, batch.Successful[1]!.MessageId);
    assert.deepEqual((await sqs.receiveMessage(url, { MaxNumberOfMessages: 10 })).map((m) => m.Body), ["x", "z"]);
    clock.advance(5 * 60_000);
    const three = await sqs.sendMessage(url, { MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d" });
    assert.notEqual(three.MessageId, one.MessageId);

    const cb = await create("cb.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true", DeduplicationScope: "messageGroup" });
    const a = await sqs.sendMessage(cb, { MessageBody: "same", MessageGroupId: "g1" });
    const b = await sqs.sendMessage(cb, { MessageBody: "same", MessageGroupId: "g1" });
    const c = await sqs.sendMessage(cb, { MessageBody: "same", MessageGroupId: "g2" });
    assert.equal(a.MessageId, b.MessageId);
    assert.notEqual(a.MessageId, c.MessageId);
  });

  test("messages older than MessageRetentionPeriod are gone", async () => {
    const url = await create("q", { MessageRetentionPeriod: "60" });
    await sqs.sendMessage(url, { MessageBody: "old" });
    clock.advance(60_000);
    await sqs.sendMessage(url, { MessageBody: "new" });
    assert.equal((await sqs.getQueueAttributes(url, ["ApproximateNumberOfMessages"])).ApproximateNumberOfMessages, "1");
    assert.deepEqual((await sqs.receiveMessage(url, { MaxNumberOfMessages: 10 })).map((m) => m.Body), ["new"]);
    await settle();
    assert.equal(await store.queues.purge("q", clock.now() - 60_000), 0, "the sweep has deleted the expired message");
  });

  test("PurgeQueue empties a queue once per 60 seconds", async () => {
    const url = await create("q");
    await sqs.sendMessageBatch(url, [
      { Id: "1", MessageBody: "a" },
      { Id: "2", MessageBody: "b" },
    ]);
    await sqs.purgeQueue(url);
    assert.deepEqual(await sqs.receiveMessage(url), []);
    await assert.rejects(sqs.purgeQueue(url), { code: "PurgeQueueInProgress", status: 403 });
    clock.advance(60_000);
    await sqs.purgeQueue(url);
  });

  test("batches: request-level limits, and per-entry failures beside successes", async () => {
    const url = await create("q");
    await assert.rejects(sqs.sendMessageBatch(url, []), { code: "EmptyBatchRequest" });
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: "x" }));
    await assert.rejects(sqs.sendMessageBatch(url, eleven), { code: "TooManyEntriesInBatchRequest", message: "Maximum number of entries per request are 10. You have sent 11." });
    await assert.rejects(sqs.sendMessageBatch(url, [{ Id: "a", MessageBody: "x" }, { Id: "a", MessageBody: "y" }]), { code: "BatchEntryIdsNotDistinct" });
    await assert.rejects(sqs.sendMessageBatch(url, [{ Id: "bad id", MessageBody: "x" }]), { code: "InvalidBatchEntryId" });
    const big = "x".repeat(100_000);
    await assert.rejects(sqs.sendMessageBatch(url, [1, 2, 3].map((i) => ({ Id: `b${i}`, MessageBody: big }))), { code: "BatchRequestTooLong" });
    await assert.rejects(sqs.sendMessage(url, { MessageBody: "x".repeat(262_145) }), { message: /Message must be shorter than 262144 bytes/ });
    const mixed = await sqs.sendMessageBatch(url, [
      { Id: "ok", MessageBody: "fine" },
      { Id: "bad", MessageBody: "nul\u0000" },
      { Id: "empty", MessageBody: "" },
    ]);
    assert.deepEqual(mixed.Successful.map((s) => s.Id), ["ok"]);
    assert.deepEqual(
      mixed.Failed.map((f) => [f.Id, f.Code, f.SenderFault]),
      [
        ["bad", "InvalidMessageContents", true],
        ["empty", "MissingParameter", true],
      ],
    );
    const [m] = await sqs.receiveMessage(url);
    const del = await sqs.deleteMessageBatch(url, [
      { Id: "x", ReceiptHandle: m!.ReceiptHandle },
      { Id: "y", ReceiptHandle: "garbage" },
    ]);
    assert.deepEqual(del.Successful, [{ Id: "x" }]);
    assert.equal(del.Failed[0]!.Code, "ReceiptHandleIsInvalid");
  });

  test("queues persist with their messages; deleting a queue deletes its messages", async () => {
    const url = await create("kept", { VisibilityTimeout: "77" });
    await sqs.sendMessage(url, { MessageBody: "survives" });
    await sqs.tagQueue(url, { team: "flint" });
    await sqs.close();
    const reopened = await SqsService.create(ACCOUNT, store.queues, clock);
    assert.equal((await reopened.getQueueAttributes(url, ["VisibilityTimeout"])).VisibilityTimeout, "77");
    assert.deepEqual(await reopened.listQueueTags(url), { team: "flint" });
    assert.deepEqual((await reopened.receiveMessage(url)).map((m) => m.Body), ["survives"]);
    await reopened.deleteQueue(url);
    assert.throws(() => reopened.queue(url), { code: "QueueDoesNotExist" });
    await reopened.createQueue({ QueueName: "kept" });
    assert.deepEqual(await reopened.receiveMessage(url), []);
    await reopened.close();
  });

  test("ListQueues filters by prefix and pages with MaxResults", async () => {
    for (const n of ["a1", "a2", "a3", "b1"]) await create(n);
    assert.deepEqual(sqs.listQueues({ QueueNamePrefix: "a" }).queues.map((q) => q.name), ["a1", "a2", "a3"]);
    const first = sqs.listQueues({ MaxResults: 2 });
    assert.deepEqual(first.queues.map((q) => q.name), ["a1", "a2"]);
    const second = sqs.listQueues({ MaxResults: 2, NextToken: first.nextToken });
    assert.deepEqual(second.queues.map((q) => q.name), ["a3", "b1"]);
    assert.equal(second.nextToken, undefined);
    assert.throws(() => sqs.listQueues({ MaxResults: 1001 }), { message: /MaxResults must be an integer between 1 and 1000/ });
  });
});
