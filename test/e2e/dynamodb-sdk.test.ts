/**
 * DynamoDB through the AWS SDK for JavaScript v3 against a real `flint serve`: the low-level client
 * (waiters, paginators, errors as the SDK's exception classes), the document client (native JS values:
 * numbers, sets, binary, nested maps and lists), the DynamoDB Streams client, transactions under
 * concurrency, pages at the 1 MB boundary, and the 400 KB item limit. Written to AWS's documented
 * behaviour.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  ScanCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  paginateQuery,
  paginateScan,
  waitUntilTableExists,
  type AttributeValue,
  type CreateTableCommandInput,
} from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand as DocQueryCommand,
  ScanCommand as DocScanCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, ListStreamsCommand, type _Record } from "@aws-sdk/client-dynamodb-streams";
import { uniqueName } from "../harness/flint.js";
import { signedFetch } from "../harness/signed-fetch.js";
import { testDatabase, type TestDatabase } from "../harness/postgres.js";
import { dynamoClient, startDynamoServer, streamsClient, type DynamoServer } from "../harness/dynamodb.js";

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number | string): AttributeValue => ({ N: String(n) });

// Both stores: a table's items, index entries and stream records in SQLite (the default) and in PostgreSQL.
for (const store of ["SQLite", "PostgreSQL"] as const)
describe(`DynamoDB with the AWS SDK for JavaScript v3 (${store} store)`, () => {
  let server: DynamoServer;
  let db: TestDatabase | undefined;
  let ddb: DynamoDBClient;
  let doc: DynamoDBDocumentClient;
  let streams: DynamoDBStreamsClient;
  before(async () => {
    if (store === "PostgreSQL") db = await testDatabase();
    server = await startDynamoServer(["--spares", "0", ...(db ? ["--store", db.url] : [])]);
    ddb = dynamoClient(server.endpoint);
    doc = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
    streams = streamsClient(server.endpoint);
  });
  after(async () => {
    ddb?.destroy();
    streams?.destroy();
    await server?.stop();
    await db?.close();
  });

  /** A table `pk` (S) + `sk` (S or N), PAY_PER_REQUEST, waited for with the SDK's waiter. */
  async function table(extra: Partial<CreateTableCommandInput> = {}, sortType: "S" | "N" = "S"): Promise<string> {
    const TableName = uniqueName("sdk");
    await ddb.send(
      new CreateTableCommand({
        TableName,
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: sortType }, ...(extra.AttributeDefinitions ?? [])],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
        BillingMode: "PAY_PER_REQUEST",
        ...extra,
        ...(extra.AttributeDefinitions ? { AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: sortType }, ...extra.AttributeDefinitions] } : {}),
      }),
    );
    const waited = await waitUntilTableExists({ client: ddb, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { TableName });
    assert.equal(waited.state, "SUCCESS");
    return TableName;
  }

  test("waitUntilTableExists, DescribeTable, and the SDK's exception classes for AWS's errors", async () => {
    const TableName = await table();
    const d = (await ddb.send(new DescribeTableCommand({ TableName }))).Table!;
    assert.equal(d.TableStatus, "ACTIVE");
    assert.equal(d.TableName, TableName);
    await assert.rejects(ddb.send(new DescribeTableCommand({ TableName: "sdk-no-such-table" })), (e: unknown) => {
      assert.ok(e instanceof ResourceNotFoundException, String(e));
      assert.equal(e.$metadata.httpStatusCode, 400);
      assert.match(e.message, /^Requested resource not found/);
      return true;
    });
    await ddb.send(new PutItemCommand({ TableName, Item: { pk: S("a"), sk: S("1"), price: N(650), product: S("sporting goods") } }));
    // ReturnValuesOnConditionCheckFailure ALL_OLD: the exception carries the item.
    await assert.rejects(
      ddb.send(new PutItemCommand({ TableName, Item: { pk: S("a"), sk: S("1") }, ConditionExpression: "price < :p", ExpressionAttributeValues: { ":p": N(500) }, ReturnValuesOnConditionCheckFailure: "ALL_OLD" })),
      (e: unknown) => {
        assert.ok(e instanceof ConditionalCheckFailedException, String(e));
        assert.equal(e.message, "The conditional request failed");
        assert.deepEqual(e.Item, { pk: S("a"), sk: S("1"), price: N(650), product: S("sporting goods") });
        return true;
      },
    );
    // Without it: no Item.
    await assert.rejects(ddb.send(new PutItemCommand({ TableName, Item: { pk: S("a"), sk: S("1") }, ConditionExpression: "attribute_not_exists(pk)" })), (e: unknown) => {
      assert.ok(e instanceof ConditionalCheckFailedException);
      assert.equal(e.Item, undefined);
      return true;
    });
    await assert.rejects(ddb.send(new GetItemCommand({ TableName, Key: { pk: S("a") } })), { name: "ValidationException", message: "The provided key element does not match the schema" });
  });

  test("the document client: native numbers, strings, booleans, null, binary, sets, nested maps and lists round-trip", async () => {
    const TableName = await table();
    const item = {
      pk: "doc",
      sk: "1",
      int: 42,
      float: 3.25,
      negative: -7,
      str: "héllo ✓",
      yes: true,
      nothing: null,
      bytes: new Uint8Array([0, 1, 2, 250]),
      strings: new Set(["a", "b"]),
      numbers: new Set([1, 2, 3]),
      nested: { list: [1, "two", { three: [3] }], map: { deep: { deeper: "x" } }, empty: {} },
      emptyList: [],
    };
    await doc.send(new PutCommand({ TableName, Item: item }));
    const got = (await doc.send(new GetCommand({ TableName, Key: { pk: "doc", sk: "1" }, ConsistentRead: true }))).Item!;
    assert.deepEqual({ ...got, bytes: Array.from(got.bytes as Uint8Array) }, { ...item, bytes: [0, 1, 2, 250] });
    // The wire form, through the low-level client.
    const raw = (await ddb.send(new GetItemCommand({ TableName, Key: { pk: S("doc"), sk: S("1") }, ProjectionExpression: "numbers, nested.#l[2], nothing", ExpressionAttributeNames: { "#l": "list" } }))).Item!;
    assert.deepEqual([...raw.numbers!.NS!].sort(), ["1", "2", "3"]);
    assert.deepEqual(raw.nested, { M: { list: { L: [{ M: { three: { L: [N(3)] } } }] } } });
    assert.deepEqual(raw.nothing, { NULL: true });

    // UpdateCommand with native values: arithmetic, list_append, ADD to a set, REMOVE; ReturnValues ALL_NEW.
    const updated = await doc.send(
      new UpdateCommand({
        TableName,
        Key: { pk: "doc", sk: "1" },
        UpdateExpression: "SET #i = #i + :inc, nested.#l = list_append(nested.#l, :more), #c = if_not_exists(#c, :zero) + :inc ADD strings :s REMOVE nothing",
        ConditionExpression: "yes = :t AND contains(strings, :a)",
        ExpressionAttributeNames: { "#i": "int", "#l": "list", "#c": "counter" },
        ExpressionAttributeValues: { ":inc": 8, ":more": ["four"], ":zero": 0, ":s": new Set(["c"]), ":t": true, ":a": "a" },
        ReturnValues: "ALL_NEW",
      }),
    );
    assert.equal(updated.Attributes!.int, 50);
    assert.equal(updated.Attributes!.counter, 8);
    assert.deepEqual(updated.Attributes!.strings, new Set(["a", "b", "c"]));
    assert.deepEqual(updated.Attributes!.nested.list, [1, "two", { three: [3] }, "four"]);
    assert.equal("nothing" in updated.Attributes!, false);
    // Decimal arithmetic is exact (not binary floating point).
    const exact = await doc.send(new UpdateCommand({ TableName, Key: { pk: "doc", sk: "1" }, UpdateExpression: "SET #f = #f + :x", ExpressionAttributeNames: { "#f": "float" }, ExpressionAttributeValues: { ":x": 0.1 }, ReturnValues: "UPDATED_NEW" }));
    assert.deepEqual(exact.Attributes, { float: 3.35 });
    const tenths = await ddb.send(new UpdateItemCommand({ TableName, Key: { pk: S("doc"), sk: S("1") }, UpdateExpression: "SET d = :a + :b", ExpressionAttributeValues: { ":a": N("0.1"), ":b": N("0.2") }, ReturnValues: "UPDATED_NEW" }));
    assert.deepEqual(tenths.Attributes, { d: N("0.3") });
    const big = await ddb.send(new UpdateItemCommand({ TableName, Key: { pk: S("doc"), sk: S("1") }, UpdateExpression: "SET e = :a + :b", ExpressionAttributeValues: { ":a": N("99999999999999999999999999999999999999"), ":b": N("-1") }, ReturnValues: "UPDATED_NEW" }));
    assert.deepEqual(big.Attributes, { e: N("99999999999999999999999999999999999998") });

    // Delete with ReturnValues ALL_OLD.
    const deleted = await doc.send(new DeleteCommand({ TableName, Key: { pk: "doc", sk: "1" }, ReturnValues: "ALL_OLD" }));
    assert.equal(deleted.Attributes!.str, "héllo ✓");
    assert.equal((await doc.send(new GetCommand({ TableName, Key: { pk: "doc", sk: "1" } }))).Item, undefined);
  });

  test("the document client: BatchWrite, BatchGet, Query and Scan; paginateQuery and paginateScan", async () => {
    const TableName = await table({}, "N");
    for (let i = 0; i < 60; i += 25) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [TableName]: Array.from({ length: Math.min(25, 60 - i) }, (_, j) => ({ PutRequest: { Item: { pk: i + j < 50 ? "p" : "other", sk: i + j, even: (i + j) % 2 === 0 } } })) } }));
      assert.deepEqual(out.UnprocessedItems, {});
    }
    const batch = await doc.send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys: [{ pk: "p", sk: 3 }, { pk: "p", sk: 49 }, { pk: "p", sk: 1000 }] } } }));
    assert.deepEqual(batch.Responses![TableName]!.map((i) => i.sk).sort((a, b) => a - b), [3, 49]);
    const q = await doc.send(new DocQueryCommand({ TableName, KeyConditionExpression: "pk = :p AND sk BETWEEN :a AND :b", FilterExpression: "even = :t", ExpressionAttributeValues: { ":p": "p", ":a": 10, ":b": 20, ":t": true }, ScanIndexForward: false }));
    assert.deepEqual(q.Items!.map((i) => i.sk), [20, 18, 16, 14, 12, 10]);
    assert.equal(q.ScannedCount, 11);
    // Numbers order numerically, not as text.
    const lt = await doc.send(new DocQueryCommand({ TableName, KeyConditionExpression: "pk = :p AND sk < :x", ExpressionAttributeValues: { ":p": "p", ":x": 3 } }));
    assert.deepEqual(lt.Items!.map((i) => i.sk), [0, 1, 2]);
    const s = await doc.send(new DocScanCommand({ TableName, FilterExpression: "pk = :o", ExpressionAttributeValues: { ":o": "other" } }));
    assert.equal(s.Count, 10);

    // The low-level paginators follow LastEvaluatedKey.
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateQuery({ client: ddb, pageSize: 7 }, { TableName, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": S("p") } })) {
      pages++;
      assert.ok((page.Items?.length ?? 0) <= 7);
      seen.push(...page.Items!.map((i) => i.sk!.N!));
    }
    assert.deepEqual(seen, Array.from({ length: 50 }, (_, i) => String(i)));
    assert.ok(pages >= 8, `${pages} pages`);
    const scanned: string[] = [];
    for await (const page of paginateScan({ client: ddb, pageSize: 13 }, { TableName })) scanned.push(...page.Items!.map((i) => `${i.pk!.S}/${i.sk!.N}`));
    assert.equal(scanned.length, 60);
    assert.equal(new Set(scanned).size, 60);
    // Parallel scan: 4 segments, every item exactly once.
    const segs = await Promise.all([0, 1, 2, 3].map(async (Segment) => {
      const out: string[] = [];
      for await (const page of paginateScan({ client: ddb, pageSize: 5 }, { TableName, Segment, TotalSegments: 4 })) out.push(...page.Items!.map((i) => `${i.pk!.S}/${i.sk!.N}`));
      return out;
    }));
    const union = segs.flat();
    assert.equal(union.length, 60);
    assert.equal(new Set(union).size, 60);
    // Select COUNT.
    const count = await ddb.send(new QueryCommand({ TableName, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": S("p") }, Select: "COUNT" }));
    assert.equal(count.Count, 50);
    assert.equal(count.Items, undefined);
  });

  test("TransactWrite with the document client; a cancellation's CancellationReasons, with the old item when asked", async () => {
    const TableName = await table();
    await doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName, Item: { pk: "t", sk: "a", balance: 10 } } }, { Put: { TableName, Item: { pk: "t", sk: "b", balance: 0 } } }] }));
    const err = await doc
      .send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: { TableName, Key: { pk: "t", sk: "b" }, UpdateExpression: "SET balance = balance + :x", ExpressionAttributeValues: { ":x": 20 } } },
            { Update: { TableName, Key: { pk: "t", sk: "a" }, UpdateExpression: "SET balance = balance - :x", ConditionExpression: "balance >= :x", ExpressionAttributeValues: { ":x": 20 }, ReturnValuesOnConditionCheckFailure: "ALL_OLD" } },
          ],
        }),
      )
      .catch((e: unknown) => e);
    assert.ok(err instanceof TransactionCanceledException, String(err));
    assert.equal(err.message, "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]");
    assert.deepEqual(err.CancellationReasons, [
      { Code: "None" },
      { Code: "ConditionalCheckFailed", Message: "The conditional request failed", Item: { pk: S("t"), sk: S("a"), balance: N(10) } },
    ]);
    const got = await doc.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName, Key: { pk: "t", sk: "a" } } }, { Get: { TableName, Key: { pk: "t", sk: "b" } } }] }));
    assert.deepEqual(got.Responses!.map((r) => r.Item!.balance), [10, 0], "nothing of the cancelled transaction was written");

    // The idempotency token: the same token and request again succeeds without applying twice.
    const transfer = (token: string, amount: number) =>
      new TransactWriteItemsCommand({
        ClientRequestToken: token,
        TransactItems: [
          { Update: { TableName, Key: { pk: S("t"), sk: S("a") }, UpdateExpression: "SET balance = balance - :x", ConditionExpression: "balance >= :x", ExpressionAttributeValues: { ":x": N(amount) } } },
          { Update: { TableName, Key: { pk: S("t"), sk: S("b") }, UpdateExpression: "SET balance = balance + :x", ExpressionAttributeValues: { ":x": N(amount) } } },
        ],
      });
    await ddb.send(transfer("token-1", 3));
    await ddb.send(transfer("token-1", 3));
    const after = await doc.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName, Key: { pk: "t", sk: "a" } } }, { Get: { TableName, Key: { pk: "t", sk: "b" } } }] }));
    assert.deepEqual(after.Responses!.map((r) => r.Item!.balance), [7, 3]);
    // The same token with a different request: IdempotentParameterMismatchException.
    await assert.rejects(ddb.send(transfer("token-1", 4)), { name: "IdempotentParameterMismatchException" });
    // More than 100 actions: ValidationException.
    await assert.rejects(
      ddb.send(new TransactWriteItemsCommand({ TransactItems: Array.from({ length: 101 }, (_, i) => ({ Put: { TableName, Item: { pk: S("many"), sk: S(String(i)) } } })) })),
      { name: "ValidationException" },
    );
  });

  test("transactions under concurrency: 20 clients moving money between 10 accounts; totals conserved, no partial writes", async () => {
    const TableName = await table();
    const ACCOUNTS = 10;
    const START = 100;
    await doc.send(new TransactWriteCommand({ TransactItems: Array.from({ length: ACCOUNTS }, (_, i) => ({ Put: { TableName, Item: { pk: "acct", sk: `a${i}`, balance: START } } })) }));
    const clients = Array.from({ length: 20 }, () => DynamoDBDocumentClient.from(dynamoClient(server.endpoint)));
    let committed = 0;
    let cancelled = 0;
    const otherErrors: string[] = [];
    // A fixed pseudo-random sequence: the same transfers on every run.
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const plans = clients.map((_, c) => Array.from({ length: 10 }, (_, k) => {
      const from = rand(ACCOUNTS);
      const to = (from + 1 + rand(ACCOUNTS - 1)) % ACCOUNTS;
      return { id: `c${c}-${k}`, from, to, amount: 1 + rand(60) };
    }));
    try {
      await Promise.all(
        clients.map(async (client, c) => {
          for (const t of plans[c]!) {
            try {
              await client.send(
                new TransactWriteCommand({
                  TransactItems: [
                    { Update: { TableName, Key: { pk: "acct", sk: `a${t.from}` }, UpdateExpression: "SET balance = balance - :x", ConditionExpression: "balance >= :x", ExpressionAttributeValues: { ":x": t.amount } } },
                    { Update: { TableName, Key: { pk: "acct", sk: `a${t.to}` }, UpdateExpression: "SET balance = balance + :x", ExpressionAttributeValues: { ":x": t.amount } } },
                    { Put: { TableName, Item: { pk: "log", sk: t.id, from: t.from, to: t.to, amount: t.amount }, ConditionExpression: "attribute_not_exists(pk)" } },
                  ],
                }),
              );
              committed++;
            } catch (e) {
              if (e instanceof TransactionCanceledException) {
                cancelled++;
                assert.ok(e.CancellationReasons?.length === 3, JSON.stringify(e.CancellationReasons));
                assert.ok(e.CancellationReasons!.some((r) => r.Code === "ConditionalCheckFailed" || r.Code === "TransactionConflict"), JSON.stringify(e.CancellationReasons));
              } else otherErrors.push(`${(e as Error).name}: ${(e as Error).message}`);
            }
          }
        }),
      );
    } finally {
      for (const c of clients) c.destroy();
    }
    assert.deepEqual(otherErrors, []);
    assert.equal(committed + cancelled, 200);
    assert.ok(committed > 0);
    const accounts = (await doc.send(new DocQueryCommand({ TableName, KeyConditionExpression: "pk = :a", ExpressionAttributeValues: { ":a": "acct" }, ConsistentRead: true }))).Items!;
    const balances = new Map(accounts.map((a) => [Number((a.sk as string).slice(1)), a.balance as number]));
    assert.equal([...balances.values()].reduce((a, b) => a + b, 0), ACCOUNTS * START, "money is neither made nor lost");
    for (const b of balances.values()) assert.ok(b >= 0, "no balance below zero");
    // Every committed transfer is in the log, and the log explains every balance: no transfer half applied.
    const log: Record<string, any>[] = [];
    for await (const page of paginateQuery({ client: ddb }, { TableName, KeyConditionExpression: "pk = :l", ExpressionAttributeValues: { ":l": S("log") } })) log.push(...page.Items!);
    assert.equal(log.length, committed);
    const expected = new Map(Array.from({ length: ACCOUNTS }, (_, i) => [i, START]));
    for (const l of log) {
      const amount = Number(l.amount.N);
      expected.set(Number(l.from.N), expected.get(Number(l.from.N))! - amount);
      expected.set(Number(l.to.N), expected.get(Number(l.to.N))! + amount);
    }
    assert.deepEqual(balances, expected);
  });

  test("pages stop at 1 MB: ~100 KB items, Query and Scan without Limit; every item seen once", async () => {
    const TableName = await table({}, "N");
    const COUNT = 25;
    const payload = "x".repeat(100_000);
    for (let i = 0; i < COUNT; i++) await ddb.send(new PutItemCommand({ TableName, Item: { pk: S("big"), sk: N(i), data: S(payload) } }));
    const pageSizes: number[] = [];
    const seen: number[] = [];
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await ddb.send(new QueryCommand({ TableName, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": S("big") }, ExclusiveStartKey }));
      pageSizes.push(page.Count!);
      seen.push(...page.Items!.map((i) => Number(i.sk!.N)));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    assert.deepEqual(seen, Array.from({ length: COUNT }, (_, i) => i));
    // 1 MB is 10.48 such items: a page holds 10 (or 11 when the item that crosses the limit is included), never all 25.
    assert.ok(pageSizes.length >= 3, `pages: ${pageSizes}`);
    for (const n of pageSizes.slice(0, -1)) assert.ok(n >= 10 && n <= 11, `pages: ${pageSizes}`);
    // A Select COUNT query is limited by the items it reads in the same way.
    const counted = await ddb.send(new QueryCommand({ TableName, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": S("big") }, Select: "COUNT" }));
    assert.equal(counted.Count, pageSizes[0]);
    assert.ok(counted.LastEvaluatedKey);
    // Scan: the same rule.
    const scanPages: number[] = [];
    const scanned: number[] = [];
    for await (const page of paginateScan({ client: ddb }, { TableName })) {
      scanPages.push(page.Count!);
      scanned.push(...page.Items!.map((i) => Number(i.sk!.N)));
    }
    assert.deepEqual(scanned.sort((a, b) => a - b), Array.from({ length: COUNT }, (_, i) => i));
    assert.ok(scanPages.filter((n) => n > 0).length >= 3, `scan pages: ${scanPages}`);
    for (const n of scanPages) assert.ok(n <= 11, `scan pages: ${scanPages}`);
  });

  test("the 400 KB item limit: PutItem and UpdateItem past it are ValidationExceptions; just under it is stored", async () => {
    const TableName = await table();
    // Item size: attribute names' UTF-8 bytes plus values' bytes. pk+"p" (3) + sk+"1" (3) + "data" (4) + the string.
    const under = "y".repeat(409_600 - 10);
    await ddb.send(new PutItemCommand({ TableName, Item: { pk: S("p"), sk: S("1"), data: S(under) } }));
    assert.equal((await ddb.send(new GetItemCommand({ TableName, Key: { pk: S("p"), sk: S("1") } }))).Item!.data!.S!.length, under.length);
    await assert.rejects(ddb.send(new PutItemCommand({ TableName, Item: { pk: S("p"), sk: S("2"), data: S("y".repeat(409_700)) } })), { name: "ValidationException", message: "Item size has exceeded the maximum allowed size" });
    await assert.rejects(
      ddb.send(new UpdateItemCommand({ TableName, Key: { pk: S("p"), sk: S("1") }, UpdateExpression: "SET more = :m", ExpressionAttributeValues: { ":m": S("z".repeat(1000)) } })),
      { name: "ValidationException", message: "Item size to update has exceeded the maximum allowed size" },
    );
    // Multi-byte characters count by their UTF-8 bytes: 140,000 three-byte characters are 420,000 bytes.
    await assert.rejects(ddb.send(new PutItemCommand({ TableName, Item: { pk: S("p"), sk: S("3"), data: S("€".repeat(140_000)) } })), { name: "ValidationException", message: "Item size has exceeded the maximum allowed size" });
  });

  test("DynamoDB Streams client: KEYS_ONLY and NEW_IMAGE records for puts, updates and deletes, in order", async () => {
    for (const view of ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE"] as const) {
      const TableName = await table({ StreamSpecification: { StreamEnabled: true, StreamViewType: view } });
      const StreamArn = (await ddb.send(new DescribeTableCommand({ TableName }))).Table!.LatestStreamArn!;
      for (let i = 0; i < 3; i++) await doc.send(new PutCommand({ TableName, Item: { pk: "k", sk: "1", v: i } }));
      await doc.send(new DeleteCommand({ TableName, Key: { pk: "k", sk: "1" } }));
      const listed = await streams.send(new ListStreamsCommand({ TableName }));
      assert.deepEqual(listed.Streams?.map((s) => s.StreamArn), [StreamArn]);
      const d = (await streams.send(new DescribeStreamCommand({ StreamArn }))).StreamDescription!;
      assert.equal(d.StreamViewType, view);
      const it = await streams.send(new GetShardIteratorCommand({ StreamArn, ShardId: d.Shards![0]!.ShardId!, ShardIteratorType: "TRIM_HORIZON" }));
      const records: _Record[] = [];
      let iterator = it.ShardIterator;
      for (let guard = 0; guard < 10 && iterator; guard++) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 2 }));
        records.push(...page.Records!);
        if (!page.Records!.length) break;
        iterator = page.NextShardIterator;
      }
      assert.deepEqual(records.map((r) => r.eventName), ["INSERT", "MODIFY", "MODIFY", "REMOVE"], view);
      for (const r of records) {
        assert.deepEqual(r.dynamodb!.Keys, { pk: S("k"), sk: S("1") });
        assert.equal(r.dynamodb!.StreamViewType, view);
        assert.ok(r.dynamodb!.ApproximateCreationDateTime instanceof Date);
        assert.ok(r.dynamodb!.SizeBytes! > 0);
      }
      if (view === "KEYS_ONLY") for (const r of records) assert.equal(r.dynamodb!.NewImage ?? r.dynamodb!.OldImage, undefined);
      if (view === "NEW_IMAGE") {
        assert.deepEqual(records.slice(0, 3).map((r) => r.dynamodb!.NewImage!.v), [N(0), N(1), N(2)]);
        for (const r of records) assert.equal(r.dynamodb!.OldImage, undefined);
        assert.equal(records[3]!.dynamodb!.NewImage, undefined);
      }
      if (view === "OLD_IMAGE") {
        assert.equal(records[0]!.dynamodb!.OldImage, undefined);
        assert.deepEqual(records.slice(1).map((r) => r.dynamodb!.OldImage!.v), [N(0), N(1), N(2)]);
        for (const r of records) assert.equal(r.dynamodb!.NewImage, undefined);
      }
      await ddb.send(new DeleteTableCommand({ TableName }));
    }
  });

  test("TTL: an expired item is deleted by the service, with a REMOVE stream record whose userIdentity is dynamodb.amazonaws.com", async () => {
    const TableName = await table({ StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" } });
    await ddb.send(new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: { Enabled: true, AttributeName: "expires" } }));
    const nowS = Math.floor(Date.now() / 1000);
    // The expired item is written last: the sweeper may run between any two writes, and its REMOVE
    // must still come after every INSERT in the stream.
    await doc.send(new PutCommand({ TableName, Item: { pk: "ttl", sk: "future", expires: nowS + 86_400 } }));
    await doc.send(new PutCommand({ TableName, Item: { pk: "ttl", sk: "not-a-number", expires: "yesterday" } }));
    await doc.send(new PutCommand({ TableName, Item: { pk: "ttl", sk: "old", expires: nowS - 3600 } }));
    // AWS deletes expired items in the background ("typically within a few days"; Flint within seconds): wait for it.
    for (let i = 0; i < 1200 && (await doc.send(new GetCommand({ TableName, Key: { pk: "ttl", sk: "old" }, ConsistentRead: true }))).Item; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await doc.send(new GetCommand({ TableName, Key: { pk: "ttl", sk: "old" }, ConsistentRead: true }))).Item, undefined, "the expired item deleted");
    const left = await doc.send(new DocQueryCommand({ TableName, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": "ttl" } }));
    assert.deepEqual(left.Items!.map((i) => i.sk).sort(), ["future", "not-a-number"]);
    const StreamArn = (await ddb.send(new DescribeTableCommand({ TableName }))).Table!.LatestStreamArn!;
    const d = (await streams.send(new DescribeStreamCommand({ StreamArn }))).StreamDescription!;
    const it = await streams.send(new GetShardIteratorCommand({ StreamArn, ShardId: d.Shards![0]!.ShardId!, ShardIteratorType: "TRIM_HORIZON" }));
    const records = (await streams.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }))).Records!;
    assert.deepEqual(records.map((r) => r.eventName), ["INSERT", "INSERT", "INSERT", "REMOVE"]);
    const removed = records[3]!;
    // The Streams API's Identity shape names its members PrincipalId and Type (the SDKs' models); the
    // Lambda event spells them type/principalId (esm-dynamodb.test.ts).
    assert.deepEqual(removed.userIdentity, { PrincipalId: "dynamodb.amazonaws.com", Type: "Service" });
    const again = await streams.send(new GetShardIteratorCommand({ StreamArn, ShardId: d.Shards![0]!.ShardId!, ShardIteratorType: "TRIM_HORIZON" }));
    const raw = await signedFetch(server.endpoint, { method: "POST", path: "/", service: "dynamodb", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDBStreams_20120810.GetRecords" }, body: JSON.stringify({ ShardIterator: again.ShardIterator }) });
    assert.deepEqual(raw.body.Records[3].userIdentity, { PrincipalId: "dynamodb.amazonaws.com", Type: "Service" });
    assert.deepEqual(removed.dynamodb!.Keys, { pk: S("ttl"), sk: S("old") });
    assert.deepEqual(removed.dynamodb!.OldImage, { pk: S("ttl"), sk: S("old"), expires: N(nowS - 3600) });
    for (const r of records.slice(0, 3)) assert.equal(r.userIdentity, undefined, "a user's write has no userIdentity");
  });

  test("Scan and Query of a missing table, and of a deleted one: ResourceNotFoundException", async () => {
    const TableName = await table();
    await ddb.send(new DeleteTableCommand({ TableName }));
    // Deleting is asynchronous on AWS; once gone, every call on it is ResourceNotFoundException.
    for (let i = 0; i < 600; i++) {
      const e = await ddb.send(new DescribeTableCommand({ TableName })).catch((x: unknown) => x);
      if (e instanceof ResourceNotFoundException) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await assert.rejects(ddb.send(new ScanCommand({ TableName })), ResourceNotFoundException);
    await assert.rejects(ddb.send(new QueryCommand({ TableName, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": S("x") } })), ResourceNotFoundException);
  });
});
