/** Cold-start samples: each the first invoke of a new function, taken on a server in the same state. */
import { DeleteFunctionCommand } from "@aws-sdk/client-lambda";
import type { FlintProcess } from "../../test/harness/flint.js";
import { createFunction } from "../../test/harness/functions.js";
import type { SignedClient } from "./client.js";

const PAYLOAD = Buffer.from('{"hello":"world"}');

/**
 * `n` times: create a function, let spares refill (as they would between real cold starts), invoke
 * it once (timed at the client), then delete it, so that no sample pays for the environments of the
 * samples before it (each holds two host mounts that every later sandbox's set-up reads).
 */
export async function coldStarts(flint: FlintProcess, client: SignedClient, zip: Buffer, handler: string, runtime: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const name = await createFunction(flint, zip, handler, { runtime });
    await new Promise((r) => setTimeout(r, 150));
    const r = await client.post(`/2015-03-31/functions/${name}/invocations`, PAYLOAD);
    if (r.status !== 200) throw new Error(`cold invoke failed: ${r.status} ${r.body}`);
    out.push(r.ms);
    await flint.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  }
  return out;
}
