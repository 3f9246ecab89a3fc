/**
 * The async timeline: an Event invoke of a function that throws, with no retries and an SQS
 * dead-letter queue, followed on its page until it ends: the failed attempt with the function's
 * error, the dead-letter queue (named, linked to its page), and the message really in that queue.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { PutFunctionEventInvokeConfigCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { ACCOUNT, REGION, uniqueName } from "../../harness/flint.js";
import { WAITER, createFunction } from "../../harness/functions.js";
import { invokeEvent } from "../../harness/async.js";
import { sdkClient } from "../../harness/sqs-clients.js";
import { zipFixture } from "../../harness/zip.js";
import type { ConsoleContext } from "./context.js";

export async function timelineScenario({ flint, page, base, shot }: ConsoleContext): Promise<void> {
  const sqs = sdkClient(flint.endpoint);
  try {
    const name = await createFunction(flint, await zipFixture("nodejs"), "throw.handler", { FunctionName: uniqueName("console-async") });
    const dlqName = uniqueName("console-dlq");
    const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: dlqName }))).QueueUrl!;
    const dlqArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${dlqName}`;
    await flint.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, DeadLetterConfig: { TargetArn: dlqArn } }));
    await waitUntilFunctionUpdatedV2({ client: flint.lambda, ...WAITER }, { FunctionName: name });
    // No retries: the first failure goes to the dead-letter queue at once.
    await flint.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 0 }));

    // The find form takes a request id to its page.
    const id = await invokeEvent(flint, name, { message: "no such order 42" });
    await page.goto(`${base}/events`);
    await page.getByRole("heading", { level: 1, name: "Async events" }).waitFor();
    await page.getByLabel("Request id").fill(id);
    await page.getByRole("button", { name: "Show timeline" }).click();
    await page.getByRole("heading", { level: 1, name: `Event ${id}` }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/_flint/console/events/${id}`);

    // The page asks again while the event is pending, until it shows it ended.
    const state = page.getByRole("status").filter({ hasText: "State" });
    await state.filter({ hasText: "Ended" }).waitFor();
    assert.match(await state.innerText(), /Outcome\s+Failed, delivered to its failure target/);

    const steps = page.getByRole("list").filter({ has: page.getByRole("listitem").filter({ hasText: "Accepted" }) }).getByRole("listitem");
    const texts = (await steps.allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim());
    assert.deepEqual(texts.map((t) => t.split(" ")[1]), ["Accepted", "Attempt", "Dead-letter", "Failed", "Ended"], texts.join("\n"));
    assert.match(texts[0]!, new RegExp(`Queued for ${name} \\(\\d+-byte payload\\)`));
    assert.match(texts[1]!, /Attempt 1 on version \$LATEST: failed \(Unhandled\) — “?no such order 42”?/);
    assert.match(texts[2]!, new RegExp(`Sent to the dead-letter queue SQS queue ${dlqName}\\.`));
    assert.match(texts[3]!, /Failed: its retries were exhausted after 1 attempt\(s\)/);

    // The queue is linked to its page, the function to its own, and its lines to the logs page.
    const queueLink = page.getByRole("link", { name: `SQS queue ${dlqName}` });
    assert.equal(await queueLink.getAttribute("href"), `/_flint/console/queues/${dlqName}`);
    assert.equal(await page.getByRole("link", { name, exact: true }).getAttribute("href"), `/_flint/console/functions/${name}`);
    const logs = page.getByRole("link", { name: `This event's lines in /aws/lambda/${name}` });
    assert.equal(await logs.getAttribute("href"), `/_flint/console/logs/${encodeURIComponent(`/aws/lambda/${name}`)}?requestId=${id}`);
    await shot("events");

    // And the event is really in that queue, as AWS's dead-letter message: the payload, the request id and the error.
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, WaitTimeSeconds: 5, MessageAttributeNames: ["All"] }));
    assert.equal(out.Messages?.length, 1);
    const message = out.Messages![0]!;
    assert.deepEqual(JSON.parse(message.Body!), { message: "no such order 42" });
    assert.equal(message.MessageAttributes?.RequestID?.StringValue, id);
    assert.equal(message.MessageAttributes?.ErrorMessage?.StringValue, "no such order 42");

    // A request id no event has: the API's 404, as it said it.
    const unknown = randomUUID();
    await page.goto(`${base}/events/${unknown}`);
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.innerText(), new RegExp(`ResourceNotFoundException \\(HTTP 404\\)\\s+No asynchronous event with request id ${unknown}`));
  } finally {
    sqs.destroy();
  }
}
