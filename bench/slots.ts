/**
 * What counting concurrency costs per invoke: the in-memory gate (SQLite, one node) next to the
 * gate that leases slots from PostgreSQL (cluster mode), when a leased slot is idle on the node
 * (the warm path: no I/O) and when the store must be asked (a cold grant: one round trip).
 * `node dist/bench/slots.js` starts its own throwaway PostgreSQL server (scripts/postgres.mjs).
 */
import { performance } from "node:perf_hooks";
import { ScaledClock } from "../src/clock/clock.js";
import { MemoryConcurrencyGate, type ConcurrencyGate } from "../src/invoke/concurrency.js";
import { LeasedConcurrencyGate } from "../src/invoke/leased-gate.js";
import type { FunctionRecord } from "../src/services/lambda/model.js";
import { PgStore } from "../src/store/postgres.js";
import { summarize, table } from "./lib/stats.js";

const WARM_OPS = Number(process.env.BENCH_SLOT_OPS ?? 1_000_000);
const COLD_OPS = Number(process.env.BENCH_SLOT_COLD ?? 2_000);
const LIMITS = { limit: 1000, unreservedCapacity: 900 };
const unreserved = { name: "bench", provisioned: {} } as unknown as FunctionRecord;

const ROUNDS = 10;

/**
 * Nanoseconds per acquire + release on each gate, synchronously and awaited as invoker.ts awaits
 * it; the gates take turns in slices (the host is shared and its speed drifts).
 */
async function warm(gates: Record<string, ConcurrencyGate>): Promise<Map<string, { sync: number; awaited: number }>> {
  const spent = new Map(Object.keys(gates).map((k) => [k, { sync: 0, awaited: 0 }]));
  for (const gate of Object.values(gates)) (await gate.acquire(unreserved))(); // lease the first slot (on PostgreSQL: the one cold grant)
  const slice = WARM_OPS / ROUNDS;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, gate] of Object.entries(gates)) {
      let started = performance.now();
      for (let i = 0; i < slice; i++) (gate.acquire(unreserved) as () => void)();
      spent.get(name)!.sync += performance.now() - started;
      started = performance.now();
      for (let i = 0; i < slice; i++) (await gate.acquire(unreserved))();
      spent.get(name)!.awaited += performance.now() - started;
    }
  }
  for (const v of spent.values()) {
    v.sync = (v.sync * 1e6) / WARM_OPS;
    v.awaited = (v.awaited * 1e6) / WARM_OPS;
  }
  return spent;
}

/** Microseconds per call of each step, the steps taking turns, one call at a time. */
async function turns(steps: Record<string, (i: number) => Promise<unknown>>): Promise<Map<string, { mean: number; p99: number }>> {
  const samples = new Map(Object.keys(steps).map((k) => [k, [] as number[]]));
  for (let i = 0; i < COLD_OPS; i++) {
    for (const [name, step] of Object.entries(steps)) {
      const t = performance.now();
      await step(i);
      samples.get(name)!.push((performance.now() - t) * 1000);
    }
  }
  return new Map([...samples].map(([k, v]) => [k, summarize(v)]));
}

/** Microseconds per call (over the run) of `step` called by `parallel` callers at once. */
async function parallelRun(step: (i: number) => Promise<unknown>, parallel: number): Promise<{ mean: number; p99: number }> {
  const samples: number[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < COLD_OPS) {
        const i = next++;
        const t = performance.now();
        await step(i);
        samples.push((performance.now() - t) * 1000);
      }
    }),
  );
  return { mean: ((performance.now() - started) * 1000) / COLD_OPS, p99: summarize(samples).p99 };
}

export async function slotsBench(): Promise<string> {
  const script = new URL("../../scripts/postgres.mjs", import.meta.url).href;
  const { startPostgres } = (await import(script)) as { startPostgres(): Promise<{ url: string; stop(): Promise<void> }> };
  const server = await startPostgres();
  const clock = new ScaledClock();
  const [a, b] = [await PgStore.open(server.url), await PgStore.open(server.url)];
  const leased = await LeasedConcurrencyGate.create(a.slots, LIMITS, clock);
  const other = await LeasedConcurrencyGate.create(b.slots, LIMITS, clock);
  try {
    const w = await warm({ memory: new MemoryConcurrencyGate(LIMITS), leased });
    const rows: (string | number)[][] = [];
    for (const mode of ["sync", "awaited"] as const) {
      rows.push(["in-memory gate (SQLite, one node)", mode, w.get("memory")![mode] / 1000, "-", 0]);
      rows.push(["leased gate, warm (PostgreSQL, idle slot on the node)", mode, w.get("leased")![mode] / 1000, "-", 0]);
    }
    const now = () => clock.now();
    const cold = await turns({
      ping: () => a.db.query("SELECT 1"),
      // A cold grant: the store asked for one slot; then it is given back.
      grant: () => a.slots.acquire("fn:cold", 1000, 1, now(), 10_000),
      release: () => a.slots.release("fn:cold", 1),
      // Through the gate with no slot idle: a new scope each time (its give-back comes at the next trim).
      gate: async (i) => (await leased.acquire({ name: `cold-${i}`, reservedConcurrency: 1, provisioned: {} } as unknown as FunctionRecord))(),
    });
    // A throttle: the reservation runs on the other node, so the store refuses, the other node is
    // asked for idle slots (it has none) and the store is asked once more.
    const full = { name: "full", reservedConcurrency: 1, provisioned: {} } as unknown as FunctionRecord;
    await other.acquire(full);
    const throttle = await turns({
      throttle: async () => {
        try {
          await leased.acquire(full);
          throw new Error("expected a throttle");
        } catch (err) {
          if ((err as { code?: string }).code !== "TooManyRequestsException") throw err;
        }
      },
    });
    cold.set("throttle", throttle.get("throttle")!);
    const row = (label: string, key: string) => [label, "c1", cold.get(key)!.mean, cold.get(key)!.p99, 1];
    rows.push(row("PostgreSQL round trip (SELECT 1), for scale", "ping"));
    rows.push(row("cold grant (flint_acquire_slots)", "grant"));
    rows.push(row("give back (release)", "release"));
    rows.push(row("leased gate, cold (asks the store once)", "gate"));
    rows.push([...row("leased gate, throttled (the limit runs on another node)", "throttle").slice(0, 4), "2 + a signal each way"]);
    // Grants racing on one scope from two nodes: serialized by the scope's advisory lock.
    const racing = await parallelRun((i) => (i % 2 ? a : b).slots.acquire("fn:racing", 1_000_000, 1, now(), 10_000), 8);
    rows.push(["cold grants racing on one scope, 2 nodes (per grant, over the run)", "c8", racing.mean, racing.p99, 1]);
    return table(
      "Concurrency slots: cost per invoke",
      ["path", "mode", "µs per invoke (mean)", "p99 µs", "store round trips"],
      rows,
    );
  } finally {
    await leased.stop();
    await other.stop();
    await a.close();
    await b.close();
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await slotsBench());
