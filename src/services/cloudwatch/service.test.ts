/** The CloudWatch service in-process, on a real SQLite store and a clock the tests move. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ManualClock } from "../../clock/manual-clock.js";
import { SqliteStore } from "../../store/sqlite.js";
import { CloudWatchService } from "./service.js";
import type { AwsError } from "../../errors.js";

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);

describe("CloudWatch service", () => {
  let dir: string;
  let store: SqliteStore;
  let clock: ManualClock;
  let cw: CloudWatchService;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flint-cw-"));
    store = SqliteStore.open(dir);
    clock = new ManualClock(T0);
    cw = new CloudWatchService({ store: store.metrics, clock });
    cw.start();
  });
  afterEach(async () => {
    await cw.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const rejects = (p: Promise<unknown>, code: string, message?: string | RegExp) =>
    assert.rejects(p, (e: AwsError) => {
      assert.equal(e.queryCode, code);
      if (typeof message === "string") assert.equal(e.message, message);
      else if (message) assert.match(e.message, message);
      return true;
    });

  test("the sink's values in one second become one datapoint with exact count, sum, min, max and percentiles", async () => {
    for (let v = 1; v <= 100; v++) cw.record({ namespace: "AWS/Lambda", name: "Duration", dimensions: { FunctionName: "f" }, value: v, unit: "Milliseconds" });
    clock.advance(1000);
    await cw.flush();
    const r = await cw.getMetricStatistics({ Namespace: "AWS/Lambda", MetricName: "Duration", Dimensions: [{ Name: "FunctionName", Value: "f" }], StartTime: T0 - 60_000, EndTime: T0 + 60_000, Period: 60, Statistics: ["SampleCount", "Sum", "Minimum", "Maximum", "Average"] });
    assert.deepEqual(r.Datapoints, [{ Timestamp: T0, SampleCount: 100, Sum: 5050, Minimum: 1, Maximum: 100, Average: 50.5, Unit: "Milliseconds" }]);
    const p = await cw.getMetricStatistics({ Namespace: "AWS/Lambda", MetricName: "Duration", Dimensions: [{ Name: "FunctionName", Value: "f" }], StartTime: T0, EndTime: T0 + 60_000, Period: 60, ExtendedStatistics: ["p50", "p99", "p100"] });
    const ext = p.Datapoints[0]!.ExtendedStatistics!;
    assert.ok(Math.abs(ext.p50! - 50) <= 0.5, `p50 ${ext.p50}`);
    assert.ok(Math.abs(ext.p99! - 99) <= 1, `p99 ${ext.p99}`);
    assert.equal(ext.p100, 100);
  });

  test("the sink keeps series apart however their dimensions are spelled, and drops values no client could put", async () => {
    cw.record({ namespace: "N", name: "m", dimensions: { a: "b,c" }, value: 1, unit: "Count" });
    cw.record({ namespace: "N", name: "m", dimensions: { "a,b": "c" }, value: 2, unit: "Count" });
    cw.record({ namespace: "N", name: "m", dimensions: { a: "b,c" }, value: NaN, unit: "Count" });
    await cw.flush();
    const sum = async (Name: string, Value: string) => (await cw.getMetricStatistics({ Namespace: "N", MetricName: "m", Dimensions: [{ Name, Value }], StartTime: T0, EndTime: T0 + 60_000, Period: 60, Statistics: ["Sum", "SampleCount"] })).Datapoints.map((d) => [d.Sum, d.SampleCount]);
    assert.deepEqual(await sum("a", "b,c"), [[1, 1]]);
    assert.deepEqual(await sum("a,b", "c"), [[2, 1]]);
  });

  test("a series handle and record(datum) add into the same seconds, across flushes, explicit timestamps and clock moves", async () => {
    const h = cw.series("N", "m", { b: "2", a: "1" }, "Count");
    h.record(1);
    cw.record({ namespace: "N", name: "m", dimensions: { a: "1", b: "2" }, value: 2, unit: "Count" });
    h.record(3);
    await cw.flush();
    h.record(4);
    h.record(Infinity);
    h.record(6, T0 - 5000);
    clock.advance(1000);
    h.record(5);
    h.record(7, T0 + 1500);
    await cw.flush();
    const r = await cw.getMetricStatistics({ Namespace: "N", MetricName: "m", Dimensions: [{ Name: "a", Value: "1" }, { Name: "b", Value: "2" }], StartTime: T0 - 10_000, EndTime: T0 + 10_000, Period: 1, Statistics: ["Sum", "SampleCount", "Minimum", "Maximum"] });
    const seconds = r.Datapoints.map((d) => [(d.Timestamp - T0) / 1000, d.Sum, d.SampleCount, d.Minimum, d.Maximum]).sort((x, y) => x[0]! - y[0]!);
    assert.deepEqual(seconds, [
      [-5, 6, 1, 6, 6],
      [0, 10, 4, 1, 4],
      [1, 12, 2, 5, 7],
    ]);
  });

  test("PutMetricData values, Values/Counts and statistic sets add up; a metric is found only by its exact dimensions", async () => {
    await cw.putMetricData({ Namespace: "App", MetricData: [
      { MetricName: "Latency", Dimensions: [{ Name: "Api", Value: "a" }], Value: 10, Unit: "Milliseconds" },
      { MetricName: "Latency", Dimensions: [{ Name: "Api", Value: "a" }], Values: [1, 2], Counts: [3, 1], Unit: "Milliseconds" },
      { MetricName: "Latency", Dimensions: [{ Name: "Api", Value: "a" }], StatisticValues: { SampleCount: 2, Sum: 30, Minimum: 10, Maximum: 20 }, Unit: "Milliseconds" },
    ] });
    const r = await cw.getMetricStatistics({ Namespace: "App", MetricName: "Latency", Dimensions: [{ Name: "Api", Value: "a" }], StartTime: T0 - 60_000, EndTime: T0 + 60_000, Period: 60, Statistics: ["SampleCount", "Sum", "Maximum"] });
    assert.deepEqual(r.Datapoints, [{ Timestamp: T0, SampleCount: 7, Sum: 45, Maximum: 20, Unit: "Milliseconds" }]);
    const none = await cw.getMetricStatistics({ Namespace: "App", MetricName: "Latency", StartTime: T0 - 60_000, EndTime: T0 + 60_000, Period: 60, Statistics: ["Sum"] });
    assert.deepEqual(none.Datapoints, []);
  });

  test("ListMetrics filters by namespace, name and dimension, pages by 500, and RecentlyActive PT3H drops older metrics", async () => {
    await cw.putMetricData({ Namespace: "App", MetricData: Array.from({ length: 600 }, (_, i) => ({ MetricName: `m${i}`, Dimensions: [{ Name: "Shard", Value: String(i % 2) }], Value: 1 })) });
    const first = await cw.listMetrics({ Namespace: "App" });
    assert.equal(first.Metrics.length, 500);
    const second = await cw.listMetrics({ Namespace: "App", NextToken: first.NextToken });
    assert.equal(second.Metrics.length, 100);
    assert.equal(second.NextToken, undefined);
    assert.equal((await cw.listMetrics({ Dimensions: [{ Name: "Shard", Value: "1" }] })).Metrics.length, 300);
    assert.deepEqual((await cw.listMetrics({ MetricName: "m7" })).Metrics, [{ Namespace: "App", MetricName: "m7", Dimensions: [{ Name: "Shard", Value: "1" }] }]);
    clock.advance(4 * 3600_000);
    assert.equal((await cw.listMetrics({ Namespace: "App", RecentlyActive: "PT3H" })).Metrics.length, 0);
    await rejects(cw.listMetrics({ NextToken: "nope" }), "InvalidParameterValue", "Request parameter NextToken is invalid");
  });

  test("GetMetricData returns each query's periods newest first, pages by MaxDatapoints with PartialData, and percentiles", async () => {
    for (let s = 0; s < 5; s++) for (let v = 1; v <= 10; v++) cw.record({ namespace: "AWS/Lambda", name: "Duration", dimensions: {}, value: v * (s + 1), unit: "Milliseconds", timestamp: T0 + s * 60_000 });
    await cw.flush();
    const metric = { Namespace: "AWS/Lambda", MetricName: "Duration" };
    const q = (MaxDatapoints?: number, NextToken?: string) => cw.getMetricData({ StartTime: T0, EndTime: T0 + 300_000, MaxDatapoints, NextToken, MetricDataQueries: [
      { Id: "sum", MetricStat: { Metric: metric, Period: 60, Stat: "Sum" } },
      { Id: "top", MetricStat: { Metric: metric, Period: 300, Stat: "p100" }, Label: "worst" },
      { Id: "hidden", MetricStat: { Metric: metric, Period: 60, Stat: "Sum" }, ReturnData: false },
    ] });
    const all = await q();
    assert.deepEqual(all.MetricDataResults.map((r) => [r.Id, r.Label, r.Values, r.StatusCode]), [["sum", "Duration", [275, 220, 165, 110, 55], "Complete"], ["top", "worst", [50], "Complete"]]);
    assert.deepEqual(all.MetricDataResults[0]!.Timestamps, [4, 3, 2, 1, 0].map((m) => T0 + m * 60_000));
    const page1 = await q(3);
    assert.deepEqual(page1.MetricDataResults.map((r) => [r.Values, r.StatusCode]), [[[275, 220, 165], "PartialData"], [[], "PartialData"]]);
    const page2 = await q(3, page1.NextToken);
    assert.deepEqual(page2.MetricDataResults.map((r) => [r.Values, r.StatusCode]), [[[110, 55], "Complete"], [[50], "Complete"]]);
    assert.equal(page2.NextToken, undefined);
  });

  test("bad input gets AWS's errors and stores nothing", async () => {
    await rejects(cw.putMetricData({ Namespace: "AWS/Lambda", MetricData: [{ MetricName: "x", Value: 1 }] }), "InvalidParameterValue", "The value AWS/ for parameter Namespace is invalid.");
    await rejects(cw.putMetricData({ MetricData: [{ MetricName: "x", Value: 1 }] }), "MissingParameter", "The parameter Namespace is required.");
    await rejects(cw.putMetricData({ Namespace: "App", MetricData: [{ MetricName: "ok", Value: 1 }, { MetricName: "x", Value: 1, Values: [1] }] }), "InvalidParameterCombination", "The parameters MetricData.member.2.Value and MetricData.member.2.Values are mutually exclusive and you have specified both.");
    await rejects(cw.putMetricData({ Namespace: "App", MetricData: [{ MetricName: "x", Values: [1, 2], Counts: [1] }] }), "InvalidParameterValue", "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the same size.");
    await rejects(cw.putMetricData({ Namespace: "App", MetricData: [{ MetricName: "x", Value: 1, Unit: "Parsecs" }] }), "ValidationError", /Value 'Parsecs' at 'metricData.1.member.unit'/);
    await rejects(cw.putMetricData({ Namespace: "App", MetricData: [{ MetricName: "x", Value: NaN }] }), "InvalidParameterValue", "The value NaN for parameter MetricData.member.1.Value is invalid.");
    assert.deepEqual((await cw.listMetrics({})).Metrics, []);
    const gms = { Namespace: "App", MetricName: "x", StartTime: T0, EndTime: T0 + 86400_000, Period: 60, Statistics: ["Sum"] };
    await rejects(cw.getMetricStatistics({ ...gms, Period: 1 }), "InvalidParameterCombination", "You have requested up to 86400 datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.");
    await rejects(cw.getMetricStatistics({ ...gms, EndTime: T0 }), "InvalidParameterValue", "The parameter StartTime must be less than the parameter EndTime.");
    await rejects(cw.getMetricStatistics({ ...gms, Statistics: undefined }), "InvalidParameterCombination", "Must specify either Statistics or ExtendedStatistics.");
    await rejects(cw.getMetricStatistics({ ...gms, Period: 45 }), "InvalidParameterValue");
    const gmd = { StartTime: T0, EndTime: T0 + 60_000 };
    await rejects(cw.getMetricData({ ...gmd, MetricDataQueries: [{ Id: "a", Label: "e1" }] }), "ValidationError", "The parameter MetricDataQueries.member.1.MetricStat is required.\n");
    await rejects(cw.getMetricData({ ...gmd, StartTime: T0 + 120_000, MetricDataQueries: [{ Id: "a", MetricStat: { Metric: { Namespace: "App", MetricName: "x" }, Period: 60, Stat: "Sum" } }] }), "ValidationError", "The parameter EndTime must be greater than StartTime.");
    await rejects(cw.getMetricData({ ...gmd, MetricDataQueries: [{ Id: "a", Expression: "SUM(METRICS())" }] }), "ValidationError", /metric math/);
    await rejects(cw.getMetricData({ ...gmd, MetricDataQueries: [{ Id: "Bad", MetricStat: { Metric: { Namespace: "App", MetricName: "x" }, Period: 60, Stat: "Sum" } }] }), "ValidationError", /Id is invalid/);
    await rejects(cw.getMetricData({ ...gmd, NextToken: "zzz", MetricDataQueries: [{ Id: "a", MetricStat: { Metric: { Namespace: "App", MetricName: "x" }, Period: 60, Stat: "Sum" } }] }), "InvalidNextToken");
  });

  test("rollups: data older than 3 hours is still read at minute periods, per-second rows are expired", async () => {
    cw.record({ namespace: "N", name: "m", dimensions: {}, value: 2, unit: "Count" });
    await cw.flush();
    clock.advance(4 * 3600_000);
    await store.metrics.expire(Math.floor(clock.now() / 1000));
    const at = (Period: number) => cw.getMetricStatistics({ Namespace: "N", MetricName: "m", StartTime: T0, EndTime: T0 + 3600_000, Period, Statistics: ["Sum"] });
    assert.deepEqual((await at(60)).Datapoints.map((d) => d.Sum), [2]);
    assert.deepEqual((await at(3600)).Datapoints.map((d) => d.Sum), [2]);
    assert.deepEqual((await at(10)).Datapoints, []);
  });
});
