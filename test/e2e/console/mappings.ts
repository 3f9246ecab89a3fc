/**
 * Event source mappings: an SQS queue holding 5 messages mapped, disabled, to a function shows on
 * the list as Disabled with "5 waiting" as its lag, linked to its function and queue; its page shows
 * the lag and the configuration it was created with (batch size, batching window, filter), and
 * the lag read again (a sixth message shows within a 5 s refresh). An enabled mapping of a Kinesis
 * stream shows Enabled with its shard's iterator age, linked to its stream, and its page the
 * stream-only settings (starting position, retries, bisect, on-failure destination).
 */
import assert from "node:assert/strict";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { REGION, TEST_CREDENTIALS, uniqueName } from "../../harness/flint.js";
import { WAITER, createFunction } from "../../harness/functions.js";
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordCommand, waitUntilStreamExists } from "@aws-sdk/client-kinesis";
import { createExecutionRole } from "../../harness/permissions.js";
import { zipFixture } from "../../harness/zip.js";
import type { ConsoleContext } from "./context.js";

export async function mappingsScenario({ flint, page, base, shot }: ConsoleContext): Promise<void> {
  const sqs = new SQSClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  const queueName = uniqueName("console-esm");
  // A role that may read the queue and the stream (Lambda checks it when a mapping is created), and send to the queue on failure.
  const role = await createExecutionRole(flint.endpoint, [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }], uniqueName("console-esm-role"), ["AWSLambdaSQSQueueExecutionRole", "AWSLambdaKinesisExecutionRole"]);
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
  // A Kinesis stream read from its oldest record, enabled: Flint reports its shard's iterator age.
  const kinesis = new KinesisClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  const streamName = uniqueName("console-esm-stream");
  await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 1 }));
  await waitUntilStreamExists({ client: kinesis, ...WAITER }, { StreamName: streamName });
  await kinesis.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: "k", Data: Buffer.from("{}") }));
  const streamArn = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }))).StreamDescriptionSummary!.StreamARN!;
  const streamMapping = await flint.lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: fn,
      EventSourceArn: streamArn,
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 5,
      MaximumRetryAttempts: 2,
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: Attributes!.QueueArn } },
    }),
  );
  kinesis.destroy();

  await page.goto(`${base}/mappings`);
  await page.getByLabel("Search mappings by function, source or UUID").fill(fn);
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: uuid }) });
  // The lag comes from GET /_flint/mappings: the queue's 5 messages wait (the mapping reads none).
  await row.getByRole("cell", { name: "5 waiting, 0 in flight" }).waitFor();
  const cells = await row.getByRole("cell").allTextContents();
  assert.deepEqual(cells.slice(0, 5), [uuid, "Disabled", fn, `SQS queue ${queueName}`, "7"]);
  assert.equal(await row.getByRole("link", { name: fn }).getAttribute("href"), `/_flint/console/functions/${fn}`);
  assert.equal(await row.getByRole("link", { name: `SQS queue ${queueName}` }).getAttribute("href"), `/_flint/console/queues/${queueName}`);
  // The stream's mapping: Enabled once its poller has it, with its one shard's iterator age once read.
  const streamRow = page.getByRole("row").filter({ has: page.getByRole("link", { name: streamMapping.UUID! }) });
  await streamRow.getByRole("cell", { name: /^iterator age [\d.,]+ (ms|s|min|h) \(oldest of 1 shard\)$/ }).waitFor({ timeout: 15_000 });
  await streamRow.getByRole("cell", { name: "Enabled", exact: true }).waitFor();
  assert.equal(await streamRow.getByRole("link", { name: `Kinesis stream ${streamName}` }).getAttribute("href"), `/_flint/console/streams/${streamName}`);
  await shot("mappings");

  await streamRow.getByRole("link", { name: streamMapping.UUID! }).click();
  await page.getByRole("heading", { level: 1, name: `Mapping ${streamMapping.UUID}` }).waitFor();
  await page.getByRole("table", { name: "Iterator age per shard" }).getByRole("cell", { name: "shardId-000000000000" }).waitFor();
  const kv = (term: string) => page.locator(".kv div").filter({ has: page.getByRole("term").filter({ hasText: new RegExp(`^${term}$`) }) }).getByRole("definition");
  assert.equal(await kv("Starting position").textContent(), "TRIM_HORIZON");
  assert.equal(await kv("Maximum retry attempts").textContent(), "2");
  assert.equal(await kv("Bisect batch on function error").textContent(), "yes");
  assert.equal(await kv("On-failure destination").textContent(), `SQS queue ${queueName}`);
  await page.goBack();
  await page.getByLabel("Search mappings by function, source or UUID").fill(fn);
  await row.getByRole("link", { name: uuid }).click();
  await page.getByRole("heading", { level: 1, name: `Mapping ${uuid}` }).waitFor();
  const lag = page.getByRole("region", { name: "Lag" });
  await lag.getByRole("definition").first().filter({ hasText: /^5$/ }).waitFor();
  assert.equal(await kv("Messages waiting").textContent(), "5");
  assert.equal(await kv("Messages in flight").textContent(), "0");
  assert.equal(await kv("State").textContent(), "Disabled");
  assert.equal(await kv("Batch size").textContent(), "7");
  assert.equal(await kv("Batching window").textContent(), "3 s");
  assert.equal(await kv("Source ARN").textContent(), Attributes!.QueueArn);
  assert.equal(JSON.parse((await page.getByLabel("Filter 1 pattern").textContent())!).body.n[0].numeric[1], 0);
  await shot("mapping");
  // The lag is read again while the page shows: a sixth message appears within a refresh.
  await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue.QueueUrl, Entries: [{ Id: "m6", MessageBody: JSON.stringify({ n: 6 }) }] }));
  await lag.getByRole("definition").first().filter({ hasText: /^6$/ }).waitFor({ timeout: 15_000 });
  sqs.destroy();
}
