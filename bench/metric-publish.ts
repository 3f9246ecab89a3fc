/**
 * What publishing AWS/Lambda metrics costs one warm invocation (issue 19: metrics must not slow the
 * invoke path): the CloudWatch recorder of an invocation through an alias (4 dimension sets, 17 data
 * points: ConcurrentExecutions, UnreservedConcurrentExecutions, Invocations, Errors, Duration) and of
 * an unqualified one (3 sets, 13 points), recorded into the real CloudWatchService on a SQLite store
 * with a ManualClock: each simulated second runs `PER_SECOND` invocations (timed), then the clock
 * moves one second and the sink's flush is awaited (not timed: it runs off the invoke path).
 * `npm run build && node dist/bench/metric-publish.js` (also `BENCH_SUITES=metric-publish npm run bench`);
 * `BENCH_PUBLISH_SECONDS` (default 20) simulated seconds per row.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { ManualClock } from "../src/clock/manual-clock.js";
import { SqliteStore } from "../src/store/sqlite.js";
import { CloudWatchService } from "../src/services/cloudwatch/service.js";
import { LambdaMetrics, type InvokedResource } from "../src/observability/cloudwatch.js";
import { summarize, table } from "./lib/stats.js";

const SECONDS = Number(process.env.BENCH_PUBLISH_SECONDS ?? 20);
const PER_SECOND = 10_000;

const RESOURCES: [string, InvokedResource][] = [
  ["alias (4 dimension sets, 17 points)", { functionName: "bench", qualifier: "live", version: "1", reserved: false, provisioned: 0 }],
  ["unqualified (3 dimension sets, 13 points)", { functionName: "bench", version: "$LATEST", reserved: false, provisioned: 0 }],
];

/** µs per invocation, one sample per simulated second. */
async function run(resource: InvokedResource): Promise<number[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "flint-bench-publish-"));
  const store = SqliteStore.open(dir);
  const clock = new ManualClock(Date.now());
  const cw = new CloudWatchService({ store: store.metrics, clock });
  cw.start();
  const lambda = new LambdaMetrics(cw, clock);
  const samples: number[] = [];
  try {
    const recorder = lambda.forResource(resource);
    for (let s = 0; s < SECONDS + 2; s++) {
      const started = performance.now();
      for (let i = 0; i < PER_SECOND; i++) recorder.started({ provisioned: false })({ durationMs: 1 + (i % 500), error: i % 50 === 0 });
      const us = ((performance.now() - started) * 1000) / PER_SECOND;
      if (s >= 2) samples.push(us); // the first two seconds warm the JIT
      clock.advance(1000);
      await cw.flush();
    }
  } finally {
    lambda.stop();
    await cw.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
  return samples;
}

export async function metricPublishBench(): Promise<string> {
  const rows: (string | number)[][] = [];
  for (const [label, resource] of RESOURCES) {
    const s = summarize(await run(resource));
    rows.push([label, s.p50.toFixed(2), s.p99.toFixed(2)]);
  }
  return table(`AWS/Lambda metric publishing per warm invocation (${PER_SECOND} invocations per simulated second, ${SECONDS} seconds)`, ["invocation", "p50 µs", "p99 µs (of per-second means)"], rows);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await metricPublishBench());
}
