/**
 * A function that exhausts what it was given under the strict sandbox: /tmp, memory, processes,
 * time, the CPU between invocations and the log pipe. Each is contained to its own environment,
 * while a healthy function keeps answering. Escape attempts: sandbox-escape.test.ts.
 */
import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, statfsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import readline from "node:readline";
import { UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from "@aws-sdk/client-lambda";
import { ROOT, startFlint, type FlintProcess } from "../harness/flint.js";
import { WAITER } from "../harness/functions.js";
import { Barrier } from "../harness/parallel.js";
import { PATIENCE_MS, alive, descendants, eventually } from "../harness/processes.js";
import { Arena, HOSTILE_RUNTIMES, errorTypeOf, hostPidsOfUid, rssMb, sandboxTest } from "../harness/sandbox.js";

const MB = 2 ** 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hostFreeMb = () => {
  const s = statfsSync(tmpdir());
  return (s.bavail * s.bsize) / MB;
};

/** Sample `measure` every 50 ms while `work` runs; resolves with the work's result and the peak. */
async function peakDuring<T>(measure: () => number, work: Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = measure();
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, measure());
      await sleep(50);
    }
  })();
  try {
    return { result: await work, peak };
  } finally {
    running = false;
    await sampler;
  }
}

/**
 * Host processes of this server's environment running as `uid` whose command line mentions
 * `marker` (another Flint server on the host may hand out the same uid: see sandbox-escape).
 */
function processesOf(server: number, uid: number, marker = ""): number[] {
  const ours = new Set(descendants(server));
  return hostPidsOfUid(uid).filter((p) => {
    if (!ours.has(p)) return false;
    try {
      return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(marker);
    } catch {
      return false;
    }
  });
}

/** Lines of a function's log streams (in the data dir's log store) that contain `needle`. */
/** Lines of a function's log holding `needle`, as `flint logs` reads them from the server's log store. */
function loggedLines(flint: FlintProcess, name: string, needle: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "dist/src/cli/main.js"), "logs", name, "--data-dir", flint.dataDir], { stdio: ["ignore", "pipe", "ignore"] });
    let n = 0;
    readline.createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.includes(needle)) n++;
    });
    child.on("error", reject);
    child.on("close", () => resolve(n));
  });
}

