/**
 * MetricStore on PostgreSQL: every node of a cluster writes its own aggregates into the same rows.
 * A batch inserts the rows that are new, and merges into the others under their row locks
 * (SELECT … FOR UPDATE, then UPDATE): two nodes' writes to one row never lose either. Rows are
 * taken in one order on every node, so batches never wait on each other in a cycle.
 */
import type { PgDb } from "./pg-db.js";
import { histBytes, histOf, merge } from "../services/cloudwatch/aggregate.js";
import { dimensionsMatch, dimensionsOf, dimensionsText, latestBySeries, RESOLUTIONS, rollUp, seriesId, type RolledUp, type MetricFilter, type MetricKey, type MetricListing, type MetricPoint, type MetricStore, type StoredPoint } from "./metric-store.js";

export const PG_METRIC_TABLES = `
  CREATE TABLE metric_series (
    id bigserial PRIMARY KEY,
    namespace text NOT NULL,
    name text NOT NULL,
    dimensions text NOT NULL,
    last_at bigint NOT NULL,
    UNIQUE (namespace, name, dimensions)
  );
  CREATE TABLE metric_points (
    series bigint NOT NULL,
    resolution integer NOT NULL,
    at bigint NOT NULL,
    unit text NOT NULL,
    count float8 NOT NULL,
    sum float8 NOT NULL,
    min float8 NOT NULL,
    max float8 NOT NULL,
    hist bytea,
    PRIMARY KEY (series, resolution, at, unit)
  );
  CREATE INDEX metric_points_age ON metric_points (resolution, at);`;

interface PointRow {
  at: number;
  unit: string;
  count: number;
  sum: number;
  min: number;
  max: number;
  hist: Buffer | null;
}

export class PgMetricStore implements MetricStore {
  constructor(private readonly db: PgDb) {}

