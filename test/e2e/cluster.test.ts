/**
 * Cluster mode end to end: three real `flint serve` nodes on one PostgreSQL database started by the
 * test run (scripts/postgres.mjs), driven with the AWS CLI v2 and the SDK v3 the way a user would.
 * Any node answers any call; concurrency limits hold across nodes; and when a node is `kill -9`ed,
 * the survivors take over its leased work (async events, SQS messages, event source mappings) so
 * that every accepted event or message reaches an end, with duplicates bounded by what the dead node
 * had in flight, and the restarted node rejoins without redoing finished work.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { InvokeCommand, LambdaClient, PutFunctionEventInvokeConfigCommand, CreateEventSourceMappingCommand, waitUntilFunctionActiveV2 } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient, type DeleteMessageBatchCommandOutput, type Message } from "@aws-sdk/client-sqs";
import { CreateStreamCommand, KinesisClient, PutRecordCommand, waitUntilStreamExists } from "@aws-sdk/client-kinesis";
import pg from "pg";
import { LAMBDA_TRUST_POLICY, REGION, ROLE, TEST_CREDENTIALS, runAwsCli, uniqueName, type FlintProcess } from "../harness/flint.js";
import { startCluster, type Cluster } from "../harness/cluster.js";
import { createFunction, WAITER } from "../harness/functions.js";
import { Barrier, invokeInParallel, type Settled } from "../harness/parallel.js";
import { createExecutionRole } from "../harness/permissions.js";
import { PATIENCE_MS, eventually } from "../harness/processes.js";
import { zipFixture } from "../harness/zip.js";

const ACCOUNT = "000000000000";
const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;

async function cli(node: FlintProcess, ...args: string[]): Promise<any> {
  const r = await runAwsCli(node.endpoint, args);
  assert.equal(r.code, 0, `aws ${args.join(" ")} on ${node.endpoint}\n${r.stderr}`);
  return r.stdout.trim() ? r.json() : {};
}

const sqsOf = (node: FlintProcess) => new SQSClient({ endpoint: node.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });

/**
 * Receive up to 10 messages at a time from `queueUrl` through `node` (long polling `waitTimeSeconds`
 * if given), hand each batch to `received`, delete it in one batch and hand the outcome to `deleted`;
 * until a receive comes back empty (`until: "empty"`), or else until `until()` says to stop, an empty
 * receive then just polling again.
 */
async function receiveThenDelete(
  node: FlintProcess,
  queueUrl: string,
  opts: { until: "empty" | (() => boolean); waitTimeSeconds?: number; received: (messages: Message[]) => void; deleted?: (out: DeleteMessageBatchCommandOutput, messages: Message[]) => void },
): Promise<void> {
  const client = sqsOf(node);
  try {
    while (opts.until === "empty" || !opts.until()) {
      const out = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, ...(opts.waitTimeSeconds === undefined ? {} : { WaitTimeSeconds: opts.waitTimeSeconds }) }));
      const messages = out.Messages ?? [];
      opts.received(messages);
      if (messages.length === 0) {
        if (opts.until === "empty") return;
        continue;
      }
      const del = await client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      opts.deleted?.(del, messages);
    }
  } finally {
    client.destroy();
  }
}

