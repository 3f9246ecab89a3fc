/**
 * FilterLogEvents' first page over a group of 1,000,000 events (issue 19: ≤ 200 ms).
 * - At the store level: `LogsStore.filter` with the pattern compiled as the logs service compiles
 *   it, limit 10,000 and scanLimit 100,000 (the service's), on SQLite and on PostgreSQL; next to
 *   each, in the same rounds, a bare read of 10,000 rows by primary key from the same database.
 * - Through the API: a `flint serve` on each store, the events put with PutLogEvents, then
 *   FilterLogEvents (JSON 1.1, signed, keep-alive) for its first page; next to it, in the same
 *   rounds, the bare Node echo answering a body of the same size as the page.
 * `BENCH_LOGS_EVENTS` (1,000,000), `BENCH_LOGS_ROUNDS` (15), `BENCH_LOGS_STORES` (`sqlite,postgres`),
 * `BENCH_LOGS_LEVELS` (`store,api`). `npm run build && node dist/bench/logs.js`
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
import { REGION, TEST_CREDENTIALS, startFlint } from "../test/harness/flint.js";
import { SignedClient } from "./lib/client.js";
import { startBaseline } from "./lib/baseline.js";
import { summarize, table } from "./lib/stats.js";

const EVENTS = Number(process.env.BENCH_LOGS_EVENTS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_LOGS_ROUNDS ?? 15);
const STORES = (process.env.BENCH_LOGS_STORES ?? "sqlite,postgres").split(",");
const LEVELS = (process.env.BENCH_LOGS_LEVELS ?? "store,api").split(",");
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
    const batches: LogBatch[] = Array.from({ length: STREAMS }, (_, s) => ({ group: GROUP, stream: streamName(s), events: [] as { timestamp: number; message: string }[] }));
    for (let i = first; i < Math.min(EVENTS, first + perWrite); i++) (batches[i % STREAMS]!.events as { timestamp: number; message: string }[]).push({ timestamp: START + Math.floor((i * DAY_MS) / EVENTS), message: message(i) });
    await logs.appendBatches(batches, START + DAY_MS);
  }
  return (performance.now() - began) / 1000;
}

/** The patterns measured, with the narrowing each row adds. */
const PATTERNS: [string, string, { streams?: string[]; start?: number; end?: number }][] = [
  ["no pattern", "", {}],
  ["`ERROR` (1 in 1,000)", "ERROR", {}],
  ["`NoSuchWord` (none)", "NoSuchWord", {}],
  ["`{ $.latency > 990 }` (JSON)", "{ $.latency > 990 }", {}],
  ["`[time, id, level = ERROR, ...]`", "[time, id, level = ERROR, ...]", {}],
  ["`ERROR`, one stream of 100", "ERROR", { streams: [streamName(7)] }],
  ["no pattern, last hour", "", { start: START + DAY_MS - 3_600_000, end: START + DAY_MS }],
];

function streamName(s: number): string {
  return `2026/12/01/[$LATEST]${s.toString(16).padStart(32, "0")}`;
}

/** The rows measured: a name and one FilterLogEvents first page, resolving how many events it held. */
type Row = [string, () => Promise<number>];

function storeQueries(logs: LogsStore): Row[] {
  return PATTERNS.map(([name, pattern, extra]) => [
    name,
    async () => {
      const compiled = compileFilterPattern(pattern);
      const page = await logs.filter(GROUP, { ...PAGE, ...extra, ...(!compiled.matchesAll && { mustContain: compiled.mustContain, match: (m: string) => compiled.match(m) }) });
      return page.events.length;
    },
  ]);
}

/** Every row once per round, in turn (the first round warms caches and is not counted). */
async function sample(rows: Row[]): Promise<{ returned: number; p50: number; p99: number }[]> {
  const samples = rows.map(() => [] as number[]);
  const returned = rows.map(() => 0);
  for (let round = 0; round < ROUNDS + 1; round++) {
    for (const [i, [, run]] of rows.entries()) {
      const began = performance.now();
      returned[i] = await run();
      if (round > 0) samples[i]!.push(performance.now() - began);
    }
  }
  return rows.map((_, i) => ({ returned: returned[i]!, ...summarize(samples[i]!) }));
}

async function measureStore(name: string, logs: LogsStore, baseline: () => Promise<unknown>): Promise<string> {
  const loadSeconds = await load(logs);
  const rows: Row[] = [...storeQueries(logs), ["baseline: 10,000 rows by primary key, bare", async () => (await baseline(), 10_000)]];
  const results = await sample(rows);
  return table(
    `${name}, store level: FilterLogEvents first page over ${EVENTS.toLocaleString("en")} events (${STREAMS} streams; loaded in ${loadSeconds.toFixed(1)} s, ${Math.round(EVENTS / loadSeconds).toLocaleString("en")} events/s)`,
    ["query", "events returned", "p50 ms", "p99 ms"],
    rows.map(([query], i) => [query, results[i]!.returned, results[i]!.p50, results[i]!.p99]),
  );
}

