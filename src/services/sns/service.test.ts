/** The SNS service in-process, on a real SQLite store, a clock the tests move and recording targets. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate, verify } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ManualClock } from "../../clock/manual-clock.js";
import { awsError } from "../../errors.js";
import { SqliteStore } from "../../store/sqlite.js";
import type { SendMessageInput } from "../sqs/inputs.js";
import type { DeliveryTargets } from "./dispatch.js";
import { canonicalString } from "./signing.js";
import { SnsService } from "./service.js";

const ACCOUNT = { region: "us-east-1", accountId: "123456789012" };
const QUEUE = "arn:aws:sqs:us-east-1:123456789012:inbox";
const FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:handler";

/** Targets that record what they get; `fail` makes the next sends throw. */
class Recorder implements DeliveryTargets {
  sent: { arn: string; input: SendMessageInput }[] = [];
  invoked: { arn: string; payload: unknown }[] = [];
  failures: Error[] = [];
  sqs = {
    sendMessage: async (arn: string, input: SendMessageInput) => {
      const err = this.failures.shift();
      if (err) throw err;
      this.sent.push({ arn, input });
    },
  };
  invokeAsync = async (arn: string, payload: string) => {
    const err = this.failures.shift();
    if (err) throw err;
    this.invoked.push({ arn, payload: JSON.parse(payload) });
  };
}

