/**
 * GetMetricData: each MetricStat query's datapoints, ordered by ScanBy, paged by MaxDatapoints over
 * all queries together. Metric math (`Expression`) is refused: Flint does not evaluate it.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 */
import { awsError } from "../../errors.js";
import type { MetricKey, StoredPoint } from "../../store/metric-store.js";
import type { GetMetricDataInput } from "./inputs.js";
import { alignedStart, isPercentile, isPeriod, isStatistic, periods, resolutionFor, statistic } from "./statistics.js";
import { metricKey, validateUnit, validation } from "./validation.js";
import { decodePageToken, encodePageToken } from "../../lib/page-token.js";

export interface MetricDataResult {
  Id: string;
  Label: string;
  Timestamps: number[];
  Values: number[];
  StatusCode: "Complete" | "PartialData";
}

export interface MetricReader {
  read(key: MetricKey, resolution: number, from: number, to: number, histograms: boolean): Promise<StoredPoint[]>;
  /** Epoch ms. */
  now: number;
}

const MAX_QUERIES = 500;
const DEFAULT_MAX_DATAPOINTS = 100_800;
/** Lower-case letter first, then letters, digits, underscores. */
const ID = /^[a-z][a-zA-Z0-9_]*$/;
const TIMEZONE = /^[+-]([01]\d|2[0-3])[0-5]\d$/;
/** GetMetricData's missing members, as recorded from AWS (the common ValidationError, a trailing newline). */
const missing = (name: string) => validation(`The parameter ${name} is required.\n`);

interface Query {
  id: string;
  label: string;
  key: MetricKey;
  period: number;
  stat: string;
  unit?: string;
  returned: boolean;
}

function queries(input: GetMetricDataInput): Query[] {
  const list = input.MetricDataQueries;
  if (list === undefined) throw missing("MetricDataQueries");
  if (list.length === 0 || list.length > MAX_QUERIES) throw validation(`The collection MetricDataQueries must contain between 1 and ${MAX_QUERIES} items.`);
  const ids = new Set<string>();
  return list.map((q, i) => {
    const at = `MetricDataQueries.member.${i + 1}`;
    if (q.Id === undefined) throw missing(`${at}.Id`);
    if (!ID.test(q.Id) || q.Id.length > 255) throw validation(`The value ${q.Id} for parameter ${at}.Id is invalid: it must start with a lowercase letter and contain only letters, numbers and underscores.`);
    if (ids.has(q.Id)) throw validation(`The value ${q.Id} for parameter ${at}.Id is duplicated.`);
    ids.add(q.Id);
    if (q.MetricStat !== undefined && q.Expression !== undefined) throw validation(`The parameters ${at}.MetricStat and ${at}.Expression are mutually exclusive and you have specified both.`);
    if (q.Expression !== undefined) throw validation(`Flint does not evaluate metric math: ${at}.Expression is not supported; use MetricStat.`);
    const s = q.MetricStat;
    if (s === undefined) throw missing(`${at}.MetricStat`);
    if (s.Metric === undefined) throw missing(`${at}.MetricStat.Metric`);
    const key = metricKey(s.Metric, `${at}.MetricStat.Metric.`, missing);
    if (s.Period === undefined) throw missing(`${at}.MetricStat.Period`);
    if (!isPeriod(s.Period)) throw validation(`The parameter ${at}.MetricStat.Period must be 1, 5, 10, 20, 30 or a multiple of 60.`);
    if (s.Stat === undefined) throw missing(`${at}.MetricStat.Stat`);
    if (!isStatistic(s.Stat)) throw validation(`The value ${s.Stat} for parameter ${at}.MetricStat.Stat is invalid.`);
    validateUnit(s.Unit, `metricDataQueries.${i + 1}.member.metricStat.unit`);
    return { id: q.Id, label: q.Label ?? key.name, key, period: s.Period, stat: s.Stat, unit: s.Unit, returned: q.ReturnData !== false };
  });
}

/** Where the previous page stopped: the query and how many of its datapoints were sent. */
interface Cursor {
  q: number;
  o: number;
}

const tokenOf = (c: Cursor) => encodePageToken(c);
function cursorOf(token: string, queryCount: number): Cursor {
  const c = decodePageToken(token) as Partial<Cursor> | null | undefined;
  if (c && Number.isInteger(c.q) && Number.isInteger(c.o) && c.q! >= 0 && c.q! < queryCount && c.o! >= 0) return c as Cursor;
  throw awsError("InvalidNextToken", "The service couldn't process the NextToken provided.");
}

export async function metricData(input: GetMetricDataInput, reader: MetricReader): Promise<{ MetricDataResults: MetricDataResult[]; NextToken?: string; Messages: [] }> {
  const all = queries(input);
  if (input.StartTime === undefined) throw missing("StartTime");
  if (input.EndTime === undefined) throw missing("EndTime");
  if (input.StartTime > input.EndTime) throw validation("The parameter EndTime must be greater than StartTime.");
  if (input.StartTime === input.EndTime) throw validation("The parameter StartTime must not equal parameter EndTime.");
  const scanBy = input.ScanBy ?? "TimestampDescending";
  if (scanBy !== "TimestampDescending" && scanBy !== "TimestampAscending") {
    throw validation(`1 validation error detected: Value '${scanBy}' at 'scanBy' failed to satisfy constraint: Member must satisfy enum value set: [TimestampDescending, TimestampAscending]`);
  }
  const tz = input.LabelOptions?.Timezone;
  if (tz !== undefined && !TIMEZONE.test(tz)) throw validation(`The value ${tz} for parameter LabelOptions.Timezone is invalid.`);
  const max = input.MaxDatapoints ?? DEFAULT_MAX_DATAPOINTS;
  if (!Number.isInteger(max) || max < 1) throw validation(`The value ${max} for parameter MaxDatapoints is invalid.`);
  const returned = all.filter((q) => q.returned);
  const from = input.NextToken === undefined ? { q: 0, o: 0 } : cursorOf(input.NextToken, returned.length);

  const end = Math.ceil(input.EndTime / 1000);
  const series = await Promise.all(
    returned.map(async (q) => {
      const start = alignedStart(input.StartTime!, reader.now, q.period);
      const rows = await reader.read(q.key, resolutionFor(q.period, start), start, end, isPercentile(q.stat));
      const points: [number, number][] = [];
      for (const p of periods(rows, start, q.period, q.unit)) {
        const v = statistic(p.value, q.stat);
        if (v !== undefined) points.push([p.at * 1000, v]);
      }
      if (scanBy === "TimestampDescending") points.reverse();
      return points;
    }),
  );

  let room = max;
  let next: Cursor | undefined;
  const MetricDataResults = returned.map((q, i): MetricDataResult => {
    const points = series[i]!;
    const skip = i < from.q ? points.length : i === from.q ? from.o : 0;
    const page = points.slice(skip, skip + room);
    room -= page.length;
    const done = skip + page.length >= points.length;
    if (!done && next === undefined) next = { q: i, o: skip + page.length };
    return { Id: q.id, Label: q.label, Timestamps: page.map(([t]) => t), Values: page.map(([, v]) => v), StatusCode: done ? "Complete" : "PartialData" };
  });
  return { MetricDataResults, NextToken: next && tokenOf(next), Messages: [] };
}
