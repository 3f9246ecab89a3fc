/** The DynamoDB control plane in-process, on a real SQLite store and a clock the tests move. */
import { afterEach, beforeEach, describe, test } from "node:test";
import Database from "better-sqlite3";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ManualClock } from "../../clock/manual-clock.js";
import { SqliteStore } from "../../store/sqlite.js";
import { LocalChangeBus, type ChangeBus } from "../../store/change-bus.js";
import type { DynamoStore } from "../../store/dynamodb-store.js";
import type { LeaseStore } from "../../store/lease-store.js";
import { OPERATIONS } from "../../api/dynamodb/operations.js";
import { STREAMS_OPERATIONS } from "../../api/dynamodb/streams-operations.js";
import { ItemsService } from "./items.js";
import type { TableRecord } from "./model.js";
import { DynamoStreamsService, shardIdOf } from "./streams.js";
import { INDEX_LEASE_MS } from "./index-work.js";
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
    assert.deepEqual((await store.dynamodb.listTables()).filter((t) => t.name === "orders"), []);
    assert.deepEqual(tables.all(), []);
    // Its stream is closed, and kept for its 24 hours.
    const kept = tables.byStreamArn(deleted.LatestStreamArn as string);
    assert.equal(kept?.table.name, "orders");
    assert.equal(kept?.stream.disabledAt, clock.now());
    clock.advance(24 * 3_600_000);
    assert.equal(tables.byStreamArn(deleted.LatestStreamArn as string), undefined);
  });

  test("a deleted table's streams are kept in the store: readable after a restart for 24 hours, then dropped", async () => {
    await call("CreateTable", simple("orders", { StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } }));
    await settle();
    const first = (await call("UpdateTable", { TableName: "orders", StreamSpecification: { StreamEnabled: false } })).TableDescription as Members;
    await settle();
    clock.advance(1);
    const second = (await call("UpdateTable", { TableName: "orders", StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" } })).TableDescription as Members;
    await settle();
    const deletedAt = clock.now();
    await call("DeleteTable", { TableName: "orders" });
    await tables.close();
    await store.close();

    store = SqliteStore.open(dir);
    tables = await TablesService.create({ account: ACCOUNT, store: store.dynamodb, clock });
    assert.deepEqual(tables.all(), []);
    assert.deepEqual((await call("ListTables", {})).TableNames, []);
    for (const arn of [first.LatestStreamArn, second.LatestStreamArn] as string[]) {
      const kept = tables.byStreamArn(arn);
      assert.equal(kept?.table.name, "orders");
      assert.equal(kept?.table.arn, ARN("orders"));
      assert.equal(kept?.stream.arn, arn);
      assert.ok(kept.stream.disabledAt !== undefined && kept.stream.disabledAt <= deletedAt);
    }
    // A table of the same name can be made again beside them.
    await call("CreateTable", simple("orders"));
    await settle();
    assert.notEqual(tables.byStreamArn(second.LatestStreamArn as string)?.table.id, tables.find("orders")!.id);

    clock.advance(24 * 3_600_000);
    assert.equal(tables.byStreamArn(second.LatestStreamArn as string), undefined);
    await tables.idle();
    assert.deepEqual((await store.dynamodb.listTables()).map((t) => t.name), ["orders"]);
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

  test("an item changed or deleted while a new global index is backfilled keeps its entry as written, and a deleted one has none", async () => {
    // The backfill's first page is read, then (before it writes anything) one item moves to another
    // index key and another is deleted, as writes from clients between the page's read and its write.
    let meanwhile: (() => Promise<void>) | undefined;
    const real = store.dynamodb;
    const spied = new Proxy(real, {
      get(target, prop) {
        if (prop !== "scan") return Reflect.get(target, prop, target);
        return async (q: Parameters<DynamoStore["scan"]>[0]) => {
          const page = await target.scan(q);
          const run = meanwhile;
          meanwhile = undefined;
          if (run) await run();
          return page;
        };
      },
    });
    await tables.close();
    tables = await TablesService.create({ account: ACCOUNT, store: spied, clock });
    const items = new ItemsService({ tables, store: real, clock, region: "us-east-1" });
    await call("CreateTable", simple("orders"));
    await settle();
    await items.putItem({ TableName: "orders", Item: { pk: { S: "a" }, g: { S: "old" } } });
    await items.putItem({ TableName: "orders", Item: { pk: { S: "b" }, g: { S: "old" } } });
    meanwhile = async () => {
      await items.updateItem({ TableName: "orders", Key: { pk: { S: "a" } }, UpdateExpression: "SET g = :g", ExpressionAttributeValues: { ":g": { S: "new" } } });
      await items.deleteItem({ TableName: "orders", Key: { pk: { S: "b" } } });
    };
    await call("UpdateTable", {
      TableName: "orders",
      AttributeDefinitions: [{ AttributeName: "g", AttributeType: "S" }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: "by-g", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } } }],
    });
    await settle();
    assert.equal(meanwhile, undefined);
    assert.equal((await describeT("orders")).TableStatus, "ACTIVE");
    const byG = async (g: string) => (await items.query({ TableName: "orders", IndexName: "by-g", KeyConditionExpression: "g = :g", ExpressionAttributeValues: { ":g": { S: g } } })).Items;
    assert.deepEqual(await byG("new"), [{ pk: { S: "a" }, g: { S: "new" } }]);
    assert.deepEqual(await byG("old"), []);
    const raw = new Database(path.join(dir, "flint.db"), { readonly: true });
    try {
      const entries = raw.prepare("SELECT idx, hk FROM ddb_index_entries WHERE table_id = ?").all(tables.find("orders")!.id) as { idx: string; hk: Buffer }[];
      assert.deepEqual(entries, [{ idx: "by-g", hk: keyBytes({ S: "new" }) }]);
    } finally {
      raw.close();
    }
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
    const created = await nodeA.createTable({
      TableName: "orders",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" },
    });
    await until(() => nodeB.find("orders")?.status === "CREATING");
    clock.advance(1000);
    await until(() => nodeB.find("orders")?.status === "ACTIVE");
    await nodeB.deleteTable({ TableName: "orders" });
    await until(() => nodeA.find("orders") === undefined);
    // The stream of a table another node deleted is still there to read.
    assert.equal(nodeA.byStreamArn(created.TableDescription.LatestStreamArn!)?.table.name, "orders");
    assert.deepEqual(heard, ["orders:CREATING", "orders:ACTIVE", "orders:gone"]);
    await nodeA.close();
    await nodeB.close();
  });

  test("a table A made, or made ACTIVE, a moment ago is used on B before A's news reaches B: B reads the store first", async () => {
    const bus = new LocalChangeBus();
    const [a, b] = [bus.join(), bus.join()];
    // A's news reaches B only once the test lets it through: until then B knows what it read itself.
    let letThrough!: () => void;
    const held = new Promise<void>((r) => (letThrough = r));
    const late: ChangeBus = {
      publish: (topic, key) => b.publish(topic, key),
      subscribe: (topic, fn) => b.subscribe(topic, async (key) => (await held, fn(key))),
      get alone() {
        return b.alone;
      },
    };
    const nodeA = await TablesService.create({ account: ACCOUNT, store: store.dynamodb, clock, changes: a });
    const nodeB = await TablesService.create({ account: ACCOUNT, store: store.dynamodb, clock, changes: late });
    const streamsOf = (tables: TablesService, changes: ChangeBus) =>
      DynamoStreamsService.create({ tables, store: store.dynamodb, clock, region: ACCOUNT.region, iteratorSecret: "test-secret", changes });
    const [streamsA, streamsB] = [await streamsOf(nodeA, a), await streamsOf(nodeB, late)];
    const on = (tables: TablesService) => ({ tables, items: new ItemsService({ tables, store: store.dynamodb, clock, region: ACCOUNT.region }), host: "localhost:9000" });
    const [servicesA, servicesB] = [on(nodeA), on(nodeB)];
    const callA = async (op: string, m: Members) => (await OPERATIONS[op]!(servicesA, m)) as Members;
    const callB = async (op: string, m: Members) => (await (STREAMS_OPERATIONS[op] ? STREAMS_OPERATIONS[op]!(streamsB, m) : OPERATIONS[op]!(servicesB, m))) as Members;
    /** Turns of the event loop (no time) until the store's row of the table `id` satisfies `done`. */
    const stored = async (id: string, done: (t: TableRecord) => boolean) => {
      for (let turn = 0; turn < 1000; turn++) {
        const row = (await store.dynamodb.listTables()).find((t) => t.id === id);
        if (row && done(row)) return;
        await new Promise((r) => setImmediate(r));
      }
      assert.fail(`the store never had table ${id} as the test waits for`);
    };
    /** A table made on A, ACTIVE in the store; B has not heard of it, or has read it itself as CREATING (before A made it ACTIVE) or as ACTIVE. */
    const madeOnA = async (name: string, seen: "unknown" | "CREATING" | "ACTIVE") => {
      const d = (await callA("CreateTable", simple(name, { StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" }, Tags: [{ Key: "team", Value: "a" }] })))
        .TableDescription as Members;
      if (seen === "CREATING") assert.equal(((await callB("DescribeTable", { TableName: name })).Table as Members).TableStatus, "CREATING");
      clock.advance(1000);
      await stored(d.TableId as string, (t) => t.status === "ACTIVE");
      if (seen === "ACTIVE") assert.equal(((await callB("DescribeTable", { TableName: name })).Table as Members).TableStatus, "ACTIVE");
      return d;
    };
    try {
      const cases: { op: string; seen: "unknown" | "CREATING"; input: (name: string, d: Members) => Members | Promise<Members> }[] = [
        { op: "PutItem", seen: "unknown", input: (name) => ({ TableName: name, Item: { pk: { S: "from B" } } }) },
        { op: "PutItem", seen: "CREATING", input: (name) => ({ TableName: ARN(name), Item: { pk: { S: "from B" } } }) },
        { op: "GetItem", seen: "CREATING", input: (name) => ({ TableName: name, Key: { pk: { S: "a" } } }) },
        { op: "UpdateItem", seen: "unknown", input: (name) => ({ TableName: name, Key: { pk: { S: "a" } }, UpdateExpression: "SET n = :n", ExpressionAttributeValues: { ":n": { N: "1" } } }) },
        { op: "DeleteItem", seen: "CREATING", input: (name) => ({ TableName: name, Key: { pk: { S: "a" } } }) },
        { op: "Query", seen: "CREATING", input: (name) => ({ TableName: name, KeyConditionExpression: "pk = :a", ExpressionAttributeValues: { ":a": { S: "a" } } }) },
        { op: "Scan", seen: "unknown", input: (name) => ({ TableName: name }) },
        { op: "BatchGetItem", seen: "CREATING", input: (name) => ({ RequestItems: { [name]: { Keys: [{ pk: { S: "a" } }] } } }) },
        { op: "BatchWriteItem", seen: "unknown", input: (name) => ({ RequestItems: { [name]: [{ PutRequest: { Item: { pk: { S: "a" } } } }] } }) },
        { op: "TransactWriteItems", seen: "CREATING", input: (name) => ({ TransactItems: [{ Put: { TableName: name, Item: { pk: { S: "a" } } } }] }) },
        { op: "TransactGetItems", seen: "unknown", input: (name) => ({ TransactItems: [{ Get: { TableName: name, Key: { pk: { S: "a" } } } }] }) },
        { op: "DescribeTable", seen: "unknown", input: (name) => ({ TableName: name }) },
        { op: "UpdateTable", seen: "CREATING", input: (name) => ({ TableName: name, DeletionProtectionEnabled: true }) },
        { op: "DeleteTable", seen: "CREATING", input: (name) => ({ TableName: name }) },
        { op: "UpdateTimeToLive", seen: "unknown", input: (name) => ({ TableName: name, TimeToLiveSpecification: { Enabled: true, AttributeName: "exp" } }) },
        { op: "DescribeTimeToLive", seen: "CREATING", input: (name) => ({ TableName: name }) },
        { op: "TagResource", seen: "unknown", input: (name) => ({ ResourceArn: ARN(name), Tags: [{ Key: "k", Value: "v" }] }) },
        { op: "UntagResource", seen: "unknown", input: (name) => ({ ResourceArn: ARN(name), TagKeys: ["team"] }) },
        { op: "ListTagsOfResource", seen: "unknown", input: (name) => ({ ResourceArn: ARN(name) }) },
        { op: "DescribeContinuousBackups", seen: "unknown", input: (name) => ({ TableName: name }) },
        { op: "UpdateContinuousBackups", seen: "unknown", input: (name) => ({ TableName: name, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }) },
        { op: "ListStreams", seen: "unknown", input: (name) => ({ TableName: name }) },
        { op: "DescribeStream", seen: "unknown", input: (_, d) => ({ StreamArn: d.LatestStreamArn }) },
        { op: "GetShardIterator", seen: "unknown", input: (_, d) => ({ StreamArn: d.LatestStreamArn, ShardId: shardIdOf(d.LatestStreamArn as string), ShardIteratorType: "TRIM_HORIZON" }) },
        {
          op: "GetRecords",
          seen: "unknown",
          input: async (_, d) => ({ ShardIterator: (await streamsA.getShardIterator({ StreamArn: d.LatestStreamArn as string, ShardId: shardIdOf(d.LatestStreamArn as string), ShardIteratorType: "TRIM_HORIZON" })).ShardIterator }),
        },
      ];
      for (const [i, { op, seen, input }] of cases.entries()) {
        const name = `t${i}-${op}`;
        const d = await madeOnA(name, seen);
        const m = await input(name, d);
        // B has not heard the table is there, or ACTIVE: the call is the one that must look again.
        assert.equal(nodeB.find(name)?.status, seen === "unknown" ? undefined : "CREATING", `${op}: B's cache before the call`);
        const out = await callB(op, m).catch((err: Error) => assert.fail(`${op} on B (table ${seen} there): ${err.message}`));
        if (op === "DescribeTable") assert.equal((out.Table as Members).TableStatus, "ACTIVE");
        if (op === "ListStreams") assert.deepEqual((out.Streams as Members[]).map((s) => s.StreamArn), [d.LatestStreamArn]);
      }
      assert.deepEqual((await callA("GetItem", { TableName: "t0-PutItem", Key: { pk: { S: "from B" } } })).Item, { pk: { S: "from B" } });
      // A waiter that saw the table ACTIVE on A does not see it CREATING again on B.
      await madeOnA("waited", "CREATING");
      assert.equal(((await callB("DescribeTable", { TableName: "waited" })).Table as Members).TableStatus, "ACTIVE");
      // A change A made a moment ago to a table B knows: TTL enabled there is disabled here; an index
      // whose backfill A finished is read here.
      await madeOnA("ttl", "ACTIVE");
      await callA("UpdateTimeToLive", { TableName: "ttl", TimeToLiveSpecification: { Enabled: true, AttributeName: "exp" } });
      assert.equal(nodeB.find("ttl")?.ttl?.enabled, undefined);
      await callB("UpdateTimeToLive", { TableName: "ttl", TimeToLiveSpecification: { Enabled: false, AttributeName: "exp" } });
      const indexed = await madeOnA("indexed", "ACTIVE");
      await callA("UpdateTable", {
        TableName: "indexed",
        AttributeDefinitions: [{ AttributeName: "g", AttributeType: "S" }],
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: "by-g", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } } }],
      });
      await stored(indexed.TableId as string, (t) => t.indexes[0]?.IndexStatus === "ACTIVE");
      assert.deepEqual(nodeB.find("indexed")?.indexes, []);
      const found = await callB("Query", { TableName: "indexed", IndexName: "by-g", KeyConditionExpression: "g = :g", ExpressionAttributeValues: { ":g": { S: "x" } } });
      assert.equal(found.Count, 0);
      // What no node made is still not found, after B read the store again.
      await assert.rejects(callB("PutItem", { TableName: "never", Item: { pk: { S: "a" } } }), { code: "ResourceNotFoundException", message: "Requested resource not found" });
      await assert.rejects(callB("DescribeTable", { TableName: "never" }), { code: "ResourceNotFoundException", message: "Requested resource not found: Table: never not found" });
      await assert.rejects(callB("DescribeStream", { StreamArn: `${ARN("never")}/stream/2026-01-01T00:00:00.000` }), { code: "ResourceNotFoundException" });
      await assert.rejects(callB("ListStreams", { TableName: "never" }), { code: "ResourceNotFoundException" });
    } finally {
      letThrough();
      for (const s of [streamsA, streamsB]) await s.close();
      await nodeA.close();
      await nodeB.close();
      await new Promise((r) => setImmediate(r));
      await Promise.all([a.idle(), b.idle()]);
    }
  });

  test("a node that dies backfilling a new global index leaves it to another node once its lease runs out", async () => {
    const bus = new LocalChangeBus();
    const file = path.join(dir, "flint.db");
    const [storeA, storeB] = [new SqliteStore(file, bus), new SqliteStore(file, bus)];
    // Node A takes the index's lease and starts the backfill, then stops: its scan never returns and
    // it renews nothing, as a node killed mid-backfill.
    let release!: () => void;
    const hung = new Promise<void>((r) => (release = r));
    const deadStore = new Proxy(storeA.dynamodb, {
      get: (target, prop) => (prop === "scan" ? async () => hung.then(() => []) : Reflect.get(target, prop, target)),
    });
    const deadLeases: LeaseStore = { acquire: (...a) => storeA.leases.acquire(...a), holder: (...a) => storeA.leases.holder(...a), renew: async () => [], release: async () => {} };
    const nodeA = await TablesService.create({ account: ACCOUNT, store: deadStore, clock, changes: storeA.changes, leases: deadLeases });
    const nodeB = await TablesService.create({ account: ACCOUNT, store: storeB.dynamodb, clock, changes: storeB.changes, leases: storeB.leases });
    const until = async (done: () => boolean) => {
      for (let turn = 0; turn < 1000 && !done(); turn++) {
        await new Promise((r) => setImmediate(r));
        await Promise.all([storeA.changes.idle(), storeB.changes.idle()]);
      }
      assert.ok(done());
    };
    try {
      await nodeB.createTable({ TableName: "orders", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" });
      clock.advance(1000);
      await until(() => nodeA.find("orders")?.status === "ACTIVE");
      const items = new ItemsService({ tables: nodeB, store: storeB.dynamodb, clock, region: "us-east-1" });
      await items.putItem({ TableName: "orders", Item: { pk: { S: "a" }, g: { S: "x" } } });
      await nodeA.updateTable({
        TableName: "orders",
        AttributeDefinitions: [{ AttributeName: "g", AttributeType: "S" }],
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: "by-g", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } } }],
      });
      await until(() => nodeB.find("orders")?.indexes[0]?.IndexStatus === "CREATING");
      // Node B sees the index CREATING but leaves it while A's lease holds.
      clock.advance(INDEX_LEASE_MS / 2);
      await nodeB.idle();
      assert.equal(nodeB.find("orders")?.indexes[0]?.IndexStatus, "CREATING");
      clock.advance(INDEX_LEASE_MS);
      await until(() => nodeB.find("orders")?.status === "ACTIVE");
      assert.equal(nodeB.find("orders")?.indexes[0]?.IndexStatus, "ACTIVE");
      const found = await items.query({ TableName: "orders", IndexName: "by-g", KeyConditionExpression: "g = :g", ExpressionAttributeValues: { ":g": { S: "x" } } });
      assert.deepEqual(found.Items, [{ pk: { S: "a" }, g: { S: "x" } }]);
    } finally {
      release();
      await nodeA.close();
      await nodeB.close();
      await new Promise((r) => setImmediate(r));
      await Promise.all([storeA.changes.idle(), storeB.changes.idle()]);
      await storeA.close();
      await storeB.close();
    }
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