describe("SNS service", () => {
  let dir: string;
  let store: SqliteStore;
  let clock: ManualClock;
  let targets: Recorder;
  let sns: SnsService;
  const open = () => SnsService.create(ACCOUNT, store.sns, clock, { targets, endpoint: () => "http://flint.test:9000" });
  /** Let every delivery that is due be attempted (signatures are made on the thread pool, off the event loop). */
  const settle = async () => {
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setImmediate(r));
      await sns.deliveriesIdle();
    }
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flint-sns-"));
    store = SqliteStore.open(dir);
    clock = new ManualClock();
    targets = new Recorder();
    sns = await open();
    await sns.certificate(""); // a new store's signing key is made in the background: deliveries wait for it
  });
  afterEach(async () => {
    await sns.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("topics: ARNs as AWS forms them, idempotent creation, attributes, pages of 100", async () => {
    const t = await sns.createTopic({ Name: "orders", Attributes: { DisplayName: "Orders" } });
    assert.equal(t.arn, "arn:aws:sns:us-east-1:123456789012:orders");
    assert.equal((await sns.createTopic({ Name: "orders", Attributes: { DisplayName: "Orders" } })).arn, t.arn);
    await assert.rejects(sns.createTopic({ Name: "orders", Attributes: { DisplayName: "Other" } }), { queryCode: "InvalidParameter", message: /Topic already exists with different attributes/ });
    await assert.rejects(sns.createTopic({ Name: "bad name" }), { queryCode: "InvalidParameter", message: "Invalid parameter: Topic Name" });
    await assert.rejects(sns.createTopic({ Name: "x.fifo" }), { message: "Invalid parameter: Topic Name" });
    await assert.rejects(sns.createTopic({ Name: "x", Attributes: { FifoTopic: "true" } }), { message: /Fifo Topic names must end with .fifo/ });
    const attrs = await sns.getTopicAttributes(t.arn);
    assert.equal(attrs.DisplayName, "Orders");
    assert.equal(attrs.Owner, "123456789012");
    assert.equal(attrs.SubscriptionsConfirmed, "0");
    assert.equal(JSON.parse(attrs.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy.numRetries, 3);
    assert.equal(JSON.parse(attrs.Policy!).Statement[0].Resource, t.arn);
    await sns.setTopicAttributes(t.arn, "DisplayName", "Renamed");
    assert.equal((await sns.getTopicAttributes(t.arn)).DisplayName, "Renamed");
    await assert.rejects(sns.setTopicAttributes(t.arn, "Bogus", "1"), { message: "Invalid parameter: AttributeName" });
    await assert.rejects(sns.getTopicAttributes("arn:aws:sns:us-east-1:123456789012:missing"), { queryCode: "NotFound", message: "Topic does not exist" });
    await assert.rejects(sns.getTopicAttributes("not-an-arn"), { message: "Invalid parameter: TopicArn" });

    for (let i = 0; i < 249; i++) await sns.createTopic({ Name: `t${String(i).padStart(3, "0")}` });
    const first = sns.listTopics();
    assert.equal(first.topics.length, 100);
    const second = sns.listTopics(first.nextToken);
    const third = sns.listTopics(second.nextToken);
    assert.equal(third.nextToken, undefined);
    assert.equal(new Set([...first.topics, ...second.topics, ...third.topics].map((x) => x.arn)).size, 250);
    await sns.deleteTopic(t.arn);
    await sns.deleteTopic(t.arn);
    await assert.rejects(sns.getTopicAttributes(t.arn), { queryCode: "NotFound" });
  });

  test("a publish reaches each confirmed subscription whose filter it passes, in each protocol's shape", async () => {
    const t = await sns.createTopic({ Name: "fanout" });
    const queueSub = await sns.subscribe({ TopicArn: t.arn, Protocol: "sqs", Endpoint: QUEUE });
    await sns.subscribe({ TopicArn: t.arn, Protocol: "sqs", Endpoint: `${QUEUE}-raw`, Attributes: { RawMessageDelivery: "true" } });
    const fnSub = await sns.subscribe({ TopicArn: t.arn, Protocol: "lambda", Endpoint: FUNCTION, Attributes: { FilterPolicy: JSON.stringify({ kind: ["order"] }) } });
    assert.match(queueSub, /^arn:aws:sns:us-east-1:123456789012:fanout:[0-9a-f-]{36}$/);
    assert.equal((await sns.getTopicAttributes(t.arn)).SubscriptionsConfirmed, "3");

    const attributes = { kind: { DataType: "String", StringValue: "order" }, blob: { DataType: "Binary", BinaryValue: Buffer.from([1, 2]) } };
    const { MessageId } = await sns.publish({ TopicArn: t.arn, Message: "hello", Subject: "greeting", MessageAttributes: attributes });
    await sns.publish({ TopicArn: t.arn, Message: "filtered out", MessageAttributes: { kind: { DataType: "String", StringValue: "refund" } } });
    await settle();

    // The two publishes' deliveries may be made in either order (each is signed on the thread pool).
    const envelope = targets.sent.filter((s) => s.arn === QUEUE).map((s) => JSON.parse(s.input.MessageBody)).find((e) => e.MessageId === MessageId);
    assert.deepEqual(Object.keys(envelope), ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"]);
    assert.equal(envelope.MessageId, MessageId);
    assert.equal(envelope.Message, "hello");
    assert.equal(envelope.Timestamp, new Date(clock.now()).toISOString());
    assert.deepEqual(envelope.MessageAttributes, { kind: { Type: "String", Value: "order" }, blob: { Type: "Binary", Value: "AQI=" } });
    assert.equal(envelope.UnsubscribeURL, `http://flint.test:9000/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(queueSub)}`);
    const raw = targets.sent.filter((s) => s.arn === `${QUEUE}-raw`);
    assert.deepEqual(raw.map((s) => s.input.MessageBody).sort(), ["filtered out", "hello"]);
    assert.deepEqual(raw.find((s) => s.input.MessageBody === "hello")!.input.MessageAttributes!.blob, { DataType: "Binary", BinaryValue: Buffer.from([1, 2]) });

    assert.equal(targets.invoked.length, 1, "the refund did not pass the function's filter");
    const record = (targets.invoked[0]!.payload as any).Records[0];
    assert.equal(record.EventSource, "aws:sns");
    assert.equal(record.EventSubscriptionArn, fnSub);
    assert.equal(record.Sns.Subject, "greeting");
    assert.equal(record.Sns.SigningCertUrl, envelope.SigningCertURL);
    assert.deepEqual(record.Sns.MessageAttributes.kind, { Type: "String", Value: "order" });

    // The signature verifies with the certificate served at SigningCertURL.
    const name = new URL(envelope.SigningCertURL).pathname.slice(1);
    const cert = new X509Certificate((await sns.certificate(name))!);
    assert.ok(verify("sha1", Buffer.from(canonicalString(envelope)), cert.publicKey, Buffer.from(envelope.Signature, "base64")));
  });

  test("MessageStructure=json gives each protocol its own message", async () => {
    const t = await sns.createTopic({ Name: "structured" });
    await sns.subscribe({ TopicArn: t.arn, Protocol: "sqs", Endpoint: QUEUE, Attributes: { RawMessageDelivery: "true" } });
    await sns.subscribe({ TopicArn: t.arn, Protocol: "lambda", Endpoint: FUNCTION });
    await sns.publish({ TopicArn: t.arn, MessageStructure: "json", Message: JSON.stringify({ default: "plain", sqs: "for queues" }) });
    await settle();
    assert.equal(targets.sent[0]!.input.MessageBody, "for queues");
    assert.equal((targets.invoked[0]!.payload as any).Records[0].Sns.Message, "plain");
    await assert.rejects(sns.publish({ TopicArn: t.arn, MessageStructure: "json", Message: "{}" }), { message: "Invalid parameter: Message Structure - No default entry in JSON message body" });
    await assert.rejects(sns.publish({ TopicArn: t.arn, MessageStructure: "json", Message: "nope" }), { message: "Invalid parameter: Message Structure - JSON message body failed to parse" });
  });

  test("failed deliveries are retried on the clock; client errors are not, and go to the dead-letter queue", async () => {
    const t = await sns.createTopic({ Name: "retries" });
    await sns.subscribe({ TopicArn: t.arn, Protocol: "sqs", Endpoint: QUEUE, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `${QUEUE}-dlq` }) } });
    // Three immediate retries, then two a second apart (AWS's policy for SQS and Lambda).
    targets.failures.push(...Array.from({ length: 5 }, () => new Error("queue unavailable")));
    await sns.publish({ TopicArn: t.arn, Message: "eventually" });
    await settle();
    assert.equal(targets.sent.length, 0);
    assert.equal(targets.failures.length, 1, "four attempts were made at once");
    clock.advance(1000);
    await settle();
    assert.equal(targets.sent.length, 0);
    clock.advance(1000);
    await settle();
    assert.equal(targets.sent.length, 1);
    assert.equal(sns.pendingDeliveries(), 0);

    targets.failures.push(awsError("QueueDoesNotExist", "The specified queue does not exist."));
    await sns.publish({ TopicArn: t.arn, Message: "to the dlq" });
    await settle();
    assert.deepEqual(targets.sent.slice(1).map((s) => [s.arn, JSON.parse(s.input.MessageBody).Message]), [[`${QUEUE}-dlq`, "to the dlq"]]);
  });

  test("HTTP subscriptions are pending until confirmed with their token", async () => {
    const t = await sns.createTopic({ Name: "web" });
    assert.equal(await sns.subscribe({ TopicArn: t.arn, Protocol: "http", Endpoint: "http://127.0.0.1:1/hook" }), "pending confirmation");
    const arn = await sns.subscribe({ TopicArn: t.arn, Protocol: "http", Endpoint: "http://127.0.0.1:1/hook", ReturnSubscriptionArn: true });
    assert.equal((await sns.getSubscriptionAttributes(arn)).PendingConfirmation, "true");
    assert.deepEqual((await sns.listSubscriptionsByTopic(t.arn)).subscriptions.map((s) => s.SubscriptionArn), ["PendingConfirmation"]);
    const token = (await store.sns.listSubscriptions()).find((s) => s.arn === arn)!.token!;
    await assert.rejects(sns.confirmSubscription(t.arn, "wrong", false, true), { message: "Invalid parameter: Token" });
    assert.equal(await sns.confirmSubscription(t.arn, token, true, false), arn);
    const attrs = await sns.getSubscriptionAttributes(arn);
    assert.equal(attrs.PendingConfirmation, "false");
    assert.equal(attrs.ConfirmationWasAuthenticated, "false");
    assert.equal(JSON.parse(attrs.EffectiveDeliveryPolicy!).healthyRetryPolicy.minDelayTarget, 20);
    await sns.unsubscribe(arn, false);
    await sns.unsubscribe(arn, false);
    assert.equal((await sns.getTopicAttributes(t.arn)).SubscriptionsDeleted, "1");
  });

  test("subscription validation and attributes", async () => {
    const t = await sns.createTopic({ Name: "subs" });
    await assert.rejects(sns.subscribe({ TopicArn: t.arn, Protocol: "carrier-pigeon", Endpoint: "x" }), { message: "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon" });
    await assert.rejects(sns.subscribe({ TopicArn: t.arn, Protocol: "sqs", Endpoint: "https://queue" }), { message: "Invalid parameter: SQS endpoint ARN" });
    await assert.rejects(sns.subscribe({ TopicArn: t.arn, Protocol: "lambda", Endpoint: QUEUE }), { message: "Invalid parameter: Lambda endpoint ARN" });
    await assert.rejects(sns.subscribe({ TopicArn: t.arn, Protocol: "http", Endpoint: "https://x" }), { message: "Invalid parameter: Endpoint must match the specified protocol" });
    await assert.rejects(sns.subscribe({ TopicArn: t.arn, Protocol: "lambda", Endpoint: FUNCTION, Attributes: { RawMessageDelivery: "true" } }), {
      message: "Invalid parameter: Attributes Reason: Delivery protocol [lambda] does not support raw message delivery.",
    });
    await assert.rejects(sns.subscribe({ TopicArn: t.arn, Protocol: "sqs", Endpoint: QUEUE, Attributes: { FilterPolicy: '{"a": []}' } }), {
      message: "Invalid parameter: Attributes Reason: FilterPolicy: Empty arrays are not allowed",
    });
    await assert.rejects(sns.subscribe({ TopicArn: t.arn, Protocol: "sqs", Endpoint: `${QUEUE}.fifo` }), { message: /FIFO SQS Queues can not be subscribed to standard SNS topics/ });
    const arn = await sns.subscribe({ TopicArn: t.arn, Protocol: "sqs", Endpoint: QUEUE });
    assert.equal(await sns.subscribe({ TopicArn: t.arn, Protocol: "sqs", Endpoint: QUEUE }), arn);
    await sns.setSubscriptionAttributes(arn, "FilterPolicy", JSON.stringify({ price: [{ numeric: [">", 10] }] }));
    await sns.setSubscriptionAttributes(arn, "FilterPolicyScope", "MessageBody");
    await assert.rejects(sns.setSubscriptionAttributes(arn, "FilterPolicy", '{"a": {"b": 1}}'), { message: 'Invalid parameter: FilterPolicy: "b" must be an object or an array' });
    await assert.rejects(sns.setSubscriptionAttributes(arn, "Bogus", "1"), { message: "Invalid parameter: AttributeName" });
    const attrs = await sns.getSubscriptionAttributes(arn);
    assert.equal(attrs.FilterPolicyScope, "MessageBody");
    assert.equal(attrs.RawMessageDelivery, "false");
    await assert.rejects(sns.getSubscriptionAttributes(`${t.arn}:00000000-0000-0000-0000-000000000000`), { queryCode: "NotFound", message: "Subscription does not exist" });
    await assert.rejects(sns.unsubscribe(t.arn, true), { message: "Invalid parameter: SubscriptionId" });

    await sns.publish({ TopicArn: t.arn, Message: JSON.stringify({ price: 5 }) });
    await sns.publish({ TopicArn: t.arn, Message: JSON.stringify({ price: 50 }) });
    await settle();
    assert.deepEqual(targets.sent.map((s) => JSON.parse(JSON.parse(s.input.MessageBody).Message).price), [50]);
  });

  test("PublishBatch reports each entry; request-level limits fail the whole batch", async () => {
    const t = await sns.createTopic({ Name: "batch" });
    await sns.subscribe({ TopicArn: t.arn, Protocol: "sqs", Endpoint: QUEUE });
    const out = await sns.publishBatch(t.arn, [
      { Id: "a", Message: "one" },
      { Id: "b", Message: "" },
      { Id: "c", Message: "three", MessageAttributes: { n: { DataType: "Number", StringValue: "x" } } },
    ]);
    assert.deepEqual(out.Successful.map((s) => s.Id), ["a"]);
    assert.deepEqual(out.Failed.map((f) => [f.Id, f.Code, f.SenderFault]), [["b", "InvalidParameter", true], ["c", "ParameterValueInvalid", true]]);
    await assert.rejects(sns.publishBatch(t.arn, []), { queryCode: "EmptyBatchRequest" });
    await assert.rejects(sns.publishBatch(t.arn, Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, Message: "x" }))), { queryCode: "TooManyEntriesInBatchRequest" });
    await assert.rejects(sns.publishBatch(t.arn, [{ Id: "a", Message: "x" }, { Id: "a", Message: "y" }]), { queryCode: "BatchEntryIdsNotDistinct" });
    await assert.rejects(sns.publishBatch(t.arn, [{ Id: "a b", Message: "x" }]), { queryCode: "InvalidBatchEntryId" });
    await assert.rejects(sns.publishBatch(t.arn, [{ Id: "a", Message: "x".repeat(200_000) }, { Id: "b", Message: "x".repeat(100_000) }]), { queryCode: "BatchRequestTooLong" });
    await settle();
    assert.equal(targets.sent.length, 1);
  });

  test("FIFO topics: group required, deduplication within 5 minutes, increasing sequence numbers, group order kept through retries", async () => {
    const t = await sns.createTopic({ Name: "orders.fifo", Attributes: { FifoTopic: "true", ContentBasedDeduplication: "true" } });
    await sns.subscribe({ TopicArn: t.arn, Protocol: "sqs", Endpoint: `${QUEUE}.fifo` });
    await assert.rejects(sns.publish({ TopicArn: t.arn, Message: "no group" }), { message: "Invalid parameter: The MessageGroupId parameter is required for FIFO topics" });
    targets.failures.push(new Error("busy"));
    const first = await sns.publish({ TopicArn: t.arn, Message: "g1-1", MessageGroupId: "g1" });
    const second = await sns.publish({ TopicArn: t.arn, Message: "g1-2", MessageGroupId: "g1" });
    const again = await sns.publish({ TopicArn: t.arn, Message: "g1-1", MessageGroupId: "g1" });
    assert.equal(again.MessageId, first.MessageId);
    assert.match(first.SequenceNumber!, /^\d{20}$/);
    assert.ok(BigInt(second.SequenceNumber!) > BigInt(first.SequenceNumber!));
    await settle();
    assert.deepEqual(targets.sent.map((s) => [JSON.parse(s.input.MessageBody).Message, s.input.MessageGroupId]), [["g1-1", "g1"], ["g1-2", "g1"]]);
    clock.advance(5 * 60_000 + 1);
    assert.notEqual((await sns.publish({ TopicArn: t.arn, Message: "g1-1", MessageGroupId: "g1" })).MessageId, first.MessageId);
  });

  test("a delivery stored by an acknowledged publish is made after a restart", async () => {
    const t = await sns.createTopic({ Name: "durable" });
    await sns.subscribe({ TopicArn: t.arn, Protocol: "lambda", Endpoint: FUNCTION });
    // The function cannot take it now: the attempt fails and waits for a retry that the stop cuts short.
    targets.failures.push(...Array.from({ length: 4 }, () => new Error("not now")));
    const { MessageId } = await sns.publish({ TopicArn: t.arn, Message: "keep me" });
    await settle();
    await sns.close();
    assert.equal(targets.invoked.length, 0);

    sns = await open();
    assert.equal(await sns.recover(), 1);
    clock.advance(1000);
    await settle();
    assert.deepEqual(targets.invoked.map((i) => (i.payload as any).Records[0].Sns.MessageId), [MessageId]);
    assert.equal((await store.sns.pendingDeliveries()).length, 0);
    assert.equal(await store.sns.getMessage(MessageId), undefined, "the message goes with its last delivery");
  });

  test("a stored filter policy today's rules refuse (an older Flint accepted it) matches nothing after a restart", async () => {
    const t = await sns.createTopic({ Name: "legacy" });
    const arn = await sns.subscribe({ TopicArn: t.arn, Protocol: "sqs", Endpoint: QUEUE, Attributes: { FilterPolicyScope: "MessageBody", FilterPolicy: '{"a":["x"]}' } });
    // AWS's 216-combination example: an older Flint, counting without depth, accepted it.
    const refused = JSON.stringify({ key_a: { key_b: { key_c: ["1", "2", "3", "4"] } }, key_d: { key_e: ["1", "2", "3"] }, key_f: ["1", "2", "3"] });
    const record = (await store.sns.listSubscriptions()).find((s) => s.arn === arn)!;
    await store.sns.putSubscription({ ...record, attributes: { ...record.attributes, FilterPolicy: refused } });
    await sns.close();

    sns = await open();
    assert.equal((await sns.getSubscriptionAttributes(arn)).FilterPolicy, refused);
    await sns.publish({ TopicArn: t.arn, Message: JSON.stringify({ key_a: { key_b: { key_c: "1" } }, key_d: { key_e: "1" }, key_f: "1", a: "x" }) });
    await settle();
    assert.deepEqual(targets.sent, []);
  });

  test("tags", async () => {
    const t = await sns.createTopic({ Name: "tagged", Tags: [{ Key: "team", Value: "flint" }] });
    await sns.tagResource(t.arn, [{ Key: "stage", Value: "test" }]);
    await sns.untagResource(t.arn, ["team"]);
    assert.deepEqual(await sns.listTagsForResource(t.arn), [{ Key: "stage", Value: "test" }]);
    await assert.rejects(sns.listTagsForResource("arn:aws:sns:us-east-1:123456789012:nope"), { queryCode: "ResourceNotFound" });
    await assert.rejects(sns.tagResource(t.arn, Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }))), { queryCode: "TagLimitExceeded" });
  });
});
