/** Embedded Metric Format lines into metrics, as CloudWatch extracts them (and the lines it ignores). */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { extractEmf } from "./emf.js";

const NOW = Date.UTC(2026, 11, 6, 3, 0, 0);
const emf = (aws: Record<string, unknown>, members: Record<string, unknown> = {}) => JSON.stringify({ _aws: { Timestamp: NOW, ...aws }, ...members });
const directive = (over: Record<string, unknown> = {}) => ({ Namespace: "Shop", Dimensions: [["Service"]], Metrics: [{ Name: "Latency", Unit: "Milliseconds" }], ...over });

describe("EMF extraction", () => {
  test("a metric with one dimension set: namespace, name, unit, dimension value and value from root members, the line's timestamp", () => {
    const data = extractEmf(emf({ CloudWatchMetrics: [directive()] }, { Service: "cart", Latency: 42 }), NOW);
    assert.deepEqual(data, [{ namespace: "Shop", name: "Latency", dimensions: { Service: "cart" }, value: 42, unit: "Milliseconds", timestamp: NOW }]);
  });

  test("an array of values gives one data point per value", () => {
    const data = extractEmf(emf({ CloudWatchMetrics: [directive()] }, { Service: "cart", Latency: [1, 2, 3] }), NOW);
    assert.deepEqual(data.map((d) => d.value), [1, 2, 3]);
  });

  test("every dimension set gets every metric; an empty set and an empty list mean no dimensions", () => {
    const data = extractEmf(emf({ CloudWatchMetrics: [directive({ Dimensions: [["Service"], ["Service", "Region"], []] })] }, { Service: "cart", Region: "eu", Latency: 5 }), NOW);
    assert.deepEqual(data.map((d) => d.dimensions), [{ Service: "cart" }, { Service: "cart", Region: "eu" }, {}]);
    const none = extractEmf(emf({ CloudWatchMetrics: [directive({ Dimensions: [] })] }, { Latency: 5 }), NOW);
    assert.deepEqual(none.map((d) => d.dimensions), [{}]);
  });

  test("several directives and metrics; Unit defaults to None; StorageResolution 1 and 60 are accepted", () => {
    const line = emf(
      {
        CloudWatchMetrics: [
          directive({ Metrics: [{ Name: "Latency", Unit: "Milliseconds", StorageResolution: 1 }, { Name: "Orders" }] }),
          { Namespace: "Billing", Dimensions: [[]], Metrics: [{ Name: "Orders", Unit: "Count", StorageResolution: 60 }] },
        ],
      },
      { Service: "cart", Latency: 9, Orders: 2 },
    );
    assert.deepEqual(
      extractEmf(line, NOW).map((d) => [d.namespace, d.name, d.unit, d.value]),
      [["Shop", "Latency", "Milliseconds", 9], ["Shop", "Orders", "None", 2], ["Billing", "Orders", "Count", 2]],
    );
  });

  test("a metric whose member is missing or not numeric is skipped; the others are published", () => {
    const line = emf({ CloudWatchMetrics: [directive({ Metrics: [{ Name: "Latency" }, { Name: "Gone" }, { Name: "Text" }, { Name: "Mixed" }] })] }, { Service: "cart", Latency: 1, Text: "7", Mixed: [1, "2"] });
    assert.deepEqual(extractEmf(line, NOW).map((d) => d.name), ["Latency"]);
  });

  const invalid: [string, string][] = [
    ["not JSON", "{not json"],
    ["JSON without _aws", JSON.stringify({ level: "INFO", message: "hi" })],
    ["_aws not an object", JSON.stringify({ _aws: [1] })],
    ["no Timestamp", JSON.stringify({ _aws: { CloudWatchMetrics: [directive()] }, Service: "a", Latency: 1 })],
    ["Timestamp as a string", JSON.stringify({ _aws: { Timestamp: String(NOW), CloudWatchMetrics: [directive()] }, Service: "a", Latency: 1 })],
    ["no CloudWatchMetrics", emf({}, { Latency: 1 })],
    ["no Namespace", emf({ CloudWatchMetrics: [directive({ Namespace: undefined })] }, { Service: "a", Latency: 1 })],
    ["an AWS/ namespace", emf({ CloudWatchMetrics: [directive({ Namespace: "AWS/Lambda" })] }, { Service: "a", Latency: 1 })],
    ["no Dimensions", emf({ CloudWatchMetrics: [directive({ Dimensions: undefined })] }, { Service: "a", Latency: 1 })],
    ["a dimension naming a missing member", emf({ CloudWatchMetrics: [directive()] }, { Latency: 1 })],
    ["a dimension whose member is a number", emf({ CloudWatchMetrics: [directive()] }, { Service: 3, Latency: 1 })],
    ["31 dimensions in a set", emf({ CloudWatchMetrics: [directive({ Dimensions: [Array.from({ length: 31 }, (_, i) => `d${i}`)] })] }, { Latency: 1, ...Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`d${i}`, "x"])) })],
    ["101 metrics", emf({ CloudWatchMetrics: [directive({ Metrics: Array.from({ length: 101 }, (_, i) => ({ Name: `m${i}` })) })] }, { Service: "a" })],
    ["101 values", emf({ CloudWatchMetrics: [directive()] }, { Service: "a", Latency: Array.from({ length: 101 }, () => 1) })],
    ["an unknown unit", emf({ CloudWatchMetrics: [directive({ Metrics: [{ Name: "Latency", Unit: "Furlongs" }] })] }, { Service: "a", Latency: 1 })],
    ["StorageResolution 5", emf({ CloudWatchMetrics: [directive({ Metrics: [{ Name: "Latency", StorageResolution: 5 }] })] }, { Service: "a", Latency: 1 })],
    ["a metric without a Name", emf({ CloudWatchMetrics: [directive({ Metrics: [{ Unit: "Count" }] })] }, { Service: "a", Latency: 1 })],
    ["a timestamp more than two weeks old", JSON.stringify({ _aws: { Timestamp: NOW - 15 * 86_400_000, CloudWatchMetrics: [directive()] }, Service: "a", Latency: 1 })],
    // 20,000 sets × 1 value: a line read on the event loop yields at most 10,000 data points.
    ["20,000 dimension sets", emf({ CloudWatchMetrics: [directive({ Dimensions: Array.from({ length: 20_000 }, () => ["Service"]) })] }, { Service: "a", Latency: 1 })],
    ["101 × 100 data points", emf({ CloudWatchMetrics: [directive({ Dimensions: Array.from({ length: 101 }, () => ["Service"]) })] }, { Service: "a", Latency: Array.from({ length: 100 }, () => 1) })],
    ["a timestamp more than two hours ahead", JSON.stringify({ _aws: { Timestamp: NOW + 3 * 3_600_000, CloudWatchMetrics: [directive()] }, Service: "a", Latency: 1 })],
  ];
  for (const [what, line] of invalid) {
    test(`a line with ${what} stays a plain log line (no metrics)`, () => assert.deepEqual(extractEmf(line, NOW), []));
  }

  test("a line at the bound of 10,000 data points is published", () => {
    const line = emf({ CloudWatchMetrics: [directive({ Dimensions: Array.from({ length: 100 }, () => ["Service"]) })] }, { Service: "a", Latency: Array.from({ length: 100 }, () => 1) });
    assert.equal(extractEmf(line, NOW).length, 10_000);
  });

  test("one invalid directive voids the whole line", () => {
    const line = emf({ CloudWatchMetrics: [directive(), directive({ Namespace: "" })] }, { Service: "a", Latency: 1 });
    assert.deepEqual(extractEmf(line, NOW), []);
  });
});
