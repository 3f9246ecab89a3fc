/**
 * A function URL against the Invoke API it stands in front of (issue 16: URL p50 ≤ 1.1× Invoke p50
 * at concurrency 1, throughput at concurrency 8 ≥ 0.9× Invoke's), next to a bare Node HTTP echo.
 * One server, one Node.js echo function (1,769 MB, a full core) with a public URL (AuthType NONE,
 * reached by its path form); the three targets are measured in alternating one-second slices
 * (`BENCH_URL_ROUNDS`, default 5) so host drift falls on each alike.
 * `npm run build && node dist/bench/function-urls.js`.
 */
import { AddPermissionCommand, CreateFunctionUrlConfigCommand } from "@aws-sdk/client-lambda";
import { startFlint, TEST_CREDENTIALS, REGION } from "../test/harness/flint.js";
import { zipFixture } from "../test/harness/zip.js";
import { createFunction } from "../test/harness/functions.js";
import { SignedClient, type Target } from "./lib/client.js";
import { startBaseline } from "./lib/baseline.js";
import { load } from "./lib/load.js";
import { summarize, table } from "./lib/stats.js";

const PAYLOAD = Buffer.from(JSON.stringify({ hello: "world", n: 42 }));
const ROUNDS = Number(process.env.BENCH_URL_ROUNDS ?? 5);

async function main() {
  const flint = await startFlint({ args: ["--idle-timeout", "600", "--sandbox", process.env.BENCH_SANDBOX ?? "auto"] });
  const baseline = await startBaseline();
  try {
    const fn = await createFunction(flint, await zipFixture("nodejs"), "echo.handler", { MemorySize: 1769 });
    const made = await flint.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: fn, AuthType: "NONE" }));
    await flint.lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: "public", Action: "lambda:InvokeFunctionUrl", Principal: "*", FunctionUrlAuthType: "NONE" }));
    await flint.lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: "invoke", Action: "lambda:InvokeFunction", Principal: "*", InvokedViaFunctionUrl: true }));
    const urlPath = `/_aws/lambda-url/${made.FunctionUrl!.slice("http://".length).split(".")[0]}/echo`;
    const flintTarget: Target = { host: "127.0.0.1", port: flint.port, ...TEST_CREDENTIALS, region: REGION };
    const targets = [
      { name: "bare Node HTTP echo", target: { ...flintTarget, port: baseline.port }, path: "/echo" },
      { name: "Flint Invoke (Node echo fn)", target: flintTarget, path: `/2015-03-31/functions/${fn}/invocations` },
      { name: "Flint function URL (same fn, NONE, path form)", target: flintTarget, path: urlPath },
    ];
    const rows: (string | number)[][] = [];
    for (const concurrency of [1, 8]) {
      const clients = targets.map((t) => new SignedClient(t.target, concurrency));
      const samples = targets.map(() => ({ p50: [] as number[], p99: [] as number[], rps: [] as number[], errors: 0 }));
      for (const [i, t] of targets.entries()) await load(clients[i]!, t.path, PAYLOAD, concurrency, 1); // warm-up
      for (let round = 0; round < ROUNDS; round++) {
        for (const [i, t] of targets.entries()) {
          const r = await load(clients[i]!, t.path, PAYLOAD, concurrency, 1);
          samples[i]!.p50.push(r.p50);
          samples[i]!.p99.push(r.p99);
          samples[i]!.rps.push(r.rps);
          samples[i]!.errors += r.errors;
        }
      }
      const median = (xs: number[]) => summarize(xs).p50;
      for (const [i, t] of targets.entries()) rows.push([t.name, concurrency, median(samples[i]!.p50), median(samples[i]!.p99), median(samples[i]!.rps), samples[i]!.errors]);
      const [, invoke, url] = samples;
      rows.push(["ratio URL / Invoke", concurrency, median(url!.p50) / median(invoke!.p50), median(url!.p99) / median(invoke!.p99), median(url!.rps) / median(invoke!.rps), ""]);
      clients.forEach((c) => c.close());
    }
    process.stdout.write(table(`Function URL next to Invoke (keep-alive clients, ${ROUNDS} alternating 1 s slices, medians)`, ["target", "concurrency", "p50 ms", "p99 ms", "req/s", "errors"], rows) + "\n");
  } finally {
    baseline.stop();
    await flint.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