describe("resource limits of the strict sandbox", () => {
  let flint: FlintProcess;
  let arena: Arena;
  const it = (name: string, fn: Parameters<typeof sandboxTest>[2]) => sandboxTest(name, () => arena, fn);
  const server = () => flint.child.pid!;
  before(async () => {
    flint = await startFlint();
    arena = await new Arena(flint).start();
  });
  after(() => flint.stop());

  for (const rt of HOSTILE_RUNTIMES) {
    describe(rt.label, () => {
      it("filling /tmp ends in ENOSPC inside, costs the host at most the image, and the next invoke works", async (t) => {
        const fn = await arena.hostile(rt, { MemorySize: 128 });
        const free = hostFreeMb();
        const { payload } = await arena.whileServing(() => arena.act(fn, "fillTmp"));
        assert.equal(payload.code, "ENOSPC");
        assert.ok(payload.written / MB >= 480 && payload.written / MB <= 600, `wrote ${payload.written / MB} MB into a 512 MB /tmp`);
        const lost = free - hostFreeMb();
        t.diagnostic(`wrote ${(payload.written / MB).toFixed(0)} MB before ENOSPC; the host's ${tmpdir()} lost ${lost.toFixed(0)} MB`);
        assert.ok(lost < 1024, `the host's ${tmpdir()} lost ${lost.toFixed(0)} MB`);
        const next = await arena.act(fn, "ticks");
        assert.equal(next.functionError, undefined, `the next invoke failed: ${next.raw}`);
      });

      it("allocating past MemorySize ends in Runtime.OutOfMemory (signal: killed), and the next invoke works", async () => {
        // A fourteenth of a core, and Lambda's longest timeout: however slow the host, memory runs out first.
        const fn = await arena.hostile(rt, { MemorySize: 128 });
        const r = await arena.whileServing(() => arena.act(fn, "allocate", { mb: 400, kind: "buffer" }));
        assert.equal(errorTypeOf(r), "Runtime.OutOfMemory", r.log);
        assert.match(r.payload.errorMessage, /Runtime exited with error: signal: killed$/);
        assert.deepEqual((await arena.act(fn, "allocate", { mb: 8, kind: "buffer" })).payload, { allocated: 8 });
      });

      it("a fork bomb hits the process limit (EAGAIN) inside, the host's process count stays bounded, and all of it ends", async (t) => {
        // However long the bomb takes to reach the limit, it then waits at the gate with every
        // process it made, until the test has counted them; then it exits.
        const gate = await Barrier.create();
        try {
          const fn = await arena.hostile(rt, { MemorySize: 2048 });
          const { uid } = (await arena.act(fn, "identity")).payload;
          const baseline = descendants(server()).length;
          const bomb = new Set<number>();
          let most = 0;
          const count = () => {
            const now = processesOf(server(), uid);
            for (const p of now) bomb.add(p);
            most = Math.max(most, now.length);
            return descendants(server()).length;
          };
          const bombing = peakDuring(count, arena.whileServing(() => arena.act(fn, "forkBomb", { port: gate.port })));
          await Promise.race([gate.arrived(1), bombing]);
          assert.equal(gate.arrivals.length, 1, "the bomb reached the gate");
          const atLimit = processesOf(server(), uid).length;
          const treeAtLimit = count() - baseline;
          gate.release();
          const { result: r, peak } = await bombing;
          t.diagnostic(`${atLimit} processes of the environment at the limit (at most ${most}), the server's tree grew by ${Math.max(peak - baseline, treeAtLimit)}`);
          assert.equal(errorTypeOf(r), "Runtime.ExitError", r.raw);
          assert.match(r.log!, /(spawn|fork) failed: EAGAIN/);
          // The limit stopped it: 1,024 tasks, less the runtime's threads and bubblewrap's two processes.
          assert.ok(atLimit >= 1024 - 64 && most <= 1024, `${atLimit} processes of the environment at the limit, at most ${most} (limit: 1,024 tasks)`);
          assert.ok(Math.max(peak - baseline, treeAtLimit) <= 1024 + 32, `the server's process tree grew by ${Math.max(peak - baseline, treeAtLimit)}`);
          await eventually(() => [...bomb].every((p) => !alive(p)), PATIENCE_MS, `all ${bomb.size} processes of the bomb gone`);
        } finally {
          await gate.close();
        }
      });

      for (const children of [0, 3]) {
        it(`spinning past the timeout ends in Sandbox.Timedout and leaves no process behind (${children} children)`, async () => {
          // The children start with the environment, so they are there before the timer runs.
          const fn = await arena.hostile(rt, { Timeout: 2, Environment: { Variables: { SLEEPERS: String(children) } } });
          const { uid } = (await arena.act(fn, "identity")).payload;
          const pids = processesOf(server(), uid);
          assert.equal(pids.length, 1 + children, "the runtime and its children running");
          assert.equal(errorTypeOf(await arena.whileServing(() => arena.act(fn, "spin"))), "Sandbox.Timedout");
          await eventually(() => pids.every((p) => !alive(p)), PATIENCE_MS, "every process of the environment gone");
        });
      }

      it("a background child is frozen while the environment is idle, and dies with the environment", async (t) => {
        const fn = await arena.hostile(rt);
        const { uid } = (await arena.act(fn, "identity")).payload;
        assert.ok((await arena.act(fn, "startTicker")).payload >= 1);
        const ticker = processesOf(server(), uid, "flint-ticker");
        assert.equal(ticker.length, 1, "the ticker runs on the host as the environment's uid");
        // An invocation that waits for five more ticks ends only if the ticker runs while it does.
        const running = (await arena.act(fn, "ticks")).payload;
        const during = (await arena.act(fn, "ticks", { atLeast: running + 5 })).payload - running;
        assert.ok(during >= 5, `it ticks while an invocation runs (${during})`);
        // Idle for 3 s: frozen, the ticker pauses for all of it but the moment before the freeze (10 ms
        // after the invocation, later on a busy host); running, it would tick every 20 ms.
        const from = Date.now();
        await sleep(3000);
        const to = Date.now();
        const idle = [from, ...((await arena.act(fn, "tickTimes")).payload as number[]).filter((at) => at > from && at < to), to];
        const pause = Math.max(...idle.slice(1).map((at, i) => at - idle[i]!));
        t.diagnostic(`${during} ticks while an invocation waited for 5; ${idle.length - 2} in 3 s idle, the longest pause ${pause} ms`);
        assert.ok(pause >= 2000, `the ticker's longest pause in 3 s of idleness was ${pause} ms (20 ms if it were not frozen)`);
        await flint.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Description: "changed" }));
        await waitUntilFunctionUpdatedV2({ client: flint.lambda, ...WAITER }, { FunctionName: fn });
        await eventually(() => !alive(ticker[0]!), PATIENCE_MS, "the ticker ends with its replaced environment");
      });

      it("100 MB of stdout keeps the server's memory bounded, and the log store keeps the lines", async (t) => {
        const fn = await arena.hostile(rt);
        await arena.act(fn, "ticks"); // cold start first: only the flood is measured
        const before = rssMb(server());
        const { result: r, peak } = await peakDuring(() => rssMb(server()), arena.whileServing(() => arena.act(fn, "flood", { mb: 100 })));
        assert.ok(r.functionError === undefined || r.payload.errorType === "Sandbox.Timedout", r.raw);
        assert.ok(peak - before < 300, `the server grew from ${before.toFixed(0)} to ${peak.toFixed(0)} MB`);
        await eventually(async () => (await loggedLines(flint, fn, "xxxxxxxx")) >= 1000, PATIENCE_MS, "flooded lines in the log store");
        t.diagnostic(`server RSS ${before.toFixed(0)} MB, peak ${peak.toFixed(0)} MB; ${await loggedLines(flint, fn, "xxxxxxxx")} of 102,400 lines stored`);
      });
    });
  }

  it("CPU follows memory as on Lambda: 128 MB is capped at a fourteenth of a core, and side by side 1,769 MB gets fourteen times as much", async (t) => {
    // What a function gets of a busy host is the host's business; what Flint decides is the cap
    // (a quota) and the proportion between functions (weights), and neither depends on the load.
    const small = await arena.hostile(HOSTILE_RUNTIMES[0], { MemorySize: 128 });
    const large = await arena.hostile(HOSTILE_RUNTIMES[0], { MemorySize: 1769 });
    const share = async (fn: string, args: Record<string, unknown> = {}) => {
      const r = await arena.act(fn, "cpuShare", { ms: 2000, ...args });
      assert.equal(r.functionError, undefined, r.raw);
      return r.payload.cpuMs / r.payload.wallMs;
    };
    // The large one's cold start first: the spare that replaces the one it took is started now,
    // not on the CPU the two share later.
    assert.equal((await arena.act(large, "ticks")).functionError, undefined);
    // Alone, the small one never gets more than its quota, however idle the host.
    const alone = await share(small);
    assert.ok(alone < 0.15, `128 MB alone got ${(alone * 100).toFixed(1)}% of a core (Lambda: 7.2%)`);
    // Side by side on one CPU, from the same moment, they share whatever that CPU has to give.
    const gate = await Barrier.create();
    try {
      const both = [small, large].map((fn) => share(fn, { pin: true, port: gate.port }));
      await Promise.race([gate.arrived(2), Promise.all(both)]);
      gate.release();
      const [s, l] = await Promise.all(both);
      t.diagnostic(`CPU share: ${(alone * 100).toFixed(1)}% at 128 MB alone; side by side on one CPU ${(s * 100).toFixed(1)}% at 128 MB, ${(l * 100).toFixed(1)}% at 1,769 MB (${(l / s).toFixed(1)}x)`);
      assert.ok(l / s > 7, `side by side 1,769 MB got ${(l / s).toFixed(1)} times what 128 MB got (Lambda: 13.8)`);
    } finally {
      await gate.close();
    }
  });

  it("Max Memory Used counts the environment's child processes and the runtime's own peak, and each REPORT reads it afresh", async (t) => {
    const fn = await arena.hostile(HOSTILE_RUNTIMES[0], { MemorySize: 1024 });
    const maxUsed = (log = "") => Number(/Max Memory Used: (\d+) MB/.exec(log)?.[1]);
    const first = maxUsed((await arena.act(fn, "ticks")).log);
    const r = await arena.act(fn, "childAllocate", { mb: 300 });
    assert.equal(r.functionError, undefined, r.raw);
    const after = maxUsed(r.log);
    t.diagnostic(`Max Memory Used: ${first} MB, then ${after} MB after a child filled 300 MB`);
    assert.ok(first > 0 && first < 200, `a fresh environment reported ${first} MB`);
    assert.ok(after >= 300, `a child's 300 MB were not counted: ${after} MB`);
    // The runtime's own memory, allocated and dropped within one invocation, right after the last
    // REPORT: its peak is in this invocation's REPORT, not a later one.
    const own = maxUsed((await arena.act(fn, "allocate", { mb: 500 })).log);
    t.diagnostic(`then ${own} MB after the runtime itself held 500 MB`);
    assert.ok(own >= 500, `the runtime's 500 MB were not counted: ${own} MB`);
  });

  it("a V8 heap overflow (Node.js) ends the invocation as an error, and the next invoke works", async (t) => {
    // CPU follows memory (128 MB is 7% of a core): the allocation gets all the time it needs to reach the limit.
    const fn = await arena.hostile(HOSTILE_RUNTIMES[0], { MemorySize: 128 });
    const r = await arena.whileServing(() => arena.act(fn, "allocate", { mb: 400, kind: "heap" }));
    const errorType = errorTypeOf(r);
    t.diagnostic(`heap overflow at MemorySize 128: ${errorType}: ${r.payload.errorMessage}`);
    assert.ok(["Runtime.OutOfMemory", "Runtime.ExitError"].includes(errorType), r.raw);
    assert.deepEqual((await arena.act(fn, "allocate", { mb: 8, kind: "heap" })).payload, { allocated: 8 });
  });

  it("unsigned uploads from a function are refused before the server buffers them", async () => {
    const fn = await arena.hostile(HOSTILE_RUNTIMES[0]);
    const url = `http://127.0.0.1:${flint.port}/2015-03-31/functions`;
    const before = rssMb(server());
    const { result: r, peak } = await peakDuring(() => rssMb(server()), arena.whileServing(() => arena.act(fn, "upload", { url, mb: 60, parallel: 16 })));
    assert.ok((r.payload as unknown[]).every((s) => s === 403 || s === "ECONNRESET" || s === "EPIPE"), r.raw);
    assert.ok(peak - before < 200, `16 unsigned 60 MB uploads grew the server from ${before.toFixed(0)} to ${peak.toFixed(0)} MB`);
  });

  it("stopping the server ends a frozen environment's background processes", async () => {
    const fn = await arena.hostile(HOSTILE_RUNTIMES[1]);
    const { uid } = (await arena.act(fn, "identity")).payload;
    await arena.act(fn, "startTicker");
    const ticker = processesOf(server(), uid, "flint-ticker");
    assert.equal(ticker.length, 1);
    assert.equal(await flint.stop(), 0);
    await eventually(() => !alive(ticker[0]!), PATIENCE_MS, "the ticker ends with the server");
  });
});
