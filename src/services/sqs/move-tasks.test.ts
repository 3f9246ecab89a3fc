/** Message move tasks (dead-letter queue redrive) in-process, on a real SQLite store and a clock the tests move. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ManualClock } from "../../clock/manual-clock.js";
import { SqliteStore } from "../../store/sqlite.js";
import { SqsService } from "./service.js";
import { taskHandle } from "./move-tasks.js";

const ACCOUNT = { region: "us-east-1", accountId: "123456789012" };
const BASE = "http://localhost:9000";
const arnOf = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;

describe("SQS message move tasks", () => {
  let dir: string;
  let store: SqliteStore;
  let clock: ManualClock;
  let sqs: SqsService;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flint-sqs-move-"));
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
  /** A source queue whose messages go to `dlq` on their second receive. */
  const pair = async (src: string, dlq: string, fifo = false) => {
    const fifoAttrs = fifo ? { FifoQueue: "true", ContentBasedDeduplication: "true" } : undefined;
    const dlqUrl = await create(dlq, fifoAttrs);
    const srcUrl = await create(src, { ...fifoAttrs, RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf(dlq), maxReceiveCount: 1 }) });
    return { srcUrl, dlqUrl };
  };
  /** Send each body to `src` and have a receive move them to its dead-letter queue. */
  const deadLetter = async (srcUrl: string, bodies: string[], extra: object = {}) => {
    for (const body of bodies) await sqs.sendMessage(srcUrl, { MessageBody: body, ...extra });
    for (let i = 0; i < bodies.length; i++) assert.equal((await sqs.receiveMessage(srcUrl, { VisibilityTimeout: 0 })).length, 1);
    assert.deepEqual(await sqs.receiveMessage(srcUrl, { MaxNumberOfMessages: 10 }), []);
  };
  const visible = async (url: string) => (await sqs.getQueueAttributes(url, ["ApproximateNumberOfMessages"])).ApproximateNumberOfMessages;
  const latest = (source: string) => sqs.listMessageMoveTasks(arnOf(source))[0]!;

  test("without DestinationArn each message goes back to the queue it was dead-lettered from, as a new message", async () => {
    const { srcUrl, dlqUrl } = await pair("orders", "orders-dlq");
    const other = await create("billing", { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf("orders-dlq"), maxReceiveCount: 1 }) });
    const attrs = { k: { DataType: "String", StringValue: "v" } };
    await deadLetter(srcUrl, ["poison"], { MessageAttributes: attrs, MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: "Root=1-abc" } } });
    await deadLetter(other, ["bill"]);
    const [dead] = await sqs.receiveMessage(dlqUrl, { VisibilityTimeout: 0, MaxNumberOfMessages: 1 });
    const started = clock.now();

    const { TaskHandle } = await sqs.startMessageMoveTask({ SourceArn: arnOf("orders-dlq") });
    assert.deepEqual(JSON.parse(Buffer.from(TaskHandle, "base64").toString()), { taskId: JSON.parse(Buffer.from(TaskHandle, "base64").toString()).taskId, sourceArn: arnOf("orders-dlq") });
    await sqs.moveTasksSettled();

    assert.equal(await visible(dlqUrl), "0");
    const [back] = await sqs.receiveMessage(srcUrl, { MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] });
    assert.equal(back!.Body, "poison");
    assert.notEqual(back!.MessageId, dead!.MessageId, "a redriven message is a new message");
    assert.deepEqual(back!.MessageAttributes, attrs);
    assert.equal(back!.Attributes!.ApproximateReceiveCount, "1");
    assert.equal(back!.Attributes!.SentTimestamp, String(clock.now()));
    assert.equal(back!.Attributes!.AWSTraceHeader, "Root=1-abc");
    assert.equal(back!.Attributes!.DeadLetterQueueSourceArn, undefined);
    assert.deepEqual((await sqs.receiveMessage(other)).map((m) => m.Body), ["bill"]);
    assert.deepEqual(sqs.listMessageMoveTasks(arnOf("orders-dlq")), [
      { Status: "COMPLETED", SourceArn: arnOf("orders-dlq"), ApproximateNumberOfMessagesMoved: 2, ApproximateNumberOfMessagesToMove: 2, StartedTimestamp: started },
    ]);
  });

  test("to a named destination at MaxNumberOfMessagesPerSecond; RUNNING shows its handle; cancel stops it", async () => {
    const { srcUrl, dlqUrl } = await pair("src", "dlq");
    const dest = await create("dest");
    await deadLetter(srcUrl, ["m1", "m2", "m3", "m4"]);

    const { TaskHandle } = await sqs.startMessageMoveTask({ SourceArn: arnOf("dlq"), DestinationArn: arnOf("dest"), MaxNumberOfMessagesPerSecond: 1 });
    await sqs.moveTasksSettled();
    assert.equal(await visible(dest), "1", "the first message moves at once");
    assert.deepEqual(latest("dlq"), {
      TaskHandle,
      Status: "RUNNING",
      SourceArn: arnOf("dlq"),
      DestinationArn: arnOf("dest"),
      MaxNumberOfMessagesPerSecond: 1,
      ApproximateNumberOfMessagesMoved: 1,
      ApproximateNumberOfMessagesToMove: 4,
      StartedTimestamp: clock.now(),
    });
    await assert.rejects(sqs.startMessageMoveTask({ SourceArn: arnOf("dlq") }), {
      code: "InvalidParameterValueException",
      queryCode: "InvalidParameterValue",
      message: "There is already a task running. Only one active task is allowed for a source queue arn at a given time.",
    });
    clock.advance(999);
    await sqs.moveTasksSettled();
    assert.equal(await visible(dest), "1", "one a second");
    clock.advance(1);
    await sqs.moveTasksSettled();
    assert.equal(await visible(dest), "2");

    assert.deepEqual(await sqs.cancelMessageMoveTask(TaskHandle), { ApproximateNumberOfMessagesMoved: 2 });
    await sqs.moveTasksSettled();
    clock.advance(5000);
    await sqs.moveTasksSettled();
    const cancelled = latest("dlq");
    assert.equal(cancelled.Status, "CANCELLED");
    assert.equal(cancelled.TaskHandle, undefined);
    assert.equal(cancelled.ApproximateNumberOfMessagesMoved, 2);
    assert.equal(await visible(dest), "2");
    assert.equal(await visible(dlqUrl), "2", "what was not moved stays in the dead-letter queue");
    await assert.rejects(sqs.cancelMessageMoveTask(TaskHandle), { code: "ResourceNotFoundException", message: "Task does not exist." });

    // A new task may start now; the list is newest first.
    await sqs.startMessageMoveTask({ SourceArn: arnOf("dlq"), DestinationArn: arnOf("dest") });
    await sqs.moveTasksSettled();
    assert.equal(await visible(dest), "4");
    assert.deepEqual(
      sqs.listMessageMoveTasks(arnOf("dlq"), 10).map((t) => t.Status),
      ["COMPLETED", "CANCELLED"],
    );
  });

  test("a message not dead-lettered by a redrive policy fails a task without a destination (CouldNotDetermineMessageSource)", async () => {
    const { dlqUrl } = await pair("src", "dlq");
    await sqs.sendMessage(dlqUrl, { MessageBody: "direct" });
    await sqs.startMessageMoveTask({ SourceArn: arnOf("dlq") });
    await sqs.moveTasksSettled();
    const task = latest("dlq");
    assert.equal(task.Status, "FAILED");
    assert.equal(task.FailureReason, "CouldNotDetermineMessageSource");
    assert.equal(task.ApproximateNumberOfMessagesMoved, 0);
    assert.equal(await visible(dlqUrl), "1");
  });

  test("a destination deleted while the task runs fails it (AWS.SimpleQueueService.NonExistentQueue)", async () => {
    const { srcUrl, dlqUrl } = await pair("src", "dlq");
    const dest = await create("dest");
    await deadLetter(srcUrl, ["a", "b", "c"]);
    await sqs.startMessageMoveTask({ SourceArn: arnOf("dlq"), DestinationArn: arnOf("dest"), MaxNumberOfMessagesPerSecond: 1 });
    await sqs.moveTasksSettled();
    await sqs.deleteQueue(dest);
    clock.advance(1000);
    await sqs.moveTasksSettled();
    const task = latest("dlq");
    assert.equal(task.Status, "FAILED");
    assert.equal(task.FailureReason, "AWS.SimpleQueueService.NonExistentQueue");
    assert.equal(task.ApproximateNumberOfMessagesMoved, 1);
    assert.equal(await visible(dlqUrl), "2");
  });

  test("FIFO: the group is kept, the deduplication id is the dead-lettered message's id, and no deduplication drops it", async () => {
    const { srcUrl } = await pair("src.fifo", "dlq.fifo", true);
    await sqs.sendMessage(srcUrl, { MessageBody: "first", MessageGroupId: "g" });
    const [r1] = await sqs.receiveMessage(srcUrl, { VisibilityTimeout: 0 });
    assert.deepEqual(await sqs.receiveMessage(srcUrl), []);
    await create("std");
    await assert.rejects(sqs.startMessageMoveTask({ SourceArn: arnOf("dlq.fifo"), DestinationArn: arnOf("std") }), {
      message: "The source queue and destination queue must be of the same queue type.",
    });
    // Within the 5-minute window of the original send: a send of the same body would be a duplicate.
    await sqs.startMessageMoveTask({ SourceArn: arnOf("dlq.fifo") });
    await sqs.moveTasksSettled();
    const [back] = await sqs.receiveMessage(srcUrl, { MessageSystemAttributeNames: ["All"] });
    assert.equal(back!.Body, "first");
    assert.equal(back!.Attributes!.MessageGroupId, "g");
    assert.equal(back!.Attributes!.MessageDeduplicationId, r1!.MessageId);
    assert.notEqual(back!.MessageId, r1!.MessageId);
    assert.ok(back!.Attributes!.SequenceNumber);
  });

  test("a task RUNNING when the service stops is resumed by the next one, and finishes", async () => {
    const { srcUrl } = await pair("src", "dlq");
    const dest = await create("dest");
    await deadLetter(srcUrl, ["a", "b", "c"]);
    await sqs.startMessageMoveTask({ SourceArn: arnOf("dlq"), DestinationArn: arnOf("dest"), MaxNumberOfMessagesPerSecond: 1 });
    await sqs.moveTasksSettled();
    await sqs.close();
    sqs = await SqsService.create(ACCOUNT, store.queues, clock);
    assert.equal(latest("dlq").Status, "RUNNING");
    await sqs.moveTasksSettled();
    clock.advance(1000);
    await sqs.moveTasksSettled();
    clock.advance(1000);
    await sqs.moveTasksSettled();
    assert.equal(latest("dlq").Status, "COMPLETED");
    assert.equal(latest("dlq").ApproximateNumberOfMessagesMoved, 3);
    assert.equal(await visible(dest), "3", "none lost, none doubled");
  });

  test("each documented error", async () => {
    const { srcUrl } = await pair("src", "dlq");
    await create("dest");
    const notFound = (parameter: string) => ({ code: "ResourceNotFoundException", queryCode: "ResourceNotFoundException", message: `The resource that you specified for the ${parameter} parameter doesn't exist.` });
    await assert.rejects(sqs.startMessageMoveTask({ SourceArn: arnOf("nope") }), notFound("SourceArn"));
    await assert.rejects(sqs.startMessageMoveTask({ SourceArn: arnOf("src") }), { code: "InvalidParameterValueException", queryCode: "InvalidParameterValue", message: "Source queue must be configured as a Dead Letter Queue." });
    await assert.rejects(sqs.startMessageMoveTask({ SourceArn: arnOf("dlq"), DestinationArn: arnOf("nope") }), notFound("DestinationArn"));
    await assert.rejects(sqs.startMessageMoveTask({ SourceArn: arnOf("dlq"), DestinationArn: arnOf("dlq") }), { message: "Source queue arn and destination queue arn cannot be the same." });
    for (const rate of [0, 501]) {
      await assert.rejects(sqs.startMessageMoveTask({ SourceArn: arnOf("dlq"), MaxNumberOfMessagesPerSecond: rate }), {
        queryCode: "InvalidParameterValue",
        message: `Value ${rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.`,
      });
    }
    assert.throws(() => sqs.listMessageMoveTasks(arnOf("nope")), notFound("SourceArn"));
    for (const max of [0, 11]) assert.throws(() => sqs.listMessageMoveTasks(arnOf("dlq"), max), { message: `Value ${max} for parameter MaxResults is invalid. Reason: Must be between 1 and 10.` });
    assert.deepEqual(sqs.listMessageMoveTasks(arnOf("dlq")), []);
    await assert.rejects(sqs.cancelMessageMoveTask("foobared"), { queryCode: "InvalidParameterValue", message: "Value for parameter TaskHandle is invalid." });
    await assert.rejects(sqs.cancelMessageMoveTask(taskHandle("10f57157-fc38-4da9-a113-4de7e12d05dd", arnOf("nope"))), notFound("SourceArn"));
    await assert.rejects(sqs.cancelMessageMoveTask(taskHandle("10f57157-fc38-4da9-a113-4de7e12d05aa", arnOf("dlq"))), { code: "ResourceNotFoundException", message: "Task does not exist." });
    // A task with nothing to move completes at once, and cannot be cancelled.
    const { TaskHandle } = await sqs.startMessageMoveTask({ SourceArn: arnOf("dlq") });
    await sqs.moveTasksSettled();
    assert.equal(latest("dlq").Status, "COMPLETED");
    assert.equal(latest("dlq").ApproximateNumberOfMessagesToMove, 0);
    await assert.rejects(sqs.cancelMessageMoveTask(TaskHandle), { message: "Task does not exist." });
    void srcUrl;
  });

  test("a queue keeps its ten most recent tasks", async () => {
    await pair("src", "dlq");
    for (let i = 0; i < 12; i++) {
      await sqs.startMessageMoveTask({ SourceArn: arnOf("dlq"), MaxNumberOfMessagesPerSecond: i + 1 });
      await sqs.moveTasksSettled();
    }
    const all = sqs.listMessageMoveTasks(arnOf("dlq"), 10);
    assert.deepEqual(
      all.map((t) => t.MaxNumberOfMessagesPerSecond),
      [12, 11, 10, 9, 8, 7, 6, 5, 4, 3],
    );
    assert.equal(sqs.listMessageMoveTasks(arnOf("dlq")).length, 1);
  });
});
