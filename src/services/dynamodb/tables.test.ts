/** The DynamoDB control plane in-process, on a real SQLite store and a clock the tests move. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ManualClock } from "../../clock/manual-clock.js";
import { SqliteStore } from "../../store/sqlite.js";
import { LocalChangeBus } from "../../store/change-bus.js";
import { OPERATIONS } from "../../api/dynamodb/operations.js";
import { ItemsService } from "./items.js";
import { TablesService } from "./tables.js";
import { keyBytes } from "./values.js";
import type { Item } from "./types.js";

const ACCOUNT = { region: "us-east-1", accountId: "123456789012" };
const ARN = (name: string) => `arn:aws:dynamodb:us-east-1:123456789012:table/${name}`;
type Members = Record<string, unknown>;

const simple = (name: string, more: Members = {}): Members => ({
  TableName: name,
  KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
  AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
  BillingMode: "PAY_PER_REQUEST",
  ...more,
});

describe("DynamoDB tables", () => {
  let dir: string;
  let store: SqliteStore;
  let clock: ManualClock;
  let tables: TablesService;

  const call = async (op: string, members: Members) => (await OPERATIONS[op]!({ tables, items: undefined as never, host: "localhost:9000" }, members)) as Members;
  const fails = (op: string, members: Members, code: string, message: string | RegExp) => assert.rejects(call(op, members), { code, message });
  /** Let timers fire and the writes they start land. */
  const settle = async () => {
    clock.advance(1000);
    await new Promise((r) => setImmediate(r));
    await tables.idle();
  };
  const describeT = async (name: string) => (await call("DescribeTable", { TableName: name })).Table as Members;
  const putItem = async (tableName: string, item: Item) => {
    const t = tables.require(tableName);
    await store.dynamodb.write(
      [{ table: t.id, key: { hk: keyBytes(item.pk!), rk: Buffer.alloc(0) }, decide: () => ({ put: { item: JSON.stringify(item), size: 10, indexes: [] } }) }],
      false,
    );
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flint-dynamodb-tables-"));
    store = SqliteStore.open(dir);
    clock = new ManualClock();
    tables = await TablesService.create({ account: ACCOUNT, store: store.dynamodb, clock });
  });
  afterEach(async () => {
    await tables.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("a table is CREATING, then ACTIVE, described as AWS describes it", async () => {
    const created = (await call("CreateTable", simple("orders", { StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" }, Tags: [{ Key: "team", Value: "a" }] })))
      .TableDescription as Members;
    assert.equal(created.TableStatus, "CREATING");
    assert.equal(created.TableArn, ARN("orders"));
    assert.match(created.TableId as string, /^[0-9a-f-]{36}$/);
    assert.deepEqual(created.ProvisionedThroughput, { NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0 });
    assert.equal((created.BillingModeSummary as Members).BillingMode, "PAY_PER_REQUEST");
    assert.deepEqual(created.StreamSpecification, { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" });
    assert.match(created.LatestStreamLabel as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);
    assert.equal(created.LatestStreamArn, `${ARN("orders")}/stream/${created.LatestStreamLabel as string}`);
    assert.equal(created.DeletionProtectionEnabled, false);
    assert.equal(created.ItemCount, 0);
    assert.equal(created.TableSizeBytes, 0);
    assert.equal(typeof created.CreationDateTime, "number");
    await assert.rejects(async () => tables.require("orders"), { code: "ResourceNotFoundException", message: "Requested resource not found" });
    await settle();
    const t = await describeT("orders");
    assert.equal(t.TableStatus, "ACTIVE");
    assert.deepEqual(await describeT(ARN("orders")), t);
    assert.equal(tables.byStreamArn(created.LatestStreamArn as string)?.table.name, "orders");
    assert.deepEqual(await call("ListTagsOfResource", { ResourceArn: ARN("orders") }), { Tags: [{ Key: "team", Value: "a" }] });
    await fails("CreateTable", simple("orders"), "ResourceInUseException", "Table already exists: orders");
  });

  test("a table survives a restart: the service is a cache of the store", async () => {
    await call("CreateTable", simple("orders"));
    await settle();
    const again = await TablesService.create({ account: ACCOUNT, store: store.dynamodb, clock });
    assert.equal(again.find("orders")?.status, "ACTIVE");
    await again.close();
  });

  test("CreateTable is validated with AWS's messages", async () => {
    await fails("CreateTable", { ...simple("ab") }, "ValidationException", "TableName must be at least 3 characters long and at most 255 characters long");
    await fails("CreateTable", { KeySchema: [] }, "ValidationException", "The parameter 'TableName' is required but was not present in the request");
    await fails(
      "CreateTable",
      simple("t01", { KeySchema: [{ AttributeName: "x", KeyType: "HASH" }] }),
      "ValidationException",
      "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [x], AttributeDefinitions: [pk]",
    );
    await fails(
      "CreateTable",
      simple("t01", { AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "y", AttributeType: "N" }] }),
      "ValidationException",
      "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
    );
    await fails("CreateTable", simple("t01", { BillingMode: undefined }), "ValidationException", "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
    await fails(
      "CreateTable",
      simple("t01", { ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }),
      "ValidationException",
      "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
    );
    await fails("CreateTable", simple("t01", { BillingMode: "CHEAP" }), "ValidationException", "1 validation error detected: Value 'CHEAP' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]");
    await fails("CreateTable", simple("bad name!"), "ValidationException", /at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: \[a-zA-Z0-9_.-\]\+/);
    await fails(
      "CreateTable",
      simple("t01", { KeySchema: [{ AttributeName: "pk", KeyType: "RANGE" }] }),
      "ValidationException",
      "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
    );
    const lsi = { IndexName: "by-b", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "b", KeyType: "RANGE" }], Projection: { ProjectionType: "ALL" } };
    await fails(
      "CreateTable",
      simple("t01", { AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "b", AttributeType: "S" }], LocalSecondaryIndexes: [lsi] }),
      "ValidationException",
      "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex",
    );
    const gsi = (name: string) => ({ IndexName: name, KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY", NonKeyAttributes: ["x"] } });
    await fails(
      "CreateTable",
      simple("t01", { AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "g", AttributeType: "S" }], GlobalSecondaryIndexes: [gsi("gsi")] }),
      "ValidationException",
      "One or more parameter values were invalid: ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified",
    );
    const many = Array.from({ length: 21 }, (_, i) => ({ ...gsi(`gsi${i}`), Projection: { ProjectionType: "ALL" } }));
    await fails(
      "CreateTable",
      simple("t01", { AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "g", AttributeType: "S" }], GlobalSecondaryIndexes: many }),
      "ValidationException",
      "One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of 20",
    );
    await fails("CreateTable", simple("t01", { KeySchema: "x" }), "SerializationException", /.+/);
    await fails(
      "CreateTable",
      simple("t01", { StreamSpecification: { StreamEnabled: true } }),
      "ValidationException",
      "One or more parameter values were invalid: Table is being created with a stream enabled, UpdateViewType is required",
    );
    await fails(
      "CreateTable",
      simple("t01", { AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "pk", AttributeType: "S" }], GlobalSecondaryIndexes: [] }),
      "ValidationException",
      "One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty",
    );
    await fails(
      "CreateTable",
      { ...simple("t01", { AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "g", AttributeType: "S" }] }), BillingMode: "PROVISIONED", ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 }, GlobalSecondaryIndexes: [{ ...gsi("gsi"), Projection: { ProjectionType: "ALL" } }] },
      "ValidationException",
      "One or more parameter values were invalid: ProvisionedThroughput is not specified for index: gsi",
    );
    assert.deepEqual(tables.all(), []);
  });

  test("a provisioned table with indexes is described with them", async () => {
    await call("CreateTable", {
      TableName: "events",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "N" },
        { AttributeName: "at", AttributeType: "N" },
        { AttributeName: "g", AttributeType: "B" },
      ],
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 3 },
      LocalSecondaryIndexes: [{ IndexName: "by-at", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "at", KeyType: "RANGE" }], Projection: { ProjectionType: "KEYS_ONLY" } }],
      GlobalSecondaryIndexes: [
        { IndexName: "by-g", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["x"] }, ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } },
      ],
      TableClass: "STANDARD_INFREQUENT_ACCESS",
    });
    await settle();
    const t = await describeT("events");
    assert.deepEqual(t.ProvisionedThroughput, { NumberOfDecreasesToday: 0, ReadCapacityUnits: 5, WriteCapacityUnits: 3 });
    assert.equal(t.BillingModeSummary, undefined);
    assert.deepEqual(t.TableClassSummary, { TableClass: "STANDARD_INFREQUENT_ACCESS" });
    const [lsi] = t.LocalSecondaryIndexes as Members[];
    assert.deepEqual(lsi, {
      IndexName: "by-at",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "at", KeyType: "RANGE" }],
      Projection: { ProjectionType: "KEYS_ONLY" },
      IndexSizeBytes: 0,
      ItemCount: 0,
      IndexArn: `${ARN("events")}/index/by-at`,
    });
    const [gsi] = t.GlobalSecondaryIndexes as Members[];
    assert.equal(gsi!.IndexStatus, "ACTIVE");
    assert.equal(gsi!.IndexArn, `${ARN("events")}/index/by-g`);
    assert.deepEqual(gsi!.ProvisionedThroughput, { NumberOfDecreasesToday: 0, ReadCapacityUnits: 1, WriteCapacityUnits: 1 });
  });

  test("ListTables pages by name", async () => {
    for (const name of ["ccc", "aaa", "bbb", "ddd"]) await call("CreateTable", simple(name));
    assert.deepEqual(await call("ListTables", {}), { TableNames: ["aaa", "bbb", "ccc", "ddd"] });
    assert.deepEqual(await call("ListTables", { Limit: 2 }), { TableNames: ["aaa", "bbb"], LastEvaluatedTableName: "bbb" });
    assert.deepEqual(await call("ListTables", { Limit: 2, ExclusiveStartTableName: "bbb" }), { TableNames: ["ccc", "ddd"] });
    await fails("ListTables", { Limit: 101 }, "ValidationException", "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100");
  });

  test("DeleteTable answers DELETING; a missing table, deletion protection and CREATING are refused", async () => {
    await fails("DeleteTable", { TableName: "nope" }, "ResourceNotFoundException", "Requested resource not found: Table: nope not found");
    await fails("DescribeTable", { TableName: "nope" }, "ResourceNotFoundException", "Requested resource not found: Table: nope not found");
    await call("CreateTable", simple("orders", { DeletionProtectionEnabled: true, StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } }));
    await fails("DeleteTable", { TableName: "orders" }, "ResourceInUseException", "Attempt to change a resource which is still in use: Table is being created: orders");
    await settle();
    await fails("DeleteTable", { TableName: "orders" }, "ValidationException", "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.");
    await fails(
      "UpdateTable",
      { TableName: "orders", DeletionProtectionEnabled: false, BillingMode: "PAY_PER_REQUEST" },
      "ValidationException",
      "One or more parameter values were invalid: DeletionProtection modification must be the only operation in the request",
    );
    await call("UpdateTable", { TableName: "orders", DeletionProtectionEnabled: false });
    await settle();
    const deleted = (await call("DeleteTable", { TableName: "orders" })).TableDescription as Members;
    assert.equal(deleted.TableStatus, "DELETING");
    assert.equal(tables.find("orders"), undefined);
    assert.deepEqual((await store.dynamodb.listTables()).map((t) => t.name), []);
    // Its stream is closed, and kept for its 24 hours.
    const kept = tables.byStreamArn(deleted.LatestStreamArn as string);
    assert.equal(kept?.table.name, "orders");
    assert.equal(kept?.stream.disabledAt, clock.now());
    clock.advance(24 * 3_600_000);
    assert.equal(tables.byStreamArn(deleted.LatestStreamArn as string), undefined);
  });

  test("UpdateTable: billing, throughput, streams on and off with a new label each time", async () => {
    await call("CreateTable", simple("orders"));
    await settle();
    await fails("UpdateTable", { TableName: "orders" }, "ValidationException", /^At least one of ProvisionedThroughput, BillingMode/);
    await fails("UpdateTable", { TableName: "orders", BillingMode: "PROVISIONED" }, "ValidationException", "One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED");
    const updated = (await call("UpdateTable", { TableName: "orders", BillingMode: "PROVISIONED", ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 2 } })).TableDescription as Members;
    assert.equal(updated.TableStatus, "UPDATING");
    await fails("UpdateTable", { TableName: "orders", ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 3 } }, "ResourceInUseException", /Table is being updated: orders/);
    await settle();
    assert.equal((await describeT("orders")).TableStatus, "ACTIVE");
    await fails("UpdateTable", { TableName: "orders", ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 2 } }, "ValidationException", /^The provisioned throughput for the table will not change/);
    await call("UpdateTable", { TableName: "orders", ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 1 } });
    await settle();
    const pt = (await describeT("orders")).ProvisionedThroughput as Members;
    assert.equal(pt.ReadCapacityUnits, 4);
    assert.equal(typeof pt.LastIncreaseDateTime, "number");
    assert.equal(typeof pt.LastDecreaseDateTime, "number");

    const on = (await call("UpdateTable", { TableName: "orders", StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } })).TableDescription as Members;
    const first = on.LatestStreamArn as string;
    assert.deepEqual(on.StreamSpecification, { StreamEnabled: true, StreamViewType: "KEYS_ONLY" });
    await fails("UpdateTable", { TableName: "orders", StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } }, "ValidationException", "Table already has an enabled stream: TableName: orders");
    await fails("UpdateTable", { TableName: "orders", StreamSpecification: { StreamEnabled: true } }, "ValidationException", "One or more parameter values were invalid: If stream is being enabled then UpdateViewType is required");
    await fails(
      "UpdateTable",
      { TableName: "orders", StreamSpecification: { StreamEnabled: false }, ProvisionedThroughput: { ReadCapacityUnits: 9, WriteCapacityUnits: 9 } },
      "ValidationException",
      "One or more parameter values were invalid: You cannot modify stream status while updating table IOPS",
    );
    const off = (await call("UpdateTable", { TableName: "orders", StreamSpecification: { StreamEnabled: false } })).TableDescription as Members;
    assert.equal(off.StreamSpecification, undefined);
    assert.equal(off.LatestStreamArn, first);
    assert.ok(tables.byStreamArn(first)?.stream.disabledAt !== undefined);
    await fails("UpdateTable", { TableName: "orders", StreamSpecification: { StreamEnabled: false } }, "ValidationException", "Table has no stream to disable: TableName: orders");
    const again = (await call("UpdateTable", { TableName: "orders", StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" } })).TableDescription as Members;
    assert.notEqual(again.LatestStreamArn, first);
    assert.equal(tables.find("orders")!.streams.length, 2);
  });

  test("a global index created by UpdateTable is backfilled from the items; one deleted is dropped", async () => {
    await call("CreateTable", simple("orders"));
    await settle();
    await putItem("orders", { pk: { S: "a" }, g: { S: "x" } });
    await putItem("orders", { pk: { S: "b" }, g: { N: "1" } });
    await putItem("orders", { pk: { S: "c" } });
    const create = {
      TableName: "orders",
      AttributeDefinitions: [{ AttributeName: "g", AttributeType: "S" }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: "by-g", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } } }],
    };
    const during = (await call("UpdateTable", create)).TableDescription as Members;
    assert.equal(during.TableStatus, "UPDATING");
    assert.equal((during.GlobalSecondaryIndexes as Members[])[0]!.IndexStatus, "CREATING");
    await settle();
    const t = await describeT("orders");
    assert.equal(t.TableStatus, "ACTIVE");
    assert.equal((t.GlobalSecondaryIndexes as Members[])[0]!.IndexStatus, "ACTIVE");
    const id = tables.find("orders")!.id;
    const found = await store.dynamodb.query({ table: id, index: "by-g", hk: keyBytes({ S: "x" }), forward: true, limit: 10 });
    assert.deepEqual(found.map((f) => JSON.parse(f.item)), [{ pk: { S: "a" }, g: { S: "x" } }]);

    await fails("UpdateTable", { ...create, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "nope" } }] }, "ValidationException", "Cannot delete an index that is not a GlobalSecondaryIndex: nope");
    await call("UpdateTable", { TableName: "orders", GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "by-g" } }] });
    await settle();
    const after = await describeT("orders");
    assert.equal(after.GlobalSecondaryIndexes, undefined);
    assert.deepEqual(after.AttributeDefinitions, [{ AttributeName: "pk", AttributeType: "S" }]);
    assert.deepEqual(await store.dynamodb.query({ table: id, index: "by-g", hk: keyBytes({ S: "x" }), forward: true, limit: 10 }), []);
  });

  test("time to live: enabling sets the items' expiry, disabling clears it", async () => {
    await call("CreateTable", simple("orders"));
    await settle();
    const now = Math.floor(clock.now() / 1000);
    await putItem("orders", { pk: { S: "a" }, exp: { N: String(now + 10) } });
    await putItem("orders", { pk: { S: "b" }, exp: { S: "soon" } });
    assert.deepEqual(await call("DescribeTimeToLive", { TableName: "orders" }), { TimeToLiveDescription: { TimeToLiveStatus: "DISABLED" } });
    await fails("UpdateTimeToLive", { TableName: "orders", TimeToLiveSpecification: { Enabled: false, AttributeName: "exp" } }, "ValidationException", "TimeToLive is already disabled");
    assert.deepEqual(await call("UpdateTimeToLive", { TableName: "orders", TimeToLiveSpecification: { Enabled: true, AttributeName: "exp" } }), {
      TimeToLiveSpecification: { Enabled: true, AttributeName: "exp" },
    });
    await tables.idle();
    assert.deepEqual(await call("DescribeTimeToLive", { TableName: "orders" }), { TimeToLiveDescription: { TimeToLiveStatus: "ENABLED", AttributeName: "exp" } });
    await fails("UpdateTimeToLive", { TableName: "orders", TimeToLiveSpecification: { Enabled: true, AttributeName: "exp" } }, "ValidationException", "TimeToLive is already enabled");
    const id = tables.find("orders")!.id;
    assert.equal((await store.dynamodb.expired(id, now + 10, 10)).length, 1);
    await call("UpdateTimeToLive", { TableName: "orders", TimeToLiveSpecification: { Enabled: false, AttributeName: "exp" } });
    await tables.idle();
    assert.equal((await store.dynamodb.expired(id, now + 10, 10)).length, 0);
  });

  test("tags by table ARN; continuous backups, limits and endpoints as IaC tools read them", async () => {
    await call("CreateTable", simple("orders"));
    await call("TagResource", { ResourceArn: ARN("orders"), Tags: [{ Key: "a", Value: "1" }, { Key: "b", Value: "2" }] });
    await call("UntagResource", { ResourceArn: ARN("orders"), TagKeys: ["a"] });
    assert.deepEqual(await call("ListTagsOfResource", { ResourceArn: ARN("orders") }), { Tags: [{ Key: "b", Value: "2" }] });
    assert.deepEqual(tables.tagsOf(ARN("orders")), { b: "2" });
    await fails("TagResource", { ResourceArn: ARN("nope"), Tags: [{ Key: "a", Value: "1" }] }, "ResourceNotFoundException", `Requested resource not found: ResourcArn: ${ARN("nope")} not found`);
    await fails("TagResource", { ResourceArn: "orders", Tags: [{ Key: "a", Value: "1" }] }, "ValidationException", "One or more parameter values were invalid: ARNs must start with 'arn:': orders");
    const elsewhere = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders";
    await fails("TagResource", { ResourceArn: elsewhere, Tags: [{ Key: "a", Value: "1" }] }, "ValidationException", `Invalid TableArn: Invalid ResourceArn provided as input ${elsewhere}`);
    await fails(
      "TagResource",
      { ResourceArn: `${ARN("orders")}/index/i`, Tags: [{ Key: "a", Value: "1" }] },
      "ValidationException",
      `One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: ${ARN("orders")}/index/i`,
    );
    await fails("TagResource", { ResourceArn: ARN("orders"), Tags: [{ Key: "aws:x", Value: "1" }] }, "ValidationException", "Tag Key cannot be prefixed with aws:, Key: aws:x");
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    await fails("TagResource", { ResourceArn: ARN("orders"), Tags: many }, "ValidationException", "Number of Tags exceed the current limit for the provided ResourceArn");
    assert.deepEqual(await call("DescribeContinuousBackups", { TableName: "orders" }), {
      ContinuousBackupsDescription: { ContinuousBackupsStatus: "ENABLED", PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: "DISABLED" } },
    });
    await fails("DescribeContinuousBackups", { TableName: "nope" }, "TableNotFoundException", "Table not found: nope");
    assert.equal((await call("DescribeLimits", {})).TableMaxReadCapacityUnits, 40000);
    assert.deepEqual(await call("DescribeEndpoints", {}), { Endpoints: [{ Address: "localhost:9000", CachePeriodInMinutes: 1440 }] });
  });

  test("a change replaces the table's record (items derive their keys once per record): a new index is queryable at once", async () => {
    const items = new ItemsService({ tables, store: store.dynamodb, clock, region: "us-east-1" });
    await call("CreateTable", simple("orders"));
    await settle();
    const before = tables.find("orders")!;
    await items.putItem({ TableName: "orders", Item: { pk: { S: "a" }, g: { S: "x" } } });
    await call("UpdateTable", {
      TableName: "orders",
      AttributeDefinitions: [{ AttributeName: "g", AttributeType: "S" }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: "by-g", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } } }],
    });
    assert.notEqual(tables.find("orders"), before);
    assert.deepEqual(before.indexes, []);
    await settle();
    await items.putItem({ TableName: "orders", Item: { pk: { S: "b" }, g: { S: "x" } } });
    const found = await items.query({ TableName: "orders", IndexName: "by-g", KeyConditionExpression: "g = :g", ExpressionAttributeValues: { ":g": { S: "x" } } });
    assert.equal(found.Count, 2);
  });

  test("two nodes on one store share their tables through the change bus", async () => {
    const bus = new LocalChangeBus();
    const [a, b] = [bus.join(), bus.join()];
    const nodeA = await TablesService.create({ account: ACCOUNT, store: store.dynamodb, clock, changes: a });
    const nodeB = await TablesService.create({ account: ACCOUNT, store: store.dynamodb, clock, changes: b });
    const heard: string[] = [];
    nodeB.onChange((name, t) => heard.push(`${name}:${t?.status ?? "gone"}`));
    /** Let the writes and the bus's deliveries run until `done` holds (a bounded number of turns, no time). */
    const until = async (done: () => boolean) => {
      for (let turn = 0; turn < 1000 && !done(); turn++) {
        await new Promise((r) => setImmediate(r));
        await Promise.all([a.idle(), b.idle()]);
      }
      assert.ok(done());
    };
    await nodeA.createTable({ TableName: "orders", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" });
    await until(() => nodeB.find("orders")?.status === "CREATING");
    clock.advance(1000);
    await until(() => nodeB.find("orders")?.status === "ACTIVE");
    await nodeB.deleteTable({ TableName: "orders" });
    await until(() => nodeA.find("orders") === undefined);
    assert.deepEqual(heard, ["orders:CREATING", "orders:ACTIVE", "orders:gone"]);
    await nodeA.close();
    await nodeB.close();
  });

  test("encryption with a KMS key and point-in-time recovery are reported as set", async () => {
    await call("CreateTable", simple("orders", { SSESpecification: { Enabled: true, SSEType: "KMS", KMSMasterKeyId: "alias/mine" } }));
    await settle();
    assert.deepEqual((await describeT("orders")).SSEDescription, { Status: "ENABLED", SSEType: "KMS", KMSMasterKeyArn: "arn:aws:kms:us-east-1:123456789012:alias/mine" });
    await call("UpdateTable", { TableName: "orders", SSESpecification: { Enabled: false } });
    await settle();
    assert.equal((await describeT("orders")).SSEDescription, undefined);
    const on = (await call("UpdateContinuousBackups", { TableName: "orders", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })).ContinuousBackupsDescription as Members;
    assert.equal((on.PointInTimeRecoveryDescription as Members).PointInTimeRecoveryStatus, "ENABLED");
    assert.equal((on.PointInTimeRecoveryDescription as Members).RecoveryPeriodInDays, 35);
    const read = (await call("DescribeContinuousBackups", { TableName: "orders" })).ContinuousBackupsDescription as Members;
    assert.equal((read.PointInTimeRecoveryDescription as Members).PointInTimeRecoveryStatus, "ENABLED");
    await call("UpdateContinuousBackups", { TableName: "orders", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false } });
    assert.deepEqual(await call("DescribeContinuousBackups", { TableName: "orders" }), {
      ContinuousBackupsDescription: { ContinuousBackupsStatus: "ENABLED", PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: "DISABLED" } },
    });
  });

  test("listeners hear of tables created, changed and deleted", async () => {
    const heard: string[] = [];
    tables.onChange((name, t) => heard.push(`${name}:${t?.status ?? "gone"}`));
    await call("CreateTable", simple("orders"));
    await settle();
    await call("DeleteTable", { TableName: "orders" });
    assert.deepEqual(heard, ["orders:CREATING", "orders:ACTIVE", "orders:gone"]);
  });
});
