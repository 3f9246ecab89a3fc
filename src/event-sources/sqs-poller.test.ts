/**
 * The SQS poller in-process (shared/reference/event-sources.md §2, SQS standard): the real SQS
 * service on a real SQLite store, a scripted function and a clock the tests move.
 */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ManualClock } from "../clock/manual-clock.js";
import type { MappingRecord } from "../services/lambda/event-source-mappings.js";
import { SqsService } from "../services/sqs/service.js";
import { SqliteStore } from "../store/sqlite.js";
import { type Answer, type Call, elapse, harness, type Harness, mapping, until } from "./poller-harness.js";

const ACCOUNT = { region: "us-east-1", accountId: "000000000000" };
const QUEUE = "arn:aws:sqs:us-east-1:000000000000:orders";
const NON_EXISTENT = "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.";

const bodies = (call: Call) => call.event.Records.map((r) => r.body as string);
const seen = (h: Harness) => h.calls.flatMap(bodies);

describe("SQS poller", () => {
  let dir: string;
  let store: SqliteStore;
  let clock: ManualClock;
  let sqs: SqsService;
  let h: Harness;

  const start = async (over: Partial<MappingRecord> = {}, answer?: Harness["answer"]) => {
    h = harness(clock, store.mappings, { sqs, streams: {} });
    if (answer) h.answer = answer;
    const m = mapping({ eventSourceArn: QUEUE, source: "sqs", ...over });
    await h.pollers.apply(m.uuid, m);
    return m;
  };
  const send = async (...messages: string[]) => {
    for (const MessageBody of messages) await sqs.sendMessage(QUEUE, { MessageBody });
  };
  /** Messages in the queue: visible, and in flight. */
  const counts = async () => {
    const a = await sqs.getQueueAttributes(QUEUE, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]);
    return { visible: Number(a.ApproximateNumberOfMessages), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible) };
  };
  const empty = async () => {
    const c = await counts();
    return c.visible === 0 && c.inFlight === 0;
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flint-sqs-poller-"));
    store = SqliteStore.open(dir);
    clock = new ManualClock();
    sqs = await SqsService.create(ACCOUNT, store.queues, clock);
    await sqs.createQueue({ QueueName: "orders", Attributes: { VisibilityTimeout: "30" } });
  });
  afterEach(async () => {
    await h.pollers.close();
    await sqs.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("a batch that succeeds is deleted", async () => {
    await send("a", "b", "c");
    await start();
    await until(clock, empty, "an empty queue");
    assert.deepEqual(h.calls.map(bodies), [["a", "b", "c"]]);
    const r = h.calls[0]!.event.Records[0]!;
    assert.equal(r.eventSource, "aws:sqs");
    assert.equal(r.eventSourceARN, QUEUE);
    assert.equal(r.awsRegion, "us-east-1");
    assert.equal((r.attributes as Record<string, string>).ApproximateReceiveCount, "1");
    assert.equal(h.reports.at(-1)!.lastProcessingResult, "OK");
  });

  test("a failed batch stays in the queue and reappears after the visibility timeout", async () => {
    await send("a", "b");
    const t0 = clock.now();
    await start({}, (_e, n) => (n === 0 ? "throw" : "ok"));
    await until(clock, () => h.calls.length === 1, "the first attempt");
    assert.deepEqual(await counts(), { visible: 0, inFlight: 2 });
    assert.equal(h.reports.at(-1)!.lastProcessingResult, "PROBLEM: Function call failed");
    await until(clock, () => h.calls.length === 2, "the second attempt", { stepMs: 100 });
    assert.ok(clock.now() - t0 >= 30_000, "not before the queue's VisibilityTimeout");
    assert.deepEqual(bodies(h.calls[1]!).sort(), ["a", "b"]);
    assert.ok(h.calls[1]!.event.Records.every((r) => (r.attributes as Record<string, string>).ApproximateReceiveCount === "2"));
    await until(clock, empty, "an empty queue");
  });

  test("when window and function timeout outlast the queue's visibility timeout, a failed batch stays invisible for both plus 30 s", async () => {
    await send("a");
    const t0 = clock.now();
    // 40 s window + 3 s function timeout > 30 s: 73 s.
    await start({ batchSize: 50, maximumBatchingWindowInSeconds: 40 }, (_e, n) => (n === 0 ? "throw" : "ok"));
    await until(clock, () => h.calls.length === 1, "the first attempt", { stepMs: 100 });
    await until(clock, () => h.calls.length === 2, "the second attempt", { stepMs: 100 });
    // Received again at 73 s, then the window (40 s) runs before the second invocation.
    assert.ok(clock.now() - t0 >= 73_000 + 40_000, `${clock.now() - t0} ms`);
    assert.ok(clock.now() - t0 < 73_000 + 40_000 + 1_000, `${clock.now() - t0} ms`);
  });

  test("partial batch failures: only the successes are deleted", async () => {
    await send("a", "b", "c");
    const failB = (e: Call["event"]): Answer => ({ failures: e.Records.filter((r) => r.body === "b").map((r) => r.messageId as string) });
    await start({ functionResponseTypes: ["ReportBatchItemFailures"] }, failB);
    await until(clock, async () => h.calls.length === 1 && (await counts()).inFlight === 1, "the successes deleted");
    assert.deepEqual(await counts(), { visible: 0, inFlight: 1 });
    await until(clock, () => h.calls.length === 2, "b again", { stepMs: 100 });
    assert.deepEqual(bodies(h.calls[1]!), ["b"]);
  });

  test("a partial response naming a message not in the batch fails the whole batch", async () => {
    await send("a", "b");
    await start({ functionResponseTypes: ["ReportBatchItemFailures"] }, (_e, n) => (n === 0 ? { failures: ["not-in-batch"] } : "ok"));
    await until(clock, () => h.calls.length === 1, "the first attempt");
    await elapse(clock, 100);
    assert.deepEqual(await counts(), { visible: 0, inFlight: 2 });
    await until(clock, empty, "an empty queue", { stepMs: 100 });
    assert.equal(h.calls.length, 2);
  });

  test("FIFO: a failing batch is retried before later messages of its group", async () => {
    const fifo = "arn:aws:sqs:us-east-1:000000000000:orders.fifo";
    await sqs.createQueue({ QueueName: "orders.fifo", Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true", VisibilityTimeout: "30" } });
    for (const body of ["1", "2", "3", "4", "5"]) await sqs.sendMessage(fifo, { MessageBody: body, MessageGroupId: "g" });
    await start({ eventSourceArn: fifo, batchSize: 2 }, (_e, n) => (n === 0 ? "throw" : "ok"));
    await until(clock, () => seen(h).includes("5"), "5", { stepMs: 100 });
    assert.deepEqual(h.calls.map(bodies), [["1", "2"], ["1", "2"], ["3", "4"], ["5"]]);
  });

  test("messages the filters refuse are deleted without invoking", async () => {
    await send(JSON.stringify({ kind: "keep" }), JSON.stringify({ kind: "drop" }));
    await start({ filters: [{ Pattern: JSON.stringify({ body: { kind: ["keep"] } }) }] });
    await until(clock, empty, "an empty queue");
    assert.deepEqual(seen(h), [JSON.stringify({ kind: "keep" })]);
    await send(JSON.stringify({ kind: "drop" }));
    await until(clock, empty, "the dropped message deleted");
    await elapse(clock, 1_000);
    assert.equal(h.calls.length, 1);
  });

  test("the batching window gathers more than 10 messages into one batch", async () => {
    await send(...Array.from({ length: 15 }, (_, i) => `m${i}`));
    const t0 = clock.now();
    await start({ batchSize: 50, maximumBatchingWindowInSeconds: 5 });
    await until(clock, () => h.calls.length === 1, "the window's batch");
    assert.equal(h.calls[0]!.event.Records.length, 15);
    assert.ok(clock.now() - t0 >= 5_000, "the window ran to its end");
    await until(clock, empty, "an empty queue");
  });

  test("a full batch goes as soon as BatchSize is reached, window or not", async () => {
    await send(...Array.from({ length: 20 }, (_, i) => `m${i}`));
    const t0 = clock.now();
    await start({ batchSize: 20, maximumBatchingWindowInSeconds: 60 });
    await until(clock, () => h.calls.length === 1, "the full batch");
    assert.equal(h.calls[0]!.event.Records.length, 20);
    assert.ok(clock.now() - t0 < 1_000);
  });

  test("MaximumConcurrency bounds the batches in flight", async () => {
    await send(...Array.from({ length: 100 }, (_, i) => `m${i}`));
    const waiting: (() => void)[] = [];
    await start({ maximumConcurrency: 2 }, () => new Promise<Answer>((r) => waiting.push(() => r("ok"))));
    await until(clock, () => h.inFlight === 2, "2 in flight");
    await elapse(clock, 1_000);
    assert.equal(h.inFlight, 2);
    // Answer everything as it comes: the backlog drains with never more than 2 at once.
    h.answer = () => "ok";
    for (const w of waiting.splice(0)) w();
    await until(clock, empty, "an empty queue");
    assert.equal(h.maxInFlight, 2);
    assert.equal(seen(h).length, 100);
  });

  test("after a backlog, pollers whose long polls end together leave one polling", async () => {
    await send(...Array.from({ length: 10 }, (_, i) => `m${i}`));
    await start();
    await until(clock, empty, "the backlog drained");
    // Every poller's long poll (20 s) ends empty; one must stay.
    await elapse(clock, 45_000, 100);
    await send("later");
    await until(clock, () => seen(h).includes("later"), "later");
  });

  test("a disabled mapping stops polling and, enabled again, takes up what waited", async () => {
    const m = await start();
    await elapse(clock, 100);
    await h.pollers.apply(m.uuid, { ...m, enabled: false });
    await send("while-disabled");
    await elapse(clock, 25_000, 100);
    assert.equal(h.calls.length, 0);
    assert.deepEqual(await counts(), { visible: 1, inFlight: 0 });
    await h.pollers.apply(m.uuid, m);
    await until(clock, empty, "an empty queue");
    assert.deepEqual(seen(h), ["while-disabled"]);
  });

  test("a throttled batch is retried while its messages are still invisible", async () => {
    await send("a");
    await start({}, (_e, n) => (n < 3 ? "throttled" : "ok"));
    await until(clock, empty, "an empty queue");
    assert.equal(h.calls.length, 4);
    assert.ok(clock.now() - Date.UTC(2024, 0, 1) < 30_000, "within the visibility timeout");
    assert.ok(h.reports.some((r) => r.lastProcessingResult === "PROBLEM: Function call throttled"));
  });

  test("a batch throttled until its messages are about to reappear is left to the queue, never handled by two pollers", async () => {
    await send("a");
    const t0 = clock.now();
    const calls: { at: number; receiveCount: unknown }[] = [];
    await start({}, (e) => {
      calls.push({ at: clock.now(), receiveCount: (e.Records[0]!.attributes as Record<string, string>).ApproximateReceiveCount });
      return clock.now() - t0 < 45_000 ? "throttled" : "ok";
    });
    await until(clock, empty, "an empty queue", { stepMs: 100 });
    // Every attempt of the first receive ended before its visibility timeout (30 s) ran out.
    assert.ok(calls.filter((c) => c.receiveCount === "1").every((c) => c.at - t0 < 30_000));
    assert.ok(calls.some((c) => c.receiveCount === "2"), "received again once visible");
  });

  test("an invocation that fails unexpectedly does not stop the mapping", async () => {
    await send("a");
    await start({}, (_e, n) => {
      if (n === 0) throw new Error("the invoke path broke");
      return "ok";
    });
    await until(clock, empty, "an empty queue", { stepMs: 100 });
    assert.equal(h.calls.length, 2);
  });

  test("a queue deleted while a batching window is open is reported as missing, not as a permission problem", async () => {
    await send("a");
    await start({ batchSize: 50, maximumBatchingWindowInSeconds: 10 });
    await elapse(clock, 1_000);
    await sqs.deleteQueue(QUEUE);
    await until(clock, () => h.reports.some((r) => r.stateTransitionReason !== undefined), "a report");
    assert.deepEqual(h.reports.find((r) => r.stateTransitionReason !== undefined), { lastProcessingResult: `PROBLEM: ${NON_EXISTENT}`, stateTransitionReason: NON_EXISTENT });
  });

  test("a deleted queue is reported", async () => {
    await start();
    await elapse(clock, 100);
    await sqs.deleteQueue(QUEUE);
    await until(clock, () => h.reports.some((r) => r.stateTransitionReason !== undefined), "a report");
    assert.deepEqual(h.reports.find((r) => r.stateTransitionReason !== undefined), { lastProcessingResult: `PROBLEM: ${NON_EXISTENT}`, stateTransitionReason: NON_EXISTENT });
  });
});
