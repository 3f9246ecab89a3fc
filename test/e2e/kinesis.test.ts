/**
 * The Kinesis-compatible service through real clients against a real `flint serve`: the tutorial
 * flow with the AWS CLI v2 and v1, @aws-sdk/client-kinesis (records spread over 4 shards by hash, in
 * order within each), boto3, the JSON 1.1 error shape, and records that survive kill -9.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  ResourceNotFoundException,
  waitUntilStreamExists,
  type _Record,
} from "@aws-sdk/client-kinesis";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { ACCOUNT, AWS_CLI_V2, REGION, runCli, startFlint, TEST_CREDENTIALS, type FlintProcess, uniqueName } from "../harness/flint.js";
import { signedFetch } from "../harness/signed-fetch.js";
import { boto3Version, findAwsCliV1 } from "../harness/sqs-clients.js";

const arnOf = (name: string) => `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}`;
const md5 = (s: string) => BigInt(`0x${createHash("md5").update(s).digest("hex")}`);

/** The SDK as a user configures it: its default handler talks HTTP/2 (cleartext, prior knowledge) to an http:// endpoint. */
const sdk = (endpoint: string, credentials = TEST_CREDENTIALS) => new KinesisClient({ endpoint, region: REGION, credentials, maxAttempts: 1 });

