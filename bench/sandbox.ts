/**
 * Sandbox benchmarks (issue #3): cold starts under strict isolation with and without spare
 * sandboxes next to bare interpreter starts and a bare `bwrap … node -e 0`; warm invoke latency of
 * the strict driver next to the unsandboxed one; the creation rate from 0 to 100 concurrent
 * environments; and what an idle environment costs beyond its runtime process.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import path from "node:path";
import { startFlint, TEST_CREDENTIALS, REGION, type FlintProcess } from "../test/harness/flint.js";
import { delegatedUser, delegationProblem, type DelegatedUser } from "../test/harness/delegated-user.js";
import { zipFixture } from "../test/harness/zip.js";
import { createFunction } from "../test/harness/functions.js";
import { SignedClient, type Target } from "./lib/client.js";
import { coldStart, interleaved } from "./lib/cold.js";
import { summarize, table } from "./lib/stats.js";

const PAYLOAD = Buffer.from('{"hello":"world"}');
const COLD = Number(process.env.BENCH_COLD ?? 25);
const WARM_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLEAN_ENV = { PATH: "/usr/bin:/bin" };

async function timed(file: string, args: string[]): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(file, args, { stdio: "ignore", env: CLEAN_ENV });
    child.on("exit", () => resolve());
    child.on("error", reject);
  });
  return performance.now() - started;
}

const BWRAP = ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin", "--proc", "/proc", "--dev", "/dev", "--"];

function target(flint: FlintProcess): Target {
  return { host: "127.0.0.1", port: flint.port, ...TEST_CREDENTIALS, region: REGION };
}

type WarmResult = ReturnType<typeof summarize> & { rps: number };

/**
 * Warm invokes of an echo function on each server, one client each, in alternating one-second
 * slices (WARM_SECONDS slices per server): the host's noise then falls on both alike instead of
 * on whichever ran second.
 */
async function warm(servers: FlintProcess[], zip: Buffer): Promise<WarmResult[]> {
  const targets = await Promise.all(
    servers.map(async (flint) => {
      // One full core (1,769 MB): what is measured is Flint, not Lambda's CPU allotment of small functions.
      const name = await createFunction(flint, zip, "echo.handler", { MemorySize: 1769 });
      return { client: new SignedClient(target(flint), 1), path: `/2015-03-31/functions/${name}/invocations`, lat: [] as number[] };
    }),
  );
  const slice = async (t: (typeof targets)[number], record: boolean) => {
    const end = performance.now() + 1000;
    while (performance.now() < end) {
      const ms = (await t.client.post(t.path, PAYLOAD)).ms;
      if (record) t.lat.push(ms);
    }
  };
  for (const t of targets) await slice(t, false);
  for (let i = 0; i < WARM_SECONDS; i++) for (const t of targets) await slice(t, true);
  for (const t of targets) t.client.close();
  return targets.map((t) => ({ ...summarize(t.lat), rps: t.lat.length / WARM_SECONDS }));
}

/** Environments created per second when 100 invocations arrive at once on a cold function. */
async function creationRate(flint: FlintProcess, zip: Buffer): Promise<{ seconds: number; rate: number; errors: number }> {
  const name = await createFunction(flint, zip, "slow.handler", { MemorySize: 128, Timeout: 30 });
  const client = new SignedClient(target(flint), 100);
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: 100 }, () => client.post(`/2015-03-31/functions/${name}/invocations`, Buffer.from('{"ms":3000}'))));
  client.close();
  // Each invocation holds its environment 3 s, so 100 answers within ~3 s + creation mean 100 environments.
  const envs = new Set(results.filter((r) => r.status === 200).map((r) => JSON.parse(r.body.toString()).envId).filter(Boolean)).size;
  const seconds = (performance.now() - started) / 1000 - 3;
  return { seconds, rate: envs / seconds, errors: 100 - envs };
}

const rssOf = (pid: number) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
};

