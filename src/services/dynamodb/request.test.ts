/** What every item operation decodes alike (request.ts): expression values, ConditionalOperator, legacy members. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Fixture, failure } from "./items-fixture.js";

describe("DynamoDB request members", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await Fixture.open("sqlite");
    await f.table({ name: "users", hash: ["id", "S"] });
    await f.table({ name: "events", hash: ["pk", "S"], range: ["sk", "N"] });
  });
  afterEach(() => f.close());

  const refused = async (p: Promise<unknown>, message: string) => assert.deepEqual(await failure(p), { code: "ValidationException", message, extra: {} });

  test("an invalid ExpressionAttributeValues value is refused in AWS's words, naming its key", async () => {
    const Key = { id: { S: "u1" } };
    await refused(
      f.items.updateItem({ TableName: "users", Key, UpdateExpression: "SET a = :v", ExpressionAttributeValues: { ":v": {} } }),
      "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes for key :v",
    );
    await refused(
      f.items.putItem({ TableName: "users", Item: Key, ConditionExpression: "a = :v", ExpressionAttributeValues: { ":v": { SS: ["x", "x"] } } }),
      "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: Input collection [x, x] contains duplicates. for key :v",
    );
    await refused(
      f.items.query({ TableName: "events", KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": null } }),
      "ExpressionAttributeValues contains invalid value: The supplied Item contains a null AttributeValue for key :p",
    );
    await refused(
      f.items.transactWriteItems({ TransactItems: [{ ConditionCheck: { TableName: "users", Key, ConditionExpression: "a = :v", ExpressionAttributeValues: { ":v": { S: "a", N: "1" } } } }] }),
      "ExpressionAttributeValues contains invalid value: Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes for key :v",
    );
  });

  test("ConditionalOperator without Expected, QueryFilter or ScanFilter is refused", async () => {
    const message = "ConditionalOperator cannot be used without Filter or Expected";
    const Key = { id: { S: "u1" } };
    await refused(f.items.putItem({ TableName: "users", Item: Key, ConditionalOperator: "AND" }), message);
    await refused(f.items.deleteItem({ TableName: "users", Key, ConditionalOperator: "OR" }), message);
    await refused(f.items.updateItem({ TableName: "users", Key, AttributeUpdates: { a: { Action: "PUT", Value: { S: "x" } } }, ConditionalOperator: "AND" }), message);
    await refused(f.items.scan({ TableName: "users", ConditionalOperator: "OR" }), message);
    await refused(f.items.query({ TableName: "events", KeyConditions: { pk: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "a" }] } }, ConditionalOperator: "AND" }), message);
    // Nothing was written.
    assert.deepEqual(await f.items.scan({ TableName: "users" }), { Items: [], Count: 0, ScannedCount: 0 });
  });

  test("legacy AttributeUpdates ADD/DELETE on an attribute of another type: AWS's legacy message, not the expression one", async () => {
    const Key = { id: { S: "u1" } };
    await f.items.putItem({ TableName: "users", Item: { ...Key, s: { S: "text" }, ss: { SS: ["a"] }, ns: { NS: ["1"] }, n: { N: "1" } } });
    const mismatch = "Type mismatch for attribute to update";
    const update = (AttributeUpdates: Record<string, unknown>) => f.items.updateItem({ TableName: "users", Key, AttributeUpdates });
    await refused(update({ s: { Action: "ADD", Value: { N: "1" } } }), mismatch);
    await refused(update({ ns: { Action: "ADD", Value: { SS: ["x"] } } }), mismatch);
    await refused(update({ n: { Action: "ADD", Value: { L: [{ S: "x" }] } } }), mismatch);
    await refused(update({ ss: { Action: "DELETE", Value: { NS: ["1"] } } }), mismatch);
    await refused(update({ n: { Action: "DELETE", Value: { NS: ["1"] } } }), mismatch);
    // An UpdateExpression keeps its own wording.
    await refused(
      f.items.updateItem({ TableName: "users", Key, UpdateExpression: "ADD s :one", ExpressionAttributeValues: { ":one": { N: "1" } } }),
      "An operand in the update expression has an incorrect data type",
    );
    // Nothing changed.
    assert.deepEqual((await f.items.getItem({ TableName: "users", Key })).Item, { ...Key, s: { S: "text" }, ss: { SS: ["a"] }, ns: { NS: ["1"] }, n: { N: "1" } });
  });
});
