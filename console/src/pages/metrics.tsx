/**
 * Metrics: the `AWS/Lambda` metrics Flint publishes (observability/cloudwatch.ts), charted over a
 * time range, for the whole account (no dimensions) or one function (FunctionName). One
 * GetMetricData call per refresh carries every query; it refreshes every minute and on demand.
 *
 * Counts (Invocations, Errors, Throttles, async events) are Sums, where a period without data points
 * counted nothing (drawn as 0); gauges and times (ConcurrentExecutions, Duration, IteratorAge,
 * AsyncEventAge) have gaps where there is no data. Duration's percentiles come from Flint's
 * per-period histograms, and over the whole range from one query whose period spans it.
 */
import { useMemo, useState } from "preact/hooks";
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery, type MetricDataResult } from "@aws-sdk/client-cloudwatch";
import { LambdaClient, paginateListFunctions } from "@aws-sdk/client-lambda";
import { call, client } from "../aws";
import type { PageProps } from "../routes";
import { Link, navigate, seg, setQuery } from "../router";
import { itemsOf, useAsync, useInterval, useStreamedList } from "../ui/async";
import { Chart, type ChartSeries } from "../ui/chart";
import { fmtDuration } from "../ui/format";
import { useFunctionLogGroup } from "../ui/function-links";
import { ErrorBox, Field, PageHeader, Section, Show, fmtNumber, fmtTime } from "../ui/ui";

/**
 * The ranges a user picks from, and the period each is read at: within the store's resolutions
 * (per second for 3 h, per minute for 63 days) and at most a few hundred points a chart.
 */
export const RANGES = [
  { id: "15m", label: "Last 15 minutes", seconds: 900, period: 60 },
  { id: "1h", label: "Last hour", seconds: 3600, period: 60 },
  { id: "3h", label: "Last 3 hours", seconds: 3 * 3600, period: 60 },
  { id: "12h", label: "Last 12 hours", seconds: 12 * 3600, period: 300 },
  { id: "1d", label: "Last day", seconds: 86400, period: 300 },
  { id: "1w", label: "Last week", seconds: 7 * 86400, period: 3600 },
] as const;
type Range = (typeof RANGES)[number];
const DEFAULT_RANGE = "1h";

const REFRESH_MS = 60_000;
const NAMESPACE = "AWS/Lambda";

/** One query of the call: its id, the metric and the statistic. `whole`: one period over the whole range. */
interface Spec {
  id: string;
  metric: string;
  stat: string;
  whole?: boolean;
  accountOnly?: boolean;
}

const SPECS: Spec[] = [
  { id: "invocations", metric: "Invocations", stat: "Sum" },
  { id: "errors", metric: "Errors", stat: "Sum" },
  { id: "p50", metric: "Duration", stat: "p50" },
  { id: "p90", metric: "Duration", stat: "p90" },
  { id: "p99", metric: "Duration", stat: "p99" },
  { id: "dmax", metric: "Duration", stat: "Maximum" },
  { id: "all_p50", metric: "Duration", stat: "p50", whole: true },
  { id: "all_p90", metric: "Duration", stat: "p90", whole: true },
  { id: "all_p99", metric: "Duration", stat: "p99", whole: true },
  { id: "throttles", metric: "Throttles", stat: "Sum" },
  { id: "concurrent", metric: "ConcurrentExecutions", stat: "Maximum" },
  { id: "unreserved", metric: "UnreservedConcurrentExecutions", stat: "Maximum", accountOnly: true },
  { id: "iterator", metric: "IteratorAge", stat: "Maximum" },
  { id: "received", metric: "AsyncEventsReceived", stat: "Sum" },
  { id: "age_avg", metric: "AsyncEventAge", stat: "Average" },
  { id: "age_max", metric: "AsyncEventAge", stat: "Maximum" },
  { id: "dropped", metric: "AsyncEventsDropped", stat: "Sum" },
];

interface Metrics {
  range: Range;
  /** Period starts, epoch seconds. */
  times: number[];
  /** By query id: one value (or null) per period. */
  series: Record<string, (number | null)[]>;
  /** By query id, for the whole-range queries: the value, if any. */
  whole: Record<string, number | undefined>;
  /** When the call was made (epoch ms). */
  at: number;
}

