/** Closed-loop load: `concurrency` workers each sending the next request once the last answered, for `seconds`. */
import { performance } from "node:perf_hooks";
import type { SignedClient } from "./client.js";
import { summarize } from "./stats.js";

export async function load(client: SignedClient, path: string, payload: Buffer, concurrency: number, seconds: number) {
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
  const elapsed = (performance.now() - started) / 1000;
  return { ...summarize(latencies), rps: latencies.length / elapsed, errors };
}