/** PutLogEvents' limits: 10,000 events and 1,048,576 bytes (26 per event) a call. */
const PUT_EVENTS = 5_000;

async function measureApi(name: string, args: string[]): Promise<string> {
  const flint = await startFlint({ args });
  const baseline = await startBaseline();
  const target = { host: "127.0.0.1", ...TEST_CREDENTIALS, region: REGION };
  const client = new SignedClient({ ...target, port: flint.port }, 1, "logs");
  const echo = new SignedClient({ ...target, port: baseline.port }, 1, "logs");
  const call = async (c: SignedClient, op: string, input: object) => {
    const r = await c.post("/", Buffer.from(JSON.stringify(input)), { "x-amz-target": `Logs_20140328.${op}`, "content-type": "application/x-amz-json-1.1" });
    if (r.status !== 200) throw new Error(`${op}: ${r.status} ${String(r.body).slice(0, 300)}`);
    return r.body;
  };
  try {
    // The events end now (PutLogEvents takes nothing older than 14 days or later than 2 hours ahead).
    const shift = Date.now() - (START + DAY_MS);
    const began = performance.now();
    await call(client, "CreateLogGroup", { logGroupName: GROUP });
    for (let s = 0; s < STREAMS; s++) await call(client, "CreateLogStream", { logGroupName: GROUP, logStreamName: streamName(s) });
    const perStream = EVENTS / STREAMS;
    for (let s = 0; s < STREAMS; s++) {
      for (let first = 0; first < perStream; first += PUT_EVENTS) {
        const logEvents = [];
        for (let j = first; j < Math.min(perStream, first + PUT_EVENTS); j++) {
          const i = j * STREAMS + s;
          logEvents.push({ timestamp: START + shift + Math.floor((i * DAY_MS) / EVENTS), message: message(i) });
        }
        await call(client, "PutLogEvents", { logGroupName: GROUP, logStreamName: streamName(s), logEvents });
      }
    }
    const loadSeconds = (performance.now() - began) / 1000;
    let pageBytes = 0;
    const rows: Row[] = PATTERNS.map(([label, pattern, extra]) => [
      label,
      async () => {
        const body = await call(client, "FilterLogEvents", {
          logGroupName: GROUP,
          ...(pattern && { filterPattern: pattern }),
          ...(extra.streams && { logStreamNames: extra.streams }),
          ...(extra.start !== undefined && { startTime: extra.start + shift, endTime: extra.end! + shift }),
        });
        if (label === "no pattern") pageBytes = body.length;
        return (JSON.parse(String(body)) as { events: unknown[] }).events.length;
      },
    ]);
    rows.push(["baseline: bare Node echo of a body the first page's size", async () => (await echo.post("/", Buffer.alloc(pageBytes || 1, 120)), 0)]);
    const results = await sample(rows);
    return table(
      `${name}, through the API: FilterLogEvents first page over ${EVENTS.toLocaleString("en")} events (${STREAMS} streams; PutLogEvents of ${PUT_EVENTS.toLocaleString("en")} events took ${loadSeconds.toFixed(1)} s, ${Math.round(EVENTS / loadSeconds).toLocaleString("en")} events/s)`,
      ["query", "events returned", "p50 ms", "p99 ms"],
      rows.map(([query], i) => [query, results[i]!.returned, results[i]!.p50, results[i]!.p99]),
    );
  } finally {
    client.close();
    echo.close();
    baseline.stop();
    await flint.stop({ cleanup: true });
  }
}

const out: string[] = [`## Logs (${new Date().toISOString().slice(0, 10)}, limit ${PAGE.limit}, the service's scanLimit ${PAGE.scanLimit})`, ""];
if (STORES.includes("sqlite") && LEVELS.includes("store")) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "flint-bench-logs-"));
  try {
    const file = path.join(dir, "logs.db");
    const logs = new SqliteLogsStore(file);
    const bare = new Database(file, { readonly: true });
    const read = bare.prepare("SELECT seq, timestamp, message FROM log_events ORDER BY seq LIMIT 10000");
    out.push(await measureStore("SQLite", logs, async () => read.all()));
    bare.close();
    logs.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
if (STORES.includes("sqlite") && LEVELS.includes("api")) out.push(await measureApi("SQLite", []));
if (STORES.includes("postgres")) {
  const db = await testDatabase();
  try {
    if (LEVELS.includes("store")) {
      const store = await PgStore.open(db.url);
      const bare = new pg.Client({ connectionString: db.url });
      await bare.connect();
      try {
        out.push(await measureStore("PostgreSQL", store.logs, () => bare.query("SELECT seq, timestamp, message FROM log_events ORDER BY seq LIMIT 10000")));
        await store.db.run("TRUNCATE log_groups, log_streams, log_events");
      } finally {
        await bare.end();
        await store.close();
      }
    }
    if (LEVELS.includes("api")) out.push(await measureApi("PostgreSQL", ["--store", db.url]));
  } finally {
    await db.close();
  }
}
console.log(out.join("\n"));
