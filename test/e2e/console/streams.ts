/**
 * Streams and tables: a Kinesis stream of 2 shards with a JSON record and a text record put by the
 * SDK shows its shards and both records decoded; a record put from the page reports its shard
 * and sequence number (and is really in the stream); a "Next records" answer that arrives after
 * another shard was chosen is dropped, not added to that shard's records; a DynamoDB table with a NEW_AND_OLD_IMAGES
 * stream shows its 3 items in the scan table, a Query by partition key, and 3 INSERT stream records;
 * a table of 60 items scans in two pages.
 */
import assert from "node:assert/strict";
import { CreateStreamCommand, GetRecordsCommand, PutRecordCommand, GetShardIteratorCommand, KinesisClient, waitUntilStreamExists } from "@aws-sdk/client-kinesis";
import { type AttributeValue, BatchWriteItemCommand, CreateTableCommand, DynamoDBClient, PutItemCommand, waitUntilTableExists } from "@aws-sdk/client-dynamodb";
import { REGION, TEST_CREDENTIALS, uniqueName } from "../../harness/flint.js";
import { WAITER } from "../../harness/functions.js";
import type { ConsoleContext } from "./context.js";

export async function streamsScenario(ctx: ConsoleContext): Promise<void> {
  // The table is made while the stream's pages are driven.
  const tables = Promise.all([makeTable(ctx), makeBigTable(ctx)]);
  tables.catch(() => undefined);
  await kinesisPart(ctx);
  const [table, big] = await tables;
  await tablePart(ctx, table);
  await pagingPart(ctx, big);
}

async function kinesisPart({ flint, page, base, shot }: ConsoleContext): Promise<void> {
  const kinesis = new KinesisClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  const name = uniqueName("console-stream");
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2 }));
  await waitUntilStreamExists({ client: kinesis, ...WAITER }, { StreamName: name });
  // Both records under one partition key: they land in the same shard, which PutRecord reports.
  const put = (data: string) => kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: "order-7", Data: Buffer.from(data) })) as Promise<{ ShardId: string; SequenceNumber: string }>;
  const json = await put(JSON.stringify({ order: 7, items: ["tea", "scones"] }));
  const text = await put("plain words, not JSON");
  assert.equal(json.ShardId, text.ShardId);

  await page.goto(`${base}/streams`);
  await page.getByLabel("Search streams by name").fill(name);
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name }) });
  await row.getByRole("cell", { name: "ACTIVE" }).waitFor();
  await shot("streams");
  await row.getByRole("link", { name }).click();

  await page.getByRole("heading", { level: 1, name: `Stream ${name}` }).waitFor();
  const shards = page.getByRole("table", { name: "2 shards" });
  await shards.getByRole("cell", { name: "shardId-000000000000", exact: true }).waitFor();
  await shards.getByRole("cell", { name: "shardId-000000000001", exact: true }).waitFor();
  await page.getByRole("definition").filter({ hasText: "24 hours" }).waitFor();

  // Read the records' shard from its oldest record: both, decoded (the JSON pretty-printed).
  await page.getByLabel("Shard", { exact: true }).selectOption(json.ShardId);
  await page.getByLabel("Start from").selectOption("TRIM_HORIZON");
  await page.getByRole("button", { name: "Read records" }).click();
  const records = page.getByRole("table", { name: `Records of ${json.ShardId}` });
  const jsonRow = records.getByRole("row").filter({ hasText: json.SequenceNumber });
  await jsonRow.waitFor();
  assert.equal(await jsonRow.getByLabel(`Data of record ${json.SequenceNumber} (JSON)`).textContent(), JSON.stringify({ order: 7, items: ["tea", "scones"] }, null, 2));
  assert.equal(await jsonRow.getByRole("cell").nth(1).textContent(), "order-7");
  const textRow = records.getByRole("row").filter({ hasText: text.SequenceNumber });
  assert.equal(await textRow.getByLabel(`Data of record ${text.SequenceNumber} (text)`).textContent(), "plain words, not JSON");
  assert.match(new URL(page.url()).search, new RegExp(`shard=${json.ShardId}&from=TRIM_HORIZON`));

  // Put a record from the page: its shard and sequence number are shown, and the stream has it.
  await page.getByLabel("Partition key", { exact: true }).fill("from-the-console");
  await page.getByLabel("Data (UTF-8 text)").fill('{"hello":"console"}');
  await page.getByRole("button", { name: "Put record" }).click();
  const result = page.getByRole("status").filter({ hasText: "sequence number" });
  await result.waitFor();
  const said = /Put in shard (shardId-\d+) with sequence number (\d+)\./.exec((await result.textContent()) ?? "");
  assert.ok(said, (await result.textContent()) ?? "");
  const [, shardId, seq] = said;
  const it = await kinesis.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shardId, ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: seq }));
  const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator!, Limit: 1 }));
  assert.equal(got.Records?.[0]?.SequenceNumber, seq);
  assert.equal(Buffer.from(got.Records![0]!.Data!).toString(), '{"hello":"console"}');
  assert.equal(got.Records![0]!.PartitionKey, "from-the-console");
  await shot("stream");

  // "Next records" on the first shard, its answer held back until another shard (as Back or Forward
  // brings it: the router hears popstate) has been read: the late answer is not added to it.
  const other = json.ShardId === "shardId-000000000000" ? "shardId-000000000001" : "shardId-000000000000";
  const late = await put("read after the shard changed");
  assert.equal(late.ShardId, json.ShardId);
  const isGetRecords = (r: { headers(): Record<string, string> }) => (r.headers()["x-amz-target"] ?? "").endsWith(".GetRecords");
  let held: (() => void) | undefined;
  const holding = new Promise<void>((resolve) => {
    const origin = new URL(flint.endpoint).origin;
    void page.route(
      (url) => url.origin === origin,
      async (route) => {
        if (!held && isGetRecords(route.request())) await new Promise<void>((release) => ((held = release), resolve()));
        await route.continue();
      },
    );
  });
  await page.getByRole("button", { name: "Next records" }).click();
  await holding;
  await page.evaluate((search) => {
    history.pushState(null, "", location.pathname + search);
    dispatchEvent(new PopStateEvent("popstate"));
  }, `?shard=${other}&from=TRIM_HORIZON`);
  const otherRecords = page.getByRole("table", { name: `Records of ${other}` });
  await otherRecords.waitFor();
  const status = page.getByText(new RegExp(`^\\d+ records? read from ${other} \\(TRIM_HORIZON\\)`));
  await status.waitFor();
  const before = await status.textContent();
  const lateDone = page.waitForEvent("requestfinished", isGetRecords);
  held!();
  await lateDone;
  // One more read of the other shard, after the late answer came: then the page is as it was.
  await page.getByRole("button", { name: "Next records" }).click();
  await page.waitForFunction(() => [...document.querySelectorAll("button")].some((b) => b.textContent?.trim() === "Next records" && !b.disabled));
  await page.unrouteAll();
  assert.equal(await otherRecords.getByRole("row").filter({ hasText: late.SequenceNumber }).count(), 0, "the first shard's late answer is not in the other shard's records");
  assert.equal(await status.textContent(), before);
  // A stream that is not there: the API's refusal, as it gave it.
  await page.goto(`${base}/streams/${name}-gone`);
  await page.getByRole("alert").filter({ hasText: "ResourceNotFoundException" }).first().waitFor();
  kinesis.destroy();
}

