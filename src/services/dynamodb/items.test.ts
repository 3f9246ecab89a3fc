/** PutItem, GetItem, UpdateItem and DeleteItem in-process, on a real SQLite store. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Fixture, failure } from "./items-fixture.js";

for (const kind of ["sqlite", "postgres"] as const) describe(`DynamoDB single-item operations (${kind})`, () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await Fixture.open(kind);
    await f.table({ name: "users", hash: ["id", "S"] });
    await f.table({ name: "events", hash: ["pk", "S"], range: ["sk", "N"], indexes: [{ name: "byEmail", kind: "global", hash: ["email", "S"] }] });
  });
  afterEach(() => f.close());

  test("an item put is got back whole, numbers in DynamoDB's canonical form", async () => {
    const Item = {
      id: { S: "u1" },
      n: { N: "01.50" },
      b: { B: "AAEC" },
      ok: { BOOL: true },
      nothing: { NULL: true as const },
      l: { L: [{ S: "x" }, { N: "1e3" }] },
      m: { M: { a: { S: "b" } } },
      ss: { SS: ["a", "b"] },
      ns: { NS: ["1", "2"] },
      bs: { BS: ["AA=="] },
    };
    assert.deepEqual(await f.items.putItem({ TableName: "users", Item }), {});
    const got = await f.items.getItem({ TableName: "users", Key: { id: { S: "u1" } } });
    assert.deepEqual(got.Item, { ...Item, n: { N: "1.5" }, l: { L: [{ S: "x" }, { N: "1000" }] } });
  });

  test("getting an absent item answers no Item", async () => {
    assert.deepEqual(await f.items.getItem({ TableName: "users", Key: { id: { S: "nobody" } } }), {});
  });

  test("ProjectionExpression returns only the named paths", async () => {
    await f.items.putItem({ TableName: "users", Item: { id: { S: "u1" }, a: { S: "A" }, m: { M: { x: { N: "1" }, y: { N: "2" } } } } });
    const got = await f.items.getItem({ TableName: "users", Key: { id: { S: "u1" } }, ProjectionExpression: "#a, m.y", ExpressionAttributeNames: { "#a": "a" } });
    assert.deepEqual(got.Item, { a: { S: "A" }, m: { M: { y: { N: "2" } } } });
  });

  test("keys are checked with AWS's messages", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ TableName: "users", Key: { id: { N: "1" } } }, "The provided key element does not match the schema"],
      [{ TableName: "users", Key: { id: { S: "a" }, x: { S: "b" } } }, "The provided key element does not match the schema"],
      [{ TableName: "users", Key: { id: { S: "" } } }, "One or more parameter values were invalid: The AttributeValue for a key attribute cannot contain an empty string value. Key: id"],
    ];
    for (const [m, message] of cases) assert.equal((await failure(f.items.getItem(m))).message, message);
    const puts: [Record<string, unknown>, string][] = [
      [{ a: { S: "x" } }, "One or more parameter values were invalid: Missing the key id in the item"],
      [{ id: { N: "1" } }, "One or more parameter values were invalid: Type mismatch for key id expected: S actual: N"],
      [{ id: { S: "" } }, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: id"],
    ];
    for (const [Item, message] of puts) {
      const e = await failure(f.items.putItem({ TableName: "users", Item }));
      assert.equal(e.code, "ValidationException");
      assert.equal(e.message, message);
    }
  });

  test("a missing table is ResourceNotFoundException", async () => {
    const e = await failure(f.items.getItem({ TableName: "nope", Key: { id: { S: "a" } } }));
    assert.equal(e.code, "ResourceNotFoundException");
  });

  test("an item over 400 KB is refused, on put and on update", async () => {
    const big = "x".repeat(409600);
    assert.equal((await failure(f.items.putItem({ TableName: "users", Item: { id: { S: "u" }, big: { S: big } } }))).message, "Item size has exceeded the maximum allowed size");
    await f.items.putItem({ TableName: "users", Item: { id: { S: "u" }, big: { S: "x".repeat(300000) } } });
    const e = await failure(
      f.items.updateItem({ TableName: "users", Key: { id: { S: "u" } }, UpdateExpression: "SET more = :m", ExpressionAttributeValues: { ":m": { S: "y".repeat(200000) } } }),
    );
    assert.equal(e.message, "Item size to update has exceeded the maximum allowed size");
  });

  test("an index key attribute of the wrong type refuses the put", async () => {
    const e = await failure(f.items.putItem({ TableName: "events", Item: { pk: { S: "a" }, sk: { N: "1" }, email: { N: "5" } } }));
    assert.equal(e.message, "One or more parameter values were invalid: Type mismatch for Index Key email Expected: S Actual: N IndexName: byEmail");
  });

  test("a failed condition is ConditionalCheckFailedException, with the item when asked", async () => {
    await f.items.putItem({ TableName: "users", Item: { id: { S: "u1" }, v: { N: "1" } } });
    const plain = await failure(f.items.putItem({ TableName: "users", Item: { id: { S: "u1" } }, ConditionExpression: "attribute_not_exists(id)" }));
    assert.equal(plain.code, "ConditionalCheckFailedException");
    assert.equal(plain.message, "The conditional request failed");
    assert.equal(plain.extra.Item, undefined);
    const withItem = await failure(
      f.items.deleteItem({ TableName: "users", Key: { id: { S: "u1" } }, ConditionExpression: "v = :two", ExpressionAttributeValues: { ":two": { N: "2" } }, ReturnValuesOnConditionCheckFailure: "ALL_OLD" }),
    );
    assert.deepEqual(withItem.extra.Item, { id: { S: "u1" }, v: { N: "1" } });
    assert.ok((await f.items.getItem({ TableName: "users", Key: { id: { S: "u1" } } })).Item, "the refused delete deleted nothing");
  });

  test("ReturnValues: ALL_OLD on put and delete; PutItem refuses the others", async () => {
    assert.deepEqual(await f.items.putItem({ TableName: "users", Item: { id: { S: "u1" }, v: { N: "1" } }, ReturnValues: "ALL_OLD" }), {});
    const put = await f.items.putItem({ TableName: "users", Item: { id: { S: "u1" }, v: { N: "2" } }, ReturnValues: "ALL_OLD" });
    assert.deepEqual(put.Attributes, { id: { S: "u1" }, v: { N: "1" } });
    assert.equal((await failure(f.items.putItem({ TableName: "users", Item: { id: { S: "u1" } }, ReturnValues: "ALL_NEW" }))).message, "ReturnValues can only be ALL_OLD or NONE");
    const del = await f.items.deleteItem({ TableName: "users", Key: { id: { S: "u1" } }, ReturnValues: "ALL_OLD" });
    assert.deepEqual(del.Attributes, { id: { S: "u1" }, v: { N: "2" } });
    assert.deepEqual(await f.items.deleteItem({ TableName: "users", Key: { id: { S: "u1" } }, ReturnValues: "ALL_OLD" }), {});
  });

  test("UpdateItem: SET arithmetic, if_not_exists, list_append, REMOVE, ADD, DELETE, and each ReturnValues", async () => {
    const key = { id: { S: "u1" } };
    const created = await f.items.updateItem({
      TableName: "users",
      Key: key,
      UpdateExpression: "SET n = if_not_exists(n, :zero) + :one, l = list_append(if_not_exists(l, :empty), :l) ADD s :s",
      ExpressionAttributeValues: { ":zero": { N: "0" }, ":one": { N: "1" }, ":empty": { L: [] }, ":l": { L: [{ S: "a" }] }, ":s": { SS: ["x", "y"] } },
      ReturnValues: "ALL_NEW",
    });
    assert.deepEqual(created.Attributes, { id: key.id, n: { N: "1" }, l: { L: [{ S: "a" }] }, s: { SS: ["x", "y"] } });
    const updatedOld = await f.items.updateItem({ TableName: "users", Key: key, UpdateExpression: "SET n = n + :one REMOVE l DELETE s :x", ExpressionAttributeValues: { ":one": { N: "1" }, ":x": { SS: ["x"] } }, ReturnValues: "UPDATED_OLD" });
    assert.deepEqual(updatedOld.Attributes, { n: { N: "1" }, l: { L: [{ S: "a" }] }, s: { SS: ["x", "y"] } });
    const updatedNew = await f.items.updateItem({ TableName: "users", Key: key, UpdateExpression: "SET n = n - :one", ExpressionAttributeValues: { ":one": { N: "1" } }, ReturnValues: "UPDATED_NEW" });
    assert.deepEqual(updatedNew.Attributes, { n: { N: "1" } });
    const allOld = await f.items.updateItem({ TableName: "users", Key: key, UpdateExpression: "SET z = :z", ExpressionAttributeValues: { ":z": { BOOL: false } }, ReturnValues: "ALL_OLD" });
    assert.deepEqual(allOld.Attributes, { id: key.id, n: { N: "1" }, s: { SS: ["y"] } });
  });

  test("UpdateItem may not change a key attribute, nor reach into one", async () => {
    for (const UpdateExpression of ["SET id = :v", "SET id.x = :v"]) {
      const e = await failure(f.items.updateItem({ TableName: "users", Key: { id: { S: "u1" } }, UpdateExpression, ExpressionAttributeValues: { ":v": { S: "u2" } } }));
      assert.equal(e.message, "One or more parameter values were invalid: Cannot update attribute id. This attribute is part of the key");
    }
  });

  test("an unused ExpressionAttributeValues entry is refused", async () => {
    const e = await failure(f.items.putItem({ TableName: "users", Item: { id: { S: "u1" } }, ConditionExpression: "attribute_not_exists(id)", ExpressionAttributeValues: { ":x": { S: "x" } } }));
    assert.equal(e.message, "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}");
  });

  test("the legacy Expected and AttributeUpdates work as their expressions do", async () => {
    await f.items.putItem({ TableName: "users", Item: { id: { S: "u1" }, v: { N: "1" } } });
    const e = await failure(f.items.putItem({ TableName: "users", Item: { id: { S: "u1" } }, Expected: { id: { Exists: false } } }));
    assert.equal(e.code, "ConditionalCheckFailedException");
    const r = await f.items.updateItem({ TableName: "users", Key: { id: { S: "u1" } }, AttributeUpdates: { v: { Action: "ADD", Value: { N: "4" } } }, Expected: { v: { Value: { N: "1" } } }, ReturnValues: "UPDATED_NEW" });
    assert.deepEqual(r.Attributes, { v: { N: "5" } });
    const mixed = await failure(f.items.putItem({ TableName: "users", Item: { id: { S: "u1" } }, Expected: { id: { Exists: true } }, ConditionExpression: "attribute_exists(id)" }));
    assert.match(mixed.message, /^Can not use both expression and non-expression parameters in the same request/);
  });

  test("ReturnConsumedCapacity counts units from item sizes, by index with INDEXES", async () => {
    const put = await f.items.putItem({ TableName: "events", Item: { pk: { S: "a" }, sk: { N: "1" }, email: { S: "e@x" }, big: { S: "x".repeat(1500) } }, ReturnConsumedCapacity: "INDEXES" });
    assert.deepEqual(put.ConsumedCapacity, { TableName: "events", CapacityUnits: 4, Table: { CapacityUnits: 2 }, GlobalSecondaryIndexes: { byEmail: { CapacityUnits: 2 } } });
    // An update writes an index when it changes the item's entry there (ALL projects `big`).
    const same = await f.items.updateItem({ TableName: "events", Key: { pk: { S: "a" }, sk: { N: "1" } }, UpdateExpression: "SET big = :b", ExpressionAttributeValues: { ":b": { S: "y" } }, ReturnConsumedCapacity: "INDEXES" });
    assert.deepEqual((same.ConsumedCapacity as { GlobalSecondaryIndexes?: unknown }).GlobalSecondaryIndexes, { byEmail: { CapacityUnits: 2 } });
    const get = await f.items.getItem({ TableName: "events", Key: { pk: { S: "a" }, sk: { N: "1" } }, ReturnConsumedCapacity: "TOTAL" });
    assert.deepEqual(get.ConsumedCapacity, { TableName: "events", CapacityUnits: 0.5 });
    const consistent = await f.items.getItem({ TableName: "events", Key: { pk: { S: "a" }, sk: { N: "1" } }, ReturnConsumedCapacity: "TOTAL", ConsistentRead: true });
    assert.equal((consistent.ConsumedCapacity as { CapacityUnits: number }).CapacityUnits, 1);
  });
});

for (const kind of ["sqlite", "postgres"] as const) describe(`DynamoDB stream records of item writes (${kind})`, () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await Fixture.open(kind);
  });
  afterEach(() => f.close());

  test("INSERT, MODIFY and REMOVE carry the images the view type asks for, and a write that changes nothing records nothing", async () => {
    const t = await f.table({ name: "s", hash: ["id", "S"], stream: "NEW_AND_OLD_IMAGES" });
    await f.items.putItem({ TableName: "s", Item: { id: { S: "a" }, v: { N: "1" } } });
    f.clock.advance(1500);
    await f.items.putItem({ TableName: "s", Item: { id: { S: "a" }, v: { N: "1" } } });
    await f.items.updateItem({ TableName: "s", Key: { id: { S: "a" } }, UpdateExpression: "SET v = :v", ExpressionAttributeValues: { ":v": { N: "1" } } });
    await f.items.updateItem({ TableName: "s", Key: { id: { S: "a" } }, UpdateExpression: "SET v = :v", ExpressionAttributeValues: { ":v": { N: "2" } } });
    await f.items.deleteItem({ TableName: "s", Key: { id: { S: "a" } } });
    await f.items.deleteItem({ TableName: "s", Key: { id: { S: "a" } } });
    const records = await f.records(t);
    assert.deepEqual(records.map((r) => r.eventName), ["INSERT", "MODIFY", "REMOVE"]);
    const [insert, modify, remove] = records;
    assert.match(insert!.eventID, /^[0-9a-f]{32}$/);
    assert.equal(insert!.dynamodb.ApproximateCreationDateTime, Math.floor(Date.UTC(2026, 0, 1) / 1000));
    assert.deepEqual(insert!.dynamodb.Keys, { id: { S: "a" } });
    assert.deepEqual(insert!.dynamodb.NewImage, { id: { S: "a" }, v: { N: "1" } });
    assert.equal(insert!.dynamodb.OldImage, undefined);
    assert.equal(insert!.dynamodb.StreamViewType, "NEW_AND_OLD_IMAGES");
    assert.ok(insert!.dynamodb.SizeBytes > 0);
    assert.deepEqual(modify!.dynamodb.OldImage, { id: { S: "a" }, v: { N: "1" } });
    assert.deepEqual(modify!.dynamodb.NewImage, { id: { S: "a" }, v: { N: "2" } });
    assert.deepEqual(remove!.dynamodb.OldImage, { id: { S: "a" }, v: { N: "2" } });
    assert.equal(remove!.dynamodb.NewImage, undefined);
    assert.equal(remove!.userIdentity, undefined);
    assert.deepEqual(f.appended.map((a) => a.arn), [t.streams[0]!.arn, t.streams[0]!.arn, t.streams[0]!.arn]);
  });

  test("KEYS_ONLY records carry only the keys; a table without a stream records nothing", async () => {
    const t = await f.table({ name: "k", hash: ["id", "S"], range: ["n", "N"], stream: "KEYS_ONLY" });
    await f.table({ name: "plain", hash: ["id", "S"] });
    await f.items.putItem({ TableName: "k", Item: { id: { S: "a" }, n: { N: "1" }, v: { S: "x" } } });
    await f.items.putItem({ TableName: "plain", Item: { id: { S: "a" } } });
    const [r] = await f.records(t);
    assert.deepEqual(r!.dynamodb, { ApproximateCreationDateTime: r!.dynamodb.ApproximateCreationDateTime, Keys: { id: { S: "a" }, n: { N: "1" } }, SizeBytes: r!.dynamodb.SizeBytes, StreamViewType: "KEYS_ONLY" });
    assert.equal(f.appended.length, 1);
  });
});
