/** Query and Scan in-process: key conditions, paging by Limit and by the 1 MB rule, indexes, parallel scans. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Fixture, failure } from "./items-fixture.js";
import type { Item } from "./types.js";
import { itemSize } from "./values.js";

type Page = { Items?: Item[]; Count: number; ScannedCount: number; LastEvaluatedKey?: Item };

for (const kind of ["sqlite", "postgres"] as const) describe(`DynamoDB Query and Scan (${kind})`, () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await Fixture.open(kind);
    await f.table({
      name: "t",
      hash: ["pk", "S"],
      range: ["n", "N"],
      indexes: [
        { name: "byColour", kind: "global", hash: ["colour", "S"], projection: { ProjectionType: "KEYS_ONLY" } },
        { name: "byName", kind: "local", hash: ["pk", "S"], range: ["name", "S"], projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["extra"] } },
      ],
    });
    for (let n = 1; n <= 10; n++) {
      const item: Item = { pk: { S: "p" }, n: { N: String(n) }, name: { S: `item-${String(n).padStart(2, "0")}` }, extra: { N: String(n * 10) }, other: { S: "o" } };
      if (n % 2 === 0) item.colour = { S: n <= 4 ? "red" : "blue" };
      await f.items.putItem({ TableName: "t", Item: item });
    }
    await f.items.putItem({ TableName: "t", Item: { pk: { S: "q" }, n: { N: "1" } } });
  });
  afterEach(() => f.close());

  const q = async (m: Record<string, unknown>) => (await f.items.query({ TableName: "t", ...m })) as unknown as Page;
  const ns = (p: Page) => p.Items!.map((i) => Number((i.n as { N: string }).N));

  test("every sort key operator selects its range, in order or reversed", async () => {
    const cases: [string, Record<string, unknown>, number[]][] = [
      ["pk = :p", {}, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
      ["pk = :p AND n = :a", { ":a": { N: "3" } }, [3]],
      ["pk = :p AND n < :a", { ":a": { N: "3" } }, [1, 2]],
      ["pk = :p AND n <= :a", { ":a": { N: "3" } }, [1, 2, 3]],
      ["pk = :p AND n > :a", { ":a": { N: "8" } }, [9, 10]],
      ["pk = :p AND n >= :a", { ":a": { N: "8" } }, [8, 9, 10]],
      ["pk = :p AND n BETWEEN :a AND :b", { ":a": { N: "4" }, ":b": { N: "6" } }, [4, 5, 6]],
    ];
    for (const [expr, values, want] of cases) {
      const page = await q({ KeyConditionExpression: expr, ExpressionAttributeValues: { ":p": { S: "p" }, ...values } });
      assert.deepEqual(ns(page), want, expr);
      const back = await q({ KeyConditionExpression: expr, ExpressionAttributeValues: { ":p": { S: "p" }, ...values }, ScanIndexForward: false });
      assert.deepEqual(ns(back), [...want].reverse(), expr);
    }
  });

  test("begins_with on a string sort key, on a local index", async () => {
    const page = await q({ IndexName: "byName", KeyConditionExpression: "pk = :p AND begins_with(#n, :pre)", ExpressionAttributeNames: { "#n": "name" }, ExpressionAttributeValues: { ":p": { S: "p" }, ":pre": { S: "item-0" } } });
    assert.deepEqual(ns(page), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // INCLUDE: the keys, the index key and `extra`, not `other`.
    assert.deepEqual(page.Items![0], { pk: { S: "p" }, n: { N: "1" }, name: { S: "item-01" }, extra: { N: "10" } });
  });

  test("Limit counts evaluated items, the filter drops from the page, and LastEvaluatedKey resumes", async () => {
    const m = { KeyConditionExpression: "pk = :p", FilterExpression: "extra > :e", ExpressionAttributeValues: { ":p": { S: "p" }, ":e": { N: "20" } }, Limit: 4 };
    const first = await q(m);
    assert.deepEqual(ns(first), [3, 4]);
    assert.equal(first.Count, 2);
    assert.equal(first.ScannedCount, 4);
    assert.deepEqual(first.LastEvaluatedKey, { pk: { S: "p" }, n: { N: "4" } });
    const second = await q({ ...m, ExclusiveStartKey: first.LastEvaluatedKey });
    assert.deepEqual(ns(second), [5, 6, 7, 8]);
    const third = await q({ ...m, ExclusiveStartKey: second.LastEvaluatedKey });
    assert.deepEqual(ns(third), [9, 10]);
    assert.equal(third.LastEvaluatedKey, undefined);
  });

  test("Select COUNT answers Count and ScannedCount without Items", async () => {
    const page = await q({ KeyConditionExpression: "pk = :p", FilterExpression: "attribute_exists(colour)", ExpressionAttributeValues: { ":p": { S: "p" } }, Select: "COUNT" });
    assert.deepEqual(page, { Count: 5, ScannedCount: 10 });
  });

  test("a page stops once the evaluated items reach 1 MB, and the next page goes on from there", async () => {
    await f.table({ name: "big", hash: ["pk", "S"], range: ["n", "N"] });
    const body = "x".repeat(200000);
    for (let n = 1; n <= 8; n++) await f.items.putItem({ TableName: "big", Item: { pk: { S: "p" }, n: { N: String(n) }, body: { S: body } } });
    const size = itemSize({ pk: { S: "p" }, n: { N: "1" }, body: { S: body } });
    const fit = Math.ceil((1024 * 1024) / size);
    const first = (await f.items.query({ TableName: "big", KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": { S: "p" } } })) as unknown as Page;
    assert.equal(first.Count, fit);
    assert.deepEqual(first.LastEvaluatedKey, { pk: { S: "p" }, n: { N: String(fit) } });
    const second = (await f.items.query({ TableName: "big", KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": { S: "p" } }, ExclusiveStartKey: first.LastEvaluatedKey })) as unknown as Page;
    assert.equal(second.Count, 8 - fit);
    assert.equal(second.LastEvaluatedKey, undefined);
    const scanned = (await f.items.scan({ TableName: "big", Select: "COUNT" })) as unknown as Page;
    assert.equal(scanned.ScannedCount, fit);
  });

  test("a global index is sparse, returns its projection, and pages by index key and table key", async () => {
    const red = await q({ IndexName: "byColour", KeyConditionExpression: "colour = :c", ExpressionAttributeValues: { ":c": { S: "red" } }, Limit: 1 });
    assert.deepEqual(red.Items, [{ pk: { S: "p" }, n: { N: "2" }, colour: { S: "red" } }]);
    assert.deepEqual(red.LastEvaluatedKey, { pk: { S: "p" }, n: { N: "2" }, colour: { S: "red" } });
    const next = await q({ IndexName: "byColour", KeyConditionExpression: "colour = :c", ExpressionAttributeValues: { ":c": { S: "red" } }, ExclusiveStartKey: red.LastEvaluatedKey });
    assert.deepEqual(ns(next), [4]);
    const all = (await f.items.scan({ TableName: "t", IndexName: "byColour" })) as unknown as Page;
    assert.equal(all.Count, 5);
  });

  test("an update moving an item's index key moves its entry; removing the attribute drops it", async () => {
    const red = () => q({ IndexName: "byColour", KeyConditionExpression: "colour = :c", ExpressionAttributeValues: { ":c": { S: "red" } } });
    assert.deepEqual(ns(await red()), [2, 4]);
    await f.items.updateItem({ TableName: "t", Key: { pk: { S: "p" }, n: { N: "6" } }, UpdateExpression: "SET colour = :c", ExpressionAttributeValues: { ":c": { S: "red" } } });
    await f.items.updateItem({ TableName: "t", Key: { pk: { S: "p" }, n: { N: "2" } }, UpdateExpression: "REMOVE colour" });
    assert.deepEqual(ns(await red()), [4, 6]);
    const wrong = await failure(f.items.updateItem({ TableName: "t", Key: { pk: { S: "p" }, n: { N: "2" } }, UpdateExpression: "SET colour = :c", ExpressionAttributeValues: { ":c": { N: "1" } } }));
    assert.equal(wrong.message, "One or more parameter values were invalid: Type mismatch for Index Key colour Expected: S Actual: N IndexName: byColour");
  });

  test("request errors: Select without a projection, a bad ExclusiveStartKey, a Limit below 1", async () => {
    const base = { KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": { S: "p" } } };
    assert.equal((await failure(q({ ...base, Select: "SPECIFIC_ATTRIBUTES" }))).message, "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES");
    assert.equal((await failure(q({ ...base, ExclusiveStartKey: { pk: { S: "p" } } }))).message, "The provided starting key is invalid");
    assert.equal((await failure(q({ ...base, ExclusiveStartKey: { pk: { S: "other" }, n: { N: "1" } } }))).message, "The provided starting key is outside query boundaries based on provided conditions");
    assert.match((await failure(q({ ...base, Limit: 0 }))).message, /Member must have value greater than or equal to 1$/);
    const scan = await failure(f.items.scan({ TableName: "t", IndexName: "byColour", ConsistentRead: true }));
    assert.equal(scan.message, "Consistent reads are not supported on global secondary indexes");
  });

  test("index errors: an unknown index, consistent reads on a global index, ALL_ATTRIBUTES on a projected global index", async () => {
    const base = { KeyConditionExpression: "colour = :c", ExpressionAttributeValues: { ":c": { S: "red" } } };
    assert.equal((await failure(q({ ...base, IndexName: "nope" }))).message, "The table does not have the specified index: nope");
    assert.equal((await failure(q({ ...base, IndexName: "byColour", ConsistentRead: true }))).message, "Consistent reads are not supported on global secondary indexes");
    assert.equal(
      (await failure(q({ ...base, IndexName: "byColour", Select: "ALL_ATTRIBUTES" }))).message,
      "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index byColour because its projection type is not ALL",
    );
  });

  test("key condition errors: the sort key's type, and a filter on a key attribute", async () => {
    const e = await failure(q({ KeyConditionExpression: "pk = :p AND n > :s", ExpressionAttributeValues: { ":p": { S: "p" }, ":s": { S: "x" } } }));
    assert.equal(e.message, "One or more parameter values were invalid: Condition parameter type does not match schema type");
    const k = await failure(q({ KeyConditionExpression: "pk = :p", FilterExpression: "n > :one", ExpressionAttributeValues: { ":p": { S: "p" }, ":one": { N: "1" } } }));
    assert.equal(k.message, "Filter Expression can only contain non-primary key attributes: Primary key attribute: n");
  });

  test("the legacy KeyConditions and QueryFilter query as their expressions do", async () => {
    const page = await q({ KeyConditions: { pk: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "p" }] }, n: { ComparisonOperator: "GT", AttributeValueList: [{ N: "7" }] } }, QueryFilter: { extra: { ComparisonOperator: "LT", AttributeValueList: [{ N: "100" }] } } });
    assert.deepEqual(ns(page), [8, 9]);
  });

  test("Scan filters every item; parallel segments together hold each item once", async () => {
    const filtered = (await f.items.scan({ TableName: "t", FilterExpression: "n = :one", ExpressionAttributeValues: { ":one": { N: "1" } } })) as unknown as Page;
    assert.equal(filtered.Count, 2);
    assert.equal(filtered.ScannedCount, 11);
    const seen: string[] = [];
    for (let s = 0; s < 4; s++) {
      let start: Item | undefined;
      do {
        const page = (await f.items.scan({ TableName: "t", Segment: s, TotalSegments: 4, Limit: 2, ExclusiveStartKey: start })) as unknown as Page;
        for (const i of page.Items!) seen.push(`${(i.pk as { S: string }).S}/${(i.n as { N: string }).N}`);
        start = page.LastEvaluatedKey;
      } while (start);
    }
    assert.equal(seen.length, 11);
    assert.equal(new Set(seen).size, 11);
    // A start key from one segment is refused in another (the segment holding partition "p", ten items, has a next page).
    const pages = await Promise.all([0, 1].map(async (Segment) => (await f.items.scan({ TableName: "t", Segment, TotalSegments: 2, Limit: 1 })) as unknown as Page));
    const from = pages.findIndex((p) => p.LastEvaluatedKey);
    const wrong = await failure(f.items.scan({ TableName: "t", Segment: 1 - from, TotalSegments: 2, ExclusiveStartKey: pages[from]!.LastEvaluatedKey }));
    assert.match(wrong.message, /^The provided starting key is invalid: Invalid ExclusiveStartKey\. Please use ExclusiveStartKey with correct Segment\./);
    const e = await failure(f.items.scan({ TableName: "t", Segment: 4, TotalSegments: 4 }));
    assert.equal(e.message, "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 4 is not less than TotalSegments: 4");
  });
});