/** Every query in one GetMetricData call (following NextToken only if Flint ever pages it). */
async function load(functionName: string | undefined, range: Range): Promise<Metrics> {
  const now = Date.now();
  const periodMs = range.period * 1000;
  const start = Math.floor((now - range.seconds * 1000) / periodMs) * periodMs;
  const dimensions = functionName === undefined ? [] : [{ Name: "FunctionName", Value: functionName }];
  // The whole-range period ends after now, so one period holds every data point of the range.
  const wholePeriod = range.seconds + range.period;
  const specs = SPECS.filter((s) => !(s.accountOnly && functionName !== undefined));
  const queries: MetricDataQuery[] = specs.map((s) => ({
    Id: s.id,
    MetricStat: { Metric: { Namespace: NAMESPACE, MetricName: s.metric, Dimensions: dimensions }, Period: s.whole ? wholePeriod : range.period, Stat: s.stat },
    ReturnData: true,
  }));
  const results = new Map<string, { t: number[]; v: number[] }>();
  let token: string | undefined;
  do {
    const out = await call(
      client(CloudWatchClient).send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(start), EndTime: new Date(now), ScanBy: "TimestampAscending", NextToken: token })),
    );
    for (const r of out.MetricDataResults ?? []) add(results, r);
    token = out.NextToken;
  } while (token);

  const times: number[] = [];
  for (let t = start; t <= now; t += periodMs) times.push(t / 1000);
  const series: Metrics["series"] = {};
  const whole: Metrics["whole"] = {};
  for (const s of specs) {
    const r = results.get(s.id);
    if (s.whole) {
      whole[s.id] = r?.v[0];
      continue;
    }
    const values: (number | null)[] = times.map(() => null);
    r?.t.forEach((t, i) => {
      const at = Math.round((t - start) / periodMs);
      if (at >= 0 && at < values.length) values[at] = r.v[i]!;
    });
    series[s.id] = values;
  }
  return { range, times, series, whole, at: now };
}

function add(into: Map<string, { t: number[]; v: number[] }>, r: MetricDataResult) {
  let x = into.get(r.Id!);
  if (!x) into.set(r.Id!, (x = { t: [], v: [] }));
  (r.Timestamps ?? []).forEach((t, i) => {
    x.t.push(new Date(t).getTime());
    x.v.push(r.Values?.[i] ?? 0);
  });
}

export default function MetricsPage({ view, params, query }: PageProps) {
  const functionName = view === "function" ? params.name : undefined;
  const range = RANGES.find((r) => r.id === query.get("range")) ?? RANGES.find((r) => r.id === DEFAULT_RANGE)!;
  const state = useAsync(() => load(functionName, range), [functionName, range.id]);
  useInterval(() => {
    if (!state.loading) state.reload();
  }, REFRESH_MS);

  const title = functionName === undefined ? "Metrics" : `Metrics: ${functionName}`;
  const crumbs = functionName === undefined ? undefined : [{ to: "/functions", label: "Functions" }, { to: `/functions/${seg(functionName)}`, label: functionName }];

  return (
    <>
      <PageHeader title={title} crumbs={crumbs} />
      {functionName === undefined ? (
        <>
          <p class="hint">Every function in the account together (the AWS/Lambda metrics without dimensions). Pick a function to see its own.</p>
          <FunctionPicker range={range.id} />
        </>
      ) : (
        <FunctionLinks name={functionName} />
      )}
      <div class="row metrics-controls">
        <Field label="Time range" id="metrics-range">
          <select id="metrics-range" value={range.id} onChange={(e) => setQuery({ range: (e.target as HTMLSelectElement).value })}>
            {RANGES.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label} (per {periodName(r.period)})
              </option>
            ))}
          </select>
        </Field>
        <div class="field">
          {/* Stays enabled (and keeps the keyboard focus) while a refresh runs; a click then waits for it. */}
          <button type="button" class="button" onClick={() => !state.loading && state.reload()}>
            Refresh
          </button>
        </div>
        {/* Not a live region: a refresh every minute is not news (a failed one is, as the alert below). */}
        <p class="hint metrics-updated" aria-live="off">
          {state.data ? (state.loading ? "Refreshing…" : `Updated ${fmtTime(state.data.at)}; refreshes every minute.`) : ""}
        </p>
      </div>
      <Show state={state} what="Loading metrics">
        {(m) => <Charts m={m} account={functionName === undefined} />}
      </Show>
    </>
  );
}

function FunctionLinks({ name }: { name: string }) {
  const { group, error } = useFunctionLogGroup(name);
  return (
    <>
      {error && <ErrorBox error={error} context="The function" />}
      <p class="hint">
        The function’s metrics (dimension FunctionName, every version and alias). <Link to={`/functions/${seg(name)}`}>Configuration</Link> ·{" "}
        <Link to={`/logs/${seg(group!)}`}>Logs</Link> · <Link to="/metrics">All functions’ metrics</Link>
      </p>
    </>
  );
}

