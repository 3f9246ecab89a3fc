/**
 * Typed commands of the CloudWatch service in AWS's member names, decoded from a request's members
 * (the JSON and CBOR protocols' bodies, or the query protocol's parameters reshaped to the same form
 * by api/cloudwatch). Type errors are caught here; ranges and rules are the service's (service.ts).
 * Timestamps arrive as epoch seconds (JSON), Dates (CBOR) or ISO 8601 text (query): all become epoch ms.
 */
import { awsError } from "../../errors.js";

type Members = Record<string, unknown>;

export interface Dimension {
  Name: string;
  Value: string;
}

export interface MetricDatumInput {
  MetricName?: string;
  Dimensions?: Dimension[];
  Timestamp?: number;
  Value?: number;
  StatisticValues?: { SampleCount?: number; Sum?: number; Minimum?: number; Maximum?: number };
  Values?: number[];
  Counts?: number[];
  Unit?: string;
  StorageResolution?: number;
}

export interface PutMetricDataInput {
  Namespace?: string;
  MetricData?: MetricDatumInput[];
}

export interface ListMetricsInput {
  Namespace?: string;
  MetricName?: string;
  Dimensions?: { Name?: string; Value?: string }[];
  NextToken?: string;
  RecentlyActive?: string;
}

export interface MetricInput {
  Namespace?: string;
  MetricName?: string;
  Dimensions?: Dimension[];
}

export interface GetMetricStatisticsInput extends MetricInput {
  StartTime?: number;
  EndTime?: number;
  Period?: number;
  Statistics?: string[];
  ExtendedStatistics?: string[];
  Unit?: string;
}

export interface MetricDataQueryInput {
  Id?: string;
  MetricStat?: { Metric?: MetricInput; Period?: number; Stat?: string; Unit?: string };
  Expression?: string;
  Label?: string;
  ReturnData?: boolean;
  Period?: number;
}

export interface GetMetricDataInput {
  MetricDataQueries?: MetricDataQueryInput[];
  StartTime?: number;
  EndTime?: number;
  NextToken?: string;
  ScanBy?: string;
  MaxDatapoints?: number;
  LabelOptions?: { Timezone?: string };
}

/** A member of the wrong type: AWS's serialization failure, in the common ValidationError. */
const wrongType = (name: string) => awsError("ValidationException", `1 validation error detected: Value at '${name}' failed to satisfy constraint: Member must be of the modelled type`);

const isObject = (v: unknown): v is Members => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);

function str(m: Members, name: string): string | undefined {
  const v = m[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw wrongType(name);
  return v;
}

function num(m: Members, name: string): number | undefined {
  const v = m[name];
  if (v === undefined || v === null) return undefined;
  // The query protocol sends numbers as text; a JSON or CBOR client sends numbers.
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (typeof v === "string" && Number.isNaN(n) && !/^[+-]?nan$/i.test(v.trim())) throw wrongType(name);
  return n;
}

function bool(m: Members, name: string): boolean | undefined {
  const v = m[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "false") return v === "true";
  throw wrongType(name);
}

/** Epoch ms from epoch seconds, a Date, or ISO 8601 / epoch-seconds text. */
function time(m: Members, name: string): number | undefined {
  const v = m[name];
  if (v === undefined || v === null) return undefined;
  const ms = v instanceof Date ? v.getTime() : typeof v === "number" ? v * 1000 : typeof v === "string" ? (/^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v)) : NaN;
  if (!Number.isFinite(ms)) throw wrongType(name);
  return ms;
}

function list<T>(m: Members, name: string, item: (v: unknown, i: number) => T): T[] | undefined {
  const v = m[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw wrongType(name);
  return v.map(item);
}

function struct<T>(m: Members, name: string, decode: (m: Members) => T): T | undefined {
  const v = m[name];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw wrongType(name);
  return decode(v);
}

const asStruct = (name: string) => (v: unknown): Members => {
  if (!isObject(v)) throw wrongType(name);
  return v;
};

const dimension = (v: unknown) => {
  const d = asStruct("Dimensions")(v);
  return { Name: str(d, "Name") as string, Value: str(d, "Value") as string };
};

const numberItem = (name: string) => (v: unknown): number => num({ v }, "v") ?? (() => { throw wrongType(name); })();

export function decodePutMetricData(m: Members): PutMetricDataInput {
  return {
    Namespace: str(m, "Namespace"),
    MetricData: list(m, "MetricData", (v) => {
      const d = asStruct("MetricData")(v);
      return {
        MetricName: str(d, "MetricName"),
        Dimensions: list(d, "Dimensions", dimension),
        Timestamp: time(d, "Timestamp"),
        Value: num(d, "Value"),
        StatisticValues: struct(d, "StatisticValues", (s) => ({ SampleCount: num(s, "SampleCount"), Sum: num(s, "Sum"), Minimum: num(s, "Minimum"), Maximum: num(s, "Maximum") })),
        Values: list(d, "Values", numberItem("Values")),
        Counts: list(d, "Counts", numberItem("Counts")),
        Unit: str(d, "Unit"),
        StorageResolution: num(d, "StorageResolution"),
      };
    }),
  };
}

export function decodeListMetrics(m: Members): ListMetricsInput {
  return {
    Namespace: str(m, "Namespace"),
    MetricName: str(m, "MetricName"),
    Dimensions: list(m, "Dimensions", (v) => {
      const d = asStruct("Dimensions")(v);
      return { Name: str(d, "Name"), Value: str(d, "Value") };
    }),
    NextToken: str(m, "NextToken"),
    RecentlyActive: str(m, "RecentlyActive"),
  };
}

const metric = (m: Members): MetricInput => ({ Namespace: str(m, "Namespace"), MetricName: str(m, "MetricName"), Dimensions: list(m, "Dimensions", dimension) });

export function decodeGetMetricStatistics(m: Members): GetMetricStatisticsInput {
  const strings = (name: string) => list(m, name, (v) => (typeof v === "string" ? v : (() => { throw wrongType(name); })()));
  return {
    ...metric(m),
    StartTime: time(m, "StartTime"),
    EndTime: time(m, "EndTime"),
    Period: num(m, "Period"),
    Statistics: strings("Statistics"),
    ExtendedStatistics: strings("ExtendedStatistics"),
    Unit: str(m, "Unit"),
  };
}

export function decodeGetMetricData(m: Members): GetMetricDataInput {
  return {
    MetricDataQueries: list(m, "MetricDataQueries", (v) => {
      const q = asStruct("MetricDataQueries")(v);
      return {
        Id: str(q, "Id"),
        MetricStat: struct(q, "MetricStat", (s) => ({ Metric: struct(s, "Metric", metric), Period: num(s, "Period"), Stat: str(s, "Stat"), Unit: str(s, "Unit") })),
        Expression: str(q, "Expression"),
        Label: str(q, "Label"),
        ReturnData: bool(q, "ReturnData"),
        Period: num(q, "Period"),
      };
    }),
    StartTime: time(m, "StartTime"),
    EndTime: time(m, "EndTime"),
    NextToken: str(m, "NextToken"),
    ScanBy: str(m, "ScanBy"),
    MaxDatapoints: num(m, "MaxDatapoints"),
    LabelOptions: struct(m, "LabelOptions", (o) => ({ Timezone: str(o, "Timezone") })),
  };
}
