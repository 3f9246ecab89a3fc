/**
 * DynamoDB and DynamoDB Streams through the real AWS CLI v2 (Debian's /usr/bin/aws) and, where the two
 * differ (exit codes, the older botocore), the CLI v1 on PATH, against a real `flint serve`.
 * Expectations are AWS's documented behaviour and messages (the DynamoDB API reference, and AWS's
 * answers as recorded in LocalStack's AWS-validated snapshots), not Flint's code.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ACCOUNT, AWS_CLI_V2, REGION, runCli, uniqueName } from "../harness/flint.js";
import { findAwsCliV1 } from "../harness/sqs-clients.js";
import { eventually } from "../harness/processes.js";
import { cliError, startDynamoServer, type CliError, type DynamoServer } from "../harness/dynamodb.js";

const v1 = findAwsCliV1();
if (!v1.path) throw new Error(v1.reason);
const V1 = v1.path;
/** CLI v2 exits 254 when the service answered with an error; CLI v1 exits 255. */
const SERVICE_ERROR_EXIT = { [AWS_CLI_V2]: 254, [V1]: 255 } as Record<string, number>;

const S = (s: string) => ({ S: s });
const N = (n: number | string) => ({ N: String(n) });
const pad = (i: number) => String(i).padStart(2, "0");

