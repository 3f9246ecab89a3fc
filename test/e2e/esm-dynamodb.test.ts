/**
 * DynamoDB stream event source mappings end to end: a real `flint serve`, tables, items and mappings
 * made with the AWS CLI v2 (and the SDK's DynamoDB client for the bulk writes of the crash test),
 * and `esm-ddb-sink.js` reporting every batch it gets, its records whole, to a sink queue.
 * shared/reference/event-sources.md §2–3; esm-recorded.json dynamodb_event_*, dynamodb_onfailure_sqs.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { REGION, TEST_CREDENTIALS, startFlint, uniqueName, type FlintProcess } from "../harness/flint.js";
import { createFunction } from "../harness/functions.js";
import { sdkClient } from "../harness/sqs-clients.js";
import { createExecutionRole } from "../harness/permissions.js";
import { PATIENCE_MS, eventually, settlesWithin } from "../harness/processes.js";
import { zipFixture } from "../harness/zip.js";
import { Barrier } from "../harness/parallel.js";
import { startCluster, type Cluster } from "../harness/cluster.js";
import pg from "pg";

type Image = Record<string, Record<string, any>>;
interface EventRecord {
  eventID: string;
  eventName: "INSERT" | "MODIFY" | "REMOVE";
  eventVersion: string;
  eventSource: string;
  awsRegion: string;
  dynamodb: { ApproximateCreationDateTime: number; Keys: Image; NewImage?: Image; OldImage?: Image; SequenceNumber: string; SizeBytes: number; StreamViewType: string };
  userIdentity?: { type: string; principalId: string };
  eventSourceARN: string;
}
interface Report {
  requestId: string;
  startedAt: number;
  records: EventRecord[];
}

/** Orders sequence numbers: decimal strings, by value. */
const bySequence = (a: string, b: string) => (a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0);

/** The records in the order the function got them (one shard: batch after batch). */
const delivered = (reports: Report[]) => [...reports].sort((a, b) => a.startedAt - b.startedAt || bySequence(a.records[0]!.dynamodb.SequenceNumber, b.records[0]!.dynamodb.SequenceNumber)).flatMap((r) => r.records);

/** Every message on a queue so far, deleted as read. */
async function drainQueue(sqs: SQSClient, url: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    const messages = out.Messages ?? [];
    if (messages.length === 0) return bodies;
    for (const m of messages) bodies.push(m.Body!);
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }
}

/** A table with a NEW_AND_OLD_IMAGES stream, made with the CLI; its stream's ARN once it is ACTIVE. */
async function streamTable(flint: FlintProcess, name: string): Promise<string> {
  const created = await flint.aws([
    "dynamodb", "create-table", "--table-name", name,
    "--attribute-definitions", "AttributeName=pk,AttributeType=S",
    "--key-schema", "AttributeName=pk,KeyType=HASH",
    "--billing-mode", "PAY_PER_REQUEST",
    "--stream-specification", "StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES",
  ]);
  assert.equal(created.code, 0, created.stderr);
  const arn = created.json().TableDescription.LatestStreamArn as string;
  assert.match(arn, new RegExp(`^arn:aws:dynamodb:${REGION}:000000000000:table/${name}/stream/\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}$`));
  const waited = await flint.aws(["dynamodb", "wait", "table-exists", "--table-name", name]);
  assert.equal(waited.code, 0, waited.stderr);
  return arn;
}

async function cli(flint: FlintProcess, args: string[]): Promise<any> {
  const out = await flint.aws(args);
  assert.equal(out.code, 0, `aws ${args.join(" ")}: ${out.stderr}`);
  return out.stdout.trim() ? out.json() : undefined;
}

async function mapWithCli(flint: FlintProcess, args: string[]): Promise<string> {
  const { UUID } = await cli(flint, ["lambda", "create-event-source-mapping", ...args]);
  await eventually(async () => (await cli(flint, ["lambda", "get-event-source-mapping", "--uuid", UUID])).State === "Enabled", 10_000, "mapping enabled");
  return UUID as string;
}

