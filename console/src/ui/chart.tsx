/**
 * A time-series chart (uPlot on a canvas) that a screen reader can read too: a `<figure>` labelled by
 * its `<figcaption>` (what is measured, how, and a text summary of the numbers), the canvas hidden
 * from assistive technology, and a "Show data" table of every data point under it. The chart takes
 * its container's width (ResizeObserver) and its uPlot instance is destroyed with the component.
 *
 * Missing values are gaps (null), except in series marked `missingAsZero` (counts, where a period
 * without data points counted nothing): those are drawn as 0 and shown as 0 in the table.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useMemo, useRef } from "preact/hooks";
import uPlot from "uplot";
import { type Column, DataTable, fmtTime } from "./ui";

export interface ChartSeries {
  label: string;
  /** One value per entry of the chart's `times`; null where there is no data point. */
  values: (number | null)[];
  /** How a value reads in the legend and the table ("12.5 ms"). */
  format: (v: number) => string;
  /** Counts: no data point means nothing was counted, drawn and listed as 0. */
  missingAsZero?: boolean;
  /** The y axis on the right (a second unit, such as a rate in %), instead of the left one. */
  right?: boolean;
}

export interface ChartProps {
  /** The metric: "Invocations". */
  title: string;
  /** How it is aggregated: "Sum per 1 minute". */
  detail: string;
  /** The numbers in words: "Total 7 · latest 2 (10:31 UTC) · max 5". */
  summary: ComponentChildren;
  /** Shown under the caption (why there may be no data). */
  note?: ComponentChildren;
  /** Period starts, epoch seconds, ascending. */
  times: number[];
  series: ChartSeries[];
  /** Axis titles: the left one (the unit), and the right one when a series uses it. */
  leftAxis: string;
  rightAxis?: string;
  /** The left axis counts whole things: no fractional ticks. */
  integer?: boolean;
  /** The right axis is a percentage (0–100). */
  rightPercent?: boolean;
  height?: number;
}

/** Distinct on white (≥ 4.5:1), and each series also has its own dash, so none is told by colour alone. */
const COLOURS = ["#0b57d0", "#b3261e", "#146c2e", "#7b3fb5", "#8a5300"];
const DASHES: number[][] = [[], [8, 4], [2, 3], [12, 3, 2, 3], [4, 4]];
const INTEGER_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1e6, 2e6, 5e6, 1e7, 1e8, 1e9];

let nextId = 0;

