/**
 * Holding invocations in flight and firing them from many clients at once, for tests that count
 * concurrent executions exactly without relying on how long anything takes.
 *
 * The `hold` fixture (nodejs/hold.js) calls the Barrier's HTTP server on the host's loopback and
 * stays busy until the test releases it. A test fires N invokes, waits until every one has either
 * arrived at the barrier (it is executing) or been refused, counts, then releases. Other fixtures
 * wait at a Barrier too, wherever a test must know what is in flight: an init (gated-init.mjs), a
 * fork bomb at its limit or a CPU measurement (escape), a callback's background request.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { InvokeCommand, LambdaClient, type InvokeCommandInput } from "@aws-sdk/client-lambda";
import { REGION, TEST_CREDENTIALS } from "./flint.js";
import { eventually } from "./processes.js";

export class Barrier {
  private readonly waiting: ServerResponse[] = [];
  private open = false;
  /** Arrivals still to be let through at once (admit). */
  private passes = 0;
  private readonly watchers: { n: number; resolve: () => void }[] = [];
  /** Environment ids of the invocations that arrived, in order. */
  readonly arrivals: string[] = [];

  private constructor(private readonly server: ReturnType<typeof createServer>) {
    server.on("request", (req, res) => {
      this.arrivals.push(new URL(req.url ?? "/", "http://x").searchParams.get("env") ?? "");
      if (this.open) res.end("go");
      else if (this.passes > 0) {
        this.passes--;
        res.end("go");
      } else this.waiting.push(res);
      for (const w of this.watchers.filter((w) => this.arrivals.length >= w.n)) {
        this.watchers.splice(this.watchers.indexOf(w), 1);
        w.resolve();
      }
    });
  }

  static async create(): Promise<Barrier> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new Barrier(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Resolves once `n` invocations in all have arrived (held or let through). */
  arrived(n: number): Promise<void> {
    if (this.arrivals.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.watchers.push({ n, resolve }));
  }

  /** Let `n` invocations through, those held longest first and then the next to arrive; the rest stay held. */
  admit(n: number): void {
    this.passes += n;
    while (this.passes > 0 && this.waiting.length > 0) {
      this.passes--;
      this.waiting.shift()!.end("go");
    }
  }

  /** Let every held invocation finish; later arrivals pass straight through. */
  release(): void {
    this.open = true;
    for (const res of this.waiting.splice(0)) res.end("go");
  }

  async close(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** What one of the parallel invokes got. */
export interface Settled {
  status: number;
  /** The error code when refused (TooManyRequestsException, …). */
  code?: string;
  /** TooManyRequestsException's Reason. */
  reason?: string;
  executedVersion?: string;
  payload?: any;
  /** The decoded tail of the log, when asked for with LogType Tail. */
  log?: string;
}

/**
 * Fire `n` invokes at once, each from its own client (its own connections), without SDK retries.
 * `settled` fills in as they finish; `all` resolves when every one has.
 */
export function invokeInParallel(endpoint: string, n: number, input: Omit<InvokeCommandInput, "Payload"> & { payload: unknown }) {
  const settled: Settled[] = [];
  const { payload, ...rest } = input;
  const all = Promise.all(
    Array.from({ length: n }, async () => {
      const client = new LambdaClient({ endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
      let outcome: Settled;
      try {
        const out = await client.send(new InvokeCommand({ ...rest, Payload: Buffer.from(JSON.stringify(payload)) }));
        outcome = {
          status: out.StatusCode!,
          executedVersion: out.ExecutedVersion,
          payload: JSON.parse(Buffer.from(out.Payload ?? []).toString("utf8")),
          log: out.LogResult ? Buffer.from(out.LogResult, "base64").toString("utf8") : undefined,
        };
      } catch (err: any) {
        if (!err.$metadata) throw err;
        outcome = { status: err.$metadata.httpStatusCode, code: err.name, reason: err.Reason };
      } finally {
        client.destroy();
      }
      settled.push(outcome);
      return outcome;
    }),
  );
  return { settled, all };
}

/**
 * Wait until each of `n` invokes has either arrived at the barrier or been refused, then release
 * them and return every outcome, with how many were executing at once.
 */
export async function holdAndRelease(barrier: Barrier, n: number, run: ReturnType<typeof invokeInParallel>, ms = 120_000) {
  const refused = () => run.settled.filter((s) => s.code !== undefined).length;
  await eventually(() => barrier.arrivals.length + refused() >= n, ms, `${n} invokes executing or refused`);
  const executing = barrier.arrivals.length;
  barrier.release();
  return { executing, outcomes: await run.all };
}