describe("a three-node cluster on one PostgreSQL database", () => {
  let cluster: Cluster;
  let zip: Buffer;
  let dir: string;
  before(async () => {
    cluster = await startCluster(3);
    zip = await zipFixture("nodejs");
    dir = await mkdtemp(path.join(tmpdir(), "flint-cluster-"));
  });
  after(async () => {
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("the AWS CLI creates on one node and every other node answers with it at once", async () => {
    const [a, b, c] = cluster.nodes as [FlintProcess, FlintProcess, FlintProcess];
    const zipFile = path.join(dir, "fn.zip");
    await writeFile(zipFile, zip);
    const name = uniqueName("cluster-env");
    await cli(a, "lambda", "create-function", "--function-name", name, "--runtime", "nodejs20.x", "--handler", "env.handler", "--role", ROLE, "--zip-file", `fileb://${zipFile}`, "--environment", "Variables={COLOUR=red}");
    await cli(b, "lambda", "wait", "function-active-v2", "--function-name", name);
    // Node B never saw the upload: it runs the code from the shared store.
    const invokeOn = async (node: FlintProcess) => {
      const out = path.join(dir, `${uniqueName("out")}.json`);
      const meta = await cli(node, "lambda", "invoke", "--function-name", name, "--payload", "{}", "--cli-binary-format", "raw-in-base64-out", out);
      assert.equal(meta.StatusCode, 200);
      assert.equal(meta.FunctionError, undefined);
      return JSON.parse(await import("node:fs/promises").then((fs) => fs.readFile(out, "utf8"))) as { env: Record<string, string> };
    };
    assert.equal((await invokeOn(b)).env.COLOUR, "red");
    assert.equal((await invokeOn(c)).env.COLOUR, "red");

    // An update on one node is what the next request on another sees.
    await cli(c, "lambda", "update-function-configuration", "--function-name", name, "--environment", "Variables={COLOUR=blue}");
    await cli(a, "lambda", "wait", "function-updated-v2", "--function-name", name);
    assert.equal((await cli(b, "lambda", "get-function-configuration", "--function-name", name)).Environment.Variables.COLOUR, "blue");
    assert.equal((await invokeOn(a)).env.COLOUR, "blue");
    assert.equal((await invokeOn(b)).env.COLOUR, "blue");

    // Versions, aliases and policies, made on different nodes, read back from a third.
    const v = await cli(a, "lambda", "publish-version", "--function-name", name);
    await cli(b, "lambda", "create-alias", "--function-name", name, "--name", "live", "--function-version", v.Version);
    await cli(c, "lambda", "add-permission", "--function-name", name, "--statement-id", "s3", "--action", "lambda:InvokeFunction", "--principal", "s3.amazonaws.com");
    assert.equal((await cli(a, "lambda", "get-alias", "--function-name", name, "--name", "live")).FunctionVersion, v.Version);
    assert.equal(JSON.parse((await cli(b, "lambda", "get-policy", "--function-name", name)).Policy).Statement[0].Sid, "s3");

    // A queue made on B, written on C, read on A by a long poll that was already waiting.
    const q = uniqueName("cluster-q");
    const url = (await cli(b, "sqs", "create-queue", "--queue-name", q)).QueueUrl as string;
    const waiting = cli(a, "sqs", "receive-message", "--queue-url", url, "--wait-time-seconds", "20");
    await new Promise((r) => setTimeout(r, 1500));
    const started = Date.now();
    await cli(c, "sqs", "send-message", "--queue-url", url, "--message-body", "hello from C");
    const got = await waiting;
    assert.equal(got.Messages?.[0]?.Body, "hello from C");
    assert.ok(Date.now() - started < 15_000, "the long poll on A woke on C's send, well before its 20 s wait");

    // IAM entities are shared too.
    const role = uniqueName("cluster-role");
    await cli(c, "iam", "create-role", "--role-name", role, "--assume-role-policy-document", LAMBDA_TRUST_POLICY);
    assert.equal((await cli(a, "iam", "get-role", "--role-name", role)).Role.RoleName, role);
    await cli(b, "lambda", "delete-function", "--function-name", name);
    const gone = await runAwsCli(c.endpoint, ["lambda", "get-function", "--function-name", name]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /ResourceNotFoundException/);
  });

  test("reserved concurrency K holds across nodes: of N invokes spread over three nodes, exactly K execute", async () => {
    const [K, perNode] = [3, 4];
    const [a] = cluster.nodes as [FlintProcess];
    const name = await createFunction(a, zip, "hold.handler");
    await cli(a, "lambda", "put-function-concurrency", "--function-name", name, "--reserved-concurrent-executions", String(K));
    const barrier = await Barrier.create();
    try {
      const runs = cluster.nodes.map((node) => invokeInParallel(node.endpoint, perNode, { FunctionName: name, payload: { port: barrier.port } }));
      const settled = () => runs.flatMap((r) => r.settled);
      const N = perNode * cluster.nodes.length;
      await eventually(() => barrier.arrivals.length + settled().filter((s) => s.code !== undefined).length >= N, PATIENCE_MS, `${N} invokes executing or refused`);
      // Hold a moment longer: nothing more may start while K are executing.
      await new Promise((r) => setTimeout(r, 500));
      const executing = barrier.arrivals.length;
      barrier.release();
      const outcomes: Settled[] = (await Promise.all(runs.map((r) => r.all))).flat();
      assert.equal(executing, K);
      assert.equal(outcomes.filter((s) => s.status === 200 && s.code === undefined).length, K);
      assert.equal(outcomes.filter((s) => s.status === 429 && s.reason === "ReservedFunctionConcurrentInvocationLimitExceeded").length, N - K);
    } finally {
      await barrier.close();
    }
  });
});

describe("a node killed with -9 hands its work to the survivors", () => {
  let cluster: Cluster;
  before(async () => void (cluster = await startCluster(3)));
  after(() => cluster?.stop());

  test("2,000 async events, 5,000 SQS messages, an SQS mapping and a Kinesis mapping all reach their ends; the restarted node duplicates nothing", async () => {
    const [a] = cluster.nodes as [FlintProcess];
    const zip = await zipFixture("nodejs");
    const sqsA = sqsOf(a);
    const lambdaA = a.lambda;
    const kinesis = new KinesisClient({ endpoint: a.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    const clients: { destroy(): void }[] = [sqsA, kinesis];
    try {
      const queue = async (name: string, attributes: Record<string, string> = {}) => (await sqsA.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
      // Async events: each success lands on the `done` queue (an OnSuccess destination).
      const done = uniqueName("done");
      const doneUrl = await queue(done);
      const echo = await createFunction(a, zip, "echo.handler", { Timeout: 30 });
      await lambdaA.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: echo, MaximumRetryAttempts: 2, DestinationConfig: { OnSuccess: { Destination: queueArn(done) } } }));
      // Two mappings into one sink function that reports each batch to `sink`.
      const role = await createExecutionRole(a.endpoint, [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }], uniqueName("esm-role"), ["AWSLambdaKinesisExecutionRole", "AWSLambdaSQSQueueExecutionRole"]);
      const sink = uniqueName("sink");
      const sinkUrl = await queue(sink);
      const sinkFn = await createFunction(a, zip, "esm-sink.handler", { Role: role, Timeout: 30, Environment: { Variables: { SINK_QUEUE_URL: sinkUrl } } });
      const src = uniqueName("src");
      const srcUrl = await queue(src, { VisibilityTimeout: "60" });
      const stream = uniqueName("stream");
      await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
      await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30, minDelay: 0.1, maxDelay: 0.5 }, { StreamName: stream });
      const kinesisMapping = await lambdaA.send(new CreateEventSourceMappingCommand({ FunctionName: sinkFn, EventSourceArn: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${stream}`, StartingPosition: "TRIM_HORIZON", BatchSize: 10 }));
      await lambdaA.send(new CreateEventSourceMappingCommand({ FunctionName: sinkFn, EventSourceArn: queueArn(src), BatchSize: 10 }));
      // The work queue: 5,000 messages, consumed by one SDK consumer per node.
      const workUrl = await queue(uniqueName("work"), { VisibilityTimeout: "5" });
      for (let i = 0; i < 500; i++) {
        const node = cluster.nodes[i % 3]!;
        const client = sqsOf(node);
        const out = await client.send(new SendMessageBatchCommand({ QueueUrl: workUrl, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: String(j), MessageBody: `w${i * 10 + j}` })) }));
        client.destroy();
        assert.equal(out.Successful?.length, 10);
      }

      // The victim: the node holding the Kinesis mapping's lease (so the mapping must move).
      const db = new pg.Client({ connectionString: cluster.url });
      await db.connect();
      let holder = "";
      await eventually(async () => {
        const rows = (await db.query("SELECT holder FROM leases WHERE name = $1", [`mapping:${kinesisMapping.UUID}`])).rows as { holder: string }[];
        holder = rows[0]?.holder ?? "";
        return holder !== "";
      }, PATIENCE_MS, "the Kinesis mapping leased to a node");
      await db.end();
      const ids = await Promise.all(cluster.nodes.map((n) => cluster.nodeIdOf(n)));
      const victim = cluster.nodes[ids.indexOf(holder)]!;
      assert.ok(victim, `the lease holder ${holder} is one of ${ids.join(", ")}`);
      const survivors = cluster.nodes.filter((n) => n !== victim);

      // Records before the death, through the survivors.
      const sinkSeen = new Set<string>();
      const drainSink = (node: FlintProcess) =>
        receiveThenDelete(node, sinkUrl, {
          until: "empty",
          received: (messages) => {
            for (const m of messages) for (const r of (JSON.parse(m.Body!) as { records: { text: string }[] }).records) sinkSeen.add(r.text);
          },
        });
      const putStream = async (node: FlintProcess, text: string) => {
        const k = new KinesisClient({ endpoint: node.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
        await k.send(new PutRecordCommand({ StreamName: stream, PartitionKey: text, Data: Buffer.from(text) }));
        k.destroy();
      };
      const sendSrc = async (node: FlintProcess, text: string) => {
        const s = sqsOf(node);
        await s.send(new SendMessageBatchCommand({ QueueUrl: srcUrl, Entries: [{ Id: "0", MessageBody: text }] }));
        s.destroy();
      };
      await putStream(survivors[0]!, "kinesis-before");
      await sendSrc(survivors[1]!, "sqs-before");
      await eventually(async () => (await drainSink(survivors[0]!), sinkSeen.has("kinesis-before") && sinkSeen.has("sqs-before")), PATIENCE_MS, "both mappings delivered before the death");

      // 2,000 Event invokes spread over the three nodes (32 at a time); the victim dies once they are accepted.
      const accepted: string[] = [];
      const lambdas = cluster.nodes.map((n) => new LambdaClient({ endpoint: n.endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 }));
      clients.push(...lambdas);
      let next = 0;
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next < 2000) {
            const i = next++;
            const out = await lambdas[i % 3]!.send(new InvokeCommand({ FunctionName: echo, InvocationType: "Event", Payload: Buffer.from(JSON.stringify({ i })) }));
            assert.equal(out.StatusCode, 202);
            accepted.push(out.$metadata.requestId!);
          }
        }),
      );

      // Consumers on every node; the victim's stops at its death, with what it had received and not deleted.
      const deletions = new Map<string, number>();
      const inFlightOnVictim = new Set<string>();
      let stopConsumers = false;
      const consume = async (node: FlintProcess) => {
        try {
          await receiveThenDelete(node, workUrl, {
            until: () => stopConsumers,
            waitTimeSeconds: 1,
            received: (messages) => {
              if (node === victim) for (const m of messages) inFlightOnVictim.add(m.Body!);
            },
            deleted: (del, messages) => {
              for (const ok of del.Successful ?? []) {
                const body = messages[Number(ok.Id)]!.Body!;
                deletions.set(body, (deletions.get(body) ?? 0) + 1);
                inFlightOnVictim.delete(body);
              }
            },
          });
        } catch (err) {
          if (node !== victim) throw err;
        }
      };
      const consumers = cluster.nodes.map((n) => consume(n));
      await eventually(() => deletions.size >= 1000, PATIENCE_MS, "a thousand work messages consumed");
      await victim.kill9();

      // After the death: new records through the survivors still reach the sink.
      await putStream(survivors[0]!, "kinesis-after");
      await sendSrc(survivors[1]!, "sqs-after");

      // Every accepted event ends on the survivors: its destination message arrives.
      const doneCount = new Map<string, number>();
      const drainDone = (node: FlintProcess) =>
        receiveThenDelete(node, doneUrl, {
          until: "empty",
          received: (messages) => {
            for (const m of messages) {
              const id = (JSON.parse(m.Body!) as { requestContext: { requestId: string } }).requestContext.requestId;
              doneCount.set(id, (doneCount.get(id) ?? 0) + 1);
            }
          },
        });
      const LONG = 4 * PATIENCE_MS;
      await eventually(async () => (await drainDone(survivors[0]!), accepted.every((id) => doneCount.has(id))), LONG, "every accepted async event delivered to its destination");
      // Every work message was deleted: by a survivor, or by the victim just before it died (a delete
      // that committed while its answer was lost leaves the message in flight on the victim as far as
      // this client knows, and gone from the queue).
      const queueEmpty = async () => {
        const client = sqsOf(survivors[0]!);
        try {
          const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: workUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"] }));
          return Object.values(Attributes ?? {}).every((n) => n === "0");
        } finally {
          client.destroy();
        }
      };
      const ended = () => Array.from({ length: 5000 }, (_, i) => `w${i}`).every((b) => deletions.has(b) || inFlightOnVictim.has(b));
      await eventually(async () => ended() && (await queueEmpty()), LONG, "every work message consumed");
      stopConsumers = true;
      await Promise.all(consumers);
      await eventually(async () => (await drainSink(survivors[0]!), sinkSeen.has("kinesis-after") && sinkSeen.has("sqs-after")), LONG, "both mappings delivered after the death");

      const asyncDuplicates = [...doneCount.values()].reduce((n, c) => n + c - 1, 0);
      const sqsDuplicates = [...deletions.values()].reduce((n, c) => n + c - 1, 0);
      console.log(`# async duplicates ${asyncDuplicates}; SQS duplicates ${sqsDuplicates} (victim had ${inFlightOnVictim.size} in flight)`);
      assert.equal(doneCount.size, 2000);
      // At most what the dead node was running: its async concurrency for the function (10).
      assert.ok(asyncDuplicates <= 10, `${asyncDuplicates} async duplicates`);
      assert.ok(sqsDuplicates <= inFlightOnVictim.size, `${sqsDuplicates} SQS duplicates, ${inFlightOnVictim.size} in flight on the victim`);

      // The dead node restarts on its data dir and rejoins: it answers, and redoes nothing.
      const back = await cluster.restart(victim);
      await waitUntilFunctionActiveV2({ client: back.lambda, ...WAITER }, { FunctionName: echo });
      const out = await back.lambda.send(new InvokeCommand({ FunctionName: echo, Payload: Buffer.from('{"back":true}') }));
      assert.deepEqual(JSON.parse(Buffer.from(out.Payload!).toString()), { back: true });
      await new Promise((r) => setTimeout(r, 3000));
      const before = [...doneCount.values()].reduce((a, b) => a + b, 0);
      await drainDone(back);
      assert.equal([...doneCount.values()].reduce((a, b) => a + b, 0), before, "no event ran again after the restart");
    } finally {
      for (const c of clients) c.destroy();
    }
  });
});
