/**
 * DynamoDB through boto3, client and resource APIs, against a real `flint serve`: the PATH python3
 * (pyenv, boto3 1.43, which reads AWS_ENDPOINT_URL) and Debian's /usr/bin/python3 (boto3 1.26, which
 * does not: endpoint_url is passed explicitly). Each Python run does a whole scenario and prints
 * what it saw as JSON; the assertions are here, on AWS's documented behaviour.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { uniqueName } from "../harness/flint.js";
import { runPython, startDynamoServer, type DynamoServer } from "../harness/dynamodb.js";

const PYTHONS = [
  { label: "PATH python3 (pyenv)", python: "python3", explicitEndpoint: false },
  { label: "Debian /usr/bin/python3", python: "/usr/bin/python3", explicitEndpoint: true },
];

/** The resource API: Table.put_item/get_item/update_item/query/scan with boto3.dynamodb.conditions, batch_writer. */
const RESOURCE_SCRIPT = String.raw`
import sys, json, decimal, boto3
from boto3.dynamodb.conditions import Key, Attr
from botocore.exceptions import ClientError
arg = json.loads(sys.argv[1])
kw = {"endpoint_url": arg["endpoint"]} if arg.get("endpoint") else {}
ddb = boto3.resource("dynamodb", **kw)
out = {"boto3": boto3.__version__}
def plain(v):
    if isinstance(v, decimal.Decimal): return {"Decimal": str(v)}
    if isinstance(v, set): return {"set": sorted(plain(x) if not isinstance(x, decimal.Decimal) else str(x) for x in v)}
    if isinstance(v, boto3.dynamodb.types.Binary): return {"Binary": list(v.value)}
    if isinstance(v, dict): return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list): return [plain(x) for x in v]
    return v
name = arg["table"]
table = ddb.create_table(
    TableName=name,
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}, {"AttributeName": "color", "AttributeType": "S"}],
    GlobalSecondaryIndexes=[{"IndexName": "by-color", "KeySchema": [{"AttributeName": "color", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}],
    BillingMode="PAY_PER_REQUEST",
)
table.wait_until_exists()
table.reload()
out["status"] = table.table_status
out["key_schema"] = table.key_schema
table.put_item(Item={"pk": "u", "sk": 1, "name": "Ada", "score": decimal.Decimal("12.50"), "tags": {"x", "y"}, "nums": {1, 2}, "raw": b"\x00\xff", "profile": {"langs": ["en", "fr"], "active": True, "none": None}})
out["got"] = plain(table.get_item(Key={"pk": "u", "sk": 1}, ConsistentRead=True)["Item"])
out["projected"] = plain(table.get_item(Key={"pk": "u", "sk": 1}, ProjectionExpression="#n, profile.langs[0]", ExpressionAttributeNames={"#n": "name"})["Item"])
out["missing"] = "Item" in table.get_item(Key={"pk": "nobody", "sk": 1})
out["updated"] = plain(table.update_item(
    Key={"pk": "u", "sk": 1},
    UpdateExpression="SET score = score + :d, visits = if_not_exists(visits, :z) + :one, profile.langs = list_append(profile.langs, :l) REMOVE profile.#none ADD tags :t",
    ConditionExpression=Attr("name").eq("Ada") & Attr("score").gt(10),
    ExpressionAttributeNames={"#none": "none"},
    ExpressionAttributeValues={":d": decimal.Decimal("0.25"), ":z": 0, ":one": 1, ":l": ["de"], ":t": {"z"}},
    ReturnValues="ALL_NEW",
)["Attributes"])
try:
    table.put_item(Item={"pk": "u", "sk": 1}, ConditionExpression=Attr("pk").not_exists())
    out["conditional"] = "succeeded"
except ClientError as e:
    out["conditional"] = [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
except Exception as e:
    out["conditional"] = [type(e).__name__, str(e)]
with table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
    for i in range(2, 40):
        batch.put_item(Item={"pk": "u", "sk": i, "color": "red" if i % 3 == 0 else "blue", "n": i})
    batch.delete_item(Key={"pk": "u", "sk": 39})  # the same key as a put in this batch: overwrite_by_pkeys keeps the last
q = table.query(KeyConditionExpression=Key("pk").eq("u") & Key("sk").between(10, 15), FilterExpression=Attr("n").gte(12))
out["query_between"] = [int(i["sk"]) for i in q["Items"]]
out["query_counts"] = [q["Count"], q["ScannedCount"]]
out["query_lt_desc"] = [int(i["sk"]) for i in table.query(KeyConditionExpression=Key("pk").eq("u") & Key("sk").lt(4), ScanIndexForward=False)["Items"]]
out["query_gsi"] = [int(i["sk"]) for i in table.query(IndexName="by-color", KeyConditionExpression=Key("color").eq("red") & Key("sk").gte(30))["Items"]]
pages, seen, start = 0, [], None
while True:
    kw2 = {"ExclusiveStartKey": start} if start else {}
    page = table.query(KeyConditionExpression=Key("pk").eq("u"), Limit=10, **kw2)
    pages += 1
    seen += [int(i["sk"]) for i in page["Items"]]
    start = page.get("LastEvaluatedKey")
    if not start: break
out["paged"] = [pages, seen]
out["scan_red"] = sorted(int(i["sk"]) for i in table.scan(FilterExpression=Attr("color").eq("red") & Attr("n").between(3, 9))["Items"])
out["scan_begins"] = table.scan(FilterExpression=Attr("name").begins_with("Ad"), Select="COUNT")["Count"]
try:
    table.update_item(Key={"pk": "u", "sk": 1}, UpdateExpression="SET status = :s", ExpressionAttributeValues={":s": "x"})
except ClientError as e:
    out["reserved"] = [e.response["Error"]["Code"], e.response["Error"]["Message"]]
table.delete_item(Key={"pk": "u", "sk": 1})
out["after_delete"] = "Item" in table.get_item(Key={"pk": "u", "sk": 1})
table.delete()
table.wait_until_not_exists()
out["deleted"] = True
print(json.dumps(out))
`;

