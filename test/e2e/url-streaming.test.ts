/**
 * Response streaming end to end with Node.js functions (awslambda.streamifyResponse): through a
 * function URL in RESPONSE_STREAM mode and through InvokeWithResponseStream. Chunk-by-chunk delivery
 * is proven by holding the function before each next chunk until the client has the previous one
 * (a response held back anywhere on the way would never arrive, and the function would wait), not
 * by timing; memory by the server's RSS while a client reads 100 MB slowly.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { InvokeWithResponseStreamCommand } from "@aws-sdk/client-lambda";
import { startFlint, type FlintProcess } from "../harness/flint.js";
import { createFunction, environmentsOf } from "../harness/functions.js";
import { createUrl } from "../harness/function-urls.js";
import { zipFixture } from "../harness/zip.js";
import { eventually, PATIENCE_MS } from "../harness/processes.js";

/** A loopback server a function waits at (`GET /?after=<i>`) until the test lets chunk i+1 go. */
class ChunkGate {
  private readonly held = new Map<number, http.ServerResponse>();
  private readonly let = new Set<number>();
  private constructor(readonly server: http.Server) {
    server.on("request", (req, res) => {
      const after = Number(new URL(req.url ?? "/", "http://x").searchParams.get("after"));
      if (this.let.has(after)) res.end("go");
      else this.held.set(after, res);
    });
  }
  static async create(): Promise<ChunkGate> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new ChunkGate(server);
  }
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }
  /** Chunk `i` reached the client: the function may write the next. */
  passed(i: number): void {
    this.let.add(i);
    this.held.get(i)?.end("go");
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Lines as they arrive from `chunks`, with a callback per complete line. */
async function lines(chunks: AsyncIterable<Uint8Array>, each: (line: string) => void): Promise<void> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of chunks) {
    text += decoder.decode(chunk, { stream: true });
    const parts = text.split("\n");
    text = parts.pop()!;
    for (const line of parts) each(line);
  }
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

