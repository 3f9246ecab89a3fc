/** The AWS/Lambda metrics as Lambda publishes them: names, units, dimension sets, one data point per event. */
import { beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../clock/manual-clock.js";
import type { MetricDatum, MetricSeries, MetricSink } from "../services/cloudwatch/sink.js";
import type { MappingRecord } from "../services/lambda/event-source-mappings.js";
import { dimensionSets, LambdaMetrics } from "./cloudwatch.js";

class RecordingSink implements MetricSink {
  data: MetricDatum[] = [];
  /** The dimension sets of every series resolved. */
  resolved: Readonly<Record<string, string>>[] = [];
  series(namespace: string, name: string, dimensions: Readonly<Record<string, string>>, unit: string): MetricSeries {
    this.resolved.push(dimensions);
    return { record: (value, timestamp) => this.record({ namespace, name, dimensions, value, unit, ...(timestamp !== undefined ? { timestamp } : {}) }) };
  }
  record(d: MetricDatum): void {
    this.data.push(d);
  }
  /** Sum and count of a metric's data points per dimension set (as `k=v,k=v`). */
  sums(name: string): Record<string, { sum: number; count: number }> {
    const out: Record<string, { sum: number; count: number }> = {};
    for (const d of this.data.filter((x) => x.name === name)) {
      const key = Object.entries(d.dimensions).map(([k, v]) => `${k}=${v}`).join(",");
      const s = (out[key] ??= { sum: 0, count: 0 });
      s.sum += d.value;
      s.count++;
    }
    return out;
  }
  units(name: string): Set<string> {
    return new Set(this.data.filter((d) => d.name === name).map((d) => d.unit));
  }
}

const fn = (qualifier?: string, over: { version?: string; reserved?: boolean; provisioned?: number } = {}) => ({
  functionName: "orders",
  ...(qualifier !== undefined ? { qualifier } : {}),
  version: over.version ?? "$LATEST",
  reserved: over.reserved ?? false,
  provisioned: over.provisioned ?? 0,
});

describe("AWS/Lambda metrics", () => {
  let sink: RecordingSink;
  let clock: ManualClock;
  let metrics: LambdaMetrics;
  beforeEach(() => {
    sink = new RecordingSink();
    clock = new ManualClock();
    metrics = new LambdaMetrics(sink, clock);
  });

  test("dimension sets: the account, FunctionName, Resource as name or name:qualifier, ExecutedVersion only through an alias", () => {
    assert.deepEqual(dimensionSets("f", undefined, "$LATEST"), [{}, { FunctionName: "f" }, { FunctionName: "f", Resource: "f" }]);
    assert.deepEqual(dimensionSets("f", "3", "3"), [{}, { FunctionName: "f" }, { FunctionName: "f", Resource: "f:3" }]);
    assert.deepEqual(dimensionSets("f", "$LATEST", "$LATEST"), [{}, { FunctionName: "f" }, { FunctionName: "f", Resource: "f:$LATEST" }]);
    assert.deepEqual(dimensionSets("f", "live", "3")[3], { FunctionName: "f", Resource: "f:live", ExecutedVersion: "3" });
  });

  test("invocations, errors and durations: one data point per invocation in every dimension set", () => {
    const r = metrics.forResource(fn("live", { version: "2" }));
    r.started({ provisioned: false })({ durationMs: 12, error: false });
    r.started({ provisioned: false })({ durationMs: 30, error: true });
    r.started({ provisioned: false })({ durationMs: 3, error: false });
    const sets = ["", "FunctionName=orders", "FunctionName=orders,Resource=orders:live", "FunctionName=orders,Resource=orders:live,ExecutedVersion=2"];
    for (const set of sets) {
      assert.deepEqual(sink.sums("Invocations")[set], { sum: 3, count: 3 }, set);
      assert.deepEqual(sink.sums("Errors")[set], { sum: 1, count: 3 }, set);
      assert.deepEqual(sink.sums("Duration")[set], { sum: 45, count: 3 }, set);
    }
    assert.deepEqual(sink.units("Invocations"), new Set(["Count"]));
    assert.deepEqual(sink.units("Duration"), new Set(["Milliseconds"]));
    assert.ok(sink.data.every((d) => d.namespace === "AWS/Lambda"));
  });

  test("throttles count per request and are neither invocations nor errors", () => {
    const r = metrics.forResource(fn());
    r.throttled();
    r.throttled();
    assert.deepEqual(sink.sums("Throttles")["FunctionName=orders,Resource=orders"], { sum: 2, count: 2 });
    assert.deepEqual(sink.sums("Throttles")[""], { sum: 2, count: 2 });
    assert.equal(sink.sums("Invocations")[""], undefined);
    assert.equal(sink.sums("Errors")[""], undefined);
  });

  test("concurrent executions: the count after each change, and once a second while it lasts, then 0 once", () => {
    const r = metrics.forResource(fn());
    const end1 = r.started({ provisioned: false });
    const end2 = r.started({ provisioned: false });
    const peak = () => Math.max(...sink.data.filter((d) => d.name === "ConcurrentExecutions" && d.dimensions.FunctionName === "orders" && !("Resource" in d.dimensions)).map((d) => d.value));
    assert.equal(peak(), 2);
    end1({ durationMs: 1, error: false });
    sink.data = [];
    clock.advance(1000);
    assert.deepEqual(sink.sums("ConcurrentExecutions")[""], { sum: 1, count: 1 });
    assert.deepEqual(sink.sums("UnreservedConcurrentExecutions")[""], { sum: 1, count: 1 });
    assert.deepEqual(sink.sums("ProvisionedConcurrentExecutions"), {}, "nothing ran on a provisioned environment");
    end2({ durationMs: 1, error: false });
    sink.data = [];
    clock.advance(1000);
    assert.deepEqual(sink.sums("ConcurrentExecutions")[""], { sum: 0, count: 1 });
    sink.data = [];
    clock.advance(1000);
    assert.equal(sink.data.length, 0, "nothing runs: no more gauge points");
  });

  test("a function with reserved concurrency is not counted as unreserved", () => {
    metrics.forResource(fn(undefined, { reserved: true })).started({ provisioned: false });
    assert.equal(sink.sums("UnreservedConcurrentExecutions")[""], undefined);
    assert.deepEqual(sink.sums("ConcurrentExecutions")[""], { sum: 1, count: 1 });
  });

  test("provisioned concurrency: invocations on provisioned environments, spillover, executions and utilization", () => {
    const r = metrics.forResource(fn("live", { version: "1", provisioned: 2 }));
    const end = r.started({ provisioned: true });
    r.started({ provisioned: false })({ durationMs: 1, error: false });
    const resource = "FunctionName=orders,Resource=orders:live";
    assert.deepEqual(sink.sums("ProvisionedConcurrencyInvocations")[resource], { sum: 1, count: 1 });
    assert.deepEqual(sink.sums("ProvisionedConcurrencySpilloverInvocations")[resource], { sum: 1, count: 1 });
    assert.deepEqual(sink.sums("ProvisionedConcurrentExecutions")[resource], { sum: 1, count: 1 });
    assert.deepEqual(sink.sums("ProvisionedConcurrencyUtilization")[resource], { sum: 0.5, count: 1 });
    assert.equal(sink.sums("ProvisionedConcurrencyInvocations")[""], undefined, "not an account-level metric");
    end({ durationMs: 1, error: false });
    assert.deepEqual(sink.sums("Invocations")[resource], { sum: 2, count: 2 });
  });

  test("asynchronous events: received, age at each attempt, dropped unless they succeeded, failed sends", () => {
    metrics.async.received("orders", undefined);
    metrics.async.attempted("orders", undefined, 250);
    metrics.async.ended("orders", undefined, "succeeded");
    metrics.async.received("orders", undefined);
    metrics.async.ended("orders", undefined, "delivered");
    metrics.async.ended("orders", undefined, "discarded");
    metrics.async.sendFailed("orders", undefined, "dead-letter");
    metrics.async.sendFailed("orders", undefined, "destination");
    const set = "FunctionName=orders,Resource=orders";
    assert.deepEqual(sink.sums("AsyncEventsReceived")[set], { sum: 2, count: 2 });
    assert.deepEqual(sink.sums("AsyncEventAge")[set], { sum: 250, count: 1 });
    assert.deepEqual(sink.units("AsyncEventAge"), new Set(["Milliseconds"]));
    assert.deepEqual(sink.sums("AsyncEventsDropped")[set], { sum: 2, count: 2 });
    assert.deepEqual(sink.sums("DeadLetterErrors")[set], { sum: 1, count: 1 });
    assert.deepEqual(sink.sums("DestinationDeliveryFailures")[set], { sum: 1, count: 1 });
  });

  test("event source mappings: event counts by EventSourceMappingUUID only, zero counts not sent; IteratorAge by function", () => {
    const m = { uuid: "u-1", functionName: "orders", eventSourceArn: "arn:aws:sqs:us-east-1:123456789012:q" } as MappingRecord;
    metrics.mappings.polled(m, 10, 3);
    metrics.mappings.polled(m, 4, 0);
    metrics.mappings.batch(m, "partial", { invoked: 7, failed: 2 });
    metrics.mappings.batch(m, "throttled", { invoked: 0, failed: 0 });
    metrics.mappings.deleted(m, 5);
    metrics.mappings.discarded(m, 2);
    metrics.mappings.onFailure(m, 2, true);
    metrics.mappings.onFailure(m, 1, false);
    metrics.mappings.iteratorAge(m, "shard-0", 1500);
    const esm = "EventSourceMappingUUID=u-1";
    assert.deepEqual(sink.sums("PolledEventCount"), { [esm]: { sum: 14, count: 2 } });
    assert.deepEqual(sink.sums("FilteredOutEventCount"), { [esm]: { sum: 3, count: 1 } });
    assert.deepEqual(sink.sums("InvokedEventCount"), { [esm]: { sum: 7, count: 1 } });
    assert.deepEqual(sink.sums("FailedInvokeEventCount"), { [esm]: { sum: 2, count: 1 } });
    assert.deepEqual(sink.sums("DeletedEventCount"), { [esm]: { sum: 5, count: 1 } });
    assert.deepEqual(sink.sums("DroppedEventCount"), { [esm]: { sum: 2, count: 1 } });
    assert.deepEqual(sink.sums("OnFailureDestinationDeliveredEventCount"), { [esm]: { sum: 2, count: 1 } });
    assert.deepEqual(sink.sums("DestinationDeliveryFailures")["FunctionName=orders,Resource=orders"], { sum: 1, count: 1 });
    assert.deepEqual(sink.sums("IteratorAge")["FunctionName=orders"], { sum: 1500, count: 1 });
  });

  test("series are resolved once per function and qualifier, and again only after the function is forgotten", () => {
    const ofOrders = () => sink.resolved.filter((d) => d.FunctionName === "orders").length;
    const use = () => {
      metrics.forResource(fn("live", { version: "2" })).started({ provisioned: false })({ durationMs: 1, error: false });
      metrics.async.received("orders", "live");
    };
    use();
    const once = ofOrders();
    assert.ok(once > 0);
    use();
    assert.equal(ofOrders(), once, "reused");
    metrics.forget("orders");
    use();
    assert.equal(ofOrders(), 2 * once, "resolved anew");
    assert.deepEqual(sink.sums("Invocations")["FunctionName=orders"], { sum: 3, count: 3 });
  });
});
