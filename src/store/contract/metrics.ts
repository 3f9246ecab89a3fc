/** The contract of the metrics part: series, rollups merged per resolution, listing, expiry, several nodes. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ofStatistics, ofValue, percentile } from "../../services/cloudwatch/aggregate.js";
import type { MetricKey } from "../metric-store.js";
import type { FreshStore } from "./index.js";

const T = Date.UTC(2024, 0, 1, 12, 0, 0) / 1000;
const fn = (name: string): MetricKey => ({ namespace: "AWS/Lambda", name: "Duration", dimensions: [{ Name: "FunctionName", Value: name }] });

export function metricsContract(fresh: FreshStore): void {
  test("metrics: points merge per second, minute and hour; each resolution reads its own rows", async (t) => {
    const s = await fresh(t);
    await s.metrics.write([
      { key: fn("a"), at: T, unit: "Milliseconds", value: ofValue(10) },
      { key: fn("a"), at: T + 1, unit: "Milliseconds", value: ofValue(30) },
    ]);
    await s.metrics.write([{ key: fn("a"), at: T + 61, unit: "Milliseconds", value: ofValue(5, 2) }]);
    const seconds = await s.metrics.read(fn("a"), 1, T, T + 3600, true);
    assert.deepEqual(seconds.map((p) => [p.at, p.value.count, p.value.sum]), [[T, 1, 10], [T + 1, 1, 30], [T + 61, 2, 10]]);
    const minutes = await s.metrics.read(fn("a"), 60, T, T + 3600, true);
    assert.deepEqual(minutes.map((p) => [p.at, p.value.count, p.value.sum, p.value.min, p.value.max]), [[T, 2, 40, 10, 30], [T + 60, 2, 10, 5, 5]]);
    const [hour] = await s.metrics.read(fn("a"), 3600, T, T + 3600, true);
    assert.deepEqual([hour!.value.count, hour!.value.sum, hour!.value.min, hour!.value.max], [4, 50, 5, 30]);
    assert.equal(percentile(hour!.value, 100), 30);
    assert.equal(percentile(hour!.value, 50), 5);
    assert.deepEqual(await s.metrics.read(fn("b"), 60, T, T + 3600, true), []);
  });

  test("metrics: a statistic set leaves its interval without percentiles; units are kept apart", async (t) => {
    const s = await fresh(t);
    await s.metrics.write([{ key: fn("a"), at: T, unit: "Count", value: ofValue(1) }]);
    await s.metrics.write([{ key: fn("a"), at: T, unit: "Count", value: ofStatistics(2, 4, 1, 3) }, { key: fn("a"), at: T, unit: "Seconds", value: ofValue(7) }]);
    const rows = await s.metrics.read(fn("a"), 1, T, T + 1, true);
    assert.deepEqual(rows.map((r) => [r.unit, r.value.count, r.value.hist === null]).sort(), [["Count", 3, true], ["Seconds", 1, false]]);
  });

  test("metrics: list filters by namespace, name and dimensions, pages by cursor, and honours activeSince", async (t) => {
    const s = await fresh(t);
    await s.metrics.write(["a", "b", "c"].map((n, i) => ({ key: fn(n), at: T + i * 3600, unit: "None", value: ofValue(1) })));
    await s.metrics.write([{ key: { namespace: "App", name: "Hits", dimensions: [] }, at: T, unit: "None", value: ofValue(1) }]);
    const first = await s.metrics.list({ namespace: "AWS/Lambda" }, 2);
    assert.equal(first.metrics.length, 2);
    const rest = await s.metrics.list({ namespace: "AWS/Lambda" }, 2, first.after);
    assert.deepEqual([...first.metrics, ...rest.metrics].map((m) => m.dimensions[0]!.Value).sort(), ["a", "b", "c"]);
    assert.equal(rest.after, undefined);
    assert.deepEqual((await s.metrics.list({ dimensions: [{ Name: "FunctionName", Value: "b" }] }, 10)).metrics, [fn("b")]);
    assert.equal((await s.metrics.list({ dimensions: [{ Name: "FunctionName" }] }, 10)).metrics.length, 3);
    assert.deepEqual((await s.metrics.list({ name: "Hits" }, 10)).metrics, [{ namespace: "App", name: "Hits", dimensions: [] }]);
    assert.deepEqual((await s.metrics.list({ activeSince: T + 7200 }, 10)).metrics, [fn("c")]);
  });

  test("metrics: expire drops per-second rows after 3 hours and minute rows after 63 days (they serve the 5-minute periods AWS keeps that long), keeping hours", async (t) => {
    const s = await fresh(t);
    await s.metrics.write([{ key: fn("a"), at: T, unit: "None", value: ofValue(1) }]);
    await s.metrics.expire(T + 4 * 3600);
    assert.equal((await s.metrics.read(fn("a"), 1, T, T + 60, true)).length, 0);
    assert.equal((await s.metrics.read(fn("a"), 60, T, T + 60, true)).length, 1);
    await s.metrics.expire(T + 62 * 86400);
    assert.equal((await s.metrics.read(fn("a"), 60, T, T + 60, true)).length, 1);
    await s.metrics.expire(T + 64 * 86400);
    assert.equal((await s.metrics.read(fn("a"), 60, T, T + 60, true)).length, 0);
    assert.equal((await s.metrics.read(fn("a"), 3600, T, T + 3600, true)).length, 1);
  });

  test("metrics: two nodes writing the same seconds at once merge, and each reads the other's data", async (t) => {
    const a = await fresh(t);
    const b = await fresh.another(t, a);
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).metrics.write([{ key: fn("x"), at: T + (i % 3), unit: "Count", value: ofValue(i) }])));
    for (const node of [a, b]) {
      const [minute] = await node.metrics.read(fn("x"), 60, T, T + 60, true);
      assert.deepEqual([minute!.value.count, minute!.value.sum, minute!.value.min, minute!.value.max], [20, 190, 0, 19]);
      assert.equal(percentile(minute!.value, 100), 19);
    }
  });
}