/** The client API: the wire form, paginators, batch and transaction operations, errors as ClientError codes, streams. */
const CLIENT_SCRIPT = String.raw`
import sys, json, boto3
from botocore.exceptions import ClientError
arg = json.loads(sys.argv[1])
kw = {"endpoint_url": arg["endpoint"]} if arg.get("endpoint") else {}
c = boto3.client("dynamodb", **kw)
st = boto3.client("dynamodbstreams", **kw)
out = {}
def err(f):
    try:
        f()
        return "succeeded"
    except ClientError as e:
        return [e.response["Error"]["Code"], e.response["Error"]["Message"]]
name = arg["table"]
c.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
               BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
               StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
c.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
d = c.describe_table(TableName=name)["Table"]
out["throughput"] = [d["ProvisionedThroughput"]["ReadCapacityUnits"], d["ProvisionedThroughput"]["WriteCapacityUnits"]]
out["stream"] = d.get("StreamSpecification")
out["in_list"] = name in [n for p in c.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2}) for n in p["TableNames"]]
out["exists_again"] = err(lambda: c.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST"))
out["missing_table"] = err(lambda: c.get_item(TableName=name + "-nope", Key={"id": {"S": "a"}}))
c.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": {"id": {"S": "i%02d" % i}, "n": {"N": str(i)}}}} for i in range(25)]})
got = c.batch_get_item(RequestItems={name: {"Keys": [{"id": {"S": "i03"}}, {"id": {"S": "i20"}}], "ProjectionExpression": "n"}})
out["batch_get"] = sorted(i["n"]["N"] for i in got["Responses"][name])
out["scan_pages"] = sorted(i["id"]["S"] for p in c.get_paginator("scan").paginate(TableName=name, PaginationConfig={"PageSize": 4}) for i in p["Items"])
out["segments"] = sorted(i["id"]["S"] for s in range(3) for i in c.scan(TableName=name, Segment=s, TotalSegments=3)["Items"])
c.transact_write_items(TransactItems=[
    {"Put": {"TableName": name, "Item": {"id": {"S": "acct-a"}, "bal": {"N": "10"}}}},
    {"Put": {"TableName": name, "Item": {"id": {"S": "acct-b"}, "bal": {"N": "0"}}}},
])
try:
    c.transact_write_items(TransactItems=[
        {"Update": {"TableName": name, "Key": {"id": {"S": "acct-b"}}, "UpdateExpression": "SET bal = bal + :x", "ExpressionAttributeValues": {":x": {"N": "50"}}}},
        {"Update": {"TableName": name, "Key": {"id": {"S": "acct-a"}}, "UpdateExpression": "SET bal = bal - :x", "ConditionExpression": "bal >= :x", "ExpressionAttributeValues": {":x": {"N": "50"}}}},
    ])
    out["cancelled"] = "succeeded"
except ClientError as e:
    out["cancelled"] = [e.response["Error"]["Code"], e.response["Error"]["Message"], [r["Code"] for r in e.response.get("CancellationReasons", [])]]
out["tx_get"] = [r["Item"]["bal"]["N"] for r in c.transact_get_items(TransactItems=[{"Get": {"TableName": name, "Key": {"id": {"S": "acct-a"}}}}, {"Get": {"TableName": name, "Key": {"id": {"S": "acct-b"}}}}])["Responses"]]
out["ttl"] = c.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})["TimeToLiveSpecification"]
out["ttl_described"] = c.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["AttributeName"]
arn = d["TableArn"]
c.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])
out["tags"] = c.list_tags_of_resource(ResourceArn=arn)["Tags"]
stream = d["LatestStreamArn"]
out["streams"] = [s["StreamArn"] == stream for s in st.list_streams(TableName=name)["Streams"]]
shard = st.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"][0]["ShardId"]
it = st.get_shard_iterator(StreamArn=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
records = st.get_records(ShardIterator=it, Limit=1000)["Records"]
out["records"] = [[r["eventName"], r["dynamodb"]["Keys"]["id"]["S"]] for r in records]
out["record_time_type"] = type(records[0]["dynamodb"]["ApproximateCreationDateTime"]).__name__ if records else None
c.delete_table(TableName=name)
c.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
print(json.dumps(out))
`;

