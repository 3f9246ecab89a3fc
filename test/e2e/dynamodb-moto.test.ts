/**
 * Differential check against moto: the same fixed list of DynamoDB requests as dynamodb-differential
 * (test/harness/dynamodb-requests.ts), sent to `moto_server` (moto 5, the pyenv Python's) and to a
 * real `flint serve`, answers compared after the same normalisation. Every known difference is listed
 * below with its reason and, where it matters, Flint's own answer is asserted; all other answers must
 * be equal.
 *
 * Where a reason says what AWS does: the ConsumedCapacity rule is the API reference's
 * (ReturnConsumedCapacity NONE, the default: "No ConsumedCapacity details are included in the
 * response") and the number range is the developer guide's; the error wordings called AWS's are those
 * Flint and dynalite (built against AWS) agree on in dynamodb-differential, not checked here against
 * LocalStack's AWS-validated snapshots.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startFlint, type FlintProcess } from "../harness/flint.js";
import { startMoto, type Moto } from "../harness/moto.js";
import { REQUESTS, key, send, type Answer } from "../harness/dynamodb-requests.js";

const S = (s: string) => ({ S: s });
const N = (n: number | string) => ({ N: String(n) });
const err = (message: string, type = "ValidationException"): Answer => ({ status: 400, body: { type, message } });
/** moto's answer without the members it adds unasked (ConsumedCapacity, ItemCollectionMetrics). */
const unasked = (m: Answer): Answer => {
  const { ConsumedCapacity, ItemCollectionMetrics, ...body } = m.body;
  return { status: m.status, body };
};
/** moto's TableDescription as AWS would give it: `status`, Flint's account, no empty index lists. */
const asAws = (m: Answer, status: string): Answer => {
  const { LocalSecondaryIndexes, GlobalSecondaryIndexes, ...t } = m.body.TableDescription;
  return { status: m.status, body: { TableDescription: { ...t, TableStatus: status, TableArn: t.TableArn.replace(":123456789012:", ":000000000000:") } } };
};
const CC = "moto answers ConsumedCapacity (and ItemCollectionMetrics) unasked; AWS returns them only when ReturnConsumedCapacity / ReturnItemCollectionMetrics ask (default NONE), as Flint does";
const Q1 = "knock-on of 'batch write: duplicate keys': moto accepted it and so deleted q/1, which Flint (like AWS) still has";

/**
 * Known differences, by label, with the reason. `flint` asserts Flint's own answer (given moto's too,
 * for the differences that are only moto's extra members or its account id).
 */
