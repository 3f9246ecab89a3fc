/**
 * The `AWS/Lambda` metrics Lambda publishes to CloudWatch, with its names, units and dimension sets,
 * recorded into the MetricSink (services/cloudwatch/sink.ts) that aggregates them per second.
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 *
 * Invocation metrics (Invocations, Errors, Throttles, Duration, ProvisionedConcurrency(Spillover)Invocations,
 * DeadLetterErrors, DestinationDeliveryFailures) carry one data point per invocation, so Sum counts
 * and Duration's percentiles are over every invocation. Concurrency metrics are gauges, recorded on
 * every rise and once a second while non-zero (read them with Maximum). Event source mapping
 * metrics carry only `EventSourceMappingUUID`.
 */
import type { Clock, Timer } from "../clock/clock.js";
import type { MappingMetrics } from "../event-sources/pollers.js";
import type { AsyncMetrics } from "../async/queue.js";
import type { MappingRecord } from "../services/lambda/event-source-mappings.js";
import type { MetricSeries, MetricSink } from "../services/cloudwatch/sink.js";

export const NAMESPACE = "AWS/Lambda";
type Dimensions = Readonly<Record<string, string>>;

/** What one invocation of a function through a qualifier (running a version) records. */
export interface ResourceMetrics {
  /** An invocation started (on a provisioned environment or not); call what it returns when it ends. */
  started(on: { provisioned: boolean }): (outcome: { durationMs: number; error: boolean }) => void;
  throttled(): void;
}

export interface InvokedResource {
  functionName: string;
  /** As the caller named it: a version, an alias, `$LATEST`, or none. */
  qualifier?: string;
  /** The version that ran. */
  version: string;
  /** The function has reserved concurrency (its executions are not "unreserved"). */
  reserved: boolean;
  /** Provisioned concurrency configured on the qualifier (0: none). */
  provisioned: number;
}

/**
 * AWS's dimension sets for a function's metrics: none (the account), FunctionName, FunctionName and
 * Resource (`name` or `name:qualifier`), and for an alias also the ExecutedVersion it ran.
 */
export function dimensionSets(functionName: string, qualifier: string | undefined, version?: string): Dimensions[] {
  const resource = qualifier === undefined ? functionName : `${functionName}:${qualifier}`;
  const sets: Dimensions[] = [{}, { FunctionName: functionName }, { FunctionName: functionName, Resource: resource }];
  const alias = qualifier !== undefined && qualifier !== "$LATEST" && !/^\d+$/.test(qualifier);
  if (alias && version !== undefined) sets.push({ FunctionName: functionName, Resource: resource, ExecutedVersion: version });
  return sets;
}

/** A count of things running now, published as a gauge for one metric and dimension set. */
interface Gauge {
  dimensions: Dimensions;
  series: MetricSeries;
  value: number;
  /** The value the last sample published (0 when it published none). */
  lastSampled: number;
}

export class LambdaMetrics {
  /** Gauges by metric and dimension set. */
  private readonly gauge = new Map<string, Gauge>();
  private readonly byResource = new Map<string, ResourceMetrics>();
  /** Asynchronous invocation and stream metrics' series, by function, qualifier and metric. */
  private readonly byQualifier = new Map<string, MetricSeries[]>();
  private readonly sampler: Timer;
  /** Event source mapping metrics (event-sources/pollers.ts). */
  readonly mappings: MappingMetrics;
  /** Asynchronous invocation metrics (async/queue.ts). */
  readonly async: AsyncMetrics;

  constructor(
    private readonly sink: MetricSink,
    clock: Clock,
  ) {
    this.sampler = clock.every(1000, () => this.sample());
    const esm = (m: MappingRecord, name: string, value: number) => {
      if (value > 0) this.sink.record({ namespace: NAMESPACE, name, dimensions: { EventSourceMappingUUID: m.uuid }, value, unit: "Count" });
    };
    this.mappings = {
      polled: (m, records, filteredOut) => {
        esm(m, "PolledEventCount", records);
        esm(m, "FilteredOutEventCount", filteredOut);
      },
      batch: (m, _outcome, events) => {
        esm(m, "InvokedEventCount", events.invoked);
        esm(m, "FailedInvokeEventCount", events.failed);
      },
      deleted: (m, records) => esm(m, "DeletedEventCount", records),
      discarded: (m, records) => esm(m, "DroppedEventCount", records),
      onFailure: (m, records, delivered) => {
        if (delivered) esm(m, "OnFailureDestinationDeliveredEventCount", records);
        else put(this.ofQualifier(m.functionName, m.qualifier, "DestinationDeliveryFailures", "Count"), 1);
      },
      iteratorAge: (m, _shard, ms) => put(this.ofQualifier(m.functionName, m.qualifier, "IteratorAge", "Milliseconds"), ms),
    };
    this.async = {
      received: (fn, qualifier) => put(this.ofQualifier(fn, qualifier, "AsyncEventsReceived", "Count"), 1),
      attempted: (fn, qualifier, ageMs) => put(this.ofQualifier(fn, qualifier, "AsyncEventAge", "Milliseconds"), ageMs),
      ended: (fn, qualifier, outcome) => {
        // Dropped: the function never ran it successfully, whether or not a destination or DLQ got it.
        if (outcome !== "succeeded") put(this.ofQualifier(fn, qualifier, "AsyncEventsDropped", "Count"), 1);
      },
      sendFailed: (fn, qualifier, kind) => put(this.ofQualifier(fn, qualifier, kind === "dead-letter" ? "DeadLetterErrors" : "DestinationDeliveryFailures", "Count"), 1),
    };
  }

