/** BatchGetItem, BatchWriteItem, TransactWriteItems and TransactGetItems in-process, on a real SQLite store. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Fixture, failure } from "./items-fixture.js";
import type { Item } from "./types.js";

describe("DynamoDB batches", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await Fixture.open();
    await f.table({ name: "a", hash: ["id", "S"], stream: "NEW_IMAGE" });
    await f.table({ name: "b", hash: ["id", "N"] });
  });
  afterEach(() => f.close());

  test("BatchWriteItem puts and deletes over tables; BatchGetItem reads them back", async () => {
    const w = await f.items.batchWriteItem({
      RequestItems: {
        a: [{ PutRequest: { Item: { id: { S: "x" }, v: { N: "1" } } } }, { PutRequest: { Item: { id: { S: "y" } } } }],
        b: [{ PutRequest: { Item: { id: { N: "1" } } } }, { DeleteRequest: { Key: { id: { N: "2" } } } }],
      },
    });
    assert.deepEqual(w, { UnprocessedItems: {} });
    const g = await f.items.batchGetItem({
      RequestItems: { a: { Keys: [{ id: { S: "x" } }, { id: { S: "nope" } }], ProjectionExpression: "v" }, b: { Keys: [{ id: { N: "1" } }] } },
    });
    assert.deepEqual(g, { Responses: { a: [{ v: { N: "1" } }], b: [{ id: { N: "1" } }] }, UnprocessedKeys: {} });
    assert.equal(f.appended.length, 2, "each put on the streamed table appended its record");
  });

  test("BatchGetItem answers up to 16 MB and hands the rest back as UnprocessedKeys", async () => {
    const body = "x".repeat(400000);
    const keys = Array.from({ length: 45 }, (_, i) => ({ id: { S: `k${String(i).padStart(2, "0")}` } }));
    for (let i = 0; i < keys.length; i += 5) {
      await f.items.batchWriteItem({ RequestItems: { a: keys.slice(i, i + 5).map((k) => ({ PutRequest: { Item: { ...k, body: { S: body } } } })) } });
    }
    const r = (await f.items.batchGetItem({ RequestItems: { a: { Keys: keys, ProjectionExpression: "id" } } })) as { Responses: { a: unknown[] }; UnprocessedKeys: { a?: { Keys: unknown[]; ProjectionExpression: string } } };
    const got = r.Responses.a.length;
    assert.ok(got >= 41 && got < 45, `got ${got}`);
    assert.equal(r.UnprocessedKeys.a!.Keys.length, 45 - got);
    assert.equal(r.UnprocessedKeys.a!.ProjectionExpression, "id", "the unprocessed request keeps its other members");
  });

  test("batch limits and duplicate keys are refused with AWS's messages", async () => {
    const dup = await failure(f.items.batchWriteItem({ RequestItems: { a: [{ PutRequest: { Item: { id: { S: "x" } } } }, { DeleteRequest: { Key: { id: { S: "x" } } } }] } }));
    assert.equal(dup.message, "Provided list of item keys contains duplicates");
    const dupGet = await failure(f.items.batchGetItem({ RequestItems: { a: { Keys: [{ id: { S: "x" } }, { id: { S: "x" } }] } } }));
    assert.equal(dupGet.message, "Provided list of item keys contains duplicates");
    const many = Array.from({ length: 26 }, (_, i) => ({ PutRequest: { Item: { id: { S: `k${i}` } } } }));
    assert.equal((await failure(f.items.batchWriteItem({ RequestItems: { a: many } }))).message, "Too many items requested for the BatchWriteItem call");
    const keys = Array.from({ length: 101 }, (_, i) => ({ id: { S: `k${i}` } }));
    assert.equal((await failure(f.items.batchGetItem({ RequestItems: { a: { Keys: keys } } }))).message, "Too many items requested for the BatchGetItem call");
  });
});

for (const kind of ["sqlite", "postgres"] as const) describe(`DynamoDB transactions (${kind})`, () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await Fixture.open(kind);
    await f.table({ name: "accounts", hash: ["id", "S"], stream: "NEW_AND_OLD_IMAGES" });
  });
  afterEach(() => f.close());

  const balance = async (id: string) => {
    const got = await f.items.getItem({ TableName: "accounts", Key: { id: { S: id } } });
    return Number(((got.Item as Item).balance as { N: string }).N);
  };
  const transfer = (from: string, to: string, amount: number, token?: string) =>
    f.items.transactWriteItems({
      ClientRequestToken: token,
      TransactItems: [
        { Update: { TableName: "accounts", Key: { id: { S: from } }, UpdateExpression: "SET balance = balance - :a", ConditionExpression: "balance >= :a", ExpressionAttributeValues: { ":a": { N: String(amount) } } } },
        { Update: { TableName: "accounts", Key: { id: { S: to } }, UpdateExpression: "SET balance = balance + :a", ExpressionAttributeValues: { ":a": { N: String(amount) } } } },
      ],
    });

  test("all of a transaction's writes happen, or, when a condition fails, none with a reason per item", async () => {
    await f.items.putItem({ TableName: "accounts", Item: { id: { S: "alice" }, balance: { N: "10" } } });
    await f.items.putItem({ TableName: "accounts", Item: { id: { S: "bob" }, balance: { N: "0" } } });
    await transfer("alice", "bob", 7);
    assert.equal(await balance("alice"), 3);
    assert.equal(await balance("bob"), 7);
    const e = await failure(
      f.items.transactWriteItems({
        TransactItems: [
          { Update: { TableName: "accounts", Key: { id: { S: "alice" } }, UpdateExpression: "SET balance = balance - :a", ConditionExpression: "balance >= :a", ExpressionAttributeValues: { ":a": { N: "5" } }, ReturnValuesOnConditionCheckFailure: "ALL_OLD" } },
          { Put: { TableName: "accounts", Item: { id: { S: "carol" }, balance: { N: "5" } } } },
        ],
      }),
    );
    assert.equal(e.code, "TransactionCanceledException");
    assert.equal(e.message, "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]");
    assert.deepEqual(e.extra.CancellationReasons, [
      { Code: "ConditionalCheckFailed", Message: "The conditional request failed", Item: { id: { S: "alice" }, balance: { N: "3" } } },
      { Code: "None" },
    ]);
    assert.deepEqual(await f.items.getItem({ TableName: "accounts", Key: { id: { S: "carol" } } }), {}, "the put did not happen");
  });

  test("ConditionCheck and Delete take part; one item at most once", async () => {
    await f.items.putItem({ TableName: "accounts", Item: { id: { S: "a" }, balance: { N: "1" } } });
    await f.items.putItem({ TableName: "accounts", Item: { id: { S: "b" }, balance: { N: "1" } } });
    await f.items.transactWriteItems({
      TransactItems: [
        { ConditionCheck: { TableName: "accounts", Key: { id: { S: "a" } }, ConditionExpression: "attribute_exists(id)" } },
        { Delete: { TableName: "accounts", Key: { id: { S: "b" } } } },
      ],
    });
    assert.deepEqual(await f.items.getItem({ TableName: "accounts", Key: { id: { S: "b" } } }), {});
    const e = await failure(
      f.items.transactWriteItems({
        TransactItems: [
          { ConditionCheck: { TableName: "accounts", Key: { id: { S: "a" } }, ConditionExpression: "attribute_exists(id)" } },
          { Delete: { TableName: "accounts", Key: { id: { S: "a" } } } },
        ],
      }),
    );
    assert.equal(e.message, "Transaction request cannot include multiple operations on one item");
  });

  test("a ClientRequestToken repeats the first answer without writing again, and refuses a different request", async () => {
    await f.items.putItem({ TableName: "accounts", Item: { id: { S: "alice" }, balance: { N: "10" } } });
    await f.items.putItem({ TableName: "accounts", Item: { id: { S: "bob" }, balance: { N: "0" } } });
    await transfer("alice", "bob", 1, "token-1");
    await transfer("alice", "bob", 1, "token-1");
    assert.equal(await balance("alice"), 9);
    const e = await failure(transfer("alice", "bob", 2, "token-1"));
    assert.equal(e.code, "IdempotentParameterMismatchException");
    f.clock.advance(10 * 60 * 1000 + 1);
    await transfer("alice", "bob", 1, "token-1");
    assert.equal(await balance("alice"), 8, "after 10 minutes the token is new again");
  });

  test("transaction shapes are checked: at most 100 items, one action each, the same item once in a read", async () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ Put: { TableName: "accounts", Item: { id: { S: `k${i}` } } } }));
    const tooMany = await failure(f.items.transactWriteItems({ TransactItems: many }));
    assert.match(tooMany.message, /failed to satisfy constraint: Member must have length less than or equal to 100$/);
    const two = await failure(
      f.items.transactWriteItems({ TransactItems: [{ Put: { TableName: "accounts", Item: { id: { S: "a" } } }, Delete: { TableName: "accounts", Key: { id: { S: "a" } } } }] }),
    );
    assert.equal(two.code, "ValidationException");
    const dupGet = await failure(f.items.transactGetItems({ TransactItems: [{ Get: { TableName: "accounts", Key: { id: { S: "a" } } } }, { Get: { TableName: "accounts", Key: { id: { S: "a" } } } }] }));
    assert.equal(dupGet.message, "Transaction request cannot include multiple operations on one item");
  });

  test("an update that fails inside a transaction cancels it with a ValidationError reason", async () => {
    await f.items.putItem({ TableName: "accounts", Item: { id: { S: "a" }, balance: { S: "not a number" } } });
    const e = await failure(
      f.items.transactWriteItems({
        TransactItems: [
          { Put: { TableName: "accounts", Item: { id: { S: "b" } } } },
          { Update: { TableName: "accounts", Key: { id: { S: "a" } }, UpdateExpression: "SET balance = balance + :one", ExpressionAttributeValues: { ":one": { N: "1" } } } },
        ],
      }),
    );
    assert.equal(e.message, "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ValidationError]");
    const reasons = e.extra.CancellationReasons as { Code: string; Message?: string }[];
    assert.equal(reasons[1]!.Code, "ValidationError");
    assert.ok(reasons[1]!.Message);
    assert.deepEqual(await f.items.getItem({ TableName: "accounts", Key: { id: { S: "b" } } }), {});
  });

  test("TransactGetItems answers each item in request order", async () => {
    await f.items.putItem({ TableName: "accounts", Item: { id: { S: "a" }, balance: { N: "1" }, x: { S: "y" } } });
    const r = await f.items.transactGetItems({
      TransactItems: [{ Get: { TableName: "accounts", Key: { id: { S: "nope" } } } }, { Get: { TableName: "accounts", Key: { id: { S: "a" } }, ProjectionExpression: "balance" } }],
    });
    assert.deepEqual(r, { Responses: [{}, { Item: { balance: { N: "1" } } }] });
  });

  test("many concurrent transfers over overlapping accounts never write part of one: the total is conserved", async () => {
    const ids = ["a", "b", "c", "d", "e"];
    for (const id of ids) await f.items.putItem({ TableName: "accounts", Item: { id: { S: id }, balance: { N: "100" } } });
    const runs: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      const from = ids[i % 5]!;
      const to = ids[(i * 3 + 1) % 5]!;
      if (from === to) continue;
      runs.push(transfer(from, to, 1 + (i % 40)).catch((e: { code: string }) => assert.equal(e.code, "TransactionCanceledException")));
    }
    await Promise.all(runs);
    let total = 0;
    for (const id of ids) {
      const b = await balance(id);
      assert.ok(b >= 0, `${id} never went negative`);
      total += b;
    }
    assert.equal(total, 500);
    // Every committed transfer appended its two records; none appended half.
    const records = await f.records(f.tables.get("accounts")!);
    const modifies = records.filter((r) => r.eventName === "MODIFY");
    assert.equal(modifies.length % 2, 0);
  });
});
