/**
 * Logging under load: a function printing 100,000 lines per second while another function is
 * invoked warm. Prints the other function's p50 and throughput with and without the printer, in
 * alternating one-second slices of one run; the server's CPU while it takes in the printer's lines
 * alone; and whether every printed line was stored (counted through `flint logs`, which reads the
 * store).
 *
 * The printer writes its lines 1,000 at a time every 10 ms (one write per batch, as a function
 * that logs in a loop hands the pipe whole buffers); each line is `p <run> <n>`.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import readline from "node:readline";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { REGION, ROOT, TEST_CREDENTIALS, startFlint, type FlintProcess } from "../test/harness/flint.js";
import { createFunction } from "../test/harness/functions.js";
import { zipFiles } from "../test/harness/zip.js";
import { SignedClient } from "./lib/client.js";
import { load } from "./lib/load.js";
import { summarize, table } from "./lib/stats.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RATE = Number(process.env.BENCH_LOG_RATE ?? 100_000);
const ROUNDS = Number(process.env.BENCH_LOG_ROUNDS ?? 10);

const PRINTER = `
const { openSync, writeSync } = require("node:fs");
exports.handler = async (event) => {
  // The control: the same lines to /dev/null, the function's work without Flint taking them in.
  const out = event.toNull ? openSync("/dev/null", "w") : undefined;
  const perTick = event.rate / 100;
  const end = Date.now() + event.seconds * 1000;
  let n = 0;
  let next = Date.now();
  while (Date.now() < end) {
    let chunk = "";
    for (let i = 0; i < perTick; i++) chunk += "p " + event.run + " " + n++ + "\\n";
    if (out === undefined) process.stdout.write(chunk);
    else writeSync(out, chunk);
    next += 10;
    const wait = next - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return n;
};
`;
const ECHO = "exports.handler = async (event) => event;\n";

/** Lines of `run` in the printer's log, as `flint logs` reads them from the store. */
function storedLines(flint: FlintProcess, fn: string, run: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "dist/src/cli/main.js"), "logs", fn, "--data-dir", flint.dataDir], { stdio: ["ignore", "pipe", "ignore"] });
    let count = 0;
    const marker = ` p ${run} `;
    readline.createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.includes(marker)) count++;
    });
    child.on("error", reject);
    child.on("close", () => resolve(count));
  });
}

/** The slices of one phase, summed. */
class Slices {
  private readonly latencies: number[] = [];
  private seconds = 0;
  errors = 0;
  add(slice: { latencies: number[]; errors: number; seconds: number }): void {
    this.latencies.push(...slice.latencies);
    this.seconds += slice.seconds;
    this.errors += slice.errors;
  }
  get p50(): number {
    return summarize(this.latencies).p50;
  }
  get rps(): number {
    return this.latencies.length / this.seconds;
  }
}

/** One second of `concurrency` closed-loop clients: every latency, and the time it took. */
async function timed(client: SignedClient, path: string, concurrency: number, body: Buffer) {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const r = await client.post(path, body);
        if (r.status !== 200) errors++;
        latencies.push(r.ms);
      }
    }),
  );
  return { latencies, errors, seconds: (performance.now() - started) / 1000 };
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

export async function loggingBench(): Promise<string> {
  const flint = await startFlint();
  const clients: SignedClient[] = [];
  try {
    const zip = await zipFiles({ "printer.js": PRINTER, "echo.js": ECHO });
    // A full vCPU (1,769 MB) for the printer: its own CPU share must not be what limits its rate.
    const printer = await createFunction(flint, zip, "printer.handler", { MemorySize: 1769 });
    const echo = await createFunction(flint, zip, "echo.handler");
    const print = (run: string, seconds: number, toNull = false) =>
      flint.lambda
        .send(new InvokeCommand({ FunctionName: printer, Payload: Buffer.from(JSON.stringify({ run, seconds, rate: RATE, toNull })) }))
        .then((out) => Number(Buffer.from(out.Payload!).toString()));
    await print("warm", 0.05);

    const target = { host: "127.0.0.1", port: flint.port, ...TEST_CREDENTIALS, region: REGION };
    const invokePath = `/2015-03-31/functions/${echo}/invocations`;
    const body = Buffer.from('{"ping":1}');
    const rows: (string | number)[][] = [];
    // The server's own cost of taking the lines in and storing them, with nothing else running.
    const cpu = cpuSeconds(flint.child.pid!);
    const started = Date.now();
    const aloneLines = await print("alone", SECONDS);
    const serverCpu = (cpuSeconds(flint.child.pid!) - cpu) / ((Date.now() - started) / 1000);
    for (const concurrency of [1, 4]) {
      const client = new SignedClient(target, concurrency);
      clients.push(client);
      await load(client, invokePath, concurrency, 1, body); // warm every connection and environment
      // Alternating one-second slices: no printer, the printer printing into the log, the printer
      // writing the same lines to /dev/null (its own CPU without Flint's part); drift on this shared
      // host hits all three alike. A printer starts 100 ms before its slice and ends after it.
      const phases = { without: new Slices(), toNull: new Slices(), logged: new Slices() };
      let printed = 0;
      const run = `c${concurrency}`;
      const during = async (printing: Promise<number>, into: Slices) => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        into.add(await timed(client, invokePath, concurrency, body));
        return printing;
      };
      for (let round = 0; round < ROUNDS; round++) {
        phases.without.add(await timed(client, invokePath, concurrency, body));
        printed += await during(print(run, 1.3), phases.logged);
        await during(print("null", 1.3, true), phases.toNull);
      }
      // Lines are stored in batches after they are printed: count until all are there (or 30 s).
      let stored = 0;
      for (const until = Date.now() + 30_000; Date.now() < until; await new Promise((r) => setTimeout(r, 500))) {
        if ((stored = await storedLines(flint, printer, run)) >= printed) break;
      }
      const { without, toNull, logged } = phases;
      const errors = without.errors + toNull.errors + logged.errors;
      rows.push(
        [concurrency, "no printer", without.p50.toFixed(3), without.rps.toFixed(0), errors ? `${errors} errors` : ""],
        [concurrency, "printer → /dev/null", toNull.p50.toFixed(3), toNull.rps.toFixed(0), ""],
        [concurrency, "printer → log", logged.p50.toFixed(3), logged.rps.toFixed(0), `${printed} printed, ${stored} stored`],
        [concurrency, "log ÷ no printer", (logged.p50 / without.p50).toFixed(3), (logged.rps / without.rps).toFixed(3), ""],
        [concurrency, "log ÷ /dev/null", (logged.p50 / toNull.p50).toFixed(3), (logged.rps / toNull.rps).toFixed(3), ""],
      );
    }
    const alone = table("The printer alone: the server's CPU (user + system) while it takes the lines in and stores them", ["lines printed", "seconds", "server CPU (cores)"], [
      [aloneLines, SECONDS, serverCpu.toFixed(3)],
    ]);
    const title = `Warm invokes of an echo function without and with another printing ${RATE.toLocaleString("en")} lines/s (${ROUNDS} one-second slices of each phase, alternating)`;
    return `${alone}\n${table(title, ["clients", "phase", "p50 ms", "invokes/s", "printer's lines"], rows)}`;
  } finally {
    for (const c of clients) c.close();
    await flint.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await loggingBench());
}
