/**
 * SQS event source mappings end to end: a real `flint serve`, queues and mappings made with the SDK
 * as a user makes them, and a function (`esm-sink.js`) that reports every batch it gets to a sink
 * queue and fails, or fails in part, when its messages ask it to.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CreateEventSourceMappingCommand, DeleteEventSourceMappingCommand, GetEventSourceMappingCommand, PublishVersionCommand, PutFunctionConcurrencyCommand, UpdateEventSourceMappingCommand, waitUntilPublishedVersionActive } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { ACCOUNT, REGION, ROOT, TEST_CREDENTIALS, startFlint, uniqueName, type FlintProcess } from "../harness/flint.js";
import { createFunction, WAITER } from "../harness/functions.js";
import { sdkClient } from "../harness/sqs-clients.js";
import { createExecutionRole } from "../harness/permissions.js";
import { eventually } from "../harness/processes.js";
import { zipFixture } from "../harness/zip.js";
import { execFile } from "node:child_process";
import path from "node:path";

/** `flint mappings --endpoint` as a user runs it. */
const flintMappings = (endpoint: string, args: string[] = []) =>
  new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(process.execPath, [path.join(ROOT, "dist/src/cli/main.js"), "mappings", "--endpoint", endpoint, ...args], { env: { PATH: process.env.PATH ?? "" } }, (err, stdout) => resolve({ code: err ? Number(err.code) : 0, stdout }));
  });

interface Report {
  requestId: string;
  startedAt: number;
  functionVersion: string;
  records: { id: string; key?: string; text: string }[];
  sample: Record<string, any>;
}

