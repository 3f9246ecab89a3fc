/** CloudWatch's errors for bad input, and the checks several operations share. */
import { awsError } from "../../errors.js";
import type { MetricKey } from "../../store/metric-store.js";
import type { Dimension, MetricInput } from "./inputs.js";

export const invalid = (message: string) => awsError("InvalidParameterValue", message);
export const required = (name: string) => awsError("MissingParameter", `The parameter ${name} is required.`);
/** The model's constraint failures: the common ValidationError. */
export const validation = (message: string) => awsError("ValidationException", message);

/** StandardUnit of the monitoring-2010-08-01 model. */
/** CloudWatch accepts data points up to two weeks old and two hours ahead (PutMetricData, EMF). */
export const MAX_AGE_MS = 14 * 86400_000;
export const MAX_AHEAD_MS = 2 * 3600_000;

export const UNITS = [
  "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
  "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
] as const;

export function validateUnit(unit: string | undefined, where: string): void {
  if (unit !== undefined && !(UNITS as readonly string[]).includes(unit)) {
    throw validation(`1 validation error detected: Value '${unit}' at '${where}' failed to satisfy constraint: Member must satisfy enum value set: [${UNITS.join(", ")}]`);
  }
}

/** A metric's dimensions, checked (names 1–255, values 1–1024, at most `max`, names distinct) and sorted by name. */
export function validateDimensions(dims: readonly Dimension[] | undefined, where: string, max: number): MetricKey["dimensions"] {
  if (dims === undefined) return [];
  if (dims.length > max) throw invalid(`The collection ${where} must not contain more than ${max} items.`);
  const names = new Set<string>();
  dims.forEach((d, i) => {
    if (d.Name === undefined) throw required(`${where}.member.${i + 1}.Name`);
    if (d.Value === undefined) throw required(`${where}.member.${i + 1}.Value`);
    if (d.Name.length < 1 || d.Name.length > 255) throw invalid(`The value ${d.Name} for parameter ${where}.member.${i + 1}.Name is invalid.`);
    if (d.Value.length < 1 || d.Value.length > 1024) throw invalid(`The value ${d.Value} for parameter ${where}.member.${i + 1}.Value is invalid.`);
    if (names.has(d.Name)) throw invalid(`No metric may have duplicate dimension names. The dimension ${d.Name} in ${where} is duplicated.`);
    names.add(d.Name);
  });
  return [...dims].map((d) => ({ Name: d.Name, Value: d.Value })).sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

/** A metric named by a request (`prefix` before member names: `MetricDataQueries.member.1.MetricStat.Metric.`). */
export function metricKey(m: MetricInput, prefix: string, fail = required): MetricKey {
  if (m.Namespace === undefined) throw fail(`${prefix}Namespace`);
  if (m.MetricName === undefined) throw fail(`${prefix}MetricName`);
  return { namespace: m.Namespace, name: m.MetricName, dimensions: validateDimensions(m.Dimensions, `${prefix}Dimensions`, 30) };
}

