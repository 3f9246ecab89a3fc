/**
 * The SNS-compatible service through real clients against a real `flint serve`: the AWS CLI v2 and
 * v1, @aws-sdk/client-sns and boto3 (all four speak SNS's query protocol). Every operation with
 * each client; delivery to SQS queues (the envelope, raw), to a Lambda function (the SNS event, as
 * the function received it), and to an HTTP endpoint served by the test (confirmation, then
 * notifications, retries, signatures); filter policies; SNS as an asynchronous invocation's
 * destination and dead-letter target; and no acknowledged publish lost to kill -9.
 * `--time-scale 60` makes the HTTP policy's 20-second retries take a third of a second.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate, verify } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { PublishCommand, SubscribeCommand, CreateTopicCommand, type SNSClient } from "@aws-sdk/client-sns";
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";
import { canonicalString } from "../../src/services/sns/signing.js";
import { invokeEvent } from "../harness/async.js";
import { ACCOUNT, startFlint, type FlintProcess, uniqueName } from "../harness/flint.js";
import { createFunction } from "../harness/functions.js";
import { HttpSubscriber } from "../harness/http-subscriber.js";
import { allowSnsToFunction, allowTopicToQueue } from "../harness/permissions.js";
import { PATIENCE_MS, eventually } from "../harness/processes.js";
import { signedFetch } from "../harness/signed-fetch.js";
import { SNS_CLIENTS, SnsCallError, type SnsDriver, snsSdkClient } from "../harness/sns-clients.js";
import { sdkClient as sqsSdkClient } from "../harness/sqs-clients.js";
import { zipFixture } from "../harness/zip.js";

const ARGS = ["--spares", "0", "--time-scale", "60"];
const topicArnOf = (name: string) => `arn:aws:sns:us-east-1:${ACCOUNT}:${name}`;

async function rejectsWith(p: Promise<unknown>, code: string): Promise<SnsCallError> {
  const err = await p.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof SnsCallError, String(err));
  assert.equal(err.code, code, err.message);
  return err;
}

async function createQueue(sqs: SQSClient, prefix: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName(prefix) }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/** Receive (and delete) messages until `count` arrived; no more than that are expected. */
async function receive(sqs: SQSClient, url: string, count: number, ms = 60_000): Promise<Message[]> {
  const got: Message[] = [];
  const until = Date.now() + ms;
  while (got.length < count && Date.now() < until) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 2, MessageAttributeNames: ["All"] }));
    for (const m of Messages) {
      got.push(m);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
  }
  assert.equal(got.length, count, `messages in ${url}`);
  return got;
}

