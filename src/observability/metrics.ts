/**
 * Prometheus metrics for `GET /_flint/metrics`, per function and version, named after the
 * CloudWatch metrics Lambda publishes (Invocations, Errors, Throttles, Duration, ConcurrentExecutions,
 * ProvisionedConcurrentExecutions …) https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 *
 * The invoke path touches only pre-resolved label children (one Map lookup per invocation), so
 * counting costs well under a microsecond; environment counts are read from the pool at scrape time.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { AsyncMetrics } from "../async/queue.js";
import type { MappingMetrics } from "../event-sources/pollers.js";
import type { InvokedResource, LambdaMetrics } from "./cloudwatch.js";

const LABELS = ["function", "version"] as const;

/** Seconds: from a warm echo to a 15-minute timeout. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];
const INIT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface EnvironmentCount {
  functionName: string;
  version: string;
  state: string;
  count: number;
}

/** What one invocation of a version records. */
interface VersionMetrics {
  started(): void;
  finished(outcome: Outcome): void;
}

type Outcome = { durationMs: number; error: boolean; initDurationMs?: number };

/** What the invoke path records of one invocation, for Prometheus and CloudWatch at once. */
export interface InvocationMetrics {
  /** It runs (on a provisioned environment or not); call what this returns when it ends. */
  started(on: { provisioned: boolean }): (outcome: Outcome) => void;
  throttled(reason: string): void;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly invocations: Counter<(typeof LABELS)[number]>;
  private readonly errors: Counter<(typeof LABELS)[number]>;
  private readonly throttles: Counter<"function" | "version" | "reason">;
  private readonly coldStarts: Counter<(typeof LABELS)[number]>;
  private readonly duration: Histogram<(typeof LABELS)[number]>;
  private readonly initDuration: Histogram<(typeof LABELS)[number]>;
  private readonly concurrent: Gauge<(typeof LABELS)[number]>;
  private readonly asyncOutcomes: Counter<"function" | "outcome">;
  private readonly byVersion = new Map<string, VersionMetrics>();
  /** Event source mappings (event-sources/pollers.ts), labelled by mapping UUID and source ARN. */
  readonly mappings: MappingMetrics;
  /** The asynchronous queue's events (async/queue.ts). */
  readonly async: AsyncMetrics;
  private readonly throttleLabels = new Map<string, { function: string; version: string; reason: string }>();

  /**
   * `cloudwatch`: the same events as AWS/Lambda metrics; `iamDecisions`: the Authorizer's counts of
   * decisions by outcome, read at scrape time.
   */
  constructor(environments: () => EnvironmentCount[], private readonly cloudwatch: LambdaMetrics, iamDecisions: () => Readonly<Record<"allowed" | "denied" | "reported", number>> = () => ({ allowed: 0, denied: 0, reported: 0 })) {
    const registers = [this.registry];
    this.invocations = new Counter({ name: "flint_invocations_total", help: "Invocations that ran function code (successes and function errors).", labelNames: LABELS, registers });
    this.errors = new Counter({ name: "flint_errors_total", help: "Invocations that ended in a function error (unhandled, timeout, crash, init failure).", labelNames: LABELS, registers });
    this.throttles = new Counter({ name: "flint_throttles_total", help: "Invocation requests refused with TooManyRequestsException, by reason.", labelNames: ["function", "version", "reason"], registers });
    this.coldStarts = new Counter({ name: "flint_cold_starts_total", help: "Invocations that waited for a new environment's init.", labelNames: LABELS, registers });
    this.duration = new Histogram({ name: "flint_duration_seconds", help: "Time the function code spent on an invocation.", labelNames: LABELS, buckets: DURATION_BUCKETS, registers });
    this.initDuration = new Histogram({ name: "flint_init_duration_seconds", help: "Init phase of environments whose first invocation waited for it.", labelNames: LABELS, buckets: INIT_BUCKETS, registers });
    this.concurrent = new Gauge({ name: "flint_concurrent_executions", help: "Invocations running now.", labelNames: LABELS, registers });
    this.asyncOutcomes = new Counter({
      name: "flint_async_events_total",
      help: "Asynchronous events that reached their end: succeeded, delivered (to an on-failure destination or dead-letter queue) or discarded (failed or expired with nowhere to go).",
      labelNames: ["function", "outcome"],
      registers,
    });
    const mappingLabels = ["uuid", "source"] as const;
    const polled = new Counter({ name: "flint_esm_records_polled_total", help: "Records event source mappings read from their sources.", labelNames: mappingLabels, registers });
    const filtered = new Counter({ name: "flint_esm_records_filtered_out_total", help: "Records dropped because no filter of their mapping matched them.", labelNames: mappingLabels, registers });
    const batches = new Counter({ name: "flint_esm_batches_total", help: "Invocations with batches by outcome (ok, partial, failed, throttled, gone).", labelNames: [...mappingLabels, "outcome"], registers });
    const discarded = new Counter({ name: "flint_esm_records_discarded_total", help: "Stream records given up on (retries exhausted or too old) and sent to the on-failure destination, if any.", labelNames: mappingLabels, registers });
    const age = new Gauge({ name: "flint_esm_iterator_age_milliseconds", help: "IteratorAge: how far behind the newest record of its shard a stream mapping's last read was.", labelNames: [...mappingLabels, "shard"], registers });
    const labelsOf = (m: { uuid: string; eventSourceArn: string }) => ({ uuid: m.uuid, source: m.eventSourceArn });
    this.mappings = both<MappingMetrics>(
      {
        polled: (m, records, filteredOut) => {
          polled.inc(labelsOf(m), records);
          if (filteredOut) filtered.inc(labelsOf(m), filteredOut);
        },
        batch: (m, outcome) => batches.inc({ ...labelsOf(m), outcome }),
        deleted: () => {},
        discarded: (m, records) => discarded.inc(labelsOf(m), records),
        onFailure: () => {},
        iteratorAge: (m, shard, ms) => age.set({ ...labelsOf(m), shard }, ms),
      },
      cloudwatch.mappings,
    );
    this.async = both<AsyncMetrics>(
      { received: () => {}, attempted: () => {}, sendFailed: () => {}, ended: (fn, _qualifier, outcome) => this.asyncOutcomes.inc({ function: fn, outcome }) },
      cloudwatch.async,
    );
    new Gauge({
      name: "flint_environments",
      help: "Execution environments by state (creating, initializing, idle, busy); state=\"provisioned\" counts the provisioned ones among them.",
      labelNames: ["function", "version", "state"],
      registers,
      collect() {
        this.reset();
        for (const e of environments()) this.set({ function: e.functionName, version: e.version, state: e.state }, e.count);
      },
    });
    new Counter({
      name: "flint_iam_decisions_total",
      help: "Authorization decisions on calls: allowed, denied (refused under --iam enforce) or reported (a denial let through under --iam report).",
      labelNames: ["outcome"],
      registers,
      collect() {
        this.reset();
        for (const [outcome, n] of Object.entries(iamDecisions())) this.inc({ outcome }, n);
      },
    });
  }

