/** A closed loop of `concurrency` keep-alive clients POSTing `payload` to `path` for `seconds`: latencies, throughput, errors. */
import { performance } from "node:perf_hooks";
import type { SignedClient } from "./client.js";
import { summarize } from "./stats.js";

export async function load(client: SignedClient, path: string, concurrency: number, seconds: number, payload: Buffer) {
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  let errors = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const r = await client.post(path, payload);
      if (r.status !== 200) errors++;
      latencies.push(r.ms);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ...summarize(latencies), rps: latencies.length / ((performance.now() - started) / 1000), errors };
}
