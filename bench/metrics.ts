/**
 * CloudWatch metrics (issue 19): GetMetricData over a day of per-second data for one function
 * (`AWS/Lambda` Invocations and Duration, FunctionName=bench, every second of the last 24 hours, ten
 * invocations a second), through the real API (AWS JSON 1.0, signed, keep-alive), on the embedded
 * SQLite store and on PostgreSQL, each sample taken in turn with a bare Node echo of the same request
 * body: the floor any HTTP answer costs here.
 * The day is written into the store before the server starts (the API refuses `AWS/` namespaces, and
 * the sink would take a day to fill it); reads go through the server as a client's would.
 * `npm run build && node dist/bench/metrics.js` (also `BENCH_SUITES=metrics npm run bench`);
 * `BENCH_METRICS_SAMPLES` (default 40) per row.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { REGION, TEST_CREDENTIALS, startFlint, type FlintProcess } from "../test/harness/flint.js";
import { testDatabase } from "../test/harness/postgres.js";
import { SqliteStore } from "../src/store/sqlite.js";
import { PgStore } from "../src/store/postgres.js";
import type { MetricPoint, MetricStore } from "../src/store/metric-store.js";
import { merge, ofValue } from "../src/services/cloudwatch/aggregate.js";
import { SignedClient } from "./lib/client.js";
import { startBaseline } from "./lib/baseline.js";
import { summarize, table } from "./lib/stats.js";

const SAMPLES = Number(process.env.BENCH_METRICS_SAMPLES ?? 40);
const DAY = 86_400;
const PER_SECOND = 10;
const FUNCTION = [{ Name: "FunctionName", Value: "bench" }];

/** A day of seconds up to `end` (epoch s): Invocations (Count) and Duration (ms, ten values) each second. */
async function fillDay(store: MetricStore, end: number): Promise<void> {
  const key = (name: string) => ({ namespace: "AWS/Lambda", name, dimensions: FUNCTION });
  let batch: MetricPoint[] = [];
  for (let at = end - DAY; at < end; at++) {
    const duration = Array.from({ length: PER_SECOND }, () => ofValue(20 + Math.random() * 480)).reduce((a, b) => merge(a, b));
    batch.push({ key: key("Invocations"), at, unit: "Count", value: ofValue(1, PER_SECOND) }, { key: key("Duration"), at, unit: "Milliseconds", value: duration });
    if (batch.length >= 7200) {
      await store.write(batch);
      batch = [];
    }
  }
  await store.write(batch);
}

const metric = (name: string) => ({ Namespace: "AWS/Lambda", MetricName: name, Dimensions: FUNCTION });

/** The requests measured: what a dashboard of one function asks for. */
function requests(end: number): [string, object][] {
  const day = { StartTime: end - DAY, EndTime: end };
  return [
    ["1 query, Sum, period 60, 24 h (1,440 points)", { ...day, MetricDataQueries: [{ Id: "inv", MetricStat: { Metric: metric("Invocations"), Period: 60, Stat: "Sum" } }] }],
    [
      "3 queries (Sum, Average, p99), period 60, 24 h",
      {
        ...day,
        MetricDataQueries: [
          { Id: "inv", MetricStat: { Metric: metric("Invocations"), Period: 60, Stat: "Sum" } },
          { Id: "avg", MetricStat: { Metric: metric("Duration"), Period: 60, Stat: "Average" } },
          { Id: "p99", MetricStat: { Metric: metric("Duration"), Period: 60, Stat: "p99" } },
        ],
      },
    ],
    ["1 query, p99, period 300, 24 h", { ...day, MetricDataQueries: [{ Id: "p99", MetricStat: { Metric: metric("Duration"), Period: 300, Stat: "p99" } }] }],
    ["1 query, p50, period 1, last hour (3,600 points)", { StartTime: end - 3600, EndTime: end, MetricDataQueries: [{ Id: "p50", MetricStat: { Metric: metric("Duration"), Period: 1, Stat: "p50" } }] }],
  ];
}

async function measure(label: string, flint: FlintProcess, echoPort: number, end: number, rows: (string | number)[][]): Promise<void> {
  const target = { host: "127.0.0.1", port: flint.port, ...TEST_CREDENTIALS, region: REGION };
  const client = new SignedClient(target, 1, "monitoring");
  const echo = new SignedClient({ ...target, port: echoPort }, 1, "monitoring");
  const headers = { "x-amz-target": "GraniteServiceVersion20100801.GetMetricData", "content-type": "application/x-amz-json-1.0" };
  try {
    for (const [name, input] of requests(end)) {
      const body = Buffer.from(JSON.stringify(input));
      const first = await client.post("/", body, headers);
      if (first.status !== 200) throw new Error(`${name}: ${first.status} ${first.body}`);
      const points = (JSON.parse(String(first.body)) as { MetricDataResults: { Values: number[] }[] }).MetricDataResults.reduce((n, r) => n + r.Values.length, 0);
      const flintMs: number[] = [];
      const echoMs: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        flintMs.push((await client.post("/", body, headers)).ms);
        echoMs.push((await echo.post("/", body, headers)).ms);
      }
      const f = summarize(flintMs);
      const e = summarize(echoMs);
      rows.push([label, name, points, f.p50.toFixed(1), f.p99.toFixed(1), e.p50.toFixed(2)]);
    }
  } finally {
    client.close();
    echo.close();
  }
}

export async function metricsBench(): Promise<string> {
  const rows: (string | number)[][] = [];
  const baseline = await startBaseline();
  const end = Math.floor(Date.now() / 1000);
  try {
    const dir = await mkdtemp(path.join(tmpdir(), "flint-bench-metrics-"));
    try {
      const store = SqliteStore.open(dir);
      await fillDay(store.metrics, end);
      await store.close();
      const flint = await startFlint({ dataDir: dir, args: ["--spares", "0"], executionRole: false });
      await measure("SQLite", flint, baseline.port, end, rows).finally(() => flint.stop());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const db = await testDatabase();
    try {
      const store = await PgStore.open(db.url);
      await fillDay(store.metrics, end);
      await store.close();
      const flint = await startFlint({ args: ["--store", db.url, "--spares", "0"], executionRole: false });
      await measure("PostgreSQL", flint, baseline.port, end, rows).finally(() => flint.stop());
    } finally {
      await db.close();
    }
  } finally {
    baseline.stop();
  }
  return table(
    `GetMetricData over a day of per-second data for one function (${SAMPLES} samples per row, concurrency 1)`,
    ["store", "request", "datapoints", "p50 ms", "p99 ms", "echo p50 ms"],
    rows,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await metricsBench());
}
