/**
 * The AWS/Lambda metrics Flint publishes, read back through CloudWatch's API as a user would: a
 * known mix of invocations (unqualified, through a version, through an alias), function errors and
 * throttles gives exactly those Sums and SampleCounts in every dimension set AWS uses; Duration has
 * percentiles; a line a function prints in Embedded Metric Format becomes a metric.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, type Dimension } from "@aws-sdk/client-cloudwatch";
import { CreateAliasCommand, CreateEventSourceMappingCommand, InvokeCommand, PublishVersionCommand, PutFunctionConcurrencyCommand, waitUntilPublishedVersionActive } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { ACCOUNT, REGION, TEST_CREDENTIALS, startFlint, uniqueName, type FlintProcess } from "../harness/flint.js";
import { createFunction, invoke, WAITER } from "../harness/functions.js";
import { createExecutionRole } from "../harness/permissions.js";
import { eventually } from "../harness/processes.js";
import { sdkClient } from "../harness/sqs-clients.js";
import { zipFixture } from "../harness/zip.js";

/** Succeeds, throws, or prints an EMF line (the way Powertools writes one: straight to stdout). */
const MIX = `
exports.handler = async (event) => {
  if (event.fail) throw new Error("asked to fail");
  if (event.emf) {
    process.stdout.write(JSON.stringify({
      _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: event.emf, Dimensions: [["Service"]], Metrics: [{ Name: "Orders", Unit: "Count" }, { Name: "Latency", Unit: "Milliseconds" }] }] },
      Service: "cart", Orders: 2, Latency: [10, 30],
    }) + "\\n");
  }
  return { ok: true };
};`;

const dims = (d: Record<string, string>): Dimension[] => Object.entries(d).map(([Name, Value]) => ({ Name, Value }));

