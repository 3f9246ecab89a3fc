/**
 * Event source mappings: an SQS queue holding 5 messages mapped, disabled, to a function shows on
 * the list as Disabled with "5 waiting" as its lag, linked to its function and queue; its page shows
 * the lag and the configuration it was created with (batch size, batching window, filter), and
 * the lag read again (a sixth message shows within a 5 s refresh).
 */
import assert from "node:assert/strict";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { REGION, TEST_CREDENTIALS, uniqueName } from "../../harness/flint.js";
import { createFunction } from "../../harness/functions.js";
import { createExecutionRole } from "../../harness/permissions.js";
import { zipFixture } from "../../harness/zip.js";
import type { ConsoleContext } from "./context.js";

export async function mappingsScenario({ flint, page, base, shot }: ConsoleContext): Promise<void> {
  const sqs = new SQSClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  const queueName = uniqueName("console-esm");
  // A role that may read the queue: Lambda checks it when the mapping is created.
  const role = await createExecutionRole(flint.endpoint, [{ Effect: "Allow", Action: "sqs:GetQueueAttributes", Resource: "*" }], uniqueName("console-esm-role"), ["AWSLambdaSQSQueueExecutionRole"]);
  const [fn, queue] = await Promise.all([
    createFunction(flint, await zipFixture("nodejs"), "echo.handler", { FunctionName: uniqueName("console-esm-fn"), Role: role, Timeout: 10 }),
    sqs.send(new CreateQueueCommand({ QueueName: queueName })),
  ]);
  await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue.QueueUrl, Entries: [1, 2, 3, 4, 5].map((i) => ({ Id: `m${i}`, MessageBody: JSON.stringify({ n: i }) })) }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ["QueueArn"] }));
  const pattern = JSON.stringify({ body: { n: [{ numeric: [">", 0] }] } });
  const mapping = await flint.lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: fn,
      EventSourceArn: Attributes!.QueueArn,
      Enabled: false,
      BatchSize: 7,
      MaximumBatchingWindowInSeconds: 3,
      FilterCriteria: { Filters: [{ Pattern: pattern }] },
    }),
  );
  const uuid = mapping.UUID!;

  await page.goto(`${base}/mappings`);
  await page.getByLabel("Search mappings by function, source or UUID").fill(fn);
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: uuid }) });
  // The lag comes from GET /_flint/mappings: the queue's 5 messages wait (the mapping reads none).
  await row.getByRole("cell", { name: "5 waiting, 0 in flight" }).waitFor();
  const cells = await row.getByRole("cell").allTextContents();
  assert.deepEqual(cells.slice(0, 5), [uuid, "Disabled", fn, `SQS queue ${queueName}`, "7"]);
  assert.equal(await row.getByRole("link", { name: fn }).getAttribute("href"), `/_flint/console/functions/${fn}`);
  assert.equal(await row.getByRole("link", { name: `SQS queue ${queueName}` }).getAttribute("href"), `/_flint/console/queues/${queueName}`);
  await shot("mappings");

  await row.getByRole("link", { name: uuid }).click();
  await page.getByRole("heading", { level: 1, name: `Mapping ${uuid}` }).waitFor();
  const value = (term: string) => page.locator(".kv div").filter({ has: page.getByRole("term").filter({ hasText: new RegExp(`^${term}$`) }) }).getByRole("definition");
  const lag = page.getByRole("region", { name: "Lag" });
  await lag.getByRole("definition").first().filter({ hasText: /^5$/ }).waitFor();
  assert.equal(await value("Messages waiting").textContent(), "5");
  assert.equal(await value("Messages in flight").textContent(), "0");
  assert.equal(await value("State").textContent(), "Disabled");
  assert.equal(await value("Batch size").textContent(), "7");
  assert.equal(await value("Batching window").textContent(), "3 s");
  assert.equal(await value("Source ARN").textContent(), Attributes!.QueueArn);
  assert.equal(JSON.parse((await page.getByLabel("Filter 1 pattern").textContent())!).body.n[0].numeric[1], 0);
  await shot("mapping");
  // The lag is read again while the page shows: a sixth message appears within a refresh.
  await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue.QueueUrl, Entries: [{ Id: "m6", MessageBody: JSON.stringify({ n: 6 }) }] }));
  await lag.getByRole("definition").first().filter({ hasText: /^6$/ }).waitFor({ timeout: 15_000 });
  sqs.destroy();
}