/** For each idle environment of a server: its runtime's RSS and what the rest of the sandbox holds. */
function idleCosts(pid: number): { runtime: number; overhead: number }[] {
  const own = /^0::(.*)$/m.exec(readFileSync("/proc/self/cgroup", "utf8"))?.[1] ?? "/";
  const tree = path.join("/sys/fs/cgroup/unified", own, `flint-${pid}`);
  const out = [];
  for (const env of readdirSync(tree, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    const pids = readFileSync(path.join(tree, env.name, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
    if (pids.length === 0) continue; // a group made ahead of need, not yet an environment's
    const rss = pids.map(rssOf);
    const runtime = Math.max(...rss);
    out.push({ runtime, overhead: rss.reduce((a, b) => a + b, 0) - runtime });
  }
  return out;
}

export async function sandboxBench(): Promise<string> {
  const out: string[] = [];
  const node = await zipFixture("nodejs");
  const python = await zipFixture("python");
  const strict = await startFlint();
  const noSpares = await startFlint({ args: ["--spares", "0"] });
  const plain = await startFlint({ args: ["--sandbox", "none", "--spares", "0"] });
  // Strict without root, in a delegated cgroup subtree, where this host can make one.
  let user: DelegatedUser | undefined;
  let rootless: FlintProcess | undefined;
  if (!delegationProblem()) {
    user = await delegatedUser();
    rootless = await startFlint({ dataDir: user.dataDir, asUser: user, args: ["--sandbox", "strict"] });
  }
  try {
    const isolation = (await (await fetch(`${strict.endpoint}/_flint/health`)).json()).isolation;
    if (isolation !== "strict") return `### Sandbox\n\nisolation in force is '${isolation}': this machine cannot sandbox, nothing to measure.\n`;
    const spareClient = new SignedClient(target(strict), 1);
    const freshClient = new SignedClient(target(noSpares), 1);
    const rootlessClient = rootless && new SignedClient(target(rootless), 1);
    const rootlessSeries: Record<string, () => Promise<number>> = rootless && rootlessClient ? { nodeRootless: () => coldStart(rootless, rootlessClient, node, "echo.handler", "nodejs20.x") } : {};
    const samples: Record<string, number[]> = await interleaved(COLD, {
      ...rootlessSeries,
      bareNode: () => timed(process.execPath, ["-e", "0"]),
      bwrapNode: () => timed("/usr/bin/bwrap", [...BWRAP, process.execPath, "-e", "0"]),
      nodeSpare: () => coldStart(strict, spareClient, node, "echo.handler", "nodejs20.x"),
      nodeFresh: () => coldStart(noSpares, freshClient, node, "echo.handler", "nodejs20.x"),
      barePy: () => timed("/usr/bin/python3", ["-c", "pass"]),
      bwrapPy: () => timed("/usr/bin/bwrap", [...BWRAP, "/usr/bin/python3", "-c", "pass"]),
      pySpare: () => coldStart(strict, spareClient, python, "echo.handler", "python3.12"),
      pyFresh: () => coldStart(noSpares, freshClient, python, "echo.handler", "python3.12"),
    });
    spareClient.close();
    freshClient.close();
    rootlessClient?.close();
    const nodeRootless = samples.nodeRootless && summarize(samples.nodeRootless);
    const [bareNode, bwrapNode, nodeSpare, nodeFresh, barePy, bwrapPy, pySpare, pyFresh] = [
      samples.bareNode, samples.bwrapNode, samples.nodeSpare, samples.nodeFresh, samples.barePy, samples.bwrapPy, samples.pySpare, samples.pyFresh,
    ].map((x) => summarize(x!)) as ReturnType<typeof summarize>[];
    out.push(
      table("Cold start under strict isolation (first invoke of a new environment, at the client; rows sampled in turn)", ["what", "p50 ms", "p99 ms", "p50 / bare"], [
        ["bare `node -e 0`", bareNode.p50, bareNode.p99, 1],
        ["`bwrap … node -e 0`", bwrapNode.p50, bwrapNode.p99, bwrapNode.p50 / bareNode.p50],
        ["Flint Node echo, spare sandbox", nodeSpare.p50, nodeSpare.p99, nodeSpare.p50 / bareNode.p50],
        ["Flint Node echo, no spares", nodeFresh.p50, nodeFresh.p99, nodeFresh.p50 / bareNode.p50],
        ...(nodeRootless ? [["Flint Node echo, strict without root (no spares)", nodeRootless.p50, nodeRootless.p99, nodeRootless.p50 / bareNode.p50]] : []),
        ["bare `python3 -c pass`", barePy.p50, barePy.p99, 1],
        ["`bwrap … python3 -c pass`", bwrapPy.p50, bwrapPy.p99, bwrapPy.p50 / barePy.p50],
        ["Flint Python echo, spare sandbox", pySpare.p50, pySpare.p99, pySpare.p50 / barePy.p50],
        ["Flint Python echo, no spares", pyFresh.p50, pyFresh.p99, pyFresh.p50 / barePy.p50],
      ]),
    );
    const [w1, w2, w3] = (await warm(rootless ? [plain, strict, rootless] : [plain, strict], node)) as [WarmResult, WarmResult, WarmResult?];
    out.push(
      table("Warm invoke, concurrency 1: strict sandbox next to plain processes (alternating one-second slices)", ["driver", "p50 ms", "p99 ms", "req/s"], [
        ["none (plain processes)", w1.p50, w1.p99, w1.rps],
        ["strict (bwrap + cgroups)", w2.p50, w2.p99, w2.rps],
        ["strict / none", w2.p50 / w1.p50, w2.p99 / w1.p99, w2.rps / w1.rps],
        ...(w3 ? [["strict without root", w3.p50, w3.p99, w3.rps], ["strict without root / none", w3.p50 / w1.p50, w3.p99 / w1.p99, w3.rps / w1.rps]] : []),
      ]),
    );
    const burst = await creationRate(noSpares, node);
    const costs = idleCosts(noSpares.child.pid!);
    const runtimeMb = costs.reduce((a, c) => a + c.runtime, 0) / costs.length / 1048576;
    const overheadMb = costs.reduce((a, c) => a + c.overhead, 0) / costs.length / 1048576;
    out.push(
      table("Sandbox creation, 0 → 100 concurrent environments (no spares), and idle cost", ["measure", "value"], [
        ["environments created", 100 - burst.errors],
        ["creation time, s", burst.seconds],
        ["environments / s", burst.rate],
        ["idle environments measured", costs.length],
        ["runtime process RSS, MB (mean)", runtimeMb],
        ["sandbox beyond the runtime (bwrap processes), MB (mean)", overheadMb],
      ]),
    );
  } finally {
    await Promise.all([strict.stop(), noSpares.stop(), plain.stop(), rootless?.stop()]);
    await user?.remove();
  }
  return out.join("\n");
}
