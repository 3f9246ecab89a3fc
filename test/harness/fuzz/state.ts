/**
 * The small fixed state the fuzz test runs against (a function, a standard and a FIFO queue with a
 * message in each, a topic with a subscription), and its snapshot through the APIs: what must be
 * the same after thousands of refused requests.
 */
import * as lambda from "@aws-sdk/client-lambda";
import * as sns from "@aws-sdk/client-sns";
import * as sqs from "@aws-sdk/client-sqs";
import type { FlintProcess } from "../flint.js";
import { createFunction } from "../functions.js";
import { snsSdkClient } from "../sns-clients.js";
import { sdkClient as sqsSdkClient } from "../sqs-clients.js";
import { zipFixture } from "../zip.js";
import type { Targets } from "./operations.js";

const NAMES = { fn: "fuzz-echo", standardQueue: "fuzz-standard", fifoQueue: "fuzz-fifo.fifo", topic: "fuzz-topic" } as const;

export async function createState(flint: FlintProcess): Promise<Targets> {
  const zip = await zipFixture("nodejs");
  await createFunction(flint, zip, "echo.handler", { FunctionName: NAMES.fn, Tags: { fuzz: "state" }, Description: "fuzz target" });
  const queues = sqsSdkClient(flint.endpoint);
  const topics = snsSdkClient(flint.endpoint);
  try {
    const { QueueUrl: standard } = await queues.send(new sqs.CreateQueueCommand({ QueueName: NAMES.standardQueue, tags: { fuzz: "state" } }));
    const { QueueUrl: fifo } = await queues.send(new sqs.CreateQueueCommand({ QueueName: NAMES.fifoQueue, Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" } }));
    await queues.send(new sqs.SendMessageCommand({ QueueUrl: standard, MessageBody: "standing message" }));
    await queues.send(new sqs.SendMessageCommand({ QueueUrl: fifo, MessageBody: "standing message", MessageGroupId: "g" }));
    const { Attributes } = await queues.send(new sqs.GetQueueAttributesCommand({ QueueUrl: standard, AttributeNames: ["QueueArn"] }));
    const { TopicArn } = await topics.send(new sns.CreateTopicCommand({ Name: NAMES.topic, Tags: [{ Key: "fuzz", Value: "state" }] }));
    const { SubscriptionArn } = await topics.send(new sns.SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: Attributes!.QueueArn, ReturnSubscriptionArn: true }));
    return { host: new URL(flint.endpoint).host, zipBase64: zip.toString("base64"), subscriptionArn: SubscriptionArn!, ...NAMES };
  } finally {
    queues.destroy();
    topics.destroy();
  }
}

/** Everything the APIs say about the state, in a form to compare with deepEqual. */
export async function snapshot(flint: FlintProcess): Promise<Record<string, unknown>> {
  const queues = sqsSdkClient(flint.endpoint);
  const topics = snsSdkClient(flint.endpoint);
  const fns = flint.lambda;
  const strip = <T extends object>(out: T) => Object.fromEntries(Object.entries(out).filter(([k]) => k !== "$metadata"));
  try {
    const functions: Record<string, unknown> = {};
    // Versions are listed per function below.
    for (const f of (await fns.send(new lambda.ListFunctionsCommand({}))).Functions ?? []) {
      const FunctionName = f.FunctionName!;
      const got = await fns.send(new lambda.GetFunctionCommand({ FunctionName }));
      functions[FunctionName] = {
        listed: f,
        configuration: strip(await fns.send(new lambda.GetFunctionConfigurationCommand({ FunctionName }))),
        // Code.Location is a presigned URL, new on every call.
        function: { ...strip(got), Code: { ...got.Code, Location: undefined } },
        versions: (await fns.send(new lambda.ListVersionsByFunctionCommand({ FunctionName }))).Versions,
        aliases: (await fns.send(new lambda.ListAliasesCommand({ FunctionName }))).Aliases,
        concurrency: strip(await fns.send(new lambda.GetFunctionConcurrencyCommand({ FunctionName }))),
        provisioned: (await fns.send(new lambda.ListProvisionedConcurrencyConfigsCommand({ FunctionName }))).ProvisionedConcurrencyConfigs,
        eventInvokeConfigs: (await fns.send(new lambda.ListFunctionEventInvokeConfigsCommand({ FunctionName }))).FunctionEventInvokeConfigs,
        tags: (await fns.send(new lambda.ListTagsCommand({ Resource: f.FunctionArn }))).Tags,
        // The fixed state has no policy: GetPolicy's 404, or what a request added.
        policy: await fns.send(new lambda.GetPolicyCommand({ FunctionName })).then((p) => p.Policy, (err: Error) => err.name),
      };
    }
    const settings = strip(await fns.send(new lambda.GetAccountSettingsCommand({})));
    const queueState: Record<string, unknown> = {};
    for (const QueueUrl of (await queues.send(new sqs.ListQueuesCommand({}))).QueueUrls ?? []) {
      queueState[QueueUrl] = {
        attributes: (await queues.send(new sqs.GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }))).Attributes,
        tags: (await queues.send(new sqs.ListQueueTagsCommand({ QueueUrl }))).Tags,
      };
    }
    const topicState: Record<string, unknown> = {};
    for (const { TopicArn } of (await topics.send(new sns.ListTopicsCommand({}))).Topics ?? []) {
      topicState[TopicArn!] = {
        attributes: (await topics.send(new sns.GetTopicAttributesCommand({ TopicArn }))).Attributes,
        tags: (await topics.send(new sns.ListTagsForResourceCommand({ ResourceArn: TopicArn }))).Tags,
        subscriptions: (await topics.send(new sns.ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions,
      };
    }
    const subscriptions: Record<string, unknown> = {};
    for (const [i, s] of ((await topics.send(new sns.ListSubscriptionsCommand({}))).Subscriptions ?? []).entries()) {
      // A subscription waiting for confirmation is listed as PendingConfirmation, with no attributes to get.
      const pending = s.SubscriptionArn === "PendingConfirmation";
      subscriptions[pending ? `pending ${i}` : s.SubscriptionArn!] = { listed: s, attributes: pending ? undefined : (await topics.send(new sns.GetSubscriptionAttributesCommand({ SubscriptionArn: s.SubscriptionArn }))).Attributes };
    }
    return { functions, settings, queues: queueState, topics: topicState, subscriptions };
  } finally {
    queues.destroy();
    topics.destroy();
  }
}
