/**
 * Queues and topics as a user drives them. A queue and a message made with the AWS CLI v2 are found
 * by a prefix search, peeked (body, attribute, receive count going up with each peek), a message sent
 * from the page arrives as typed (received with the SDK), and the queue is purged. A message received
 * more times than its redrive policy allows goes to the dead-letter queue, whose page redrives it back
 * (the task listed COMPLETED, the message in its source queue again). A topic with an
 * SQS subscription made with the CLI shows its subscription (protocol, endpoint linked to the queue,
 * filter policy), and a message published from the page reaches the subscribed queue.
 */
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { CreateQueueCommand, GetQueueAttributesCommand, type Message, ReceiveMessageCommand, SendMessageCommand, SetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { ACCOUNT, REGION, uniqueName } from "../../harness/flint.js";
import { eventually } from "../../harness/processes.js";
import { allowTopicToQueue } from "../../harness/permissions.js";
import { sdkClient } from "../../harness/sqs-clients.js";
import type { ConsoleContext } from "./context.js";

/** Every message visible in the queue now (a receive that leaves them visible), with their attributes. */
async function receiveAll(sqs: SQSClient, url: string) {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0, MessageAttributeNames: ["All"] }));
  return Messages;
}

/** The value a KeyValue list shows for `term`, within `scope`. */
const valueOf = (scope: Locator | Page, term: string) =>
  scope
    .locator(".kv > div")
    .filter({ hasText: new RegExp(`^${term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`) })
    .getByRole("definition");

