/**
 * MetricStore on its own SQLite file (`<data>/metrics.db`, WAL): metric writes arrive every second
 * and never wait behind, or hold up, the main database's commits. `synchronous = NORMAL`: a power
 * cut may lose the last second of metrics, never corrupt the file.
 */
import Database from "better-sqlite3";
import { histBytes, histOf, merge } from "../services/cloudwatch/aggregate.js";
import { latestBySeries, seriesId, dimensionsMatch, dimensionsOf, dimensionsText, RESOLUTIONS, rollUp, type MetricFilter, type MetricKey, type MetricListing, type MetricPoint, type MetricStore, type StoredPoint } from "./metric-store.js";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS metric_series (
    id INTEGER PRIMARY KEY,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    dimensions TEXT NOT NULL,
    last_at INTEGER NOT NULL,
    UNIQUE (namespace, name, dimensions)
  );
  CREATE TABLE IF NOT EXISTS metric_points (
    series INTEGER NOT NULL,
    resolution INTEGER NOT NULL,
    at INTEGER NOT NULL,
    unit TEXT NOT NULL,
    count REAL NOT NULL,
    sum REAL NOT NULL,
    min REAL NOT NULL,
    max REAL NOT NULL,
    hist BLOB,
    PRIMARY KEY (series, resolution, at, unit)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS metric_points_age ON metric_points (resolution, at);`;

interface PointRow {
  at: number;
  unit: string;
  count: number;
  sum: number;
  min: number;
  max: number;
  hist: Buffer | null;
}

const storedPoint = (r: PointRow): StoredPoint => ({ at: r.at, unit: r.unit, value: { count: r.count, sum: r.sum, min: r.min, max: r.max, hist: histOf(r.hist) } });

export class SqliteMetricStore implements MetricStore {
  private readonly db: Database.Database;
  private readonly stmts;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    // A day of one metric's minute rows with their histograms is a few MB: keep such reads in memory.
    this.db.pragma("cache_size = -32768");
    this.db.exec(SCHEMA);
    const db = this.db;
    this.stmts = {
      series: db.prepare<[string, string, string, number], { id: number }>(
        "INSERT INTO metric_series (namespace, name, dimensions, last_at) VALUES (?, ?, ?, ?) ON CONFLICT (namespace, name, dimensions) DO UPDATE SET last_at = max(last_at, excluded.last_at) RETURNING id",
      ),
      find: db.prepare<[string, string, string], { id: number }>("SELECT id FROM metric_series WHERE namespace = ? AND name = ? AND dimensions = ?"),
      point: db.prepare<[number, number, number, string], PointRow>("SELECT at, unit, count, sum, min, max, hist FROM metric_points WHERE series = ? AND resolution = ? AND at = ? AND unit = ?"),
      put: db.prepare(
        "INSERT INTO metric_points (series, resolution, at, unit, count, sum, min, max, hist) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (series, resolution, at, unit) DO UPDATE SET count = excluded.count, sum = excluded.sum, min = excluded.min, max = excluded.max, hist = excluded.hist",
      ),
      read: db.prepare<[number, number, number, number], PointRow>("SELECT at, unit, count, sum, min, max, hist FROM metric_points WHERE series = ? AND resolution = ? AND at >= ? AND at < ? ORDER BY at"),
      readBare: db.prepare<[number, number, number, number], PointRow>("SELECT at, unit, count, sum, min, max, NULL AS hist FROM metric_points WHERE series = ? AND resolution = ? AND at >= ? AND at < ? ORDER BY at"),
      list: db.prepare<[number, number], { id: number; namespace: string; name: string; dimensions: string }>(
        "SELECT id, namespace, name, dimensions FROM metric_series WHERE id > ? AND last_at >= ? ORDER BY id LIMIT 1000",
      ),
      expire: db.prepare("DELETE FROM metric_points WHERE resolution = ? AND at < ?"),
      expireSeries: db.prepare("DELETE FROM metric_series WHERE last_at < ?"),
    };
  }

  async write(points: readonly MetricPoint[]): Promise<void> {
    this.db.transaction(() => {
      const ids = new Map<string, number>();
      for (const [idKey, { key, last }] of latestBySeries(points)) ids.set(idKey, this.stmts.series.get(key.namespace, key.name, dimensionsText(key), last)!.id);
      for (const row of rollUp(points)) {
        const id = ids.get(seriesId(row.key))!;
        const old = this.stmts.point.get(id, row.resolution, row.at, row.unit);
        const v = old ? merge(storedPoint(old).value, row.value) : row.value;
        this.stmts.put.run(id, row.resolution, row.at, row.unit, v.count, v.sum, v.min, v.max, histBytes(v));
      }
    })();
  }

  async list(filter: MetricFilter, limit: number, after = 0): Promise<MetricListing> {
    const metrics: MetricKey[] = [];
    let cursor = after;
    for (;;) {
      const rows = this.stmts.list.all(cursor, filter.activeSince ?? 0);
      for (const r of rows) {
        cursor = r.id;
        if (filter.namespace !== undefined && r.namespace !== filter.namespace) continue;
        if (filter.name !== undefined && r.name !== filter.name) continue;
        const key = { namespace: r.namespace, name: r.name, dimensions: dimensionsOf(r.dimensions) };
        if (!dimensionsMatch(key, filter.dimensions)) continue;
        metrics.push(key);
        if (metrics.length === limit) return { metrics, after: cursor };
      }
      if (rows.length < 1000) return { metrics };
    }
  }

  async read(key: MetricKey, resolution: number, from: number, to: number, histograms: boolean): Promise<StoredPoint[]> {
    const series = this.stmts.find.get(key.namespace, key.name, dimensionsText(key));
    return series ? (histograms ? this.stmts.read : this.stmts.readBare).all(series.id, resolution, from, to).map(storedPoint) : [];
  }

  async expire(now: number): Promise<void> {
    this.db.transaction(() => {
      for (const r of RESOLUTIONS) this.stmts.expire.run(r.seconds, now - r.keep);
      this.stmts.expireSeries.run(now - RESOLUTIONS[RESOLUTIONS.length - 1]!.keep);
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