/** A function by name (typed, or picked from the account's functions as they load), then its metrics. */
function FunctionPicker({ range }: { range: string }) {
  const { items: names = [], error } = useStreamedList(() => itemsOf(paginateListFunctions({ client: client(LambdaClient), pageSize: 50 }, {}), (p) => (p.Functions ?? []).map((f) => f.FunctionName!)), []);
  const [chosen, setChosen] = useState("");
  return (
    <>
      <form
        class="metrics-picker"
        onSubmit={(e) => {
          e.preventDefault();
          const name = chosen.trim();
          if (name) navigate(`/functions/${seg(name)}/metrics?range=${encodeURIComponent(range)}`);
        }}
      >
        <div class="field">
          <label for="metrics-function">Function</label>
          <div class="metrics-picker-row">
            <input
              id="metrics-function"
              list="metrics-function-names"
              value={chosen}
              required
              autocomplete="off"
              aria-describedby="metrics-function-hint"
              onInput={(e) => setChosen((e.target as HTMLInputElement).value)}
            />
            <button type="submit" class="button primary">
              Show function metrics
            </button>
          </div>
          <datalist id="metrics-function-names">
            {names.map((n) => (
              <option key={n} value={n} />
            ))}
          </datalist>
          <p class="hint" id="metrics-function-hint">
            {names.length.toLocaleString("en-US")} function{names.length === 1 ? "" : "s"} to pick from, or type a name.
          </p>
        </div>
      </form>
      {error && <ErrorBox error={error} context="The function list" />}
    </>
  );
}

function Charts({ m, account }: { m: Metrics; account: boolean }) {
  const per = `per ${periodName(m.range.period)}`;
  const s = m.series;
  // Built once per result, so a re-render of the page does not hand the charts new data.
  const charts = useMemo(() => {
    const count = (label: string, id: string): ChartSeries => ({ label, values: s[id]!, format: fmtNumber, missingAsZero: true });
    const ms = (label: string, id: string): ChartSeries => ({ label, values: s[id]!, format: (v) => fmtDuration(v) });
    const rate: ChartSeries = {
      label: "Error rate",
      values: m.times.map((_, i) => {
        const n = s.invocations![i];
        return n ? ((s.errors![i] ?? 0) / n) * 100 : null;
      }),
      format: fmtPercent,
      right: true,
    };
    return {
      invocations: [count("Invocations", "invocations")],
      errors: [count("Errors", "errors"), rate],
      duration: [ms("p50", "p50"), ms("p90", "p90"), ms("p99", "p99"), ms("Maximum", "dmax")],
      throttles: [count("Throttles", "throttles")],
      concurrency: [{ label: "Concurrent executions", values: s.concurrent!, format: fmtNumber }, ...(account ? [{ label: "Unreserved", values: s.unreserved!, format: fmtNumber }] : [])],
      iterator: [ms("Iterator age", "iterator")],
      received: [count("Events received", "received")],
      age: [ms("Average", "age_avg"), ms("Maximum", "age_max")],
      dropped: [count("Events dropped", "dropped")],
    };
  }, [m, account]);
  const invocationsTotal = sum(s.invocations!);
  const errorsTotal = sum(s.errors!);
  const async = ["received", "age_max", "dropped"].some((id) => s[id]!.some((v) => v !== null));
  const lastDuration = latest(m, "dmax");

  return (
    <>
      <Section title="Invocations and errors">
        <div class="metrics-grid">
          <Chart title="Invocations" detail={`Sum ${per}`} summary={countSummary(m, "invocations")} times={m.times} series={charts.invocations} leftAxis="Count" integer />
          <Chart
            title="Errors"
            detail={`Sum ${per}, with the error rate (errors ÷ invocations)`}
            summary={
              <>
                Total {fmtNumber(errorsTotal)} of {fmtNumber(invocationsTotal)} invocations
                {invocationsTotal > 0 ? ` (error rate ${fmtPercent((errorsTotal / invocationsTotal) * 100)})` : ""} · {latestAndMax(m, "errors", fmtNumber)}
              </>
            }
            times={m.times}
            series={charts.errors}
            leftAxis="Count"
            rightAxis="Error rate (%)"
            integer
            rightPercent
          />
        </div>
      </Section>
      <Section title="Duration">
        <div class="metrics-grid">
          <Chart
            title="Duration"
            detail={`p50, p90, p99 and Maximum ${per}, in milliseconds`}
            summary={
              lastDuration === undefined ? (
                "No invocations in this range."
              ) : (
                <>
                  Over the range: p50 {fmtOpt(m.whole.all_p50)}, p90 {fmtOpt(m.whole.all_p90)}, p99 {fmtOpt(m.whole.all_p99)}, max {fmtDuration(max(s.dmax!)!)} · latest ({fmtClock(lastDuration.t)}): p50{" "}
                  {fmtOpt(s.p50![lastDuration.i] ?? undefined)}, p99 {fmtOpt(s.p99![lastDuration.i] ?? undefined)}, max {fmtDuration(lastDuration.v)}
                </>
              )
            }
            times={m.times}
            series={charts.duration}
            leftAxis="Milliseconds"
          />
        </div>
      </Section>
      <Section title="Throttles and concurrency">
        <div class="metrics-grid">
          <Chart title="Throttles" detail={`Sum ${per}`} summary={countSummary(m, "throttles")} times={m.times} series={charts.throttles} leftAxis="Count" integer />
          <Chart
            title="Concurrent executions"
            detail={`Maximum ${per}${account ? ", with the unreserved part" : ""}`}
            summary={gaugeSummary(m, "concurrent", fmtNumber)}
            note="Gaps are periods when nothing ran."
            times={m.times}
            series={charts.concurrency}
            leftAxis="Executions"
            integer
          />
        </div>
      </Section>
      <Section title="Stream processing">
        <div class="metrics-grid">
          <Chart
            title="Iterator age"
            detail={`Maximum ${per}, in milliseconds`}
            summary={gaugeSummary(m, "iterator", fmtDuration)}
            note={s.iterator!.some((v) => v !== null) ? undefined : "No iterator age in this range: only event source mappings that read streams (Kinesis, DynamoDB Streams) produce it."}
            times={m.times}
            series={charts.iterator}
            leftAxis="Milliseconds"
          />
        </div>
      </Section>
      <Section title="Asynchronous invocations">
        {async ? (
          <div class="metrics-grid">
            <Chart title="Async events received" detail={`Sum ${per}`} summary={countSummary(m, "received")} times={m.times} series={charts.received} leftAxis="Count" integer />
            <Chart
              title="Async event age"
              detail={`Average and Maximum ${per}, in milliseconds (queued to invoked)`}
              summary={`Maximum: ${gaugeSummary(m, "age_max", fmtDuration)}`}
              times={m.times}
              series={charts.age}
              leftAxis="Milliseconds"
            />
            <Chart title="Async events dropped" detail={`Sum ${per}`} summary={countSummary(m, "dropped")} times={m.times} series={charts.dropped} leftAxis="Count" integer />
          </div>
        ) : (
          <p class="hint">No asynchronous invocations in this range (AsyncEventsReceived, AsyncEventAge and AsyncEventsDropped have no data).</p>
        )}
      </Section>
    </>
  );
}