/** Every page of a listing. */
async function all<T>(sns: SnsDriver, operation: string, member: string, input: Record<string, unknown> = {}): Promise<T[]> {
  const items: T[] = [];
  let NextToken: string | undefined;
  do {
    const out = await sns.call(operation, { ...input, ...(NextToken ? { NextToken } : {}) });
    items.push(...(out[member] ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return items;
}

describe("SNS", () => {
  let flint: FlintProcess;
  let sqs: SQSClient;
  let web: HttpSubscriber;
  before(async () => {
    flint = await startFlint({ args: ARGS });
    sqs = sqsSdkClient(flint.endpoint);
    web = await HttpSubscriber.start();
  });
  after(async () => {
    sqs.destroy();
    await web.close();
    await flint.stop();
  });

  for (const client of SNS_CLIENTS) {
    describe(client.label, { skip: client.skip }, () => {
      let sns: SnsDriver;
      before(() => {
        sns = client.make(flint.endpoint);
      });
      after(() => sns.close());

      test("every topic, subscription and tag operation, with AWS's ARNs and errors", async () => {
        const name = uniqueName("ops");
        const { TopicArn } = await sns.call("CreateTopic", { Name: name, Attributes: { DisplayName: "Ops" }, Tags: [{ Key: "team", Value: "flint" }] });
        assert.equal(TopicArn, topicArnOf(name));
        assert.equal((await sns.call("CreateTopic", { Name: name, Attributes: { DisplayName: "Ops" } })).TopicArn, TopicArn);
        await rejectsWith(sns.call("CreateTopic", { Name: name, Attributes: { DisplayName: "Other" } }), "InvalidParameter");
        await rejectsWith(sns.call("CreateTopic", { Name: "bad name" }), "InvalidParameter");
        assert.ok((await all<{ TopicArn: string }>(sns, "ListTopics", "Topics")).some((t) => t.TopicArn === TopicArn));

        const attrs = (await sns.call("GetTopicAttributes", { TopicArn })).Attributes;
        assert.deepEqual([attrs.TopicArn, attrs.Owner, attrs.DisplayName, attrs.SubscriptionsConfirmed, attrs.SubscriptionsPending], [TopicArn, ACCOUNT, "Ops", "0", "0"]);
        assert.equal(JSON.parse(attrs.EffectiveDeliveryPolicy).http.defaultHealthyRetryPolicy.minDelayTarget, 20);
        await sns.call("SetTopicAttributes", { TopicArn, AttributeName: "DisplayName", AttributeValue: "Renamed" });
        assert.equal((await sns.call("GetTopicAttributes", { TopicArn })).Attributes.DisplayName, "Renamed");
        await rejectsWith(sns.call("SetTopicAttributes", { TopicArn, AttributeName: "Bogus", AttributeValue: "x" }), "InvalidParameter");
        await rejectsWith(sns.call("GetTopicAttributes", { TopicArn: topicArnOf(uniqueName("missing")) }), "NotFound");

        assert.deepEqual((await sns.call("ListTagsForResource", { ResourceArn: TopicArn })).Tags, [{ Key: "team", Value: "flint" }]);
        await sns.call("TagResource", { ResourceArn: TopicArn, Tags: [{ Key: "stage", Value: "test" }] });
        await sns.call("UntagResource", { ResourceArn: TopicArn, TagKeys: ["team"] });
        assert.deepEqual((await sns.call("ListTagsForResource", { ResourceArn: TopicArn })).Tags, [{ Key: "stage", Value: "test" }]);
        await rejectsWith(sns.call("ListTagsForResource", { ResourceArn: topicArnOf(uniqueName("missing")) }), "ResourceNotFound");

        const q = await createQueue(sqs, "ops-q");
        const { SubscriptionArn: queueSub } = await sns.call("Subscribe", { TopicArn, Protocol: "sqs", Endpoint: q.arn });
        assert.match(queueSub, new RegExp(`^${TopicArn}:[0-9a-f-]{36}$`));
        const fnArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:never-published-to`;
        const { SubscriptionArn: fnSub } = await sns.call("Subscribe", { TopicArn, Protocol: "lambda", Endpoint: fnArn });
        await rejectsWith(sns.call("Subscribe", { TopicArn, Protocol: "sqs", Endpoint: "not-an-arn" }), "InvalidParameter");
        await rejectsWith(sns.call("Subscribe", { TopicArn: topicArnOf(uniqueName("missing")), Protocol: "sqs", Endpoint: q.arn }), "NotFound");

        const byTopic = await all<any>(sns, "ListSubscriptionsByTopic", "Subscriptions", { TopicArn });
        assert.deepEqual(
          byTopic.map((s) => [s.SubscriptionArn, s.Protocol, s.Endpoint, s.Owner, s.TopicArn]).sort(),
          [[queueSub, "sqs", q.arn, ACCOUNT, TopicArn], [fnSub, "lambda", fnArn, ACCOUNT, TopicArn]].sort(),
        );
        assert.ok((await all<any>(sns, "ListSubscriptions", "Subscriptions")).some((s) => s.SubscriptionArn === fnSub));

        const subAttrs = (await sns.call("GetSubscriptionAttributes", { SubscriptionArn: queueSub })).Attributes;
        assert.deepEqual([subAttrs.Protocol, subAttrs.Endpoint, subAttrs.PendingConfirmation, subAttrs.RawMessageDelivery, subAttrs.TopicArn], ["sqs", q.arn, "false", "false", TopicArn]);
        await sns.call("SetSubscriptionAttributes", { SubscriptionArn: queueSub, AttributeName: "RawMessageDelivery", AttributeValue: "true" });
        await sns.call("SetSubscriptionAttributes", { SubscriptionArn: queueSub, AttributeName: "FilterPolicy", AttributeValue: '{"kind": ["order"]}' });
        const changed = (await sns.call("GetSubscriptionAttributes", { SubscriptionArn: queueSub })).Attributes;
        assert.deepEqual([changed.RawMessageDelivery, changed.FilterPolicy, changed.FilterPolicyScope], ["true", '{"kind": ["order"]}', "MessageAttributes"]);
        await rejectsWith(sns.call("SetSubscriptionAttributes", { SubscriptionArn: queueSub, AttributeName: "FilterPolicy", AttributeValue: '{"kind": []}' }), "InvalidParameter");
        await rejectsWith(sns.call("SetSubscriptionAttributes", { SubscriptionArn: fnSub, AttributeName: "RawMessageDelivery", AttributeValue: "true" }), "InvalidParameter");
        await rejectsWith(sns.call("ConfirmSubscription", { TopicArn, Token: "not-a-token" }), "InvalidParameter");

        await sns.call("Unsubscribe", { SubscriptionArn: fnSub });
        await sns.call("Unsubscribe", { SubscriptionArn: fnSub });
        await rejectsWith(sns.call("GetSubscriptionAttributes", { SubscriptionArn: fnSub }), "NotFound");
        assert.equal((await sns.call("GetTopicAttributes", { TopicArn })).Attributes.SubscriptionsDeleted, "1");

        await rejectsWith(sns.call("Publish", { TopicArn: topicArnOf(uniqueName("missing")), Message: "x" }), "NotFound");
        await rejectsWith(sns.call("Publish", { TopicArn, Message: "x", MessageAttributes: { n: { DataType: "Number", StringValue: "abc" } } }), "ParameterValueInvalid");
        await sns.call("DeleteTopic", { TopicArn });
        await sns.call("DeleteTopic", { TopicArn });
        await rejectsWith(sns.call("GetTopicAttributes", { TopicArn }), "NotFound");
        await rejectsWith(sns.call("GetSubscriptionAttributes", { SubscriptionArn: queueSub }), "NotFound");
      });

      test("Publish and PublishBatch to queues: the envelope, raw delivery with attributes, filter policies, per-protocol messages", async () => {
        const { TopicArn } = await sns.call("CreateTopic", { Name: uniqueName("pub") });
        const envelopeQ = await createQueue(sqs, "envelope");
        const rawQ = await createQueue(sqs, "raw");
        const bodyQ = await createQueue(sqs, "body-filter");
        for (const q of [envelopeQ, rawQ, bodyQ]) await allowTopicToQueue(sqs, q.url, TopicArn);
        const { SubscriptionArn } = await sns.call("Subscribe", { TopicArn, Protocol: "sqs", Endpoint: envelopeQ.arn });
        await sns.call("Subscribe", { TopicArn, Protocol: "sqs", Endpoint: rawQ.arn, Attributes: { RawMessageDelivery: "true", FilterPolicy: JSON.stringify({ kind: ["order"], amount: [{ numeric: [">", 10] }] }) } });
        await sns.call("Subscribe", { TopicArn, Protocol: "sqs", Endpoint: bodyQ.arn, Attributes: { FilterPolicyScope: "MessageBody", FilterPolicy: JSON.stringify({ order: { status: [{ prefix: "ship" }] } }) } });

        const attributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }> = {
          kind: { DataType: "String", StringValue: "order" },
          amount: { DataType: "Number", StringValue: "12.5" },
        };
        if (sns.binary) attributes.blob = { DataType: "Binary", BinaryValue: Buffer.from([0, 1, 250]).toString("base64") };
        const body = 'markup <a href="x">&amp;</a> unicode é 😀';
        const first = await sns.call("Publish", { TopicArn, Message: body, Subject: "greeting", MessageAttributes: attributes });
        assert.match(first.MessageId, /^[0-9a-f-]{36}$/);
        await sns.call("Publish", { TopicArn, Message: "too small", MessageAttributes: { kind: { DataType: "String", StringValue: "order" }, amount: { DataType: "Number", StringValue: "3" } } });
        await sns.call("Publish", { TopicArn, Message: JSON.stringify({ order: { status: "shipped" } }) });
        await sns.call("Publish", { TopicArn, MessageStructure: "json", Message: JSON.stringify({ default: "for everyone", sqs: "for queues" }) });
        const batch = await sns.call("PublishBatch", {
          TopicArn,
          PublishBatchRequestEntries: [
            { Id: "ok", Message: "batched", MessageAttributes: { kind: { DataType: "String", StringValue: "order" }, amount: { DataType: "Number", StringValue: "99" } } },
            { Id: "empty", Message: "" },
          ],
        });
        assert.deepEqual(batch.Successful.map((s: any) => s.Id), ["ok"]);
        assert.deepEqual(batch.Failed.map((f: any) => [f.Id, f.Code, f.SenderFault]), [["empty", "InvalidParameter", true]]);
        await rejectsWith(sns.call("PublishBatch", { TopicArn, PublishBatchRequestEntries: [{ Id: "a", Message: "x" }, { Id: "a", Message: "y" }] }), "BatchEntryIdsNotDistinct");

        const envelopes = (await receive(sqs, envelopeQ.url, 5)).map((m) => JSON.parse(m.Body!));
        assert.deepEqual(envelopes.map((e) => e.Message).sort(), [body, "too small", JSON.stringify({ order: { status: "shipped" } }), "for queues", "batched"].sort());
        const e = envelopes.find((x) => x.MessageId === first.MessageId);
        assert.deepEqual(Object.keys(e), ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"]);
        assert.deepEqual([e.Type, e.TopicArn, e.Subject, e.Message, e.SignatureVersion], ["Notification", TopicArn, "greeting", body, "1"]);
        assert.match(e.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.equal(e.UnsubscribeURL, `${flint.endpoint}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(SubscriptionArn)}`);
        assert.deepEqual(e.MessageAttributes, Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { Type: v.DataType, Value: v.StringValue ?? v.BinaryValue }])));

        const raw = await receive(sqs, rawQ.url, 2);
        assert.deepEqual(raw.map((m) => m.Body).sort(), [body, "batched"].sort());
        const rawFirst = raw.find((m) => m.Body === body)!;
        assert.deepEqual([rawFirst.MessageAttributes!.kind!.DataType, rawFirst.MessageAttributes!.kind!.StringValue], ["String", "order"]);
        assert.deepEqual([rawFirst.MessageAttributes!.amount!.DataType, rawFirst.MessageAttributes!.amount!.StringValue], ["Number", "12.5"]);
        if (sns.binary) assert.deepEqual(Buffer.from(rawFirst.MessageAttributes!.blob!.BinaryValue!), Buffer.from([0, 1, 250]));

        const shipped = await receive(sqs, bodyQ.url, 1);
        assert.equal(JSON.parse(shipped[0]!.Body!).Message, JSON.stringify({ order: { status: "shipped" } }));
      });

      test("an HTTP endpoint: a SubscriptionConfirmation, ConfirmSubscription with its token, then notifications", async () => {
        const { TopicArn } = await sns.call("CreateTopic", { Name: uniqueName("web") });
        const hook = `/${uniqueName("hook")}`;
        const pending = await sns.call("Subscribe", { TopicArn, Protocol: "http", Endpoint: `${web.url}${hook}` });
        assert.equal(pending.SubscriptionArn, "pending confirmation");
        const [confirmation] = await web.wait(hook, "SubscriptionConfirmation");
        const doc = confirmation!.json;
        assert.equal(confirmation!.headers["x-amz-sns-topic-arn"], TopicArn);
        assert.equal(confirmation!.headers["x-amz-sns-message-id"], doc.MessageId);
        assert.deepEqual([doc.Type, doc.TopicArn], ["SubscriptionConfirmation", TopicArn]);
        assert.equal(doc.SubscribeURL, `${flint.endpoint}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(TopicArn)}&Token=${doc.Token}`);
        assert.deepEqual((await all<any>(sns, "ListSubscriptionsByTopic", "Subscriptions", { TopicArn })).map((s) => s.SubscriptionArn), ["PendingConfirmation"]);

        const { SubscriptionArn } = await sns.call("ConfirmSubscription", { TopicArn, Token: doc.Token });
        assert.match(SubscriptionArn, new RegExp(`^${TopicArn}:[0-9a-f-]{36}$`));
        const attrs = (await sns.call("GetSubscriptionAttributes", { SubscriptionArn })).Attributes;
        assert.deepEqual([attrs.PendingConfirmation, attrs.ConfirmationWasAuthenticated], ["false", "true"]);

        const { MessageId } = await sns.call("Publish", { TopicArn, Message: "to the web", Subject: "hi" });
        const [notification] = await web.wait(hook, "Notification");
        assert.equal(notification!.headers["x-amz-sns-message-id"], MessageId);
        assert.equal(notification!.headers["x-amz-sns-subscription-arn"], SubscriptionArn);
        assert.equal(notification!.headers["content-type"], "text/plain; charset=UTF-8");
        assert.deepEqual([notification!.json.Type, notification!.json.Message, notification!.json.Subject], ["Notification", "to the web", "hi"]);
        await sns.call("DeleteTopic", { TopicArn });
      });
    });
  }

  test("HTTP: the SubscribeURL confirms without a signature, failed notifications are retried, signatures verify, raw delivery, the UnsubscribeURL", async () => {
    const sns = snsSdkClient(flint.endpoint);
    try {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: uniqueName("web-link") }));
      const hook = `/${uniqueName("hook")}`;
      const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: `${web.url}${hook}`, ReturnSubscriptionArn: true }));
      const [confirmation] = await web.wait(hook, "SubscriptionConfirmation");
      // What an endpoint does with the link: a plain GET.
      const confirmed = await fetch(confirmation!.json.SubscribeURL);
      assert.equal(confirmed.status, 200);
      assert.match(await confirmed.text(), new RegExp(`<ConfirmSubscriptionResult><SubscriptionArn>${SubscriptionArn}</SubscriptionArn></ConfirmSubscriptionResult>`));

      // The endpoint fails twice; the default policy retries (20 s apart in Flint time).
      let failures = 2;
      web.respond = (r) => (r.path === hook && failures-- > 0 ? 500 : 200);
      const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Message: "retried" }));
      const attempts = await web.wait(hook, "Notification", 3);
      assert.deepEqual(attempts.map((a) => [a.json.MessageId, a.status]), [[MessageId, 500], [MessageId, 500], [MessageId, 200]]);
      web.respond = () => 200;

      const doc = attempts[2]!.json;
      const cert = await fetch(doc.SigningCertURL);
      assert.equal(cert.status, 200);
      const publicKey = new X509Certificate(await cert.text()).publicKey;
      assert.ok(verify("sha1", Buffer.from(canonicalString(doc)), publicKey, Buffer.from(doc.Signature, "base64")), "the notification's signature verifies");
      const confirmationDoc = confirmation!.json;
      assert.ok(verify("sha1", Buffer.from(canonicalString(confirmationDoc)), publicKey, Buffer.from(confirmationDoc.Signature, "base64")), "the confirmation's signature verifies");

      await signedFetch(flint.endpoint, {
        method: "POST", path: "/", service: "sns", headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ Action: "SetSubscriptionAttributes", SubscriptionArn: SubscriptionArn!, AttributeName: "RawMessageDelivery", AttributeValue: "true" }).toString(),
      });
      await sns.send(new PublishCommand({ TopicArn, Message: "raw body" }));
      const raw = (await web.wait(hook, "Notification", 4))[3]!;
      assert.equal(raw.body, "raw body");
      assert.equal(raw.headers["x-amz-sns-rawdelivery"], "true");

      const unsubscribed = await fetch(doc.UnsubscribeURL);
      assert.equal(unsubscribed.status, 200);
      const gone = await signedFetch(flint.endpoint, { method: "POST", path: "/", service: "sns", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `Action=GetSubscriptionAttributes&SubscriptionArn=${encodeURIComponent(SubscriptionArn!)}` });
      assert.equal(gone.status, 404);
      assert.match(gone.body, /<Code>NotFound<\/Code><Message>Subscription does not exist<\/Message>/);
    } finally {
      sns.destroy();
    }
  });

  test("fan-out to a Lambda function: an asynchronous invoke with AWS's SNS event, as the function received it", async () => {
    const sns = snsSdkClient(flint.endpoint);
    try {
      const forwarded = await createQueue(sqs, "forwarded");
      const fn = await createFunction(flint, await zipFixture("nodejs"), "forward.handler", { Environment: { Variables: { FORWARD_QUEUE_URL: forwarded.url } } });
      const fnArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${fn}`;
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: uniqueName("to-lambda") }));
      await allowSnsToFunction(flint.lambda, fn, TopicArn!);
      const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: fnArn }));
      const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Message: "for the function", Subject: "subject", MessageAttributes: { kind: { DataType: "String", StringValue: "order" } } }));
      await sns.send(new PublishCommand({ TopicArn, Message: "no subject" }));

      const events = (await receive(sqs, forwarded.url, 2)).map((m) => JSON.parse(m.Body!));
      const event = events.find((e) => e.Records[0].Sns.MessageId === MessageId);
      assert.equal(event.Records.length, 1);
      const record = event.Records[0];
      assert.deepEqual([record.EventSource, record.EventVersion, record.EventSubscriptionArn], ["aws:sns", "1.0", SubscriptionArn]);
      assert.deepEqual(Object.keys(record.Sns), ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertUrl", "UnsubscribeUrl", "MessageAttributes"]);
      assert.deepEqual([record.Sns.Type, record.Sns.TopicArn, record.Sns.Subject, record.Sns.Message, record.Sns.SignatureVersion], ["Notification", TopicArn, "subject", "for the function", "1"]);
      assert.deepEqual(record.Sns.MessageAttributes, { kind: { Type: "String", Value: "order" } });
      assert.match(record.Sns.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.match(record.Sns.SigningCertUrl, new RegExp(`^${flint.endpoint}/SimpleNotificationService-[0-9a-f]{32}\\.pem$`));
      const other = events.find((e) => e.Records[0].Sns.MessageId !== MessageId).Records[0].Sns;
      assert.deepEqual([other.Subject, other.Message, other.MessageAttributes], [null, "no subject", {}]);
    } finally {
      sns.destroy();
    }
  });

  test("FIFO topics: to a FIFO queue in group order, deduplicated, with sequence numbers", async () => {
    const sns = snsSdkClient(flint.endpoint);
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${uniqueName("fifo")}.fifo`, Attributes: { FifoQueue: "true" } }));
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${uniqueName("fifo")}.fifo`, Attributes: { FifoTopic: "true", ContentBasedDeduplication: "true" } }));
      await allowTopicToQueue(sqs, QueueUrl!, TopicArn!);
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: Attributes!.QueueArn }));
      const sent = [];
      for (const body of ["g1-1", "g2-1", "g1-2", "g2-2", "g1-3"]) sent.push(await sns.send(new PublishCommand({ TopicArn, Message: body, MessageGroupId: body.slice(0, 2) })));
      const duplicate = await sns.send(new PublishCommand({ TopicArn, Message: "g1-1", MessageGroupId: "g1" }));
      assert.equal(duplicate.MessageId, sent[0]!.MessageId);
      const numbers = sent.map((r) => BigInt(r.SequenceNumber!));
      assert.deepEqual(numbers, [...numbers].sort((a, b) => (a < b ? -1 : 1)), "sequence numbers increase");

      const envelopes = (await receive(sqs, QueueUrl!, 5)).map((m) => JSON.parse(m.Body!));
      for (const group of ["g1", "g2"]) {
        const inGroup = envelopes.filter((e) => e.Message.startsWith(group));
        assert.deepEqual(inGroup.map((e) => e.Message), [...inGroup.map((e) => e.Message)].sort(), `${group} in order`);
      }
      assert.equal(envelopes.find((e) => e.Message === "g1-1").SequenceNumber, sent[0]!.SequenceNumber);
    } finally {
      sns.destroy();
    }
  });

  test("SNS as an asynchronous invocation's OnFailure destination and dead-letter target", async () => {
    const sns = snsSdkClient(flint.endpoint);
    try {
      const q = await createQueue(sqs, "failures");
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: uniqueName("failures") }));
      await allowTopicToQueue(sqs, q.url, TopicArn!);
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: q.arn }));
      const fn = await createFunction(flint, await zipFixture("nodejs"), "throw.handler", { DeadLetterConfig: { TargetArn: TopicArn } });
      await flint.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: fn, MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: TopicArn } } }));
      const requestId = await invokeEvent(flint, fn, { message: "always" });

      const envelopes = (await receive(sqs, q.url, 2)).map((m) => JSON.parse(m.Body!));
      const record = envelopes.map((e) => JSON.parse(e.Message)).find((m) => m.requestContext);
      assert.deepEqual([record.requestContext.requestId, record.requestContext.condition, record.requestPayload], [requestId, "RetriesExhausted", { message: "always" }]);
      const dead = envelopes.find((e) => e.MessageAttributes);
      assert.deepEqual(JSON.parse(dead.Message), { message: "always" });
      assert.deepEqual(dead.MessageAttributes.RequestID, { Type: "String", Value: requestId });
      assert.equal(dead.MessageAttributes.ErrorMessage.Value, "always");
    } finally {
      sns.destroy();
    }
  });

  describe("wire shapes", () => {
    const form = (body: string) => signedFetch(flint.endpoint, { method: "POST", path: "/", service: "sns", headers: { "content-type": "application/x-www-form-urlencoded" }, body });

    test("errors are an XML ErrorResponse with Type, Code, Message and RequestId", async () => {
      const r = await form(`Action=GetTopicAttributes&Version=2010-03-31&TopicArn=${encodeURIComponent(topicArnOf("no-such-topic"))}`);
      assert.equal(r.status, 404);
      const id = r.headers.get("x-amzn-requestid");
      assert.equal(
        r.body,
        `<?xml version="1.0"?><ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message><Detail/></Error><RequestId>${id}</RequestId></ErrorResponse>`,
      );
      const unknown = await form("Action=Nope");
      assert.equal(unknown.status, 400);
      assert.match(unknown.body, /<Code>InvalidAction<\/Code>/);
    });

    test("only the links in messages are served without a signature", async () => {
      const unsigned = await fetch(`${flint.endpoint}/?Action=ListTopics`);
      assert.equal(unsigned.status, 403, "an unsigned request is refused as AWS refuses it");
      assert.match(await unsigned.text(), /<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code>/);
      const publish = await fetch(`${flint.endpoint}/?Action=Publish&TopicArn=x&Message=y`);
      assert.notEqual(publish.status, 200);
      const link = await fetch(`${flint.endpoint}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArnOf("no-such-topic"))}&Token=abc`);
      assert.equal(link.status, 404);
      assert.match(await link.text(), /<Code>NotFound<\/Code>/);
      assert.equal((await fetch(`${flint.endpoint}/SimpleNotificationService-00000000000000000000000000000000.pem`)).status, 404);
    });
  });
});

