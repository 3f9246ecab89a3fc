/**
 * Embedded Metric Format: a function's log line that is a JSON object with an `_aws` member
 * describing metrics becomes those metrics, as CloudWatch Logs extracts them from a Lambda
 * function's log group. The line itself stays in the log either way.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 *
 * A line that breaks the specification (no `_aws.Timestamp`, a dimension naming a missing or
 * non-string member, too many metrics, values or dimensions, an unknown unit, a reserved `AWS/`
 * namespace, a timestamp CloudWatch would refuse) yields no metrics at all. A metric whose target
 * member is absent or not a number (or array of numbers) is skipped, as CloudWatch skips it.
 */
import type { MetricDatum } from "./sink.js";
import { MAX_AGE_MS, MAX_AHEAD_MS, UNITS } from "./validation.js";

const STANDARD_UNITS: ReadonlySet<string> = new Set(UNITS);

/** The specification's limits. */
const MAX_METRICS = 100;
const MAX_VALUES = 100;
const MAX_DIMENSIONS = 30;
const MAX_NAME = 255;
const MAX_DIMENSION_VALUE = 1024;
/**
 * Data points one line may yield (dimension sets × metrics × values): the specification bounds
 * metrics and values but not dimension sets, and a line is read on the event loop.
 */
const MAX_DATA = 10_000;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isName = (v: unknown): v is string => typeof v === "string" && v.length >= 1 && v.length <= MAX_NAME;

/**
 * The metrics an EMF line carries (each value of each metric, once per dimension set), or `[]`
 * when the line is not valid EMF. `now` (epoch ms) bounds the timestamps CloudWatch accepts.
 */
export function extractEmf(line: string, now: number): MetricDatum[] {
  if (!line.includes('"_aws"')) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return [];
  }
  if (!isObject(doc) || !isObject(doc._aws)) return [];
  const { Timestamp: timestamp, CloudWatchMetrics: directives } = doc._aws;
  if (typeof timestamp !== "number" || !Number.isFinite(timestamp) || !Array.isArray(directives)) return [];
  if (timestamp < now - MAX_AGE_MS || timestamp > now + MAX_AHEAD_MS) return [];
  const data: MetricDatum[] = [];
  for (const directive of directives) {
    if (!readDirective(doc, directive, timestamp, data)) return [];
  }
  return data;
}

/** Add one MetricDirective's data to `data`; false when it is invalid or the line yields more than MAX_DATA. */
function readDirective(doc: Json, directive: unknown, timestamp: number, data: MetricDatum[]): boolean {
  if (!isObject(directive)) return false;
  const { Namespace: namespace, Dimensions: dimensionSets, Metrics: metrics } = directive;
  if (!isName(namespace) || namespace.startsWith("AWS/")) return false;
  if (!Array.isArray(dimensionSets) || !Array.isArray(metrics) || metrics.length > MAX_METRICS) return false;
  if (dimensionSets.length > MAX_DATA) return false;
  const sets: Record<string, string>[] = [];
  for (const set of dimensionSets) {
    if (!Array.isArray(set) || set.length > MAX_DIMENSIONS) return false;
    const dimensions: Record<string, string> = {};
    for (const key of set) {
      const value = typeof key === "string" ? doc[key] : undefined;
      if (!isName(key) || typeof value !== "string" || value.length === 0 || value.length > MAX_DIMENSION_VALUE) return false;
      dimensions[key] = value;
    }
    sets.push(dimensions);
  }
  // `Dimensions: []` publishes each metric without dimensions.
  if (sets.length === 0) sets.push({});
  for (const metric of metrics) {
    if (!isObject(metric) || !isName(metric.Name)) return false;
    const unit = metric.Unit ?? "None";
    if (typeof unit !== "string" || !STANDARD_UNITS.has(unit)) return false;
    if (metric.StorageResolution !== undefined && metric.StorageResolution !== 1 && metric.StorageResolution !== 60) return false;
    const values = valuesOf(doc[metric.Name]);
    if (values === "invalid") return false;
    if (data.length + sets.length * values.length > MAX_DATA) return false;
    for (const dimensions of sets) for (const value of values) data.push({ namespace, name: metric.Name, dimensions, value, unit, timestamp });
  }
  return true;
}

/** A target member's values: none when absent or not numeric; invalid when the array is too long. */
function valuesOf(member: unknown): number[] | "invalid" {
  if (typeof member === "number") return [member];
  if (!Array.isArray(member)) return [];
  if (member.length > MAX_VALUES) return "invalid";
  return member.every((v) => typeof v === "number") ? (member as number[]) : [];
}
