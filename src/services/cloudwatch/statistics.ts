/**
 * From stored rows to datapoints: which resolution a query reads, how its time range is aligned, and
 * each statistic of a period's merged aggregate.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html
 */
import { merge, percentile, type Aggregate } from "./aggregate.js";
import { RESOLUTIONS, type StoredPoint } from "../../store/metric-store.js";

export const STATISTICS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"] as const;

/** AWS's percentile syntax: p0.0 … p100, up to ten decimals. */
const PERCENTILE = /^p(\d{1,2}(\.\d{0,10})?|100(\.0{0,10})?)$/;

export const isPercentile = (stat: string): boolean => PERCENTILE.test(stat);
export const isStatistic = (stat: string): boolean => (STATISTICS as readonly string[]).includes(stat) || isPercentile(stat);

/** One statistic of an aggregate; undefined when it has none (a percentile without a histogram). */
export function statistic(a: Aggregate, stat: string): number | undefined {
  switch (stat) {
    case "SampleCount":
      return a.count;
    case "Sum":
      return a.sum;
    case "Average":
      return a.count === 0 ? undefined : a.sum / a.count;
    case "Minimum":
      return a.min;
    case "Maximum":
      return a.max;
    default:
      return percentile(a, Number(stat.slice(1)));
  }
}

/** AWS's periods: 1, 5, 10, 20, 30 (high resolution) or a multiple of 60. */
export const isPeriod = (period: number): boolean => Number.isInteger(period) && period > 0 && (period % 60 === 0 || [1, 5, 10, 20, 30].includes(period));

/**
 * A query's first period start (epoch s): CloudWatch rounds StartTime down to the minute when it is
 * less than 15 days ago, to 5 minutes up to 63 days, to the hour beyond; a period under a minute
 * starts on a multiple of itself.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html
 */
export function alignedStart(startMs: number, nowMs: number, period: number): number {
  const start = Math.floor(startMs / 1000);
  const age = (nowMs - startMs) / 1000;
  const unit = period < 60 ? period : age < 15 * 86400 ? 60 : age < 63 * 86400 ? 300 : 3600;
  return start - (((start % unit) + unit) % unit);
}

/** The coarsest stored resolution whose rows fit whole in every period from `start`. */
export function resolutionFor(period: number, start: number): number {
  for (let i = RESOLUTIONS.length - 1; i >= 0; i--) {
    const r = RESOLUTIONS[i]!.seconds;
    if (period % r === 0 && start % r === 0) return r;
  }
  return 1;
}

export interface Period {
  /** Epoch seconds. */
  at: number;
  unit: string;
  value: Aggregate;
}

/**
 * Rows (in time order) merged per period from `start`; only periods with data. Without `unit`
 * rows of every unit merge, and the period reports the first unit it saw.
 */
export function periods(rows: readonly StoredPoint[], start: number, period: number, unit?: string): Period[] {
  const out: Period[] = [];
  for (const row of rows) {
    if (unit !== undefined && row.unit !== unit) continue;
    const at = start + Math.floor((row.at - start) / period) * period;
    const last = out[out.length - 1];
    if (last && last.at === at) merge(last.value, row.value);
    else out.push({ at, unit: row.unit, value: { ...row.value } });
  }
  return out;
}
