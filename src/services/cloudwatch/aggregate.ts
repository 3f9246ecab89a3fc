/**
 * What CloudWatch keeps of a metric's values in one interval: SampleCount, Sum, Minimum, Maximum,
 * and for percentiles a log-bucketed histogram (as DDSketch): value v > 0 goes to bucket
 * ceil(log(v) / log(GAMMA)) and a bucket is read back as the midpoint of its bounds, so a percentile
 * is within ±1% of a true stored value (the lowest and highest buckets answer min and max, so a
 * single value, p0 and p100 are exact); 0 has
 * its own bucket. AWS computes no percentiles over negative values or statistic sets
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Percentiles):
 * such an interval has no histogram (`hist: null`) and its percentiles are absent.
 */
export const GAMMA = 1.02;
const LOG_GAMMA = Math.log(GAMMA);
/** The bucket of 0 (no positive value maps this low: 1e-300 is bucket -34881). */
const ZERO = -1_000_000;

export interface Aggregate {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Bucket index → count; null when percentiles are unavailable for this interval. */
  hist: Record<number, number> | null;
}

export function bucketOf(v: number): number {
  return v === 0 ? ZERO : Math.ceil(Math.log(v) / LOG_GAMMA);
}

/** The value a bucket stands for: the midpoint of (GAMMA^(i-1), GAMMA^i]. */
function valueOf(bucket: number): number {
  return bucket === ZERO ? 0 : (2 * GAMMA ** bucket) / (GAMMA + 1);
}

/** `count` occurrences of `value` (PutMetricData's Values/Counts, or one Value with count 1). */
export function ofValue(value: number, count = 1): Aggregate {
  return { count, sum: value * count, min: value, max: value, hist: value >= 0 ? { [bucketOf(value)]: count } : null };
}

/** A StatisticSet: no values, so no percentiles. */
export function ofStatistics(count: number, sum: number, min: number, max: number): Aggregate {
  return { count, sum, min, max, hist: null };
}

/** `into` merged with `add` (mutates and returns `into`). */
export function merge(into: Aggregate, add: Aggregate): Aggregate {
  into.count += add.count;
  into.sum += add.sum;
  into.min = Math.min(into.min, add.min);
  into.max = Math.max(into.max, add.max);
  if (into.hist === null || add.hist === null) into.hist = null;
  else for (const [k, n] of Object.entries(add.hist)) into.hist[k as unknown as number] = (into.hist[k as unknown as number] ?? 0) + n;
  return into;
}

export const copy = (a: Aggregate): Aggregate => ({ ...a, hist: a.hist && { ...a.hist } });

/** The p-th percentile (0 < p ≤ 100), or undefined without a histogram. */
export function percentile(a: Aggregate, p: number): number | undefined {
  if (a.hist === null || a.count === 0) return undefined;
  const buckets = Object.entries(a.hist).map(([k, n]) => [Number(k), n] as const).sort((x, y) => x[0] - y[0]);
  const total = buckets.reduce((s, [, n]) => s + n, 0);
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [i, [bucket, n]] of buckets.entries()) {
    seen += n;
    // The lowest and highest buckets hold min and max: those are exact answers within them.
    if (seen >= rank) return i === 0 ? a.min : i === buckets.length - 1 ? a.max : Math.min(a.max, Math.max(a.min, valueOf(bucket)));
  }
  return a.max;
}

/** The histogram as stored (JSON text), and back. */
export const histText = (a: Aggregate): string | null => (a.hist === null ? null : JSON.stringify(a.hist));
export const histOf = (text: string | null): Record<number, number> | null => (text === null ? null : (JSON.parse(text) as Record<number, number>));