async function makeTable({ flint }: ConsoleContext): Promise<string> {
  const db = new DynamoDBClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  const name = uniqueName("console-table");
  await db.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "N" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    }),
  );
  await waitUntilTableExists({ client: db, ...WAITER }, { TableName: name });
  const items: Record<string, AttributeValue>[] = [
    { pk: { S: "user#1" }, sk: { N: "1" }, title: { S: "first" }, tags: { SS: ["a", "b"] } },
    { pk: { S: "user#1" }, sk: { N: "2" }, title: { S: "second" }, done: { BOOL: true } },
    { pk: { S: "user#2" }, sk: { N: "1" }, title: { S: "third" }, blob: { B: Buffer.from("hi") } },
  ];
  for (const Item of items) await db.send(new PutItemCommand({ TableName: name, Item }));
  db.destroy();
  return name;
}

async function tablePart({ page, base, shot }: ConsoleContext, name: string): Promise<void> {

  await page.goto(`${base}/tables`);
  await page.getByLabel("Search tables by name").fill(name);
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name }) });
  await row.getByRole("cell", { name: "NEW_AND_OLD_IMAGES" }).waitFor();
  assert.deepEqual((await row.getByRole("cell").allTextContents()).slice(1, 4), ["ACTIVE", "3", "PAY_PER_REQUEST"]);
  await shot("tables");
  await row.getByRole("link", { name }).click();

  await page.getByRole("heading", { level: 1, name: `Table ${name}` }).waitFor();
  await page.getByRole("definition").filter({ hasText: "pk (partition), sk (sort)" }).waitFor();
  await page.getByRole("definition").filter({ hasText: "enabled (NEW_AND_OLD_IMAGES)" }).waitFor();

  // The scan: one column per attribute seen, the keys first; sets and binary noted.
  const scan = page.getByRole("table", { name: /^Scan: page 1, 3 items/ });
  await scan.waitFor();
  const headers = await scan.getByRole("columnheader").allTextContents();
  assert.deepEqual(headers.slice(0, 2), ["pk", "sk"]);
  assert.deepEqual([...headers].sort(), ["blob", "done", "pk", "sk", "tags", "title"]);
  const cellOf = async (title: string, column: string) => (await scan.getByRole("row").filter({ hasText: title }).getByRole("cell").nth(headers.indexOf(column)).textContent())?.trim();
  assert.equal(await cellOf("first", "tags"), '{"a", "b"} (string set)');
  assert.equal(await cellOf("second", "done"), "true");
  assert.equal(await cellOf("third", "blob"), `${Buffer.from("hi").toString("base64")} (binary)`);

  // Query by partition key value: user#1's two items, and the query is in the URL.
  await page.getByLabel("Partition key value").fill("user#1");
  await page.getByRole("button", { name: "Query", exact: true }).click();
  const queried = page.getByRole("table", { name: /^Query pk = "user#1": page 1, 2 items/ });
  await queried.waitFor();
  assert.deepEqual((await queried.getByRole("row").allTextContents()).filter((t) => t.includes("user#1")).length, 2);
  assert.match(page.url(), /pk=user%231/);

  // The stream: three INSERTs with their keys and new images, no old images.
  const stream = page.getByRole("table", { name: "3 stream records, oldest first" });
  await stream.waitFor();
  const events = await stream.getByRole("row").locator("td:nth-child(2)").allTextContents();
  assert.deepEqual(events, ["INSERT", "INSERT", "INSERT"]);
  const keys = await stream.getByLabel("Keys", { exact: true }).allTextContents();
  assert.deepEqual(
    keys.map((k) => JSON.parse(k)).sort((a, b) => `${a.pk}/${a.sk}`.localeCompare(`${b.pk}/${b.sk}`)),
    [
      { pk: "user#1", sk: 1 },
      { pk: "user#1", sk: 2 },
      { pk: "user#2", sk: 1 },
    ],
  );
  assert.equal(JSON.parse((await stream.getByLabel("New image", { exact: true }).first().textContent())!).title, "first");
  assert.equal(await stream.getByLabel("Old image", { exact: true }).count(), 0);
  await page.getByRole("button", { name: "Scan all items" }).click();
  await scan.waitFor();
  await shot("table");
}