  async write(points: readonly MetricPoint[]): Promise<void> {
    if (points.length === 0) return;
    // Rows in one order on every node, so two nodes' batches never wait on each other in a cycle.
    const series = [...latestBySeries(points).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    const rows = rollUp(points).sort((a, b) => (seriesId(a.key) < seriesId(b.key) ? -1 : seriesId(a.key) > seriesId(b.key) ? 1 : a.resolution - b.resolution || a.at - b.at || (a.unit < b.unit ? -1 : 1)));
    await this.db.tx(async (sql) => {
      const got = await sql.query<{ id: number; namespace: string; name: string; dimensions: string }>(
        `INSERT INTO metric_series (namespace, name, dimensions, last_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
         ON CONFLICT (namespace, name, dimensions) DO UPDATE SET last_at = greatest(metric_series.last_at, excluded.last_at) RETURNING id, namespace, name, dimensions`,
        [series.map(([, s]) => s.key.namespace), series.map(([, s]) => s.key.name), series.map(([, s]) => dimensionsText(s.key)), series.map(([, s]) => s.last)],
      );
      const ids = new Map(got.map((r) => [`${r.namespace}\0${r.name}\0${r.dimensions}`, r.id]));
      const cols = (list: RolledUp[]) => [
        list.map((r) => ids.get(seriesId(r.key))),
        list.map((r) => r.resolution),
        list.map((r) => r.at),
        list.map((r) => r.unit),
        list.map((r) => r.value.count),
        list.map((r) => r.value.sum),
        list.map((r) => r.value.min),
        list.map((r) => r.value.max),
        list.map((r) => histBytes(r.value)),
      ];
      const rowKey = (series: number, resolution: number, at: number, unit: string) => `${series}\0${resolution}\0${at}\0${unit}`;
      const inserted = await sql.query<{ series: number; resolution: number; at: number; unit: string }>(
        `INSERT INTO metric_points (series, resolution, at, unit, count, sum, min, max, hist)
         SELECT * FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::text[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::bytea[])
         ON CONFLICT (series, resolution, at, unit) DO NOTHING RETURNING series, resolution, at, unit`,
        cols(rows),
      );
      const done = new Set(inserted.map((r) => rowKey(r.series, r.resolution, r.at, r.unit)));
      const rest = rows.filter((r) => !done.has(rowKey(ids.get(seriesId(r.key))!, r.resolution, r.at, r.unit)));
      if (rest.length === 0) return;
      const [seriesIds, resolutions, ats, units] = cols(rest);
      const old = await sql.query<PointRow & { series: number; resolution: number }>(
        `SELECT p.series, p.resolution, p.at, p.unit, p.count, p.sum, p.min, p.max, p.hist FROM metric_points p
         JOIN unnest($1::bigint[], $2::int[], $3::bigint[], $4::text[]) AS k(series, resolution, at, unit)
           ON p.series = k.series AND p.resolution = k.resolution AND p.at = k.at AND p.unit = k.unit
         ORDER BY p.series, p.resolution, p.at, p.unit FOR UPDATE OF p`,
        [seriesIds, resolutions, ats, units],
      );
      const stored = new Map(old.map((r) => [rowKey(r.series, r.resolution, r.at, r.unit), r]));
      const merged = rest.map((r) => {
        const o = stored.get(rowKey(ids.get(seriesId(r.key))!, r.resolution, r.at, r.unit))!;
        return { ...r, value: merge({ count: o.count, sum: o.sum, min: o.min, max: o.max, hist: histOf(o.hist) }, r.value) };
      });
      await sql.run(
        `UPDATE metric_points p SET count = v.count, sum = v.sum, min = v.min, max = v.max, hist = v.hist
         FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::text[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::bytea[])
           AS v(series, resolution, at, unit, count, sum, min, max, hist)
         WHERE p.series = v.series AND p.resolution = v.resolution AND p.at = v.at AND p.unit = v.unit`,
        cols(merged),
      );
    });
  }

  async list(filter: MetricFilter, limit: number, after = 0): Promise<MetricListing> {
    const metrics: MetricKey[] = [];
    let cursor = after;
    for (;;) {
      const rows = await this.db.query<{ id: number; namespace: string; name: string; dimensions: string }>(
        `SELECT id, namespace, name, dimensions FROM metric_series WHERE id > $1 AND last_at >= $2 AND ($3::text IS NULL OR namespace = $3) AND ($4::text IS NULL OR name = $4) ORDER BY id LIMIT 1000`,
        [cursor, filter.activeSince ?? 0, filter.namespace ?? null, filter.name ?? null],
      );
      for (const r of rows) {
        cursor = r.id;
        const key = { namespace: r.namespace, name: r.name, dimensions: dimensionsOf(r.dimensions) };
        if (!dimensionsMatch(key, filter.dimensions)) continue;
        metrics.push(key);
        if (metrics.length === limit) return { metrics, after: cursor };
      }
      if (rows.length < 1000) return { metrics };
    }
  }

  async read(key: MetricKey, resolution: number, from: number, to: number, histograms: boolean): Promise<StoredPoint[]> {
    const rows = await this.db.query<PointRow>(
      `SELECT p.at, p.unit, p.count, p.sum, p.min, p.max, ${histograms ? "p.hist" : "NULL::bytea AS hist"} FROM metric_series s JOIN metric_points p ON p.series = s.id
       WHERE s.namespace = $1 AND s.name = $2 AND s.dimensions = $3 AND p.resolution = $4 AND p.at >= $5 AND p.at < $6 ORDER BY p.at`,
      [key.namespace, key.name, dimensionsText(key), resolution, from, to],
    );
    return rows.map((r) => ({ at: r.at, unit: r.unit, value: { count: r.count, sum: r.sum, min: r.min, max: r.max, hist: histOf(r.hist) } }));
  }

  async expire(now: number): Promise<void> {
    for (const r of RESOLUTIONS) await this.db.run("DELETE FROM metric_points WHERE resolution = $1 AND at < $2", [r.seconds, now - r.keep]);
    await this.db.run("DELETE FROM metric_series WHERE last_at < $1", [now - RESOLUTIONS[RESOLUTIONS.length - 1]!.keep]);
  }
}