describe("AWS/Lambda metrics and EMF through CloudWatch's API", () => {
  let flint: FlintProcess;
  let cw: CloudWatchClient;
  let sqs: SQSClient;
  let fn: string;
  let throttled: string;
  /** A function fed by an SQS event source mapping, and the mapping's UUID. */
  let fed: string;
  let mapping: string;
  const start = new Date(Date.now() - 3_600_000);

  /** Sum of a statistic's values over the test's time range (one or two hourly periods). */
  async function stat(namespace: string, name: string, d: Record<string, string>, statistic: string): Promise<number | undefined> {
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: start,
        EndTime: new Date(Date.now() + 3_600_000),
        MetricDataQueries: [{ Id: "m", MetricStat: { Metric: { Namespace: namespace, MetricName: name, Dimensions: dims(d) }, Period: 3600, Stat: statistic } }],
      }),
    );
    const values = out.MetricDataResults?.[0]?.Values ?? [];
    return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
  }

  before(async () => {
    flint = await startFlint();
    cw = new CloudWatchClient({ endpoint: flint.endpoint, region: REGION, credentials: TEST_CREDENTIALS });
    sqs = sdkClient(flint.endpoint);
    const zip = await zipFixture("nodejs", { "mix.js": MIX });
    fn = await createFunction(flint, zip, "mix.handler");
    throttled = await createFunction(flint, zip, "mix.handler");
    const reader = await createExecutionRole(flint.endpoint, [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }], uniqueName("metrics-role"), ["AWSLambdaSQSQueueExecutionRole"]);
    fed = await createFunction(flint, zip, "mix.handler", { Role: reader, Timeout: 30 });
    const { Version } = await flint.lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    assert.equal(Version, "1");
    await waitUntilPublishedVersionActive({ client: flint.lambda, ...WAITER }, { FunctionName: fn, Qualifier: "1" });
    await flint.lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: "live", FunctionVersion: "1" }));
    await flint.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: throttled, ReservedConcurrentExecutions: 0 }));
    // The mix: unqualified 3 ok + 2 errors + 1 asynchronous ok; alias `live` 2 ok + 1 error; version 1 one ok;
    // 2 throttles of the other function.
    await flint.lambda.send(new InvokeCommand({ FunctionName: fn, InvocationType: "Event", Payload: Buffer.from("{}") }));
    for (let i = 0; i < 3; i++) await invoke(flint, fn);
    for (let i = 0; i < 2; i++) assert.equal((await invoke(flint, fn, { fail: true })).functionError, "Unhandled");
    for (let i = 0; i < 2; i++) assert.equal((await invoke(flint, fn, {}, { qualifier: "live" })).executedVersion, "1");
    assert.equal((await invoke(flint, fn, { fail: true }, { qualifier: "live" })).functionError, "Unhandled");
    await invoke(flint, fn, {}, { qualifier: "1" });
    for (let i = 0; i < 2; i++) await assert.rejects(invoke(flint, throttled), { name: "TooManyRequestsException" });
    // An SQS mapping whose filter keeps 3 of 4 messages.
    const queue = uniqueName("metrics");
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queue }));
    const m = await flint.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: fed, EventSourceArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${queue}`, BatchSize: 10,
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: { keep: [true] } }) }] },
      }),
    );
    mapping = m.UUID!;
    const entries = [true, true, false, true].map((keep, i) => ({ Id: String(i), MessageBody: JSON.stringify({ keep }) }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
    // Metrics are aggregated per second and stored shortly after.
    await eventually(async () => (await stat("AWS/Lambda", "Invocations", { FunctionName: fn }, "Sum")) === 10, 20_000, "Invocations stored");
    await eventually(async () => (await stat("AWS/Lambda", "Throttles", { FunctionName: throttled }, "Sum")) === 2, 20_000, "Throttles stored");
    await eventually(async () => (await stat("AWS/Lambda", "DeletedEventCount", { EventSourceMappingUUID: mapping }, "Sum")) === 3, 30_000, "mapping's messages processed");
  });
  after(async () => {
    sqs.destroy();
    cw.destroy();
    await flint.stop({ cleanup: true });
  });

  test("Invocations, Errors and Duration per dimension set: FunctionName, Resource, ExecutedVersion", async () => {
    const expected: [Record<string, string>, number, number][] = [
      [{ FunctionName: fn }, 10, 3],
      [{ FunctionName: fn, Resource: fn }, 6, 2],
      [{ FunctionName: fn, Resource: `${fn}:live` }, 3, 1],
      [{ FunctionName: fn, Resource: `${fn}:live`, ExecutedVersion: "1" }, 3, 1],
      [{ FunctionName: fn, Resource: `${fn}:1` }, 1, 0],
    ];
    for (const [d, invocations, errors] of expected) {
      const what = JSON.stringify(d);
      assert.equal(await stat("AWS/Lambda", "Invocations", d, "Sum"), invocations, `Invocations ${what}`);
      assert.equal(await stat("AWS/Lambda", "Errors", d, "Sum"), errors, `Errors ${what}`);
      assert.equal(await stat("AWS/Lambda", "Errors", d, "SampleCount"), invocations, `Errors is sent for every invocation ${what}`);
      assert.equal(await stat("AWS/Lambda", "Duration", d, "SampleCount"), invocations, `one Duration per invocation ${what}`);
    }
    const p99 = await stat("AWS/Lambda", "Duration", { FunctionName: fn }, "p99");
    const max = await stat("AWS/Lambda", "Duration", { FunctionName: fn }, "Maximum");
    assert.ok(p99 !== undefined && max !== undefined && p99 > 0 && p99 <= max * 1.02, `p99 ${p99} within the maximum ${max}`);
  });

  test("throttles are counted and are neither invocations nor errors", async () => {
    assert.equal(await stat("AWS/Lambda", "Throttles", { FunctionName: throttled, Resource: throttled }, "Sum"), 2);
    assert.equal(await stat("AWS/Lambda", "Invocations", { FunctionName: throttled }, "Sum"), undefined);
    assert.equal(await stat("AWS/Lambda", "Throttles", { FunctionName: fn }, "Sum"), undefined);
  });

  test("the account-wide metrics (no dimensions) count every function", async () => {
    const fedInvocations = await stat("AWS/Lambda", "Invocations", { FunctionName: fed }, "Sum");
    assert.ok(fedInvocations !== undefined && fedInvocations >= 1);
    assert.equal(await stat("AWS/Lambda", "Invocations", {}, "Sum"), 10 + fedInvocations);
    assert.equal(await stat("AWS/Lambda", "Throttles", {}, "Sum"), 2);
    assert.ok(((await stat("AWS/Lambda", "ConcurrentExecutions", {}, "Maximum")) ?? 0) >= 1);
  });

  test("GetMetricStatistics through the CLI v2 agrees: Sum and SampleCount of Errors", async () => {
    const now = Date.now();
    const r = await flint.aws([
      "cloudwatch", "get-metric-statistics", "--namespace", "AWS/Lambda", "--metric-name", "Errors",
      "--dimensions", `Name=FunctionName,Value=${fn}`, "--statistics", "Sum", "SampleCount",
      "--start-time", new Date(now - 3_600_000).toISOString(), "--end-time", new Date(now + 3_600_000).toISOString(), "--period", "7200",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const points = r.json<{ Datapoints: { Sum: number; SampleCount: number }[] }>().Datapoints;
    assert.equal(points.reduce((a, p) => a + p.Sum, 0), 3);
    assert.equal(points.reduce((a, p) => a + p.SampleCount, 0), 10);
  });

  test("the asynchronous invocation: received once, its age at the attempt, not dropped", async () => {
    assert.equal(await stat("AWS/Lambda", "AsyncEventsReceived", { FunctionName: fn, Resource: fn }, "Sum"), 1);
    assert.equal(await stat("AWS/Lambda", "AsyncEventAge", { FunctionName: fn }, "SampleCount"), 1);
    assert.equal(await stat("AWS/Lambda", "AsyncEventsDropped", { FunctionName: fn }, "Sum"), undefined);
  });

  test("the event source mapping's event counts, by EventSourceMappingUUID", async () => {
    const esm = { EventSourceMappingUUID: mapping };
    assert.equal(await stat("AWS/Lambda", "PolledEventCount", esm, "Sum"), 4);
    assert.equal(await stat("AWS/Lambda", "FilteredOutEventCount", esm, "Sum"), 1);
    assert.equal(await stat("AWS/Lambda", "InvokedEventCount", esm, "Sum"), 3);
    assert.equal(await stat("AWS/Lambda", "FailedInvokeEventCount", esm, "Sum"), undefined);
    const listed = await cw.send(new ListMetricsCommand({ Namespace: "AWS/Lambda", Dimensions: [{ Name: "EventSourceMappingUUID", Value: mapping }] }));
    assert.deepEqual((listed.Metrics ?? []).map((x) => x.MetricName).sort(), ["DeletedEventCount", "FilteredOutEventCount", "InvokedEventCount", "PolledEventCount"]);
  });

  test("an EMF line a function prints becomes its metrics: ListMetrics finds them, GetMetricData reads them", async () => {
    const namespace = `FlintE2E/${fn}`;
    await invoke(flint, fn, { emf: namespace });
    await eventually(async () => (await stat(namespace, "Orders", { Service: "cart" }, "Sum")) === 2, 20_000, "EMF metric stored");
    const listed = await cw.send(new ListMetricsCommand({ Namespace: namespace }));
    assert.deepEqual(
      (listed.Metrics ?? []).map((m) => [m.MetricName, m.Dimensions]).sort(),
      [["Latency", [{ Name: "Service", Value: "cart" }]], ["Orders", [{ Name: "Service", Value: "cart" }]]],
    );
    assert.equal(await stat(namespace, "Latency", { Service: "cart" }, "SampleCount"), 2);
    assert.equal(await stat(namespace, "Latency", { Service: "cart" }, "Sum"), 40);
  });
});
