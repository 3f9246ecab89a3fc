/** Cold-start samples: each the first invoke of a new function, taken on a server in the same state. */
import { DeleteFunctionCommand } from "@aws-sdk/client-lambda";
import type { FlintProcess } from "../../test/harness/flint.js";
import { createFunction } from "../../test/harness/functions.js";
import type { SignedClient } from "./client.js";

const PAYLOAD = Buffer.from('{"hello":"world"}');

/**
 * Create a function, let spares refill (as they would between real cold starts), invoke it once
 * (timed at the client), then delete it, so that no sample pays for the environments of the samples
 * before it (each holds two host mounts that every later sandbox's set-up reads).
 */
export async function coldStart(flint: FlintProcess, client: SignedClient, zip: Buffer, handler: string, runtime: string): Promise<number> {
  const name = await createFunction(flint, zip, handler, { runtime });
  await new Promise((r) => setTimeout(r, 150));
  const r = await client.post(`/2015-03-31/functions/${name}/invocations`, PAYLOAD);
  if (r.status !== 200) throw new Error(`cold invoke failed: ${r.status} ${r.body}`);
  await flint.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  return r.ms;
}

/**
 * `n` rounds of one sample from each series in turn: a baseline and what is compared with it meet
 * the same moments of a noisy host, instead of one block each.
 */
export async function interleaved<K extends string>(n: number, series: Record<K, () => Promise<number>>): Promise<Record<K, number[]>> {
  const out = Object.fromEntries(Object.keys(series).map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let i = 0; i < n; i++) for (const k of Object.keys(series) as K[]) out[k].push(await series[k]());
  return out;
}