describe("DynamoDB with the AWS CLI", () => {
  let flint: DynamoServer;
  let dir: string;
  before(async () => {
    flint = await startDynamoServer();
    dir = await mkdtemp(path.join(tmpdir(), "flint-ddb-cli-"));
  });
  after(async () => {
    await flint?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Run `aws dynamodb …` (or another service given first) with `cli`; the parsed JSON output, asserting exit 0. */
  async function ok(args: string[], cli = AWS_CLI_V2): Promise<any> {
    const r = await runCli(cli, flint.endpoint, args);
    assert.equal(r.code, 0, `aws ${args.join(" ")}\n${r.stderr}`);
    return r.stdout.trim() ? r.json() : {};
  }
  async function fails(args: string[], cli = AWS_CLI_V2): Promise<CliError> {
    const r = await runCli(cli, flint.endpoint, args);
    assert.notEqual(r.code, 0, `aws ${args.join(" ")} succeeded: ${r.stdout}`);
    return cliError(r);
  }
  /** A failure with AWS's error code and message (a string: exactly; a RegExp: matching), and the CLI's exit code for a service error. */
  async function failsWith(args: string[], code: string, message: string | RegExp, cli = AWS_CLI_V2) {
    const e = await fails(args, cli);
    assert.equal(e.code, code, `aws ${args.join(" ")}\n${e.stderr}`);
    if (typeof message === "string") assert.equal(e.message, message, `aws ${args.join(" ")}`);
    else assert.match(e.message, message, `aws ${args.join(" ")}`);
    assert.equal(e.exit, SERVICE_ERROR_EXIT[cli], `exit code of aws ${args.join(" ")}\n${e.stderr}`);
    return e;
  }
  const json = (v: unknown) => JSON.stringify(v);
  async function file(name: string, v: unknown): Promise<string> {
    const p = path.join(dir, name);
    await writeFile(p, JSON.stringify(v));
    return `file://${p}`;
  }
  const ddb = (...args: string[]) => ok(["dynamodb", ...args]);

  /** A table with a string hash key `pk` and string range key `sk`, PAY_PER_REQUEST, waited for. */
  async function simpleTable(name: string, extra: string[] = []): Promise<any> {
    const created = await ddb(
      "create-table", "--table-name", name,
      "--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=S",
      "--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE",
      "--billing-mode", "PAY_PER_REQUEST", ...extra,
    );
    await ddb("wait", "table-exists", "--table-name", name);
    return created;
  }

  let main: string; // the table with indexes and a stream, shared by the item and query tests

  test("create-table with hash and range keys, a GSI, an LSI and a stream; wait table-exists; describe-table", async () => {
    main = uniqueName("cli-main");
    const created = await ddb(
      "create-table", "--table-name", main,
      "--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=S", "AttributeName=gpk,AttributeType=S", "AttributeName=lsk,AttributeType=N",
      "--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE",
      "--billing-mode", "PAY_PER_REQUEST",
      "--global-secondary-indexes", json([{ IndexName: "by-gpk", KeySchema: [{ AttributeName: "gpk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }], Projection: { ProjectionType: "ALL" } }]),
      "--local-secondary-indexes", json([{ IndexName: "by-lsk", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "lsk", KeyType: "RANGE" }], Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["note"] } }]),
      "--stream-specification", "StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES",
      "--tags", "Key=team,Value=flint",
    );
    const t = created.TableDescription;
    assert.equal(t.TableName, main);
    assert.equal(t.TableStatus, "CREATING");
    assert.equal(t.TableArn, `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${main}`);
    assert.equal(t.BillingModeSummary?.BillingMode, "PAY_PER_REQUEST");
    assert.deepEqual(t.KeySchema, [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }]);
    assert.equal(t.ItemCount, 0);
    assert.equal(t.TableSizeBytes, 0);
    assert.match(t.TableId, /^[0-9a-f-]{32,36}$/);

    await ddb("wait", "table-exists", "--table-name", main);
    const d = (await ddb("describe-table", "--table-name", main)).Table;
    assert.equal(d.TableStatus, "ACTIVE");
    assert.deepEqual(
      [...d.AttributeDefinitions].sort((a: any, b: any) => a.AttributeName.localeCompare(b.AttributeName)),
      [{ AttributeName: "gpk", AttributeType: "S" }, { AttributeName: "lsk", AttributeType: "N" }, { AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "S" }],
    );
    const gsi = d.GlobalSecondaryIndexes?.[0];
    assert.equal(gsi?.IndexName, "by-gpk");
    assert.equal(gsi?.IndexStatus, "ACTIVE");
    assert.deepEqual(gsi?.Projection, { ProjectionType: "ALL" });
    assert.equal(gsi?.IndexArn, `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${main}/index/by-gpk`);
    const lsi = d.LocalSecondaryIndexes?.[0];
    assert.equal(lsi?.IndexName, "by-lsk");
    assert.deepEqual(lsi?.Projection, { ProjectionType: "INCLUDE", NonKeyAttributes: ["note"] });
    assert.deepEqual(d.StreamSpecification, { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" });
    assert.match(d.LatestStreamLabel, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);
    assert.equal(d.LatestStreamArn, `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${main}/stream/${d.LatestStreamLabel}`);

    // The same name again: ResourceInUseException, from both CLIs.
    for (const cli of [AWS_CLI_V2, V1])
      await failsWith(["dynamodb", "create-table", "--table-name", main, "--attribute-definitions", "AttributeName=pk,AttributeType=S", "--key-schema", "AttributeName=pk,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST"], "ResourceInUseException", `Table already exists: ${main}`, cli);
  });

  test("create-table PROVISIONED with throughput; PAY_PER_REQUEST with throughput is a ValidationException", async () => {
    const name = uniqueName("cli-prov");
    const created = await ddb("create-table", "--table-name", name, "--attribute-definitions", "AttributeName=id,AttributeType=N", "--key-schema", "AttributeName=id,KeyType=HASH", "--provisioned-throughput", "ReadCapacityUnits=5,WriteCapacityUnits=7");
    assert.equal(created.TableDescription.ProvisionedThroughput.ReadCapacityUnits, 5);
    assert.equal(created.TableDescription.ProvisionedThroughput.WriteCapacityUnits, 7);
    await ddb("wait", "table-exists", "--table-name", name);
    const d = (await ddb("describe-table", "--table-name", name)).Table;
    assert.equal(d.ProvisionedThroughput.ReadCapacityUnits, 5);
    assert.equal(d.ProvisionedThroughput.WriteCapacityUnits, 7);
    assert.notEqual(d.BillingModeSummary?.BillingMode, "PAY_PER_REQUEST");
    await failsWith(
      ["dynamodb", "create-table", "--table-name", uniqueName("cli-bad"), "--attribute-definitions", "AttributeName=id,AttributeType=S", "--key-schema", "AttributeName=id,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST", "--provisioned-throughput", "ReadCapacityUnits=5,WriteCapacityUnits=5"],
      "ValidationException",
      "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
    );
    // A key attribute without a definition.
    await failsWith(["dynamodb", "create-table", "--table-name", uniqueName("cli-bad"), "--attribute-definitions", "AttributeName=id,AttributeType=S", "--key-schema", "AttributeName=other,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST"], "ValidationException", /^One or more parameter values were invalid: /);
    await ddb("delete-table", "--table-name", name);
  });

  test("list-tables pages: --max-items and --starting-token, --page-size, and the API's --limit with LastEvaluatedTableName", async () => {
    const prefix = uniqueName("cli-list");
    const names = [0, 1, 2].map((i) => `${prefix}-${i}`);
    await Promise.all(names.map((n) => ddb("create-table", "--table-name", n, "--attribute-definitions", "AttributeName=id,AttributeType=S", "--key-schema", "AttributeName=id,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")));
    const all = (await ddb("list-tables")).TableNames as string[];
    for (const n of names) assert.ok(all.includes(n), `${n} listed`);
    assert.deepEqual(all, [...all].sort(), "names in ascending order");
    // The CLI's own paginator: --page-size 2 makes several calls, and still gives every name.
    assert.deepEqual((await ddb("list-tables", "--page-size", "2")).TableNames, all);
    // --max-items: a NextToken to continue from.
    const first = await ddb("list-tables", "--max-items", "2");
    assert.equal(first.TableNames.length, 2);
    assert.ok(first.NextToken);
    const rest = await ddb("list-tables", "--starting-token", first.NextToken);
    assert.deepEqual([...first.TableNames, ...rest.TableNames], all);
    // The API itself: Limit and ExclusiveStartTableName.
    const page = await ddb("list-tables", "--no-paginate", "--limit", "1", "--exclusive-start-table-name", names[1]!);
    assert.deepEqual(page.TableNames, [names[2]]);
    assert.equal(page.LastEvaluatedTableName, names[2]);
    await Promise.all(names.map((n) => ddb("delete-table", "--table-name", n)));
  });

  test("put-item / get-item / update-item / delete-item: conditions, update expressions, projections, return values", async () => {
    const key = json({ pk: S("user#1"), sk: S("profile") });
    // A condition that holds for a new item; then the same put fails it.
    const item = { pk: S("user#1"), sk: S("profile"), name: S("Ada"), age: N("036.50"), tags: { SS: ["a", "b"] }, info: { M: { langs: { L: [S("en"), S("fr")] }, active: { BOOL: true }, none: { NULL: true } } }, blob: { B: Buffer.from([0, 1, 2, 255]).toString("base64") } };
    await ddb("put-item", "--table-name", main, "--item", json(item), "--condition-expression", "attribute_not_exists(pk)");
    await failsWith(["dynamodb", "put-item", "--table-name", main, "--item", json(item), "--condition-expression", "attribute_not_exists(pk)"], "ConditionalCheckFailedException", "The conditional request failed");
    await failsWith(["dynamodb", "put-item", "--table-name", main, "--item", json(item), "--condition-expression", "attribute_not_exists(pk)"], "ConditionalCheckFailedException", "The conditional request failed", V1);

    // Numbers come back in DynamoDB's canonical form; binary as base64.
    const got = (await ddb("get-item", "--table-name", main, "--key", key, "--consistent-read")).Item;
    assert.deepEqual(got, { ...item, age: N("36.5") });
    // A projection with a nested path, a list element and a name placeholder.
    const projected = (await ddb("get-item", "--table-name", main, "--key", key, "--projection-expression", "#n, info.langs[1], info.active", "--expression-attribute-names", json({ "#n": "name" }))).Item;
    assert.deepEqual(projected, { name: S("Ada"), info: { M: { langs: { L: [S("fr")] }, active: { BOOL: true } } } });
    // A missing item: no Item member at all.
    assert.deepEqual(await ddb("get-item", "--table-name", main, "--key", json({ pk: S("nobody"), sk: S("x") })), {});

    // put-item --return-values ALL_OLD gives the replaced item.
    const replaced = await ddb("put-item", "--table-name", main, "--item", json({ pk: S("user#2"), sk: S("profile"), v: N(1) }), "--return-values", "ALL_OLD");
    assert.equal(replaced.Attributes, undefined, "nothing replaced");
    const old = await ddb("put-item", "--table-name", main, "--item", json({ pk: S("user#2"), sk: S("profile"), v: N(2) }), "--return-values", "ALL_OLD");
    assert.deepEqual(old.Attributes, { pk: S("user#2"), sk: S("profile"), v: N(1) });

    // update-item: SET with arithmetic, if_not_exists, list_append; REMOVE; ADD to a number and a set; DELETE from a set.
    const updated = await ddb(
      "update-item", "--table-name", main, "--key", key,
      "--update-expression", "SET age = age + :one, visits = if_not_exists(visits, :zero) + :one, info.langs = list_append(info.langs, :more), #s = :active REMOVE info.#none ADD score :ten, tags :newTags",
      "--condition-expression", "#n = :ada AND size(tags) = :two",
      "--expression-attribute-names", json({ "#n": "name", "#s": "status", "#none": "none" }),
      "--expression-attribute-values", json({ ":one": N(1), ":zero": N(0), ":more": { L: [S("de")] }, ":active": S("active"), ":ten": N(10), ":newTags": { SS: ["c"] }, ":ada": S("Ada"), ":two": N(2) }),
      "--return-values", "ALL_NEW",
    );
    assert.deepEqual(updated.Attributes.age, N("37.5"));
    assert.deepEqual(updated.Attributes.visits, N(1));
    assert.deepEqual(updated.Attributes.info, { M: { langs: { L: [S("en"), S("fr"), S("de")] }, active: { BOOL: true } } });
    assert.deepEqual(updated.Attributes.status, S("active"));
    assert.deepEqual(updated.Attributes.score, N(10));
    assert.deepEqual([...updated.Attributes.tags.SS].sort(), ["a", "b", "c"]);
    // DELETE from a set (in an update of its own: two paths of one update may not overlap).
    const afterDelete = await ddb("update-item", "--table-name", main, "--key", key, "--update-expression", "DELETE tags :old", "--expression-attribute-values", json({ ":old": { SS: ["a", "zz"] } }), "--return-values", "UPDATED_NEW");
    assert.deepEqual([...afterDelete.Attributes.tags.SS].sort(), ["b", "c"]);
    await failsWith(["dynamodb", "update-item", "--table-name", main, "--key", key, "--update-expression", "ADD tags :t DELETE tags :t", "--expression-attribute-values", json({ ":t": { SS: ["a"] } })], "ValidationException", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [tags], path two: [tags]");
    // UPDATED_OLD and UPDATED_NEW: only the attributes the update touched.
    const updatedOld = await ddb("update-item", "--table-name", main, "--key", key, "--update-expression", "SET visits = visits + :one", "--expression-attribute-values", json({ ":one": N(1) }), "--return-values", "UPDATED_OLD");
    assert.deepEqual(updatedOld.Attributes, { visits: N(1) });
    const updatedNew = await ddb("update-item", "--table-name", main, "--key", key, "--update-expression", "ADD visits :one", "--expression-attribute-values", json({ ":one": N(-3) }), "--return-values", "UPDATED_NEW");
    assert.deepEqual(updatedNew.Attributes, { visits: N(-1) });
    // update-item on a missing key creates the item (upsert).
    await ddb("update-item", "--table-name", main, "--key", json({ pk: S("user#3"), sk: S("profile") }), "--update-expression", "SET n = :n", "--expression-attribute-values", json({ ":n": N(5) }));
    assert.deepEqual((await ddb("get-item", "--table-name", main, "--key", json({ pk: S("user#3"), sk: S("profile") }))).Item, { pk: S("user#3"), sk: S("profile"), n: N(5) });
    // A failed condition on update: nothing changes.
    await failsWith(["dynamodb", "update-item", "--table-name", main, "--key", key, "--update-expression", "SET age = :a", "--condition-expression", "age < :a", "--expression-attribute-values", json({ ":a": N(1) })], "ConditionalCheckFailedException", "The conditional request failed");
    assert.deepEqual((await ddb("get-item", "--table-name", main, "--key", key, "--projection-expression", "age")).Item, { age: N("37.5") });

    // delete-item with a condition, then ALL_OLD.
    await failsWith(["dynamodb", "delete-item", "--table-name", main, "--key", key, "--condition-expression", "attribute_exists(nope)"], "ConditionalCheckFailedException", "The conditional request failed");
    const deleted = await ddb("delete-item", "--table-name", main, "--key", key, "--condition-expression", "contains(tags, :c)", "--expression-attribute-values", json({ ":c": S("c") }), "--return-values", "ALL_OLD");
    assert.deepEqual(deleted.Attributes.pk, S("user#1"));
    assert.deepEqual(await ddb("get-item", "--table-name", main, "--key", key), {});
    // Deleting a missing item is not an error.
    assert.deepEqual(await ddb("delete-item", "--table-name", main, "--key", key, "--return-values", "ALL_OLD"), {});
  });

  test("query: every key operator, a filter, an LSI and a GSI, descending order, COUNT, and paging", async () => {
    const items = [];
    for (let i = 1; i <= 20; i++) items.push({ PutRequest: { Item: { pk: S("q"), sk: S(`k${pad(i)}`), n: N(i), gpk: S(i % 2 ? "odd" : "even"), lsk: N(100 - i), note: S(`note ${i}`), other: S("not projected") } } });
    items.push({ PutRequest: { Item: { pk: S("q"), sk: S("z1"), n: N(0) } } });
    for (let i = 0; i < items.length; i += 25) assert.deepEqual((await ddb("batch-write-item", "--request-items", json({ [main]: items.slice(i, i + 25) }))).UnprocessedItems, {});

    const q = async (cond: string, values: Record<string, unknown>, extra: string[] = []) =>
      ddb("query", "--table-name", main, "--key-condition-expression", cond, "--expression-attribute-values", json(values), ...extra);
    const sks = (r: any) => r.Items.map((i: any) => i.sk.S);
    const hash = { ":h": S("q") };
    // The key operators, read-only and independent: four CLI runs at a time.
    const operators: [string, Record<string, unknown>, string[]][] = [
      ["pk = :h AND sk = :s", { ":s": S("k05") }, ["k05"]],
      ["pk = :h AND sk < :s", { ":s": S("k03") }, ["k01", "k02"]],
      ["pk = :h AND sk <= :s", { ":s": S("k03") }, ["k01", "k02", "k03"]],
      ["pk = :h AND sk > :s", { ":s": S("k19") }, ["k20", "z1"]],
      ["pk = :h AND sk >= :s", { ":s": S("k19") }, ["k19", "k20", "z1"]],
      ["pk = :h AND sk BETWEEN :a AND :b", { ":a": S("k09"), ":b": S("k11") }, ["k09", "k10", "k11"]],
      ["pk = :h AND begins_with(sk, :p)", { ":p": S("k1") }, ["k10", "k11", "k12", "k13", "k14", "k15", "k16", "k17", "k18", "k19"]],
    ];
    for (let i = 0; i < operators.length; i += 4)
      await Promise.all(operators.slice(i, i + 4).map(async ([cond, values, expected]) => assert.deepEqual(sks(await q(cond, { ...hash, ...values })), expected, cond)));
    const all = await q("pk = :h", hash);
    assert.equal(all.Count, 21);
    assert.equal(all.ScannedCount, 21);
    // Descending.
    assert.deepEqual(sks(await q("pk = :h AND begins_with(sk, :p)", { ...hash, ":p": S("k0") }, ["--no-scan-index-forward"])), ["k09", "k08", "k07", "k06", "k05", "k04", "k03", "k02", "k01"]);
    // A filter: Count after the filter, ScannedCount before it.
    const filtered = await q("pk = :h", { ...hash, ":min": N(15) }, ["--filter-expression", "n >= :min"]);
    assert.deepEqual(sks(filtered), ["k15", "k16", "k17", "k18", "k19", "k20"]);
    assert.equal(filtered.Count, 6);
    assert.equal(filtered.ScannedCount, 21);
    // Select COUNT: no Items.
    const counted = await q("pk = :h", hash, ["--select", "COUNT"]);
    assert.equal(counted.Count, 21);
    assert.equal(counted.Items, undefined);
    // The LSI: ordered by lsk (100 - i), projecting keys and `note` only.
    const byLsk = await q("pk = :h AND lsk < :x", { ...hash, ":x": N(83) }, ["--index-name", "by-lsk"]);
    assert.deepEqual(sks(byLsk), ["k20", "k19", "k18"]);
    assert.deepEqual(Object.keys(byLsk.Items[0]).sort(), ["lsk", "note", "pk", "sk"]);
    // The GSI: items whose gpk is "odd", by sk.
    const odd = await ddb("query", "--table-name", main, "--index-name", "by-gpk", "--key-condition-expression", "gpk = :g AND sk BETWEEN :a AND :b", "--expression-attribute-values", json({ ":g": S("odd"), ":a": S("k01"), ":b": S("k05") }));
    assert.deepEqual(sks(odd), ["k01", "k03", "k05"]);
    assert.deepEqual(odd.Items[0].other, S("not projected"), "ALL projection");
    // The CLI's paginator: --page-size makes it follow LastEvaluatedKey; --max-items gives a NextToken.
    assert.deepEqual(sks(await q("pk = :h", hash, ["--page-size", "4"])), sks(all));
    const firstPage = await q("pk = :h", hash, ["--max-items", "7"]);
    assert.equal(firstPage.Items.length, 7);
    assert.ok(firstPage.NextToken);
    const restPages = await q("pk = :h", hash, ["--starting-token", firstPage.NextToken]);
    assert.deepEqual([...sks(firstPage), ...sks(restPages)], sks(all));
    // The API's own page: Limit and LastEvaluatedKey (the table's key, and on an index the index key too).
    const limited = await q("pk = :h", hash, ["--no-paginate", "--limit", "5"]);
    assert.equal(limited.Count, 5);
    assert.deepEqual(limited.LastEvaluatedKey, { pk: S("q"), sk: S("k05") });
    const next = await q("pk = :h", hash, ["--no-paginate", "--limit", "5", "--exclusive-start-key", json(limited.LastEvaluatedKey)]);
    assert.deepEqual(sks(next), ["k06", "k07", "k08", "k09", "k10"]);
    const gsiPage = await ddb("query", "--table-name", main, "--index-name", "by-gpk", "--key-condition-expression", "gpk = :g", "--expression-attribute-values", json({ ":g": S("even") }), "--no-paginate", "--limit", "1");
    assert.deepEqual(gsiPage.LastEvaluatedKey, { gpk: S("even"), pk: S("q"), sk: S("k02") });
    // Everything read: the last page has no LastEvaluatedKey.
    const last = await q("pk = :h AND sk >= :s", { ...hash, ":s": S("z") }, ["--no-paginate", "--limit", "5"]);
    assert.equal(last.LastEvaluatedKey, undefined);
  });

  test("scan: a filter, parallel segments that together see every item once", async () => {
    const full = (await ddb("scan", "--table-name", main)).Items as any[];
    assert.ok(full.length >= 21);
    const keyOf = (i: any) => `${i.pk.S}/${i.sk.S}`;
    const segs = await Promise.all([0, 1, 2].map((s) => ddb("scan", "--table-name", main, "--segment", String(s), "--total-segments", "3")));
    const seen = segs.flatMap((r) => r.Items.map(keyOf)).sort();
    assert.deepEqual(seen, full.map(keyOf).sort());
    assert.equal(new Set(seen).size, seen.length);
    const filtered = await ddb("scan", "--table-name", main, "--filter-expression", "n BETWEEN :a AND :b AND attribute_exists(gpk)", "--expression-attribute-values", json({ ":a": N(3), ":b": N(5) }));
    assert.deepEqual(filtered.Items.map((i: any) => i.n.N).sort(), ["3", "4", "5"]);
    assert.equal(filtered.ScannedCount, full.length);
    // --segment without --total-segments is AWS's ValidationException.
    await failsWith(["dynamodb", "scan", "--table-name", main, "--segment", "0"], "ValidationException", /Segment/);
  });

  test("batch-write-item and batch-get-item", async () => {
    const name = uniqueName("cli-batch");
    await simpleTable(name);
    const puts = Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { pk: S("b"), sk: S(`i${pad(i)}`), v: N(i) } } }));
    assert.deepEqual((await ddb("batch-write-item", "--request-items", await file("batch.json", { [name]: puts }))).UnprocessedItems, {});
    const got = await ddb("batch-get-item", "--request-items", json({ [name]: { Keys: [0, 7, 24].map((i) => ({ pk: S("b"), sk: S(`i${pad(i)}`) })), ProjectionExpression: "sk, v" } }));
    assert.deepEqual(got.UnprocessedKeys, {});
    assert.deepEqual(got.Responses[name].map((i: any) => i.v.N).sort(), ["0", "24", "7"]);
    assert.deepEqual(Object.keys(got.Responses[name][0]).sort(), ["sk", "v"]);
    // Deletes and puts mixed.
    await ddb("batch-write-item", "--request-items", json({ [name]: [{ DeleteRequest: { Key: { pk: S("b"), sk: S("i00") } } }, { PutRequest: { Item: { pk: S("b"), sk: S("new") } } }] }));
    assert.equal((await ddb("query", "--table-name", name, "--key-condition-expression", "pk = :h", "--expression-attribute-values", json({ ":h": S("b") }), "--select", "COUNT")).Count, 25);
    // 26 requests: AWS's limit is 25.
    const e = await fails(["dynamodb", "batch-write-item", "--request-items", await file("batch26.json", { [name]: [...puts, { PutRequest: { Item: { pk: S("b"), sk: S("x") } } }] })]);
    assert.equal(e.code, "ValidationException");
    // The same key twice in one batch.
    await failsWith(["dynamodb", "batch-write-item", "--request-items", json({ [name]: [puts[0], puts[0]] })], "ValidationException", "Provided list of item keys contains duplicates");
    await ddb("delete-table", "--table-name", name);
  });

  test("transact-write-items and transact-get-items; a cancellation names its reasons", async () => {
    const name = uniqueName("cli-tx");
    await simpleTable(name);
    const k = (sk: string) => ({ pk: S("acct"), sk: S(sk) });
    await ddb("transact-write-items", "--client-request-token", "tx-1", "--transact-items", json([
      { Put: { TableName: name, Item: { ...k("a"), balance: N(100) } } },
      { Put: { TableName: name, Item: { ...k("b"), balance: N(0) } } },
    ]));
    const transfer = (amount: number) => json([
      { Update: { TableName: name, Key: k("a"), UpdateExpression: "SET balance = balance - :x", ConditionExpression: "balance >= :x", ExpressionAttributeValues: { ":x": N(amount) } } },
      { Update: { TableName: name, Key: k("b"), UpdateExpression: "SET balance = balance + :x", ExpressionAttributeValues: { ":x": N(amount) } } },
    ]);
    await ddb("transact-write-items", "--transact-items", transfer(60));
    // Not enough left: the whole transaction is cancelled, the second write does not happen.
    for (const cli of [AWS_CLI_V2, V1])
      await failsWith(["dynamodb", "transact-write-items", "--transact-items", transfer(60)], "TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]", cli);
    // A ConditionCheck on an item the transaction does not write.
    await failsWith(["dynamodb", "transact-write-items", "--transact-items", json([
      { ConditionCheck: { TableName: name, Key: k("a"), ConditionExpression: "attribute_not_exists(pk)" } },
      { Delete: { TableName: name, Key: k("b") } },
    ])], "TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]");
    const got = await ddb("transact-get-items", "--transact-items", json([{ Get: { TableName: name, Key: k("a") } }, { Get: { TableName: name, Key: k("b"), ProjectionExpression: "balance" } }, { Get: { TableName: name, Key: k("none") } }]));
    assert.deepEqual(got.Responses, [{ Item: { ...k("a"), balance: N(40) } }, { Item: { balance: N(60) } }, {}]);
    // Two operations on one item in a transaction.
    await failsWith(["dynamodb", "transact-write-items", "--transact-items", json([{ Delete: { TableName: name, Key: k("a") } }, { Delete: { TableName: name, Key: k("a") } }])], "ValidationException", "Transaction request cannot include multiple operations on one item");
    await ddb("delete-table", "--table-name", name);
  });

  test("update-time-to-live / describe-time-to-live; tag-resource / untag-resource / list-tags-of-resource", async () => {
    const name = uniqueName("cli-ttl");
    await simpleTable(name);
    assert.deepEqual((await ddb("describe-time-to-live", "--table-name", name)).TimeToLiveDescription, { TimeToLiveStatus: "DISABLED" });
    const set = await ddb("update-time-to-live", "--table-name", name, "--time-to-live-specification", "Enabled=true,AttributeName=expires");
    assert.deepEqual(set.TimeToLiveSpecification, { Enabled: true, AttributeName: "expires" });
    const ttl = (await ddb("describe-time-to-live", "--table-name", name)).TimeToLiveDescription;
    assert.equal(ttl.AttributeName, "expires");
    assert.ok(["ENABLING", "ENABLED"].includes(ttl.TimeToLiveStatus), ttl.TimeToLiveStatus);
    // Already enabled: AWS's ValidationException.
    await failsWith(["dynamodb", "update-time-to-live", "--table-name", name, "--time-to-live-specification", "Enabled=true,AttributeName=expires"], "ValidationException", "TimeToLive is already enabled");

    const arn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
    await ddb("tag-resource", "--resource-arn", arn, "--tags", "Key=team,Value=flint", "Key=env,Value=test");
    const tags = (await ddb("list-tags-of-resource", "--resource-arn", arn)).Tags;
    assert.deepEqual([...tags].sort((a: any, b: any) => a.Key.localeCompare(b.Key)), [{ Key: "env", Value: "test" }, { Key: "team", Value: "flint" }]);
    await ddb("untag-resource", "--resource-arn", arn, "--tag-keys", "env");
    assert.deepEqual((await ddb("list-tags-of-resource", "--resource-arn", arn)).Tags, [{ Key: "team", Value: "flint" }]);
    // Tags given at creation are listed too.
    assert.deepEqual((await ddb("list-tags-of-resource", "--resource-arn", `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${main}`)).Tags, [{ Key: "team", Value: "flint" }]);
    await failsWith(["dynamodb", "list-tags-of-resource", "--resource-arn", `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/no-such-table`], "ResourceNotFoundException", /^Requested resource not found/);
    await ddb("delete-table", "--table-name", name);
  });

  test("dynamodbstreams: list-streams, describe-stream, get-shard-iterator, get-records with INSERT, MODIFY and REMOVE", async () => {
    const name = uniqueName("cli-stream");
    await simpleTable(name, ["--stream-specification", "StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES"]);
    const arn = (await ddb("describe-table", "--table-name", name)).Table.LatestStreamArn;
    const key = { pk: S("s"), sk: S("1") };
    await ddb("put-item", "--table-name", name, "--item", json({ ...key, v: N(1) }));
    await ddb("update-item", "--table-name", name, "--key", json(key), "--update-expression", "SET v = :v", "--expression-attribute-values", json({ ":v": N(2) }));
    await ddb("delete-item", "--table-name", name, "--key", json(key));

    for (const cli of [V1, AWS_CLI_V2]) {
      const listed = (await ok(["dynamodbstreams", "list-streams", "--table-name", name], cli)).Streams;
      assert.deepEqual(listed, [{ StreamArn: arn, TableName: name, StreamLabel: arn.split("/stream/")[1] }]);
      const d = (await ok(["dynamodbstreams", "describe-stream", "--stream-arn", arn], cli)).StreamDescription;
      assert.equal(d.StreamArn, arn);
      assert.equal(d.StreamStatus, "ENABLED");
      assert.equal(d.StreamViewType, "NEW_AND_OLD_IMAGES");
      assert.equal(d.TableName, name);
      assert.deepEqual(d.KeySchema, [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }]);
      assert.equal(d.Shards.length, 1);
      const shard = d.Shards[0];
      assert.match(shard.ShardId, /^shardId-\d{20}-[0-9a-f]{8}$/);
      assert.match(shard.SequenceNumberRange.StartingSequenceNumber, /^\d{21,40}$/);
      const it = (await ok(["dynamodbstreams", "get-shard-iterator", "--stream-arn", arn, "--shard-id", shard.ShardId, "--shard-iterator-type", "TRIM_HORIZON"], cli)).ShardIterator;
      assert.ok(it);
      const page = await ok(["dynamodbstreams", "get-records", "--shard-iterator", it], cli);
      assert.ok(page.NextShardIterator, "an open shard gives a next iterator");
      const records = page.Records;
      assert.deepEqual(records.map((r: any) => r.eventName), ["INSERT", "MODIFY", "REMOVE"]);
      for (const r of records) {
        assert.equal(r.eventSource, "aws:dynamodb");
        assert.equal(r.eventVersion, "1.1");
        assert.equal(r.awsRegion, REGION);
        assert.match(r.eventID, /^[0-9a-f]{32}$|^[0-9a-f-]{36}$/);
        assert.deepEqual(r.dynamodb.Keys, key);
        assert.equal(r.dynamodb.StreamViewType, "NEW_AND_OLD_IMAGES");
        assert.equal(typeof r.dynamodb.SizeBytes, "number");
        assert.match(r.dynamodb.SequenceNumber, /^\d{21,40}$/);
        assert.ok(r.dynamodb.ApproximateCreationDateTime !== undefined);
      }
      assert.deepEqual(records[0].dynamodb.NewImage, { ...key, v: N(1) });
      assert.equal(records[0].dynamodb.OldImage, undefined);
      assert.deepEqual(records[1].dynamodb.OldImage, { ...key, v: N(1) });
      assert.deepEqual(records[1].dynamodb.NewImage, { ...key, v: N(2) });
      assert.deepEqual(records[2].dynamodb.OldImage, { ...key, v: N(2) });
      assert.equal(records[2].dynamodb.NewImage, undefined);
      const seqs = records.map((r: any) => BigInt(r.dynamodb.SequenceNumber));
      assert.ok(seqs[0] < seqs[1] && seqs[1] < seqs[2], "ascending sequence numbers");
      // The other iterator types, with the CLI v2 only (the CLI v1, first, reads the same API the same way).
      if (cli === V1) continue;
      // AFTER_SEQUENCE_NUMBER the first: the other two; AT the last: the last.
      const after1 = (await ok(["dynamodbstreams", "get-shard-iterator", "--stream-arn", arn, "--shard-id", shard.ShardId, "--shard-iterator-type", "AFTER_SEQUENCE_NUMBER", "--sequence-number", records[0].dynamodb.SequenceNumber], cli)).ShardIterator;
      assert.deepEqual((await ok(["dynamodbstreams", "get-records", "--shard-iterator", after1], cli)).Records.map((r: any) => r.eventName), ["MODIFY", "REMOVE"]);
      const at3 = (await ok(["dynamodbstreams", "get-shard-iterator", "--stream-arn", arn, "--shard-id", shard.ShardId, "--shard-iterator-type", "AT_SEQUENCE_NUMBER", "--sequence-number", records[2].dynamodb.SequenceNumber], cli)).ShardIterator;
      assert.deepEqual((await ok(["dynamodbstreams", "get-records", "--shard-iterator", at3, "--limit", "5"], cli)).Records.map((r: any) => r.eventName), ["REMOVE"]);
      // LATEST: nothing until the next change, then that change.
      const latest = (await ok(["dynamodbstreams", "get-shard-iterator", "--stream-arn", arn, "--shard-id", shard.ShardId, "--shard-iterator-type", "LATEST"], cli)).ShardIterator;
      const empty = await ok(["dynamodbstreams", "get-records", "--shard-iterator", latest], cli);
      assert.deepEqual(empty.Records, []);
      await ddb("put-item", "--table-name", name, "--item", json({ ...key, v: N(3) }));
      const fresh = await ok(["dynamodbstreams", "get-records", "--shard-iterator", empty.NextShardIterator], cli);
      assert.deepEqual(fresh.Records.map((r: any) => r.dynamodb.NewImage.v), [N(3)]);
    }
    // Errors: an unknown stream, a bad iterator.
    await failsWith(["dynamodbstreams", "describe-stream", "--stream-arn", `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}/stream/2020-01-01T00:00:00.000`], "ResourceNotFoundException", /^Requested resource not found/);
    const bad = await fails(["dynamodbstreams", "get-records", "--shard-iterator", "not-an-iterator-but-long-enough-to-pass-the-length-check"]);
    assert.equal(bad.code, "ValidationException");
    await ddb("delete-table", "--table-name", name);
  });

  test("update-table: a stream turned off and on (a new stream ARN), a GSI added and removed", async () => {
    const name = uniqueName("cli-upd");
    await simpleTable(name, ["--stream-specification", "StreamEnabled=true,StreamViewType=KEYS_ONLY"]);
    const before = (await ddb("describe-table", "--table-name", name)).Table;
    await ddb("update-table", "--table-name", name, "--stream-specification", "StreamEnabled=false");
    const off = (await ddb("describe-table", "--table-name", name)).Table;
    assert.notEqual(off.StreamSpecification?.StreamEnabled, true);
    await eventually(async () => (await ok(["dynamodbstreams", "describe-stream", "--stream-arn", before.LatestStreamArn])).StreamDescription.StreamStatus === "DISABLED", undefined, "the old stream DISABLED");
    // Turning off a stream that is off: AWS's ValidationException.
    await failsWith(["dynamodb", "update-table", "--table-name", name, "--stream-specification", "StreamEnabled=false"], "ValidationException", /stream/i);
    await ddb("update-table", "--table-name", name, "--stream-specification", "StreamEnabled=true,StreamViewType=NEW_IMAGE");
    const on = (await ddb("describe-table", "--table-name", name)).Table;
    assert.deepEqual(on.StreamSpecification, { StreamEnabled: true, StreamViewType: "NEW_IMAGE" });
    assert.notEqual(on.LatestStreamArn, before.LatestStreamArn);
    const streams = (await ok(["dynamodbstreams", "list-streams", "--table-name", name])).Streams.map((s: any) => s.StreamArn).sort();
    assert.deepEqual(streams, [before.LatestStreamArn, on.LatestStreamArn].sort());

    // A GSI added: it backfills the items already there, and answers queries once ACTIVE.
    await ddb("put-item", "--table-name", name, "--item", json({ pk: S("p"), sk: S("1"), color: S("red") }));
    await ddb(
      "update-table", "--table-name", name,
      "--attribute-definitions", "AttributeName=color,AttributeType=S",
      "--global-secondary-index-updates", json([{ Create: { IndexName: "by-color", KeySchema: [{ AttributeName: "color", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } } }]),
    );
    await eventually(async () => (await ddb("describe-table", "--table-name", name)).Table.GlobalSecondaryIndexes?.[0]?.IndexStatus === "ACTIVE", undefined, "the new GSI ACTIVE");
    await ddb("put-item", "--table-name", name, "--item", json({ pk: S("p"), sk: S("2"), color: S("red") }));
    const red = await ddb("query", "--table-name", name, "--index-name", "by-color", "--key-condition-expression", "color = :c", "--expression-attribute-values", json({ ":c": S("red") }));
    assert.deepEqual(red.Items.map((i: any) => i.sk.S).sort(), ["1", "2"]);
    assert.deepEqual(Object.keys(red.Items[0]).sort(), ["color", "pk", "sk"]);
    await ddb("update-table", "--table-name", name, "--global-secondary-index-updates", json([{ Delete: { IndexName: "by-color" } }]));
    await eventually(async () => !(await ddb("describe-table", "--table-name", name)).Table.GlobalSecondaryIndexes?.length, undefined, "the GSI gone");
    await failsWith(["dynamodb", "query", "--table-name", name, "--index-name", "by-color", "--key-condition-expression", "color = :c", "--expression-attribute-values", json({ ":c": S("red") })], "ValidationException", `The table does not have the specified index: by-color`);

    // delete-table: DELETING, then gone.
    const deleted = await ddb("delete-table", "--table-name", name);
    assert.equal(deleted.TableDescription.TableStatus, "DELETING");
    await ddb("wait", "table-not-exists", "--table-name", name);
  });

  test("errors: exit code, AWS error code and message, from both CLIs", async () => {
    const missing = uniqueName("cli-missing");
    const key = json({ pk: S("a"), sk: S("b") });
    const cases: [string[], string, string | RegExp][] = [];
    const f = (args: string[], code: string, message: string | RegExp) => void cases.push([args, code, message]);
    {
      f(["describe-table", "--table-name", missing], "ResourceNotFoundException", new RegExp(`^Requested resource not found(: Table: ${missing} not found)?$`));
      f(["delete-table", "--table-name", missing], "ResourceNotFoundException", new RegExp(`^Requested resource not found(: Table: ${missing} not found)?$`));
      f(["put-item", "--table-name", missing, "--item", key], "ResourceNotFoundException", "Requested resource not found");
      f(["get-item", "--table-name", missing, "--key", key], "ResourceNotFoundException", "Requested resource not found");
      f(["query", "--table-name", missing, "--key-condition-expression", "pk = :a", "--expression-attribute-values", json({ ":a": S("a") })], "ResourceNotFoundException", "Requested resource not found");
      f(["put-item", "--table-name", main, "--item", json({ pk: S("a") })], "ValidationException", "One or more parameter values were invalid: Missing the key sk in the item");
      f(["put-item", "--table-name", main, "--item", json({ pk: N(1), sk: S("b") })], "ValidationException", "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N");
      f(["put-item", "--table-name", main, "--item", json({ pk: S(""), sk: S("b") })], "ValidationException", "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk");
      f(["get-item", "--table-name", main, "--key", json({ pk: S("a") })], "ValidationException", "The provided key element does not match the schema");
      f(["get-item", "--table-name", main, "--key", json({ pk: S("a"), sk: S("b"), extra: S("c") })], "ValidationException", "The provided key element does not match the schema");
      f(["update-item", "--table-name", main, "--key", key, "--update-expression", "SET status = :s", "--expression-attribute-values", json({ ":s": S("x") })], "ValidationException", "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status");
      f(["update-item", "--table-name", main, "--key", key, "--update-expression", "SET a = :a", "--expression-attribute-values", json({ ":a": S("x"), ":unused": S("y") })], "ValidationException", "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}");
      f(["update-item", "--table-name", main, "--key", key, "--update-expression", "SET a = :a"], "ValidationException", "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :a");
      f(["update-item", "--table-name", main, "--key", key, "--update-expression", "SET sk = :a", "--expression-attribute-values", json({ ":a": S("x") })], "ValidationException", "One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key");
      f(["query", "--table-name", main, "--key-condition-expression", "sk = :a", "--expression-attribute-values", json({ ":a": S("x") })], "ValidationException", "Query condition missed key schema element: pk");
      f(["put-item", "--table-name", main, "--item", json({ pk: S("a"), sk: S("b"), n: N("1e126") })], "ValidationException", "Number overflow. Attempting to store a number with magnitude larger than supported range");
      f(["put-item", "--table-name", main, "--item", json({ pk: S("a"), sk: S("b"), s: { SS: [] } })], "ValidationException", "One or more parameter values were invalid: An string set  may not be empty");
      f(["put-item", "--table-name", main, "--item", json({ pk: S("a"), sk: S("b"), s: { SS: ["x", "x"] } })], "ValidationException", /^One or more parameter values were invalid: Input collection \[x, x\] contains duplicates\.?$/);
      f(["put-item", "--table-name", main, "--item", json({ pk: S("a"), sk: S("b") }), "--condition-expression", "a = "], "ValidationException", /^Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "= "$/);
    }
    // Each case with the CLI v2; the first five with the CLI v1 too (its exit code differs). Four at a time.
    const runs = [...cases.map((c) => [...c, AWS_CLI_V2] as const), ...cases.slice(0, 5).map((c) => [...c, V1] as const)];
    for (let i = 0; i < runs.length; i += 4) await Promise.all(runs.slice(i, i + 4).map(([args, code, message, cli]) => failsWith(["dynamodb", ...args], code, message, cli)));
  });
});