describe("DynamoDB stream event source mappings", () => {
  let flint: FlintProcess;
  let sqs: SQSClient;
  let zip: Buffer;
  let role: string;

  before(async () => {
    flint = await startFlint();
    sqs = sdkClient(flint.endpoint);
    zip = await zipFixture("nodejs");
    role = await createExecutionRole(flint.endpoint, [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }], uniqueName("ddb-esm-role"), ["AWSLambdaDynamoDBExecutionRole"]);
  });
  after(async () => {
    sqs.destroy();
    await flint.stop();
  });

  const queue = async () => {
    const name = uniqueName("q");
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    return { url: QueueUrl!, arn: `arn:aws:sqs:${REGION}:000000000000:${name}` };
  };
  const sinkFunction = async () => {
    const sink = await queue();
    const name = await createFunction(flint, zip, "esm-ddb-sink.handler", { Role: role, Timeout: 30, Environment: { Variables: { SINK_QUEUE_URL: sink.url } } });
    const reports: Report[] = [];
    const until = async (check: (r: Report[]) => boolean, what: string, ms = 60_000) => {
      await eventually(async () => {
        reports.push(...(await drainQueue(sqs, sink.url)).map((b) => JSON.parse(b) as Report));
        return check(reports);
      }, ms, what);
    };
    return { name, reports, until };
  };

  test("puts, updates, deletes and a TTL expiry reach the function as AWS's records, in order per item", async () => {
    const table = uniqueName("ddb-esm");
    const streamArn = await streamTable(flint, table);
    await cli(flint, ["dynamodb", "update-time-to-live", "--table-name", table, "--time-to-live-specification", "Enabled=true,AttributeName=expires"]);
    const fn = await sinkFunction();
    const uuid = await mapWithCli(flint, ["--function-name", fn.name, "--event-source-arn", streamArn, "--starting-position", "TRIM_HORIZON", "--batch-size", "10"]);
    // A second function on the same stream reads it all too, on its own checkpoint.
    const other = await sinkFunction();
    await mapWithCli(flint, ["--function-name", other.name, "--event-source-arn", streamArn, "--starting-position", "TRIM_HORIZON", "--batch-size", "2"]);

    const item = (o: Record<string, unknown>) => JSON.stringify(o);
    await cli(flint, ["dynamodb", "put-item", "--table-name", table, "--item", item({ pk: { S: "a" }, v: { N: "1" } })]);
    await cli(flint, ["dynamodb", "put-item", "--table-name", table, "--item", item({ pk: { S: "b" }, tags: { SS: ["x", "y"] } })]);
    await cli(flint, ["dynamodb", "update-item", "--table-name", table, "--key", item({ pk: { S: "a" } }), "--update-expression", "SET v = v + :one, note = :n", "--expression-attribute-values", item({ ":one": { N: "1" }, ":n": { S: "hi" } })]);
    await cli(flint, ["dynamodb", "put-item", "--table-name", table, "--item", item({ pk: { S: "b" }, bin: { B: Buffer.from("foobar").toString("base64") } })]);
    await cli(flint, ["dynamodb", "delete-item", "--table-name", table, "--key", item({ pk: { S: "a" } })]);
    // Expired a minute ago: the TTL sweeper deletes it, as the service.
    const expires = String(Math.floor(Date.now() / 1000) - 60);
    await cli(flint, ["dynamodb", "put-item", "--table-name", table, "--item", item({ pk: { S: "c" }, expires: { N: expires } })]);

    await fn.until((r) => delivered(r).length >= 7, "seven records", 120_000);
    const records = delivered(fn.reports);
    assert.equal(records.length, 7, JSON.stringify(records.map((r) => `${r.eventName} ${r.dynamodb.Keys.pk!.S}`)));
    // One shard: every record in stream order, each once.
    const seqs = records.map((r) => r.dynamodb.SequenceNumber);
    assert.deepEqual(seqs, [...seqs].sort(bySequence));
    assert.equal(new Set(seqs).size, 7);

    for (const r of records) {
      assert.deepEqual(Object.keys(r), ["eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb", ...(r.userIdentity ? ["userIdentity"] : []), "eventSourceARN"]);
      assert.match(r.eventID, /^[0-9a-f]{32}$/);
      assert.equal(r.eventVersion, "1.1");
      assert.equal(r.eventSource, "aws:dynamodb");
      assert.equal(r.awsRegion, REGION);
      assert.equal(r.eventSourceARN, streamArn);
      assert.equal(r.dynamodb.StreamViewType, "NEW_AND_OLD_IMAGES");
      assert.ok(Number.isInteger(r.dynamodb.ApproximateCreationDateTime) && String(r.dynamodb.ApproximateCreationDateTime).length === 10, String(r.dynamodb.ApproximateCreationDateTime));
      assert.ok(r.dynamodb.SizeBytes > 0);
    }
    const of = (pk: string) =>
      records
        .filter((r) => r.dynamodb.Keys.pk!.S === pk)
        .map(({ eventName, dynamodb: { Keys, NewImage, OldImage }, userIdentity }) => dropUndefined({ eventName, Keys, NewImage: NewImage && sortKeys(NewImage), OldImage: OldImage && sortKeys(OldImage), userIdentity }));
    assert.deepEqual(of("a"), [
      { eventName: "INSERT", Keys: { pk: { S: "a" } }, NewImage: { pk: { S: "a" }, v: { N: "1" } } },
      { eventName: "MODIFY", Keys: { pk: { S: "a" } }, NewImage: { note: { S: "hi" }, pk: { S: "a" }, v: { N: "2" } }, OldImage: { pk: { S: "a" }, v: { N: "1" } } },
      { eventName: "REMOVE", Keys: { pk: { S: "a" } }, OldImage: { note: { S: "hi" }, pk: { S: "a" }, v: { N: "2" } } },
    ]);
    assert.deepEqual(of("b").map((x) => x.eventName), ["INSERT", "MODIFY"]);
    assert.deepEqual(of("b")[0]!.NewImage, { pk: { S: "b" }, tags: { SS: ["x", "y"] } });
    assert.deepEqual(of("b")[1]!.OldImage, { pk: { S: "b" }, tags: { SS: ["x", "y"] } });
    assert.deepEqual(of("b")[1]!.NewImage, { bin: { B: "Zm9vYmFy" }, pk: { S: "b" } });
    const c = of("c");
    assert.deepEqual(c.map((x) => x.eventName), ["INSERT", "REMOVE"]);
    assert.equal(c[0]!.userIdentity, undefined);
    assert.deepEqual(c[1]!.userIdentity, { type: "Service", principalId: "dynamodb.amazonaws.com" });
    assert.deepEqual(c[1]!.OldImage, { expires: { N: expires }, pk: { S: "c" } });
    assert.equal((await cli(flint, ["lambda", "get-event-source-mapping", "--uuid", uuid])).LastProcessingResult, "OK");
    await other.until((r) => delivered(r).length >= 7, "the second function's seven records");
    assert.deepEqual(delivered(other.reports), records);
    assert.ok(other.reports.every((r) => r.records.length <= 2));
  });

  test("filters on the new image, and the on-failure record of a batch given up on (DDBStreamBatchInfo)", async () => {
    const table = uniqueName("ddb-esm");
    const streamArn = await streamTable(flint, table);
    const fn = await sinkFunction();
    const failures = await queue();
    const pattern = JSON.stringify({ dynamodb: { NewImage: { kind: { S: ["keep"] } } } });
    await mapWithCli(flint, [
      "--function-name", fn.name, "--event-source-arn", streamArn, "--starting-position", "TRIM_HORIZON", "--batch-size", "1",
      "--maximum-retry-attempts", "1", "--destination-config", JSON.stringify({ OnFailure: { Destination: failures.arn } }),
      "--filter-criteria", JSON.stringify({ Filters: [{ Pattern: pattern }] }),
    ]);
    const put = (o: Record<string, unknown>) => cli(flint, ["dynamodb", "put-item", "--table-name", table, "--item", JSON.stringify(o)]);
    await put({ pk: { S: "k1" }, kind: { S: "keep" } });
    await put({ pk: { S: "d1" }, kind: { S: "drop" } });
    await put({ pk: { S: "bad" }, kind: { S: "keep" }, fail: { BOOL: true } });
    await put({ pk: { S: "k2" }, kind: { S: "keep" } });
    await fn.until((r) => delivered(r).some((x) => x.dynamodb.Keys.pk!.S === "k2"), "the record after the failed one");
    const onFailure: string[] = [];
    await eventually(async () => {
      onFailure.push(...(await drainQueue(sqs, failures.url)));
      return onFailure.length >= 1;
    }, 60_000, "an on-failure record");
    const seen = delivered(fn.reports).map((x) => x.dynamodb.Keys.pk!.S);
    assert.deepEqual(seen, ["k1", "bad", "bad", "k2"], "d1 filtered out; bad tried twice (MaximumRetryAttempts 1)");
    const record = JSON.parse(onFailure[0]!);
    assert.deepEqual(Object.keys(record), ["requestContext", "responseContext", "version", "timestamp", "DDBStreamBatchInfo"]);
    assert.equal(record.requestContext.condition, "RetryAttemptsExhausted");
    assert.equal(record.requestContext.approximateInvokeCount, 2);
    assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" });
    const info = record.DDBStreamBatchInfo;
    assert.deepEqual(Object.keys(info), ["shardId", "startSequenceNumber", "endSequenceNumber", "approximateArrivalOfFirstRecord", "approximateArrivalOfLastRecord", "batchSize", "streamArn"]);
    const bad = delivered(fn.reports).find((x) => x.dynamodb.Keys.pk!.S === "bad")!;
    assert.equal(info.startSequenceNumber, bad.dynamodb.SequenceNumber);
    assert.equal(info.endSequenceNumber, bad.dynamodb.SequenceNumber);
    assert.equal(info.batchSize, 1);
    assert.equal(info.streamArn, streamArn);
    assert.match(info.approximateArrivalOfFirstRecord, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const described = await cli(flint, ["dynamodbstreams", "describe-stream", "--stream-arn", streamArn]);
    assert.equal(info.shardId, described.StreamDescription.Shards[0].ShardId);
    assert.equal(onFailure.length, 1);
  });

  test("a stream that does not exist, AT_TIMESTAMP, and a role that cannot read the stream are refused with AWS's errors", async () => {
    const fn = await sinkFunction();
    const missing = `arn:aws:dynamodb:${REGION}:000000000000:table/nope/stream/2025-02-22T03:03:25.490`;
    const out = await flint.aws(["lambda", "create-event-source-mapping", "--function-name", fn.name, "--event-source-arn", missing, "--starting-position", "TRIM_HORIZON"]);
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, new RegExp(`InvalidParameterValueException.*Stream not found: ${missing.replace(/[.]/g, "\\.")}`));
    const streamArn = await streamTable(flint, uniqueName("ddb-esm"));
    const at = await flint.aws(["lambda", "create-event-source-mapping", "--function-name", fn.name, "--event-source-arn", streamArn, "--starting-position", "AT_TIMESTAMP", "--starting-position-timestamp", "1700000000"]);
    assert.notEqual(at.code, 0);
    assert.match(at.stderr, /Unsupported starting position for arn type/);
    // The function's execution role must be able to read the stream (AWSLambdaDynamoDBExecutionRole's actions).
    const blindRole = await createExecutionRole(flint.endpoint, [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }], uniqueName("blind-role"));
    const blind = await createFunction(flint, zip, "esm-ddb-sink.handler", { Role: blindRole, Timeout: 30 });
    const refused = await flint.aws(["lambda", "create-event-source-mapping", "--function-name", blind, "--event-source-arn", streamArn, "--starting-position", "LATEST"]);
    assert.notEqual(refused.code, 0);
    assert.ok(
      refused.stderr.includes(`InvalidParameterValueException`) &&
        refused.stderr.includes(`Cannot access stream ${streamArn}. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.`),
      refused.stderr,
    );
  });
});