export function Chart({ title, detail, summary, note, times, series, leftAxis, rightAxis, integer, rightPercent, height = 220 }: ChartProps) {
  const id = useMemo(() => `chart-${++nextId}`, []);
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  const data = useMemo<uPlot.AlignedData>(() => [times, ...series.map((s) => (s.missingAsZero ? s.values.map((v) => v ?? 0) : s.values))], [times, series]);
  // A new uPlot only when what is drawn changes shape (series, axes); new numbers go through setData.
  const shape = JSON.stringify([series.map((s) => [s.label, !!s.right]), leftAxis, rightAxis, integer, rightPercent, height]);
  const latest = useRef({ data, series });
  latest.current = { data, series };

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const { data, series } = latest.current;
    const hasRight = series.some((s) => s.right);
    const font = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
    const axisColour = "#4a5260";
    const grid = { stroke: "#e3e7eb", width: 1 };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
      scales: {
        x: { time: true },
        y: { range: (_u, _min, max) => [0, max !== null && max > 0 ? max * 1.1 : 1] },
        ...(hasRight ? { r: { range: rightPercent ? ([0, 100] as uPlot.Range.MinMax) : (_u: uPlot, _min: number | null, max: number | null) => [0, max !== null && max > 0 ? max * 1.1 : 1] as uPlot.Range.MinMax } } : {}),
      },
      axes: [
        { stroke: axisColour, font, grid, ticks: grid, label: "Time (UTC)", labelFont: font, labelSize: 18, size: 44, values: timeTicks },
        { stroke: axisColour, font, grid, ticks: grid, label: leftAxis, labelFont: font, labelSize: 18, size: 56, ...(integer ? { incrs: INTEGER_STEPS } : {}), values: (_u, splits) => splits.map((v) => compact(v)) },
        ...(hasRight
          ? [{ scale: "r", side: 1 as const, stroke: axisColour, font, grid: { show: false }, ticks: grid, label: rightAxis, labelFont: font, labelSize: 18, size: 56, values: (_u: uPlot, splits: number[]) => splits.map((v) => (rightPercent ? `${compact(v)}%` : compact(v))) }]
          : []),
      ],
      series: [
        { label: "Time", value: (_u, v) => (v === null || v === undefined ? "—" : fmtTime(v * 1000)) },
        ...series.map((s, i) => ({
          label: s.label,
          scale: s.right ? "r" : "y",
          stroke: COLOURS[i % COLOURS.length],
          dash: DASHES[i % DASHES.length],
          width: 2,
          // Every point as a dot while they are few; when dense, only those between gaps (no line shows them).
          points: { show: (u: uPlot) => u.data[0].length <= 90, filter: isolated, size: 5, fill: COLOURS[i % COLOURS.length] },
          value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? "—" : s.format(v)),
        })),
      ],
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
    };
    const u = new uPlot(opts, data, el);
    plot.current = u;
    let width = el.clientWidth;
    const resize = new ResizeObserver(() => {
      const w = el.clientWidth;
      if (w > 0 && w !== width) {
        width = w;
        u.setSize({ width: Math.max(200, w), height });
      }
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  // The table lists the periods that have a data point in any series, newest first.
  const rows = useMemo(() => {
    const out: number[] = [];
    for (let i = times.length - 1; i >= 0; i--) if (series.some((s) => s.values[i] !== null && s.values[i] !== undefined)) out.push(i);
    return out;
  }, [times, series]);
  const columns: Column<number>[] = [
    { label: "Period start (UTC)", value: (i) => fmtTime(times[i]! * 1000) },
    ...series.map(
      (s): Column<number> => ({
        label: s.label,
        numeric: true,
        value: (i) => {
          const v = s.values[i];
          return v === null || v === undefined ? (s.missingAsZero ? s.format(0) : "—") : s.format(v);
        },
      }),
    ),
  ];

  return (
    <figure class="metric-chart" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>
        <span class="metric-title">{title}</span> <span class="metric-detail">{detail}</span>
        <span class="metric-summary">{summary}</span>
      </figcaption>
      {note && <p class="hint metric-note">{note}</p>}
      <div class="metric-canvas" ref={box} aria-hidden="true" />
      <details class="metric-data">
        <summary>Show data</summary>
        <DataTable<number>
          caption={`${title}, ${detail}: ${rows.length} period${rows.length === 1 ? "" : "s"} with data`}
          rows={rows}
          columns={columns}
          rowKey={(i) => String(times[i])}
          pageSize={30}
          empty="No data points in this range."
        />
      </details>
    </figure>
  );
}

/** A series' points with no neighbour (a line has nothing to join them to), when not all points are drawn. */
function isolated(u: uPlot, seriesIdx: number, show: boolean): number[] | null {
  if (show) return null;
  const v = u.data[seriesIdx]!;
  const out: number[] = [];
  for (let i = 0; i < v.length; i++) if (v[i] != null && v[i - 1] == null && v[i + 1] == null) out.push(i);
  return out.length > 0 ? out : null;
}

/**
 * Time ticks in UTC, 24-hour: "14:05", with the date under the first tick and wherever the day
 * changes; only dates when ticks are a day or more apart.
 */
function timeTicks(_u: uPlot, splits: number[], _axis: number, _space: number, increment: number): string[] {
  let day = "";
  return splits.map((v) => {
    const iso = new Date(v * 1000).toISOString();
    const date = iso.slice(0, 10);
    if (increment >= 86400) return date.slice(5);
    const time = iso.slice(11, 16);
    if (date === day) return time;
    day = date;
    return `${time}\n${date.slice(5)}`;
  });
}

/** An axis tick: 1.5k, 2M, 0.25. */
function compact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  return String(+v.toFixed(2));
}
