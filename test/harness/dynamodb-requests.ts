/**
 * The DynamoDB differential tests' shared material: the fixed list of raw JSON 1.0 requests, the
 * normalisation of answers (volatile fields out, errors to {type, message}, open orders sorted), and
 * a SigV4-signed sender. Used by dynamodb-differential (against dynalite) and dynamodb-moto.
 */
import { signedFetch } from "./signed-fetch.js";

export type Req = [op: string, body: Record<string, unknown>];
export const S = (s: string) => ({ S: s });
export const N = (n: number | string) => ({ N: String(n) });
export const T = "diff-main";
export const key = (pk: string, sk: number) => ({ pk: S(pk), sk: N(sk) });

/** The requests, in order; each is named by its index and a label. */
export const REQUESTS: [label: string, req: Req][] = [
  ["create table", ["CreateTable", { TableName: T, AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }], BillingMode: "PAY_PER_REQUEST" }]],
  ["create existing table", ["CreateTable", { TableName: T, AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }]],
  ["create: PAY_PER_REQUEST with throughput", ["CreateTable", { TableName: "diff-bad", AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST", ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }]],
  ["create: key attribute not defined", ["CreateTable", { TableName: "diff-bad", AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "other", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }]],
  ["create: PROVISIONED without throughput", ["CreateTable", { TableName: "diff-bad", AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }] }]],
  ["describe missing table", ["DescribeTable", { TableName: "diff-missing" }]],
  ["put", ["PutItem", { TableName: T, Item: { ...key("a", 1), s: S("x"), n: N("01.500"), l: { L: [S("a"), N(2)] }, m: { M: { b: { BOOL: true }, z: { NULL: true } } }, ss: { SS: ["q", "p"] } } }]],
  ["put ALL_OLD", ["PutItem", { TableName: T, Item: { ...key("a", 2), v: N(1) }, ReturnValues: "ALL_OLD" }]],
  ["put ALL_OLD replacing", ["PutItem", { TableName: T, Item: { ...key("a", 2), v: N(2) }, ReturnValues: "ALL_OLD" }]],
  ["put: missing key", ["PutItem", { TableName: T, Item: { pk: S("a") } }]],
  ["put: key type mismatch", ["PutItem", { TableName: T, Item: { pk: N(1), sk: N(1) } }]],
  ["put: empty string key", ["PutItem", { TableName: T, Item: { pk: S(""), sk: N(1) } }]],
  ["put: condition fails", ["PutItem", { TableName: T, Item: key("a", 1), ConditionExpression: "attribute_not_exists(pk)" }]],
  ["put: number overflow", ["PutItem", { TableName: T, Item: { ...key("a", 3), n: N("1e126") } }]],
  ["put: empty string set", ["PutItem", { TableName: T, Item: { ...key("a", 3), ss: { SS: [] } } }]],
  ["put: missing table", ["PutItem", { TableName: "diff-missing", Item: key("a", 1) }]],
  ["get", ["GetItem", { TableName: T, Key: key("a", 1) }]],
  ["get missing item", ["GetItem", { TableName: T, Key: key("zz", 1) }]],
  ["get: key not matching the schema", ["GetItem", { TableName: T, Key: { pk: S("a") } }]],
  ["get projection", ["GetItem", { TableName: T, Key: key("a", 1), ProjectionExpression: "l[1], m.b, #s", ExpressionAttributeNames: { "#s": "s" } }]],
  ["update SET arithmetic ALL_NEW", ["UpdateItem", { TableName: T, Key: key("a", 1), UpdateExpression: "SET n = n + :d, c = if_not_exists(c, :z) + :one", ExpressionAttributeValues: { ":d": N("0.25"), ":z": N(0), ":one": N(1) }, ReturnValues: "ALL_NEW" }]],
  ["update list_append UPDATED_NEW", ["UpdateItem", { TableName: T, Key: key("a", 1), UpdateExpression: "SET l = list_append(:front, l)", ExpressionAttributeValues: { ":front": { L: [S("first")] } }, ReturnValues: "UPDATED_NEW" }]],
  ["update ADD set UPDATED_OLD", ["UpdateItem", { TableName: T, Key: key("a", 1), UpdateExpression: "ADD ss :x REMOVE m.z", ExpressionAttributeValues: { ":x": { SS: ["r"] } }, ReturnValues: "UPDATED_OLD" }]],
  ["update: reserved word", ["UpdateItem", { TableName: T, Key: key("a", 1), UpdateExpression: "SET status = :s", ExpressionAttributeValues: { ":s": S("x") } }]],
  ["update: unused value", ["UpdateItem", { TableName: T, Key: key("a", 1), UpdateExpression: "SET v = :s", ExpressionAttributeValues: { ":s": S("x"), ":u": S("y") } }]],
  ["update: key attribute", ["UpdateItem", { TableName: T, Key: key("a", 1), UpdateExpression: "SET sk = :s", ExpressionAttributeValues: { ":s": N(9) } }]],
  ["update: overlapping paths", ["UpdateItem", { TableName: T, Key: key("a", 1), UpdateExpression: "SET m.b = :s, m = :s", ExpressionAttributeValues: { ":s": S("x") } }]],
  ["update: arithmetic on a string", ["UpdateItem", { TableName: T, Key: key("a", 1), UpdateExpression: "SET s = s + :one", ExpressionAttributeValues: { ":one": N(1) } }]],
  ["update: syntax error", ["UpdateItem", { TableName: T, Key: key("a", 1), UpdateExpression: "SET = :one", ExpressionAttributeValues: { ":one": N(1) } }]],
  ["update: condition fails", ["UpdateItem", { TableName: T, Key: key("a", 1), UpdateExpression: "SET v = :one", ConditionExpression: "v = :one", ExpressionAttributeValues: { ":one": N(1) } }]],
  ["delete: condition fails", ["DeleteItem", { TableName: T, Key: key("a", 2), ConditionExpression: "v > :x", ExpressionAttributeValues: { ":x": N(5) } }]],
  ["delete ALL_OLD", ["DeleteItem", { TableName: T, Key: key("a", 2), ReturnValues: "ALL_OLD" }]],
  ["batch write", ["BatchWriteItem", { RequestItems: { [T]: [1, 2, 3, 4, 5, 6].map((i) => ({ PutRequest: { Item: { ...key("q", i), even: { BOOL: i % 2 === 0 }, t: S(`t${i}`) } } })) } }]],
  ["batch write: duplicate keys", ["BatchWriteItem", { RequestItems: { [T]: [{ PutRequest: { Item: key("q", 1) } }, { DeleteRequest: { Key: key("q", 1) } }] } }]],
  ["batch get", ["BatchGetItem", { RequestItems: { [T]: { Keys: [key("q", 2), key("q", 5), key("none", 1)], ProjectionExpression: "sk, t" } } }]],
  ["query BETWEEN", ["Query", { TableName: T, KeyConditionExpression: "pk = :p AND sk BETWEEN :a AND :b", ExpressionAttributeValues: { ":p": S("q"), ":a": N(2), ":b": N(4) } }]],
  ["query Limit 2", ["Query", { TableName: T, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": S("q") }, Limit: 2 }]],
  ["query descending with a filter", ["Query", { TableName: T, KeyConditionExpression: "pk = :p AND sk > :a", FilterExpression: "even = :t", ExpressionAttributeValues: { ":p": S("q"), ":a": N(1), ":t": { BOOL: true } }, ScanIndexForward: false }]],
  ["query COUNT", ["Query", { TableName: T, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": S("q") }, Select: "COUNT" }]],
  ["query: begins_with on a number key", ["Query", { TableName: T, KeyConditionExpression: "pk = :p AND begins_with(sk, :a)", ExpressionAttributeValues: { ":p": S("q"), ":a": N(1) } }]],
  ["query: no hash key condition", ["Query", { TableName: T, KeyConditionExpression: "sk = :a", ExpressionAttributeValues: { ":a": N(1) } }]],
  ["query: a filter on the key", ["Query", { TableName: T, KeyConditionExpression: "pk = :p", FilterExpression: "sk = :a", ExpressionAttributeValues: { ":p": S("q"), ":a": N(1) } }]],
  ["query legacy KeyConditions", ["Query", { TableName: T, KeyConditions: { pk: { ComparisonOperator: "EQ", AttributeValueList: [S("q")] }, sk: { ComparisonOperator: "GE", AttributeValueList: [N(5)] } } }]],
  ["scan with a filter", ["Scan", { TableName: T, FilterExpression: "attribute_exists(t) AND t IN (:a, :b)", ExpressionAttributeValues: { ":a": S("t1"), ":b": S("t6") } }]],
  ["scan: Segment without TotalSegments", ["Scan", { TableName: T, Segment: 0 }]],
  ["scan: legacy ScanFilter", ["Scan", { TableName: T, ScanFilter: { even: { ComparisonOperator: "EQ", AttributeValueList: [{ BOOL: false }] } } }]],
  ["put legacy Expected", ["PutItem", { TableName: T, Item: { ...key("legacy", 1), v: N(1) }, Expected: { pk: { Exists: false } } }]],
  ["put legacy Expected fails", ["PutItem", { TableName: T, Item: key("legacy", 1), Expected: { v: { ComparisonOperator: "GT", AttributeValueList: [N(5)] } } }]],
  ["update legacy AttributeUpdates", ["UpdateItem", { TableName: T, Key: key("legacy", 1), AttributeUpdates: { v: { Action: "ADD", Value: N(2) }, w: { Action: "PUT", Value: S("w") } }, ReturnValues: "ALL_NEW" }]],
  ["delete legacy Expected", ["DeleteItem", { TableName: T, Key: key("legacy", 1), Expected: { w: { Value: S("w") } }, ReturnValues: "ALL_OLD" }]],
  ["expression and legacy parameters mixed", ["PutItem", { TableName: T, Item: key("legacy", 2), Expected: { pk: { Exists: false } }, ConditionExpression: "attribute_not_exists(pk)" }]],
  ["get legacy AttributesToGet", ["GetItem", { TableName: T, Key: key("q", 3), AttributesToGet: ["t", "even"] }]],
  ["list tables", ["ListTables", {}]],
  ["tag", ["TagResource", { ResourceArn: `arn:aws:dynamodb:us-east-1:000000000000:table/${T}`, Tags: [{ Key: "k", Value: "v" }] }]],
  ["list tags", ["ListTagsOfResource", { ResourceArn: `arn:aws:dynamodb:us-east-1:000000000000:table/${T}` }]],
  ["describe time to live", ["DescribeTimeToLive", { TableName: T }]],
  ["transact write", ["TransactWriteItems", { TransactItems: [{ Put: { TableName: T, Item: key("tx", 1) } }, { ConditionCheck: { TableName: T, Key: key("a", 1), ConditionExpression: "attribute_exists(pk)" } }] }]],
  ["transact get", ["TransactGetItems", { TransactItems: [{ Get: { TableName: T, Key: key("tx", 1) } }] }]],
  ["delete table", ["DeleteTable", { TableName: T }]],
];

export interface Answer {
  status: number;
  body: any;
}

/** Volatile fields out; error bodies to {type, message}; arrays whose order AWS leaves open sorted. */
export function normalise(op: string, status: number, body: any): Answer {
  // TagResource: dynalite answers with an empty body, Flint with {} (the SDKs read both as no members).
  if (body === "") body = {};
  if (status !== 200) {
    const type = String(body?.__type ?? "").split("#").pop();
    return { status, body: { type, message: body?.message ?? body?.Message } };
  }
  const json = JSON.parse(JSON.stringify(body, (k, v) => {
    if (["CreationDateTime", "TableId", "LatestStreamArn", "LatestStreamLabel", "LastIncreaseDateTime", "LastDecreaseDateTime", "LastUpdateToPayPerRequestDateTime", "TableSizeBytes", "ItemCount", "WarmThroughput", "DeletionProtectionEnabled", "TableClassSummary",
      // dynalite 4 adds TableThroughputModeSummary, which is not a member of TableDescription in DynamoDB's API reference.
      "TableThroughputModeSummary"].includes(k)) return undefined;
    if (k === "AttributeDefinitions" && Array.isArray(v)) return [...v].sort((a, b) => a.AttributeName.localeCompare(b.AttributeName));
    if ((k === "SS" || k === "NS" || k === "BS") && Array.isArray(v)) return [...v].sort();
    return v;
  }));
  if (op === "Scan" && Array.isArray(json.Items)) json.Items.sort((a: any, b: any) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  if (op === "BatchGetItem") for (const items of Object.values(json.Responses ?? {})) (items as any[]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return { status, body: json };
}

export async function send(endpoint: string, [op, body]: Req): Promise<Answer> {
  const r = await signedFetch(endpoint, {
    method: "POST",
    path: "/",
    service: "dynamodb",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${op}` },
    body: JSON.stringify(body),
  });
  return normalise(op, r.status, r.body);
}