describe("DynamoDB stream mappings survive kill -9", () => {
  const ITEMS = 60;
  const VERSIONS = 5;
  const BATCH = 10;
  /** Batches that finish before the kill. */
  const FINISHED = 6;
  let dataDir: string;
  const servers: FlintProcess[] = [];
  let gate: Barrier | undefined;
  after(async () => {
    for (const s of servers) await s.stop({ cleanup: false }).catch(() => undefined);
    await gate?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test("items changed, the server killed while a batch is in flight and restarted: every change delivered, in order per item", async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "flint-ddb-esm-crash-"));
    const first = await startFlint({ dataDir });
    servers.push(first);
    let sqs = sdkClient(first.endpoint);
    const role = await createExecutionRole(first.endpoint, [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }], "ddb-crash-role", ["AWSLambdaDynamoDBExecutionRole"]);
    const sinkUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "ddb-crash-sink" }))).QueueUrl!;
    gate = await Barrier.create();
    gate.admit(FINISHED);
    const fn = await createFunction(first, await zipFixture("nodejs"), "esm-ddb-sink.handler", { Role: role, Timeout: 30, Environment: { Variables: { SINK_QUEUE_URL: sinkUrl, GATE_PORT: String(gate.port) } } });
    const streamArn = await streamTable(first, "ddb-crash");

    // Every change is written (and answered, so durable) before the mapping starts reading: each
    // item put, then updated VERSIONS - 1 times, the items interleaved.
    const ddb = new DynamoDBClient({ endpoint: first.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    for (let v = 1; v <= VERSIONS; v++) {
      await Promise.all(
        Array.from({ length: ITEMS }, (_, i) =>
          v === 1
            ? ddb.send(new PutItemCommand({ TableName: "ddb-crash", Item: { pk: { S: `item-${i}` }, v: { N: "1" } } }))
            : ddb.send(new UpdateItemCommand({ TableName: "ddb-crash", Key: { pk: { S: `item-${i}` } }, UpdateExpression: "SET v = :v", ExpressionAttributeValues: { ":v": { N: String(v) } } })),
        ),
      );
    }
    ddb.destroy();
    const { UUID } = await cli(first, ["lambda", "create-event-source-mapping", "--function-name", fn, "--event-source-arn", streamArn, "--starting-position", "TRIM_HORIZON", "--batch-size", String(BATCH)]);
    assert.ok(UUID);

    const reports: Report[] = [];
    const drain = async () => void reports.push(...(await drainQueue(sqs, sinkUrl)).map((b) => JSON.parse(b) as Report));
    const changes = () => new Set(reports.flatMap((r) => r.records.map((x) => `${x.dynamodb.Keys.pk!.S}@${x.dynamodb.NewImage!.v!.N}`)));
    // Kill once FINISHED batches have gone through and the next one is held in flight.
    await settlesWithin(gate.arrived(FINISHED + 1), "a batch held after the finished ones", 120_000);
    await drain();
    assert.ok(changes().size < ITEMS * VERSIONS, `killed before the end (${changes().size} changes seen)`);
    sqs.destroy();
    await first.kill9();
    const killedAt = Date.now();
    gate.release();

    const second = await startFlint({ dataDir });
    servers.push(second);
    sqs = sdkClient(second.endpoint);
    await eventually(async () => {
      await drain();
      return changes().size === ITEMS * VERSIONS;
    }, 180_000, "every change delivered after the restart").catch((err: Error) => {
      throw new Error(`${err.message}: ${changes().size} of ${ITEMS * VERSIONS}\n${second.output().slice(-3000)}`);
    });
    sqs.destroy();

    // Each server's run delivered the stream in order (one shard: batch after batch), so each item's
    // versions in order; the restart repeats at most the batch that was in flight.
    const before = reports.filter((r) => r.startedAt < killedAt);
    const afterKill = reports.filter((r) => r.startedAt >= killedAt);
    for (const run of [before, afterKill]) {
      const records = delivered(run);
      const seqs = records.map((r) => r.dynamodb.SequenceNumber);
      assert.deepEqual(seqs, [...seqs].sort(bySequence), "stream order within a run");
      for (let i = 0; i < ITEMS; i++) {
        const versions = records.filter((r) => r.dynamodb.Keys.pk!.S === `item-${i}`).map((r) => Number(r.dynamodb.NewImage!.v!.N));
        assert.deepEqual(versions, [...versions].sort((a, b) => a - b), `item-${i}`);
      }
    }
    const all = reports.flatMap((r) => r.records);
    assert.ok(all.length - ITEMS * VERSIONS <= BATCH, `${all.length - ITEMS * VERSIONS} changes repeated (in flight at most ${BATCH})`);
    for (const r of all) assert.equal(r.eventName, r.dynamodb.NewImage!.v!.N === "1" ? "INSERT" : "MODIFY");
  });
});