/** A count's total, its latest data point and its highest. */
function countSummary(m: Metrics, id: string) {
  return `Total ${fmtNumber(sum(m.series[id]!))} · ${latestAndMax(m, id, fmtNumber)}`;
}

/** A gauge's or a time's latest data point and its highest; or that there is none. */
function gaugeSummary(m: Metrics, id: string, format: (v: number) => string) {
  return latest(m, id) === undefined ? "No data in this range." : latestAndMax(m, id, format);
}

function latestAndMax(m: Metrics, id: string, format: (v: number) => string): string {
  const l = latest(m, id);
  if (l === undefined) return "no data points in this range";
  return `latest ${format(l.v)} (${fmtClock(l.t)}) · max ${format(max(m.series[id]!)!)}`;
}

function latest(m: Metrics, id: string): { i: number; t: number; v: number } | undefined {
  const values = m.series[id]!;
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (v !== null && v !== undefined) return { i, t: m.times[i]! * 1000, v };
  }
  return undefined;
}

const sum = (values: (number | null)[]) => values.reduce<number>((a, v) => a + (v ?? 0), 0);
function max(values: (number | null)[]): number | undefined {
  let out: number | undefined;
  for (const v of values) if (v !== null && (out === undefined || v > out)) out = v;
  return out;
}

function periodName(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? "hour" : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? "minute" : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

const fmtOpt = (v: number | undefined) => (v === undefined ? "—" : fmtDuration(v));
const fmtPercent = (v: number) => `${v.toLocaleString("en-US", { maximumFractionDigits: 1 })}%`;
/** "10:31 UTC" (with the date when it is not today's). */
function fmtClock(ms: number): string {
  const full = fmtTime(ms);
  const today = fmtTime(Date.now()).slice(0, 10);
  const [date, time] = full.split(" ");
  return `${date === today ? "" : `${date} `}${time!.replace(/:00Z$/, "").replace(/Z$/, "")} UTC`;
}
