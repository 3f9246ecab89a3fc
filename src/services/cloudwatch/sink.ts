/**
 * Where Flint's own metrics go into CloudWatch (the `AWS/Lambda` namespace, event source mappings,
 * EMF lines functions print): a datum is aggregated in memory per second and per dimension set and
 * stored shortly after, never on the caller's path. Implemented by the CloudWatch service
 * (services/cloudwatch/); observability/ resolves a `series` once per function and dimension set and
 * the invoke path only calls its `record`.
 */
export interface MetricDatum {
  namespace: string;
  name: string;
  /** Dimension name → value; `{}` for the metric without dimensions. */
  dimensions: Readonly<Record<string, string>>;
  value: number;
  /** CloudWatch's unit names: `Count`, `Milliseconds`, `Seconds`, `Bytes`, `None` … */
  unit: string;
  /** Epoch ms; defaults to now. */
  timestamp?: number;
}

/** One series (namespace, name, dimension set, unit), resolved once: recording is a merge into its current second. */
export interface MetricSeries {
  /** `timestamp` epoch ms, defaults to now. */
  record(value: number, timestamp?: number): void;
}

export interface MetricSink {
  /** The handle the invoke path records through (no key built per data point); drop it with what it measures. */
  series(namespace: string, name: string, dimensions: Readonly<Record<string, string>>, unit: string): MetricSeries;
  /** One data point, its series found by key (EMF lines, rare events). */
  record(datum: MetricDatum): void;
}

/** A sink that drops everything (tests, tools that publish no metrics). */
export const NO_METRICS: MetricSink = { series: () => ({ record: () => {} }), record: () => {} };