describe("SNS durability", () => {
  test("deliveries of a publish acknowledged just before kill -9 are made after the restart", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "flint-sns-durable-"));
    const web = await HttpSubscriber.start();
    let flint = await startFlint({ dataDir, args: ARGS });
    let sns: SNSClient = snsSdkClient(flint.endpoint);
    let sqs: SQSClient = sqsSdkClient(flint.endpoint);
    try {
      const q = await createQueue(sqs, "durable");
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "durable" }));
      await allowTopicToQueue(sqs, q.url, TopicArn!);
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: q.arn }));
      // An endpoint that is down until the server restarts; its policy keeps retrying well past that.
      const hook = "/down-until-restart";
      const policy = JSON.stringify({ healthyRetryPolicy: { numRetries: 100, minDelayTarget: 20, maxDelayTarget: 20 } });
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: `${web.url}${hook}`, Attributes: { DeliveryPolicy: policy } }));
      const [confirmation] = await web.wait(hook, "SubscriptionConfirmation");
      assert.equal((await fetch(confirmation!.json.SubscribeURL)).status, 200);
      web.respond = (r) => (r.path === hook ? 503 : 200);

      const published = await Promise.all(Array.from({ length: 20 }, (_, i) => sns.send(new PublishCommand({ TopicArn, Message: `message ${i}` }))));
      await flint.kill9();
      sns.destroy();
      sqs.destroy();

      web.respond = () => 200;
      flint = await startFlint({ dataDir, args: ARGS });
      assert.match(flint.output(), /flint: \d+ SNS deliveries from the last run are queued again/, "the kill caught deliveries not yet made");
      sns = snsSdkClient(flint.endpoint);
      sqs = sqsSdkClient(flint.endpoint);
      const ids = published.map((p) => p.MessageId!).sort();
      // At least once: a delivery the kill caught mid-way may come twice.
      const queued = new Set<string>();
      const until = Date.now() + 60_000;
      while (queued.size < ids.length && Date.now() < until) {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url.replace(/^http:\/\/[^/]+/, flint.endpoint), MaxNumberOfMessages: 10, WaitTimeSeconds: 2 }));
        for (const m of Messages) queued.add(JSON.parse(m.Body!).MessageId);
      }
      assert.deepEqual([...queued].sort(), ids, "every message reached the queue");
      const answered = () => new Set(web.to(hook, "Notification").filter((r) => r.status === 200).map((r) => r.json.MessageId as string));
      await eventually(() => answered().size >= ids.length, PATIENCE_MS, "every notification answered");
      assert.deepEqual([...answered()].sort(), ids, "every message reached the HTTP endpoint after the restart");
    } finally {
      sns.destroy();
      sqs.destroy();
      await flint.stop({ cleanup: false });
      await web.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
