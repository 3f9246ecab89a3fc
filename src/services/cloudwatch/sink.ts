/**
 * Where Flint's own metrics go into CloudWatch (the `AWS/Lambda` namespace, event source mappings,
 * EMF lines functions print): a datum is aggregated in memory per second and per dimension set and
 * stored shortly after, never on the caller's path. Implemented by the CloudWatch service
 * (services/cloudwatch/); observability/ and the invoke path only call `record`.
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

export interface MetricSink {
  /** Synchronous and cheap (a map update): safe on the invoke path. */
  record(datum: MetricDatum): void;
}

/** A sink that drops everything (tests, tools that publish no metrics). */
export const NO_METRICS: MetricSink = { record: () => {} };
