/**
 * MetricStore on PostgreSQL: every node of a cluster writes its own aggregates into the same rows,
 * so a write merges in SQL (counts and sums added, min/max kept, histograms summed bucket by
 * bucket as jsonb) in one statement per batch: no read-modify-write race between nodes.
 */
import type { PgDb } from "./pg-db.js";
import { histOf } from "../services/cloudwatch/aggregate.js";
import { dimensionsMatch, dimensionsOf, dimensionsText, latestBySeries, RESOLUTIONS, rollUp, seriesId, type MetricFilter, type MetricKey, type MetricListing, type MetricPoint, type MetricStore, type StoredPoint } from "./metric-store.js";

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
    hist jsonb,
    PRIMARY KEY (series, resolution, at, unit)
  );
  CREATE INDEX metric_points_age ON metric_points (resolution, at);`;

const MERGE_HIST = `CASE WHEN metric_points.hist IS NULL OR excluded.hist IS NULL THEN NULL ELSE
  (SELECT jsonb_object_agg(k, n) FROM (SELECT key AS k, sum(value::float8) AS n FROM
    (SELECT * FROM jsonb_each_text(metric_points.hist) UNION ALL SELECT * FROM jsonb_each_text(excluded.hist)) b GROUP BY key) m) END`;

interface PointRow {
  at: number;
  unit: string;
  count: number;
  sum: number;
  min: number;
  max: number;
  hist: string | null;
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
      await sql.run(
        `INSERT INTO metric_points (series, resolution, at, unit, count, sum, min, max, hist)
         SELECT * FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::text[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::jsonb[])
         ON CONFLICT (series, resolution, at, unit) DO UPDATE SET count = metric_points.count + excluded.count, sum = metric_points.sum + excluded.sum,
           min = least(metric_points.min, excluded.min), max = greatest(metric_points.max, excluded.max), hist = ${MERGE_HIST}`,
        [
          rows.map((r) => ids.get(seriesId(r.key))),
          rows.map((r) => r.resolution),
          rows.map((r) => r.at),
          rows.map((r) => r.unit),
          rows.map((r) => r.value.count),
          rows.map((r) => r.value.sum),
          rows.map((r) => r.value.min),
          rows.map((r) => r.value.max),
          rows.map((r) => (r.value.hist === null ? null : JSON.stringify(r.value.hist))),
        ],
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

  async read(key: MetricKey, resolution: number, from: number, to: number): Promise<StoredPoint[]> {
    const rows = await this.db.query<PointRow>(
      `SELECT p.at, p.unit, p.count, p.sum, p.min, p.max, p.hist::text AS hist FROM metric_series s JOIN metric_points p ON p.series = s.id
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