describe("DynamoDB with boto3", () => {
  let server: DynamoServer;
  before(async () => {
    server = await startDynamoServer();
  });
  after(async () => {
    await server?.stop();
  });

  for (const p of PYTHONS) {
    const version = execFileSync(p.python, ["-c", "import boto3; print(boto3.__version__)"], { encoding: "utf8" }).trim();
    const run = (script: string, table: string) =>
      runPython(p.python, script, { table, endpoint: p.explicitEndpoint ? server.endpoint : undefined }, p.explicitEndpoint ? {} : { AWS_ENDPOINT_URL: server.endpoint });

    test(`${p.label}, boto3 ${version}: the resource API (Table, conditions Key/Attr, batch_writer)`, async () => {
      const out = await run(RESOURCE_SCRIPT, uniqueName("boto3-res"));
      assert.equal(out.status, "ACTIVE");
      assert.deepEqual(out.got, {
        pk: "u",
        sk: { Decimal: "1" },
        name: "Ada",
        score: { Decimal: "12.5" },
        tags: { set: ["x", "y"] },
        nums: { set: ["1", "2"] },
        raw: { Binary: [0, 255] },
        profile: { langs: ["en", "fr"], active: true, none: null },
      });
      assert.deepEqual(out.projected, { name: "Ada", profile: { langs: ["en"] } });
      assert.equal(out.missing, false);
      assert.deepEqual(out.updated.score, { Decimal: "12.75" });
      assert.deepEqual(out.updated.visits, { Decimal: "1" });
      assert.deepEqual(out.updated.profile, { langs: ["en", "fr", "de"], active: true });
      assert.deepEqual(out.updated.tags, { set: ["x", "y", "z"] });
      assert.deepEqual(out.conditional, ["ConditionalCheckFailedException", "The conditional request failed", 400]);
      assert.deepEqual(out.query_between, [12, 13, 14, 15]);
      assert.deepEqual(out.query_counts, [4, 6]);
      assert.deepEqual(out.query_lt_desc, [3, 2, 1]);
      assert.deepEqual(out.query_gsi, [30, 33, 36]);
      assert.deepEqual(out.paged, [4, Array.from({ length: 38 }, (_, i) => i + 1)]);
      assert.deepEqual(out.scan_red, [3, 6, 9]);
      assert.equal(out.scan_begins, 1);
      assert.deepEqual(out.reserved, ["ValidationException", "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status"]);
      assert.equal(out.after_delete, false);
      assert.equal(out.deleted, true);
    });

    test(`${p.label}, boto3 ${version}: the client API (waiters, paginators, batches, transactions, TTL, tags, streams)`, async () => {
      const table = uniqueName("boto3-cli");
      const out = await run(CLIENT_SCRIPT, table);
      assert.deepEqual(out.throughput, [3, 4]);
      assert.deepEqual(out.stream, { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" });
      assert.equal(out.in_list, true);
      assert.deepEqual(out.exists_again, ["ResourceInUseException", `Table already exists: ${table}`]);
      assert.deepEqual(out.missing_table, ["ResourceNotFoundException", "Requested resource not found"]);
      assert.deepEqual(out.batch_get, ["20", "3"]);
      const ids = Array.from({ length: 25 }, (_, i) => `i${String(i).padStart(2, "0")}`);
      assert.deepEqual(out.scan_pages, ids);
      assert.deepEqual(out.segments, ids);
      assert.deepEqual(out.cancelled, ["TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]", ["None", "ConditionalCheckFailed"]]);
      assert.deepEqual(out.tx_get, ["10", "0"]);
      assert.deepEqual(out.ttl, { Enabled: true, AttributeName: "exp" });
      assert.equal(out.ttl_described, "exp");
      assert.deepEqual(out.tags, [{ Key: "k", Value: "v" }]);
      assert.deepEqual(out.streams, [true]);
      assert.equal(out.records.length, 27);
      assert.deepEqual(out.records.slice(0, 25).map((r: string[]) => r[1]).sort(), ids);
      assert.ok(out.records.slice(0, 25).every((r: string[]) => r[0] === "INSERT"));
      assert.deepEqual(out.records.slice(25), [["INSERT", "acct-a"], ["INSERT", "acct-b"]], "the cancelled transaction wrote no record");
      assert.equal(out.record_time_type, "datetime");
    });
  }
});
