/**
 * Logging under load: a function printing 100,000 lines per second while another function is
 * invoked warm. Prints the other function's p50 and throughput without the printer (before and
 * after) and with it, in the same run, and whether every printed line was stored (counted through
 * `flint logs`, which reads the store).
 *
 * The printer writes its lines 1,000 at a time every 10 ms (one write per batch, as a function
 * that logs in a loop hands the pipe whole buffers); each line is `p <run> <n>`.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { REGION, ROOT, TEST_CREDENTIALS, startFlint, type FlintProcess } from "../test/harness/flint.js";
import { createFunction } from "../test/harness/functions.js";
import { zipFiles } from "../test/harness/zip.js";
import { SignedClient } from "./lib/client.js";
import { load } from "./lib/load.js";
import { table } from "./lib/stats.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RATE = Number(process.env.BENCH_LOG_RATE ?? 100_000);

const PRINTER = `
exports.handler = async (event) => {
  const perTick = event.rate / 100;
  const end = Date.now() + event.seconds * 1000;
  let n = 0;
  let next = Date.now();
  while (Date.now() < end) {
    let chunk = "";
    for (let i = 0; i < perTick; i++) chunk += "p " + event.run + " " + n++ + "\\n";
    process.stdout.write(chunk);
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
    const print = (run: string, seconds: number) =>
      flint.lambda.send(new InvokeCommand({ FunctionName: printer, Payload: Buffer.from(JSON.stringify({ run, seconds, rate: RATE })) })).then((out) => Number(Buffer.from(out.Payload!).toString()));
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
      const before = await load(client, invokePath, concurrency, SECONDS, body);
      const run = `c${concurrency}`;
      const printing = print(run, SECONDS + 2);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const during = await load(client, invokePath, concurrency, SECONDS, body);
      const printed = await printing;
      const after = await load(client, invokePath, concurrency, SECONDS, body);
      // Lines are stored in batches after they are printed: count until all are there (or 30 s).
      let stored = 0;
      for (const until = Date.now() + 30_000; Date.now() < until; await new Promise((r) => setTimeout(r, 500))) {
        if ((stored = await storedLines(flint, printer, run)) >= printed) break;
      }
      const base = { p50: (before.p50 + after.p50) / 2, rps: (before.rps + after.rps) / 2 };
      rows.push(
        [concurrency, "without printer (before)", before.p50.toFixed(3), before.rps.toFixed(0), before.errors, ""],
        [concurrency, "with printer", during.p50.toFixed(3), during.rps.toFixed(0), during.errors, `${printed} printed, ${stored} stored`],
        [concurrency, "without printer (after)", after.p50.toFixed(3), after.rps.toFixed(0), after.errors, ""],
        [concurrency, "with ÷ without (mean)", (during.p50 / base.p50).toFixed(3), (during.rps / base.rps).toFixed(3), "", ""],
      );
    }
    const alone = table("The printer alone: the server's CPU (user + system) while it takes the lines in and stores them", ["lines printed", "seconds", "server CPU (cores)"], [
      [aloneLines, SECONDS, serverCpu.toFixed(3)],
    ]);
    const title = `Warm invokes of an echo function while another prints ${RATE.toLocaleString("en")} lines/s (${SECONDS} s per phase)`;
    return `${alone}\n${table(title, ["clients", "phase", "p50 ms", "invokes/s", "errors", "printer's lines"], rows)}`;
  } finally {
    for (const c of clients) c.close();
    await flint.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await loggingBench());
}