describe("response streaming from Node.js functions", () => {
  let flint: FlintProcess;
  let zip: Buffer;
  let gate: ChunkGate;
  before(async () => {
    flint = await startFlint();
    zip = await zipFixture("nodejs");
    gate = await ChunkGate.create();
  });
  after(async () => {
    await gate.close();
    await flint.stop();
  });

  const streamingUrl = async (handler: string, opts: { Timeout?: number } = {}) => {
    const name = await createFunction(flint, zip, handler, opts);
    return { name, ...(await createUrl(flint, name, { invokeMode: "RESPONSE_STREAM" })) };
  };

  test("a URL passes 10 chunks on one by one: each reaches the client before the function writes the next", async () => {
    const { path } = await streamingUrl("stream-chunks.handler");
    const res = await fetch(`${path}/?chunks=10&gate=${encodeURIComponent(gate.url)}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/octet-stream");
    const seen: number[] = [];
    await lines(res.body!, (line) => {
      const [i, writtenAt] = line.split(" ").map(Number);
      assert.ok(Date.now() >= writtenAt!, "a chunk arrives after it was written");
      seen.push(i!);
      gate.passed(i!);
    });
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test("InvokeWithResponseStream passes chunks on one by one too", async () => {
    const name = await createFunction(flint, zip, "stream-chunks.handler");
    const gated = await ChunkGate.create();
    try {
      const out = await flint.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify({ chunks: 5, gate: gated.url })) }));
      const seen: number[] = [];
      const payloads = (async function* () {
        for await (const e of out.EventStream!) if (e.PayloadChunk?.Payload) yield e.PayloadChunk.Payload;
      })();
      await lines(payloads, (line) => {
        const i = Number(line.split(" ")[0]);
        seen.push(i);
        gated.passed(i);
      });
      assert.deepEqual(seen, [0, 1, 2, 3, 4]);
    } finally {
      await gated.close();
    }
  });

  test("HttpResponseStream.from sets the status, headers and cookies of a URL's response", async () => {
    const { path } = await streamingUrl("stream-http.handler");
    const res = await fetch(`${path}/`);
    assert.equal(res.status, 201);
    assert.equal(res.headers.get("x-flint-stream"), "yes");
    assert.equal(res.headers.get("content-type"), "text/plain");
    assert.deepEqual(res.headers.getSetCookie(), ["session=abc; Path=/", "theme=dark"]);
    assert.equal(await res.text(), "hello from a stream\n");
  });

  test("100 MB stream through a URL to a slow reader: every byte arrives, and the server's memory stays bounded", async () => {
    const { path } = await streamingUrl("stream-large.handler");
    const pid = flint.child.pid!;
    const before = rssMb(pid);
    let peak = before;
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      http.get(`${path}/?megabytes=100`, (res) => {
        res.on("data", (d: Buffer) => {
          received += d.length;
          peak = Math.max(peak, rssMb(pid));
          // Stop reading for a while after the first megabyte: a server without backpressure would hold what the function writes meanwhile.
          if (received >= 1 << 20 && received - d.length < 1 << 20) {
            res.pause();
            setTimeout(() => res.resume(), 1000);
          }
        });
        res.on("end", resolve);
        res.on("error", reject);
      }).on("error", reject);
    });
    assert.equal(received, 100 * 1024 * 1024);
    assert.ok(peak - before < 48, `the server grew by ${(peak - before).toFixed(1)} MB while streaming 100 MB`);
  });

  test("an error mid-stream: a URL's response is cut after what was written; InvokeWithResponseStream reports it in InvokeComplete", async () => {
    const { name, path } = await streamingUrl("stream-error.handler");
    const res = await fetch(`${path}/`);
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let text = "";
    const cut = await (async () => {
      try {
        for (let r = await reader.read(); !r.done; r = await reader.read()) text += Buffer.from(r.value).toString();
        return false;
      } catch {
        return true;
      }
    })();
    assert.ok(cut, "the client sees the response end short, not a whole body");
    assert.equal(text, "before the error\n");

    const out = await flint.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: name, Payload: Buffer.from("{}"), LogType: "Tail" }));
    let payload = "";
    let complete: { ErrorCode?: string; ErrorDetails?: string; LogResult?: string } | undefined;
    for await (const e of out.EventStream!) {
      if (e.PayloadChunk?.Payload) payload += Buffer.from(e.PayloadChunk.Payload).toString();
      if (e.InvokeComplete) complete = e.InvokeComplete;
    }
    assert.equal(payload, "before the error\n");
    assert.equal(complete?.ErrorCode, "TypeError");
    assert.equal(complete?.ErrorDetails, "stream failed mid-way");
    assert.match(Buffer.from(complete!.LogResult!, "base64").toString(), /Invoke Error/);
  });

  test("a client that goes away mid-stream: the function's stream closes under it, and its environment serves the next request", async () => {
    const { name, path } = await streamingUrl("stream-until-closed.handler");
    const reports: string[] = [];
    const reporter = http.createServer((req, res) => {
      let text = "";
      req.on("data", (d) => (text += d));
      req.on("end", () => {
        reports.push(text);
        res.end();
      });
    });
    await new Promise<void>((resolve) => reporter.listen(0, "127.0.0.1", resolve));
    try {
      const port = (reporter.address() as AddressInfo).port;
      const aborter = new AbortController();
      const res = await fetch(`${path}/?reportPort=${port}`, { signal: aborter.signal });
      const reader = res.body!.getReader();
      await reader.read();
      aborter.abort();
      await eventually(() => reports.length === 1, PATIENCE_MS, "the function reports that its stream closed");
      assert.match(reports[0]!, /^stream closed after \d+ writes/);
      // Nothing leaks: the environment is idle again, and the same environment answers the next request.
      await eventually(async () => (await environmentsOf(flint, name)).busy === undefined, PATIENCE_MS, "the environment is no longer busy");
      const again = new AbortController();
      const next = await fetch(`${path}/?reportPort=${port}`, { signal: again.signal });
      await next.body!.getReader().read();
      again.abort();
      await eventually(() => reports.length === 2, PATIENCE_MS, "the second request's function reports too");
      assert.deepEqual(await environmentsOf(flint, name).then((e) => Object.values(e).reduce((a, b) => a + b, 0)), 1, "one environment served both");
    } finally {
      reporter.closeAllConnections();
      await new Promise((resolve) => reporter.close(resolve));
    }
  });

  test("a stream past the function's timeout ends: the URL's response is cut, the environment is replaced", async () => {
    const { path } = await streamingUrl("stream-chunks.handler", { Timeout: 1 });
    const res = await fetch(`${path}/?chunks=1000&delayMs=50`);
    assert.equal(res.status, 200);
    await assert.rejects(res.text(), "the body ends short at the timeout");
  });

  test("a stream that ends without a byte answers 200 with an empty body", async () => {
    const { path } = await streamingUrl("stream-chunks.handler");
    const res = await fetch(`${path}/?chunks=0`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "");
  });

  test("a prelude naming a header no response can carry is a 502, and the function's environment is free again", async () => {
    const { name, path } = await streamingUrl("stream-http.handler");
    const res = await fetch(`${path}/?badHeader`);
    assert.equal(res.status, 502);
    assert.equal(await res.text(), "Internal Server Error");
    await eventually(async () => (await environmentsOf(flint, name)).busy === undefined, PATIENCE_MS, "the environment is released, not held until the timeout");
    assert.equal((await fetch(`${path}/`)).status, 201);
  });

  test("a client that goes before the first byte: the function's stream is closed and the server goes on", async () => {
    const { name, path } = await streamingUrl("stream-chunks.handler");
    const gated = await ChunkGate.create();
    try {
      const aborter = new AbortController();
      // The function writes nothing before the gate lets it (chunk 0 waits for "after=-1").
      const pending = fetch(`${path}/?chunks=3&gate=${encodeURIComponent(gated.url)}&first=gated`, { signal: aborter.signal }).catch(() => undefined);
      await eventually(async () => (await environmentsOf(flint, name)).busy === 1, PATIENCE_MS, "the function runs");
      aborter.abort();
      await pending;
      gated.passed(-1);
      gated.passed(0);
      gated.passed(1);
      await eventually(async () => (await environmentsOf(flint, name)).busy === undefined, PATIENCE_MS, "the environment is released");
    } finally {
      await gated.close();
    }
  });

  test("InvokeWithResponseStream to a function that does not stream, by a client that goes: the server goes on", async () => {
    const name = await createFunction(flint, zip, "slow.handler");
    const aborter = new AbortController();
    const call = flint.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify({ ms: 1500 })) }), { abortSignal: aborter.signal }).catch((err: Error) => err);
    await eventually(async () => (await environmentsOf(flint, name)).busy === 1, PATIENCE_MS, "the function runs");
    aborter.abort();
    assert.ok((await call) instanceof Error);
    await eventually(async () => (await environmentsOf(flint, name)).busy === undefined, PATIENCE_MS, "the invocation ended");
    assert.equal((await fetch(`${flint.endpoint}/_flint/health`)).status, 200, "the server still answers");
  });
});