/** Every record of a shard from TRIM_HORIZON, following NextShardIterator until a page is empty. */
async function readAll(kinesis: KinesisClient, StreamName: string, ShardId: string): Promise<_Record[]> {
  let it = (await kinesis.send(new GetShardIteratorCommand({ StreamName, ShardId, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
  const out: _Record[] = [];
  for (;;) {
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10000 }));
    if (!page.Records?.length) return out;
    out.push(...page.Records);
    it = page.NextShardIterator;
  }
}

const v1 = findAwsCliV1();
const boto3 = boto3Version();

describe("Kinesis", () => {
  let flint: FlintProcess;
  let kinesis: KinesisClient;
  before(async () => {
    flint = await startFlint({ args: ["--spares", "0"] });
    kinesis = sdk(flint.endpoint);
    // What the tests below prove: the client's own default, HTTP/2, served on the one listener.
    assert.equal((kinesis.config.requestHandler as object).constructor.name, "NodeHttp2Handler");
  });
  after(async () => {
    kinesis.destroy();
    await flint.stop();
  });

  for (const [label, cli, skip, dataArgs] of [
    // CLI v2 sends --data as base64 by default; v1 sends the text's bytes.
    ["AWS CLI v2", AWS_CLI_V2, undefined, (text: string) => Buffer.from(text).toString("base64")],
    ["AWS CLI v1", v1.path ?? "", v1.reason, (text: string) => text],
  ] as const) {
    test(`${label}: the tutorial flow (create, wait, describe, put, read, delete)`, { skip }, async () => {
      const run = async (args: string[]) => {
        const r = await runCli(cli, flint.endpoint, ["kinesis", ...args]);
        assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
        return r.stdout.trim() ? r.json() : {};
      };
      const name = uniqueName("tutorial");
      await run(["create-stream", "--stream-name", name, "--shard-count", "1"]);
      await run(["wait", "stream-exists", "--stream-name", name]);
      const described = (await run(["describe-stream", "--stream-name", name])).StreamDescription;
      assert.equal(described.StreamStatus, "ACTIVE");
      assert.equal(described.StreamARN, arnOf(name));
      assert.equal(described.Shards.length, 1);
      const put = await run(["put-record", "--stream-name", name, "--partition-key", "1", "--data", dataArgs("Hello, this is a test.")]);
      assert.equal(put.ShardId, "shardId-000000000000");
      assert.match(put.SequenceNumber, /^\d{56}$/);
      const summary = (await run(["describe-stream-summary", "--stream-arn", described.StreamARN])).StreamDescriptionSummary;
      assert.equal(summary.OpenShardCount, 1);
      const { ShardIterator } = await run(["get-shard-iterator", "--stream-name", name, "--shard-id", "shardId-000000000000", "--shard-iterator-type", "TRIM_HORIZON"]);
      const got = await run(["get-records", "--shard-iterator", ShardIterator]);
      assert.equal(got.Records.length, 1);
      assert.equal(Buffer.from(got.Records[0].Data, "base64").toString(), "Hello, this is a test.");
      assert.equal(got.Records[0].PartitionKey, "1");
      assert.equal(got.Records[0].SequenceNumber, put.SequenceNumber);
      assert.equal(got.MillisBehindLatest, 0);
      assert.ok((await run(["list-streams"])).StreamNames.includes(name));
      await run(["delete-stream", "--stream-name", name]);
      const gone = await runCli(cli, flint.endpoint, ["kinesis", "describe-stream", "--stream-name", name]);
      assert.notEqual(gone.code, 0);
      assert.match(gone.stderr, new RegExp(`An error occurred \\(ResourceNotFoundException\\) when calling the DescribeStream operation: Stream ${name} under account ${ACCOUNT} not found\\.`));
    });
  }

  test("@aws-sdk/client-kinesis: 4 shards, records spread by their keys' hashes and in order within each shard", async () => {
    const StreamName = uniqueName("sdk");
    await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 4 }));
    await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30, minDelay: 1 }, { StreamName });
    const { Shards } = await kinesis.send(new ListShardsCommand({ StreamARN: arnOf(StreamName) }));
    assert.equal(Shards!.length, 4);
    const shardOf = (key: string) => Shards!.find((s) => BigInt(s.HashKeyRange!.StartingHashKey!) <= md5(key) && md5(key) <= BigInt(s.HashKeyRange!.EndingHashKey!))!.ShardId!;

    const sent: { key: string; body: string }[] = [];
    for (let batch = 0; batch < 3; batch++) {
      const entries = Array.from({ length: 100 }, (_, i) => ({ key: `user-${i % 37}`, body: `b${batch}-r${i}` }));
      const r = await kinesis.send(new PutRecordsCommand({ StreamARN: arnOf(StreamName), Records: entries.map((e) => ({ PartitionKey: e.key, Data: Buffer.from(e.body) })) }));
      assert.equal(r.FailedRecordCount, 0);
      r.Records!.forEach((rec, i) => assert.equal(rec.ShardId, shardOf(entries[i]!.key)));
      sent.push(...entries);
    }
    const one = await kinesis.send(new PutRecordCommand({ StreamName, PartitionKey: "last", Data: Buffer.from("last") }));
    sent.push({ key: "last", body: "last" });
    assert.equal(one.ShardId, shardOf("last"));

    let total = 0;
    for (const shard of Shards!) {
      const records = await readAll(kinesis, StreamName, shard.ShardId!);
      const expected = sent.filter((e) => shardOf(e.key) === shard.ShardId).map((e) => e.body);
      assert.ok(expected.length > 0, `${shard.ShardId} got records`);
      assert.deepEqual(records.map((r) => Buffer.from(r.Data!).toString()), expected, `${shard.ShardId} in send order`);
      const seqs = records.map((r) => r.SequenceNumber!);
      assert.deepEqual([...seqs].sort(), seqs);
      assert.ok(records.every((r) => r.ApproximateArrivalTimestamp instanceof Date));
      total += records.length;
    }
    assert.equal(total, sent.length);

    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: arnOf(StreamName) }));
    assert.equal(summary.StreamDescriptionSummary!.OpenShardCount, 4);
    await kinesis.send(new DeleteStreamCommand({ StreamARN: arnOf(StreamName) }));
    await assert.rejects(kinesis.send(new DescribeStreamSummaryCommand({ StreamName })), (err: unknown) => err instanceof ResourceNotFoundException);
  });

  test("boto3 (explicit endpoint_url): create, wait, put, read", { skip: boto3 ? false : "/usr/bin/python3 cannot import boto3" }, async () => {
    const name = uniqueName("boto3");
    const script = `
import boto3, json, sys
k = boto3.client("kinesis", endpoint_url=sys.argv[1], region_name="${REGION}", aws_access_key_id="${TEST_CREDENTIALS.accessKeyId}", aws_secret_access_key="${TEST_CREDENTIALS.secretAccessKey}")
name = sys.argv[2]
k.create_stream(StreamName=name, ShardCount=2)
k.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
# Debian's botocore 1.29 predates StreamARN parameters: streams are named by StreamName.
arn = k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
put = k.put_record(StreamName=name, PartitionKey="pk", Data=b"from boto3")
it = k.get_shard_iterator(StreamName=name, ShardId=put["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=put["SequenceNumber"])["ShardIterator"]
recs = k.get_records(ShardIterator=it)["Records"]
try:
    k.describe_stream(StreamName=name + "-missing")
    err = None
except k.exceptions.ResourceNotFoundException as e:
    err = e.response["Error"]["Message"]
print(json.dumps({"arn": arn, "data": [r["Data"].decode() for r in recs], "err": err}))
`;
    const out = await new Promise<string>((resolve, reject) =>
      execFile("/usr/bin/python3", ["-c", script, flint.endpoint, name], { env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_CONFIG_FILE: "/nonexistent", AWS_EC2_METADATA_DISABLED: "true" } }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    assert.deepEqual(JSON.parse(out), { arn: arnOf(name), data: ["from boto3"], err: `Stream ${name}-missing under account ${ACCOUNT} not found.` });
  });

  test("a user may do to a stream only what its policy allows (kinesis:<Op> on the stream's ARN)", async () => {
    const [allowed, other] = [uniqueName("allowed"), uniqueName("other")];
    for (const StreamName of [allowed, other]) await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
    for (const StreamName of [allowed, other]) await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30, minDelay: 1 }, { StreamName });
    const iam = new IAMClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    const UserName = uniqueName("writer");
    let user: KinesisClient;
    try {
      await iam.send(new CreateUserCommand({ UserName }));
      const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["kinesis:PutRecord", "kinesis:DescribeStreamSummary"], Resource: arnOf(allowed) }] };
      await iam.send(new PutUserPolicyCommand({ UserName, PolicyName: "writer", PolicyDocument: JSON.stringify(policy) }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName }));
      user = sdk(flint.endpoint, { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
    } finally {
      iam.destroy();
    }
    try {
      await user.send(new PutRecordCommand({ StreamName: allowed, PartitionKey: "k", Data: Buffer.from("ok") }));
      await user.send(new DescribeStreamSummaryCommand({ StreamARN: arnOf(allowed) }));
      const denied = (p: Promise<unknown>, action: string, resource: string) =>
        assert.rejects(p, (err: Error) => err.name === "AccessDeniedException" && err.message.includes(`kinesis:${action} on resource: ${resource}`));
      await denied(user.send(new PutRecordCommand({ StreamName: other, PartitionKey: "k", Data: Buffer.from("no") })), "PutRecord", arnOf(other));
      await denied(user.send(new GetShardIteratorCommand({ StreamName: allowed, ShardId: "shardId-000000000000", ShardIteratorType: "LATEST" })), "GetShardIterator", arnOf(allowed));
      await denied(user.send(new ListShardsCommand({ StreamName: allowed })), "ListShards", arnOf(allowed));
    } finally {
      user.destroy();
    }
  });

  test("errors have JSON 1.1's shape: unknown operation, bad JSON, validation", async () => {
    const send = (target: string, body: string) =>
      signedFetch(flint.endpoint, { method: "POST", path: "/", service: "kinesis", body, headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target } });
    const unknown = await send("Kinesis_20131202.Bogus", "{}");
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, { __type: "UnknownOperationException", message: "Unknown operation Bogus" });
    const bad = await send("Kinesis_20131202.ListStreams", "{not json");
    assert.equal(bad.status, 400);
    assert.equal(bad.body.__type, "SerializationException");
    const invalid = await send("Kinesis_20131202.CreateStream", JSON.stringify({ StreamName: "x", ShardCount: 0 }));
    assert.equal(invalid.headers.get("content-type"), "application/x-amz-json-1.1");
    assert.deepEqual(invalid.body, {
      __type: "ValidationException",
      message: "1 validation error detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1",
    });
  });
});