/** A table of 60 items, no stream: two pages of a Scan. */
async function makeBigTable({ flint }: ConsoleContext): Promise<string> {
  const db = new DynamoDBClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  const name = uniqueName("console-table-big");
  await db.send(
    new CreateTableCommand({ TableName: name, AttributeDefinitions: [{ AttributeName: "id", AttributeType: "N" }], KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }),
  );
  await waitUntilTableExists({ client: db, ...WAITER }, { TableName: name });
  for (let start = 0; start < 60; start += 25) {
    const ids = Array.from({ length: Math.min(25, 60 - start) }, (_, i) => start + i);
    const out = await db.send(new BatchWriteItemCommand({ RequestItems: { [name]: ids.map((id) => ({ PutRequest: { Item: { id: { N: String(id) }, n: { N: String(id * 10) } } } })) } }));
    assert.deepEqual(out.UnprocessedItems ?? {}, {});
  }
  db.destroy();
  return name;
}

/** Scan pages of 50: the next page continues from the LastEvaluatedKey, the previous one goes back. */
async function pagingPart({ page, base }: ConsoleContext, name: string): Promise<void> {
  await page.goto(`${base}/tables/${name}`);
  const first = page.getByRole("table", { name: /^Scan: page 1, 50 items/ });
  await first.waitFor();
  const firstIds = await first.locator("tbody tr td:first-child").allTextContents();
  assert.equal(await page.getByRole("region", { name: "Stream records" }).count(), 0);
  await page.getByRole("button", { name: "Next page of items" }).click();
  const second = page.getByRole("table", { name: /^Scan: page 2, 10 items/ });
  await second.waitFor();
  const secondIds = await second.locator("tbody tr td:first-child").allTextContents();
  assert.deepEqual([...firstIds, ...secondIds].map(Number).sort((a, b) => a - b), Array.from({ length: 60 }, (_, i) => i));
  assert.equal(await page.getByRole("button", { name: "Next page of items" }).isDisabled(), true);
  await page.getByRole("button", { name: "Previous page of items" }).click();
  await first.waitFor();
  assert.deepEqual(await first.locator("tbody tr td:first-child").allTextContents(), firstIds);
}
