/**
 * CloudWatch metrics: PutMetricData, ListMetrics, GetMetricStatistics, GetMetricData over the
 * MetricStore, and the MetricSink Flint's own metrics go through (per-second aggregation in
 * memory, written every second). Validation and messages follow AWS's
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Operations.html, errors as
 * recorded by LocalStack's snapshot tests where AWS's text is known).
 */
import { awsError } from "../../errors.js";
import type { Clock, Timer } from "../../clock/clock.js";
import type { MetricPoint, MetricStore } from "../../store/metric-store.js";
import { merge, ofStatistics, ofValue, type Aggregate } from "./aggregate.js";
import type { MetricDatum, MetricSeries, MetricSink } from "./sink.js";
import { PendingSeconds } from "./pending.js";
import type { Dimension, GetMetricDataInput, GetMetricStatisticsInput, ListMetricsInput, MetricDatumInput, PutMetricDataInput } from "./inputs.js";
import { alignedStart, isPercentile, isPeriod, periods, resolutionFor, statistic, STATISTICS } from "./statistics.js";
import { invalid, MAX_AGE_MS, MAX_AHEAD_MS, metricKey, required, validation, validateDimensions, validateUnit } from "./validation.js";
import { metricData, type MetricDataResult } from "./metric-data.js";
import { decodePageToken, encodePageToken } from "../../lib/page-token.js";

/** How often the sink's seconds are written, and how often old rows are deleted. */
const FLUSH_MS = 1000;
const EXPIRE_MS = 10 * 60_000;
/** AWS: values in [-2^360, 2^360], no NaN or infinities. */
const LIMIT = 2 ** 360;
const LIST_PAGE = 500;
const MAX_DATAPOINTS = 1440;

export interface Datapoint {
  Timestamp: number;
  SampleCount?: number;
  Average?: number;
  Sum?: number;
  Minimum?: number;
  Maximum?: number;
  Unit: string;
  ExtendedStatistics?: Record<string, number>;
}

export interface CloudWatchDeps {
  store: MetricStore;
  clock: Clock;
}