describe("Kinesis records survive kill -9", () => {
  let dataDir: string;
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  test("every record of answered PutRecords is read from TRIM_HORIZON after the server is killed and restarted", async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "flint-kinesis-crash-"));
    const first = await startFlint({ dataDir, args: ["--spares", "0"] });
    const StreamName = uniqueName("durable");
    let client = sdk(first.endpoint);
    const acknowledged = new Map<string, string>();
    try {
      await client.send(new CreateStreamCommand({ StreamName, ShardCount: 2 }));
      await waitUntilStreamExists({ client, maxWaitTime: 30, minDelay: 1 }, { StreamName });
      // 8 clients at once, 500 records each; every answer is recorded before the kill.
      await Promise.all(
        Array.from({ length: 8 }, async (_, c) => {
          const Records = Array.from({ length: 500 }, (_, i) => ({ PartitionKey: `c${c}-${i}`, Data: Buffer.from(`c${c}-${i}`) }));
          const r = await client.send(new PutRecordsCommand({ StreamName, Records }));
          assert.equal(r.FailedRecordCount, 0);
          r.Records!.forEach((rec, i) => acknowledged.set(rec.SequenceNumber!, `c${c}-${i}`));
        }),
      );
    } finally {
      client.destroy();
    }
    await first.kill9();

    const second = await startFlint({ dataDir, args: ["--spares", "0"] });
    client = sdk(second.endpoint);
    try {
      const found = new Map<string, string>();
      for (const ShardId of ["shardId-000000000000", "shardId-000000000001"]) {
        for (const r of await readAll(client, StreamName, ShardId)) found.set(r.SequenceNumber!, Buffer.from(r.Data!).toString());
      }
      assert.equal(acknowledged.size, 4000);
      assert.deepEqual(found, acknowledged);
    } finally {
      client.destroy();
      await second.stop({ cleanup: false });
    }
  });
});
