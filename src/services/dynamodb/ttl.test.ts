/** The TTL sweeper in-process: expired items go, with a service-principal REMOVE record; reads still see them until then. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Fixture } from "./items-fixture.js";
import { TtlSweeper } from "./ttl.js";

for (const kind of ["sqlite", "postgres"] as const) describe(`DynamoDB TTL (${kind})`, () => {
  let f: Fixture;
  let sweeper: TtlSweeper;
  beforeEach(async () => {
    f = await Fixture.open(kind);
    sweeper = new TtlSweeper({ tables: f, store: f.store.dynamodb, clock: f.clock, appended: (arn, sequence) => f.appended.push({ arn, sequence }), batch: 2 });
  });
  afterEach(async () => {
    sweeper.stop();
    await f.close();
  });

  const nowSeconds = () => Math.floor(f.clock.now() / 1000);

  test("an expired item is returned by reads until the sweep deletes it with a REMOVE record by dynamodb.amazonaws.com", async () => {
    const t = await f.table({ name: "sessions", hash: ["id", "S"], ttl: "expires", stream: "NEW_AND_OLD_IMAGES" });
    await f.items.putItem({ TableName: "sessions", Item: { id: { S: "old" }, expires: { N: String(nowSeconds() + 10) } } });
    await f.items.putItem({ TableName: "sessions", Item: { id: { S: "new" }, expires: { N: String(nowSeconds() + 3600) } } });
    await f.items.putItem({ TableName: "sessions", Item: { id: { S: "text" }, expires: { S: "soon" } } });
    f.clock.advance(60_000);
    assert.ok((await f.items.getItem({ TableName: "sessions", Key: { id: { S: "old" } } })).Item, "still there before the sweep");
    assert.equal(await sweeper.sweep(), 1);
    assert.deepEqual(await f.items.getItem({ TableName: "sessions", Key: { id: { S: "old" } } }), {});
    assert.ok((await f.items.getItem({ TableName: "sessions", Key: { id: { S: "new" } } })).Item);
    assert.ok((await f.items.getItem({ TableName: "sessions", Key: { id: { S: "text" } } })).Item, "a TTL attribute that is not a Number never expires");
    const remove = (await f.records(t)).find((r) => r.eventName === "REMOVE")!;
    assert.deepEqual(remove.userIdentity, { type: "Service", principalId: "dynamodb.amazonaws.com" });
    assert.deepEqual(remove.dynamodb.Keys, { id: { S: "old" } });
    assert.ok(remove.dynamodb.OldImage);
  });

  test("an item updated past its old expiry is not deleted", async () => {
    await f.table({ name: "s", hash: ["id", "S"], ttl: "exp" });
    await f.items.putItem({ TableName: "s", Item: { id: { S: "a" }, exp: { N: String(nowSeconds() + 5) } } });
    await f.items.updateItem({ TableName: "s", Key: { id: { S: "a" } }, UpdateExpression: "SET exp = :e", ExpressionAttributeValues: { ":e": { N: String(nowSeconds() + 3600) } } });
    f.clock.advance(60_000);
    assert.equal(await sweeper.sweep(), 0);
    assert.ok((await f.items.getItem({ TableName: "s", Key: { id: { S: "a" } } })).Item);
  });

  test("the started sweeper deletes in rounds on the Flint clock", async () => {
    await f.table({ name: "s", hash: ["id", "S"], ttl: "exp" });
    for (let i = 0; i < 5; i++) await f.items.putItem({ TableName: "s", Item: { id: { S: `k${i}` }, exp: { N: String(nowSeconds()) } } });
    sweeper.start();
    f.clock.advance(5000);
    await sweeper.sweep();
    const left = await f.items.scan({ TableName: "s", Select: "COUNT" });
    assert.equal(left.Count, 0);
  });
});