const KNOWN: Record<string, { reason: string; flint?: (f: Answer, m: Answer) => void }> = {
  "create table": {
    reason: "moto creates the table ACTIVE at once (AWS answers CREATING), uses account 123456789012 in the ARN, and lists empty LocalSecondaryIndexes/GlobalSecondaryIndexes that AWS omits",
    flint: (f, m) => assert.deepEqual(f, asAws(m, "CREATING")),
  },
  "create: PAY_PER_REQUEST with throughput": {
    reason: "both refuse; the messages differ, Flint's (also dynalite's) is AWS's wording",
    flint: (f) => assert.deepEqual(f, err("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")),
  },
  "put: empty string key": {
    reason: "both refuse; moto's message is the pre-2020 one (from before AWS allowed empty strings in non-key attributes), Flint's is AWS's current wording",
    flint: (f) => assert.deepEqual(f, err("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk")),
  },
  "put: number overflow": {
    reason: "moto stores 1e126; AWS's numbers stop below 1e126 (magnitude 1e-130 to 9.9999999999999999999999999999999999999e125, DynamoDB developer guide) and it refuses",
    flint: (f) => assert.deepEqual(f, err("Number overflow. Attempting to store a number with magnitude larger than supported range")),
  },
  "get": {
    reason: "moto returns the number as sent (01.500); AWS stores numbers canonically and answers 1.5, as Flint and dynalite do",
    flint: (f) => assert.deepEqual(f.body.Item.n, N("1.5")),
  },
  "get: key not matching the schema": {
    reason: "moto's message is a bare 'Validation Exception'; AWS's is 'The provided key element does not match the schema'",
    flint: (f) => assert.deepEqual(f, err("The provided key element does not match the schema")),
  },
  "update SET arithmetic ALL_NEW": {
    reason: `moto answers 1.750 (not canonical; AWS answers 1.75); and ${CC}`,
    flint: (f, m) => assert.deepEqual(f, { status: 200, body: { Attributes: { ...unasked(m).body.Attributes, n: N("1.75") } } }),
  },
  "update list_append UPDATED_NEW": { reason: CC, flint: (f, m) => assert.deepEqual(f, unasked(m)) },
  "update ADD set UPDATED_OLD": {
    reason: `UPDATED_OLD after REMOVE m.z: moto returns the whole old map m; AWS returns only the updated paths (m.z), as Flint does; and ${CC}`,
    flint: (f) => assert.deepEqual(f, { status: 200, body: { Attributes: { ss: { SS: ["p", "q"] }, m: { M: { z: { NULL: true } } } } } }),
  },
  "update: arithmetic on a string": {
    reason: "both refuse; s is a path whose type is known only when the item is read, where AWS (and dynalite) say 'An operand in the update expression has an incorrect data type'; moto gives AWS's parse-time message for a literal operand",
    flint: (f) => assert.deepEqual(f, err("An operand in the update expression has an incorrect data type")),
  },
  "batch write": { reason: CC, flint: (f) => assert.deepEqual(f, { status: 200, body: { UnprocessedItems: {} } }) },
  "batch write: duplicate keys": {
    reason: "moto applies a put and a delete of the same key in one batch; AWS refuses the batch (BatchWriteItem reference: 'Provided list of item keys contains duplicates')",
    flint: (f) => assert.deepEqual(f, err("Provided list of item keys contains duplicates")),
  },
  "batch get": { reason: CC, flint: (f, m) => assert.deepEqual(f, unasked(m)) },
  "query Limit 2": {
    reason: Q1,
    flint: (f) => assert.deepEqual([f.status, f.body.Items.map((i: any) => i.sk.N), f.body.LastEvaluatedKey], [200, ["1", "2"], key("q", 2)]),
  },
  "query COUNT": { reason: Q1, flint: (f) => assert.deepEqual(f, { status: 200, body: { Count: 6, ScannedCount: 6 } }) },
  "query: begins_with on a number key": {
    reason: "moto fails with a 500 and no error type; AWS refuses begins_with on a number with a ValidationException",
    flint: (f) => assert.deepEqual(f, err("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")),
  },
  "query: a filter on the key": {
    reason: "moto runs a FilterExpression on a key attribute; AWS refuses it in a Query",
    flint: (f) => assert.deepEqual(f, err("Filter Expression can only contain non-primary key attributes: Primary key attribute: sk")),
  },
  "scan with a filter": {
    reason: Q1,
    flint: (f) => assert.deepEqual([f.status, f.body.Items.map((i: any) => i.t.S), f.body.Count, f.body.ScannedCount], [200, ["t1", "t6"], 2, 7]),
  },
  "scan: legacy ScanFilter": {
    reason: Q1 + " (moto, like Flint, accepts EQ on a BOOL)",
    flint: (f) => assert.deepEqual([f.status, f.body.Count, f.body.ScannedCount], [200, 3, 7]),
  },
  "update legacy AttributeUpdates": { reason: CC, flint: (f, m) => assert.deepEqual(f, unasked(m)) },
  "expression and legacy parameters mixed": {
    reason: "moto accepts Expected with ConditionExpression; AWS refuses mixing legacy and expression parameters",
    flint: (f) => assert.deepEqual(f, err("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}")),
  },
  "get legacy AttributesToGet": {
    reason: "moto ignores AttributesToGet and returns the whole item; AWS returns only the named attributes",
    flint: (f) => assert.deepEqual(f, { status: 200, body: { Item: { t: S("t3"), even: { BOOL: false } } } }),
  },
  "list tags": {
    reason: "the ARN names account 000000000000 (Flint's); moto's tables are in 123456789012, so moto has no such resource (its TagResource before answered 200 without checking)",
    flint: (f) => assert.deepEqual(f, { status: 200, body: { Tags: [{ Key: "k", Value: "v" }] } }),
  },
  "transact write": {
    reason: "moto answers empty ConsumedCapacity/ItemCollectionMetrics unasked; AWS and Flint answer {}",
    flint: (f) => assert.deepEqual(f, { status: 200, body: {} }),
  },
  "delete table": {
    reason: "moto's description says ACTIVE (AWS answers DELETING), with its account id and empty index lists",
    flint: (f, m) => assert.deepEqual(f, asAws(m, "DELETING")),
  },
};

describe("DynamoDB: Flint and moto answer the same requests alike", () => {
  let flint: FlintProcess;
  let moto: Moto;
  before(async () => {
    [flint, moto] = await Promise.all([startFlint({ args: ["--spares", "0"] }), startMoto()]);
  });
  after(async () => {
    await Promise.all([flint?.stop(), moto?.stop()]);
  });

  test(`${REQUESTS.length} requests, in order, against both`, async () => {
    const differences: string[] = [];
    for (const [label, req] of REQUESTS) {
      const [f, m] = await Promise.all([send(flint.endpoint, req), send(moto.endpoint, req)]);
      if (req[0] === "CreateTable" && f.status === 200) {
        for (const endpoint of [flint.endpoint, moto.endpoint])
          for (let i = 0; i < 600 && (await send(endpoint, ["DescribeTable", { TableName: req[1].TableName as string }])).body.Table?.TableStatus !== "ACTIVE"; i++) await new Promise((r) => setTimeout(r, 100));
      }
      const known = KNOWN[label];
      if (known) {
        known.flint?.(f, m);
        continue;
      }
      try {
        assert.deepEqual(f, m);
      } catch {
        differences.push(`${label} (${req[0]} ${JSON.stringify(req[1])}):\n  flint: ${JSON.stringify(f)}\n  moto:  ${JSON.stringify(m)}`);
      }
    }
    assert.equal(differences.length, 0, `unexplained differences:\n${differences.join("\n")}`);
  });
});
