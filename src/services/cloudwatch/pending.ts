/**
 * The MetricSink's seconds not yet written: one aggregate per series, second and unit, merged in
 * memory and taken by the service's flush every second. A series handle keeps the aggregate of the
 * last second it recorded into, so the invoke path's data point is a comparison and a merge; the
 * key of a series is built once, when its handle is resolved.
 */
import type { Clock } from "../../clock/clock.js";
import type { MetricKey, MetricPoint } from "../../store/metric-store.js";
import { addValue, ofValue } from "./aggregate.js";
import type { MetricDatum, MetricSeries, MetricSink } from "./sink.js";

export class PendingSeconds implements MetricSink {
  /** By series id and second. */
  private points = new Map<string, MetricPoint>();
  /** Handles `record(datum)` resolved, kept only until the next take (so as many as one second's series). */
  private byKey = new Map<string, Series>();
  /** Counts takes: a handle's cached aggregate belongs to the points of its generation only. */
  generation = 0;

  constructor(readonly clock: Clock) {}

  series(namespace: string, name: string, dimensions: Readonly<Record<string, string>>, unit: string): MetricSeries {
    return this.resolve(namespace, name, dimensions, unit);
  }

  record(d: MetricDatum): void {
    this.resolve(d.namespace, d.name, d.dimensions, d.unit, this.byKey).record(d.value, d.timestamp);
  }

  /** The pending points, handed over once: records from now on start new ones. */
  take(): MetricPoint[] {
    const points = [...this.points.values()];
    this.points = new Map();
    this.byKey = new Map();
    this.generation++;
    return points;
  }

  /** The aggregate of a series' second with `value` merged in (created from it if new). */
  add(series: Series, at: number, value: number): MetricPoint {
    const id = `${series.id}\0${at}`;
    let point = this.points.get(id);
    if (point) addValue(point.value, value);
    else this.points.set(id, (point = { key: series.key, at, unit: series.unit, value: ofValue(value) }));
    return point;
  }

  private resolve(namespace: string, name: string, dimensions: Readonly<Record<string, string>>, unit: string, cache?: Map<string, Series>): Series {
    const dims = Object.entries(dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const id = JSON.stringify([namespace, name, dims, unit]);
    const cached = cache?.get(id);
    if (cached) return cached;
    const s = new Series(this, id, { namespace, name, dimensions: dims.map(([Name, Value]) => ({ Name, Value })) }, unit);
    cache?.set(id, s);
    return s;
  }
}

class Series implements MetricSeries {
  private at = NaN;
  private generation = -1;
  private point: MetricPoint | undefined;

  constructor(
    private readonly pending: PendingSeconds,
    readonly id: string,
    readonly key: MetricKey,
    readonly unit: string,
  ) {}

  record(value: number, timestamp?: number): void {
    // What no client could have put (CloudWatch refuses NaN and infinities) is dropped, not stored.
    if (!Number.isFinite(value)) return;
    const at = Math.floor((timestamp ?? this.pending.clock.now()) / 1000);
    if (at === this.at && this.generation === this.pending.generation) {
      addValue(this.point!.value, value);
      return;
    }
    this.point = this.pending.add(this, at, value);
    this.at = at;
    this.generation = this.pending.generation;
  }
}
