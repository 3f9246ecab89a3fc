/**
 * CloudWatch metric data (services/cloudwatch/). A metric is a namespace, a name and a set of
 * dimensions (a series); its data are aggregates (aggregate.ts) per interval and unit, kept at three
 * resolutions as CloudWatch rolls data up: per second for 3 hours, per minute for 63 days, per hour
 * for 455 days (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html:
 * AWS keeps minutes for 15 days and 5-minute data for 63; between 15 and 63 days ago CloudWatch
 * aligns to 5 minutes, which Flint's minute rows serve). A write merges into all three, so a query
 * reads the coarsest resolution its period allows.
 */
import { merge, type Aggregate } from "../services/cloudwatch/aggregate.js";

export interface MetricKey {
  namespace: string;
  name: string;
  /** Sorted by name: the canonical form a series is found by. */
  dimensions: readonly { Name: string; Value: string }[];
}

export interface MetricPoint {
  key: MetricKey;
  /** Epoch seconds. */
  at: number;
  unit: string;
  value: Aggregate;
}

export interface StoredPoint {
  /** Epoch seconds, the start of the row's interval. */
  at: number;
  unit: string;
  value: Aggregate;
}

/** Resolutions kept, in seconds, with how long each is kept. */
export const RESOLUTIONS = [
  { seconds: 1, keep: 3 * 3600 },
  { seconds: 60, keep: 63 * 86400 },
  { seconds: 3600, keep: 455 * 86400 },
] as const;

export interface MetricListing {
  metrics: MetricKey[];
  /** The cursor to continue after the last metric listed, when more may follow. */
  after?: number;
}

export interface MetricFilter {
  namespace?: string;
  name?: string;
  /** Each must be on the metric; without a value, any value. */
  dimensions?: readonly { Name: string; Value?: string }[];
  /** Only metrics with data stored at or after this (epoch seconds). */
  activeSince?: number;
}

export interface MetricStore {
  /** Merge points into their series' rows at every resolution (creating series as needed). */
  write(points: readonly MetricPoint[]): Promise<void>;
  /** Metrics matching `filter`, in a stable order, up to `limit`, after the cursor `after`. */
  list(filter: MetricFilter, limit: number, after?: number): Promise<MetricListing>;
  /**
   * One series' rows at `resolution` with `from <= at < to` (epoch seconds), by time; without
   * `histograms` (no percentile asked) their `hist` is left unread (null).
   */
  read(key: MetricKey, resolution: number, from: number, to: number, histograms: boolean): Promise<StoredPoint[]>;
  /** Delete rows older than their resolution keeps (`now` epoch seconds), and series with none left. */
  expire(now: number): Promise<void>;
}

/** The canonical text of a series' dimensions (its identity beside namespace and name). */
export const dimensionsText = (key: MetricKey): string => JSON.stringify(key.dimensions.map((d) => [d.Name, d.Value]));
export const dimensionsOf = (text: string): MetricKey["dimensions"] => (JSON.parse(text) as [string, string][]).map(([Name, Value]) => ({ Name, Value }));

/** Does a series match a filter's dimensions? */
export function dimensionsMatch(key: MetricKey, wanted: MetricFilter["dimensions"]): boolean {
  return (wanted ?? []).every((w) => key.dimensions.some((d) => d.Name === w.Name && (w.Value === undefined || d.Value === w.Value)));
}

export interface RolledUp extends StoredPoint {
  key: MetricKey;
  resolution: number;
}

/**
 * Points merged per (series, resolution, interval, unit): what a write merges into its rows, once
 * per row however many seconds of one batch fall in it.
 */
export function rollUp(points: readonly MetricPoint[]): RolledUp[] {
  const rows = new Map<string, RolledUp>();
  for (const p of points) {
    for (const { seconds } of RESOLUTIONS) {
      const at = p.at - (((p.at % seconds) + seconds) % seconds);
      const id = `${seriesId(p.key)}\0${seconds}\0${at}\0${p.unit}`;
      const row = rows.get(id);
      if (row) merge(row.value, p.value);
      else rows.set(id, { key: p.key, resolution: seconds, at, unit: p.unit, value: { ...p.value } });
    }
  }
  return [...rows.values()];
}

/** A series' identity as one string. */
export const seriesId = (key: MetricKey): string => `${key.namespace}\0${key.name}\0${dimensionsText(key)}`;

/** Each series of a batch with its latest point's time (what ListMetrics' RecentlyActive reads). */
export function latestBySeries(points: readonly MetricPoint[]): Map<string, { key: MetricKey; last: number }> {
  const out = new Map<string, { key: MetricKey; last: number }>();
  for (const p of points) {
    const id = seriesId(p.key);
    const seen = out.get(id);
    if (!seen) out.set(id, { key: p.key, last: p.at });
    else seen.last = Math.max(seen.last, p.at);
  }
  return out;
}