describe("DynamoDB stream mappings in a cluster", () => {
  const ITEMS = 20;
  const BATCH = 10;
  let cluster: Cluster | undefined;
  after(async () => cluster?.stop());

  test("changes written through either node reach the function in stream order; when the node polling the mapping is killed, the other takes it over", async () => {
    cluster = await startCluster(2);
    const [a, b] = cluster.nodes as [FlintProcess, FlintProcess];
    const sqsA = sdkClient(a.endpoint);
    const role = await createExecutionRole(a.endpoint, [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }], uniqueName("ddb-cluster-role"), ["AWSLambdaDynamoDBExecutionRole"]);
    const sinkUrl = (await sqsA.send(new CreateQueueCommand({ QueueName: uniqueName("ddb-cluster-sink") }))).QueueUrl!;
    sqsA.destroy();
    const fn = await createFunction(a, await zipFixture("nodejs"), "esm-ddb-sink.handler", { Role: role, Timeout: 30, Environment: { Variables: { SINK_QUEUE_URL: sinkUrl } } });
    const table = uniqueName("ddb-cluster");
    const streamArn = await streamTable(a, table);
    const { UUID } = await cli(a, ["lambda", "create-event-source-mapping", "--function-name", fn, "--event-source-arn", streamArn, "--starting-position", "TRIM_HORIZON", "--batch-size", String(BATCH)]);

    // Version v of each item, written through the nodes in turn (an item's versions one after another).
    const write = async (nodes: FlintProcess[], v: number) => {
      const clients = nodes.map((n) => new DynamoDBClient({ endpoint: n.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 }));
      try {
        await Promise.all(Array.from({ length: ITEMS }, (_, i) => clients[(i + v) % clients.length]!.send(new PutItemCommand({ TableName: table, Item: { pk: { S: `item-${i}` }, v: { N: String(v) } } }))));
      } finally {
        for (const c of clients) c.destroy();
      }
    };
    const reports: Report[] = [];
    const drain = async (node: FlintProcess) => {
      const sqs = sdkClient(node.endpoint);
      try {
        reports.push(...(await drainQueue(sqs, sinkUrl)).map((body) => JSON.parse(body) as Report));
      } finally {
        sqs.destroy();
      }
    };
    const changes = () => new Set(reports.flatMap((r) => r.records.map((x) => `${x.dynamodb.Keys.pk!.S}@${x.dynamodb.NewImage!.v!.N}`)));
    for (let v = 1; v <= 3; v++) await write([a, b], v);
    await eventually(async () => (await drain(a), changes().size === ITEMS * 3), PATIENCE_MS, "the changes written through both nodes");

    // The node polling the mapping (holding its lease) dies; the other takes the mapping over.
    const db = new pg.Client({ connectionString: cluster.url });
    await db.connect();
    const holder = ((await db.query("SELECT holder FROM leases WHERE name = $1", [`mapping:${UUID}`])).rows as { holder: string }[])[0]?.holder;
    await db.end();
    const ids = await Promise.all(cluster.nodes.map((n) => cluster!.nodeIdOf(n)));
    const victim = cluster.nodes[ids.indexOf(holder ?? "")];
    assert.ok(victim, `the lease holder ${holder} is one of ${ids.join(", ")}`);
    const survivor = cluster.nodes.find((n) => n !== victim)!;
    await victim.kill9();
    const killedAt = Date.now();
    for (let v = 4; v <= 5; v++) await write([survivor], v);
    await eventually(async () => (await drain(survivor), changes().size === ITEMS * 5), 4 * PATIENCE_MS, "the changes after the death, through the survivor").catch((err: Error) => {
      throw new Error(`${err.message}: ${changes().size} of ${ITEMS * 5}\n${survivor.output().slice(-3000)}`);
    });

    for (const run of [reports.filter((r) => r.startedAt < killedAt), reports.filter((r) => r.startedAt >= killedAt)]) {
      const seqs = delivered(run).map((r) => r.dynamodb.SequenceNumber);
      assert.deepEqual(seqs, [...seqs].sort(bySequence), "stream order within each node's run");
    }
    for (let i = 0; i < ITEMS; i++) {
      const firsts = [...new Set(delivered(reports).filter((r) => r.dynamodb.Keys.pk!.S === `item-${i}`).map((r) => Number(r.dynamodb.NewImage!.v!.N)))];
      assert.deepEqual(firsts, [1, 2, 3, 4, 5], `item-${i}`);
    }
    const repeated = reports.flatMap((r) => r.records).length - ITEMS * 5;
    assert.ok(repeated <= BATCH, `${repeated} changes repeated (a batch at most: its checkpoint may not have been stored)`);
  });
});

function sortKeys<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as T;
}

function dropUndefined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