export async function queuesScenario({ flint, page, base, shot }: ConsoleContext): Promise<void> {
  const cli = async (args: string[]) => {
    const r = await flint.aws(args);
    assert.equal(r.code, 0, `aws ${args.join(" ")}: ${r.stderr}${r.stdout}`);
    return r.stdout.trim() ? r.json() : {};
  };
  const sqs = sdkClient(flint.endpoint);
  try {
    // --- with the CLI (two rounds, each call of a round at once): a queue with a message; a topic with
    // an SQS subscription (raw delivery, a filter policy) to a queue whose policy lets the topic send.
    const name = uniqueName("console-queue");
    const topicName = uniqueName("console-topic");
    const subscriberName = uniqueName("console-subscriber");
    const subscriberArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${subscriberName}`;
    const dlqName = uniqueName("console-dlq");
    const ourArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
    const otherAccountArn = `arn:aws:sqs:${REGION}:111122223333:${name}`;
    const otherRegionArn = `arn:aws:sqs:eu-west-1:${ACCOUNT}:${name}`;
    const [{ QueueUrl: url }, { TopicArn: topicArn }, { QueueUrl: subscriberUrl }, { QueueUrl: dlqUrl }] = await Promise.all([
      cli(["sqs", "create-queue", "--queue-name", name, "--attributes", "VisibilityTimeout=45"]),
      cli(["sns", "create-topic", "--name", topicName, "--attributes", "DisplayName=Console test"]),
      sqs.send(new CreateQueueCommand({ QueueName: subscriberName })),
      sqs.send(new CreateQueueCommand({ QueueName: dlqName })),
    ]);
    const body = { order: 42, items: ["tea", "cake"] };
    const [first] = await Promise.all([
      cli(["sqs", "send-message", "--queue-url", url, "--message-body", JSON.stringify(body), "--message-attributes", JSON.stringify({ colour: { DataType: "String", StringValue: "green" } })]),
      cli([
        "sns",
        "subscribe",
        "--topic-arn",
        topicArn,
        "--protocol",
        "sqs",
        "--notification-endpoint",
        subscriberArn,
        "--attributes",
        JSON.stringify({ RawMessageDelivery: "true", FilterPolicy: JSON.stringify({ colour: ["green"] }) }),
      ]),
      allowTopicToQueue(sqs, subscriberUrl!, topicArn),
      // The queue's failures go to a dead-letter queue after 5 receives.
      sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${dlqName}`, maxReceiveCount: 5 }) } })),
      // The dead-letter queue allows it, and queues of the same name in another account and another region.
      sqs.send(new SetQueueAttributesCommand({ QueueUrl: dlqUrl!, Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [ourArn, otherAccountArn, otherRegionArn] }) } })),
    ]);

    // --- the list: a prefix search asks ListQueues, and the row shows its depth
    await page.goto(`${base}/queues`);
    await page.getByRole("heading", { level: 1, name: "Queues" }).waitFor();
    await page.getByLabel("Queue name prefix").fill(name);
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(new RegExp(`\\?prefix=${name}$`));
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) });
    await row.getByRole("cell").nth(2).filter({ hasText: /^1$/ }).waitFor();
    assert.deepEqual(await row.getByRole("cell").allTextContents(), [name, "Standard", "1", "0", "0"]);
    assert.equal(await page.getByRole("row").count(), 2, "only the queue the prefix names (and the header row)");
    await shot("queues");

    // --- a queue: attributes in words
    await row.getByRole("link", { name }).click();
    await page.getByRole("heading", { level: 1, name }).waitFor();
    await valueOf(page, "Visibility timeout").filter({ hasText: "45 seconds" }).waitFor();
    assert.equal(await valueOf(page, "Message retention period").textContent(), "4 days");
    assert.equal(await valueOf(page, "Messages available").textContent(), "1");
    assert.equal(await valueOf(page, "Redrive policy").textContent(), `After 5 receives, a message moves to the dead-letter queue ${dlqName}.`);
    await shot("queue-details");

    // --- peek: the body (pretty JSON), the attribute, and the receive count, which each peek raises
    await page.getByRole("tab", { name: "Peek messages" }).click();
    assert.match(page.url(), /\?tab=peek$/);
    await page.getByText("Peeking is a receive.").waitFor();
    await page.getByText(`a message already received 5 times moves to its dead-letter queue ${dlqName} when peeked`).waitFor();
    await page.getByRole("button", { name: "Peek messages" }).click();
    const message = page.getByRole("article", { name: `Message ${first.MessageId}` });
    await message.waitFor();
    assert.equal(await message.getByLabel(`Body of message ${first.MessageId}`).textContent(), JSON.stringify(body, null, 2));
    assert.deepEqual(await message.getByRole("table", { name: `Message attributes of ${first.MessageId}` }).getByRole("row").nth(1).getByRole("cell").allTextContents(), ["colour", "String", "green"]);
    assert.equal(await valueOf(message, "Receive count").textContent(), "1");
    await page.getByRole("button", { name: "Peek messages" }).click();
    await valueOf(message, "Receive count").filter({ hasText: /^2$/ }).waitFor();
    await shot("queue");

    // --- send from the page; the CLI receives it as typed
    await page.getByRole("tab", { name: "Send a message" }).click();
    const typed = `sent from the console ${name}`;
    await page.getByLabel("Message body").fill(typed);
    await page.getByLabel("Delay seconds").fill("0");
    await page.getByRole("button", { name: "Add attribute" }).click();
    await page.getByLabel("Attribute 1 name").fill("size");
    await page.getByLabel("Attribute 1 type").selectOption("Number");
    await page.getByLabel("Attribute 1 value").fill("12");
    await page.getByRole("button", { name: "Send message" }).click();
    const sentStatus = page.getByRole("status").filter({ hasText: "Sent. Message ID:" });
    await sentStatus.waitFor();
    const sentId = (await sentStatus.locator("strong").textContent())!;
    let arrived: Message | undefined;
    await eventually(async () => (arrived = (await receiveAll(sqs, url)).find((m) => m.MessageId === sentId)) !== undefined, 10_000, "the message sent from the page");
    assert.equal(arrived!.Body, typed);
    assert.deepEqual(arrived!.MessageAttributes, { size: { DataType: "Number", StringValue: "12" } });

    // --- purge, after a confirm step; the depth refresh shows it empty
    await page.getByRole("button", { name: "Purge messages…" }).click();
    await page.getByRole("button", { name: "Purge queue" }).click();
    await page.getByRole("status").filter({ hasText: "Purged" }).waitFor();
    await valueOf(page, "Messages available").filter({ hasText: /^0$/ }).waitFor();
    const after = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
    assert.deepEqual(after.Attributes, { ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" });

    // --- a message dead-lettered by the redrive policy: received 5 times (the SDK), the 6th receive
    // moves it to the dead-letter queue instead of returning it
    const failing = `fails every time ${name}`;
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: failing }));
    for (let i = 1; i <= 5; i++) {
      const got = await receiveAll(sqs, url);
      assert.deepEqual(got.map((m) => m.Body), [failing], `receive ${i}`);
    }
    assert.deepEqual(await receiveAll(sqs, url), [], "the 6th receive moved it to the dead-letter queue");
    const dlqDepth = async () => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["ApproximateNumberOfMessages"] }))).Attributes?.ApproximateNumberOfMessages;
    assert.equal(await dlqDepth(), "1");

    // --- the dead-letter queue, by the link in the redrive policy: its source queue; "Start redrive"
    // moves the message back to it, and the task is listed with its status and counts
    await page.getByRole("tab", { name: "Details" }).click();
    await valueOf(page, "Redrive policy").getByRole("link", { name: dlqName }).click();
    await page.getByRole("heading", { level: 1, name: dlqName }).waitFor();
    assert.equal(await valueOf(page, "Messages available").textContent(), "1");
    // Its redrive allow policy links only the queue of this account and region; the same name
    // elsewhere is another queue, shown as its ARN.
    const allow = valueOf(page, "Redrive allow policy");
    await allow.getByRole("link", { name, exact: true }).waitFor();
    assert.equal(await allow.getByRole("link").count(), 1);
    assert.equal(await allow.getByRole("link").getAttribute("href"), `/_flint/console/queues/${name}`);
    assert.equal(await allow.textContent(), `Only these queues may use it as their dead-letter queue: ${name}, ${otherAccountArn}, ${otherRegionArn}.`);
    await page.getByRole("tab", { name: "Dead-letter redrive" }).click();
    const sources = page.getByRole("table", { name: /^1 source queue:/ });
    await sources.getByRole("link", { name, exact: true }).waitFor();
    const tasks = page.getByRole("table", { name: /^Redrive tasks from / });
    await tasks.getByRole("cell", { name: "No redrive tasks yet." }).waitFor();
    await page.getByRole("button", { name: "Start redrive" }).click();
    await page.getByRole("status").filter({ hasText: /^Redrive started\. Task handle: \S+/ }).waitFor();
    // Listed at once (RUNNING or already COMPLETED); the list is read again every 5 s while one runs.
    const task = tasks.getByRole("row").nth(1);
    await task.getByRole("cell", { name: "COMPLETED", exact: true }).waitFor({ timeout: 15_000 });
    const [, status, destination, moved, toMove] = await task.getByRole("cell").allTextContents();
    assert.deepEqual([status, destination, moved, toMove], ["COMPLETED", "Source queues", "1", "1"]);
    // The depth is read again with the tasks: the dead-letter queue is empty.
    await valueOf(page, "Messages available").filter({ hasText: /^0$/ }).waitFor();
    await shot("queue-redrive");
    // The message is back in its source queue (a new message, as AWS moves them), and gone from the dead-letter queue.
    const { Messages: back = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
    assert.deepEqual(back.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount]), [[failing, "1"]]);
    assert.equal(await dlqDepth(), "0");

    await page.goto(`${base}/topics`);
    await page.getByLabel("Search topics by name").fill(topicName);
    const topicRow = page.getByRole("row").filter({ has: page.getByRole("link", { name: topicName, exact: true }) });
    await topicRow.getByRole("cell").nth(3).filter({ hasText: /^1$/ }).waitFor();
    assert.deepEqual(await topicRow.getByRole("cell").allTextContents(), [topicName, "Standard", "Console test", "1", "0"]);
    await shot("topics");

    await topicRow.getByRole("link", { name: topicName }).click();
    await page.getByRole("heading", { level: 1, name: topicName }).waitFor();
    assert.equal(await valueOf(page, "Display name").textContent(), "Console test");
    const subscriptions = page.getByRole("table", { name: /^1 subscription$/ });
    const subRow = subscriptions.getByRole("row").nth(1);
    await subRow.getByRole("cell").nth(3).filter({ hasText: "Yes" }).waitFor();
    const subCells = await subRow.getByRole("cell").allTextContents();
    assert.deepEqual(subCells.slice(0, 4), ["sqs", subscriberName, "Confirmed", "Yes"]);
    assert.equal(await subRow.getByRole("link", { name: subscriberName }).getAttribute("href"), `/_flint/console/queues/${subscriberName}`);
    assert.deepEqual(JSON.parse((await subRow.getByLabel(/^Filter policy of/).textContent())!), { colour: ["green"] });

    // --- publish from the page: the attribute passes the filter, the queue gets the message as typed
    const published = `published from the console ${topicName}`;
    await page.getByLabel("Subject").fill("Console");
    await page.getByLabel("Message", { exact: true }).fill(published);
    await page.getByRole("button", { name: "Add attribute" }).click();
    await page.getByLabel("Attribute 1 name").fill("colour");
    await page.getByLabel("Attribute 1 value").fill("green");
    await page.getByRole("button", { name: "Publish message" }).click();
    const pubStatus = page.getByRole("status").filter({ hasText: "Published. Message ID:" });
    await pubStatus.waitFor();
    await shot("topic");
    let delivered: Message | undefined;
    await eventually(async () => (delivered = (await receiveAll(sqs, subscriberUrl!))[0]) !== undefined, 10_000, "the published message in the subscribed queue");
    assert.equal(delivered!.Body, published);
    assert.deepEqual(delivered!.MessageAttributes, { colour: { DataType: "String", StringValue: "green" } });
  } finally {
    sqs.destroy();
  }
}