  /** The recorder for invocations of one function through one qualifier, created once and reused. */
  forResource(r: InvokedResource): ResourceMetrics {
    const key = `${r.functionName}\0${r.qualifier ?? ""}\0${r.version}\0${r.reserved}\0${r.provisioned}`;
    let m = this.byResource.get(key);
    if (m) return m;
    const sets = dimensionSets(r.functionName, r.qualifier, r.version);
    // Provisioned concurrency is per function and per version or alias, never for the account.
    const provisionedSets = sets.slice(1, 3);
    const resourceSet = sets.slice(2, 3);
    // Series and gauges resolved once: the invoke path only adds to them.
    const invocations = this.series("Invocations", sets, "Count");
    const errors = this.series("Errors", sets, "Count");
    const duration = this.series("Duration", sets, "Milliseconds");
    const throttles = this.series("Throttles", sets, "Count");
    const utilization = this.series("ProvisionedConcurrencyUtilization", resourceSet, "None");
    const provisionedInvocations = this.series("ProvisionedConcurrencyInvocations", provisionedSets, "Count");
    const spillover = this.series("ProvisionedConcurrencySpilloverInvocations", provisionedSets, "Count");
    const concurrent = this.gauges("ConcurrentExecutions", sets);
    const unreserved = r.reserved ? [] : this.gauges("UnreservedConcurrentExecutions", [{}]);
    const provisionedExecutions = this.gauges("ProvisionedConcurrentExecutions", provisionedSets);
    const onProvisioned = provisionedExecutions[1]!;
    m = {
      started: ({ provisioned }) => {
        this.adjust(concurrent, 1);
        this.adjust(unreserved, 1);
        if (provisioned) {
          this.adjust(provisionedExecutions, 1);
          if (r.provisioned > 0) put(utilization, onProvisioned.value / r.provisioned);
          put(provisionedInvocations, 1);
        } else if (r.provisioned > 0) put(spillover, 1);
        return ({ durationMs, error }) => {
          this.adjust(concurrent, -1);
          this.adjust(unreserved, -1);
          if (provisioned) this.adjust(provisionedExecutions, -1);
          put(invocations, 1);
          // Errors is 0 or 1 per invocation: its Average is the error rate.
          put(errors, error ? 1 : 0);
          put(duration, durationMs);
        };
      },
      throttled: () => put(throttles, 1),
    };
    this.byResource.set(key, m);
    return m;
  }

  /** A function is gone: forget its recorders, gauges and their series (their data points stay in the store). */
  forget(functionName: string): void {
    for (const key of this.byResource.keys()) if (key.startsWith(`${functionName}\0`)) this.byResource.delete(key);
    for (const key of this.byQualifier.keys()) if (key.startsWith(`${functionName}\0`)) this.byQualifier.delete(key);
    for (const [key, g] of this.gauge) if (g.dimensions.FunctionName === functionName) this.gauge.delete(key);
  }

  stop(): void {
    this.sampler.cancel();
  }

  /** A metric's series for a function through a qualifier (its dimension sets without ExecutedVersion), resolved on first use. */
  private ofQualifier(functionName: string, qualifier: string | undefined, name: string, unit: string): MetricSeries[] {
    const key = `${functionName}\0${qualifier ?? ""}\0${name}`;
    let series = this.byQualifier.get(key);
    if (!series) this.byQualifier.set(key, (series = this.series(name, dimensionSets(functionName, qualifier), unit)));
    return series;
  }

  /** A metric's series in these dimension sets. */
  private series(name: string, sets: Dimensions[], unit: string): MetricSeries[] {
    return sets.map((dimensions) => this.sink.series(NAMESPACE, name, dimensions, unit));
  }

  /** The gauges of a metric in these dimension sets, shared by every recorder that counts into them. */
  private gauges(name: string, sets: Dimensions[]): Gauge[] {
    return sets.map((dimensions) => {
      const key = `${name}\0${JSON.stringify(dimensions)}`;
      let g = this.gauge.get(key);
      if (!g) this.gauge.set(key, (g = { dimensions, series: this.sink.series(NAMESPACE, name, dimensions, "Count"), value: 0, lastSampled: 0 }));
      return g;
    });
  }

  /**
   * A rise is published at once (so Maximum sees every peak, however short); a fall only by the
   * next sample, which is all Maximum needs and spares the invoke path half the gauge points.
   */
  private adjust(gauges: Gauge[], delta: number): void {
    for (const g of gauges) {
      g.value += delta;
      if (delta > 0) g.series.record(g.value);
    }
  }

  /** Gauges once a second while non-zero: a long invocation keeps showing; one back at 0 shows that once more. */
  private sample(): void {
    for (const g of this.gauge.values()) {
      if (g.value !== 0 || g.lastSampled !== 0) g.series.record(g.value);
      g.lastSampled = g.value;
    }
  }
}

/** One data point in each series. */
function put(series: readonly MetricSeries[], value: number): void {
  for (const s of series) s.record(value);
}