export class CloudWatchService implements MetricSink {
  /** The sink's aggregates not yet written. */
  private readonly pending: PendingSeconds;
  private readonly timers: Timer[] = [];
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: CloudWatchDeps) {
    this.pending = new PendingSeconds(deps.clock);
  }

  /** Start writing the sink's data every second and expiring old rows. */
  start(): void {
    this.timers.push(this.deps.clock.every(FLUSH_MS, () => void this.flush()));
    this.timers.push(this.deps.clock.every(EXPIRE_MS, () => void this.deps.store.expire(Math.floor(this.deps.clock.now() / 1000)).catch((err) => console.error("flint: metrics expiry:", err))));
  }

  /** Stop the timers and write what is pending. */
  async stop(): Promise<void> {
    for (const t of this.timers.splice(0)) t.cancel();
    await this.flush();
  }

  series(namespace: string, name: string, dimensions: Readonly<Record<string, string>>, unit: string): MetricSeries {
    return this.pending.series(namespace, name, dimensions, unit);
  }

  record(d: MetricDatum): void {
    this.pending.record(d);
  }

  /** Write the sink's pending seconds (one write at a time; a failed write is logged and dropped). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const points = this.pending.take();
      if (points.length === 0) return;
      await this.deps.store.write(points).catch((err) => console.error("flint: metrics write:", err));
    });
    return this.flushing;
  }

  async putMetricData(input: PutMetricDataInput): Promise<void> {
    const namespace = input.Namespace;
    if (namespace === undefined) throw required("Namespace");
    if (namespace.length < 1 || namespace.length > 255 || namespace.startsWith(":")) throw invalid(`The value ${namespace} for parameter Namespace is invalid.`);
    if (namespace.startsWith("AWS/")) throw invalid("The value AWS/ for parameter Namespace is invalid.");
    const data = input.MetricData;
    if (data === undefined || data.length === 0) throw required("MetricData");
    if (data.length > 1000) throw invalid("The collection MetricData must not contain more than 1000 items.");
    const now = this.deps.clock.now();
    const points = data.map((d, i) => this.point(namespace, d, i + 1, now));
    await this.deps.store.write(points);
  }

  private point(namespace: string, d: MetricDatumInput, n: number, now: number): MetricPoint {
    const at = `MetricData.member.${n}`;
    if (d.MetricName === undefined) throw required(`${at}.MetricName`);
    if (d.MetricName.length < 1 || d.MetricName.length > 255) throw invalid(`The value ${d.MetricName} for parameter ${at}.MetricName is invalid.`);
    const dimensions = validateDimensions(d.Dimensions, `${at}.Dimensions`, 30);
    validateUnit(d.Unit, `metricData.${n}.member.unit`);
    if (d.StorageResolution !== undefined && d.StorageResolution !== 1 && d.StorageResolution !== 60) {
      throw invalid(`The value ${d.StorageResolution} for parameter ${at}.StorageResolution is invalid.`);
    }
    const when = d.Timestamp ?? now;
    if (when < now - MAX_AGE_MS) throw invalid(`The parameter ${at}.Timestamp must specify a time no more than two weeks in the past.`);
    if (when > now + MAX_AHEAD_MS) throw invalid(`The parameter ${at}.Timestamp must specify a time no more than two hours in the future.`);
    const checkValue = (v: number, name: string) => {
      if (!Number.isFinite(v) || Math.abs(v) > LIMIT || (v !== 0 && Math.abs(v) < 1 / LIMIT)) throw invalid(`The value ${v} for parameter ${at}.${name} is invalid.`);
    };
    const given = [d.Value !== undefined && "Value", d.Values !== undefined && "Values", d.StatisticValues !== undefined && "StatisticValues"].filter((x): x is string => x !== false);
    if (given.length > 1) throw awsError("InvalidParameterCombination", `The parameters ${at}.${given[0]} and ${at}.${given[1]} are mutually exclusive and you have specified both.`);
    let value: Aggregate;
    if (d.Value !== undefined) {
      checkValue(d.Value, "Value");
      value = ofValue(d.Value);
    } else if (d.Values !== undefined) {
      if (d.Values.length > 150) throw invalid(`The collection ${at}.Values must not contain more than 150 items.`);
      if (d.Counts !== undefined && d.Counts.length !== d.Values.length) throw invalid(`The parameters ${at}.Values and ${at}.Counts must be of the same size.`);
      if (d.Values.length === 0) throw required(`${at}.Values`);
      d.Values.forEach((v) => checkValue(v, "Values"));
      d.Counts?.forEach((c) => {
        if (!Number.isFinite(c) || c < 0) throw invalid(`The value ${c} for parameter ${at}.Counts is invalid.`);
      });
      value = d.Values.map((v, i) => ofValue(v, d.Counts?.[i] ?? 1)).reduce((a, b) => merge(a, b));
    } else if (d.StatisticValues !== undefined) {
      const s = d.StatisticValues;
      for (const k of ["SampleCount", "Sum", "Minimum", "Maximum"] as const) {
        if (s[k] === undefined) throw required(`${at}.StatisticValues.${k}`);
        checkValue(s[k], `StatisticValues.${k}`);
      }
      if (s.SampleCount! <= 0) throw invalid(`The value ${s.SampleCount} for parameter ${at}.StatisticValues.SampleCount is invalid.`);
      if (s.Minimum! > s.Maximum!) throw invalid(`The parameter ${at}.StatisticValues.Maximum must be greater than ${at}.StatisticValues.Minimum.`);
      value = ofStatistics(s.SampleCount!, s.Sum!, s.Minimum!, s.Maximum!);
    } else {
      throw awsError("InvalidParameterCombination", `At least one of the parameters ${at}.Value, ${at}.Values or ${at}.StatisticValues must be specified.`);
    }
    return { key: { namespace, name: d.MetricName, dimensions }, at: Math.floor(when / 1000), unit: d.Unit ?? "None", value };
  }

  async listMetrics(input: ListMetricsInput): Promise<{ Metrics: { Namespace: string; MetricName: string; Dimensions: Dimension[] }[]; NextToken?: string }> {
    if (input.Dimensions !== undefined && input.Dimensions.length > 10) throw invalid("The collection Dimensions must not contain more than 10 items.");
    input.Dimensions?.forEach((d, i) => {
      if (d.Name === undefined) throw required(`Dimensions.member.${i + 1}.Name`);
    });
    if (input.RecentlyActive !== undefined && input.RecentlyActive !== "PT3H") {
      throw validation(`1 validation error detected: Value '${input.RecentlyActive}' at 'recentlyActive' failed to satisfy constraint: Member must satisfy enum value set: [PT3H]`);
    }
    let after: number | undefined;
    if (input.NextToken !== undefined) {
      after = cursorOf(input.NextToken);
      if (after === undefined) throw invalid("Request parameter NextToken is invalid");
    }
    const now = Math.floor(this.deps.clock.now() / 1000);
    const page = await this.deps.store.list(
      {
        namespace: input.Namespace,
        name: input.MetricName,
        dimensions: input.Dimensions?.map((d) => ({ Name: d.Name!, Value: d.Value })),
        activeSince: now - (input.RecentlyActive === "PT3H" ? 3 * 3600 : MAX_AGE_MS / 1000),
      },
      LIST_PAGE,
      after,
    );
    return {
      Metrics: page.metrics.map((k) => ({ Namespace: k.namespace, MetricName: k.name, Dimensions: [...k.dimensions] })),
      NextToken: page.after === undefined ? undefined : tokenOf(page.after),
    };
  }

  async getMetricStatistics(input: GetMetricStatisticsInput): Promise<{ Label: string; Datapoints: Datapoint[] }> {
    const key = metricKey(input, "");
    for (const name of ["StartTime", "EndTime", "Period"] as const) if (input[name] === undefined) throw required(name);
    const period = input.Period!;
    if (!isPeriod(period)) throw invalid("The parameter Period must be 1, 5, 10, 20, 30 or a multiple of 60.");
    validateUnit(input.Unit, "unit");
    const stats = input.Statistics ?? [];
    const extended = input.ExtendedStatistics ?? [];
    if (stats.length === 0 && extended.length === 0) throw awsError("InvalidParameterCombination", "Must specify either Statistics or ExtendedStatistics.");
    if (stats.length > 0 && extended.length > 0) throw awsError("InvalidParameterCombination", "The parameters Statistics and ExtendedStatistics are mutually exclusive and you have specified both.");
    if (stats.length > 5) throw invalid("The collection Statistics must not contain more than 5 items.");
    if (extended.length > 10) throw invalid("The collection ExtendedStatistics must not contain more than 10 items.");
    stats.forEach((s, i) => {
      if (!(STATISTICS as readonly string[]).includes(s)) throw validation(`1 validation error detected: Value '${s}' at 'statistics.${i + 1}.member' failed to satisfy constraint: Member must satisfy enum value set: [${STATISTICS.join(", ")}]`);
    });
    for (const s of extended) if (!isPercentile(s)) throw invalid(`The value ${s} for parameter ExtendedStatistics is not supported.`);
    if (input.StartTime! >= input.EndTime!) throw invalid("The parameter StartTime must be less than the parameter EndTime.");
    const now = this.deps.clock.now();
    const start = alignedStart(input.StartTime!, now, period);
    const end = Math.ceil(input.EndTime! / 1000);
    const wanted = Math.ceil((input.EndTime! - input.StartTime!) / 1000 / period);
    if (wanted > MAX_DATAPOINTS) {
      throw awsError("InvalidParameterCombination", `You have requested up to ${wanted} datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`);
    }
    const rows = await this.deps.store.read(key, resolutionFor(period, start), start, end, extended.length > 0);
    const Datapoints = periods(rows, start, period, input.Unit).map((p) => {
      const point: Datapoint = { Timestamp: p.at * 1000, Unit: input.Unit ?? p.unit };
      for (const s of stats) point[s as (typeof STATISTICS)[number]] = statistic(p.value, s);
      if (extended.length > 0) {
        const values: Record<string, number> = {};
        for (const s of extended) {
          const v = statistic(p.value, s);
          if (v !== undefined) values[s] = v;
        }
        point.ExtendedStatistics = values;
      }
      return point;
    });
    return { Label: key.name, Datapoints };
  }

  async getMetricData(input: GetMetricDataInput): Promise<{ MetricDataResults: MetricDataResult[]; NextToken?: string; Messages: [] }> {
    return metricData(input, { read: (key, resolution, from, to, histograms) => this.deps.store.read(key, resolution, from, to, histograms), now: this.deps.clock.now() });
  }
}

const tokenOf = (after: number) => encodePageToken({ after });
function cursorOf(token: string): number | undefined {
  const after = (decodePageToken(token) as { after?: unknown } | null | undefined)?.after;
  return typeof after === "number" && Number.isInteger(after) && after >= 0 ? after : undefined;
}
