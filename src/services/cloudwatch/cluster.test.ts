/**
 * CloudWatch metrics in cluster mode: two nodes (two services, each with its sink) on one PostgreSQL
 * database. Each node's sink writes its own seconds; either node answers with the sum of both.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../clock/manual-clock.js";
import { PgStore } from "../../store/postgres.js";
import { testDatabase, type TestDatabase } from "../../../test/harness/postgres.js";
import { CloudWatchService } from "./service.js";

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);

describe("CloudWatch metrics on two nodes of one PostgreSQL database", () => {
  let db: TestDatabase;
  let stores: PgStore[] = [];
  before(async () => {
    db = await testDatabase();
    stores = [await PgStore.open(db.url), await PgStore.open(db.url)];
  });
  after(async () => {
    for (const s of stores) await s.close();
    await db.close();
  });

  test("both nodes' sinks and puts add up, and each node reads and lists all of it", async () => {
    const clock = new ManualClock(T0);
    const [a, b] = stores.map((s) => new CloudWatchService({ store: s.metrics, clock })) as [CloudWatchService, CloudWatchService];
    for (let i = 1; i <= 10; i++) (i % 2 ? a : b).record({ namespace: "AWS/Lambda", name: "Invocations", dimensions: { FunctionName: "f" }, value: 1, unit: "Count" });
    for (let i = 1; i <= 4; i++) (i % 2 ? a : b).record({ namespace: "AWS/Lambda", name: "Duration", dimensions: { FunctionName: "f" }, value: i * 100, unit: "Milliseconds" });
    await Promise.all([a.flush(), b.flush()]);
    await b.putMetricData({ Namespace: "App", MetricData: [{ MetricName: "Orders", Value: 3 }] });
    const range = { StartTime: T0, EndTime: T0 + 60_000, Period: 60 };
    for (const node of [a, b]) {
      const inv = await node.getMetricStatistics({ Namespace: "AWS/Lambda", MetricName: "Invocations", Dimensions: [{ Name: "FunctionName", Value: "f" }], ...range, Statistics: ["Sum"] });
      assert.deepEqual(inv.Datapoints.map((d) => d.Sum), [10]);
      const dur = await node.getMetricData({ StartTime: T0, EndTime: T0 + 60_000, MetricDataQueries: [
        { Id: "max", MetricStat: { Metric: { Namespace: "AWS/Lambda", MetricName: "Duration", Dimensions: [{ Name: "FunctionName", Value: "f" }] }, Period: 60, Stat: "p100" } },
        { Id: "n", MetricStat: { Metric: { Namespace: "AWS/Lambda", MetricName: "Duration", Dimensions: [{ Name: "FunctionName", Value: "f" }] }, Period: 60, Stat: "SampleCount" } },
      ] });
      assert.deepEqual(dur.MetricDataResults.map((r) => r.Values), [[400], [4]]);
      assert.deepEqual((await node.listMetrics({})).Metrics.map((m) => m.MetricName).sort(), ["Duration", "Invocations", "Orders"]);
    }
  });
});
