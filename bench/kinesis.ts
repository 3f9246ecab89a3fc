/**
 * Kinesis PutRecords: records per second made durable (each answer sent only after its records are
 * on disk, SQLite `synchronous = FULL`) with 8 keep-alive clients sending 500 records of 100 bytes a
 * call, to a stream of 1 and of 4 shards; next to kinesalite on the same host (in memory, nothing
 * durable: a ceiling, not a peer). `BENCH_SECONDS` (5) per row.
 * `npm run build && node dist/bench/kinesis.js`
 */
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { REGION, TEST_CREDENTIALS, startFlint } from "../test/harness/flint.js";
import { SignedClient, type Target } from "./lib/client.js";
import { summarize, table } from "./lib/stats.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLIENTS = 8;
const BATCH = 500;

const require = createRequire(import.meta.url);

async function call(client: SignedClient, op: string, input: object): Promise<{ ms: number; json: Record<string, unknown> }> {
  const r = await client.post("/", Buffer.from(JSON.stringify(input)), { "x-amz-target": `Kinesis_20131202.${op}`, "content-type": "application/x-amz-json-1.1" });
  if (r.status !== 200) throw new Error(`${op}: ${r.status} ${r.body}`);
  return { ms: r.ms, json: r.body.length ? (JSON.parse(String(r.body)) as Record<string, unknown>) : {} };
}

async function putLoad(client: SignedClient, shards: number): Promise<(string | number)[]> {
  const StreamName = `bench-${shards}-${Date.now()}`;
  await call(client, "CreateStream", { StreamName, ShardCount: shards });
  const status = async () => ((await call(client, "DescribeStreamSummary", { StreamName })).json.StreamDescriptionSummary as { StreamStatus: string }).StreamStatus;
  while ((await status()) !== "ACTIVE") await new Promise((r) => setTimeout(r, 20));
  const Data = Buffer.alloc(100, "x").toString("base64");
  let n = 0;
  const body = (c: number) => ({ StreamName, Records: Array.from({ length: BATCH }, (_, i) => ({ PartitionKey: `c${c}-${n}-${i}`, Data })) });
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      while (performance.now() < deadline) {
        n++;
        const r = await call(client, "PutRecords", body(c));
        if (r.json.FailedRecordCount !== 0) throw new Error(`PutRecords failed ${String(r.json.FailedRecordCount)} records`);
        latencies.push(r.ms);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const s = summarize(latencies);
  return [shards, (latencies.length * BATCH) / elapsed, s.p50, s.p99];
}

const flint = await startFlint({ args: ["--spares", "0"], executionRole: false });
const kinesalite = require("kinesalite") as (opts: object) => { listen(port: number, cb: () => void): void; address(): AddressInfo; close(cb: () => void): void };
const peer = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
await new Promise<void>((r) => peer.listen(0, r));
try {
  const target = (port: number): Target => ({ host: "127.0.0.1", port, ...TEST_CREDENTIALS, region: REGION });
  const rows: (string | number)[][] = [];
  for (const [label, port] of [
    ["Flint (durable)", flint.port],
    ["kinesalite (memory)", peer.address().port],
  ] as const) {
    const client = new SignedClient(target(port), CLIENTS, "kinesis");
    for (const shards of [1, 4]) rows.push([label, ...(await putLoad(client, shards))]);
  }
  console.log(table(`Kinesis PutRecords, ${CLIENTS} clients × ${BATCH} records of 100 bytes, ${SECONDS} s per row`, ["server", "shards", "records/s", "p50 ms", "p99 ms"], rows));
} finally {
  await new Promise<void>((r) => peer.close(r));
  await flint.stop();
}
