/**
 * A/B of two builds on the hot paths: warm invoke (c=8), SQS SendMessage over the JSON protocol and
 * over the query protocol (c=8 each), against this build (B) and another commit's (A, built into a
 * temporary worktree), next to a bare Node echo, in alternating one-second slices so that the
 * host's drift falls on both alike. `BENCH_AB_REV` (default HEAD~1) names A; `BENCH_AB_ROUNDS`
 * (default 10) the slices per row and build. Run: `npm run build && node dist/bench/ab.js`.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { REGION, ROOT, TEST_CREDENTIALS, type FlintProcess, startFlint } from "../test/harness/flint.js";
import { createFunction } from "../test/harness/functions.js";
import { zipFixture } from "../test/harness/zip.js";
import { SignedClient, type Target } from "./lib/client.js";
import { summarize, table } from "./lib/stats.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REV = process.env.BENCH_AB_REV ?? "HEAD~1";
const ROUNDS = Number(process.env.BENCH_AB_ROUNDS ?? 10);
const CLIENTS = 8;
const PAYLOAD = Buffer.from(JSON.stringify({ hello: "world", n: 42 }));

/** Build `rev` into a temporary worktree sharing this checkout's node_modules; returns its CLI. */
function buildRev(rev: string): { cli: string; sha: string; remove(): void } {
  const sha = execFileSync("git", ["rev-parse", "--short", rev], { cwd: ROOT, encoding: "utf8" }).trim();
  const dir = mkdtempSync(path.join(tmpdir(), `flint-ab-${sha}-`));
  execFileSync("git", ["worktree", "add", "--detach", dir, sha], { cwd: ROOT, stdio: "ignore" });
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  execFileSync(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "."], { cwd: dir, stdio: "inherit" });
  const cli = path.join(dir, "dist/src/cli/main.js");
  if (!existsSync(cli)) throw new Error(`no build at ${cli}`);
  return {
    cli,
    sha,
    remove: () => {
      execFileSync("git", ["worktree", "remove", "--force", dir], { cwd: ROOT, stdio: "ignore" });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Requests per second of `send` on `CLIENTS` connections for one second, and their latencies. */
async function slice(send: () => Promise<{ status: number; ms: number }>, expect: number): Promise<{ rps: number; ms: number[]; errors: number }> {
  const ms: number[] = [];
  let errors = 0;
  const deadline = performance.now() + 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) {
        const r = await send();
        if (r.status !== expect) errors++;
        ms.push(r.ms);
      }
    }),
  );
  return { rps: ms.length / ((performance.now() - started) / 1000), ms, errors };
}

interface Side {
  name: string;
  invoke: () => Promise<{ status: number; ms: number }>;
  sqsJson: () => Promise<{ status: number; ms: number }>;
  sqsQuery: () => Promise<{ status: number; ms: number }>;
}

async function side(name: string, flint: FlintProcess): Promise<Side> {
  const t: Target = { host: "127.0.0.1", port: flint.port, ...TEST_CREDENTIALS, region: REGION };
  const lambda = new SignedClient(t, CLIENTS);
  const sqs = new SignedClient(t, CLIENTS, "sqs");
  const fn = await createFunction(flint, await zipFixture("nodejs"), "echo.handler");
  const created = await sqs.post("/", Buffer.from(JSON.stringify({ QueueName: "ab" })), { "x-amz-target": "AmazonSQS.CreateQueue", "content-type": "application/x-amz-json-1.0" });
  const queueUrl = JSON.parse(String(created.body)).QueueUrl as string;
  const json = Buffer.from(JSON.stringify({ QueueUrl: queueUrl, MessageBody: "hello" }));
  const form = Buffer.from(`Action=SendMessage&Version=2012-11-05&QueueUrl=${encodeURIComponent(queueUrl)}&MessageBody=hello`);
  const invokePath = `/2015-03-31/functions/${fn}/invocations`;
  // Warm the environments and the queue's paths before any slice counts.
  for (let i = 0; i < 50; i++) await Promise.all(Array.from({ length: CLIENTS }, () => lambda.post(invokePath, PAYLOAD)));
  return {
    name,
    invoke: () => lambda.post(invokePath, PAYLOAD),
    sqsJson: () => sqs.post("/", json, { "x-amz-target": "AmazonSQS.SendMessage", "content-type": "application/x-amz-json-1.0" }),
    sqsQuery: () => sqs.post("/", form, { "content-type": "application/x-www-form-urlencoded" }),
  };
}

async function main() {
  const a = buildRev(REV);
  const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT, encoding: "utf8" }).trim() !== "";
  const echo = spawn(process.execPath, [path.join(HERE, "baseline-echo.js")], { stdio: ["ignore", "pipe", "inherit"], env: { PATH: "/usr/bin:/bin" } });
  const echoPort = await new Promise<number>((resolve) => echo.stdout!.once("data", (d) => resolve(Number(String(d).trim()))));
  const bare = new SignedClient({ host: "127.0.0.1", port: echoPort, ...TEST_CREDENTIALS, region: REGION }, CLIENTS);
  const args = ["--sandbox", "none"];
  const flintA = await startFlint({ cli: a.cli, args });
  const flintB = await startFlint({ args });
  try {
    const sides = [await side(`A ${a.sha}`, flintA), await side(`B ${head}${dirty ? "+" : ""}`, flintB)];
    const rows: (string | number)[][] = [];
    const echoSamples: { rps: number[]; ms: number[] } = { rps: [], ms: [] };
    for (const [label, pick] of [
      ["warm invoke", (s: Side) => s.invoke],
      ["SQS SendMessage, JSON", (s: Side) => s.sqsJson],
      ["SQS SendMessage, query", (s: Side) => s.sqsQuery],
    ] as const) {
      const got = sides.map(() => ({ rps: [] as number[], ms: [] as number[], errors: 0 }));
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate which build goes first, and slice the bare echo in between.
        const order = round % 2 === 0 ? [0, 1] : [1, 0];
        for (const i of order) {
          const r = await slice(pick(sides[i]!), 200);
          got[i]!.rps.push(r.rps);
          got[i]!.ms.push(...r.ms);
          got[i]!.errors += r.errors;
        }
        if (label === "warm invoke") {
          const r = await slice(() => bare.post("/", PAYLOAD), 200);
          echoSamples.rps.push(r.rps);
          echoSamples.ms.push(...r.ms);
        }
      }
      sides.forEach((s, i) => {
        const rps = summarize(got[i]!.rps);
        const ms = summarize(got[i]!.ms);
        rows.push([label, s.name, rps.p50, Math.min(...got[i]!.rps), Math.max(...got[i]!.rps), ms.p50, ms.p99, got[i]!.errors]);
      });
    }
    const e = summarize(echoSamples.rps);
    const em = summarize(echoSamples.ms);
    rows.push(["bare Node echo", "-", e.p50, Math.min(...echoSamples.rps), Math.max(...echoSamples.rps), em.p50, em.p99, 0]);
    console.log(
      table(
        `A/B, ${CLIENTS} keep-alive clients, ${ROUNDS} alternating one-second slices per build (--sandbox none)`,
        ["path", "build", "req/s (median slice)", "min", "max", "p50 ms", "p99 ms", "errors"],
        rows,
      ),
    );
  } finally {
    await flintA.stop();
    await flintB.stop();
    echo.kill();
    a.remove();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
