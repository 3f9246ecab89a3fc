/**
 * FilterLogEvents' first page over a group of 1,000,000 events (issue 19: ≤ 200 ms), at the store
 * level: `LogsStore.filter` with the pattern compiled as the logs service compiles it, limit 10,000
 * and scanLimit 100,000 (the service's), on SQLite and on PostgreSQL. Next to each, in the same
 * rounds, a bare read of 10,000 rows by primary key from the same database on its own connection.
 * `BENCH_LOGS_EVENTS` (1,000,000), `BENCH_LOGS_ROUNDS` (15), `BENCH_LOGS_STORES` (`sqlite,postgres`).
 * `npm run build && node dist/bench/logs.js`
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import pg from "pg";
import { compileFilterPattern } from "../src/services/logs/filter-pattern.js";
import type { LogBatch, LogsStore } from "../src/store/logs-store.js";
import { SqliteLogsStore } from "../src/store/sqlite-logs.js";
import { PgStore } from "../src/store/postgres.js";
import { testDatabase } from "../test/harness/postgres.js";
import { summarize, table } from "./lib/stats.js";

const EVENTS = Number(process.env.BENCH_LOGS_EVENTS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_LOGS_ROUNDS ?? 15);
const STORES = (process.env.BENCH_LOGS_STORES ?? "sqlite,postgres").split(",");
const STREAMS = 100;
const GROUP = "/aws/lambda/bench";
const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 11, 1);
const PAGE = { limit: 10_000, scanLimit: 100_000 };

/** Event `i`: one in a thousand an ERROR, half of them JSON lines as a Lambda function writes them. */
function message(i: number): string {
  const level = i % 1000 === 7 ? "ERROR" : "INFO";
  const latency = (i * 7919) % 1000;
  return i % 2
    ? `{"timestamp":"2026-12-01T00:00:00.000Z","level":"${level}","requestId":"${i.toString(16).padStart(8, "0")}-0000","latency":${latency},"message":"handled /items/${i % 997}"}`
    : `2026-12-01T00:00:00.000Z\t${i.toString(16).padStart(8, "0")}-0000\t${level}\thandled /items/${i % 997} in ${latency} ms`;
}

async function load(logs: LogsStore): Promise<number> {
  const began = performance.now();
  const perWrite = 10_000;
  for (let first = 0; first < EVENTS; first += perWrite) {
    const batches: LogBatch[] = Array.from({ length: STREAMS }, (_, s) => ({ group: GROUP, stream: `2026/12/01/[$LATEST]${s.toString(16).padStart(32, "0")}`, events: [] as { timestamp: number; message: string }[] }));
    for (let i = first; i < Math.min(EVENTS, first + perWrite); i++) (batches[i % STREAMS]!.events as { timestamp: number; message: string }[]).push({ timestamp: START + Math.floor((i * DAY_MS) / EVENTS), message: message(i) });
    await logs.appendBatches(batches, START + DAY_MS);
  }
  return (performance.now() - began) / 1000;
}

/** The rows measured: a name and one FilterLogEvents first page. */
function queries(logs: LogsStore): [string, () => Promise<number>][] {
  const filter = (pattern: string, extra: object = {}) => async () => {
    const compiled = compileFilterPattern(pattern);
    const page = await logs.filter(GROUP, { ...PAGE, ...extra, ...(!compiled.matchesAll && { mustContain: compiled.mustContain, match: (m: string) => compiled.match(m) }) });
    return page.events.length;
  };
  return [
    ["no pattern", filter("")],
    ["`ERROR` (1 in 1,000)", filter("ERROR")],
    ["`NoSuchWord` (none)", filter("NoSuchWord")],
    ['`{ $.latency > 990 }` (JSON)', filter("{ $.latency > 990 }")],
    ["`[time, id, level = ERROR, ...]`", filter("[time, id, level = ERROR, ...]")],
    ["`ERROR`, one stream of 100", filter("ERROR", { streams: ["2026/12/01/[$LATEST]" + "7".padStart(32, "0")] })],
    ["no pattern, last hour", filter("", { start: START + DAY_MS - 3_600_000, end: START + DAY_MS })],
  ];
}

async function measure(name: string, logs: LogsStore, baseline: () => Promise<unknown>): Promise<string> {
  const loadSeconds = await load(logs);
  const rows = [...queries(logs), ["baseline: 10,000 rows by primary key, bare", async () => (await baseline(), 10_000)] as [string, () => Promise<number>]];
  const samples = rows.map(() => [] as number[]);
  const returned = rows.map(() => 0);
  for (let round = 0; round < ROUNDS + 1; round++) {
    for (const [i, [, run]] of rows.entries()) {
      const began = performance.now();
      returned[i] = await run();
      // The first round warms caches and is not counted.
      if (round > 0) samples[i]!.push(performance.now() - began);
    }
  }
  return table(
    `${name}: FilterLogEvents first page over ${EVENTS.toLocaleString("en")} events (${STREAMS} streams; loaded in ${loadSeconds.toFixed(1)} s, ${Math.round(EVENTS / loadSeconds).toLocaleString("en")} events/s)`,
    ["query", "events returned", "p50 ms", "p99 ms"],
    rows.map(([query], i) => {
      const s = summarize(samples[i]!);
      return [query, returned[i]!, s.p50, s.p99];
    }),
  );
}

const out: string[] = [`## Logs store (${new Date().toISOString().slice(0, 10)}, limit ${PAGE.limit}, scanLimit ${PAGE.scanLimit})`, ""];
if (STORES.includes("sqlite")) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "flint-bench-logs-"));
  try {
    const file = path.join(dir, "logs.db");
    const logs = new SqliteLogsStore(file);
    const bare = new Database(file, { readonly: true });
    const read = bare.prepare("SELECT seq, timestamp, message FROM log_events ORDER BY seq LIMIT 10000");
    out.push(await measure("SQLite", logs, async () => read.all()));
    bare.close();
    logs.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
if (STORES.includes("postgres")) {
  const db = await testDatabase();
  try {
    const store = await PgStore.open(db.url);
    const bare = new pg.Client({ connectionString: db.url });
    await bare.connect();
    try {
      out.push(await measure("PostgreSQL", store.logs, () => bare.query("SELECT seq, timestamp, message FROM log_events ORDER BY seq LIMIT 10000")));
    } finally {
      await bare.end();
      await store.close();
    }
  } finally {
    await db.close();
  }
}
console.log(out.join("\n"));