  /** One invocation's recorders: Prometheus's per function version, CloudWatch's per qualifier too. */
  forInvocation(r: InvokedResource): InvocationMetrics {
    const prometheus = this.forVersion(r.functionName, r.version);
    const cloudwatch = this.cloudwatch.forResource(r);
    return {
      started: (on) => {
        prometheus.started();
        const end = cloudwatch.started(on);
        return (outcome) => {
          prometheus.finished(outcome);
          end(outcome);
        };
      },
      throttled: (reason) => {
        this.throttled(r.functionName, r.version, reason);
        cloudwatch.throttled();
      },
    };
  }

  /** The recorder for one function version, created once and reused by every invocation. */
  private forVersion(functionName: string, version: string): VersionMetrics {
    const key = `${functionName}:${version}`;
    let m = this.byVersion.get(key);
    if (!m) {
      const labels = { function: functionName, version };
      const [invocations, errors, coldStarts, duration, initDuration, concurrent] = [
        this.invocations.labels(labels),
        this.errors.labels(labels),
        this.coldStarts.labels(labels),
        this.duration.labels(labels),
        this.initDuration.labels(labels),
        this.concurrent.labels(labels),
      ];
      m = {
        started: () => concurrent.inc(),
        finished: ({ durationMs, error, initDurationMs }) => {
          concurrent.dec();
          invocations.inc();
          if (error) errors.inc();
          duration.observe(durationMs / 1000);
          if (initDurationMs !== undefined) {
            coldStarts.inc();
            initDuration.observe(initDurationMs / 1000);
          }
        },
      };
      this.byVersion.set(key, m);
    }
    return m;
  }

  private throttled(functionName: string, version: string, reason: string): void {
    const labels = { function: functionName, version, reason };
    this.throttleLabels.set(JSON.stringify(labels), labels);
    this.throttles.inc(labels);
  }

  /** A function or version is gone: its series go too. */
  forget(functionName: string, version?: string): void {
    if (version === undefined) this.cloudwatch.forget(functionName);
    for (const key of [...this.byVersion.keys()]) {
      const v = key.slice(functionName.length + 1);
      if (!key.startsWith(`${functionName}:`) || (version !== undefined && v !== version)) continue;
      this.byVersion.delete(key);
      const labels = { function: functionName, version: v };
      for (const metric of [this.invocations, this.errors, this.coldStarts, this.duration, this.initDuration, this.concurrent]) metric.remove(labels);
    }
    for (const [key, labels] of this.throttleLabels) {
      if (labels.function !== functionName || (version !== undefined && labels.version !== version)) continue;
      this.throttleLabels.delete(key);
      this.throttles.remove(labels);
    }
  }

  contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** One recorder made of two: every call goes to both. */
function both<T extends object>(a: T, b: T): T {
  const calls = (o: T) => o as Record<string, (...args: unknown[]) => void>;
  return Object.fromEntries(
    Object.keys(a).map((k) => [
      k,
      (...args: unknown[]) => {
        calls(a)[k]!(...args);
        calls(b)[k]!(...args);
      },
    ]),
  ) as T;
}