describe("SQS event source mappings", () => {
  let flint: FlintProcess;
  let sqs: SQSClient;
  let zip: Buffer;
  let role: string;

  before(async () => {
    flint = await startFlint();
    sqs = sdkClient(flint.endpoint);
    zip = await zipFixture("nodejs");
    role = await createExecutionRole(flint.endpoint, [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }], uniqueName("esm-role"), ["AWSLambdaSQSQueueExecutionRole"]);
  });
  after(async () => {
    sqs.destroy();
    await flint.stop();
  });

  const queue = async (name: string, attributes: Record<string, string> = {}) => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    return { url: QueueUrl!, arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}` };
  };

  /** A sink queue, a function reporting to it, and a way to read its reports. */
  const sinkFunction = async (opts: { reservedConcurrency?: number; timeout?: number } = {}) => {
    const sink = await queue(uniqueName("sink"));
    const name = await createFunction(flint, zip, "esm-sink.handler", { Role: role, Timeout: opts.timeout ?? 30, Environment: { Variables: { SINK_QUEUE_URL: sink.url } } });
    if (opts.reservedConcurrency !== undefined) await flint.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: opts.reservedConcurrency }));
    const reports: Report[] = [];
    const drain = async () => {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: sink.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      const messages = out.Messages ?? [];
      for (const m of messages) reports.push(JSON.parse(m.Body!) as Report);
      if (messages.length) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: sink.url, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      return messages.length;
    };
    const until = async (check: (r: Report[]) => boolean, what: string) => {
      await eventually(async () => {
        while ((await drain()) > 0);
        return check(reports);
      }, 60_000, what);
    };
    return { name, reports, until, drain };
  };

  const map = async (input: Record<string, unknown>) => {
    const out = await flint.lambda.send(new CreateEventSourceMappingCommand(input as never));
    await eventually(async () => (await flint.lambda.send(new GetEventSourceMappingCommand({ UUID: out.UUID }))).State !== "Creating", 10_000, "mapping enabled");
    return out;
  };
  const delivered = (reports: Report[]) => reports.flatMap((r) => r.records.map((x) => x.text));
  const visible = async (url: string) => {
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
    return Number(Attributes!.ApproximateNumberOfMessages) + Number(Attributes!.ApproximateNumberOfMessagesNotVisible);
  };

  test("messages reach the function as AWS's SQS event, in batches, and are deleted once it succeeds", async () => {
    const fn = await sinkFunction();
    const source = await queue(uniqueName("src"));
    await map({ FunctionName: fn.name, EventSourceArn: source.arn, BatchSize: 5 });
    await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: "hello", MessageAttributes: { Author: { DataType: "String", StringValue: "John" } } }));
    await fn.until((r) => delivered(r).includes("hello"), "first message");
    const record = fn.reports[0]!.sample;
    assert.deepEqual(Object.keys(record), ["messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfMessageAttributes", "md5OfBody", "eventSource", "eventSourceARN", "awsRegion"]);
    assert.equal(record.eventSource, "aws:sqs");
    assert.equal(record.eventSourceARN, source.arn);
    assert.equal(record.awsRegion, REGION);
    assert.deepEqual(Object.keys(record.attributes), ["ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"]);
    assert.deepEqual(record.messageAttributes, { Author: { stringValue: "John", stringListValues: [], binaryListValues: [], dataType: "String" } });
    assert.match(record.md5OfMessageAttributes, /^[0-9a-f]{32}$/);
    const bodies = Array.from({ length: 20 }, (_, i) => `m${i}`);
    for (let i = 0; i < 20; i += 10) {
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: source.url, Entries: bodies.slice(i, i + 10).map((b, n) => ({ Id: String(n), MessageBody: b })) }));
    }
    await fn.until((r) => bodies.every((b) => delivered(r).includes(b)), "20 messages");
    assert.ok(fn.reports.every((r) => r.records.length <= 5), "no batch over BatchSize");
    await eventually(async () => (await visible(source.url)) === 0, 10_000, "queue emptied");
  });

  test("a batching window gathers up to BatchSize over 10", async () => {
    const fn = await sinkFunction();
    const source = await queue(uniqueName("src"));
    await map({ FunctionName: fn.name, EventSourceArn: source.arn, BatchSize: 50, MaximumBatchingWindowInSeconds: 2 });
    const bodies = Array.from({ length: 30 }, (_, i) => `w${i}`);
    for (let i = 0; i < 30; i += 10) await sqs.send(new SendMessageBatchCommand({ QueueUrl: source.url, Entries: bodies.slice(i, i + 10).map((b, n) => ({ Id: String(n), MessageBody: b })) }));
    await fn.until((r) => bodies.every((b) => delivered(r).includes(b)), "30 messages");
    assert.ok(fn.reports.some((r) => r.records.length > 10), `batches of ${fn.reports.map((r) => r.records.length).join(", ")}`);
  });

  test("a failed batch returns to the queue and the queue's redrive policy moves it to its dead-letter queue", async () => {
    const fn = await sinkFunction({ timeout: 2 });
    const dlq = await queue(uniqueName("dlq"));
    const source = await queue(uniqueName("src"), { VisibilityTimeout: "2", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }) });
    await map({ FunctionName: fn.name, EventSourceArn: source.arn, BatchSize: 1 });
    await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: "please fail" }));
    await eventually(async () => (await visible(dlq.url)) === 1, 60_000, "message in the dead-letter queue");
    await fn.until((r) => delivered(r).filter((t) => t === "please fail").length === 2, "two attempts");
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url }));
    assert.equal(Messages![0]!.Body, "please fail");
  });

  test("ReportBatchItemFailures: only the listed messages come back", async () => {
    const fn = await sinkFunction({ timeout: 2 });
    const source = await queue(uniqueName("src"), { VisibilityTimeout: "2" });
    const m = await map({ FunctionName: fn.name, EventSourceArn: source.arn, BatchSize: 10, FunctionResponseTypes: ["ReportBatchItemFailures"] });
    assert.deepEqual(m.FunctionResponseTypes, ["ReportBatchItemFailures"]);
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: source.url, Entries: ["ok-1", "partial-2", "ok-3"].map((b, n) => ({ Id: String(n), MessageBody: b })) }));
    await fn.until((r) => delivered(r).filter((t) => t === "partial-2").length >= 2, "the failed message again");
    const texts = delivered(fn.reports);
    assert.equal(texts.filter((t) => t === "ok-1").length, 1);
    assert.equal(texts.filter((t) => t === "ok-3").length, 1);
  });

  test("filters: unmatched messages are deleted unseen", async () => {
    const fn = await sinkFunction();
    const source = await queue(uniqueName("src"));
    await map({ FunctionName: fn.name, EventSourceArn: source.arn, FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: { kind: ["order"], total: [{ numeric: [">", 10] }] } }) }] } });
    const bodies = [{ kind: "order", total: 20 }, { kind: "order", total: 5 }, { kind: "refund", total: 50 }, "plain text"].map((b) => JSON.stringify(b));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: source.url, Entries: bodies.map((b, n) => ({ Id: String(n), MessageBody: b })) }));
    await eventually(async () => (await visible(source.url)) === 0, 30_000, "every message deleted");
    await fn.until((r) => delivered(r).length >= 1, "the matching message");
    assert.deepEqual(delivered(fn.reports), [bodies[0]]);
  });

  test("FIFO: one batch in flight per group, order kept within each group", async () => {
    const fn = await sinkFunction();
    const source = await queue(`${uniqueName("src")}.fifo`, { FifoQueue: "true", ContentBasedDeduplication: "true" });
    await map({ FunctionName: fn.name, EventSourceArn: source.arn, BatchSize: 3 });
    const groups = ["a", "b", "c"];
    for (let i = 0; i < 30; i += 10) {
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: source.url, Entries: Array.from({ length: 10 }, (_, n) => ({ Id: String(n), MessageBody: `${groups[(i + n) % 3]}-${i + n}`, MessageGroupId: groups[(i + n) % 3] })) }));
    }
    await fn.until((r) => delivered(r).length >= 30, "30 messages");
    for (const g of groups) {
      const order = fn.reports.sort((x, y) => x.startedAt - y.startedAt).flatMap((r) => r.records.map((x) => x.text)).filter((t) => t.startsWith(`${g}-`)).map((t) => Number(t.split("-")[1]));
      assert.deepEqual(order, [...order].sort((x, y) => x - y), `group ${g} in order`);
    }
    const sample = fn.reports[0]!.sample;
    assert.ok(sample.attributes.MessageGroupId && sample.attributes.SequenceNumber && sample.attributes.MessageDeduplicationId);
  });

  test("disabled mappings do not poll; enabling resumes; an update moves to a new version", async () => {
    const fn = await sinkFunction();
    const source = await queue(uniqueName("src"));
    const m = await map({ FunctionName: fn.name, EventSourceArn: source.arn, Enabled: false });
    assert.equal(m.State, "Disabled");
    await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: "while disabled" }));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await fn.drain(), 0);
    const enabling = await flint.lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID, Enabled: true }));
    assert.equal(enabling.State, "Enabling");
    await fn.until((r) => delivered(r).includes("while disabled"), "delivered once enabled");
    assert.equal(fn.reports.at(-1)!.functionVersion, "$LATEST");
    const { Version } = await flint.lambda.send(new PublishVersionCommand({ FunctionName: fn.name }));
    await waitUntilPublishedVersionActive({ client: flint.lambda, ...WAITER }, { FunctionName: fn.name, Qualifier: Version });
    await eventually(async () => (await flint.lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))).State === "Enabled", 10_000, "enabled");
    const updating = await flint.lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID, FunctionName: `${fn.name}:${Version}` }));
    assert.equal(updating.State, "Updating");
    assert.equal(updating.FunctionArn, `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn.name}:${Version}`);
    await eventually(async () => (await flint.lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))).State === "Enabled", 10_000, "enabled");
    await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: "after update" }));
    await fn.until((r) => delivered(r).includes("after update"), "delivered to the version");
    assert.equal(fn.reports.find((r) => r.records.some((x) => x.text === "after update"))!.functionVersion, Version);
    await flint.lambda.send(new DeleteEventSourceMappingCommand({ UUID: m.UUID }));
  });

  test("ScalingConfig.MaximumConcurrency bounds the batches in flight", async () => {
    const fn = await sinkFunction();
    const source = await queue(uniqueName("src"));
    await map({ FunctionName: fn.name, EventSourceArn: source.arn, BatchSize: 1, ScalingConfig: { MaximumConcurrency: 2 } });
    const bodies = Array.from({ length: 12 }, (_, i) => `sleep:300 c${i}`);
    for (let i = 0; i < 12; i += 10) await sqs.send(new SendMessageBatchCommand({ QueueUrl: source.url, Entries: bodies.slice(i, i + 10).map((b, n) => ({ Id: String(n), MessageBody: b })) }));
    await fn.until((r) => r.length >= 12, "12 invocations");
    // Each invocation runs at least 300 ms from its start: at any start, count the ones still running.
    const starts = fn.reports.map((r) => r.startedAt).sort((a, b) => a - b);
    const most = Math.max(...starts.map((s) => starts.filter((t) => t <= s && t > s - 300).length));
    assert.ok(most <= 2, `${most} invocations overlapped`);
  });

  test("a throttled function: messages wait, none is lost", async () => {
    const fn = await sinkFunction({ reservedConcurrency: 1 });
    const source = await queue(uniqueName("src"));
    await map({ FunctionName: fn.name, EventSourceArn: source.arn, BatchSize: 1 });
    const bodies = Array.from({ length: 10 }, (_, i) => `sleep:100 t${i}`);
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: source.url, Entries: bodies.map((b, n) => ({ Id: String(n), MessageBody: b })) }));
    await fn.until((r) => bodies.every((b) => delivered(r).includes(b)), "every message");
    await eventually(async () => (await visible(source.url)) === 0, 10_000, "queue emptied");
  });

  test("a role that loses its SQS permissions says so in StateTransitionReason; given them back, the mapping resumes", async () => {
    const { IAMClient, DetachRolePolicyCommand, AttachRolePolicyCommand } = await import("@aws-sdk/client-iam");
    const iam = new IAMClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    const ownRole = await createExecutionRole(flint.endpoint, [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }], uniqueName("esm-role"), ["AWSLambdaSQSQueueExecutionRole"]);
    const sink = await queue(uniqueName("sink"));
    const name = await createFunction(flint, zip, "esm-sink.handler", { Role: ownRole, Timeout: 30, Environment: { Variables: { SINK_QUEUE_URL: sink.url } } });
    const source = await queue(uniqueName("src"));
    const m = await map({ FunctionName: name, EventSourceArn: source.arn });
    const policy = { RoleName: ownRole.split("/").pop()!, PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole" };
    await iam.send(new DetachRolePolicyCommand(policy));
    const reason = async () => (await flint.lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))).StateTransitionReason ?? "";
    // SQS words its refusals with the action in lower case.
    await eventually(async () => /not authorized to perform: sqs:receivemessage/i.test(await reason()), 40_000, "the refusal shown");
    await iam.send(new AttachRolePolicyCommand(policy));
    await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: "after the fix" }));
    await eventually(async () => (await visible(source.url)) === 0 && (await reason()) === "USER_INITIATED", 40_000, "the message processed and the reason cleared");
    iam.destroy();
  });

  test("`flint mappings` shows a queue's lag, and a mapping whose queue is deleted says why", async () => {
    const fn = await sinkFunction();
    const source = await queue(uniqueName("src"));
    const m = await map({ FunctionName: fn.name, EventSourceArn: source.arn, Enabled: false });
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: source.url, Entries: ["a", "b", "c"].map((b, n) => ({ Id: String(n), MessageBody: b })) }));
    const listed = await flintMappings(flint.endpoint);
    assert.equal(listed.code, 0);
    const row = listed.stdout.split("\n").find((l) => l.startsWith(m.UUID!))!;
    assert.match(row, /Disabled/);
    assert.match(row, /3 waiting, 0 in flight/);
    assert.ok(row.includes(fn.name));
    const json = JSON.parse((await flintMappings(flint.endpoint, ["--json"])).stdout) as { UUID: string; Lag: { MessagesWaiting: number } }[];
    assert.equal(json.find((x) => x.UUID === m.UUID)!.Lag.MessagesWaiting, 3);
    await flint.lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID, Enabled: true }));
    await fn.until((r) => delivered(r).length >= 3, "the three messages");
    const { DeleteQueueCommand } = await import("@aws-sdk/client-sqs");
    await sqs.send(new DeleteQueueCommand({ QueueUrl: source.url }));
    await eventually(async () => /NonExistentQueue/.test((await flint.lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))).StateTransitionReason ?? ""), 40_000, "the reason shown");
    const after = await flintMappings(flint.endpoint);
    assert.match(after.stdout, new RegExp(`${m.UUID}: Error occurred while ReceiveMessage\\. SQS Error Code: AWS\\.SimpleQueueService\\.NonExistentQueue`));
  });
});
