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
  /**
   * The histogram as pairs sorted by bucket, `[bucket, count, bucket, count, …]` (stored as these
   * bytes: reading a row costs a copy, not a parse); null when percentiles are unavailable. 32-bit
   * floats: bucket numbers are exact, counts exact to 2^24 per bucket and within 1e-7 beyond (only
   * percentile ranks use them; SampleCount is `count`).
   */
  hist: Float32Array | null;
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
  return { count, sum: value * count, min: value, max: value, hist: value >= 0 ? Float32Array.of(bucketOf(value), count) : null };
}

/** A StatisticSet: no values, so no percentiles. */
export function ofStatistics(count: number, sum: number, min: number, max: number): Aggregate {
  return { count, sum, min, max, hist: null };
}

/** Two sorted histograms as one (a merge of sorted pairs). */
function mergeHist(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) {
      out[n++] = a[i]!;
      out[n++] = a[i + 1]!;
      i += 2;
    } else if (i >= a.length || b[j]! < a[i]!) {
      out[n++] = b[j]!;
      out[n++] = b[j + 1]!;
      j += 2;
    } else {
      out[n++] = a[i]!;
      out[n++] = a[i + 1]! + b[j + 1]!;
      i += 2;
      j += 2;
    }
  }
  return out.subarray(0, n);
}

/** `into` merged with `add` (mutates and returns `into`). */
export function merge(into: Aggregate, add: Aggregate): Aggregate {
  into.count += add.count;
  into.sum += add.sum;
  into.min = Math.min(into.min, add.min);
  into.max = Math.max(into.max, add.max);
  into.hist = into.hist === null || add.hist === null ? null : mergeHist(into.hist, add.hist);
  return into;
}

/**
 * `into` with one more value: the same as `merge(into, ofValue(value))`, without allocating when
 * the value's bucket is already there (the sink's hot path). `into.hist` must be its own: a new
 * bucket may be inserted in place into its buffer's spare room.
 */
export function addValue(into: Aggregate, value: number): void {
  into.count += 1;
  into.sum += value;
  into.min = Math.min(into.min, value);
  into.max = Math.max(into.max, value);
  if (into.hist !== null) into.hist = value < 0 ? null : withOne(into.hist, bucketOf(value));
}

/** A sorted histogram with one more count in `bucket`: in place, or grown with room for more buckets. */
function withOne(h: Float32Array, bucket: number): Float32Array {
  let lo = 0;
  let hi = h.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (h[mid * 2]! < bucket) lo = mid + 1;
    else hi = mid;
  }
  const i = lo * 2;
  if (h[i] === bucket) {
    h[i + 1]! += 1;
    return h;
  }
  let out: Float32Array;
  if (h.byteOffset === 0 && h.buffer.byteLength >= (h.length + 2) * 4) {
    out = new Float32Array(h.buffer, 0, h.length + 2);
    out.copyWithin(i + 2, i, h.length);
  } else {
    out = new Float32Array(2 * (h.length + 2)).subarray(0, h.length + 2);
    out.set(h.subarray(0, i));
    out.set(h.subarray(i), i + 2);
  }
  out[i] = bucket;
  out[i + 1] = 1;
  return out;
}

/** The p-th percentile (0 ≤ p ≤ 100), or undefined without a histogram. */
export function percentile(a: Aggregate, p: number): number | undefined {
  const h = a.hist;
  if (h === null || h.length === 0) return undefined;
  let total = 0;
  for (let i = 1; i < h.length; i += 2) total += h[i]!;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (let i = 0; i < h.length; i += 2) {
    seen += h[i + 1]!;
    // The lowest and highest buckets hold min and max: those are exact answers within them.
    if (seen >= rank) return i === 0 ? a.min : i === h.length - 2 ? a.max : Math.min(a.max, Math.max(a.min, valueOf(h[i]!)));
  }
  return a.max;
}

/** The histogram as stored (its bytes), and back. */
export const histBytes = (a: Aggregate): Buffer | null => (a.hist === null ? null : Buffer.from(a.hist.buffer, a.hist.byteOffset, a.hist.byteLength));
export const histOf = (bytes: Buffer | null): Float32Array | null => (bytes === null ? null : new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
